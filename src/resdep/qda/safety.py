"""Reading untrusted REFI-QDA files without harming the machine.

A ``.qdpx`` file is a ZIP archive written by another program, possibly by someone who
wishes the reader harm. :func:`read_archive` reads its entries into memory (nothing is
extracted to disk) after checking every name for path traversal (``..``, absolute paths,
drive letters) and bounding the total uncompressed size, each entry's size and the
compression ratio *before* decompressing, and again while decompressing (the sizes in a
ZIP directory can lie). :func:`parse_xml` parses XML with entity expansion, external
entities, DTD loading and network access disabled.

Examples
--------
>>> root = parse_xml(b'<a xmlns="urn:x"><b>1</b></a>', file="t.xml")
>>> root.tag
'{urn:x}a'
>>> parse_xml(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', file="t.xml")
Traceback (most recent call last):
...
resdep.errors.QdaFormatError: t.xml: the XML declares entities (a DTD), which REFI-QDA files never need and which can be used to attack the reader. Fix: export the project again from your QDA program; do not use a file of unknown origin
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from resdep.errors import QdaFormatError

__all__ = [
    "ArchiveLimits",
    "check_guid_map",
    "normalise_guid",
    "parse_xml",
    "read_archive",
    "safe_member_name",
]

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveLimits:
    """Bounds applied to a ZIP archive before and while reading it.

    Attributes
    ----------
    max_total
        Total uncompressed bytes of all entries read (default 2 GiB, the REFI-QDA limit
        for one internal file).
    max_entry
        Uncompressed bytes of one entry (default 2^31 − 1, REFI-QDA's limit).
    max_ratio
        Uncompressed / compressed size of one entry larger than 1 MiB (default 200; text
        compresses about 3–10 times, bombs by thousands).
    max_entries
        Number of entries (default 100,000).
    """

    max_total: int = 2 * 1024**3
    max_entry: int = 2**31 - 1
    max_ratio: float = 200.0
    max_entries: int = 100_000


def safe_member_name(name: str, *, file: str | Path = "<archive>") -> str:
    """Check a ZIP entry name and return it normalised (forward slashes, no ``./``).

    Raises :class:`~resdep.errors.QdaFormatError` for absolute paths, drive letters and
    any ``..`` component.

    Examples
    --------
    >>> safe_member_name("Sources/a.txt")
    'Sources/a.txt'
    >>> safe_member_name("../../etc/passwd")
    Traceback (most recent call last):
    ...
    resdep.errors.QdaFormatError: <archive>, entry '../../etc/passwd': the archive entry points outside the archive (path traversal). Fix: do not open this file; export the project again from your QDA program
    """
    raw = name.replace("\\", "/")
    parts = raw.split("/")
    if raw.startswith("/") or _DRIVE.match(raw) or ".." in parts or "\x00" in raw:
        raise QdaFormatError(
            "the archive entry points outside the archive (path traversal)",
            file=file,
            place=f"entry {name!r}",
            fix="do not open this file; export the project again from your QDA program",
        )
    return posixpath.normpath(raw) if raw not in ("", ".") else raw


def read_archive(path: str | Path, *, limits: ArchiveLimits | None = None) -> dict[str, bytes]:
    """Read every file entry of a ZIP archive into memory, safely.

    Parameters
    ----------
    path
        The archive (a ``.qdpx`` file).
    limits
        Size and ratio bounds; :class:`ArchiveLimits` defaults if omitted.

    Returns
    -------
    dict
        Entry name (normalised, forward slashes) → bytes; folders are left out.

    Examples
    --------
    >>> import tempfile, zipfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.qdpx"
    >>> with zipfile.ZipFile(p, "w") as z:
    ...     z.writestr("project.qde", "<Project/>")
    >>> read_archive(p)
    {'project.qde': b'<Project/>'}
    """
    lim = limits or ArchiveLimits()
    p = Path(path)
    try:
        zf = zipfile.ZipFile(p)
    except FileNotFoundError:
        raise QdaFormatError("file not found", file=p, fix="check the path") from None
    except IsADirectoryError:
        raise QdaFormatError(
            "is a folder, not a .qdpx file", file=p, fix="name the exported .qdpx file"
        ) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise QdaFormatError(
            f"not a ZIP archive, as a {p.suffix or 'REFI-QDA'} file must be: {exc}",
            file=p,
            fix="export or save the file again (a REFI-QDA project is a .qdpx file)",
        ) from None
    out: dict[str, bytes] = {}
    with zf:
        infos = zf.infolist()
        if len(infos) > lim.max_entries:
            raise QdaFormatError(
                f"the archive holds {len(infos)} entries (limit {lim.max_entries})",
                file=p,
                fix="this is not a plausible QDA project; check where it came from",
            )
        declared = 0
        for info in infos:
            name = safe_member_name(info.filename, file=p)
            if info.is_dir():
                continue
            _check_sizes(info.file_size, info.compress_size, info.filename, lim, p)
            declared += info.file_size
            if declared > lim.max_total:
                raise QdaFormatError(
                    f"the archive holds more than {lim.max_total:,} bytes in total "
                    "(uncompressed), the cap for QDA projects",
                    file=p,
                    place=f"entry {info.filename!r}",
                    fix="if the project is right, raise the cap with --max-file-mb N "
                    "(or RESDEP_MAX_FILE_MB=N)",
                )
            if name in out:
                raise QdaFormatError(
                    "the archive holds two entries with the same name",
                    file=p,
                    place=f"entry {info.filename!r}",
                    fix="export the project again from your QDA program",
                )
            out[name] = _read_bounded(zf, info, lim, p)
    return out


def _check_sizes(size: int, compressed: int, name: str, lim: ArchiveLimits, p: Path) -> None:
    if size > lim.max_entry:
        raise _bomb(p, name, f"{size} bytes uncompressed (limit {lim.max_entry})")
    if size > 1024**2 and size > lim.max_ratio * max(compressed, 1):
        raise _bomb(p, name, f"compression ratio {size / max(compressed, 1):.0f}:1")


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, lim: ArchiveLimits, p: Path) -> bytes:
    """Decompress one entry, stopping as soon as it exceeds its declared size."""
    buf = io.BytesIO()
    budget = min(info.file_size, lim.max_entry)
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                buf.write(chunk)
                if buf.tell() > budget:
                    raise _bomb(p, info.filename, "it decompresses to more than its declared size")
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise QdaFormatError(
            f"cannot read the archive entry: {exc}",
            file=p,
            place=f"entry {info.filename!r}",
            fix="the file is damaged or uses an unsupported compression; export it again",
        ) from None
    return buf.getvalue()


def _bomb(p: Path, name: str, why: str) -> QdaFormatError:
    return QdaFormatError(
        f"refusing to decompress the archive entry: {why} (a decompression bomb?)",
        file=p,
        place=f"entry {name!r}",
        fix="do not open this file; export the project again from your QDA program",
    )


def parse_xml(data: bytes, *, file: str | Path = "<xml>") -> Any:
    """Parse untrusted XML bytes into an lxml element, refusing DTDs and entities.

    No DTD is loaded, no entity is expanded, no network is touched, and huge trees are
    refused; a document that declares a DTD at all is rejected (REFI-QDA never needs one).
    """
    head = data[:65536]
    if any(
        m in head
        for m in (
            b"<!DOCTYPE",
            b"<!ENTITY",
            "<!DOCTYPE".encode("utf-16-le"),
            "<!DOCTYPE".encode("utf-16-be"),
        )
    ):
        raise _dtd_error(file)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser=parser)
        tree = root.getroottree()
    except etree.XMLSyntaxError as exc:
        raise QdaFormatError(
            f"not well-formed XML: {exc}",
            file=file,
            fix="export the project again from your QDA program",
        ) from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise _dtd_error(file)
    return root


def _dtd_error(file: str | Path) -> QdaFormatError:
    return QdaFormatError(
        "the XML declares entities (a DTD), which REFI-QDA files never need and which can be used to attack the reader",
        file=file,
        fix="export the project again from your QDA program; do not use a file of unknown origin",
    )


def check_guid_map(
    ids: Mapping[str, Any], guid: str, what: str, file: str | Path, place: str
) -> Any:
    """Look up a GUID, raising a clear error when it points nowhere."""
    key = normalise_guid(guid)
    if key not in ids:
        raise QdaFormatError(
            f"{what} GUID {guid!r} points to nothing in the project",
            file=file,
            place=place,
            fix="the export is incomplete or damaged; export the project again",
        )
    return ids[key]


def normalise_guid(guid: str) -> str:
    """Lower-case a GUID and drop braces: ``{ABC-...}`` and ``abc-...`` are the same.

    Examples
    --------
    >>> normalise_guid("{0D62985D-B147-5D01-A9B5-CAE5DCD98342}")
    '0d62985d-b147-5d01-a9b5-cae5dcd98342'
    """
    return guid.strip().strip("{}").lower()
