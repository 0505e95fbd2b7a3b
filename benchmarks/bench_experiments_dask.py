"""Benchmark: the Dask executor against local processes, side by side, 2 workers (issue 13).

The same Sobol sweep of the simulation (10 parameters, ``shanghai`` scale, 20 years,
N = 16: 192 runs, batches of 16 runs) runs on ``ProcessExecutor(2)`` and on
``DaskExecutor(workers=2)`` (a ``LocalCluster`` of two single-threaded worker processes),
alternating ``--repeat`` times so that changes in the machine's load hit both alike.
Each time covers the whole ``run_sweep`` call: starting the pool or cluster, the runs,
and writing the results. Target: Dask within 10 % of processes.

Usage::

    python benchmarks/bench_experiments_dask.py               # about 3 min on 2 cores
    python benchmarks/bench_experiments_dask.py --quick       # case scale (seconds)

Writes ``docs/benchmarks/experiments_dask.md`` (unless ``--no-write``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_section
from bench_experiments import PARAMETERS  # the same ten parameters as the process benchmark

from resdep.experiments.executors import DaskExecutor, ProcessExecutor
from resdep.experiments.runner import run_sweep
from resdep.experiments.spec import parse_spec


def spec(n: int, scale: str) -> Any:
    return parse_spec(
        {
            "experiment": {
                "name": f"bench-dask-{scale}-N{n}",
                "model": "resdep",
                "scale": scale,
                "years": 20,
                "seed": 20261130,
            },
            "design": {"method": "sobol", "n": n},
            "parameters": {name: {} for name in PARAMETERS},
        }
    )


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def batches(args: Any) -> str:
    if not args.batch:
        return "batches sized from a timed run"
    return f"batches of {args.batch} runs for both executors"


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def render(
    scale: str,
    s: Any,
    args: Any,
    rows: list[str],
    times: dict[str, list[float]],
    cpus: dict[str, list[float]],
) -> str:
    """The figures as a Markdown section."""
    p, d = _median(times["process"]), _median(times["dask"])
    cp, cd = _median(cpus["process"]), _median(cpus["dask"])
    ratio = d / p
    verdict = "met" if ratio <= 1.10 else "not met"
    return f"""
## Dask against local processes, 2 workers (issue 13)

The same Sobol sweep of the simulation (10 parameters, `{scale}` scale, 20 years, N = 16:
{len(s.parameters) + 2} × 16 = {16 * (len(s.parameters) + 2)} runs, {batches(args)}) on
`ProcessExecutor(2)` and on `DaskExecutor(workers=2)` (a `LocalCluster` of two
single-threaded worker processes with resdep's settings, `LOCAL_CLUSTER_CONFIG`: no
profiler, 1 s ticks, no `MALLOC_TRIM_THRESHOLD_`; the model goes to each worker once, in
a worker plugin), alternated {args.repeat} times. Each time is the whole `run_sweep`
call, starting the pool or cluster included. "CPU in runs" is the workers' process CPU
(`time.process_time`, every thread of the worker) while they ran batches, summed.
Command: `python benchmarks/bench_experiments_dask.py`.

| round | executor | wall | runs | batch | CPU in runs | load (1/5 min) before |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Median wall: processes {p:.1f} s, Dask {d:.1f} s: **Dask / processes = {ratio:.3f}**
(target ≤ 1.10: **{verdict}** on these figures). Median CPU in runs: processes
{cp:.1f} s, Dask {cd:.1f} s: **CPU ratio {cd / cp:.3f}** (CPU is less disturbed by
other work on the machine than wall time). The load column shows the machine's load
average before each sweep; other engineers' work shared the 2 cores unless it reads
below 1.{loaded_note(rows, times)}
"""


def loaded_note(rows: list[str], times: dict[str, list[float]]) -> str:
    """A warning when the machine was loaded during any sweep (load average over 2)."""
    loads = [float(r.rsplit("|", 2)[-2].split("/")[0]) for r in rows]
    if not loads or max(loads) <= 2:
        return ""
    spread = ", ".join(
        f"{name} {max(ts) / min(ts):.2f}×" for name, ts in times.items() if len(ts) > 1
    )
    return (
        f" **The machine was loaded (1-minute load average up to {max(loads):.1f} on 2 cores;"
        f" slowest / fastest round of the same executor: {spread or 'one round'}), so these"
        " wall times do not decide the target; re-measure on an idle machine.**"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="case scale, for a smoke test")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--batch",
        type=int,
        default=16,
        help="runs per task, the same for both executors (0: chosen from a timed run)",
    )
    args = parser.parse_args()
    scale = "case" if args.quick else "shanghai"
    s = spec(16, scale)
    tmp = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    times: dict[str, list[float]] = {"process": [], "dask": []}
    cpus: dict[str, list[float]] = {"process": [], "dask": []}
    rows: list[str] = []
    try:
        for k in range(args.repeat):
            for name in ("process", "dask"):
                executor: Any = ProcessExecutor(2) if name == "process" else DaskExecutor(workers=2)
                before = load()
                t0 = time.perf_counter()
                summary = run_sweep(s, tmp / f"{name}{k}", executor=executor, batch_size=args.batch)
                wall = time.perf_counter() - t0
                times[name].append(wall)
                cpus[name].append(summary.cpu_seconds)
                line = (
                    f"| {k + 1} | {name} | {wall:.1f} s | {summary.n_done} | "
                    f"{summary.batch_size} | {summary.cpu_seconds:.1f} s | {before} |"
                )
                rows.append(line)
                print(line, flush=True)
                if not args.no_write:  # figures so far, in case the run is cut short
                    write_section("experiments_dask", render(scale, s, args, rows, times, cpus))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    body = render(scale, s, args, rows, times, cpus)
    print(body.strip().splitlines()[-3])
    if not args.no_write:
        print(f"written: {write_section('experiments_dask', body)}")


if __name__ == "__main__":
    main()
