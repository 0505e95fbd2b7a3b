"""The public names of resdep.contracts, and JSON Lines read without reading the file whole."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import IO

import pytest
from records_builders import award_release

import resdep.contracts
from resdep.contracts import read_records, readers


def test_public_names_are_pinned() -> None:
    assert set(resdep.contracts.__all__) == {
        "DEFINITIONS",
        "AwardTable",
        "HardInput",
        "ImportLog",
        "Indicators",
        "Issue",
        "OrgRef",
        "OrgResolver",
        "RecordsImport",
        "Window",
        "build_table",
        "case_records",
        "compile_releases",
        "compute_indicators",
        "main_currency",
        "economic_inputs",
        "method_code",
        "normalise_name",
        "parse_windows",
        "read_income",
        "read_records",
        "resolve_actors",
    }
    for name in resdep.contracts.__all__:
        assert hasattr(resdep.contracts, name), name


class _LinesOnly(io.BytesIO):
    """A stream that can be iterated line by line but refuses to be read whole."""

    def read(self, size: int | None = -1, /) -> bytes:
        raise AssertionError("a JSON Lines file was read whole")


def test_json_lines_are_streamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = b"".join(
        json.dumps(
            award_release(
                f"ocds-{i}", buyer=("GB-LAC-1", "B"), suppliers=[("GB-CHC-2", "S")], amount=i
            )
        ).encode()
        + b"\n"
        for i in range(20)
    )
    path = tmp_path / "r.jsonl"
    path.write_bytes(lines)

    def fake_open(p: Path) -> IO[bytes]:
        return _LinesOnly(lines)

    monkeypatch.setattr(readers, "_open", fake_open)
    table = read_records([path], progress=True)  # no terminal here: the bar stays off
    assert len(table) == 20
