"""The case folder as the workbench edits it: revisions, history, atomic writes.

The folder stays the single source of truth: every change is written to the coder's
codings file (``codings.csv``, or ``codings-<coder>.csv`` for a named coder) with
:func:`resdep.textio.atomic_write_text`, after the previous version was copied into
``.resdep-history/`` inside the case. A write names the revision it was based on (a
hash of the file's bytes); if the file changed meanwhile (another tab, another
program) the write is refused with :class:`Conflict`, never merged or overwritten.
Every new version is validated with :func:`resdep.case.load.parse_codings` before it
is written, so the folder stays valid for ``resdep analyze``.

Examples
--------
>>> import shutil, tempfile, pathlib
>>> from resdep.data import founding_case_path
>>> root = pathlib.Path(tempfile.mkdtemp()) / "case"
>>> _ = shutil.copytree(founding_case_path(), root)
>>> store = CaseStore(root)
>>> rows = store.rows()
>>> rev = store.revision()
>>> new = store.write([r for n, r in rows[1:]], expected=rev)
>>> len(store.rows()) == len(rows) - 1, len(store.history())
(True, 1)
>>> try:
...     store.write([], expected=rev)  # a second tab still at the old revision
... except Conflict as exc:
...     print(exc.message)
codings.csv changed since this page loaded it (another tab or program saved it)
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from resdep.case.model import Case, Coding
from resdep.errors import CaseFormatError, InputError
from resdep.textio import atomic_write_text, decode_bytes, read_bytes

__all__ = ["HISTORY_DIR", "CaseStore", "Conflict", "HistoryEntry", "coder_file"]

#: Folder inside the case that keeps every previous version of the codings files.
HISTORY_DIR = ".resdep-history"
_CODER = re.compile(r"^[\w][\w-]{0,39}$")


class Conflict(InputError):
    """A save based on an old revision (another tab or program changed the file)."""


def coder_file(coder: str | None) -> str:
    """The codings file of a coder: ``codings.csv`` for the main coder.

    Examples
    --------
    >>> coder_file(None), coder_file("li")
    ('codings.csv', 'codings-li.csv')
    """
    if not coder:
        return "codings.csv"
    if not _CODER.match(coder):
        raise CaseFormatError(
            f"coder name {coder!r} cannot name a file",
            place="--coder",
            fix="use letters, digits, '_' and '-' (up to 40), e.g. --coder li_ming",
        )
    return f"codings-{coder}.csv"


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryEntry:
    """A kept previous version of a codings file."""

    name: str
    file: str
    saved: str
    rows: int


def _columns() -> tuple[str, ...]:
    from resdep.case.load import CODING_COLUMNS  # read at call time: other areas add columns

    return CODING_COLUMNS


def _revision(data: bytes | None) -> str:
    if data is None:
        return "none"
    return hashlib.sha256(data).hexdigest()[:16]


def rows_of(data: bytes, *, file: str | Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a codings file with their row numbers (1 = first after the header)."""
    text, _ = decode_bytes(data, file=file)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out = []
    for n, row in enumerate(reader, start=1):
        cells = {k: (v or "") for k, v in row.items() if k is not None}
        if any(v.strip() for v in cells.values()):
            out.append((n, cells))
    return out


def csv_text(rows: list[dict[str, str]]) -> str:
    """The codings file of these rows.

    Written through :func:`resdep.csvout.to_csv_text` with ``raw=True``: ``codings.csv``
    is an input whose ``quote`` must equal its slice of the source to the character, so
    a formula-looking quote cannot be prefixed with an apostrophe here.
    """
    import pandas as pd

    from resdep.csvout import to_csv_text

    cols = list(_columns())
    frame = pd.DataFrame(
        {c: [r.get(c, "") for r in rows] for c in cols}, columns=cols, dtype=object
    )
    return to_csv_text(frame, raw=True)


