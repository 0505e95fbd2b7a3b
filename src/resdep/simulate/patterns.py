"""Pattern-oriented validation: P1–P7 and reversals R1–R3 of design section 7.

Each pattern is computed from simulated runs, never asserted from a stored result: the
baseline (and, for the contrasts, co-governance, other evaluation weights and
all-competitive purchase; for the reversals, other institutions) run for every seed with
common random numbers, and the pattern's figure is a mean over seeds with its standard
error.

References
----------
Grimm, V. et al. (2005). Pattern-oriented modeling of agent-based complex systems.
*Science* 310:987–991.

Examples
--------
>>> rows = check_patterns(scale="case", seeds=2, years=4)
>>> [r.pattern for r in rows]
['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'R1', 'R2', 'R3']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from resdep.simulate.api import run_summary
from resdep.simulate.params import PARAMETERS, load_scenario, resolve_params

__all__ = [
    "PATTERN_TEXT",
    "R3_CONDITIONS",
    "PatternResult",
    "Z",
    "behaviour_draws",
    "check_patterns",
    "draws_frame",
    "patterns_frame",
]

#: One line per pattern (design section 7).
PATTERN_TEXT: Mapping[str, str] = {
    "P1": "contracting: interdependent on average (small |PA|, high MDmin)",
    "P2": "implementation: agency dominant (PA clearly negative)",
    "P3": "closing: government dominant (PA clearly positive)",
    "P4": "official philosophy → more buddy than partnership; co-governance → the reverse",
    "P5": "welfare under trouble-free evaluation well below the level reached with the same "
    "budgets and agencies under quality evaluation; rises with w_q",
    "P6": "survival mode takes more loss-making projects; development mode grows staff",
    "P7": "relational agencies smooth budget shocks; smoothing shrinks under competition",
    "R1": "third-party quality evaluation, multi-year contracts, mostly non-government revenue: "
    "closing no longer government dominant for most dyads",
    "R2": "provider changeable at low cost, thick market: implementation no longer agency "
    "dominant for most dyads",
    "R3": "same starting philosophy: the buddy share moves with policy push, evaluation and "
    "funding mix; official philosophy alone does not make every dyad buddy",
}

#: The R3 conditions, each applied on top of the baseline (and the overrides).
R3_CONDITIONS: Mapping[str, Mapping[str, float | int | str]] = {
    "policy_push": {"policy_push": 0.8},
    "evaluation": {"w_quality": 0.8},
    "funding": {"nongov_share": 0.6},
    "official": {"theta_street": 0.1, "theta_district": 0.1, "policy_push": 0.1},
    "official_low_pressure_diversified": {
        "theta_street": 0.1,
        "theta_district": 0.1,
        "policy_push": 0.1,
        "mandate_level": 0.5,
        "nongov_share": 0.6,
    },
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PatternResult:
    """One pattern's figure and verdict."""

    pattern: str
    text: str
    figure: str
    holds: bool
    values: Mapping[str, float]


#: How many standard errors (over seeds) a difference or a distance from a threshold
#: must exceed, on top of the threshold itself, for a pattern to hold.
Z = 2.0


def _mean_se(xs: list[float] | np.ndarray) -> tuple[float, float]:
    arr = np.asarray(xs, dtype=np.float64)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return float("nan"), float("nan")
    se = float(arr.std(ddof=1) / np.sqrt(arr.size)) if arr.size > 1 else 0.0
    return float(arr.mean()), se


def _diff(a: list[float], b: list[float]) -> tuple[float, float]:
    """Mean and standard error of ``a − b`` paired by seed (common random numbers).

    Seeds where either side is undefined (NaN) are left out.
    """
    return _mean_se(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))


def _z(margin: float, se: float) -> float:
    """How many standard errors ``margin`` is (infinite when the spread is nil)."""
    if not np.isfinite(margin):
        return float("nan")
    if se > 0:
        return margin / se
    return float("inf") if margin > 0 else float("-inf") if margin < 0 else 0.0


