"""PRIM: the Patient Rule Induction Method for scenario discovery.

Given design inputs ``X`` and a boolean outcome of interest ``y`` (say "buddy dyads
outnumber partnership dyads"), PRIM looks for a box — an interval per numeric input and
a set of values per categorical input — where ``y`` is mostly true. It **peels**: at each
step it tries cutting the box at the ``alpha`` quantile from the bottom, or the
``1 - alpha`` quantile from the top, of one numeric input (about ``alpha`` of the box's
points; tied values go together; the new limit lies halfway between the last removed
and the first kept value), or removing one category of one categorical input. It keeps
the candidate that leaves the highest density (share of points in the box with ``y``),
ties going to the candidate that restricts fewer inputs, then to the first (numeric
inputs in column order, upper limit before lower, then categorical ones). It stops
when that candidate would hold less than ``mass_min`` of the data or remove nothing,
or when the density reaches 1. The sequence of boxes is the **peeling trajectory**, a
trade-off between

- **coverage**: the share of all cases of interest inside the box, and
- **density**: the share of the box's points that are cases of interest.

A box chosen from the trajectory is then **pasted**: its limits are widened again, one
quantile step at a time, while that raises its density.

This follows Friedman & Fisher (1999) and the scenario-discovery use of Bryant &
Lempert (2010). The peeling objective is Friedman & Fisher's original one (the mean of
the remaining box). Peeling, pasting, quantiles and tie-breaking reproduce the EMA
Workbench's ``Prim`` with ``obj_function=PRIMObjectiveFunctions.ORIGINAL``; the one
deliberate difference is that resdep stops peeling at density 1, where EMA goes on to
``mass_min`` through boxes that are no denser and cover less.
``tests/unit/experiments/test_prim_vs_ema.py`` checks the agreement step by step.

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
{'a': (4.5, 9.0)}
"""

from __future__ import annotations

import math
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


def _quantile(values: NDArray[np.float64], q: float) -> float:
    """The peeling quantile of the EMA Workbench (after sdtoolkit): a midpoint between
    two neighbouring distinct data values, so a limit never sits on a data point
    unless the values run out.

    Examples
    --------
    >>> _quantile(np.arange(10.0), 0.1)   # between the lowest and the next value
    0.5
    >>> _quantile(np.array([0.0, 1.0, 1.0, 1.0, 2.0]), 0.25)   # ties peel together
    1.5
    """
    data = np.sort(values)
    i = (data.size - 1) * q
    lo, hi = math.floor(i), math.ceil(i)
    if q > 0.5:
        while data[lo] == data[hi] and lo > 0:
            lo -= 1
    else:
        while data[lo] == data[hi] and hi < data.size - 1:
            hi += 1
    return float((data[lo] + data[hi]) / 2)


def _ordered_columns(x: pd.DataFrame) -> list[Any]:
    """Numeric inputs first, then categorical ones (the EMA Workbench's order)."""
    numeric = [c for c in x.columns if not _is_categorical(x[c])]
    return numeric + [c for c in x.columns if _is_categorical(x[c])]


def _peel_candidates(
    x: pd.DataFrame, mask: NDArray[np.bool_], limits: dict[str, Limit], alpha: float
) -> list[dict[str, Limit]]:
    candidates: list[dict[str, Limit]] = []
    for name in _ordered_columns(x):
        limit = limits[name]
        if isinstance(limit, frozenset):
            if len(limit) < 2:
                continue
            for cat in sorted(limit, key=str):
                candidates.append({**limits, name: limit - {cat}})
            continue
        values = x[name].to_numpy(dtype=float)[mask]
        if values.size == 0:
            continue
        lo, hi = limit
        candidates.append({**limits, name: (lo, _quantile(values, 1 - alpha))})
        candidates.append({**limits, name: (_quantile(values, alpha), hi)})
    return candidates


def _n_unrestricted(limits: Mapping[str, Limit], full: Mapping[str, Limit]) -> int:
    return sum(limits[k] == full[k] for k in full)


