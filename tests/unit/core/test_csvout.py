"""CSV outputs open cleanly in a spreadsheet: UTF-8 with BOM (unless RESDEP_CSV_BOM=0),
floats rounded to a documented precision, formula-like text cells escaped."""

from __future__ import annotations

import codecs
import csv
import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from resdep.csvout import (
    BOM_ENV,
    csv_bom,
    csv_bytes,
    encode_csv,
    format_float,
    to_csv_text,
    write_csv,
)
from resdep.errors import OutputPathError


@pytest.fixture(autouse=True)
def _bom_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BOM_ENV, raising=False)


def test_formula_cells_escaped_numbers_kept(tmp_path):
    frame = pd.DataFrame(
        {
            "text": ["=1+1", "+cmd", "-x", "@SUM(A1)", "\tx", "\rx", "plain", "街道"],
            "value": [-0.5, 1.0, -2.0, 0.0, 3.0, -1.0, 2.0, 0.25],
        }
    )
    out = tmp_path / "t.csv"
    write_csv(frame, out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["text"] for r in rows] == [
        "'=1+1",
        "'+cmd",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "plain",
        "街道",
    ]
    # these values have fewer than 6 decimals: rounding leaves them exactly as they were
    assert [float(r["value"]) for r in rows] == frame["value"].tolist()
    assert frame["text"].iloc[0] == "=1+1"  # the caller's frame is not changed


def test_raw_writes_cells_unchanged(tmp_path):
    out = tmp_path / "t.csv"
    write_csv(pd.DataFrame({"text": ["=1+1"]}), out, raw=True)
    assert out.read_text(encoding="utf-8-sig").splitlines()[1] == "=1+1"


# --- the byte-order mark ----------------------------------------------------------------


def test_bom_by_default_and_chinese_reads_back(tmp_path):
    out = tmp_path / "t.csv"
    write_csv(pd.DataFrame({"街道": ["江东区民政局"], "pa": [0.5]}), out)
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert data.count(codecs.BOM_UTF8) == 1  # once, at the start
    assert data[3:].decode("utf-8") == "街道,pa\n江东区民政局,0.5\n"
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert list(back.columns) == ["街道", "pa"]  # the BOM is not part of the first name


@pytest.mark.parametrize("value", ["0", "false", "NO", " off "])
def test_bom_off_by_environment(tmp_path, monkeypatch, value):
    monkeypatch.setenv(BOM_ENV, value)
    out = tmp_path / "t.csv"
    write_csv(pd.DataFrame({"街道": [1]}), out)
    assert out.read_bytes() == "街道\n1\n".encode()
    assert not csv_bom()


@pytest.mark.parametrize("value", ["", "1", "yes", "True", "on"])
def test_bom_on_by_environment(monkeypatch, value):
    monkeypatch.setenv(BOM_ENV, value)
    assert csv_bom()
    assert encode_csv("a\n") == b"\xef\xbb\xbfa\n"


def test_bad_bom_setting_is_an_input_error(monkeypatch):
    monkeypatch.setenv(BOM_ENV, "maybe")
    with pytest.raises(OutputPathError) as err:
        csv_bytes(pd.DataFrame({"a": [1]}))
    assert BOM_ENV in str(err.value)
    assert "Fix:" in str(err.value)


def test_to_csv_text_has_no_bom():
    # codings.csv (the case's input file) is written from this text as plain UTF-8
    assert not to_csv_text(pd.DataFrame({"a": ["街道"]})).startswith("\ufeff")


# --- floats -------------------------------------------------------------------------------


def test_float_known_answers():
    # by hand: 6 decimals, or more when fewer than 6 significant digits would remain
    assert format_float(0.1 + 0.2) == "0.3"  # 0.30000000000000004 -> 0.300000
    assert format_float(2 / 3) == "0.666667"  # 0.6666666... -> 6 decimals, last rounds up
    assert format_float(-0.4583333333) == "-0.458333"
    assert format_float(12.3456789) == "12.345679"  # 6 decimals (8 significant digits)
    assert format_float(1234567.891) == "1234567.891"  # money keeps its decimals
    assert format_float(3.0) == "3.0"
    # magnitude -7: 6 - 1 + 7 = 12 decimals = 6 significant digits
    assert format_float(1.23456789e-7) == "1.23457e-07"
    assert format_float(-1e-12) == "-1e-12"
    assert format_float(0.0) == format_float(-0.0) == "0.0"
    assert format_float(float("inf")) == "inf"


