"""Helpers of the safety tests (issue 11): run the CLI, fingerprint folders."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from resdep.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run ``resdep ARGV`` in-process; returns the status and standard error."""
    status = main(argv)
    return status, capsys.readouterr().err


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones included) with its SHA-256."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
