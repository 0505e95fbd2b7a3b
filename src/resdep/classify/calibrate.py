"""Relationship classification (design section 5), on arrays.

    lo = 3(x − c)/(u − c) if x ≥ c else 3(x − c)/(c − l);   μ = e^lo / (1 + e^lo)
    μ_partnership = min(μ_RI, μ_GP, μ_IA)
    μ_buddy       = min(μ_dep, 1 − μ_GP, 1 − μ_IA)              (buddy_rule = "and", the study's)
    μ_buddy       = min(μ_dep, max(1 − μ_GP, 1 − μ_IA))         (buddy_rule = "or", sensitivity)

The study defines the buddy relationship (伙计) as an official-centred philosophy *plus*
diverging interests, hence the default ``"and"``; ``"or"`` keeps the design's earlier rule
for sensitivity analysis.

The label is the larger membership when it exceeds 0.5 (ties go to partnership), else
``transactional``.

References
----------
Ragin, C. C. (2008). *Redesigning Social Inquiry: Fuzzy Sets and Beyond*, ch. 5 (the
direct method of calibration).
Najam, A. (2000). The four C's of government–third sector relations. *Nonprofit
Management and Leadership* 10(4):375–396.
Gidron, B., Kramer, R. M. & Salamon, L. M. (1992). *Government and the Third Sector*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from resdep.vocab import Label

__all__ = [
    "BUDDY_RULES",
    "GKS_ORDER",
    "LABEL_ORDER",
    "NAJAM_ORDER",
    "ClassifyParams",
    "calibrate",
    "gks",
    "label_codes",
    "memberships",
    "najam",
]

FloatArray = NDArray[np.float64]

#: Accepted values of :attr:`ClassifyParams.buddy_rule`.
BUDDY_RULES: tuple[str, ...] = ("and", "or")

#: Integer codes returned by :func:`label_codes`.
LABEL_ORDER: tuple[Label, ...] = (Label.PARTNERSHIP, Label.BUDDY, Label.TRANSACTIONAL)
#: Najam's four C's, by code.
NAJAM_ORDER: tuple[str, ...] = ("cooperation", "complementarity", "co-optation", "confrontation")
#: Gidron–Kramer–Salamon collaborative models, by code.
GKS_ORDER: tuple[str, ...] = ("collaborative_partnership", "collaborative_vendor")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassifyParams:
    """Calibration anchors (exclusion, crossover, inclusion), the label threshold and the
    buddy rule (``"and"``: official-centred philosophy *and* diverging interests, the
    study's definition; ``"or"``: either, the earlier rule kept for sensitivity analysis).

    Examples
    --------
    >>> ClassifyParams(buddy_rule="or").buddy_rule
    'or'
    """

    anchor_low: float = 0.2
    anchor_mid: float = 0.5
    anchor_high: float = 0.8
    label_threshold: float = 0.5
    buddy_rule: Literal["and", "or"] = "and"

    def __post_init__(self) -> None:
        if not 0 <= self.anchor_low < self.anchor_mid < self.anchor_high <= 1:
            raise ValueError(
                "calibration anchors must satisfy 0 ≤ anchor_low < anchor_mid < anchor_high ≤ 1, "
                f"got ({self.anchor_low}, {self.anchor_mid}, {self.anchor_high})"
            )
        if not 0 <= self.label_threshold < 1:
            raise ValueError(f"label_threshold must be in [0, 1), got {self.label_threshold}")
        if self.buddy_rule not in BUDDY_RULES:
            raise ValueError(f'buddy_rule must be "and" or "or", got {self.buddy_rule!r}')


def calibrate(x: ArrayLike, params: ClassifyParams | None = None) -> FloatArray:
    """Ragin's direct calibration of raw values into fuzzy-set membership.

    The anchors map to memberships of about 0.05, 0.5 and 0.95.

    Examples
    --------
    >>> [round(float(m), 3) for m in calibrate([0.2, 0.5, 0.8, 0.65])]
    [0.047, 0.5, 0.953, 0.818]
    """
    p = params or ClassifyParams()
    arr = np.asarray(x, dtype=np.float64)
    c = p.anchor_mid
    lo = np.where(
        arr >= c, 3.0 * (arr - c) / (p.anchor_high - c), 3.0 * (arr - c) / (c - p.anchor_low)
    )
    out: FloatArray = 1.0 / (1.0 + np.exp(-lo))
    return out


def memberships(
    ri: ArrayLike,
    gp: ArrayLike,
    ia: ArrayLike,
    dep: ArrayLike,
    params: ClassifyParams | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Partnership and buddy memberships from the four dyad indicators.

    Examples
    --------
    >>> mp, mb = memberships(0.7, 0.8, 0.9, 0.9)
    >>> round(float(mp), 3), round(float(mb), 3)
    (0.881, 0.018)
    >>> _, mb_and = memberships(0.7, 0.2, 0.9, 0.9)
    >>> _, mb_or = memberships(0.7, 0.2, 0.9, 0.9, ClassifyParams(buddy_rule="or"))
    >>> round(float(mb_and), 3), round(float(mb_or), 3)
    (0.018, 0.953)
    """
    p = params or ClassifyParams()
    m_ri, m_gp, m_ia, m_dep = (calibrate(v, p) for v in (ri, gp, ia, dep))
    mu_p = np.minimum(np.minimum(m_ri, m_gp), m_ia)
    if p.buddy_rule == "and":
        not_aligned = np.minimum(1.0 - m_gp, 1.0 - m_ia)
    else:
        not_aligned = np.maximum(1.0 - m_gp, 1.0 - m_ia)
    mu_b = np.minimum(m_dep, not_aligned)
    return mu_p, mu_b


def label_codes(
    mu_partnership: ArrayLike, mu_buddy: ArrayLike, params: ClassifyParams | None = None
) -> NDArray[np.int8]:
    """Label codes (indices into :data:`LABEL_ORDER`).

    Examples
    --------
    >>> [LABEL_ORDER[c].value for c in label_codes([0.9, 0.2, 0.4], [0.1, 0.7, 0.45])]
    ['partnership', 'buddy', 'transactional']
    """
    p = params or ClassifyParams()
    mp = np.asarray(mu_partnership, dtype=np.float64)
    mb = np.asarray(mu_buddy, dtype=np.float64)
    codes = np.full(np.broadcast(mp, mb).shape, 2, dtype=np.int8)
    codes[(mb > p.label_threshold) & (mb > mp)] = 1
    codes[(mp > p.label_threshold) & (mp >= mb)] = 0
    return codes


def najam(ia: ArrayLike, gp: ArrayLike, threshold: float = 0.5) -> NDArray[np.int8]:
    """Najam's four C's: ends = interest alignment IA, means = governance philosophy GP.

    Similar ends and means: cooperation; similar ends only: complementarity; similar
    means only: co-optation; neither: confrontation.

    Examples
    --------
    >>> [NAJAM_ORDER[c] for c in najam([0.9, 0.9, 0.1, 0.1], [0.9, 0.1, 0.9, 0.1])]
    ['cooperation', 'complementarity', 'co-optation', 'confrontation']
    """
    ends = np.asarray(ia, dtype=np.float64) >= threshold
    means = np.asarray(gp, dtype=np.float64) >= threshold
    codes = np.where(ends, np.where(means, 0, 1), np.where(means, 2, 3))
    return codes.astype(np.int8)


def gks(ri: ArrayLike, gp: ArrayLike, threshold: float = 0.5) -> NDArray[np.int8]:
    """Gidron–Kramer–Salamon collaborative model of a government-financed service.

    ``collaborative_partnership`` when the agency has bargaining power (resource
    interdependence RI) *and* the government grants it a say (GP), both at least
    ``threshold``; otherwise ``collaborative_vendor``, the agency acting as the
    government's agent.

    Examples
    --------
    >>> [GKS_ORDER[c] for c in gks([0.7, 0.7, 0.2], [0.8, 0.2, 0.9])]
    ['collaborative_partnership', 'collaborative_vendor', 'collaborative_vendor']
    """
    ok = (np.asarray(ri, dtype=np.float64) >= threshold) & (
        np.asarray(gp, dtype=np.float64) >= threshold
    )
    return np.where(ok, 0, 1).astype(np.int8)
