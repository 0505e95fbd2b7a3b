"""Many seeds: the band table, the gathering of seeds, and identical files for any worker count."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resdep.errors import ScenarioError
from resdep.simulate import simulate, write_simulation
from resdep.simulate.api import SimulationResult
from resdep.simulate.params import resolve_params, resolve_scale
from resdep.simulate.seeds import SeedRuns, _gather, available_cpus, band_table, simulate_seeds


def test_band_table_by_hand() -> None:
    long = pd.DataFrame(
        {
            "seed": [0, 1, 2, 3, 4, 0, 1, 2, 3, 4],
            "year": [1] * 5 + [2] * 5,
            "x": [0.0, 1.0, 2.0, 3.0, 4.0, 10.0, 10.0, 10.0, 10.0, np.nan],
            "y": [5, 5, 5, 5, 5, 1, 2, 3, 4, 5],
        }
    )
    out = band_table(long, ["year"])
    assert list(out.columns) == ["year", "n_seeds", "x", "x_lo", "x_hi", "y", "y_lo", "y_hi"]
    assert out["n_seeds"].tolist() == [5, 5]
    # year 1, x = 0..4: mean 2; the 5% quantile sits at position 0.05 * 4 = 0.2 between the
    # sorted values 0 and 1, so 0.2; the 95% at position 3.8, between 3 and 4, so 3.8
    assert out.loc[0, ["x", "x_lo", "x_hi"]].tolist() == pytest.approx([2.0, 0.2, 3.8])
    # year 2: a missing value is left out of mean and quantiles (four values of 10)
    assert out.loc[1, ["x", "x_lo", "x_hi"]].tolist() == pytest.approx([10.0, 10.0, 10.0])
    # y = 1..5 in year 2: mean 3, 5% at position 0.2 -> 1.2, 95% at 3.8 -> 4.8
    assert out.loc[1, ["y", "y_lo", "y_hi"]].tolist() == pytest.approx([3.0, 1.2, 4.8])


def test_seeds_match_single_runs_and_an_independent_band() -> None:
    runs = simulate_seeds("baseline", scale="case", years=4, seeds=4, seed=7, workers=1)
    assert runs.seeds == (7, 8, 9, 10)
    assert runs.workers == 1
    singles = {s: simulate(scale="case", years=4, seed=s) for s in runs.seeds}
    for s, res in singles.items():
        part = runs.by_seed[runs.by_seed["seed"] == s].drop(columns="seed").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, res.outcomes)
    # every outcome column, old or new, gets a mean and a band, computed here with numpy
    cols = [c for c in singles[7].outcomes.columns if c != "year"]
    stack = np.stack([singles[s].outcomes[cols].to_numpy(dtype=float) for s in runs.seeds])
    for j, c in enumerate(cols):
        np.testing.assert_allclose(runs.outcomes[c], stack[:, :, j].mean(axis=0))
        np.testing.assert_allclose(
            runs.outcomes[f"{c}_lo"], np.quantile(stack[:, :, j], 0.05, axis=0)
        )
        np.testing.assert_allclose(
            runs.outcomes[f"{c}_hi"], np.quantile(stack[:, :, j], 0.95, axis=0)
        )
    assert (runs.outcomes["n_seeds"] == 4).all()
    # the first seed keeps its dyads, the others are dropped to save memory
    assert runs.first.seed == 7
    assert runs.first.dyads is not None
    assert runs.stats["seed"].tolist() == [7, 8, 9, 10]
    assert runs.stats.loc[0, "smoothing_ratio"] == pytest.approx(
        singles[7].stats["smoothing_ratio"]
    )


def test_workers_default_to_available_cpus_capped_by_seeds_and_memory() -> None:
    assert available_cpus() >= 1
    one = simulate_seeds(scale="case", years=2, seeds=1, seed=0)
    assert one.workers == 1  # never more workers than seeds
    # a memory limit that holds one run only (by the scale's own estimate): the seeds run
    # one after the other, whatever --workers asks
    per_run = resolve_scale("case", resolve_params("baseline", {})).estimated_bytes() / 1024**3
    limit = round(1.5 * per_run, 3)
    tight = simulate_seeds(
        scale="case", years=1, seeds=2, seed=0, workers=2, overrides={"max_memory_gb": limit}
    )
    assert tight.workers == 1
    roomy = simulate_seeds(
        scale="case", years=1, seeds=2, seed=0, workers=2, overrides={"max_memory_gb": 4 * limit}
    )
    assert roomy.workers == 2


@pytest.mark.parametrize(
    ("kwargs", "place"),
    [
        ({"seeds": 0}, "--seeds"),
        ({"seeds": 2, "workers": 0}, "--workers"),
        ({"seeds": 2, "seed": -1}, "--seed"),
        ({"seeds": 2, "overrides": {"w_quality": 5}}, "w_quality"),
    ],
)
def test_bad_values_are_refused_before_any_run(kwargs: dict[str, object], place: str) -> None:
    with pytest.raises(ScenarioError, match=place):
        simulate_seeds(scale="case", years=2, **kwargs)  # type: ignore[arg-type]


def _with_new_columns(res: SimulationResult) -> SimulationResult:
    """The run with per-stage state shares and PA quantiles (the columns the model is to add)."""
    extra = {}
    for s in ("contracting", "implementation", "closing"):
        for k, state in enumerate(("interdependent", "government_dominant", "agency_dominant")):
            extra[f"share_{state}_{s}"] = 0.1 * (k + 1) + 0.0 * res.outcomes["year"]
        extra[f"share_weak_{s}"] = 0.4 + 0.0 * res.outcomes["year"]
        for j, q in enumerate(("q05", "q25", "q50", "q75", "q95")):
            extra[f"pa_{s}_{q}"] = res.outcomes[f"pa_{s}"] + (j - 2) * 0.1
    extra = {k: v for k, v in extra.items() if k not in res.outcomes.columns}  # the model's own
    return replace(res, outcomes=pd.concat([res.outcomes, pd.DataFrame(extra)], axis=1))


def _districts(years: int, seed: int) -> pd.DataFrame:
    """A hand-made per-district table of the shape the model gives (3 districts)."""
    rng = np.random.default_rng(seed)
    rows = []
    for y in range(1, years + 1):
        for d in range(3):
            rows.append(
                {
                    "year": y,
                    "district": d,
                    "n_dyads": 10 + d,
                    "pa_contracting": rng.uniform(-0.2, 0.2),
                    "pa_implementation": rng.uniform(-0.6, -0.2),
                    "pa_closing": 0.1 * d + 0.01 * seed,
                    "share_partnership": 0.0,
                    "share_buddy": 1.0,
                    "share_transactional": 0.0,
                    "share_undetermined": 0.0,
                }
            )
    return pd.DataFrame(rows)


def test_districts_are_banded_per_year_and_district() -> None:
    # with the per-stage state shares and PA quantiles the model is to add (many columns)
    results = {
        s: replace(
            _with_new_columns(simulate(scale="case", years=3, seed=s)),
            districts=_districts(3, s),
        )
        for s in (0, 1, 2)
    }
    runs = _gather(results, (0, 1, 2), workers=1)
    for c in results[0].outcomes.columns.drop("year"):
        assert {c, f"{c}_lo", f"{c}_hi"} <= set(runs.outcomes.columns)
    assert runs.districts is not None
    d = runs.districts
    assert len(d) == 3 * 3
    row = d[(d["year"] == 2) & (d["district"] == 1)].iloc[0]
    # pa_closing = 0.1 * district + 0.01 * seed: seeds 0, 1, 2 -> 0.10, 0.11, 0.12
    assert row["pa_closing"] == pytest.approx(0.11)
    assert row["pa_closing_lo"] == pytest.approx(0.10 + 0.02 * 0.05)
    assert row["pa_closing_hi"] == pytest.approx(0.10 + 0.02 * 0.95)
    assert row["n_seeds"] == 3


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def test_same_seeds_give_identical_files_for_any_worker_count(tmp_path: Path) -> None:
    kw = {"scale": "case", "years": 4, "seeds": 3, "seed": 2}
    a = simulate_seeds(workers=1, **kw)  # type: ignore[arg-type]
    b = simulate_seeds(workers=2, **kw)  # type: ignore[arg-type]
    assert b.workers == 2
    write_simulation(a, tmp_path / "a")
    write_simulation(b, tmp_path / "b")
    write_simulation(simulate_seeds(workers=1, **kw), tmp_path / "c")  # type: ignore[arg-type]
    fa, fb, fc = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert fa == fc  # the same command twice: every byte the same, figures included
    assert set(fa) == set(fb)
    for name in fa:
        if name != "run.json":
            assert fa[name] == fb[name], name
    ja, jb = json.loads(fa["run.json"]), json.loads(fb["run.json"])
    assert (ja.pop("workers"), jb.pop("workers")) == (1, 2)
    assert ja == jb


def test_seed_runs_files_and_run_json(tmp_path: Path) -> None:
    runs = simulate_seeds(scale="case", years=3, seeds=2, seed=5, workers=1)
    assert isinstance(runs, SeedRuns)
    write_simulation(runs, tmp_path / "r")
    out = tmp_path / "r"
    bands = pd.read_csv(out / "outcomes.csv")
    long = pd.read_csv(out / "outcomes_by_seed.csv")
    assert bands["n_seeds"].tolist() == [2, 2, 2]
    assert list(long.columns[:2]) == ["seed", "year"]
    assert sorted(set(long["seed"])) == [5, 6]
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["seeds"] == [5, 6]
    assert meta["n_seeds"] == 2
    assert meta["workers"] == 1
    assert meta["dyad_tables"]["seed"] == 5
    assert [r["seed"] for r in meta["statistics_by_seed"]] == [5, 6]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "2 seeds (5–6)" in page
    assert "describe seed 5" in page
    assert "5% over seeds" in page
    # districts.csv exactly when the model gives per-district outcomes
    assert (out / "districts.csv").exists() == (runs.districts is not None)
