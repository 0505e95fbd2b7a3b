"""The actors and informants of ``case.toml``, as the workbench edits them.

The user's file is edited in place with :mod:`tomlkit`, which keeps every comment, blank
line and key order it does not touch: an added ``[[actor]]`` or ``[[informant]]`` table
goes after the last one of its kind, below the comment lines that follow it (tomlkit
counts them as part of that table), or at the end of the file when there is none yet;
an edited one changes only the values given, a new key going beside the table's keys. Before anything is written the new text is
validated as ``resdep analyze`` would: it is loaded with :func:`resdep.case.load_case`
(in a scratch folder holding the new ``case.toml`` and links to the case's sources) and
every coder's codings file is parsed against the new case with
:func:`resdep.case.load.parse_codings`, so an unknown kind, a duplicate id or an
informant of an unknown organisation is refused with the loader's message, naming
``case.toml`` and the place. The previous ``case.toml`` is then kept in
``.resdep-history/case/`` (restorable, like the codings files) and the new one written
atomically. A change names the revision (a hash of ``case.toml``) the page was showing;
a file changed since is refused with :class:`~resdep.web.store.Conflict`.

Examples
--------
>>> import tempfile, pathlib
>>> from resdep.web.scaffold import init_case
>>> root = init_case(pathlib.Path(tempfile.mkdtemp()) / "case", lang="en")
>>> people = CaseFile(root)
>>> rev = people.add("informant", {"id": "I01", "organisation": "agency", "role": "director"},
...                  expected=people.revision())
>>> text = (root / "case.toml").read_text(encoding="utf-8")
>>> "# One [[informant]] per person interviewed" in text, 'role = "director"' in text
(True, True)
>>> try:
...     people.add("actor", {"id": "agency", "kind": "social_work_agency"}, expected=rev)
... except InputError as exc:
...     print(exc.message)
duplicate id 'agency'
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import tomllib
from pathlib import Path
from typing import Any

from resdep.errors import CaseFormatError, InputError
from resdep.textio import atomic_write_text, decode_bytes, read_bytes
from resdep.web.store import HISTORY_DIR, Conflict, HistoryEntry

__all__ = ["EDITABLE", "KINDS", "CaseFile"]

#: The tables the workbench adds to, and the keys it writes when adding one.
KINDS: dict[str, tuple[str, ...]] = {
    "actor": ("id", "kind", "name", "name_zh"),
    "informant": ("id", "organisation", "role"),
}
#: The keys an edit may change (an id stays: codings name it).
EDITABLE: dict[str, tuple[str, ...]] = {
    "actor": ("name", "name_zh"),
    "informant": ("organisation", "role"),
}
_LOCK = threading.RLock()


def _set(table: Any, key: str, value: str) -> None:
    """Set ``key`` in a tomlkit table: in place if present, else after its last key.

    Comments after a table's last key belong to that table in tomlkit (in the files
    ``resdep init`` writes they explain the next tables); a key added at the very end
    would land below them, far from its table's other keys.
    """
    if key in table:
        table[key] = value
        return
    keys = [k for k, _ in table.value.body if k is not None]
    try:
        table.value._insert_after(keys[-1], key, value)  # tomlkit has no public insert
    except (AttributeError, IndexError, TypeError):
        table[key] = value


def _revision(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


class CaseFile:
    """Adds and edits the ``[[actor]]`` and ``[[informant]]`` tables of a case folder."""

    #: Held while ``case.toml`` is rewritten (the workbench's uploads take it too).
    lock = _LOCK

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.path = self.root / "case.toml"

    def revision(self) -> str:
        """A hash of ``case.toml`` as it is now."""
        return _revision(self._read())

    def add(self, table: str, values: dict[str, Any], *, expected: str) -> str:
        """Add an ``[[actor]]`` or ``[[informant]]`` table; returns the new revision."""
        import tomlkit

        keys = self._keys(table, KINDS)
        clean = self._values(table, values, keys)
        if not clean.get("id"):
            raise CaseFormatError(
                f"a new {table} needs an id",
                file=self.path,
                place=f"[[{table}]]",
                fix="give an id (letters, digits, _ and -), e.g. "
                + ("street2" if table == "actor" else "I11"),
            )
        with _LOCK:
            data = self._current(expected)
            doc = self._parse(data)
            new = tomlkit.table()
            new.trivia.indent = "\n"  # a blank line before its header
            for k in keys:
                if clean.get(k):
                    new[k] = clean[k]
            if table in doc:
                doc[table].append(new)
            else:
                aot = tomlkit.aot()
                aot.append(new)
                doc.append(table, aot)
            return self._write(data, tomlkit.dumps(doc))

    def edit(self, table: str, ident: str, values: dict[str, Any], *, expected: str) -> str:
        """Change the name (actor) or organisation and role (informant) of one entry."""
        import tomlkit

        keys = self._keys(table, EDITABLE)
        clean = self._values(table, values, keys)
        with _LOCK:
            data = self._current(expected)
            doc = self._parse(data)
            found = next((t for t in doc.get(table, []) if t.get("id") == ident), None)
            if found is None:
                raise CaseFormatError(
                    f"no {table} {ident!r} in case.toml",
                    file=self.path,
                    place=f"[[{table}]]",
                    fix="reload the page: the file may have changed",
                )
            for k in keys:
                if k not in clean:
                    continue
                if clean[k]:
                    _set(found, k, clean[k])
                elif k in found and k != "organisation":  # an emptied name or role goes
                    del found[k]
            return self._write(data, tomlkit.dumps(doc))

    def history(self) -> list[HistoryEntry]:
        """Kept versions of ``case.toml``, newest first."""
        folder = self._history_dir()
        if not folder.is_dir():
            return []
        out = []
        for p in sorted(folder.glob("*.toml"), reverse=True):
            stamp = p.stem.split("-")[0]
            saved = f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]} UTC"
            n = p.stem.split("-")[-1]
            rows = int(n) if n.isdigit() else -1
            out.append(HistoryEntry(name=p.name, file="case.toml", saved=saved, rows=rows))
        return out

    def restore(self, name: str, *, expected: str) -> str:
        """Make a kept ``case.toml`` current again (the current one is kept too)."""
        if name not in {h.name for h in self.history()}:  # a listed name, never a path
            raise CaseFormatError(
                f"no kept version {name!r}",
                file=self._history_dir(),
                fix="choose one of the versions the history lists",
            )
        with _LOCK:
            data = self._current(expected)
            kept = (self._history_dir() / name).read_bytes()
            return self._write(data, decode_bytes(kept, file=self._history_dir() / name)[0])

    # -------------------------------------------------------------------- helpers

    def _keys(self, table: str, allowed: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
        if table not in allowed:
            raise CaseFormatError(
                f"the workbench edits actors and informants, not {table!r}",
                file=self.path,
                fix="choose actor or informant",
            )
        return allowed[table]

    def _values(self, table: str, values: Any, keys: tuple[str, ...]) -> dict[str, str]:
        if not isinstance(values, dict):
            raise CaseFormatError(
                f"the {table} must be an object", file=self.path, fix="send {id, ...}"
            )
        out = {}
        for k in keys:
            v = values.get(k)
            if v is None:
                continue
            if not isinstance(v, str):
                raise CaseFormatError(
                    f"{k} must be text", file=self.path, place=f"[[{table}]] {k}", fix="send text"
                )
            out[k] = v.strip()
        return out

    def _read(self) -> bytes:
        """``case.toml``'s bytes: a regular file inside the case, under the size cap."""
        return read_bytes(self.path, kind="case", root=self.root, error=CaseFormatError)

    def _parse(self, data: bytes) -> Any:
        """The user's ``case.toml`` as a tomlkit document (any encoding the loader reads)."""
        import tomlkit
        from tomlkit.exceptions import ParseError

        text, _ = decode_bytes(data, file=self.path)
        try:
            return tomlkit.parse(text)
        except ParseError as exc:
            raise CaseFormatError(
                f"not valid TOML: {exc}", file=self.path, fix="correct the syntax at that line"
            ) from None

    def _current(self, expected: str) -> bytes:
        data = self._read()
        if _revision(data) != expected:
            raise Conflict(
                "case.toml changed since this page loaded it (another tab or program saved it)",
                file=self.path,
                fix="reload the page to see the current actors and informants, then make your change again",
            )
        return data

    def _write(self, old: bytes, text: str) -> str:
        self._validate(text)
        self._keep(old)
        atomic_write_text(self.path, text)
        return _revision(text.encode("utf-8"))

    def _validate(self, text: str) -> None:
        """Load the case as ``resdep analyze`` would, with the new ``case.toml``."""
        from resdep.case import load_case
        from resdep.case.load import CODING_COLUMNS, parse_codings

        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:  # tomlkit wrote it: a bug, not bad input
            raise AssertionError(f"tomlkit wrote invalid TOML: {exc}") from exc
        with tempfile.TemporaryDirectory(prefix="resdep-case-check-") as tmp:
            scratch = Path(tmp)
            (scratch / "case.toml").write_text(text, encoding="utf-8")
            (scratch / "codings.csv").write_text(",".join(CODING_COLUMNS) + "\n", encoding="utf-8")
            for entry in raw.get("source", []):
                rel = entry.get("path") if isinstance(entry, dict) else None
                if not isinstance(rel, str):
                    continue
                src = self.root / rel
                dst = scratch / rel
                if not src.is_file() or not dst.resolve().is_relative_to(scratch.resolve()):
                    continue  # the loader reports it below, on the real folder's terms
                dst.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(src, dst)
                except OSError:
                    shutil.copyfile(src, dst)
            try:
                case = load_case(scratch, allow_empty=True)
            except InputError as exc:
                raise type(exc)(
                    exc.message,
                    file=self._real(exc.file, scratch),
                    place=exc.place,
                    fix=exc.fix,
                ) from None
        for codings in self._coder_files():
            data = read_bytes(codings, kind="codings", root=self.root, error=CaseFormatError)
            parse_codings(data, case, file=codings, allow_empty=True)

    def _coder_files(self) -> list[Path]:
        """``codings.csv`` and every coder's ``codings-NAME.csv`` (not hand-named files)."""
        from resdep.web.store import coder_file

        out = [self.root / "codings.csv"] if (self.root / "codings.csv").is_file() else []
        for path in sorted(self.root.glob("codings-*.csv")):
            try:
                coder_file(path.stem.removeprefix("codings-"))
            except InputError:
                continue
            out.append(path)
        return out

    def _real(self, file: str | None, scratch: Path) -> str | None:
        if file is None:
            return None
        for base in (str(scratch.resolve()), str(scratch)):
            if file.startswith(base):
                return str(self.root) + file[len(base) :]
        return file

    def _history_dir(self) -> Path:
        return self.root / HISTORY_DIR / "case"

    def _keep(self, data: bytes) -> None:
        from datetime import UTC, datetime

        folder = self._history_dir()
        folder.mkdir(parents=True, exist_ok=True)
        try:
            raw = tomllib.loads(decode_bytes(data, file=self.path)[0])
            n = len(raw.get("actor", [])) + len(raw.get("informant", []))
        except (InputError, tomllib.TOMLDecodeError):
            n = -1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{_revision(data)}-{n}.toml"
        tmp = folder / f".{name}.tmp"
        tmp.write_bytes(data)
        tmp.replace(folder / name)
