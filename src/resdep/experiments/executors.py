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
import contextlib
import dataclasses
import hashlib
import importlib
import logging
import math
import multiprocessing
import os
import pickle
import re
import socket
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from resdep.errors import ExecutorError, ExperimentSpecError, InputError
from resdep.experiments.models import Model, ParamValue

__all__ = [
    "EXECUTORS",
    "LOCAL_CLUSTER_CONFIG",
    "Batch",
    "BatchResult",
    "ClusterError",
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SequentialExecutor",
    "check_address",
    "check_timeout",
    "default_workers",
    "make_executor",
    "probe_scheduler",
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
    #: seconds of each run, in order (the first run in a fresh process includes imports)
    run_seconds: tuple[float, ...] = ()
    attempts: int = 1
    #: where the batch ran (a Dask worker's address; empty for local executors)
    where: str = ""
    #: the worker refused to run it (other code or model than the sweep's)
    refused: bool = False


class ClusterError(InputError, ExecutorError):
    """The Dask cluster cannot be used for this sweep: nothing listens at the address, it
    is not a scheduler, the scheduler went away, no worker came, or a worker runs other
    code. The command line exits with status 2 (the fix is outside resdep); runs already
    finished stay stored, and ``--resume`` continues.

    Examples
    --------
    >>> err = ClusterError("lost the scheduler", place="--address", fix="rerun with --resume")
    >>> isinstance(err, InputError), isinstance(err, ExecutorError)
    (True, True)
    """


def default_workers() -> int:
    """The number of CPUs this process may run on (``os.sched_getaffinity``), which a
    ``taskset`` or a SLURM allocation restricts; ``os.cpu_count()`` where affinity is
    unknown.

    Examples
    --------
    >>> default_workers() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - platforms without affinity
        return max(1, os.cpu_count() or 1)


def run_batch(model: Model, batch: Batch) -> BatchResult:
    """Evaluate every run of ``batch`` (in a worker); model errors become ``error``."""
    start, cpu = time.perf_counter(), time.process_time()
    rows: list[dict[str, float]] = []
    times: list[float] = []
    try:
        for params, seed in zip(batch.params, batch.seeds, strict=True):
            t0 = time.perf_counter()
            row = model.evaluate(params, seed)
            times.append(time.perf_counter() - t0)
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
        run_seconds=tuple(times),
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
    return dataclasses.replace(result, attempts=attempts)


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


def probe_scheduler(address: str, timeout: float) -> None:
    """Check within ``timeout`` seconds that a Dask scheduler listens at ``address``.

    A Dask server sends its handshake as soon as a connection opens; an HTTP server (the
    dashboard port, say) sends nothing and waits for a request. So: connect, and wait
    for the handshake until the deadline. ``tls://`` addresses are not probed (the
    handshake is encrypted); Dask's own connection timeout applies to them.

    Raises
    ------
    ClusterError
        Nothing accepts connections there, or what does is not a Dask scheduler.

    Examples
    --------
    >>> probe_scheduler("tcp://127.0.0.1:1", 1.0)
    Traceback (most recent call last):
    ...
    resdep.experiments.executors.ClusterError: --address: nothing accepts connections at tcp://127.0.0.1:1 (Connection refused). Fix: start `dask scheduler` there, or give the address it prints (tcp://HOST:8786 by default)
    """
    if address.startswith("tls://"):
        return
    m = _ADDRESS.fullmatch(address)
    assert m is not None  # checked by check_address
    host, port = m.group(1).strip("[]"), int(m.group(2))
    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError):
            reason = f"no answer within {timeout:g} s"
        raise ClusterError(
            f"nothing accepts connections at {address} ({reason})",
            place="--address",
            fix="start `dask scheduler` there, or give the address it prints "
            "(tcp://HOST:8786 by default)",
        ) from None
    data = b""
    with sock:
        while b"compression" not in data and len(data) < 65536:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                chunk = sock.recv(4096)
            except OSError:  # the timeout, or a reset
                break
            if not chunk:
                break
            data += chunk
    if b"compression" not in data:
        raise ClusterError(
            f"{address} accepts connections but did not answer as a Dask scheduler within "
            f"{timeout:g} s (is it the dashboard, or another server?)",
            place="--address",
            fix="give the scheduler's address, as `dask scheduler` prints it "
            "(port 8786 by default; 8787 is the dashboard)",
        )


#: Dask settings for the ``LocalCluster`` that :class:`DaskExecutor` starts itself (not
#: for a cluster given by address or object: set them in its workers' Dask
#: configuration, see docs/experiments.md). Measured on ``shanghai`` runs
#: (``benchmarks/profile_dask_worker.py``; figures in docs/experiments.md), Dask's
#: defaults cost 20-40 % more CPU per run than a plain pool process: the statistical
#: profiler (the worker's event loop samples the running task's stack every 10 ms) and
#: the loop's other periodic checks take the GIL from the run, and
#: ``MALLOC_TRIM_THRESHOLD_=65536``, which the nanny sets so that
#: freed memory goes back to the system at once, makes glibc give memory back and fault
#: it in again inside every run. resdep's workers keep only the small outcome rows
#: between tasks, so none of this buys anything here.
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    # None: the nanny sets nothing (the variable stays as in this process's environment)
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


def _restore_environ(saved: Mapping[str, str]) -> None:
    """Put ``os.environ`` back as it was (Dask's nannies write their pre-spawn variables
    into the process that starts them, which later process pools would inherit)."""
    for key in set(os.environ) - set(saved):
        del os.environ[key]
    for key, value in saved.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


class DaskExecutor:
    """Run batches on Dask distributed.

    Parameters
    ----------
    address
        A scheduler address (``tcp://host:8786``).
    cluster
        A cluster object instead (``LocalCluster``, ``SpecCluster``, or a dask-jobqueue
        ``SLURMCluster``): the sweep connects a client to it and leaves it running.
        Without ``address`` and ``cluster``, a ``LocalCluster`` of ``workers``
        single-threaded worker processes is started with :data:`LOCAL_CLUSTER_CONFIG`
        (no profiler, no ``MALLOC_TRIM_THRESHOLD_``: as fast per run as a pool
        process), and closed after the sweep.
    workers
        Workers of the local cluster (only when neither ``address`` nor ``cluster``).
    timeout
        Seconds to reach the scheduler, and to get it back after losing the connection,
        before giving up with :class:`ClusterError`.
    retries
        Extra times a batch is rerun alone after one worker died under it while it ran
        alone (two deaths in one attempt report it at once).
    worker_wait
        Seconds the sweep waits while the cluster has no worker (none joined yet, or all
        died) before it ends with :class:`ClusterError`; runs already done stay stored.

    Notes
    -----
    The model goes to each worker once, in a worker plugin (:mod:`.dask_worker`), which
    also reports the worker's resdep version and code hash: a worker whose code or model
    differs from the sweep's is refused before it runs anything. In-flight tasks follow
    the threads present (twice as many, plus two), so workers that join later are used.
    Every wait has a deadline: the loop wakes at least every second to check that the
    scheduler is connected and that some worker exists. A batch whose worker dies is
    rerun alone once no worker still runs a cancelled task (Dask's own
    ``allowed-failures`` retries are cut short); a batch whose workers die while it runs
    alone (twice in one attempt, or once in each of ``retries + 1`` attempts) is reported
    as failed. So a batch that kills every worker it touches costs a few worker restarts
    (3 to 6 here), and the sweep ends with it reported.
    """

    name = "dask"
    #: seconds between liveness checks while waiting for results
    poll = 1.0

    def __init__(
        self,
        address: str | None = None,
        *,
        cluster: Any = None,
        workers: int = 2,
        timeout: float = 5.0,
        retries: int = 1,
        worker_wait: float = 120.0,
    ) -> None:
        if address is not None and cluster is not None:
            raise ExecutorError("give the dask executor an address or a cluster, not both")
        self.address = check_address(address) if address is not None else None
        self._given_cluster = cluster
        self._n_local = workers
        self.timeout = check_timeout(timeout)
        self.retries = retries
        self.worker_wait = check_timeout(worker_wait)
        self._cluster: Any = None
        self._client: Any = None
        self._threads = 0
        self._zombies = False
        self._quieted: list[tuple[logging.Logger, int]] = []
        self._environ: dict[str, str] | None = None
        #: identity of every worker the sweep used (address → version, code hash, host...)
        self.identities: dict[str, dict[str, Any]] = {}

    @property
    def workers(self) -> int:
        """Threads on the cluster at the last check (at least 1)."""
        if self._client is None:
            return max(1, self._n_local)
        return max(1, self._threads)

    def __enter__(self) -> DaskExecutor:
        try:
            distributed: Any = importlib.import_module("distributed")
        except ImportError as exc:  # pragma: no cover - distributed is a dependency
            raise ExecutorError(f"the dask executor needs dask.distributed: {exc}") from exc
        Client, LocalCluster = distributed.Client, distributed.LocalCluster
        # a lost scheduler makes Dask's client log tracebacks while it tries to reconnect;
        # the sweep says what happened (ClusterError) and what to do, so quiet them
        for name in ("distributed.client", "distributed.comm"):
            logger = logging.getLogger(name)
            self._quieted.append((logger, logger.level))
            logger.setLevel(logging.CRITICAL)
        if self._given_cluster is not None:
            try:
                self._client = Client(self._given_cluster, timeout=self.timeout)
            except Exception as exc:
                raise ClusterError(
                    f"could not connect to the cluster object ({type(exc).__name__}: {exc})",
                    place="cluster",
                    fix="check that the cluster is running (its scheduler_address)",
                ) from None
        elif self.address is None:
            dask: Any = importlib.import_module("dask")
            # Dask's nannies write their pre-spawn variables into this process's
            # environment (and again on every worker restart); __exit__ puts it back
            self._environ = dict(os.environ)
            try:
                with dask.config.set(LOCAL_CLUSTER_CONFIG):
                    self._cluster = LocalCluster(
                        n_workers=self._n_local,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        # the scheduler still serves health routes over HTTP; without
                        # this it tries port 8787 first and warns when another cluster
                        # holds it
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    )
                self._client = Client(self._cluster)
            except Exception as exc:
                self.__exit__(None, None, None)
                raise ExecutorError(f"could not start a local Dask cluster: {exc}") from exc
        else:
            probe_scheduler(self.address, self.timeout)
            try:
                self._client = Client(self.address, timeout=self.timeout)
            except Exception as exc:  # OSError or TimeoutError, depending on the failure
                raise ClusterError(
                    f"could not reach the Dask scheduler at {self.address} within "
                    f"{self.timeout:g} s ({type(exc).__name__}: {exc})",
                    place="--address",
                    fix="check the address and that `dask scheduler` is running there "
                    "and accepts connections",
                ) from None
        self._refresh()
        return self

    def __exit__(self, et: Any, ev: Any, tb: Any) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close(timeout=self.timeout)
            self._client = None
        for logger, level in self._quieted:
            logger.setLevel(level)
        self._quieted = []
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close(timeout=10)
            self._cluster = None
        if self._environ is not None:
            _restore_environ(self._environ)
            self._environ = None

    # -- liveness ------------------------------------------------------------------------
    def _lost(self, why: str) -> ClusterError:
        return ClusterError(
            f"lost the Dask scheduler ({why}); the finished runs are stored",
            place="--address" if self.address else "dask",
            fix="rerun with --resume when the scheduler is back",
        )

    def _refresh(self) -> dict[str, int]:
        """Ask the scheduler which workers it has (threads per worker), with a deadline."""
        client = self._client
        if client.status != "running":
            return {}
        try:
            info = client.sync(
                client.scheduler.identity, n_workers=-1, callback_timeout=self.timeout
            )
        except Exception:
            return {}
        threads = {a: int(w.get("nthreads", 1)) for a, w in info.get("workers", {}).items()}
        self._threads = sum(threads.values())
        return threads

    def _check_workers(self, name: str, expected: dict[str, str]) -> None:
        """Refuse workers whose code or model differ from the sweep's (before any run)."""
        client = self._client
        try:
            found = client.run(_plugin_identity_of, name, on_error="return")
        except Exception as exc:  # the scheduler went away meanwhile
            raise self._lost(f"{type(exc).__name__}: {exc}") from None
        for address, ident in sorted(found.items()):
            if not isinstance(ident, dict):  # a worker that just left, or has no plugin yet
                continue
            self.identities[address] = ident
            _refuse_if_different(address, ident, expected)

    # -- running -------------------------------------------------------------------------
    def run(self, model: Model, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        distributed: Any = importlib.import_module("distributed")
        dask_worker: Any = importlib.import_module("resdep.experiments.dask_worker")
        client = self._client
        if client is None:
            raise ExecutorError("use the dask executor inside a 'with' block")
        model_bytes = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        name = f"resdep-sweep-{uuid.uuid4().hex[:12]}"
        expected = {
            "code_hash": dask_worker.worker_identity()["code_hash"],
            "model_digest": hashlib.sha256(model_bytes).hexdigest(),
        }
        try:
            client.register_plugin(dask_worker.SweepPlugin(name, model_bytes), name=name)
        except Exception as exc:
            raise self._lost(f"{type(exc).__name__}: {exc}") from None
        try:
            self._check_workers(name, expected)
            yield from self._loop(distributed, dask_worker, name, batches, expected)
        finally:
            if client.status == "running":
                with contextlib.suppress(Exception):
                    client.unregister_worker_plugin(name)

    def _loop(
        self,
        distributed: Any,
        dask_worker: Any,
        name: str,
        batches: Iterable[Batch],
        expected: dict[str, str],
    ) -> Iterator[BatchResult]:
        client = self._client
        source = iter(batches)  # pulled lazily: batch sizes may follow the workers present
        todo: deque[Batch] = deque()
        # batches lost with a worker: rerun one at a time, so that only a batch that is
        # lost while running alone counts as an attempt (as in ProcessExecutor)
        suspects: deque[tuple[Batch, int]] = deque()
        meta: dict[Any, tuple[Batch, int, bool]] = {}
        exhausted = False
        no_workers_since: float | None = None
        last_check = time.monotonic()

        def send(batch: Batch, attempt: int, alone: bool) -> None:
            try:
                fut = client.submit(dask_worker.run_on_worker, name, batch, expected, pure=False)
            except Exception as exc:  # the client lost its scheduler
                raise self._lost(f"{type(exc).__name__}: {exc}") from None
            meta[fut] = (batch, attempt, alone)

        def lost_batch(
            batch: Batch, attempt: int, alone: bool, why: str, deaths: int = 1
        ) -> BatchResult | None:
            # Alone, a batch is to blame for its worker's death, except that a cancelled
            # lethal task may still kill a worker under it once: so it is reported when
            # it lost two workers in one attempt (KilledWorker means four), or lost one
            # in each of ``retries + 1`` attempts.
            if not alone:
                suspects.append((batch, attempt))
            elif attempt > self.retries or deaths >= 2:
                return BatchResult(
                    batch=batch,
                    error=f"its worker died each of the {attempt} times it ran alone ({why})",
                    attempts=attempt,
                )
            else:
                suspects.appendleft((batch, attempt + 1))
            return None

        while True:
            # fill the window (it follows the threads present, so late workers get work)
            window = 2 * self._threads + 2
            if suspects:
                if not meta:
                    if self._zombies:
                        self._wait_until_idle()
                    send(*suspects.popleft(), True)
            else:
                while len(meta) < window:
                    if not todo and not exhausted:
                        nxt = next(source, None)
                        if nxt is None:
                            exhausted = True
                        else:
                            todo.append(nxt)
                    if not todo:
                        break
                    send(todo.popleft(), 1, False)
            if not meta:
                return
            try:
                done, _ = distributed.wait(
                    list(meta), timeout=self.poll, return_when="FIRST_COMPLETED"
                )
            except TimeoutError:
                done = set()
            except Exception as exc:  # FuturesCancelledError: the scheduler went away
                if client.status != "running":
                    raise self._lost(f"the client is {client.status}") from None
                raise self._lost(f"{type(exc).__name__}: {exc}") from None
            if client.status != "running":
                # Dask cancels every task of a client that lost its scheduler; even if it
                # reconnects, the work has to be submitted again
                raise self._lost(f"the client is {client.status}")
            for fut in done:
                batch, attempt, alone = meta.pop(fut)
                if fut.status == "cancelled":
                    if client.status != "running":
                        raise self._lost("the client's tasks were cancelled")
                    suspects.append((batch, attempt))  # cancelled elsewhere: run it again
                    continue
                try:
                    result: BatchResult = fut.result(timeout=self.poll)
                except TimeoutError:
                    # finished, but its result was lost with its worker before it came
                    # here; Dask computes it again: keep waiting (and checking)
                    meta[fut] = (batch, attempt, alone)
                    continue
                except Exception as exc:  # KilledWorker, or the worker's unpicklable error
                    fut.release()
                    why = f"{type(exc).__name__}: {exc}"
                    killed = type(exc).__name__ == "KilledWorker"
                    failed = lost_batch(batch, attempt, alone, why, 2 if killed else 1)
                    if failed is not None:
                        yield failed
                    continue
                fut.release()
                if result.refused:
                    self._check_workers(name, expected)  # names the worker precisely
                    raise ClusterError(
                        f"refused to mix code versions in one sweep: {result.error}",
                        place="dask worker",
                        fix="install the same resdep (same source) on every worker, then "
                        "rerun with --resume",
                    )
                if result.where and result.where not in self.identities:
                    with contextlib.suppress(Exception):
                        self._check_workers(name, expected)
                yield _with_attempts(result, attempt)
            if time.monotonic() - last_check < self.poll:
                continue
            # at most once per poll, whether or not results arrive: is anyone working,
            # and has a batch in flight lost its worker?
            last_check = time.monotonic()
            threads = self._refresh()
            if client.status != "running":
                continue
            if threads:
                no_workers_since = None
                yield from self._cut_short_lost_batches(meta, lost_batch)
            else:
                now = time.monotonic()
                no_workers_since = no_workers_since or now
                if now - no_workers_since > self.worker_wait:
                    raise ClusterError(
                        f"the Dask cluster has had no worker for {self.worker_wait:g} s "
                        f"({len(meta)} batches waiting); the finished runs are stored",
                        place="dask workers",
                        fix="start workers (or check why they die: a batch that kills its "
                        "worker is reported once it did so alone), then rerun with --resume; "
                        "--worker-wait sets how long to wait",
                    )

    def _wait_until_idle(self) -> None:
        """Before a batch runs alone: wait (at most ``worker_wait``) until no worker thread
        still runs a cancelled task. A cancelled task keeps running on its worker; a
        lethal one would kill the worker under the next batch and get it blamed."""
        self._zombies = False
        deadline = time.monotonic() + self.worker_wait
        while time.monotonic() < deadline:
            try:
                busy = self._client.run(_executing, on_error="return")
            except Exception:
                return
            if all(isinstance(n, int) and n == 0 for n in busy.values()):
                return
            time.sleep(0.2)

    def _cut_short_lost_batches(
        self, meta: dict[Any, tuple[Batch, int, bool]], lost: Any
    ) -> list[BatchResult]:
        """Ask the scheduler how often each batch in flight lost its worker; a batch that
        lost one stops being retried by Dask (which would kill up to ``allowed-failures``
        more workers) and is handled here: rerun alone, or, if it was alone, reported."""
        keys = [f.key for f in meta]
        failed: list[BatchResult] = []
        try:
            counts = self._client.run_on_scheduler(_suspicious_counts, keys)
        except Exception:  # a scheduler that refuses to run functions: Dask's limit holds
            return failed
        for fut in list(meta):
            batch, attempt, alone = meta[fut]
            n = int(counts.get(fut.key, 0))
            if n >= 1:
                del meta[fut]
                fut.cancel()
                fut.release()
                self._zombies = True
                result = lost(batch, attempt, alone, f"its worker died {n} times while it ran", n)
                if result is not None:
                    failed.append(result)
        return failed


def _executing(dask_worker: Any = None) -> int:
    """On a worker: how many tasks its threads are running (cancelled ones included)."""
    threads = getattr(dask_worker, "active_threads", None)
    if threads is not None:  # every thread in a task, cancelled or not
        return len(threads)
    state = dask_worker.state  # pragma: no cover - other versions of distributed
    return len(state.executing) + len(getattr(state, "long_running", ()))


def _suspicious_counts(keys: list[str], dask_scheduler: Any = None) -> dict[str, int]:
    """On the scheduler: how many workers died while each task ran."""
    tasks = dask_scheduler.tasks
    return {k: int(tasks[k].suspicious) for k in keys if k in tasks and tasks[k].suspicious}


def _plugin_identity_of(name: str, dask_worker: Any = None) -> dict[str, Any] | None:
    """On a worker (through ``Client.run``): what its copy of plugin ``name`` recorded."""
    plugin = dask_worker.plugins.get(name)
    return dict(plugin.identity) if plugin is not None else None


def _refuse_if_different(address: str, ident: dict[str, Any], expected: dict[str, str]) -> None:
    if "model_error" in ident:
        raise ClusterError(
            f"worker {address} (host {ident.get('host')}) cannot load the sweep's model: "
            f"{ident['model_error']}",
            place="dask worker",
            fix="install the same resdep (same source) on every worker",
        )
    for key, want in expected.items():
        have = str(ident.get(key))
        if have != want:
            raise ClusterError(
                f"worker {address} (host {ident.get('host')}, resdep {ident.get('resdep')}) has "
                f"{key} {have[:12]}, the sweep has {want[:12]}; refused before running anything "
                "on it",
                place="dask worker",
                fix="install the same resdep (same source) on every worker, then rerun "
                "with --resume",
            )


EXECUTORS = ("sequential", "process", "dask")


def make_executor(
    name: str,
    *,
    workers: int | None = None,
    address: str | None = None,
    timeout: float = 5.0,
    worker_wait: float = 120.0,
) -> SequentialExecutor | ProcessExecutor | DaskExecutor:
    """Build an executor by name (``address`` implies ``dask``).

    ``workers`` defaults to the CPUs this process may use (:func:`default_workers`).

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
        return ProcessExecutor(workers or default_workers())
    if name == "dask":
        return DaskExecutor(
            address,
            workers=workers or default_workers(),
            timeout=timeout,
            worker_wait=worker_wait,
        )
    raise ExecutorError(f"unknown executor {name!r}: {closest(name, EXECUTORS)}")
