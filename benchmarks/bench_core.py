"""Benchmark of the core pipeline: Monte Carlo classification on the founding case.

Target (design section 10): classification with 2,000 Monte Carlo draws ≤ 1 s.
"""

from __future__ import annotations

import sys

from _common import timeit, write_section

from resdep import analyze, founding_case_path, load_case
from resdep.report.figures import inline_svg, render_figures
from resdep.report.html import _Report


def main() -> int:
    case = load_case(founding_case_path())
    load_median, _ = timeit(lambda: load_case(founding_case_path()), repeat=5)
    point_median, _ = timeit(lambda: analyze(case, draws=0), repeat=5)
    full_median, full_min = timeit(lambda: analyze(case, draws=2000), repeat=5)
    bare_median, _ = timeit(lambda: analyze(case, draws=2000, influence=False), repeat=5)
    result = analyze(case, draws=2000)
    figures_median, _ = timeit(lambda: render_figures(result, lang="zh"), repeat=3)
    figures = {n: inline_svg(d, prefix=n) for n, d in render_figures(result, lang="zh").items()}
    page_median, page_min = timeit(
        lambda: _Report(result, figures, pseudonymise=False, lang="zh").page(), repeat=5
    )
    mc = bare_median - point_median
    loo = full_median - bare_median
    verdict = "meets" if full_median <= 1.0 else "MISSES"
    body = f"""
## Core pipeline (`bench_core.py`)

Founding case: {len(case.codings)} codings, {len(case.sources)} sources, {len(case.informants)} informants.

| work | median of 5 | target |
|---|---|---|
| load and validate the case folder | {load_median * 1000:.0f} ms | |
| analyse with point estimates only (0 draws) | {point_median * 1000:.0f} ms | |
| analyse with 2,000 Monte Carlo draws (whole pipeline, as `resdep analyze` runs it) | {full_median * 1000:.0f} ms (min {full_min * 1000:.0f} ms) | ≤ 1 s: {verdict} |
| of which the 2,000-draw classification | {mc * 1000:.0f} ms | |
| of which the leave-one-out of codings (400 draws per left-out record) | {loo * 1000:.0f} ms | |
| report.html: the page without its figures (Jinja2 templates, evidence links, quotes in context; zh) | {page_median * 1000:.0f} ms (min {page_min * 1000:.0f} ms) | |
| report.html: the six figures as inline SVG (matplotlib; median of 3) | {figures_median * 1000:.0f} ms | |
"""
    path = write_section("core", body)
    print(body.strip())
    print(f"\nwritten to {path}")
    return 0 if full_median <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
