"""The big scales run, within the memory guard (a few years only; timing is in benchmarks)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from resdep.cli import main
from resdep.errors import OutputExistsError, ScenarioError
from resdep.simulate import simulate, write_simulation
from resdep.simulate.params import SCALES, Scale, resolve_params, resolve_scale


@pytest.mark.slow
def test_china_scale_runs() -> None:
    res = simulate(scale="china", years=3, seed=0)
    out = res.outcomes
    assert len(out) == 3
    assert np.isfinite(out.to_numpy(dtype=float)).all()
    assert out["n_dyads"].min() > 50_000
    # the agency holds the advantage while a project runs (no switching mid-project),
    # at the national scale too
    assert out["pa_implementation"].iloc[-1] < -0.2
    assert res.districts is not None
    assert len(res.districts) == 3 * SCALES["china"].districts


def test_one_district_at_china_scale_is_refused_before_allocating(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 16,000 agencies × 40,000 streets in one district: 640 million cooperation pairs
    tracemalloc.start()
    try:
        code = main(["simulate", "--scale", "china", "--set", "n_districts=1"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 2
    err = capsys.readouterr().err
    assert "GB" in err
    assert "max_memory_gb" in err
    assert peak < 200 * 1024**2  # nothing of the run's size was allocated


def test_the_estimate_counts_the_pairs() -> None:
    wide = Scale(name="w", districts=1, streets=1_000, committees=1_000, agencies=1_000)
    narrow = Scale(name="n", districts=1_000, streets=1_000, committees=1_000, agencies=1_000)
    # a million pairs in one district against a thousand in a thousand districts
    assert wide.n_pairs() == 1_000_000
    assert narrow.n_pairs() == 1_000
    assert wide.estimated_bytes() - narrow.estimated_bytes() >= 999_000 * 64
    with pytest.raises(ScenarioError, match="GB"):
        resolve_scale("china", resolve_params("baseline", {"n_districts": 1}))


def test_the_estimate_bounds_the_models_pairs() -> None:
    from resdep.simulate.model import Model

    for counts in ({}, {"n_districts": 3, "n_streets": 10, "n_committees": 40, "n_agencies": 17}):
        params = resolve_params("baseline", counts)
        scale = resolve_scale("case", params)
        assert Model(params, scale, 0).n_pairs <= scale.n_pairs()


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="not a folder"):
        write_simulation(simulate(years=1, seed=0), target, force=True)
