"""The CSV template, organisation matching, method codes and the award table's revenue rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from records_builders import EXAMPLE_CSV, award_release, package

from resdep.contracts import OrgRef, OrgResolver, method_code, normalise_name, read_records
from resdep.contracts.csvfile import COLUMNS
from resdep.errors import RecordsFormatError

WriteJson = Callable[[str, Any], Path]

CHINESE_HEADER = "项目编号,采购人,采购方式,成交日期,成交金额,币种,供应商,前序项目编号\n"


@pytest.mark.parametrize(
    ("term", "code"),
    [
        ("公开招标", "open"),
        ("邀请招标", "selective"),
        ("竞争性谈判", "limited"),
        ("竞争性磋商", "limited"),
        ("询价", "limited"),
        ("单一来源", "direct"),
        ("单一来源采购", "direct"),
        ("open", "open"),
        ("Direct", "direct"),
        ("其他", None),
    ],
)
def test_chinese_methods_map_to_ocds_codes(term: str, code: str | None) -> None:
    assert method_code(term) == code


def test_example_csv_keeps_the_original_method_term() -> None:
    frame = read_records([EXAMPLE_CSV]).frame
    pairs = set(zip(frame["method_detail"], frame["method"], strict=True))
    assert ("单一来源", "direct") in pairs
    assert ("公开招标", "open") in pairs
    assert ("竞争性磋商", "limited") in pairs
    assert ("邀请招标", "selective") in pairs


def test_example_csv_resolves_name_only_rows_to_identifiers() -> None:
    frame = read_records([EXAMPLE_CSV]).frame
    # rows 8 and 13 name the supplier without an identifier ("新桥 社会工作服务社" with a space)
    assert not frame["supplier"].str.startswith("name:").any()
    assert frame["supplier"].nunique() == 3
    assert frame["buyer"].nunique() == 3


def test_csv_with_chinese_headers_in_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "清单.csv"
    body = (
        CHINESE_HEADER
        + 'P1,甲街道办事处,单一来源,2021年3月1日,"1,200,000",CNY,乙社工服务社,\n'
        + "P2,甲街道办事处,公开招标,2022-03-01,35.5万,CNY,乙社工服务社,P1\n"
    )
    path.write_bytes(body.encode("gb18030"))
    frame = read_records([path]).frame
    assert list(frame["value"]) == [1_200_000.0, 355_000.0]
    assert list(frame["method"]) == ["direct", "open"]
    assert frame.loc[1, "related_prior"] == "P1"
    assert bool(frame.loc[1, "renewal"])
    assert not bool(frame.loc[1, "renewal_uncompeted"])


def test_csv_not_in_the_template_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(RecordsFormatError, match="not a resdep records CSV") as err:
        read_records([path])
    assert err.value.fix
    assert "template" in err.value.fix


def test_csv_rows_sharing_an_award_with_one_amount_are_a_shared_ceiling(tmp_path: Path) -> None:
    header = (
        ",".join(c for c, _, _ in COLUMNS[:2])
        + ",buyer/name,awards/id,awards/value/amount,awards/value/currency,"
        + "awards/suppliers/name,unknown\n"
    )
    path = tmp_path / "x.csv"
    path.write_text(
        header
        + "P,t,B,A1,100,CNY,S1,z\nP,t,B,A1,100,CNY,S2,z\n"
        + "Q,t,B,A2,70,CNY,S1,z\nQ,t,B,A2,30,CNY,S2,z\n",
        encoding="utf-8",
    )
    table = read_records([path])
    frame = table.frame
    assert list(frame["excluded"]) == ["multi_supplier", "multi_supplier", "", ""]
    assert list(frame["supplier_value"].fillna(-1)) == [-1, -1, 70, 30]
    assert any("columns ignored: unknown" in i.message for i in table.log.issues)


def test_names_fold_entities_case_punctuation_and_width() -> None:
    assert normalise_name("REDCAR &amp; CLEVELAND B.C.") == normalise_name("Redcar & Cleveland BC")
    assert normalise_name("某某（浦东）社工服务社") == normalise_name("某某(浦东) 社工服务社")


@given(st.text(min_size=1, max_size=30))
def test_name_folding_is_idempotent_and_ignores_case(name: str) -> None:
    once = normalise_name(name)
    assert normalise_name(once) == once
    assert normalise_name(name.upper()) == normalise_name(name.lower()) or not name.isascii()


def test_resolver_links_a_name_to_its_only_identifier_but_not_an_ambiguous_one() -> None:
    r = OrgResolver()
    r.add(OrgRef(scheme="GB-COH", id="1", name="Acme Ltd"))
    r.add(OrgRef(scheme="GB-COH", id="2", name="Same Name"))
    r.add(OrgRef(scheme="GB-CHC", id="3", name="Same Name"))
    # company numbers are zero-padded to 8 (resdep.contracts.identifiers)
    assert r.resolve(OrgRef(name="ACME LTD")) == "GB-COH-00000001"
    assert r.resolve(OrgRef(name="Same name")) == "name:samename"
    assert r.find("00000001") == "GB-COH-00000001"
    assert r.find("GB-COH-1") == "GB-COH-00000001"
    assert r.find("nobody") is None


def test_uk_data_quirks_local_ids_and_bidder_counts(write_json: WriteJson) -> None:
    """Local party ids differ per release; Contracts Finder's numberOfTenderers is dropped."""
    a = award_release(
        "ocds-b5fd17-1",
        buyer=("GB-SRS-x", "Council"),
        suppliers=[("GB-COH-9", "Care &amp; Co")],
        amount=10,
        bidders=1,
    )
    b = award_release(
        "ocds-b5fd17-2",
        buyer=("GB-SRS-x", "COUNCIL"),
        suppliers=[("GB-COH-9", "CARE & CO")],
        amount=20,
        bidders=1,
        date="2021-01-01T00:00:00Z",
    )
    frame = read_records([write_json("p.json", package(a, b))]).frame
    assert frame["supplier"].nunique() == 1
    assert frame["supplier_name"].iloc[0] in {"Care & Co", "CARE & CO"}
    assert frame["bidders"].isna().all()
    assert frame["single_bid"].isna().all()
    assert list(frame["repeat"]) == [False, True]


