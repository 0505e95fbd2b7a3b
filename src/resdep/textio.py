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
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from resdep.errors import OutputExistsError, SourceTextError

__all__ = ["OUTPUT_MARKER", "atomic_dir", "atomic_write_text", "decode_bytes", "read_text"]


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


def read_text(path: str | Path) -> tuple[str, str]:
    """Read a text file, detecting its encoding; returns ``(text, encoding)``.

    Raises :class:`~resdep.errors.SourceTextError` if the file is missing or cannot be
    decoded.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise SourceTextError(
            "file not found",
            file=p,
            fix="check the path (paths in case.toml are relative to the case folder)",
        ) from None
    except IsADirectoryError:
        raise SourceTextError("is a folder, not a file", file=p, fix="name a text file") from None
    return decode_bytes(data, file=p)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write a text file atomically (a temporary file in the same folder, then rename)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: A file every resdep output folder holds; ``--force`` replaces only folders that have it.
OUTPUT_MARKER = ".resdep-output"


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


@contextmanager
def atomic_dir(out: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Build an output folder in a temporary sibling, then move it into place.

    An existing non-empty ``out`` is refused unless ``force`` is given, in which case
    it is replaced as a whole once the new one is complete (never mixed with it). Even
    with ``force``, a folder is replaced only if resdep wrote it (it holds the marker
    file :data:`OUTPUT_MARKER`, or a ``run.json``), and never the current folder, the
    home folder or one of their parents: a mistyped ``--out`` cannot delete inputs. If
    anything fails, ``out`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> with atomic_dir(target) as tmp:
    ...     _ = (tmp / "a.csv").write_text("x\\n")
    >>> sorted(p.name for p in target.iterdir())
    ['.resdep-output', 'a.csv']
    """
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise OutputExistsError(f"{target} exists and is not a folder; choose another --out")
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise OutputExistsError(
                f"{target} already holds files; choose another --out, or pass --force to replace it"
            )
        reason = _protected(target)
        if reason is not None:
            raise OutputExistsError(f"refusing to replace {target}: {reason}; choose another --out")
        if not ((target / OUTPUT_MARKER).exists() or (target / "run.json").exists()):
            raise OutputExistsError(
                f"refusing to replace {target}: it holds files resdep did not write "
                "(--force only replaces earlier resdep outputs); choose another --out"
            )
    if not target.name:
        raise OutputExistsError(f"{out!s} names no folder; choose another --out")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; results are for colleagues to open
    (tmp / OUTPUT_MARKER).write_text(
        "written by resdep; --force may replace this folder\n", encoding="utf-8"
    )
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old: Path | None = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
