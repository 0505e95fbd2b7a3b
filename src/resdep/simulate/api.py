"""Running the simulation: one run, its result, and a scalar summary.

Examples
--------
>>> res = simulate("baseline", scale="case", years=4, seed=3)
>>> len(res.outcomes), int(res.outcomes["year"].iloc[-1])
(4, 4)
>>> s = run_summary({"w_quality": 0.9}, years=4, seed=3)
>>> 0.0 <= s["welfare_ratio"] <= 1.0
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from resdep.errors import ScenarioError
from resdep.simulate.model import OUTCOME_COLUMNS, DyadTables, Model, run
from resdep.simulate.params import Scale, Value, resolve_params, resolve_scale

__all__ = ["SUMMARY_KEYS", "SimulationResult", "run_summary", "simulate"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationResult:
    """One run: its settings, yearly outcomes, run-level statistics, final-year dyads.

    ``districts`` holds one row per (year, district) with the columns of
    :data:`resdep.simulate.model.DISTRICT_COLUMNS`. ``street_need`` (mean resident need
    of each street's committees) and ``street_pneed`` (share of each street's mandated
    work needing professional delivery) are the street states the model's goal vectors
    and inputs read, so the diagnostics can rebuild the model's own goal vectors.
    """

    scenario: str
    scale: Scale
    years: int
    seed: int
    params: Mapping[str, Value]
    outcomes: pd.DataFrame
    stats: Mapping[str, float]
    dyads: DyadTables | None
    districts: pd.DataFrame | None = None
    street_need: np.ndarray | None = None
    street_pneed: np.ndarray | None = None


def simulate(
    scenario: str = "baseline",
    *,
    scale: str = "case",
    years: int = 20,
    seed: int = 0,
    overrides: Mapping[str, object] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Run the purchase-system model once.

    Parameters
    ----------
    scenario
        A bundled scenario name (``resdep scenarios``) or a path to a scenario TOML file.
    scale
        ``case``, ``shanghai`` or ``china``.
    years
        Number of yearly cycles.
    seed
        Root seed; the same seed gives the same result.
    overrides
        Parameter values that replace the scenario's (``--set key=value``).
    progress
        Called with 1 after every year (a progress bar's ``update``).

    Raises
    ------
    ScenarioError
        Unknown scenario, scale or parameter; a value out of range; a scale too big for
        the memory limit.
    """
    if not isinstance(years, int) or not 1 <= years <= 1000:
        raise ScenarioError(
            f"years must be a whole number in [1, 1000], got {years!r}",
            place="--years",
            fix="give e.g. --years 20",
        )
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ScenarioError(
            f"seed must be a non-negative whole number, got {seed!r}",
            place="--seed",
            fix="give e.g. --seed 0",
        )
    params = resolve_params(scenario, overrides)
    sc = resolve_scale(scale, params)
    model = Model(params, sc, int(seed))
    rows = run(model, years, progress)
    outcomes = pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))
    outcomes["year"] = outcomes["year"].astype(np.int64)
    return SimulationResult(
        scenario=scenario,
        scale=sc,
        years=years,
        seed=int(seed),
        params=params,
        outcomes=outcomes,
        stats=model.pattern_stats(),
        dyads=model.last,
        districts=model.districts_frame(),
        street_need=np.array(model.need_s, dtype=np.float64),
        street_pneed=np.array(model.pneed, dtype=np.float64),
    )


#: Keys of :func:`run_summary`.
SUMMARY_KEYS: tuple[str, ...] = (
    *(c for c in OUTCOME_COLUMNS if c not in ("year", "n_dyads")),
    "task_volatility",
    "budget_volatility",
    "smoothing_ratio",
    "loss_share_survival",
    "loss_share_development",
    "staff_growth_survival",
    "staff_growth_development",
)


def run_summary(
    params: Mapping[str, float | int | str],
    *,
    scenario: str = "baseline",
    scale: str = "case",
    years: int = 20,
    seed: int,
) -> dict[str, float]:
    """One run summarised into scalars (the experiments' contract).

    Outcome columns are averaged over the last half of the years (at least one year);
    volatility, smoothing and the survival/development statistics cover the whole run.
    Deterministic given ``seed``.

    Raises
    ------
    ScenarioError
        Unknown parameter names (with the closest name), values out of range.
    """
    res = simulate(scenario, scale=scale, years=years, seed=seed, overrides=params)
    tail = res.outcomes.iloc[years // 2 :]
    out = {c: float(tail[c].mean()) for c in OUTCOME_COLUMNS if c not in ("year", "n_dyads")}
    out.update({k: float(v) for k, v in res.stats.items()})
    return {k: out[k] for k in SUMMARY_KEYS}
