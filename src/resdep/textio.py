"""Reading text files whose encoding the user may not know, and writing outputs safely.

Transcripts from Chinese fieldwork arrive as UTF-8, UTF-8 with a byte-order mark,
GB18030/GBK (Windows Chinese editions) or UTF-16 (Word "Unicode text"). :func:`read_text`
detects which, decodes, and drops a leading byte-order mark (it is not part of the text,
so offsets count from the first real character). Line ends are kept as they are: offsets
in a case folder refer to the text exactly as stored.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.txt").write_bytes("问：街道依赖我们的社工。".encode("gb18030"))
>>> text, enc = read_text(d / "a.txt")
>>> text[:3], enc
('问：街', 'gb18030')
"""

from __future__ import annotations

import codecs
import csv
import ctypes
import errno
import glob
import json
import os
import shutil
import signal
import socket
import stat
import sys
import tempfile
import threading
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

from resdep.errors import (
    InputError,
    OutputExistsError,
    OutputPathError,
    SourceTextError,
    UnsafeInputError,
)

__all__ = [
    "MARKER_FORMAT",
    "MAX_FILE_MB_ENV",
    "OUTPUT_MARKER",
    "SIZE_CAPS_MB",
    "atomic_dir",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_input",
    "check_out",
    "clean_stale",
    "confine",
    "current_umask",
    "decode_bytes",
    "info_is_resdep",
    "load_toml",
    "make_readable",
    "open_binary",
    "os_error_fix",
    "read_bytes",
    "read_marker",
    "read_text",
    "size_cap",
]