class CaseStore:
    """One coder's view of a case folder (thread-safe: the server runs handlers in threads)."""

    def __init__(self, root: str | Path, coder: str | None = None) -> None:
        self.root = Path(root)
        self.coder = coder or None
        self.file = coder_file(self.coder)
        self._lock = threading.RLock()
        self._cache: tuple[tuple[int, ...], str, Case] | None = None
        self._rows: tuple[str, list[tuple[int, dict[str, str]]]] | None = None
        #: the revision of the file as last read, keyed by its stat (see ``revision``)
        self._rev: tuple[tuple[int, ...], str] | None = None

    @property
    def path(self) -> Path:
        """The coder's codings file."""
        return self.root / self.file

    def _bytes(self) -> bytes | None:
        """The file's bytes (None if it does not exist): a regular file inside the case,
        under the size cap (a FIFO named like a coder's file must not hang the server)."""
        if not self.path.exists() and not self.path.is_symlink():
            return None
        return read_bytes(self.path, kind="codings", root=self.root, error=CaseFormatError)

    def revision(self) -> str:
        """A hash of the codings file as it is now (``none`` if it does not exist yet).

        The hash is kept with the file's inode, size and modification and change times
        (in nanoseconds) and read again only when one of them changed, so that a 1 MB
        file is not hashed on every request. :meth:`write` never relies on it: it
        compares the bytes on disk with the page's revision.
        """
        sig = self._signature()
        if sig is None:
            return "none"
        with self._lock:
            if self._rev is not None and self._rev[0] == sig:
                return self._rev[1]
            rev = _revision(self._bytes())
            self._rev = (sig, rev)
            return rev

    def _signature(self) -> tuple[int, ...] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def rows(self) -> list[tuple[int, dict[str, str]]]:
        """The coded rows with their row numbers (copies: changing them changes nothing)."""
        return [(n, dict(r)) for n, r in self._numbered()]

    def row_list(self) -> list[dict[str, str]]:
        """A new list of the current rows to build a write from (replace rows, never change one)."""
        return [r for _, r in self._numbered()]

    def _numbered(self) -> list[tuple[int, dict[str, str]]]:
        """The cached rows of the current revision (not to be changed)."""
        with self._lock:
            if self._rows is not None and self._rows[0] == self.revision():
                return self._rows[1]
            data = self._bytes()
            rev = _revision(data)
            if self._rows is None or self._rows[0] != rev:
                self._rows = (rev, [] if data is None else rows_of(data, file=self.path))
            return self._rows[1]

    def _stamp(self) -> tuple[int, ...]:
        """What else the case depends on: case.toml and the sources folder, by mtime."""
        out: list[int] = []
        for p in (self.root / "case.toml", self.root / "sources", self.root / "codings.csv"):
            try:
                st = p.stat()
                out += [st.st_mtime_ns, st.st_size]
            except FileNotFoundError:
                out += [0, 0]
        return tuple(out)

    def load(self) -> Case:
        """The case with this coder's codings (an empty coding file is allowed).

        Cached until ``case.toml``, ``sources/`` or the codings file change.
        """
        from resdep.case import load_case
        from resdep.case.load import parse_codings

        with self._lock:
            stamp, rev = self._stamp(), self.revision()
            if self._cache is not None and self._cache[:2] == (stamp, rev):
                return self._cache[2]
            case = load_case(self.root, allow_empty=True)
            if self.coder is not None:
                data = self._bytes()
                header = (",".join(_columns()) + "\n").encode()
                codings = parse_codings(data or header, case, file=self.path, allow_empty=True)
                case = dataclasses.replace(case, codings=codings)
            self._cache = (stamp, rev, case)
            return case

    def write(
        self,
        rows: list[dict[str, str]],
        *,
        expected: str,
        changed: int | None = None,
        deleted: int | None = None,
    ) -> str:
        """Replace the coded rows, if the file is still at revision ``expected``.

        Validates the new file against the case first (raising the loader's
        :class:`~resdep.errors.InputError`), keeps the old version in the history and
        writes atomically. Returns the new revision.

        ``changed`` (the index of the one added or edited row in ``rows``) and ``deleted``
        (the index of the one removed row in the old rows) say what differs from the
        current file: then only that row is parsed again (rows are validated one by one,
        so the others stay valid), which keeps a save fast in a large case. Without them
        the whole file is parsed.
        """
        from resdep.case.load import parse_codings

        with self._lock:
            current = self._bytes()
            if _revision(current) != expected:
                raise Conflict(
                    f"{self.file} changed since this page loaded it (another tab or program saved it)",
                    file=self.path,
                    fix="reload the page to see the current codings, then make your change again",
                )
            case = self.load()
            text = None
            if changed is not None and deleted is None and changed == len(rows) - 1:
                text = self._appended(current, rows)
            if text is None:
                text = csv_text(rows)
            codings = None
            if changed is not None or deleted is not None:
                codings = self._patched(case, rows, changed, deleted)
            if codings is None:  # the full check (and, on a bad row, the exact message)
                codings = parse_codings(
                    text.encode("utf-8"), case, file=self.path, allow_empty=True
                )
            self._keep(current, len(self._numbered()))
            mode = self.path.stat().st_mode & 0o777 if current is not None else 0o644
            atomic_write_text(self.path, text)
            os.chmod(self.path, mode)  # the temporary file was private; keep the file's mode
            rev = _revision(text.encode("utf-8"))
            sig = self._signature()
            self._rev = (sig, rev) if sig is not None else None
            self._cache = (self._stamp(), rev, dataclasses.replace(case, codings=codings))
            self._rows = (rev, list(enumerate(rows, start=1)))  # write owns ``rows`` now
            return rev

    def _appended(self, current: bytes | None, rows: list[dict[str, str]]) -> str | None:
        """The file with one row added at its end: the current text and that row's line.

        Only when the current file is the one the cached rows were read from, holds
        exactly ``rows[:-1]`` (the same objects, numbered 1..n without blank lines),
        starts with the header :func:`csv_text` writes and ends with a line end;
        otherwise None (the whole file is written again). Rewriting 5,000 rows costs
        tens of milliseconds on every save; this is the common save, a new coding.
        """
        cached = self._rows
        if current is None or cached is None or cached[0] != _revision(current):
            return None
        old = cached[1]
        if len(old) != len(rows) - 1 or [n for n, _ in old] != list(range(1, len(old) + 1)):
            return None
        if any(r is not k for (_, r), k in zip(old, rows, strict=False)):
            return None
        header = csv_text([])
        try:
            text = current.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not text.startswith(header) or not text.endswith("\n"):
            return None
        # the row's own text without its header line (column names hold no line end;
        # the header is quoted when a cell of the row holds a bare CR, see csvout)
        return text + csv_text(rows[-1:]).partition("\n")[2]

    def _patched(
        self,
        case: Case,
        rows: list[dict[str, str]],
        changed: int | None,
        deleted: int | None,
    ) -> tuple[Coding, ...] | None:
        """The new codings from the cached ones and one parsed row; None to parse everything."""
        from resdep.case.load import parse_codings

        old = list(case.codings)
        numbered = self._numbered()
        if [c.row for c in old] != list(range(1, len(old) + 1)) or [n for n, _ in numbered] != list(
            range(1, len(old) + 1)
        ):
            return None  # blank rows or an unparsed file: row numbers would not line up
        if deleted is not None:
            del old[deleted]
        if changed is not None:
            try:
                one = parse_codings(csv_text([rows[changed]]).encode("utf-8"), case, file=self.path)
            except InputError:
                return None  # parse the whole file for the message with the right row
            if changed == len(old):
                old.append(one[0])
            else:
                old[changed] = one[0]
        if len(old) != len(rows):
            return None
        return tuple(
            c if c.row == i else dataclasses.replace(c, row=i) for i, c in enumerate(old, start=1)
        )

    def _history_dir(self) -> Path:
        return self.root / HISTORY_DIR / self.file.removesuffix(".csv")

    def _keep(self, data: bytes | None, n_rows: int) -> None:
        if data is None:
            return
        folder = self._history_dir()
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{_revision(data)}-{n_rows}.csv"
        try:  # a second name for the current file: the atomic write then gives it a new inode
            os.link(self.path, folder / name)
        except OSError:  # no hard links here (some network or FAT file systems): copy
            tmp = folder / f".{name}.tmp"
            tmp.write_bytes(data)
            tmp.replace(folder / name)

    def history(self) -> list[HistoryEntry]:
        """Kept versions, newest first."""
        folder = self._history_dir()
        if not folder.is_dir():
            return []
        out = []
        for p in sorted(folder.glob("*.csv"), reverse=True):
            parts = p.stem.split("-")
            n = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else -1
            stamp = parts[0]
            saved = f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]} UTC"
            out.append(HistoryEntry(name=p.name, file=self.file, saved=saved, rows=n))
        return out

    def restore(self, name: str, *, expected: str) -> str:
        """Make a kept version current again (the current one is kept too: undo is undoable)."""
        names = {h.name for h in self.history()}
        if name not in names:  # only names listed in the history folder, never a path
            raise CaseFormatError(
                f"no kept version {name!r}",
                file=self._history_dir(),
                fix="choose one of the versions the history lists",
            )
        data = (self._history_dir() / name).read_bytes()
        return self.write([r for _, r in rows_of(data, file=name)], expected=expected)
