"""From a REFI-QDA project to a resdep case (design section 6).

A coded segment is a selection with its codes. Codes are mapped onto the canonical
codebook (by a mapping file, by the codebook's fixed GUIDs, or by their path in English
or Chinese). Selections of the same stretch of text by the same coder that do not make a
record on their own are merged (NVivo writes one selection per code). A segment then
yields one record per kind whose groups it carries:

=============  ===================================================================
record kind    codes needed on the segment
=============  ===================================================================
dependence     Stage, Dependent, Provider, Resource, Dimension, Intensity
philosophy     Philosophy, Actor, Intensity
goal           Goal, Actor, Intensity
problem        Problem (Actor, Stage, Intensity optional)
strategy       Strategy, Actor
=============  ===================================================================

``Evidence/<type>`` is optional on any of them. A group coded twice on one segment
(two resources, say) yields one record per code when everything else is single;
two intensities on one segment are an error, since they cannot be paired. Segments
that carry canonical codes but no complete record are counted in the import report.

Informants are REFI-QDA cases with variables ``organisation`` (an actor id) and
``role``, linked to their sources; or source variables ``informant``, ``organisation``,
``role``. Sources may carry variables ``kind`` and ``language``. Actors are the ids found
under ``Dependent``, ``Provider`` and ``Actor``; their kinds come from the description of
``Actor/<id>`` codes (``kind = "street_office"``) or from the mapping's ``[actors]``.
A note named ``resdep case`` holds case settings as TOML (written by resdep's export).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import tomllib
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

from resdep.case.load import CODING_COLUMNS, parse_codings
from resdep.case.model import Actor, Case, Coding, Informant, Source
from resdep.errors import CaseFormatError, InputError, QdaFormatError, closest
from resdep.parameters import AnalysisParams
from resdep.qda.codebook import (
    ACTOR_GROUPS,
    CanonicalCode,
    canonical_codes,
    code_guid,
    parse_actor_description,
    recognise,
)
from resdep.qda.mapping import QdaMapping, load_mapping
from resdep.qda.project import QdaProject, QdaSource, read_qdpx
from resdep.vocab import ActorKind, CaseSourceKind, parse

__all__ = [
    "CASE_NOTE",
    "ImportReport",
    "Segment",
    "coding_guid",
    "import_qdpx",
    "load_qdpx_case",
    "project_segments",
    "project_to_case",
    "segment_records",
]

#: Name of the note that carries case settings (TOML) in a resdep export.
CASE_NOTE = "resdep case"
_ROW_NS = uuid.UUID("0b7f0a3e-3c55-4f0e-9a53-0f6f6a2d9c41")
_ID = re.compile(r"^[a-z0-9_-]+$")


def coding_guid(case_id: str, row: int) -> str:
    """The GUID resdep gives the selection of coding ``row`` of a case (so that an
    import of its own export restores the order of ``codings.csv``)."""
    return str(uuid.uuid5(_ROW_NS, f"{case_id}:{row}"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """A coded stretch of text by one coder, with its canonical codes."""

    source: str
    start: int
    end: int
    user: str | None
    codes: tuple[CanonicalCode, ...]
    selections: tuple[str, ...]
    note: str = ""
    order: int = 0

    def place(self, project: QdaProject) -> str:
        """Where the segment is, for messages."""
        return f"source {self.source!r}, characters {self.start}–{self.end}, coder {project.user_label(self.user)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportReport:
    """What an import found and did, for people."""

    file: str
    origin: str
    sources: int
    codes: int
    selections: int
    users: tuple[str, ...]
    offsets: tuple[tuple[str, str], ...] = ()
    misfits: tuple[str, ...] = ()
    canonical_codes: int = 0
    ignored_codes: tuple[str, ...] = ()
    segments: int = 0
    records: int = 0
    incomplete: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The report as lines of text."""
        out = [
            f"{self.file}: written by {self.origin or 'an unknown program'}",
            f"  {self.sources} text sources, {self.codes} codes, {self.selections} coded selections, users: {', '.join(self.users) or 'none'}",
        ]
        for name, summary in self.offsets:
            out.append(f"  offsets of {name!r}: {summary}")
        out.extend(f"  offset misfit: {m}" for m in self.misfits)
        out.append(
            f"  {self.canonical_codes} codes recognised as resdep codes; {len(self.ignored_codes)} other codes ignored"
        )
        if self.segments or self.records:
            out.append(f"  {self.segments} coded segments → {self.records} records")
        if self.incomplete:
            out.append(
                f"  {len(self.incomplete)} segments carry resdep codes but no complete record, e.g.:"
            )
            out.extend(f"    {x}" for x in self.incomplete[:5])
        out.extend(f"  note: {n}" for n in self.notes)
        return out


