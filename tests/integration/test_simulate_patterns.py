"""Pattern-oriented validation (design section 7): P1–P7, reversals R1–R3, and the levers.

Every figure comes from running the model over many seeds; nothing is stored. The
mechanism tests take a mechanism away by changing an institution rule or the state it
reads (never by zeroing a constant) and check that the pattern it is meant to produce
goes away, so that a broken mechanism cannot pass as a pattern.
"""

from __future__ import annotations

import numpy as np
import pytest

from resdep.simulate import check_patterns, run_summary

SEEDS = 10
YEARS = 20  # the default horizon of `resdep simulate` and `resdep patterns`


def _verdicts(**overrides: float | int | str) -> dict[str, bool]:
    rows = check_patterns(
        scale="shanghai", seeds=6, years=YEARS, overrides=overrides, reversals=False
    )
    return {r.pattern: r.holds for r in rows}


@pytest.mark.slow
def test_all_patterns_and_reversals_hold_at_shanghai_scale() -> None:
    rows = check_patterns(scale="shanghai", seeds=SEEDS, years=YEARS)
    failed = [f"{r.pattern}: {r.figure}" for r in rows if not r.holds]
    assert not failed, failed
    vals = {r.pattern: r.values for r in rows}
    # the stage-wise founding pattern
    assert vals["P2"]["pa"] < -0.3
    assert vals["P3"]["pa"] > 0.2
    # R1 and R2 move the stage states, not only the means
    assert vals["R1"]["share_gd_closing"] < vals["R1"]["baseline_share_gd_closing"] - 0.2
    assert vals["R2"]["share_ad_implementation"] < vals["R2"]["baseline"] - 0.3


@pytest.mark.slow
def test_patterns_hold_on_other_seeds() -> None:
    rows = check_patterns(scale="shanghai", seeds=4, years=YEARS, seed_start=100, reversals=False)
    failed = [f"{r.pattern}: {r.figure}" for r in rows if not r.holds]
    assert not failed, failed


@pytest.mark.slow
@pytest.mark.parametrize(
    ("rule", "pattern"),
    [
        # a running project's provider can be changed cheaply in a thick market:
        # the street is no longer locked in during implementation
        (
            {"switch_rule": "allowed", "switch_cost": 0.0, "staff_slack": 2.0},
            "P2",
        ),
        # a third party evaluates quality: the government side's verdict no longer
        # decides renewal
        ({"evaluator": "third_party", "w_quality": 0.8}, "P3"),
        # all purchase competitive: no relational contracts to smooth budget shocks or to
        # take at a loss
        ({"p_competitive": 1.0}, "P7"),
        ({"p_competitive": 1.0}, "P6"),
    ],
)
def test_changing_the_institution_behind_a_pattern_breaks_it(
    rule: dict[str, float | str], pattern: str
) -> None:
    assert _verdicts(**rule)[pattern] is False


@pytest.mark.slow
def test_without_administrative_push_welfare_no_longer_depends_on_evaluation() -> None:
    # state, not a constant: co-operative officials (θ = 1, held there: no drift, no
    # turnover) push no administrative work onto agencies, and agencies do not add
    # compliance work of their own (behaviour), so trouble-free evaluation costs no welfare
    v = _verdicts(
        theta_street=1.0,
        theta_district=1.0,
        philosophy_adapt=0.0,
        turnover=0.0,
        gamma_eval=0.0,
    )
    assert v["P5"] is False


def _many(scenario: str = "baseline", **params: float | int | str) -> dict[str, np.ndarray]:
    runs = [
        run_summary(params, scenario=scenario, scale="shanghai", years=YEARS, seed=s)
        for s in range(SEEDS)
    ]
    return {k: np.array([r[k] for r in runs]) for k in runs[0]}


@pytest.mark.slow
def test_quality_weighted_evaluation_raises_welfare() -> None:
    base, qual = _many(), _many("quality_evaluation")
    diff = qual["welfare"] - base["welfare"]  # paired by seed
    assert diff.mean() > 0.02
    assert (diff > 0).all()
    assert qual["welfare_ratio"].mean() > base["welfare_ratio"].mean() + 0.05


@pytest.mark.slow
def test_all_competitive_purchase_shrinks_the_smoothing_of_budget_shocks() -> None:
    base, comp = _many(), _many("competitive")
    # smoothing = 1 - CV(task completion)/CV(budget); competition makes tasks follow budgets
    assert (1 - comp["smoothing_ratio"]).mean() < (1 - base["smoothing_ratio"]).mean() - 0.1
    assert comp["relational_share"].mean() < 0.05 < 0.6 < base["relational_share"].mean()


@pytest.mark.slow
def test_co_governance_lowers_the_buddy_share_and_formalisation() -> None:
    base, co = _many(), _many("co_governance")
    assert co["share_buddy"].mean() < base["share_buddy"].mean() - 0.2
    assert co["formalization"].mean() < base["formalization"].mean()
    assert co["gp_mean"].mean() > base["gp_mean"].mean() + 0.2


@pytest.mark.slow
def test_independent_agencies_weaken_the_governments_closing_advantage() -> None:
    base, ind = _many(), _many("independent_agencies")
    # diversified funding, third-party evaluation and rating, an open market
    assert ind["pa_closing"].mean() < base["pa_closing"].mean() - 0.1
    assert (
        ind["share_government_dominant_closing"].mean()
        < base["share_government_dominant_closing"].mean() - 0.2
    )
