"""Every CSV resdep reads accepts a UTF-8 byte-order mark (what Excel's "CSV UTF-8" writes),
and the BOM setting of the outputs is honoured end to end.

``codings.csv`` is the case's own input file: resdep writes it (``init``, the web
workbench, ``qda import``) as plain UTF-8 without a BOM, and reads it with or without one.
"""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest

from resdep.cli import main
from resdep.contracts.currency import read_rates
from resdep.csvout import BOM_ENV
from resdep.web.store import CaseStore, rows_of

REPO = Path(__file__).resolve().parents[3]
RECORDS_CASE = REPO / "examples" / "records-case"
BOM = codecs.BOM_UTF8


@pytest.fixture(autouse=True)
def _bom_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BOM_ENV, raising=False)


def _add_bom(path: Path) -> None:
    data = path.read_bytes()
    assert not data.startswith(BOM)
    path.write_bytes(BOM + data)


def _tables(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}


def test_codings_with_a_bom_analyse_as_without(tiny_case: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    assert main(["analyze", str(tiny_case), "--out", str(plain), "--no-report"]) == 0
    _add_bom(tiny_case / "codings.csv")
    marked = tmp_path / "marked"
    assert main(["analyze", str(tiny_case), "--out", str(marked), "--no-report"]) == 0
    tables = _tables(plain)
    assert set(tables) >= {"inputs.csv", "stages.csv", "relationships.csv", "diagnostics.csv"}
    assert _tables(marked) == tables
    # every output begins with one BOM (the default), and none is inside the text
    for name, data in tables.items():
        assert data.startswith(BOM), name
        assert BOM not in data[3:], name


def test_records_and_codings_with_a_bom(tmp_path: Path) -> None:
    case = tmp_path / "records-case"
    shutil.copytree(RECORDS_CASE, case)
    plain = tmp_path / "plain"
    assert main(["analyze", str(case), "--out", str(plain), "--no-report"]) == 0
    _add_bom(case / "records" / "purchases.csv")
    _add_bom(case / "codings.csv")
    marked = tmp_path / "marked"
    assert main(["analyze", str(case), "--out", str(marked), "--no-report"]) == 0
    assert _tables(marked) == _tables(plain)
    assert "records-log.csv" in _tables(plain)


def test_contracts_import_of_a_csv_with_a_bom(tmp_path: Path) -> None:
    src = tmp_path / "purchases.csv"
    shutil.copyfile(RECORDS_CASE / "records" / "purchases.csv", src)
    assert main(["contracts", "import", str(src), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    _add_bom(src)
    assert main(["contracts", "import", str(src), "--out", str(tmp_path / "b"), "--quiet"]) == 0
    a, b = _tables(tmp_path / "a"), _tables(tmp_path / "b")
    assert a.keys() == b.keys()
    assert "awards.csv" in a
    # the tables name the input file only by its path, which is the same
    assert a == b


def test_rates_file_with_a_bom(tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_bytes(BOM + "币种,年度,汇率\nUSD,2021,6.45\n".encode())
    assert read_rates(rates) == {("USD", 2021): 6.45}


def test_the_records_template_a_user_fills_in_excel_has_a_bom(tmp_path: Path) -> None:
    target = tmp_path / "采购清单.csv"
    assert main(["contracts", "template", "--lang", "zh", "--out", str(target)]) == 0
    data = target.read_bytes()
    assert data.startswith(BOM)
    # filled in and read back: the header is recognised despite the BOM
    header = data[3:].decode("utf-8").strip()
    assert not header.startswith("\ufeff")
    assert "," in header


def test_web_store_reads_a_bom_and_writes_codings_without_one(tiny_case: Path) -> None:
    path = tiny_case / "codings.csv"
    plain_rows = rows_of(path.read_bytes(), file=path)
    _add_bom(path)
    assert rows_of(path.read_bytes(), file=path) == plain_rows
    store = CaseStore(tiny_case)
    assert len(store.load().codings) == len(plain_rows)
    rows = store.row_list()
    store.write(rows, expected=store.revision())
    # codings.csv is an input file: written back as plain UTF-8, the same rows (the store
    # writes every column it knows, so compare the cells that hold something)
    assert not path.read_bytes().startswith(BOM)
    assert _filled(rows_of(path.read_bytes(), file=path)) == _filled(plain_rows)


def _filled(rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int, dict[str, str]]]:
    return [(n, {k: v for k, v in r.items() if v}) for n, r in rows]


def test_bom_off_by_environment_for_a_whole_command(
    tiny_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BOM_ENV, "0")
    out = tmp_path / "out"
    assert main(["analyze", str(tiny_case), "--out", str(out), "--no-report"]) == 0
    tables = _tables(out)
    assert tables
    assert not any(data.startswith(BOM) for data in tables.values())


def test_a_bad_bom_setting_exits_2_before_any_work(
    tiny_case: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(BOM_ENV, "excel")
    out = tmp_path / "out"
    assert main(["analyze", str(tiny_case), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{BOM_ENV}='excel'" in err
    assert "Fix:" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_pseudonymising_an_output_keeps_its_bom(tmp_path: Path) -> None:
    from resdep.report.pseudonym import Pseudonymiser, pseudonymise_folder

    table = tmp_path / "stages.csv"
    table.write_bytes(BOM + "informant,pa\n王芳,0.5\n".encode())
    pseudonymise_folder(tmp_path, Pseudonymiser.from_names({"王芳": "P1"}))
    assert table.read_bytes() == BOM + b"informant,pa\nP1,0.5\n"
