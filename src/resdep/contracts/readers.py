"""Read record files of any supported format into award rows.

Formats are told by content, not only by name:

- ``.csv``: the CSV template (:mod:`resdep.contracts.csvfile`);
- ``.jsonl``, ``.ndjson``, ``.jl`` (optionally ``.gz``): JSON Lines, **streamed** one line at a
  time, each line an OCDS release, compiled release, record, release package or record
  package, or a 360Giving grant or grant package;
- ``.json`` (optionally ``.gz``): one OCDS release package, record package, release, record,
  or a 360Giving file (``{"grants": [...]}``). A ``.json`` file is parsed whole (there is no
  streaming JSON parser among resdep's dependencies), so a multi-gigabyte single package needs
  memory in proportion; convert such files to JSON Lines. A ``.json`` file that turns out to
  hold one object per line is read as JSON Lines.

A folder stands for the supported files in it (recursively, sorted by path).

Nothing stops at the first problem: invalid JSON skips that file (or that line), schema
violations are reported with their JSON pointer and the item is kept as far as it is usable,
and every skipped item is counted in the :class:`~resdep.contracts.log.ImportLog`.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import IO, Any, cast

from resdep.contracts.awards import RawAward
from resdep.contracts.csvfile import awards_from_csv
from resdep.contracts.giving import awards_from_grant, is_grant
from resdep.contracts.log import ImportLog, child
from resdep.contracts.ocds import OcdsCollector
from resdep.contracts.schemas import SchemaKind, schema_problems
from resdep.errors import RecordsFormatError
from resdep.textio import open_binary

__all__ = ["SUFFIXES", "expand_paths", "read_awards"]

#: File name endings read from a folder.
SUFFIXES = (".json", ".jsonl", ".ndjson", ".jl", ".csv", ".json.gz", ".jsonl.gz", ".ndjson.gz")
_LINES = (".jsonl", ".ndjson", ".jl")
#: The fix shown for a missing record path. The path shown is the one opened: for a
#: ``[[records]]`` entry of a case it is already joined with the case folder.
MISSING_PATH_FIX = (
    "check the path (relative to the case folder when listed in case.toml, "
    "else to the folder where you run resdep)"
)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return next((s for s in sorted(SUFFIXES, key=len, reverse=True) if name.endswith(s)), "")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, plus the supported files inside folders named; missing paths raise."""
    out: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _suffix(p))
            if not found:
                raise RecordsFormatError(
                    "the folder holds no .json, .jsonl or .csv file",
                    file=path,
                    fix="name record files or their folder",
                )
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise RecordsFormatError("no such file or folder", file=path, fix=MISSING_PATH_FIX)
    return out


class _Reader:
    def __init__(self, log: ImportLog, validate: bool) -> None:
        self.log = log
        self.validate = validate
        self.ocds = OcdsCollector(log)
        self.rows: list[RawAward] = []
        self.publisher = ""  # the publisher named by the package being read ("": none)

    def check(self, kind: SchemaKind, item: Any, file: str, place: str) -> None:
        if not self.validate:
            return
        # the issue's place is the JSON pointer in the file, or "line N, <pointer in the line>"
        in_file = place.startswith("/")
        line, _, inner = ("", "", place) if in_file else place.partition(", ")
        pointer = inner if inner.startswith("/") and inner != "/" else ""
        problems = schema_problems(kind, item, prefix=pointer)
        if problems:
            self.log.read[f"{kind.replace('_', ' ')}s with schema errors"] += 1
            for where, message in problems:
                self.log.warn(file, f"{line}, {where}" if line else where, f"schema: {message}")

    def document(self, doc: Any, file: str, place: str) -> None:
        """One parsed JSON value: a package, release, record or grant."""

        def at(*parts: object) -> str:
            return child(place, "/".join(map(str, parts)))

        if not isinstance(doc, Mapping):
            self.log.skip("document", file, place or "/", "expected a JSON object")
            return
        published = doc.get("publishedDate")
        published = published if isinstance(published, str) else ""
        owner = doc.get("publisher")
        name = owner.get("name") if isinstance(owner, Mapping) else None
        self.publisher = name.strip() if isinstance(name, str) else ""
        if "releases" in doc and "records" not in doc and "ocid" not in doc:
            self.check("release_package", doc, file, place or "/")
            for i, release in enumerate(self.members(doc, "releases", file, at("releases"))):
                self.release(release, file, at("releases", i), published)
        elif "records" in doc:
            self.check("record_package", doc, file, place or "/")
            for i, record in enumerate(self.members(doc, "records", file, at("records"))):
                self.record(record, file, at("records", i), published)
        elif "grants" in doc:
            self.check("grant_package", doc, file, place or "/")
            for i, grant in enumerate(self.members(doc, "grants", file, at("grants"))):
                self.grant(grant, file, at("grants", i))
        elif "ocid" in doc and ("compiledRelease" in doc or "releases" in doc):
            self.record(doc, file, place or "/")
        elif "ocid" in doc:
            self.release(doc, file, place or "/")
        elif is_grant(doc):
            self.grant(doc, file, place or "/")
        else:
            self.log.skip(
                "document",
                file,
                place or "/",
                "neither an OCDS package, release or "
                "record nor 360Giving grants (no releases, records, grants or ocid)",
            )

    def members(self, doc: Mapping[str, Any], key: str, file: str, place: str) -> list[Any]:
        """A package's list of items; a package whose list is not one, or is empty, is reported
        (the schema's reason first) and gives nothing."""
        value = doc.get(key)
        if isinstance(value, list) and value:
            return value
        kind = type(value).__name__ if not isinstance(value, Mapping) else "a JSON object"
        reason = (
            f"'{key}' is empty: the package holds no {key}"
            if isinstance(value, list)
            else f"'{key}' is not of type 'array' (it is {kind}): the package holds no {key}"
        )
        self.log.skip(
            "package", file, place, f'{reason}; write {key} as a list: {{"{key}": [...]}}'
        )
        return []

    def release(self, release: Any, file: str, place: str, published: str = "") -> None:
        """One release; ``published`` is its package's ``publishedDate`` (``""``: none)."""
        if not isinstance(release, Mapping):
            self.log.skip("release", file, place, "a release must be a JSON object")
            return
        self.check("release", release, file, place)
        if "compiled" in (release.get("tag") or []):
            self.ocds.add_compiled(release, file, place, published, self.publisher)
        else:
            self.ocds.add_release(release, file, place, published, self.publisher)

    def record(self, record: Any, file: str, place: str, published: str = "") -> None:
        if not isinstance(record, Mapping):
            self.log.skip("record", file, place, "a record must be a JSON object")
            return
        self.check("record", record, file, place)
        full = [r for r in _list(record.get("releases")) if isinstance(r, Mapping) and "ocid" in r]
        compiled = record.get("compiledRelease")

        def sub(path: str) -> str:
            return child(place, path)

        for i, release in enumerate(full):
            self.release(release, file, sub(f"releases/{i}"), published)
        if isinstance(compiled, Mapping):
            self.check("release", compiled, file, sub("compiledRelease"))
            self.ocds.add_compiled(
                compiled, file, sub("compiledRelease"), published, self.publisher
            )
        elif not full:
            self.log.skip(
                "record",
                file,
                place,
                f"record {record.get('ocid')!r} has only linked "
                "releases and no compiledRelease: nothing to read",
            )

    def grant(self, grant: Any, file: str, place: str) -> None:
        if not isinstance(grant, Mapping):
            self.log.skip("grant", file, place, "a grant must be a JSON object")
            return
        self.log.read["grants"] += 1
        self.check("grant", grant, file, place)
        self.rows.extend(awards_from_grant(grant, file, place, self.log))

    def finish(self) -> list[RawAward]:
        self.rows.extend(self.ocds.rows())
        return self.rows


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _open(path: Path) -> IO[bytes]:
    raw = open_binary(path, kind="records", error=RecordsFormatError)
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    return raw


