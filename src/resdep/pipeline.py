"""The core pipeline: case → evidence → inputs → dependence → classification → tables.

:func:`analyze` returns an :class:`Analysis` holding pandas DataFrames with the columns
of the design's output contract (section 11), the evidence behind every input, and the
Monte Carlo draws; :func:`write_outputs` writes the output folder.

Examples
--------
>>> from resdep import analyze, load_case
>>> from resdep.data import founding_case_path
>>> result = analyze(load_case(founding_case_path()), draws=200)
>>> list(result.stages.columns)  # doctest: +NORMALIZE_WHITESPACE
['agency', 'government', 'stage', 'd_ag', 'd_ga', 'md', 'pa', 'pa_lo', 'pa_hi', 'pi',
 'md_min', 'state', 'p_state', 'settled']
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
from resdep.vocab import Dimension, Goal, Label, RecordKind, Stage

__all__ = [
    "DIAGNOSTICS_COLUMNS",
    "HARD_CONCENTRATION",
    "HARD_EPSILON",
    "INFLUENCE_COLUMNS",
    "INPUTS_COLUMNS",
    "RELATIONSHIPS_COLUMNS",
    "STAGES_COLUMNS",
    "Analysis",
    "analyze",
    "evidence_table",
    "hard_beta",
    "influence_table",
    "label_runner_up",
]

INPUTS_COLUMNS = [
    "dependent", "provider", "resource", "stage", "importance", "alternatives", "discretion",
    "d", "n_records", "triangulation", "single_source", "origin",
]  # fmt: skip
STAGES_COLUMNS = [
    "agency", "government", "stage", "d_ag", "d_ga", "md", "pa", "pa_lo", "pa_hi", "pi", "md_min",
    "state", "p_state", "settled",
]  # fmt: skip
RELATIONSHIPS_COLUMNS = [
    "agency", "government", "label", "p_label", "modal_label", "settled", "missing_evidence",
    "mu_partnership", "mu_partnership_lo", "mu_partnership_hi",
    "mu_buddy", "mu_buddy_lo", "mu_buddy_hi",
    "p_partnership", "p_buddy", "p_transactional", "ri", "gp", "ia", "dep", "najam", "gks",
]  # fmt: skip
INTERVAL_COLUMNS = [
    "agency", "government", "mu_partnership_lo", "mu_partnership_hi", "mu_buddy_lo", "mu_buddy_hi",
]  # fmt: skip
STAGE_INTERVAL_COLUMNS = [
    "agency", "government", "stage", "pa_lo", "pa_hi", "p_state", "settled", "modal_state",
    "runner_up", "p_runner_up",
]  # fmt: skip
INFLUENCE_COLUMNS = [
    "agency", "government", "row", "kind", "what", "p_label_all", "p_label_without", "change",
]  # fmt: skip
#: Draws per leave-one-out run of :func:`_influence` (fewer than the main run; same seed each).
INFLUENCE_DRAWS = 400
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
        Per dyad and stage: 5th and 95th percentiles of PA over the draws, ``p_state``
        (the share of draws in which the stage state equals the reported one),
        ``settled``, the modal state of the draws and the runner-up state with its P.
    influence
        Per dyad with a label: the codings whose leave-one-out changes P(label) most
        (``change`` = P without the record − P with all; see :func:`_influence`).
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
    influence: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=INFLUENCE_COLUMNS))


def analyze(
    case: Case,
    *,
    draws: int | None = None,
    seed: int | None = None,
    rng: int | np.random.Generator | None = None,
    influence: bool = True,
    evidence: bool = True,
) -> Analysis:
    """Run the pipeline on a case.

    Parameters
    ----------
    case
        A loaded case (:func:`resdep.load_case`).
    draws, seed
        Override the Monte Carlo draws (at least 1) and seed of the case's parameters.
        ``draws=0`` is a library-only shortcut for point estimates without any Monte Carlo
        (as the QDA tools use for networks): the probability and range columns are then
        empty and nothing is ``settled``. Parameters themselves never hold fewer than one
        draw, however given (``case.toml``, ``--set``, ``--draws``).
    rng
        A generator to draw from instead of one seeded from ``seed``.
    influence
        Whether to run the leave-one-out that finds the codings moving each P(label)
        most (:attr:`Analysis.influence`; it costs about one extra pass per record).
        ``False`` leaves it empty; :func:`influence_table` computes it later from the
        result, with the same numbers.
    evidence
        Whether to build :attr:`Analysis.evidence` (one row per record with its quote).
        ``False`` leaves it empty; :func:`evidence_table` builds the same table later.
        The web workbench defers both to keep a re-analysis after each coding quick.
    """
    overrides: dict[str, Any] = {}
    point_only = draws == 0
    if draws is not None and not point_only:
        overrides["draws"] = draws
    if seed is not None:
        overrides["seed"] = seed
    params = case.parameters.with_overrides(overrides) if overrides else case.parameters
    records = build_records(case)
    inputs, beta, origins = _inputs(case, records, params)
    n = 0 if point_only else params.draws
    _check_memory(n, len(inputs))
    dyads = _dyads(case, inputs)
    d_ag, d_ga = _stage_dependence(inputs, dyads, inputs["d"].to_numpy())
    gp_ab = _philosophy(case, records, params)
    goal_vectors = _goal_vectors(records)
    missing = _missing_evidence(dyads, records)
    generator = (
        rng
        if isinstance(rng, np.random.Generator)
        else np.random.default_rng(params.seed if rng is None else rng)
    )
    relationships, intervals, stage_intervals = _classify(
        dyads,
        inputs,
        beta,
        d_ag,
        d_ga,
        gp_ab,
        goal_vectors,
        _goal_betas(records, params),
        missing,
        params,
        generator,
        n,
    )
    stages = _stages_table(dyads, d_ag, d_ga, params, stage_intervals)
    influential = (
        pd.DataFrame(columns=INFLUENCE_COLUMNS)
        if point_only or not influence
        else _influence(case, records, relationships, params, draws=min(n, INFLUENCE_DRAWS))
    )
    diagnostics = _diagnostics(case, records, goal_vectors, dyads, params)
    evidence_frame = _evidence_table(case, records if evidence else ())
    networks = _networks(case, inputs)
    return Analysis(
        case=case,
        params=params,
        inputs=inputs[INPUTS_COLUMNS].reset_index(drop=True),
        stages=stages,
        relationships=relationships,
        diagnostics=diagnostics,
        evidence=evidence_frame,
        intervals=intervals,
        input_origins=origins,
        networks=networks,
        stage_intervals=stage_intervals,
        influence=influential,
    )


def evidence_table(case: Case) -> pd.DataFrame:
    """The evidence table :func:`analyze` puts in :attr:`Analysis.evidence`.

    For a result computed with ``evidence=False``.

    Examples
    --------
    >>> from resdep import load_case
    >>> from resdep.data import founding_case_path
    >>> case = load_case(founding_case_path())
    >>> evidence_table(case).equals(analyze(case, draws=50, influence=False).evidence)
    True
    """
    return _evidence_table(case, build_records(case))


def influence_table(
    result: Analysis, *, agency: str | None = None, government: str | None = None
) -> pd.DataFrame:
    """The leave-one-out table :func:`analyze` puts in :attr:`Analysis.influence`.

    For a result computed with ``influence=False``: the same numbers (the same records,
    draws and seed), optionally for one dyad only (``agency`` and ``government``). A
    point-only result (``draws=0``) has none.

    Examples
    --------
    >>> from resdep import load_case
    >>> from resdep.data import founding_case_path
    >>> case = load_case(founding_case_path())
    >>> full = analyze(case, draws=100)
    >>> influence_table(analyze(case, draws=100, influence=False)).equals(full.influence)
    True
    """
    rels = result.relationships
    if agency is not None:
        rels = rels[rels["agency"] == agency]
    if government is not None:
        rels = rels[rels["government"] == government]
    if len(rels) == 0 or rels["p_label"].isna().all():
        return pd.DataFrame(columns=INFLUENCE_COLUMNS)
    draws = min(result.params.draws, INFLUENCE_DRAWS)
    return _influence(result.case, build_records(result.case), rels, result.params, draws=draws)


def label_runner_up(row: Any) -> tuple[str, float]:
    """The most probable label other than a relationship row's reported one, and its P.

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.Series({"label": "buddy", "p_partnership": 0.0, "p_buddy": 0.44, "p_transactional": 0.56})
    >>> label_runner_up(row)
    ('transactional', 0.56)
    """
    probs = {lab.value: float(getattr(row, f"p_{lab.value}")) for lab in LABEL_ORDER}
    others = [(p, lab) for lab, p in probs.items() if lab != str(row.label) and math.isfinite(p)]
    if not others:
        return "", math.nan
    p, lab = max(others, key=lambda t: t[0])
    return lab, p


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
    stage_intervals: pd.DataFrame,
) -> pd.DataFrame:
    m = dyad_measures(d_ag, d_ga)
    states = stage_state(d_ag, d_ga, params.dependence)
    extra = {
        (str(r["agency"]), str(r["government"]), str(r["stage"])): r
        for r in stage_intervals.to_dict(orient="records")
    }
    rows = []
    for k, (a, g) in enumerate(dyads):
        for s, stage in enumerate(STAGES):
            e = extra[(a, g, stage.value)]
            rows.append(
                {
                    "agency": a,
                    "government": g,
                    "stage": stage.value,
                    "d_ag": d_ag[k, s],
                    "d_ga": d_ga[k, s],
                    "md": m["md"][k, s],
                    "pa": m["pa"][k, s],
                    "pa_lo": e["pa_lo"],
                    "pa_hi": e["pa_hi"],
                    "pi": m["pi"][k, s],
                    "md_min": m["md_min"][k, s],
                    "state": STATE_ORDER[states[k, s]].value,
                    "p_state": e["p_state"],
                    "settled": bool(e["settled"]),
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


def _goal_betas(
    records: Sequence[EvidenceRecord], params: AnalysisParams
) -> dict[str, NDArray[np.float64]]:
    """Per actor, the Beta (a, b) of each coded goal's intensity (section 3); NaN if uncoded."""
    goals = list(Goal)
    recs: dict[str, list[list[EvidenceRecord]]] = {}
    for r in records:
        if r.kind is RecordKind.GOAL and r.coding.actor:
            recs.setdefault(r.coding.actor, [[] for _ in goals])[
                goals.index(Goal(str(r.coding.value)))
            ].append(r)
    out: dict[str, NDArray[np.float64]] = {}
    for actor, per_goal in recs.items():
        ab = np.full((len(goals), 2), math.nan)
        for j, rs in enumerate(per_goal):
            if rs:
                est = beta_estimate(
                    [r.v for r in rs],
                    [r.weight for r in rs],
                    prior_mean=params.prior_mean,
                    prior_strength=params.prior_strength,
                )
                ab[j] = (est.a, est.b)
        out[actor] = ab
    return out


