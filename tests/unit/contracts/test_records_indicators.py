"""Indicators: hand-computed answers on a small table, and invariants on random tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from records_builders import EXAMPLE_CSV

from resdep.contracts import (
    Window,
    build_table,
    compute_indicators,
    parse_windows,
    read_income,
    read_records,
)
from resdep.contracts.awards import RawAward
from resdep.contracts.orgs import OrgRef
from resdep.errors import RecordsFormatError


def raw(
    buyer: str,
    supplier: str,
    value: float | None,
    *,
    process: str,
    when: date,
    method: str | None = "open",
    bidders: int | None = None,
    currency: str = "CNY",
    paid: float | None = None,
    prior: str = "",
) -> RawAward:
    return RawAward(
        source="t",
        place="",
        source_kind="csv",
        process=process,
        award=process,
        buyer=OrgRef(name=buyer),
        supplier=OrgRef(name=supplier),
        method=method,
        bidders=bidders,
        value=value,
        currency=currency,
        award_date=when,
        paid=paid,
        related_prior=prior,
    )


@pytest.fixture
def known() -> pd.DataFrame:
    """Two buyers (B1, B2), two suppliers (S1, S2); values chosen to give round shares."""
    rows = [
        raw("B1", "S1", 60, process="p1", when=date(2020, 3, 1), method="direct", paid=60),
        raw("B1", "S1", 20, process="p2", when=date(2021, 3, 1), method="open", bidders=1, paid=10),
        raw("B1", "S2", 20, process="p3", when=date(2021, 5, 1), method="open", bidders=3),
        raw("B2", "S1", 20, process="p4", when=date(2021, 6, 1), method="limited", bidders=2),
    ]
    return build_table(rows).frame


def test_known_answers_for_pairs(known: pd.DataFrame) -> None:
    p = compute_indicators(known, ["all"]).pairs.set_index(["buyer", "supplier"])
    b1s1 = p.loc[("name:b1", "name:s1")]
    # V_s1 = 100, V_b1 = 100, V_b1s1 = 80
    assert b1s1["value"] == 80
    assert_allclose(b1s1["dependence"], 0.8)
    assert_allclose(b1s1["reliance"], 0.8)
    assert_allclose(p.loc[("name:b2", "name:s1"), "dependence"], 0.2)
    assert_allclose(p.loc[("name:b2", "name:s1"), "reliance"], 1.0)
    assert_allclose(p.loc[("name:b2", "name:s1"), "power_advantage"], -0.8)
    assert_allclose(p.loc[("name:b2", "name:s1"), "mutual_dependence"], 0.6)
    assert b1s1["n_processes"] == 2
    assert b1s1["repeat_awards"] == 1
    # p2 renews p1 (repeat) and had one bidder: an uncompeted renewal
    assert b1s1["renewals_uncompeted"] == 1
    assert_allclose(b1s1["paid_to_awarded"], 70 / 80)
    assert_allclose(b1s1["tenure_years"], 365 / 365.25)


def test_known_answers_for_suppliers_and_buyers(known: pd.DataFrame) -> None:
    ind = compute_indicators(known, ["all"])
    s1 = ind.suppliers.set_index("supplier").loc["name:s1"]
    assert s1["value"] == 100
    assert s1["n_buyers"] == 2
    assert_allclose(s1["hhi"], 0.8**2 + 0.2**2)
    assert_allclose(s1["top_buyer_share"], 0.8)
    assert s1["top_buyer_name"] == "B1"
    assert_allclose(s1["non_open_share"], 2 / 3)
    assert_allclose(s1["single_bid_share"], 1 / 2)  # p1 direct: not applicable
    b1 = ind.buyers.set_index("buyer").loc["name:b1"]
    assert_allclose(b1["hhi"], 0.8**2 + 0.2**2)
    assert_allclose(b1["top_supplier_share"], 0.8)
    assert_allclose(b1["single_bid_share"], 1 / 2)
    assert_allclose(b1["non_open_share"], 1 / 3)
    assert_allclose(b1["repeat_share"], 1 / 3)


def test_year_windows_and_history(known: pd.DataFrame) -> None:
    ind = compute_indicators(known, ["year"])
    assert sorted(set(ind.pairs["window"])) == ["2020", "2021"]
    p21 = ind.pairs[(ind.pairs["window"] == "2021")].set_index(["buyer", "supplier"])
    # in 2021 only, V_s1 = 40: 20 from each buyer
    assert_allclose(p21.loc[("name:b1", "name:s1"), "dependence"], 0.5)
    # repeat looks back before the window
    assert p21.loc[("name:b1", "name:s1"), "repeat_awards"] == 1


def test_window_words() -> None:
    w = parse_windows(["2021-01-01:", ":2020-12-31"])
    assert w == [
        Window(label="2021-01-01:", start=date(2021, 1, 1)),
        Window(label=":2020-12-31", end=date(2020, 12, 31)),
    ]
    with pytest.raises(RecordsFormatError, match="unknown window"):
        parse_windows(["decade"])


def test_long_table_names_every_indicator_once_per_row(known: pd.DataFrame) -> None:
    long = compute_indicators(known, ["all"]).long()
    assert set(long["level"]) == {"pair", "supplier", "buyer"}
    assert not long.duplicated(
        ["level", "window", "currency", "buyer", "supplier", "indicator"]
    ).any()


def test_example_indicators_by_hand() -> None:
    """The Chinese example: 新桥 earns 2.60M of 3.67M CNY from 青石街道 (framework left out)."""
    ind = compute_indicators(read_records([EXAMPLE_CSV]), ["all"])
    s = ind.suppliers.set_index("supplier_name").loc["新桥社会工作服务社"]
    assert s["value"] == 3_670_000
    assert_allclose(s["top_buyer_share"], 2_600_000 / 3_670_000)
    p = ind.pairs.set_index(["buyer_name", "supplier_name"]).loc[
        ("青石街道办事处", "新桥社会工作服务社")
    ]
    assert p["n_processes"] == 5
    assert p["repeat_awards"] == 4
    # renewals: 2020 单一来源 (direct), 2021 竞争性磋商 (limited), 2022 单一来源 are non-open;
    # 2023 公开招标 with two bidders was competed
    assert p["renewals_uncompeted"] == 3


names = st.sampled_from(["a", "b", "c", "d"])
values = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(names, names, values, st.integers(2015, 2022), st.sampled_from(["CNY", "GBP"])),
        min_size=1,
        max_size=25,
    )
)
def test_shares_are_proportions_and_sum_to_one(
    rows: list[tuple[str, str, float, int, str]],
) -> None:
    table = build_table(
        [
            raw(f"B{b}", f"S{s}", v, process=f"p{i}", when=date(y, 6, 1), currency=c)
            for i, (b, s, v, y, c) in enumerate(rows)
        ]
    )
    ind = compute_indicators(table)
    for col in ("dependence", "reliance", "mutual_dependence", "power_imbalance"):
        x = ind.pairs[col].dropna()
        assert ((x >= -1e-12) & (x <= 1 + 1e-12)).all(), col
    sums = (
        ind.pairs.dropna(subset=["dependence"])
        .groupby(["window", "currency", "supplier"])["dependence"]
        .sum()
    )
    assert_allclose(sums, 1.0)
    for frame, n in ((ind.suppliers, "n_buyers"), (ind.buyers, "n_suppliers")):
        ok = frame.dropna(subset=["hhi"])
        assert ((ok["hhi"] <= 1 + 1e-12) & (ok["hhi"] >= 1 / ok[n] - 1e-12)).all()


def test_dependence_on_total_income(tmp_path: Path) -> None:
    table = read_records([EXAMPLE_CSV])
    path = tmp_path / "income.csv"
    path.write_text(
        "机构,年度,总收入,币种\n新桥社会工作服务社,all,7340000,CNY\n"
        "CN-USCC-52310112MJ0000022A,2021,1120000,CNY\n",
        encoding="utf-8",
    )
    income = read_income(path, table)
    ind = compute_indicators(table, ["all", "year"], income=income)
    s = ind.suppliers.set_index(["window", "supplier_name"])
    assert_allclose(s.loc[("all", "新桥社会工作服务社"), "public_share_of_income"], 0.5)
    assert_allclose(s.loc[("2021", "阳光社会工作服务中心"), "public_share_of_income"], 0.5)
    assert pd.isna(s.loc[("2021", "新桥社会工作服务社"), "income"])
    p = ind.pairs.set_index(["window", "buyer_name", "supplier_name"])
    assert_allclose(
        p.loc[("all", "青石街道办事处", "新桥社会工作服务社"), "dependence_on_income"],
        2_600_000 / 7_340_000,
    )
    path.write_text("organisation,window,amount\nNobody,all,5\n", encoding="utf-8")
    with pytest.raises(RecordsFormatError, match="not in the records"):
        read_income(path, table)
