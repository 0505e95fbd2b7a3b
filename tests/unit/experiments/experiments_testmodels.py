"""Models and executors used only by the experiment tests.

They live in a module of their own (not in a test file) so that worker processes started
with ``spawn`` can import them by name.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resdep.experiments.executors import Batch, BatchResult
from resdep.experiments.models import NoisyModel, ParamValue


@dataclass(frozen=True, slots=True, kw_only=True)
class DyingModel:
    """The noisy toy model, except that its worker process dies (``os._exit``) the first
    ``deaths`` times it meets a point with ``a > threshold``; a marker file counts deaths.
    With ``deaths`` large it always dies there."""

    marker: str
    threshold: float = 0.9
    deaths: int = 1
    inner: NoisyModel = field(default_factory=lambda: NoisyModel(noise_sd=0.5))

    name = "dying"
    stochastic = True

    @property
    def outcomes(self) -> tuple[str, ...]:
        return self.inner.outcomes

    def parameter_space(self) -> Mapping[str, Any]:
        return self.inner.parameter_space()

    def validate(self, params: Mapping[str, ParamValue]) -> None:
        self.inner.validate(params)

    def evaluate(self, params: Mapping[str, ParamValue], seed: int) -> dict[str, float]:
        if float(params["a"]) > self.threshold:
            # count the death and die under an exclusive lock: two workers meeting such a
            # point at once must not both read "no death yet" (the lock goes with the
            # process, so the next reader sees the "x")
            with open(self.marker, "a+") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                fh.seek(0)
                if len(fh.read()) < self.deaths:
                    fh.write("x")
                    fh.flush()
                    os._exit(13)
        return self.inner.evaluate(params, seed)


@dataclass(frozen=True, slots=True, kw_only=True)
class FailingModel:
    """The noisy toy model, raising ValueError for points with ``a > threshold``."""

    threshold: float = 0.9
    inner: NoisyModel = field(default_factory=lambda: NoisyModel(noise_sd=0.5))

    name = "failing"
    stochastic = True

    @property
    def outcomes(self) -> tuple[str, ...]:
        return self.inner.outcomes

    def parameter_space(self) -> Mapping[str, Any]:
        return self.inner.parameter_space()

    def validate(self, params: Mapping[str, ParamValue]) -> None:
        self.inner.validate(params)

    def evaluate(self, params: Mapping[str, ParamValue], seed: int) -> dict[str, float]:
        if float(params["a"]) > self.threshold:
            raise ValueError(f"a = {params['a']} is too large for this model")
        return self.inner.evaluate(params, seed)


class InterruptingExecutor:
    """Wraps an executor and raises KeyboardInterrupt after ``after`` batches (a crash)."""

    def __init__(self, inner: Any, after: int) -> None:
        self.inner = inner
        self.after = after
        self.name = inner.name

    @property
    def workers(self) -> int:
        return int(self.inner.workers)

    def __enter__(self) -> InterruptingExecutor:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.__exit__(*exc)

    def run(self, model: Any, batches: Iterable[Batch]) -> Iterator[BatchResult]:
        for k, result in enumerate(self.inner.run(model, batches)):
            if k == self.after:
                raise KeyboardInterrupt
            yield result


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordingModel:
    """The noisy toy model, sleeping ``delay`` seconds per run and appending one line
    ``start end pid thread`` per run to ``log`` (to measure how many runs overlapped)."""

    log: str
    delay: float = 0.05
    inner: NoisyModel = field(default_factory=lambda: NoisyModel(noise_sd=0.5))

    name = "recording"
    stochastic = True

    @property
    def outcomes(self) -> tuple[str, ...]:
        return self.inner.outcomes

    def parameter_space(self) -> Mapping[str, Any]:
        return self.inner.parameter_space()

    def validate(self, params: Mapping[str, ParamValue]) -> None:
        self.inner.validate(params)

    def evaluate(self, params: Mapping[str, ParamValue], seed: int) -> dict[str, float]:
        import threading
        import time

        start = time.time()
        time.sleep(self.delay)
        row = self.inner.evaluate(params, seed)
        with open(self.log, "a") as fh:
            fh.write(f"{start} {time.time()} {os.getpid()} {threading.get_ident()}\n")
        return row


def max_overlap(log: str) -> int:
    """The largest number of runs in ``log`` (of :class:`RecordingModel`) that ran at once."""
    events: list[tuple[float, int]] = []
    for line in Path(log).read_text().splitlines():
        start, end = (float(x) for x in line.split()[:2])
        events += [(start, 1), (end, -1)]
    now = best = 0
    for _, step in sorted(events, key=lambda e: (e[0], e[1])):
        now += step
        best = max(best, now)
    return best


def sweep_main(argv: list[str]) -> int:
    """For tests that run a sweep in a separate process (so that a hang is caught by a
    subprocess timeout): ``OUT ADDRESS MODEL [KEY=VALUE...]``, with MODEL ``dying``;
    prints ``OK n_done`` or ``ERROR ClassName: message`` and returns 0 or 2."""
    from resdep.errors import InputError, ResdepError
    from resdep.experiments.executors import DaskExecutor
    from resdep.experiments.runner import run_sweep
    from resdep.experiments.spec import parse_spec

    out, address, which, *rest = argv
    opts = dict(kv.split("=", 1) for kv in rest)
    spec = parse_spec(
        {
            "experiment": {"model": "noisy", "seed": 404, "replicates": 2},
            "design": {"method": "sobol", "n": int(opts.get("n", "16"))},
            "parameters": {"a": {}, "b": {}, "k": {}, "mode": {}},
        }
    )
    assert which == "dying"
    model = DyingModel(marker=opts["marker"], threshold=float(opts["threshold"]), deaths=10**6)
    executor = DaskExecutor(
        address, timeout=float(opts.get("timeout", "10")), worker_wait=float(opts.get("wait", "60"))
    )
    try:
        summary = run_sweep(
            spec, out, executor=executor, model=model, batch_size=int(opts.get("batch", "8"))
        )
    except InputError as exc:
        print(f"ERROR {type(exc).__name__}: {exc}", flush=True)
        return 2
    except ResdepError as exc:
        print(f"ERROR {type(exc).__name__}: {exc}", flush=True)
        return 1
    print(f"OK {summary.n_done}", flush=True)
    return 0


def worker_settings(dask_worker: Any = None) -> dict[str, object]:
    """On a Dask worker (through ``Client.run``): the settings that make runs slower
    there than in a pool process (see ``LOCAL_CLUSTER_CONFIG``)."""
    return {
        "trim": os.environ.get("MALLOC_TRIM_THRESHOLD_"),
        "profiling": "profile" in dask_worker.periodic_callbacks,
        "tick": dask_worker.periodic_callbacks["tick"].callback_time,
    }
