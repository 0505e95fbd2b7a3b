"""The core pipeline: case → evidence → inputs → dependence → classification → tables.

:func:`analyze` returns an :class:`Analysis` holding pandas DataFrames with the columns
of the design's output contract (section 11), the evidence behind every input, and the
Monte Carlo draws; :func:`write_outputs` writes the output folder.

Examples
--------
>>> from resdep import analyze, load_case
>>> from resdep.data import founding_case_path
>>> result = analyze(load_case(founding_case_path()), draws=200)
>>> list(result.stages.columns)
['agency', 'government', 'stage', 'd_ag', 'd_ga', 'md', 'pa', 'pi', 'md_min', 'state']
>>> bool(((result.inputs["d"] >= 0) & (result.inputs["d"] <= 1)).all())
True
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from resdep.case.model import Case
from resdep.classify import GKS_ORDER, LABEL_ORDER, NAJAM_ORDER, classify_dyads, gks, najam
from resdep.dependence import STATE_ORDER, dyad_measures, noisy_or, resource_dependence, stage_state
from resdep.errors import CaseFormatError
from resdep.evidence import EvidenceRecord, beta_estimate, build_records, triangulation
from resdep.parameters import AnalysisParams
from resdep.vocab import Dimension, Goal, RecordKind, Stage

__all__ = [
    "DIAGNOSTICS_COLUMNS",
    "HARD_CONCENTRATION",
    "HARD_EPSILON",
    "INPUTS_COLUMNS",
    "RELATIONSHIPS_COLUMNS",
    "STAGES_COLUMNS",
    "Analysis",
    "analyze",
    "hard_beta",
]

INPUTS_COLUMNS = [
    "dependent", "provider", "resource", "stage", "importance", "alternatives", "discretion",
    "d", "n_records", "triangulation", "single_source", "origin",
]  # fmt: skip
STAGES_COLUMNS = [
    "agency",
    "government",
    "stage",
    "d_ag",
    "d_ga",
    "md",
    "pa",
    "pi",
    "md_min",
    "state",
]
RELATIONSHIPS_COLUMNS = [
    "agency", "government", "label", "mu_partnership", "mu_buddy", "p_partnership", "p_buddy",
    "p_transactional", "ri", "gp", "ia", "dep", "najam", "gks",
]  # fmt: skip
DIAGNOSTICS_COLUMNS = ["scope", "measure", "value", "n_records", "triangulation"]

STAGES: tuple[Stage, ...] = tuple(Stage)
DIMS: tuple[Dimension, ...] = (Dimension.IMPORTANCE, Dimension.ALTERNATIVES, Dimension.DISCRETION)
#: Hard data (records) is treated as known: its Beta has this concentration (a + b - 2ε) ...
HARD_CONCENTRATION = 1e6
#: ... plus ε on both sides, so that D = 0 and D = 1 (an agency's sole buyer) stay valid Betas.
HARD_EPSILON = 0.5


def hard_beta(value: float) -> tuple[float, float]:
    """The bounded-concentration Beta of a measured share D in [0, 1] inclusive.

    ``a = ε + D·κ`` and ``b = ε + (1 − D)·κ`` with κ = :data:`HARD_CONCENTRATION` and
    ε = :data:`HARD_EPSILON` > 0: valid at D = 0 and D = 1, mean within ε/κ of D, standard
    deviation at most 1/(2·sqrt(κ)) = 0.0005.

    Examples
    --------
    >>> hard_beta(1.0), hard_beta(0.0)
    ((1000000.5, 0.5), (0.5, 1000000.5))
    """
    if not 0.0 <= value <= 1.0:  # also refuses NaN
        raise ValueError(f"a hard input must be in [0, 1], got {value!r}")
    return HARD_EPSILON + value * HARD_CONCENTRATION, HARD_EPSILON + (
        1.0 - value
    ) * HARD_CONCENTRATION


RESIDENT_REFERENCE = {Goal.RESIDENT_BENEFIT: 1.0, Goal.SERVICE_QUALITY: 1.0}
TASK_GOALS = (Goal.TROUBLE_FREE_COMPLETION, Goal.IMPRESSION_ACHIEVEMENT)
QUALITY_GOALS = (Goal.SERVICE_QUALITY, Goal.RESIDENT_BENEFIT)


@dataclass(frozen=True, slots=True, kw_only=True)
class Analysis:
    """Everything ``analyze`` found, as tables.

    Attributes
    ----------
    inputs, stages, relationships, diagnostics
        The output tables of the design's section 11.
    evidence
        One row per record with its provenance (informant, source, offsets, quote),
        weight and the keys that link it to inputs, philosophy, goals and diagnostics.
    intervals
        Per dyad: 5th and 95th percentiles of both memberships over the draws.
    input_origins
        Per input tuple and dimension that came from records: the sentence saying how.
    networks
        One directed graph per stage; edges carry ``d`` and ``d_<resource>``.
    stage_intervals
        Per dyad and stage: 5th and 95th percentiles of PA over the draws, and
        ``p_state``, the share of draws in which the stage state equals the reported one.
    """

    case: Case
    params: AnalysisParams
    inputs: pd.DataFrame
    stages: pd.DataFrame
    relationships: pd.DataFrame
    diagnostics: pd.DataFrame
    evidence: pd.DataFrame
    intervals: pd.DataFrame
    input_origins: pd.DataFrame
    networks: Mapping[Stage, nx.DiGraph] = field(default_factory=dict)
    stage_intervals: pd.DataFrame = field(default_factory=pd.DataFrame)


def analyze(
    case: Case,
    *,
    draws: int | None = None,
    seed: int | None = None,
    rng: int | np.random.Generator | None = None,
) -> Analysis:
    """Run the pipeline on a case.

    Parameters
    ----------
    case
        A loaded case (:func:`resdep.load_case`).
    draws, seed
        Override the Monte Carlo draws and seed of the case's parameters.
    rng
        A generator to draw from instead of one seeded from ``seed``.
    """
    overrides: dict[str, Any] = {}
    if draws is not None:
        overrides["draws"] = draws
    if seed is not None:
        overrides["seed"] = seed
    params = case.parameters.with_overrides(overrides) if overrides else case.parameters
    records = build_records(case)
    inputs, beta, origins = _inputs(case, records, params)
    _check_memory(params.draws, len(inputs))
    dyads = _dyads(case, inputs)
    d_ag, d_ga = _stage_dependence(inputs, dyads, inputs["d"].to_numpy())
    stages = _stages_table(dyads, d_ag, d_ga, params)
    gp_ab = _philosophy(case, records, params)
    goal_vectors = _goal_vectors(records)
    ia = np.array([_cosine(goal_vectors.get(a), goal_vectors.get(g)) for a, g in dyads])
    generator = (
        rng
        if isinstance(rng, np.random.Generator)
        else np.random.default_rng(params.seed if rng is None else rng)
    )
    relationships, intervals, stage_intervals = _classify(
        dyads, inputs, beta, d_ag, d_ga, gp_ab, ia, params, generator
    )
    diagnostics = _diagnostics(case, records, goal_vectors, dyads, params)
    evidence = _evidence_table(case, records)
    networks = _networks(case, inputs)
    return Analysis(
        case=case,
        params=params,
        inputs=inputs[INPUTS_COLUMNS].reset_index(drop=True),
        stages=stages,
        relationships=relationships,
        diagnostics=diagnostics,
        evidence=evidence,
        intervals=intervals,
        input_origins=origins,
        networks=networks,
        stage_intervals=stage_intervals,
    )


#: Monte Carlo arrays may use at most this many bytes (several float64 arrays of draws × inputs × 3).
MAX_DRAW_BYTES = 4 * 2**30


def _check_memory(draws: int, n_inputs: int) -> None:
    need = draws * max(n_inputs, 1) * 3 * 8 * 6
    if need > MAX_DRAW_BYTES:
        most = MAX_DRAW_BYTES // (max(n_inputs, 1) * 3 * 8 * 6)
        raise CaseFormatError(
            f"{draws:,} draws over {n_inputs} inputs would need about {need / 2**30:.1f} GiB",
            place="parameter 'draws'",
            fix=f"use at most {most:,} draws (2,000 is the default and plenty for P(label) to ±0.01)",
        )


# --- inputs -------------------------------------------------------------------------------


def _inputs(
    case: Case, records: Sequence[EvidenceRecord], params: AnalysisParams
) -> tuple[pd.DataFrame, NDArray[np.float64], pd.DataFrame]:
    """One row per (dependent, provider, resource, stage) tuple; Beta (a, b) per dimension."""
    groups: dict[tuple[str, str, str, Stage], list[EvidenceRecord]] = defaultdict(list)
    for r in records:
        c = r.coding
        if c.kind is RecordKind.DEPENDENCE:
            assert c.dependent and c.provider and c.resource and c.stage  # noqa: PT018 - validated on load
            groups[(c.dependent, c.provider, c.resource.value, c.stage)].append(r)
    hard = {(h.dependent, h.provider, h.resource, h.dimension): h for h in case.hard_inputs}
    stage_rank = {s: i for i, s in enumerate(STAGES)}
    keys = sorted(groups, key=lambda k: (k[0], k[1], k[2], stage_rank[k[3]]))
    rows: list[dict[str, Any]] = []
    beta = np.zeros((len(keys), len(DIMS), 2))
    origins: list[dict[str, Any]] = []
    for i, key in enumerate(keys):
        recs = groups[key]
        row: dict[str, Any] = {
            "dependent": key[0],
            "provider": key[1],
            "resource": key[2],
            "stage": key[3].value,
        }
        from_records = False
        for j, dim in enumerate(DIMS):
            h = hard.get((key[0], key[1], key[2], dim.value))
            from_records = from_records or h is not None
            if h is not None:
                a, b = hard_beta(h.value)
                origins.append(
                    {
                        **{k: row[k] for k in ("dependent", "provider", "resource", "stage")},
                        "dimension": dim.value,
                        "value": h.value,
                        "basis": h.basis,
                    }
                )
            else:
                dim_recs = [r for r in recs if r.coding.dimension is dim]
                est = beta_estimate(
                    [r.v for r in dim_recs],
                    [r.weight for r in dim_recs],
                    prior_mean=params.prior_mean,
                    prior_strength=params.prior_strength,
                )
                a, b = est.a, est.b
            beta[i, j] = (a, b)
            row[dim.value] = h.value if h is not None else a / (a + b)
        row["n_records"] = len(recs)
        row["triangulation"] = triangulation(recs)
        # a tuple measured from records rests on documents, not on one informant's word
        row["single_source"] = not from_records and row["triangulation"] < params.min_triangulation
        row["origin"] = "records" if from_records else "coded"
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[c for c in INPUTS_COLUMNS if c != "d"])
    frame["d"] = (
        resource_dependence(
            frame["importance"].to_numpy(float),
            frame["alternatives"].to_numpy(float),
            frame["discretion"].to_numpy(float),
            params.dependence,
        )
        if len(frame)
        else np.zeros(0)
    )
    origin_frame = pd.DataFrame(
        origins,
        columns=["dependent", "provider", "resource", "stage", "dimension", "value", "basis"],
    )
    return frame, beta, origin_frame


def _dyads(case: Case, inputs: pd.DataFrame) -> list[tuple[str, str]]:
    """(agency, government) pairs named by any dependence tuple, in a stable order."""
    kinds = {a.id: a for a in case.actors}
    found: set[tuple[str, str]] = set()
    for dep, prov in zip(inputs["dependent"], inputs["provider"], strict=True):
        a, b = kinds[dep], kinds[prov]
        if a.kind.value == "social_work_agency" and b.is_government:
            found.add((a.id, b.id))
        elif b.kind.value == "social_work_agency" and a.is_government:
            found.add((b.id, a.id))
    order = {a.id: i for i, a in enumerate(case.actors)}
    return sorted(found, key=lambda p: (order[p[0]], order[p[1]]))


def _stage_dependence(
    inputs: pd.DataFrame, dyads: Sequence[tuple[str, str]], d: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Noisy-OR of tuple dependence into D_ag and D_ga per dyad and stage.

    ``d`` has tuples on its last axis (one row per draw, or one vector); the result has
    shape ``(..., n_dyads, n_stages)``.
    """
    index = {p: k for k, p in enumerate(dyads)}
    stage_rank = {s.value: i for i, s in enumerate(STAGES)}
    n = len(dyads) * 2 * len(STAGES)
    m = np.zeros((len(inputs), n))
    for t, (dep, prov, st) in enumerate(
        zip(inputs["dependent"], inputs["provider"], inputs["stage"], strict=True)
    ):
        if (dep, prov) in index:
            m[t, (index[(dep, prov)] * 2 + 0) * len(STAGES) + stage_rank[st]] = 1.0
        elif (prov, dep) in index:
            m[t, (index[(prov, dep)] * 2 + 1) * len(STAGES) + stage_rank[st]] = 1.0
    log_keep = np.log1p(-np.clip(d, 0.0, 1.0 - 1e-15))
    combined = 1.0 - np.exp(log_keep @ m)
    shaped = combined.reshape(*combined.shape[:-1], len(dyads), 2, len(STAGES))
    return shaped[..., 0, :], shaped[..., 1, :]


