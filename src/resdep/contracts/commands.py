"""``resdep contracts``: import records into an award table, indicators and a summary.

::

    resdep contracts import FILES... --out DIR [--windows all,year] [--income CSV]
                            [--currency CODE --rates CSV] [--no-validate] [--quiet] [--force]
    resdep contracts template [--out FILE] [--lang en|zh]

The output folder holds ``awards.parquet`` and ``awards.csv`` (the award table),
``indicators.csv`` (every indicator, long: level, window, currency, buyer, supplier,
indicator, value), ``suppliers.csv``, ``buyers.csv`` and ``pairs.csv`` (the same, one row per
organisation or pair), ``issues.csv`` (every problem met, with its place), ``summary.html``
and ``run.json`` (files with their SHA-256, counts, versions).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from resdep.contracts.csvfile import template
from resdep.contracts.currency import convert, read_rates
from resdep.contracts.indicators import (
    DEFINITIONS,
    compute_indicators,
    parse_windows,
    read_income,
)
from resdep.contracts.summary import render_summary
from resdep.contracts.table import read_records
from resdep.csvout import write_csv
from resdep.errors import RecordsFormatError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``contracts import`` and ``contracts template``."""
    p = subparsers.add_parser(
        "contracts",
        help="import purchase and grant records (OCDS, 360Giving, CSV) into dependence indicators",
        description="Contract and grant records: economic dependence and relational-purchase "
        "indicators from OCDS 1.1, 360Giving 1.4 and the resdep CSV template.",
    )
    sub = p.add_subparsers(dest="contracts_command", metavar="COMMAND")
    imp = sub.add_parser(
        "import",
        help="read record files into an award table, indicators and an HTML summary",
        description="Read OCDS release/record packages, compiled releases as JSON Lines, "
        "360Giving JSON and the CSV template; write the award table, indicators "
        "and a summary. Folders are searched for .json, .jsonl and .csv files.",
    )
    imp.add_argument("files", nargs="+", metavar="FILE", help="record files or folders of them")
    imp.add_argument("--out", required=True, help="output folder")
    imp.add_argument(
        "--windows",
        default="all,year",
        help="time windows, comma-separated: all, year (one per calendar year), "
        "START:END with ISO dates (default: all,year)",
    )
    imp.add_argument(
        "--income",
        metavar="CSV",
        help="suppliers' total income (organisation,window,amount,currency) for "
        "dependence on total income, D*_sb = V_bs / I_s",
    )
    imp.add_argument(
        "--currency",
        metavar="CODE",
        help="the currency to convert into with --rates (ISO 4217, e.g. CNY)",
    )
    imp.add_argument(
        "--rates",
        metavar="CSV",
        help="exchange rates currency,year,rate (one unit of currency in year = rate units of "
        "--currency): rows in other currencies are converted explicitly; without it "
        "currencies are never mixed",
    )
    imp.add_argument(
        "--no-validate",
        action="store_true",
        help="skip validation against the shipped OCDS and 360Giving schemas",
    )
    imp.add_argument("--quiet", action="store_true", help="no progress bar, no summary line")
    imp.add_argument("--force", action="store_true", help="replace an existing output folder")
    imp.add_argument(
        "--raw-csv",
        action="store_true",
        help="write CSV text cells as they are (no apostrophe before =, +, -, @) and "
        "floats at full precision (see docs/outputs.md)",
    )
    imp.set_defaults(handler=_import)
    tpl = sub.add_parser(
        "template",
        help="write the CSV template's header row",
        description="Write the header row of the records CSV template (OCDS "
        "column names); see docs/records.md for each column.",
    )
    tpl.add_argument("--out", help="file to write (default: standard output)")
    tpl.add_argument(
        "--lang",
        choices=["en", "zh"],
        default="en",
        help="header names: en (OCDS field paths, the default) or zh (Chinese aliases, 项目编号, ...)",
    )
    tpl.set_defaults(handler=_template)
    p.set_defaults(handler=lambda args: _help(p))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _template(args: argparse.Namespace) -> int:
    from resdep.csvout import encode_csv
    from resdep.textio import atomic_write_bytes

    if args.out:  # with the BOM (unless RESDEP_CSV_BOM=0): Excel then shows Chinese headers
        atomic_write_bytes(args.out, encode_csv(template(args.lang)))
    else:
        sys.stdout.write(template(args.lang))
    return 0


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_table(frame: pd.DataFrame, path: Path, *, raw: bool = False) -> None:
    """CSV as every resdep output is written (:func:`resdep.csvout.write_csv`)."""
    write_csv(frame, path, raw=raw)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("resdep", "pandas", "pyarrow", "jsonschema"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
            out[name] = "unknown"
    return out


def _import(args: argparse.Namespace) -> int:
    from resdep.textio import atomic_dir, check_out

    inputs = [*args.files, *([args.income] if args.income else [])]
    check_out(args.out, force=args.force, inputs=inputs)  # before any work
    raw = bool(getattr(args, "raw_csv", False))
    windows = [w for w in str(args.windows).split(",") if w.strip()]
    parse_windows(windows)  # a wrong window is an input error before any file is read
    if args.rates and not args.currency:
        raise RecordsFormatError(
            "--rates needs --currency, the currency to convert into",
            place="command line",
            fix="add e.g. --currency CNY",
        )
    table = read_records(args.files, validate=not args.no_validate, progress=not args.quiet)
    if args.rates:
        table = convert(table, read_rates(args.rates), args.currency)
    income = read_income(Path(args.income), table) if args.income else None
    indicators = compute_indicators(table, windows, income=income)
    frame = table.frame
    issues = pd.DataFrame(
        [
            {"severity": i.severity, "file": i.file, "place": i.place, "message": i.message}
            for i in table.log.issues
        ],
        columns=["severity", "file", "place", "message"],
    )
    with atomic_dir(args.out, force=args.force, inputs=inputs) as tmp:
        frame.to_parquet(tmp / "awards.parquet", index=False)
        _write_table(frame, tmp / "awards.csv", raw=raw)
        _write_table(indicators.long(), tmp / "indicators.csv", raw=raw)
        _write_table(indicators.suppliers, tmp / "suppliers.csv", raw=raw)
        _write_table(indicators.buyers, tmp / "buyers.csv", raw=raw)
        _write_table(indicators.pairs, tmp / "pairs.csv", raw=raw)
        _write_table(issues, tmp / "issues.csv", raw=raw)
        (tmp / "summary.html").write_text(render_summary(table, indicators), encoding="utf-8")
        run = {
            "command": "contracts import",
            "files": {f: _sha256(f) for f in table.files},
            "windows": windows,
            "validated": not args.no_validate,
            "read": dict(table.log.read),
            "skipped": dict(table.log.skipped),
            "flagged": dict(table.log.flagged),
            "excluded_from_sums": {
                str(k): int(v)
                for k, v in frame.loc[~frame["in_revenue"], "excluded"].value_counts().items()
            },
            "issues": table.log.n_issues,
            "rows": len(frame),
            "indicators": DEFINITIONS,
            "versions": _versions(),
        }
        (tmp / "run.json").write_text(
            json.dumps(run, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    if not args.quiet:
        print(
            f"resdep: {table.log.summary()}; {len(frame)} award rows -> {args.out}", file=sys.stderr
        )
    return 0
