"""Writing a simulation run: the files of design section 11 plus ``outcomes.csv``.

The same files as ``resdep analyze`` (``inputs.csv``, ``stages.csv``,
``relationships.csv``, ``diagnostics.csv``, ``networks/<stage>.graphml``, ``report.html``,
``run.json``) plus ``outcomes.csv``, the report's figures (``figures/<name>.svg`` and
300 dpi ``.png``) and the model's ODD description (``ODD.md``, ``ODD.html``; in Chinese ``ODD.zh.md``, ``ODD.zh.html``) the report
links to. The report and its figures are in Chinese or English
(:mod:`resdep.simulate.text`). The folder is built by
:func:`resdep.textio.atomic_dir`: in a temporary sibling, moved into place when complete,
and with ``force`` an earlier output folder is replaced as a whole (never mixed with the
new run). At big scales the final-year dyad tables, the diagnostics and the networks
cover a seeded random sample of :data:`MAX_DYAD_ROWS` dyads (``run.json`` says so).
"""

from __future__ import annotations

import html
import io
import json
import platform
import re
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

import numpy as np
import pandas as pd

from resdep.classify import GKS_ORDER, LABEL_ORDER, NAJAM_ORDER, gks, najam
from resdep.csvout import write_csv
from resdep.dependence import STATE_ORDER, dyad_measures
from resdep.simulate.api import SimulationResult
from resdep.simulate.model import (
    AG_RESOURCES,
    GA_RESOURCES,
    DyadTables,
    stream,
    street_goals,
)
from resdep.simulate.odd import odd_stem, write_odd
from resdep.simulate.seeds import SeedRuns
from resdep.simulate.text import (
    DEFINITIONS,
    definition,
    label_name,
    outcome_name,
    param_name,
    param_value,
    scale_name,
    stage_name,
    stat_name,
    state_name,
    ui,
)
from resdep.textio import atomic_dir

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure

__all__ = [
    "DIAGNOSTICS_COLUMNS",
    "DISTRICT_ROWS",
    "MAX_DYAD_ROWS",
    "PA_QUANTILES",
    "SIM_FIGURE_NAMES",
    "diagnostics_frame",
    "district_summary",
    "dyad_frames",
    "networks",
    "render_report",
    "report_figures",
    "street_goal_vectors",
    "warm_figures",
    "write_graphml",
    "write_simulation",
]

#: Columns of ``diagnostics.csv``, as written by ``resdep analyze``.
DIAGNOSTICS_COLUMNS = ["scope", "measure", "value", "n_records", "triangulation"]

#: Largest number of dyads written to the per-dyad tables.
MAX_DYAD_ROWS = 5_000
STAGES = ("contracting", "implementation", "closing")


def _sample(t: DyadTables, seed: int) -> tuple[np.ndarray, bool]:
    n = t.agency.size
    if n <= MAX_DYAD_ROWS:
        return np.arange(n), False
    pick = stream(seed, "report").choice(n, MAX_DYAD_ROWS, replace=False)
    return np.sort(pick), True


def dyad_frames(result: SimulationResult) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, bool]:
    """``stages``, ``relationships`` and ``inputs`` tables of the final year's dyads.

    Returns the three tables and whether they hold a sample.

    Examples
    --------
    >>> from resdep.simulate import simulate
    >>> st, rel, inp, sampled = dyad_frames(simulate(years=2, seed=1))
    >>> list(st.columns)[:4], sampled
    (['agency', 'government', 'stage', 'd_ag'], False)
    """
    t = result.dyads
    if t is None or t.agency.size == 0:
        empty = pd.DataFrame()
        return empty, empty, empty, False
    idx, sampled = _sample(t, result.seed)
    agency = np.array([f"agency_{a}" for a in t.agency[idx]], dtype=object)
    gov = np.array([f"street_{s}" for s in t.street[idx]], dtype=object)
    rows = []
    for k, stage in enumerate(STAGES):
        m = dyad_measures(t.d_ag[idx, k], t.d_ga[idx, k])
        rows.append(
            pd.DataFrame(
                {
                    "agency": agency,
                    "government": gov,
                    "stage": stage,
                    "d_ag": t.d_ag[idx, k],
                    "d_ga": t.d_ga[idx, k],
                    "md": m["md"],
                    "pa": m["pa"],
                    "pi": m["pi"],
                    "md_min": m["md_min"],
                    "state": [STATE_ORDER[c].value for c in t.state[idx, k]],
                }
            )
        )
    stages = pd.concat(rows, ignore_index=True)
    lab = t.label[idx]
    relationships = pd.DataFrame(
        {
            "agency": agency,
            "government": gov,
            "label": [LABEL_ORDER[c].value for c in lab],
            "mu_partnership": t.mu_partnership[idx],
            "mu_buddy": t.mu_buddy[idx],
            # no Monte Carlo over simulated inputs: the probability is that of the point label
            "p_partnership": (lab == 0).astype(float),
            "p_buddy": (lab == 1).astype(float),
            "p_transactional": (lab == 2).astype(float),
            "ri": t.ri[idx],
            "gp": t.gp[idx],
            "ia": t.ia[idx],
            "dep": t.dep[idx],
            "najam": [NAJAM_ORDER[c] for c in najam(t.ia[idx], t.gp[idx])],
            "gks": [GKS_ORDER[c] for c in gks(t.ri[idx], t.gp[idx])],
        }
    )
    from resdep.dependence import resource_dependence

    parts = []
    for direction, (ii, ss, xx, names) in {
        "ag": (t.ag_i, t.ag_s, t.ag_x, AG_RESOURCES),
        "ga": (t.ga_i, t.ga_s, t.ga_x, GA_RESOURCES),
    }.items():
        d = resource_dependence(ii[idx], ss[idx], xx[idx])
        for k, stage in enumerate(STAGES):
            for r, res in enumerate(names):
                live = ii[idx, k, r] > 0
                if not live.any():
                    continue
                dep, prov = (agency, gov) if direction == "ag" else (gov, agency)
                parts.append(
                    pd.DataFrame(
                        {
                            "dependent": dep[live],
                            "provider": prov[live],
                            "resource": res,
                            "stage": stage,
                            "importance": ii[idx, k, r][live],
                            "alternatives": ss[idx, k, r][live],
                            "discretion": xx[idx, k, r][live],
                            "d": d[:, k, r][live],
                            # no informants behind a model state: no records, triangulation not
                            # applicable (empty), so the flag T < 2 is not raised (NaN < 2 is false)
                            "n_records": 0,
                            "triangulation": np.nan,
                            "single_source": False,
                            "origin": "simulated",  # a model state, neither coded nor records
                        }
                    )
                )
    inputs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return stages, relationships, inputs, sampled


#: Base names of the figures of a simulation report (``figures/<name>.svg`` and ``.png``);
#: ``stage_states`` and ``pa_quantiles`` only when the outcomes hold their columns.
SIM_FIGURE_NAMES: tuple[str, ...] = (
    "outcomes",
    "stage_pa",
    "stage_dependence",
    "stage_states",
    "pa_quantiles",
)
#: Quantile suffixes of the per-stage PA columns (``pa_<stage>_<q>``) drawn as a fan.
PA_QUANTILES = ("q05", "q25", "q50", "q75", "q95")
#: Rows of the top and of the bottom of the per-district table (all rows when few).
DISTRICT_ROWS = 8

