"""resdep's PRIM checked against the EMA Workbench's (``ema_workbench.analysis.prim``).

Both run with the same ``alpha`` (EMA's ``peel_alpha`` and ``paste_alpha``), ``mass_min``
and Friedman & Fisher's original objective (``PRIMObjectiveFunctions.ORIGINAL``: the mean
of the candidate box). On every data set below they agree **exactly** (tolerance 1e-12,
i.e. floating-point noise only): the coverage, density and mass of every peeling step,
the box limits of every step, and the box after pasting.

Differences that remain by design, and how the comparison handles them:

- **Stopping at density 1.** resdep stops peeling once the box holds only cases of
  interest; EMA goes on peeling down to ``mass_min``. Those further boxes have density
  1 and less coverage, so they can never be the chosen box. resdep's trajectory is
  therefore compared with the same number of EMA's first steps, and EMA's extra steps
  are checked to have density 1.
- **Which box is pasted.** EMA's ``find_box`` pastes the last peeled box; resdep pastes
  the box ``select_box`` chooses. The comparison pastes the same box (the last one) in
  both, when both peeled to the same end.
- **Ties between candidate peels** (equal density after the peel) go, in both, to the
  candidate that restricts fewer inputs, then to the first candidate: numeric inputs in
  column order (upper limit before lower), then categorical ones. EMA orders the
  categories of a categorical input as a Python ``set`` does (hash order, which varies
  between runs for strings); resdep sorts them. Ties between two categories can
  therefore be broken differently; the data sets here have none.
- **Integer columns.** EMA peels ``int`` columns with a truncated quantile and puts the
  limit on a data value; resdep treats every numeric input as real (limits halfway
  between neighbouring values). The real-sweep case therefore passes numeric inputs to
  EMA as float.
- **Pasting categorical-only boxes.** EMA 2.5.3 skips pasting when no float input is
  restricted (its loop over input types returns early); resdep also pastes categories.
  No data set here has a box restricted only on a categorical input.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from resdep.experiments.prim import Box, paste, prim, select_box

with warnings.catch_warnings():
    # the EMA Workbench announces optional extras it does without (not needed here)
    warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
    warnings.filterwarnings(
        "ignore", message="altair based interactive inspection", category=ImportWarning
    )
    from ema_workbench.analysis import prim as ema_prim

TOL = 1e-12


def _box_truth(seed: int, n: int, k: int, noise: float) -> tuple[pd.DataFrame, NDArray[np.bool_]]:
    """``k`` uniform inputs; interesting inside a > 0.5, b < 0.4 (c ≥ 0.2 when k ≥ 3);
    a share ``noise`` of the labels flipped at random."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, k)), columns=list("abcd"[:k]))
    y = (x["a"] > 0.5).to_numpy() & (x["b"] < 0.4).to_numpy()
    if k >= 3:
        y &= (x["c"] >= 0.2).to_numpy()
    flip = rng.random(n) < noise
    return x, y ^ flip


def _grid_ties(seed: int) -> tuple[pd.DataFrame, NDArray[np.bool_]]:
    """Inputs on a few levels (many ties), interesting mostly at high a and low b."""
    rng = np.random.default_rng(seed)
    n = 400
    x = pd.DataFrame(
        {"a": rng.integers(0, 10, n).astype(float), "b": rng.integers(0, 5, n).astype(float)}
    )
    p = 0.1 + 0.8 * ((x["a"] >= 6) & (x["b"] <= 1)).to_numpy()
    return x, rng.random(n) < p


def _with_category(seed: int) -> tuple[pd.DataFrame, NDArray[np.bool_]]:
    rng = np.random.default_rng(seed)
    n = 500
    x = pd.DataFrame({"a": rng.random(n), "b": rng.random(n), "m": rng.choice(["p", "q", "r"], n)})
    base = (x["m"] == "q").to_numpy() & (x["a"] > 0.3).to_numpy()
    return x, base ^ (rng.random(n) < 0.08)


def _ema(x: pd.DataFrame, y: NDArray[np.bool_], alpha: float, mass_min: float) -> Any:
    with warnings.catch_warnings():
        # EMA 2.5.3 uses pandas idioms that pandas 3 deprecates; only those are silenced
        for category in (FutureWarning, DeprecationWarning, PendingDeprecationWarning):
            warnings.filterwarnings("ignore", category=category, module=r"ema_workbench\.")
        p = ema_prim.Prim(
            x,
            y.astype(int),
            threshold=0.5,  # y is 0 or 1: the cases of interest are y >= 0.5
            peel_alpha=alpha,
            paste_alpha=alpha,
            mass_min=mass_min,
            obj_function=ema_prim.PRIMObjectiveFunctions.ORIGINAL,
        )
        return p.find_box()


