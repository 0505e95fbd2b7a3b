"""Sensitivity analysis: SALib's Ishigami indices reproduced through the whole path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from resdep.errors import ExperimentSpecError
from resdep.experiments.analysis import analyze, seed_noise
from resdep.experiments.executors import ProcessExecutor
from resdep.experiments.runner import run_sweep
from resdep.experiments.spec import parse_spec

PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def ishigami_spec(method: str, n: int) -> dict[str, object]:
    return {
        "experiment": {"model": "ishigami", "seed": 2026},
        "design": {"method": method, "n": n},
        "parameters": {"x1": {}, "x2": {}, "x3": {}},
        "analysis": {"num_resamples": 100, "conf_level": 0.95, "seed": 7},
    }


def test_ishigami_sobol_reproduces_salib(tmp_path: Path) -> None:
    from SALib.analyze import sobol
    from SALib.sample import sobol as sobol_sample
    from SALib.test_functions import Ishigami

    spec = parse_spec(ishigami_spec("sobol", 1024))
    run_sweep(spec, tmp_path / "s", executor=ProcessExecutor(2))
    result = analyze(tmp_path / "s")
    # SALib on its own
    x = sobol_sample.sample(PROBLEM, 1024, calc_second_order=False, scramble=True, seed=2026)
    y = Ishigami.evaluate(x)
    si = sobol.analyze(
        PROBLEM, y, calc_second_order=False, num_resamples=100, conf_level=0.95, seed=7
    )
    table = result.indices.set_index("parameter").loc[["x1", "x2", "x3"]]
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        assert_array_equal(table[key].to_numpy(), np.asarray(si[key]), err_msg=key)
    # and both agree with the analytic values (a = 7, b = 0.1)
    assert_allclose(table["S1"], [0.3139, 0.4424, 0.0], atol=0.05)
    assert_allclose(table["ST"], [0.5576, 0.4424, 0.2437], atol=0.05)
    assert result.method == "sobol"
    assert np.isnan(result.noise["noise_share"]).all()


def test_ishigami_morris_reproduces_salib(tmp_path: Path) -> None:
    from SALib.analyze import morris
    from SALib.sample import morris as morris_sample
    from SALib.test_functions import Ishigami

    run_sweep(parse_spec(ishigami_spec("morris", 30)), tmp_path / "m")
    result = analyze(tmp_path / "m")
    x = morris_sample.sample(PROBLEM, 30, num_levels=4, seed=2026)
    mi = morris.analyze(
        PROBLEM, x, Ishigami.evaluate(x), num_levels=4, num_resamples=100, conf_level=0.95, seed=7
    )
    table = result.indices.set_index("parameter").loc[["x1", "x2", "x3"]]
    for key in ("mu", "mu_star", "mu_star_conf", "sigma"):
        assert_array_equal(table[key].to_numpy(), np.asarray(mi[key], dtype=float), err_msg=key)


def test_seed_noise_share_matches_theory(tmp_path: Path) -> None:
    # y = a + 2b + 0.5 ε with a, b ~ U(0, 1): share = 0.25 / (5/12 + 0.25) = 0.375
    spec = parse_spec(
        {
            "experiment": {"model": "noisy", "seed": 5, "replicates": 4},
            "design": {"method": "sobol", "n": 64},
            "parameters": {"a": {}, "b": {}},
        }
    )
    run_sweep(spec, tmp_path / "n")
    result = analyze(tmp_path / "n")
    noise = result.noise.set_index("outcome")
    assert noise.loc["y", "noise_share"] == pytest.approx(0.375, abs=0.06)
    assert noise.loc["z", "noise_share"] == 0.0
    assert noise.loc["y", "within_var"] == pytest.approx(0.25, rel=0.15)
    # indices are computed on replicate means, where the noise is 4 times smaller
    s1 = result.indices[result.indices["outcome"] == "y"].set_index("parameter")["S1"]
    assert s1["b"] > 2 * s1["a"] > 0


def test_seed_noise_by_hand() -> None:
    share, within, total = seed_noise(np.array([1.0, 3.0, 5.0, 7.0, 2.0, 2.0]), 2)
    # within-point variances 2, 2, 0 → mean 4/3; total variance of the six values
    assert within == pytest.approx(4 / 3)
    assert total == pytest.approx(np.var([1, 3, 5, 7, 2, 2], ddof=1))
    assert share == pytest.approx(within / total)
    assert np.isnan(seed_noise(np.array([1.0, 2.0]), 1)[0])


def test_crossed_levers_give_indices_per_policy(tmp_path: Path) -> None:
    spec = parse_spec(
        {
            "experiment": {"model": "noisy", "seed": 5, "options": {"noise_sd": 0.0}},
            "design": {"method": "sobol", "n": 256, "levers": "cross"},
            "parameters": {"a": {}, "b": {}, "mode": {"role": "lever"}},
        }
    )
    run_sweep(spec, tmp_path / "c")
    result = analyze(tmp_path / "c", outcomes=["y"])
    assert result.policies == {0: {"mode": "plain"}, 1: {"mode": "shifted"}}
    for policy in (0, 1):
        s1 = result.indices[result.indices["policy"] == policy].set_index("parameter")["S1"]
        # y = a + 2b (+1): Var a = 1/12, Var 2b = 4/12 → S1 = 0.2 and 0.8
        assert_allclose(s1[["a", "b"]], [0.2, 0.8], atol=0.05)


def test_constant_outcomes_are_noted_not_analysed(tmp_path: Path) -> None:
    spec = parse_spec(
        {
            "experiment": {"model": "noisy", "seed": 1, "options": {"noise_sd": 0.0}},
            "design": {"method": "sobol", "n": 16},
            "parameters": {"mode": {}},
            "fixed": {"a": 0.0},
        }
    )
    run_sweep(spec, tmp_path / "k")
    result = analyze(tmp_path / "k")
    assert any("z (policy 0): left out, constant" in note for note in result.notes)
    assert set(result.indices["outcome"]) == {"y"}


def test_analysis_refuses_unsuitable_sweeps(tmp_path: Path) -> None:
    run_sweep(parse_spec(ishigami_spec("lhs", 20)), tmp_path / "l")
    with pytest.raises(ExperimentSpecError, match="need a sobol or morris design") as info:
        analyze(tmp_path / "l")
    assert "resdep discover" in (info.value.fix or "")
    run_sweep(parse_spec(ishigami_spec("sobol", 8)), tmp_path / "s", batch_size=5)
    with pytest.raises(ExperimentSpecError, match="did you mean 'y'"):
        analyze(tmp_path / "s", outcomes=["yy"])
    next((tmp_path / "s" / "outcomes").glob("part-*.parquet")).unlink()
    with pytest.raises(ExperimentSpecError, match="incomplete: 5 of 40 runs") as info:
        analyze(tmp_path / "s")
    assert "--resume" in (info.value.fix or "")
