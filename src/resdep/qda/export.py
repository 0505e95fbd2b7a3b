"""Writing a case as a REFI-QDA project (``.qdpx``) that QDA programs can open.

The project holds the canonical codebook with the case's actors (their kinds and names in
the description of each ``Actor/<id>`` code), one text source per case source (UTF-8, as
stored, so code-point offsets stay exact), one selection per coding carrying its codes,
informants as REFI-QDA cases with the variables ``organisation`` and ``role``, source
variables ``kind`` and ``language``, a note ``resdep case`` with the case settings as
TOML, and the stage-wise dependence networks as ``Links`` between actor codes and one
``Graph`` per stage. Importing the file gives back the same case
(:func:`resdep.qda.convert.project_to_case`).

Examples
--------
>>> import tempfile, pathlib
>>> from resdep.case import load_case
>>> tiny = pathlib.Path(__file__).parents[3] / "tests" / "fixtures" / "tiny_case"
>>> if tiny.is_dir():
...     out = pathlib.Path(tempfile.mkdtemp()) / "tiny.qdpx"
...     _ = write_qdpx(load_case(tiny), out)
...     print(out.stat().st_size > 0)
... else:
...     print(True)
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import tempfile
import uuid
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lxml import etree

from resdep.case.model import Case, Coding
from resdep.errors import OutputExistsError
from resdep.parameters import AnalysisParams
from resdep.qda.casefolder import _toml as _toml_value
from resdep.qda.codebook import CanonicalCode, build_codes, code_guid, xml_safe
from resdep.qda.convert import CASE_NOTE, coding_guid
from resdep.qda.project import PROJECT_NS
from resdep.textio import make_readable
from resdep.vocab import CaseSourceKind, EvidenceType, Stage

__all__ = ["case_codes", "project_xml", "write_qdpx"]

_NS = uuid.UUID("7c3e5a70-1f0b-4b8e-8a55-2d9f3b6c1e22")
_DEFAULT_EVIDENCE = {
    CaseSourceKind.INTERVIEW: EvidenceType.DIRECT,
    CaseSourceKind.FIELDNOTE: EvidenceType.OBSERVATION,
    CaseSourceKind.DOCUMENT: EvidenceType.DOCUMENT,
}
_STAGE_COLOR = {
    Stage.CONTRACTING: "#4E79A7",
    Stage.IMPLEMENTATION: "#F28E2B",
    Stage.CLOSING: "#E15759",
}


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "\x1f".join(parts)))


def case_codes(coding: Coding, source_kind: CaseSourceKind) -> list[CanonicalCode]:
    """The canonical codes that carry one coding (the inverse of the import's records).

    Examples
    --------
    >>> from resdep.vocab import RecordKind
    >>> c = Coding(row=1, source="S1", start=0, end=2, quote="ab", kind=RecordKind.GOAL,
    ...            evidence=EvidenceType.DIRECT, actor="street", value="service_quality", intensity=2)
    >>> [(x.group, x.value) for x in case_codes(c, CaseSourceKind.INTERVIEW)]
    [('Actor', 'street'), ('Goal', 'service_quality'), ('Intensity', '2')]
    """
    out: list[CanonicalCode] = []

    def add(group: str, value: object) -> None:
        if value is not None and value != "":
            out.append(CanonicalCode(group=group, value=str(value)))

    add("Stage", coding.stage.value if coding.stage else None)
    add("Dependent", coding.dependent)
    add("Provider", coding.provider)
    add("Resource", coding.resource.value if coding.resource else None)
    add("Dimension", coding.dimension.value if coding.dimension else None)
    add("Actor", coding.actor)
    value_group = {
        "philosophy": "Philosophy",
        "goal": "Goal",
        "problem": "Problem",
        "strategy": "Strategy",
    }
    if coding.kind.value in value_group:
        add(value_group[coding.kind.value], coding.value)
    add("Intensity", coding.intensity)
    if coding.evidence is not _DEFAULT_EVIDENCE[source_kind]:
        add("Evidence", coding.evidence.value)
    return out


def _non_default_parameters(params: AnalysisParams) -> dict[str, Any]:
    default = AnalysisParams()
    return {
        f.name: getattr(params, f.name)
        for f in dataclasses.fields(params)
        if getattr(params, f.name) != getattr(default, f.name)
    }


def _case_note(case: Case) -> str:
    lines = [
        "# resdep case settings: read back by resdep when this project is imported.",
        "# Actors are the codes under Actor (their kind is in each code's description);",
        "# informants are the cases; sources carry the variables kind and language.",
        "[case]",
        f"id = {_toml_value(case.id)}",
    ]
    for key in ("title", "title_zh", "description"):
        if getattr(case, key):
            lines.append(f"{key} = {_toml_value(getattr(case, key))}")
    if case.synthetic:
        lines.append("synthetic = true")
    params = _non_default_parameters(case.parameters)
    if params:
        lines.append("")
        lines.append("[parameters]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in params.items())
    lines += ["", "[export]", f"last_row = {max((c.row for c in case.codings), default=0)}"]
    return "\n".join(lines) + "\n"


def project_xml(
    case: Case,
    *,
    lang: str = "en",
    networks: Mapping[Stage, Any] | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The ``project.qde`` of a case, as bytes.

    ``networks`` (from :func:`resdep.pipeline.analyze`) adds Links and Graphs; without it
    they are computed (point estimates, no Monte Carlo draws).
    """
    from resdep import __version__

    if networks is None:
        from resdep.pipeline import analyze

        networks = analyze(case, draws=0).networks
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    ns = PROJECT_NS

    def q(tag: str) -> str:
        return f"{{{ns}}}{tag}"

    user = _guid(case.id, "user")
    root = etree.Element(
        q("Project"),
        nsmap={None: ns, "xsi": "http://www.w3.org/2001/XMLSchema-instance"},
        name=xml_safe(case.title or case.id),
        origin=f"resdep {__version__}",
        creatingUserGUID=user,
        creationDateTime=stamp,
        modifyingUserGUID=user,
        modifiedDateTime=stamp,
    )
    root.set(
        "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation",
        f"{ns} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd",
    )
    users = etree.SubElement(root, q("Users"))
    etree.SubElement(users, q("User"), guid=user, name="resdep", id="resdep")
    book = etree.SubElement(root, q("CodeBook"))
    codes_el = etree.SubElement(book, q("Codes"))
    guids = build_codes(codes_el, ns, lang=lang, actors=case.actors)

    var_names = ("organisation", "role", "kind", "language")
    var_guid = {n: _guid(case.id, "variable", n) for n in var_names}
    variables = etree.SubElement(root, q("Variables"))
    for n in var_names:
        v = etree.SubElement(
            variables, q("Variable"), guid=var_guid[n], name=n, typeOfVariable="Text"
        )
        etree.SubElement(v, q("Description")).text = {
            "organisation": "Informant's organisation: an actor id (a child of the Actor code).",
            "role": "Informant's role in the organisation.",
            "kind": "Source kind: interview, fieldnote or document.",
            "language": "Source language (e.g. zh).",
        }[n]

    def value(parent: Any, name: str, text: str) -> None:
        vv = etree.SubElement(parent, q("VariableValue"))
        etree.SubElement(vv, q("VariableRef"), targetGUID=var_guid[name])
        etree.SubElement(vv, q("TextValue")).text = xml_safe(text)

    source_guid = {s.id: _guid(case.id, "source", s.id) for s in case.sources}
    if case.informants:
        cases_el = etree.SubElement(root, q("Cases"))
        for inf in case.informants:
            c = etree.SubElement(
                cases_el, q("Case"), guid=_guid(case.id, "informant", inf.id), name=inf.id
            )
            value(c, "organisation", inf.organisation)
            if inf.role:
                value(c, "role", inf.role)
            for s in case.sources:
                if s.informant == inf.id:
                    etree.SubElement(c, q("SourceRef"), targetGUID=source_guid[s.id])

    by_source: dict[str, list[Coding]] = {}
    for c in case.codings:
        by_source.setdefault(c.source, []).append(c)
    sources_el = etree.SubElement(root, q("Sources"))
    for s in case.sources:
        g = source_guid[s.id]
        el = etree.SubElement(
            sources_el,
            q("TextSource"),
            guid=g,
            name=s.id,
            plainTextPath=f"internal://{g}.txt",
            creatingUser=user,
            creationDateTime=stamp,
        )
        for c in by_source.get(s.id, []):
            sel_guid = coding_guid(case.id, c.row)
            sel = etree.SubElement(
                el,
                q("PlainTextSelection"),
                guid=sel_guid,
                name=_selection_name(c.quote),
                startPosition=str(c.start),
                endPosition=str(c.end),
                creatingUser=user,
                creationDateTime=stamp,
            )
            if c.note:
                etree.SubElement(sel, q("Description")).text = xml_safe(c.note)
            for code in case_codes(c, s.kind):
                cod = etree.SubElement(
                    sel,
                    q("Coding"),
                    guid=_guid(sel_guid, code.group, code.value),
                    creatingUser=user,
                    creationDateTime=stamp,
                )
                etree.SubElement(cod, q("CodeRef"), targetGUID=guids.get(code, code_guid(code)))
        value(el, "kind", s.kind.value)
        if s.language:
            value(el, "language", s.language)

    notes = etree.SubElement(root, q("Notes"))
    note = etree.SubElement(
        notes,
        q("Note"),
        guid=_guid(case.id, "note"),
        name=CASE_NOTE,
        creatingUser=user,
        creationDateTime=stamp,
    )
    etree.SubElement(note, q("PlainTextContent")).text = xml_safe(_case_note(case))

    _links_and_graphs(root, q, case, networks, guids)
    etree.SubElement(root, q("Description")).text = (
        f"Exported by resdep {__version__} from case {case.id!r}"
        + (" (synthetic, illustrative data)" if case.synthetic else "")
        + ". Codes follow the resdep codebook; Links and Graphs show the dependence network of each stage "
        "(an arrow from the dependent actor to the provider; D in [0, 1])."
    )
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(
        etree.tostring(root, encoding="utf-8", pretty_print=True)
    )


def _selection_name(quote: str) -> str:
    one_line = " ".join(xml_safe(quote).split())
    return one_line if len(one_line) <= 80 else one_line[:79] + "…"


def _links_and_graphs(
    root: Any, q: Any, case: Case, networks: Mapping[Stage, Any], guids: Mapping[CanonicalCode, str]
) -> None:
    actor_guid = {a.id: guids[CanonicalCode(group="Actor", value=a.id)] for a in case.actors}
    labels = {a.id: a.label for a in case.actors}
    links: list[tuple[Stage, str, str, str, float, str]] = []
    for stage in Stage:
        g = networks.get(stage)
        if g is None:
            continue
        for dep, prov, data in sorted(g.edges(data=True)):
            d = float(data.get("d", 0.0))
            if not math.isfinite(d) or d <= 0:
                continue
            res = ", ".join(
                f"{k[2:]} {float(v):.2f}" for k, v in sorted(data.items()) if k.startswith("d_")
            )
            links.append((stage, _guid(case.id, "link", stage.value, dep, prov), dep, prov, d, res))
    if not links:
        return
    links_el = etree.SubElement(root, q("Links"))
    for stage, lg, dep, prov, d, res in links:
        etree.SubElement(
            links_el,
            q("Link"),
            guid=lg,
            name=f"{stage.value} ({stage.zh}): {dep} depends on {prov}, D = {d:.2f}"
            + (f" ({res})" if res else ""),
            direction="OneWay",
            color=_STAGE_COLOR[stage],
            originGUID=actor_guid[dep],
            targetGUID=actor_guid[prov],
        )
    graphs = etree.SubElement(root, q("Graphs"))
    n = len(case.actors)
    for stage in Stage:
        stage_links = [x for x in links if x[0] is stage]
        graph = etree.SubElement(
            graphs,
            q("Graph"),
            guid=_guid(case.id, "graph", stage.value),
            name=f"Dependence network: {stage.value} ({stage.zh})",
        )
        vertex = {}
        for k, a in enumerate(case.actors):
            angle = 2 * math.pi * k / max(n, 1)
            x, y = int(400 + 300 * math.cos(angle)), int(400 + 300 * math.sin(angle))
            vg = _guid(case.id, "vertex", stage.value, a.id)
            vertex[a.id] = vg
            etree.SubElement(
                graph,
                q("Vertex"),
                guid=vg,
                representedGUID=actor_guid[a.id],
                name=xml_safe(labels[a.id]),
                firstX=str(x),
                firstY=str(y),
                secondX=str(x + 140),
                secondY=str(y + 50),
                shape="Rectangle" if a.is_government else "RoundedRectangle",
            )
        for _, lg, dep, prov, d, _res in stage_links:
            etree.SubElement(
                graph,
                q("Edge"),
                guid=_guid(lg, "edge"),
                representedGUID=lg,
                name=f"D = {d:.2f}",
                sourceVertex=vertex[dep],
                targetVertex=vertex[prov],
                color=_STAGE_COLOR[stage],
                direction="OneWay",
                lineStyle="solid" if d >= 0.5 else "dashed",
            )


def write_qdpx(
    case: Case,
    out: str | Path,
    *,
    lang: str = "en",
    force: bool = False,
    networks: Mapping[Stage, Any] | None = None,
) -> Path:
    """Write a case as a ``.qdpx`` archive, atomically; refuses to overwrite without ``force``."""
    target = Path(out)
    if target.is_dir():
        raise OutputExistsError(f"{target} is a folder; give a .qdpx file path")
    if target.exists() and not force:
        raise OutputExistsError(
            f"{target} exists; choose another --out, or pass --force to replace it"
        )
    xml = project_xml(case, lang=lang, networks=networks)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with (
            os.fdopen(fd, "wb") as fh,
            zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf,
        ):
            zf.writestr("project.qde", xml)
            for s in case.sources:
                zf.writestr(f"sources/{_guid(case.id, 'source', s.id)}.txt", s.text.encode("utf-8"))
        make_readable(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