_STATE_COLOURS = {
    "interdependent": "#009E73",
    "government_dominant": "#0072B2",
    "agency_dominant": "#E69F00",
    "weak": "#8C8C8C",
}


def _view(run: SimulationResult | SeedRuns) -> tuple[SimulationResult, pd.DataFrame, int]:
    """The first (or only) result, the yearly outcomes to show, and the number of seeds."""
    if isinstance(run, SeedRuns):
        return run.first, run.outcomes, len(run.seeds)
    return run, run.outcomes, 1


def _line(ax: Any, o: pd.DataFrame, col: str, label: str | None = None, **kw: Any) -> None:
    """A yearly series; with a band (``<col>_lo``, ``<col>_hi``) shaded behind it."""
    years = o["year"].to_numpy()
    (ln,) = ax.plot(years, o[col].to_numpy(), label=label or col, **kw)
    if f"{col}_lo" in o.columns and f"{col}_hi" in o.columns:
        ax.fill_between(
            years,
            o[f"{col}_lo"].to_numpy(),
            o[f"{col}_hi"].to_numpy(),
            color=ln.get_color(),
            alpha=0.2,
            linewidth=0,
        )


def _integer_years(axes: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _state_columns(o: pd.DataFrame, stage: str) -> list[tuple[str, str]]:
    return [
        (s.value, f"share_{s.value}_{stage}")
        for s in STATE_ORDER
        if f"share_{s.value}_{stage}" in o.columns
    ]


def _has_fan(o: pd.DataFrame, stage: str) -> bool:
    return all(f"pa_{stage}_{q}" in o.columns for q in PA_QUANTILES)


def _legend_right(ax: Any, **kw: Any) -> None:
    """A legend beside the axes, never over the chart (constrained layout makes room)."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **kw)


@contextmanager
def _figure_style(lang: str, cjk: bool) -> Iterator[None]:
    """Matplotlib settings of the simulation figures: a CJK font first when drawing Chinese."""
    import matplotlib as mpl

    from resdep.report.figures import cjk_font

    families = [f for f in ((cjk_font() if lang == "zh" and cjk else None), "DejaVu Sans") if f]
    rc: Any = {
        "font.family": families,
        "font.size": 8,
        "axes.titlesize": 9,
        "legend.fontsize": 7,
        "legend.frameon": False,
        "svg.fonttype": "none",
        "svg.hashsalt": "resdep",
        "text.parse_math": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with mpl.rc_context(rc), warnings.catch_warnings():
        # Chinese kept as SVG text is measured with a Latin font when no CJK font exists;
        # the browser draws it with the reader's fonts
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        yield


def report_figures(
    run: SimulationResult | SeedRuns,
    lang: str = "en",
    *,
    cjk: bool = True,
    names: Iterable[str] | None = None,
) -> dict[str, Figure]:
    """The report's figures by name (:data:`SIM_FIGURE_NAMES`), built without pyplot.

    Every title, axis label and legend entry is in ``lang`` (``zh`` or ``en``); legends
    sit beside the charts, never over them. With several seeds every yearly series is
    the across-seed mean with its 5–95% band shaded. ``stage_states`` (yearly shares of
    each stage state, per stage) and ``pa_quantiles`` (the fan of PA quantiles across
    dyads, per stage) are drawn only when the outcomes hold those columns. ``cjk`` false
    draws Chinese text without a CJK font (for SVG text, which the browser renders).
    ``names`` builds only those figures (all by default).

    Examples
    --------
    >>> from resdep.simulate import simulate
    >>> {"outcomes", "stage_pa", "stage_dependence"} <= set(report_figures(simulate(years=2, seed=1)))
    True
    """
    with _figure_style(lang, cjk):
        return _report_figures(run, lang, None if names is None else set(names))


def _report_figures(
    run: SimulationResult | SeedRuns, lang: str, names: set[str] | None
) -> dict[str, Figure]:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    _, o, _n = _view(run)
    figs: dict[str, Figure] = {}
    year = ui("year", lang)

    def name(col: str) -> str:
        return outcome_name(col, lang)

    def want(key: str) -> bool:
        return names is None or key in names

    if want("outcomes"):
        fig = Figure(figsize=(11, 6.2), layout="constrained")
        axes = fig.subplots(2, 2)
        for col in ("welfare", "welfare_ratio", "task_completion", "budget_index"):
            _line(axes[0, 0], o, col, label=name(col))
        axes[0, 0].set_title(ui("fig_residents", lang))
        for col in ("survival", "staff", "hhi"):
            _line(axes[0, 1], o, col, label=name(col))
        axes[0, 1].set_title(ui("fig_agencies", lang))
        for col in ("relational_share", "formalization", "autonomy"):
            _line(axes[1, 0], o, col, label=name(col))
        axes[1, 0].set_title(ui("fig_problems", lang))
        for col in ("share_partnership", "share_buddy", "share_transactional"):
            _line(axes[1, 1], o, col, label=label_name(col.removeprefix("share_"), lang))
        axes[1, 1].set_ylim(-0.02, 1.02)
        axes[1, 1].set_title(ui("fig_labels", lang))
        for ax in axes.flat:
            ax.set_xlabel(year)
            _legend_right(ax)
        _integer_years(axes.flat)
        figs["outcomes"] = fig

    if want("stage_pa"):
        fig = Figure(figsize=(11, 3.4), layout="constrained")
        ax2 = fig.subplots(1, 2)
        for stage in STAGES:
            _line(ax2[0], o, f"pa_{stage}", label=stage_name(stage, lang))
            _line(ax2[1], o, f"md_min_{stage}", label=stage_name(stage, lang))
        ax2[0].axhline(0, color="grey", lw=0.5)
        ax2[0].set_title(ui("fig_pa", lang))
        ax2[1].set_title(ui("fig_mdmin", lang))
        for ax in ax2:
            ax.set_xlabel(year)
        _legend_right(ax2[1], title=ui("stage", lang))
        _integer_years(ax2)
        figs["stage_pa"] = fig

    if want("stage_dependence"):
        fig = Figure(figsize=(7, 3.2), layout="constrained")
        ax3 = fig.subplots()
        half = o.iloc[len(o) // 2 :]
        ax3.plot(
            range(3), [half[f"d_ag_{s}"].mean() for s in STAGES], "o-", label=ui("d_ag_line", lang)
        )
        ax3.plot(
            range(3), [half[f"d_ga_{s}"].mean() for s in STAGES], "s-", label=ui("d_ga_line", lang)
        )
        ax3.set_xticks(range(3), [stage_name(s, lang) for s in STAGES])
        ax3.set_ylim(0, 1)
        ax3.set_title(ui("fig_dep", lang))
        _legend_right(ax3)
        figs["stage_dependence"] = fig

    if want("stage_states") and any(_state_columns(o, s) for s in STAGES):
        fig = Figure(figsize=(11, 3.4), layout="constrained")
        ax4 = fig.subplots(1, 3, sharey=True)
        years = o["year"].to_numpy()
        for ax, stage in zip(ax4, STAGES, strict=True):
            cols = _state_columns(o, stage)
            if cols:
                ax.stackplot(
                    years,
                    *[o[c].to_numpy() for _, c in cols],
                    labels=[state_name(n, lang) for n, _ in cols],
                    colors=[_STATE_COLOURS.get(n, "#444444") for n, _ in cols],
                )
            ax.set_ylim(0, 1)
            ax.set_xlim(float(years.min()), float(years.max()) if len(years) > 1 else None)
            ax.set_title(stage_name(stage, lang))
            ax.set_xlabel(year)
        ax4[0].set_ylabel(ui("share_of_dyads", lang))
        fig.suptitle(ui("fig_states", lang), fontsize=9)
        handles, labels = [], []
        for ax in ax4:  # every state drawn in any stage, once
            for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
                if lab not in labels:
                    handles.append(h)
                    labels.append(lab)
        if handles:
            _legend_right(ax4[-1], handles=handles, labels=labels)
        _integer_years(ax4)
        figs["stage_states"] = fig

    if want("pa_quantiles") and any(_has_fan(o, s) for s in STAGES):
        fig = Figure(figsize=(11, 3.4), layout="constrained")
        ax5 = fig.subplots(1, 3, sharey=True)
        years = o["year"].to_numpy()
        for ax, stage in zip(ax5, STAGES, strict=True):
            if _has_fan(o, stage):
                q = {k: o[f"pa_{stage}_{k}"].to_numpy() for k in PA_QUANTILES}
                ax.fill_between(years, q["q05"], q["q95"], color="#0072B2", alpha=0.15, lw=0)
                ax.fill_between(years, q["q25"], q["q75"], color="#0072B2", alpha=0.3, lw=0)
                ax.plot(years, q["q50"], color="#0072B2", label=ui("median", lang))
            ax.axhline(0, color="grey", lw=0.5)
            ax.set_title(stage_name(stage, lang))
            ax.set_xlabel(year)
        ax5[0].set_ylabel("PA")
        fig.suptitle(ui("fig_fan", lang), fontsize=9)
        lines = [ln for ax in ax5 for ln in ax.get_lines() if not ln.get_label().startswith("_")]
        _legend_right(
            ax5[-1],
            handles=[
                Patch(color="#0072B2", alpha=0.15, label="5–95%"),
                Patch(color="#0072B2", alpha=0.3, label="25–75%"),
                *lines[:1],
            ],
        )
        _integer_years(ax5)
        figs["pa_quantiles"] = fig
    return figs


def _svg_document(fig: Figure) -> str:
    import matplotlib as mpl

    buf = io.BytesIO()
    with (
        mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "resdep"}),
        warnings.catch_warnings(),
    ):
        # Chinese kept as SVG text without a CJK font: measured with a Latin font, drawn
        # by the browser with the reader's fonts
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue().decode("utf-8")


def _png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _fmt(v: object) -> str:
    if isinstance(v, float | np.floating):
        x = float(v)
        if np.isnan(x):
            return ""
        return f"{x:.0f}" if x.is_integer() and abs(x) >= 1 else f"{x:.3f}"
    return html.escape(str(v))


def _table(frame: pd.DataFrame, headers: Iterable[str] | None = None) -> str:
    names = list(frame.columns) if headers is None else list(headers)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in names)
    body = "".join(
        "<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def district_summary(districts: pd.DataFrame, lang: str = "en") -> tuple[pd.DataFrame, str]:
    """The final year's districts ordered by closing PA, the top and bottom ones when many.

    Returns the table (every base column: no ``_lo``/``_hi`` band columns) and a sentence
    in ``lang`` saying how many districts there are and how closing PA spreads across them.

    Examples
    --------
    >>> d = pd.DataFrame({"year": [1, 2, 2, 2], "district": [0, 0, 1, 2],
    ...                   "n_dyads": [5, 6, 7, 8], "pa_closing": [0.1, 0.3, -0.2, 0.0]})
    >>> table, text = district_summary(d)
    >>> table["district"].tolist(), text
    ([0, 2, 1], 'Year 2: 3 districts; closing PA across districts from -0.200 to +0.300 (median +0.000).')
    >>> district_summary(d, "zh")[1]
    '第 2 年：3 个区；各区结项阶段 PA 从 -0.200 到 +0.300（中位数 +0.000）。'
    """
    last = districts.loc[districts["year"] == districts["year"].max()]
    cols = [
        c for c in last.columns if c != "year" and not c.endswith(("_lo", "_hi")) and c != "n_seeds"
    ]
    key = "pa_closing" if "pa_closing" in last.columns else cols[-1]
    ordered = last.sort_values([key, "district"], ascending=[False, True], kind="stable")[cols]
    n = len(ordered)
    if n > 2 * DISTRICT_ROWS:
        ordered = pd.concat([ordered.head(DISTRICT_ROWS), ordered.tail(DISTRICT_ROWS)])
    year = int(last["year"].iloc[0]) if n else 0
    v = last[key].to_numpy(dtype=float)
    if key == "pa_closing" and n and np.isfinite(v).any():
        text = ui(
            "districts_text",
            lang,
            year=year,
            n=n,
            lo=f"{np.nanmin(v):+.3f}",
            hi=f"{np.nanmax(v):+.3f}",
            med=f"{np.nanmedian(v):+.3f}",
        )
    else:
        text = f"{ui('year', lang)} {year}: {n} {ui('districts', lang)}."
    return ordered.reset_index(drop=True), text


def _last_half(run: SimulationResult | SeedRuns) -> tuple[pd.DataFrame, int, int]:
    """Per outcome column: mean over the last half of the years, and its band over seeds.

    One row per column (index) with ``mean``, ``lo`` and ``hi``: with several seeds, each
    seed's mean over the last half, then their mean and 5%/95% quantiles over seeds
    (as the terminal summary); with one seed ``lo`` and ``hi`` are NaN. Also returns the
    first and last year of the last half.
    """
    from resdep.simulate.seeds import BAND_HIGH, BAND_LOW

    _, o, _n = _view(run)
    years = o["year"].to_numpy()
    first = int(years[len(years) // 2]) if len(years) else 0
    last = int(years[-1]) if len(years) else 0
    if isinstance(run, SeedRuns):
        long = run.by_seed
        tail = long[long["year"] >= first]
        cols = [c for c in long.columns if c not in ("seed", "year")]
        per_seed = tail.groupby("seed")[cols].mean()
        table = pd.DataFrame(
            {
                "mean": per_seed.mean(),
                "lo": per_seed.quantile(BAND_LOW),
                "hi": per_seed.quantile(BAND_HIGH),
            }
        )
    else:
        cols = [c for c in o.columns if c != "year"]
        tail = o[o["year"] >= first]
        table = pd.DataFrame({"mean": tail[cols].mean(), "lo": np.nan, "hi": np.nan})
    return table, first, last


def _value_band(summary: pd.DataFrame, col: str, signed: bool = False) -> str:
    spec = "+.3f" if signed else ".3f"
    mean, lo, hi = (float(v) for v in summary.loc[col, ["mean", "lo", "hi"]].to_numpy())
    if not np.isfinite(mean):
        return ""
    text = format(mean, spec)
    if np.isfinite(lo) and np.isfinite(hi):
        text += f" <span class=band>[{format(lo, spec)}, {format(hi, spec)}]</span>"
    return text


def _stage_table(summary: pd.DataFrame, lang: str) -> str:
    """Key outcomes per stage (rows), with seed bands: PA, MDmin, D both ways, state shares."""
    cols: list[tuple[str, str, bool]] = [
        ("pa", "PA", True),
        ("md_min", "MDmin", False),
        ("d_ag", "D_ag", False),
        ("d_ga", "D_ga", False),
        *((f"share_{s.value}", state_name(s.value, lang), False) for s in STATE_ORDER),
    ]
    cols = [c for c in cols if f"{c[0]}_contracting" in summary.index]
    head = f"<th>{html.escape(ui('stage', lang))}</th>" + "".join(
        f"<th>{html.escape(title)}</th>" for _, title, _ in cols
    )
    rows = []
    for stage in STAGES:
        cells = "".join(
            f"<td>{_value_band(summary, f'{prefix}_{stage}', signed)}</td>"
            for prefix, _, signed in cols
        )
        rows.append(f"<tr><td>{html.escape(stage_name(stage, lang))}</td>{cells}</tr>")
    return f"<table class=key><tr>{head}</tr>{''.join(rows)}</table>"


#: Outcomes shown beside the stage table: not per stage.
KEY_OUTCOMES: tuple[str, ...] = (
    "share_partnership",
    "share_buddy",
    "share_transactional",
    "welfare_ratio",
    "formalization",
    "autonomy",
    "hhi",
    "survival",
)


def _named(raw: str, readable: str) -> str:
    """A readable name with the raw name in small print."""
    if readable == raw:
        return f"<code>{html.escape(raw)}</code>"
    return f"{html.escape(readable)} <small><code>{html.escape(raw)}</code></small>"


_REPORT_CSS = (
    "body{{font-family:{font};max-width:1150px;margin:auto;padding:1em;line-height:1.4}}"
    "table{{border-collapse:collapse;font-size:0.85em;margin:0.4em 0}}"
    "td,th{{border:1px solid #ccc;padding:2px 6px;vertical-align:top}}th{{background:#f3f3f3}}"
    "svg{{max-width:100%;height:auto}}.cols{{display:flex;gap:2em;flex-wrap:wrap}}"
    "small code,small{{color:#666;font-size:0.8em}}.band{{color:#555;font-size:0.9em}}"
    "figure{{margin:0.5em 0 1.2em}}figcaption{{font-size:0.9em;color:#333}}"
    "dt{{font-weight:bold;margin-top:0.5em}}dd{{margin-left:1.5em}}nav a{{margin-right:1em}}"
)


def render_report(
    run: SimulationResult | SeedRuns,
    figures: Mapping[str, str] | None = None,
    *,
    lang: str = "en",
    files: bool = False,
) -> str:
    """A self-contained HTML page in ``lang``: outcomes per stage, series, definitions.

    Shows the key outcomes per stage with their seed bands, the yearly series, the
    stage-state shares and the PA quantile fan per stage when the outcomes hold them, a
    per-district table when the run has districts, the means over the last half, the run
    statistics, a definition of every outcome and every parameter under a readable name
    (raw name in small print). ``figures`` are standalone SVG documents by name (as
    :func:`write_simulation` renders them once for both the files and the page), drawn
    here when not given. With ``files`` the page links each figure's files
    (``figures/<name>.svg``, ``.png``) and the ODD description written beside it in the
    report's language (``ODD.html``, or ``ODD.zh.html`` for ``zh``).

    Examples
    --------
    >>> from resdep.simulate import simulate
    >>> page = render_report(simulate(years=2, seed=1))
    >>> page.startswith("<!DOCTYPE html>") and page.count("<svg") >= 3
    True
    >>> "<h2 id=definitions>指标定义</h2>" in render_report(simulate(years=2, seed=1), lang="zh")
    True
    """
    from resdep.report.figures import CSS_FONT_STACK, inline_svg

    if figures is None:
        figures = {k: _svg_document(f) for k, f in report_figures(run, lang).items()}
    result, _, n_seeds = _view(run)
    summary, first, last = _last_half(run)

    def fig(name: str, caption: str = "") -> str:
        if name not in figures:
            return ""
        # as wide as drawn (points at 96 px per inch), never wider than the page
        match = re.search(r'<svg[^>]*\swidth="([0-9.]+)pt"', figures[name])
        width = f"max-width:{float(match.group(1)) * 96 / 72:.0f}px" if match else ""
        links = ""
        if files:
            links = (
                f" <small>{html.escape(ui('figure_files', lang))}: "
                f'<a href="figures/{name}.svg">figures/{name}.svg</a> · '
                f'<a href="figures/{name}.png">figures/{name}.png</a> (300 dpi)</small>'
            )
        cap = f"<figcaption>{html.escape(caption)}{links}</figcaption>" if caption or links else ""
        return (
            f'<figure><div style="{width}">{inline_svg(figures[name], prefix=name)}</div>'
            f"{cap}</figure>"
        )

    def heading(key: str, text: str | None = None) -> str:
        return f"<h2 id={key}>{html.escape(text or ui(key, lang))}</h2>"

    sections: list[tuple[str, str]] = []  # (id, title) for the contents
    band_head = (
        f"<th>{html.escape(ui('band_lo', lang))}</th><th>{html.escape(ui('band_hi', lang))}</th>"
        if n_seeds > 1
        else ""
    )
    rows = []
    for c in summary.index:
        if c == "n_seeds":
            continue
        r = summary.loc[c]
        cell = f"<td>{_named(c, outcome_name(c, lang))}</td><td>{_fmt(float(r['mean']))}</td>"
        if n_seeds > 1:
            cell += f"<td>{_fmt(float(r['lo']))}</td><td>{_fmt(float(r['hi']))}</td>"
        rows.append(f"<tr>{cell}</tr>")
    means = (
        f"<table><tr><th>{html.escape(ui('outcome', lang))}</th>"
        f"<th>{html.escape(ui('mean', lang))}</th>{band_head}</tr>{''.join(rows)}</table>"
    )
    if isinstance(run, SeedRuns):
        stats_mean = run.stats.drop(columns=["seed"]).mean()
        stats_items = [(str(k), float(v)) for k, v in stats_mean.items()]
        stats_title = ui("run_statistics_seeds", lang, n=n_seeds)
    else:
        stats_items = [(k, float(v)) for k, v in result.stats.items()]
        stats_title = ui("run_statistics", lang)
    stats = "".join(
        f"<tr><td>{_named(k, stat_name(k, lang))}</td><td>{_fmt(v)}</td></tr>"
        for k, v in stats_items
    )
    sc = result.scale
    scale_counts = {
        "n_districts": sc.districts,
        "n_streets": sc.streets,
        "n_committees": sc.committees,
        "n_agencies": sc.agencies,
    }
    prow = []
    for k, v in result.params.items():
        if k in scale_counts and not v:  # 0: the scale's own number, shown as the number used
            shown = html.escape(ui("scale_number", lang, value=scale_counts[k]))
        else:
            shown = html.escape(param_value(v, lang))
        prow.append(f"<tr><td>{_named(k, param_name(k, lang))}</td><td>{shown}</td></tr>")
    params = (
        f"<table><tr><th>{html.escape(ui('parameter', lang))}</th>"
        f"<th>{html.escape(ui('value', lang))}</th></tr>{''.join(prow)}</table>"
    )
    if isinstance(run, SeedRuns):
        seeds_text = ui(
            "many_seeds", lang, n=n_seeds, first=run.seeds[0], last=run.seeds[-1], seed=result.seed
        )
    else:
        seeds_text = ui("one_seed", lang, seed=result.seed)
    intro = ui(
        "intro",
        lang,
        scale=scale_name(sc.name, lang),
        districts=sc.districts,
        streets=sc.streets,
        committees=sc.committees,
        agencies=sc.agencies,
        years=result.years,
        seeds=seeds_text,
    )
    odd = ""
    if files:
        stem = odd_stem(lang)
        odd = (
            f'<p>{html.escape(ui("odd_link", lang))}: <a href="{stem}.html">{stem}.html</a> '
            f'(<a href="{stem}.md">{stem}.md</a>)</p>'
        )

    body: list[str] = []

    def section(key: str, content: str, title: str | None = None) -> None:
        sections.append((key, title or ui(key, lang)))
        body.append(heading(key, title) + content)

    key_overall = "".join(
        f"<tr><td>{_named(c, outcome_name(c, lang))}</td><td>{_value_band(summary, c)}</td></tr>"
        for c in KEY_OUTCOMES
        if c in summary.index
    )
    section(
        "key_results",
        f"<p>{html.escape(ui('key_results_text', lang, first=first, last=last))}</p>"
        + _stage_table(summary, lang)
        + f"<table><tr><th>{html.escape(ui('outcome', lang))}</th>"
        f"<th>{html.escape(ui('mean', lang))}</th></tr>{key_overall}</table>",
    )
    section("outcomes_over_time", fig("outcomes", ui("cap_outcomes", lang)))
    section(
        "stage_dependence",
        fig("stage_pa", ui("cap_stage_pa", lang))
        + fig("stage_dependence", ui("cap_stage_dependence", lang)),
    )
    if "stage_states" in figures:
        section("stage_states", fig("stage_states", ui("cap_stage_states", lang)))
    if "pa_quantiles" in figures:
        seeds_note = ui("means_over_seeds", lang) if n_seeds > 1 else ""
        section("pa_across", fig("pa_quantiles", ui("pa_across_text", lang, seeds=seeds_note)))
    districts = run.districts if isinstance(run, SeedRuns) else result.districts
    if districts is not None and len(districts):
        dtable, dtext = district_summary(districts, lang)
        many = len(dtable) < districts["district"].nunique()
        note = ui("districts_many", lang, n=DISTRICT_ROWS) if many else ui("districts_all", lang)
        note += ui("means_over_seeds", lang) if n_seeds > 1 else ""
        headers = [
            ui("district", lang) if c == "district" else outcome_name(str(c), lang)
            for c in dtable.columns
        ]
        section(
            "districts",
            f"<p>{html.escape(dtext)} {html.escape(note)}{html.escape(ui('districts_file', lang))}</p>"
            + _table(dtable, headers),
        )
    section("means_last_half", means)
    section("run_statistics", f"<table>{stats}</table>", stats_title)
    defs = "".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(text)}</dd>"
        for term, text in (definition(d, lang) for d in DEFINITIONS)
    )
    section("definitions", f"<p>{html.escape(ui('definitions_text', lang))}</p><dl>{defs}</dl>")
    section("parameters", f"<p>{html.escape(ui('parameters_text', lang))}</p>{params}")
    nav = "".join(f'<a href="#{k}">{html.escape(t)}</a>' for k, t in sections)
    title = f"{ui('title', lang)}{ui('colon', lang)}{result.scenario}"
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<title>resdep — {html.escape(title)}</title>
<style>{_REPORT_CSS.format(font=CSS_FONT_STACK)}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(intro)} {html.escape(ui("same_code", lang))}</p>
{odd}<nav><strong>{html.escape(ui("contents", lang))}:</strong> {nav}</nav>
{"".join(body)}
</body></html>
"""


def _sampled(result: SimulationResult) -> tuple[DyadTables | None, np.ndarray]:
    t = result.dyads
    if t is None or t.agency.size == 0:
        return None, np.zeros(0, dtype=np.int64)
    return t, _sample(t, result.seed)[0]


def street_goal_vectors(result: SimulationResult) -> np.ndarray:
    """The street goal vectors the model used for interest alignment, per written dyad.

    Rows follow the written (possibly sampled) final-year dyads; columns the six goals of
    design section 3. Built with the model's own :func:`resdep.simulate.model.street_goals`
    from the same state: the street's θ that year (``DyadTables.theta``), its residents'
    need (``SimulationResult.street_need``) and its mandate pressure M / (1 + M). The
    dyad tables do not carry the mandate pressure, so it is read back from the input that
    carries it: the street's importance at implementation (professional resource) is
    professional need × mandate pressure (docs/ODD.md 7.7). Where professional need is 0
    that input is 0 whatever the pressure, so the pressure, and the goals, are
    undetermined (NaN). A result without the street states (built by hand) gives NaN.

    Examples
    --------
    >>> from resdep.simulate import simulate
    >>> street_goal_vectors(simulate(years=2, seed=1)).shape[1]
    6
    """
    t, idx = _sampled(result)
    if t is None:
        return np.zeros((0, 6))
    st = t.street[idx]
    if result.street_need is None or result.street_pneed is None:
        return np.full((idx.size, 6), np.nan)
    # TODO(model): read the mandate pressure from DyadTables once model.py keeps it there
    pneed = result.street_pneed[st]
    with np.errstate(divide="ignore", invalid="ignore"):
        press = np.where(pneed > 0, t.ga_i[idx, 1, 0] / pneed, np.nan)
    out: np.ndarray = street_goals(
        t.theta[idx], float(result.params["w_quality"]), result.street_need[st], press
    )
    return out


def diagnostics_frame(result: SimulationResult) -> pd.DataFrame:
    """Per-agency and per-street measures of the final year's (possibly sampled) dyads.

    Columns as in ``resdep analyze``: ``scope`` (``agency_<slot>`` or ``street_<slot>``),
    ``measure``, ``value``, ``n_records`` (always 0: no evidence records behind a model
    state) and ``triangulation`` (empty: no informants). Measures per agency:
    ``formalization`` (administrative share of effort, mean over its contracts),
    ``relational_share`` (share of its contracts bought relationally) and ``autonomy``
    ((1 − formalization)·(1 − mean D agency→street over its dyads and the stages), as in
    ``outcomes.csv``); per street the same formalization and relational share over its
    contracts, ``philosophy`` θ and ``task_quality_lean`` (weight of trouble-free
    completion and impression against service quality and resident benefit in the
    street's goals: the measure ``resdep analyze`` reports for government actors). The
    goals are the model's own, the ones its interest alignment used
    (:func:`street_goal_vectors`); the lean is empty (NaN) where they are undetermined.

    Examples
    --------
    >>> from resdep.simulate import simulate
    >>> d = diagnostics_frame(simulate(years=2, seed=1))
    >>> sorted(set(d["measure"]))[:3]
    ['autonomy', 'formalization', 'philosophy']
    """
    t, idx = _sampled(result)
    if t is None:
        return pd.DataFrame(columns=DIAGNOSTICS_COLUMNS)
    ag, st, n = t.agency[idx], t.street[idx], t.contracts[idx]
    alpha, rel = t.formalization[idx], t.relational[idx]
    dep = t.d_ag[idx].mean(axis=-1)
    goal_rows = street_goal_vectors(result)
    parts = []
    for kind, key in (("agency", ag), ("street", st)):
        ids, inv = np.unique(key, return_inverse=True)
        weight = np.bincount(inv, weights=n)
        formal = np.bincount(inv, weights=n * alpha) / weight
        values: dict[str, np.ndarray] = {
            "formalization": formal,
            "relational_share": np.bincount(inv, weights=n * rel) / weight,
        }
        if kind == "agency":
            d_mean = np.bincount(inv, weights=dep) / np.bincount(inv)
            values["autonomy"] = (1.0 - formal) * (1.0 - d_mean)
        else:
            # a street's goals and θ are the same in each of its dyads: take any one
            theta = np.zeros(ids.size)
            theta[inv] = t.theta[idx]
            goals = np.zeros((ids.size, 6))
            goals[inv] = goal_rows
            task, quality = goals[:, 2] + goals[:, 3], goals[:, 0] + goals[:, 1]
            values["philosophy"] = theta
            with np.errstate(invalid="ignore"):
                both = task + quality
                # no goal weight at all: no lean either way (0.5); undetermined goals: NaN
                values["task_quality_lean"] = np.where(
                    both > 0, task / both, np.where(both == 0, 0.5, np.nan)
                )
        scope = np.array([f"{kind}_{i}" for i in ids], dtype=object)
        for measure, v in values.items():
            parts.append(pd.DataFrame({"scope": scope, "measure": measure, "value": v}))
    out = pd.concat(parts, ignore_index=True).sort_values(["scope", "measure"], kind="stable")
    out["n_records"] = 0
    out["triangulation"] = np.nan
    return out.reset_index(drop=True)[DIAGNOSTICS_COLUMNS]


#: One stage network as plain data: graph attributes, nodes and edges with attributes.
_NetworkData = tuple[
    dict[str, Any], list[tuple[str, dict[str, Any]]], list[tuple[str, str, dict[str, Any]]]
]


def _network_data(result: SimulationResult, inputs: pd.DataFrame) -> dict[str, _NetworkData]:
    t, idx = _sampled(result)
    nodes: list[tuple[str, dict[str, Any]]] = []
    if t is not None:
        sc = result.scale
        for a in np.unique(t.agency[idx]).tolist():
            attrs = {
                "kind": "social_work_agency",
                "government": False,
                "district": f"district_{a * sc.districts // sc.agencies}",
            }
            nodes.append((f"agency_{a}", attrs))
        for s in np.unique(t.street[idx]).tolist():
            attrs = {
                "kind": "street_office",
                "government": True,
                "district": f"district_{s * sc.districts // sc.streets}",
            }
            nodes.append((f"street_{s}", attrs))
    edges: dict[str, list[tuple[str, str, dict[str, Any]]]] = {s: [] for s in STAGES}
    if len(inputs):
        # one pass over the table: a column per resource, the noisy-OR over them per edge
        wide = inputs.set_index(["stage", "dependent", "provider", "resource"])["d"].unstack(
            "resource"
        )
        resources = list(dict.fromkeys(inputs["resource"]))  # first-seen order, as analyze
        wide = wide[[r for r in resources if r in wide.columns]]
        values = wide.to_numpy()
        d_edge = 1.0 - np.prod(1.0 - np.clip(np.nan_to_num(values), 0.0, 1.0), axis=1)
        names = [f"d_{r}" for r in wide.columns]
        for (stage, dep, prov), d, row in zip(
            wide.index, d_edge.tolist(), values.tolist(), strict=True
        ):
            attrs = {"d": d, **{n: v for n, v in zip(names, row, strict=True) if v == v}}
            edges[stage].append((dep, prov, attrs))  # NaN above: no tie of that resource
    case = f"simulation:{result.scenario}"
    return {s: ({"stage": s, "case": case}, nodes, edges[s]) for s in STAGES}


def networks(result: SimulationResult, inputs: pd.DataFrame) -> dict[str, nx.DiGraph]:
    """One dependence network per stage, as ``resdep analyze`` writes them.

    Nodes are the agencies and street offices of the written dyads (``kind``
    ``social_work_agency`` or ``street_office``, ``government``, ``district``); an edge
    runs from dependent to provider with ``d`` (the noisy-OR over resources, the dyad's
    D of that direction and stage) and ``d_<resource>`` per resource with a tie.

    Examples
    --------
    >>> from resdep.simulate import simulate
    >>> res = simulate(years=2, seed=1)
    >>> g = networks(res, dyad_frames(res)[2])["closing"]
    >>> sorted({k for _, k in g.nodes(data="kind")})
    ['social_work_agency', 'street_office']
    """
    import networkx as nx

    out: dict[str, nx.DiGraph] = {}
    for stage, (graph, nodes, edges) in _network_data(result, inputs).items():
        g = nx.DiGraph(**graph)
        g.add_nodes_from(nodes)
        g.add_edges_from(edges)
        out[stage] = g
    return out


def _graphml_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


def _graphml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return xml_escape(str(value))


def _quote(text: object) -> str:
    return xml_escape(str(text), {'"': "&quot;"})


def _graphml_text(
    graph: Mapping[str, object],
    nodes: Iterable[tuple[object, Mapping[str, object]]],
    edges: Iterable[tuple[object, object, Mapping[str, object]]],
    *,
    directed: bool = True,
) -> str:
    keys: dict[tuple[str, str], tuple[str, str]] = {}

    def key(domain: str, name: str, value: object) -> str:
        k = keys.get((domain, name))
        if k is None:
            k = (f"d{len(keys)}", _graphml_type(value))
            keys[(domain, name)] = k
        return k[0]

    def data(domain: str, attrs: Mapping[str, object], indent: str) -> str:
        return "".join(
            f'{indent}<data key="{key(domain, n, v)}">{_graphml_value(v)}</data>\n'
            for n, v in attrs.items()
            if v is not None
        )

    body = [data("graph", graph, "    ")]
    for n, attrs in nodes:
        inner = data("node", attrs, "      ")
        nid = _quote(n)
        body.append(
            f'    <node id="{nid}">\n{inner}    </node>\n'
            if inner
            else f'    <node id="{nid}" />\n'
        )
    for u, v, attrs in edges:
        inner = data("edge", attrs, "      ")
        ends = f'source="{_quote(u)}" target="{_quote(v)}"'
        body.append(
            f"    <edge {ends}>\n{inner}    </edge>\n" if inner else f"    <edge {ends} />\n"
        )
    head = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n',
    ]
    for (domain, name), (k, typ) in keys.items():
        head.append(
            f'  <key id="{k}" for="{domain}" attr.name="{_quote(name)}" attr.type="{typ}" />\n'
        )
    edgedefault = "directed" if directed else "undirected"
    return "".join(
        [*head, f'  <graph edgedefault="{edgedefault}">\n', *body, "  </graph>\n</graphml>\n"]
    )


