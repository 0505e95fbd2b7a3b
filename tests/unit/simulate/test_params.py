"""Scenario files and typed parameters: names, kinds, ranges and the memory guard."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from resdep.errors import InputError, ScenarioError
from resdep.simulate import PARAMETERS, ParamInfo, list_scenarios, load_scenario, parameter_space
from resdep.simulate.params import SCALES, coerce_value, resolve_params, resolve_scale

REQUIRED = {
    "baseline",
    "co_governance",
    "competitive",
    "quality_evaluation",
    "multi_year_contracts",
    "volatile_budgets",
}


def test_bundled_scenarios_have_descriptions_and_valid_parameters() -> None:
    found = {s.name: s for s in list_scenarios()}
    assert set(found) >= REQUIRED
    assert next(iter(found)) == "baseline"
    assert found["baseline"].changes == {}  # the baseline is the defaults
    for sc in found.values():
        assert sc.description
        assert "\n" not in sc.description
        for key, value in sc.changes.items():
            assert key in PARAMETERS
            assert coerce_value(key, value) == value


def test_scenarios_change_what_their_name_says() -> None:
    base = resolve_params("baseline")
    assert resolve_params("competitive")["p_competitive"] == 1.0
    assert resolve_params("quality_evaluation")["w_quality"] > base["w_quality"]
    assert resolve_params("multi_year_contracts")["contract_years"] == 3
    assert resolve_params("volatile_budgets")["sigma_budget"] > base["sigma_budget"]
    co = resolve_params("co_governance")
    assert co["theta_street"] > base["theta_street"]
    assert co["w_quality"] > base["w_quality"]


def test_parameter_space_contract() -> None:
    space = parameter_space()
    assert set(space) == set(PARAMETERS)
    for name, info in space.items():
        assert isinstance(info, ParamInfo)
        assert dataclasses.is_dataclass(info)
        assert info.doc, name
        if info.kind == "categorical":
            assert info.default in info.choices
        else:
            assert info.low is not None
            assert info.high is not None
            assert info.low <= float(info.default) <= info.high, name
    with pytest.raises(dataclasses.FrozenInstanceError):
        space["w_quality"].default = 0.3  # type: ignore[misc]
    assert parameter_space("competitive")["p_competitive"].default == 1.0
    assert space["contract_years"].kind == "integer"
    assert space["evaluator"].choices == ("street", "bureau", "third_party")
    assert space["switch_rule"].choices == ("forbidden", "allowed")
    assert space["rater"].choices == ("bureau", "third_party")


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("w_qualty", "0.5", "did you mean 'w_quality'"),
        ("w_quality", "1.5", "out of range"),
        ("w_quality", "high", "not a number"),
        ("w_quality", "nan", "not a number"),
        ("contract_years", "2.5", "whole number"),
        ("contract_years", "0", "out of range"),
        ("evaluator", "thirdparty", "did you mean 'third_party'"),
    ],
)
def test_bad_values_name_the_place_and_the_fix(key: str, value: str, needle: str) -> None:
    with pytest.raises(ScenarioError) as err:
        resolve_params("baseline", {key: value})
    assert isinstance(err.value, InputError)
    assert needle in str(err.value)
    assert err.value.place == f"--set {key}"
    assert err.value.fix


def test_set_values_are_typed() -> None:
    p = resolve_params(
        "baseline", {"contract_years": "3", "sigma_budget": "0.4", "evaluator": "third_party"}
    )
    assert p["contract_years"] == 3
    assert isinstance(p["contract_years"], int)
    assert p["sigma_budget"] == 0.4
    assert isinstance(p["sigma_budget"], float)
    assert p["evaluator"] == "third_party"


def test_unknown_scenario_and_scale_suggest_the_closest() -> None:
    with pytest.raises(ScenarioError, match="did you mean 'competitive'"):
        load_scenario("competitve")
    with pytest.raises(ScenarioError, match="did you mean 'shanghai'"):
        resolve_scale("shangai", resolve_params())


def test_scenario_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('description = "x"\n[parameters]\np_competitve = 0.5\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(bad))
    assert err.value.file == str(bad)
    assert "did you mean 'p_competitive'" in str(err.value)
    nodesc = tmp_path / "nodesc.toml"
    nodesc.write_text("[parameters]\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="missing description"):
        load_scenario(str(nodesc))
    broken = tmp_path / "broken.toml"
    broken.write_text("description = \n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(str(broken))
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(str(tmp_path / "missing.toml"))
    good = tmp_path / "mine.toml"
    good.write_text('description = "mine"\n[parameters]\nw_quality = 0.6\n', encoding="utf-8")
    assert resolve_params(str(good))["w_quality"] == 0.6


def test_memory_guard_refuses_before_starting() -> None:
    p = resolve_params()
    assert SCALES["china"].estimated_bytes() < 2 * 1024**3
    with pytest.raises(ScenarioError, match="needs about"):
        resolve_scale("china", {**p, "n_committees": 50_000_000})
    with pytest.raises(ScenarioError, match="streets ≤ committees"):
        resolve_scale("case", {**p, "n_streets": 10})
    big = resolve_scale("case", {**p, "n_committees": 60, "n_agencies": 9})
    assert (big.committees, big.agencies, big.streets) == (60, 9, 1)
