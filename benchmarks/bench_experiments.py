"""Benchmark of the experiment layer (DESIGN section 10).

1. A Sobol sweep over 10 parameters of the simulation, N = 256 (N (d + 2) = 3,072 runs),
   at ``shanghai`` scale, 20 years, on local processes (target: at most 10 minutes).
2. The speed-up from 1 to 2 worker processes on a subset of the same design (N = 32).

Usage::

    python benchmarks/bench_experiments.py              # both parts (about 15 min on 2 cores)
    python benchmarks/bench_experiments.py --quick      # case scale, small N (seconds)
    python benchmarks/bench_experiments.py --part speedup

Prints its figures; the sweep folders go to a temporary directory (or ``--keep DIR``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from resdep.experiments.analysis import analyze
from resdep.experiments.executors import DaskExecutor, ProcessExecutor, SequentialExecutor
from resdep.experiments.runner import run_sweep
from resdep.experiments.spec import parse_spec

#: The ten parameters the Sobol sweep varies (ranges: the model's own).
PARAMETERS = (
    "theta_street",
    "theta_district",
    "w_quality",
    "p_competitive",
    "budget_coverage",
    "sigma_budget",
    "mandate_level",
    "nongov_share",
    "relational_value",
    "push_base",
)


def spec(n: int, scale: str, years: int = 20) -> Any:
    return parse_spec(
        {
            "experiment": {
                "name": f"bench-sobol-{scale}-N{n}",
                "model": "resdep",
                "scale": scale,
                "years": years,
                "seed": 20261128,
            },
            "design": {"method": "sobol", "n": n},
            "parameters": {name: {} for name in PARAMETERS},
        }
    )


def timed_sweep(s: Any, out: Path, executor: Any, progress: bool = True) -> tuple[float, Any]:
    start = time.perf_counter()
    summary = run_sweep(s, out, executor=executor, force=True, progress=progress)
    return time.perf_counter() - start, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="case scale and small N")
    parser.add_argument("--part", choices=("all", "sobol", "speedup"), default="all")
    parser.add_argument("--keep", type=Path, default=None, help="keep sweep folders here")
    parser.add_argument("--dask", action="store_true", help="also time the Dask executor")
    parser.add_argument("--repeat", type=int, default=3, help="pairs of 1- and 2-worker sweeps")
    args = parser.parse_args()

    scale = "case" if args.quick else "shanghai"
    n_full, n_sub = (32, 16) if args.quick else (256, 32)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-experiments-"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} logical CPUs, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )

    # one run, to relate the sweep to the cost of the simulation itself
    from resdep.simulate import run_summary

    t = time.perf_counter()
    run_summary({}, scale=scale, years=20, seed=1)
    one = time.perf_counter() - t
    print(f"one run at {scale} scale, 20 years: {one:.3f} s")

    if args.part in ("all", "sobol"):
        s = spec(n_full, scale)
        n_runs = n_full * (len(PARAMETERS) + 2)
        wall, summary = timed_sweep(s, root / "sobol", ProcessExecutor(2))
        print(
            f"Sobol sweep, {len(PARAMETERS)} parameters, N = {n_full}, {n_runs} runs at {scale} "
            f"scale on 2 local processes: {wall:.1f} s ({wall / 60:.2f} min), "
            f"{n_runs / wall:.2f} runs/s, batches of {summary.batch_size}"
        )
        print(
            f"  CPU time inside the runs: {summary.cpu_seconds:.1f} s "
            f"({summary.cpu_seconds / n_runs:.3f} s a run); on two otherwise idle cores the "
            f"sweep would need about {summary.cpu_seconds / 2 / 60:.2f} min plus overheads"
        )
        print(f"  load average after the sweep: {os.getloadavg()[0]:.2f}")
        t = time.perf_counter()
        result = analyze(root / "sobol")
        print(
            f"analysis (Sobol S1/ST with 100 bootstrap resamples, {result.indices['outcome'].nunique()} "
            f"outcomes): {time.perf_counter() - t:.1f} s"
        )
        top = (
            result.indices[result.indices["outcome"] == "share_buddy"]
            .sort_values("ST", ascending=False)
            .head(3)
        )
        print("share_buddy, largest total indices:")
        print(top[["parameter", "S1", "S1_conf", "ST", "ST_conf"]].to_string(index=False))

    if args.part in ("all", "speedup"):
        s = spec(n_sub, scale)
        n_runs = n_sub * (len(PARAMETERS) + 2)
        wall, summary = timed_sweep(s, root / "sequential", SequentialExecutor(), progress=False)
        print(
            f"  sequential  {n_runs} runs: {wall:7.1f} s, {n_runs / wall:6.2f} runs/s, "
            f"CPU in runs {summary.cpu_seconds:6.1f} s, load {os.getloadavg()[0]:.2f}"
        )
        ratios = []
        # alternate 1 and 2 workers, so that load from other programs hits both alike
        for _ in range(args.repeat):
            times: dict[int, float] = {}
            for workers in (1, 2):
                wall, summary = timed_sweep(
                    s, root / f"process{workers}", ProcessExecutor(workers), progress=False
                )
                times[workers] = wall
                print(
                    f"  process x{workers}  {n_runs} runs: {wall:7.1f} s, {n_runs / wall:6.2f} runs/s, "
                    f"CPU in runs {summary.cpu_seconds:6.1f} s, load {os.getloadavg()[0]:.2f}"
                )
            ratios.append(times[1] / times[2])
        if args.dask:
            wall, summary = timed_sweep(s, root / "dask", DaskExecutor(workers=2), progress=False)
            print(f"  dask x2     {n_runs} runs: {wall:7.1f} s, {n_runs / wall:6.2f} runs/s")
        ratios.sort()
        print(
            "speed-up from 1 to 2 worker processes: "
            + ", ".join(f"{r:.2f}x" for r in ratios)
            + f" (median {ratios[len(ratios) // 2]:.2f}x)"
        )

    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
