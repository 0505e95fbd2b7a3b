"""The purchase-system model on flat arrays (design section 7; docs/ODD.md).

Entities are arrays indexed by slot: districts, streets (each in a district),
neighbourhood committees (each in a street; each hosts one project slot), agencies
(each registered in a district; a dead slot can be refilled by an entrant) and the
(agency, street) pairs inside a district, which carry cooperation history. A year runs
contracting → implementation → closing → finances → dependence, in that order.

Every submodel draws from its own named stream (:func:`stream`), with the same number
of draws every year whatever the parameters, so a lever changes outcomes only through
the mechanism (common random numbers across scenarios).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from resdep.classify import ClassifyParams, classify_dyads
from resdep.dependence import (
    DependenceParams,
    stage_state,
)
from resdep.simulate.params import Scale, Value

__all__ = [
    "AG_RESOURCES",
    "DISTRICT_COLUMNS",
    "GA_RESOURCES",
    "OUTCOME_COLUMNS",
    "DyadState",
    "DyadTables",
    "Model",
    "Rules",
    "agency_goals",
    "coded_philosophy",
    "cosine",
    "dependence_inputs",
    "government_goals",
    "run",
    "stream",
    "street_goals",
]

F = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

#: Columns of ``outcomes.csv`` (design section 11) plus the stage means of D.
OUTCOME_COLUMNS: tuple[str, ...] = (
    "year",
    "pa_contracting", "pa_implementation", "pa_closing",
    "md_min_contracting", "md_min_implementation", "md_min_closing",
    "d_ag_contracting", "d_ag_implementation", "d_ag_closing",
    "d_ga_contracting", "d_ga_implementation", "d_ga_closing",
    "share_partnership", "share_buddy", "share_transactional",
    "welfare", "welfare_ratio", "task_completion", "budget_index",
    "survival", "staff", "hhi", "relational_share", "formalization", "autonomy",
    "n_dyads",
    *(
        f"share_{state}_{stage}"
        for stage in ("contracting", "implementation", "closing")
        for state in ("interdependent", "government_dominant", "agency_dominant", "weak")
    ),
    *(
        f"pa_{stage}_q{q:02d}"
        for stage in ("contracting", "implementation", "closing")
        for q in (5, 25, 50, 75, 95)
    ),
    "theta_mean",
    "gp_mean",
    "ia_mean",
)  # fmt: skip

#: Columns of the per-district breakdown (one row per year and district).
DISTRICT_COLUMNS: tuple[str, ...] = (
    "year", "district", "n_dyads", "pa_contracting", "pa_implementation", "pa_closing",
    "share_partnership", "share_buddy", "share_transactional", "share_undetermined",
)  # fmt: skip

STAGES: tuple[str, ...] = ("contracting", "implementation", "closing")
_QUANTILES: tuple[int, ...] = (5, 25, 50, 75, 95)

#: Resources the agency depends on the government side for (last axis of the inputs).
AG_RESOURCES: tuple[str, ...] = ("economic", "political_legitimacy", "social_legitimacy")
#: Resources the government side depends on the agency for.
GA_RESOURCES: tuple[str, ...] = ("professional", "path_dependence", "performance")

STREAMS = (
    "init", "budget", "mandate", "projects", "award", "closing", "entry", "report",
    "philosophy", "coding",
)  # fmt: skip


def stream(seed: int, name: str) -> np.random.Generator:
    """The named random stream of a submodel.

    Examples
    --------
    >>> float(stream(1, "budget").random()) == float(stream(1, "budget").random())
    True
    >>> float(stream(1, "budget").random()) == float(stream(1, "award").random())
    False
    """
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(key,)))


def _bc(idx: ArrayLike, weights: ArrayLike | None = None, minlength: int = 0) -> F:
    """``numpy.bincount`` as float64 (sums per group)."""
    return np.asarray(np.bincount(idx, weights=weights, minlength=minlength), dtype=np.float64)


Cells = dict[tuple[int, int], F | float]


def _grid(n: int, cells: Cells) -> F:
    """An ``(n, 3 stages, 3 resources)`` array, zero except the given cells."""
    out = np.zeros((n, 3, 3))
    for (stage, res), value in cells.items():
        out[:, stage, res] = value
    return out


def _sigmoid(x: F) -> F:
    out: F = 1.0 / (1.0 + np.exp(-x))
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class DyadTables:
    """Dependence inputs and results of the active (agency, street) dyads of one year.

    ``ag_*`` and ``ga_*`` inputs have shape ``(n, 3 stages, 3 resources)`` (resources in
    :data:`AG_RESOURCES` and :data:`GA_RESOURCES`; importance 0 means the tie does not
    exist); ``d_ag``/``d_ga`` have shape ``(n, 3)``.
    """

    agency: I64
    street: I64
    district: I64
    ag_i: F
    ag_s: F
    ag_x: F
    ga_i: F
    ga_s: F
    ga_x: F
    d_ag: F
    d_ga: F
    state: NDArray[np.int8]
    gp: F
    ia: F
    ri: F
    dep: F
    mu_partnership: F
    mu_buddy: F
    label: NDArray[np.int8]
    #: contracts of the dyad this year
    contracts: F
    #: administrative share of effort, mean over the dyad's contracts
    formalization: F
    #: share of the dyad's contracts bought relationally
    relational: F
    #: governance philosophy θ of the dyad's street office (its state this year)
    theta: F


def government_goals(theta: ArrayLike, w_quality: float) -> F:
    """Goal weights of street offices from θ and w_q alone (the diagnostics' lean).

    Resident benefit and service quality follow philosophy θ and the evaluation weight
    w_q; trouble-free completion follows 1 − w_q; impression follows 1 − θ; the last two
    goals (survival, development) are the agencies'. Shape ``(n, 6)``. The model's
    interest alignment uses :func:`street_goals`, which also reads need and mandates.

    Examples
    --------
    >>> government_goals([0.0, 1.0], 0.5).round(2).tolist()
    [[0.25, 0.5, 0.5, 1.0, 0.0, 0.0], [0.75, 0.5, 0.5, 0.0, 0.0, 0.0]]
    """
    th = np.asarray(theta, dtype=np.float64)
    wq = float(w_quality)
    zero = np.zeros(th.size)
    return np.stack(
        [
            0.5 * th + 0.5 * wq,
            np.full(th.size, wq),
            np.full(th.size, 1.0 - wq),
            1.0 - th,
            zero,
            zero,
        ],
        -1,
    )


def street_goals(
    theta: ArrayLike, w_quality: float, need: ArrayLike, mandate_press: ArrayLike
) -> F:
    """Goal weights of street offices, in the goal order of design section 3, from state.

    Resident benefit follows the need of the street's residents times philosophy θ;
    service quality follows θ, raised by the evaluation weight w_q; trouble-free
    completion follows mandate pressure times 1 − w_q; impression follows mandate
    pressure times 1 − θ; the last two goals (survival, development) are the agencies'.
    Shape ``(n, 6)``.

    Examples
    --------
    >>> street_goals([0.0, 1.0], 0.5, [1.0, 1.0], [1.0, 0.5]).round(2).tolist()
    [[0.0, 0.0, 0.5, 1.0, 0.0, 0.0], [1.0, 0.75, 0.25, 0.0, 0.0, 0.0]]
    """
    th = np.asarray(theta, dtype=np.float64).reshape(-1)
    wq = float(w_quality)
    nd = np.asarray(need, dtype=np.float64).reshape(-1)
    mp = np.asarray(mandate_press, dtype=np.float64).reshape(-1)
    zero = np.zeros(th.size)
    return np.stack(
        [nd * th, th * (1.0 + wq) / 2.0, mp * (1.0 - wq), mp * (1.0 - th), zero, zero], -1
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """The institutional rules the dependence inputs read (scenario parameters).

    Examples
    --------
    >>> from resdep.simulate.params import resolve_params
    >>> Rules.from_params(resolve_params()).evaluator
    'street'
    """

    evaluator: str
    w_quality: float
    switch_rule: str
    switch_cost: float
    payment_after_evaluation: float
    rater: str
    legitimacy_bodies: int
    rating_rule_bound: float
    panel_street_weight: float
    renew_slope: float
    renew_history: float

    @classmethod
    def from_params(cls, p: Mapping[str, Value]) -> Rules:
        """The rules of a resolved parameter set."""
        return cls(
            evaluator=str(p["evaluator"]),
            w_quality=float(p["w_quality"]),
            switch_rule=str(p["switch_rule"]),
            switch_cost=float(p["switch_cost"]),
            payment_after_evaluation=float(p["payment_after_evaluation"]),
            rater=str(p["rater"]),
            legitimacy_bodies=int(p["legitimacy_bodies"]),
            rating_rule_bound=float(p["rating_rule_bound"]),
            panel_street_weight=float(p["panel_street_weight"]),
            renew_slope=float(p["renew_slope"]),
            renew_history=float(p["renew_history"]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DyadState:
    """The state of each active (agency, street) dyad that its dependence inputs read.

    Every field is an array over dyads with values in [0, 1] (docs/ODD.md 7.7).
    """

    #: the street's share of the agency's expected revenue (government + non-government)
    share: F
    #: the agency's non-government revenue share (what it draws from the funding pools)
    nongov: F
    #: other streets' share of the agency's revenue
    other: F
    #: other streets' share of the agency's revenue already committed for next year
    #: (contracts not ending this year)
    other_committed: F
    #: cash criticality, 1 − reserves / annual wage bill (clipped to [0, 1])
    cash: F
    #: share of the dyad's contracts bought relationally
    rel: F
    #: share of the dyad's contracts that end (come up for renewal) this year
    stake: F
    #: the agency's rating / reputation
    reputation: F
    #: philosophy state of the district bureau
    theta_d: F
    #: the agency's share of the street's purchases
    psh: F
    #: cooperation history of the pair
    history: F
    #: share of the street's mandated work needing professional delivery
    pneed: F
    #: mandate pressure of the street, M / (1 + M)
    mandate_press: F
    #: administrative share of the agency's effort on the dyad's projects
    alpha: F
    #: alternatives at contracting: spare capacity of agencies able to bid / (that + dyad load)
    alt_bid: F
    #: alternatives mid-project: spare capacity of the district's other agencies, same form
    alt_switch: F
    #: alternatives for the next round: spare and freed capacity, same form
    alt_next: F


def _verdict_discretion(rules: Rules, theta_d: F) -> F:
    """How far the evaluation verdict rests on the government side's own judgement.

    The government side judges when the street (fully) or the bureau (as far as its
    philosophy is official-centred) evaluates; a third party is outside it. Judging
    "complete without problems" is discretionary, quality against a published standard
    is not: the discretion is the judge's share times 1 − w_q.
    """
    if rules.evaluator == "street":
        judge = np.ones_like(theta_d)
    elif rules.evaluator == "bureau":
        judge = 1.0 - theta_d
    else:
        judge = np.zeros_like(theta_d)
    out: F = judge * (1.0 - rules.w_quality)
    return out


def dependence_inputs(
    s: DyadState, rules: Rules
) -> tuple[Cells, Cells, Cells, Cells, Cells, Cells]:
    """I, S (alternatives) and X of every tie, from state and rules (design section 7 table).

    Returns ``(ag_i, ag_s, ag_x, ga_i, ga_s, ga_x)``, each a dict from (stage, resource)
    to an array over dyads; ties not in the table are absent (importance 0). Stages:
    0 contracting, 1 implementation, 2 closing; agency → government resources in
    :data:`AG_RESOURCES`, government → agency in :data:`GA_RESOURCES`.

    Examples
    --------
    >>> from resdep.simulate.params import resolve_params
    >>> one = np.array([0.5])
    >>> st = DyadState(share=one, nongov=one * 0.2, other=one * 0.3, cash=one, rel=one,
    ...     stake=one, reputation=one, theta_d=one, psh=one, history=one, pneed=one,
    ...     mandate_press=one, alpha=one, other_committed=one, alt_bid=one, alt_switch=one, alt_next=one)
    >>> ag_i, ag_s, ag_x, ga_i, ga_s, ga_x = dependence_inputs(st, Rules.from_params(resolve_params()))
    >>> float(ga_s[1, 0][0])  # switching forbidden: no alternative mid-project
    0.0
    """
    # the agency's alternatives for government money: the pools it draws on and the
    # other streets' revenue
    s_econ = np.clip(s.nongov + s.other, 0.0, 1.0)
    # the agency's freedom to decline or walk away: reserves and other offers
    freedom = 1.0 - s.cash * (1.0 - s_econ)
    # the award matters through the revenue share or through critical cash (either)
    importance = 1.0 - (1.0 - s.share) * (1.0 - s.cash)
    # who decides an award: the street alone (relational) or a panel (competitive)
    award_x = s.rel + (1.0 - s.rel) * rules.panel_street_weight
    verdict = _verdict_discretion(rules, s.theta_d)
    # renewal rests on the verdict (slope) and on the street's own choice (history)
    w_v = rules.renew_slope / max(rules.renew_slope + rules.renew_history, 1e-12)
    renewal_x = award_x * (w_v * verdict + (1.0 - w_v))
    gov_rates = 1.0 if rules.rater == "bureau" else 0.0
    legit_i = gov_rates * (1.0 - s.reputation)
    legit_s = np.full_like(s.share, 1.0 - 1.0 / max(rules.legitimacy_bodies, 1))
    legit_x = (1.0 - rules.rating_rule_bound) * (1.0 - s.theta_d)
    switch_ok = 1.0 if rules.switch_rule == "allowed" else 0.0
    ag_i: Cells = {
        (0, 0): importance,
        (0, 1): legit_i,
        (1, 0): s.share,
        (2, 0): s.stake * importance,
    }
    # next year's revenue the agency can count on whatever this street decides
    s_next = np.clip(s.nongov + s.other_committed, 0.0, 1.0)
    ag_s: Cells = {(0, 0): s_econ, (0, 1): legit_s, (1, 0): s_econ, (2, 0): s_next}
    ag_x: Cells = {
        (0, 0): award_x,
        (0, 1): legit_x,
        (1, 0): rules.payment_after_evaluation * verdict,
        (2, 0): renewal_x,
    }
    ga_i: Cells = {
        (0, 0): s.pneed * s.psh,
        (0, 1): s.history,
        (1, 0): s.pneed * s.mandate_press,
        (2, 1): s.history * s.stake,
        (2, 2): s.mandate_press * s.stake,
    }
    ga_s: Cells = {
        (0, 0): s.alt_bid,
        (0, 1): s.alt_bid,
        (1, 0): switch_ok * (1.0 - rules.switch_cost) * s.alt_switch,
        (2, 1): s.alt_next,
        (2, 2): s.alt_next,
    }
    ga_x: Cells = {
        (0, 0): freedom,
        (0, 1): freedom,
        (1, 0): 1.0 - s.alpha,
        (2, 1): freedom,
        (2, 2): freedom,
    }
    return ag_i, ag_s, ag_x, ga_i, ga_s, ga_x


def coded_philosophy(push: F, interference: F, consultation: F, noise: F) -> F:
    """GP as a researcher would code it from behaviour (design section 5).

    The mean of (1 − administrative push onto agency staff), (1 − interference in
    delivery) and consultation at contracting, plus coding error; clipped to [0, 1].

    Examples
    --------
    >>> coded_philosophy(np.array([0.0]), np.array([0.0]), np.array([1.0]), np.zeros(1)).tolist()
    [1.0]
    """
    out: F = np.clip(((1.0 - push) + (1.0 - interference) + consultation) / 3.0 + noise, 0.0, 1.0)
    return out


def agency_goals(mission: ArrayLike, need: ArrayLike, cash: ArrayLike, w_quality: float) -> F:
    """Goal weights of agencies (goal order of design section 3), from their state.

    Mission orientation weighs resident benefit (by the need of the residents served) and
    service quality; the rest of the agency's attention goes to what renewal rewards
    (trouble-free completion, 1 − w_q, as far as cash is critical) and to its own survival
    (cash criticality) or development. Shape ``(n, 6)``.

    Examples
    --------
    >>> agency_goals([1.0], [0.5], [0.0], 0.2).round(2).tolist()
    [[0.5, 1.0, 0.0, 0.0, 0.0, 0.0]]
    """
    m = np.asarray(mission, dtype=np.float64)
    nd = np.asarray(need, dtype=np.float64)
    c = np.asarray(cash, dtype=np.float64)
    org = 1.0 - m
    zero = np.zeros(m.size)
    return np.stack([m * nd, m, org * c * (1.0 - w_quality), zero, org * c, org * (1.0 - c)], -1)


def cosine(a: F, b: F) -> F:
    """Row-wise cosine similarity; 0.5 where either vector is empty.

    The sums run over the components left to right, column by column (as
    ``(a * b).sum(-1)`` and ``np.linalg.norm`` do for a few components, bit for bit,
    and faster than reducing the short last axis row by row).

    Examples
    --------
    >>> cosine(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]])).round(4)
    array([0.7071, 0.5   ])
    """
    num = a[..., 0] * b[..., 0]
    aa = a[..., 0] * a[..., 0]
    bb = b[..., 0] * b[..., 0]
    for j in range(1, a.shape[-1]):
        num += a[..., j] * b[..., j]
        aa += a[..., j] * a[..., j]
        bb += b[..., j] * b[..., j]
    den = np.sqrt(aa) * np.sqrt(bb)
    out: F = np.where(den > 0, num / np.maximum(den, 1e-12), 0.5)
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class _YearDyads:
    """What the yearly outcomes need of the dyads."""

    agency: I64
    district: I64
    d_ag: F
    d_ga: F
    state: NDArray[np.int8]
    label: NDArray[np.int8]
    gp: F
    ia: F


@dataclass(frozen=True, slots=True)
class _Draws:
    """The random numbers of one year drawn per committee (project slot), by stream.

    Drawn ahead, in a background thread, while the model works on the year before
    (:meth:`Model._next_draws`): the same numbers in the same order per stream as drawing
    them where they are used, so runs stay identical per seed.
    """

    kappa: F  # projects: cost ratio before clipping
    u_mode: F  # projects: mode draw
    prio_z: F  # projects: priority noise
    u_renew: F  # closing: renewal draw
    u_award: NDArray[np.float32]  # award: candidate picks
    noise_award: NDArray[np.float32]  # award: score noise
    z_coding: F  # coding: philosophy coding error


#: Draw next year's random numbers and work out each year's dependence in a background
#: thread (the same outcomes either way); false does both in the calling thread.
BACKGROUND_THREAD = True


def _no_draws() -> _Draws:
    z, z32 = np.zeros(0), np.zeros((0, 0), dtype=np.float32)
    return _Draws(z, z, z, z, z32, z32, z)


@dataclass(slots=True)
class _Year:
    """Arrays of one year, filled by the submodels in schedule order."""

    draws: _Draws = field(default_factory=_no_draws)

    budget_index: F = field(default_factory=lambda: np.zeros(0))
    budget: F = field(default_factory=lambda: np.zeros(0))
    mandate: F = field(default_factory=lambda: np.zeros(0))
    mismatch: F = field(default_factory=lambda: np.zeros(0))
    push: F = field(default_factory=lambda: np.zeros(0))
    kappa: F = field(default_factory=lambda: np.zeros(0))
    u_mode: F = field(default_factory=lambda: np.zeros(0))
    prio: F = field(default_factory=lambda: np.zeros(0))
    survival: B = field(default_factory=lambda: np.zeros(0, dtype=bool))
    funded: B = field(default_factory=lambda: np.zeros(0, dtype=bool))
    awarded: B = field(default_factory=lambda: np.zeros(0, dtype=bool))
    act_idx: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ag: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    st: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pidx: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    load: F = field(default_factory=lambda: np.zeros(0))
    alpha: F = field(default_factory=lambda: np.zeros(0))
    quality: F = field(default_factory=lambda: np.zeros(0))
    compliance: F = field(default_factory=lambda: np.zeros(0))
    mean_alpha: F = field(default_factory=lambda: np.zeros(0))
    busy: B = field(default_factory=lambda: np.zeros(0, dtype=bool))
    ending: B = field(default_factory=lambda: np.zeros(0, dtype=bool))
    rev: F = field(default_factory=lambda: np.zeros(0))
    profit: F = field(default_factory=lambda: np.zeros(0))
    score: F = field(default_factory=lambda: np.zeros(0))
    welfare: float = 0.0
    reachable: float = 0.0
    task_completion: float = 0.0


@dataclass(slots=True)
class _Counters:
    """Run-level tallies behind patterns P6 and P7."""

    awards_survival: float = 0.0
    loss_survival: float = 0.0
    awards_development: float = 0.0
    loss_development: float = 0.0
    growth_survival: list[float] = field(default_factory=list)
    growth_development: list[float] = field(default_factory=list)
    street_tc: list[F] = field(default_factory=list)
    street_budget: list[F] = field(default_factory=list)


def _outcome_row(year: float, state: dict[str, float], dyads: dict[str, float]) -> dict[str, float]:
    """A year's outcome row from its state and dyad parts, in the order of the columns."""
    parts = {"year": year, **state, **dyads}
    return {col: parts[col] for col in OUTCOME_COLUMNS}


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """The agency and pair state the year's dependence reads, as after its finances.

    :meth:`Model._dependence` may run in the background thread while the main thread
    goes on with exits, entry and the next year. Arrays the model changes in place
    (history, reputation, alive, staff) are copied; the others are rebound, never
    written into, so a reference keeps this year's values.
    """

    history: F
    reputation: F
    alive: B
    w_gov: F
    reserves: F
    q: F
    nongov: F
    mission: F
    theta_d: F
    theta_s: F
    price: F
    labour: F
    mode_rel: B