def _json_lines(reader: _Reader, path: Path, file: str, advance: Any) -> None:
    with _open(path) as stream:
        for number, line in enumerate(stream, start=1):
            advance(len(line))
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                reader.log.skip("JSON line", file, f"line {number}", f"invalid JSON: {exc}")
                continue
            reader.document(doc, file, f"line {number}")


def _json_file(reader: _Reader, path: Path, file: str, advance: Any) -> None:
    with _open(path) as stream:
        data = stream.read()
    advance(path.stat().st_size)
    try:
        doc = json.loads(data)
    except UnicodeDecodeError as exc:
        reader.log.skip("file", file, "", f"not UTF-8 JSON: {exc}")
        return
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and b"\n" in data.strip():
            _json_lines(reader, path, file, lambda n: None)
            return
        reader.log.skip(
            "file", file, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
        )
        return
    reader.document(doc, file, "")


def read_awards(
    paths: Sequence[str | Path],
    *,
    validate: bool = True,
    log: ImportLog | None = None,
    progress: bool = False,
) -> tuple[list[RawAward], ImportLog]:
    """Read record files (and folders of them) into award rows, with the log of problems.

    Raises :class:`~resdep.errors.RecordsFormatError` for a missing path, a CSV that is not
    in the template, or when no file yields a usable row (the message gives the first problem,
    errors before warnings: for a package of the wrong shape, the schema's reason).
    """
    log = log if log is not None else ImportLog()
    files = expand_paths(paths)
    reader = _Reader(log, validate)
    total = sum(p.stat().st_size for p in files)
    bar: Any = nullcontext()
    if progress and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            desc="reading records",
            file=sys.stderr,
            leave=False,
        )
    with bar as tick:

        def advance(n: int) -> None:
            if tick is not None:
                tick.update(n)

        for path in files:
            file = str(path)
            log.read["files"] += 1
            suffix = _suffix(path)
            if suffix == ".csv":
                reader.rows.extend(awards_from_csv(path, log, label=file))
                advance(path.stat().st_size)
            elif suffix.split(".gz")[0] in _LINES:
                _json_lines(reader, path, file, advance)
            else:
                _json_file(reader, path, file, advance)
        rows = reader.finish()
    if not rows:
        first = next((i for i in log.issues if i.severity == "error"), None)
        first = first or next(iter(log.issues), None)
        raise RecordsFormatError(
            f"no usable award in {len(files)} file(s); first problem: {first}"
            if first
            else f"no usable award in {len(files)} file(s): they hold no award to a supplier",
            file=files[0] if len(files) == 1 else None,
            fix="check that the files are OCDS, 360Giving or the resdep CSV template",
        )
    return rows, log
