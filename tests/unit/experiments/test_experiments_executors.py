"""Executors: identical outcomes whatever the executor and batching; failures reported."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from experiments_testmodels import DyingModel, FailingModel

from resdep.errors import ExecutorError
from resdep.experiments.executors import Batch, ProcessExecutor, SequentialExecutor
from resdep.experiments.models import NoisyModel
from resdep.experiments.runner import run_sweep
from resdep.experiments.spec import parse_spec
from resdep.experiments.store import ResultStore

SPEC = parse_spec(
    {
        "experiment": {"model": "noisy", "seed": 77, "replicates": 3},
        "design": {"method": "lhs", "n": 40},
        "parameters": {"a": {}, "b": {}, "k": {}, "mode": {}},
    }
)


def results(path: Path) -> pd.DataFrame:
    return ResultStore(path).results()


def test_sequential_and_process_give_identical_parquet(tmp_path: Path) -> None:
    run_sweep(SPEC, tmp_path / "seq", batch_size=120)
    summary = run_sweep(SPEC, tmp_path / "proc", executor=ProcessExecutor(2), batch_size=7)
    assert summary.n_done == 120
    assert summary.executor == "process"
    assert summary.batch_size == 7
    assert len(list((tmp_path / "proc" / "outcomes").glob("part-*.parquet"))) == 18
    seq, proc = results(tmp_path / "seq"), results(tmp_path / "proc")
    pd.testing.assert_frame_equal(seq, proc)
    # the outcomes really depend on the seed: replicates of a point differ
    assert seq.groupby("point")["y"].nunique().min() == 3


def test_outcomes_follow_from_params_and_recorded_seed(tmp_path: Path) -> None:
    run_sweep(SPEC, tmp_path / "s")
    table = results(tmp_path / "s")
    model = NoisyModel()
    for _, row in table.iloc[[0, 5, 61, 119]].iterrows():
        params = {"a": row["a"], "b": row["b"], "k": int(row["k"]), "mode": row["mode"]}
        assert model.evaluate(params, int(row["seed"])) == {"y": row["y"], "z": row["z"]}


def test_model_errors_are_reported_and_the_rest_kept(tmp_path: Path) -> None:
    with pytest.raises(ExecutorError, match="too large for this model") as info:
        run_sweep(SPEC, tmp_path / "f", model=FailingModel(threshold=0.8), batch_size=1)
    assert "--resume" in str(info.value)
    table = results(tmp_path / "f")
    design = ResultStore(tmp_path / "f").design()
    bad = design["a"] > 0.8
    assert set(table["run"]) == set(design.loc[~bad, "run"])
    manifest = ResultStore(tmp_path / "f").manifest()
    assert manifest["status"] == "incomplete"
    assert sorted(r for f in manifest["failures"] for r in f["runs"]) == sorted(
        design.loc[bad, "run"]
    )


def test_a_dead_worker_is_replaced_and_its_batch_retried(tmp_path: Path) -> None:
    marker = tmp_path / "deaths"
    model = DyingModel(marker=str(marker), threshold=0.9, deaths=1)
    summary = run_sweep(
        SPEC, tmp_path / "d", model=model, executor=ProcessExecutor(2), batch_size=6
    )
    assert marker.read_text() == "x"  # a worker really died once
    assert summary.n_done == 120
    assert not summary.failed
    run_sweep(SPEC, tmp_path / "ref", batch_size=50)
    pd.testing.assert_frame_equal(results(tmp_path / "d"), results(tmp_path / "ref"))


def test_a_batch_that_always_kills_its_worker_is_reported(tmp_path: Path) -> None:
    model = DyingModel(marker=str(tmp_path / "deaths"), threshold=0.97, deaths=100)
    with pytest.raises(ExecutorError, match="worker process died each of the 2 times"):
        run_sweep(
            SPEC, tmp_path / "d", model=model, executor=ProcessExecutor(2, retries=1), batch_size=4
        )
    design = ResultStore(tmp_path / "d").design()
    done = ResultStore(tmp_path / "d").done_runs()
    lethal = set(design.loc[design["a"] > 0.97, "run"])
    assert lethal
    assert not lethal & done
    # batches are 4 consecutive runs; exactly the batches holding a lethal run are missing
    missing = set(range(120)) - done
    assert missing == {r for r in range(120) if r // 4 in {k // 4 for k in lethal}}


def test_sequential_executor_yields_in_order() -> None:
    batches = [Batch(index=i, runs=(i,), params=({"a": i / 10},), seeds=(i,)) for i in range(4)]
    with SequentialExecutor() as ex:
        out = list(ex.run(NoisyModel(noise_sd=0.0), batches))
    assert [r.batch.index for r in out] == [0, 1, 2, 3]
    assert [r.rows[0]["z"] for r in out] == [(i / 10) * 0.5 for i in range(4)]  # z = a·b, b = 0.5


def test_only_the_kept_outcomes_are_stored(tmp_path: Path) -> None:
    spec = parse_spec(
        {
            "experiment": {"model": "noisy", "seed": 1},
            "design": {"method": "lhs", "n": 5},
            "parameters": {"a": {}},
            "outcomes": {"keep": ["z"]},
        }
    )
    run_sweep(spec, tmp_path / "k", executor=ProcessExecutor(2), batch_size=2)
    assert list(ResultStore(tmp_path / "k").outcomes().columns) == ["run", "z"]


def test_dask_executor_checks_address_and_timeout_at_once() -> None:
    from resdep.errors import ExperimentSpecError
    from resdep.experiments.executors import DaskExecutor

    with pytest.raises(ExperimentSpecError, match="not a tcp://host:port address"):
        DaskExecutor("garbage")
    with pytest.raises(ExperimentSpecError, match="positive number of seconds"):
        DaskExecutor("tcp://127.0.0.1:8786", timeout=-1)
    assert DaskExecutor("tcp://[::1]:8786").address == "tcp://[::1]:8786"
    assert DaskExecutor("127.0.0.1:8786", timeout=0.5).timeout == 0.5


def test_a_submit_to_a_pool_that_just_broke_does_not_end_the_sweep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cause of the flaky dead-worker test: when a worker dies, the pool's manager thread
    # first marks the pool broken (so submit raises BrokenProcessPool at once) and only
    # then fails the futures in flight. A batch finishing in that moment woke the sweep,
    # which submitted the next batch, got BrokenProcessPool and ended with a traceback.
    # Here the pool is made to break exactly so (on the third submit), deterministically.
    import concurrent.futures as cf
    from concurrent.futures.process import BrokenProcessPool

    class BreakingPool:
        def __init__(self, inner: cf.Executor, break_at: int) -> None:
            self.inner, self.break_at, self.submits = inner, break_at, 0

        def submit(self, fn: object, *args: object) -> cf.Future[object]:
            self.submits += 1
            if self.submits == self.break_at:
                raise BrokenProcessPool("A child process terminated abruptly")
            return self.inner.submit(fn, *args)  # type: ignore[arg-type]

        def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
            self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)

    pools: list[BreakingPool] = []

    def new_pool(self: ProcessExecutor) -> BreakingPool:
        # only the first pool breaks; the executor must replace it and go on
        pools.append(BreakingPool(cf.ThreadPoolExecutor(2), 3 if not pools else 0))
        return pools[-1]

    monkeypatch.setattr(ProcessExecutor, "_new_pool", new_pool)
    summary = run_sweep(SPEC, tmp_path / "b", executor=ProcessExecutor(2), batch_size=10)
    assert len(pools) == 2  # the broken pool was replaced once
    assert summary.n_done == 120
    run_sweep(SPEC, tmp_path / "ref", batch_size=120)
    pd.testing.assert_frame_equal(results(tmp_path / "b"), results(tmp_path / "ref"))


def test_the_environment_dask_nannies_wrote_is_put_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # Dask's nannies write OMP_NUM_THREADS=1, MALLOC_TRIM_THRESHOLD_... into the process
    # that starts them; DaskExecutor puts the environment back as it was, so that later
    # process pools do not inherit them
    from resdep.experiments.executors import _restore_environ

    monkeypatch.setenv("RESDEP_TEST_KEPT", "1")
    monkeypatch.setenv("RESDEP_TEST_CHANGED", "before")
    monkeypatch.delenv("RESDEP_TEST_ADDED", raising=False)
    saved = dict(os.environ)
    os.environ.update({"RESDEP_TEST_CHANGED": "after", "RESDEP_TEST_ADDED": "65536"})
    _restore_environ(saved)
    assert dict(os.environ) == saved
    assert "RESDEP_TEST_ADDED" not in os.environ
    assert os.environ["RESDEP_TEST_CHANGED"] == "before"
