"""The pattern verdicts: thresholds and, on top, a margin of Z standard errors over seeds.

The model is replaced by a stand-in whose per-seed summaries are chosen, so each
verdict can be checked against a case where the bare means pass but the seed-to-seed
spread says the difference could be noise.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from resdep.simulate import SUMMARY_KEYS, patterns
from resdep.simulate.patterns import Z, check_patterns

SEEDS = 6


def _fake(noisy: set[str]) -> object:
    """A stand-in for ``run_summary``; ``noisy`` names differences to drown in noise.

    A noisy difference has a small positive mean (0.01) but swings by ±0.4 from seed to
    seed, so its mean passes a bare comparison while its standard error is ~0.18.
    """

    def swing(seed: int) -> float:
        return 0.41 if seed % 2 == 0 else -0.39  # mean +0.01 over an even number of seeds

    def run_summary(
        params: Mapping[str, float | int | str], *, scale: str, years: int, seed: int
    ) -> dict[str, float]:
        out = dict.fromkeys(SUMMARY_KEYS, 0.5)
        co = params.get("theta_street") == 0.8
        comp = params.get("p_competitive") == 1.0
        wq = float(params.get("w_quality", 0.2))
        out.update(
            {
                "pa_contracting": 0.1,
                "md_min_contracting": 0.8,
                "pa_implementation": -0.5,
                "d_ga_implementation": 0.8,
                "pa_closing": 0.4,
                "d_ag_closing": 0.8,
                "share_buddy": 0.05 if co else 0.9,
                "share_partnership": 0.6 if co else 0.05,
                "welfare_ratio": 0.5,
                "welfare": 0.2 + 0.1 * wq,
                "loss_share_survival": 0.3,
                "loss_share_development": 0.2,
                "staff_growth_development": 0.05,
                "staff_growth_survival": -0.1,
                "smoothing_ratio": 0.9 if comp else 0.5,
            }
        )
        if "P5" in noisy and wq == 0.5:
            out["welfare"] = 0.2 + swing(seed)  # above w_q = 0 on average, by noise only
        if "P6" in noisy:
            out["loss_share_survival"] = 0.2 + swing(seed)
        if "P7" in noisy and comp:
            out["smoothing_ratio"] = 0.5 + 0.05 + swing(seed)
        return out

    return run_summary


def _verdicts(
    monkeypatch: pytest.MonkeyPatch, noisy: set[str]
) -> dict[str, patterns.PatternResult]:
    monkeypatch.setattr(patterns, "run_summary", _fake(noisy))
    rows = check_patterns(scale="case", seeds=SEEDS, years=4, reversals=False)
    return {r.pattern: r for r in rows}


def test_clear_differences_hold_and_print_their_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _verdicts(monkeypatch, set())
    assert all(r.holds for r in rows.values()), [r.figure for r in rows.values() if not r.holds]
    for r in rows.values():
        assert " se" in r.figure, r.figure


@pytest.mark.parametrize("pattern", ["P5", "P6", "P7"])
def test_a_difference_within_the_noise_does_not_hold(
    monkeypatch: pytest.MonkeyPatch, pattern: str
) -> None:
    rows = _verdicts(monkeypatch, {pattern})
    assert rows[pattern].holds is False, rows[pattern].figure
    assert all(r.holds for p, r in rows.items() if p != pattern)
    # the bare means still point the right way: only the standard error rejects it
    v = rows[pattern].values
    if pattern == "P5":
        assert v["welfare_wq0"] < v["welfare_wq05"] < v["welfare_wq1"]
    elif pattern == "P6":
        assert v["loss_survival"] > v["loss_development"]
    else:
        assert v["ratio_competitive"] > v["ratio_baseline"] + 0.05


def test_a_mean_close_to_its_threshold_does_not_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _fake(set())

    def near(
        params: Mapping[str, float | int | str], *, scale: str, years: int, seed: int
    ) -> dict[str, float]:
        out = fake(params, scale=scale, years=years, seed=seed)  # type: ignore[operator]
        # |PA| at contracting is 0.19 on average (below θ_PI = 0.2) but swings by ±0.05
        out["pa_contracting"] = 0.19 + (0.05 if seed % 2 == 0 else -0.05)
        return out  # type: ignore[no-any-return]

    monkeypatch.setattr(patterns, "run_summary", near)
    rows = {
        r.pattern: r for r in check_patterns(scale="case", seeds=SEEDS, years=4, reversals=False)
    }
    assert rows["P1"].values["pa"] == pytest.approx(0.19)
    assert rows["P1"].holds is False
    assert Z == 2.0


def _reversal_fake(r1_closing_pa: float, r2_share: float, official_low_buddy: float) -> object:
    """A stand-in whose reversal conditions are recognised by their institutions."""
    base = _fake(set())

    def run_summary(
        params: Mapping[str, float | int | str], *, scale: str, years: int, seed: int
    ) -> dict[str, float]:
        out = dict(base(params, scale=scale, years=years, seed=seed))  # type: ignore[operator]
        jitter = 0.001 * (seed % 3)
        out["share_government_dominant_closing"] = 0.8
        out["share_agency_dominant_implementation"] = 0.9
        if params.get("evaluator") == "third_party":  # R1
            out["pa_closing"] = r1_closing_pa + jitter
            out["share_government_dominant_closing"] = 0.1 + jitter
        if params.get("switch_rule") == "allowed":  # R2
            out["share_agency_dominant_implementation"] = r2_share + jitter
        buddy = 0.6
        if params.get("policy_push") == 0.8 or params.get("w_quality") == 0.8:
            buddy = 0.3
        if params.get("nongov_share") == 0.6:
            buddy = 0.5
        if params.get("theta_street") == 0.1:
            buddy = official_low_buddy if params.get("mandate_level") == 0.5 else 0.95
        out["share_buddy"] = buddy + jitter
        return out

    return run_summary


@pytest.mark.parametrize(
    ("r1", "r2", "low", "failing"),
    [
        (0.05, 0.2, 0.4, set()),
        (0.35, 0.2, 0.4, {"R1"}),  # closing PA still beyond θ_PI
        (0.05, 0.7, 0.4, {"R2"}),  # most dyads still agency dominant at implementation
        (0.05, 0.2, 0.95, {"R3"}),  # official philosophy alone still makes every dyad buddy
    ],
)
def test_reversal_verdicts(
    monkeypatch: pytest.MonkeyPatch, r1: float, r2: float, low: float, failing: set[str]
) -> None:
    monkeypatch.setattr(patterns, "run_summary", _reversal_fake(r1, r2, low))
    rows = {r.pattern: r for r in check_patterns(scale="case", seeds=SEEDS, years=4)}
    got = {p for p in ("R1", "R2", "R3") if not rows[p].holds}
    assert got == failing, {p: rows[p].figure for p in ("R1", "R2", "R3")}