def write_graphml(graph: nx.DiGraph, path: str | Path) -> None:
    """Write a directed graph as GraphML, the file :func:`networkx.write_graphml` writes.

    A plain streaming writer, many times faster than networkx's for the networks of big
    simulations: the same keys (one per attribute name and domain, typed ``boolean``,
    ``long``, ``double`` or ``string``), text escaped, floats at full precision, so
    :func:`networkx.read_graphml` reads back the same graph. :func:`write_simulation`
    writes its networks with the same code straight from the dyad tables.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import networkx as nx
    >>> g = nx.DiGraph(stage="closing")
    >>> g.add_node("a<1>", kind="agency", government=False)
    >>> g.add_edge("a<1>", "s", d=0.25)
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "g.graphml"
    >>> write_graphml(g, p)
    >>> back = nx.read_graphml(p)
    >>> back.graph["stage"], back.nodes["a<1>"], back.edges["a<1>", "s"]
    ('closing', {'kind': 'agency', 'government': False}, {'d': 0.25})
    """
    text = _graphml_text(
        graph.graph,
        graph.nodes(data=True),
        graph.edges(data=True),
        directed=graph.is_directed(),
    )
    Path(path).write_text(text, encoding="utf-8")


def write_simulation(
    run: SimulationResult | SeedRuns,
    out_dir: str | Path,
    *,
    force: bool = False,
    png_dpi: int = 300,
    lang: str | None = None,
) -> Path:
    """Write a run's files into ``out_dir``, the report in ``lang``.

    ``run`` is one seed's result or several seeds' (:func:`resdep.simulate.seeds.simulate_seeds`).
    With several seeds ``outcomes.csv`` holds per year the across-seed mean and 5–95% band
    of every outcome column with ``n_seeds``, ``outcomes_by_seed.csv`` the long table
    (``seed``, ``year``, …), and the per-dyad files describe the first seed (``run.json``
    says so). ``districts.csv`` is written when the model gives districts (with several
    seeds: mean and band per year and district). The report's figures are also written
    to ``figures/`` as SVG and PNG (``png_dpi``, 300 by default, for print), and the
    model's ODD description as ``ODD.md`` and ``ODD.html`` (English) and ``ODD.zh.md`` and
    ``ODD.zh.html`` (Chinese) beside the report, which links to those in its language.
    ``lang`` (``zh`` or ``en``; default from the locale,
    :func:`resdep.simulate.text.report_lang`) is the language of the report and figures.
    Without a font that draws Chinese, a ``zh`` run keeps Chinese in the SVG figures and
    the page (the browser draws it) but draws the PNGs in English, and says so in
    ``run.json`` (``warnings``).

    The folder is built beside ``out_dir`` and moved into place when complete
    (:func:`resdep.textio.atomic_dir`); with ``force`` an earlier resdep output folder is
    replaced as a whole, so no file of an earlier run or anything else stays beside the
    new files.

    Raises
    ------
    OutputExistsError
        ``out_dir`` is a file; or it holds files and ``force`` is false; or ``force`` is
        given but the folder was not written by resdep.
    """
    from resdep import __version__
    from resdep.simulate.text import report_lang

    lang = report_lang(lang)
    result, outcomes, n_seeds = _view(run)
    multi = isinstance(run, SeedRuns)
    out = Path(out_dir)
    with atomic_dir(out, force=force) as tmp:
        # figures and report drawn beside the tables (a forked process where possible)
        job = _start_figures(run, tmp, lang, png_dpi)
        try:
            write_csv(outcomes, tmp / "outcomes.csv")
            if isinstance(run, SeedRuns):
                write_csv(run.by_seed, tmp / "outcomes_by_seed.csv")
            districts = run.districts if isinstance(run, SeedRuns) else result.districts
            if districts is not None:
                write_csv(districts, tmp / "districts.csv")
            stages, rels, inputs, sampled = dyad_frames(result)
            write_csv(stages, tmp / "stages.csv")
            write_csv(rels, tmp / "relationships.csv")
            write_csv(inputs, tmp / "inputs.csv")
            write_csv(diagnostics_frame(result), tmp / "diagnostics.csv")
            (tmp / "networks").mkdir()
            for stage, (graph, nodes, edges) in _network_data(result, inputs).items():
                text = _graphml_text(graph, nodes, edges)
                (tmp / "networks" / f"{stage}.graphml").write_text(text, encoding="utf-8")
            odd_files = write_odd(tmp)
            no_font, fig_names = job.result()
            warnings_out = [ui("no_cjk_font", "en")] if no_font else []
            n_dyads = 0 if result.dyads is None else int(result.dyads.agency.size)
            seeds = list(run.seeds) if isinstance(run, SeedRuns) else [result.seed]
            by_seed: list[dict[str, Any]]
            statistics: dict[str, float]
            if isinstance(run, SeedRuns):
                by_seed = [{str(k): v for k, v in r.items()} for r in run.stats.to_dict("records")]
                means = run.stats.drop(columns=["seed"]).mean()
                statistics = {str(k): float(v) for k, v in means.items()}
            else:
                by_seed = [{"seed": result.seed, **dict(result.stats)}]
                statistics = dict(result.stats)
            meta = {
                "command": "simulate",
                "scenario": result.scenario,
                "scale": {
                    "name": result.scale.name,
                    "districts": result.scale.districts,
                    "streets": result.scale.streets,
                    "committees": result.scale.committees,
                    "agencies": result.scale.agencies,
                },
                "years": result.years,
                "seed": result.seed,
                "seeds": seeds,
                "n_seeds": n_seeds,
                "workers": run.workers if isinstance(run, SeedRuns) else 1,
                "outcomes": (
                    "per year the mean over seeds of every outcome, its 5% and 95% quantiles over "
                    "seeds (<col>_lo, <col>_hi) and n_seeds; each seed's in outcomes_by_seed.csv"
                    if multi
                    else "one row per year of this seed"
                ),
                "parameters": dict(result.params),
                "report": {
                    "lang": lang,
                    "figures": [f"figures/{n}.{e}" for n in fig_names for e in ("svg", "png")],
                    "png_dpi": png_dpi,
                    "odd": odd_files,
                },
                "warnings": warnings_out,
                "statistics": statistics,
                "statistics_by_seed": by_seed,
                "dyad_tables": {
                    "seed": result.seed,
                    "year": result.years,
                    "dyads": n_dyads,
                    "rows_written": min(n_dyads, MAX_DYAD_ROWS),
                    "sampled": sampled,
                    "files": [
                        "stages.csv",
                        "relationships.csv",
                        "inputs.csv",
                        "diagnostics.csv",
                        "networks/",
                    ],
                },
                "versions": {
                    "resdep": __version__,
                    "numpy": np.__version__,
                    "pandas": pd.__version__,
                    "networkx": metadata.version("networkx"),
                    "python": platform.python_version(),
                },
            }
            (tmp / "run.json").write_text(
                json.dumps(meta, indent=2, default=float), encoding="utf-8"
            )
        finally:
            job.stop()  # on an error above: no child left writing
    return out


