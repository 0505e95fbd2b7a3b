"""Weighted Beta estimates and triangulation (design section 3).

    x̂ = (α0·m0 + Σ w_k v_k) / (α0 + Σ w_k)
    posterior Beta(a, b):  a = α0·m0 + Σ w_k v_k,   b = α0·(1 − m0) + Σ w_k (1 − v_k)

Triangulation T = number of distinct informant organisations behind a tuple (documents
and observations count as one group each); T below ``min_triangulation`` (2) is flagged
``single_source``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from resdep.evidence.records import EvidenceRecord

__all__ = ["BetaEstimate", "beta_estimate", "triangulation"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BetaEstimate:
    """A Beta posterior: its parameters, mean and evidence count."""

    a: float
    b: float
    n_records: int

    @property
    def mean(self) -> float:
        """The point estimate a / (a + b)."""
        return self.a / (self.a + self.b)


def beta_estimate(
    values: Sequence[float],
    weights: Sequence[float],
    *,
    prior_mean: float = 0.5,
    prior_strength: float = 2.0,
) -> BetaEstimate:
    """The weighted Beta posterior of an input from its records' values and weights.

    Examples
    --------
    No record: the prior.

    >>> beta_estimate([], []).mean
    0.5

    Two direct records at intensity 3 (v = 1): (2·0.5 + 2) / (2 + 2) = 0.75.

    >>> e = beta_estimate([1.0, 1.0], [1.0, 1.0])
    >>> e.a, e.b, e.mean
    (3.0, 1.0, 0.75)
    """
    if len(values) != len(weights):
        raise ValueError("values and weights must have the same length")
    # math.fsum is exactly rounded, so the order of the records never changes a result
    pairs = list(zip(values, weights, strict=True))
    a = math.fsum([prior_strength * prior_mean, *(w * v for v, w in pairs)])
    b = math.fsum([prior_strength * (1.0 - prior_mean), *(w * (1.0 - v) for v, w in pairs)])
    return BetaEstimate(a=a, b=b, n_records=len(values))


def triangulation(records: Iterable[EvidenceRecord]) -> int:
    """Number of distinct informant groups behind some records.

    Examples
    --------
    >>> triangulation([])
    0
    """
    return len({r.group for r in records})
