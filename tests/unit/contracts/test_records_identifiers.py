"""Identifier normalisation and the GB 32100-2015 check character (issue 12, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from records_builders import award_release, package

from resdep.contracts import compute_indicators, read_records
from resdep.contracts.identifiers import (
    USCC_ALPHABET,
    normalise_identifier,
    uscc_check_character,
    uscc_problem,
)
from resdep.contracts.orgs import OrgRef


def test_check_character_by_hand() -> None:
    # 17 characters "1" followed by sixteen "0": value(1) · w1 = 1 · 1 = 1;
    # C18 = 31 − (1 mod 31) = 30 → USCC_ALPHABET[30] = "Y"
    assert uscc_check_character("1" + "0" * 16) == "Y"
    # "0" * 16 + "1": w17 = 3^16 mod 31 = 28 (3^5 = 243 ≡ 26, 3^10 ≡ 26² = 676 ≡ 25,
    # 3^15 ≡ 25·26 = 650 ≡ 30, 3^16 ≡ 90 ≡ 28); C18 = 31 − 28 = 3 → "3"
    assert uscc_check_character("0" * 16 + "1") == "3"
    # all zeros: the sum is 0, 31 − 0 = 31, written as 0
    assert uscc_check_character("0" * 17) == "0"


def test_constructed_codes_valid_and_invalid() -> None:
    # a 机关 (registration authority 1, type 1), region 310112, organisation code MB2F0000-1
    body = "11310112MB2F00001"
    valid = body + uscc_check_character(body)
    assert uscc_problem(valid) is None
    for wrong in (c for c in USCC_ALPHABET if c != valid[-1]):
        assert "check character" in (uscc_problem(body + wrong) or "")
    assert "not 18" in (uscc_problem(valid[:-1]) or "")
    assert "alphabet" in (uscc_problem(body[:-1] + "O" + valid[-1]) or "")


def test_every_single_character_error_is_caught() -> None:
    """The check character catches any one wrong character (31 is prime, weights non-zero)."""
    body = "52310112MJ0000011"
    code = body + uscc_check_character(body)
    for i in range(17):
        for c in USCC_ALPHABET:
            if c != code[i]:
                changed = code[:i] + c + code[i + 1 :]
                assert uscc_problem(changed) is not None


@pytest.mark.parametrize(
    ("scheme", "raw", "expected"),
    [
        ("GB-COH", "3352929", "03352929"),
        ("GB-COH", "03352929", "03352929"),
        ("GB-COH", " 0335 2929 ", "03352929"),
        ("gb-coh", "sc12345", "SC012345"),
        ("GB-COH", "OC301540", "OC301540"),
        ("GB-CHC", "0212345", "212345"),
        ("GB-CHC", "1126147-1", "1126147-1"),
        ("CN-USCC", "52310112mj00000116", "52310112MJ00000116"),
        ("GB-CQC", "1-537835057", "1-537835057"),
    ],
)
def test_normalise_identifier(scheme: str, raw: str, expected: str) -> None:
    assert normalise_identifier(scheme, raw) == expected


def test_keys_agree_however_the_number_is_written() -> None:
    a = OrgRef(scheme="GB-COH", id="3352929").key
    b = OrgRef.parse_qualified("GB-COH-03352929").key
    assert a == b == "GB-COH-03352929"
    # names are matched as before: no identifier rule touches them
    assert OrgRef(name="Care & Co Ltd").key == "name:carecoltd"


def test_a_recurring_pair_across_unpadded_and_padded_numbers(tmp_path: Path) -> None:
    buyer = ("GB-LAE-RCC", "Council")
    first = award_release(
        "ocds-b5fd17-1",
        buyer=buyer,
        suppliers=[("GB-COH-3352929", "Care Ltd")],
        amount=10,
        date="2019-01-10T00:00:00Z",
    )
    second = award_release(
        "ocds-b5fd17-2", buyer=buyer, suppliers=[("GB-COH-03352929", "CARE LIMITED")], amount=20,
        date="2020-01-10T00:00:00Z",
    )  # fmt: skip
    path = tmp_path / "p.json"
    path.write_text(json.dumps(package(first, second)), encoding="utf-8")
    table = read_records([path])
    assert set(table.frame["supplier"]) == {"GB-COH-03352929"}
    pairs = compute_indicators(table, ["all"]).pairs
    assert int(pairs["n_processes"].iloc[0]) == 2
    assert int(pairs["repeat_awards"].iloc[0]) == 1


def test_an_invalid_uscc_is_reported_once_and_kept(tmp_path: Path) -> None:
    body = "52310112MJ0000011"
    good = body + uscc_check_character(body)
    bad = body + ("0" if good[-1] != "0" else "1")
    path = tmp_path / "x.csv"
    path.write_text(
        "ocid,buyer/name,awards/value/amount,awards/value/currency,awards/suppliers/name,"
        "awards/suppliers/identifier/id\n"
        f"P1,街道,100,CNY,社,CN-USCC-{bad}\nP2,街道,100,CNY,社,CN-USCC-{bad}\n"
        f"P3,街道,100,CNY,另一社,CN-USCC-{good}\n",
        encoding="utf-8",
    )
    table = read_records([path])
    hits = [i for i in table.log.issues if "not a valid unified social credit code" in i.message]
    assert len(hits) == 1
    assert hits[0].place == "row 2"
    assert bad in hits[0].message
    assert f"CN-USCC-{bad}" in set(table.frame["supplier"])