#: Draw a report's figures and page in a forked process while the tables are written
#: (Linux, where ``fork`` exists); false draws them in the calling process, afterwards.
FIGURES_IN_CHILD = True

_warming: threading.Thread | None = None


def _warm() -> None:
    try:
        from resdep.report.figures import cjk_font

        cjk_font()
    except Exception:  # pragma: no cover - the import is done again, and fails, where used
        pass


def warm_figures() -> None:
    """Import matplotlib (and read the font list) in a background thread, ahead of use.

    ``resdep simulate --out`` calls this before the simulation runs: the import then
    costs no wall time on a second core (NumPy releases the GIL while it computes), and
    a forked figure process (:func:`write_simulation`) inherits it. Nothing else
    changes: without the call the import happens where it is needed.

    Examples
    --------
    >>> warm_figures()
    >>> _join_warming()
    >>> import sys
    >>> "matplotlib" in sys.modules
    True
    """
    global _warming
    if _warming is None and "matplotlib.pyplot" not in sys.modules:
        _warming = threading.Thread(target=_warm, name="resdep-warm-figures", daemon=True)
        _warming.start()


def _join_warming() -> None:
    """Wait for :func:`warm_figures` (no thread may hold an import lock at a fork)."""
    global _warming
    if _warming is not None:
        _warming.join()
        _warming = None


