"""Benchmark of the records import: real OCDS and 360Giving files, and a large JSON Lines file.

The design sets no target for records; this records the figures in
docs/benchmarks/contracts.md. The large JSON Lines file is synthetic (generated here, in a
temporary folder, then removed): compiled releases of ~3 kB each with documents and item
descriptions that resdep does not keep, so peak memory shows what streaming and projection
save against the file size.

    python benchmarks/bench_contracts.py [--repeat 5] [--big 100000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, timeit, write_section

from resdep.contracts import compute_indicators, read_records

DATA = REPO.parent / "shared" / "data"
UK = DATA / "ocds" / "contracts-finder-social-care"
GRANTS = DATA / "360giving" / "ab-charitable-trust-grants.json"

_CHILD = """
import resource, sys, time
t0 = time.perf_counter()
from resdep.contracts import read_records, compute_indicators
if sys.argv[1] != "-":
    table = read_records([sys.argv[1]], validate=sys.argv[2] == "1")
    compute_indicators(table, ["all", "year"])
    rows = len(table)
else:
    rows = 0
print(rows, time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _release(i: int) -> dict[str, object]:
    filler = "Home care and supported living services for adults in the borough. " * 6
    return {
        "ocid": f"ocds-bench-{i:08d}",
        "id": f"ocds-bench-{i:08d}-compiled",
        "date": f"20{15 + i % 8}-0{1 + i % 9}-15T00:00:00Z",
        "tag": ["compiled"],
        "initiationType": "tender",
        "parties": [
            {
                "id": "b",
                "name": f"Council {i % 300}",
                "roles": ["buyer"],
                "identifier": {"scheme": "GB-LAC", "id": f"E{i % 300:05d}"},
                "address": {
                    "streetAddress": "1 Town Hall Square",
                    "locality": "Town",
                    "postalCode": "AB1 2CD",
                    "countryName": "United Kingdom",
                },
                "contactPoint": {"name": "Procurement", "email": "p@example.com"},
            },
            {
                "id": "s",
                "name": f"Care Charity {i % 5000}",
                "roles": ["supplier"],
                "identifier": {"scheme": "GB-CHC", "id": f"{i % 5000:07d}"},
            },
        ],
        "buyer": {"id": "b", "name": f"Council {i % 300}"},
        "tender": {
            "id": "t",
            "title": "Home care",
            "description": filler,
            "procurementMethod": ("open", "selective", "limited", "direct")[i % 4],
            "numberOfTenderers": 1 + i % 5,
            "items": [
                {
                    "id": str(k),
                    "description": filler,
                    "classification": {"scheme": "CPV", "id": "85000000"},
                }
                for k in range(3)
            ],
            "documents": [
                {"id": str(k), "url": f"https://example.com/{i}/{k}.pdf", "description": filler}
                for k in range(2)
            ],
        },
        "awards": [
            {
                "id": "a",
                "status": "active",
                "date": f"20{15 + i % 8}-03-01T00:00:00Z",
                "value": {"amount": 1000 + i % 977 * 100, "currency": "GBP"},
                "suppliers": [{"id": "s", "name": f"Care Charity {i % 5000}"}],
                "description": filler,
            }
        ],
    }


def _child(path: str, validate: bool) -> tuple[int, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, path, "1" if validate else "0"],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    rows, seconds, kb = out.stdout.split()
    return int(rows), float(seconds), int(kb) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--big",
        type=int,
        default=100_000,
        help="compiled releases in the synthetic JSON Lines file (0 to skip)",
    )
    args = parser.parse_args()
    with open("/proc/loadavg", encoding="ascii") as fh:
        load_before = fh.read().split()[0]

    uk_table = read_records([UK])
    uk, uk_min = timeit(
        lambda: compute_indicators(read_records([UK]), ["all", "year"]), args.repeat
    )
    uk_nv, _ = timeit(lambda: read_records([UK], validate=False), args.repeat)
    uk_read, _ = timeit(lambda: read_records([UK]), args.repeat)
    gr_table = read_records([GRANTS])
    gr, gr_min = timeit(
        lambda: compute_indicators(read_records([GRANTS]), ["all", "year"]), args.repeat
    )
    gr_read, _ = timeit(lambda: read_records([GRANTS]), args.repeat)
    _, base_s, base_mb = _child("-", False)

    lines = ""
    if args.big:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "compiled.jsonl"
            t0 = time.perf_counter()
            with path.open("w", encoding="utf-8") as fh:
                for i in range(args.big):
                    fh.write(json.dumps(_release(i)) + "\n")
            made = time.perf_counter() - t0
            size_mb = path.stat().st_size / 1024**2
            rows, big_s, big_mb = _child(str(path), False)
            rows_v, big_v_s, big_v_mb = _child(str(path), True)
        per_row = (big_mb - base_mb) * 1024 / max(rows, 1)
        per_line = size_mb * 1024 / args.big
        lines = f"""
| synthetic JSON Lines: {args.big:,} compiled releases, {size_mb:,.0f} MB (streamed), no validation | {big_s:.1f} s | {big_mb:,.0f} MB peak RSS ({rows:,} rows) |
| the same with schema validation of every line | {big_v_s:.1f} s | {big_v_mb:,.0f} MB peak RSS ({rows_v:,} rows) |
| (generating that file) | {made:.1f} s | |

Streaming: above the {base_mb:,.0f} MB a process needs to import resdep, the peak was about
{per_row:.1f} kB per award row against {per_line:.1f} kB of JSON per line, so memory follows the
number of awards, not the size of the file.
"""

    body = f"""
## Contract and grant records (`bench_contracts.py`)

Read, compile, normalise, resolve organisations and compute indicators (windows `all` and
each year). Median of {args.repeat} runs unless stated; the synthetic file is timed once in a
fresh process (time includes importing resdep; peak RSS is the process's maximum). Load
average when the run started: {load_before} (other work on the machine slows every figure).

| work | time | notes |
|---|---|---|
| 73 UK Contracts Finder release packages ({sum(p.stat().st_size for p in UK.glob("*.json")) / 1024:,.0f} kB): import + indicators | {uk * 1000:.0f} ms (min {uk_min * 1000:.0f} ms) | {len(uk_table)} award rows |
| of which reading with schema validation | {uk_read * 1000:.0f} ms | without validation {uk_nv * 1000:.0f} ms |
| 360Giving, A B Charitable Trust ({GRANTS.stat().st_size / 1024:,.0f} kB, 783 grants): import + indicators | {gr * 1000:.0f} ms (min {gr_min * 1000:.0f} ms) | {len(gr_table)} award rows |
| of which reading with schema validation | {gr_read * 1000:.0f} ms | |
| a fresh process importing `resdep.contracts` only | {base_s:.2f} s | {base_mb:,.0f} MB peak RSS |{lines}
JSON Lines are read one line at a time; a single large `.json` package is parsed whole, so it
needs memory in proportion to its size. Schema validation costs about 0.8 ms per release on
this machine; `--no-validate` skips it. Indicators are computed once per window (the 360Giving
file spans nine years, hence ten windows).
"""
    path = write_section("contracts", body)
    print(body.strip())
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
