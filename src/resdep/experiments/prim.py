"""PRIM: the Patient Rule Induction Method for scenario discovery.

Given design inputs ``X`` and a boolean outcome of interest ``y`` (say "buddy dyads
outnumber partnership dyads"), PRIM looks for a box — an interval per numeric input and
a set of values per categorical input — where ``y`` is mostly true. It **peels**: at each
step it tries removing a fraction ``alpha`` of the points in the box from the bottom or
the top of one numeric input, or one category of one categorical input, and keeps the
removal that leaves the highest density (share of points in the box with ``y``), ties
going to the larger remaining box; it stops when the box would hold less than
``mass_min`` of the data, or its density reaches 1. The sequence of boxes is the
**peeling trajectory**, a trade-off between

- **coverage**: the share of all cases of interest inside the box, and
- **density**: the share of the box's points that are cases of interest.

A box chosen from the trajectory is then **pasted**: its limits are widened again, one
step of ``alpha`` at a time, while that does not lower its density.

This follows Friedman & Fisher (1999) and the scenario-discovery use of Bryant &
Lempert (2010) as implemented in the EMA Workbench (which is not a dependency here); the
peeling objective is Friedman & Fisher's original one (the mean of the remaining box).

References
----------
Friedman, J. H., Fisher, N. I. (1999). Bump hunting in high-dimensional data.
Statistics and Computing 9, 123–143.

Bryant, B. P., Lempert, R. J. (2010). Thinking inside the box: a participatory,
computer-assisted approach to scenario discovery. Technological Forecasting and Social
Change 77(1), 34–49.

Examples
--------
>>> x = pd.DataFrame({"a": np.arange(10.0)})
>>> y = x["a"].to_numpy() >= 5
>>> result = prim(x, y, alpha=0.1)
>>> [round(b.density, 3) for b in result.trajectory]
[0.5, 0.556, 0.625, 0.714, 0.833, 1.0]
>>> result.trajectory[-1].limits
{'a': (5.0, 9.0)}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from resdep.errors import ExperimentSpecError

__all__ = ["Box", "PrimResult", "box_mask", "paste", "prim", "select_box"]

#: A numeric limit is a closed interval; a categorical one a set of allowed values.
Limit = tuple[float, float] | frozenset[Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class Box:
    """A box and how well it captures the cases of interest.

    ``limits`` holds every input; :meth:`restricted` those the box narrows.
    """

    limits: dict[str, Limit]
    coverage: float
    density: float
    mass: float
    n_points: int
    full: dict[str, Limit]

    def restricted(self) -> dict[str, Limit]:
        """The limits that are narrower than the data's range."""
        return {k: v for k, v in self.limits.items() if v != self.full[k]}


@dataclass(frozen=True, slots=True, kw_only=True)
class PrimResult:
    """The peeling trajectory (first box: everything) and the data it came from."""

    trajectory: tuple[Box, ...]
    n_points: int
    n_interesting: int


def box_mask(x: pd.DataFrame, limits: Mapping[str, Limit]) -> NDArray[np.bool_]:
    """Which rows of ``x`` lie inside ``limits``.

    Examples
    --------
    >>> box_mask(pd.DataFrame({"a": [1.0, 2.0, 3.0], "c": ["p", "q", "p"]}),
    ...          {"a": (1.5, 3.0), "c": frozenset({"p"})}).tolist()
    [False, False, True]
    """
    mask = np.ones(len(x), dtype=bool)
    for name, limit in limits.items():
        col = x[name]
        if isinstance(limit, frozenset):
            mask &= col.isin(list(limit)).to_numpy()
        else:
            values = col.to_numpy(dtype=float)
            mask &= (values >= limit[0]) & (values <= limit[1])
    return mask


def _is_categorical(col: pd.Series[Any]) -> bool:
    return not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


def _full_limits(x: pd.DataFrame) -> dict[str, Limit]:
    full: dict[str, Limit] = {}
    for name in x.columns:
        col = x[name]
        if _is_categorical(col):
            full[name] = frozenset(col.unique().tolist())
        else:
            values = col.to_numpy(dtype=float)
            full[name] = (float(values.min()), float(values.max()))
    return full


def _make_box(
    x: pd.DataFrame, y: NDArray[np.bool_], limits: dict[str, Limit], full: dict[str, Limit]
) -> Box:
    mask = box_mask(x, limits)
    n = int(mask.sum())
    hits = int(y[mask].sum())
    total = int(y.sum())
    return Box(
        limits=dict(limits),
        coverage=hits / total if total else float("nan"),
        density=hits / n if n else float("nan"),
        mass=n / len(x),
        n_points=n,
        full=full,
    )


def _peel_candidates(
    x: pd.DataFrame, mask: NDArray[np.bool_], limits: dict[str, Limit], alpha: float
) -> list[dict[str, Limit]]:
    candidates: list[dict[str, Limit]] = []
    for name in x.columns:
        limit = limits[name]
        inside = x[name][mask]
        if isinstance(limit, frozenset):
            present = set(inside.unique().tolist())
            if len(present) < 2:
                continue
            for cat in sorted(present, key=str):
                candidates.append({**limits, name: frozenset(present - {cat})})
            continue
        values = np.sort(inside.to_numpy(dtype=float))
        n = values.size
        if n < 2 or values[0] == values[-1]:
            continue
        k = max(1, int(np.floor(alpha * n)))
        lower = values[min(k, n - 1)]
        if lower == values[0]:
            lower = values[values > values[0]][0]
        upper = values[max(n - 1 - k, 0)]
        if upper == values[-1]:
            upper = values[values < values[-1]][-1]
        lo, hi = limit
        candidates.append({**limits, name: (float(lower), hi)})
        candidates.append({**limits, name: (lo, float(upper))})
    return candidates


