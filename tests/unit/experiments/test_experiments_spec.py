"""Experiment specifications: parsing, defaults from the model, and bad input."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from resdep.errors import ExperimentSpecError
from resdep.experiments.spec import ExperimentSpec, load_spec, parse_spec

BASE = """
[experiment]
model = "noisy"
seed = 4
replicates = 2

[design]
method = "lhs"
n = 10

[parameters.a]
[parameters.b]
low = 0.2
high = 0.6
[parameters.k]
role = "lever"
[parameters.mode]

[outcomes]
keep = ["y"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_come_from_the_model(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, BASE))
    by_name = {p.name: p for p in spec.parameters}
    assert (by_name["a"].kind, by_name["a"].low, by_name["a"].high) == ("real", 0.0, 1.0)
    assert (by_name["b"].low, by_name["b"].high) == (0.2, 0.6)
    assert by_name["k"].kind == "integer"
    assert by_name["k"].role == "lever"
    assert by_name["mode"].choices == ("plain", "shifted")
    assert spec.outcomes == ("y",)
    assert spec.replicates == 2
    assert spec.seed == 4


def test_round_trip_and_digest(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, BASE))
    again = ExperimentSpec.from_dict(spec.to_dict())
    assert again == spec
    assert again.digest() == spec.digest()
    changed = load_spec(write(tmp_path, BASE.replace("seed = 4", "seed = 5")))
    assert changed.digest() != spec.digest()
    # batch size and analysis settings do not change any run, so not the digest
    batched = load_spec(write(tmp_path, BASE.replace("n = 10", "n = 10\nbatch_size = 3")))
    assert batched.digest() == spec.digest()


def test_ishigami_example_spec_loads() -> None:
    spec = load_spec(Path(__file__).parents[3] / "examples" / "sweeps" / "ishigami.toml")
    assert spec.model == "ishigami"
    assert spec.design.method == "sobol"
    assert [p.low for p in spec.parameters] == [-math.pi] * 3


@pytest.mark.parametrize(
    ("edit", "place", "hint"),
    [
        (("[parameters.a]", "[parameters.aa]"), "[parameters.aa]", "did you mean 'a'?"),
        (('keep = ["y"]', 'keep = ["yy"]'), "[outcomes] keep", "did you mean 'y'?"),
        (("low = 0.2", "low = 0.6"), "[parameters.b]", "make low smaller than high"),
        (("low = 0.2", "low = -1.0"), "[parameters.b]", "keep low and high within [0.0, 1.0]"),
        (('method = "lhs"', 'method = "sobel"'), "[design] method", "did you mean 'sobol'?"),
        (
            ('method = "lhs"\nn = 10', 'method = "sobol"\nn = 100'),
            "[design] n",
            "use n = 64 or n = 128",
        ),
        (('method = "lhs"\nn = 10', 'method = "sobol"\nn = 1'), "[design] n", "use n = 2"),
        (
            ('method = "lhs"\nn = 10', 'method = "morris"\nn = 1'),
            "[design] n",
            "10 to 50 trajectories",
        ),
        (
            ('method = "lhs"\nn = 10', 'method = "morris"\nn = 10\nlevels = 3'),
            "[design] levels",
            "levels = 4",
        ),
        (('method = "lhs"\nn = 10', 'method = "full_factorial"\nn = 10'), "[design] n", "remove n"),
        (('method = "lhs"\nn = 10', 'method = "lhs"'), "[design] n", "add n = 256"),
        (("replicates = 2", "replicates = 0"), "[experiment] replicates", "use 1 or more"),
        (
            ("replicates = 2", "replicate = 2"),
            "[experiment] replicate",
            "did you mean 'replicates'?",
        ),
        (('model = "noisy"', 'model = "noisey"'), "[experiment] model", "did you mean 'noisy'?"),
        (('role = "lever"', 'role = "policy"'), "[parameters.k] role", "write role = 'lever'"),
        (
            ("[parameters.mode]", "[parameters.mode]\nchoices = ['plain', 'other']"),
            "[parameters.mode] choices",
            "use one of the choices: 'plain', 'shifted'",
        ),
        (
            ("n = 10", 'n = 10\nlevers = "cross"\n[fixed]\na = 0.3'),
            "[fixed] a",
            "remove it from [fixed]",
        ),
    ],
)
def test_bad_input_names_place_and_fix(
    tmp_path: Path, edit: tuple[str, str], place: str, hint: str
) -> None:
    old, new = edit
    assert old in BASE
    with pytest.raises(ExperimentSpecError) as info:
        load_spec(write(tmp_path, BASE.replace(old, new, 1)))
    err = info.value
    assert err.place == place
    assert hint in (err.fix or "")
    assert str(tmp_path / "spec.toml") == err.file


def test_malformed_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExperimentSpecError, match="not valid TOML"):
        load_spec(write(tmp_path, "[experiment\nmodel = 'noisy'"))
    with pytest.raises(ExperimentSpecError, match="cannot read"):
        load_spec(tmp_path / "absent.toml")


def test_crossed_real_lever_needs_values() -> None:
    data = {
        "experiment": {"model": "noisy"},
        "design": {"method": "lhs", "n": 4, "levers": "cross"},
        "parameters": {"a": {"role": "lever"}, "b": {}},
    }
    with pytest.raises(ExperimentSpecError, match="no values") as info:
        parse_spec(data)
    assert info.value.fix == "add values = [...] or levels = 3"
    data["parameters"]["a"] = {"role": "lever", "values": [0.1, 0.9]}
    assert parse_spec(data).parameters[0].values == (0.1, 0.9)


def test_model_options_are_checked() -> None:
    with pytest.raises(ExperimentSpecError) as info:
        parse_spec(
            {
                "experiment": {"model": "noisy", "options": {"noise": 1.0}},
                "design": {"n": 2},
                "parameters": {"a": {}},
            }
        )
    assert info.value.fix == "did you mean 'noise_sd'?"
    with pytest.raises(ExperimentSpecError, match="only to model = 'resdep'"):
        parse_spec(
            {
                "experiment": {"model": "noisy", "scale": "case"},
                "design": {"n": 2},
                "parameters": {"a": {}},
            }
        )
