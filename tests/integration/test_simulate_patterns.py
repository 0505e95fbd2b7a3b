"""Pattern-oriented validation (design section 7) and the policy levers.

Every figure comes from running the model over many seeds; nothing is stored. Each
mechanism test switches one mechanism off and checks that the pattern it is meant to
produce goes away, so that a broken mechanism cannot pass as a pattern.
"""

from __future__ import annotations

import numpy as np
import pytest

from resdep.simulate import check_patterns, run_summary

SEEDS = 10
YEARS = 14


def _verdicts(**overrides: float | int | str) -> dict[str, bool]:
    rows = check_patterns(scale="shanghai", seeds=6, years=12, overrides=overrides)
    return {r.pattern: r.holds for r in rows}


def test_all_patterns_hold_at_shanghai_scale() -> None:
    rows = check_patterns(scale="shanghai", seeds=SEEDS, years=YEARS)
    failed = [f"{r.pattern}: {r.figure}" for r in rows if not r.holds]
    assert not failed, failed
    vals = {r.pattern: r.values for r in rows}
    # the stage-wise founding pattern, with room to spare
    assert vals["P2"]["pa"] < -0.3
    assert vals["P3"]["pa"] > 0.25


@pytest.mark.parametrize(
    ("off", "pattern"),
    [
        ({"push_base": 0.0, "gamma_eval": 0.0}, "P5"),  # no administrative push: welfare at reach
        ({"relational_value": 0.0}, "P7"),  # no relational contract: no smoothing
        ({"relational_value": 0.0}, "P6"),  # ... and no loss-making projects taken
        ({"switch_alternatives": 0.9}, "P2"),  # easy switching mid-project
        ({"x_evaluation": 0.0}, "P3"),  # evaluation decides nothing
    ],
)
def test_switching_a_mechanism_off_breaks_its_pattern(off: dict[str, float], pattern: str) -> None:
    assert _verdicts(**off)[pattern] is False


def _many(scenario: str = "baseline", **params: float | int | str) -> dict[str, np.ndarray]:
    runs = [
        run_summary(params, scenario=scenario, scale="shanghai", years=YEARS, seed=s)
        for s in range(SEEDS)
    ]
    return {k: np.array([r[k] for r in runs]) for k in runs[0]}


def test_quality_weighted_evaluation_raises_welfare() -> None:
    base, qual = _many(), _many("quality_evaluation")
    diff = qual["welfare"] - base["welfare"]  # paired by seed
    assert diff.mean() > 0.02
    assert (diff > 0).all()
    assert qual["welfare_ratio"].mean() > base["welfare_ratio"].mean() + 0.05


def test_all_competitive_purchase_shrinks_the_smoothing_of_budget_shocks() -> None:
    base, comp = _many(), _many("competitive")
    # smoothing = 1 - CV(task completion)/CV(budget); competition makes tasks follow budgets
    assert (1 - comp["smoothing_ratio"]).mean() < (1 - base["smoothing_ratio"]).mean() - 0.2
    assert comp["relational_share"].mean() < 0.05 < 0.6 < base["relational_share"].mean()


def test_co_governance_raises_the_partnership_share() -> None:
    base, co = _many(), _many("co_governance")
    assert co["share_partnership"].mean() > base["share_partnership"].mean() + 0.2
    assert co["share_buddy"].mean() < base["share_buddy"].mean() - 0.5
    assert co["formalization"].mean() < base["formalization"].mean()


def test_the_founding_pattern_weakens_where_theory_says() -> None:
    base, ind = _many(), _many("independent_agencies")
    # diversified funding, third-party evaluation and an open market: less government power at
    # closing and less interdependence at contracting
    assert ind["pa_closing"].mean() < base["pa_closing"].mean() - 0.05
    assert ind["md_min_contracting"].mean() < base["md_min_contracting"].mean()