def _write_figures(
    run: SimulationResult | SeedRuns,
    tmp: Path,
    lang: str,
    png_dpi: int,
    names: Iterable[str] | None = None,
) -> tuple[bool, dict[str, str]]:
    """Write ``figures/<name>.svg`` and ``.png`` of ``names`` (all by default).

    Returns whether Chinese lacked a font and each figure's SVG document (for the page).
    """
    from resdep.report.figures import cjk_font

    no_font = lang == "zh" and cjk_font() is None
    figs = report_figures(run, lang, cjk=not no_font, names=names)
    docs = {name: _svg_document(f) for name, f in figs.items()}
    for f in figs.values():  # laid out while drawing the SVG: not again for the PNG
        f.set_layout_engine("none")
    # without a CJK font Chinese stays text in the SVGs; the PNGs are drawn in English
    png_figs = report_figures(run, "en", names=list(figs)) if no_font else figs
    (tmp / "figures").mkdir(exist_ok=True)
    for name in figs:
        (tmp / "figures" / f"{name}.svg").write_text(docs[name], encoding="utf-8")
        (tmp / "figures" / f"{name}.png").write_bytes(_png(png_figs[name], png_dpi))
    return no_font, docs


def _write_page(
    run: SimulationResult | SeedRuns, tmp: Path, lang: str, docs: Mapping[str, str]
) -> list[str]:
    """Write ``report.html`` with the figures in the report's order; their names."""
    ordered = {n: docs[n] for n in SIM_FIGURE_NAMES if n in docs}
    page = render_report(run, ordered, lang=lang, files=True)
    (tmp / "report.html").write_text(page, encoding="utf-8")
    return list(ordered)


