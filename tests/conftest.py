"""Shared test helpers: paths to the repository, the shared data and fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture
def tiny_case(tmp_path: Path) -> Path:
    """A writable copy of the tiny hand-checkable case."""
    dest = tmp_path / "tiny_case"
    shutil.copytree(FIXTURES / "tiny_case", dest)
    return dest
