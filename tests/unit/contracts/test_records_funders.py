"""Public funders told apart by org-id prefix (issue 12, item 9)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from records_builders import SHARED_DATA

from resdep.contracts import compute_indicators, economic_inputs, read_records
from resdep.contracts.funders import sector
from resdep.contracts.summary import render_summary


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("GB-GOR-PB189", "public"),
        ("GB-LAE-RCC", "public"),
        ("GB-LAS-ABE", "public"),
        ("GB-LANI-BEL", "public"),
        ("GB-PLA-W06000015", "public"),
        ("GB-NHS-RRK", "public"),
        ("CN-USCC-11310112MB2F000037", "public"),  # first character 1: 机构编制 (机关)
        ("CN-USCC-52310112MJ00000116", "other"),  # 5: 民政 (social organisations)
        ("CN-USCC-91110000802100433B", "other"),  # 9: 工商 (companies)
        ("GB-CHC-1126147", "other"),
        ("GB-COH-03352929", "other"),
        ("name:someshire council", "undetermined"),  # a name is not evidence
        ("360G-ABCT-0065I000005BoDG", "undetermined"),
        ("XM-DAC-41114", "undetermined"),
    ],
)
def test_sector_by_prefix(key: str, expected: str) -> None:
    assert sector(key) == expected


def _grant(gid: str, funder: tuple[str, str], amount: float) -> dict[str, Any]:
    return {
        "id": gid,
        "title": "t",
        "description": "d",
        "currency": "GBP",
        "amountAwarded": amount,
        "awardDate": "2021-04-01",
        "recipientOrganization": [{"id": "GB-CHC-1000001", "name": "Youth Club"}],
        "fundingOrganization": [{"id": funder[0], "name": funder[1]}],
    }


def test_grant_income_is_split_into_public_other_and_undetermined(tmp_path: Path) -> None:
    grants = [
        _grant("360G-a-1", ("GB-LAE-RCC", "Council"), 6000),
        _grant("360G-a-2", ("GB-CHC-2000002", "A Foundation"), 3000),
        _grant("360G-a-3", ("360G-XYZ", "A Funder"), 1000),
    ]
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"grants": grants}), encoding="utf-8")
    table = read_records([path])
    assert list(table.frame["buyer_sector"]) == ["public", "other", "undetermined"]
    ind = compute_indicators(table, ["all"])
    s = ind.suppliers.iloc[0]
    # by hand: V_s = 10,000 = 6,000 public + 3,000 other + 1,000 undetermined
    assert (s["value"], s["value_public"], s["value_other"], s["value_undetermined"]) == (
        10_000,
        6_000,
        3_000,
        1_000,
    )
    page = render_summary(table, ind)
    assert "GBP: public 6,000, other 3,000, undetermined 1,000" in page
    # D_sb keeps every recorded funder in V_s: 6,000 / 10,000; the basis says so
    inputs = economic_inputs([path], {"council": "GB-LAE-RCC", "club": "GB-CHC-1000001"})
    imp = next(h for h in inputs if h.dimension == "importance")
    assert imp.value == pytest.approx(0.6)
    assert "revenue in the records (public GBP 6,000, other GBP 3,000" in imp.basis


def test_shared_360giving_file_names_its_funders_sector() -> None:
    table = read_records([SHARED_DATA / "360giving" / "ab-charitable-trust-grants.json"])
    counts = table.frame["buyer_sector"].value_counts().to_dict()
    # a charitable trust's own 783 grants: its funder id is a charity number (GB-CHC-1000147)
    assert counts == {"other": 783}


def test_buyers_behind_d_sb_are_counted_apart_from_all_buyers() -> None:
    from records_builders import EXAMPLE_CSV

    table = read_records([EXAMPLE_CSV])
    ind = compute_indicators(table, ["all"])
    sup = ind.suppliers
    s = sup[sup["supplier"] == table.orgs.find("阳光社会工作服务中心")].iloc[0]
    # by hand: 阳光 won from 青石 (QS-2019-02, 2021-02, 2023-02) and the bureau (MZ-2021-01
    # valued, MZ-2022-01 a framework ceiling): both buyers paid, so 2 and 2
    assert (s["n_buyers"], s["n_buyers_valued"]) == (2, 2)
    s = sup[sup["supplier"] == table.orgs.find("乐群社工服务社")].iloc[0]
    # 乐群: 柳岸 paid (LA-2019-01, 2020-01, 2022-02); the bureau only in the MZ-2022-01 framework
    assert (s["n_buyers"], s["n_buyers_valued"]) == (2, 1)
    assert "paying buyers" in render_summary(table, ind)
