"""From stage-wise dependence of dyads to their indicators and labels (sections 4–5).

The one function both ``analyze`` (once on point estimates, then on every Monte Carlo
draw) and the simulation (every active dyad of a city, every year) call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from resdep.classify.calibrate import ClassifyParams, label_codes, memberships

__all__ = ["DyadIndicators", "classify_dyads"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class DyadIndicators:
    """Indicators, memberships and label codes of dyads; arrays of one shape."""

    ri: FloatArray
    gp: FloatArray
    ia: FloatArray
    dep: FloatArray
    mu_partnership: FloatArray
    mu_buddy: FloatArray
    label: NDArray[np.int8]


def classify_dyads(
    d_ag: ArrayLike,
    d_ga: ArrayLike,
    gp: ArrayLike,
    ia: ArrayLike,
    params: ClassifyParams | None = None,
) -> DyadIndicators:
    """Classify dyads from their stage-wise dependence.

    Parameters
    ----------
    d_ag, d_ga
        Dependence of the agency on the government actor and the reverse, with the
        stages on the last axis (shape ``(..., n_stages)``).
    gp
        Governance philosophy of the government actor, shape ``(...)``.
    ia
        Interest alignment of the pair, broadcastable to ``(...)``.

    Returns
    -------
    DyadIndicators
        RI = mean over stages of MDmin; dep = max over stages of D_ag; memberships and
        label codes (indices into :data:`resdep.classify.LABEL_ORDER`).

    Examples
    --------
    >>> out = classify_dyads([[0.8, 0.6, 0.9]], [[0.7, 0.9, 0.5]], [0.8], [0.9])
    >>> round(float(out.ri[0]), 3), int(out.label[0])
    (0.6, 0)
    """
    ag = np.asarray(d_ag, dtype=np.float64)
    ga = np.asarray(d_ga, dtype=np.float64)
    ri = np.minimum(ag, ga).mean(axis=-1)
    dep = ag.max(axis=-1)
    gp_arr = np.broadcast_to(np.asarray(gp, dtype=np.float64), ri.shape)
    ia_arr = np.broadcast_to(np.asarray(ia, dtype=np.float64), ri.shape)
    mu_p, mu_b = memberships(ri, gp_arr, ia_arr, dep, params)
    return DyadIndicators(
        ri=ri,
        gp=gp_arr,
        ia=ia_arr,
        dep=dep,
        mu_partnership=mu_p,
        mu_buddy=mu_b,
        label=label_codes(mu_p, mu_b, params),
    )
