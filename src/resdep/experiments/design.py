"""Designs: from a specification to design points, runs and their seeds.

A design has *points* (parameter settings) and every point is run ``replicates`` times;
run ``r`` is replicate ``r % R`` of point ``r // R``. When levers are crossed
(``levers = "cross"``), each combination of lever values is a *policy* and the sampled
design over the uncertainties is repeated for each policy; ``row`` numbers a point
within its policy block, which is the order SALib's analysis expects.

Every run gets its own seed: ``SeedSequence(spec.seed).spawn(n_runs)[r]``, turned into a
64-bit integer. The seed therefore depends only on the spec and the run index, never on
the executor or the batching.

Examples
--------
>>> from resdep.experiments.spec import parse_spec
>>> spec = parse_spec({"experiment": {"model": "noisy", "replicates": 2},
...                    "design": {"method": "full_factorial", "levels": 2},
...                    "parameters": {"a": {}, "mode": {}}})
>>> d = build_design(spec)
>>> d.n_points, d.n_runs, d.points[1]
(4, 8, {'a': 0.0, 'mode': 'shifted'})
>>> run_seed(spec.seed, 0) == int(np.random.SeedSequence(0).spawn(8)[0].generate_state(1, np.uint64)[0])
True
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from resdep.experiments.models import ParamValue
from resdep.experiments.spec import ExperimentSpec, Parameter

__all__ = ["Design", "build_design", "run_seed", "run_seeds"]


def run_seed(entropy: int, run: int) -> int:
    """The integer seed of run ``run``: child ``run`` of ``SeedSequence(entropy)``.

    Equal to ``SeedSequence(entropy).spawn(n)[run]`` for any ``n > run``.

    Examples
    --------
    >>> run_seed(42, 3) == run_seeds(42, 5)[3]
    True
    """
    child = np.random.SeedSequence(entropy, spawn_key=(run,))
    return int(child.generate_state(1, dtype=np.uint64)[0])


def run_seeds(entropy: int, n_runs: int) -> list[int]:
    """Seeds of runs ``0 .. n_runs - 1`` via ``SeedSequence(entropy).spawn(n_runs)``."""
    children = np.random.SeedSequence(entropy).spawn(n_runs)
    return [int(c.generate_state(1, dtype=np.uint64)[0]) for c in children]


@dataclass(frozen=True, slots=True, kw_only=True)
class Design:
    """Design points of an experiment.

    Attributes
    ----------
    sampled
        The parameters a sampling design varies (SALib's problem, in this order).
    levers
        Crossed levers (empty unless ``levers = "cross"``).
    x
        The raw design matrix over ``sampled`` (one row per point), in the numeric space
        of :meth:`Parameter.bounds`; what SALib's analysis needs.
    points
        The parameter values each point passes to the model (fixed values included).
    policy, row
        Policy index and position within the policy block of each point.
    replicates
        Runs per point.
    """

    sampled: tuple[Parameter, ...]
    levers: tuple[Parameter, ...]
    x: NDArray[np.float64]
    points: tuple[dict[str, ParamValue], ...]
    policy: NDArray[np.int64]
    row: NDArray[np.int64]
    replicates: int

    @property
    def n_points(self) -> int:
        """Number of design points."""
        return len(self.points)

    @property
    def n_runs(self) -> int:
        """Number of runs (points × replicates)."""
        return self.n_points * self.replicates

    def problem(self) -> dict[str, Any]:
        """SALib's problem dictionary for the sampled parameters."""
        return {
            "num_vars": len(self.sampled),
            "names": [p.name for p in self.sampled],
            "bounds": [list(p.bounds()) for p in self.sampled],
        }

    def run_params(self, run: int) -> dict[str, ParamValue]:
        """Parameters of run ``run``."""
        return self.points[run // self.replicates]

    def table(self, entropy: int) -> pd.DataFrame:
        """One row per run: run, point, replicate, policy, row, seed, parameters, ``x.*``."""
        runs = np.arange(self.n_runs, dtype=np.int64)
        point = runs // self.replicates
        frame: dict[str, Any] = {
            "run": runs,
            "point": point,
            "replicate": runs % self.replicates,
            "policy": self.policy[point],
            "row": self.row[point],
            "seed": np.array(run_seeds(entropy, self.n_runs), dtype=np.uint64),
        }
        names = list(self.points[0]) if self.points else []
        for name in names:
            frame[name] = [self.points[i][name] for i in point]
        for j, p in enumerate(self.sampled):
            frame[f"x.{p.name}"] = self.x[point, j]
        return pd.DataFrame(frame)


def _sample(spec: ExperimentSpec, sampled: tuple[Parameter, ...]) -> NDArray[np.float64]:
    design = spec.design
    seed = design.seed if design.seed is not None else spec.seed
    problem = {
        "num_vars": len(sampled),
        "names": [p.name for p in sampled],
        "bounds": [list(p.bounds()) for p in sampled],
    }
    assert design.n is not None
    if design.method == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(
            problem, design.n, calc_second_order=design.second_order, scramble=True, seed=seed
        )
    elif design.method == "morris":
        from SALib.sample import morris

        x = morris.sample(problem, design.n, num_levels=design.levels, seed=seed)
    else:  # lhs
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(sampled), seed=np.random.default_rng(seed)).random(design.n)
        lo = np.array([p.bounds()[0] for p in sampled])
        hi = np.array([p.bounds()[1] for p in sampled])
        x = qmc.scale(unit, lo, hi)
    return np.asarray(x, dtype=np.float64)


def build_design(spec: ExperimentSpec) -> Design:
    """Build the design points of ``spec`` (deterministic given the spec).

    Sobol and Morris designs come from SALib (``sobol.sample`` with scrambling,
    ``morris.sample``), Latin hypercubes from :class:`scipy.stats.qmc.LatinHypercube`, all
    seeded by ``[design] seed`` (default: ``[experiment] seed``).
    """
    crossed = spec.design.levers == "cross" or spec.design.method == "full_factorial"
    levers = tuple(
        p
        for p in spec.parameters
        if crossed and (p.role == "lever" or spec.design.method == "full_factorial")
    )
    sampled = tuple(p for p in spec.parameters if p not in levers)

    if spec.design.method == "full_factorial":
        grids = [p.grid(spec.design.levels) for p in levers]
        combos = list(itertools.product(*grids))
        x = np.array(
            [[p.encode(v) for p, v in zip(levers, c, strict=True)] for c in combos],
            dtype=np.float64,
        )
        points = tuple(
            {**spec.fixed, **{p.name: v for p, v in zip(levers, c, strict=True)}} for c in combos
        )
        n = len(points)
        return Design(
            sampled=levers,
            levers=(),
            x=x,
            points=points,
            policy=np.zeros(n, dtype=np.int64),
            row=np.arange(n, dtype=np.int64),
            replicates=spec.replicates,
        )

    base = _sample(spec, sampled)
    lever_combos = list(itertools.product(*[p.grid(spec.design.levels) for p in levers])) or [()]
    points_list: list[dict[str, ParamValue]] = []
    policy: list[int] = []
    rows: list[int] = []
    for k, combo in enumerate(lever_combos):
        for i, xi in enumerate(base):
            values: dict[str, ParamValue] = dict(spec.fixed)
            values.update({p.name: v for p, v in zip(levers, combo, strict=True)})
            values.update({p.name: p.decode(float(v)) for p, v in zip(sampled, xi, strict=True)})
            points_list.append({name: values[name] for name in _order(spec, values)})
            policy.append(k)
            rows.append(i)
    return Design(
        sampled=sampled,
        levers=levers,
        x=np.tile(base, (len(lever_combos), 1)),
        points=tuple(points_list),
        policy=np.array(policy, dtype=np.int64),
        row=np.array(rows, dtype=np.int64),
        replicates=spec.replicates,
    )


def _order(spec: ExperimentSpec, values: dict[str, ParamValue]) -> list[str]:
    names = [p.name for p in spec.parameters]
    return names + [k for k in values if k not in names]
