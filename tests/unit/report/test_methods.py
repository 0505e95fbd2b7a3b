"""Methods outputs: interviewee and code-frequency tables, the methods paragraph, and their
.md/.docx/.xlsx files, checked against counts made by hand on small cases."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from docx.oxml.ns import qn

from resdep import Analysis, founding_case_path, load_case
from resdep.case.model import Case, Informant
from resdep.outputs import write_outputs
from resdep.report.methods import (
    LANGUAGES,
    METHODS_FILES,
    code_frequency_table,
    interviewee_table,
    methods_markdown,
    methods_text,
    write_docx,
    write_methods,
    write_xlsx,
)

REPO = Path(__file__).resolve().parents[3]
TINY = REPO / "tests" / "fixtures" / "tiny_case"


@pytest.fixture(scope="module")
def tiny() -> Case:
    return load_case(TINY)


def test_interviewee_table_of_the_tiny_case(tiny: Case) -> None:
    # by hand: S1 = 我们的钱全靠街道。(9) + 没有别的项目可以替代。(11) = 20 characters,
    # S2 = 街道离不开机构的社工。(11) + 街道讲求完成任务。(9) = 20; the actors have no names
    expected = pd.DataFrame(
        [
            ["I1", "agency", "", "interview", "S1", 20],
            ["I2", "street", "", "interview", "S2", 20],
            ["Total", "", "", "", "2 sources", 40],
        ],
        columns=[
            "Informant",
            "Organisation",
            "Role",
            "Source kind",
            "Sources",
            "Length (characters)",
        ],
    )
    pd.testing.assert_frame_equal(interviewee_table(tiny, "en"), expected)
    zh = interviewee_table(tiny, "zh")
    assert list(zh.columns) == ["受访者", "所属机构", "职务", "资料类型", "资料编号", "字数"]
    assert zh["资料类型"].tolist()[:2] == ["访谈", "访谈"]
    assert zh.iloc[-1].tolist() == ["合计", "", "", "", "2 份", 40]


def test_code_frequency_table_of_the_tiny_case(tiny: Case) -> None:
    # by hand from tests/fixtures/tiny_case/codings.csv: three dependence rows (two from
    # I1's S1 at contracting, one from I2's S2 at implementation) and one philosophy row
    # (I2, no stage)
    expected = pd.DataFrame(
        [
            ["dependence", "economic", "importance", 1, 0, 0, 0, 1, 1],
            ["dependence", "economic", "alternatives", 1, 0, 0, 0, 1, 1],
            ["dependence", "professional", "importance", 0, 1, 0, 0, 1, 1],
            ["philosophy", "official", "", 0, 0, 0, 1, 1, 1],
            ["Total", "", "", 2, 1, 0, 1, 4, 2],
        ],
        columns=[
            "Record kind", "Resource / value", "Dimension", "contracting", "implementation",
            "closing", "No stage", "Total", "Informants",
        ],
    )  # fmt: skip
    pd.testing.assert_frame_equal(code_frequency_table(tiny, "en"), expected)
    zh = code_frequency_table(tiny, "zh")
    assert zh.iloc[0, :3].tolist() == ["依赖", "经济资源", "重要性"]
    assert zh.iloc[3, :2].tolist() == ["治理理念", "官本位理念"]
    assert list(zh.columns)[3:6] == ["立项", "执行", "结项"]


def test_founding_case_tables_add_up() -> None:
    case = load_case(founding_case_path())
    freq = code_frequency_table(case, "en")
    body, total = freq.iloc[:-1], freq.iloc[-1]
    stages = ["contracting", "implementation", "closing", "No stage"]
    assert (body[stages].sum(axis=1) == body["Total"]).all()
    assert body["Total"].sum() == total["Total"] == len(case.codings)
    for col in stages:
        assert body[col].sum() == total[col]
    people = interviewee_table(case, "en")
    assert people.iloc[:-1]["Length (characters)"].sum() == people.iloc[-1]["Length (characters)"]
    assert len(people) == len(case.informants) + 1 + 1  # + the field note + the total
    assert set(people["Informant"]) >= {i.id for i in case.informants}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_paragraph_reads_numbers_from_case_and_parameters(tiny: Case, lang: str) -> None:
    params = tiny.parameters.with_overrides(
        {"theta_d": "0.6", "theta_pi": "0.25", "draws": 123, "seed": 7, "w_second_hand": "0.4"}
    )
    text = " ".join(methods_text(tiny, params, lang).paragraphs)  # type: ignore[arg-type]
    assert "θ_D = 0.60" in text
    assert "θ_PI = 0.25" in text
    assert "0.40" in text
    if lang == "en":
        assert "2 semi-structured interviews with 2 informants from 2 organisations" in text
        assert "123 times" in text
        assert "(seed 7)" in text
        assert "into 4 segments" in text
        assert "40 characters" in text
    else:
        assert "2名受访者" in text
        assert "2份半结构式访谈记录" in text
        assert "抽取123次" in text
        assert "随机种子7" in text
        assert "共4个编码片段" in text
        assert "共计40字" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_text_points_at_documents_the_reader_does_not_have(lang: str) -> None:
    md = methods_markdown(load_case(founding_case_path()), lang=lang)  # type: ignore[arg-type]
    assert not re.search(r"\bsection \d|§|\bdesign\b|\bDESIGN|章节|第\d节", md)


def test_references_are_cited_in_the_text() -> None:
    case = load_case(founding_case_path())
    zh = methods_text(case, lang="zh")
    cited: list[int] = []
    for first, last in re.findall(r"\[(\d)(?:-(\d))?\]", " ".join(zh.paragraphs)):
        cited += range(int(first), int(last or first) + 1)
    assert sorted(set(cited)) == list(range(1, len(zh.references) + 1))
    assert cited == sorted(cited)  # GB/T 7714: numbered in order of first citation
    en = methods_text(case, lang="en")
    body = " ".join(en.paragraphs)
    for ref in en.references:
        author = ref.split(",")[0]
        assert author in body
    assert list(en.references) == sorted(en.references)  # APA: alphabetical


def _borders(cell: object) -> dict[str, tuple[str, str | None]]:
    tc_pr = cell._tc.tcPr  # type: ignore[attr-defined]
    el = tc_pr.find(qn("w:tcBorders"))
    return {
        child.tag.split("}")[1]: (child.get(qn("w:val")), child.get(qn("w:sz"))) for child in el
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_docx_tables_are_three_line_tables(tiny: Case, tmp_path: Path, lang: str) -> None:
    path = write_docx(tiny, tmp_path / "m.docx", lang=lang)  # type: ignore[arg-type]
    doc = docx.Document(str(path))
    assert len(doc.tables) == 2
    for table, frame in zip(
        doc.tables,
        (interviewee_table(tiny, lang), code_frequency_table(tiny, lang)),  # type: ignore[arg-type]
        strict=True,
    ):
        rows = table.rows
        assert len(rows) == len(frame) + 1
        assert [c.text for c in rows[0].cells] == [str(c) for c in frame.columns]
        assert [c.text for c in rows[1].cells] == [str(x) for x in frame.iloc[0]]
        for r, row in enumerate(rows):
            for cell in row.cells:
                b = _borders(cell)
                # no vertical rules, no rules between body rows
                assert b["left"][0] == b["right"][0] == b["insideV"][0] == "nil"
                if r == 0:
                    assert b["top"] == ("single", "12")  # heavy top rule
                    assert b["bottom"] == ("single", "6")  # thin rule under the header
                elif r == len(rows) - 1:
                    assert b["bottom"] == ("single", "12")  # heavy bottom rule
                    assert b["top"][0] == "nil"
                else:
                    assert b["top"][0] == b["bottom"][0] == "nil"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert methods_text(tiny, lang=lang).paragraphs[0] in text  # type: ignore[arg-type]


def test_xlsx_holds_both_tables_and_keeps_formula_like_text_as_text(
    tiny: Case, tmp_path: Path
) -> None:
    hostile = dataclasses.replace(
        tiny,
        informants=(
            Informant(id="I1", organisation="agency", role='=HYPERLINK("http://x")'),
            *tiny.informants[1:],
        ),
    )
    path = write_xlsx(hostile, tmp_path / "m.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Table 1", "Table 2"]
    t1 = wb["Table 1"]
    assert t1["A1"].value == "Table 1. Informants and sources"
    assert [c.value for c in t1[2]] == list(interviewee_table(hostile, "en").columns)
    role = t1["C3"]
    assert role.value == '=HYPERLINK("http://x")'
    assert role.data_type == "s"  # text, not a formula
    assert t1["F3"].value == 20  # numbers stay numbers
    t2 = wb["Table 2"]
    values = [[c.value for c in row] for row in t2.iter_rows(min_row=3)]
    assert values[-1] == ["Total", None, None, 2, 1, 0, 1, 4, 2]
    zh = openpyxl.load_workbook(write_xlsx(tiny, tmp_path / "zh.xlsx", lang="zh"))
    assert zh.sheetnames == ["表1", "表2"]


def test_markdown_cells_cannot_break_the_table(tiny: Case) -> None:
    odd = dataclasses.replace(
        tiny,
        informants=(Informant(id="I1", organisation="agency", role="a|b\nc"), *tiny.informants[1:]),
    )
    md = methods_markdown(odd, lang="en")
    row = next(line for line in md.splitlines() if line.startswith("| I1 "))
    assert row.count(" | ") == 5
    assert "a\\|b c" in row


def test_analyze_writes_the_methods_folder(tiny_analysis: Analysis, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(tiny_analysis, out, report=False)
    assert sorted(p.name for p in (out / "methods").iterdir()) == sorted(METHODS_FILES)
    assert (out / "methods" / "methods_en.md").read_text(encoding="utf-8") == methods_markdown(
        tiny_analysis.case, tiny_analysis.params, "en"
    )


def test_analyze_methods_use_the_parameters_of_the_run(tmp_path: Path) -> None:
    case = load_case(TINY, overrides={"draws": 77, "seed": 5})
    from resdep import analyze

    write_outputs(analyze(case), tmp_path / "out", report=False)
    text = (tmp_path / "out" / "methods" / "methods_en.md").read_text(encoding="utf-8")
    assert "drawn 77 times" in text
    assert "(seed 5)" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_docs_examples_are_what_the_code_generates(lang: str) -> None:
    doc = REPO / "docs" / "methods" / f"methods_{lang}.md"
    expected = methods_markdown(load_case(founding_case_path()), lang=lang)  # type: ignore[arg-type]
    assert doc.read_text(encoding="utf-8") == expected, (
        f"{doc} is stale: run python tools/build_methods_docs.py"
    )


def test_write_methods_writes_every_file(tmp_path: Path) -> None:
    shutil.copytree(TINY, tmp_path / "case")
    paths = write_methods(load_case(tmp_path / "case"), tmp_path / "m")
    assert sorted(p.name for p in paths) == sorted(METHODS_FILES)
    assert all(p.stat().st_size > 0 for p in paths)
