"""Issue 11, REFI-QDA projects as they really are: QualCoder's plain relative paths,
offset tables of bounded memory, built only where needed.
"""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

import resdep.qda.project as project_module
from resdep.errors import QdaFormatError
from resdep.qda.agreement import CoderData, CoderSegment, agreement, agreement_flags
from resdep.qda.codebook import CanonicalCode
from resdep.qda.offsets import Convention, OffsetUnits, detect_convention
from resdep.qda.project import read_qdpx

NS = "urn:QDA-XML:project:1.0"


def _g(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def _qualcoder_project(path: Path, lines: list[str], sel_line: int, *, extra: str = "") -> Path:
    """A project as QualCoder 1.3.2 exports it: plainTextPath without internal://, the
    text inside the archive under sources/ (hand-written XML, no resdep code)."""
    text = "\n".join(lines) + "\n"
    start = sum(len(line) + 1 for line in lines[:sel_line])
    end = start + len(lines[sel_line])
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project xmlns="{NS}" name="board" origin="QualCoder 1.3.2">'
        f'<Users><User guid="{_g(1)}" name="coder1"/></Users>'
        f'<CodeBook><Codes><Code guid="{_g(100)}" name="Stage" isCodable="false">'
        f'<Code guid="{_g(101)}" name="Contracting" isCodable="true"/></Code></Codes></CodeBook>'
        "<Sources>"
        f'<TextSource guid="{_g(10)}" name="board_2017" plainTextPath="board_2017.txt">'
        f'<PlainTextSelection guid="{_g(20)}" name="" startPosition="{start}" '
        f'endPosition="{end}" creatingUser="{_g(1)}">'
        f'<Coding guid="{_g(30)}" creatingUser="{_g(1)}"><CodeRef targetGUID="{_g(101)}"/>'
        "</Coding></PlainTextSelection></TextSource>"
        f"{extra}"
        "</Sources></Project>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/board_2017.txt", text.encode("utf-8"))
    return path


def test_qualcoder_relative_paths_are_found_inside_the_archive(tmp_path: Path) -> None:
    lines = ["Board meeting 2017", "Present: the street office", "街道依赖社工完成项目", "End"]
    project = read_qdpx(_qualcoder_project(tmp_path / "qc.qdpx", lines, sel_line=2))
    (source,) = project.sources
    (sel,) = source.selections
    assert source.text[sel.start : sel.end] == "街道依赖社工完成项目"  # on the right line
    assert source.text.splitlines()[2] == source.text[sel.start : sel.end]


def test_a_relative_path_not_in_the_archive_is_still_confined(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("not for the project")
    extra = f'<TextSource guid="{_g(11)}" name="x" plainTextPath="../secret.txt"/>'
    sub = tmp_path / "sub"
    sub.mkdir()
    with pytest.raises(QdaFormatError) as info:
        read_qdpx(_qualcoder_project(sub / "qc.qdpx", ["a", "b"], 0, extra=extra))
    assert "not for the project" not in str(info.value)


def test_no_offset_table_for_sources_without_selections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    real = project_module.OffsetUnits

    def counting(text: str) -> OffsetUnits:
        built.append(len(text))
        return real(text)

    monkeypatch.setattr(project_module, "OffsetUnits", counting)
    extra = (
        f'<TextSource guid="{_g(12)}" name="uncoded">'
        f"<PlainTextContent>{'x' * 5000}</PlainTextContent></TextSource>"
    )
    read_qdpx(_qualcoder_project(tmp_path / "qc.qdpx", ["a", "bb"], 1, extra=extra))
    assert built == [len("a\nbb\n")]  # only the coded source got a table


def test_offset_tables_cost_a_few_bytes_per_character() -> None:
    # 1,000,000 characters with CRLF, astral and CJK characters, so conventions differ
    text = ("街道\r\n😀 ok " * 125_000)[:1_000_000]
    starts = np.arange(0, 900_000, 9_000)
    selections = [(int(s), int(s) + 5, "") for s in starts]
    tracemalloc.start()
    units = OffsetUnits(text)
    detect_convention(text, selections, units=units)
    units.boundaries(Convention.UTF16)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # before: about 100 bytes per character (five int64 tables, their widths, masks)
    assert peak / len(text) < 24, f"{peak / len(text):.1f} bytes per character"


def test_boundaries_agree_with_an_independent_count() -> None:
    text = "a\r\nb😀街\r\nc"
    u = OffsetUnits(text)
    # independent: count units character by character
    for conv, unit in {
        Convention.CODE_POINTS: lambda ch, nxt: 1,
        Convention.UTF16: lambda ch, nxt: len(ch.encode("utf-16-le")) // 2,
        Convention.UTF8: lambda ch, nxt: len(ch.encode("utf-8")),
        Convention.CODE_POINTS_CRLF1: lambda ch, nxt: 0 if ch == "\r" and nxt == "\n" else 1,
    }.items():
        expected = [0]
        for i, ch in enumerate(text):
            nxt = text[i + 1] if i + 1 < len(text) else ""
            expected.append(expected[-1] + unit(ch, nxt))
        assert u.boundaries(conv).tolist() == expected, conv


def _coder(name: str, text: str, sentence: str) -> CoderData:
    start = text.index(sentence)
    seg = CoderSegment(
        source="s",
        start=start,
        end=start + len(sentence),
        codes=(CanonicalCode(group="Stage", value="contracting"),),
    )
    return CoderData(name=name, segments=(seg,), texts={"s": text})


def test_english_sentences_are_units_so_coders_of_different_sentences_disagree() -> None:
    # one paragraph, two sentences; A coded the first, B the second. Before: one unit
    # (the paragraph) coded "contracting" by both, α 1.000 with segment overlap 0.000
    text = "Dr. Wang signed the contract in May. The office then cut the budget.\n"
    a = _coder("A", text, "Dr. Wang signed the contract in May.")
    b = _coder("B", text, "The office then cut the budget.")
    table = agreement([a, b]).table
    alpha = table[(table.measure == "krippendorff_alpha") & (table.family == "Stage")]
    assert int(alpha.n.iloc[0]) == 2  # two sentence units ("Dr." does not end one)
    assert float(alpha.value.iloc[0]) < 0.667
    overlap = table[(table.measure == "segment_overlap") & (table.family == "Stage")]
    assert float(overlap.value.iloc[0]) == 0.0


def test_alpha_is_undefined_and_flagged_when_only_one_value_is_used() -> None:
    text = "We rely on the street office. It relies on us.\n"
    a = _coder("A", text, "We rely on the street office.")
    b = _coder("B", text, "We rely on the street office.")
    result = agreement([a, b])
    t = result.table
    alpha = t[(t.measure == "krippendorff_alpha") & (t.family == "Stage")].value.iloc[0]
    assert np.isnan(alpha)  # was reported as 1.000
    flags = agreement_flags(result)
    assert list(flags.family) == ["Stage"]
    assert "undefined" in flags.message.iloc[0]
    assert "n/a" in flags.message.iloc[0]
