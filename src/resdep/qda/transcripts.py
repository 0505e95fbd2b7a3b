"""Transcripts into a case folder: .txt, .md and .docx, any common encoding, one line-end style.

:func:`read_transcript` decodes a file (UTF-8 with or without byte-order mark, UTF-16,
GB18030/GBK: :func:`resdep.textio.decode_bytes`), or extracts the paragraphs (and table
cells) of a Word ``.docx``, and normalises CRLF and CR line ends to LF. :func:`add_sources`
stores the result as UTF-8 under ``sources/`` of a case folder and appends a
``[[source]]`` entry to ``case.toml`` recording what was done.
:func:`split_sentences` cuts Chinese (and Western) text into sentences, the units of
unit-level agreement between coders.

Examples
--------
>>> split_sentences("街道很支持。但是钱少！怎么办？")
[(0, 6), (6, 11), (11, 15)]
>>> text = "他说：“我们离不开社工。”然后走了……好吧"
>>> [text[s:e] for s, e in split_sentences(text)]
['他说：“我们离不开社工。”', '然后走了……', '好吧']
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from resdep.errors import CaseFormatError, OutputExistsError, QdaFormatError, SourceTextError
from resdep.qda.casefolder import _toml as _toml_value
from resdep.qda.safety import ArchiveLimits, read_archive
from resdep.textio import atomic_write_text, check_input, read_text
from resdep.vocab import CaseSourceKind, parse

__all__ = [
    "ABBREVIATIONS",
    "AddedSource",
    "Transcript",
    "add_sources",
    "read_transcript",
    "split_sentences",
]

_SENTENCE = re.compile(r"[^。！？；!?;…\n]*(?:(?:[。！？；!?;]|…+)[”’」』）)\"']*|\n+|$)")
_SUFFIXES = {".txt", ".md", ".docx", ".text", ".markdown"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Transcript:
    """A decoded transcript and what was done to it."""

    path: str
    text: str
    encoding: str
    format: str
    line_ends: int = 0

    def describe(self) -> str:
        """One line for people (and for the comment in ``case.toml``)."""
        how = f"{self.format}, {self.encoding}"
        if self.line_ends:
            how += f", {self.line_ends} CRLF/CR line ends → LF"
        return how


@dataclass(frozen=True, slots=True, kw_only=True)
class AddedSource:
    """A source added to a case folder."""

    id: str
    path: str
    transcript: Transcript


#: Words ending in "." that do not end a sentence (compared in lower case).
ABBREVIATIONS: frozenset[str] = frozenset(
    [
        "e.g.",
        "i.e.",
        "etc.",
        "vs.",
        "cf.",
        "al.",
        "approx.",
        "ca.",
        "dr.",
        "mr.",
        "mrs.",
        "ms.",
        "prof.",
        "st.",
        "jr.",
        "sr.",
        "no.",
        "nos.",
        "vol.",
        "pp.",
        "p.",
        "fig.",
        "ed.",
        "eds.",
        "dept.",
        "govt.",
        "inc.",
        "ltd.",
        "co.",
        "corp.",
        "jan.",
        "feb.",
        "mar.",
        "apr.",
        "jun.",
        "jul.",
        "aug.",
        "sep.",
        "sept.",
        "oct.",
        "nov.",
        "dec.",
        "a.m.",
        "p.m.",
        "u.s.",
        "u.k.",
        "ph.d.",
    ]
)

_LATIN_END = re.compile(r"[.!?][\"')\]’”]*(?=\s|$)")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of a text, in code points, end exclusive.

    A sentence ends after 。！？； (or their ASCII forms), after a run of …, or at a line
    break; closing quotes and brackets stay with their sentence. In Latin script a
    sentence also ends at ``.``, ``!`` or ``?`` followed by a space or the line end,
    except after a common abbreviation (:data:`ABBREVIATIONS`: "e.g.", "Dr.", "Mr.", …)
    or a single-letter initial ("J."); a decimal point ("3.5") is followed by a digit
    and ends nothing. Whitespace-only spans are left out; a space after a sentence end
    begins the next sentence (as after 。).

    Examples
    --------
    >>> text = "Dr. Li met us. The office pays 3.5 staff, e.g. two social workers! Fine."
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['Dr. Li met us.', ' The office pays 3.5 staff, e.g. two social workers!', ' Fine.']
    >>> [("街道依赖我们。我们也依赖街道。")[s:e] for s, e in split_sentences("街道依赖我们。我们也依赖街道。")]
    ['街道依赖我们。', '我们也依赖街道。']
    """
    out: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        if e == s:
            continue
        chunk = text[s:e]
        stripped_end = e - (len(chunk) - len(chunk.rstrip("\n")))
        if chunk.strip():
            out.extend(_latin_sentences(text, s, stripped_end))
    return out


