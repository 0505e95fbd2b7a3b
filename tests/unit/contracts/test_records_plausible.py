"""Implausible amounts and ratios above 1 (issue 12, item 8)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from records_builders import EXAMPLE_CSV, award_release, package

from resdep.cli import main
from resdep.contracts import compute_indicators, economic_inputs, read_records
from resdep.contracts.table import AMOUNT_CEILING, MEDIAN_MULTIPLE

ACTORS = {"street": "青石街道办事处", "agency": "新桥社会工作服务社"}


def _edit(tmp_path: Path, ocid: str, amount: str) -> Path:
    with EXAMPLE_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("awards/value/amount")
    for row in rows[1:]:
        if row[0] == ocid:
            row[col] = amount
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_9999_yi_is_above_the_ceiling_and_kept_out(tmp_path: Path) -> None:
    path = _edit(tmp_path, "LA-2021-01", "9999亿")
    table = read_records([path])
    row = table.frame.query("process == 'LA-2021-01'").iloc[0]
    assert row["value"] == pytest.approx(9.999e11)
    assert row["excluded"] == "implausible"
    assert table.log.flagged["amounts above the ceiling (kept out of sums)"] == 1
    assert any(
        "plausibility ceiling" in i.message and i.place == row["place"] for i in table.log.issues
    )
    # by hand: without LA-2021-01 (300,000) the agency's revenue is 3,370,000: D = 2.6/3.37
    d = next(h.value for h in economic_inputs([path], ACTORS) if h.dimension == "importance")
    assert d == pytest.approx(2_600_000 / 3_370_000)


def test_an_ocds_amount_of_1e15_is_kept_out(tmp_path: Path) -> None:
    rel = award_release(
        "ocds-x-1", buyer=("GB-GOR-B", "B"), suppliers=[("GB-CHC-1", "S")], amount=1e15
    )
    path = tmp_path / "p.json"
    path.write_text(json.dumps(package(rel)), encoding="utf-8")
    table = read_records([path])
    assert list(table.frame["excluded"]) == ["implausible"]
    assert AMOUNT_CEILING < 1e15


def test_an_amount_far_above_the_buyer_median_is_flagged_but_kept(tmp_path: Path) -> None:
    # 青石's eight awards with QS-2023-01 set to 80,000,000, sorted (thousands): 200, 210,
    # 220, 480, 500, 520, 540, 80,000 -> median (480k + 500k) / 2 = 490k;
    # 80,000,000 / 490,000 = 163 > 100
    path = _edit(tmp_path, "QS-2023-01", "80000000")
    table = read_records([path])
    row = table.frame.query("process == 'QS-2023-01'").iloc[0]
    assert row["in_revenue"]
    assert table.log.flagged["amounts far above their buyer's median (kept)"] == 1
    hit = next(i for i in table.log.issues if "median" in i.message)
    assert "163 times" in hit.message
    assert "490,000" in hit.message
    assert MEDIAN_MULTIPLE < 80_000_000 / 490_000


def test_ordinary_amounts_are_not_flagged() -> None:
    table = read_records([EXAMPLE_CSV])
    assert not table.log.flagged


def test_income_below_public_revenue_is_refused_with_a_warning(tmp_path: Path) -> None:
    table = read_records([EXAMPLE_CSV])
    key = table.orgs.find("新桥社会工作服务社")
    assert key is not None
    # by hand: the agency's observed CNY revenue over all years is 3,670,000; an income of
    # 1,000,000 would give a public share of 3.67 and D*_sb of 2.6
    ind = compute_indicators(table, ["all"], income={("all", "CNY", key): 1_000_000.0})
    sup = ind.suppliers.query("supplier == @key").iloc[0]
    assert sup["income"] != sup["income"]  # NaN: refused, not clipped
    assert (ind.pairs["dependence_on_income"].dropna() <= 1).all()
    assert any("is below the observed public revenue" in i.message for i in table.log.issues)
    ok = compute_indicators(table, ["all"], income={("all", "CNY", key): 7_340_000.0})
    assert ok.suppliers.query("supplier == @key").iloc[0][
        "public_share_of_income"
    ] == pytest.approx(0.5)


def test_cli_run_json_counts_flags(tmp_path: Path) -> None:
    path = _edit(tmp_path, "LA-2021-01", "9999亿")
    out = tmp_path / "out"
    assert main(["contracts", "import", str(path), "--out", str(out), "--quiet"]) == 0
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["flagged"] == {"amounts above the ceiling (kept out of sums)": 1}
    assert run["excluded_from_sums"]["implausible"] == 1
    assert "flagged 1 amounts above the ceiling" in (out / "summary.html").read_text(
        encoding="utf-8"
    )
