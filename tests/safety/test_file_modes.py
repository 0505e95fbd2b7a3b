"""Outputs are readable by colleagues: files and folders get the mode a plain open or
mkdir would give (0666 / 0777 less the umask), not the private mode of a temporary file."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from safety_helpers import run

from resdep.data import founding_case_path
from resdep.textio import atomic_write_text


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask_022")
def test_agreement_table_and_analyze_outputs_follow_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = str(founding_case_path())
    table = tmp_path / "ab.csv"
    status, err = run(["qda", "agreement", case, case, "--out", str(table)], capsys)
    assert status == 0, err
    assert _mode(table) == 0o644
    out = tmp_path / "out"
    status, err = run(["analyze", case, "--out", str(out), "--draws", "50", "--no-report"], capsys)
    assert status == 0, err
    assert _mode(out) == 0o755
    assert _mode(out / "stages.csv") == 0o644


@pytest.mark.usefixtures("umask_022")
def test_atomic_write_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "codings.csv"
    atomic_write_text(target, "a\n")
    assert _mode(target) == 0o644
    target.chmod(0o600)  # the user made it private: a rewrite keeps it so
    atomic_write_text(target, "b\n")
    assert _mode(target) == 0o600
    assert target.read_text(encoding="utf-8") == "b\n"
