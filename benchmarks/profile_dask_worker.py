"""Where does a Dask worker's extra CPU go? Per-run CPU in a pool worker vs Dask workers.

Runs the same ``shanghai`` runs (the Sobol design of ``bench_experiments_dask``) as one
task per worker, 2 workers at once, in several worker set-ups, alternated ``--repeat``
times, and reports per run: CPU of the process (``time.process_time``: every thread),
CPU of the thread that ran the model (``time.thread_time``), and minor page faults of
that thread (``getrusage(RUSAGE_THREAD)``). CPU times are robust on a loaded machine
(wall times are not).

Usage::

    python benchmarks/profile_dask_worker.py --runs 8 --repeat 3

Prints a table; writes nothing.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_experiments_dask import spec

from resdep.experiments.design import build_design, run_seed
from resdep.experiments.executors import LOCAL_CLUSTER_CONFIG, _restore_environ


def measure(model: Any, points: list[dict[str, Any]], seeds: list[int]) -> dict[str, float]:
    """In a worker: run the points; CPU of the process and of this thread, page faults."""
    model.evaluate(points[0], seeds[0])  # warm: imports and caches
    p0, t0, w0 = time.process_time(), time.thread_time(), time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_THREAD)
    for params, seed in zip(points, seeds, strict=True):
        model.evaluate(params, seed)
    r1 = resource.getrusage(resource.RUSAGE_THREAD)
    n = len(points)
    return {
        "process_cpu": (time.process_time() - p0) / n,
        "thread_cpu": (time.thread_time() - t0) / n,
        "wall": (time.perf_counter() - w0) / n,
        "minflt": (r1.ru_minflt - r0.ru_minflt) / n,
        "malloc_trim": float(os.environ.get("MALLOC_TRIM_THRESHOLD_", "-1")),
    }


def work(n: int) -> tuple[Any, list[list[dict[str, Any]]], list[list[int]]]:
    s = spec(16, "shanghai")
    design = build_design(s)
    model = s.make_model()
    runs = list(range(2 * n))
    pts = [design.run_params(r) for r in runs]
    seeds = [run_seed(s.seed, r) for r in runs]
    return model, [pts[:n], pts[n:]], [seeds[:n], seeds[n:]]


def on_pool(model: Any, pts: Any, seeds: Any, env: dict[str, str]) -> list[dict[str, float]]:
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        ctx = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(2, mp_context=ctx) as pool:
            futs = [pool.submit(measure, model, p, s) for p, s in zip(pts, seeds, strict=True)]
            return [f.result() for f in futs]
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def on_dask(model: Any, pts: Any, seeds: Any, config: dict[str, Any]) -> list[dict[str, float]]:
    saved = dict(os.environ)  # the nannies write their pre-spawn variables into it
    try:
        return _on_dask(model, pts, seeds, config)
    finally:
        _restore_environ(saved)


def _on_dask(model: Any, pts: Any, seeds: Any, config: dict[str, Any]) -> list[dict[str, float]]:
    import dask
    from distributed import Client, LocalCluster

    with (
        dask.config.set(config),
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(2)
        workers = sorted(client.scheduler_info()["workers"])
        futs = [
            client.submit(measure, model, p, s, workers=[w], pure=False)
            for p, s, w in zip(pts, seeds, workers, strict=True)
        ]
        return list(client.gather(futs))


QUIET = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}
NO_TRIM = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}

SETUPS: dict[str, Any] = {
    "pool": ("pool", {}),
    "pool+trim64k": ("pool", {"MALLOC_TRIM_THRESHOLD_": "65536"}),
    "dask default": ("dask", {}),
    "dask quiet": ("dask", QUIET),
    "dask no-trim": ("dask", NO_TRIM),
    "dask quiet+no-trim": ("dask", {**QUIET, **NO_TRIM}),
    "dask resdep": ("dask", LOCAL_CLUSTER_CONFIG),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="runs per worker per set-up")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=list(SETUPS))
    args = parser.parse_args()
    model, pts, seeds = work(args.runs)
    got: dict[str, list[dict[str, float]]] = {k: [] for k in args.only}
    for k in range(args.repeat):
        for name in args.only:
            kind, conf = SETUPS[name]
            fn = on_pool if kind == "pool" else on_dask
            res = fn(model, pts, seeds, conf)
            got[name] += res
            print(
                f"round {k + 1} {name}: "
                + "; ".join(
                    f"proc {r['process_cpu'] * 1e3:.0f} ms thread {r['thread_cpu'] * 1e3:.0f} ms "
                    f"wall {r['wall'] * 1e3:.0f} ms flt {r['minflt']:.0f} trim {r['malloc_trim']:.0f}"
                    for r in res
                ),
                flush=True,
            )
    print(
        f"\nmedian per run over {args.repeat} rounds x 2 workers x {args.runs} runs "
        f"(load {os.getloadavg()[0]:.1f}):"
    )
    print("| set-up | process CPU | model-thread CPU | wall | minor faults |")
    print("|---|---|---|---|---|")
    for name, rows in got.items():
        med = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
        print(
            f"| {name} | {med['process_cpu'] * 1e3:.0f} ms | {med['thread_cpu'] * 1e3:.0f} ms | "
            f"{med['wall'] * 1e3:.0f} ms | {med['minflt']:.0f} |"
        )


if __name__ == "__main__":
    main()