@dataclass(frozen=True, slots=True)
class _DyadPart:
    """What the dependence job gives back: the dyad columns of the outcome row and more."""

    row: dict[str, float]
    district: dict[str, NDArray[np.float64] | I64]
    build: Callable[[], DyadTables]


class Model:
    """One run of the purchase system.

    Parameters
    ----------
    params
        Resolved parameters (:func:`resdep.simulate.params.resolve_params`).
    scale
        Numbers of entities.
    seed
        Root seed of the named streams.

    Examples
    --------
    >>> from resdep.simulate.params import SCALES, resolve_params
    >>> m = Model(resolve_params(), SCALES["case"], seed=1)
    >>> rows = [m.step() for _ in range(3)]
    >>> len(rows), 0.0 <= rows[-1]["welfare_ratio"] <= 1.0
    (3, True)
    """

    def __init__(self, params: Mapping[str, Value], scale: Scale, seed: int) -> None:
        self.p = dict(params)
        self.scale = scale
        self.seed = int(seed)
        self.year = 0
        self.rng = {name: stream(self.seed, name) for name in STREAMS}
        self.dep_params = DependenceParams(theta_d=self.f("theta_d"), theta_pi=self.f("theta_pi"))
        self.cls_params = ClassifyParams()
        self.counters = _Counters()
        self.rules = Rules.from_params(self.p)
        self.district_rows: list[dict[str, NDArray[np.float64] | I64]] = []
        self._last: DyadTables | None = None
        self._build_last: Callable[[], DyadTables] | None = None
        # the background thread: next year's draws (_next_draws), the year's dependence
        # (_advance); one worker, so the jobs run in the order they were given
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future[_Draws] | None = None
        self._finished = 0.0  # the last year whose dependence was taken in (_advance)
        self._init_structure()
        self._init_state()

    # -- helpers --------------------------------------------------------------------
    def f(self, name: str) -> float:
        """A real parameter."""
        return float(self.p[name])

    def i(self, name: str) -> int:
        """An integer parameter."""
        return int(self.p[name])

    def _draw_year(self) -> _Draws:
        """One year's per-committee draws, each stream in the order the submodels use."""
        nc, k = self.scale.committees, self.i("candidates")
        pr = self.rng["projects"]
        kappa = pr.normal(self.f("cost_mean"), self.f("cost_sd"), nc)
        u_mode = pr.random(nc)
        prio_z = pr.standard_normal(nc)
        u_renew = self.rng["closing"].random(nc)
        aw = self.rng["award"]
        # single precision: the draws only pick candidates and perturb scores
        u_award = aw.random((nc, k), dtype=np.float32)
        noise_award = aw.standard_normal((nc, k), dtype=np.float32)
        z_coding = self.rng["coding"].standard_normal(nc)
        return _Draws(kappa, u_mode, prio_z, u_renew, u_award, noise_award, z_coding)

    def _next_draws(self) -> _Draws:
        """This year's draws (made ahead) and the start of next year's in the background.

        NumPy fills the arrays without holding the GIL, so on a second core the draws
        cost no time of the year's work. The streams named in :class:`_Draws` are used
        only here, so the sequence per stream is that of drawing in place.
        """
        draws = self._pending.result() if self._pending is not None else self._draw_year()
        self._pending = None
        if not BACKGROUND_THREAD:
            return draws
        pool = self._background()
        self._pending = pool.submit(self._draw_year)
        return draws

    def _background(self) -> ThreadPoolExecutor:
        """The background thread (started on first use)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="resdep-model")
        return self._pool

    def close(self) -> None:
        """Stop the background thread (a pending draw completes and is kept for a next step)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    # -- initialisation ---------------------------------------------------------------
    def _init_structure(self) -> None:
        sc = self.scale
        nd, ns, nc, na = sc.districts, sc.streets, sc.committees, sc.agencies
        self.street_district: I64 = (np.arange(ns, dtype=np.int64) * nd) // ns
        self.committee_street: I64 = (np.arange(nc, dtype=np.int64) * ns) // nc
        self.committee_district: I64 = self.street_district[self.committee_street]
        self.agency_district: I64 = (np.arange(na, dtype=np.int64) * nd) // na
        self.street_count = _bc(self.street_district, minlength=nd).astype(np.int64)
        self.street_start = np.concatenate([[0], np.cumsum(self.street_count)[:-1]]).astype(
            np.int64
        )
        self.agency_count = _bc(self.agency_district, minlength=nd).astype(np.int64)
        self.agency_start = np.concatenate([[0], np.cumsum(self.agency_count)[:-1]]).astype(
            np.int64
        )
        self.committees_per_street = _bc(self.committee_street, minlength=ns).astype(np.float64)
        # pairs (agency, street of its district): CSR by agency
        per_agency = self.street_count[self.agency_district]
        self.pair_start = np.concatenate([[0], np.cumsum(per_agency)[:-1]]).astype(np.int64)
        self.n_pairs = int(per_agency.sum())
        # an agency's place among its district's agencies
        self.agency_local: I64 = (
            np.arange(na, dtype=np.int64) - self.agency_start[self.agency_district]
        )

    def pair_index(self, agency: I64, street: I64) -> I64:
        """Index of the (agency, street) pair; both must be in the same district."""
        out: I64 = (
            self.pair_start[agency] + street - self.street_start[self.street_district[street]]
        )
        return out

    def _init_state(self) -> None:
        rng = self.rng["init"]
        sc = self.scale
        nd, ns, nc, na = sc.districts, sc.streets, sc.committees, sc.agencies
        sd = self.f("theta_sd")
        self.theta_d: F = np.clip(rng.normal(self.f("theta_district"), sd, nd), 0.0, 1.0)
        self.theta_s: F = np.clip(rng.normal(self.f("theta_street"), sd, ns), 0.0, 1.0)
        self.need: F = rng.beta(2.0, 2.0, nc)
        self.budget_base: F = 0.6 + 0.8 * self.need  # a project's nominal budget
        self.budget_mean: F = self.f("budget_coverage") * _bc(
            self.committee_street, weights=self.budget_base, minlength=ns
        )
        # agencies
        self.alive: B = np.ones(na, dtype=bool)
        draws = self._agency_draws(rng, na)
        self.q_pot, self.q, self.mission, self.nongov, self.eff = draws
        demand = _bc(
            self.committee_district, weights=self.budget_base * self.f("cost_mean"), minlength=nd
        )
        weight = np.exp(rng.normal(0.0, 0.4, na))
        wsum = _bc(self.agency_district, weights=weight, minlength=nd)
        self.w_gov: F = (
            demand[self.agency_district] * weight / np.maximum(wsum[self.agency_district], 1e-12)
        )
        self.entry_staff = float(np.median(self.w_gov)) if na else 1.0
        self.reserves: F = 0.5 * self.w_gov
        self.loss_streak: I64 = np.zeros(na, dtype=np.int64)
        self.util: F = np.ones(na)
        # initial incumbents, in proportion to capacity
        cum = np.cumsum(self.w_gov)
        start = np.where(self.agency_start > 0, cum[np.maximum(self.agency_start - 1, 0)], 0.0)
        start = np.where(self.agency_start > 0, start, 0.0)
        total = _bc(self.agency_district, weights=self.w_gov, minlength=nd)
        u = rng.random(nc)
        d = self.committee_district
        target = start[d] + u * total[d]
        inc = np.searchsorted(cum, target, side="right").astype(np.int64)
        has = self.agency_count[d] > 0
        self.incumbent: I64 = np.where(has, np.minimum(inc, na - 1), -1)
        self.renew: B = np.ones(nc, dtype=bool)
        self.contract_left: I64 = np.zeros(nc, dtype=np.int64)
        self.mode_rel: B = np.ones(nc, dtype=bool)
        self.price: F = np.zeros(nc)
        self.labour: F = np.zeros(nc)
        self.history: F = np.full(self.n_pairs, 0.2)
        ok = self.incumbent >= 0
        self.history[self.pair_index(self.incumbent[ok], self.committee_street[ok])] = 0.7
        # heterogeneity of streets (persistent): budgets, mandates, professional need
        spread = self.f("street_spread")
        self.budget_mean = self.budget_mean * np.exp(
            spread * rng.standard_normal(ns) - spread * spread / 2.0
        )
        self.mandate_factor: F = np.exp(spread * rng.standard_normal(ns) - spread * spread / 2.0)
        self.pneed: F = np.clip(
            self.f("professional_need")
            * np.exp(0.5 * spread * rng.standard_normal(ns) - spread * spread / 8.0),
            0.0,
            1.0,
        )
        # the market's thickness: staff relative to the labour the district's projects need
        self.w_gov = self.w_gov * self.f("staff_slack")
        self.entry_staff = float(np.median(self.w_gov)) if na else 1.0
        self.reserves = 0.5 * self.w_gov
        # the first rating of an agency follows its capacity; entrants start unrated
        self.reputation: F = self.q.copy()
        self.need_s: F = _bc(self.committee_street, weights=self.need, minlength=ns) / np.maximum(
            self.committees_per_street, 1.0
        )
        self.staff0 = float(self.w_gov.sum() + 1e-12)

    def _agency_draws(self, rng: np.random.Generator, n: int) -> tuple[F, F, F, F, F]:
        q_pot = np.clip(rng.normal(0.6, 0.12, n), 0.2, 1.0)
        mission = np.clip(rng.normal(self.f("mission_mean"), 0.15, n), 0.0, 1.0)
        share = self.f("nongov_share")
        nongov = np.clip(share * np.exp(rng.normal(0.0, 0.5, n) - 0.125), 0.0, 0.9)
        eff = np.clip(1.0 + 0.25 * (0.6 - q_pot) + rng.normal(0.0, 0.05, n), 0.7, 1.4)
        return q_pot, q_pot.copy(), mission, nongov, eff

    # -- one year ---------------------------------------------------------------------
    def step(self) -> dict[str, float]:
        """Run one year (docs/ODD.md section 3); returns that year's outcome row."""
        return self._advance()()

    def _advance(self) -> Callable[[], dict[str, float]]:
        """Run one year; the year's dependence may go on in the background thread.

        Returns the function that waits for the year's dependence and gives its outcome
        row. :func:`run` calls it after starting the next year, so on a second core the
        dependence of one year overlaps the market of the next. The outcomes are the same
        either way: the dependence reads a :class:`_Snapshot` of the state after the
        year's finances, as it did when it ran in place before exits and entry.
        """
        self.year += 1
        if self.year > 1:  # the purchase market grows: budgets and project sizes
            g = 1.0 + self.f("market_growth")
            self.budget_base = self.budget_base * g
            self.budget_mean = self.budget_mean * g
        y = _Year()
        y.draws = self._next_draws()
        self._budgets_and_mandates(y)
        self._projects(y)
        self._contracting(y)
        self._implementation(y)
        self._closing(y)
        self._finances(y)
        snap, now = self._snapshot(), self.year  # before exits change the roster
        dyad_part = self._in_background(lambda: self._observe_dyads(y, snap, now))
        self._philosophy(y)
        exits = self.alive & (self.loss_streak >= self.i("exit_years")) & (self.reserves < 0)
        self._exit_and_entry(exits, y.profit, y.rev, y.funded, y.awarded)
        state_row = self._observe_state(y)
        year = float(now)

        def finish() -> dict[str, float]:
            part = dyad_part()
            if self._finished < year:
                self._finished = year
                self.district_rows.append(part.district)
                self._build_last = part.build
                self._last = None
            return _outcome_row(year, state_row, part.row)

        return finish

    def _snapshot(self) -> _Snapshot:
        return _Snapshot(
            history=self.history.copy(),
            reputation=self.reputation.copy(),
            alive=self.alive.copy(),
            w_gov=self.w_gov.copy(),
            reserves=self.reserves,
            q=self.q,
            nongov=self.nongov,
            mission=self.mission,
            theta_d=self.theta_d,
            theta_s=self.theta_s,
            price=self.price,
            labour=self.labour,
            mode_rel=self.mode_rel,
        )

    def _in_background(self, job: Callable[[], _DyadPart]) -> Callable[[], _DyadPart]:
        """Start ``job`` in the background thread (:data:`BACKGROUND_THREAD`) or run it now."""
        if not BACKGROUND_THREAD:
            done = job()
            return lambda: done
        pool = self._background()
        return pool.submit(job).result

    # -- submodels --------------------------------------------------------------------
    def _budgets_and_mandates(self, y: _Year) -> None:
        """ODD 7.1: log-normal budget shocks, mandates, mismatch and administrative push."""
        ns = self.scale.streets
        sig = self.f("sigma_budget")
        zb = self.rng["budget"].standard_normal(ns)
        y.budget_index = np.exp(sig * zb - sig * sig / 2.0)
        y.budget = self.budget_mean * y.budget_index
        sm = self.f("sigma_mandate")
        zm = self.rng["mandate"].standard_normal(ns)
        y.mandate = self.f("mandate_level") * self.mandate_factor * np.exp(sm * zm - sm * sm / 2.0)
        y.mismatch = np.clip(1.0 - y.budget_index / y.mandate, 0.0, 1.0)
        y.push = np.clip(self.f("push_base") * (1.0 - self.theta_s) * (1.0 + y.mismatch), 0.0, 0.95)

    def _projects(self, y: _Year) -> None:
        """ODD 7.2: cost ratio, mode draw and priority of every project slot; agency modes."""
        dr = y.draws
        y.kappa = np.clip(dr.kappa, 0.3, 2.5)
        y.u_mode = dr.u_mode
        y.prio = self.need + 0.3 * dr.prio_z
        y.survival = self.reserves < self.f("reserve_threshold") * self.w_gov

    def _contracting(self, y: _Year) -> None:
        """ODD 7.3: commitments, price factor, funding, bids and award; new contracts."""
        ns, na = self.scale.streets, self.scale.agencies
        street = self.committee_street
        inc = self.incumbent
        cont = (self.contract_left > 0) & (inc >= 0)
        committed = _bc(street, weights=np.where(cont, self.price, 0.0), minlength=ns)
        new = ~cont
        rel = np.where(new, y.u_mode >= self.f("p_competitive"), self.mode_rel)
        demand_new = _bc(street, weights=np.where(new, self.budget_base, 0.0), minlength=ns)
        room = np.maximum(y.budget - committed, 0.0)
        rho = np.clip(
            room / np.maximum(demand_new, 1e-12), self.f("price_floor"), self.f("price_cap")
        )
        offer = np.where(rel, rho[street], 1.0) * self.budget_base
        y.funded = self._fund(new, y.prio, offer, room)
        load_cont = _bc(
            np.where(cont, inc, 0), weights=np.where(cont, self.labour, 0.0), minlength=na
        )
        winner, win_labour = self._award(
            y.draws, y.funded, rel, offer, y.kappa, y.survival, load_cont
        )
        y.awarded = winner >= 0
        if y.awarded.any():  # P6 tallies, by mode at contracting
            s_mode = y.survival[winner[y.awarded]]
            loss = offer[y.awarded] < win_labour[y.awarded]
            c = self.counters
            c.awards_survival += float(s_mode.sum())
            c.loss_survival += float((loss & s_mode).sum())
            c.awards_development += float((~s_mode).sum())
            c.loss_development += float((loss & ~s_mode).sum())
        self.incumbent = np.where(new, winner, inc)
        self.mode_rel = np.where(new, rel, self.mode_rel)
        self.price = np.where(new, np.where(y.awarded, offer, 0.0), self.price)
        self.labour = np.where(new, np.where(y.awarded, win_labour, 0.0), self.labour)
        self.contract_left = np.where(new & y.awarded, self.i("contract_years"), self.contract_left)
        y.act_idx = np.flatnonzero(self.incumbent >= 0)
        y.ag = self.incumbent[y.act_idx]
        y.st = street[y.act_idx]

    def _implementation(self, y: _Year) -> None:
        """ODD 7.4: staffing, administrative share of effort, quality, compliance, learning."""
        ns, na = self.scale.streets, self.scale.agencies
        ag, st = y.ag, y.st
        y.load = _bc(ag, weights=self.labour[y.act_idx], minlength=na)
        staffing = np.minimum(1.0, self.w_gov / np.maximum(y.load, 1e-12))[ag]
        push = y.push[st]
        wq = self.f("w_quality")
        resist = self.f("resist") * (self.nongov + self.mission * ~y.survival) / 2.0
        y.alpha = np.clip(
            (push + self.f("gamma_eval") * (1.0 - wq) * (1.0 - push)) * (1.0 - resist[ag]),
            0.0,
            0.95,
        )
        y.quality = self.q[ag] * (1.0 - y.alpha) * staffing
        y.compliance = np.minimum(1.0, (y.alpha + 0.05) / (push + 0.05)) * staffing
        need_all = float(self.need.sum()) or 1.0
        y.welfare = float((self.need[y.act_idx] * y.quality).sum()) / need_all
        y.reachable = float((self.need[y.act_idx] * self.q[ag] * staffing).sum()) / need_all
        y.task_completion = float(staffing.sum()) / max(self.scale.committees, 1)
        tc_s = _bc(st, weights=staffing, minlength=ns) / np.maximum(self.committees_per_street, 1.0)
        self.counters.street_tc.append(tc_s)
        self.counters.street_budget.append(y.budget_index)
        # professional capacity follows professional effort
        n_proj = _bc(ag, minlength=na)
        y.busy = n_proj > 0
        self.util = np.clip(y.load / np.maximum(self.w_gov, 1e-12), 0.0, 1.0)
        y.mean_alpha = _bc(ag, weights=y.alpha, minlength=na) / np.maximum(n_proj, 1)
        target = self.q_pot * (1.0 - 0.5 * y.mean_alpha)
        self.q = np.where(y.busy, self.q + self.f("learning") * (target - self.q), self.q)

    def _closing(self, y: _Year) -> None:
        """ODD 7.5: evaluation score, cooperation history, renewal draw, years left."""
        third = self.p["evaluator"] == "third_party"
        wq = self.f("w_quality")
        # a third party judges by professional standards: quality weighs at least half
        wq_eval = max(wq, 0.5) if third else wq
        # quality is judged against a standard, compliance against the push
        q_score = np.minimum(1.0, y.quality / self.f("quality_standard"))
        score = wq_eval * q_score + (1.0 - wq_eval) * y.compliance
        y.pidx = self.pair_index(y.ag, y.st)
        mem = self.f("history_memory")
        self.history *= mem
        ev_sum = _bc(y.pidx, weights=score, minlength=self.n_pairs)
        ev_n = _bc(y.pidx, minlength=self.n_pairs)
        worked = ev_n > 0
        self.history[worked] += (1.0 - mem) * (ev_sum[worked] / ev_n[worked])
        h = self.history[y.pidx]
        k_h = self.f("renew_history")
        p_renew = _sigmoid(self.f("renew_slope") * (score - self.f("renew_mid")) + k_h * (h - 0.5))
        y.score = score
        # the rating follows the agency's evaluation scores
        na = self.scale.agencies
        sc_sum = _bc(y.ag, weights=score, minlength=na)
        sc_n = _bc(y.ag, minlength=na)
        rated = sc_n > 0
        self.reputation[rated] = mem * self.reputation[rated] + (1.0 - mem) * (
            sc_sum[rated] / sc_n[rated]
        )
        u_renew = y.draws.u_renew
        y.ending = self.contract_left[y.act_idx] <= 1
        self.renew[y.act_idx] = u_renew[y.act_idx] < p_renew
        self.contract_left[y.act_idx] -= 1

    def _finances(self, y: _Year) -> None:
        """ODD 7.6 (first half): revenue, profit, reserves, hiring and firing."""
        na = self.scale.agencies
        y.rev = _bc(y.ag, weights=self.price[y.act_idx], minlength=na)
        y.profit = np.where(self.alive, y.rev - self.w_gov * 1.02, 0.0)
        self.reserves = self.reserves + y.profit
        w_before = self.w_gov.copy()
        # development: surplus buys social workers where the books are full
        hire = self.alive & ~y.survival & (y.profit > 0) & (self.util >= 0.8)
        self.w_gov = np.where(hire, self.w_gov + self.f("hire_rate") * y.profit, self.w_gov)
        # agencies with reserves hoard labour; survival-mode agencies must cut at once
        fire = self.alive & (y.profit < 0) & (y.load < self.w_gov)
        cut = self.f("fire_rate") * np.where(y.survival, 1.0, 0.25)
        self.w_gov = np.where(fire, self.w_gov - cut * (self.w_gov - y.load), self.w_gov)
        self.w_gov = np.maximum(self.w_gov, np.where(self.alive, 0.2, 0.0))
        growth = (self.w_gov - w_before) / np.maximum(w_before, 1e-12)
        surv_alive, dev_alive = self.alive & y.survival, self.alive & ~y.survival
        if surv_alive.any():
            self.counters.growth_survival.append(float(growth[surv_alive].mean()))
        if dev_alive.any():
            self.counters.growth_development.append(float(growth[dev_alive].mean()))
        self.loss_streak = np.where(y.profit < 0, self.loss_streak + 1, 0)
        # reserve policy: a non-profit cannot distribute its surplus; what it holds above
        # its reserve target is spent on the mission within the year (ODD 7.6)
        self.reserves = np.minimum(self.reserves, self.f("reserve_target") * self.w_gov)

    def _observe_state(self, y: _Year) -> dict[str, float]:
        """ODD 7.8: the year's outcomes that read the state after exits and entry."""
        na = self.scale.agencies
        rev_pair = _bc(y.pidx, weights=self.price[y.act_idx], minlength=self.n_pairs)
        return {
            "welfare": y.welfare,
            "welfare_ratio": y.welfare / y.reachable if y.reachable > 0 else 0.0,
            "task_completion": y.task_completion,
            "budget_index": float(y.budget.sum() / max(self.budget_mean.sum(), 1e-12)),
            "survival": float(self.alive.mean()) if na else 0.0,
            "staff": float(self.w_gov.sum()) / self.staff0,
            "hhi": self._hhi(rev_pair, y.rev),
            "relational_share": float(self.mode_rel[y.act_idx].mean()) if y.act_idx.size else 0.0,
            "formalization": float(y.alpha.mean()) if y.alpha.size else 0.0,
            "theta_mean": float(self.theta_s.mean()) if self.theta_s.size else 0.0,
        }

    def _observe_dyads(self, y: _Year, snap: _Snapshot, year: int) -> _DyadPart:
        """ODD 7.7–7.8: the year's dependence and the outcomes that read the dyads."""
        dyads, build = self._dependence(y, snap)
        na = self.scale.agencies
        n_dy = max(dyads.agency.size, 1)
        pa = dyads.d_ag - dyads.d_ga
        mdmin = np.minimum(dyads.d_ag, dyads.d_ga)
        # autonomy: professional share of effort times independence from the government
        # side (1 − D_ag averaged over stages and the agency's dyads)
        dep_a = _bc(dyads.agency, weights=dyads.d_ag.mean(axis=-1), minlength=na) / np.maximum(
            _bc(dyads.agency, minlength=na), 1
        )
        autonomy_a = (1.0 - y.mean_alpha) * (1.0 - dep_a)
        row = {
            "autonomy": float(autonomy_a[y.busy].mean()) if y.busy.any() else 0.0,
            "n_dyads": float(dyads.agency.size),
        }
        for k, stage in enumerate(("contracting", "implementation", "closing")):
            row[f"pa_{stage}"] = float(pa[:, k].sum()) / n_dy
            row[f"md_min_{stage}"] = float(mdmin[:, k].sum()) / n_dy
            row[f"d_ag_{stage}"] = float(dyads.d_ag[:, k].sum()) / n_dy
            row[f"d_ga_{stage}"] = float(dyads.d_ga[:, k].sum()) / n_dy
        for k, lab in enumerate(("partnership", "buddy", "transactional")):
            row[f"share_{lab}"] = float((dyads.label == k).sum()) / n_dy
        qs_all = (
            np.percentile(pa, _QUANTILES, axis=0)
            if pa.shape[0]
            else np.full((len(_QUANTILES), 3), np.nan)
        )
        for k, stage in enumerate(STAGES):
            codes = dyads.state[:, k]
            for c, name in enumerate(
                ("interdependent", "government_dominant", "agency_dominant", "weak")
            ):
                row[f"share_{name}_{stage}"] = float((codes == c).sum()) / n_dy
            for q, v in zip(_QUANTILES, qs_all[:, k], strict=True):
                row[f"pa_{stage}_q{q:02d}"] = float(v)
        row["gp_mean"] = float(dyads.gp.mean()) if dyads.gp.size else 0.0
        row["ia_mean"] = float(dyads.ia.mean()) if dyads.ia.size else 0.0
        return _DyadPart(row, self._district_row(dyads, pa, year), build)

    def _district_row(
        self, dyads: _YearDyads, pa: F, year: int
    ) -> dict[str, NDArray[np.float64] | I64]:
        """The year's per-district breakdown (one entry per district)."""
        nd = self.scale.districts
        d = dyads.district
        cnt = _bc(d, minlength=nd)
        den = np.maximum(cnt, 1.0)
        out: dict[str, NDArray[np.float64] | I64] = {
            "year": np.full(nd, year, dtype=np.int64),
            "district": np.arange(nd, dtype=np.int64),
            "n_dyads": cnt.astype(np.int64),
        }
        for k, stage in enumerate(STAGES):
            out[f"pa_{stage}"] = np.where(
                cnt > 0, _bc(d, weights=pa[:, k], minlength=nd) / den, np.nan
            )
        for k, lab in enumerate(("partnership", "buddy", "transactional")):
            share = _bc(d, weights=(dyads.label == k).astype(np.float64), minlength=nd) / den
            out[f"share_{lab}"] = np.where(cnt > 0, share, np.nan)
        # the simulated classifier always has philosophy, goal and dependence inputs
        out["share_undetermined"] = np.where(cnt > 0, 0.0, np.nan)
        return out

    def districts_frame(self) -> pd.DataFrame:
        """The per-district breakdown of every year run so far (:data:`DISTRICT_COLUMNS`)."""
        if not self.district_rows:
            return pd.DataFrame(columns=list(DISTRICT_COLUMNS))
        cols = {c: np.concatenate([r[c] for r in self.district_rows]) for c in DISTRICT_COLUMNS}
        return pd.DataFrame(cols, columns=list(DISTRICT_COLUMNS))

    def _fund(self, new: B, prio: F, offer: F, room: F) -> B:
        """Budget-constrained, order-dependent funding of new projects per street."""
        street = self.committee_street
        key = street.astype(np.float64) * 16.0 + (8.0 - np.clip(prio, -7.9, 7.9))
        cand = np.flatnonzero(new)
        order = cand[np.argsort(key[cand], kind="stable")]
        n_new = order.size
        cost = offer[order]
        s = street[order]
        cum = np.cumsum(cost)
        first = np.ones(n_new, dtype=bool)
        first[1:] = s[1:] != s[:-1]
        base = np.maximum.accumulate(np.where(first, cum - cost, 0.0))
        within = cum - base
        funded = np.zeros(street.size, dtype=bool)
        funded[order] = within <= room[s] + 1e-9
        return funded

    def _award(
        self, draws: _Draws, funded: B, rel: B, offer: F, kappa: F, survival: B, load_cont: F
    ) -> tuple[I64, F]:
        """Bids (relational-contract condition) and capacity-constrained award.

        Renewals come first: a relational project whose incumbent was renewed at the last
        closing is offered to it. The rest go to ``candidates`` agencies of the district
        (drawn in proportion to spare capacity); each project goes to its best bidder and
        each agency takes its projects in score order while capacity lasts; a project an
        agency could not take moves to its next bidder (one round per candidate).
        """
        nc, na = self.scale.committees, self.scale.agencies
        k = self.i("candidates")
        u, noise = draws.u_award, draws.noise_award
        winner = np.full(nc, -1, dtype=np.int64)
        labour = np.zeros(nc)
        if na == 0 or not funded.any():
            return winner, labour
        cap = np.maximum(self.w_gov * 1.05 - load_cont, 0.0) * self.alive
        # renewals -------------------------------------------------------------------
        inc = self.incumbent
        direct = funded & rel & self.renew & (inc >= 0)
        direct &= self.alive[np.maximum(inc, 0)]
        ia = np.flatnonzero(direct)
        if ia.size:
            a = inc[ia]
            bid, lab, h = self._bids(ia, a, rel, offer, kappa, survival)
            ia, a, lab = ia[bid], a[bid], lab[bid]
            ok = self._take(a, lab, h[bid] + 0.1 * noise[ia, 0], cap)
            winner[ia[ok]] = a[ok]
            labour[ia[ok]] = lab[ok]
        # open award -----------------------------------------------------------------
        idx = np.flatnonzero(funded & (winner < 0))
        if idx.size == 0:
            return winner, labour
        d = self.committee_district[idx]
        cnt = self.agency_count[d]
        # agencies with spare capacity are the ones looking for work: draw candidates
        # of the district in proportion to spare capacity (plus a little for everyone).
        # Candidate arrays are (k, projects): each candidate rank a contiguous row.
        weight = (np.maximum(cap, 0.0) + 0.1 * self.w_gov) * self.alive
        cum = np.cumsum(weight)
        start = np.concatenate([[0.0], cum])[self.agency_start]
        total = _bc(self.agency_district, weights=weight, minlength=self.scale.districts)
        tot_d = total[d]
        target = u[idx].T * tot_d
        target += start[d]
        cand = self._inverse_cdf(cum, target, d)
        lo = self.agency_start[d]
        np.clip(cand, lo, np.maximum(lo + cnt - 1, 0), out=cand)
        np.minimum(cand, na - 1, out=cand)
        valid = self.alive[cand]
        valid &= (cnt > 0) & (tot_d > 0)
        for j in range(1, k):  # a candidate drawn twice bids once
            for i in range(j):
                valid[j] &= cand[j] != cand[i]
        bid, lab, h = self._bids(idx, cand, rel, offer, kappa, survival)
        valid &= bid
        wh, wc = self.f("w_history"), self.f("w_capacity")
        q = self.q[cand]
        score = np.where(
            rel[idx],
            wh * h + (1.0 - wh) * q,
            wc * q + (1.0 - wc) * (1.2 - self.eff[cand]),
        )
        score += 0.1 * noise[idx].T
        score[~valid] = -np.inf
        rows = np.flatnonzero(valid.any(axis=0))  # projects with a bidder left
        for _ in range(k):
            if rows.size == 0:
                break
            # each project's best bidder left (the first of equals, as argmax)
            best = score[0, rows]
            best_k = np.zeros(rows.size, dtype=np.int64)
            for j in range(1, k):
                sj = score[j, rows]
                better = sj > best
                best = np.where(better, sj, best)
                best_k[better] = j
            has = np.isfinite(best)
            r, bk = rows[has], best_k[has]
            a = cand[bk, r]
            lb = lab[bk, r]
            ok = self._take(a, lb, best[has], cap)
            winner[idx[r[ok]]] = a[ok]
            labour[idx[r[ok]]] = lb[ok]
            score[bk[~ok], r[~ok]] = -np.inf
            rows = r[~ok]
        return winner, labour

    def _inverse_cdf(self, cum: F, target: F, d: I64) -> I64:
        """``np.searchsorted(cum, target, side="right")`` for targets within their districts.

        ``target`` (candidates × projects) lies in the span of ``cum`` that belongs to the
        project's district ``d``. With a few agencies per district, counting the entries
        of the district's span that are ≤ the target is faster than a binary search over
        all agencies, and gives the same index once clipped to the district's agencies.
        """
        width = int(self.agency_count.max()) if self.agency_count.size else 0
        if width == 0 or width > 16:
            out: I64 = np.searchsorted(cum, target, side="right")
            return out
        table = np.full((width, self.scale.districts), np.inf)
        table[self.agency_local, self.agency_district] = cum
        out = np.broadcast_to(self.agency_start[d], target.shape).copy()
        for j in range(width):
            out += table[j][d] <= target
        return out

    def _bids(
        self, proj: I64, agency: I64, rel: B, offer: F, kappa: F, survival: B
    ) -> tuple[B, F, F]:
        """Which agencies bid for which projects: the relational-contract condition.

        A bid is made when margin + δ·V_rel − opportunity cost ≥ 0, where the margin is
        (price − labour cost)/budget, V_rel the value of the relationship with the street
        (relational projects only) and the opportunity cost applies to development-mode
        agencies in proportion to how full their books are. Returns the bid mask, the
        labour the project would take and the pair's history.
        """
        # per-project and per-agency terms first, then one pass over the (project,
        # agency) pairs (``proj`` may be a column that broadcasts against ``agency``)
        street = self.committee_street[proj]
        offset = street - self.street_start[self.street_district[street]]
        pos = self.pair_start[agency]
        pos += offset
        h = self.history[pos]
        b = self.budget_base[proj]
        lab = self.eff[agency]
        lab *= kappa[proj] * b
        margin = offer[proj] - lab
        margin /= b
        # the value of the relationship (relational projects only), then the bid rule;
        # worked in place, in the order of margin + δ·V_rel − opportunity cost
        v_rel = h + 0.2
        v_rel *= self.f("relational_value")
        v_rel *= 1.0 - self.f("p_competitive")
        v_rel *= rel[proj]
        v_rel *= self.f("discount")
        margin += v_rel
        oc_a = np.where(survival, 0.0, self.f("opportunity_cost") * self.util)
        margin -= oc_a[agency]
        bid: B = margin >= 0.0
        return bid, lab, h

    @staticmethod
    def _take(agency: I64, lab: F, score: F, cap: F) -> B:
        """Each agency takes its projects in descending score while capacity lasts.

        A project is taken if the agency's capacity is not used up before it (so the
        last one may overload the agency a little). ``cap`` is reduced in place.
        """
        ok = np.zeros(agency.size, dtype=bool)
        # an agency whose projects all fit into its capacity takes them all, in any order
        total = _bc(agency, weights=lab, minlength=cap.size)
        fits = total < cap - 1e-9
        fit_i = fits[agency]
        ok[fit_i] = True
        cap -= np.where(fits, total, 0.0)
        rest = np.flatnonzero(~fit_i)
        if rest.size == 0:
            return ok
        agency, lab, score = agency[rest], lab[rest], score[rest]
        key = agency.astype(np.float64) * 64.0 - np.clip(score, -30.0, 30.0)
        order = np.argsort(key)
        a_o, lb_o = agency[order], lab[order]
        cum = np.cumsum(lb_o)
        first = np.ones(a_o.size, dtype=bool)
        first[1:] = a_o[1:] != a_o[:-1]
        base = np.maximum.accumulate(np.where(first, cum - lb_o, 0.0))
        before = cum - lb_o - base
        ok_o = before < cap[a_o] - 1e-12
        cap -= _bc(a_o[ok_o], weights=lb_o[ok_o], minlength=cap.size)
        taken = np.zeros(rest.size, dtype=bool)
        taken[order] = ok_o
        ok[rest] = taken
        return ok

    def _dependence(self, y: _Year, s: _Snapshot) -> tuple[_YearDyads, Callable[[], DyadTables]]:
        """ODD 7.7: dependence inputs from state per active dyad and stage; D and labels."""
        act_idx, ag, st, alpha, rev, load = y.act_idx, y.ag, y.st, y.alpha, y.rev, y.load
        ns = self.scale.streets
        pidx = self.pair_index(ag, st)
        # the distinct pairs in order, each contract's dyad and each dyad's first contract
        # (what ``np.unique(pidx, return_index=True, return_inverse=True)`` gives, by counting)
        seen = np.zeros(self.n_pairs, dtype=bool)
        seen[pidx] = True
        pairs = np.flatnonzero(seen)
        n = pairs.size
        rank = np.cumsum(seen) - 1
        inv = rank[pidx]
        first = np.full(n, pidx.size, dtype=np.int64)
        np.minimum.at(first, inv, np.arange(pidx.size, dtype=np.int64))
        # dyad attributes by aggregation over its contracts
        cnt = _bc(inv, minlength=n)
        dy_ag = ag[first]
        dy_st = st[first]
        dy_d = self.street_district[dy_st]
        rev_as = _bc(inv, weights=s.price[act_idx], minlength=n)
        load_as = _bc(inv, weights=s.labour[act_idx], minlength=n)
        rel_as = _bc(inv, weights=s.mode_rel[act_idx].astype(np.float64), minlength=n) / cnt
        alpha_as = _bc(inv, weights=alpha, minlength=n) / cnt
        stake = _bc(inv, weights=y.ending.astype(np.float64), minlength=n) / cnt
        h = s.history[pairs]
        nongov_rev = s.nongov * s.w_gov / np.maximum(1.0 - s.nongov, 0.1)
        total = rev[dy_ag] + nongov_rev[dy_ag]
        share = np.clip(rev_as / np.maximum(total, 1e-12), 0.0, 1.0)
        f_share = np.clip(nongov_rev[dy_ag] / np.maximum(total, 1e-12), 0.0, 1.0)
        other = np.clip(1.0 - share - f_share, 0.0, 1.0)
        # revenue of the agency from contracts that do not end this year (all its streets)
        keep = _bc(ag, weights=np.where(y.ending, 0.0, s.price[act_idx]), minlength=rev.size)
        keep_as = _bc(inv, weights=np.where(y.ending, 0.0, s.price[act_idx]), minlength=n)
        other_committed = np.clip((keep[dy_ag] - keep_as) / np.maximum(total, 1e-12), 0.0, 1.0)
        cash = np.clip(1.0 - s.reserves[dy_ag] / np.maximum(s.w_gov[dy_ag], 1e-12), 0.0, 1.0)
        # the street's alternatives: capacity of the other agencies it can turn to,
        # relative to what this agency does for it
        # only agencies able to deliver at the evaluation's standard are qualified
        qualified = s.alive & (s.q >= self.f("quality_standard"))
        spare = np.where(qualified, np.maximum(s.w_gov - load, 0.0), 0.0)
        freed = _bc(ag, weights=np.where(y.ending, s.labour[act_idx], 0.0), minlength=load.size)
        nxt = spare + np.where(qualified, freed, 0.0)
        known = h >= 0.3
        kf = known.astype(np.float64)

        q_dy = s.q[dy_ag]

        def ranked(group: I64, q: F) -> tuple[I64, B]:
            """Order by group, most capable first, and the first item of each group."""
            order = np.lexsort((-q, group)).astype(np.int64)
            g = group[order]
            first = np.ones(g.size, dtype=bool)
            first[1:] = g[1:] != g[:-1]
            return order, first

        def at_least_as_capable(rank: tuple[I64, B], w: F) -> F:
            """Per item, the sum of ``w`` over the other items of its group with q ≥ its q."""
            order, first = rank
            wo = w[order]
            cum = np.cumsum(wo)
            base = np.maximum.accumulate(np.where(first, cum - wo, 0.0))
            res = np.empty(wo.size)
            res[order] = np.maximum(cum - base - wo, 0.0)  # no negative rounding residue
            return res

        rank_open = ranked(self.agency_district, s.q)

        open_memo: dict[int, F] = {}

        def open_alt(cap: F) -> F:
            """``at_least_as_capable(rank_open, cap)[dy_ag]``, once per capacity array."""
            got = open_memo.get(id(cap))
            if got is None:
                got = open_memo[id(cap)] = at_least_as_capable(rank_open, cap)[dy_ag]
            return got

        def alternatives(cap: F, relational: F | None) -> F:
            """Capacity of qualified agencies at least as capable as the dyad's agency.

            Under relational purchase the street turns to the agencies it knows; under
            competitive purchase (``relational`` None: always) to any of its district.
            Share of that capacity against the dyad's own load.
            """
            alt = open_alt(cap)
            if relational is not None:
                known_ge = at_least_as_capable(ranked(dy_st, q_dy), kf * cap[dy_ag])
                alt = relational * known_ge + (1.0 - relational) * alt
            out: F = alt / (alt + np.maximum(load_as, 1e-12))
            return out

        purchases = _bc(dy_st, weights=rev_as, minlength=ns)
        m = y.mandate[dy_st]
        state = DyadState(
            share=share,
            nongov=f_share,
            other=other,
            other_committed=other_committed,
            cash=cash,
            rel=rel_as,
            stake=stake,
            reputation=s.reputation[dy_ag],
            theta_d=s.theta_d[dy_d],
            psh=rev_as / np.maximum(purchases[dy_st], 1e-12),
            history=h,
            pneed=self.pneed[dy_st],
            mandate_press=m / (1.0 + m),
            alpha=alpha_as,
            alt_bid=alternatives(spare, rel_as),
            alt_switch=alternatives(spare, None),
            alt_next=alternatives(nxt, None),
        )
        ag_i, ag_s, ag_x, ga_i, ga_s, ga_x = dependence_inputs(state, self.rules)
        d_ag = self._stage_d(n, ag_i, ag_s, ag_x)
        d_ga = self._stage_d(n, ga_i, ga_s, ga_x)
        theta_s = s.theta_s[dy_st]
        # GP as coded from behaviour: push onto agency staff, interference, consultation
        z = y.draws.z_coding
        gp = coded_philosophy(
            y.push[dy_st],
            (1.0 - theta_s) * state.mandate_press,
            theta_s * h,
            self.f("coding_noise") * z[act_idx[first]],
        )
        gov = street_goals(theta_s, self.f("w_quality"), self.need_s[dy_st], state.mandate_press)
        agy = agency_goals(s.mission[dy_ag], self.need_s[dy_st], cash, self.f("w_quality"))
        ia = cosine(gov, agy)
        ind = classify_dyads(d_ag, d_ga, gp, ia, self.cls_params)
        st_codes = stage_state(d_ag, d_ga, self.dep_params)

        def build() -> DyadTables:  # the full tables, only when asked for
            return DyadTables(
                agency=dy_ag,
                street=dy_st,
                district=dy_d,
                ag_i=_grid(n, ag_i),
                ag_s=_grid(n, ag_s),
                ag_x=_grid(n, ag_x),
                ga_i=_grid(n, ga_i),
                ga_s=_grid(n, ga_s),
                ga_x=_grid(n, ga_x),
                d_ag=d_ag,
                d_ga=d_ga,
                state=st_codes,
                gp=ind.gp,
                ia=ind.ia,
                ri=ind.ri,
                dep=ind.dep,
                mu_partnership=ind.mu_partnership,
                mu_buddy=ind.mu_buddy,
                label=ind.label,
                contracts=cnt,
                formalization=alpha_as,
                relational=rel_as,
                theta=theta_s,
            )

        return _YearDyads(
            agency=dy_ag,
            district=dy_d,
            d_ag=d_ag,
            d_ga=d_ga,
            state=st_codes,
            label=ind.label,
            gp=ind.gp,
            ia=ind.ia,
        ), build

    def _philosophy(self, y: _Year) -> None:
        """ODD 7.9: officials' philosophy moves with policy, experience, evaluation, turnover.

        Each street's θ moves at rate ``philosophy_adapt`` toward the mean of the policy
        push from above, the quality of agencies' work it experienced this year (quality
        against the standard) and the evaluation weight on quality; bureaus alike, with
        their district's experience. With probability ``turnover`` a street's leading
        official is replaced by one whose θ is drawn around the bureau's.
        """
        ns, nd = self.scale.streets, self.scale.districts
        rng = self.rng["philosophy"]
        u = rng.random(ns)
        z = rng.standard_normal(ns)
        q_score = np.minimum(1.0, y.quality / self.f("quality_standard"))
        n_s = _bc(y.st, minlength=ns)
        exp_s = np.where(
            n_s > 0, _bc(y.st, weights=q_score, minlength=ns) / np.maximum(n_s, 1), 0.5
        )
        d_of = self.street_district
        exp_d = _bc(d_of, weights=exp_s, minlength=nd) / np.maximum(self.street_count, 1)
        push, wq, rate = self.f("policy_push"), self.f("w_quality"), self.f("philosophy_adapt")
        self.theta_s = self.theta_s + rate * ((push + exp_s + wq) / 3.0 - self.theta_s)
        self.theta_d = self.theta_d + rate * ((push + exp_d + wq) / 3.0 - self.theta_d)
        new = u < self.f("turnover")
        fresh = np.clip(self.theta_d[d_of] + self.f("theta_sd") * z, 0.0, 1.0)
        self.theta_s = np.clip(np.where(new, fresh, self.theta_s), 0.0, 1.0)

    def _stage_d(self, n: int, imp: Cells, alt: Cells, disc: Cells) -> F:
        """D per stage, shape ``(n, 3)``: the noisy-OR over the resources of each stage.

        The same figures as ``noisy_or(self._cells_d(...), axis=-1)`` (absent ties add a
        factor 1 to the product) with one call of the shared scoring code for all ties.
        """
        keys = sorted(imp)
        if n == 0 or not keys:
            return np.zeros((n, 3))
        w_i, w_n, w_x = self.dep_params.weights
        # the factors of :func:`resource_dependence` (I^wI, (1 − S)^wN, X^wX), each worked
        # out once per distinct input array: several ties share one (e.g. the agency's
        # freedom is X of four government ties), so the powers are not repeated
        memo: dict[tuple[int, str], F] = {}

        def factor(value: F | float, kind: str) -> F:
            key = (id(value), kind)
            got = memo.get(key)
            if got is None:
                v = np.asarray(value, dtype=np.float64)
                if kind == "n":
                    v = 1.0 - v
                w = {"i": w_i, "n": w_n, "x": w_x}[kind]
                with np.errstate(divide="ignore"):
                    got = np.power(np.clip(v, 0.0, 1.0), w)
                memo[key] = got
            return got

        out = np.zeros((n, 3))
        cells = (imp, alt, disc)  # held, so that no id() above is of a freed array
        for stage in range(3):
            keep: F | None = None
            for k in keys:
                if k[0] != stage:
                    continue
                d = factor(cells[0][k], "i") * factor(cells[1][k], "n") * factor(cells[2][k], "x")
                d = np.where(np.asarray(imp[k]) > 0, d, 0.0)
                f = 1.0 - np.clip(np.broadcast_to(d, (n,)), 0.0, 1.0)
                keep = f if keep is None else keep * f
            if keep is not None:
                out[:, stage] = 1.0 - keep
        return out

    @property
    def last(self) -> DyadTables | None:
        """The dependence tables of the last year's active dyads (built on first access)."""
        if self._last is None and self._build_last is not None:
            self._last = self._build_last()
        return self._last

    def _hhi(self, rev_pair: F, rev: F) -> float:
        """Mean revenue concentration (HHI over streets and non-government income)."""
        na = self.scale.agencies
        owner = np.repeat(np.arange(na), self.street_count[self.agency_district])
        nongov_rev = self.nongov * self.w_gov / np.maximum(1.0 - self.nongov, 0.1)
        total = rev + nongov_rev
        sq = _bc(owner, weights=rev_pair**2, minlength=na) + nongov_rev**2
        ok = self.alive & (rev > 0)
        if not ok.any():
            return 0.0
        return float((sq[ok] / total[ok] ** 2).mean())

    def _exit_and_entry(self, exits: B, profit: F, rev: F, funded: B, awarded: B) -> None:
        """ODD 7.6 (second half): exit after sustained losses; entry when the market pays."""
        na, nd = self.scale.agencies, self.scale.districts
        if exits.any():
            self.alive &= ~exits
            gone = (self.incumbent >= 0) & exits[np.maximum(self.incumbent, 0)]
            self.incumbent[gone] = -1
            self.contract_left[gone] = 0
            self.w_gov[exits] = 0.0
        rng = self.rng["entry"]
        u = rng.random(na)
        draws = self._agency_draws(rng, na)
        d = self.committee_district
        unserved = _bc(d, weights=(funded & ~awarded).astype(np.float64), minlength=nd)
        posted = _bc(d, weights=funded.astype(np.float64), minlength=nd)
        alive_rev = _bc(self.agency_district, weights=np.where(self.alive, rev, 0.0), minlength=nd)
        alive_profit = _bc(
            self.agency_district, weights=np.where(self.alive, profit, 0.0), minlength=nd
        )
        pays = unserved / np.maximum(posted, 1.0) + 5.0 * np.maximum(
            alive_profit / np.maximum(alive_rev, 1e-12), 0.0
        )
        p_entry = self.f("entry_rate") * np.clip(pays, 0.0, 1.0)
        enter = ~self.alive & ~exits & (u < p_entry[self.agency_district])
        if enter.any():
            q_pot, q, mission, nongov, eff = draws
            self.alive |= enter
            self.q_pot = np.where(enter, q_pot, self.q_pot)
            self.q = np.where(enter, q, self.q)
            self.mission = np.where(enter, mission, self.mission)
            self.nongov = np.where(enter, nongov, self.nongov)
            self.eff = np.where(enter, eff, self.eff)
            self.w_gov = np.where(enter, self.entry_staff, self.w_gov)
            self.reserves = np.where(enter, 0.5 * self.entry_staff, self.reserves)
            self.loss_streak = np.where(enter, 0, self.loss_streak)
            self.reputation = np.where(enter, 0.0, self.reputation)
            owner = np.repeat(np.arange(na), self.street_count[self.agency_district])
            self.history[enter[owner]] = 0.0

    # -- summaries of the run -----------------------------------------------------------
    def pattern_stats(self) -> dict[str, float]:
        """Run-level statistics behind P6 and P7."""
        c = self.counters
        out = {
            "loss_share_survival": c.loss_survival / c.awards_survival
            if c.awards_survival
            else np.nan,
            "loss_share_development": (
                c.loss_development / c.awards_development if c.awards_development else np.nan
            ),
            "staff_growth_survival": float(np.mean(c.growth_survival))
            if c.growth_survival
            else np.nan,
            "staff_growth_development": (
                float(np.mean(c.growth_development)) if c.growth_development else np.nan
            ),
        }
        if len(c.street_tc) >= 3:
            tc = np.asarray(c.street_tc)
            bi = np.asarray(c.street_budget)
            cv_tc = tc.std(0) / np.maximum(tc.mean(0), 1e-12)
            cv_b = bi.std(0) / np.maximum(bi.mean(0), 1e-12)
            ok = cv_b > 0
            w = self.committees_per_street[ok]
            out["task_volatility"] = float(np.average(cv_tc[ok], weights=w)) if ok.any() else np.nan
            out["budget_volatility"] = (
                float(np.average(cv_b[ok], weights=w)) if ok.any() else np.nan
            )
            ratio = cv_tc[ok] / cv_b[ok]
            out["smoothing_ratio"] = float(np.average(ratio, weights=w)) if ok.any() else np.nan
        else:
            out["task_volatility"] = out["budget_volatility"] = out["smoothing_ratio"] = np.nan
        return {k: float(v) for k, v in out.items()}


def run(
    model: Model, years: int, progress: Callable[[int], None] | None = None
) -> list[dict[str, float]]:
    """Run ``years`` years; returns the outcome rows.

    Each year's dependence is taken in after the next year's market has started
    (:meth:`Model._advance`): with :data:`BACKGROUND_THREAD` the two overlap.
    """
    rows: list[dict[str, float]] = []
    try:
        pending: Callable[[], dict[str, float]] | None = None
        for _ in range(years):
            nxt = model._advance()
            if pending is not None:
                rows.append(pending())
                if progress is not None:
                    progress(1)
            pending = nxt
        if pending is not None:
            rows.append(pending())
            if progress is not None:
                progress(1)
    finally:
        model.close()
    return rows
