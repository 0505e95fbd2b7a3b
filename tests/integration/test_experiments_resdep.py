"""Sweeps of the real simulation (``resdep.simulate.run_summary``), at the small case scale."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

import resdep.simulate
from resdep.errors import ExperimentSpecError
from resdep.experiments.analysis import analyze
from resdep.experiments.executors import ProcessExecutor
from resdep.experiments.report import discover
from resdep.experiments.runner import replay, run_sweep
from resdep.experiments.spec import load_spec, parse_spec
from resdep.experiments.store import ResultStore

EXAMPLES = Path(__file__).parents[2] / "examples" / "sweeps"


def small(method: str = "lhs", n: int = 6, **experiment: object) -> dict[str, object]:
    return {
        "experiment": {
            "model": "resdep",
            "scale": "case",
            "years": 6,
            "seed": 3,
            "replicates": 2,
            **experiment,
        },
        "design": {"method": method, "n": n},
        "parameters": {"p_competitive": {}, "contract_years": {}, "evaluator": {}},
        "outcomes": {"keep": ["share_buddy", "share_partnership", "welfare_ratio", "survival"]},
    }


def test_simulation_sweep_is_identical_across_executors_and_replays(tmp_path: Path) -> None:
    spec = parse_spec(small())
    run_sweep(spec, tmp_path / "seq")
    run_sweep(spec, tmp_path / "proc", executor=ProcessExecutor(2), batch_size=2)
    seq = ResultStore(tmp_path / "seq").results()
    pd.testing.assert_frame_equal(seq, ResultStore(tmp_path / "proc").results())
    assert len(seq) == 12
    assert set(seq["evaluator"]) <= {"street", "bureau", "third_party"}
    assert seq["contract_years"].between(1, 5).all()
    # the stored outcomes are exactly what run_summary gives for the recorded seed
    row = seq.iloc[3]
    params = {
        "p_competitive": row["p_competitive"],
        "contract_years": int(row["contract_years"]),
        "evaluator": row["evaluator"],
    }
    direct = resdep.simulate.run_summary(params, scale="case", years=6, seed=int(row["seed"]))
    assert {k: row[k] for k in ("share_buddy", "welfare_ratio")} == {
        k: direct[k] for k in ("share_buddy", "welfare_ratio")
    }
    assert replay(tmp_path / "seq", sample=3).ok


def test_sobol_on_the_simulation_reports_indices_and_seed_noise(tmp_path: Path) -> None:
    spec = parse_spec(small("sobol", 8))
    run_sweep(spec, tmp_path / "s")
    result = analyze(tmp_path / "s")
    analysed = set(result.indices["outcome"])
    assert analysed  # outcomes that are constant or have NaN runs are noted instead
    assert set(result.indices["parameter"]) == {"p_competitive", "contract_years", "evaluator"}
    for outcome in {"share_buddy", "share_partnership", "welfare_ratio", "survival"} - analysed:
        assert any(note.startswith(f"{outcome} (policy 0): ") for note in result.notes)
    shares = result.noise.set_index("outcome")["noise_share"]
    assert sorted(shares.index) == ["share_buddy", "share_partnership", "survival", "welfare_ratio"]
    assert shares[sorted(analysed)].notna().all()
    assert (shares[sorted(analysed)] > 0).all()  # the simulation is stochastic


def test_unknown_names_in_a_simulation_spec(tmp_path: Path) -> None:
    data = small()
    data["parameters"] = {"p_competetive": {}}
    with pytest.raises(ExperimentSpecError) as info:
        parse_spec(data)
    assert info.value.fix == "did you mean 'p_competitive'?"
    with pytest.raises(ExperimentSpecError) as info:
        parse_spec(small(scale="shanghi"))
    assert (info.value.place, info.value.fix) == ("[experiment] scale", "did you mean 'shanghai'?")
    with pytest.raises(ExperimentSpecError) as info:
        parse_spec(small(scenario="basline"))
    assert (info.value.place, info.value.fix) == (
        "[experiment] scenario",
        "did you mean 'baseline'?",
    )
    bad = small()
    bad["outcomes"] = {"keep": ["share_budy"]}
    with pytest.raises(ExperimentSpecError, match="did you mean 'share_buddy'"):
        parse_spec(bad)


def test_levers_example_runs_trimmed_and_discovers(tmp_path: Path) -> None:
    spec = load_spec(EXAMPLES / "levers.toml")
    assert spec.design.levers == "cross"
    data = tomllib.loads((EXAMPLES / "levers.toml").read_text(encoding="utf-8"))
    data["design"]["n"] = 4
    data["experiment"]["replicates"] = 1
    data["experiment"]["years"] = 4
    trimmed = parse_spec(data)
    run_sweep(trimmed, tmp_path / "levers", executor=ProcessExecutor(2))
    results = ResultStore(tmp_path / "levers").results()
    assert len(results) == 12 * 4
    assert results["policy"].nunique() == 12
    values = results["share_buddy"].dropna()
    assert values.min() < values.max()
    threshold = float(values.min() + values.max()) / 2
    found = discover(tmp_path / "levers", outcome="share_buddy", threshold=threshold, alpha=0.1)
    assert 0 < found.pasted.coverage <= 1
    assert found.pasted.density >= found.result.trajectory[0].density