def decode_bytes(data: bytes, *, file: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode bytes of a text file, detecting UTF-8 (with or without BOM), UTF-16 or GB18030.

    Returns the text (without a byte-order mark) and the encoding's name.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", file), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", file).lstrip("\ufeff"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # UTF-16 without a BOM: many NUL bytes in alternating positions
    if len(data) >= 4 and data.count(b"\x00") > len(data) // 4:
        even = data[0::2].count(b"\x00")
        odd = data[1::2].count(b"\x00")
        enc = "utf-16-le" if odd > even else "utf-16-be"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_chinese(text):
        return text, "gb18030"
    guess = _guess(data)
    raise SourceTextError(
        "cannot decode this file as UTF-8, UTF-16 or GB18030/GBK"
        + (f" (it looks like {guess})" if guess else ""),
        file=file,
        fix="save it as UTF-8 (in most editors: Save As → Encoding: UTF-8) and try again",
    )


def _strict(data: bytes, encoding: str, file: str | Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceTextError(
            f"the file declares {encoding} by its byte-order mark but byte {exc.start} is invalid",
            file=file,
            fix="re-save the file as UTF-8",
        ) from None


def _looks_chinese(text: str) -> bool:
    """Whether a GB18030 decoding is plausible.

    Western text in cp1252 or Latin-1 also decodes as GB18030, into rare characters
    ('naïve' becomes 'na飗e'); real Chinese text is mostly common characters. So at least
    80% of the non-ASCII characters must be in GB2312 (the 6,763 common simplified
    characters and CJK punctuation), or charset-normalizer must agree it is Chinese.
    """
    wide = [ch for ch in text if not ch.isascii()]
    if not wide:
        return True
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    if common / len(wide) >= 0.8:
        return True
    guess = _guess(text.encode("gb18030"))
    return guess is not None and guess.lower().replace("_", "") in {
        "gb18030",
        "gbk",
        "gb2312",
        "hz",
    }


def _guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(data).best()
    return None if best is None else str(best.encoding)


#: Environment variable that raises (or lowers) every input size cap, in megabytes.
MAX_FILE_MB_ENV = "RESDEP_MAX_FILE_MB"

#: Default size caps of inputs by kind, in megabytes (see ``docs/safety.md``).
SIZE_CAPS_MB: dict[str, int] = {
    "source": 64,
    "codings": 64,
    "case": 4,
    "records": 1024,
    "spec": 4,
    "qda": 512,
    "file": 256,
}


def size_cap(kind: str) -> int:
    """The size cap in bytes for inputs of ``kind``; :data:`MAX_FILE_MB_ENV` overrides it.

    Examples
    --------
    >>> size_cap("source") == 64 * 1024 * 1024
    True
    """
    raw = os.environ.get(MAX_FILE_MB_ENV, "").strip()
    if raw:
        try:
            mb = float(raw)
        except ValueError:
            mb = -1.0
        if not (0 < mb < 1e9):
            raise UnsafeInputError(
                f"{MAX_FILE_MB_ENV}={raw!r} is not a size in megabytes",
                place="environment",
                fix=f"set {MAX_FILE_MB_ENV} to a positive number, e.g. 2048",
            )
        return int(mb * 1024 * 1024)
    return SIZE_CAPS_MB.get(kind, SIZE_CAPS_MB["file"]) * 1024 * 1024


def _raise_csv_limit() -> None:
    # inputs are size-capped, so a cell may be as long as a file (default limit 131,072)
    limit = 2**31 - 1
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)


def confine(
    path: str | Path,
    root: str | Path,
    *,
    what: str = "file",
    place: str | None = None,
    error: type[InputError] = UnsafeInputError,
) -> Path:
    """Resolve ``path`` (links included) and require it to lie inside ``root``.

    Absolute paths, ``..`` and links pointing out of ``root`` are refused; the message
    names the path as written, never what is outside.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> confine("a.txt", d) == (d / "a.txt").resolve()
    True
    >>> confine("../x.txt", d)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    resdep.errors.UnsafeInputError: ...points outside the case folder...
    """
    rel = Path(path)
    base = Path(root)
    _check_input_path(rel, base / rel)
    try:
        target = (base / rel).resolve()
        inside = target.is_relative_to(base.resolve())
    except (RuntimeError, OSError) as exc:  # a link loop
        raise error(
            f"the {what} path {str(rel)!r} cannot be resolved ({_reason(exc)})",
            file=base,
            place=place,
            fix="fix or remove the symbolic link",
        ) from None
    if rel.is_absolute() or ".." in rel.parts or not inside:
        raise error(
            f"the {what} path {str(rel)!r} points outside the case folder",
            file=base,
            place=place,
            fix="copy the file into the case folder and name it by a relative path",
        )
    return target


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _check_input_path(p: Path, shown: Path) -> None:
    text = str(p)
    if "\x00" in text:
        raise UnsafeInputError(
            "the path contains a NUL character",
            file=str(shown).replace("\x00", "\\0"),
            fix="name the file without control characters",
        )


def read_bytes(
    path: str | Path,
    *,
    kind: str = "file",
    root: str | Path | None = None,
    error: type[InputError] = UnsafeInputError,
) -> bytes:
    """Read an input file safely; every input resdep reads goes through here.

    Only regular files are read: a FIFO, device or socket is refused before it is
    opened (and the file is opened non-blocking, so a FIFO swapped in meanwhile cannot
    hang the run). Files larger than :func:`size_cap` of ``kind`` are refused with a
    message naming the cap and :data:`MAX_FILE_MB_ENV`. With ``root``, ``path`` must
    resolve (links included) inside ``root``.

    Examples
    --------
    >>> import os, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("hi")
    >>> read_bytes(d / "a.txt")
    b'hi'
    >>> os.mkfifo(d / "pipe")
    >>> read_bytes(d / "pipe")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    resdep.errors.UnsafeInputError: ...: not a regular file (a FIFO)...
    """
    p = Path(path)
    _check_input_path(p, p)
    if root is not None:
        base = Path(root)
        rel = p.relative_to(base) if p.is_relative_to(base) else p
        confine(rel, base, error=error)
    cap = check_input(p, kind=kind, error=error)
    with _open_regular(p, error) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        _too_large(p, len(data), cap, kind, error)
    _raise_csv_limit()
    return data


def check_input(
    path: str | Path, *, kind: str = "file", error: type[InputError] = UnsafeInputError
) -> int:
    """Check, without opening it, that ``path`` is a regular file within its size cap.

    Returns the cap in bytes (for readers that stream). FIFOs, devices and sockets are
    refused here, before anything could block on them.
    """
    p = Path(path)
    _check_input_path(p, p)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise error(
            "file not found",
            file=p,
            fix="check the path (paths in case.toml are relative to the case folder)",
        ) from None
    except OSError as exc:
        raise error(
            f"cannot read: {_reason(exc)}", file=p, fix=os_error_fix(exc.errno) or "check the path"
        ) from None
    _check_regular(st.st_mode, p, error)
    cap = size_cap(kind)
    if st.st_size > cap:
        _too_large(p, st.st_size, cap, kind, error)
    return cap


def open_binary(
    path: str | Path, *, kind: str = "file", error: type[InputError] = UnsafeInputError
) -> BinaryIO:
    """Open an input for reading in binary after :func:`check_input` (non-blocking open)."""
    p = Path(path)
    check_input(p, kind=kind, error=error)
    return _open_regular(p, error)


def _open_regular(p: Path, error: type[InputError]) -> BinaryIO:
    """Open ``p`` without blocking (a FIFO swapped in after the check cannot hang us),
    require a regular file on the open descriptor, then switch to blocking reads."""
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(
            f"cannot open: {_reason(exc)}", file=p, fix=os_error_fix(exc.errno) or "check the file"
        ) from None
    try:
        _check_regular(os.fstat(fd).st_mode, p, error)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _check_regular(mode: int, p: Path, error: type[InputError]) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise error("is a folder, not a file", file=p, fix="name a file")
    what = (
        "a FIFO"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a plain file"
    )
    raise error(
        f"not a regular file ({what}); resdep reads only regular files",
        file=p,
        fix="save the content to an ordinary file and name that",
    )


def _too_large(p: Path, size: int, cap: int, kind: str, error: type[InputError]) -> None:
    raise error(
        f"the file is {size / 1048576:.1f} MB; the cap for {kind} files is {cap / 1048576:.0f} MB",
        file=p,
        fix=f"if the file is right, raise the cap with --max-file-mb N (or {MAX_FILE_MB_ENV}=N)",
    )


def read_text(
    path: str | Path, *, kind: str = "source", root: str | Path | None = None
) -> tuple[str, str]:
    """Read a text file safely (:func:`read_bytes`), detecting its encoding.

    Returns ``(text, encoding)``. Raises :class:`~resdep.errors.SourceTextError` if the
    file is missing or cannot be decoded, :class:`~resdep.errors.UnsafeInputError` if it
    is not a regular file, too large or outside ``root``.
    """
    p = Path(path)
    try:
        data = read_bytes(p, kind=kind, root=root)
    except UnsafeInputError as exc:
        if exc.message in ("file not found", "is a folder, not a file"):
            raise SourceTextError(exc.message, file=exc.file, fix=exc.fix) from None
        raise
    return decode_bytes(data, file=p)


def load_toml(
    path: str | Path,
    *,
    kind: str = "case",
    root: str | Path | None = None,
    error: type[InputError] = UnsafeInputError,
) -> dict[str, Any]:
    """Read and parse a TOML file safely (size cap, regular file, bounded nesting).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "deep.toml").write_text("x = " + "[" * 10000 + "]" * 10000)
    >>> load_toml(d / "deep.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    resdep.errors.UnsafeInputError: ...nested too deeply...
    """
    p = Path(path)
    text, _ = read_text(p, kind=kind, root=root)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(
            f"not valid TOML: {exc}", file=p, fix="correct the syntax at that line"
        ) from None
    except RecursionError:
        raise error(
            "arrays or tables are nested too deeply to read",
            file=p,
            fix="flatten the nesting (resdep files need only a few levels)",
        ) from None


def current_umask() -> int:
    """This process's umask (read without changing it, where Linux shows it)."""
    with suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    old = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(old)
    return old


def make_readable(path: str | Path, *, folder: bool = False) -> None:
    """Give ``path`` the mode a plain ``open`` (or ``mkdir``) would: 0666 (0777) less the
    umask. Temporary files and folders are created private (0600/0700), which would hide
    results from colleagues once renamed into place."""
    os.chmod(path, (0o777 if folder else 0o666) & ~current_umask())


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write a file atomically (a temporary file in the same folder, then rename).

    The file gets the mode of a plain ``open`` (0666 less the umask), or keeps the mode of
    the file it replaces.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            os.chmod(tmp, stat.S_IMODE(p.stat().st_mode))
        except FileNotFoundError:
            make_readable(tmp)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write a UTF-8 text file atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


#: A file every resdep output folder holds; ``--force`` replaces only folders that have it.
OUTPUT_MARKER = ".resdep-output"

#: The format id in :data:`OUTPUT_MARKER` (JSON); a marker without it is not trusted.
MARKER_FORMAT = "resdep-output/1"

#: Names that make a folder a case or a project: never replaced, whatever its marker says.
_CASE_NAMES = ("case.toml", "codings.csv")
_PROJECT_SUFFIXES = (".qdpx", ".qde", ".qdc")


def _protected(target: Path) -> str | None:
    """Why ``target`` must never be replaced (it holds the working folder, home or root)."""
    resolved = target.resolve()
    for name, place in (("the current folder", Path.cwd()), ("your home folder", Path.home())):
        here = place.resolve()
        if resolved == here or resolved in here.parents:
            return f"it is or contains {name}"
    if resolved == Path(resolved.anchor):
        return "it is the root of the file system"
    return None


def _check_path_text(target: Path) -> None:
    text = str(target)
    if "\x00" in text:
        raise OutputPathError(
            "the output path contains a NUL character",
            file=text.replace("\x00", "\\0"),
            fix="name the output folder without control characters",
        )
    for part in target.parts:
        if len(os.fsencode(part)) > 255:
            raise OutputPathError(
                f"a name in the output path is {len(os.fsencode(part))} bytes long; "
                "file systems allow 255",
                file=text[:80] + "…",
                fix="choose a shorter --out",
            )


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of an output folder as a dict, or ``None`` if absent or not trusted.

    A marker is trusted only if it is a small regular file (not a link) holding JSON with
    ``"format": "resdep-output/1"``; earlier resdep versions wrote a plain-text marker
    (also into case folders), which is not trusted.
    """
    path = folder / OUTPUT_MARKER
    try:
        st = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > 16 * 1024 * 1024:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != MARKER_FORMAT:
        return None
    return data


def _unlisted(folder: Path, marker: dict[str, Any]) -> list[str]:
    """Entries of ``folder`` the marker does not list as written by resdep."""
    files = set(marker.get("files") or ())
    dirs = set(marker.get("dirs") or ())
    open_dirs = tuple(f"{d}/" for d in marker.get("open_dirs") or ())
    extra: list[str] = []
    for here, dirnames, filenames in os.walk(folder, followlinks=False):
        rel_here = Path(here).relative_to(folder).as_posix()
        for name in dirnames + filenames:
            rel = name if rel_here == "." else f"{rel_here}/{name}"
            if rel == OUTPUT_MARKER or rel in files or rel.startswith(open_dirs):
                continue
            full = Path(here) / name
            if rel in dirs and full.is_dir() and not full.is_symlink():
                continue
            extra.append(rel)
        if len(extra) > 20:
            break
    return extra


def check_out(out: str | Path, *, force: bool = False, inputs: Sequence[str | Path] = ()) -> None:
    """Raise unless :func:`atomic_dir` may write ``out``: call it before any work.

    ``out`` may be absent or an empty folder. With ``force`` it may also be a folder
    resdep wrote as an output: one with a trusted :data:`OUTPUT_MARKER` listing every file
    in it. Never replaced, even with ``force``: a folder holding a case (``case.toml``,
    ``codings.csv``), a REFI-QDA project or any file resdep did not write; the current or
    home folder or a parent of them; a folder holding one of ``inputs`` (or a parent of
    it); a symbolic link.

    Raises
    ------
    OutputExistsError
        If ``out`` holds something that must not be replaced.
    OutputPathError
        If ``out`` cannot name a folder (NUL, a name over 255 bytes, a file in the way).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "case.toml").write_text("[case]\\n")
    >>> check_out(d, force=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    resdep.errors.OutputExistsError: refusing to replace ...: it holds a case (case.toml)...
    """
    target = Path(out)
    _check_path_text(target)
    try:
        resolved = target.resolve()
        sources = [(item, Path(item).resolve()) for item in inputs]
    except (RuntimeError, OSError) as exc:  # a symbolic-link loop
        raise OutputPathError(
            f"the path cannot be resolved ({_reason(exc)})",
            file=target,
            fix="fix or remove the symbolic link, or choose another --out",
        ) from None
    if resolved == Path(resolved.anchor):
        raise OutputExistsError(
            f"refusing to write {out!s}: it is the root of the file system; choose another --out"
        )
    for item, src in sources:
        if resolved == src or resolved in src.parents:
            raise OutputExistsError(
                f"refusing to replace {target}: it holds the input {item} "
                "(an output folder is never an input's folder or a parent of it); "
                "choose another --out"
            )
    if target.is_symlink():
        raise OutputExistsError(
            f"{target} is a symbolic link; resdep does not write through links. "
            "Choose another --out"
        )
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputExistsError(f"{target} exists and is not a folder; choose another --out")
    if not any(target.iterdir()):
        return
    if not force:
        raise OutputExistsError(
            f"{target} already holds files; choose another --out, or pass --force to replace "
            "an earlier resdep output"
        )
    reason = _protected(target)
    if reason is not None:
        raise OutputExistsError(f"refusing to replace {target}: {reason}; choose another --out")
    for name in _CASE_NAMES:
        if (target / name).exists():
            raise OutputExistsError(
                f"refusing to replace {target}: it holds a case ({name}); --force never "
                "replaces a case. Choose another --out"
            )
    marker = read_marker(target)
    if marker is None:
        note = (
            " (its .resdep-output marker is from an earlier resdep or another tool)"
            if (target / OUTPUT_MARKER).exists()
            else ""
        )
        raise OutputExistsError(
            f"refusing to replace {target}: resdep did not write it as an output folder{note}; "
            "--force only replaces earlier resdep outputs. Choose another --out, or delete it "
            "yourself"
        )
    extra = _unlisted(target, marker)
    if extra:
        shown = ", ".join(extra[:5]) + (" …" if len(extra) > 5 else "")
        raise OutputExistsError(
            f"refusing to replace {target}: it holds files resdep did not write ({shown}); "
            "move them out or choose another --out"
        )
    for here, _dirs, filenames in os.walk(target, followlinks=False):
        for name in filenames:
            if name.lower().endswith(_PROJECT_SUFFIXES):
                raise OutputExistsError(
                    f"refusing to replace {target}: it holds a REFI-QDA project "
                    f"({Path(here, name).relative_to(target)}); choose another --out"
                )


def _marker_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _listing(folder: Path) -> dict[str, list[str]]:
    files: list[str] = []
    dirs: list[str] = []
    open_dirs: list[str] = []
    for here, dirnames, filenames in os.walk(folder, followlinks=False):
        rel_here = Path(here).relative_to(folder).as_posix()
        prefix = "" if rel_here == "." else f"{rel_here}/"
        for name in dirnames:
            full = Path(here) / name
            if full.is_symlink():
                files.append(prefix + name)
                continue
            dirs.append(prefix + name)
            if not any(full.iterdir()):
                open_dirs.append(prefix + name)
        for name in filenames:
            if prefix + name != OUTPUT_MARKER:
                files.append(prefix + name)
    return {"files": sorted(files), "dirs": sorted(dirs), "open_dirs": sorted(open_dirs)}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def clean_stale(target: Path) -> list[str]:
    """Remove temporary folders that killed runs left beside ``target``; returns notes.

    A ``.NAME.tmp-*`` folder is removed when its marker says the process that built it (on
    this machine) is gone; one still in use, or from another machine, is reported only.
    """
    notes: list[str] = []
    parent = target.parent
    if not parent.is_dir():
        return notes
    host = socket.gethostname()
    for kind in ("tmp", "old"):
        for leftover in sorted(parent.glob(f".{glob.escape(target.name)}.{kind}-*")):
            if leftover.is_symlink() or not leftover.is_dir():
                continue
            if kind == "tmp":
                info = read_marker(leftover) or {}
                pid = info.get("pid")
                owner_host = info.get("host")
            else:
                pid_text = leftover.name.rsplit("-", 1)[-1]
                pid = int(pid_text) if pid_text.isdigit() else None
                owner_host = host
            if isinstance(pid, int) and owner_host == host and not _pid_alive(pid):
                shutil.rmtree(leftover, ignore_errors=True)
                notes.append(f"removed {leftover.name}, left by an interrupted resdep run")
            elif info_is_resdep(leftover):
                notes.append(
                    f"{leftover.name} is a temporary folder of another resdep run (still "
                    "going, or on another machine); left as it is"
                )
    return notes


def info_is_resdep(folder: Path) -> bool:
    """Whether ``folder`` holds a trusted resdep marker."""
    return read_marker(folder) is not None


def _rename_noreplace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``, failing with ``FileExistsError`` if ``dst`` exists.

    Uses Linux ``renameat2(RENAME_NOREPLACE)`` (atomic); elsewhere, or where the file
    system does not support it, checks first and then renames (``rename`` still refuses a
    non-empty folder, so only an empty one could be lost in that window).
    """
    func = _renameat2()
    if func is not None:
        at_fdcwd = -100
        res = func(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dst), 1)
        if res == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(err, os.strerror(err), str(dst))
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst))
    os.rename(src, dst)