def load_qdpx_case(
    path: str | Path,
    *,
    mapping: str | Path | QdaMapping | None = None,
    coder: str | None = None,
    allow_external: bool = False,
) -> Case:
    """Load a ``.qdpx`` project as a validated case (used by :func:`resdep.load_case`).

    A mapping file beside the project (same name, ``.toml``) is used when none is given.
    """
    case, _ = import_qdpx(path, mapping=mapping, coder=coder, allow_external=allow_external)
    return case


def import_qdpx(
    path: str | Path,
    *,
    mapping: str | Path | QdaMapping | None = None,
    coder: str | None = None,
    allow_external: bool = False,
) -> tuple[Case, ImportReport]:
    """Read a ``.qdpx`` project and build the case; returns the case and a report.

    External source texts are read only from inside the project's folder unless
    ``allow_external`` (see :func:`resdep.qda.project.read_qdpx`).
    """
    p = Path(path)
    project = read_qdpx(p, allow_external=allow_external)
    m: QdaMapping | None
    if isinstance(mapping, QdaMapping):
        m = mapping
    elif mapping is not None:
        m = load_mapping(mapping)
    else:
        beside = p.with_suffix(".toml")
        m = load_mapping(beside) if beside.is_file() else None
    return project_to_case(project, m, coder=coder)


def _code_map(
    project: QdaProject, mapping: QdaMapping | None
) -> dict[str, tuple[CanonicalCode, ...]]:
    by_guid = {code_guid(c): c for c in canonical_codes()}
    out: dict[str, tuple[CanonicalCode, ...]] = {}
    leaf_counts = Counter(c.name.strip() for c in project.codes)
    for code in project.codes:
        full = "/".join(part.strip() for part in code.path if part.strip())
        if mapping is not None and full in mapping.codes:
            out[code.guid] = mapping.codes[full]
            continue
        if (
            mapping is not None
            and code.name.strip() in mapping.codes
            and leaf_counts[code.name.strip()] == 1
        ):
            out[code.guid] = mapping.codes[code.name.strip()]
            continue
        if code.guid in by_guid:
            out[code.guid] = (by_guid[code.guid],)
            continue
        found = recognise(code.path)
        if found is not None:
            out[code.guid] = (found,)
    return out


def project_segments(
    project: QdaProject,
    mapping: QdaMapping | None = None,
    *,
    coder: str | None = None,
    source_ids: Mapping[str, str] | None = None,
) -> list[Segment]:
    """The coded segments of a project, each with its canonical codes.

    ``coder`` (a user's name, id or GUID) keeps one user's codings; ``source_ids`` maps
    source GUIDs to the ids used in the segments (default: source names).
    """
    cmap = _code_map(project, mapping)
    user_guid = _user_guid(project, coder) if coder else None
    out: list[Segment] = []
    order = 0
    for src in project.sources:
        sid = (source_ids or {}).get(src.guid, src.name)
        pending: dict[tuple[int, int, str | None], list[tuple[int, Any, list[CanonicalCode]]]] = (
            defaultdict(list)
        )
        for sel in src.selections:
            per_user: dict[str | None, list[CanonicalCode]] = defaultdict(list)
            for c in sel.codings:
                if c.code in cmap:
                    per_user[c.user].extend(cmap[c.code])
            for user, codes in per_user.items():
                if user_guid is not None and user != user_guid:
                    continue
                order += 1
                if _complete(codes):
                    out.append(
                        Segment(
                            source=sid,
                            start=sel.start,
                            end=sel.end,
                            user=user,
                            codes=tuple(codes),
                            selections=(sel.guid,),
                            note=sel.description,
                            order=order,
                        )
                    )
                else:
                    pending[(sel.start, sel.end, user)].append((order, sel, codes))
        for (start, end, user), parts in pending.items():
            codes = [c for _, _, cs in parts for c in cs]
            out.append(
                Segment(
                    source=sid,
                    start=start,
                    end=end,
                    user=user,
                    codes=tuple(dict.fromkeys(codes)),
                    selections=tuple(s.guid for _, s, _ in parts),
                    note="\n".join(s.description for _, s, _ in parts if s.description),
                    order=parts[0][0],
                )
            )
    out.sort(key=lambda s: s.order)
    return out


