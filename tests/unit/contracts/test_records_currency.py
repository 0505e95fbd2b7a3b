"""Currencies never dropped or mixed without a word (issue 12, items 3 and 10)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from records_builders import EXAMPLE_CASE, EXAMPLE_CSV, award_release, package

import resdep
from resdep.cli import main
from resdep.contracts import economic_inputs, read_records
from resdep.contracts.currency import convert, read_rates
from resdep.errors import RecordsFormatError

ACTORS = {"street": "青石街道办事处", "agency": "新桥社会工作服务社"}


def _edit(tmp_path: Path, edits: dict[tuple[str, str], str]) -> Path:
    """The example CSV with cells changed: (ocid, column) -> text."""
    with EXAMPLE_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for row in rows[1:]:
        for (ocid, column), text in edits.items():
            if row[0] == ocid:
                row[header.index(column)] = text
    path = tmp_path / "purchases.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _d(inputs: list[resdep.contracts.HardInput]) -> float:
    return next(h.value for h in inputs if (h.provider, h.dimension) == ("street", "importance"))


def test_blank_currency_is_reported_and_kept_out_of_every_sum(tmp_path: Path) -> None:
    path = _edit(
        tmp_path,
        {("LA-2021-01", "awards/value/currency"): "", ("MZ-2020-01", "awards/value/currency"): ""},
    )
    table = read_records([path])
    frame = table.frame
    blank = frame[frame["process"].isin(["LA-2021-01", "MZ-2020-01"])]
    assert list(blank["excluded"]) == ["no_currency", "no_currency"]
    assert not blank["in_revenue"].any()
    messages = [i.message for i in table.log.issues if i.place in set(blank["place"])]
    assert sum("no currency" in m for m in messages) == 2
    # by hand: the agency's CNY revenue without those two rows is 3,670,000 − 300,000 −
    # 250,000 = 3,120,000, of which 2,600,000 from 青石: D = 0.8333; the inputs say so
    inputs = economic_inputs([path], ACTORS)
    assert _d(inputs) == pytest.approx(2_600_000 / 3_120_000)
    assert "2 award(s) with a missing or contradictory currency left out" in inputs[0].basis


def test_a_dollar_amount_with_currency_cny_is_a_conflict(tmp_path: Path) -> None:
    path = _edit(tmp_path, {("LA-2021-01", "awards/value/amount"): "$5,000"})
    table = read_records([path])
    row = table.frame[table.frame["process"] == "LA-2021-01"].iloc[0]
    assert row["excluded"] == "currency_conflict"
    assert not row["in_revenue"]
    assert any(
        "'$5,000'" in i.message and "CNY" in i.message and i.place == row["place"]
        for i in table.log.issues
    )


def test_yuan_signs_agree_with_cny(tmp_path: Path) -> None:
    path = _edit(tmp_path, {("LA-2021-01", "awards/value/amount"): "¥30万"})
    row = read_records([path]).frame.query("process == 'LA-2021-01'").iloc[0]
    assert row["excluded"] == ""
    assert row["supplier_value"] == 300_000


def test_ocds_award_without_currency_is_reported(write_json) -> None:  # type: ignore[no-untyped-def]
    release = award_release(
        "ocds-x-1", buyer=("GB-GOR-B1", "Dept"), suppliers=[("GB-CHC-1", "S")], amount=100.0
    )
    release["awards"][0]["value"].pop("currency")
    doc = package(release)
    table = read_records([write_json("p.json", doc)])
    assert list(table.frame["excluded"]) == ["no_currency"]
    assert any("no currency" in i.message for i in table.log.issues)


def test_main_currency_is_by_number_of_awards_not_by_amount(tmp_path: Path) -> None:
    # the agency has five CNY awards from 青石 and three CNY awards elsewhere; add one huge
    # USD award: comparing raw amounts would make USD the main currency
    path = _edit(
        tmp_path,
        {
            ("MZ-2023-01", "awards/value/currency"): "USD",
            ("MZ-2023-01", "awards/value/amount"): "90000000",
        },
    )
    inputs = economic_inputs([path], ACTORS)
    # by hand: CNY revenue 3,670,000 − 200,000 = 3,470,000; D = 2,600,000 / 3,470,000
    assert _d(inputs) == pytest.approx(2_600_000 / 3_470_000)
    assert "CNY" in inputs[0].basis
    assert "1 valued award(s) in other currencies (USD) not summed" in inputs[0].basis
    # named by the user: USD holds no award from 青石, so D = 0 in USD
    usd = economic_inputs([path], ACTORS, currency="usd")
    assert _d(usd) == 0.0


def test_rates_convert_explicitly(tmp_path: Path) -> None:
    path = _edit(
        tmp_path,
        {
            ("MZ-2023-01", "awards/value/currency"): "USD",
            ("MZ-2023-01", "awards/value/amount"): "30000",
        },
    )
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,year,rate\nUSD,2023,7.0\n", encoding="utf-8")
    inputs = economic_inputs([path], ACTORS, currency="CNY", rates=rates)
    # by hand: 30,000 USD × 7.0 = 210,000 CNY; V_s = 3,470,000 + 210,000 = 3,680,000
    assert _d(inputs) == pytest.approx(2_600_000 / 3_680_000)
    table = convert(read_records([path]), read_rates(rates), "CNY")
    assert any("converted to CNY at 7" in i.message for i in table.log.issues)


def test_rows_without_a_rate_stay_apart_and_are_reported(tmp_path: Path) -> None:
    path = _edit(tmp_path, {("MZ-2023-01", "awards/value/currency"): "USD"})
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,year,rate\nUSD,2019,7.0\n", encoding="utf-8")
    table = convert(read_records([path]), read_rates(rates), "CNY")
    assert table.frame.query("process == 'MZ-2023-01'")["currency"].iloc[0] == "USD"
    assert any("no rate for that currency and year" in i.message for i in table.log.issues)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency,rate\nUSD,7\n", "needs the columns"),
        ("currency,year,rate\nUSD,2021,-1\n", "not a positive number"),
        ("currency,year,rate\nUS,2021,7\n", "not an ISO 4217 code"),
        ("currency,year,rate\nUSD,21,7\n", "four-digit year"),
        ("currency,year,rate\nUSD,2021,7\nUSD,2021,8\n", "two rates"),
    ],
)
def test_bad_rates_files(tmp_path: Path, text: str, message: str) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(text, encoding="utf-8")
    with pytest.raises(RecordsFormatError, match=message) as info:
        read_rates(rates)
    assert "rates.csv" in str(info.value)


def test_analyze_counts_currency_exclusions_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case"
    shutil.copytree(EXAMPLE_CASE, case)
    edited = _edit(tmp_path, {("LA-2021-01", "awards/value/currency"): ""})
    shutil.copy(edited, case / "records" / "purchases.csv")
    out = tmp_path / "out"
    assert main(["analyze", str(case), "--out", str(out), "--draws", "20"]) == 0
    err = capsys.readouterr().err
    assert "1 no_currency" in err
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["records_import"]["excluded_from_sums"]["no_currency"] == 1
    log = pd.read_csv(out / "records-log.csv", dtype=str, keep_default_na=False)
    assert log.message.str.contains("no currency").sum() == 1
    assert "1 no_currency" in (out / "report.html").read_text(encoding="utf-8")


def test_case_toml_names_the_main_currency(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(EXAMPLE_CASE, case)
    toml = case / "case.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(
        text.replace(
            'path = "records/purchases.csv"', 'path = "records/purchases.csv"\ncurrency = "usd"'
        ),
        encoding="utf-8",
    )
    # USD holds none of the agency's revenue: no input from records, and the log says so
    loaded = resdep.loading.load(case)
    assert loaded.case.hard_inputs == ()
    assert loaded.records is not None
    assert any("no valued award in USD" in i.message for i in loaded.records.table.log.issues)
    toml.write_text(
        text.replace(
            'path = "records/purchases.csv"', 'path = "records/purchases.csv"\nrates = "r.csv"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(resdep.InputError, match="needs the currency"):
        resdep.load_case(case)


def test_template_in_chinese_reads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contracts", "template", "--lang", "zh"]) == 0
    header = capsys.readouterr().out.strip()
    assert header.startswith("项目编号,项目名称,采购人,")
    path = tmp_path / "zh.csv"
    path.write_text(
        header + "\nP1,t,某街道办事处,,,,,,,,2021-01-01,100,CNY,某社工服务社\n", encoding="utf-8"
    )
    frame = read_records([path]).frame
    assert list(frame["supplier_value"]) == [100.0]


@pytest.mark.parametrize(
    ("spec", "fix"),
    [("2021:2020", "2020-01-01:2021-12-31"), ("2021-12-31:2021-01-01", "2021-01-01:2021-12-31")],
)
def test_reversed_windows_get_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: str, fix: str
) -> None:
    out = tmp_path / "o"
    assert (
        main(["contracts", "import", str(EXAMPLE_CSV), "--out", str(out), "--windows", spec]) == 2
    )
    err = capsys.readouterr().err
    assert "unknown window" not in err
    assert fix in err
    assert not out.exists()
