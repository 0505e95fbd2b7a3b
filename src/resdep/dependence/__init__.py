"""Dependence: I, N, X → D per resource; noisy-OR per dyad and stage; power and states.

All functions work on numpy arrays of any shape so that the same code scores one
observed case, 2,000 Monte Carlo draws of it, or every dyad of a simulated city.
"""

from __future__ import annotations

from resdep.dependence.score import (
    STATE_ORDER,
    DependenceParams,
    dyad_measures,
    noisy_or,
    resource_dependence,
    stage_state,
)

__all__ = [
    "STATE_ORDER",
    "DependenceParams",
    "dyad_measures",
    "noisy_or",
    "resource_dependence",
    "stage_state",
]
