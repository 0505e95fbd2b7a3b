"""Executors: one interface, three ways to run batches of runs.

- :class:`SequentialExecutor` runs batches in this process, in order (the reference).
- :class:`ProcessExecutor` uses a local :class:`concurrent.futures.ProcessPoolExecutor`.
- :class:`DaskExecutor` uses Dask distributed: a ``LocalCluster`` it starts itself, or an
  existing scheduler given by address (``tcp://host:8786``); the same code either way.

An executor receives a picklable model and an iterable of :class:`Batch` objects and
yields a :class:`BatchResult` for each, in completion order. A batch that raises inside
the model comes back with ``error`` set; a batch whose worker died is retried on a fresh
worker up to ``retries`` times and then comes back with ``error`` set. Nothing else is
lost: the caller stores each finished batch as it arrives.

Examples
--------
>>> from resdep.experiments.models import NoisyModel
>>> batch = Batch(index=0, runs=(0, 1), params=({"a": 0.1}, {"a": 0.2}), seeds=(1, 2))
>>> with SequentialExecutor() as ex:
...     [r.rows[0]["z"] for r in ex.run(NoisyModel(), [batch])]
[0.05]
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib
import math
import multiprocessing
import os
import re
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from resdep.errors import ExecutorError, ExperimentSpecError
from resdep.experiments.models import Model, ParamValue

__all__ = [
    "EXECUTORS",
    "Batch",
    "BatchResult",
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SequentialExecutor",
    "check_address",
    "check_timeout",
    "make_executor",
    "run_batch",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """A batch of runs, sent to a worker as one task (``keep``: outcomes to return; all
    when empty)."""

    index: int
    runs: tuple[int, ...]
    params: tuple[Mapping[str, ParamValue], ...]
    seeds: tuple[int, ...]
    keep: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchResult:
    """What came back for a batch: one outcome row per run, or an error."""

    batch: Batch
    rows: tuple[dict[str, float], ...] = ()
    error: str | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    attempts: int = 1


def run_batch(model: Model, batch: Batch) -> BatchResult:
    """Evaluate every run of ``batch`` (in a worker); model errors become ``error``."""
    start, cpu = time.perf_counter(), time.process_time()
    rows: list[dict[str, float]] = []
    try:
        for params, seed in zip(batch.params, batch.seeds, strict=True):
            row = model.evaluate(params, seed)
            rows.append({k: row[k] for k in batch.keep} if batch.keep else row)
    except Exception as exc:
        where = f"run {batch.runs[len(rows)]}"
        summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return BatchResult(
            batch=batch, error=f"{where}: {summary}", seconds=time.perf_counter() - start
        )
    return BatchResult(
        batch=batch,
        rows=tuple(rows),
        seconds=time.perf_counter() - start,
        cpu_seconds=time.process_time() - cpu,
    )


def _exit_with_parent(parent: int, interval: float = 1.0) -> None:
    """In a pool worker: exit as soon as the sweep's process is gone (killed, say), so
    that no orphaned worker keeps running or waits forever."""

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="resdep-parent-watch", daemon=True).start()


class Executor(Protocol):
    """Runs batches; use as a context manager (``with make_executor(...) as ex``)."""

    @property
    def name(self) -> str:
        """``sequential``, ``process`` or ``dask``."""

    @property
    def workers(self) -> int:
        """Number of runs that can proceed at once."""

    def __enter__(self) -> Executor: ...

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def run(self, model: Model, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        """Yield one result per batch, in completion order."""


class SequentialExecutor:
    """Run batches one after the other in this process (the reference executor)."""

    name = "sequential"
    workers = 1

    def __enter__(self) -> SequentialExecutor:
        return self

    def __exit__(self, et: Any, ev: Any, tb: Any) -> None:
        return None

    def run(self, model: Model, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        for batch in batches:
            yield run_batch(model, batch)


class ProcessExecutor:
    """Run batches in a local pool of ``workers`` processes (started with ``spawn``).

    At most ``2 × workers`` batches are in flight, so a crash loses little. When a worker
    process dies, the pool is rebuilt and each batch that was in flight is rerun alone; a
    batch whose worker dies every time it runs alone (``retries + 1`` times) is reported
    as failed, and every other batch completes.
    """

    name = "process"

    def __init__(self, workers: int = 2, *, retries: int = 2) -> None:
        if workers < 1:
            raise ExecutorError(f"need at least one worker, asked for {workers}")
        self.workers = workers
        self.retries = retries
        self._pool: cf.ProcessPoolExecutor | None = None

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )

    def __enter__(self) -> ProcessExecutor:
        self._pool = self._new_pool()
        return self

    def __exit__(self, et: Any, ev: Any, tb: Any) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def run(self, model: Model, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        if self._pool is None:
            raise ExecutorError("use the process executor inside a 'with' block")
        todo: deque[Batch] = deque(batches)
        # batches in flight when a worker died; each is rerun alone, so that only the
        # batch that kills its worker when alone is counted (and in the end reported)
        suspects: deque[tuple[Batch, int]] = deque()
        running: dict[cf.Future[BatchResult], tuple[Batch, int, bool]] = {}
        window = 2 * self.workers
        while todo or suspects or running:
            # The pool marks itself broken (so that submit raises BrokenProcessPool) a
            # moment before it fails the futures that were in flight; a submit in that
            # moment must not end the sweep: the batch goes back and the pool is rebuilt.
            broken = False
            if suspects:
                if not running:
                    batch, attempt = suspects.popleft()
                    if not self._submit(running, model, batch, attempt, alone=True):
                        suspects.appendleft((batch, attempt))
                        broken = True
            else:
                while todo and len(running) < window:
                    batch = todo.popleft()
                    if not self._submit(running, model, batch, 1, alone=False):
                        todo.appendleft(batch)
                        broken = True
                        break
            done: set[cf.Future[BatchResult]] = set()
            if running and not broken:
                done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                batch, attempt, alone = running.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    broken = True
                    if not alone:
                        suspects.append((batch, attempt))
                    elif attempt > self.retries:
                        yield BatchResult(
                            batch=batch,
                            error=f"its worker process died each of the {attempt} times it ran",
                            attempts=attempt,
                        )
                    else:
                        suspects.appendleft((batch, attempt + 1))
                    continue
                yield _with_attempts(result, attempt)
            if broken:
                # the other futures of a broken pool fail too (unless they finished)
                for fut, (batch, attempt, _alone) in list(running.items()):
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        suspects.append((batch, attempt))
                    else:
                        yield _with_attempts(result, attempt)
                running.clear()
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = self._new_pool()

    def _submit(
        self,
        running: dict[cf.Future[BatchResult], tuple[Batch, int, bool]],
        model: Model,
        batch: Batch,
        attempt: int,
        *,
        alone: bool,
    ) -> bool:
        """Submit ``batch``; False when the pool is already broken."""
        assert self._pool is not None
        try:
            fut = self._pool.submit(run_batch, model, batch)
        except BrokenProcessPool:
            return False
        running[fut] = (batch, attempt, alone)
        return True


def _with_attempts(result: BatchResult, attempts: int) -> BatchResult:
    return BatchResult(
        batch=result.batch,
        rows=result.rows,
        error=result.error,
        seconds=result.seconds,
        cpu_seconds=result.cpu_seconds,
        attempts=attempts,
    )


_ADDRESS = re.compile(r"(?:(?:tcp|tls)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]{1,5})")


def check_address(address: str) -> str:
    """Check that ``address`` has the form of a scheduler address, ``tcp://host:port``
    (``tls://`` also; the scheme may be left out, as Dask allows). Whether a scheduler
    listens there is only known on connecting (:class:`ExecutorError` then).

    Examples
    --------
    >>> check_address("tcp://10.0.0.5:8786")
    'tcp://10.0.0.5:8786'
    >>> check_address("garbage")
    Traceback (most recent call last):
    ...
    resdep.errors.ExperimentSpecError: --address: 'garbage' is not a tcp://host:port address. Fix: write it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786 (the address `dask scheduler` prints)
    """
    m = _ADDRESS.fullmatch(address)
    if m is None or not 0 < int(m.group(2)) < 65536:
        raise ExperimentSpecError(
            f"{address!r} is not a tcp://host:port address",
            place="--address",
            fix="write it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786 "
            "(the address `dask scheduler` prints)",
        )
    return address


def check_timeout(timeout: float) -> float:
    """Check that a timeout is a positive, finite number of seconds.

    Examples
    --------
    >>> check_timeout(0)
    Traceback (most recent call last):
    ...
    resdep.errors.ExperimentSpecError: --timeout: the timeout must be a positive number of seconds, found 0. Fix: use --timeout 5 (the default), or more for a distant scheduler
    """
    if not (math.isfinite(timeout) and timeout > 0):
        raise ExperimentSpecError(
            f"the timeout must be a positive number of seconds, found {timeout:g}",
            place="--timeout",
            fix="use --timeout 5 (the default), or more for a distant scheduler",
        )
    return timeout


class DaskExecutor:
    """Run batches on Dask distributed.

    Parameters
    ----------
    address
        A scheduler address (``tcp://host:8786``). ``None`` starts a ``LocalCluster`` of
        ``workers`` single-threaded worker processes, without a dashboard.
    workers
        Workers of the local cluster (ignored with ``address``).
    timeout
        Seconds to wait for the scheduler before giving up with :class:`ExecutorError`.
        An ``address`` not of the form ``tcp://host:port``, or a timeout that is not a
        positive number, raises :class:`~resdep.errors.ExperimentSpecError` at once.
    retries
        Extra attempts per batch on top of Dask's own rescheduling of lost tasks
        (``distributed.scheduler.allowed-failures``). A batch lost with its worker is
        rerun alone; only losses while alone count.
    """

    name = "dask"

    def __init__(
        self,
        address: str | None = None,
        *,
        workers: int = 2,
        timeout: float = 5.0,
        retries: int = 1,
    ) -> None:
        self.address = check_address(address) if address is not None else None
        self._n_local = workers
        self.timeout = check_timeout(timeout)
        self.retries = retries
        self._cluster: Any = None
        self._client: Any = None

    @property
    def workers(self) -> int:
        if self._client is None:
            return self._n_local
        try:
            return max(1, int(sum(self._client.nthreads().values())))
        except Exception:  # pragma: no cover - a scheduler that went away
            return self._n_local

    def __enter__(self) -> DaskExecutor:
        try:
            distributed: Any = importlib.import_module("distributed")
        except ImportError as exc:  # pragma: no cover - distributed is a dependency
            raise ExecutorError(f"the dask executor needs dask.distributed: {exc}") from exc
        Client, LocalCluster = distributed.Client, distributed.LocalCluster
        if self.address is None:
            try:
                self._cluster = LocalCluster(
                    n_workers=self._n_local,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # the scheduler still serves health routes over HTTP; without this it
                    # tries port 8787 first and warns when another cluster holds it
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                )
                self._client = Client(self._cluster)
            except Exception as exc:
                self.__exit__(None, None, None)
                raise ExecutorError(f"could not start a local Dask cluster: {exc}") from exc
            return self
        try:
            self._client = Client(self.address, timeout=self.timeout)
        except Exception as exc:  # OSError or TimeoutError, depending on the failure
            raise ExecutorError(
                f"could not reach the Dask scheduler at {self.address} within "
                f"{self.timeout:g} s ({type(exc).__name__}: {exc}); check the address "
                "and that `dask scheduler` is running there and accepts connections"
            ) from None
        return self

    def __exit__(self, et: Any, ev: Any, tb: Any) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def run(self, model: Model, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        as_completed: Any = importlib.import_module("distributed").as_completed
        client = self._client
        if client is None:
            raise ExecutorError("use the dask executor inside a 'with' block")
        # the model travels with each task (it is small); a scattered copy would be lost
        # if every worker holding it died
        todo: deque[Batch] = deque(batches)
        # batches lost with a worker: rerun one at a time, so that only a batch that is
        # lost while running alone counts as an attempt (as in ProcessExecutor)
        suspects: deque[tuple[Batch, int]] = deque()
        meta: dict[str, tuple[Batch, int, bool]] = {}
        window = 2 * self.workers + 2
        pending = as_completed()

        def send(batch: Batch, attempt: int, alone: bool) -> None:
            try:
                fut = client.submit(run_batch, model, batch, pure=False)
            except Exception as exc:  # the client lost its scheduler
                raise ExecutorError(
                    f"lost the Dask scheduler ({type(exc).__name__}: {exc}); the finished "
                    "runs are stored, rerun with --resume when the cluster is back"
                ) from exc
            meta[fut.key] = (batch, attempt, alone)
            pending.add(fut)

        def submit() -> None:
            if suspects:
                if pending.count() == 0:
                    send(*suspects.popleft(), True)
                return
            while todo and pending.count() < window:
                send(todo.popleft(), 1, False)

        submit()
        while not pending.is_empty():
            fut = next(pending)
            batch, attempt, alone = meta.pop(fut.key)
            try:
                result: BatchResult = fut.result()
            except Exception as exc:  # KilledWorker, a cancelled future, a lost scheduler
                fut.release()
                if not alone:
                    suspects.append((batch, attempt))
                elif attempt > self.retries:
                    yield BatchResult(
                        batch=batch,
                        error=(
                            f"lost on the cluster each of the {attempt} times it ran: "
                            f"{type(exc).__name__}: {exc}"
                        ),
                        attempts=attempt,
                    )
                else:
                    suspects.appendleft((batch, attempt + 1))
                submit()
                continue
            fut.release()
            submit()
            yield BatchResult(
                batch=result.batch,
                rows=result.rows,
                error=result.error,
                seconds=result.seconds,
                cpu_seconds=result.cpu_seconds,
                attempts=attempt,
            )


EXECUTORS = ("sequential", "process", "dask")


def make_executor(
    name: str, *, workers: int | None = None, address: str | None = None, timeout: float = 5.0
) -> SequentialExecutor | ProcessExecutor | DaskExecutor:
    """Build an executor by name (``address`` implies ``dask``).

    ``workers`` defaults to the number of CPUs (for a local pool or cluster).

    Examples
    --------
    >>> make_executor("process", workers=3).workers
    3
    >>> make_executor("threads")
    Traceback (most recent call last):
    ...
    resdep.errors.ExecutorError: unknown executor 'threads': expected one of: dask, process, sequential
    """
    from resdep.errors import closest

    if address is not None:
        name = "dask"
    if name == "sequential":
        return SequentialExecutor()
    if name == "process":
        return ProcessExecutor(workers or os.cpu_count() or 2)
    if name == "dask":
        return DaskExecutor(address, workers=workers or os.cpu_count() or 2, timeout=timeout)
    raise ExecutorError(f"unknown executor {name!r}: {closest(name, EXECUTORS)}")
