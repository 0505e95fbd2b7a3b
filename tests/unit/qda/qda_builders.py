"""Builders of small REFI-QDA projects for the QDA tests (hand-written XML, no resdep code)."""

from __future__ import annotations

import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared" / "data"
NVIVO = SHARED / "refi-qda" / "nvivo-win-12.6-hungarian-comments.qdpx"
XSD = SHARED / "refi-qda" / "Project-mrt2019.xsd"
NS = "urn:QDA-XML:project:1.0"


def g(n: int) -> str:
    """A GUID for test object number n."""
    return f"00000000-0000-4000-8000-{n:012d}"


def qde(body: str, *, origin: str = "Test 1.0", extra: str = "") -> str:
    """A project.qde document with the given body."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project xmlns="{NS}" name="test project" origin="{origin}" {extra}>{body}</Project>'
    )


def codes(*names: str, start: int = 100, descriptions: dict[str, str] | None = None) -> str:
    """A CodeBook whose codes are given as paths 'Group/Leaf' (nested two levels)."""
    descriptions = descriptions or {}
    groups: dict[str, list[tuple[int, str]]] = {}
    n = start
    for name in names:
        group, leaf = name.split("/")
        groups.setdefault(group, []).append((n, leaf))
        n += 1
    out = ["<CodeBook><Codes>"]
    gi = start + 500
    for group, leaves in groups.items():
        out.append(f'<Code guid="{g(gi)}" name="{group}" isCodable="false">')
        gi += 1
        for k, leaf in leaves:
            desc = descriptions.get(f"{group}/{leaf}")
            if desc:
                out.append(
                    f'<Code guid="{g(k)}" name="{leaf}" isCodable="true"><Description>{desc}</Description></Code>'
                )
            else:
                out.append(f'<Code guid="{g(k)}" name="{leaf}" isCodable="true"/>')
        out.append("</Code>")
    out.append("</Codes></CodeBook>")
    return "".join(out)


def selection(
    n: int, start: int, end: int, code_ids: list[int], *, user: int = 1, name: str = ""
) -> str:
    """A PlainTextSelection coded with the given code numbers."""
    cod = "".join(
        f'<Coding guid="{g(n * 100 + k + 5000)}" creatingUser="{g(user)}"><CodeRef targetGUID="{g(c)}"/></Coding>'
        for k, c in enumerate(code_ids)
    )
    return (
        f'<PlainTextSelection guid="{g(n + 3000)}" name="{name}" startPosition="{start}" '
        f'endPosition="{end}" creatingUser="{g(user)}">{cod}</PlainTextSelection>'
    )


def text_source(
    n: int,
    name: str,
    selections: str = "",
    *,
    path: str | None = None,
    inline: str | None = None,
    variables: str = "",
) -> str:
    """A TextSource with an internal file (default), a path, or inline text."""
    if inline is not None:
        return f'<TextSource guid="{g(n)}" name="{name}"><PlainTextContent>{inline}</PlainTextContent>{selections}{variables}</TextSource>'
    p = path if path is not None else f"internal://{g(n)}.txt"
    return f'<TextSource guid="{g(n)}" name="{name}" plainTextPath="{p}">{selections}{variables}</TextSource>'


def users(*ids: int) -> str:
    """A Users element."""
    return "<Users>" + "".join(f'<User guid="{g(i)}" name="coder{i}"/>' for i in ids) + "</Users>"


def write_qdpx(path: Path, qde_text: str, files: dict[str, bytes] | None = None) -> Path:
    """Zip a project.qde and source files into a .qdpx."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde_text.encode("utf-8"))
        for name, data in (files or {}).items():
            z.writestr(name, data)
    return path
