"""The result store: layout, manifest, refusing to mix outputs, resume after a crash."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from experiments_testmodels import InterruptingExecutor

from resdep.errors import ExperimentSpecError, OutputExistsError
from resdep.experiments.design import run_seed
from resdep.experiments.executors import ProcessExecutor
from resdep.experiments.runner import replay, run_sweep
from resdep.experiments.spec import load_spec
from resdep.experiments.store import ResultStore

SPEC_TEXT = """
[experiment]
name = "resume-test"
model = "noisy"
seed = 31
replicates = 2

[experiment.options]
noise_sd = 0.5
delay = {delay}

[design]
method = "lhs"
n = {n}

[parameters.a]
[parameters.b]
[parameters.mode]
"""


def spec_file(tmp_path: Path, *, n: int = 30, delay: float = 0.0) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(SPEC_TEXT.format(n=n, delay=delay), encoding="utf-8")
    return path


def test_layout_and_manifest(tmp_path: Path) -> None:
    path = spec_file(tmp_path)
    run_sweep(path, tmp_path / "out", batch_size=8)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        ".resdep-output",
        "design.parquet",
        "manifest.json",
        "outcomes",
        "spec.toml",
    ]
    assert (out / "spec.toml").read_text() == path.read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["n_runs"] == 60
    assert manifest["seed_entropy"] == 31
    assert [r["run"] for r in manifest["runs"]] == list(range(60))
    assert all(
        r["seed"] == run_seed(31, r["run"]) and r["spawn_key"] == [r["run"]]
        for r in manifest["runs"]
    )
    assert len(manifest["code_hash"]) == 64
    assert {"python", "numpy", "SALib", "pyarrow", "dask"} <= set(manifest["versions"])
    assert manifest["spec"]["parameters"]["mode"]["choices"] == ["plain", "shifted"]
    parts = sorted((out / "outcomes").glob("part-*.parquet"))
    assert len(parts) == 8
    assert parts[0].name == "part-000000000-000000007.parquet"
    assert not list((out / "outcomes").glob(".tmp-*"))


def test_never_mixes_into_an_existing_folder(tmp_path: Path) -> None:
    path = spec_file(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="--resume"):
        run_sweep(path, tmp_path / "out")
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"
    with pytest.raises(ExperimentSpecError, match="no sweep to resume here"):
        run_sweep(path, tmp_path / "out", resume=True)
    # --force replaces only folders resdep wrote: a user's folder is never deleted
    with pytest.raises(OutputExistsError, match="resdep did not write"):
        run_sweep(path, tmp_path / "out", force=True)
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"
    run_sweep(path, tmp_path / "sweep")
    (tmp_path / "sweep" / "stale.txt").write_text("from before")
    # a file resdep did not write keeps --force from replacing the sweep (issue 11)
    with pytest.raises(OutputExistsError, match=r"stale\.txt"):
        run_sweep(path, tmp_path / "sweep", force=True)
    (tmp_path / "sweep" / "stale.txt").unlink()
    run_sweep(path, tmp_path / "sweep", force=True)  # outcome parts written later are its own
    assert len(ResultStore(tmp_path / "sweep").done_runs()) == 60


def test_resume_refuses_a_different_spec(tmp_path: Path) -> None:
    run_sweep(spec_file(tmp_path), tmp_path / "out")
    other = load_spec(spec_file(tmp_path, n=31))
    with pytest.raises(ExperimentSpecError, match="different specification"):
        run_sweep(other, tmp_path / "out", resume=True)


def test_interrupted_then_resumed_equals_uninterrupted(tmp_path: Path) -> None:
    path = spec_file(tmp_path, n=40)
    run_sweep(path, tmp_path / "ref", batch_size=80)
    crashing = InterruptingExecutor(ProcessExecutor(2), after=3)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(path, tmp_path / "out", executor=crashing, batch_size=5)
    store = ResultStore(tmp_path / "out")
    assert store.manifest()["status"] == "incomplete"
    partial = store.done_runs()
    assert 5 <= len(partial) < 80
    summary = run_sweep(path, tmp_path / "out", resume=True, batch_size=3)
    assert summary.n_skipped == len(partial)
    assert summary.n_done == 80
    pd.testing.assert_frame_equal(store.results(), ResultStore(tmp_path / "ref").results())
    assert store.manifest()["status"] == "complete"


def test_killed_process_then_resumed_equals_uninterrupted(tmp_path: Path) -> None:
    """Run a sweep in a subprocess, SIGKILL it midway, resume here, compare."""
    path = spec_file(tmp_path, n=60, delay=0.01)  # 120 runs of 10 ms in batches of 4
    out = tmp_path / "out"
    # the sweep through the Python API (the CLI would also import every other area)
    script = (
        "import sys; from resdep.experiments.runner import run_sweep; "
        "run_sweep(sys.argv[1], sys.argv[2], batch_size=4)"
    )
    cmd = [sys.executable, "-c", script, str(path), str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            parts = list((out / "outcomes").glob("part-*.parquet")) if out.exists() else []
            if len(parts) >= 5 or proc.poll() is not None:
                break
            time.sleep(0.02)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
    store = ResultStore(out)
    partial = store.done_runs()
    assert 20 <= len(partial) < 120
    assert partial == set(range(len(partial)))  # sequential: a prefix of whole batches
    summary = run_sweep(path, out, resume=True, batch_size=7)
    assert summary.n_skipped == len(partial)
    run_sweep(path, tmp_path / "ref", batch_size=120)
    pd.testing.assert_frame_equal(store.results(), ResultStore(tmp_path / "ref").results())
    assert replay(out, sample=4).ok


def test_replay_detects_a_tampered_outcome(tmp_path: Path) -> None:
    run_sweep(spec_file(tmp_path), tmp_path / "out", batch_size=60)
    assert replay(tmp_path / "out", sample=60).ok
    part = next((tmp_path / "out" / "outcomes").glob("part-*.parquet"))
    frame = pd.read_parquet(part)
    frame.loc[frame["run"] == 17, "y"] += 1e-12
    frame.to_parquet(part, index=False)
    report = replay(tmp_path / "out", sample=60)
    assert not report.ok
    assert len(report.mismatches) == 1
    assert report.mismatches[0].startswith("run 17, y:")


def test_open_refuses_a_folder_that_is_not_a_sweep(tmp_path: Path) -> None:
    with pytest.raises(ExperimentSpecError, match="not a sweep folder"):
        ResultStore.open(tmp_path)


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find child processes"
)
def test_pool_workers_exit_when_the_sweep_is_killed(tmp_path: Path) -> None:
    path = spec_file(tmp_path, n=200, delay=0.05)
    script = (
        "import sys; from resdep.experiments.runner import run_sweep; "
        "from resdep.experiments.executors import ProcessExecutor; "
        "run_sweep(sys.argv[1], sys.argv[2], executor=ProcessExecutor(2), batch_size=2)"
    )
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", script, str(path), str(out)])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list((out / "outcomes").glob("part-*")):
            time.sleep(0.05)
        workers = [p for p in _children(proc.pid) if _alive(p)]
        assert len(workers) >= 2  # the pool's workers (and the resource tracker)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    assert not [p for p in workers if _alive(p)]


def test_progress_bar_shows_runs_rate_and_time_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_sweep(spec_file(tmp_path), tmp_path / "out", batch_size=10, progress=True)
    err = capsys.readouterr().err
    assert "60/60" in err  # runs done of all runs
    assert "run/s" in err  # the rate
    assert "<00:00" in err  # elapsed < time left


def test_sigterm_stops_the_command_cleanly_and_resume_completes(tmp_path: Path) -> None:
    path = spec_file(tmp_path, n=60, delay=0.01)
    out = tmp_path / "out"
    # the real command line, with only the experiment commands registered
    script = (
        "import sys; from resdep import cli; "
        "cli.COMMAND_MODULES = ('resdep.experiments.commands',); "
        "sys.exit(cli.main(sys.argv[1:]))"
    )
    args = [
        "sweep",
        str(path),
        "--out",
        str(out),
        "--executor",
        "process",
        "--workers",
        "2",
        "--batch-size",
        "4",
        "--no-progress",
    ]
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list((out / "outcomes").glob("part-*"))) < 3:
            time.sleep(0.05)
        workers = [p for p in _children(proc.pid) if _alive(p)]
        proc.send_signal(signal.SIGTERM)
        status = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
    assert status == 130, err
    assert "interrupted" in err
    assert "Traceback" not in err
    store = ResultStore(out)
    assert store.manifest()["status"] == "incomplete"
    # the pool was shut down; the children also include multiprocessing's resource
    # tracker, which exits only once it reads end-of-file from the exited parent, a
    # moment later on a loaded machine (this failed, 1 in ~3 runs, at 2 cores × 8 users)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.05)
    assert not [p for p in workers if _alive(p)]
    done = len(store.done_runs())
    assert 12 <= done < 120
    summary = run_sweep(path, out, resume=True, batch_size=50)
    assert summary.n_skipped == done
    assert summary.n_done == 120
    run_sweep(path, tmp_path / "ref", batch_size=120)
    pd.testing.assert_frame_equal(store.results(), ResultStore(tmp_path / "ref").results())


def test_a_spec_built_in_python_is_stored_as_toml_that_reads_back(tmp_path: Path) -> None:
    import tomllib

    from resdep.experiments.spec import parse_spec

    spec = parse_spec(
        {
            "experiment": {"model": "noisy", "seed": 8, "options": {"noise_sd": 0.25}},
            "design": {"method": "sobol", "n": 4, "levers": "cross"},
            "parameters": {"a": {"low": 0.1, "high": 0.9}, "mode": {"role": "lever"}},
            "fixed": {"k": 2},
            "outcomes": {"keep": ["y"]},
        }
    )
    run_sweep(spec, tmp_path / "out")
    text = (tmp_path / "out" / "spec.toml").read_text(encoding="utf-8")
    again = parse_spec(tomllib.loads(text))
    assert again == spec
    assert again.digest() == spec.digest()
