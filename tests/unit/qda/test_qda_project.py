"""Reading REFI-QDA projects: the real NVivo file and hand-built projects, good and bad."""

from __future__ import annotations

import codecs
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from qda_builders import NVIVO, codes, g, qde, selection, text_source, users, write_qdpx

from resdep.errors import QdaFormatError, SourceTextError
from resdep.qda import read_qdpx


def test_nvivo_counts() -> None:
    p = read_qdpx(NVIVO)
    assert p.origin == "NVivo for Windows 12.6"
    assert len(p.sources) == 2
    assert len(p.codes) == 152
    assert p.n_selections == 330
    assert sorted(u.label for u in p.users) == ["Gergo", "floriansipos", "test_user"]
    # codes are nested: top-level codes and their children
    assert any(len(c.path) == 2 for c in p.codes)
    assert any(len(c.path) == 1 for c in p.codes)
    child = next(c for c in p.codes if c.path == ("1. Oltás típusa", "COVID"))
    assert child.parent == next(c.guid for c in p.codes if c.path == ("1. Oltás típusa",))
    # the coder is the Coding's creatingUser, not the selection's
    per_user = Counter(
        p.user_label(c.user) for s in p.sources for sel in s.selections for c in sel.codings
    )
    assert per_user == {"Gergo": 303, "test_user": 27}
    # NVivo's texts start with a UTF-8 BOM, which is dropped
    assert all(s.encoding == "utf-8-sig" and not s.text.startswith("\ufeff") for s in p.sources)
    with zipfile.ZipFile(NVIVO) as z:
        assert any(n.startswith("Sources/") for n in z.namelist())  # capital S, as NVivo writes


def _simple(
    tmp_path: Path,
    *,
    folder: str = "sources",
    bom: bool = False,
    body_extra: str = "",
    sel: str | None = None,
) -> Path:
    text = "第一句。第二句！\n第三句？"
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    body = (
        users(1)
        + codes("Stage/Contracting", "Stage/Closing")
        + "<Sources>"
        + text_source(
            10, "S1", sel if sel is not None else selection(1, 0, 4, [100], name="第一句。")
        )
        + "</Sources>"
        + body_extra
    )
    return write_qdpx(tmp_path / "p.qdpx", qde(body), {f"{folder}/{g(10)}.txt": data})


@pytest.mark.parametrize("folder", ["sources", "Sources"])
@pytest.mark.parametrize("bom", [False, True])
def test_folder_case_and_bom(tmp_path: Path, folder: str, bom: bool) -> None:
    p = read_qdpx(_simple(tmp_path, folder=folder, bom=bom))
    s = p.sources[0]
    assert s.text.startswith("第一句")
    sel = s.selections[0]
    assert s.text[sel.start : sel.end] == "第一句。"
    assert p.code(sel.codings[0].code).path == ("Stage", "Contracting")


def test_braced_uppercase_guids(tmp_path: Path) -> None:
    body = (
        users(1)
        + '<CodeBook><Codes><Code guid="{ABCDEF00-0000-4000-8000-000000000001}" name="Stage" isCodable="false">'
        '<Code guid="{ABCDEF00-0000-4000-8000-000000000002}" name="Closing" isCodable="true"/></Code></Codes></CodeBook>'
        + "<Sources>"
        + text_source(
            10,
            "S1",
            f'<PlainTextSelection guid="{g(77)}" startPosition="0" endPosition="2"><Coding guid="{g(78)}">'
            '<CodeRef targetGUID="abcdef00-0000-4000-8000-000000000002"/></Coding></PlainTextSelection>',
            inline="你好世界",
        )
        + "</Sources>"
    )
    p = read_qdpx(write_qdpx(tmp_path / "b.qdpx", qde(body)))
    assert p.sources[0].selections[0].codings[0].code == "abcdef00-0000-4000-8000-000000000002"
    assert p.sources[0].text == "你好世界"


def test_relative_external_source(tmp_path: Path) -> None:
    ext = tmp_path / "texts"
    ext.mkdir()
    (ext / "a.txt").write_bytes("外部文本".encode("gb18030"))
    body = users(1) + "<Sources>" + text_source(10, "ext", path="relative://a.txt") + "</Sources>"
    p = read_qdpx(write_qdpx(tmp_path / "r.qdpx", qde(body, extra=f'basePath="{ext}"')))
    assert p.sources[0].text == "外部文本"
    assert p.sources[0].encoding == "gb18030"