def _clear(margin: float, se: float) -> bool:
    """Whether a margin beyond a threshold (or a difference) exceeds :data:`Z` standard errors."""
    return bool(np.isfinite(margin) and np.isfinite(se) and margin > Z * se)


def _fmt_z(margin: float, se: float) -> str:
    z = _z(margin, se)
    if np.isnan(z):
        return "n/a"
    if np.isinf(z):
        return "+∞ se" if z > 0 else "-∞ se"
    return f"{z:+.1f} se"


def check_patterns(
    *,
    scale: str = "shanghai",
    seeds: int = 20,
    years: int = 20,
    overrides: Mapping[str, float | int | str] | None = None,
    progress: Callable[[int], None] | None = None,
    seed_start: int = 0,
    reversals: bool = True,
) -> list[PatternResult]:
    """Run the baseline and its contrasts over ``seeds`` seeds and judge P1–P7 (and R1–R3).

    Seeds are ``seed_start, …, seed_start + seeds − 1``. With ``reversals`` (default) the
    reversal conditions run too: ``independent_evaluation`` (R1), ``open_switching`` (R2)
    and :data:`R3_CONDITIONS`; there are then ``13 * seeds`` runs, else ``6 * seeds``.

    ``overrides`` change the baseline and every contrast alike (for example switching a
    mechanism off to see which pattern depends on it); each contrast then applies its own
    changes (co-governance's philosophy and evaluation weight, w_q, all-competitive
    purchase) on top. ``progress`` is called after each run.

    A pattern holds when each of its comparisons passes its threshold and, in addition,
    clears it by more than :data:`Z` (= 2) standard errors over seeds: a mean's distance
    beyond a threshold is measured in the standard error of that mean, and a difference
    between two conditions in the standard error of the per-seed difference (paired by
    seed: every condition runs with the same seeds). The figure text gives each margin in
    standard errors (``se``); ``∞ se`` means the per-seed values do not vary.
    """
    base = dict(overrides or {})
    params = resolve_params("baseline", base)
    theta_d, theta_pi = float(params["theta_d"]), float(params["theta_pi"])

    def runs(extra: Mapping[str, float | int | str]) -> dict[str, list[float]]:
        acc: dict[str, list[float]] = {}
        for seed in range(seed_start, seed_start + seeds):
            out = run_summary({**base, **extra}, scale=scale, years=years, seed=seed)
            for k, v in out.items():
                acc.setdefault(k, []).append(v)
            if progress is not None:
                progress(1)
        return acc

    b = runs({})
    # the contrasts apply their scenario's changes on top of the overrides
    co = runs(dict(load_scenario("co_governance").changes))
    wq = {w: runs({"w_quality": w}) for w in (0.0, 0.5, 1.0)}
    comp = runs({"p_competitive": 1.0})
    m = {k: _mean_se(v) for k, v in b.items()}
    out: list[PatternResult] = []

    def add(pid: str, figure: str, holds: bool, values: Mapping[str, float]) -> None:
        out.append(
            PatternResult(
                pattern=pid,
                text=PATTERN_TEXT[pid],
                figure=figure,
                holds=bool(holds),
                values=dict(values),
            )
        )

    # P1: |PA| small (below θ_PI) and MDmin high (above θ_D), each by 2 se
    pa, md = m["pa_contracting"], m["md_min_contracting"]
    pa_room, md_room = theta_pi - abs(pa[0]), md[0] - theta_d
    add(
        "P1",
        f"PA = {pa[0]:+.3f} ± {pa[1]:.3f} (|PA| below θ_PI = {theta_pi:g} by "
        f"{_fmt_z(pa_room, pa[1])}), MDmin = {md[0]:.3f} ± {md[1]:.3f} (above θ_D = {theta_d:g} "
        f"by {_fmt_z(md_room, md[1])})",
        _clear(pa_room, pa[1]) and _clear(md_room, md[1]),
        {"pa": pa[0], "md_min": md[0]},
    )
    pa, dga = m["pa_implementation"], m["d_ga_implementation"]
    pa_room, d_room = -theta_pi - pa[0], dga[0] - theta_d
    add(
        "P2",
        f"PA = {pa[0]:+.3f} ± {pa[1]:.3f} (below −θ_PI by {_fmt_z(pa_room, pa[1])}), "
        f"D_ga = {dga[0]:.3f} ± {dga[1]:.3f} (above θ_D by {_fmt_z(d_room, dga[1])})",
        _clear(pa_room, pa[1]) and _clear(d_room, dga[1]),
        {"pa": pa[0], "d_ga": dga[0]},
    )
    pa, dag = m["pa_closing"], m["d_ag_closing"]
    pa_room, d_room = pa[0] - theta_pi, dag[0] - theta_d
    add(
        "P3",
        f"PA = {pa[0]:+.3f} ± {pa[1]:.3f} (above θ_PI by {_fmt_z(pa_room, pa[1])}), "
        f"D_ag = {dag[0]:.3f} ± {dag[1]:.3f} (above θ_D by {_fmt_z(d_room, dag[1])})",
        _clear(pa_room, pa[1]) and _clear(d_room, dag[1]),
        {"pa": pa[0], "d_ag": dag[0]},
    )
    # P4: buddy − partnership > 0 in the baseline, < 0 under co-governance (paired by seed)
    bb, bp = m["share_buddy"][0], m["share_partnership"][0]
    cb, cp = _mean_se(co["share_buddy"])[0], _mean_se(co["share_partnership"])[0]
    d_base = _diff(b["share_buddy"], b["share_partnership"])
    d_co = _diff(co["share_partnership"], co["share_buddy"])
    add(
        "P4",
        f"baseline buddy {bb:.2f} vs partnership {bp:.2f} ({_fmt_z(*d_base)}); "
        f"co-governance buddy {cb:.2f} vs partnership {cp:.2f} ({_fmt_z(*d_co)})",
        _clear(*d_base) and _clear(*d_co),
        {"baseline_buddy": bb, "baseline_partnership": bp, "co_buddy": cb, "co_partnership": cp},
    )
    # P5: welfare at w_q = 0 relative to welfare with the same budgets, agencies and seeds
    # under quality evaluation (w_q = 1) at most 0.8; welfare rises at each step (paired).
    # Not an identity: the reachable level is another run's outcome, not a formula of
    # this run's own effort split.
    rel0 = np.asarray(wq[0.0]["welfare"]) / np.maximum(np.asarray(wq[1.0]["welfare"]), 1e-12)
    ratio0 = _mean_se(list(rel0))
    w = [_mean_se(wq[x]["welfare"])[0] for x in (0.0, 0.5, 1.0)]
    step1 = _diff(wq[0.5]["welfare"], wq[0.0]["welfare"])
    step2 = _diff(wq[1.0]["welfare"], wq[0.5]["welfare"])
    r_room = 0.8 - ratio0[0]
    add(
        "P5",
        f"welfare at w_q = 0 is {ratio0[0]:.2f} ± {ratio0[1]:.3f} of welfare at w_q = 1 (below "
        f"0.8 by {_fmt_z(r_room, ratio0[1])}); welfare {w[0]:.3f} → {w[1]:.3f} → {w[2]:.3f} at "
        f"w_q = 0, 0.5, 1 (steps {step1[0]:+.3f} ({_fmt_z(*step1)}), {step2[0]:+.3f} "
        f"({_fmt_z(*step2)}))",
        _clear(r_room, ratio0[1]) and _clear(*step1) and _clear(*step2),
        {
            "welfare_relative_wq0": ratio0[0],
            "welfare_wq0": w[0],
            "welfare_wq05": w[1],
            "welfare_wq1": w[2],
        },
    )
    # P6: loss share survival > development; development grows staff, and faster (paired)
    ls, ld = m["loss_share_survival"][0], m["loss_share_development"][0]
    gs, gd = m["staff_growth_survival"], m["staff_growth_development"]
    d_loss = _diff(b["loss_share_survival"], b["loss_share_development"])
    d_growth = _diff(b["staff_growth_development"], b["staff_growth_survival"])
    add(
        "P6",
        f"loss-making share {ls:.2f} (survival) vs {ld:.2f} (development) "
        f"({d_loss[0]:+.3f}, {_fmt_z(*d_loss)}); staff growth {gd[0]:+.3f}/yr "
        f"({_fmt_z(gd[0], gd[1])}) (development) vs {gs[0]:+.3f}/yr (survival) "
        f"({_fmt_z(*d_growth)})",
        _clear(*d_loss) and _clear(gd[0], gd[1]) and _clear(*d_growth),
        {
            "loss_survival": ls,
            "loss_development": ld,
            "growth_development": gd[0],
            "growth_survival": gs[0],
        },
    )
    # P7: CV ratio below 1 in the baseline; at least 0.05 higher under competition (paired)
    rb = m["smoothing_ratio"]
    rc = _mean_se(comp["smoothing_ratio"])[0]
    d_smooth = _diff(comp["smoothing_ratio"], b["smoothing_ratio"])
    rb_room, d_room7 = 1.0 - rb[0], d_smooth[0] - 0.05
    add(
        "P7",
        f"task-completion CV / budget CV = {rb[0]:.2f} ± {rb[1]:.3f} (baseline; below 1 by "
        f"{_fmt_z(rb_room, rb[1])}) vs {rc:.2f} (all competitive; {d_smooth[0]:+.2f}, beyond "
        f"+0.05 by {_fmt_z(d_room7, d_smooth[1])})",
        _clear(rb_room, rb[1]) and _clear(d_room7, d_smooth[1]),
        {"ratio_baseline": rb[0], "ratio_competitive": rc},
    )
    if not reversals:
        return out
    # R1: closing PA within ±θ_PI and government_dominant at closing for less than half
    r1 = runs(dict(load_scenario("independent_evaluation").changes))
    pa1 = _mean_se(r1["pa_closing"])
    gd1 = _mean_se(r1["share_government_dominant_closing"])
    gd0 = m["share_government_dominant_closing"][0]
    pa_room, gd_room = theta_pi - abs(pa1[0]), 0.5 - gd1[0]
    add(
        "R1",
        f"closing PA {pa1[0]:+.3f} ± {pa1[1]:.3f} (|PA| below θ_PI by {_fmt_z(pa_room, pa1[1])}; "
        f"baseline {m['pa_closing'][0]:+.3f}); government dominant at closing {gd1[0]:.2f} of "
        f"dyads (below 0.5 by {_fmt_z(gd_room, gd1[1])}; baseline {gd0:.2f})",
        _clear(pa_room, pa1[1]) and _clear(gd_room, gd1[1]),
        {"pa_closing": pa1[0], "share_gd_closing": gd1[0], "baseline_share_gd_closing": gd0},
    )
    # R2: agency_dominant at implementation for less than half of the dyads
    r2 = runs(dict(load_scenario("open_switching").changes))
    ad2 = _mean_se(r2["share_agency_dominant_implementation"])
    pa2 = _mean_se(r2["pa_implementation"])
    ad0 = m["share_agency_dominant_implementation"][0]
    ad_room = 0.5 - ad2[0]
    add(
        "R2",
        f"agency dominant at implementation {ad2[0]:.2f} of dyads (below 0.5 by "
        f"{_fmt_z(ad_room, ad2[1])}; baseline {ad0:.2f}); implementation PA {pa2[0]:+.3f} "
        f"(baseline {m['pa_implementation'][0]:+.3f})",
        _clear(ad_room, ad2[1]),
        {"share_ad_implementation": ad2[0], "pa_implementation": pa2[0], "baseline": ad0},
    )
    # R3: each mechanism moves the buddy share (paired by seed, either direction); the
    # official-centred government with low mandate pressure and diversified agency
    # funding has a buddy share clearly below 1 and below official philosophy alone
    r3 = {k: runs(v) for k, v in R3_CONDITIONS.items()}
    moves = {
        k: _diff(r3[k]["share_buddy"], b["share_buddy"])
        for k in ("policy_push", "evaluation", "funding")
    }
    moved = all(_clear(abs(d[0]), d[1]) for d in moves.values())
    off = _mean_se(r3["official"]["share_buddy"])
    low = _mean_se(r3["official_low_pressure_diversified"]["share_buddy"])
    d_low = _diff(
        r3["official"]["share_buddy"], r3["official_low_pressure_diversified"]["share_buddy"]
    )
    move_txt = ", ".join(f"{k} {d[0]:+.3f} ({_fmt_z(abs(d[0]), d[1])})" for k, d in moves.items())
    add(
        "R3",
        f"buddy share {m['share_buddy'][0]:.3f} in the baseline; change with {move_txt}; "
        f"official philosophy {off[0]:.3f}, with low mandate pressure and diversified funding "
        f"{low[0]:.3f} (below 1 by {_fmt_z(1.0 - low[0], low[1])}, below official alone by "
        f"{_fmt_z(*d_low)})",
        moved and _clear(1.0 - low[0], low[1]) and _clear(*d_low),
        {
            "baseline_buddy": m["share_buddy"][0],
            **{f"change_{k}": d[0] for k, d in moves.items()},
            "official_buddy": off[0],
            "official_low_pressure_diversified_buddy": low[0],
        },
    )
    return out


