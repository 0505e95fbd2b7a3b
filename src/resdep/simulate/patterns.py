"""Pattern-oriented validation: P1–P7 of design section 7 over many seeds.

Each pattern is computed from simulated runs, never asserted from a stored result: the
baseline (and, for the contrasts, co-governance, other evaluation weights and
all-competitive purchase) run for every seed with common random numbers, and the
pattern's figure is a mean over seeds with its standard error.

References
----------
Grimm, V. et al. (2005). Pattern-oriented modeling of agent-based complex systems.
*Science* 310:987–991.

Examples
--------
>>> rows = check_patterns(scale="case", seeds=2, years=4)
>>> [r.pattern for r in rows]
['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from resdep.simulate.api import run_summary
from resdep.simulate.params import load_scenario, resolve_params

__all__ = ["PATTERN_TEXT", "PatternResult", "Z", "check_patterns"]

#: One line per pattern (design section 7).
PATTERN_TEXT: Mapping[str, str] = {
    "P1": "contracting: interdependent on average (small |PA|, high MDmin)",
    "P2": "implementation: agency dominant (PA clearly negative)",
    "P3": "closing: government dominant (PA clearly positive)",
    "P4": "official philosophy → more buddy than partnership; co-governance → the reverse",
    "P5": "welfare well below reachable under trouble-free evaluation; rises with w_q",
    "P6": "survival mode takes more loss-making projects; development mode grows staff",
    "P7": "relational agencies smooth budget shocks; smoothing shrinks under competition",
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
) -> list[PatternResult]:
    """Run the baseline and its contrasts over ``seeds`` seeds and judge P1–P7.

    ``overrides`` change the baseline and every contrast alike (for example switching a
    mechanism off to see which pattern depends on it); each contrast then applies its own
    changes (co-governance's philosophy and evaluation weight, w_q, all-competitive
    purchase) on top. ``progress`` is called after each run; there are ``6 * seeds`` runs.

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
        for seed in range(seeds):
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
    # P5: welfare ratio at w_q = 0 at most 0.8; welfare rises at each step of w_q (paired)
    ratio0 = _mean_se(wq[0.0]["welfare_ratio"])
    w = [_mean_se(wq[x]["welfare"])[0] for x in (0.0, 0.5, 1.0)]
    step1 = _diff(wq[0.5]["welfare"], wq[0.0]["welfare"])
    step2 = _diff(wq[1.0]["welfare"], wq[0.5]["welfare"])
    r_room = 0.8 - ratio0[0]
    add(
        "P5",
        f"welfare ratio {ratio0[0]:.2f} ± {ratio0[1]:.3f} at w_q = 0 (below 0.8 by "
        f"{_fmt_z(r_room, ratio0[1])}); welfare {w[0]:.3f} → {w[1]:.3f} → {w[2]:.3f} at "
        f"w_q = 0, 0.5, 1 (steps {step1[0]:+.3f} ({_fmt_z(*step1)}), {step2[0]:+.3f} "
        f"({_fmt_z(*step2)}))",
        _clear(r_room, ratio0[1]) and _clear(*step1) and _clear(*step2),
        {
            "welfare_ratio_wq0": ratio0[0],
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
    return out