def _stages_table(
    dyads: Sequence[tuple[str, str]],
    d_ag: NDArray[np.float64],
    d_ga: NDArray[np.float64],
    params: AnalysisParams,
) -> pd.DataFrame:
    m = dyad_measures(d_ag, d_ga)
    states = stage_state(d_ag, d_ga, params.dependence)
    rows = []
    for k, (a, g) in enumerate(dyads):
        for s, stage in enumerate(STAGES):
            rows.append(
                {
                    "agency": a,
                    "government": g,
                    "stage": stage.value,
                    "d_ag": d_ag[k, s],
                    "d_ga": d_ga[k, s],
                    "md": m["md"][k, s],
                    "pa": m["pa"][k, s],
                    "pi": m["pi"][k, s],
                    "md_min": m["md_min"][k, s],
                    "state": STATE_ORDER[states[k, s]].value,
                }
            )
    return pd.DataFrame(rows, columns=STAGES_COLUMNS)


# --- philosophy, goals, classification ------------------------------------------------------


def _philosophy(
    case: Case, records: Sequence[EvidenceRecord], params: AnalysisParams
) -> dict[str, tuple[float, float]]:
    """Beta (a, b) of each government actor's governance philosophy GP."""
    out: dict[str, tuple[float, float]] = {}
    for actor in case.actors:
        if not actor.is_government:
            continue
        coop = math.fsum(
            r.weight * r.v
            for r in records
            if r.kind is RecordKind.PHILOSOPHY
            and r.coding.actor == actor.id
            and r.coding.value == "cooperative"
        )
        official = math.fsum(
            r.weight * r.v
            for r in records
            if r.kind is RecordKind.PHILOSOPHY
            and r.coding.actor == actor.id
            and r.coding.value == "official"
        )
        out[actor.id] = (
            params.prior_strength * params.prior_mean + coop,
            params.prior_strength * (1 - params.prior_mean) + official,
        )
    return out