def _cosine(u: NDArray[np.float64] | None, v: NDArray[np.float64] | None) -> float:
    """Cosine similarity; 0.5 when either vector is missing or zero."""
    if u is None or v is None:
        return 0.5
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu == 0 or nv == 0:
        return 0.5
    return float(np.dot(u, v) / (nu * nv))


@dataclass(frozen=True, slots=True, kw_only=True)
class _Draws:
    """Monte Carlo arrays: stage dependence (draws, dyads, stages), GP and IA (draws, dyads)."""

    d_ag: NDArray[np.float64]
    d_ga: NDArray[np.float64]
    gp: NDArray[np.float64]
    ia: NDArray[np.float64]


def _draw(
    dyads: Sequence[tuple[str, str]],
    inputs: pd.DataFrame,
    beta: NDArray[np.float64],
    gp_ab: Mapping[str, tuple[float, float]],
    goal_vectors: Mapping[str, NDArray[np.float64]],
    goal_betas: Mapping[str, NDArray[np.float64]],
    params: AnalysisParams,
    rng: np.random.Generator,
    n: int,
) -> _Draws:
    """Draw every dimension estimate, GP and IA ``n`` times (design section 5, Uncertainty).

    Dimensions and GP are drawn from their Beta posteriors. IA is drawn from the goal
    records' weights: each coded goal j of an actor has the Beta posterior of section 3
    over its records (x̂_j = (α0·m0 + Σ w v)/(α0 + Σ w)); an entry c_j = Σ w·v of the
    actor's goal vector is drawn as c_j · x_j / x̂_j with x_j from that Beta, so every
    draw is centred on the coded vector and varies the less the more records back the
    goal. A goal without records stays 0, as a dependence tuple without records does
    not exist. IA is the cosine of the drawn vectors.
    """
    # one Beta draw per tuple, dimension and draw; shape (draws, tuples, dims)
    dims = (
        rng.beta(beta[:, :, 0], beta[:, :, 1], size=(n, *beta.shape[:2]))
        if len(inputs)
        else np.zeros((n, 0, 3))
    )
    d = resource_dependence(dims[..., 0], dims[..., 1], dims[..., 2], params.dependence)
    mc_ag, mc_ga = _stage_dependence(inputs, dyads, d)
    gov = [g for _, g in dyads]
    gp_by_actor = {g: rng.beta(gp_ab[g][0], gp_ab[g][1], size=n) for g in sorted(set(gov))}
    gp_draws = np.stack([gp_by_actor[g] for g in gov], axis=-1) if gov else np.zeros((n, 0))
    goal_draws: dict[str, NDArray[np.float64]] = {}
    for actor in sorted({x for pair in dyads for x in pair}):
        vec = goal_vectors.get(actor)
        if vec is None:
            continue
        ab = goal_betas[actor]
        drawn = np.zeros((n, len(vec)))
        for j, c in enumerate(vec):
            if c > 0:
                a, b = ab[j]
                drawn[:, j] = c * rng.beta(a, b, size=n) / (a / (a + b))
        goal_draws[actor] = drawn
    ia_draws = np.full((n, len(dyads)), 0.5)
    for k, (a, g) in enumerate(dyads):
        u, v = goal_draws.get(a), goal_draws.get(g)
        if u is None or v is None:
            continue
        nu, nv = np.linalg.norm(u, axis=1), np.linalg.norm(v, axis=1)
        ok = (nu > 0) & (nv > 0)
        dot = np.einsum("ij,ij->i", u, v)
        ia_draws[ok, k] = np.clip(dot[ok] / (nu[ok] * nv[ok]), 0.0, 1.0)
    return _Draws(d_ag=mc_ag, d_ga=mc_ga, gp=gp_draws, ia=ia_draws)