def _assert_limits_equal(ours: Box, theirs: pd.DataFrame) -> None:
    assert set(ours.limits) == set(theirs.columns)
    for name, limit in ours.limits.items():
        lo, hi = theirs[name].iloc[0], theirs[name].iloc[1]
        if isinstance(limit, frozenset):
            assert limit == frozenset(lo), name
        else:
            assert limit[0] == pytest.approx(float(lo), abs=TOL), name
            assert limit[1] == pytest.approx(float(hi), abs=TOL), name


def _compare(
    x: pd.DataFrame, y: NDArray[np.bool_], *, alpha: float, mass_min: float
) -> dict[str, Any]:
    """Run both, assert agreement, return a summary (printed with ``pytest -s``)."""
    box = _ema(x, y, alpha, mass_min)
    traj = box.peeling_trajectory
    mass = traj["mass"].to_numpy()
    # EMA appends its pasting steps to the peeling trajectory: mass falls while
    # peeling and rises while pasting.
    n_peel = len(mass)
    for i in range(1, len(mass)):
        if mass[i] > mass[i - 1]:
            n_peel = i
            break
    ours = prim(x, y, alpha=alpha, mass_min=mass_min)
    steps = ours.trajectory
    assert len(steps) <= n_peel
    if len(steps) < n_peel:  # we stopped at density 1; EMA's extra boxes are no denser
        assert steps[-1].density == 1.0
        assert (traj["density"].to_numpy()[len(steps) : n_peel] == 1.0).all()
    for i, b in enumerate(steps):
        row = traj.iloc[i]
        assert b.coverage == pytest.approx(row["coverage"], abs=TOL), i
        assert b.density == pytest.approx(row["density"], abs=TOL), i
        assert b.mass == pytest.approx(row["mass"], abs=TOL), i
        _assert_limits_equal(b, box.box_lims[i])
    pasted_steps = len(mass) - n_peel
    if len(steps) == n_peel:  # both peeled to the same box: compare the pasted box
        pasted = paste(x, y, steps[-1], alpha=alpha)
        _assert_limits_equal(pasted, box.box_lims[-1])
        assert pasted.coverage == pytest.approx(traj["coverage"].iloc[-1], abs=TOL)
        assert pasted.density == pytest.approx(traj["density"].iloc[-1], abs=TOL)
    chosen = select_box(ours, min_coverage=0.5)
    return {
        "steps": len(steps),
        "ema_peel_steps": n_peel,
        "ema_paste_steps": pasted_steps,
        "chosen": (round(chosen.coverage, 3), round(chosen.density, 3)),
    }


@pytest.mark.parametrize(
    ("seed", "n", "k", "noise", "alpha", "mass_min"),
    [
        (1, 400, 2, 0.05, 0.05, 0.05),
        (2, 600, 3, 0.10, 0.10, 0.05),
        (3, 300, 4, 0.05, 0.05, 0.10),
        (4, 500, 2, 0.0, 0.05, 0.05),  # no noise: density reaches 1
        (5, 250, 3, 0.15, 0.20, 0.02),
    ],
)
def test_box_truth_matches_ema(
    seed: int, n: int, k: int, noise: float, alpha: float, mass_min: float
) -> None:
    x, y = _box_truth(seed, n, k, noise)
    _compare(x, y, alpha=alpha, mass_min=mass_min)


@pytest.mark.parametrize("seed", [6, 7])
def test_tied_values_match_ema(seed: int) -> None:
    x, y = _grid_ties(seed)
    _compare(x, y, alpha=0.05, mass_min=0.05)


def test_categorical_input_matches_ema() -> None:
    x, y = _with_category(8)
    _compare(x, y, alpha=0.05, mass_min=0.05)


def test_real_sweep_table_matches_ema(tmp_path: Path) -> None:
    from resdep.experiments.runner import run_sweep
    from resdep.experiments.spec import parse_spec
    from resdep.experiments.store import ResultStore

    spec = parse_spec(
        {
            "experiment": {
                "model": "resdep",
                "scale": "case",
                "years": 12,
                "seed": 3,
                "replicates": 1,
            },
            "design": {"method": "lhs", "n": 120},
            "parameters": {
                "p_competitive": {},
                "theta_street": {},
                "mandate_level": {},
                "evaluator": {},
            },
            "outcomes": {"keep": ["share_buddy"]},
        }
    )
    run_sweep(spec, tmp_path / "sweep")
    results = ResultStore(tmp_path / "sweep").results()
    x = results[list(spec.names)].copy()
    x["evaluator"] = x["evaluator"].astype(object)
    y = results["share_buddy"].to_numpy(dtype=float) >= 1.0
    assert 0 < y.sum() < len(y)
    _compare(x, y, alpha=0.1, mass_min=0.05)
