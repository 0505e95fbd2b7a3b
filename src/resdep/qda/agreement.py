"""Agreement between coders: per code family, per segment, on the dependence tuple and the edges.

Inputs are two or more coders' codings of the same sources (two case folders, or one
``.qdpx`` with several users), each turned into :class:`CoderData`: coded segments with
their canonical codes, and, where complete, the records of ``codings.csv``.

Measures (docs/qda.md gives the details):

- **Unit agreement per code family** (Stage, Dependent, Provider, Resource, Dimension,
  Intensity, Actor, Philosophy, Goal, Problem, Strategy, Evidence). Units are the
  sentences of each source (:func:`~resdep.qda.transcripts.split_sentences`). A coder's
  value for a unit and family is the family's code on the coded segments overlapping the
  unit (the one covering most of the unit on a tie), or ``none``. Units that no coder
  coded with the family are left out, so uncoded text does not inflate agreement.
  Reported: Krippendorff's α (nominal; ``krippendorff.alpha``), Cohen's κ
  (as ``sklearn.metrics.cohen_kappa_score`` computes it; the mean over pairs, Light's κ, for more than
  two coders) and percent agreement. Intensity also gets an ordinal α over the units
  both coders rated.
- **Segment-overlap agreement** (MAXQDA style): a segment agrees when another coder
  has a segment in the same source overlapping it by at least ``overlap`` (intersection
  over union) with the same code of the family; reported as the share of agreeing
  segments and Brennan–Prediger's κ_n = (p − 1/k)/(1 − 1/k), k the family's codes used.
- **Tuple agreement**: the share of dependence records (both directions) that another
  coder also recorded on an overlapping segment with the same (stage, dependent,
  provider, resource, dimension); also per field on matched segments.
- **Edge agreement**: Jaccard similarity of the coders' sets of stage-wise edges
  (stage, dependent, provider), and Krippendorff's α (interval) on each edge's
  dependence D computed by the pipeline (absent edges count D = 0).

References: Krippendorff, K. (2004) *Content Analysis*, ch. 11; Cohen (1960);
Brennan & Prediger (1981); Light (1971).

Examples
--------
>>> a = CoderData.from_values("A", {"Stage": ["contracting", "contracting", "closing", "closing"]})
>>> b = CoderData.from_values("B", {"Stage": ["contracting", "closing", "closing", "closing"]})
>>> t = agreement([a, b]).table
>>> round(float(t.query("measure == 'krippendorff_alpha' and family == 'Stage'").value.iloc[0]), 4)
0.5333
>>> round(float(t.query("measure == 'cohen_kappa' and family == 'Stage'").value.iloc[0]), 4)
0.5
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

import krippendorff
import numpy as np
import pandas as pd

from resdep.case.model import Case
from resdep.errors import InputError, QdaFormatError
from resdep.qda.codebook import GROUPS, CanonicalCode
from resdep.qda.transcripts import split_sentences

__all__ = [
    "AGREEMENT_COLUMNS",
    "ALPHA_THRESHOLD",
    "AgreementResult",
    "CoderData",
    "CoderSegment",
    "agreement",
    "agreement_flags",
    "coder_data_from_case",
    "coder_data_from_project",
    "cohen_kappa",
]

#: Krippendorff's lowest acceptable α for tentative conclusions.
ALPHA_THRESHOLD = 0.667
#: Columns of the agreement table.
AGREEMENT_COLUMNS = ["measure", "family", "coders", "n", "value", "method"]
_NONE = "none"
_FAMILIES = tuple(GROUPS)
_TUPLE = ("stage", "dependent", "provider", "resource", "dimension")


@dataclass(frozen=True, slots=True, kw_only=True)
class CoderSegment:
    """One coded segment of one coder."""

    source: str
    start: int
    end: int
    codes: tuple[CanonicalCode, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CoderData:
    """One coder's work: segments (for families) and, if complete, records and a case."""

    name: str
    segments: tuple[CoderSegment, ...]
    texts: Mapping[str, str] = field(default_factory=dict)
    records: tuple[Mapping[str, str], ...] = ()
    case: Case | None = None

    @classmethod
    def from_values(cls, name: str, values: Mapping[str, Sequence[str | None]]) -> CoderData:
        """A coder of toy units: unit k of source ``"u"`` is characters k..k+1 (for tests and examples)."""
        n = max(len(v) for v in values.values())
        text = "。" * n
        segs = []
        for k in range(n):
            codes = tuple(
                CanonicalCode(group=fam, value=str(vals[k]))
                for fam, vals in values.items()
                if vals[k] is not None
            )
            if codes:
                segs.append(CoderSegment(source="u", start=k, end=k + 1, codes=codes))
        return cls(name=name, segments=tuple(segs), texts={"u": text})


