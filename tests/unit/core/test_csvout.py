"""CSV outputs are safe to open in a spreadsheet: formula-like text cells are escaped."""

from __future__ import annotations

import csv

import pandas as pd

from resdep.csvout import write_csv


def test_formula_cells_escaped_numbers_kept(tmp_path):
    frame = pd.DataFrame(
        {
            "text": ["=1+1", "+cmd", "-x", "@SUM(A1)", "\tx", "\rx", "plain", "街道"],
            "value": [-0.5, 1.0, -2.0, 0.0, 3.0, -1.0, 2.0, 0.25],
        }
    )
    out = tmp_path / "t.csv"
    write_csv(frame, out)
    with out.open(encoding="utf-8", newline="") as fh:
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
    assert [float(r["value"]) for r in rows] == frame["value"].tolist()
    assert frame["text"].iloc[0] == "=1+1"  # the caller's frame is not changed


def test_raw_writes_cells_unchanged(tmp_path):
    out = tmp_path / "t.csv"
    write_csv(pd.DataFrame({"text": ["=1+1"]}), out, raw=True)
    assert out.read_text(encoding="utf-8").splitlines()[1] == "=1+1"
