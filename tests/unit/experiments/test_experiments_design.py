"""Designs and seeds: SALib's samples, factorials, crossed levers, SeedSequence seeds."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from resdep.experiments.design import build_design, run_seed, run_seeds
from resdep.experiments.spec import Parameter, parse_spec


def ishigami(method: str, n: int, **design: object) -> dict[str, object]:
    return {
        "experiment": {"model": "ishigami", "seed": 11},
        "design": {"method": method, "n": n, **design},
        "parameters": {"x1": {}, "x2": {}, "x3": {}},
    }


def test_sobol_design_is_salibs_sample() -> None:
    from SALib.sample import sobol

    d = build_design(parse_spec(ishigami("sobol", 64)))
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    assert_array_equal(
        d.x, sobol.sample(problem, 64, calc_second_order=False, scramble=True, seed=11)
    )
    assert d.n_runs == 64 * 5
    second = build_design(parse_spec(ishigami("sobol", 64, second_order=True)))
    assert second.n_runs == 64 * 8


def test_morris_design_is_salibs_sample() -> None:
    from SALib.sample import morris

    d = build_design(parse_spec(ishigami("morris", 10, seed=3)))
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    assert_array_equal(d.x, morris.sample(problem, 10, num_levels=4, seed=3))


def test_latin_hypercube_has_one_point_per_stratum() -> None:
    d = build_design(parse_spec(ishigami("lhs", 40)))
    strata = np.floor((d.x + np.pi) / (2 * np.pi) * 40).astype(int)
    for j in range(3):
        assert sorted(strata[:, j]) == list(range(40))


def test_full_factorial_and_typed_values() -> None:
    spec = parse_spec(
        {
            "experiment": {"model": "noisy", "replicates": 3},
            "design": {"method": "full_factorial", "levels": 3},
            "parameters": {"a": {}, "k": {"low": 1, "high": 2}, "mode": {}},
        }
    )
    d = build_design(spec)
    assert d.n_points == 3 * 2 * 2
    assert d.n_runs == 36
    assert {p["a"] for p in d.points} == {0.0, 0.5, 1.0}
    assert {p["k"] for p in d.points} == {1, 2}
    assert all(isinstance(p["k"], int) for p in d.points)
    assert {p["mode"] for p in d.points} == {"plain", "shifted"}
    table = d.table(spec.seed)
    assert table["run"].tolist() == list(range(36))
    assert (table["point"] == table["run"] // 3).all()


def test_crossed_levers_repeat_the_sample_per_policy() -> None:
    spec = parse_spec(
        {
            "experiment": {"model": "noisy", "seed": 2},
            "design": {"method": "sobol", "n": 8, "levers": "cross"},
            "parameters": {"a": {}, "b": {}, "mode": {"role": "lever"}},
            "fixed": {"k": 3},
        }
    )
    d = build_design(spec)
    assert d.n_points == 2 * 8 * 4
    assert [p.name for p in d.sampled] == ["a", "b"]
    first = [p for p, pol in zip(d.points, d.policy, strict=True) if pol == 0]
    second = [p for p, pol in zip(d.points, d.policy, strict=True) if pol == 1]
    assert {p["mode"] for p in first} == {"plain"}
    assert {p["mode"] for p in second} == {"shifted"}
    assert [(p["a"], p["b"]) for p in first] == [(p["a"], p["b"]) for p in second]
    assert all(p["k"] == 3 for p in d.points)


def test_integer_and_categorical_decoding_covers_every_value() -> None:
    spec = parse_spec(
        {
            "experiment": {"model": "noisy", "seed": 9},
            "design": {"method": "lhs", "n": 60},
            "parameters": {"k": {"low": 0, "high": 5}, "mode": {}},
        }
    )
    d = build_design(spec)
    ks = [p["k"] for p in d.points]
    assert set(ks) == set(range(6))
    assert all(ks.count(v) == 10 for v in range(6))
    modes = [p["mode"] for p in d.points]
    assert modes.count("plain") == modes.count("shifted") == 30


def test_seeds_are_spawned_children() -> None:
    children = np.random.SeedSequence(123).spawn(5)
    expected = [int(c.generate_state(1, dtype=np.uint64)[0]) for c in children]
    assert run_seeds(123, 5) == expected
    assert [run_seed(123, r) for r in range(5)] == expected
    assert len(set(run_seeds(123, 1000))) == 1000


@given(
    low=st.integers(-50, 50),
    width=st.integers(0, 20),
    u=st.floats(0.0, 1.0, exclude_max=True),
)
def test_integer_decoding_stays_in_range_and_is_uniform_on_the_coded_interval(
    low: int, width: int, u: float
) -> None:
    if width == 0:
        return
    p = Parameter(name="k", kind="integer", low=low, high=low + width)
    lo, hi = p.bounds()
    value = p.decode(lo + u * (hi - lo))
    assert isinstance(value, int)
    assert low <= value <= low + width
    # each integer owns an interval of length 1 of the coded space
    assert (
        value == low + int(u * (width + 1)) or abs(u * (width + 1) - round(u * (width + 1))) < 1e-9
    )
