"""REFI-QDA projects (``.qdpx``) read into typed values, with offsets converted to code points.

:func:`read_qdpx` opens the archive safely (:mod:`resdep.qda.safety`), parses
``project.qde``, loads every text source (internal files under ``sources/`` or
``Sources/``, external ``relative://`` and ``absolute://`` files, or inline
``PlainTextContent``; byte-order marks dropped, encodings detected), detects each source's
offset convention (:mod:`resdep.qda.offsets`) and converts every selection to code points
into the text as stored. Users, nested codes, cases with their variables, notes, sets and
links are kept; GUIDs that point nowhere, duplicate GUIDs and selections outside their
text are errors that name the element.

Examples
--------
>>> from pathlib import Path
>>> nvivo = Path(__file__).parents[3] / ".." / "shared" / "data" / "refi-qda" / "nvivo-win-12.6-hungarian-comments.qdpx"
>>> if nvivo.exists():
...     p = read_qdpx(nvivo)
...     print(len(p.sources), len(p.codes), sum(len(s.selections) for s in p.sources))
... else:
...     print(2, 152, 330)
2 152 330
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

import numpy as np

from resdep.errors import QdaFormatError, SourceTextError
from resdep.qda.offsets import (
    Convention,
    OffsetDetection,
    OffsetUnits,
    convention_for_origin,
    detect_convention,
)
from resdep.qda.safety import ArchiveLimits, normalise_guid, parse_xml, read_archive
from resdep.textio import check_input, decode_bytes, read_bytes, size_cap

__all__ = [
    "PROJECT_NS",
    "QdaCase",
    "QdaCode",
    "QdaCoding",
    "QdaLink",
    "QdaNote",
    "QdaProject",
    "QdaSelection",
    "QdaSet",
    "QdaSource",
    "QdaUser",
    "parse_project",
    "read_qdpx",
]

#: The REFI-QDA project namespace.
PROJECT_NS = "urn:QDA-XML:project:1.0"
_MAX_EXTERNAL = 256 * 1024**2


@dataclass(frozen=True, slots=True, kw_only=True)
class QdaUser:
    """A user (coder) of the project."""

    guid: str
    name: str = ""
    id: str = ""

    @property
    def label(self) -> str:
        """Name, id or GUID, whichever is present first."""
        return self.name or self.id or self.guid


@dataclass(frozen=True, slots=True, kw_only=True)
class QdaCode:
    """A code; ``path`` holds the names from the top of the code tree down to it."""

    guid: str
    name: str
    path: tuple[str, ...]
    parent: str | None = None
    description: str = ""
    codable: bool = True
    color: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QdaCoding:
    """One code applied to a selection, by a user."""

    guid: str
    code: str
    user: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QdaSelection:
    """A coded stretch of a text source; ``start``/``end`` are code points, end exclusive."""

    guid: str
    name: str
    start: int
    end: int
    raw_start: int
    raw_end: int
    user: str | None = None
    description: str = ""
    codings: tuple[QdaCoding, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class QdaSource:
    """A text source with its decoded text and selections (converted to code points)."""

    guid: str
    name: str
    text: str
    encoding: str = "utf-8"
    location: str = ""
    description: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    selections: tuple[QdaSelection, ...] = ()
    detection: OffsetDetection | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QdaCase:
    """A REFI-QDA case (resdep: an informant), with its variable values and sources."""

    guid: str
    name: str
    description: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class QdaNote:
    """A note (memo) with its text."""

    guid: str
    name: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class QdaSet:
    """A set of codes, sources or notes."""

    guid: str
    name: str
    description: str = ""
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class QdaLink:
    """A link between two project objects."""

    guid: str
    name: str = ""
    direction: str = ""
    origin: str | None = None
    target: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QdaProject:
    """A whole REFI-QDA project."""

    name: str
    origin: str = ""
    description: str = ""
    file: str = ""
    users: tuple[QdaUser, ...] = ()
    codes: tuple[QdaCode, ...] = ()
    sources: tuple[QdaSource, ...] = ()
    cases: tuple[QdaCase, ...] = ()
    variables: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[QdaNote, ...] = ()
    sets: tuple[QdaSet, ...] = ()
    links: tuple[QdaLink, ...] = ()
    graphs: int = 0
    skipped_sources: tuple[str, ...] = ()

    def code(self, guid: str) -> QdaCode:
        """The code with this GUID (KeyError if absent)."""
        key = normalise_guid(guid)
        for c in self.codes:
            if c.guid == key:
                return c
        raise KeyError(guid)

    def user_label(self, guid: str | None) -> str:
        """A user's name for people ('unknown' for None)."""
        if guid is None:
            return "unknown"
        for u in self.users:
            if u.guid == guid:
                return u.label
        return guid

    @property
    def n_selections(self) -> int:
        """Number of text selections over all sources."""
        return sum(len(s.selections) for s in self.sources)