#: The report's figures in two groups of about equal drawing time, one forked process
#: each (figure names not listed here are drawn by the first).
FIGURE_GROUPS: tuple[tuple[str, ...], ...] = (
    ("outcomes", "stage_pa", "stage_dependence"),
    ("stage_states", "pa_quantiles"),
)


class _FigureJob:
    """The figures of :func:`write_simulation`, drawn in forked children or in-process.

    Each child (one per :data:`FIGURE_GROUPS` entry) inherits the run by ``fork``
    (nothing is pickled but the answer), writes its figures' files and sends back
    whether Chinese lacked a font and the figures' SVG documents, or the exception it
    raised, which :meth:`result` raises again in the caller. The caller writes the page.
    """

    def __init__(self, run: SimulationResult | SeedRuns, tmp: Path, lang: str, dpi: int) -> None:
        self._args = (run, tmp, lang, dpi)
        self._children: list[tuple[Any, Any]] = []
        _join_warming()
        if not FIGURES_IN_CHILD:
            return
        import multiprocessing as mp

        if "fork" not in mp.get_all_start_methods() or mp.current_process().daemon:
            return  # no fork here (Windows, macOS default) or no children allowed: in-process
        ctx = mp.get_context("fork")
        listed = {n for g in FIGURE_GROUPS for n in g}
        others = tuple(n for n in SIM_FIGURE_NAMES if n not in listed)
        groups = [(*FIGURE_GROUPS[0], *others), *FIGURE_GROUPS[1:]]
        for group in groups:
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_figure_child, args=(child, *self._args, group), daemon=True)
            proc.start()
            child.close()
            self._children.append((proc, parent))

    def stop(self) -> None:
        """End the children that still run (after an error in the caller); else nothing."""
        for proc, conn in self._children:
            if proc.exitcode is None:
                proc.terminate()
                proc.join()
            conn.close()

    def result(self) -> tuple[bool, list[str]]:
        """Wait for the figures, write ``report.html``; whether Chinese lacked a font, names."""
        run, tmp, lang, _dpi = self._args
        if not self._children:
            no_font, docs = _write_figures(*self._args)
            return no_font, _write_page(run, tmp, lang, docs)
        answers = []
        for proc, conn in self._children:
            try:
                try:
                    answers.append(conn.recv())
                except EOFError:
                    answers.append(("died", proc))
            finally:
                proc.join()
        for status, value in answers:
            if status == "error":
                raise value
            if status == "died":
                raise RuntimeError(
                    f"the process drawing the figures ended without an answer "
                    f"(exit code {value.exitcode})"
                )
        no_font = any(bool(value[0]) for _status, value in answers)
        docs = {k: v for _status, value in answers for k, v in value[1].items()}
        return no_font, _write_page(run, tmp, lang, docs)


def _figure_child(
    conn: Any,
    run: SimulationResult | SeedRuns,
    tmp: Path,
    lang: str,
    dpi: int,
    names: tuple[str, ...],
) -> None:
    try:
        answer: tuple[str, Any] = ("ok", _write_figures(run, tmp, lang, dpi, names))
    except BaseException as exc:  # sent to the parent, which raises it
        try:
            import pickle

            pickle.dumps(exc)
            answer = ("error", exc)
        except Exception:
            answer = ("error", RuntimeError(f"{type(exc).__name__}: {exc}"))
    conn.send(answer)
    conn.close()


def _start_figures(
    run: SimulationResult | SeedRuns, tmp: Path, lang: str, png_dpi: int
) -> _FigureJob:
    return _FigureJob(run, tmp, lang, png_dpi)
