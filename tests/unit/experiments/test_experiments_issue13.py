"""Issue 13's smaller items: reproducible analysis, spec-time checks, damaged parts,
readable results, CPU affinity, plain progress lines, resume refusing other code."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from resdep import cli
from resdep.errors import ExperimentSpecError
from resdep.experiments import runner
from resdep.experiments.executors import default_workers, make_executor
from resdep.experiments.runner import run_sweep
from resdep.experiments.spec import load_spec, parse_spec
from resdep.experiments.store import ResultStore

SPEC = """
[experiment]
model = "noisy"
seed = 12
replicates = 2

[design]
method = "sobol"
n = 32

[parameters.a]
[parameters.b]
"""


@pytest.fixture(autouse=True)
def only_experiment_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("resdep.experiments.commands",))


def write(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sensitivity_twice_gives_identical_files_with_the_default_seed(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC)  # no [analysis] seed: derived, 12 + 1
    assert load_spec(spec).analysis_seed == 13
    assert cli.main(["sweep", str(spec), "--out", str(tmp_path / "s"), "--no-progress"]) == 0
    for out in ("a", "b"):
        assert cli.main(["sensitivity", str(tmp_path / "s"), "--out", str(tmp_path / out)]) == 0
    a = (tmp_path / "a" / "indices.csv").read_bytes()
    assert a == (tmp_path / "b" / "indices.csv").read_bytes()
    assert (tmp_path / "a" / "noise.csv").read_bytes() == (
        tmp_path / "b" / "noise.csv"
    ).read_bytes()
    # and the intervals really depend on the seed (so the equality above is not vacuous)
    from resdep.experiments.analysis import sobol_indices
    from resdep.experiments.design import build_design

    s = load_spec(spec)
    results = ResultStore(tmp_path / "s").results()
    y = results.groupby("point")["y"].mean().to_numpy()
    problem = build_design(s).problem()
    c13 = sobol_indices(problem, y, seed=13)["S1_conf"]
    c14 = sobol_indices(problem, y, seed=14)["S1_conf"]
    assert (c13 - c14).abs().max() > 1e-4  # the seeds differ by more than the CSV rounds
    indices = pd.read_csv(tmp_path / "a" / "indices.csv", encoding="utf-8-sig")
    assert indices.loc[indices["outcome"] == "y", "S1_conf"].tolist() == pytest.approx(
        c13.tolist(), abs=1e-6
    )


def test_an_analysis_seed_of_0_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write(tmp_path, SPEC + "[analysis]\nseed = 0\n")
    assert cli.main(["sweep", str(spec), "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "[analysis] seed: the analysis seed must be a positive integer, found 0" in err


@pytest.mark.parametrize(
    ("fixed", "message"),
    [
        ("mandate_level = 99.0", "99.0 is outside the range of 'mandate_level', [0.5, 4.0]"),
        ("mandate_level = 'high'", "'mandate_level' is a real parameter, found 'high'"),
        ("mandate_level = nan", "'mandate_level' is a real parameter, found nan"),
    ],
)
def test_fixed_values_are_checked_at_spec_time(
    tmp_path: Path, fixed: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "[experiment]\nmodel = 'resdep'\n[design]\nn = 4\n[parameters.w_quality]\n"
    spec = write(tmp_path, text + f"[fixed]\n{fixed}\n")
    assert cli.main(["sweep", str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"[fixed] mandate_level: {message}" in err
    assert not (tmp_path / "o").exists()  # refused before any folder or run


def test_toml_nested_10000_deep_and_a_huge_n_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = write(tmp_path, "[fixed]\na = " + "[" * 10_000 + "]" * 10_000 + "\n", "deep.toml")
    assert cli.main(["sweep", str(deep), "--out", str(tmp_path / "o")]) == 2
    assert "nests arrays or inline tables too deeply" in capsys.readouterr().err
    big = write(tmp_path, SPEC.replace("n = 32", f"n = {2**40}"), "big.toml")
    assert cli.main(["sweep", str(big), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    # 2^40 base points × (2 parameters + 2) × 2 replicates
    assert f"[design] n: the design has {2**40 * 4 * 2} runs, more than a sweep can hold" in err
    assert "internal error" not in err


@pytest.mark.parametrize("content", [b"", b"PAR1 not really parquet"])
def test_a_damaged_part_is_named(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write(tmp_path, SPEC)
    out = tmp_path / "s"
    run_sweep(spec, out, batch_size=64)
    part = sorted((out / "outcomes").glob("part-*.parquet"))[1]
    part.write_bytes(content)
    with pytest.raises(ExperimentSpecError, match="delete this part") as info:
        ResultStore(out).outcomes()
    assert str(part) in str(info.value)
    assert cli.main(["sensitivity", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(part) in err
    assert ("empty (0 bytes" if not content else "damaged or not Parquet") in err
    # and --resume reports it the same way, losing nothing
    assert cli.main(["sweep", str(spec), "--out", str(out), "--resume"]) == 2
    assert str(part) in capsys.readouterr().err
    part.unlink()
    assert cli.main(["sweep", str(spec), "--out", str(out), "--resume", "--no-progress"]) == 0
    run_sweep(spec, tmp_path / "ref", batch_size=256)
    pd.testing.assert_frame_equal(
        ResultStore(out).results(), ResultStore(tmp_path / "ref").results()
    )


def test_results_are_readable_under_the_users_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)  # group may read, others nothing
    try:
        run_sweep(write(tmp_path, SPEC), tmp_path / "s", batch_size=64)
    finally:
        os.umask(old)
    out = tmp_path / "s"
    for path in [out / "manifest.json", *sorted((out / "outcomes").glob("part-*"))]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, path
    assert stat.S_IMODE((out / "outcomes").stat().st_mode) == 0o750


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity (Linux)")
def test_default_workers_follow_cpu_affinity() -> None:
    mine = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(mine)})  # as `taskset -c N` or a 1-CPU SLURM job
        assert default_workers() == 1
        assert make_executor("process").workers == 1
    finally:
        os.sched_setaffinity(0, mine)
    assert default_workers() == len(mine)


def test_progress_lines_when_not_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write(tmp_path, SPEC)  # 256 runs; stderr is captured (not a terminal)
    assert cli.main(["sweep", str(spec), "--out", str(tmp_path / "s"), "--batch-size", "16"]) == 0
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("sweep: ")]
    assert lines[-1].startswith("sweep: 256/256 runs (100 %)")
    assert 10 <= len(lines) <= 17  # one per 10 % of the runs (16-run batches cross marks)
    assert all("\r" not in ln and "runs/s" in ln for ln in lines)


def test_resume_refuses_other_code_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write(tmp_path, SPEC)
    out = tmp_path / "s"
    run_sweep(spec, out, batch_size=64)
    (sorted((out / "outcomes").glob("part-*"))[0]).unlink()  # a run to do on resume
    # the code changed since the sweep began (the source's hash, as code_hash computes it)
    monkeypatch.setattr(runner, "code_hash", lambda: "f" * 64)
    argv = ["sweep", str(spec), "--out", str(out), "--resume", "--no-progress"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "manifest.json code_hash: the resdep source differs" in err
    assert "--allow-code-change" in err
    assert len(list((out / "outcomes").glob("part-*"))) == 3  # nothing ran
    assert cli.main([*argv, "--allow-code-change"]) == 0
    sessions = ResultStore(out).manifest()["sessions"]
    assert sessions[-1]["code_hash"] == "f" * 64  # the manifest records the change
    assert cli.main(["sweep", str(spec), "--out", str(out), "--allow-code-change"]) == 2


def test_resume_refuses_an_edited_scenario_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from resdep.experiments.models import ResdepModel

    scenario = write(tmp_path, 'name = "mine"\ndescription = "x"\n', "mine.toml")
    model = ResdepModel(scenario=str(scenario))
    shipped, info = runner._ship_scenario(model, tmp_path)
    assert info is not None
    assert isinstance(shipped, ResdepModel)
    assert shipped.scenario_text == scenario.read_text()
    # a worker without the file reads the shipped text from its own copy
    copy = Path(shipped.scenario_path())
    assert copy != scenario
    assert copy.read_text() == scenario.read_text()
    spec = parse_spec(
        {
            "experiment": {"model": "noisy", "seed": 1},
            "design": {"method": "lhs", "n": 4},
            "parameters": {"a": {}},
        }
    )
    out = tmp_path / "s"
    run_sweep(spec, out)
    store = ResultStore(out)
    store.update_manifest(scenario=info)
    runner._check_resume(store, spec, info, False)  # same content: accepted
    scenario.write_text('name = "mine"\ndescription = "edited"\n', encoding="utf-8")
    _, edited = runner._ship_scenario(model, tmp_path)
    with pytest.raises(ExperimentSpecError, match="the scenario file differs"):
        runner._check_resume(store, spec, edited, False)
    runner._check_resume(store, spec, edited, True)