_RENAMEAT2: list[Any] = []


def _renameat2() -> Any:
    if not _RENAMEAT2:
        func = None
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                func = libc.renameat2
                func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
                func.argtypes += [ctypes.c_uint]
                func.restype = ctypes.c_int
            except (OSError, AttributeError):
                func = None
        _RENAMEAT2.append(func)
    return _RENAMEAT2[0]


class _Terminated(SystemExit):
    """Raised in the main thread on SIGTERM so that temporary folders are removed."""


@contextmanager
def _cleanup_on_sigterm() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    owner = os.getpid()

    def handler(signum: int, frame: Any) -> None:
        if os.getpid() != owner:  # a forked worker: die as by default
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise _Terminated(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # pragma: no cover - not the main thread of the interpreter
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _no_sigterm() -> Iterator[None]:
    """Hold SIGTERM back (main thread only) until the block is done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


@contextmanager
def atomic_dir(
    out: str | Path,
    *,
    force: bool = False,
    inputs: Sequence[str | Path] = (),
    marker: bool = True,
) -> Iterator[Path]:
    """Build an output folder in a temporary sibling, then move it into place.

    ``out`` is checked first (:func:`check_out`): it may be absent or empty, or, with
    ``force``, an earlier resdep output folder holding only files resdep wrote; then it is
    replaced as a whole once the new one is complete (never mixed with it). The final move
    never replaces a folder that appeared during the run: the loser gets
    :class:`~resdep.errors.OutputExistsError` and its results are discarded. On an error
    or SIGTERM the temporary folder is removed; ones left by killed runs are removed the
    next time (a note goes to standard error). ``marker`` writes :data:`OUTPUT_MARKER`
    listing every file written (a case folder from ``qda import`` is written without it,
    so that ``--force`` never replaces it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> with atomic_dir(target) as tmp:
    ...     _ = (tmp / "a.csv").write_text("x\\n")
    >>> sorted(p.name for p in target.iterdir())
    ['.resdep-output', 'a.csv']
    >>> read_marker(target)["files"]
    ['a.csv']
    """
    check_out(out, force=force, inputs=inputs)
    target = Path(os.path.abspath(out))  # "." and ".." get a name
    existed = target.is_dir()
    before = target.stat() if existed else None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for note in clean_stale(target):
            print(f"resdep: note: {note}", file=sys.stderr)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    except OSError as exc:
        raise _output_error(exc, target) from None
    owner = os.getpid()
    building = {
        "format": MARKER_FORMAT,
        "state": "building",
        "pid": owner,
        "host": socket.gethostname(),
    }
    try:
        with _cleanup_on_sigterm():
            make_readable(tmp, folder=True)  # mkdtemp makes it private; results are for colleagues
            (tmp / OUTPUT_MARKER).write_text(_marker_text(building), encoding="utf-8")
            yield tmp
            if marker:
                info = {"format": MARKER_FORMAT, "state": "complete", **_listing(tmp)}
                (tmp / OUTPUT_MARKER).write_text(_marker_text(info), encoding="utf-8")
            else:
                (tmp / OUTPUT_MARKER).unlink()
            with _no_sigterm():  # the final moves are not interrupted half-way
                _place(tmp, target, force=force, existed=existed, before=before)
    except BaseException:
        if os.getpid() == owner:
            shutil.rmtree(tmp, ignore_errors=True)
        raise


def _place(
    tmp: Path, target: Path, *, force: bool, existed: bool, before: os.stat_result | None
) -> None:
    """Move the finished ``tmp`` to ``target`` without replacing anything that appeared."""
    appeared = (
        f"{target} appeared while this run was going (another run, or someone created it); "
        "it was left as it is and this run's results were discarded. Run again with "
        "another --out"
    )
    if not existed:
        try:
            _rename_noreplace(tmp, target)
        except FileExistsError:
            raise OutputExistsError(appeared) from None
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                raise OutputExistsError(appeared) from None
            raise
        return
    changed = (
        f"{target} changed while this run was going; it was left as it is and this run's "
        "results were discarded. Run again"
    )
    try:
        now = target.lstat()
    except FileNotFoundError:
        now = None
    if now is not None:
        if before is None or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise OutputExistsError(changed)
        try:
            check_out(target, force=force)
        except OutputExistsError as exc:
            raise OutputExistsError(f"{changed} ({exc})") from None
        if not any(target.iterdir()):
            try:
                os.rmdir(target)  # fails if something was written into it meanwhile
            except OSError:
                raise OutputExistsError(changed) from None
            now = None
    if now is None:
        try:
            _rename_noreplace(tmp, target)
        except (FileExistsError, OSError) as exc:
            if isinstance(exc, FileExistsError) or exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                raise OutputExistsError(appeared) from None
            raise
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    _rename_noreplace(target, old)
    try:
        _rename_noreplace(tmp, target)
    except BaseException:
        with suppress(OSError):
            _rename_noreplace(old, target)
        raise OutputExistsError(appeared) from None
    shutil.rmtree(old, ignore_errors=True)


def _output_error(exc: OSError, target: Path) -> InputError:
    """An :class:`OutputPathError` for an OS error while creating an output."""
    return OutputPathError(
        f"cannot write here: {exc.strerror or exc}",
        file=exc.filename or target,
        fix=_OS_FIX.get(exc.errno or 0, "choose another --out"),
    )


#: What to do about an operating-system error, by errno.
_OS_FIX: dict[int, str] = {
    errno.ENOSPC: "free disk space or choose an --out on another disk",
    errno.EDQUOT: "free space in your quota or choose an --out elsewhere",
    errno.EROFS: "the file system is read-only; choose an --out on a writable disk",
    errno.EACCES: "you may not write there; choose an --out in a folder of yours",
    errno.EPERM: "you may not write there; choose an --out in a folder of yours",
    errno.ENAMETOOLONG: "use a shorter path",
    errno.ELOOP: "a symbolic link in the path points to itself; fix or remove the link",
    errno.ENOTDIR: "a part of the path is a file, not a folder; fix the path",
}


def os_error_fix(err: int | None) -> str | None:
    """The fix for an operating-system error number, if it is the user's to fix.

    Examples
    --------
    >>> import errno
    >>> os_error_fix(errno.ENOSPC)
    'free disk space or choose an --out on another disk'
    >>> os_error_fix(errno.EIO) is None
    True
    """
    return _OS_FIX.get(err or 0)