def coder_data_from_case(case: Case, name: str | None = None) -> CoderData:
    """A coder's data from a case (e.g. a case folder coded by one person)."""
    from resdep.qda.export import case_codes

    kinds = {s.id: s.kind for s in case.sources}
    segs = tuple(
        CoderSegment(
            source=c.source, start=c.start, end=c.end, codes=tuple(case_codes(c, kinds[c.source]))
        )
        for c in case.codings
    )
    records = tuple(
        {
            "source": c.source,
            "start": str(c.start),
            "end": str(c.end),
            "kind": c.kind.value,
            **{
                f: (str(getattr(c, f).value) if getattr(c, f) is not None else "")
                for f in ("stage", "resource", "dimension")
            },
            "dependent": c.dependent or "",
            "provider": c.provider or "",
        }
        for c in case.codings
    )
    return CoderData(
        name=name or case.id,
        segments=segs,
        texts={s.id: s.text for s in case.sources},
        records=records,
        case=case,
    )


def coder_data_from_project(path: str, *, mapping: str | None = None) -> list[CoderData]:
    """One :class:`CoderData` per user who coded the project (a ``.qdpx`` file)."""
    from resdep.qda.convert import project_segments, project_to_case
    from resdep.qda.mapping import load_mapping
    from resdep.qda.project import read_qdpx

    project = read_qdpx(path)
    m = load_mapping(mapping) if mapping else None
    texts = {s.name: s.text for s in project.sources}
    out: list[CoderData] = []
    for user in project.users:
        segs = project_segments(project, m, coder=user.guid)
        if not segs:
            continue
        case: Case | None
        try:
            case, _ = project_to_case(project, m, coder=user.guid)
        except QdaFormatError:
            case = None
        data = CoderData(
            name=user.label,
            segments=tuple(
                CoderSegment(source=s.source, start=s.start, end=s.end, codes=s.codes) for s in segs
            ),
            texts=texts,
        )
        if case is not None:
            cd = coder_data_from_case(case, user.label)
            data = CoderData(
                name=user.label, segments=data.segments, texts=texts, records=cd.records, case=case
            )
        out.append(data)
    if len(out) < 2:
        raise QdaFormatError(
            f"the project holds codings of {len(out)} user{'s' if len(out) != 1 else ''} with resdep codes; agreement needs two or more",
            file=path,
            fix="give two case folders, or a project in which two or more users coded the same sources",
        )
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementResult:
    """The agreement table and the unit-by-coder values behind it."""

    table: pd.DataFrame
    units: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    def alpha(self, family: str) -> float:
        """Krippendorff's α (nominal) of a code family (nan if not computed)."""
        t = self.table
        row = t[(t.measure == "krippendorff_alpha") & (t.family == family)]
        return float(row.value.iloc[0]) if len(row) else math.nan


def _units(coders: Sequence[CoderData]) -> list[tuple[str, int, int]]:
    texts: dict[str, str] = {}
    for c in coders:
        for sid, text in c.texts.items():
            if sid in texts and texts[sid] != text:
                raise QdaFormatError(
                    f"source {sid!r} has different texts for different coders; their offsets cannot be compared",
                    place=f"coder {c.name!r}",
                    fix="give the coders the same transcripts",
                )
            texts[sid] = text
    coded = {s.source for c in coders for s in c.segments}
    return [
        (sid, s, e) for sid in sorted(coded) if sid in texts for s, e in split_sentences(texts[sid])
    ]


def _unit_values(coder: CoderData, units: Sequence[tuple[str, int, int]], family: str) -> list[str]:
    by_source: dict[str, list[CoderSegment]] = defaultdict(list)
    for s in coder.segments:
        by_source[s.source].append(s)
    out = []
    for sid, us, ue in units:
        weight: dict[str, int] = defaultdict(int)
        for s in by_source.get(sid, ()):
            ov = min(ue, s.end) - max(us, s.start)
            if ov > 0:
                for c in s.codes:
                    if c.group == family:
                        weight[c.value] += ov
        out.append(max(sorted(weight), key=lambda v: weight[v]) if weight else _NONE)
    return out