def _user_guid(project: QdaProject, coder: str) -> str:
    for u in project.users:
        if coder in (u.guid, u.name, u.id):
            return u.guid
    raise QdaFormatError(
        f"no user {coder!r} in the project",
        file=project.file,
        place="Users",
        fix=closest(coder, [u.label for u in project.users])
        if project.users
        else "the project lists no users",
    )


def _groups(codes: Sequence[CanonicalCode]) -> dict[str, list[str]]:
    g: dict[str, list[str]] = defaultdict(list)
    for c in codes:
        if c.value not in g[c.group]:
            g[c.group].append(c.value)
    return g


def _complete(codes: Sequence[CanonicalCode]) -> bool:
    try:
        return bool(segment_records(codes))
    except QdaFormatError:
        return False


_NEEDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required groups, optional groups)
    "dependence": (("Stage", "Dependent", "Provider", "Resource", "Dimension", "Intensity"), ()),
    "philosophy": (("Philosophy", "Actor", "Intensity"), ()),
    "goal": (("Goal", "Actor", "Intensity"), ()),
    "problem": (("Problem",), ("Actor", "Stage", "Intensity")),
    "strategy": (("Strategy", "Actor"), ("Intensity",)),
}
_TRIGGER = {"dependence": ("Dependent", "Provider", "Resource", "Dimension"), "philosophy": ("Philosophy",),
            "goal": ("Goal",), "problem": ("Problem",), "strategy": ("Strategy",)}  # fmt: skip
_COLUMN = {"Stage": "stage", "Dependent": "dependent", "Provider": "provider", "Resource": "resource",
           "Dimension": "dimension", "Intensity": "intensity", "Actor": "actor", "Evidence": "evidence"}  # fmt: skip


def segment_records(codes: Sequence[CanonicalCode]) -> list[dict[str, str]]:
    """The ``codings.csv`` cells of every record a segment's codes make.

    Returns an empty list when no record is complete; raises
    :class:`~resdep.errors.QdaFormatError` when the codes cannot be paired (two
    intensities, two evidence types).

    Examples
    --------
    >>> codes = [CanonicalCode(group=g, value=v) for g, v in [("Stage", "closing"),
    ...     ("Dependent", "agency"), ("Provider", "street"), ("Resource", "economic"),
    ...     ("Dimension", "importance"), ("Intensity", "3")]]
    >>> [(r["kind"], r["stage"], r["intensity"]) for r in segment_records(codes)]
    [('dependence', 'closing', '3')]
    >>> segment_records(codes[:-1])
    []
    """
    g = _groups(codes)
    for single in ("Intensity", "Evidence"):
        if len(g.get(single, [])) > 1:
            raise QdaFormatError(
                f"the segment carries {len(g[single])} {single} codes ({', '.join(g[single])}), which cannot be paired with its other codes",
                fix="code each judgement on its own segment (one intensity per segment)",
            )
    out: list[dict[str, str]] = []
    for kind, (required, optional) in _NEEDS.items():
        if not any(t in g for t in _TRIGGER[kind]):
            continue
        if any(r not in g for r in required):
            continue
        used = [grp for grp in (*required, *optional, "Evidence") if grp in g]
        value_group = {
            "philosophy": "Philosophy",
            "goal": "Goal",
            "problem": "Problem",
            "strategy": "Strategy",
        }.get(kind)
        for combo in product(*(g[grp] for grp in used)):
            cells = dict.fromkeys(CODING_COLUMNS, "")
            cells["kind"] = kind
            for grp, value in zip(used, combo, strict=True):
                if grp == value_group:
                    cells["value"] = value
                else:
                    cells[_COLUMN[grp]] = value
            out.append(cells)
    return out


def _missing_groups(codes: Sequence[CanonicalCode]) -> str:
    g = _groups(codes)
    for kind, (required, _) in _NEEDS.items():
        if any(t in g for t in _TRIGGER[kind]):
            missing = [r for r in required if r not in g]
            if missing:
                return f"{kind} needs {', '.join(missing)}"
    return "no record kind (a Dependent/Provider/Resource/Dimension, Philosophy, Goal, Problem or Strategy code)"