def _choose(
    x: pd.DataFrame,
    y: NDArray[np.bool_],
    candidates: list[dict[str, Limit]],
    full: dict[str, Limit],
) -> tuple[dict[str, Limit], float, int] | None:
    """The candidate of highest mean; ties: fewer restricted inputs, then the first."""
    best: tuple[float, int] | None = None
    chosen: tuple[dict[str, Limit], float, int] | None = None
    for cand in candidates:
        m = box_mask(x, cand)
        n = int(m.sum())
        mean = float(y[m].mean()) if n else -1.0
        key = (mean, _n_unrestricted(cand, full))
        if best is None or key > best:
            best, chosen = key, (cand, mean, n)
    return chosen


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
        chosen = _choose(x, yy, _peel_candidates(x, mask, limits, alpha), full)
        if chosen is None:
            break
        cand, mean, n = chosen
        if n / len(x) < mass_min or n >= box.n_points or mean <= 0:
            break
        limits = cand
        box = _make_box(x, yy, limits, full)
        trajectory.append(box)
    return PrimResult(trajectory=tuple(trajectory), n_points=len(x), n_interesting=int(yy.sum()))


def select_box(result: PrimResult, *, min_coverage: float = 0.5) -> Box:
    """The densest box of the trajectory whose coverage is at least ``min_coverage``.

    Examples
    --------
    >>> x = pd.DataFrame({"a": np.arange(10.0)})
    >>> select_box(prim(x, x["a"].to_numpy() >= 5, alpha=0.1), min_coverage=0.9).limits
    {'a': (4.5, 9.0)}
    """
    eligible = [b for b in result.trajectory if b.coverage >= min_coverage]
    if not eligible:
        eligible = [result.trajectory[0]]
    return max(eligible, key=lambda b: (b.density, b.coverage))


def paste(
    x: pd.DataFrame, y: NDArray[np.bool_] | pd.Series[bool], box: Box, *, alpha: float = 0.05
) -> Box:
    """Widen ``box`` step by step while that raises its density.

    Each step considers, for every restricted input, moving the lower (or upper) limit
    out to the ``1 - alpha`` (``alpha``) quantile of the points between the input's
    minimum and the limit (the limit and its maximum) that meet the other limits, or
    adding back one excluded category. It takes the candidate of highest density (ties:
    fewer restricted inputs, then the first), and stops unless that strictly raises the
    density (Friedman & Fisher's rule, as in the EMA Workbench).

    Examples
    --------
    >>> x = pd.DataFrame({"a": np.arange(10.0)})
    >>> y = np.isin(x["a"].to_numpy(), [4, 5, 6, 7, 8])
    >>> start = _make_box(x, y, {"a": (5.5, 9.0)}, {"a": (0.0, 9.0)})   # 6..9: 3 of 4
    >>> paste(x, y, start, alpha=0.1).limits   # takes in 5 (4/5), then 4 (5/6); 3 is not
    {'a': (3.5, 9.0)}
    """
    yy = np.asarray(y, dtype=bool)
    limits = dict(box.limits)
    current = _make_box(x, yy, limits, box.full)
    while True:
        restricted = [c for c in _ordered_columns(x) if limits[c] != box.full[c]]
        candidates: list[dict[str, Limit]] = []
        for name in restricted:
            limit, full = limits[name], box.full[name]
            if isinstance(limit, frozenset):
                assert isinstance(full, frozenset)
                for cat in sorted(full - limit, key=str):
                    candidates.append({**limits, name: limit | {cat}})
                continue
            assert not isinstance(full, frozenset)
            (lo, hi), (fmin, fmax) = limit, full
            others = box_mask(x, {k: limits[k] for k in restricted if k != name})
            col = x[name].to_numpy(dtype=float)
            below = col[others & (col >= fmin) & (col <= lo)]
            above = col[others & (col >= hi) & (col <= fmax)]
            new_lo = _quantile(below, 1 - alpha) if below.size else fmin
            new_hi = _quantile(above, alpha) if above.size else fmax
            candidates.append({**limits, name: (new_lo, hi)})
            candidates.append({**limits, name: (lo, new_hi)})
        chosen = _choose(x, yy, candidates, box.full)
        if chosen is None:
            return current
        cand, mean, n = chosen
        if n <= current.n_points or not mean > current.density:
            return current
        limits = cand
        current = _make_box(x, yy, limits, box.full)
