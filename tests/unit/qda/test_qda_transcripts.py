"""Transcripts: encodings, line ends, .docx, adding to a case folder, sentence splitting."""

from __future__ import annotations

import codecs
import tomllib
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resdep.case import load_case
from resdep.errors import CaseFormatError, OutputExistsError, SourceTextError
from resdep.qda import add_sources, read_transcript, split_sentences

TEXT = "问：街道依赖你们吗？\r\n答：离不开我们的社工。\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("utf-16"), "utf-16"),
    ],
)
def test_encodings_and_line_ends(tmp_path: Path, data: bytes, encoding: str) -> None:
    f = tmp_path / "t.txt"
    f.write_bytes(data)
    t = read_transcript(f)
    assert t.text == TEXT.replace("\r\n", "\n")
    assert t.encoding == encoding
    assert t.line_ends == 2
    assert "2 CRLF/CR line ends → LF" in t.describe()


def test_old_mac_line_ends_and_markdown(tmp_path: Path) -> None:
    f = tmp_path / "notes.md"
    f.write_bytes("# 田野笔记\r观察到居委会主任。\r".encode())
    t = read_transcript(f)
    assert t.text == "# 田野笔记\n观察到居委会主任。\n"
    assert t.format == "markdown"


def test_docx(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("问：您怎么看自治金项目？")
    d.add_paragraph("答：街道把钱给我们，我们做专业服务。")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "受访者"
    table.rows[0].cells[1].text = "I05"
    f = tmp_path / "interview.docx"
    d.save(str(f))
    t = read_transcript(f)
    assert t.text.splitlines() == [
        "问：您怎么看自治金项目？",
        "答：街道把钱给我们，我们做专业服务。",
        "受访者\tI05",
    ]
    assert t.format == "docx"


def test_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF")
    with pytest.raises(SourceTextError, match=r"cannot read \.pdf"):
        read_transcript(bad)
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"not a zip")
    with pytest.raises(SourceTextError, match=r"not a ZIP archive, as a \.docx"):
        read_transcript(fake)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Gr\xfc\xdfe aus K\xf6ln, \xe9t\xe9 \xe0 Paris".encode("latin-1"))
    with pytest.raises(SourceTextError, match="UTF-8"):
        read_transcript(latin)


def test_add_sources_to_case(tiny_case: Path, tmp_path: Path) -> None:
    f = tmp_path / "S3 访谈.txt"
    f.write_bytes(TEXT.encode("gb18030"))
    added = add_sources(tiny_case, [f], informant="I1", language="zh")
    assert [a.id for a in added] == ["S3_访谈"]
    raw = (tiny_case / "case.toml").read_text(encoding="utf-8")
    assert (
        "# added by resdep sources add from S3 访谈.txt (text, gb18030, 2 CRLF/CR line ends → LF)"
        in raw
    )
    entry = tomllib.loads(raw)["source"][-1]
    assert entry == {
        "id": "S3_访谈",
        "path": "sources/S3_访谈.txt",
        "kind": "interview",
        "informant": "I1",
        "language": "zh",
    }
    assert (tiny_case / "sources" / "S3_访谈.txt").read_bytes() == TEXT.replace(
        "\r\n", "\n"
    ).encode("utf-8")
    case = load_case(tiny_case)
    assert case.source("S3_访谈").text.startswith("问：街道")
    with pytest.raises(OutputExistsError, match="--force"):
        add_sources(tiny_case, [f])
    add_sources(tiny_case, [f], force=True)  # replaces the text, adds no second entry
    assert len(tomllib.loads((tiny_case / "case.toml").read_text(encoding="utf-8"))["source"]) == 3


def test_add_sources_checks_the_case(tiny_case: Path, tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(CaseFormatError, match="informant 'I9'"):
        add_sources(tiny_case, [f], informant="I9")
    with pytest.raises(CaseFormatError, match=r"case\.toml is missing"):
        add_sources(tmp_path, [f])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("甲。乙！丙？丁；戊", ["甲。", "乙！", "丙？", "丁；", "戊"]),
        ("等等……然后呢", ["等等……", "然后呢"]),
        ("他说：“好。”我走了。", ["他说：“好。”", "我走了。"]),
        ("第一行\n\n第二行", ["第一行", "第二行"]),
        # Latin sentence ends (issue 11): ". " ends a sentence, abbreviations do not
        ("Yes. No? Maybe!", ["Yes.", " No?", " Maybe!"]),
        (
            "Mr. Chen and Dr. Li, e.g. the staff. Then 3.5 days.",
            ["Mr. Chen and Dr. Li, e.g. the staff.", " Then 3.5 days."],
        ),
        ("He said “Go.” She left.", ["He said “Go.”", " She left."]),
        ("J. Smith wrote it.\nNext line", ["J. Smith wrote it.", "Next line"]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


@settings(deadline=None)
@given(st.text(alphabet="街道社工。！？；…\n ab”", max_size=80))
def test_sentences_cover_every_character_once(text: str) -> None:
    spans = split_sentences(text)
    covered = [False] * len(text)
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        last = e
        for i in range(s, e):
            covered[i] = True
    for i, ch in enumerate(text):
        if not covered[i]:
            assert ch.isspace()  # only line breaks and blanks between sentences are left out
