"""The ``scenarios``, ``simulate`` and ``patterns`` commands end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from resdep.cli import main
from resdep.simulate import simulate, write_simulation


def test_scenarios_lists_each_with_a_description(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in ("baseline", "co_governance", "competitive", "quality_evaluation",
                 "multi_year_contracts", "volatile_budgets"):
        line = next(li for li in out.splitlines() if li.startswith(name + " "))
        assert len(line.split(maxsplit=1)[1]) > 20
    assert "scale china" in out


def test_simulate_writes_the_section_11_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    code = main(["simulate", "--scenario", "competitive", "--years", "6", "--seed", "3",
                 "--set", "sigma_budget=0.3", "--out", str(out)])
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert names == {"outcomes.csv", "stages.csv", "relationships.csv", "inputs.csv", "run.json",
                     "report.html"}
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert len(outcomes) == 6
    stages = pd.read_csv(out / "stages.csv")
    assert list(stages.columns) == ["agency", "government", "stage", "d_ag", "d_ga", "md", "pa",
                                    "pi", "md_min", "state"]
    assert set(stages["stage"]) == {"contracting", "implementation", "closing"}
    rel = pd.read_csv(out / "relationships.csv")
    assert {"label", "mu_partnership", "mu_buddy", "ri", "gp", "ia", "dep", "najam", "gks"} <= set(rel.columns)
    inputs = pd.read_csv(out / "inputs.csv")
    assert {"dependent", "provider", "resource", "stage", "importance", "alternatives",
            "discretion", "d"} <= set(inputs.columns)
    assert inputs["d"].between(0, 1).all()
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 3
    assert meta["parameters"]["p_competitive"] == 1.0
    assert meta["parameters"]["sigma_budget"] == 0.3
    assert "numpy" in meta["versions"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 3
    assert "<script src" not in html
    assert "<img src=\"http" not in html
    # the run is reproducible from run.json
    again = simulate("competitive", years=6, seed=3, overrides={"sigma_budget": 0.3}).outcomes
    pd.testing.assert_frame_equal(outcomes, again, check_dtype=False, atol=1e-12)


def test_simulate_refuses_a_non_empty_folder_without_force(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "mine.txt").write_text("keep", encoding="utf-8")
    assert main(["simulate", "--years", "2", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["simulate", "--years", "2", "--out", str(out), "--force"]) == 0
    assert (out / "mine.txt").read_text(encoding="utf-8") == "keep"
    assert (out / "outcomes.csv").exists()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["simulate", "--scenario", "competitve"], "did you mean 'competitive'"),
        (["simulate", "--set", "w_qualty=0.5"], "did you mean 'w_quality'"),
        (["simulate", "--set", "w_quality=2"], "out of range"),
        (["simulate", "--set", "w_quality"], "key=value"),
        (["simulate", "--scale", "beijing"], "--scale"),
        (["simulate", "--scale", "china", "--set", "n_committees=400000000"], "GB"),
        (["simulate", "--years", "0"], "--years"),
        (["patterns", "--seeds", "1"], "--seeds"),
    ],
)
def test_bad_input_exits_2_without_traceback(argv: list[str], needle: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err


def test_big_scales_write_a_sample_of_dyads(tmp_path: Path) -> None:
    res = simulate(scale="shanghai", years=2, seed=0, overrides={"n_committees": 20_000, "n_agencies": 3_000})
    write_simulation(res, tmp_path / "big")
    meta = json.loads((tmp_path / "big" / "run.json").read_text(encoding="utf-8"))
    assert meta["dyad_tables"]["sampled"] is True
    assert meta["dyad_tables"]["dyads"] > meta["dyad_tables"]["rows_written"] == 5000
    assert len(pd.read_csv(tmp_path / "big" / "relationships.csv")) == 5000


def test_patterns_command_prints_a_row_per_pattern(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["patterns", "--seeds", "4", "--years", "12"])
    out = capsys.readouterr().out
    for pid in ("P1", "P2", "P3", "P4", "P5", "P6", "P7"):
        assert f"\n{pid}  " in "\n" + out
    assert code == 0, out