def patterns_frame(rows: list[PatternResult]) -> pd.DataFrame:
    """The rows of :func:`check_patterns` as a table (``resdep patterns --out``).

    Columns: ``pattern``, ``holds``, ``text``, ``figure``, then one ``value_<name>`` per
    figure value (empty where a pattern has no such value).
    """
    recs = []
    for r in rows:
        rec: dict[str, object] = {
            "pattern": r.pattern,
            "holds": r.holds,
            "text": r.text,
            "figure": r.figure,
        }
        rec.update({f"value_{k}": float(v) for k, v in r.values.items()})
        recs.append(rec)
    return pd.DataFrame(recs)


def behaviour_draws(
    k: int,
    *,
    scale: str = "shanghai",
    seeds: int = 3,
    years: int = 12,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, object]]:
    """For ``k`` random draws of the behavioural parameters, which of P1–P7 hold.

    Each draw sets every parameter of group ``behaviour`` (:data:`PARAMETERS`) uniformly
    over its documented range (integers uniformly over their whole numbers), keeps the
    baseline institutions, and runs :func:`check_patterns` (without reversals) over
    ``seeds`` seeds. Returns one record per draw: the drawn values and ``P1`` … ``P7``
    (whether each holds). Deterministic given ``seed``.
    """
    rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(7,)))
    names = sorted(n for n, info in PARAMETERS.items() if info.group == "behaviour")
    out: list[dict[str, object]] = []
    for i in range(k):
        draw: dict[str, float | int | str] = {}
        for n in names:
            info = PARAMETERS[n]
            assert info.low is not None
            assert info.high is not None
            if info.kind == "integer":
                draw[n] = int(rng.integers(int(info.low), int(info.high) + 1))
            else:
                draw[n] = float(rng.uniform(info.low, info.high))
        rows = check_patterns(
            scale=scale, seeds=seeds, years=years, overrides=draw, reversals=False
        )
        rec: dict[str, object] = {"draw": i, **draw}
        rec.update({r.pattern: r.holds for r in rows})
        out.append(rec)
        if progress is not None:
            progress(1)
    return out


def draws_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """Share of draws in which each pattern holds, from :func:`behaviour_draws` records."""
    frame = pd.DataFrame(records)
    pats = [p for p in ("P1", "P2", "P3", "P4", "P5", "P6", "P7") if p in frame]
    rows = [
        {
            "pattern": p,
            "draws": len(frame),
            "holds": int(frame[p].sum()),
            "share": float(frame[p].mean()) if len(frame) else float("nan"),
        }
        for p in pats
    ]
    return pd.DataFrame(rows, columns=["pattern", "draws", "holds", "share"])
