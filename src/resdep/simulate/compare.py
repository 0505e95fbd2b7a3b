"""Scenarios side by side: key outcomes per stage, their seed bands and the differences.

``resdep simulate --scenario A --scenario B [--seeds N] --out DIR`` runs every scenario
with the same seeds (common random numbers), writes each one's full outputs into
``DIR/<scenario>/`` (:func:`resdep.simulate.output.write_simulation`) and, in ``DIR``,
``compare.csv`` (:func:`compare_frame`), ``figures/compare.svg`` and ``.png`` and a
comparison report ``report.html`` in Chinese or English.

For each scenario and seed an outcome is averaged over the last half of the years; the
table gives the mean over seeds with its 5–95% band across seeds, and for every scenario
after the first the difference from the first, paired by seed (same seed, same random
streams), with the band of the per-seed differences.

Examples
--------
>>> from resdep.simulate import simulate
>>> runs = {"baseline": simulate(years=4, seed=1),
...         "co_governance": simulate("co_governance", years=4, seed=1)}
>>> table = compare_frame(runs)
>>> list(table.columns)[:5]
['measure', 'stage', 'scenario', 'mean', 'lo']
>>> row = table[(table.measure == "pa") & (table.stage == "closing")]
>>> bool(abs(row["mean"].iloc[1] - row["mean"].iloc[0] - row["diff"].iloc[1]) < 1e-12)
True
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from resdep.csvout import write_csv
from resdep.simulate.api import SimulationResult
from resdep.simulate.odd import odd_stem, write_odd
from resdep.simulate.seeds import BAND_HIGH, BAND_LOW, SeedRuns
from resdep.simulate.text import (
    DEFINITIONS,
    definition,
    label_name,
    outcome_name,
    stage_name,
    state_name,
    ui,
)
from resdep.textio import atomic_dir

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "COMPARE_COLUMNS",
    "OVERALL_MEASURES",
    "STAGE_MEASURES",
    "compare_figure",
    "compare_frame",
    "folder_names",
    "per_seed_means",
    "render_comparison",
    "write_comparison",
]

STAGES = ("contracting", "implementation", "closing")
#: Measures compared per stage (outcome column ``<measure>_<stage>``).
STAGE_MEASURES: tuple[str, ...] = (
    "pa",
    "md_min",
    "share_interdependent",
    "share_government_dominant",
    "share_agency_dominant",
    "share_weak",
)
#: Measures compared over the whole system (outcome column of that name).
OVERALL_MEASURES: tuple[str, ...] = (
    "share_partnership",
    "share_buddy",
    "share_transactional",
    "welfare_ratio",
    "formalization",
    "autonomy",
    "hhi",
    "survival",
    "task_completion",
)
#: Columns of ``compare.csv``.
COMPARE_COLUMNS: tuple[str, ...] = (
    "measure",
    "stage",
    "scenario",
    "mean",
    "lo",
    "hi",
    "n_seeds",
    "diff",
    "diff_lo",
    "diff_hi",
)

Run = SimulationResult | SeedRuns


def per_seed_means(run: Run) -> pd.DataFrame:
    """Each seed's mean over the last half of the years of every outcome (index: seed).

    The last half starts at the year in the middle of the run (as the report and the
    terminal summary of ``resdep simulate``).
    """
    if isinstance(run, SeedRuns):
        long = run.by_seed
        years = np.sort(long["year"].unique())
        first = years[len(years) // 2]
        cols = [c for c in long.columns if c not in ("seed", "year")]
        means: pd.DataFrame = long[long["year"] >= first].groupby("seed")[cols].mean()
        return means
    o = run.outcomes
    tail = o.iloc[len(o) // 2 :]
    cols = [c for c in o.columns if c != "year"]
    return pd.DataFrame([tail[cols].mean()], index=pd.Index([run.seed], name="seed"))


def _band(values: pd.Series[Any] | np.ndarray) -> tuple[float, float, float]:
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.nan, np.nan, np.nan
    if v.size == 1:
        return float(v[0]), np.nan, np.nan
    lo, hi = np.quantile(v, [BAND_LOW, BAND_HIGH])
    return float(v.mean()), float(lo), float(hi)


def compare_frame(runs: Mapping[str, Run]) -> pd.DataFrame:
    """Key outcomes of each scenario with seed bands, and differences from the first.

    One row per measure, stage (empty for system-wide measures) and scenario, in the
    order of ``runs``: ``mean``, ``lo``, ``hi`` over seeds of each seed's mean over the
    last half (band empty with one seed), ``n_seeds``, and ``diff``, ``diff_lo``,
    ``diff_hi``: the scenario minus the first, per seed shared by both (paired), then
    mean and band over those seeds (empty for the first scenario).
    """
    names = list(runs)
    means = {name: per_seed_means(run) for name, run in runs.items()}
    base = means[names[0]]
    columns = [
        *((m, s, f"{m}_{s}") for m in STAGE_MEASURES for s in STAGES),
        *((m, "", m) for m in OVERALL_MEASURES),
    ]
    rows = []
    for measure, stage, col in columns:
        if any(col not in m.columns for m in means.values()):
            continue
        for name in names:
            m = means[name]
            mean, lo, hi = _band(m[col])
            if name == names[0]:
                diff = (np.nan, np.nan, np.nan)
            else:
                shared = m.index.intersection(base.index)
                diff = _band(m.loc[shared, col] - base.loc[shared, col])
            rows.append(
                {
                    "measure": measure,
                    "stage": stage,
                    "scenario": name,
                    "mean": mean,
                    "lo": lo,
                    "hi": hi,
                    "n_seeds": int(m[col].notna().sum()),
                    "diff": diff[0],
                    "diff_lo": diff[1],
                    "diff_hi": diff[2],
                }
            )
    return pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))


def compare_figure(frame: pd.DataFrame, lang: str = "en", *, cjk: bool = True) -> Figure:
    """One figure: per stage mean PA and the shares of government- and agency-dominant
    dyads, and the label shares, with a bar per scenario (error bars: the seed band).

    Examples
    --------
    >>> from resdep.simulate import simulate
    >>> f = compare_frame({"a": simulate(years=3, seed=1), "b": simulate("competitive", years=3, seed=1)})
    >>> len(compare_figure(f).axes)
    4
    """
    from resdep.simulate.output import _figure_style

    with _figure_style(lang, cjk):
        return _compare_figure(frame, lang)


def _compare_figure(frame: pd.DataFrame, lang: str) -> Figure:
    from matplotlib.figure import Figure

    names = list(dict.fromkeys(frame["scenario"]))
    colours = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
    panels: list[tuple[str, list[tuple[str, str]], str]] = [
        ("PA", [("pa", s) for s in STAGES], ui("mean", lang) + " PA"),
        (
            state_name("government_dominant", lang),
            [("share_government_dominant", s) for s in STAGES],
            ui("share_of_dyads", lang),
        ),
        (
            state_name("agency_dominant", lang),
            [("share_agency_dominant", s) for s in STAGES],
            ui("share_of_dyads", lang),
        ),
        (
            ui("fig_labels", lang),
            [(m, "") for m in ("share_partnership", "share_buddy", "share_transactional")],
            ui("share_of_dyads", lang),
        ),
    ]
    fig = Figure(figsize=(10, 6.4), layout="constrained")
    axes = fig.subplots(2, 2).flatten()
    width = 0.8 / max(len(names), 1)
    for ax, (title, keys, ylabel) in zip(axes, panels, strict=True):
        ticks = []
        for g, (measure, stage) in enumerate(keys):
            sub = frame[(frame["measure"] == measure) & (frame["stage"] == stage)]
            ticks.append(
                stage_name(stage, lang)
                if stage
                else label_name(measure.removeprefix("share_"), lang)
            )
            for k, name in enumerate(names):
                row = sub[sub["scenario"] == name]
                if row.empty:
                    continue
                mean = float(row["mean"].iloc[0])
                lo, hi = float(row["lo"].iloc[0]), float(row["hi"].iloc[0])
                err = None
                if np.isfinite(lo) and np.isfinite(hi):
                    err = [[max(mean - lo, 0.0)], [max(hi - mean, 0.0)]]
                ax.bar(
                    g + (k - (len(names) - 1) / 2) * width,
                    mean,
                    width,
                    yerr=err,
                    color=colours[k % len(colours)],
                    label=name if g == 0 else None,
                    capsize=2,
                    error_kw={"elinewidth": 0.8},
                )
        ax.set_xticks(range(len(keys)), ticks)
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        if title != "PA":
            ax.set_ylim(0, 1.02)
    axes[1].legend(
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        title=ui("scenario", lang),
    )
    return fig


def folder_names(scenarios: Sequence[str]) -> list[str]:
    """A folder name per scenario: its name (a file's stem), made safe and unique.

    Examples
    --------
    >>> folder_names(["baseline", "my/own.toml", "baseline", "../x y.toml"])
    ['baseline', 'own', 'baseline_2', 'x_y']
    """
    out: list[str] = []
    for s in scenarios:
        stem = Path(s).stem if s.endswith(".toml") else Path(s).name
        name = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "scenario"
        candidate, k = name, 2
        while candidate in out:
            candidate = f"{name}_{k}"
            k += 1
        out.append(candidate)
    return out


def _cell(sub: pd.DataFrame, name: str, keys: tuple[str, str, str], signed: bool) -> str:
    mean, lo, hi = (float(v) for v in sub.loc[name, list(keys)].to_numpy())
    if not np.isfinite(mean):
        return ""
    spec = "+.3f" if signed else ".3f"
    text = format(mean, spec)
    if np.isfinite(lo) and np.isfinite(hi):
        text += f" <span class=band>[{format(lo, spec)}, {format(hi, spec)}]</span>"
    return text


def render_comparison(
    frame: pd.DataFrame,
    folders: Mapping[str, str],
    *,
    lang: str = "en",
    figure_svg: str | None = None,
    years: int | None = None,
    seeds: Sequence[int] = (),
) -> str:
    """The comparison page in ``lang``: links to each scenario's report, the key outcomes
    per stage side by side with their seed bands and differences, the figure, and the
    definitions."""
    from resdep.report.figures import CSS_FONT_STACK, inline_svg
    from resdep.simulate.output import _REPORT_CSS

    names = list(dict.fromkeys(frame["scenario"]))
    multi = len(seeds) > 1
    half_first = (years // 2 + 1) if years else 0
    text = ui(
        "compare_text",
        lang,
        first=half_first,
        last=years or 0,
        seeds=ui("compare_seeds", lang) if multi else "",
        band=ui("compare_band", lang) if multi else "",
    )
    links = "".join(
        f'<li><a href="{html.escape(folders[n])}/report.html">{html.escape(n)}</a> '
        f"<small>({html.escape(ui('report_of', lang))}: {html.escape(folders[n])}/)</small></li>"
        for n in names
    )
    head = (
        f"<th>{html.escape(ui('outcome', lang))}</th><th>{html.escape(ui('stage', lang))}</th>"
        + "".join(f"<th>{html.escape(n)}</th>" for n in names)
        + "".join(
            f"<th>{html.escape(ui('difference', lang))}<br><small>{html.escape(n)} − "
            f"{html.escape(names[0])}</small></th>"
            for n in names[1:]
        )
    )
    rows = []
    keys = list(dict.fromkeys(zip(frame["measure"], frame["stage"], strict=True)))
    for measure, stage in keys:
        sub = frame[(frame["measure"] == measure) & (frame["stage"] == stage)].set_index("scenario")
        signed = measure == "pa"
        label = outcome_name(f"{measure}_{stage}" if stage else measure, lang)
        raw = f"{measure}_{stage}" if stage else measure
        cells = "".join(f"<td>{_cell(sub, n, ('mean', 'lo', 'hi'), signed)}</td>" for n in names)
        cells += "".join(
            f"<td>{_cell(sub, n, ('diff', 'diff_lo', 'diff_hi'), True)}</td>" for n in names[1:]
        )
        where = html.escape(stage_name(stage, lang) if stage else ui("overall", lang))
        rows.append(
            f"<tr><td>{html.escape(label)} <small><code>{html.escape(raw)}</code></small></td>"
            f"<td>{where}</td>{cells}</tr>"
        )
    fig = ""
    if figure_svg is not None:
        fig = (
            f"<figure>{inline_svg(figure_svg, prefix='compare')}<figcaption>"
            f"{html.escape(ui('cap_compare', lang))} <small>{html.escape(ui('figure_files', lang))}"
            ': <a href="figures/compare.svg">figures/compare.svg</a> · '
            '<a href="figures/compare.png">figures/compare.png</a> (300 dpi)</small>'
            "</figcaption></figure>"
        )
    defs = "".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(body)}</dd>"
        for term, body in (definition(d, lang) for d in DEFINITIONS)
    )
    title = ui("compare_title", lang) + ui("colon", lang) + " · ".join(names)
    odd = odd_stem(lang)
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<title>resdep — {html.escape(title)}</title>
<style>{_REPORT_CSS.format(font=CSS_FONT_STACK)}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(text)}</p><ul>{links}</ul>
<p>{html.escape(ui("odd_link", lang))}: <a href="{odd}.html">{odd}.html</a></p>
<h2 id=key_results>{html.escape(ui("key_results", lang))}</h2>
<table class=key><tr>{head}</tr>{"".join(rows)}</table>
{fig}
<h2 id=definitions>{html.escape(ui("definitions", lang))}</h2><dl>{defs}</dl>
</body></html>
"""


def write_comparison(
    runs: Mapping[str, Run],
    out_dir: str | Path,
    *,
    force: bool = False,
    lang: str | None = None,
    png_dpi: int = 300,
) -> Path:
    """Write each scenario's outputs into a subfolder and the comparison beside them.

    ``runs`` maps a scenario (name or file) to its run, in the order to show. The
    folder is built beside ``out_dir`` and moved into place when complete, as
    :func:`resdep.simulate.output.write_simulation` does.

    Raises
    ------
    OutputExistsError
        As :func:`resdep.simulate.output.write_simulation`.
    """
    from resdep.report.figures import cjk_font
    from resdep.simulate.output import _png, _svg_document, write_simulation
    from resdep.simulate.text import report_lang

    lang = report_lang(lang)
    folders = dict(zip(runs, folder_names(list(runs)), strict=True))
    labels = {s: folders[s] for s in runs}  # shown names: the folder names (unique)
    frame = compare_frame({labels[s]: r for s, r in runs.items()})
    no_font = lang == "zh" and cjk_font() is None
    first = next(iter(runs.values()))
    result = first.first if isinstance(first, SeedRuns) else first
    seeds = list(first.seeds) if isinstance(first, SeedRuns) else [first.seed]
    out = Path(out_dir)
    with atomic_dir(out, force=force) as tmp:
        for scenario, run in runs.items():
            write_simulation(run, tmp / folders[scenario], png_dpi=png_dpi, lang=lang)
        write_csv(frame, tmp / "compare.csv")
        fig = compare_figure(frame, lang, cjk=not no_font)
        svg = _svg_document(fig)
        fig.set_layout_engine("none")  # laid out for the SVG: not again for the PNG
        (tmp / "figures").mkdir()
        (tmp / "figures" / "compare.svg").write_text(svg, encoding="utf-8")
        png_fig = compare_figure(frame, "en") if no_font else fig
        (tmp / "figures" / "compare.png").write_bytes(_png(png_fig, png_dpi))
        write_odd(tmp)  # as beside every scenario's report
        page = render_comparison(
            frame,
            {labels[s]: folders[s] for s in runs},
            lang=lang,
            figure_svg=svg,
            years=result.years,
            seeds=seeds,
        )
        (tmp / "report.html").write_text(page, encoding="utf-8")
        meta = {
            "command": "simulate (scenarios side by side)",
            "scenarios": {labels[s]: {"scenario": s, "folder": folders[s]} for s in runs},
            "scale": result.scale.name,
            "years": result.years,
            "seeds": seeds,
            "lang": lang,
            "compare": "compare.csv: per measure, stage and scenario the mean over seeds of "
            "each seed's mean over the last half, its 5-95% band over seeds, and the "
            "difference from the first scenario paired by seed with its band",
            "warnings": [ui("no_cjk_font", "en")] if no_font else [],
        }
        (tmp / "run.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return out
