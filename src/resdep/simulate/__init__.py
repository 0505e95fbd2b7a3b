"""The purchase-system simulation (design section 7; the model is described in docs/ODD.md).

Governments buy services from agencies over many years; each year's active dyads are
scored with the same dependence and classification code as observed cases
(:mod:`resdep.dependence`, :mod:`resdep.classify`).

Examples
--------
>>> from resdep.simulate import parameter_space, run_summary
>>> parameter_space()["p_competitive"].kind
'real'
>>> sorted(run_summary({}, years=2, seed=0))[:3]
['autonomy', 'budget_index', 'budget_volatility']
"""

from __future__ import annotations

from resdep.simulate.api import SUMMARY_KEYS, SimulationResult, run_summary, simulate
from resdep.simulate.output import write_simulation
from resdep.simulate.params import (
    PARAMETERS,
    SCALES,
    ParamInfo,
    Scale,
    Scenario,
    list_scenarios,
    load_scenario,
    parameter_space,
)
from resdep.simulate.patterns import PatternResult, check_patterns

__all__ = [
    "PARAMETERS",
    "SCALES",
    "SUMMARY_KEYS",
    "ParamInfo",
    "PatternResult",
    "Scale",
    "Scenario",
    "SimulationResult",
    "check_patterns",
    "list_scenarios",
    "load_scenario",
    "parameter_space",
    "run_summary",
    "simulate",
    "write_simulation",
]
