"""Many seeds of one simulation: the yearly across-seed mean and a 5–95% band.

:func:`simulate_seeds` runs seeds ``seed, seed + 1, …, seed + n − 1`` of one scenario
(in worker processes when ``workers > 1``) and gathers every outcome column of every
seed. The per-seed outcomes are kept as a long table (``seed``, ``year``, …); the band
table holds per year the across-seed mean of each column (``<col>``), its 5% and 95%
quantiles over the seeds (``<col>_lo``, ``<col>_hi``) and ``n_seeds``. Only the first
seed's dyad tables are kept (the per-dyad files of a run describe that seed). Each seed's
result depends on nothing but its seed, so the tables are the same for any number of
workers.

Examples
--------
>>> runs = simulate_seeds("baseline", scale="case", years=3, seeds=3, seed=5, workers=1)
>>> runs.seeds, len(runs.by_seed), list(runs.outcomes.columns[:5])
((5, 6, 7), 9, ['year', 'n_seeds', 'pa_contracting', 'pa_contracting_lo', 'pa_contracting_hi'])
>>> bool((runs.outcomes["pa_closing_lo"] <= runs.outcomes["pa_closing_hi"]).all())
True
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent import futures
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from resdep.errors import ResdepError, ScenarioError
from resdep.simulate.api import SimulationResult, simulate
from resdep.simulate.params import resolve_params, resolve_scale

__all__ = [
    "BAND_HIGH",
    "BAND_LOW",
    "MAX_SEEDS",
    "SeedRuns",
    "available_cpus",
    "band_table",
    "simulate_seeds",
]

#: Quantiles of the band written beside each across-seed mean.
BAND_LOW, BAND_HIGH = 0.05, 0.95

#: Most seeds one command runs.
MAX_SEEDS = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedRuns:
    """Several seeds of one run.

    Attributes
    ----------
    first
        The first seed's full result (final-year dyads, districts).
    seeds
        The seeds, in order.
    workers
        Worker processes used (1: all seeds in this process).
    by_seed
        Long table: ``seed``, then every column of each seed's outcomes.
    outcomes
        Per year: ``year``, ``n_seeds``, and for every outcome column its across-seed mean
        and 5–95% band (:func:`band_table`).
    districts
        Per year and district, the same mean and band over seeds; ``None`` when the model
        gives no district table.
    stats
        One row per seed: ``seed`` and the run-level statistics.
    """

    first: SimulationResult
    seeds: tuple[int, ...]
    workers: int
    by_seed: pd.DataFrame
    outcomes: pd.DataFrame
    districts: pd.DataFrame | None
    stats: pd.DataFrame


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the system has one).

    Examples
    --------
    >>> available_cpus() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def band_table(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Across-seed mean and 5–95% band of every column of ``frame`` except ``keys`` and ``seed``.

    ``frame`` is a long table with one row per seed and key; the result has one row per
    key, ``n_seeds`` (seeds with a row for that key) and, for each value column ``c`` in
    its original order, ``c`` (mean over seeds, NaN ignored), ``c_lo`` and ``c_hi`` (the
    5% and 95% quantiles over seeds, linear interpolation).

    Examples
    --------
    >>> long = pd.DataFrame({"seed": [0, 1, 2, 0, 1, 2], "year": [1, 1, 1, 2, 2, 2],
    ...                      "pa": [0.0, 0.5, 1.0, 0.2, 0.2, 0.2]})
    >>> band_table(long, ["year"]).round(3).to_dict("list")
    {'year': [1, 2], 'n_seeds': [3, 3], 'pa': [0.5, 0.2], 'pa_lo': [0.05, 0.2], 'pa_hi': [0.95, 0.2]}
    """
    values = [c for c in frame.columns if c not in keys and c != "seed"]
    grouped = frame.groupby(list(keys), sort=True)[values]
    mean = grouped.mean()
    lo = grouped.quantile(BAND_LOW)
    hi = grouped.quantile(BAND_HIGH)
    n_seeds = frame.groupby(list(keys), sort=True)["seed"].nunique().astype(np.int64)
    parts: dict[str, pd.Series[Any]] = {"n_seeds": n_seeds}
    for c in values:
        parts[c] = mean[c]
        parts[f"{c}_lo"] = lo[c]
        parts[f"{c}_hi"] = hi[c]
    out = pd.concat(parts, axis=1).copy()  # consolidated: no warning on reset_index
    return out.reset_index()