def _alpha(
    matrix: Sequence[Sequence[str | None]],
    level: Literal["nominal", "ordinal", "interval"] = "nominal",
) -> float:
    """Krippendorff's α of coders × units string values (None = missing).

    α is undefined (NaN, shown ``n/a`` and flagged) when the data allow no disagreement:
    fewer than two values used in all (α's expected disagreement is 0, and the
    ``krippendorff`` package refuses such data), or no unit rated by two coders.
    """
    domain = sorted({v for row in matrix for v in row if v is not None})
    if len(domain) < 2:
        return math.nan
    if level == "nominal":
        index = {v: float(i) for i, v in enumerate(domain)}
        data = np.array([[index[v] if v is not None else np.nan for v in row] for row in matrix])
    else:
        data = np.array([[float(v) if v is not None else np.nan for v in row] for row in matrix])
    try:
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    except (ValueError, ZeroDivisionError):
        return math.nan


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's κ of two coders' nominal values on the same units.

    κ = (p_o − p_e) / (1 − p_e), p_e from each coder's marginal shares; nan when both
    coders used one and the same single category (κ is undefined there).

    Examples
    --------
    >>> cohen_kappa(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    0.5
    """
    if len(a) != len(b) or not a:
        raise ValueError("both coders need values for the same, non-empty list of units")
    n = len(a)
    cats = sorted(set(a) | set(b))
    po = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pe = sum((list(a).count(c) / n) * (list(b).count(c) / n) for c in cats)
    if pe >= 1.0:
        return math.nan
    return (po - pe) / (1.0 - pe)


def agreement(
    coders: Sequence[CoderData], *, overlap: float = 0.8, edges: bool = True
) -> AgreementResult:
    """Compute every agreement measure for two or more coders (see the module docstring).

    ``overlap`` (intersection/union) must lie in (0, 1].
    """
    if not 0.0 < overlap <= 1.0:  # also refuses nan
        raise InputError(
            f"overlap {overlap!r} is not a fraction above 0 and at most 1",
            place="overlap",
            fix="give the intersection/union two segments need to match, e.g. 0.8",
        )
    if len(coders) < 2:
        raise QdaFormatError(
            "agreement needs two or more coders",
            fix="give two case folders or a project with two users",
        )
    names = [c.name for c in coders]
    if len(set(names)) < len(names):
        names = [f"{n} ({k + 1})" for k, n in enumerate(names)]
    label = " / ".join(names)
    units = _units(coders)
    rows: list[dict[str, object]] = []
    unit_tables: dict[str, pd.DataFrame] = {}
    for fam in _FAMILIES:
        values = [_unit_values(c, units, fam) for c in coders]
        keep = [k for k in range(len(units)) if any(v[k] != _NONE for v in values)]
        if not keep:
            continue
        matrix = [[v[k] for k in keep] for v in values]
        unit_tables[fam] = pd.DataFrame(
            {
                "source": [units[k][0] for k in keep],
                "start": [units[k][1] for k in keep],
                "end": [units[k][2] for k in keep],
                **dict(zip(names, matrix, strict=True)),
            }
        )
        pairs = list(combinations(range(len(coders)), 2))
        kappas = [cohen_kappa(matrix[i], matrix[j]) for i, j in pairs]
        pct = float(
            np.mean(
                [
                    np.mean([x == y for x, y in zip(matrix[i], matrix[j], strict=True)])
                    for i, j in pairs
                ]
            )
        )
        rows.append(
            {
                "measure": "krippendorff_alpha",
                "family": fam,
                "coders": label,
                "n": len(keep),
                "value": _alpha(matrix),
                "method": "nominal, sentence units coded by anyone",
            }
        )
        rows.append(
            {
                "measure": "cohen_kappa",
                "family": fam,
                "coders": label,
                "n": len(keep),
                "value": float(np.nanmean(kappas))
                if not all(math.isnan(k) for k in kappas)
                else math.nan,
                "method": "sentence units"
                + ("" if len(pairs) == 1 else f"; mean of {len(pairs)} pairs (Light)"),
            }
        )
        rows.append(
            {
                "measure": "percent_agreement",
                "family": fam,
                "coders": label,
                "n": len(keep),
                "value": pct,
                "method": "sentence units; mean over pairs",
            }
        )
        if fam == "Intensity":
            ordinal = [[v if v != _NONE else None for v in row] for row in matrix]
            both = [k for k in range(len(keep)) if sum(r[k] is not None for r in ordinal) >= 2]
            if both:
                rows.append(
                    {
                        "measure": "krippendorff_alpha",
                        "family": "Intensity (ordinal)",
                        "coders": label,
                        "n": len(both),
                        "value": _alpha([[r[k] for k in both] for r in ordinal], "ordinal"),
                        "method": "ordinal, units rated by two or more coders",
                    }
                )
        seg = _segment_overlap(coders, fam, overlap)
        if seg is not None:
            p, bp, n = seg
            rows.append(
                {
                    "measure": "segment_overlap",
                    "family": fam,
                    "coders": label,
                    "n": n,
                    "value": p,
                    "method": f"segments matched at overlap ≥ {overlap:g} with the same code",
                }
            )
            rows.append(
                {
                    "measure": "brennan_prediger_kappa",
                    "family": fam,
                    "coders": label,
                    "n": n,
                    "value": bp,
                    "method": "κ_n with chance 1/k over the family's codes used",
                }
            )
    rows.extend(_tuple_rows(coders, overlap, label))
    if edges:
        rows.extend(_edge_rows(coders, label))
    table = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    return AgreementResult(table=table, units=unit_tables)


def _overlap(
    a: CoderSegment | tuple[str, int, int], b: CoderSegment | tuple[str, int, int]
) -> float:
    sa, a0, a1 = (a.source, a.start, a.end) if isinstance(a, CoderSegment) else a
    sb, b0, b1 = (b.source, b.start, b.end) if isinstance(b, CoderSegment) else b
    if sa != sb:
        return 0.0
    inter = min(a1, b1) - max(a0, b0)
    union = max(a1, b1) - min(a0, b0)
    return inter / union if inter > 0 and union > 0 else 0.0


def _segment_overlap(
    coders: Sequence[CoderData], fam: str, overlap: float
) -> tuple[float, float, int] | None:
    per = [
        [(s, {c.value for c in s.codes if c.group == fam}) for s in cd.segments] for cd in coders
    ]
    per = [[(s, v) for s, v in lst if v] for lst in per]
    total = sum(len(x) for x in per)
    if total == 0:
        return None
    agree = 0
    for i, mine in enumerate(per):
        others = [x for j, lst in enumerate(per) if j != i for x in lst]
        for s, vals in mine:
            if any(_overlap(s, o) >= overlap and vals & ov for o, ov in others):
                agree += 1
    p = agree / total
    k = len({v for lst in per for _, vals in lst for v in vals})
    bp = (p - 1 / k) / (1 - 1 / k) if k > 1 else math.nan
    return p, bp, total


def _tuple_rows(coders: Sequence[CoderData], overlap: float, label: str) -> list[dict[str, object]]:
    recs = [[r for r in cd.records if r.get("kind") == "dependence"] for cd in coders]
    total = sum(len(r) for r in recs)
    if total == 0:
        return []
    agree = 0
    field_hits: dict[str, list[bool]] = {f: [] for f in _TUPLE}
    for i, mine in enumerate(recs):
        others = [r for j, lst in enumerate(recs) if j != i for r in lst]
        for r in mine:
            span = (r["source"], int(r["start"]), int(r["end"]))
            near = [
                o
                for o in others
                if _overlap(span, (o["source"], int(o["start"]), int(o["end"]))) >= overlap
            ]
            if any(all(o[f] == r[f] for f in _TUPLE) for o in near):
                agree += 1
            if near:
                for f in _TUPLE:
                    field_hits[f].append(any(o[f] == r[f] for o in near))
    rows: list[dict[str, object]] = [
        {
            "measure": "tuple_agreement",
            "family": "dependence tuple",
            "coders": label,
            "n": total,
            "value": agree / total,
            "method": f"records with the same (stage, dependent, provider, resource, dimension) on a segment overlapping ≥ {overlap:g}",
        }
    ]
    for f, hits in field_hits.items():
        if hits:
            rows.append(
                {
                    "measure": "tuple_field_agreement",
                    "family": f,
                    "coders": label,
                    "n": len(hits),
                    "value": float(np.mean(hits)),
                    "method": "on records with an overlapping record of another coder",
                }
            )
    return rows


def _edge_rows(coders: Sequence[CoderData], label: str) -> list[dict[str, object]]:
    edge_sets: list[set[tuple[str, str, str]]] = []
    for cd in coders:
        edge_sets.append(
            {
                (r["stage"], r["dependent"], r["provider"])
                for r in cd.records
                if r.get("kind") == "dependence"
            }
        )
    if not any(edge_sets):
        return []
    pairs = list(combinations(range(len(coders)), 2))
    jac = [
        len(edge_sets[i] & edge_sets[j]) / len(edge_sets[i] | edge_sets[j])
        if edge_sets[i] | edge_sets[j]
        else math.nan
        for i, j in pairs
    ]
    union = sorted(set().union(*edge_sets))
    rows: list[dict[str, object]] = [
        {
            "measure": "edge_jaccard",
            "family": "edges",
            "coders": label,
            "n": len(union),
            "value": float(np.nanmean(jac)),
            "method": "stage-wise edges (stage, dependent, provider); mean over pairs",
        }
    ]
    if all(cd.case is not None for cd in coders):
        from resdep.pipeline import analyze

        d_values: list[list[str | None]] = []
        for cd in coders:
            assert cd.case is not None
            nets = analyze(cd.case, draws=0).networks
            row: list[str | None] = []
            for stage, dep, prov in union:
                g = next((g for s, g in nets.items() if s.value == stage), None)
                d = (
                    float(g.edges[dep, prov]["d"])
                    if g is not None and g.has_edge(dep, prov)
                    else 0.0
                )
                row.append(repr(d))
            d_values.append(row)
        rows.append(
            {
                "measure": "edge_alpha_d",
                "family": "edges",
                "coders": label,
                "n": len(union),
                "value": _alpha(d_values, "interval"),
                "method": "Krippendorff's α (interval) on each edge's D; absent edges D = 0",
            }
        )
    return rows


def agreement_flags(
    result: AgreementResult | pd.DataFrame, *, threshold: float = ALPHA_THRESHOLD
) -> pd.DataFrame:
    """Code families whose Krippendorff's α (nominal) falls below ``threshold`` (0.667).

    For the report: one row per flagged family with columns family, alpha, n, threshold,
    message. A family whose α is undefined (all coders used one value, so the data allow
    no disagreement) is flagged too, with α NaN: agreement cannot be judged from it.

    Examples
    --------
    >>> a = CoderData.from_values("A", {"Stage": ["contracting", "contracting", "closing", "closing"]})
    >>> b = CoderData.from_values("B", {"Stage": ["contracting", "closing", "closing", "closing"]})
    >>> agreement_flags(agreement([a, b]))[["family", "alpha"]].round(3).to_dict("records")
    [{'family': 'Stage', 'alpha': 0.533}]
    """
    table = result.table if isinstance(result, AgreementResult) else result
    alphas = table[table.measure == "krippendorff_alpha"]
    if "method" in alphas.columns:  # the nominal α of each family (not the ordinal one)
        alphas = alphas[~alphas.method.astype(str).str.startswith("ordinal")]
    values = alphas.value.astype(float)
    low = alphas[values.isna() | (values < threshold)]

    def message(family: str, value: float, n: int) -> str:
        if math.isnan(value):
            return (
                f"α is undefined for {family} (n/a): on its {n} units the coders used one "
                "value only, so the data allow no disagreement and agreement cannot be "
                "judged from them"
            )
        return (
            f"coders agree poorly on {family} (α = {value:.2f} < {threshold}); review the "
            "code definitions before relying on it"
        )

    return pd.DataFrame(
        {
            "family": low.family.to_list(),
            "alpha": low.value.astype(float).to_list(),
            "n": low.n.to_list(),
            "threshold": [threshold] * len(low),
            "message": [
                message(str(f), float(v), int(n))
                for f, v, n in zip(low.family, low.value, low.n, strict=True)
            ],
        },
        columns=["family", "alpha", "n", "threshold", "message"],
    )
