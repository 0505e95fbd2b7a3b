"""Scoring dependence (design section 4).

    D(i→j, r, s) = I^wI · N^wN · X^wX,  N = 1 − S      (weighted geometric mean)
    D(i→j, s)    = 1 − Π_r (1 − D(i→j, r, s))          (noisy-OR across resources)
    MD = (D_ag + D_ga)/2,  PA = D_ag − D_ga,  PI = |PA|,  MDmin = min(D_ag, D_ga)

References
----------
Pfeffer, J. & Salancik, G. R. (1978). *The External Control of Organizations*.
Emerson, R. M. (1962). Power-dependence relations. *American Sociological Review* 27:31–41.
Casciaro, T. & Piskorski, M. J. (2005). Power imbalance, mutual dependence, and
constraint absorption. *Administrative Science Quarterly* 50:167–199.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from resdep.vocab import StageState

__all__ = [
    "STATE_ORDER",
    "DependenceParams",
    "dyad_measures",
    "noisy_or",
    "resource_dependence",
    "stage_state",
]

FloatArray = NDArray[np.float64]

#: Integer codes returned by :func:`stage_state`, in code order.
STATE_ORDER: tuple[StageState, ...] = (
    StageState.INTERDEPENDENT,
    StageState.GOVERNMENT_DOMINANT,
    StageState.AGENCY_DOMINANT,
    StageState.WEAK,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class DependenceParams:
    """Weights of the geometric mean and the stage-state thresholds.

    The weights are normalised to sum to one, so ``(1, 1, 1)`` and ``(1/3, 1/3, 1/3)``
    mean the same.
    """

    w_importance: float = 1 / 3
    w_alternatives: float = 1 / 3
    w_discretion: float = 1 / 3
    theta_d: float = 0.5
    theta_pi: float = 0.2

    def __post_init__(self) -> None:
        for name in ("w_importance", "w_alternatives", "w_discretion"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be ≥ 0, got {getattr(self, name)}")
        if self.w_importance + self.w_alternatives + self.w_discretion <= 0:
            raise ValueError("the three dimension weights must not all be 0")
        for name in ("theta_d", "theta_pi"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")

    @property
    def weights(self) -> tuple[float, float, float]:
        """(wI, wN, wX) normalised to sum to one."""
        total = self.w_importance + self.w_alternatives + self.w_discretion
        return (self.w_importance / total, self.w_alternatives / total, self.w_discretion / total)


def resource_dependence(
    importance: ArrayLike,
    alternatives: ArrayLike,
    discretion: ArrayLike,
    params: DependenceParams | None = None,
) -> FloatArray:
    """Dependence on one resource: ``I^wI · (1 − S)^wN · X^wX``.

    Parameters
    ----------
    importance, alternatives, discretion
        Estimates in [0, 1] of I, S (availability of alternatives) and X; broadcast
        together.
    params
        Weights; equal thirds by default.

    Examples
    --------
    >>> round(float(resource_dependence(0.8, 0.2, 0.8)), 6)
    0.8
    >>> float(resource_dependence(1.0, 1.0, 1.0))  # a resource with full alternatives
    0.0
    """
    p = params or DependenceParams()
    w_i, w_n, w_x = p.weights
    i = np.clip(np.asarray(importance, dtype=np.float64), 0.0, 1.0)
    n = np.clip(1.0 - np.asarray(alternatives, dtype=np.float64), 0.0, 1.0)
    x = np.clip(np.asarray(discretion, dtype=np.float64), 0.0, 1.0)
    with np.errstate(divide="ignore"):
        out: FloatArray = np.power(i, w_i) * np.power(n, w_n) * np.power(x, w_x)
    return out


def noisy_or(d: ArrayLike, axis: int | tuple[int, ...] | None = -1) -> FloatArray:
    """Combine dependence across resources: ``1 − Π (1 − D)``.

    Examples
    --------
    >>> float(noisy_or([0.5, 0.5]))
    0.75
    >>> float(noisy_or([]))  # no resource, no dependence
    0.0
    """
    arr = np.asarray(d, dtype=np.float64)
    out: FloatArray = np.asarray(
        1.0 - np.prod(1.0 - np.clip(arr, 0.0, 1.0), axis=axis), dtype=np.float64
    )
    return out


def dyad_measures(d_ag: ArrayLike, d_ga: ArrayLike) -> dict[str, FloatArray]:
    """Mutual dependence and power of a dyad (agency A, government G).

    Returns ``md``, ``pa`` (> 0: government holds the power advantage), ``pi`` and
    ``md_min``.

    Examples
    --------
    >>> m = dyad_measures(0.9, 0.3)
    >>> {k: round(float(v), 2) for k, v in m.items()}
    {'md': 0.6, 'pa': 0.6, 'pi': 0.6, 'md_min': 0.3}
    """
    ag = np.asarray(d_ag, dtype=np.float64)
    ga = np.asarray(d_ga, dtype=np.float64)
    pa = ag - ga
    return {"md": (ag + ga) / 2.0, "pa": pa, "pi": np.abs(pa), "md_min": np.minimum(ag, ga)}


def stage_state(
    d_ag: ArrayLike, d_ga: ArrayLike, params: DependenceParams | None = None
) -> NDArray[np.int8]:
    """State codes (indices into :data:`STATE_ORDER`) of dyads at one stage.

    ``interdependent`` if MDmin ≥ θ_D and PI ≤ θ_PI; ``government_dominant`` if
    PA ≥ θ_PI and D_ag ≥ θ_D; ``agency_dominant`` if PA ≤ −θ_PI and D_ga ≥ θ_D;
    else ``weak``. The rules are checked in that order.

    Examples
    --------
    >>> [STATE_ORDER[c].value for c in stage_state([0.7, 0.9, 0.2, 0.3], [0.6, 0.3, 0.8, 0.2])]
    ['interdependent', 'government_dominant', 'agency_dominant', 'weak']
    """
    p = params or DependenceParams()
    ag = np.asarray(d_ag, dtype=np.float64)
    ga = np.asarray(d_ga, dtype=np.float64)
    pa = ag - ga
    eps = 1e-12  # thresholds are inclusive; guard against float noise at the boundary
    inter = (np.minimum(ag, ga) >= p.theta_d - eps) & (np.abs(pa) <= p.theta_pi + eps)
    gov = (pa >= p.theta_pi - eps) & (ag >= p.theta_d - eps)
    agy = (pa <= -p.theta_pi + eps) & (ga >= p.theta_d - eps)
    codes = np.full(np.broadcast(ag, ga).shape, 3, dtype=np.int8)
    codes[agy] = 2
    codes[gov & ~inter] = 1
    codes[inter] = 0
    return codes
