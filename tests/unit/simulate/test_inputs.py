"""Every dependence input moves when the state or the rule it reads moves (ODD 7.7 table).

Each case hand-sets one dyad's state (:data:`BASE`, else 0.5) and the baseline
rules, changes one state field or one rule, and checks the direction of one input. The
expected direction is the one the design section 7 table gives for that input.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from resdep.simulate.model import DyadState, Rules, dependence_inputs
from resdep.simulate.params import resolve_params

FIELDS = [f.name for f in dataclasses.fields(DyadState)]
SIDE = {"ag_i": 0, "ag_s": 1, "ag_x": 2, "ga_i": 3, "ga_s": 4, "ga_x": 5}


#: a dyad's state unless a case changes it: an agency with some funding of its own and
#: other streets' revenue (so that its alternatives are neither none nor complete)
BASE = {"nongov": 0.1, "other": 0.3, "other_committed": 0.1}


def _state(**changes: float) -> DyadState:
    vals = {f: np.array([changes.get(f, BASE.get(f, 0.5))]) for f in FIELDS}
    return DyadState(**vals)


def _rules(**changes: Any) -> Rules:
    return dataclasses.replace(Rules.from_params(resolve_params()), **changes)


def _value(which: str, cell: tuple[int, int], state: DyadState, rules: Rules) -> float:
    cells = dependence_inputs(state, rules)[SIDE[which]]
    if cell not in cells:
        return 0.0  # the tie is absent
    return float(np.broadcast_to(cells[cell], (1,))[0])


# (input, (stage, resource), what moves, low, high, +1 rises / -1 falls)
STATE_CASES = [
    # contracting, agency → street, economic
    ("ag_i", (0, 0), "share", 0.1, 0.6, +1),
    ("ag_i", (0, 0), "cash", 0.0, 0.9, +1),
    ("ag_s", (0, 0), "nongov", 0.0, 0.4, +1),
    ("ag_s", (0, 0), "other", 0.0, 0.4, +1),
    ("ag_x", (0, 0), "rel", 0.0, 1.0, +1),
    # contracting, agency → bureau, political legitimacy
    ("ag_i", (0, 1), "reputation", 0.1, 0.9, -1),
    ("ag_x", (0, 1), "theta_d", 0.1, 0.9, -1),
    # contracting, street → agency, professional and path dependence
    ("ga_i", (0, 0), "pneed", 0.2, 0.9, +1),
    ("ga_i", (0, 0), "psh", 0.1, 0.6, +1),
    ("ga_i", (0, 1), "history", 0.1, 0.9, +1),
    ("ga_s", (0, 0), "alt_bid", 0.1, 0.9, +1),
    ("ga_s", (0, 1), "alt_bid", 0.1, 0.9, +1),
    ("ga_x", (0, 0), "cash", 0.0, 0.9, -1),
    ("ga_x", (0, 1), "other", 0.0, 0.4, +1),
    # implementation, street → agency, professional
    ("ga_i", (1, 0), "mandate_press", 0.2, 0.8, +1),
    ("ga_x", (1, 0), "alpha", 0.1, 0.8, -1),
    # implementation, agency → street, economic
    ("ag_i", (1, 0), "share", 0.1, 0.6, +1),
    ("ag_s", (1, 0), "nongov", 0.0, 0.4, +1),
    # closing, agency → street, economic
    ("ag_i", (2, 0), "stake", 0.2, 1.0, +1),
    ("ag_i", (2, 0), "share", 0.1, 0.6, +1),
    ("ag_i", (2, 0), "cash", 0.0, 0.9, +1),
    ("ag_s", (2, 0), "other_committed", 0.0, 0.4, +1),
    ("ag_s", (2, 0), "nongov", 0.0, 0.4, +1),
    ("ag_x", (2, 0), "rel", 0.0, 1.0, +1),
    # closing, street → agency, path dependence and performance
    ("ga_i", (2, 1), "history", 0.1, 0.9, +1),
    ("ga_i", (2, 1), "stake", 0.2, 1.0, +1),
    ("ga_i", (2, 2), "mandate_press", 0.2, 0.8, +1),
    ("ga_i", (2, 2), "stake", 0.2, 1.0, +1),
    ("ga_s", (2, 1), "alt_next", 0.1, 0.9, +1),
    ("ga_s", (2, 2), "alt_next", 0.1, 0.9, +1),
    ("ga_x", (2, 1), "cash", 0.0, 0.9, -1),
    ("ga_x", (2, 2), "nongov", 0.0, 0.4, +1),
]


@pytest.mark.parametrize(("which", "cell", "field", "low", "high", "sign"), STATE_CASES)
def test_input_moves_with_the_state_it_reads(
    which: str, cell: tuple[int, int], field: str, low: float, high: float, sign: int
) -> None:
    rules = _rules()
    a = _value(which, cell, _state(**{field: low}), rules)
    b = _value(which, cell, _state(**{field: high}), rules)
    assert sign * (b - a) > 1e-6, (a, b)


# (input, cell, rule, low value, high value, +1 / -1 / 0 (must be equal))
RULE_CASES = [
    ("ag_x", (0, 0), "panel_street_weight", 0.2, 0.8, +1),
    ("ag_i", (0, 1), "rater", "third_party", "bureau", +1),
    ("ag_s", (0, 1), "legitimacy_bodies", 1, 3, +1),
    ("ag_x", (0, 1), "rating_rule_bound", 0.1, 0.9, -1),
    ("ag_x", (1, 0), "payment_after_evaluation", 0.1, 0.9, +1),
    ("ag_x", (1, 0), "w_quality", 0.1, 0.9, -1),
    ("ag_x", (1, 0), "evaluator", "third_party", "street", +1),
    ("ag_x", (1, 0), "evaluator", "bureau", "street", +1),
    ("ag_x", (2, 0), "evaluator", "third_party", "street", +1),
    ("ag_x", (2, 0), "w_quality", 0.1, 0.9, -1),
    ("ag_x", (2, 0), "renew_slope", 1.0, 10.0, -1),  # verdict discretion < 1 at w_q > 0
    ("ag_x", (2, 0), "renew_history", 0.5, 5.0, +1),
    ("ga_s", (1, 0), "switch_rule", "forbidden", "allowed", +1),
]


@pytest.mark.parametrize(("which", "cell", "rule", "low", "high", "sign"), RULE_CASES)
def test_input_moves_with_the_rule_it_reads(
    which: str, cell: tuple[int, int], rule: str, low: object, high: object, sign: int
) -> None:
    state = _state()
    a = _value(which, cell, state, _rules(**{rule: low}))
    b = _value(which, cell, state, _rules(**{rule: high}))
    assert sign * (b - a) > 1e-6, (a, b)


def test_switching_cost_and_spare_capacity_set_the_streets_alternatives_mid_project() -> None:
    allowed = _rules(switch_rule="allowed")
    cheap = _value("ga_s", (1, 0), _state(), dataclasses.replace(allowed, switch_cost=0.1))
    dear = _value("ga_s", (1, 0), _state(), dataclasses.replace(allowed, switch_cost=0.9))
    assert cheap > dear
    thin = _value("ga_s", (1, 0), _state(alt_switch=0.1), allowed)
    thick = _value("ga_s", (1, 0), _state(alt_switch=0.9), allowed)
    assert thick > thin
    # forbidden: no alternative whatever the market
    assert _value("ga_s", (1, 0), _state(alt_switch=0.9), _rules()) == 0.0


def test_bureau_evaluation_discretion_falls_with_the_bureaus_philosophy() -> None:
    bureau = _rules(evaluator="bureau")
    official = _value("ag_x", (2, 0), _state(theta_d=0.1), bureau)
    cooperative = _value("ag_x", (2, 0), _state(theta_d=0.9), bureau)
    assert official > cooperative
    # a street evaluator's discretion does not read the bureau's philosophy
    street = _rules(evaluator="street")
    assert _value("ag_x", (2, 0), _state(theta_d=0.1), street) == pytest.approx(
        _value("ag_x", (2, 0), _state(theta_d=0.9), street)
    )


def test_only_the_ties_of_the_design_table_exist() -> None:
    ag_i, _, _, ga_i, _, _ = dependence_inputs(_state(), _rules())
    assert set(ag_i) == {(0, 0), (0, 1), (1, 0), (2, 0)}
    assert set(ga_i) == {(0, 0), (0, 1), (1, 0), (2, 1), (2, 2)}


def test_every_input_stays_in_the_unit_interval() -> None:
    rng = np.random.default_rng(0)
    vals = {f: rng.random(500) for f in FIELDS}
    state = DyadState(**vals)
    for rules in (_rules(), _rules(evaluator="bureau", switch_rule="allowed", rater="third_party")):
        for cells in dependence_inputs(state, rules):
            for v in cells.values():
                arr = np.broadcast_to(v, (500,))
                assert (arr >= 0).all()
                assert (arr <= 1).all()