def _goal_vectors(records: Sequence[EvidenceRecord]) -> dict[str, NDArray[np.float64]]:
    """Each actor's goal vector: Σ w·v per goal (exactly rounded, so order-free)."""
    goals = list(Goal)
    terms: dict[str, list[list[float]]] = {}
    for r in records:
        if r.kind is RecordKind.GOAL and r.coding.actor:
            per_goal = terms.setdefault(r.coding.actor, [[] for _ in goals])
            per_goal[goals.index(Goal(str(r.coding.value)))].append(r.weight * r.v)
    return {actor: np.array([math.fsum(t) for t in per_goal]) for actor, per_goal in terms.items()}


def _cosine(u: NDArray[np.float64] | None, v: NDArray[np.float64] | None) -> float:
    """Cosine similarity; 0.5 when either vector is missing or zero."""
    if u is None or v is None:
        return 0.5
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu == 0 or nv == 0:
        return 0.5
    return float(np.dot(u, v) / (nu * nv))


def _classify(
    dyads: Sequence[tuple[str, str]],
    inputs: pd.DataFrame,
    beta: NDArray[np.float64],
    d_ag: NDArray[np.float64],
    d_ga: NDArray[np.float64],
    gp_ab: Mapping[str, tuple[float, float]],
    ia: NDArray[np.float64],
    params: AnalysisParams,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    gov = [g for _, g in dyads]
    gp_a = np.array([gp_ab[g][0] for g in gov])
    gp_b = np.array([gp_ab[g][1] for g in gov])
    gp = gp_a / (gp_a + gp_b) if len(gov) else np.zeros(0)
    point = classify_dyads(d_ag, d_ga, gp, ia, params.classify)
    n = params.draws
    if n > 0 and len(dyads):
        # one Beta draw per tuple, dimension and draw; shape (draws, tuples, dims)
        dims = (
            rng.beta(beta[:, :, 0], beta[:, :, 1], size=(n, *beta.shape[:2]))
            if len(inputs)
            else np.zeros((n, 0, 3))
        )
        d = resource_dependence(dims[..., 0], dims[..., 1], dims[..., 2], params.dependence)
        mc_ag, mc_ga = _stage_dependence(inputs, dyads, d)
        unique_gov = sorted(set(gov))
        gp_draws_by_actor = {g: rng.beta(gp_ab[g][0], gp_ab[g][1], size=n) for g in unique_gov}
        gp_draws = np.stack([gp_draws_by_actor[g] for g in gov], axis=-1)
        mc = classify_dyads(mc_ag, mc_ga, gp_draws, ia, params.classify)
        probs = np.stack([(mc.label == c).mean(axis=0) for c in range(len(LABEL_ORDER))], axis=-1)
        mu_p_q = np.percentile(mc.mu_partnership, [5, 95], axis=0)
        mu_b_q = np.percentile(mc.mu_buddy, [5, 95], axis=0)
        pa_q = np.percentile(mc_ag - mc_ga, [5, 95], axis=0)
        p_state = (
            stage_state(mc_ag, mc_ga, params.dependence)
            == stage_state(d_ag, d_ga, params.dependence)
        ).mean(axis=0)
    else:
        probs = np.full((len(dyads), len(LABEL_ORDER)), math.nan)
        mu_p_q = mu_b_q = np.full((2, len(dyads)), math.nan)
        pa_q = np.full((2, len(dyads), len(STAGES)), math.nan)
        p_state = np.full((len(dyads), len(STAGES)), math.nan)
    stage_rows = [
        {
            "agency": a,
            "government": g,
            "stage": stage.value,
            "pa_lo": pa_q[0, k, s],
            "pa_hi": pa_q[1, k, s],
            "p_state": p_state[k, s],
        }
        for k, (a, g) in enumerate(dyads)
        for s, stage in enumerate(STAGES)
    ]
    najam_codes = najam(ia, gp)
    gks_codes = gks(point.ri, gp)
    rows, interval_rows = [], []
    for k, (a, g) in enumerate(dyads):
        rows.append(
            {
                "agency": a,
                "government": g,
                "label": LABEL_ORDER[point.label[k]].value,
                "mu_partnership": point.mu_partnership[k],
                "mu_buddy": point.mu_buddy[k],
                "p_partnership": probs[k, 0],
                "p_buddy": probs[k, 1],
                "p_transactional": probs[k, 2],
                "ri": point.ri[k],
                "gp": point.gp[k],
                "ia": point.ia[k],
                "dep": point.dep[k],
                "najam": NAJAM_ORDER[najam_codes[k]],
                "gks": GKS_ORDER[gks_codes[k]],
            }
        )
        interval_rows.append(
            {
                "agency": a,
                "government": g,
                "mu_partnership_lo": mu_p_q[0, k],
                "mu_partnership_hi": mu_p_q[1, k],
                "mu_buddy_lo": mu_b_q[0, k],
                "mu_buddy_hi": mu_b_q[1, k],
            }
        )
    return (
        pd.DataFrame(rows, columns=RELATIONSHIPS_COLUMNS),
        pd.DataFrame(interval_rows),
        pd.DataFrame(
            stage_rows, columns=["agency", "government", "stage", "pa_lo", "pa_hi", "p_state"]
        ),
    )


# --- diagnostics ------------------------------------------------------------------------------


def _diagnostics(
    case: Case,
    records: Sequence[EvidenceRecord],
    goal_vectors: Mapping[str, NDArray[np.float64]],
    dyads: Sequence[tuple[str, str]],
    params: AnalysisParams,
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []

    def add(scope: str, measure: str, value: float, recs: Sequence[EvidenceRecord]) -> None:
        rows.append(
            {
                "scope": scope,
                "measure": measure,
                "value": value,
                "n_records": len(recs),
                "triangulation": triangulation(recs),
            }
        )

    problems: dict[tuple[str, str], list[EvidenceRecord]] = defaultdict(list)
    for r in records:
        if r.kind is RecordKind.PROBLEM:
            problems[(r.coding.actor or "case", str(r.coding.value))].append(r)
    for (scope, problem), recs in sorted(problems.items()):
        est = beta_estimate(
            [r.v for r in recs],
            [r.weight for r in recs],
            prior_mean=params.prior_mean,
            prior_strength=params.prior_strength,
        )
        add(scope, f"problem:{problem}", est.mean, recs)

    strategies: dict[tuple[str, str], list[EvidenceRecord]] = defaultdict(list)
    for r in records:
        if r.kind is RecordKind.STRATEGY and r.coding.actor:
            strategies[(r.coding.actor, str(r.coding.value))].append(r)
    for (scope, strategy), recs in sorted(strategies.items()):
        add(scope, f"strategy:{strategy}", math.fsum(r.weight * r.v for r in recs), recs)

    goals = list(Goal)
    reference = np.array([RESIDENT_REFERENCE.get(g, 0.0) for g in goals])
    goal_recs: dict[str, list[EvidenceRecord]] = defaultdict(list)
    for r in records:
        if r.kind is RecordKind.GOAL and r.coding.actor:
            goal_recs[r.coding.actor].append(r)
    alignment: dict[str, float] = {}
    for actor in case.actors:
        vec = goal_vectors.get(actor.id)
        if vec is None:
            continue
        recs = goal_recs[actor.id]
        total = float(vec.sum())
        for j, g in enumerate(goals):
            add(
                actor.id,
                f"goal:{g.value}",
                float(vec[j] / total) if total else 0.0,
                [r for r in recs if r.coding.value == g.value],
            )
        alignment[actor.id] = _cosine(vec, reference)
        add(actor.id, "resident_alignment", alignment[actor.id], recs)
        if actor.is_government:
            task = sum(float(vec[goals.index(g)]) for g in TASK_GOALS)
            quality = sum(float(vec[goals.index(g)]) for g in QUALITY_GOALS)
            lean = task / (task + quality) if task + quality > 0 else 0.5
            add(actor.id, "task_quality_lean", lean, recs)
    for a, gov in dyads:
        if a in alignment and gov in alignment:
            add(
                f"{a}/{gov}",
                "dyad_resident_alignment",
                max(alignment[a], alignment[gov]),
                goal_recs[a] + goal_recs[gov],
            )
    return pd.DataFrame(rows, columns=DIAGNOSTICS_COLUMNS)


# --- evidence and networks --------------------------------------------------------------------


def _evidence_table(case: Case, records: Sequence[EvidenceRecord]) -> pd.DataFrame:
    informants = {i.id: i for i in case.informants}
    rows = []
    for r in records:
        c = r.coding
        rows.append(
            {
                "row": c.row,
                "kind": c.kind.value,
                "stage": c.stage.value if c.stage else "",
                "dependent": c.dependent or "",
                "provider": c.provider or "",
                "resource": c.resource.value if c.resource else "",
                "dimension": c.dimension.value if c.dimension else "",
                "actor": c.actor or "",
                "value": c.value or "",
                "intensity": c.intensity,
                "evidence": c.evidence.value,
                "weight": r.weight,
                "self_serving": r.self_serving,
                "informant": r.informant or "",
                "organisation": r.organisation or "",
                "role": informants[r.informant].role if r.informant else "",
                "source": c.source,
                "start": c.start,
                "end": c.end,
                "quote": c.quote,
                "note": c.note,
            }
        )
    return pd.DataFrame(rows)


def _networks(case: Case, inputs: pd.DataFrame) -> dict[Stage, nx.DiGraph]:
    out: dict[Stage, nx.DiGraph] = {}
    for stage in STAGES:
        g = nx.DiGraph(stage=stage.value, case=case.id)
        for actor in case.actors:
            g.add_node(
                actor.id,
                kind=actor.kind.value,
                name=actor.name,
                name_zh=actor.name_zh,
                government=actor.is_government,
            )
        sub = inputs[inputs["stage"] == stage.value]
        for (dep, prov), part in sub.groupby(["dependent", "provider"], sort=True):
            attrs: dict[str, Any] = {"d": float(noisy_or(part["d"].to_numpy(float)))}
            for res, d in zip(part["resource"], part["d"], strict=True):
                attrs[f"d_{res}"] = float(d)
            g.add_edge(dep, prov, **attrs)
        out[stage] = g
    return out
