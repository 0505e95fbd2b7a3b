"""Command-line sub-commands ``scenarios``, ``simulate`` and ``patterns``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from resdep.errors import ScenarioError

__all__ = ["register"]


def _parse_sets(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"cannot read {item!r}", place="--set", fix="write --set key=value")
        out[key.strip()] = value.strip()
    return out


def _bar(total: int, desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, file=sys.stderr, leave=False, disable=None)


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List the bundled scenarios and the scales."""
    from resdep.simulate.params import SCALES, list_scenarios

    for sc in list_scenarios():
        print(f"{sc.name:22s} {sc.description}")
    print()
    for s in SCALES.values():
        print(
            f"scale {s.name:10s} {s.districts} districts, {s.streets} streets, "
            f"{s.committees} committees, {s.agencies} agencies"
        )
    return 0


#: Outcomes printed after a run (means over the last half of the years).
SUMMARY_COLUMNS = (
    "pa_contracting",
    "pa_implementation",
    "pa_closing",
    "share_partnership",
    "share_buddy",
    "welfare_ratio",
    "task_completion",
    "survival",
)


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run the simulation for one or more seeds and write its files."""
    from resdep.simulate.api import simulate
    from resdep.simulate.output import write_simulation
    from resdep.simulate.params import resolve_params, resolve_scale
    from resdep.simulate.seeds import SeedRuns, simulate_seeds

    overrides = _parse_sets(args.set or [])
    # validate everything (names, ranges, memory) before the first year runs
    resolve_scale(args.scale, resolve_params(args.scenario, overrides))
    if args.seeds < 1:
        raise ScenarioError(
            f"need at least 1 seed, got {args.seeds}", place="--seeds", fix="give e.g. --seeds 20"
        )
    if args.workers is not None and args.workers < 1:
        raise ScenarioError(
            f"need at least 1 worker, got {args.workers}",
            place="--workers",
            fix="give e.g. --workers 2, or leave it out to use every available CPU",
        )
    bar = _bar(args.years * args.seeds, f"simulate {args.scenario} ({args.scale})")
    run: Any
    try:
        if args.seeds == 1:
            run = simulate(
                args.scenario,
                scale=args.scale,
                years=args.years,
                seed=args.seed,
                overrides=overrides,
                progress=bar.update,
            )
        else:
            run = simulate_seeds(
                args.scenario,
                scale=args.scale,
                years=args.years,
                seeds=args.seeds,
                seed=args.seed,
                workers=args.workers,
                overrides=overrides,
                progress=bar.update,
            )
    finally:
        bar.close()
    if args.out:
        path = write_simulation(run, args.out, force=args.force)
        print(f"wrote {path}")
    if isinstance(run, SeedRuns):
        # per seed the mean over the last half, then the mean and 5-95% range over seeds
        tail = run.by_seed[run.by_seed["year"] > args.years // 2]
        per_seed = tail.groupby("seed")[list(SUMMARY_COLUMNS)].mean()
        print(
            f"{len(run.seeds)} seeds ({run.seeds[0]}-{run.seeds[-1]}, {run.workers} workers); "
            "mean over seeds [5%, 95%] of each seed's mean over the last half"
        )
        for col in SUMMARY_COLUMNS:
            v = per_seed[col]
            print(f"{col:20s} {v.mean():+.3f}  [{v.quantile(0.05):+.3f}, {v.quantile(0.95):+.3f}]")
    else:
        half = run.outcomes.iloc[args.years // 2 :]
        for col in SUMMARY_COLUMNS:
            print(f"{col:20s} {half[col].mean():+.3f}")
    return 0


def cmd_patterns(args: argparse.Namespace) -> int:
    """Check P1–P7; exit 0 only if all hold."""
    from resdep.simulate.patterns import check_patterns

    if args.seeds < 2:
        raise ScenarioError(
            f"need at least 2 seeds, got {args.seeds}", place="--seeds", fix="give e.g. --seeds 20"
        )
    bar = _bar(6 * args.seeds, f"patterns ({args.scale})")
    try:
        rows = check_patterns(
            scale=args.scale,
            seeds=args.seeds,
            years=args.years,
            overrides=_parse_sets(args.set or []),
            progress=bar.update,
        )
    finally:
        bar.close()
    for r in rows:
        print(f"{r.pattern}  {'holds' if r.holds else 'FAILS':5s}  {r.text}\n      {r.figure}")
    ok = all(r.holds for r in rows)
    print(
        f"{sum(r.holds for r in rows)}/{len(rows)} patterns hold ({args.scale} scale, "
        f"{args.seeds} seeds, {args.years} years)"
    )
    return 0 if ok else 1


def register(subparsers: Any) -> None:
    """Add the simulation sub-commands to the ``resdep`` parser."""
    p = subparsers.add_parser("scenarios", help="list simulation scenarios and scales")
    p.set_defaults(handler=cmd_scenarios)

    p = subparsers.add_parser("simulate", help="run the purchase-system simulation")
    p.add_argument("--scenario", default="baseline", help="scenario name or .toml file")
    p.add_argument("--scale", default="case", help="case, shanghai or china")
    p.add_argument("--years", type=int, default=20, help="years simulated (default 20)")
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the (first) run; same seed, same result (default 0)",
    )
    p.add_argument(
        "--seeds",
        type=int,
        default=1,
        help="number of seeds, run as --seed, --seed+1, ...; outcomes get a 5-95%% band",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes running seeds in parallel (default: the CPUs available, at most --seeds)",
    )
    p.add_argument("--out", help="output folder")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an earlier resdep output folder at --out as a whole",
    )
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a parameter")
    p.set_defaults(handler=cmd_simulate)

    p = subparsers.add_parser("patterns", help="check patterns P1-P7 over many seeds")
    p.add_argument(
        "--seeds",
        type=int,
        default=20,
        help="runs (seeds 0 … N−1) each pattern is checked over (default 20)",
    )
    p.add_argument("--scale", default="shanghai", help="case, shanghai or china (default shanghai)")
    p.add_argument("--years", type=int, default=20, help="years simulated per run (default 20)")
    p.add_argument(
        "--set", action="append", metavar="KEY=VALUE", help="override a baseline parameter"
    )
    p.set_defaults(handler=cmd_patterns)