def test_frame_rounding_keeps_types_ids_and_missing_values():
    frame = pd.DataFrame(
        {
            "id": ["007", "1.23456789", "-5"],  # text that looks numeric stays as it is
            "n": [1, 2, 3],  # integers stay integers
            "p": [1 / 3, float("nan"), 0.125],
            "flag": [True, False, True],
        }
    )
    text = to_csv_text(frame)
    assert text.splitlines() == [
        "id,n,p,flag",
        "007,1,0.333333,True",
        "1.23456789,2,,False",
        "'-5,3,0.125,True",  # text beginning with "-" is escaped, as any formula-like text
    ]
    assert to_csv_text(frame, raw=True).splitlines()[1] == "007,1,0.3333333333333333,True"
    back = pd.read_csv(io.StringIO(text), dtype={"id": str})
    assert back["id"].tolist()[:2] == ["007", "1.23456789"]
    assert str(back["n"].dtype).startswith("int")
    assert math.isnan(back["p"].iloc[1])
    assert frame["p"].iloc[0] == 1 / 3  # the caller's frame is not changed


def test_nullable_float_column_with_missing_values():
    frame = pd.DataFrame({"x": pd.array([0.1234567, None], dtype="Float64"), "k": [1, 2]})
    assert to_csv_text(frame).splitlines()[1:] == ["0.123457,1", ",2"]


def _decimals(text: str) -> int:
    mantissa, _, exponent = text.partition("e")
    places = len(mantissa.partition(".")[2])
    return max(0, places - int(exponent or 0))


@example(67108864.7734375)  # a tie read back one ulp beyond 5e-7 (found by Hypothesis)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_rounding_error_bounds_and_idempotence(x):
    text = format_float(x)
    y = float(text)
    # the documented bounds: absolute error <= 5e-7 (at least 6 decimals) and relative
    # error <= 5e-6 (at least 6 significant digits), up to the floats' own rounding: the
    # written decimal is read back to the nearest float, up to one ulp of x away (x =
    # 67108864.7734375 is a tie at the 7th decimal: 5e-7 exactly, plus 6e-9 of reading)
    slack = 2 * math.ulp(x)
    assert abs(y - x) <= 5e-7 * (1 + 1e-9) + slack
    assert abs(y - x) <= 5e-6 * abs(x) * (1 + 1e-9) + slack
    assert format_float(y) == text  # rounding what was written changes nothing
    # never more decimals than needed: 6, or the 6th significant digit of a small value
    if x != 0:
        needed = max(6, 5 - math.floor(math.log10(abs(x))))
        assert _decimals(text) <= needed


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_bulk_rounding_is_pythons_round(x):
    # an independent statement of the rule: d decimals by Python's own round()
    from resdep.csvout import round_floats

    got = float(round_floats(np.array([x]))[0])
    if x == 0:
        assert repr(got) == "0.0"
        return
    d = max(6, 5 - math.floor(math.log10(abs(x))))
    if abs(math.log10(abs(x)) - round(math.log10(abs(x)))) < 1e-12:
        # next to a power of ten numpy's log10 may land on the other side: d differs by 1
        assert got in {round(x, d - 1) + 0.0, round(x, d) + 0.0, round(x, d + 1) + 0.0}
    else:
        assert got == round(x, d) + 0.0


def test_half_way_cases_round_as_python_does():
    from resdep.csvout import round_floats

    # written as k + 0.5 millionths; Python rounds the exact binary value (which lies a
    # little above or below the half, or exactly on it for 0.125 at 2 decimals' scale)
    values = [0.1234565, 0.1234575, 1.0000005, 2.0000025, 1234.5678905, 0.5000005, 0.4999995]
    values += [2.0**-21 * k for k in range(1, 40)]  # exact binary fractions, some exact halves
    got = round_floats(np.array(values)).tolist()
    assert got == [round(v, max(6, 5 - math.floor(math.log10(v)))) + 0.0 for v in values]
