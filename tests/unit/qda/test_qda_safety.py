"""Hostile and malformed archives and XML: clear errors, nothing harmed."""

from __future__ import annotations

import time
import warnings
import zipfile
from pathlib import Path

import pytest
from qda_builders import qde, text_source, users, write_qdpx

from resdep.errors import QdaFormatError, SourceTextError
from resdep.qda import read_qdpx
from resdep.qda.safety import ArchiveLimits, parse_xml, read_archive, safe_member_name

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + ']><Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>'
)


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    p = write_qdpx(tmp_path / "laughs.qdpx", BILLION_LAUGHS)
    t0 = time.perf_counter()
    with pytest.raises(QdaFormatError, match="DTD"):
        read_qdpx(p)
    assert time.perf_counter() - t0 < 2.0


def test_external_entity_is_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>'
    )
    with pytest.raises(QdaFormatError) as info:
        read_qdpx(write_qdpx(tmp_path / "xxe.qdpx", doc))
    assert "TOP-SECRET" not in str(info.value)


def test_utf16_doctype_is_refused() -> None:
    doc = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'.encode(
        "utf-16-le"
    )
    with pytest.raises(QdaFormatError, match="DTD"):
        parse_xml(doc)


def test_malformed_xml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(QdaFormatError, match="not well-formed") as info:
        read_qdpx(write_qdpx(tmp_path / "bad.qdpx", "<Project><Users></Project>"))
    assert "bad.qdpx" in str(info.value)


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "sources/../../evil.txt", "/etc/evil.txt", "C:/evil.txt", "..\\evil.txt"],
)
def test_zip_slip_names_are_refused(tmp_path: Path, name: str) -> None:
    p = tmp_path / "a" / "slip.qdpx"
    p.parent.mkdir()
    write_qdpx(p, qde(""), {name: b"pwned"})
    with pytest.raises(QdaFormatError, match="path traversal"):
        read_qdpx(p)
    assert not (tmp_path / "evil.txt").exists()
    assert not Path("/etc/evil.txt").exists()


def test_safe_member_name_normalises() -> None:
    assert safe_member_name("sources\\a.txt") == "sources/a.txt"
    assert safe_member_name("./project.qde") == "project.qde"


def test_decompression_bomb_ratio_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "bomb.qdpx"
    write_qdpx(p, qde(""), {"sources/zeros.txt": b"\0" * (20 * 1024**2)})
    assert zipfile.ZipFile(p).getinfo("sources/zeros.txt").compress_size < 100_000
    with pytest.raises(QdaFormatError, match="decompression bomb"):
        read_qdpx(p)


def test_total_size_limit(tmp_path: Path) -> None:
    p = write_qdpx(tmp_path / "big.qdpx", qde(""), {"sources/a.txt": b"x" * 5000})
    with pytest.raises(QdaFormatError, match="in total"):
        read_archive(p, limits=ArchiveLimits(max_total=1000))


def test_lying_sizes_are_caught_while_reading(tmp_path: Path) -> None:
    p = write_qdpx(tmp_path / "lie.qdpx", qde(""), {"sources/a.txt": b"y" * 10_000})
    data = bytearray(p.read_bytes())
    # Shrink the declared uncompressed size in the central directory (offset 24 of the header).
    cd = data.rfind(b"PK\x01\x02")
    while cd >= 0:
        name_len = int.from_bytes(data[cd + 28 : cd + 30], "little")
        if data[cd + 46 : cd + 46 + name_len] == b"sources/a.txt":
            data[cd + 24 : cd + 28] = (100).to_bytes(4, "little")
        cd = data.rfind(b"PK\x01\x02", 0, cd)
    p.write_bytes(bytes(data))
    with pytest.raises(QdaFormatError):
        read_archive(p)


def test_duplicate_entries_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "dup.qdpx"
    with zipfile.ZipFile(p, "w") as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z.writestr("project.qde", qde(""))
        z.writestr("sources/a.txt", b"1")
        z.writestr("sources/a.txt", b"2")
    with pytest.raises(QdaFormatError, match="same name"):
        read_qdpx(p)


def test_not_a_zip_and_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "x.qdpx"
    p.write_text("hello", encoding="utf-8")
    with pytest.raises(QdaFormatError, match="not a ZIP archive"):
        read_qdpx(p)
    with pytest.raises(QdaFormatError, match="not found"):
        read_qdpx(tmp_path / "missing.qdpx")


def test_no_project_qde(tmp_path: Path) -> None:
    p = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("sources/a.txt", b"x")
    with pytest.raises(QdaFormatError, match=r"no project\.qde"):
        read_qdpx(p)


def test_external_files_must_be_txt(tmp_path: Path) -> None:
    for path in ("absolute:///dev/zero", "absolute:///etc/passwd", "relative://../../.ssh/id_rsa"):
        body = users(1) + "<Sources>" + text_source(10, "dev", path=path) + "</Sources>"
        project = write_qdpx(tmp_path / "dev.qdpx", qde(body))
        with pytest.raises(QdaFormatError, match="outside the project"):
            read_qdpx(project)  # refused by default, wherever it points
        with pytest.raises(QdaFormatError, match=r"not a \.txt file"):
            read_qdpx(project, allow_external=True)  # even when the user trusts the project
    body = (
        users(1)
        + "<Sources>"
        + text_source(10, "gone", path="absolute:///nonexistent/x.txt")
        + "</Sources>"
    )
    with pytest.raises(SourceTextError, match="not found"):
        read_qdpx(write_qdpx(tmp_path / "gone.qdpx", qde(body)), allow_external=True)