def _missing_evidence(
    dyads: Sequence[tuple[str, str]], records: Sequence[EvidenceRecord]
) -> list[str]:
    """Per dyad, the evidence that decides the type and is missing ("" when none is)."""
    philosophy = {r.coding.actor for r in records if r.kind is RecordKind.PHILOSOPHY}
    goals = {r.coding.actor for r in records if r.kind is RecordKind.GOAL}
    dependence = {
        frozenset((r.coding.dependent, r.coding.provider))
        for r in records
        if r.kind is RecordKind.DEPENDENCE
    }
    out = []
    for a, g in dyads:
        parts = []
        if g not in philosophy:
            parts.append(f"philosophy of {g}")
        if a not in goals:
            parts.append(f"goals of {a}")
        if g not in goals:
            parts.append(f"goals of {g}")
        if frozenset((a, g)) not in dependence:
            parts.append(f"dependence records between {a} and {g}")
        out.append("; ".join(parts))
    return out


def _settled(
    point: NDArray[np.integer[Any]], probs: NDArray[np.float64], threshold: float
) -> tuple[NDArray[np.float64], NDArray[np.intp], NDArray[np.bool_]]:
    """P of the reported category, the modal category and whether the result is settled.

    ``probs`` has the categories on its last axis; ``point`` holds the reported category
    per row. Settled: the reported category is also the modal one and its P is at least
    ``threshold``. Rows whose probabilities are missing (NaN) are never settled.

    Examples
    --------
    >>> p, modal, ok = _settled(np.array([1, 1]), np.array([[0.0, 0.44, 0.56], [0.1, 0.9, 0.0]]), 0.8)
    >>> [round(float(x), 2) for x in p], modal.tolist(), ok.tolist()
    ([0.44, 0.9], [2, 1], [False, True])
    """
    p_point = np.take_along_axis(probs, point[..., None].astype(np.intp), axis=-1)[..., 0]
    modal = np.argmax(np.nan_to_num(probs, nan=-1.0), axis=-1)
    ok = (modal == point) & (p_point >= threshold) & np.isfinite(p_point)
    return p_point, modal, ok


