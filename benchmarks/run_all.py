"""Run every ``bench_*.py`` script, then gather their figures into docs/BENCHMARKS.md.

Each script writes ``docs/benchmarks/<area>.md``; this script concatenates them under a
header. A script that fails is reported and the others still run; the exit status is
non-zero if any failed or missed its target.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from _common import DOCS, REPO, machine

HEADER = """# Benchmarks

Speed and memory targets of the design (section 10), measured by `make bench`
(`benchmarks/run_all.py`, which runs every `benchmarks/bench_*.py` and gathers the
sections below from `docs/benchmarks/*.md`). Figures are from the machine and date each
section names; CI does not time anything.

Last full run on: {machine}.
"""


def main() -> int:
    here = Path(__file__).resolve().parent
    only = set(sys.argv[1:])
    failed = []
    for script in sorted(here.glob("bench_*.py")):
        area = script.stem.removeprefix("bench_")
        if only and area not in only:
            continue
        print(f"== {script.name}", flush=True)
        t0 = time.perf_counter()
        status = subprocess.call([sys.executable, str(script)], cwd=here)
        print(f"== {script.name}: exit {status} in {time.perf_counter() - t0:.1f} s\n", flush=True)
        if status != 0:
            failed.append(script.name)
    sections = [p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md"))]
    (REPO / "docs" / "BENCHMARKS.md").write_text(
        HEADER.format(machine=machine()) + "\n" + "\n".join(sections), encoding="utf-8"
    )
    print(f"docs/BENCHMARKS.md updated from {len(sections)} sections")
    if failed:
        print("failed or missed a target: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