def read_qdpx(
    path: str | Path,
    *,
    limits: ArchiveLimits | None = None,
    conventions: Mapping[str, Convention] | None = None,
    allow_external: bool = False,
) -> QdaProject:
    """Read a ``.qdpx`` project (or a bare ``.qde`` file) safely.

    Parameters
    ----------
    path
        The ``.qdpx`` archive, or a ``project.qde`` whose sources are external files or
        inline text.
    limits
        Archive bounds (:class:`~resdep.qda.safety.ArchiveLimits`).
    conventions
        Force the offset convention of some sources (by source name or GUID) instead of
        detecting it.
    allow_external
        Read external source texts anywhere on this machine (``absolute://``, ``file://``,
        absolute paths, ``relative://`` paths leaving the project's folder, an absolute
        ``basePath``). By default only ``.txt`` files inside the project's folder are read;
        a project is a file from someone else and must not pull other files into a case.
    """
    p = Path(path)
    if p.suffix.lower() == ".qde":
        data = read_bytes(p, kind="qda", error=QdaFormatError)
        return parse_project(
            data,
            {},
            file=p,
            base=p.parent,
            conventions=conventions,
            allow_external=allow_external,
        )
    check_input(p, kind="qda", error=QdaFormatError)  # a regular file: no FIFO, no device
    if limits is None:  # uncompressed content capped like every input (docs/safety.md)
        limits = ArchiveLimits(max_total=size_cap("qda"))
    entries = read_archive(p, limits=limits)
    qde = [n for n in entries if "/" not in n and n.lower().endswith(".qde")]
    if not qde:
        raise QdaFormatError(
            "the archive holds no project.qde",
            file=p,
            fix="export the project again as a REFI-QDA project (.qdpx)",
        )
    if len(qde) > 1:
        raise QdaFormatError(
            f"the archive holds {len(qde)} .qde files ({', '.join(qde)}); REFI-QDA allows one",
            file=p,
            fix="export the project again",
        )
    files = {n: b for n, b in entries.items() if n != qde[0]}
    return parse_project(
        entries[qde[0]],
        files,
        file=p,
        base=p.parent,
        conventions=conventions,
        allow_external=allow_external,
    )


