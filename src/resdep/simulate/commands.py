"""Command-line sub-commands ``scenarios``, ``simulate`` and ``patterns``.

``resdep patterns`` exits with :data:`EXIT_PATTERN_FAILS` (3) when it ran to the end and a
pattern does not hold, as a test runner reports failing tests: 1 stays reserved for a bug
in resdep and 2 for bad input (the CLI contract of ``resdep.cli``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from resdep.errors import ScenarioError

__all__ = ["EXIT_PATTERN_FAILS", "register"]

#: Exit status of ``resdep patterns`` when the check ran and at least one pattern fails.
EXIT_PATTERN_FAILS = 3


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
    from resdep.simulate.text import outcome_name, report_lang, ui

    lang = report_lang(args.lang)
    overrides = _parse_sets(args.set or [])
    scenarios: list[str] = args.scenario or ["baseline"]
    # validate everything (names, ranges, memory) before the first year runs
    for scenario in scenarios:
        resolve_scale(args.scale, resolve_params(scenario, overrides))
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
    if args.out and len(set(scenarios)) == 1:
        from resdep.simulate.output import warm_figures

        warm_figures()  # matplotlib imported on the other core while the years run
    from resdep.simulate.alloc import retain_freed_memory

    retain_freed_memory()  # freed arrays reused by the next year's (same results)
    runs: dict[str, Any] = {}
    for scenario in dict.fromkeys(scenarios):  # a scenario named twice runs once
        bar = _bar(args.years * args.seeds, f"simulate {scenario} ({args.scale})")
        try:
            if args.seeds == 1:
                runs[scenario] = simulate(
                    scenario,
                    scale=args.scale,
                    years=args.years,
                    seed=args.seed,
                    overrides=overrides,
                    progress=bar.update,
                )
            else:
                runs[scenario] = simulate_seeds(
                    scenario,
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
    if len(runs) > 1:
        return _compare(runs, args, lang)
    run = next(iter(runs.values()))
    if args.out:
        path = write_simulation(run, args.out, force=args.force, lang=lang)
        print(ui("wrote", lang, path=path))
        _font_note(lang)
    names = {col: outcome_name(col, lang) for col in SUMMARY_COLUMNS}
    width = max(_width(n) for n in names.values()) + 2
    if isinstance(run, SeedRuns):
        # per seed the mean over the last half, then the mean and 5-95% range over seeds
        tail = run.by_seed[run.by_seed["year"] > args.years // 2]
        per_seed = tail.groupby("seed")[list(SUMMARY_COLUMNS)].mean()
        print(
            ui(
                "summary_many",
                lang,
                n=len(run.seeds),
                first=run.seeds[0],
                last=run.seeds[-1],
                workers=run.workers,
            )
        )
        for col in SUMMARY_COLUMNS:
            v = per_seed[col]
            print(
                f"{_pad(names[col], width)}{v.mean():+.3f}  "
                f"[{v.quantile(0.05):+.3f}, {v.quantile(0.95):+.3f}]  {col}"
            )
    else:
        half = run.outcomes.iloc[args.years // 2 :]
        print(ui("summary_one", lang))
        for col in SUMMARY_COLUMNS:
            print(f"{_pad(names[col], width)}{half[col].mean():+.3f}  {col}")
    return 0


def _font_note(lang: str) -> None:
    from resdep.report.figures import cjk_font
    from resdep.simulate.text import ui

    if lang == "zh" and cjk_font() is None:
        print(f"resdep: {ui('no_cjk_font', lang)}", file=sys.stderr)


def _compare(runs: dict[str, Any], args: argparse.Namespace, lang: str) -> int:
    """Scenarios side by side: the comparison written to --out, the key rows printed."""
    from resdep.simulate.compare import compare_frame, folder_names, write_comparison
    from resdep.simulate.text import outcome_name, ui

    if args.out:
        path = write_comparison(runs, args.out, force=args.force, lang=lang)
        print(ui("wrote", lang, path=path))
        _font_note(lang)
    labels = folder_names(list(runs))
    frame = compare_frame(dict(zip(labels, runs.values(), strict=True)))
    print(ui("compare_title", lang) + ui("colon", lang) + " · ".join(labels))
    keys = [("pa", s) for s in ("contracting", "implementation", "closing")] + [
        ("share_partnership", ""),
        ("share_buddy", ""),
        ("welfare_ratio", ""),
    ]
    names = {k: outcome_name(f"{k[0]}_{k[1]}" if k[1] else k[0], lang) for k in keys}
    width = max(_width(n) for n in names.values()) + 2
    colw = max(12, *(len(x) + 2 for x in labels))
    diff = ui("difference", lang)
    print(
        _pad("", width)
        + "".join(x.rjust(colw) for x in labels)
        + "".join(f"{diff} {x}".rjust(colw + _width(diff) + 1) for x in labels[1:])
    )
    for measure, stage in keys:
        sub = frame[(frame["measure"] == measure) & (frame["stage"] == stage)].set_index("scenario")
        if sub.empty:
            continue
        mean = sub["mean"].astype(float)
        delta = sub["diff"].astype(float)
        cells = "".join(f"{mean[x]:+.3f}".rjust(colw) for x in labels)
        cells += "".join(f"{delta[x]:+.3f}".rjust(colw + _width(diff) + 1) for x in labels[1:])
        print(_pad(names[(measure, stage)], width) + cells)
    return 0


def _width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 1)


def _check_out(path: str | None, force: bool) -> None:
    """Refuse an ``--out`` file that exists (unless ``--force``) or sits in no folder."""
    if path is None:
        return
    from pathlib import Path

    from resdep.errors import OutputExistsError

    p = Path(path)
    if p.is_dir():
        raise ScenarioError("is a folder", file=p, place="--out", fix="give a .csv file name")
    if p.exists() and not force:
        raise OutputExistsError(f"{p}: file exists. Fix: give another --out or add --force")
    if not p.parent.is_dir():
        raise ScenarioError(
            "folder does not exist", file=p.parent, place="--out", fix="create it first"
        )


def cmd_patterns(args: argparse.Namespace) -> int:
    """Check P1–P7 and R1–R3 (exit 0 if all hold, 3 if one fails), or report behaviour draws."""
    from resdep.csvout import write_csv
    from resdep.simulate.patterns import (
        behaviour_draws,
        check_patterns,
        draws_frame,
        patterns_frame,
    )

    if args.seeds < 2:
        raise ScenarioError(
            f"need at least 2 seeds, got {args.seeds}", place="--seeds", fix="give e.g. --seeds 20"
        )
    if args.seed_start < 0:
        raise ScenarioError(
            f"--seed-start must be a non-negative whole number, got {args.seed_start}",
            place="--seed-start",
            fix="give e.g. --seed-start 0",
        )
    if args.behaviour_draws is not None and args.behaviour_draws < 1:
        raise ScenarioError(
            f"need at least 1 draw, got {args.behaviour_draws}",
            place="--behaviour-draws",
            fix="give e.g. --behaviour-draws 30",
        )
    _check_out(args.out, args.force)
    overrides = _parse_sets(args.set or [])
    from resdep.simulate.params import resolve_params, resolve_scale

    resolve_scale(args.scale, resolve_params("baseline", overrides))
    if args.behaviour_draws is not None:
        k = args.behaviour_draws
        bar = _bar(k, f"behaviour draws ({args.scale})")
        try:
            records = behaviour_draws(
                k,
                scale=args.scale,
                seeds=args.seeds,
                years=args.years,
                seed=args.seed_start,
                progress=bar.update,
            )
        finally:
            bar.close()
        table = draws_frame(records)
        for row in table.itertuples():
            print(f"{row.pattern}  holds in {row.holds}/{row.draws} draws ({row.share:.2f})")
        if args.out:
            import pandas as pd

            write_csv(pd.DataFrame(records), args.out)
            print(f"wrote {args.out}")
        return 0
    runs = (6 if args.no_reversals else 13) * args.seeds
    bar = _bar(runs, f"patterns ({args.scale})")
    try:
        rows = check_patterns(
            scale=args.scale,
            seeds=args.seeds,
            years=args.years,
            overrides=overrides,
            progress=bar.update,
            seed_start=args.seed_start,
            reversals=not args.no_reversals,
        )
    finally:
        bar.close()
    for r in rows:
        print(f"{r.pattern}  {'holds' if r.holds else 'FAILS':5s}  {r.text}\n      {r.figure}")
    ok = all(r.holds for r in rows)
    print(
        f"{sum(r.holds for r in rows)}/{len(rows)} patterns hold ({args.scale} scale, "
        f"{args.seeds} seeds from {args.seed_start}, {args.years} years)"
    )
    if args.out:
        write_csv(patterns_frame(rows), args.out)
        print(f"wrote {args.out}")
    return 0 if ok else EXIT_PATTERN_FAILS


def register(subparsers: Any) -> None:
    """Add the simulation sub-commands to the ``resdep`` parser."""
    p = subparsers.add_parser("scenarios", help="list simulation scenarios and scales")
    p.set_defaults(handler=cmd_scenarios)

    p = subparsers.add_parser("simulate", help="run the purchase-system simulation")
    p.add_argument(
        "--scenario",
        action="append",
        metavar="NAME|FILE",
        help="scenario name (resdep scenarios) or .toml file (default baseline); give it "
        "twice or more to run the scenarios side by side with the same seeds: each one's "
        "outputs go to a subfolder of --out, with a comparison report, compare.csv and "
        "figures/compare.* beside them",
    )
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
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=None,
        help="language of the report, its figures and this summary: zh (Chinese) or en "
        "(English); default from the locale (LC_ALL, LC_MESSAGES, LANG starting with zh: zh)",
    )
    p.set_defaults(handler=cmd_simulate)

    p = subparsers.add_parser(
        "patterns",
        help="check patterns P1-P7 and reversals R1-R3 over many seeds",
        description="Check patterns P1-P7 and reversals R1-R3 over many seeds: one row "
        "per pattern with its figure and verdict.",
        epilog="Exit status: 0 every pattern holds; 3 the check ran and at least one "
        "pattern FAILS (the table says which); 2 bad input; 1 a bug in resdep. "
        "With --behaviour-draws: 0 once the shares are printed (no verdict).",
    )
    p.add_argument("--seeds", type=int, default=20, help="seeds per condition (per draw)")
    p.add_argument("--seed-start", type=int, default=0, help="first seed")
    p.add_argument("--scale", default="shanghai", help="case, shanghai or china (default shanghai)")
    p.add_argument("--years", type=int, default=20, help="years simulated per run (default 20)")
    p.add_argument("--out", help="write the rows (or the draws) to this CSV file")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--no-reversals", action="store_true", help="check P1-P7 only (skip R1-R3)")
    p.add_argument(
        "--behaviour-draws",
        type=int,
        metavar="K",
        help="instead: for K random draws of the behavioural parameters over their ranges "
        "(baseline institutions), the share of draws in which each of P1-P7 holds",
    )
    p.add_argument(
        "--set", action="append", metavar="KEY=VALUE", help="override a baseline parameter"
    )
    p.set_defaults(handler=cmd_patterns)