def test_cases_variables_notes_sets(tmp_path: Path) -> None:
    body = (
        users(1)
        + codes("Stage/Contracting")
        + f'<Variables><Variable guid="{g(60)}" name="organisation" typeOfVariable="Text"/>'
        f'<Variable guid="{g(61)}" name="role" typeOfVariable="Text"/></Variables>'
        + f'<Cases><Case guid="{g(70)}" name="I1"><VariableValue><VariableRef targetGUID="{g(60)}"/>'
        f'<TextValue>street</TextValue></VariableValue><SourceRef targetGUID="{g(10)}"/></Case></Cases>'
        + "<Sources>"
        + text_source(10, "S1", inline="abc")
        + "</Sources>"
        + f'<Notes><Note guid="{g(80)}" name="memo"><PlainTextContent>remember</PlainTextContent></Note></Notes>'
        + f'<Sets><Set guid="{g(90)}" name="set"><MemberCode targetGUID="{g(100)}"/><MemberSource targetGUID="{g(10)}"/></Set></Sets>'
    )
    p = read_qdpx(write_qdpx(tmp_path / "c.qdpx", qde(body)))
    assert p.cases[0].variables == {"organisation": "street"}
    assert p.cases[0].sources == (g(10),)
    assert p.notes[0].text == "remember"
    assert p.sets[0].members == (g(100), g(10))


def test_code_ref_pointing_nowhere(tmp_path: Path) -> None:
    with pytest.raises(QdaFormatError, match="points to no Code") as info:
        read_qdpx(_simple(tmp_path, sel=selection(1, 0, 4, [999])))
    assert "PlainTextSelection" in str(info.value)


def test_source_ref_pointing_nowhere(tmp_path: Path) -> None:
    extra = (
        f'<Cases><Case guid="{g(70)}" name="I1"><SourceRef targetGUID="{g(4242)}"/></Case></Cases>'
    )
    body = users(1) + extra + "<Sources>" + text_source(10, "S1", inline="abc") + "</Sources>"
    with pytest.raises(QdaFormatError, match="SourceRef"):
        read_qdpx(write_qdpx(tmp_path / "s.qdpx", qde(body)))


def test_duplicate_guid(tmp_path: Path) -> None:
    body = (
        users(1)
        + f'<CodeBook><Codes><Code guid="{g(1)}" name="x" isCodable="true"/></Codes></CodeBook>'
    )
    with pytest.raises(QdaFormatError, match="duplicate GUID"):
        read_qdpx(write_qdpx(tmp_path / "d.qdpx", qde(body)))


def test_missing_source_file(tmp_path: Path) -> None:
    body = users(1) + "<Sources>" + text_source(10, "S1") + "</Sources>"
    with pytest.raises(SourceTextError, match="missing from the archive"):
        read_qdpx(write_qdpx(tmp_path / "m.qdpx", qde(body)))


def test_selection_outside_text(tmp_path: Path) -> None:
    with pytest.raises(SourceTextError, match="outside the text") as info:
        read_qdpx(_simple(tmp_path, sel=selection(1, 5, 500, [100])))
    assert "'S1'" in str(info.value)
    assert "Fix:" in str(info.value)


def test_wrong_root_and_namespace(tmp_path: Path) -> None:
    with pytest.raises(QdaFormatError, match="not <Project>"):
        read_qdpx(write_qdpx(tmp_path / "w.qdpx", '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'))
    with pytest.raises(QdaFormatError, match="namespace"):
        read_qdpx(write_qdpx(tmp_path / "n.qdpx", '<Project xmlns="urn:other" name="x"/>'))


def test_bare_qde_file(tmp_path: Path) -> None:
    body = users(1) + "<Sources>" + text_source(10, "S1", inline="inline text") + "</Sources>"
    f = tmp_path / "project.qde"
    f.write_text(qde(body), encoding="utf-8")
    assert read_qdpx(f).sources[0].text == "inline text"


def test_rich_text_only_source_with_selections(tmp_path: Path) -> None:
    sel = selection(1, 0, 2, [100])
    src = f'<TextSource guid="{g(10)}" name="S1" richTextPath="internal://{g(10)}.docx">{sel}</TextSource>'
    body = users(1) + codes("Stage/Contracting") + "<Sources>" + src + "</Sources>"
    with pytest.raises(SourceTextError, match="no plain text"):
        read_qdpx(write_qdpx(tmp_path / "rt.qdpx", qde(body)))