class _Ctx:
    """Parsing state: the namespace, the file for messages, and every GUID seen."""

    def __init__(self, ns: str, file: Path) -> None:
        self.ns = ns
        self.file = file
        self.guids: dict[str, str] = {}
        self.var_names: dict[str, str] = {}
        self.allow_external = False

    def q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}" if self.ns else tag

    def children(self, el: Any, tag: str) -> Iterator[Any]:
        return iter(el.findall(self.q(tag)))

    def child(self, el: Any, tag: str) -> Any:
        return el.find(self.q(tag))

    def text(self, el: Any, tag: str) -> str:
        c = el.find(self.q(tag))
        return (c.text or "") if c is not None else ""

    def guid(self, el: Any, what: str) -> str:
        raw = el.get("guid")
        if not raw:
            raise QdaFormatError(
                f"a {what} has no guid",
                file=self.file,
                place=self.where(el),
                fix="export the project again",
            )
        g = normalise_guid(raw)
        if g in self.guids:
            raise QdaFormatError(
                f"duplicate GUID {raw!r}: used by a {self.guids[g]} and a {what}",
                file=self.file,
                place=self.where(el),
                fix="every object needs its own GUID; export the project again from your QDA program",
            )
        self.guids[g] = what
        return g

    def where(self, el: Any) -> str:
        tag = str(el.tag).split("}")[-1]
        name = el.get("name")
        line = el.sourceline
        label = f"<{tag}" + (f' name="{name}"' if name else "") + ">"
        return f"{label} (line {line})" if line else label

    def ref(self, el: Any, what: str, kinds: set[str], place: str | None = None) -> str:
        raw = el.get("targetGUID") or el.get("guid") or ""
        g = normalise_guid(raw)
        if g not in self.guids or self.guids[g] not in kinds:
            raise QdaFormatError(
                f"{what} {raw!r} points to no {' or '.join(sorted(kinds))} in the project",
                file=self.file,
                place=place
                or (self.where(el.getparent()) if el.getparent() is not None else self.where(el)),
                fix="the export is incomplete or damaged; export the project again from your QDA program",
            )
        return g


