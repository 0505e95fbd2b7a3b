"""Bad records: reported with their place, the rest kept, skipped items counted."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from records_builders import award_release, package, release

from resdep.contracts import read_records
from resdep.errors import RecordsFormatError

WriteJson = Callable[[str, Any], Path]
BUYER = ("GB-LAC-E1", "Barnet Council")
AGENCY = ("GB-CHC-100", "Care Co")


def test_invalid_json_file_is_skipped_and_the_others_are_read(
    tmp_path: Path, write_json: WriteJson
) -> None:
    good = write_json(
        "good.json", package(award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=10))
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"releases": [', encoding="utf-8")
    table = read_records([good, bad])
    assert len(table) == 1
    assert table.log.skipped["file"] == 1
    [issue] = [i for i in table.log.issues if i.file == str(bad)]
    assert issue.severity == "error"
    assert "invalid JSON" in issue.message
    assert issue.place.startswith("line 1 column")


def test_only_invalid_input_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(RecordsFormatError, match="no usable award"):
        read_records([bad])


def test_missing_path_and_unknown_document_are_input_errors(
    tmp_path: Path, write_json: WriteJson
) -> None:
    with pytest.raises(RecordsFormatError, match="no such file"):
        read_records([tmp_path / "nope.json"])
    other = write_json("other.json", {"hello": "world"})
    with pytest.raises(RecordsFormatError, match="no usable award"):
        read_records([other])


def test_bad_json_line_is_skipped_with_its_line_number(tmp_path: Path) -> None:
    lines = [
        json.dumps(award_release(f"ocds-{i}", buyer=BUYER, suppliers=[AGENCY], amount=5))
        for i in range(3)
    ]
    lines.insert(1, '{"ocid": "broken",')
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    table = read_records([path])
    assert table.frame["process"].nunique() == 3
    assert table.log.skipped["JSON line"] == 1
    assert any(i.place == "line 2" for i in table.log.issues)


def test_gzipped_json_lines_of_compiled_releases(tmp_path: Path) -> None:
    path = tmp_path / "compiled.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for i in range(50):
            r = award_release(f"ocds-{i}", buyer=BUYER, suppliers=[AGENCY], amount=i)
            r["tag"] = ["compiled"]
            fh.write(json.dumps(r) + "\n")
    table = read_records([path])
    assert len(table) == 50
    assert table.log.read["compiled releases"] == 50


def test_schema_violation_is_reported_at_its_path_and_the_release_kept(
    write_json: WriteJson,
) -> None:
    r = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=10)
    r["tender"]["numberOfTenderers"] = "three"
    table = read_records([write_json("p.json", package(r))])
    assert len(table) == 1
    assert table.frame["bidders"].isna().all()
    messages = [f"{i.place} {i.message}" for i in table.log.issues]
    assert any("/releases/0/tender/numberOfTenderers" in m and "schema" in m for m in messages)
    assert table.log.read["releases with schema errors"] == 1


def test_release_without_ocid_is_skipped_and_counted(write_json: WriteJson) -> None:
    good = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=10)
    bad = award_release("", buyer=BUYER, suppliers=[AGENCY], amount=10)
    table = read_records([write_json("p.json", package(good, bad))])
    assert len(table) == 1
    assert table.log.skipped["release"] == 1
    assert any(i.place == "/releases/1" and "no ocid" in i.message for i in table.log.issues)


def test_mixed_currencies_are_never_summed(write_json: WriteJson) -> None:
    from resdep.contracts import compute_indicators

    a = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=100, currency="GBP")
    b = award_release("ocds-2", buyer=BUYER, suppliers=[AGENCY], amount=300, currency="EUR")
    ind = compute_indicators(read_records([write_json("p.json", package(a, b))]), ["all"])
    s = ind.suppliers.set_index("currency")
    assert s.loc["GBP", "value"] == 100
    assert s.loc["EUR", "value"] == 300
    assert (ind.pairs["dependence"] == 1.0).all()


def test_transactions_in_another_currency_are_not_added(write_json: WriteJson) -> None:
    r = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=100)
    r["contracts"] = [
        {
            "id": "c",
            "awardID": "ocds-1-a",
            "implementation": {
                "transactions": [
                    {"id": "t1", "value": {"amount": 40, "currency": "GBP"}},
                    {"id": "t2", "value": {"amount": 99, "currency": "USD"}},
                ]
            },
        }
    ]
    table = read_records([write_json("p.json", package(r))])
    assert table.frame.loc[0, "paid"] == 40
    assert any("USD" in i.message for i in table.log.issues)


def test_missing_dates_count_only_in_the_all_window(write_json: WriteJson) -> None:
    from resdep.contracts import compute_indicators

    dated = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=100)
    undated = award_release("ocds-2", buyer=BUYER, suppliers=[AGENCY], amount=50)
    del undated["awards"][0]["date"]
    table = read_records([write_json("p.json", package(dated, undated))])
    assert table.frame["award_date"].isna().sum() == 1
    s = compute_indicators(table).suppliers.set_index("window")
    assert s.loc["all", "value"] == 150
    assert s.loc["2020", "value"] == 100


def test_negative_values_are_reported_and_left_out(write_json: WriteJson) -> None:
    a = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=-10)
    table = read_records([write_json("p.json", package(a))])
    row = table.frame.iloc[0]
    assert not row["in_revenue"]
    assert row["excluded"] == "negative_value"
    assert any("negative value" in i.message for i in table.log.issues)


def test_duplicate_ocids_across_record_packages_keep_the_later(write_json: WriteJson) -> None:
    old = award_release(
        "ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=10, date="2020-01-01T00:00:00Z"
    )
    new = award_release(
        "ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=20, date="2021-01-01T00:00:00Z"
    )

    def records(r: dict[str, Any]) -> dict[str, Any]:
        return {
            "uri": "https://example.com/r",
            "publishedDate": "2021-01-01T00:00:00Z",
            "publisher": {"name": "T"},
            "version": "1.1",
            "records": [
                {
                    "ocid": r["ocid"],
                    "releases": [{"url": "https://example.com/x", "date": r["date"]}],
                    "compiledRelease": r | {"tag": ["compiled"]},
                }
            ],
        }

    table = read_records(
        [write_json("new.json", records(new)), write_json("old.json", records(old))]
    )
    assert len(table) == 1
    assert table.frame.loc[0, "value"] == 20
    assert any("duplicate OCID ocds-1" in i.message for i in table.log.issues)


def test_same_release_in_two_packages_counts_once(write_json: WriteJson) -> None:
    r = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=10)
    table = read_records([write_json("a.json", package(r)), write_json("b.json", package(r))])
    assert len(table) == 1
    assert table.log.read["duplicate releases (identical, counted once)"] == 1


def test_releases_of_one_process_across_packages_are_compiled(write_json: WriteJson) -> None:
    tender = release(
        "ocds-1", "1", "2020-01-01T00:00:00Z", tender={"id": "t", "procurementMethod": "limited"}
    )
    tender["tag"] = ["tender"]
    award = award_release(
        "ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=10, method=None, rid="2"
    )
    table = read_records(
        [write_json("a.json", package(tender)), write_json("b.json", package(award))]
    )
    assert len(table) == 1
    assert table.frame.loc[0, "method"] == "limited"


def test_record_with_only_linked_releases_is_skipped(write_json: WriteJson) -> None:
    doc = {
        "uri": "https://example.com/r",
        "publishedDate": "2021-01-01T00:00:00Z",
        "publisher": {"name": "T"},
        "version": "1.1",
        "records": [
            {
                "ocid": "ocds-1",
                "releases": [{"url": "https://example.com/x", "date": "2020-01-01T00:00:00Z"}],
            }
        ],
    }
    good = write_json(
        "g.json", package(award_release("ocds-2", buyer=BUYER, suppliers=[AGENCY], amount=1))
    )
    table = read_records([write_json("r.json", doc), good])
    assert table.log.skipped["record"] == 1


def test_cancelled_awards_and_awards_without_suppliers_are_left_out(write_json: WriteJson) -> None:
    r = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=10)
    r["awards"].append({"id": "x", "status": "cancelled", "suppliers": r["awards"][0]["suppliers"]})
    r["awards"].append({"id": "y", "status": "pending"})
    table = read_records([write_json("p.json", package(r))])
    assert len(table) == 1
    assert table.log.read["awards cancelled (left out)"] == 1
    assert table.log.read["awards without suppliers (left out)"] == 1


def test_grant_errors_keep_the_other_grants(write_json: WriteJson) -> None:
    grant = {
        "id": "360G-X-1",
        "title": "t",
        "description": "d",
        "currency": "GBP",
        "amountAwarded": 100,
        "awardDate": "2020-01-01",
        "fundingOrganization": [{"id": "GB-CHC-1", "name": "F"}],
        "recipientOrganization": [{"id": "GB-CHC-2", "name": "R"}],
    }
    broken = dict(grant, id="360G-X-2", amountAwarded="lots")
    person = dict(grant, id="360G-X-3")
    del person["recipientOrganization"]
    person["recipientIndividual"] = {"id": "p1", "name": "A Person"}
    table = read_records([write_json("g.json", {"grants": [grant, broken, person]})])
    assert list(table.frame["process"]) == ["360G-X-1", "360G-X-2"]
    assert table.frame.loc[1, "excluded"] == "no_value"
    assert table.log.read["grants to individuals (left out)"] == 1
    assert any(i.place.startswith("/grants/1/amountAwarded") for i in table.log.issues)
