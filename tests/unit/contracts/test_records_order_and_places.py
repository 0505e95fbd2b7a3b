"""Review fixes: reading order never decides a duplicate, issue places, entities, path hints."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from records_builders import EXAMPLE_CASE, award_release, package, release

from resdep.cli import main
from resdep.contracts import compute_indicators, read_records
from resdep.errors import RecordsFormatError

WriteJson = Callable[[str, Any], Path]
BUYER = ("GB-LAC-E1", "Barnet Council")
AGENCY = ("GB-CHC-100", "Care Co")


def _both_orders(a: Path, b: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    first, second = read_records([a, b]), read_records([b, a])
    return first.frame, second.frame, [i.message for i in first.log.issues + second.log.issues]


def test_duplicate_release_id_with_equal_dates_keeps_the_same_copy_in_any_order(
    write_json: WriteJson,
) -> None:
    good = write_json(
        "good.json", package(award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=999))
    )
    dup = write_json(
        "dupocid.json",
        package(award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=300_000)),
    )
    one, two, messages = _both_orders(good, dup)
    assert_frame_equal(one.drop(columns=["source"]), two.drop(columns=["source"]))
    assert one["source"].tolist() == two["source"].tolist()
    assert one["value"].tolist() in ([999.0], [300_000.0])
    assert len(messages) == 2
    for message in messages:
        assert "same date; kept the copy at" in message
        assert "(rule: the smaller SHA-256 of its canonical JSON)" in message
        assert "kept the one dated" not in message


def test_equal_dates_prefer_the_package_published_later(write_json: WriteJson) -> None:
    old = package(award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=999))
    new = package(award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=300_000))
    new["publishedDate"] = "2022-06-01T00:00:00Z"
    for value in (999, 1, 10**9):  # whatever the content, the later package decides
        old["releases"][0]["awards"][0]["value"]["amount"] = value
        one, two, messages = _both_orders(write_json("old.json", old), write_json("new.json", new))
        assert one["value"].tolist() == two["value"].tolist() == [300_000.0]
        assert all("same date" in m and "publishedDate" in m for m in messages)


def test_later_date_still_wins_and_says_so(write_json: WriteJson) -> None:
    early = award_release(
        "ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=1, date="2020-01-01T00:00:00Z"
    )
    late = award_release(
        "ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=2, date="2020-02-01T00:00:00Z"
    )
    one, two, messages = _both_orders(
        write_json("a.json", package(early)), write_json("b.json", package(late))
    )
    assert one["value"].tolist() == two["value"].tolist() == [2.0]
    assert all(
        "kept the copy dated 2020-02-01T00:00:00Z (rule: the later date)" in m for m in messages
    )


def test_compiled_duplicates_with_equal_dates_keep_the_same_copy_in_any_order(
    write_json: WriteJson,
) -> None:
    def records(amount: float) -> dict[str, Any]:
        r = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=amount)
        return {
            "uri": "https://example.com/r",
            "publishedDate": "2021-01-01T00:00:00Z",
            "publisher": {"name": "T"},
            "version": "1.1",
            "records": [
                {
                    "ocid": "ocds-1",
                    "releases": [{"url": "https://example.com/x", "date": r["date"]}],
                    "compiledRelease": r | {"tag": ["compiled"]},
                }
            ],
        }

    a, b = write_json("a.json", records(999)), write_json("b.json", records(300_000))
    one, two, messages = _both_orders(a, b)
    assert one["value"].tolist() == two["value"].tolist()
    assert one["source"].tolist() == two["source"].tolist()
    assert all("duplicate OCID ocds-1" in m and "same date; kept" in m for m in messages)
    # identical compiled releases count once, and the copy kept does not depend on the order
    c = write_json("c.json", records(999))
    same = [read_records(order) for order in ([a, c], [c, a])]
    assert same[0].frame["source"].tolist() == same[1].frame["source"].tolist() == [str(a)]
    assert same[0].log.read["duplicate compiled releases (identical, counted once)"] == 1
    assert not same[0].log.issues


def test_releases_with_equal_dates_compile_in_id_order_not_reading_order(
    write_json: WriteJson,
) -> None:
    r1 = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=10, rid="r1")
    r2 = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=20, rid="r2")
    one, two, _ = _both_orders(write_json("a.json", package(r1)), write_json("b.json", package(r2)))
    assert one["value"].tolist() == two["value"].tolist() == [20.0]
    assert one["place"].tolist() == two["place"].tolist()


def test_any_permutation_of_files_gives_the_same_table_and_indicators(
    write_json: WriteJson,
) -> None:
    tender = release(
        "ocds-1",
        "t",
        "2020-01-15T00:00:00Z",
        tender={"id": "t", "procurementMethod": "limited", "title": "Care"},
    )
    docs = [
        package(award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=5)),
        package(award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=7), tender),
        package(
            award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=5, method="selective"),
            award_release("ocds-2", buyer=BUYER, suppliers=[AGENCY], amount=3),
        ),
        package(award_release("ocds-2", buyer=BUYER, suppliers=[AGENCY], amount=4)),
    ]
    files = [write_json(f"p{i}.json", d) for i, d in enumerate(docs)]
    orders = [
        files,
        files[::-1],
        [files[2], files[0], files[3], files[1]],
        [files[1], files[3], files[0], files[2]],
    ]
    results = []
    for order in orders:
        table = read_records(order)
        results.append((table.frame, compute_indicators(table, ["all"]).long()))
    for frame, long in results[1:]:
        assert_frame_equal(frame, results[0][0])
        assert_frame_equal(long, results[0][1])


def test_schema_violation_place_is_the_json_path(tmp_path: Path, write_json: WriteJson) -> None:
    bad = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=10)
    bad["awards"][0]["value"]["amount"] = "lots"
    good = award_release("ocds-2", buyer=BUYER, suppliers=[AGENCY], amount=10)
    path = write_json("p.json", package(good, good | {"ocid": "ocds-3"}, bad))
    lines = tmp_path / "r.jsonl"
    lines.write_text(
        json.dumps(good) + "\n" + json.dumps(bad) + "\n" + json.dumps(package(good, bad)) + "\n",
        encoding="utf-8",
    )
    table = read_records([path, lines])
    schema = [(i.file, i.place) for i in table.log.issues if i.message.startswith("schema:")]
    assert schema == [
        (str(path), "/releases/2/awards/0/value/amount"),
        (str(lines), "line 2, /awards/0/value/amount"),
        (str(lines), "line 3, /releases/1/awards/0/value/amount"),
    ]
    assert all("/awards/0/value/amount" not in i.message for i in table.log.issues)


def test_issues_csv_gives_the_schema_path_in_place(tmp_path: Path, write_json: WriteJson) -> None:
    bad = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=10)
    bad["tender"]["numberOfTenderers"] = "three"
    src = write_json("p.json", package(bad))
    out = tmp_path / "out"
    assert main(["contracts", "import", str(src), "--out", str(out), "--quiet"]) == 0
    issues = pd.read_csv(out / "issues.csv", keep_default_na=False)
    schema = issues[issues["message"].str.startswith("schema:")]
    assert schema["place"].tolist() == ["/releases/0/tender/numberOfTenderers"]


def test_places_inside_json_lines_records_are_one_pointer(tmp_path: Path) -> None:
    r = award_release("ocds-1", buyer=BUYER, suppliers=[AGENCY], amount=-5)
    record = {"ocid": "ocds-1", "compiledRelease": r | {"tag": ["compiled"]}}
    doc = {
        "uri": "https://example.com/r",
        "publishedDate": "2021-01-01T00:00:00Z",
        "publisher": {"name": "T"},
        "version": "1.1",
        "records": [record],
    }
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    table = read_records([path])
    [negative] = [i for i in table.log.issues if "negative value" in i.message]
    assert negative.place == "line 1, /records/0/compiledRelease/awards/0/value"
    assert table.frame.loc[0, "place"] == "line 1, /records/0/compiledRelease/awards/0"


def test_titles_have_html_entities_decoded_like_names(
    tmp_path: Path, write_json: WriteJson
) -> None:
    r = award_release(
        "ocds-1", buyer=("GB-LAC-E1", "Redcar &amp; Cleveland"), suppliers=[AGENCY], amount=10
    )
    r["tender"]["title"] = "Planned &amp; Reactive Maintenance (&#039;PRM&#039;)"
    r["tender"]["procurementMethodDetails"] = "Open &amp;amp; advertised"
    grant = {
        "id": "360G-X-1",
        "title": "Youth &amp; Play",
        "currency": "GBP",
        "amountAwarded": 5,
        "awardDate": "2020-05-01",
        "grantProgramme": [{"title": "Main &amp; Small"}],
        "fundingOrganization": [{"id": "GB-CHC-1", "name": "Trust"}],
        "recipientOrganization": [{"id": "GB-CHC-2", "name": "Charity"}],
    }
    csv = tmp_path / "c.csv"
    csv.write_text(
        "ocid,buyer/name,awards/suppliers/name,tender/title\n"
        "x-1,Buyer,Supplier,Homes &amp; Streets\n",
        encoding="utf-8",
    )
    table = read_records(
        [write_json("p.json", package(r)), write_json("g.json", {"grants": [grant]}), csv]
    )
    by_kind = table.frame.set_index("source_kind")
    assert by_kind.loc["ocds", "title"] == "Planned & Reactive Maintenance ('PRM')"
    assert by_kind.loc["ocds", "method_detail"] == "Open & advertised"
    assert by_kind.loc["ocds", "buyer_name"] == "Redcar & Cleveland"
    assert by_kind.loc["360giving", "title"] == "Youth & Play"
    assert by_kind.loc["360giving", "programme"] == "Main & Small"
    assert by_kind.loc["csv", "title"] == "Homes & Streets"


def test_missing_path_hint_names_the_case_folder(tmp_path: Path) -> None:
    with pytest.raises(RecordsFormatError) as info:
        read_records([tmp_path / "nope.json"])
    assert "relative to the case folder when listed in case.toml" in str(info.value.fix)
    assert "relative paths start where you run resdep" not in str(info.value)


def test_missing_records_file_of_a_case_names_the_joined_path(tmp_path: Path) -> None:
    import resdep

    case = tmp_path / "case"
    shutil.copytree(EXAMPLE_CASE, case)
    (case / "records" / "purchases.csv").unlink()
    with pytest.raises(RecordsFormatError) as info:
        resdep.load_case(case)
    assert info.value.file == str(case / "records" / "purchases.csv")
    assert "relative to the case folder" in str(info.value)


def test_a_name_tie_does_not_follow_the_file_order(tmp_path: Path) -> None:
    header = (
        "ocid,buyer/name,awards/suppliers/name,awards/suppliers/identifier/scheme,"
        "awards/suppliers/identifier/id,awards/value/amount\n"
    )
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(header + "x-1,Buyer,Care Co,GB-CHC,100,10\n", encoding="utf-8")
    b.write_text(header + "x-2,Buyer,CARE COMPANY,GB-CHC,100,20\n", encoding="utf-8")
    names = [set(read_records(order).frame["supplier_name"]) for order in ([a, b], [b, a])]
    assert names[0] == names[1] == {"CARE COMPANY"}
