"""Benchmark of the QDA layer: importing the real NVivo project (target ≤ 2 s, design
section 10), and the founding case exported, re-imported and compared between coders.

Writes docs/benchmarks/qda.md; exits non-zero if the NVivo import misses its target.

    python benchmarks/bench_qda.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import REPO, timeit, write_section

from resdep.case import load_case
from resdep.data import founding_case_path
from resdep.qda import agreement, import_qdpx, read_qdpx, write_qdpx
from resdep.qda.agreement import coder_data_from_case

NVIVO = REPO.parent / "shared" / "data" / "refi-qda" / "nvivo-win-12.6-hungarian-comments.qdpx"
TARGET = 2.0

_CHILD = """
import sys, time
t0 = time.perf_counter()
from resdep.qda import read_qdpx
p = read_qdpx(sys.argv[1])
print(time.perf_counter() - t0, p.n_selections)
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    project = read_qdpx(NVIVO)
    nv_med, nv_min = timeit(lambda: read_qdpx(NVIVO), args.repeat)
    cold = subprocess.run(
        [sys.executable, "-c", _CHILD, str(NVIVO)], capture_output=True, text=True, check=True
    ).stdout.split()
    cold_s = float(cold[0])
    coded = next(s for s in project.sources if s.selections)
    assert coded.detection is not None
    det = coded.detection.convention.value

    case = load_case(founding_case_path())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "founding.qdpx"
        ex_med, ex_min = timeit(lambda: write_qdpx(case, out, force=True), args.repeat)
        im_med, im_min = timeit(lambda: import_qdpx(out), args.repeat)
        size = out.stat().st_size
    coders = [coder_data_from_case(case, "A"), coder_data_from_case(case, "B")]
    ag_med, ag_min = timeit(lambda: agreement(coders), args.repeat)

    ok = max(nv_med, cold_s) <= TARGET
    body = f"""
## REFI-QDA import and export (`bench_qda.py`)

Median of {args.repeat} runs (minimum in brackets). The NVivo file is
`../shared/data/refi-qda/nvivo-win-12.6-hungarian-comments.qdpx` (1.45 MB: 2 text sources
of 0.6 M characters each, 152 codes, {project.n_selections} selections): safe unzip,
XML parse, offset-convention detection (found: `{det}`) and conversion to code points.

| work | time | target |
|---|---|---|
| import the NVivo `.qdpx` (`read_qdpx`) | {nv_med * 1000:.0f} ms ({nv_min * 1000:.0f} ms) | ≤ 2 s: {"met" if ok else "MISSED"} |
| the same in a fresh process, including `import resdep.qda` | {cold_s * 1000:.0f} ms | |
| export the founding case (`write_qdpx`, {len(case.codings)} codings, with networks) | {ex_med * 1000:.0f} ms ({ex_min * 1000:.0f} ms) | {size / 1024:.0f} kB file |
| re-import it as a case (`import_qdpx`) | {im_med * 1000:.0f} ms ({im_min * 1000:.0f} ms) | |
| agreement of two coders on the founding case (all measures, incl. edges) | {ag_med * 1000:.0f} ms ({ag_min * 1000:.0f} ms) | |
"""
    path = write_section("qda", body)
    print(body.strip())
    print(f"\nwritten to {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
