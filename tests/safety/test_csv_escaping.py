"""Issue 11, formula injection: no CSV resdep writes holds a text cell a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first), unless ``--raw-csv``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from safety_helpers import run

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def formula_cells(folder: Path) -> list[tuple[str, int, str]]:
    """Every cell of every CSV under ``folder`` that a spreadsheet would run."""
    found = []
    for path in sorted(folder.rglob("*.csv")):
        text = path.read_text(encoding="utf-8")
        for line, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            for cell in row:
                if cell.startswith(PREFIXES) and not _is_number(cell):
                    found.append((path.name, line, cell[:40]))
    return found


def test_contracts_import_of_the_shared_records_writes_no_formula_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted((SHARED / "ocds" / "contracts-finder-social-care").glob("*.json"))
    files += sorted((SHARED / "360giving").glob("*.json"))
    assert files
    # and a hand-made list as an attacker would type it (the issue found 1,183 such cells)
    hostile = tmp_path / "hostile.csv"
    hostile.write_text(
        "ocid,tender/title,buyer/name,awards/id,awards/value/amount,awards/value/currency,"
        "awards/suppliers/name\n"
        'ocds-x-1,"=HYPERLINK(""http://evil"",""click"")",@SUM(A1),a1,1000,GBP,+cmd|calc\n'
        "ocds-x-2,-2+3,=1+1,a2,2000,GBP,-agency\n",
        encoding="utf-8",
    )
    names = [str(f) for f in files] + [str(hostile)]
    raw_out, safe_out = tmp_path / "raw", tmp_path / "safe"
    status, err = run(
        ["contracts", "import", *names, "--out", str(raw_out), "--quiet", "--raw-csv"], capsys
    )
    assert status == 0, err
    status, err = run(["contracts", "import", *names, "--out", str(safe_out), "--quiet"], capsys)
    assert status == 0, err
    assert len(formula_cells(raw_out)) >= 5  # --raw-csv writes them as they are
    assert not any(cell.startswith("'") for _, _, cell in formula_cells(raw_out))
    assert formula_cells(safe_out) == []
    # escaped, not dropped: the same number of rows in every table
    for path in safe_out.glob("*.csv"):
        assert len(path.read_text(encoding="utf-8").splitlines()) == len(
            (raw_out / path.name).read_text(encoding="utf-8").splitlines()
        )


def test_analyze_writes_no_formula_cell(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # actor ids may begin with "-": a spreadsheet reads "-agency" as a formula
    for name, old, new in (
        ("case.toml", '"agency"', '"-agency"'),
        ("codings.csv", ",agency,", ",-agency,"),
    ):
        text = (tiny_case / name).read_text(encoding="utf-8")
        (tiny_case / name).write_text(text.replace(old, new), encoding="utf-8")
    raw_out, safe_out = tmp_path / "raw", tmp_path / "safe"
    status, err = run(["analyze", str(tiny_case), "--out", str(raw_out), "--raw-csv"], capsys)
    assert status == 0, err
    status, err = run(["analyze", str(tiny_case), "--out", str(safe_out)], capsys)
    assert status == 0, err
    assert formula_cells(raw_out), "the case should put formula-like text into some table"
    assert formula_cells(safe_out) == []
    # numbers stay numbers: negative power asymmetries are written as they are
    stages = (safe_out / "stages.csv").read_text(encoding="utf-8")
    assert ",-0." in stages or ",-1" in stages
