"""The diagnostics read the goal vectors the model itself used for interest alignment."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from resdep.simulate import model as model_module
from resdep.simulate import simulate
from resdep.simulate.model import cosine
from resdep.simulate.output import diagnostics_frame, street_goal_vectors


def _recorded(monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> tuple[Any, np.ndarray]:
    """Run a simulation while recording every street goal matrix the model computes."""
    calls: list[np.ndarray] = []
    original = model_module.street_goals

    def recorder(*args: Any, **kw: Any) -> np.ndarray:
        out = original(*args, **kw)
        calls.append(out.copy())
        return out

    monkeypatch.setattr(model_module, "street_goals", recorder)
    res = simulate(**kwargs)
    assert calls, "the model no longer builds street goal vectors with street_goals"
    return res, calls[-1]  # the final year's dyads, in the order of the dyad tables


@pytest.mark.parametrize(
    "kwargs",
    [
        {"scale": "case", "years": 4, "seed": 2},
        {"scenario": "co_governance", "scale": "case", "years": 3, "seed": 5},
        {"scale": "case", "years": 3, "seed": 1, "overrides": {"w_quality": 0.9}},
    ],
)
def test_diagnostics_goals_are_the_model_s_goals(
    monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, Any]
) -> None:
    res, used = _recorded(monkeypatch, **kwargs)
    assert res.dyads is not None
    assert used.shape == (res.dyads.agency.size, 6)
    ours = street_goal_vectors(res)
    np.testing.assert_allclose(ours, used, rtol=1e-9, atol=1e-12)
    # and the lean of each street is the lean of those goals, computed here by hand
    diag = diagnostics_frame(res)
    lean = diag[diag["measure"] == "task_quality_lean"].set_index("scope")["value"]
    for s in np.unique(res.dyads.street):
        g = used[res.dyads.street == s][0]
        task, quality = g[2] + g[3], g[0] + g[1]
        assert lean[f"street_{s}"] == pytest.approx(task / (task + quality), abs=1e-12)


def test_the_goals_reproduce_the_model_s_interest_alignment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """IA is the cosine of the street's and the agency's goals: with the agency goals the
    model used, the diagnostics' street goals give back the IA in the dyad tables."""
    agency: list[np.ndarray] = []
    original = model_module.agency_goals

    def recorder(*args: Any, **kw: Any) -> np.ndarray:
        out = original(*args, **kw)
        agency.append(out.copy())
        return out

    monkeypatch.setattr(model_module, "agency_goals", recorder)
    res = simulate(scale="case", years=3, seed=7)
    assert res.dyads is not None
    ia = cosine(street_goal_vectors(res), agency[-1])
    np.testing.assert_allclose(ia, res.dyads.ia, atol=1e-9)


def test_goals_differ_from_the_theta_only_goals_when_need_or_pressure_differ() -> None:
    """The old diagnostics used goals from θ and w_q alone; the model's goals also read
    need and mandate pressure, so the two disagree (the check above can fail)."""
    res = simulate(scale="case", years=3, seed=2)
    assert res.dyads is not None
    theta_only = model_module.government_goals(res.dyads.theta, float(res.params["w_quality"]))
    assert not np.allclose(street_goal_vectors(res), theta_only)


def test_goals_undetermined_without_professional_need() -> None:
    """With no professional need the input that carries mandate pressure is 0 whatever
    the pressure: the goals that read it (trouble-free completion, impression) and the
    lean are undetermined (empty), not a number; the others are known."""
    res = simulate(scale="case", years=2, seed=1, overrides={"professional_need": 0.0})
    goals = street_goal_vectors(res)
    assert np.isnan(goals[:, [2, 3]]).all()
    assert np.isfinite(goals[:, [0, 1, 4, 5]]).all()
    diag = diagnostics_frame(res)
    assert diag.loc[diag["measure"] == "task_quality_lean", "value"].isna().all()
    assert diag.loc[diag["measure"] == "philosophy", "value"].notna().all()
