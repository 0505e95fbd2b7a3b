"""[[records]] of a case: one table across files, and what analyze keeps (issue 12, items 2 and 4)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from records_builders import EXAMPLE_CASE

import resdep
from resdep.cli import main


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])


def _split_case(tmp_path: Path) -> Path:
    """The example case with its purchases in two files: 柳岸 (LA-) apart from the rest."""
    case = tmp_path / "split"
    shutil.copytree(EXAMPLE_CASE, case)
    whole = case / "records" / "purchases.csv"
    header, rows = _rows(whole)
    whole.unlink()
    _write(case / "records" / "qingshi.csv", header, [r for r in rows if not r[0].startswith("LA")])
    _write(case / "records" / "liuan.csv", header, [r for r in rows if r[0].startswith("LA")])
    toml = (case / "case.toml").read_text(encoding="utf-8")
    head, _, _ = toml.partition("[[records]]")
    toml = head + (
        '[[records]]\npath = "records/qingshi.csv"\n\n[records.actors]\n'
        'street = "青石街道办事处"\nbureau = "CN-USCC-11310112MB2F000037"\n'
        'agency = "新桥社会工作服务社"\n\n'
        '[[records]]\npath = "records/liuan.csv"\n\n[records.actors]\n'
        'agency = "新桥社会工作服务社"\n'
    )
    (case / "case.toml").write_text(toml, encoding="utf-8")
    return case


def _importance(case: resdep.Case) -> float:
    return next(
        h.value for h in case.hard_inputs if (h.provider, h.dimension) == ("street", "importance")
    )


def test_two_files_give_the_same_importance_as_one(tmp_path: Path) -> None:
    # by hand: the agency's revenue is 2,600,000 from 青石 (QS-2019..2023-01), 620,000 from
    # 柳岸 (LA-2021-01, LA-2022-01) and 450,000 from the bureau (MZ-2020-01, MZ-2023-01; the
    # MZ-2022-01 framework is a ceiling): D = 2,600,000 / 3,670,000 = 0.7084.
    # Scored file by file, the 柳岸 file is missing from the denominator:
    # 2,600,000 / 3,050,000 = 0.8525.
    one = resdep.load_case(EXAMPLE_CASE)
    two = resdep.load_case(_split_case(tmp_path))
    assert _importance(one) == pytest.approx(2_600_000 / 3_670_000)
    assert _importance(two) == pytest.approx(2_600_000 / 3_670_000)
    assert round(_importance(two), 4) == 0.7084
    assert sorted((h.provider, h.dimension, h.value) for h in one.hard_inputs) == sorted(
        (h.provider, h.dimension, h.value) for h in two.hard_inputs
    )


def test_one_actor_mapped_to_two_organisations_is_an_input_error(tmp_path: Path) -> None:
    case = _split_case(tmp_path)
    toml = (case / "case.toml").read_text(encoding="utf-8")
    toml += 'street = "柳岸街道办事处"\n'
    (case / "case.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(resdep.InputError, match="mapped to two organisations") as info:
        resdep.load_case(case)
    assert "case.toml" in str(info.value)


def test_case_folder_loader_alone_reads_no_records() -> None:
    from resdep.case import load_case as folder_only

    case = folder_only(EXAMPLE_CASE)
    assert case.records
    assert case.hard_inputs == ()


def test_analyze_keeps_the_records_log_and_marks_origins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["analyze", str(EXAMPLE_CASE), "--out", str(out), "--draws", "50"]) == 0
    err = capsys.readouterr().err
    summary = [line for line in err.splitlines() if line.startswith("records:")]
    assert len(summary) == 1
    assert "1 file(s), 19 award row(s), 4 input(s) from records" in summary[0]
    assert "3 framework" in summary[0]
    log = pd.read_csv(out / "records-log.csv", dtype=str, keep_default_na=False)
    assert list(log.columns) == ["severity", "file", "place", "message"]
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["records_import"]["award_rows"] == 19
    assert run["records_import"]["excluded_from_sums"] == {"framework": 3}
    assert run["records_import"]["log"] == "records-log.csv"
    assert len(log) == run["records_import"]["issues"]
    inputs = pd.read_csv(out / "inputs.csv", keep_default_na=False)
    assert inputs.columns[-1] == "origin"
    econ = inputs[(inputs.dependent == "agency") & (inputs.resource == "economic")]
    contracting = econ[econ.stage == "contracting"].iloc[0]
    assert contracting.origin == "records"
    assert not contracting.single_source
    assert contracting.importance == pytest.approx(2_600_000 / 3_670_000)
    coded = inputs[inputs.resource != "economic"]
    assert set(coded.origin) == {"coded"}
    assert coded.single_source.all()  # one interview: the coded tuples stay single source
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<a href="records-log.csv">records-log.csv</a>' in page


def test_an_unreadable_award_date_reaches_the_log_in_the_output(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(EXAMPLE_CASE, case)
    path = case / "records" / "purchases.csv"
    header, rows = _rows(path)
    rows[0][header.index("awards/date")] = "sometime in spring"
    _write(path, header, rows)
    out = tmp_path / "out"
    assert main(["analyze", str(case), "--out", str(out), "--draws", "20"]) == 0
    log = pd.read_csv(out / "records-log.csv", dtype=str, keep_default_na=False)
    hit = log[log.message.str.contains("sometime in spring")]
    assert len(hit) == 1
    assert hit.iloc[0].place == "row 2"
    assert hit.iloc[0].file == "records/purchases.csv"  # relative to the case, no home path
