"""The Dask executor on a real local cluster: same outcomes as the sequential reference.

Each test starts a real Dask scheduler and worker processes on localhost (no dashboard).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from resdep import cli
from resdep.errors import ExecutorError
from resdep.experiments.executors import DaskExecutor, ProcessExecutor
from resdep.experiments.runner import run_sweep
from resdep.experiments.spec import parse_spec
from resdep.experiments.store import ResultStore

# the test models live with the unit tests; worker processes inherit this sys.path
sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "experiments"))
from experiments_testmodels import DyingModel

pytestmark = pytest.mark.cluster

SPEC = parse_spec(
    {
        "experiment": {"model": "noisy", "seed": 404, "replicates": 2},
        "design": {"method": "sobol", "n": 16},
        "parameters": {"a": {}, "b": {}, "k": {}, "mode": {}},
    }
)


def test_sequential_process_and_dask_store_identical_outcomes(tmp_path: Path) -> None:
    run_sweep(SPEC, tmp_path / "seq", batch_size=1000)
    run_sweep(SPEC, tmp_path / "proc", executor=ProcessExecutor(2), batch_size=13)
    summary = run_sweep(SPEC, tmp_path / "dask", executor=DaskExecutor(workers=2), batch_size=9)
    assert summary.executor == "dask"
    assert summary.workers == 2
    assert summary.n_done == 192
    seq = ResultStore(tmp_path / "seq").results()
    pd.testing.assert_frame_equal(seq, ResultStore(tmp_path / "proc").results())
    pd.testing.assert_frame_equal(seq, ResultStore(tmp_path / "dask").results())


def test_existing_scheduler_by_address_and_a_dying_worker(tmp_path: Path) -> None:
    from distributed import LocalCluster

    marker = tmp_path / "deaths"
    model = DyingModel(marker=str(marker), threshold=0.9, deaths=1)
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster:
        executor = DaskExecutor(cluster.scheduler_address, timeout=10)
        summary = run_sweep(SPEC, tmp_path / "addr", executor=executor, model=model, batch_size=8)
    assert marker.read_text() == "x"  # one worker process really died mid-sweep
    assert summary.n_done == 192
    assert not summary.failed
    run_sweep(SPEC, tmp_path / "seq", batch_size=1000)
    pd.testing.assert_frame_equal(
        ResultStore(tmp_path / "seq").results(), ResultStore(tmp_path / "addr").results()
    )


def test_unreachable_scheduler_fails_fast_and_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    start = time.monotonic()
    with pytest.raises(
        ExecutorError, match=r"could not reach the Dask scheduler at tcp://127.0.0.1:1"
    ):
        DaskExecutor("tcp://127.0.0.1:1", timeout=2).__enter__()
    assert time.monotonic() - start < 10
    spec = tmp_path / "spec.toml"
    spec.write_text(
        "[experiment]\nmodel = 'ishigami'\n[design]\nmethod = 'lhs'\nn = 4\n[parameters.x1]\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("resdep.experiments.commands",))
    start = time.monotonic()
    status = cli.main(
        [
            "sweep",
            str(spec),
            "--out",
            str(tmp_path / "o"),
            "--address",
            "tcp://127.0.0.1:1",
            "--timeout",
            "2",
        ]
    )
    assert status == 1
    assert time.monotonic() - start < 10
    err = capsys.readouterr().err
    assert "could not reach the Dask scheduler" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()  # no half-made sweep folder left behind


def test_a_batch_that_always_kills_its_dask_worker_is_reported(tmp_path: Path) -> None:
    import dask

    model = DyingModel(marker=str(tmp_path / "deaths"), threshold=0.97, deaths=100)
    # give up on a task after its first lost worker (Dask's default is 3) to keep this short
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        pytest.raises(ExecutorError, match="KilledWorker"),
    ):
        run_sweep(SPEC, tmp_path / "d", executor=DaskExecutor(workers=2), model=model, batch_size=8)
    store = ResultStore(tmp_path / "d")
    design = store.design()
    lethal = set(design.loc[design["a"] > 0.97, "run"])
    missing = set(range(192)) - store.done_runs()
    assert lethal
    # exactly the batches (8 consecutive runs) holding a lethal run are missing
    assert missing == {r for r in range(192) if r // 8 in {k // 8 for k in lethal}}
    assert sorted(r for f in store.manifest()["failures"] for r in f["runs"]) == sorted(missing)