def parse_project(
    data: bytes,
    files: Mapping[str, bytes],
    *,
    file: str | Path = "project.qde",
    base: Path | None = None,
    conventions: Mapping[str, Convention] | None = None,
    allow_external: bool = False,
) -> QdaProject:
    """Parse the bytes of a ``project.qde`` with the archive's other files.

    ``files`` maps archive entry names (``sources/<GUID>.txt``) to bytes; ``base`` is the
    project's folder, against which ``relative://`` paths resolve (through a relative
    ``Project@basePath`` if there is one). Unless ``allow_external``, external texts must
    lie inside ``base`` (after resolving symbolic links), and ``absolute://``, ``file://``
    and absolute paths are refused (see :func:`read_qdpx`).
    """
    fp = Path(file)
    root = parse_xml(data, file=fp)
    tag = str(root.tag)
    ns = tag[1:].split("}")[0] if tag.startswith("{") else ""
    if tag.split("}")[-1] != "Project":
        raise QdaFormatError(
            f"the root element is <{tag.split('}')[-1]}>, not <Project>",
            file=fp,
            fix="give a REFI-QDA project (.qdpx); a codebook (.qdc) is imported with the codebook commands",
        )
    if ns and not ns.lower().startswith("urn:qda-xml:project"):
        raise QdaFormatError(
            f"unknown namespace {ns!r}",
            file=fp,
            fix=f"a REFI-QDA project uses the namespace {PROJECT_NS}",
        )
    ctx = _Ctx(ns, fp)
    ctx.allow_external = allow_external
    origin = root.get("origin") or ""
    users = tuple(
        QdaUser(guid=ctx.guid(u, "User"), name=u.get("name") or "", id=u.get("id") or "")
        for users_el in ctx.children(root, "Users")
        for u in ctx.children(users_el, "User")
    )
    codes: list[QdaCode] = []
    book = ctx.child(root, "CodeBook")
    if book is not None:
        codes_el = ctx.child(book, "Codes")
        if codes_el is not None:
            _codes(ctx, codes_el, (), None, codes)
    variables: dict[str, str] = {}
    var_el = ctx.child(root, "Variables")
    if var_el is not None:
        for v in ctx.children(var_el, "Variable"):
            variables[ctx.guid(v, "Variable")] = v.get("name") or ""
    ctx.var_names = variables
    # Register every GUID-bearing object before resolving references.
    case_els = [c for cs in ctx.children(root, "Cases") for c in ctx.children(cs, "Case")]
    case_guids = [ctx.guid(c, "Case") for c in case_els]
    src_root = ctx.child(root, "Sources")
    src_els = list(src_root) if src_root is not None else []
    text_els: list[Any] = []
    skipped: list[str] = []
    src_guids: list[str] = []
    for s in src_els:
        kind = str(s.tag).split("}")[-1]
        if not isinstance(s.tag, str):
            continue
        g = ctx.guid(s, kind)
        if kind == "TextSource":
            text_els.append(s)
            src_guids.append(g)
        else:
            skipped.append(f"{kind} {s.get('name') or g}")
    for s in text_els:
        for sel in ctx.children(s, "PlainTextSelection"):
            ctx.guid(sel, "PlainTextSelection")
            for c in ctx.children(sel, "Coding"):
                ctx.guid(c, "Coding")
        for c in ctx.children(s, "Coding"):
            ctx.guid(c, "Coding")
    note_els = [n for ns_el in ctx.children(root, "Notes") for n in ctx.children(ns_el, "Note")]
    note_guids = [ctx.guid(n, "Note") for n in note_els]
    set_els = [x for xs in ctx.children(root, "Sets") for x in ctx.children(xs, "Set")]
    set_guids = [ctx.guid(x, "Set") for x in set_els]
    link_els = [x for xs in ctx.children(root, "Links") for x in ctx.children(xs, "Link")]
    link_guids = [ctx.guid(x, "Link") for x in link_els]
    graphs = [x for xs in ctx.children(root, "Graphs") for x in ctx.children(xs, "Graph")]
    for gr in graphs:
        ctx.guid(gr, "Graph")
        for v in list(ctx.children(gr, "Vertex")) + list(ctx.children(gr, "Edge")):
            ctx.guid(v, str(v.tag).split("}")[-1])
    user_guids = {u.guid for u in users}

    base_path = root.get("basePath") or ""
    forced = {normalise_guid(k) if _looks_guid(k) else k: v for k, v in (conventions or {}).items()}
    sources = tuple(
        _text_source(ctx, s, g, files, base_path, base, origin, user_guids, forced)
        for s, g in zip(text_els, src_guids, strict=True)
    )
    cases = tuple(_case(ctx, c, g, variables) for c, g in zip(case_els, case_guids, strict=True))
    notes = tuple(
        QdaNote(
            guid=g,
            name=n.get("name") or "",
            text=_inline_or_file(ctx, n, files, base_path, base)[0],
        )
        for n, g in zip(note_els, note_guids, strict=True)
    )
    sets = tuple(
        QdaSet(
            guid=g,
            name=x.get("name") or "",
            description=ctx.text(x, "Description"),
            members=tuple(
                ctx.ref(m, "a set member", {"Code", "TextSource", "Note", *_OTHER_SOURCES})
                for tagname in ("MemberCode", "MemberSource", "MemberNote")
                for m in ctx.children(x, tagname)
            ),
        )
        for x, g in zip(set_els, set_guids, strict=True)
    )
    links = tuple(
        QdaLink(
            guid=g,
            name=x.get("name") or "",
            direction=x.get("direction") or "",
            origin=normalise_guid(x.get("originGUID")) if x.get("originGUID") else None,
            target=normalise_guid(x.get("targetGUID")) if x.get("targetGUID") else None,
        )
        for x, g in zip(link_els, link_guids, strict=True)
    )
    for x in link_els:
        for attr in ("originGUID", "targetGUID"):
            if x.get(attr) and normalise_guid(x.get(attr)) not in ctx.guids:
                raise QdaFormatError(
                    f"link {attr} {x.get(attr)!r} points to nothing in the project",
                    file=fp,
                    place=ctx.where(x),
                    fix="the export is incomplete or damaged; export the project again",
                )
    return QdaProject(
        name=root.get("name") or "",
        origin=origin,
        description=ctx.text(root, "Description"),
        file=str(fp),
        users=users,
        codes=tuple(codes),
        sources=sources,
        cases=cases,
        variables=variables,
        notes=notes,
        sets=sets,
        links=links,
        graphs=len(graphs),
        skipped_sources=tuple(skipped),
    )


_OTHER_SOURCES = {"PDFSource", "PictureSource", "AudioSource", "VideoSource"}
_GUID_RE = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)


def _looks_guid(s: str) -> bool:
    return bool(_GUID_RE.match(s))