def test_multi_supplier_award_split_by_per_supplier_values(write_json: WriteJson) -> None:
    r = award_release(
        "ocds-1",
        buyer=("GB-LAC-1", "B"),
        suppliers=[("GB-COH-1", "S1"), ("GB-COH-2", "S2")],
        amount=100,
    )
    for party, share in zip(r["parties"][1:], (60, 40), strict=True):
        party["x_awardValue"] = {"amount": share, "currency": "GBP"}
    ceiling = award_release(
        "ocds-2",
        buyer=("GB-LAC-1", "B"),
        suppliers=[("GB-COH-1", "S1"), ("GB-COH-2", "S2")],
        amount=100,
    )
    frame = read_records([write_json("p.json", package(r, ceiling))]).frame
    assert list(frame["supplier_value"].fillna(-1)) == [60, 40, -1, -1]
    assert list(frame["excluded"]) == ["", "", "multi_supplier", "multi_supplier"]


def test_framework_agreements_are_flagged_and_kept_out_of_revenue(write_json: WriteJson) -> None:
    r = award_release("ocds-1", buyer=("GB-LAC-1", "B"), suppliers=[("GB-COH-1", "S1")], amount=9)
    r["tender"]["title"] = "Framework for home care"
    call_off = award_release(
        "ocds-2", buyer=("GB-LAC-1", "B"), suppliers=[("GB-COH-1", "S1")], amount=5
    )
    call_off["tender"]["procurementMethodDetails"] = "Call off from a Framework Agreement"
    frame = read_records([write_json("p.json", package(r, call_off))]).frame
    assert list(frame["framework"]) == [True, False]
    assert list(frame["in_revenue"]) == [False, True]
