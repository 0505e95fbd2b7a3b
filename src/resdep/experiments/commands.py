"""Sub-commands of the experiment layer: ``sweep``, ``sensitivity``, ``discover``, ``replay``.

::

    resdep sweep SPEC.toml --out DIR [--executor sequential|process|dask] [--workers N]
                 [--address tcp://host:port] [--timeout S] [--worker-wait S] [--batch-size N]
                 [--resume [--allow-code-change] | --force] [--no-progress]
    resdep sensitivity DIR [--outcome NAME]... [--out DIR/sensitivity] [--force]
    resdep discover DIR --outcome NAME --threshold X [--below] [--alpha A] [--mass-min M]
                 [--min-coverage C] [--out DIR/discover/NAME] [--force]
    resdep replay DIR [--sample K] [--seed S]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the experiment sub-commands to the ``resdep`` parser.

    Examples
    --------
    >>> sub = argparse.ArgumentParser(prog="resdep").add_subparsers()
    >>> register(sub)
    >>> sorted(sub.choices)
    ['discover', 'replay', 'sensitivity', 'sweep']
    """
    p = subparsers.add_parser(
        "sweep",
        help="run an experiment specification (design × replicates) and store the outcomes",
        description="Run every run of an experiment specification and stream outcomes to Parquet.",
    )
    p.add_argument(
        "spec",
        type=Path,
        metavar="SPEC.toml",
        help="the experiment specification: parameters, design, replicates, outcomes (see docs/experiments.md)",
    )
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="sweep folder")
    p.add_argument(
        "--executor",
        choices=("sequential", "process", "dask"),
        default=None,
        help="where runs execute (default: process; dask if --address is given)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes of a local pool or cluster (default: one per CPU this "
        "process may use, as taskset or a SLURM allocation restricts it)",
    )
    p.add_argument(
        "--address",
        default=None,
        metavar="tcp://HOST:PORT",
        help="an existing Dask scheduler (implies --executor dask)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        help="seconds to reach the scheduler, or to get it back once lost (default 5)",
    )
    p.add_argument(
        "--worker-wait",
        type=float,
        default=120.0,
        metavar="S",
        help="dask: seconds to wait while the cluster has no worker before giving up "
        "(default 120; raise it for batch-queue clusters whose jobs start late)",
    )
    p.add_argument("--batch-size", type=int, default=None, help="runs per task (default: auto)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--resume", action="store_true", help="continue the sweep stored in DIR")
    group.add_argument("--force", action="store_true", help="replace DIR if it holds anything")
    p.add_argument(
        "--allow-code-change",
        action="store_true",
        help="with --resume: accept a changed resdep source or scenario file",
    )
    p.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress (default: a bar on a terminal, plain lines in a log)",
    )
    p.set_defaults(handler=_sweep)

    p = subparsers.add_parser(
        "sensitivity",
        help="Sobol or Morris indices (and seed noise) of a stored sweep, with an HTML report",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="a sweep folder written by resdep sweep")
    p.add_argument(
        "--outcome", action="append", default=None, help="only this outcome (repeatable)"
    )
    p.add_argument("--out", type=Path, default=None, help="output folder (default DIR/sensitivity)")
    p.add_argument("--force", action="store_true", help="replace the output folder")
    p.set_defaults(handler=_sensitivity)

    p = subparsers.add_parser(
        "discover",
        help="scenario discovery (PRIM): which inputs lead to an outcome above/below a threshold",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="a sweep folder written by resdep sweep")
    p.add_argument("--outcome", required=True, help="the outcome to explain, e.g. share_buddy")
    p.add_argument(
        "--threshold",
        type=float,
        required=True,
        help="runs with the outcome above it (below it with --below) are the cases of interest",
    )
    p.add_argument("--below", action="store_true", help="cases of interest are below the threshold")
    p.add_argument("--alpha", type=float, default=0.05, help="peeling fraction (default 0.05)")
    p.add_argument("--mass-min", type=float, default=0.05, help="smallest box mass (default 0.05)")
    p.add_argument(
        "--min-coverage",
        type=float,
        default=0.5,
        help="choose the densest box with at least this coverage (default 0.5)",
    )
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default DIR/discover/OUTCOME)"
    )
    p.add_argument("--force", action="store_true", help="replace the output folder")
    p.set_defaults(handler=_discover)

    p = subparsers.add_parser(
        "replay", help="re-run recorded runs of a sweep and check that outcomes are identical"
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="a sweep folder written by resdep sweep")
    p.add_argument("--sample", type=int, default=5, metavar="K", help="runs to replay (default 5)")
    p.add_argument("--seed", type=int, default=0, help="which runs are drawn (default 0)")
    p.set_defaults(handler=_replay)