def prim(
    x: pd.DataFrame,
    y: NDArray[np.bool_] | pd.Series[bool],
    *,
    alpha: float = 0.05,
    mass_min: float = 0.05,
) -> PrimResult:
    """Peel boxes around the cases where ``y`` is true (see the module docstring).

    Parameters
    ----------
    x
        Inputs, one column per parameter (numeric or categorical).
    y
        Cases of interest, one per row of ``x``.
    alpha
        Share of the box's points removed per peel (0.05 is usual; 0.1 for small data).
    mass_min
        Smallest share of all points a box may hold.

    Raises
    ------
    ExperimentSpecError
        If there are no cases of interest, or only such cases.
    """
    yy = np.asarray(y, dtype=bool)
    if yy.shape != (len(x),):
        raise ValueError("y must have one value per row of x")
    if not 0 < alpha < 1 or not 0 <= mass_min < 1:
        raise ValueError("alpha must lie in (0, 1) and mass_min in [0, 1)")
    if not yy.any() or yy.all():
        which = "no run" if not yy.any() else "every run"
        raise ExperimentSpecError(
            f"{which} meets the condition, so there is nothing to discover",
            place="--threshold",
            fix="choose a threshold that splits the runs (see the outcome's range)",
        )
    full = _full_limits(x)
    limits = dict(full)
    box = _make_box(x, yy, limits, full)
    trajectory = [box]
    while box.density < 1.0:
        mask = box_mask(x, limits)
        best: tuple[float, float, int] | None = None
        best_limits: dict[str, Limit] | None = None
        for k, cand in enumerate(_peel_candidates(x, mask, limits, alpha)):
            m = box_mask(x, cand)
            n = int(m.sum())
            if n == 0 or n / len(x) < mass_min:
                continue
            key = (float(yy[m].mean()), n / len(x), -k)
            if best is None or key > best:
                best, best_limits = key, cand
        if best_limits is None:
            break
        limits = best_limits
        box = _make_box(x, yy, limits, full)
        trajectory.append(box)
    return PrimResult(trajectory=tuple(trajectory), n_points=len(x), n_interesting=int(yy.sum()))


def select_box(result: PrimResult, *, min_coverage: float = 0.5) -> Box:
    """The densest box of the trajectory whose coverage is at least ``min_coverage``.

    Examples
    --------
    >>> x = pd.DataFrame({"a": np.arange(10.0)})
    >>> select_box(prim(x, x["a"].to_numpy() >= 5, alpha=0.1), min_coverage=0.9).limits
    {'a': (5.0, 9.0)}
    """
    eligible = [b for b in result.trajectory if b.coverage >= min_coverage]
    if not eligible:
        eligible = [result.trajectory[0]]
    return max(eligible, key=lambda b: (b.density, b.coverage))


def paste(
    x: pd.DataFrame, y: NDArray[np.bool_] | pd.Series[bool], box: Box, *, alpha: float = 0.05
) -> Box:
    """Widen ``box`` step by step while its density does not fall.

    Each step considers, for every input, moving the lower or upper limit out far enough
    to take in about ``alpha`` times the box's points more (at least the next distinct
    value), or adding back one excluded category, and takes the candidate of highest
    resulting density (ties: more points); it stops when every candidate would lower
    the density.

    Examples
    --------
    >>> x = pd.DataFrame({"a": np.arange(10.0)})
    >>> y = x["a"].to_numpy() >= 4
    >>> start = prim(x, x["a"].to_numpy() >= 5, alpha=0.1).trajectory[-1]   # [5, 9]
    >>> paste(x, y, _make_box(x, y, start.limits, start.full), alpha=0.1).limits
    {'a': (4.0, 9.0)}
    """
    yy = np.asarray(y, dtype=bool)
    limits = dict(box.limits)
    current = _make_box(x, yy, limits, box.full)
    while True:
        mask = box_mask(x, limits)
        n_box = int(mask.sum())
        step = max(1, int(np.floor(alpha * n_box)))
        best: tuple[float, int] | None = None
        best_limits: dict[str, Limit] | None = None
        for name in x.columns:
            limit = limits[name]
            full = box.full[name]
            others = {k: v for k, v in limits.items() if k != name}
            base = box_mask(x, others)
            if isinstance(limit, frozenset):
                assert isinstance(full, frozenset)
                for cat in sorted(full - limit, key=str):
                    cands = [{**limits, name: frozenset(limit | {cat})}]
                    best, best_limits = _better(x, yy, cands, best, best_limits)
                continue
            lo, hi = limit
            values = x[name].to_numpy(dtype=float)
            below = np.sort(values[base & (values < lo)])[::-1]
            above = np.sort(values[base & (values > hi)])
            cands = []
            if below.size:
                cands.append({**limits, name: (float(below[min(step, below.size) - 1]), hi)})
            if above.size:
                cands.append({**limits, name: (lo, float(above[min(step, above.size) - 1]))})
            best, best_limits = _better(x, yy, cands, best, best_limits)
        if best is None or best_limits is None or best[0] < current.density:
            return current
        limits = best_limits
        current = _make_box(x, yy, limits, box.full)


def _better(
    x: pd.DataFrame,
    y: NDArray[np.bool_],
    candidates: list[dict[str, Limit]],
    best: tuple[float, int] | None,
    best_limits: dict[str, Limit] | None,
) -> tuple[tuple[float, int] | None, dict[str, Limit] | None]:
    for cand in candidates:
        m = box_mask(x, cand)
        key = (float(y[m].mean()), int(m.sum()))
        if best is None or key > best:
            best, best_limits = key, cand
    return best, best_limits