def _latin_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` at Latin sentence ends (see :func:`split_sentences`)."""
    spans: list[tuple[int, int]] = []
    begin = start
    for m in _LATIN_END.finditer(text, start, end):
        if text[m.start()] == ".":
            word = text[begin : m.start() + 1].split()
            last = word[-1].lower() if word else ""
            stem = last.lstrip("(\"'“‘[")
            if stem in ABBREVIATIONS or (len(stem) == 2 and stem[0].isalpha()):
                continue
        spans.append((begin, m.end()))
        begin = m.end()
    spans.append((begin, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _normalise(text: str) -> tuple[str, int]:
    n = text.count("\r\n") + text.replace("\r\n", "").count("\r")
    return text.replace("\r\n", "\n").replace("\r", "\n"), n


def read_transcript(path: str | Path) -> Transcript:
    """Read a .txt, .md or .docx transcript into normalised text (LF line ends)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in _SUFFIXES:
        raise SourceTextError(
            f"cannot read {suffix or 'files without a suffix'} transcripts",
            file=p,
            fix="give .txt, .md or .docx files (save other formats as .docx or UTF-8 text)",
        )
    if not p.exists():
        raise SourceTextError(
            "file not found",
            file=p,
            fix=f"check the path; a relative path is taken from the current folder ({Path.cwd()})",
        )
    if p.is_dir():
        raise SourceTextError("is a folder, not a file", file=p, fix="name the transcript files")
    if suffix == ".docx":
        text, fmt, enc = _docx_text(p), "docx", "docx"
    else:
        raw, enc = read_text(p)
        text, fmt = raw, "markdown" if suffix in (".md", ".markdown") else "text"
    text, n = _normalise(text)
    return Transcript(path=str(p), text=text, encoding=enc, format=fmt, line_ends=n)


_DOCX_FIX = (
    "open it in Word (or LibreOffice Writer) and save it again as a Word document (.docx), "
    "or save it as UTF-8 text (.txt) and add that"
)
_DOCX_UNSAFE_FIX = (
    "do not open this file; ask whoever sent it for the transcript again, "
    "saved as .docx or as UTF-8 text (.txt)"
)


def _docx_text(p: Path) -> str:
    check_input(p, kind="source", error=SourceTextError)  # no FIFO or device, size capped
    try:  # safety first
        entries = read_archive(p, limits=ArchiveLimits(max_total=512 * 1024**2))
    except QdaFormatError as exc:  # its fixes speak of QDA projects; this is a Word file
        unsafe = bool(exc.fix and exc.fix.startswith("do not open"))
        raise SourceTextError(
            exc.message,
            file=p,
            place=exc.place,
            fix=_DOCX_UNSAFE_FIX if unsafe else _DOCX_FIX,
        ) from None
    if "word/document.xml" not in entries:
        raise SourceTextError("not a Word .docx file (no word/document.xml)", file=p, fix=_DOCX_FIX)
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(_zip(entries)))
    except Exception as exc:  # python-docx raises many kinds on damaged files
        raise SourceTextError(f"cannot read the .docx: {exc}", file=p, fix=_DOCX_FIX) from None
    parts: list[str] = [para.text for para in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _zip(entries: dict[str, bytes]) -> bytes:
    """Re-pack checked entries so python-docx never sees the original archive."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _source_id(stem: str) -> str:
    s = re.sub(r"[^\w-]+", "_", stem, flags=re.UNICODE).strip("_")
    return s or "source"


def add_sources(
    case_dir: str | Path,
    files: list[str | Path] | list[Path] | list[str],
    *,
    informant: str | None = None,
    kind: str | None = None,
    language: str | None = None,
    force: bool = False,
) -> list[AddedSource]:
    """Add transcripts to a case folder: text under ``sources/``, entries in ``case.toml``.

    All or nothing: every file is read, decoded and checked first; only then are the
    texts written (to temporary names, renamed into place) and ``case.toml`` last. If any
    file fails, or writing fails, the case folder is left as it was.

    Raises :class:`~resdep.errors.OutputExistsError` if a source file or id already
    exists (unless ``force``: then the text file is replaced and no entry is added twice).
    """
    root = Path(case_dir)
    toml_path = root / "case.toml"
    if not toml_path.is_file():
        raise CaseFormatError(
            "case.toml is missing",
            file=root,
            fix="create the case folder first (see the README for case.toml)",
        )
    toml_text, _ = read_text(toml_path)
    try:
        existing = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseFormatError(
            f"not valid TOML: {exc}", file=toml_path, fix="correct it first"
        ) from None
    known = {str(s.get("id")) for s in existing.get("source", []) if isinstance(s, dict)}
    informants = {str(i.get("id")) for i in existing.get("informant", []) if isinstance(i, dict)}
    if informant and informant not in informants:
        raise CaseFormatError(
            f"informant {informant!r} is not listed in case.toml",
            file=toml_path,
            fix="add an [[informant]] first, or leave out --informant",
        )
    kind_value = (
        parse(CaseSourceKind, kind).value if kind else ("interview" if informant else "document")
    )
    # 1. Read and check everything; nothing is written yet.
    planned: dict[str, tuple[Path, Transcript, str]] = {}
    for f in files:
        t = read_transcript(f)
        sid = _source_id(Path(f).stem)
        if sid in planned:
            raise SourceTextError(
                f"{Path(f).name} and {planned[sid][0].name} would both become source {sid!r}",
                file=f,
                fix="rename one of them (the source id comes from the file name)",
            )
        rel = f"sources/{sid}.txt"
        dest = root / rel
        if (sid in known or dest.exists()) and not force:
            raise OutputExistsError(
                f"source {sid!r} already exists in {root} ({rel}); pass --force to replace its text"
            )
        if dest.is_dir():
            raise OutputExistsError(f"{dest} is a folder; move it away or rename {Path(f).name}")
        planned[sid] = (Path(f), t, rel)
    added: list[AddedSource] = []
    appended: list[str] = []
    for sid, (f, t, rel) in planned.items():
        if sid not in known:
            lines = [
                "",
                f"# added by resdep sources add from {_comment(f.name)} ({t.describe()})",
                "[[source]]",
                f"id = {_toml_value(sid)}",
                f"path = {_toml_value(rel)}",
                f"kind = {_toml_value(kind_value)}",
            ]
            if informant:
                lines.append(f"informant = {_toml_value(informant)}")
            if language:
                lines.append(f"language = {_toml_value(language)}")
            appended.append("\n".join(lines) + "\n")
        added.append(AddedSource(id=sid, path=rel, transcript=t))
    new_toml = None
    if appended:
        sep = "" if toml_text.endswith("\n") else "\n"
        new_toml = toml_text + sep + "".join(appended)
    # 2. Write: texts to temporary names, rename into place, case.toml last; undo on failure.
    _write_all(root, toml_path, {root / rel: t.text for _, t, rel in planned.values()}, new_toml)
    return added


def _comment(text: str) -> str:
    """Text safe inside a one-line TOML comment."""
    return re.sub(r"[\x00-\x1f\x7f]", "?", text)


def _write_all(root: Path, toml_path: Path, texts: dict[Path, str], toml_text: str | None) -> None:
    """Write the texts and then ``case.toml``; on any failure leave the folder as it was."""
    folders = [d for d in {p.parent for p in texts} if not d.exists()]
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path] = {}
    created: list[Path] = []
    try:
        for dest, text in texts.items():
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
            temps[dest] = Path(tmp_name)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        for dest, tmp in temps.items():
            if dest.exists():
                fd, bak_name = tempfile.mkstemp(
                    prefix=f".{dest.name}.", suffix=".old", dir=dest.parent
                )
                os.close(fd)
                try:
                    os.replace(dest, bak_name)
                except BaseException:
                    Path(bak_name).unlink(missing_ok=True)
                    raise
                backups[dest] = Path(bak_name)
            else:
                created.append(dest)
            os.replace(tmp, dest)
        if toml_text is not None:
            atomic_write_text(toml_path, toml_text)
    except BaseException:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        for dest in created:
            dest.unlink(missing_ok=True)
        for dest, bak in backups.items():
            os.replace(bak, dest)
        for d in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                d.rmdir()
        raise
    for bak in backups.values():
        bak.unlink(missing_ok=True)