def _sweep(args: argparse.Namespace) -> int:
    from resdep.errors import ExperimentSpecError
    from resdep.experiments.executors import check_address, check_timeout, make_executor
    from resdep.experiments.runner import run_sweep
    from resdep.experiments.spec import load_spec

    if args.workers is not None and args.workers < 1:
        raise ExperimentSpecError(
            "--workers must be at least 1", place="--workers", fix="use --workers 2"
        )
    if args.batch_size is not None and args.batch_size < 1:
        raise ExperimentSpecError(
            "--batch-size must be at least 1", place="--batch-size", fix="leave it out"
        )
    if args.address is not None:
        check_address(args.address)
    check_timeout(args.timeout)
    if args.allow_code_change and not args.resume:
        raise ExperimentSpecError(
            "--allow-code-change applies only with --resume",
            place="--allow-code-change",
            fix="add --resume, or drop --allow-code-change",
        )
    if not (math.isfinite(args.worker_wait) and args.worker_wait > 0):
        raise ExperimentSpecError(
            f"--worker-wait must be a positive number of seconds, found {args.worker_wait:g}",
            place="--worker-wait",
            fix="use --worker-wait 120 (the default), or more for a batch queue",
        )
    if args.address and args.executor not in (None, "dask"):
        raise ExperimentSpecError(
            "--address needs the dask executor",
            place="--executor",
            fix="drop --executor or use --executor dask",
        )
    spec = load_spec(args.spec)
    _interrupt_on_sigterm()
    executor = make_executor(
        args.executor or ("dask" if args.address else "process"),
        workers=args.workers,
        address=args.address,
        timeout=args.timeout,
        worker_wait=args.worker_wait,
    )
    summary = run_sweep(
        spec,
        args.out,
        executor=executor,
        resume=args.resume,
        force=args.force,
        batch_size=args.batch_size,
        progress=False if args.no_progress else None,
        allow_code_change=args.allow_code_change,
    )
    rate = (
        (summary.n_done - summary.n_skipped) / summary.seconds
        if summary.seconds > 0
        else float("nan")
    )
    print(
        f"{summary.n_done}/{summary.n_runs} runs stored in {summary.path} "
        f"({summary.n_skipped} were already there); {summary.seconds:.1f} s on "
        f"{summary.executor} × {summary.workers}, batches of {summary.batch_size}, {rate:.1f} runs/s"
    )
    return 0


def _interrupt_on_sigterm() -> None:
    """Treat SIGTERM like Ctrl-C, so that the executor shuts its workers down cleanly and
    the manifest records the sweep as incomplete."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _sensitivity(args: argparse.Namespace) -> int:
    from resdep.experiments.analysis import analyze
    from resdep.experiments.report import write_sensitivity

    analysis = analyze(args.dir, outcomes=args.outcome)
    out = write_sensitivity(
        analysis,
        args.out or args.dir / "sensitivity",
        title=f"Sensitivity: {args.dir.name}",
        force=args.force,
    )
    if not analysis.indices.empty:
        cols = ["outcome", "policy", "parameter"] + (
            ["S1", "S1_conf", "ST", "ST_conf"]
            if analysis.method == "sobol"
            else ["mu_star", "mu_star_conf", "sigma"]
        )
        print(analysis.indices[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    noisy = analysis.noise.dropna(subset=["noise_share"])
    if not noisy.empty:
        print("\nseed-noise share:")
        print(
            noisy[["outcome", "policy", "noise_share"]].to_string(
                index=False, float_format=lambda v: f"{v:.4f}"
            )
        )
    for note in analysis.notes:
        print(f"note: {note}")
    print(f"written: {out}/indices.csv, noise.csv, report.html")
    return 0


def _discover(args: argparse.Namespace) -> int:
    from resdep.errors import ExperimentSpecError
    from resdep.experiments.report import discover, write_discovery

    if not 0 < args.alpha < 1:
        raise ExperimentSpecError(
            "--alpha must lie between 0 and 1", place="--alpha", fix="use 0.05"
        )
    if not 0 <= args.mass_min < 1:
        raise ExperimentSpecError(
            "--mass-min must lie in [0, 1)", place="--mass-min", fix="use 0.05"
        )
    if not 0 <= args.min_coverage <= 1:
        raise ExperimentSpecError(
            "--min-coverage must lie in [0, 1]", place="--min-coverage", fix="use 0.5"
        )
    d = discover(
        args.dir,
        outcome=args.outcome,
        threshold=args.threshold,
        above=not args.below,
        alpha=args.alpha,
        mass_min=args.mass_min,
        min_coverage=args.min_coverage,
    )
    out = write_discovery(
        d,
        args.out or args.dir / "discover" / args.outcome,
        title=f"Scenario discovery: {args.dir.name}",
        force=args.force,
    )
    print(
        f"box: coverage {d.pasted.coverage:.3f}, density {d.pasted.density:.3f}, mass {d.pasted.mass:.3f} "
        f"({d.result.n_interesting} of {d.result.n_points} runs of interest)"
    )
    frame = d.box_frame()
    print(frame.to_string(index=False) if not frame.empty else "(the box restricts no input)")
    print(f"written: {out}/trajectory.csv, box.csv, report.html")
    return 0


def _replay(args: argparse.Namespace) -> int:
    from resdep.errors import ExperimentSpecError
    from resdep.experiments.runner import replay

    if args.sample < 1:
        raise ExperimentSpecError(
            "--sample must be at least 1", place="--sample", fix="use --sample 5"
        )
    report = replay(args.dir, sample=args.sample, seed=args.seed)
    if report.code_changed:
        print("note: the resdep source differs from the sweep's (code hash changed)")
    if report.ok:
        print(f"replayed runs {list(report.runs)}: all outcomes identical")
        return 0
    for line in report.mismatches:
        print(f"MISMATCH {line}")
    print(
        f"{len(report.mismatches)} mismatches in {len(report.runs)} replayed runs", file=sys.stderr
    )
    return 1
