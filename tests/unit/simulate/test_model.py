"""The model's invariants: determinism, named streams, ranges, accounting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resdep.classify import classify_dyads
from resdep.dependence import noisy_or, resource_dependence
from resdep.simulate import SUMMARY_KEYS, run_summary, simulate
from resdep.simulate.model import OUTCOME_COLUMNS, Model
from resdep.simulate.params import PARAMETERS, SCALES, resolve_params

SECTION_11 = [
    "pa_contracting",
    "pa_implementation",
    "pa_closing",
    "md_min_contracting",
    "md_min_implementation",
    "md_min_closing",
    "share_partnership",
    "share_buddy",
    "share_transactional",
    "welfare",
    "welfare_ratio",
    "task_completion",
    "budget_index",
    "survival",
    "staff",
    "hhi",
    "relational_share",
    "formalization",
    "autonomy",
]


def test_same_seed_same_result_other_seed_other_result() -> None:
    a = simulate(scale="shanghai", years=5, seed=11).outcomes
    b = simulate(scale="shanghai", years=5, seed=11).outcomes
    c = simulate(scale="shanghai", years=5, seed=12).outcomes
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["welfare"], c["welfare"])


def test_outcome_columns_cover_section_11() -> None:
    out = simulate(years=3, seed=0).outcomes
    assert set(SECTION_11) <= set(out.columns)
    assert list(out.columns) == list(OUTCOME_COLUMNS)
    assert list(out["year"]) == [1, 2, 3]


def test_run_summary_contract() -> None:
    s = run_summary(
        {"p_competitive": 0.5, "contract_years": 2, "evaluator": "third_party"},
        scale="case",
        years=6,
        seed=4,
    )
    assert tuple(s) == SUMMARY_KEYS
    assert set(SECTION_11) <= set(s)
    assert all(isinstance(v, float) for v in s.values())
    assert s == run_summary(
        {"p_competitive": 0.5, "contract_years": 2, "evaluator": "third_party"},
        scale="case",
        years=6,
        seed=4,
    )


def test_a_lever_does_not_reshuffle_other_streams() -> None:
    # budgets come from their own stream: changing purchase mode leaves them alone
    a = simulate(scale="shanghai", years=6, seed=5).outcomes
    b = simulate(scale="shanghai", years=6, seed=5, overrides={"p_competitive": 0.9}).outcomes
    np.testing.assert_allclose(a["budget_index"], b["budget_index"])
    assert not np.allclose(a["relational_share"], b["relational_share"])


def test_stage_means_are_the_shared_code_applied_to_the_dyads() -> None:
    res = simulate(scale="shanghai", years=3, seed=2)
    t = res.dyads
    assert t is not None
    d_ag = noisy_or(np.where(t.ag_i > 0, resource_dependence(t.ag_i, t.ag_s, t.ag_x), 0.0), axis=-1)
    np.testing.assert_allclose(d_ag, t.d_ag)
    ind = classify_dyads(t.d_ag, t.d_ga, t.gp, t.ia)
    np.testing.assert_array_equal(ind.label, t.label)
    last = res.outcomes.iloc[-1]
    assert last["pa_closing"] == pytest.approx(float((t.d_ag - t.d_ga)[:, 2].mean()))
    assert last["share_buddy"] == pytest.approx(float((t.label == 1).mean()))
    assert last["n_dyads"] == t.agency.size


def test_accounting_identities() -> None:
    m = Model(resolve_params(), SCALES["shanghai"], seed=3)
    for _ in range(6):
        row = m.step()
        shares = row["share_partnership"] + row["share_buddy"] + row["share_transactional"]
        assert shares == pytest.approx(1.0)
        assert 0 <= row["welfare"] <= row["welfare"] / max(row["welfare_ratio"], 1e-9) + 1e-9
        # every contract belongs to a living agency of the committee's district
        inc = m.incumbent[m.incumbent >= 0]
        assert m.alive[inc].all()
        held = m.incumbent >= 0
        np.testing.assert_array_equal(
            m.agency_district[m.incumbent[held]], m.committee_district[held]
        )
        assert (m.w_gov[m.alive] > 0).all()
        assert (m.w_gov[~m.alive] == 0).all()


_reals = {
    k: v for k, v in PARAMETERS.items() if v.kind == "real" and not k.startswith(("n_", "max_"))
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_valid_parameters_give_outcomes_in_range(data: st.DataObject) -> None:
    keys = data.draw(st.lists(st.sampled_from(sorted(_reals)), min_size=1, max_size=6, unique=True))
    params: dict[str, float | int | str] = {
        k: data.draw(st.floats(_reals[k].low, _reals[k].high, allow_nan=False))
        for k in keys  # type: ignore[arg-type]
    }
    params["contract_years"] = data.draw(st.integers(1, 5))
    params["evaluator"] = data.draw(st.sampled_from(["street", "bureau", "third_party"]))
    params["switch_rule"] = data.draw(st.sampled_from(["forbidden", "allowed"]))
    params["rater"] = data.draw(st.sampled_from(["bureau", "third_party"]))
    out = simulate(years=4, seed=data.draw(st.integers(0, 10**6)), overrides=params).outcomes
    quant = [c for c in out.columns if "_q" in c]
    assert np.isfinite(out.drop(columns=["year", *quant]).to_numpy()).all()
    # PA quantiles are undefined (NaN) exactly in years without dyads, and ordered otherwise
    with_dyads = out["n_dyads"] > 0
    assert np.isfinite(out.loc[with_dyads, quant].to_numpy()).all()
    assert out.loc[~with_dyads, quant].isna().all().all()
    for stage in ("contracting", "implementation", "closing"):
        qs = out.loc[with_dyads, [f"pa_{stage}_q{q:02d}" for q in (5, 25, 50, 75, 95)]]
        assert (qs.diff(axis=1).iloc[:, 1:] >= -1e-12).all().all()
    for col in (
        "welfare",
        "welfare_ratio",
        "task_completion",
        "survival",
        "share_buddy",
        "hhi",
        "relational_share",
        "formalization",
        "autonomy",
        "md_min_closing",
    ):
        assert out[col].between(0.0, 1.0 + 1e-9).all(), col
    for col in ("pa_contracting", "pa_implementation", "pa_closing"):
        assert out[col].between(-1.0, 1.0).all()


def test_multi_year_contracts_renew_less_often() -> None:
    one = simulate(scale="shanghai", years=9, seed=1)
    three = simulate("multi_year_contracts", scale="shanghai", years=9, seed=1)
    # with three-year contracts only a third of the contracts reach renewal each year, so less
    # is at stake at closing and the government's advantage there is smaller
    assert three.outcomes["pa_closing"].iloc[3:].mean() < one.outcomes["pa_closing"].iloc[3:].mean()
