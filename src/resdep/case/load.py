"""Reading a case folder (design section 6b) into a validated :class:`~resdep.case.Case`.

Every problem raises a :class:`~resdep.errors.CaseFormatError` (or a subclass of
:class:`~resdep.errors.InputError`) naming the file, the key or row, and the fix. Input
files are only read, never modified.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from resdep.case.model import Actor, Case, Coding, Informant, RecordsLink, Source
from resdep.errors import CaseFormatError, InputError, SourceTextError, closest
from resdep.parameters import AnalysisParams
from resdep.textio import confine, decode_bytes, load_toml, read_bytes, read_text
from resdep.vocab import (
    ActorKind,
    CaseSourceKind,
    Dimension,
    EvidenceType,
    Goal,
    Philosophy,
    Problem,
    RecordKind,
    Resource,
    Stage,
    Strategy,
    parse,
)

__all__ = ["CODING_COLUMNS", "load_case", "parse_codings"]

#: The columns of ``codings.csv``, in order.
CODING_COLUMNS: tuple[str, ...] = (
    "source", "start", "end", "quote", "kind", "stage", "dependent", "provider", "resource",
    "dimension", "actor", "value", "intensity", "evidence", "note", "self_serving",
)  # fmt: skip
#: Accepted cells of the ``self_serving`` column (empty = automatic, section 3).
SELF_SERVING_CELLS: dict[str, bool] = {
    "yes": True, "no": False, "true": True, "false": False, "是": True, "否": False,
}  # fmt: skip
_REQUIRED_COLUMNS = ("source", "kind")
_ID = re.compile(r"^[a-z0-9_-]+$")
_DEFAULT_EVIDENCE = {
    CaseSourceKind.INTERVIEW: EvidenceType.DIRECT,
    CaseSourceKind.FIELDNOTE: EvidenceType.OBSERVATION,
    CaseSourceKind.DOCUMENT: EvidenceType.DOCUMENT,
}


def load_case(
    path: str | Path, *, overrides: Mapping[str, Any] | None = None, allow_empty: bool = False
) -> Case:
    """Load and validate a case folder.

    The case model reads folders only and imports no adapter: a ``.qdpx`` project and the
    ``[[records]]`` of a case are read by :func:`resdep.loading.load_any` (which
    :func:`resdep.load_case` is), so ``hard_inputs`` is empty here and ``records`` only
    lists the entries.

    Parameters
    ----------
    path
        The case folder holding ``case.toml``, ``codings.csv`` and ``sources/``.
    overrides
        Parameter overrides applied after those of ``case.toml`` (the command line's).
    allow_empty
        Accept a ``codings.csv`` with no coded segments (the web workbench opens a case
        before its first coding); ``analyze`` keeps refusing an empty case.

    Examples
    --------
    >>> from resdep.data import founding_case_path
    >>> case = load_case(founding_case_path())
    >>> case.synthetic, len(case.informants)
    (True, 10)
    """
    p = Path(path)
    if p.suffix.lower() == ".qdpx" and p.is_file():
        raise CaseFormatError(
            "a .qdpx project is not a case folder",
            file=p,
            fix="load it with resdep.load_case (resdep.loading.load_any), which reads projects",
        )
    if not p.exists():
        raise CaseFormatError(
            "no such case folder", file=p, fix="give the path of a folder holding case.toml"
        )
    if not p.is_dir():
        raise CaseFormatError(
            "not a case folder",
            file=p,
            fix="give a folder holding case.toml, codings.csv and sources/, or a .qdpx file",
        )
    toml_path = p / "case.toml"
    if not toml_path.is_file():
        raise CaseFormatError(
            "case.toml is missing", file=p, fix="create case.toml (see the README for its format)"
        )
    raw = _read_toml(toml_path)
    case_table = _table(raw, "case", toml_path, required=True)
    case_id = _str(case_table, "id", toml_path, "[case]", required=True)
    if not _ID.match(case_id):
        raise CaseFormatError(
            f"case id {case_id!r} may only hold a-z, 0-9, '_' and '-'",
            file=toml_path,
            place="[case] id",
            fix="rename it, e.g. "
            + repr(re.sub(r"[^a-z0-9_-]+", "_", case_id.lower()) or "my_case"),
        )
    _known_keys(
        case_table, {"id", "title", "title_zh", "description", "synthetic"}, toml_path, "[case]"
    )

    actors = tuple(_actor(t, toml_path, i) for i, t in enumerate(_array(raw, "actor", toml_path)))
    if not actors:
        raise CaseFormatError(
            "the case names no actors", file=toml_path, fix="add at least one [[actor]] table"
        )
    _unique((a.id for a in actors), toml_path, "[[actor]]")
    actor_ids = {a.id for a in actors}
    for a in actors:
        if a.parent is not None and a.parent not in actor_ids:
            raise CaseFormatError(
                f"parent {a.parent!r} is not an actor",
                file=toml_path,
                place=f"[[actor]] {a.id}",
                fix=closest(a.parent, actor_ids),
            )

    informants = tuple(
        _informant(t, toml_path, i, actor_ids)
        for i, t in enumerate(_array(raw, "informant", toml_path))
    )
    _unique((i.id for i in informants), toml_path, "[[informant]]")
    informant_ids = {i.id for i in informants}

    sources = tuple(
        _source(t, toml_path, i, p, informant_ids)
        for i, t in enumerate(_array(raw, "source", toml_path))
    )
    _unique((s.id for s in sources), toml_path, "[[source]]")

    params = AnalysisParams()
    if "parameters" in raw:
        params = params.with_overrides(_table(raw, "parameters", toml_path), file=str(toml_path))
    if overrides:
        params = params.with_overrides(overrides)

    records = tuple(
        _records(t, toml_path, i, actor_ids)
        for i, t in enumerate(_array(raw, "records", toml_path))
    )
    _known_keys(
        raw,
        {"case", "actor", "informant", "source", "parameters", "records"},
        toml_path,
        "top level",
    )

    codings_path = p / "codings.csv"
    if not codings_path.is_file():
        raise CaseFormatError(
            "codings.csv is missing",
            file=p,
            fix="add codings.csv with the header " + ",".join(CODING_COLUMNS),
        )
    case = Case(
        id=case_id,
        title=_str(case_table, "title", toml_path, "[case]"),
        title_zh=_str(case_table, "title_zh", toml_path, "[case]"),
        description=_str(case_table, "description", toml_path, "[case]"),
        synthetic=_bool(case_table, "synthetic", toml_path, "[case]"),
        actors=actors,
        informants=informants,
        sources=sources,
        parameters=params,
        records=records,
        root=p,
    )
    codings = parse_codings(
        read_bytes(codings_path, kind="codings", root=p, error=CaseFormatError),
        case,
        file=codings_path,
        allow_empty=allow_empty,
    )
    return dataclasses.replace(case, codings=codings)


def parse_codings(
    data: bytes, case: Case, *, file: str | Path = "codings.csv", allow_empty: bool = False
) -> tuple[Coding, ...]:
    """Parse and validate the bytes of a ``codings.csv`` against a case.

    Rows are numbered from 1 (the first row after the header); messages also give the
    line of the file. A file without coded segments is refused unless ``allow_empty``.
    """
    text, _ = decode_bytes(data, file=file)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if not header:
        raise CaseFormatError(
            "codings.csv is empty", file=file, fix="add the header " + ",".join(CODING_COLUMNS)
        )
    for col in header:
        if col not in CODING_COLUMNS:
            raise CaseFormatError(
                f"unknown column {col!r}",
                file=file,
                place="header",
                fix=closest(col, CODING_COLUMNS),
            )
    for col in _REQUIRED_COLUMNS:
        if col not in header:
            raise CaseFormatError(
                f"column {col!r} is missing",
                file=file,
                place="header",
                fix="add it to the header row",
            )
    dupes = [c for c, n in Counter(header).items() if n > 1]
    if dupes:
        raise CaseFormatError(
            f"column {dupes[0]!r} appears twice", file=file, place="header", fix="keep one"
        )
    sources = {s.id: s for s in case.sources}
    actors = {a.id: a for a in case.actors}
    out = []
    for n, row in enumerate(reader, start=1):
        if None in row:
            raise CaseFormatError(
                f"row has more fields than the header's {len(header)}",
                file=file,
                place=f"row {n} (line {reader.line_num})",
                fix="quote fields that contain commas",
            )
        # every cell is trimmed except the quote, which must equal its slice to the character
        cells = {k: (v or "") if k == "quote" else (v or "").strip() for k, v in row.items()}
        if not any(cells.values()):
            continue
        out.append(_coding(cells, n, reader.line_num, file, sources, actors, case))
    if not out and not allow_empty:
        raise CaseFormatError(
            "the case is empty: codings.csv has no coded segments",
            file=file,
            fix="code some segments (one row each), or export them from your QDA program",
        )
    return tuple(out)


def _coding(
    cells: dict[str, str],
    n: int,
    line: int,
    file: str | Path,
    sources: Mapping[str, Source],
    actors: Mapping[str, Actor],
    case: Case,
) -> Coding:
    place = f"row {n} (line {line})"

    def err(message: str, fix: str, column: str | None = None) -> CaseFormatError:
        where = f"{place}, column {column!r}" if column else place
        return CaseFormatError(message, file=file, place=where, fix=fix)

    def vocab(kind: Any, column: str) -> Any:
        value = cells.get(column, "")
        if not value:
            return None
        try:
            return parse(kind, value)
        except InputError as exc:
            raise err(exc.message, exc.fix or "", column) from None

    def actor_id(column: str, *, required: bool, government: bool | None = None) -> str | None:
        value = cells.get(column, "")
        if not value:
            if required:
                raise err(
                    f"{column} is empty",
                    f"name an actor id from case.toml: {', '.join(sorted(actors))}",
                    column,
                )
            return None
        if value not in actors:
            raise err(f"unknown actor {value!r}", closest(value, actors), column)
        if government is True and not actors[value].is_government:
            raise err(
                f"{value!r} is a {actors[value].kind.value}, but a government actor is required here",
                "name a civil_affairs_bureau, street_office or neighborhood_committee actor",
                column,
            )
        if government is False and actors[value].kind is not ActorKind.SOCIAL_WORK_AGENCY:
            raise err(
                f"{value!r} is a {actors[value].kind.value}, but a social work agency is required here",
                "name a social_work_agency actor",
                column,
            )
        return value

    src_id = cells.get("source", "")
    if src_id not in sources:
        raise err(
            f"unknown source {src_id!r}",
            closest(src_id, sources) if sources else "add it as a [[source]] in case.toml",
            "source",
        )
    source = sources[src_id]
    start, end, quote = _offsets(cells, source, err)

    kind: RecordKind | None = vocab(RecordKind, "kind")
    if kind is None:
        raise err("kind is empty", "one of: " + ", ".join(k.value for k in RecordKind), "kind")
    stage: Stage | None = vocab(Stage, "stage")
    evidence: EvidenceType = vocab(EvidenceType, "evidence") or _DEFAULT_EVIDENCE[source.kind]
    intensity = _intensity(cells.get("intensity", ""), err)
    self_serving = _self_serving(cells.get("self_serving", ""), kind, err)
    fields: dict[str, Any] = {"stage": stage}
    if kind is RecordKind.DEPENDENCE:
        if stage is None:
            raise err(
                "a dependence row needs a stage",
                "one of: contracting, implementation, closing",
                "stage",
            )
        dependent = actor_id("dependent", required=True)
        provider = actor_id("provider", required=True)
        if dependent == provider:
            raise err(
                f"dependent and provider are both {dependent!r}",
                "an actor cannot depend on itself",
                "provider",
            )
        resource = vocab(Resource, "resource")
        dimension = vocab(Dimension, "dimension")
        if resource is None:
            raise err(
                "a dependence row needs a resource",
                "one of: " + ", ".join(r.value for r in Resource),
                "resource",
            )
        if dimension is None:
            raise err(
                "a dependence row needs a dimension",
                "one of: importance, alternatives, discretion",
                "dimension",
            )
        if intensity is None:
            raise err(
                "a dependence row needs an intensity",
                "0 none, 1 low, 2 medium, 3 high",
                "intensity",
            )
        fields |= {
            "dependent": dependent,
            "provider": provider,
            "resource": resource,
            "dimension": dimension,
        }
    elif kind is RecordKind.PHILOSOPHY:
        fields["actor"] = actor_id("actor", required=True, government=True)
        fields["value"] = _value(cells, Philosophy, err).value
        if intensity is None:
            raise err(
                "a philosophy row needs an intensity",
                "0 none, 1 low, 2 medium, 3 high",
                "intensity",
            )
    elif kind is RecordKind.GOAL:
        fields["actor"] = actor_id("actor", required=True)
        fields["value"] = _value(cells, Goal, err).value
        if intensity is None:
            raise err(
                "a goal row needs an intensity", "0 none, 1 low, 2 medium, 3 high", "intensity"
            )
    elif kind is RecordKind.PROBLEM:
        fields["actor"] = actor_id("actor", required=False)
        fields["value"] = _value(cells, Problem, err).value
    else:  # strategy
        fields["actor"] = actor_id("actor", required=True, government=False)
        fields["value"] = _value(cells, Strategy, err).value
    if intensity is None:
        intensity = 3  # problems and strategies: presence coded at full strength unless rated
    if evidence is EvidenceType.DIRECT and source.informant is None:
        raise err(
            f"evidence 'direct' but source {source.id!r} has no informant",
            "set informant = ... on the [[source]] in case.toml, or use evidence document/observation",
            "evidence",
        )
    return Coding(
        row=n,
        source=src_id,
        start=start,
        end=end,
        quote=quote,
        kind=kind,
        evidence=evidence,
        intensity=intensity,
        note=cells.get("note", ""),
        self_serving=self_serving,
        **fields,
    )


def _self_serving(raw: str, kind: RecordKind, err: Any) -> bool | None:
    """The ``self_serving`` override of a row: True, False or None (automatic)."""
    if not raw:
        return None
    value = SELF_SERVING_CELLS.get(raw.lower())
    if value is None:
        raise err(
            f"self_serving must be yes, no or empty, got {raw!r}",
            "write yes (是) to discount the claim, no (否) not to, or leave it empty for the "
            "automatic rule",
            "self_serving",
        )
    if kind is not RecordKind.DEPENDENCE:
        raise err(
            f"self_serving is set on a {kind.value} row",
            "only dependence claims are discounted: leave the cell empty",
            "self_serving",
        )
    return value


def _offsets(cells: Mapping[str, str], source: Source, err: Any) -> tuple[int, int, str]:
    text = source.text
    quote = cells.get("quote", "")
    raw_start, raw_end = cells.get("start", ""), cells.get("end", "")
    if not raw_start and not raw_end:
        if not quote:
            raise err(
                "no offsets and no quote",
                "give start and end (code points, end exclusive), or the quote",
                "start",
            )
        count = text.count(quote)
        if count != 1:
            raise err(
                f"offsets are empty and the quote occurs {count} times in source {source.id!r}",
                "give start and end" if count else "copy the quote exactly from the source text",
                "quote",
            )
        start = text.index(quote)
        return start, start + len(quote), quote
    try:
        start, end = int(raw_start), int(raw_end)
    except ValueError:
        raise err(
            f"offsets must be whole numbers, got start={raw_start!r} end={raw_end!r}",
            "give Unicode code-point offsets, end exclusive",
            "start",
        ) from None
    if not 0 <= start < end <= len(text):
        raise err(
            f"offsets {start}–{end} lie outside source {source.id!r} ({len(text)} characters) or are reversed",
            f"offsets are code points, 0 ≤ start < end ≤ {len(text)}",
            "start",
        )
    if quote and text[start:end] != quote:
        found = text.find(quote)
        hint = (
            f"the quote occurs at {found}–{found + len(quote)}; correct start and end"
            if found >= 0
            else "the quote does not occur in the source; copy it exactly"
        )
        if "\r\n" in text:
            hint += (
                f"; note that source {source.id!r} has Windows line ends (CRLF), which count as two"
                " characters here: offsets from a program that counts them as one drift by one per"
                " line (convert the file to LF line ends, e.g. with `resdep sources add`, and recode)"
            )
        raise err(
            f"quote does not match source {source.id!r} at {start}–{end} "
            f"(which reads {text[start:end][:40]!r})",
            hint,
            "quote",
        )
    return start, end, quote or text[start:end]


def _intensity(raw: str, err: Any) -> int | None:
    if not raw:
        return None
    try:
        value = int(float(raw))
        if float(raw) != value:
            raise ValueError
    except (ValueError, OverflowError):  # inf, 1e400
        raise err(
            f"intensity must be 0, 1, 2 or 3, got {raw!r}",
            "0 none, 1 low, 2 medium, 3 high",
            "intensity",
        ) from None
    if not 0 <= value <= 3:
        raise err(
            f"intensity must be 0, 1, 2 or 3, got {value}",
            "0 none, 1 low, 2 medium, 3 high",
            "intensity",
        )
    return value


def _value(cells: Mapping[str, str], kind: Any, err: Any) -> Any:
    raw = cells.get("value", "")
    if not raw:
        raise err("value is empty", "one of: " + ", ".join(m.value for m in kind), "value")
    try:
        return parse(kind, raw)
    except InputError as exc:
        raise err(exc.message, exc.fix or "", "value") from None


# --- case.toml helpers -------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    return load_toml(path, kind="case", root=path.parent, error=CaseFormatError)


def _table(
    raw: Mapping[str, Any], key: str, file: Path, *, required: bool = False
) -> dict[str, Any]:
    value = raw.get(key)
    if value is None:
        if required:
            raise CaseFormatError(
                f"the [{key}] table is missing", file=file, fix=f"add a [{key}] table"
            )
        return {}
    if not isinstance(value, dict):
        raise CaseFormatError(
            f"{key} must be a table", file=file, place=key, fix=f"write it as [{key}]"
        )
    return value


def _array(raw: Mapping[str, Any], key: str, file: Path) -> list[dict[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CaseFormatError(
            f"{key} must be an array of tables",
            file=file,
            place=key,
            fix=f"write each as [[{key}]]",
        )
    return value


def _str(t: Mapping[str, Any], key: str, file: Path, place: str, *, required: bool = False) -> str:
    value = t.get(key)
    if value is None:
        if required:
            raise CaseFormatError(
                f"{key} is missing", file=file, place=place, fix=f'add {key} = "..."'
            )
        return ""
    if not isinstance(value, str):
        raise CaseFormatError(
            f"{key} must be a string, got {value!r}",
            file=file,
            place=f"{place} {key}",
            fix=f'write {key} = "..."',
        )
    return value


def _bool(t: Mapping[str, Any], key: str, file: Path, place: str) -> bool:
    value = t.get(key, False)
    if not isinstance(value, bool):
        raise CaseFormatError(
            f"{key} must be true or false",
            file=file,
            place=f"{place} {key}",
            fix=f"write {key} = true",
        )
    return value


def _known_keys(t: Mapping[str, Any], known: set[str], file: Path, place: str) -> None:
    for key in t:
        if key not in known:
            raise CaseFormatError(
                f"unknown key {key!r}", file=file, place=place, fix=closest(key, known)
            )


def _unique(ids: Iterable[str], file: Path, place: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise CaseFormatError(
                f"duplicate id {i!r}", file=file, place=place, fix="give every entry its own id"
            )
        seen.add(i)


def _actor(t: Mapping[str, Any], file: Path, index: int) -> Actor:
    place = f"[[actor]] #{index + 1}"
    actor_id = _str(t, "id", file, place, required=True)
    place = f"[[actor]] {actor_id}"
    _known_keys(t, {"id", "kind", "name", "name_zh", "parent"}, file, place)
    kind_raw = _str(t, "kind", file, place, required=True)
    try:
        kind = parse(ActorKind, kind_raw)
    except InputError as exc:
        raise CaseFormatError(exc.message, file=file, place=f"{place} kind", fix=exc.fix) from None
    parent = _str(t, "parent", file, place) or None
    return Actor(
        id=actor_id,
        kind=kind,
        name=_str(t, "name", file, place),
        name_zh=_str(t, "name_zh", file, place),
        parent=parent,
    )


def _informant(t: Mapping[str, Any], file: Path, index: int, actor_ids: set[str]) -> Informant:
    place = f"[[informant]] #{index + 1}"
    inf_id = _str(t, "id", file, place, required=True)
    place = f"[[informant]] {inf_id}"
    _known_keys(t, {"id", "organisation", "role"}, file, place)
    org = _str(t, "organisation", file, place, required=True)
    if org not in actor_ids:
        raise CaseFormatError(
            f"organisation {org!r} is not an actor",
            file=file,
            place=f"{place} organisation",
            fix=closest(org, actor_ids),
        )
    return Informant(id=inf_id, organisation=org, role=_str(t, "role", file, place))


def _source(
    t: Mapping[str, Any], file: Path, index: int, root: Path, informant_ids: set[str]
) -> Source:
    place = f"[[source]] #{index + 1}"
    src_id = _str(t, "id", file, place, required=True)
    place = f"[[source]] {src_id}"
    _known_keys(t, {"id", "path", "informant", "kind", "language"}, file, place)
    rel = _str(t, "path", file, place, required=True)
    informant = _str(t, "informant", file, place) or None
    if informant is not None and informant not in informant_ids:
        raise CaseFormatError(
            f"informant {informant!r} is not listed",
            file=file,
            place=f"{place} informant",
            fix=closest(informant, informant_ids) if informant_ids else "add an [[informant]]",
        )
    kind_raw = _str(t, "kind", file, place) or ("interview" if informant else "document")
    try:
        kind = parse(CaseSourceKind, kind_raw)
    except InputError as exc:
        raise CaseFormatError(exc.message, file=file, place=f"{place} kind", fix=exc.fix) from None
    confine(rel, root, what="source", place=f"{place} path", error=CaseFormatError)
    try:
        text, encoding = read_text(root / rel, kind="source", root=root)
    except SourceTextError as exc:
        raise SourceTextError(
            exc.message, file=exc.file, place=f"named by {file.name} {place}", fix=exc.fix
        ) from None
    return Source(
        id=src_id,
        path=rel,
        kind=kind,
        text=text,
        encoding=encoding,
        informant=informant,
        language=_str(t, "language", file, place) or None,
    )


def _records(t: Mapping[str, Any], file: Path, index: int, actor_ids: set[str]) -> RecordsLink:
    place = f"[[records]] #{index + 1}"
    _known_keys(t, {"path", "actors", "currency", "rates"}, file, place)
    rel = _str(t, "path", file, place, required=True)
    actors = t.get("actors", {})
    if not isinstance(actors, dict) or not all(isinstance(v, str) for v in actors.values()):
        raise CaseFormatError(
            "actors must be a table of actor id = organisation in the records",
            file=file,
            place=f"{place} actors",
            fix='write [records.actors] street = "..."',
        )
    for key in actors:
        if key not in actor_ids:
            raise CaseFormatError(
                f"unknown actor {key!r}",
                file=file,
                place=f"{place} actors",
                fix=closest(key, actor_ids),
            )
    currency = _str(t, "currency", file, place).strip().upper()
    if currency and not re.fullmatch(r"[A-Z]{3}", currency):
        raise CaseFormatError(
            f"currency {currency!r} is not an ISO 4217 code",
            file=file,
            place=f"{place} currency",
            fix='write three letters, e.g. currency = "CNY"',
        )
    rates = _str(t, "rates", file, place)
    if rates and not currency:
        raise CaseFormatError(
            "a rates table needs the currency it converts into",
            file=file,
            place=f"{place} rates",
            fix='add currency = "CNY" (the main currency) to this [[records]] entry',
        )
    return RecordsLink(path=rel, actors=dict(actors), currency=currency, rates=rates)
