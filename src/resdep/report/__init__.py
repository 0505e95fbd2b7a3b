"""The report layer: the HTML report of ``resdep analyze`` and figures for papers.

:func:`write_report` writes one self-contained HTML page (figures inline as SVG, no
external files, fonts or scripts); the figure functions return matplotlib figures a
notebook can show or a paper can use (:func:`save_figures` writes SVG and PNG).

Examples
--------
>>> import tempfile, pathlib
>>> from resdep import analyze, load_case, founding_case_path
>>> from resdep.report import write_report
>>> result = analyze(load_case(founding_case_path()), draws=200)
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> write_report(result, out / "report.html", figures_dir=out / "figures")
>>> (out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
True
>>> sorted(p.name for p in (out / "figures").glob("*.svg"))[:2]
['memberships.svg', 'network_closing.svg']
"""

from __future__ import annotations

from resdep.report.figures import (
    cjk_font,
    membership_figure,
    network_figure,
    pa_trajectory_figure,
    save_figures,
    svg_text,
)
from resdep.report.html import render_report, write_report

__all__ = [
    "cjk_font",
    "membership_figure",
    "network_figure",
    "pa_trajectory_figure",
    "render_report",
    "save_figures",
    "svg_text",
    "write_report",
]
