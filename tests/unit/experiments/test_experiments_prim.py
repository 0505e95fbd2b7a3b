"""PRIM on hand-checkable cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resdep.errors import ExperimentSpecError
from resdep.experiments.prim import Box, box_mask, paste, prim, select_box


def test_one_dimension_step_by_step() -> None:
    # x = 0..9, interesting from 5 up; with alpha = 0.1 each peel removes one point
    # (floor((n - 1) alpha) + 1 of n, as in the EMA Workbench), and removing the lowest
    # point always leaves the denser box: 5/9, 5/8, 5/7, 5/6, 5/5. The new limit lies
    # halfway between the removed point and the next one.
    x = pd.DataFrame({"a": np.arange(10.0)})
    result = prim(x, x["a"].to_numpy() >= 5, alpha=0.1, mass_min=0.0)
    limits = [(0.0, 9.0)] + [(lo - 0.5, 9.0) for lo in range(1, 6)]
    assert [b.limits["a"] for b in result.trajectory] == limits
    assert [b.density for b in result.trajectory] == [5 / 10, 5 / 9, 5 / 8, 5 / 7, 5 / 6, 1.0]
    assert [b.coverage for b in result.trajectory] == [1.0] * 6
    assert [b.mass for b in result.trajectory] == [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]


def test_mass_min_stops_peeling() -> None:
    x = pd.DataFrame({"a": np.arange(10.0)})
    result = prim(x, x["a"].to_numpy() >= 5, alpha=0.1, mass_min=0.75)
    assert result.trajectory[-1].limits["a"] == (1.5, 9.0)  # mass 0.8; 0.7 would be too small


def test_two_dimensions_find_the_corner() -> None:
    grid = np.arange(21.0)  # a 21 × 21 grid; interesting: a ≥ 14 and b ≤ 6 (49 points)
    a, b = np.meshgrid(grid, grid)
    x = pd.DataFrame({"a": a.ravel(), "b": b.ravel()})
    y = (x["a"] >= 14).to_numpy() & (x["b"] <= 6).to_numpy()
    best = select_box(prim(x, y, alpha=0.05), min_coverage=0.9)
    assert best.density == 1.0
    assert best.coverage == 1.0
    assert best.limits == {"a": (13.5, 20.0), "b": (0.0, 6.5)}
    assert set(best.restricted()) == {"a", "b"}


def test_categorical_inputs_are_peeled_by_category() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"m": rng.choice(["p", "q", "r"], size=300), "u": rng.random(300)})
    y = (x["m"] == "q").to_numpy()
    best = select_box(prim(x, y, alpha=0.05), min_coverage=0.9)
    assert best.limits["m"] == frozenset({"q"})
    assert best.density == 1.0
    assert best.coverage == 1.0
    assert set(best.restricted()) == {"m"}


def test_pasting_widens_while_density_rises() -> None:
    x = pd.DataFrame({"a": np.arange(10.0)})
    y = np.isin(x["a"].to_numpy(), [4, 5, 6, 7, 8])
    full = {"a": (0.0, 9.0)}
    start = Box(
        limits={"a": (5.5, 9.0)}, coverage=3 / 5, density=3 / 4, mass=0.4, n_points=4, full=full
    )
    pasted = paste(x, y, start, alpha=0.1)
    # adding 5 gives 4/5, adding 4 then 5/6; adding 3 would lower it to 5/7
    assert pasted.limits == {"a": (3.5, 9.0)}
    assert pasted.density == 5 / 6
    assert pasted.coverage == 1.0


def test_pasting_stops_when_density_would_only_hold() -> None:
    # Friedman & Fisher (and the EMA Workbench) paste only while the mean strictly rises:
    # a pure box stays as it is even when more interesting points lie next to it.
    x = pd.DataFrame({"a": np.arange(10.0)})
    y = (x["a"] >= 4).to_numpy()
    start = Box(
        limits={"a": (5.5, 9.0)},
        coverage=4 / 6,
        density=1.0,
        mass=0.4,
        n_points=4,
        full={"a": (0.0, 9.0)},
    )
    assert paste(x, y, start, alpha=0.1).limits == {"a": (5.5, 9.0)}


def test_box_mask_and_bad_input() -> None:
    x = pd.DataFrame({"a": [0.0, 0.5, 1.0]})
    assert box_mask(x, {"a": (0.25, 1.0)}).tolist() == [False, True, True]
    with pytest.raises(ExperimentSpecError, match="no run meets"):
        prim(x, np.zeros(3, dtype=bool))
    with pytest.raises(ExperimentSpecError, match="every run meets"):
        prim(x, np.ones(3, dtype=bool))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(20, 120),
    alpha=st.sampled_from([0.05, 0.1, 0.2]),
)
def test_peeling_invariants(seed: int, n: int, alpha: float) -> None:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "a": rng.random(n),
            "b": rng.integers(0, 4, n).astype(float),
            "m": rng.choice(["p", "q"], n),
        }
    )
    y = rng.random(n) < 0.3 + 0.5 * (x["a"].to_numpy() > 0.6)
    if y.all() or not y.any():
        return
    result = prim(x, y, alpha=alpha, mass_min=0.05)
    boxes = result.trajectory
    masses = [b.mass for b in boxes]
    assert masses == sorted(masses, reverse=True)  # each peel removes points
    assert all(b.mass >= 0.05 for b in boxes)
    assert boxes[0].coverage == 1.0
    assert boxes[0].density == pytest.approx(y.mean())
    for b in boxes:
        inside = box_mask(x, b.limits)
        assert b.n_points == inside.sum()
        assert b.density == pytest.approx(y[inside].mean())
        assert b.coverage == pytest.approx(y[inside].sum() / y.sum())
    chosen = select_box(result, min_coverage=0.3)
    pasted = paste(x, y, chosen, alpha=alpha)
    assert pasted.density >= chosen.density  # pasting never lowers density
    assert pasted.n_points >= chosen.n_points
