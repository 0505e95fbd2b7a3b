"""Wrong shapes and files with no usable rows exit 2, the schema's reason first (issue 12, item 5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from records_builders import award_release, package

from resdep.cli import main
from resdep.contracts import read_records


def _grant(**extra: Any) -> dict[str, Any]:
    return {
        "id": "360G-x-1",
        "title": "t",
        "description": "d",
        "currency": "GBP",
        "amountAwarded": 5000,
        "awardDate": "2020-01-01",
        "recipientOrganization": [{"id": "GB-CHC-1", "name": "R"}],
        "fundingOrganization": [{"id": "GB-GOR-X", "name": "F"}],
    } | extra


BIG = {"id": "g", "title": "x" * 400}


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ({"grants": BIG}, "'grants' is not of type 'array'"),
        ({"grants": []}, "'grants' is empty"),
        (
            package() | {"releases": {"ocid": "x", "title": "y" * 400}},
            "'releases' is not of type 'array'",
        ),
        (package() | {"releases": []}, "'releases' is empty"),
    ],
)
def test_wrong_shapes_exit_2_with_the_reason_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: dict[str, Any], reason: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["contracts", "import", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "bad.json" in err
    assert reason in err
    assert "first problem: error" in err
    assert not out.exists()


def test_schema_reason_survives_a_long_value(tmp_path: Path) -> None:
    path = tmp_path / "two.json"
    good = package(
        award_release("ocds-x-1", buyer=("GB-GOR-B", "B"), suppliers=[("GB-CHC-1", "S")], amount=5)
    )
    path.write_text(json.dumps(good), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"grants": BIG}), encoding="utf-8")
    table = read_records([path, bad])
    messages = [i.message for i in table.log.issues if i.file == str(bad)]
    schema = [m for m in messages if m.startswith("schema:")]
    assert schema
    assert schema[0].startswith("schema: is not of type 'array'")


def test_a_csv_with_a_header_only_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("ocid,buyer/name,awards/suppliers/name\n", encoding="utf-8")
    assert main(["contracts", "import", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "no usable award" in capsys.readouterr().err


@pytest.mark.parametrize(
    "when", ["2020-01-01", "2020-01-01T00:00:00Z", "2020-01-01T09:30:00+08:00"]
)
def test_360giving_dates_as_the_standard_allows(tmp_path: Path, when: str) -> None:
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"grants": [_grant(awardDate=when)]}), encoding="utf-8")
    table = read_records([path])
    assert not [i for i in table.log.issues if i.message.startswith("schema")]
    assert str(table.frame["award_date"].iloc[0].date()) == "2020-01-01"


def test_360giving_bad_date_is_a_schema_warning(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text(
        json.dumps({"grants": [_grant(awardDate="2020-01-01T10:00")]}), encoding="utf-8"
    )
    table = read_records([path])
    assert any(i.place == "/grants/0/awardDate" for i in table.log.issues)