def _one(
    scenario: str,
    scale: str,
    years: int,
    seed: int,
    overrides: Mapping[str, object] | None,
    keep_dyads: bool,
) -> SimulationResult:
    res = simulate(scenario, scale=scale, years=years, seed=seed, overrides=overrides)
    return res if keep_dyads else replace(res, dyads=None)


def simulate_seeds(
    scenario: str = "baseline",
    *,
    scale: str = "case",
    years: int = 20,
    seeds: int = 10,
    seed: int = 0,
    workers: int | None = None,
    overrides: Mapping[str, object] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SeedRuns:
    """Run seeds ``seed … seed + seeds − 1`` and gather their outcomes.

    Parameters
    ----------
    scenario, scale, years, overrides
        As for :func:`resdep.simulate.simulate`.
    seeds
        Number of seeds (at least 1).
    seed
        The first seed.
    workers
        Worker processes; default the CPUs this process may use. Never more than the
        seeds, and never more runs at once than the memory limit (``max_memory_gb``)
        holds by the scale's memory estimate.
    progress
        Called with a number of finished years (a progress bar's ``update``).

    Raises
    ------
    ScenarioError
        A bad seed count, worker count or any value :func:`resdep.simulate.simulate`
        refuses; checked before any run starts.
    ResdepError
        A worker process died (for example killed for lack of memory).
    """
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= MAX_SEEDS:
        raise ScenarioError(
            f"the number of seeds must be a whole number in [1, {MAX_SEEDS}], got {seeds!r}",
            place="--seeds",
            fix="give e.g. --seeds 20",
        )
    if not isinstance(seed, int) or seed < 0:
        raise ScenarioError(
            f"seed must be a non-negative whole number, got {seed!r}",
            place="--seed",
            fix="give e.g. --seed 0",
        )
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ScenarioError(
            f"workers must be a whole number of at least 1, got {workers!r}",
            place="--workers",
            fix="give e.g. --workers 2, or leave it out to use every available CPU",
        )
    params = resolve_params(scenario, overrides)
    sc = resolve_scale(scale, params)  # names, ranges and the memory of one run
    per_run_gb = sc.estimated_bytes() / 1024**3
    limit = float(params.get("max_memory_gb", 2.0))
    fit = max(1, int(limit // per_run_gb)) if per_run_gb > 0 else seeds
    n_workers = max(1, min(workers or available_cpus(), seeds, fit))
    seed_list = tuple(range(seed, seed + seeds))

    results: dict[int, SimulationResult] = {}
    if n_workers == 1:
        for i, s in enumerate(seed_list):
            res = simulate(
                scenario, scale=scale, years=years, seed=s, overrides=overrides, progress=progress
            )
            results[s] = res if i == 0 else replace(res, dyads=None)
    else:
        ctx = multiprocessing.get_context("spawn")
        try:
            with futures.ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx) as pool:
                jobs = {
                    pool.submit(_one, scenario, scale, years, s, overrides, i == 0): s
                    for i, s in enumerate(seed_list)
                }
                for job in futures.as_completed(jobs):
                    results[jobs[job]] = job.result()
                    if progress is not None:
                        progress(years)
        except BrokenProcessPool as exc:
            raise ResdepError(
                f"a worker process running the seeds died ({exc}); if the machine ran out "
                f"of memory, give fewer --workers (each {scale} run needs about "
                f"{per_run_gb:.2f} GB)"
            ) from exc
    return _gather(results, seed_list, n_workers)


def _gather(
    results: Mapping[int, SimulationResult], seed_list: tuple[int, ...], workers: int
) -> SeedRuns:
    ordered = [results[s] for s in seed_list]
    by_seed = pd.concat(
        [r.outcomes.assign(seed=np.int64(s)) for s, r in zip(seed_list, ordered, strict=True)],
        ignore_index=True,
    )
    by_seed = by_seed[["seed", *(c for c in by_seed.columns if c != "seed")]]
    outcomes = band_table(by_seed, ["year"])
    districts = None
    frames = [
        r.districts.assign(seed=np.int64(s))
        for s, r in zip(seed_list, ordered, strict=True)
        if r.districts is not None
    ]
    if frames:
        districts = band_table(pd.concat(frames, ignore_index=True), ["year", "district"])
    stats = pd.DataFrame(
        [{"seed": s, **dict(r.stats)} for s, r in zip(seed_list, ordered, strict=True)]
    )
    return SeedRuns(
        first=ordered[0],
        seeds=seed_list,
        workers=workers,
        by_seed=by_seed,
        outcomes=outcomes,
        districts=districts,
        stats=stats,
    )
