"""Real records through the whole contracts pipeline (issue 5's "must show" list).

Each expected number is computed here independently from the raw JSON, not copied from
resdep's output.
"""

from __future__ import annotations

import html
import json
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

from resdep.contracts import compute_indicators, economic_inputs, read_records

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
UK = DATA / "ocds" / "contracts-finder-social-care"
GRANTS = DATA / "360giving" / "ab-charitable-trust-grants.json"
FICTIONAL = DATA / "ocds" / "fictional-example"
RECORDS_CASE = REPO / "examples" / "records-case"


def _uk_pairs_by_identifier() -> dict[tuple[str, str], set[str]]:
    """(buyer, supplier) -> processes, matching suppliers by identifier scheme + id."""
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted(UK.glob("*.json")):
        for release in json.loads(path.read_text(encoding="utf-8"))["releases"]:
            parties = {p["id"]: p for p in release["parties"]}
            buyer = parties[release["buyer"]["id"]]
            ident = buyer.get("identifier") or {}
            if ident.get("scheme") and ident.get("id"):
                b = f"{ident['scheme']}-{ident['id']}"
            else:
                b = "".join(ch for ch in html.unescape(buyer["name"]).casefold() if ch.isalnum())
            for award in release["awards"]:
                for s in award["suppliers"]:
                    sid = parties[s["id"]]["identifier"]
                    pairs[(b, f"{sid['scheme']}-{sid['id']}")].add(release["ocid"])
    return pairs


def test_uk_contracts_finder_packages_import_and_recurring_pairs_are_found() -> None:
    files = sorted(UK.glob("*.json"))
    assert len(files) == 73
    table = read_records([UK])
    assert table.log.read["processes"] == 73
    assert not table.log.skipped
    expected = {k: len(v) for k, v in _uk_pairs_by_identifier().items() if len(v) >= 2}
    # the independent count (raw scheme-id) and resdep's (normalised identifiers, issue 12)
    # agree: every company number in these files is already 8 characters
    assert len(expected) == 14
    assert len(table.frame) == 349
    ind = compute_indicators(table, ["all", "year"])
    pairs = ind.pairs[ind.pairs["window"] == "all"]
    found = {
        (b.removeprefix("name:"), s): n
        for b, s, n in pairs[pairs["n_processes"] >= 2][
            ["buyer", "supplier", "n_processes"]
        ].itertuples(index=False)
    }
    assert found == expected
    # suppliers keep their identifier keys; none fell back to a name
    assert table.frame["supplier"].str.match(r"^GB-(COH|CQC)-").all()
    # indicators exist for every level, and multi-supplier ceilings are out of revenue
    assert {"2019", "2020"} <= set(ind.suppliers["window"])
    assert (table.frame.loc[~table.frame["in_revenue"], "excluded"] != "").all()
    revenue = table.frame[table.frame["in_revenue"]]
    assert (revenue["n_suppliers"] == 1).sum() + revenue["multi_supplier"].sum() == len(revenue)
    assert ind.buyers["hhi"].dropna().between(0, 1).all()


def test_360giving_file_imports_with_its_783_grants_and_repeat_recipients() -> None:
    grants = json.loads(GRANTS.read_text(encoding="utf-8"))["grants"]
    per_recipient = Counter(g["recipientOrganization"][0]["id"] for g in grants)
    repeat = {r for r, n in per_recipient.items() if n >= 2}
    table = read_records([GRANTS])
    assert len(table) == len(grants) == 783
    assert table.frame["process"].nunique() == 783
    s = compute_indicators(table, ["all"]).suppliers
    ours = set(s.loc[s["n_awards"] >= 2, "supplier"])
    assert ours == repeat
    assert len(ours) == 176
    total = sum(g["amountAwarded"] for g in grants)
    assert_allclose(s["value"].sum(), total)
    buyers = compute_indicators(table, ["all"]).buyers
    assert_allclose(
        buyers["open_call_share"].iloc[0],
        sum(g["fromOpenCall"] == "Yes" for g in grants) / len(grants),
    )


def test_fictional_example_compiles_to_one_process_with_its_transactions() -> None:
    table = read_records([FICTIONAL])
    frame = table.frame
    assert frame["process"].nunique() == 1
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["process"] == "ocds-213czf-000-00001"
    assert row["supplier_name"] == "AnyCorp Cycle Provision"
    assert row["value"] == 11_000_000
    assert row["currency"] == "GBP"
    assert row["n_transactions"] == 2
    assert row["paid"] == 60_000
    assert row["method"] == "open"
    assert table.log.read["duplicate releases (identical, counted once)"] == 6


@pytest.fixture(scope="module")
def records_case() -> dict[str, object]:
    return tomllib.loads((RECORDS_CASE / "case.toml").read_text(encoding="utf-8"))


def test_chinese_csv_example_feeds_the_case_economic_inputs(
    records_case: dict[str, object],
) -> None:
    [link] = records_case["records"]  # type: ignore[misc]
    inputs = economic_inputs([RECORDS_CASE / link["path"]], link["actors"])
    got = {(h.dependent, h.provider, h.dimension): h.value for h in inputs}
    assert_allclose(got[("agency", "street", "importance")], 2_600_000 / 3_670_000)


def test_chinese_csv_example_analysed_as_a_case_uses_the_records() -> None:
    """Through the public analysis API: the hard data overrides the coded estimates."""
    import resdep

    case = resdep.load_case(RECORDS_CASE)
    analysis = resdep.analyze(case, draws=100, seed=1)
    inputs = analysis.inputs.set_index(["dependent", "provider", "resource", "stage"])
    for stage in ("contracting", "closing"):
        row = inputs.loc[("agency", "street", "economic", stage)]
        assert_allclose(row["importance"], 2_600_000 / 3_670_000)
        assert_allclose(row["alternatives"], 1_070_000 / 3_670_000)
    origins = analysis.input_origins
    assert set(origins["dimension"]) == {"importance", "alternatives"}
    assert origins["basis"].str.contains("purchases.csv").all()