def _case_note(project: QdaProject) -> dict[str, Any]:
    for note in project.notes:
        if note.name.strip().lower() == CASE_NOTE:
            try:
                data = tomllib.loads(note.text)
            except tomllib.TOMLDecodeError as exc:
                raise QdaFormatError(
                    f"the note {CASE_NOTE!r} is not valid TOML: {exc}",
                    file=project.file,
                    place=f"note {note.name!r}",
                    fix="correct it in your QDA program, or delete the note",
                ) from None
            return data
    return {}


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9_-]+", "_", text.lower()).strip("_")
    return s or "qda_project"


def _var(variables: Mapping[str, str], *names: str) -> str:
    low = {k.strip().lower(): v for k, v in variables.items()}
    for n in names:
        if low.get(n):
            return low[n].strip()
    return ""


def project_to_case(
    project: QdaProject, mapping: QdaMapping | None = None, *, coder: str | None = None
) -> tuple[Case, ImportReport]:
    """Build a validated case from a project (see the module docstring)."""
    file = project.file
    note = _case_note(project)
    case_meta = dict(note.get("case", {}))
    if mapping is not None:
        case_meta.update(mapping.case)
    coder = coder or (mapping.coder if mapping else None)
    case_id = str(case_meta.get("id") or _slug(project.name or Path(file).stem))
    if not _ID.match(case_id):
        raise QdaFormatError(
            f"case id {case_id!r} may only hold a-z, 0-9, '_' and '-'",
            file=mapping.file if mapping and "id" in mapping.case else file,
            place="[case] id",
            fix=f"use e.g. {_slug(case_id)!r}",
        )
    cmap = _code_map(project, mapping)
    code_by_guid = {c.guid: c for c in project.codes}

    # --- actors --------------------------------------------------------------------
    actor_info: dict[str, dict[str, str]] = {}
    if mapping is not None:
        for aid, info in mapping.actors.items():
            actor_info[aid] = dict(info)
    seen_ids: list[str] = list(actor_info)
    for guid, cc in cmap.items():
        for c in cc:
            if c.group in ACTOR_GROUPS:
                if c.value not in seen_ids:
                    seen_ids.append(c.value)
                desc = code_by_guid[guid].description
                if desc:
                    info = parse_actor_description(
                        desc, file=file, place=f"code {'/'.join(code_by_guid[guid].path)!r}"
                    )
                    if info:
                        base = actor_info.setdefault(c.value, {})
                        for k, v in info.items():
                            if c.group == "Actor" or k not in base:
                                base.setdefault(k, v)
    # informants and sources may name organisations too
    informant_rows: list[tuple[str, str, str, str]] = []  # (key, id, organisation, role)
    for qc in project.cases:
        info = dict(mapping.informants.get(qc.name, {}) if mapping else {})
        org = info.get("organisation") or _var(
            qc.variables, "organisation", "organization", "机构", "单位"
        )
        if not org:
            continue
        informant_rows.append(
            (
                qc.guid,
                info.get("id") or qc.name,
                org,
                info.get("role") or _var(qc.variables, "role", "角色", "职务"),
            )
        )
    for org in [r[2] for r in informant_rows]:
        if org not in seen_ids:
            seen_ids.append(org)
    missing = [a for a in seen_ids if "kind" not in actor_info.get(a, {})]
    if missing:
        raise QdaFormatError(
            f"the kind of actor{'s' if len(missing) > 1 else ''} {', '.join(repr(a) for a in missing)} is not given",
            file=file,
            place="codes " + ", ".join(f"Actor/{a}" for a in missing[:3]),
            fix='in your QDA program write kind = "street_office" (or civil_affairs_bureau, neighborhood_committee, social_work_agency, residents, evaluator, other) '
            f'in the description of the code Actor/{missing[0]}, or give a mapping file with [actors] {missing[0]} = {{ kind = "..." }}',
        )
    actors: list[Actor] = []
    for aid in seen_ids:
        info = actor_info[aid]
        try:
            kind = parse(ActorKind, info["kind"])
        except InputError as exc:
            raise QdaFormatError(
                exc.message, file=file, place=f"actor {aid!r} kind", fix=exc.fix
            ) from None
        actors.append(
            Actor(
                id=aid,
                kind=kind,
                name=info.get("name", ""),
                name_zh=info.get("name_zh", ""),
                parent=info.get("parent") or None,
            )
        )
    for a in actors:
        if a.parent is not None and a.parent not in seen_ids:
            raise QdaFormatError(
                f"parent {a.parent!r} of actor {a.id!r} is not an actor",
                file=file,
                place=f"code Actor/{a.id}",
                fix=closest(a.parent, seen_ids),
            )
    if not actors:
        raise QdaFormatError(
            "no resdep codes found: the project names no actors (codes under Dependent, Provider or Actor)",
            file=file,
            fix="code with the resdep codebook (resdep codebook --out resdep.qdc), or give a mapping file from your codes to it (see docs/qda.md)",
        )

    # --- informants and sources --------------------------------------------------------
    informants: list[Informant] = []
    informant_of_source: dict[str, str] = {}
    by_case = {qc.guid: qc for qc in project.cases}
    for key, iid, org, role in informant_rows:
        if iid in {i.id for i in informants}:
            continue
        informants.append(Informant(id=iid, organisation=org, role=role))
        for sg in by_case[key].sources:
            informant_of_source[sg] = iid
    sources: list[Source] = []
    source_ids: dict[str, str] = {}
    used_ids: set[str] = set()
    for src in project.sources:
        info = dict(mapping.sources.get(src.name, {}) if mapping else {})
        sid = info.get("id") or src.name.strip() or src.guid
        base_id, suffix = sid, 2
        while sid in used_ids:
            sid, suffix = f"{base_id}-{suffix}", suffix + 1
        used_ids.add(sid)
        source_ids[src.guid] = sid
        inf = (
            info.get("informant")
            or _var(src.variables, "informant", "受访者")
            or informant_of_source.get(src.guid)
        )
        if inf and inf not in {i.id for i in informants}:
            org = _var(src.variables, "organisation", "organization", "机构", "单位")
            if not org:
                raise QdaFormatError(
                    f"source {src.name!r} names informant {inf!r}, who is not a case with an organisation",
                    file=file,
                    place=f"source {src.name!r}",
                    fix="add a case for the informant with the variable organisation = <actor id>, or a mapping [informants] entry",
                )
            informants.append(
                Informant(id=inf, organisation=org, role=_var(src.variables, "role", "角色"))
            )
        kind_raw = (
            info.get("kind")
            or _var(src.variables, "kind", "类型")
            or ("interview" if inf else "document")
        )
        try:
            source_kind = parse(CaseSourceKind, kind_raw)
        except InputError as exc:
            raise QdaFormatError(
                exc.message, file=file, place=f"source {src.name!r} kind", fix=exc.fix
            ) from None
        sources.append(
            Source(
                id=sid,
                path=f"sources/{_file_name(sid)}.txt",
                kind=source_kind,
                text=src.text,
                encoding=src.encoding,
                informant=inf or None,
                language=info.get("language") or _var(src.variables, "language", "语言") or None,
            )
        )
    params = AnalysisParams()
    if note.get("parameters"):
        params = params.with_overrides(note["parameters"], file=f"{file} (note {CASE_NOTE!r})")
    case = Case(
        id=case_id,
        title=str(case_meta.get("title", "" if note else project.name)),
        title_zh=str(case_meta.get("title_zh", "")),
        description=str(case_meta.get("description", "")),
        synthetic=bool(case_meta.get("synthetic", False)),
        actors=tuple(actors),
        informants=tuple(informants),
        sources=tuple(sources),
        parameters=params,
    )

    # --- segments → records ------------------------------------------------------------
    segments = project_segments(project, mapping, coder=coder, source_ids=source_ids)
    rows_of: dict[str, int] = {}
    last_row = int(note.get("export", {}).get("last_row", 0) or 0)
    for r in range(1, last_row + 1):
        rows_of[coding_guid(case_id, r)] = r
    rows: list[tuple[int, dict[str, str], Segment]] = []
    incomplete: list[str] = []
    extra = last_row
    src_by_id = {s.id: s for s in sources}
    for seg in segments:
        try:
            recs = segment_records(seg.codes)
        except QdaFormatError as exc:
            raise QdaFormatError(
                exc.message, file=file, place=seg.place(project), fix=exc.fix
            ) from None
        if not recs:
            incomplete.append(f"{seg.place(project)}: {_missing_groups(seg.codes)}")
            continue
        for cells in recs:
            row = (
                rows_of.get(seg.selections[0])
                if len(recs) == 1 and len(seg.selections) == 1
                else None
            )
            if row is None:
                extra += 1
                row = extra
            text = src_by_id[seg.source].text
            cells.update(
                source=seg.source,
                start=str(seg.start),
                end=str(seg.end),
                quote=_quote(text[seg.start : seg.end]),
                note=seg.note,
            )
            rows.append((row, cells, seg))
    if not rows:
        raise QdaFormatError(
            "the project has no complete resdep records"
            + (
                f" ({len(incomplete)} segments carry resdep codes but miss some: {incomplete[0]})"
                if incomplete
                else ""
            ),
            file=file,
            fix="code segments with one code of each needed group (see docs/qda.md), or give a mapping file from your codes to the resdep codebook",
        )
    rows.sort(key=lambda r: r[0])
    codings = _parse_rows(rows, case, project)
    case = dataclasses.replace(case, codings=codings)
    users = tuple(u.label for u in project.users)
    coders = {seg.user for _, _, seg in rows}
    notes: list[str] = []
    if len(coders) > 1 and coder is None:
        notes.append(
            f"codings of {len(coders)} users were combined ({', '.join(project.user_label(u) for u in coders)}); "
            "use --coder NAME to analyse one coder's, and resdep qda agreement to compare them"
        )
    if project.skipped_sources:
        notes.append(f"non-text sources skipped: {', '.join(project.skipped_sources)}")
    report = ImportReport(
        file=file,
        origin=project.origin,
        sources=len(project.sources),
        codes=len(project.codes),
        selections=project.n_selections,
        users=users,
        offsets=tuple((s.name, s.detection.summary()) for s in project.sources if s.detection),
        misfits=_misfits(project.sources),
        canonical_codes=len(cmap),
        ignored_codes=tuple(
            "/".join(c.path) for c in project.codes if c.guid not in cmap and c.codable
        ),
        segments=len({(seg.source, seg.start, seg.end, seg.user) for _, _, seg in rows}),
        records=len(codings),
        incomplete=tuple(incomplete),
        notes=tuple(notes),
    )
    return case, report


