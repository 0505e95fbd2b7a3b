"""Known answers for the buddy rule (design section 5): "and" (the study's) and "or"."""

from __future__ import annotations

import math

import pytest
from numpy.testing import assert_allclose

from resdep.classify import ClassifyParams, classify_dyads, memberships


def _mu(x: float) -> float:
    # Ragin's direct calibration with the symmetric anchors 0.2 / 0.5 / 0.8, by hand
    lo = 3 * (x - 0.5) / 0.3
    return 1 / (1 + math.exp(-lo))


def test_and_rule_needs_both_official_philosophy_and_diverging_interests() -> None:
    # RI 0.7, GP 0.2 (official-centred), IA 0.9 (aligned interests), dep 0.9
    # μ_GP = 1/(1+e^3) ≈ 0.0474, μ_IA = μ_dep = 1/(1+e^-4) ≈ 0.9820
    # and: min(0.9820, 1 − 0.0474, 1 − 0.9820) = 0.0180  (interests aligned: no buddy)
    # or:  min(0.9820, max(0.9526, 0.0180)) = 0.9526
    mu_gp, mu_ia, mu_dep = 1 / (1 + math.exp(3)), 1 / (1 + math.exp(-4)), 1 / (1 + math.exp(-4))
    _, mb_and = memberships(0.7, 0.2, 0.9, 0.9)
    _, mb_or = memberships(0.7, 0.2, 0.9, 0.9, ClassifyParams(buddy_rule="or"))
    assert_allclose(mb_and, min(mu_dep, 1 - mu_gp, 1 - mu_ia))
    assert_allclose(mb_and, 0.0180, atol=5e-5)
    assert_allclose(mb_or, min(mu_dep, max(1 - mu_gp, 1 - mu_ia)))
    assert_allclose(mb_or, 0.9526, atol=5e-5)


def test_both_rules_agree_when_philosophy_and_interests_both_diverge() -> None:
    # GP 0.2, IA 0.3, dep 0.9: μ_GP ≈ 0.0474, μ_IA = 1/(1+e^2) ≈ 0.1192
    # and: min(0.9820, 0.9526, 0.8808) = 0.8808;  or: min(0.9820, 0.9526) = 0.9526
    _, mb_and = memberships(0.7, 0.2, 0.3, 0.9)
    _, mb_or = memberships(0.7, 0.2, 0.3, 0.9, ClassifyParams(buddy_rule="or"))
    assert_allclose(mb_and, 1 - 1 / (1 + math.exp(2)))
    assert_allclose(mb_or, 1 - 1 / (1 + math.exp(3)))
    assert_allclose([_mu(0.3), _mu(0.2)], [1 / (1 + math.exp(2)), 1 / (1 + math.exp(3))])


def test_classify_dyads_labels_follow_the_rule() -> None:
    # one stage, D_ag 0.9, D_ga 0.9 → RI 0.9, dep 0.9; GP 0.2, IA 0.9
    # and: μ_buddy ≈ 0.018, μ_partnership = min(0.982, 0.047, 0.982) = 0.047 → transactional
    # or:  μ_buddy ≈ 0.953 > 0.5 → buddy
    out_and = classify_dyads([[0.9]], [[0.9]], [0.2], [0.9])
    out_or = classify_dyads([[0.9]], [[0.9]], [0.2], [0.9], ClassifyParams(buddy_rule="or"))
    assert int(out_and.label[0]) == 2
    assert int(out_or.label[0]) == 1


@pytest.mark.parametrize("bad", ["AND", "xor", "", "both"])
def test_unknown_buddy_rule_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="buddy_rule"):
        ClassifyParams(buddy_rule=bad)  # type: ignore[arg-type]
