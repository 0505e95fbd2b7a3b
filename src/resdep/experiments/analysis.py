"""Sensitivity analysis of a stored sweep: Sobol and Morris indices, seed noise.

Indices come from SALib's own estimators (``SALib.analyze.sobol`` and
``SALib.analyze.morris``) applied to the stored outcomes in design order, so a sweep of a
SALib test function reproduces SALib's numbers exactly. With replicates, each design point's
outcome is the mean over its replicates, and the **seed-noise share** of an outcome is

    E_x[Var(Y | x)] / Var(Y)

estimated from the replicates (within-point variance with ``ddof = 1``, averaged over
points, over the variance of all runs), bounded to [0, 1]. A share near 1 says the outcome is mostly seed
noise at this sample size and its indices mean little.

References
----------
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design
and estimator for the total sensitivity index. Computer Physics Communications 181(2),
259–270.

Morris, M. D. (1991). Factorial sampling plans for preliminary computational
experiments. Technometrics 33(2), 161–174; Campolongo, F., Cariboni, J., Saltelli, A.
(2007). An effective screening design for sensitivity analysis of large models.
Environmental Modelling & Software 22(10), 1509–1518.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from resdep.experiments.runner import run_sweep
>>> from resdep.experiments.spec import parse_spec
>>> spec = parse_spec({"experiment": {"model": "ishigami", "seed": 1},
...                    "design": {"method": "sobol", "n": 256},
...                    "parameters": {"x1": {}, "x2": {}, "x3": {}}})
>>> out = Path(tempfile.mkdtemp()) / "sweep"
>>> _ = run_sweep(spec, out)
>>> result = analyze(out)
>>> result.indices.set_index("parameter")["S1"].round(1).to_dict()
{'x1': 0.3, 'x2': 0.4, 'x3': 0.0}
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from resdep.errors import ExperimentSpecError
from resdep.experiments.design import build_design
from resdep.experiments.runner import load_store_spec
from resdep.experiments.store import ResultStore

__all__ = ["Analysis", "analyze", "morris_indices", "seed_noise", "sobol_indices"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Analysis:
    """Indices of every outcome (and policy, when levers are crossed).

    Attributes
    ----------
    method
        ``"sobol"`` or ``"morris"``.
    indices
        Sobol: outcome, policy, parameter, S1, S1_conf, ST, ST_conf. Morris: outcome,
        policy, parameter, mu, mu_star, mu_star_conf, sigma.
    noise
        outcome, policy, noise_share, within_var, total_var, replicates, nan_runs.
    policies
        policy index → the lever values that define it.
    notes
        Outcomes left out and why.
    """

    method: str
    indices: pd.DataFrame
    noise: pd.DataFrame
    policies: dict[int, dict[str, Any]]
    notes: tuple[str, ...] = ()


def seed_noise(values: np.ndarray[Any, Any], replicates: int) -> tuple[float, float, float]:
    """Seed-noise share of one outcome from runs in run order (replicates adjacent).

    Returns ``(share, within_var, total_var)``; NaN share with fewer than 2 replicates.
    The share is bounded to ``[0, 1]``: the ratio of the two estimates can exceed 1 by
    sampling error when seed noise dominates.
    Runs with a NaN outcome are left out: the within-point variance averages over the
    points with at least two finite replicates.

    Examples
    --------
    >>> y = np.array([1.0, 3.0, 5.0, 7.0])      # two points, two replicates each
    >>> seed_noise(y, 2)                        # within var 2, total var 20/3
    (0.3, 2.0, 6.666666666666667)
    >>> seed_noise(np.array([0.0, 2.0, 1.0, 1.0]), 2)   # within 1 > total 2/3: share 1
    (1.0, 1.0, 0.6666666666666666)
    >>> seed_noise(np.array([1.0, 3.0, 5.0, np.nan]), 2)[1]   # only the first point counts
    2.0
    """
    finite = values[np.isfinite(values)]
    total = float(np.var(finite, ddof=1)) if finite.size > 1 else float("nan")
    if replicates < 2:
        return (float("nan"), float("nan"), total)
    groups = values.reshape(-1, replicates)
    counts = np.isfinite(groups).sum(axis=1)
    usable = groups[counts >= 2]
    if usable.size == 0:
        return (float("nan"), float("nan"), total)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows are filtered above
        within = float(np.mean(np.nanvar(usable, axis=1, ddof=1)))
    # The ratio of two estimates: when the noise dominates, sampling error can put it
    # above 1 (1.139 was seen); a share is a fraction of the variance, so it is bounded
    # to [0, 1] (within_var and total_var keep the raw estimates).
    share = min(1.0, max(0.0, within / total)) if total > 0 else float("nan")
    return (share, within, total)


def _check_seed(seed: int) -> None:
    if not seed:
        raise ExperimentSpecError(
            "the analysis seed is 0, which SALib takes as 'no seed'",
            place="[analysis] seed",
            fix="use a positive seed",
        )


def sobol_indices(
    problem: dict[str, Any],
    y: np.ndarray[Any, Any],
    *,
    second_order: bool = False,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int = 1,
) -> pd.DataFrame:
    """SALib's Sobol S1 and ST (with confidence half-widths) as a table.

    ``seed`` seeds the bootstrap of the confidence half-widths; it must not be 0, which
    SALib takes as "no seed" (the half-widths would then change from call to call).
    """
    _check_seed(seed)
    from SALib.analyze import sobol

    si = sobol.analyze(
        problem,
        y,
        calc_second_order=second_order,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": si["S1"],
            "S1_conf": si["S1_conf"],
            "ST": si["ST"],
            "ST_conf": si["ST_conf"],
        }
    )


def morris_indices(
    problem: dict[str, Any],
    x: np.ndarray[Any, Any],
    y: np.ndarray[Any, Any],
    *,
    num_levels: int = 4,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int = 1,
) -> pd.DataFrame:
    """SALib's Morris μ, μ*, μ* confidence and σ as a table (``seed`` as in
    :func:`sobol_indices`)."""
    _check_seed(seed)
    from SALib.analyze import morris

    mi = morris.analyze(
        problem,
        x,
        y,
        num_levels=num_levels,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu": np.asarray(mi["mu"], dtype=float),
            "mu_star": np.asarray(mi["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(mi["mu_star_conf"], dtype=float),
            "sigma": np.asarray(mi["sigma"], dtype=float),
        }
    )


def analyze(path: str | Path, *, outcomes: Sequence[str] | None = None) -> Analysis:
    """Sensitivity indices for every outcome of the sweep stored at ``path``.

    Raises
    ------
    ExperimentSpecError
        If the design is not Sobol or Morris, runs are missing, or an outcome is unknown.
    """
    store = ResultStore.open(path)
    spec = load_store_spec(store)
    method = spec.design.method
    if method not in ("sobol", "morris"):
        raise ExperimentSpecError(
            f"sensitivity indices need a sobol or morris design; this sweep used {method}",
            file=store.path / "spec.toml",
            place="[design] method",
            fix="run a sweep with method = 'sobol' or 'morris', or explore this one with `resdep discover`",
        )
    design = store.design()
    out = store.outcomes()
    missing = len(design) - len(out)
    if missing:
        raise ExperimentSpecError(
            f"the sweep is incomplete: {missing} of {len(design)} runs have no outcomes",
            file=store.path,
            fix="finish it with `resdep sweep SPEC --out DIR --resume`",
        )
    names = [c for c in out.columns if c != "run"]
    for name in outcomes or ():
        if name not in names:
            from resdep.errors import closest

            raise ExperimentSpecError(
                f"no outcome {name!r} in this sweep", file=store.path, fix=closest(name, names)
            )
    chosen = list(outcomes) if outcomes else names
    built = build_design(spec)
    problem = built.problem()
    stored_x = design[[f"x.{p}" for p in problem["names"]]].to_numpy()
    if not np.array_equal(stored_x[:: spec.replicates], built.x):
        raise ExperimentSpecError(
            "the stored design differs from the one the spec gives with this SALib version",
            file=store.path / "design.parquet",
            fix="analyse with the package versions in manifest.json, or rerun the sweep",
        )
    data = design[["run", "policy", "row"]].merge(out, on="run").sort_values("run")
    policies = {
        int(k): {p.name: v for p, v in zip(built.levers, combo, strict=True)}
        for k, combo in _policy_values(built, design).items()
    }
    rows: list[pd.DataFrame] = []
    noise_rows: list[dict[str, Any]] = []
    notes: list[str] = []
    reps = spec.replicates
    for policy_key, block_all in data.groupby("policy", sort=True):
        policy = int(policy_key)  # type: ignore[arg-type]
        block = block_all.sort_values(["row", "run"])
        x_block = built.x[built.policy == policy]
        for name in chosen:
            values = block[name].to_numpy(dtype=float)
            share, within, total = seed_noise(values, reps)
            noise_rows.append(
                {
                    "outcome": name,
                    "policy": int(policy),
                    "noise_share": share,
                    "within_var": within,
                    "total_var": total,
                    "replicates": reps,
                    "nan_runs": int(np.sum(~np.isfinite(values))),
                }
            )
            y = values.reshape(-1, reps).mean(axis=1)
            if not np.all(np.isfinite(y)):
                bad = int(np.sum(~np.isfinite(values)))
                notes.append(
                    f"{name} (policy {policy}): no indices, {bad} of {values.size} runs gave "
                    "NaN or infinity (SALib needs every run)"
                )
                continue
            if np.ptp(y) == 0:
                notes.append(f"{name} (policy {policy}): left out, constant over the design")
                continue
            with warnings.catch_warnings():
                warnings.simplefilter(
                    "ignore", RuntimeWarning
                )  # SALib divides 0/0 for flat bootstraps
                if method == "sobol":
                    table = sobol_indices(
                        problem,
                        y,
                        second_order=spec.design.second_order,
                        num_resamples=spec.analysis.num_resamples,
                        conf_level=spec.analysis.conf_level,
                        seed=spec.analysis_seed,
                    )
                else:
                    table = morris_indices(
                        problem,
                        x_block,
                        y,
                        num_levels=spec.design.levels,
                        num_resamples=spec.analysis.num_resamples,
                        conf_level=spec.analysis.conf_level,
                        seed=spec.analysis_seed,
                    )
            table.insert(0, "policy", int(policy))
            table.insert(0, "outcome", name)
            rows.append(table)
    indices = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return Analysis(
        method=method,
        indices=indices,
        noise=pd.DataFrame(noise_rows),
        policies=policies,
        notes=tuple(notes),
    )


def _policy_values(built: Any, design: pd.DataFrame) -> dict[int, tuple[Any, ...]]:
    values: dict[int, tuple[Any, ...]] = {}
    names = [p.name for p in built.levers]
    for policy_key, block in design.groupby("policy", sort=True):
        first = block.iloc[0]
        values[int(policy_key)] = tuple(first[n] for n in names)  # type: ignore[arg-type]
    return values