def _misfits(sources: Sequence[QdaSource]) -> tuple[str, ...]:
    out = []
    for s in sources:
        d = s.detection
        if d is None:
            continue
        for i in d.misfits:
            sel = s.selections[i]
            anywhere = "fits no convention" if i in d.unfit_anywhere else "fits another convention"
            out.append(
                f"source {s.name!r}, selection {sel.guid} ({sel.raw_start}–{sel.raw_end}) falls inside a character under {d.convention.value} ({anywhere}); widened to whole characters"
            )
    return tuple(out)


def _quote(piece: str) -> str:
    """The quote cell: left empty when it starts or ends with white space, which
    ``codings.csv`` cells cannot keep (the offsets then give it)."""
    return piece if piece == piece.strip() else ""


def _file_name(sid: str) -> str:
    name = re.sub(r"[^\w.-]+", "_", sid, flags=re.UNICODE).strip("._")
    return name or "source"


def _parse_rows(
    rows: Sequence[tuple[int, dict[str, str], Segment]], case: Case, project: QdaProject
) -> tuple[Coding, ...]:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CODING_COLUMNS), lineterminator="\n")
    w.writeheader()
    for _, cells, _ in rows:
        w.writerow(cells)
    try:
        codings = parse_codings(buf.getvalue().encode("utf-8"), case, file=project.file)
    except CaseFormatError as exc:
        m = re.match(r"row (\d+)", exc.place or "")
        if m is None:
            raise
        seg = rows[int(m.group(1)) - 1][2]
        column = (exc.place or "").partition(", column ")[2]
        raise QdaFormatError(
            exc.message,
            file=project.file,
            place=seg.place(project) + (f", {column.strip(chr(39))} code" if column else ""),
            fix=exc.fix,
        ) from None
    return tuple(dataclasses.replace(c, row=r) for c, (r, _, _) in zip(codings, rows, strict=True))
