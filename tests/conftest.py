"""Shared test helpers: paths to the repository, the shared data and fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = REPO / "tests" / "fixtures"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, with one clear message, when the shared real data is not beside the checkout."""
    if not (SHARED_DATA / "README.md").is_file():
        pytest.exit(
            f"resdep's tests read real files written by other software (an NVivo project, OCDS and "
            f"360Giving records, the REFI-QDA schema) from ../shared/data beside the checkout, and "
            f"{SHARED_DATA} does not exist. Place the checkout beside shared/ as the workplace lays it "
            f"out, then run the tests again.",
            returncode=4,
        )


@pytest.fixture
def tiny_case(tmp_path: Path) -> Path:
    """A writable copy of the tiny hand-checkable case."""
    dest = tmp_path / "tiny_case"
    shutil.copytree(FIXTURES / "tiny_case", dest)
    return dest