def _runner_up(probs: NDArray[np.float64], point: int) -> tuple[int, float]:
    """The most probable category other than the reported one, and its P."""
    others = [(float(p), c) for c, p in enumerate(probs) if c != point and math.isfinite(p)]
    if not others:
        return -1, math.nan
    p, c = max(others, key=lambda t: (t[0], -t[1]))
    return c, p


def _classify(
    dyads: Sequence[tuple[str, str]],
    inputs: pd.DataFrame,
    beta: NDArray[np.float64],
    d_ag: NDArray[np.float64],
    d_ga: NDArray[np.float64],
    gp_ab: Mapping[str, tuple[float, float]],
    goal_vectors: Mapping[str, NDArray[np.float64]],
    goal_betas: Mapping[str, NDArray[np.float64]],
    missing: Sequence[str],
    params: AnalysisParams,
    rng: np.random.Generator,
    n: int,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Relationships and stage states with their probabilities, ranges and settledness.

    Returns the relationships table, the membership intervals and the stage intervals
    (PA range, P(state), settled, modal and runner-up state).
    """
    gov = [g for _, g in dyads]
    gp_a = np.array([gp_ab[g][0] for g in gov])
    gp_b = np.array([gp_ab[g][1] for g in gov])
    gp = gp_a / (gp_a + gp_b) if len(gov) else np.zeros(0)
    ia = np.array([_cosine(goal_vectors.get(a), goal_vectors.get(g)) for a, g in dyads])
    point = classify_dyads(d_ag, d_ga, gp, ia, params.classify)
    point_states = stage_state(d_ag, d_ga, params.dependence)
    n_states = len(STATE_ORDER)
    if n > 0 and len(dyads):
        drawn = _draw(dyads, inputs, beta, gp_ab, goal_vectors, goal_betas, params, rng, n)
        mc = classify_dyads(drawn.d_ag, drawn.d_ga, drawn.gp, drawn.ia, params.classify)
        probs = np.stack([(mc.label == c).mean(axis=0) for c in range(len(LABEL_ORDER))], axis=-1)
        mu_p_q = np.percentile(mc.mu_partnership, [5, 95], axis=0)
        mu_b_q = np.percentile(mc.mu_buddy, [5, 95], axis=0)
        pa_q = np.percentile(drawn.d_ag - drawn.d_ga, [5, 95], axis=0)
        mc_states = stage_state(drawn.d_ag, drawn.d_ga, params.dependence)
        state_probs = np.stack([(mc_states == c).mean(axis=0) for c in range(n_states)], axis=-1)
    else:
        probs = np.full((len(dyads), len(LABEL_ORDER)), math.nan)
        mu_p_q = mu_b_q = np.full((2, len(dyads)), math.nan)
        pa_q = np.full((2, len(dyads), len(STAGES)), math.nan)
        state_probs = np.full((len(dyads), len(STAGES), n_states), math.nan)
    threshold = params.settle_threshold
    p_state, modal_state, state_settled = _settled(point_states, state_probs, threshold)
    stage_rows = []
    for k, (a, g) in enumerate(dyads):
        for s, stage in enumerate(STAGES):
            ru, p_ru = _runner_up(state_probs[k, s], int(point_states[k, s]))
            stage_rows.append(
                {
                    "agency": a,
                    "government": g,
                    "stage": stage.value,
                    "pa_lo": pa_q[0, k, s],
                    "pa_hi": pa_q[1, k, s],
                    "p_state": p_state[k, s],
                    "settled": bool(state_settled[k, s]),
                    "modal_state": (
                        STATE_ORDER[modal_state[k, s]].value if math.isfinite(p_state[k, s]) else ""
                    ),
                    "runner_up": STATE_ORDER[ru].value if ru >= 0 else "",
                    "p_runner_up": p_ru,
                }
            )
    p_label, modal, settled = _settled(point.label, probs, threshold)
    najam_codes = najam(ia, gp)
    gks_codes = gks(point.ri, gp)
    rows, interval_rows = [], []
    for k, (a, g) in enumerate(dyads):
        lacking = missing[k]
        undetermined = bool(lacking)
        has_p = math.isfinite(p_label[k]) and not undetermined
        no_philosophy = f"philosophy of {g}" in lacking
        no_goals = "goals of" in lacking
        no_dependence = "dependence records" in lacking
        rows.append(
            {
                "agency": a,
                "government": g,
                "label": (
                    Label.UNDETERMINED.value if undetermined else LABEL_ORDER[point.label[k]].value
                ),
                "p_label": p_label[k] if has_p else math.nan,
                "modal_label": LABEL_ORDER[modal[k]].value if has_p else "",
                "settled": bool(settled[k]) and not undetermined,
                "missing_evidence": lacking,
                "mu_partnership": point.mu_partnership[k],
                "mu_partnership_lo": mu_p_q[0, k],
                "mu_partnership_hi": mu_p_q[1, k],
                "mu_buddy": point.mu_buddy[k],
                "mu_buddy_lo": mu_b_q[0, k],
                "mu_buddy_hi": mu_b_q[1, k],
                "p_partnership": math.nan if undetermined else probs[k, 0],
                "p_buddy": math.nan if undetermined else probs[k, 1],
                "p_transactional": math.nan if undetermined else probs[k, 2],
                "ri": point.ri[k],
                "gp": point.gp[k],
                "ia": point.ia[k],
                "dep": point.dep[k],
                "najam": (
                    Label.UNDETERMINED.value
                    if no_philosophy or no_goals
                    else NAJAM_ORDER[najam_codes[k]]
                ),
                "gks": (
                    Label.UNDETERMINED.value
                    if no_philosophy or no_dependence
                    else GKS_ORDER[gks_codes[k]]
                ),
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
        pd.DataFrame(interval_rows, columns=INTERVAL_COLUMNS),
        pd.DataFrame(stage_rows, columns=STAGE_INTERVAL_COLUMNS),
    )


def _influence(
    case: Case,
    records: Sequence[EvidenceRecord],
    relationships: pd.DataFrame,
    params: AnalysisParams,
    *,
    draws: int = INFLUENCE_DRAWS,
    top: int = 3,
) -> pd.DataFrame:
    """Which codings most move each determined dyad's P(label): a leave-one-out.

    For each dyad with a label, the records bearing on it (dependence records between
    the two, the government's philosophy, both sides' goals) are left out one at a time;
    P(label) is re-estimated from ``draws`` draws with the same seed each time (common
    random numbers, so differences are not draw noise alone) and compared with P(label)
    from all of them, also at ``draws`` draws. The ``top`` records with the largest
    |change| (at least 0.01) are kept. Leaving out a record can leave the dyad
    undetermined; its P(label) is then 0.
    """
    rows: list[dict[str, Any]] = []
    for rel in relationships.itertuples():
        if rel.label == Label.UNDETERMINED.value:
            continue
        a, g = str(rel.agency), str(rel.government)
        code = LABEL_ORDER.index(Label(str(rel.label)))
        relevant = [
            r
            for r in records
            if (
                r.kind is RecordKind.DEPENDENCE
                and {r.coding.dependent, r.coding.provider} == {a, g}
            )
            or (r.kind is RecordKind.PHILOSOPHY and r.coding.actor == g)
            or (r.kind is RecordKind.GOAL and r.coding.actor in (a, g))
        ]
        dyad_evidence = _DyadEvidence(case, relevant, a, g, params)
        base = dyad_evidence.p_label(code, draws)
        changes = []
        for i, r in enumerate(relevant):
            p = dyad_evidence.p_label(code, draws, leave_out=i)
            if abs(p - base) >= 0.01:
                changes.append((p - base, p, r))
        changes.sort(key=lambda t: (-abs(t[0]), t[2].coding.row))
        for delta, p, r in changes[:top]:
            c = r.coding
            rows.append(
                {
                    "agency": a,
                    "government": g,
                    "row": c.row,
                    "kind": c.kind.value,
                    "what": _describe(r),
                    "p_label_all": base,
                    "p_label_without": p,
                    "change": delta,
                }
            )
    return pd.DataFrame(rows, columns=INFLUENCE_COLUMNS)


def _describe(r: EvidenceRecord) -> str:
    c = r.coding
    if c.kind is RecordKind.DEPENDENCE:
        dim = c.dimension.value if c.dimension else ""
        res = c.resource.value if c.resource else ""
        stage = c.stage.value if c.stage else ""
        return f"{c.dependent} on {c.provider}, {res} {dim} = {c.intensity} ({stage})"
    return f"{c.kind.value} of {c.actor}: {c.value} = {c.intensity}"


class _DyadEvidence:
    """One dyad's records, arranged so that P(label) without any one of them is quick.

    Gives the same numbers as :func:`_p_label_of` (which rebuilds everything from the
    records and is kept as the reference the tests compare with), without pandas and
    re-estimating only what the left-out record touches.
    """

    def __init__(
        self,
        case: Case,
        records: Sequence[EvidenceRecord],
        agency: str,
        government: str,
        params: AnalysisParams,
    ) -> None:
        self.records = list(records)
        self.agency, self.government, self.params = agency, government, params
        self.hard = {
            (h.dependent, h.provider, h.resource, h.dimension): h for h in case.hard_inputs
        }
        stage_rank = {st: i for i, st in enumerate(STAGES)}
        groups: dict[tuple[str, str, str, Stage], list[int]] = defaultdict(list)
        for i, r in enumerate(self.records):
            c = r.coding
            if c.kind is RecordKind.DEPENDENCE:
                assert c.dependent and c.provider and c.resource and c.stage  # noqa: PT018
                groups[(c.dependent, c.provider, c.resource.value, c.stage)].append(i)
        self.tuples = sorted(groups, key=lambda k: (k[0], k[1], k[2], stage_rank[k[3]]))
        self.tuple_records = [groups[k] for k in self.tuples]
        self.beta = (
            np.stack(
                [
                    self._tuple_beta(key, idx)
                    for key, idx in zip(self.tuples, self.tuple_records, strict=True)
                ]
            )
            if self.tuples
            else np.zeros((0, len(DIMS), 2))
        )
        self.where = {i: t for t, idx in enumerate(self.tuple_records) for i in idx}
        self.gp_ab = _philosophy_of(self.records, government, params)
        self.vectors = _goal_vectors(self.records)
        self.betas = _goal_betas(self.records, params)

    def _tuple_beta(
        self, key: tuple[str, str, str, Stage], idx: Sequence[int]
    ) -> NDArray[np.float64]:
        out = np.zeros((len(DIMS), 2))
        for j, dim in enumerate(DIMS):
            h = self.hard.get((key[0], key[1], key[2], dim.value))
            if h is not None:
                out[j] = hard_beta(h.value)
            else:
                est = beta_estimate(
                    [self.records[i].v for i in idx if self.records[i].coding.dimension is dim],
                    [
                        self.records[i].weight
                        for i in idx
                        if self.records[i].coding.dimension is dim
                    ],
                    prior_mean=self.params.prior_mean,
                    prior_strength=self.params.prior_strength,
                )
                out[j] = (est.a, est.b)
        return out

    def p_label(self, code: int, draws: int, leave_out: int | None = None) -> float:
        """P(label ``code``) over ``draws`` draws, optionally without record ``leave_out``."""
        p = self.params
        kept = [r for i, r in enumerate(self.records) if i != leave_out]
        if _missing_evidence([(self.agency, self.government)], kept)[0]:
            return 0.0
        beta = self.beta.copy()
        live = np.ones(len(self.tuples), dtype=bool)
        changed = self.where.get(leave_out) if leave_out is not None else None
        if changed is not None:
            rest = [i for i in self.tuple_records[changed] if i != leave_out]
            if rest:
                beta[changed] = self._tuple_beta(self.tuples[changed], rest)
            else:
                live[changed] = False
        beta = beta[live]
        alive = [key for key, ok in zip(self.tuples, live, strict=True) if ok]
        direction = np.array([0 if k[0] == self.agency else 1 for k in alive], dtype=np.intp)
        stage_of = np.array([STAGES.index(k[3]) for k in alive], dtype=np.intp)
        rng = np.random.default_rng(p.seed)
        dims = rng.beta(beta[:, :, 0], beta[:, :, 1], size=(draws, *beta.shape[:2]))
        d = resource_dependence(dims[..., 0], dims[..., 1], dims[..., 2], p.dependence)
        m = np.zeros((len(alive), 2 * len(STAGES)))
        m[np.arange(len(alive)), direction * len(STAGES) + stage_of] = 1.0
        combined = 1.0 - np.exp(np.log1p(-np.clip(d, 0.0, 1.0 - 1e-15)) @ m)
        d_ag = combined[:, None, : len(STAGES)]
        d_ga = combined[:, None, len(STAGES) :]
        kind = self.records[leave_out].kind if leave_out is not None else None
        gp_ab = (
            _philosophy_of(kept, self.government, p)
            if kind is RecordKind.PHILOSOPHY
            else self.gp_ab
        )
        gp = rng.beta(gp_ab[0], gp_ab[1], size=draws)[:, None]
        if kind is RecordKind.GOAL:
            vectors, betas = _goal_vectors(kept), _goal_betas(kept, p)
        else:
            vectors, betas = self.vectors, self.betas
        drawn: dict[str, NDArray[np.float64]] = {}
        for actor in sorted({self.agency, self.government}):
            vec, ab = vectors[actor], betas[actor]
            out = np.zeros((draws, len(vec)))
            for j, c in enumerate(vec):
                if c > 0:
                    out[:, j] = (
                        c
                        * rng.beta(ab[j, 0], ab[j, 1], size=draws)
                        / (ab[j, 0] / (ab[j, 0] + ab[j, 1]))
                    )
            drawn[actor] = out
        u, v = drawn[self.agency], drawn[self.government]
        nu, nv = np.linalg.norm(u, axis=1), np.linalg.norm(v, axis=1)
        ia = np.full(draws, 0.5)
        ok = (nu > 0) & (nv > 0)
        ia[ok] = np.clip(np.einsum("ij,ij->i", u, v)[ok] / (nu[ok] * nv[ok]), 0.0, 1.0)
        mc = classify_dyads(d_ag, d_ga, gp, ia[:, None], p.classify)
        return float((mc.label[:, 0] == code).mean())


def _philosophy_of(
    records: Sequence[EvidenceRecord], actor: str, params: AnalysisParams
) -> tuple[float, float]:
    """Beta (a, b) of one government actor's GP, as :func:`_philosophy` computes it."""
    terms = {
        value: math.fsum(
            r.weight * r.v
            for r in records
            if r.kind is RecordKind.PHILOSOPHY
            and r.coding.actor == actor
            and r.coding.value == value
        )
        for value in ("cooperative", "official")
    }
    return (
        params.prior_strength * params.prior_mean + terms["cooperative"],
        params.prior_strength * (1 - params.prior_mean) + terms["official"],
    )


def _p_label_of(
    case: Case,
    records: Sequence[EvidenceRecord],
    agency: str,
    government: str,
    code: int,
    params: AnalysisParams,
    draws: int,
) -> float:
    """P(label ``code``) of one dyad from some records only (0 if it becomes undetermined)."""
    dyad = [(agency, government)]
    if _missing_evidence(dyad, records)[0]:
        return 0.0
    inputs, beta, _ = _inputs(case, records, params)
    drawn = _draw(
        dyad,
        inputs,
        beta,
        _philosophy(case, records, params),
        _goal_vectors(records),
        _goal_betas(records, params),
        params,
        np.random.default_rng(params.seed),
        draws,
    )
    mc = classify_dyads(drawn.d_ag, drawn.d_ga, drawn.gp, drawn.ia, params.classify)
    return float((mc.label[:, 0] == code).mean())


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
                "self_serving_rule": r.self_serving_rule,
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