def _codes(
    ctx: _Ctx, el: Any, path: tuple[str, ...], parent: str | None, out: list[QdaCode]
) -> None:
    for c in ctx.children(el, "Code"):
        g = ctx.guid(c, "Code")
        name = c.get("name")
        if name is None:
            raise QdaFormatError(
                "a code has no name",
                file=ctx.file,
                place=ctx.where(c),
                fix="export the project again",
            )
        here = (*path, name)
        out.append(
            QdaCode(
                guid=g,
                name=name,
                path=here,
                parent=parent,
                description=ctx.text(c, "Description"),
                codable=(c.get("isCodable") or "true").lower() != "false",
                color=c.get("color"),
            )
        )
        _codes(ctx, c, here, g, out)


def _variable_values(ctx: _Ctx, el: Any, variables: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for vv in ctx.children(el, "VariableValue"):
        ref = ctx.child(vv, "VariableRef")
        if ref is None:
            continue
        g = ctx.ref(ref, "VariableRef", {"Variable"})
        value = ""
        for child in vv:
            if isinstance(child.tag, str) and str(child.tag).split("}")[-1].endswith("Value"):
                value = (child.text or "").strip()
        out[variables[g]] = value
    return out


def _case(ctx: _Ctx, el: Any, g: str, variables: Mapping[str, str]) -> QdaCase:
    return QdaCase(
        guid=g,
        name=el.get("name") or "",
        description=ctx.text(el, "Description"),
        variables=_variable_values(ctx, el, variables),
        sources=tuple(
            ctx.ref(r, "SourceRef", {"TextSource", *_OTHER_SOURCES})
            for r in ctx.children(el, "SourceRef")
        ),
        codes=tuple(ctx.ref(r, "CodeRef", {"Code"}) for r in ctx.children(el, "CodeRef")),
    )


def _find_entry(files: Mapping[str, bytes], name: str) -> str | None:
    """Find ``sources/<name>`` whatever the folder's case (NVivo writes ``Sources/``)."""
    wanted = name.lower()
    for key in files:
        folder, _, leaf = key.rpartition("/")
        if folder.lower() == "sources" and leaf.lower() == wanted:
            return key
    for key in files:  # some programs put it at the top level
        if key.lower() == wanted:
            return key
    return None


def _archive_entry(files: Mapping[str, bytes], rest: str) -> str | None:
    """The archive entry a relative ``plainTextPath`` names, if the archive holds it.

    The path as written (``sources/a.txt``, ``a.txt``, ``./a.txt``), matched without regard
    to case, then its file name under ``sources/`` or at the top (:func:`_find_entry`).
    Absolute paths and paths with ``..`` never name an entry.
    """
    if not files:
        return None
    rel = rest.replace("\\", "/")
    if _is_absolute(rel):
        return None
    parts = [p for p in PurePosixPath(rel).parts if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    wanted = "/".join(parts).lower()
    for key in files:
        if key.lower() == wanted:
            return key
    return _find_entry(files, parts[-1])


def _inline_or_file(
    ctx: _Ctx, el: Any, files: Mapping[str, bytes], base_path: str, base: Path | None
) -> tuple[str, str, str]:
    """The text of a source or note: ``(text, encoding, location)``."""
    inline = ctx.child(el, "PlainTextContent")
    path = el.get("plainTextPath") or ""
    if inline is not None and not path:
        return inline.text or "", "inline", "PlainTextContent"
    if not path:
        return "", "utf-8", ""
    scheme, sep, rest = path.partition("://")
    if not sep:
        scheme, rest = "relative", path
    scheme = scheme.lower()
    where = ctx.where(el)
    if scheme == "internal":
        leaf = PurePosixPath(rest.replace("\\", "/")).name
        key = _find_entry(files, leaf)
        if key is None:
            raise SourceTextError(
                f"the text file {path!r} is missing from the archive",
                file=ctx.file,
                place=where,
                fix="export the project again with its sources (in NVivo: include the source content)",
            )
        data = files[key]
        location = key
    elif scheme == "relative" and (key := _archive_entry(files, rest)) is not None:
        # QualCoder 1.3.2 writes plainTextPath="board_2017.txt" (no internal://) and puts
        # the text inside the archive under sources/: the archive is looked at first
        data = files[key]
        location = key
    elif scheme in ("relative", "absolute", "file"):
        target = _external_path(ctx, el, path, scheme, rest, base_path, base)
        if target.suffix.lower() != ".txt":
            raise QdaFormatError(
                f"the external plain text {path!r} is not a .txt file; resdep reads no other external files",
                file=ctx.file,
                place=_label(el),
                fix="export the project with its sources embedded (internal://), or point to the .txt rendition",
            )
        if not target.is_file():
            raise SourceTextError(
                f"the external text file {path!r} was not found (looked at {target})",
                file=ctx.file,
                place=_label(el),
                fix="put the file there, or export the project with its sources embedded",
            )
        size = target.stat().st_size
        if size > _MAX_EXTERNAL:
            raise SourceTextError(
                f"the external text file {path!r} is larger than any transcript",
                file=ctx.file,
                place=_label(el),
                fix="check the path in the project",
            )
        data = read_bytes(target, kind="source", error=SourceTextError)
        location = str(target)
    else:
        raise QdaFormatError(
            f"unknown path scheme {scheme!r} in {path!r}",
            file=ctx.file,
            place=where,
            fix="REFI-QDA paths start with internal://, relative:// or absolute://",
        )
    text, encoding = decode_bytes(data, file=f"{ctx.file}:{location}")
    return text, encoding, location


def _label(el: Any) -> str:
    """A source or note for messages: its kind, name and GUID (from the project itself)."""
    kind = {"TextSource": "source", "Note": "note"}.get(str(el.tag).split("}")[-1], "object")
    name = el.get("name")
    guid = el.get("guid") or "?"
    return f"{kind} {name!r} (guid {guid})" if name else f"{kind} guid {guid}"


_EXTERNAL_FIX = (
    "export the project with its sources embedded (internal://), or put the .txt files in "
    "the project's folder; if you trust this project, pass --allow-external-sources "
    "(Python: allow_external=True)"
)


def _is_absolute(path: str) -> bool:
    """Absolute here or on Windows (``/x``, ``\\\\server\\x``, ``C:\\x``, ``C:x``)."""
    return path.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", path))


def _external_path(
    ctx: _Ctx,
    el: Any,
    path: str,
    scheme: str,
    rest: str,
    base_path: str,
    base: Path | None,
) -> Path:
    """Where an external text lies; refuses places outside the project's folder.

    Messages name only what the project says (the path as written), never anything found
    on the machine, so a refusal tells nothing about files outside the folder.
    """
    folder = base if base is not None else Path(".")
    rel = rest.replace("\\", "/")
    if scheme == "relative" and path.lower().startswith("relative://"):
        rel = rel.lstrip("/")  # relative:///a/b.txt is a/b.txt below the base
    if scheme != "relative" or _is_absolute(rel):
        if not ctx.allow_external:
            raise QdaFormatError(
                f"the source text {path!r} is an absolute path outside the project; "
                "resdep reads external texts only inside the project's folder",
                file=ctx.file,
                place=_label(el),
                fix=_EXTERNAL_FIX,
            )
        return Path(unquote(rest) if scheme == "file" else rest)
    if ctx.allow_external:
        return (folder / base_path if base_path else folder) / rel
    target: Path | None
    try:
        inside = folder.resolve()
        anchor = inside
        if base_path:  # used if inside the project's folder; an absolute basePath
            # usually names the exporting machine's folder: then look in the project's
            here = (inside / base_path.replace("\\", "/")).resolve()
            if here.is_relative_to(inside):
                anchor = here
        target = (anchor / rel).resolve()
    except (OSError, RuntimeError):  # a symbolic link loop
        target = None
        inside = folder
    if target is None or not target.is_relative_to(inside):
        raise QdaFormatError(
            f"the source text {path!r} lies outside the project's folder; "
            "resdep reads external texts only inside it",
            file=ctx.file,
            place=_label(el),
            fix=_EXTERNAL_FIX,
        )
    return target


def _text_source(
    ctx: _Ctx,
    el: Any,
    g: str,
    files: Mapping[str, bytes],
    base_path: str,
    base: Path | None,
    origin: str,
    user_guids: set[str],
    forced: Mapping[str, Convention],
) -> QdaSource:
    text, encoding, location = _inline_or_file(ctx, el, files, base_path, base)
    name = el.get("name") or g
    raw: list[tuple[Any, int, int, str]] = []
    for sel in ctx.children(el, "PlainTextSelection"):
        try:
            s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            raise QdaFormatError(
                f"startPosition {sel.get('startPosition')!r} / endPosition {sel.get('endPosition')!r} are not whole numbers",
                file=ctx.file,
                place=f"source {name!r}, {ctx.where(sel)}",
                fix="export the project again",
            ) from None
        raw.append((sel, s, e, sel.get("name") or ""))
    if raw and not location:
        raise SourceTextError(
            "the source has coded selections but no plain text (no plainTextPath or PlainTextContent)",
            file=ctx.file,
            place=f"source {name!r}",
            fix="export the project again with plain-text renditions of its sources",
        )
    # an offset table only for a source with selections (a few bytes per character)
    units = OffsetUnits(text) if raw else None
    prior = forced.get(g) or forced.get(name) or convention_for_origin(origin)
    detection = detect_convention(
        text,
        [(s, e, n) for _, s, e, n in raw],
        prior=prior,
        # resdep writes code points, so its own exports need no guessing
        force=prior
        if (g in forced or name in forced)
        else (Convention.CODE_POINTS if origin.lower().startswith("resdep") else None),
        units=units,
    )
    conv = detection.convention
    selections: list[QdaSelection] = []
    b = units.boundaries(conv) if units is not None else np.zeros(1, dtype=np.int64)
    for k, (sel, s, e, sel_name) in enumerate(raw):
        assert units is not None  # raw is not empty
        if not (0 <= s <= e <= b[-1]):
            raise SourceTextError(
                f"the selection {s}–{e} lies outside the text ({units.length(conv)} units as {conv.value}; {len(text)} characters)"
                + (
                    ""
                    if k not in detection.unfit_anywhere
                    else ", under every known offset convention"
                ),
                file=ctx.file,
                place=f"source {name!r}, {ctx.where(sel)} guid {sel.get('guid')}",
                fix="delete or correct that coding in your QDA program and export again",
            )
        # Offsets inside a character (rare misfits) widen to whole characters.
        cs = int(np.searchsorted(b, s, side="right")) - 1
        ce = int(np.searchsorted(b, e, side="left"))
        sel_user = _user(sel.get("creatingUser"), user_guids)
        codings = tuple(
            QdaCoding(
                guid=normalise_guid(c.get("guid")),
                code=_code_ref(ctx, c, f"source {name!r}, {ctx.where(sel)} guid {sel.get('guid')}"),
                user=_user(c.get("creatingUser"), user_guids) or sel_user,
            )
            for c in ctx.children(sel, "Coding")
        )
        selections.append(
            QdaSelection(
                guid=normalise_guid(sel.get("guid")),
                name=sel_name,
                start=cs,
                end=ce,
                raw_start=s,
                raw_end=e,
                user=sel_user,
                description=ctx.text(sel, "Description"),
                codings=codings,
            )
        )
    return QdaSource(
        guid=g,
        name=name,
        text=text,
        encoding=encoding,
        location=location,
        description=ctx.text(el, "Description"),
        variables=_variable_values(ctx, el, ctx.var_names),
        selections=tuple(selections),
        detection=detection,
    )


def _code_ref(ctx: _Ctx, coding: Any, place: str) -> str:
    ref = ctx.child(coding, "CodeRef")
    if ref is None:
        raise QdaFormatError(
            "a <Coding> has no <CodeRef>",
            file=ctx.file,
            place=ctx.where(coding.getparent()),
            fix="export the project again",
        )
    return ctx.ref(ref, "CodeRef", {"Code"}, place)


def _user(raw: str | None, user_guids: set[str]) -> str | None:
    if not raw:
        return None
    return normalise_guid(raw)
