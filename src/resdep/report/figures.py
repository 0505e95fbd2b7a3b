"""Figures of the report: dependence networks per stage, the PA trajectory, memberships.

Each figure function returns a :class:`matplotlib.figure.Figure` built without pyplot
(no global figure registry, nothing to close), so a notebook can show it and a script can
save it. :func:`save_figures` writes them as SVG and PNG for papers, and :func:`svg_text`
turns one into an SVG string the HTML report inlines.

Chinese text
    SVG output keeps text as text (``svg.fonttype = "none"``) with a CSS font stack of
    common CJK fonts, so a browser renders Chinese with the fonts of the reader's system.
    PNG output is drawn by matplotlib itself and needs a CJK font installed where it runs
    (:func:`cjk_font` finds one, e.g. Noto Sans CJK from the Debian/Ubuntu package
    ``fonts-noto-cjk``). Without one, figures use ASCII labels (actor ids, English stage
    names) rather than draw boxes in place of Chinese characters. Pass ``cjk=True`` or
    ``cjk=False`` to a figure function to choose yourself.

Examples
--------
>>> from resdep import analyze, load_case, founding_case_path
>>> from resdep.report import network_figure
>>> result = analyze(load_case(founding_case_path()), draws=200)
>>> fig = network_figure(result, "implementation", cjk=False)
>>> fig.axes[0].get_title(loc="left")
'implementation: who depends on whom'
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, Patch

from resdep.case.model import Actor
from resdep.pipeline import Analysis
from resdep.vocab import ActorKind, Label, Resource, Stage, StageState

__all__ = [
    "CJK_FONT_FAMILIES",
    "CSS_FONT_STACK",
    "FIGURE_NAMES",
    "cjk_font",
    "inline_svg",
    "membership_figure",
    "network_figure",
    "pa_trajectory_figure",
    "render_figures",
    "save_figures",
    "svg_text",
    "with_columns",
]

#: CJK font families looked for, in order, for PNG output (the first one installed wins).
CJK_FONT_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "PingFang SC",
    "Microsoft YaHei",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Heiti SC",
    "Sarasa Gothic SC",
    "AR PL UMing CN",
)

#: The font stack written into SVG text and the report's CSS.
CSS_FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
    '"Helvetica Neue", Arial, "DejaVu Sans", sans-serif'
)

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
GOVERNMENT_COLOUR = "#0072B2"
AGENCY_COLOUR = "#E69F00"
OTHER_COLOUR = "#7F7F7F"
LABEL_COLOURS: Mapping[Label, str] = {
    Label.PARTNERSHIP: "#009E73",
    Label.BUDDY: "#D55E00",
    Label.TRANSACTIONAL: "#8C8C8C",
}
DYAD_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
STATE_MARKERS: Mapping[StageState, str] = {
    StageState.INTERDEPENDENT: "o",
    StageState.GOVERNMENT_DOMINANT: "^",
    StageState.AGENCY_DOMINANT: "v",
    StageState.WEAK: "X",
}
RESOURCE_ABBR: Mapping[Resource, str] = {
    Resource.ECONOMIC: "E",
    Resource.POLITICAL_LEGITIMACY: "PL",
    Resource.SOCIAL_LEGITIMACY: "SL",
    Resource.PROFESSIONAL: "P",
    Resource.PATH_DEPENDENCE: "PD",
    Resource.INFORMATION: "In",
    Resource.PERFORMANCE: "Pf",
}
RESOURCE_ABBR_ZH: Mapping[Resource, str] = {
    Resource.ECONOMIC: "经",
    Resource.POLITICAL_LEGITIMACY: "政",
    Resource.SOCIAL_LEGITIMACY: "社",
    Resource.PROFESSIONAL: "专",
    Resource.PATH_DEPENDENCE: "路",
    Resource.INFORMATION: "信",
    Resource.PERFORMANCE: "绩",
}

#: Base names of the files :func:`save_figures` writes (``.svg`` and ``.png`` each).
FIGURE_NAMES: tuple[str, ...] = (
    *(f"network_{s.value}" for s in Stage),
    "pa_trajectory",
    "memberships",
)

_KIND_RANK = {k: i for i, k in enumerate(ActorKind)}
_GLYPH_WARNING = r"Glyph \d+ .*missing from font"


INTERVAL_COLUMNS: tuple[str, ...] = (
    "agency", "government", "mu_partnership_lo", "mu_partnership_hi", "mu_buddy_lo",
    "mu_buddy_hi",
)  # fmt: skip


def with_columns(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The frame with every named column (missing ones added empty), for tables that an
    analysis may leave bare (e.g. one built from simulated inputs has no evidence).

    Examples
    --------
    >>> list(with_columns(pd.DataFrame(), ["a", "b"]).columns)
    ['a', 'b']
    """
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return frame
    return frame.assign(**{c: pd.Series(dtype=object, index=frame.index) for c in missing})


def cjk_font() -> str | None:
    """The name of an installed font matplotlib can draw Chinese with, or None.

    Looks through :data:`CJK_FONT_FAMILIES`, then any family whose name says CJK.
    Matplotlib caches its font list: after installing a font, delete the cache folder
    (``matplotlib.get_cachedir()``) for it to be found.

    Examples
    --------
    >>> name = cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FONT_FAMILIES:
        if family in names:
            return family
    for name in sorted(names):
        if "CJK" in name:
            return name
    return None


@contextmanager
def _style(cjk: bool) -> Iterator[None]:
    """Matplotlib settings of resdep's figures; hides missing-glyph warnings for SVG text."""
    families = [f for f in (cjk_font() if cjk else None, "DejaVu Sans") if f]
    rc: Any = {
        "font.family": families,
        "font.size": 9,
        "svg.fonttype": "none",
        "svg.hashsalt": "resdep",
        "text.parse_math": False,  # names are data: "$" is a dollar sign, not mathtext
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "legend.frameon": False,
        "legend.fontsize": 8,
    }
    with mpl.rc_context(rc), warnings.catch_warnings():
        # Chinese kept as SVG text is laid out with a Latin font's metrics when no CJK
        # font is installed; the browser draws it with the reader's fonts.
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING, category=UserWarning)
        yield


def _float(x: Any) -> float:
    return float(x)


def _use_cjk(cjk: bool | None) -> bool:
    return cjk_font() is not None if cjk is None else cjk


@dataclass(frozen=True, slots=True)
class _Names:
    """How actors, stages and states are written in one figure."""

    cjk: bool

    def actor(self, actor: Actor) -> str:
        if self.cjk and actor.name_zh:
            return actor.name_zh
        return actor.id

    def stage(self, stage: Stage) -> str:
        return f"{stage.zh}\n{stage.en}" if self.cjk else stage.en

    def state(self, state: StageState) -> str:
        return f"{state.en} {state.zh}" if self.cjk else state.en

    def label(self, label: Label) -> str:
        return f"{label.en} {label.zh}" if self.cjk else label.en

    def resource(self, resource: Resource) -> str:
        return f"{resource.en} {resource.zh}" if self.cjk else resource.en

    def resource_abbr(self, resource: Resource) -> str:
        return RESOURCE_ABBR_ZH[resource] if self.cjk else RESOURCE_ABBR[resource]


def _actors(analysis: Analysis) -> dict[str, Actor]:
    return {a.id: a for a in analysis.case.actors}


def _dyad_name(analysis: Analysis, agency: str, government: str, names: _Names) -> str:
    actors = _actors(analysis)
    a = actors.get(agency, None)
    g = actors.get(government, None)
    left = names.actor(a) if a else agency
    right = names.actor(g) if g else government
    return f"{left} – {right}"


# --- networks -----------------------------------------------------------------------------


def _layout(actors: Sequence[Actor]) -> dict[str, tuple[float, float]]:
    """Government actors on the left (bureau above street above committees), agencies on
    the right, everyone else along the bottom; deterministic for a given case."""
    order = {a.id: i for i, a in enumerate(actors)}

    def rank(a: Actor) -> tuple[int, int]:
        return (_KIND_RANK[a.kind], order[a.id])

    gov = sorted((a for a in actors if a.is_government), key=rank)
    agencies = [a for a in actors if a.kind is ActorKind.SOCIAL_WORK_AGENCY]
    others = [
        a for a in actors if not a.is_government and a.kind is not ActorKind.SOCIAL_WORK_AGENCY
    ]
    pos: dict[str, tuple[float, float]] = {}

    def column(items: Sequence[Actor], x: float) -> None:
        n = len(items)
        for i, a in enumerate(items):
            pos[a.id] = (x, ((n - 1) / 2 - i) * _STEP)

    column(gov, 0.0)
    column(agencies, _WIDTH)
    bottom = min((y for _, y in pos.values()), default=0.0) - 0.5
    n = len(others)
    for i, a in enumerate(others):
        pos[a.id] = (_WIDTH / 2 if n == 1 else _WIDTH * (0.2 + 0.6 * i / (n - 1)), bottom)
    return pos


_STEP = 0.4  # vertical distance between actors of one column
_WIDTH = 1.8  # horizontal distance between the government and the agency column
_RAD = 0.09  # curvature: the two directions of a tie bend to opposite sides
_MAX_DETAILED = 16  # more arrows than this: labels give D only, not the resources
_MAX_LABELLED = 40  # more arrows than this: no labels (the report's table lists them)


def _node_colour(actor: Actor) -> str:
    if actor.is_government:
        return GOVERNMENT_COLOUR
    if actor.kind is ActorKind.SOCIAL_WORK_AGENCY:
        return AGENCY_COLOUR
    return OTHER_COLOUR


def _on_arc(
    p0: tuple[float, float], p2: tuple[float, float], rad: float, t: float
) -> tuple[float, float]:
    """The point at ``t`` of matplotlib's ``arc3`` curve from p0 to p2 (equal aspect)."""
    (x0, y0), (x2, y2) = p0, p2
    cx, cy = (x0 + x2) / 2 + rad * (y2 - y0), (y0 + y2) / 2 - rad * (x2 - x0)
    u = 1 - t
    return (u * u * x0 + 2 * u * t * cx + t * t * x2, u * u * y0 + 2 * u * t * cy + t * t * y2)


def _edge_resources(data: Mapping[str, Any]) -> list[tuple[Resource, float]]:
    known = {r.value for r in Resource}
    parts = [
        (Resource(k.removeprefix("d_")), float(v))
        for k, v in data.items()
        if k.startswith("d_") and k.removeprefix("d_") in known
    ]
    return sorted(parts, key=lambda rv: (-rv[1], rv[0].value))


def network_figure(
    analysis: Analysis, stage: Stage | str, *, cjk: bool | None = None, resources: bool = True
) -> Figure:
    """The dependence network of one stage.

    Actors are nodes (government blue on the left, agencies orange on the right, others
    grey below), at the same places in every stage; an arrow i → j means i depends on j,
    its width grows with D(i→j, s), its colour is the dependent's, and its label gives D
    and, with ``resources``, each resource's D (abbreviations explained under the figure).

    Parameters
    ----------
    analysis
        The result of :func:`resdep.analyze`.
    stage
        A :class:`~resdep.Stage` or its id.
    cjk
        Write Chinese names; None: only if a CJK font is installed (:func:`cjk_font`).
    resources
        List the resources behind each arrow.

    Examples
    --------
    >>> from resdep import analyze, load_case, founding_case_path
    >>> result = analyze(load_case(founding_case_path()), draws=200)
    >>> fig = network_figure(result, "closing", cjk=False)
    >>> len(fig.axes)
    1
    """
    st = Stage(stage)
    names = _Names(_use_cjk(cjk))
    actors = list(analysis.case.actors)
    by_id = {a.id: a for a in actors}
    agency_rank = {
        a.id: i for i, a in enumerate(x for x in actors if x.kind is ActorKind.SOCIAL_WORK_AGENCY)
    }
    pos = _layout(actors)
    graph = analysis.networks.get(st)
    edges: list[tuple[str, str, dict[str, Any]]] = (
        sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])) if graph is not None else []
    )
    xs = [x for x, _ in pos.values()] or [0.0]
    ys = [y for _, y in pos.values()] or [0.0]
    y_lo, y_hi = min(ys) - (0.22 if any(y < min(ys) + 1e-9 for y in ys) else 0.15), max(ys) + 0.15
    x_lo, x_hi = min(xs) - 0.75, max(xs) + 0.75
    used = sorted(
        {r for _, _, data in edges for r, _ in _edge_resources(data)}
        | {Resource(r) for r in analysis.inputs["resource"].unique()},
        key=list(Resource).index,
    )
    with _style(names.cjk):
        width = 7.2
        height = 1.5 + (width - 0.4) * (y_hi - y_lo) / (x_hi - x_lo)
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_xlim(x_lo, x_hi)
        ax.set_ylim(y_lo, y_hi)
        radius = 0.06
        circles: dict[str, Circle] = {}
        for a in actors:
            x, y = pos[a.id]
            c = Circle(
                (x, y), radius, facecolor=_node_colour(a), edgecolor="white", lw=1.5, zorder=3
            )
            ax.add_patch(c)
            circles[a.id] = c
            if a.is_government:
                ax.text(x - radius - 0.04, y, names.actor(a), ha="right", va="center", fontsize=9)
            elif a.kind is ActorKind.SOCIAL_WORK_AGENCY:
                ax.text(x + radius + 0.04, y, names.actor(a), ha="left", va="center", fontsize=9)
            else:
                ax.text(x, y - radius - 0.03, names.actor(a), ha="center", va="top", fontsize=9)
        for dep, prov, data in edges:
            if dep not in pos or prov not in pos or dep == prov:
                continue
            d = float(data.get("d", 0.0))
            colour = _node_colour(by_id[dep])
            ax.add_patch(
                FancyArrowPatch(
                    pos[dep],
                    pos[prov],
                    patchA=circles[dep],
                    patchB=circles[prov],
                    connectionstyle=f"arc3,rad={_RAD}",
                    arrowstyle="-|>",
                    mutation_scale=9 + 8 * d,
                    lw=0.5 + 4.5 * d,
                    color=colour,
                    alpha=0.85,
                    zorder=2,
                )
            )
            if len(edges) > _MAX_LABELLED:
                continue  # too many to label legibly: the table under the figure has them
            # labels sit nearer the government end, where the arrows fan out; with several
            # agencies, each agency's labels at their own distance
            shift = 0.13 * agency_rank.get(prov if by_id[dep].is_government else dep, 0)
            if by_id[dep].is_government:
                t = 0.25 + shift
            elif by_id[prov].is_government:
                t = 0.75 - shift
            else:
                t = 0.5
            lx, ly = _on_arc(pos[dep], pos[prov], _RAD, t)
            text = f"{d:.2f}"
            parts = _edge_resources(data) if resources and len(edges) <= _MAX_DETAILED else []
            if len(parts) == 1:
                text += f" {names.resource_abbr(parts[0][0])}"
            elif parts:
                text += (
                    " ("
                    + " · ".join(
                        f"{names.resource_abbr(r)} {v:.2f}".replace(" 0.", " .") for r, v in parts
                    )
                    + ")"
                )
            ax.text(
                lx,
                ly,
                text,
                ha="center",
                va="center",
                fontsize=7,
                color="#222222",
                zorder=4,
                bbox={
                    "boxstyle": "round,pad=0.2",
                    "fc": "white",
                    "ec": colour,
                    "lw": 0.6,
                    "alpha": 0.95,
                },
            )
        if not edges:
            ax.text(
                _WIDTH / 2,
                0.0,
                "no dependence coded at this stage",
                ha="center",
                va="center",
                color="#666666",
            )
        title = f"{st.en}: who depends on whom"
        ax.set_title(f"{st.zh} {title}" if names.cjk else title)
        handles: list[Any] = [
            Patch(color=GOVERNMENT_COLOUR, label="government" + (" 政府" if names.cjk else "")),
            Patch(
                color=AGENCY_COLOUR, label="social work agency" + (" 社工机构" if names.cjk else "")
            ),
            Patch(color=OTHER_COLOUR, label="others"),
            Line2D([], [], color="#444444", lw=2, label="i → j: i depends on j, width ∝ D"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncol=4)
        if resources and used and len(edges) <= _MAX_DETAILED:
            key = [
                Line2D([], [], ls="none", label=f"{names.resource_abbr(r)}  {names.resource(r)}")
                for r in used
            ]
            ax.legend(
                handles=key,
                loc="lower right",
                title="resources",
                handlelength=0,
                handletextpad=0,
                fontsize=7,
                title_fontsize=7,
                alignment="left",
            )
    return fig


# --- PA trajectory ------------------------------------------------------------------------


def pa_trajectory_figure(analysis: Analysis, *, cjk: bool | None = None) -> Figure:
    """Power advantage PA = D_ag − D_ga of each dyad across the three stages.

    PA > 0: the government actor holds the power advantage (the agency depends more).
    The grey band is |PA| ≤ θ_PI (no clear imbalance); marker shapes give the stage state;
    whiskers give the 5–95% range of PA over the Monte Carlo draws.

    Examples
    --------
    >>> from resdep import analyze, load_case, founding_case_path
    >>> result = analyze(load_case(founding_case_path()), draws=200)
    >>> ax = pa_trajectory_figure(result, cjk=False).axes[0]
    >>> [float(y) for y in ax.get_ylim()]
    [-1.05, 1.05]
    """
    names = _Names(_use_cjk(cjk))
    stages = analysis.stages
    theta = analysis.params.theta_pi
    order = list(Stage)
    dyads = list(dict.fromkeys(zip(stages["agency"], stages["government"], strict=True)))
    with _style(names.cjk):
        fig = Figure(figsize=(7.2, 4.6), layout="constrained")
        ax = fig.add_subplot()
        ax.axhspan(-theta, theta, color="#DDDDDD", alpha=0.6, lw=0, zorder=0)
        ax.axhline(0, color="#999999", lw=0.8, zorder=1)
        ax.text(
            -0.27,
            -theta + 0.02,
            f"|PA| ≤ θ_PI = {theta:.2f}",
            fontsize=7,
            color="#555555",
            va="bottom",
        )
        ax.text(
            -0.22,
            0.97,
            "government holds the power advantage ↑",
            fontsize=7,
            color="#555555",
            va="top",
        )
        ax.text(
            -0.22,
            -0.97,
            "agency holds the power advantage ↓",
            fontsize=7,
            color="#555555",
            va="bottom",
        )
        n = len(dyads)
        few = n <= 3
        for k, (a, g) in enumerate(dyads):
            part = stages[(stages["agency"] == a) & (stages["government"] == g)]
            by_stage = {
                str(s): row for s, row in zip(part["stage"], part.itertuples(), strict=True)
            }
            offset = (k - (n - 1) / 2) * 0.035
            xs, ys, states = [], [], []
            for i, s in enumerate(order):
                row = by_stage.get(s.value)
                if row is None:
                    continue
                xs.append(i + offset)
                ys.append(float(row.pa))
                states.append(StageState(str(row.state)))
            colour = DYAD_COLOURS[k % len(DYAD_COLOURS)]
            si = analysis.stage_intervals
            if len(si):
                part_si = si[(si["agency"] == a) & (si["government"] == g)].set_index("stage")
                for x, s in zip(xs, [s for s in order if s.value in by_stage], strict=True):
                    if s.value in part_si.index and math.isfinite(
                        float(part_si.loc[s.value, "pa_lo"])
                    ):
                        lo, hi = (
                            float(part_si.loc[s.value, "pa_lo"]),
                            float(part_si.loc[s.value, "pa_hi"]),
                        )
                        ax.plot([x, x], [lo, hi], color=colour, lw=1.0, alpha=0.55, zorder=2)
            ax.plot(xs, ys, color=colour, lw=1.8, zorder=2, label=_dyad_name(analysis, a, g, names))
            for x, y, state in zip(xs, ys, states, strict=True):
                ax.plot(
                    [x], [y], marker=STATE_MARKERS[state], ms=8, color=colour,
                    mec="white", mew=0.8, ls="none", zorder=3,
                )  # fmt: skip
                if few:
                    ax.annotate(
                        names.state(state),
                        (x, y),
                        xytext=(6, 6 if y >= 0 else -10),
                        textcoords="offset points",
                        fontsize=7,
                        color=colour,
                    )
        ax.set_xticks(range(len(order)), [names.stage(s) for s in order])
        ax.set_xlim(-0.3, 2.3)
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel("PA = D_ag − D_ga")
        ax.set_title("Power advantage across stages" + (" 各阶段权力优势" if names.cjk else ""))
        if dyads:
            dyad_legend = ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), title="dyad")
            ax.add_artist(dyad_legend)
        else:
            ax.text(1.0, 0.5, "no government–agency dyad", ha="center", color="#666666")
        state_handles = [
            Line2D([], [], marker=m, color="#444444", ls="none", ms=7, label=names.state(s))
            for s, m in STATE_MARKERS.items()
        ]
        ax.legend(handles=state_handles, loc="lower left", bbox_to_anchor=(1.0, 0.0), title="state")
    return fig


# --- memberships --------------------------------------------------------------------------


def membership_figure(analysis: Analysis, *, cjk: bool | None = None) -> Figure:
    """Membership in partnership and buddy per dyad, with 5–95% Monte Carlo intervals.

    Bars are the point memberships; whiskers the 5th–95th percentiles of the memberships
    over the posterior draws; the dashed line the label threshold; the text the
    probability of each label.

    Examples
    --------
    >>> from resdep import analyze, load_case, founding_case_path
    >>> result = analyze(load_case(founding_case_path()), draws=200)
    >>> ax = membership_figure(result, cjk=False).axes[0]
    >>> [float(x) for x in ax.get_xlim()], len(ax.get_yticklabels()) == len(result.relationships)
    ([0.0, 1.0], True)
    """
    names = _Names(_use_cjk(cjk))
    rel = analysis.relationships
    iv = with_columns(analysis.intervals, INTERVAL_COLUMNS)
    threshold = analysis.params.label_threshold
    n = len(rel)
    with _style(names.cjk):
        fig = Figure(figsize=(7.2, 1.2 + 0.75 * max(n, 1)), layout="constrained")
        ax = fig.add_subplot()
        h = 0.34
        ticks, ticklabels = [], []
        for k, row in enumerate(rel.itertuples()):
            y = n - 1 - k
            ticks.append(y)
            ticklabels.append(_dyad_name(analysis, str(row.agency), str(row.government), names))
            match = iv[(iv["agency"] == row.agency) & (iv["government"] == row.government)]
            for j, (label, mu) in enumerate(
                (
                    (Label.PARTNERSHIP, _float(row.mu_partnership)),
                    (Label.BUDDY, _float(row.mu_buddy)),
                )
            ):
                yy = y + (h / 2 if j == 0 else -h / 2)
                ax.barh(yy, mu, height=h * 0.9, color=LABEL_COLOURS[label], alpha=0.85, zorder=2)
                if len(match):
                    lo = _float(match.iloc[0][f"mu_{label.value}_lo"])
                    hi = _float(match.iloc[0][f"mu_{label.value}_hi"])
                    if not (math.isnan(lo) or math.isnan(hi)):
                        ax.plot([lo, hi], [yy, yy], color="#222222", lw=1.2, zorder=3)
                        ax.plot(
                            [lo, lo],
                            [yy - h * 0.25, yy + h * 0.25],
                            color="#222222",
                            lw=1.2,
                            zorder=3,
                        )
                        ax.plot(
                            [hi, hi],
                            [yy - h * 0.25, yy + h * 0.25],
                            color="#222222",
                            lw=1.2,
                            zorder=3,
                        )
            probs = (_float(row.p_partnership), _float(row.p_buddy), _float(row.p_transactional))
            if not any(math.isnan(p) for p in probs):
                ptext = "P(p/b/t) " + " / ".join(f"{p:.2f}" for p in probs)
                ax.text(
                    1.02,
                    y,
                    f"{names.label(Label(str(row.label)))}\n{ptext}",
                    va="center",
                    fontsize=7,
                    transform=ax.get_yaxis_transform(),
                )
        ax.axvline(threshold, color="#444444", ls="--", lw=0.9, zorder=1)
        ax.set_yticks(ticks, ticklabels)
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(-0.7, max(n, 1) - 0.3)
        ax.set_xlabel("membership μ (bar: point estimate; whisker: 5–95% over draws)")
        ax.set_title("Relationship memberships" + (" 关系类型隶属度" if names.cjk else ""))
        fig.legend(
            handles=[
                Patch(color=LABEL_COLOURS[Label.PARTNERSHIP], label=names.label(Label.PARTNERSHIP)),
                Patch(color=LABEL_COLOURS[Label.BUDDY], label=names.label(Label.BUDDY)),
                Line2D([], [], color="#222222", lw=1.2, label="5–95% interval"),
                Line2D([], [], color="#444444", ls="--", label=f"threshold {threshold:.2f}"),
            ],
            loc="outside lower center",
            ncol=4,
        )
        if n == 0:
            ax.text(
                0.5, 0.0, "no government–agency dyad in this case", ha="center", color="#666666"
            )
    return fig


# --- output -------------------------------------------------------------------------------


def _render(fig: Figure, fmt: str, **kwargs: Any) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING, category=UserWarning)
        with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "resdep"}):
            fig.savefig(buf, format=fmt, **kwargs)
    return buf.getvalue()


_FONT_FAMILY = re.compile(r"font-family:[^;\"]*")


def _svg_document(fig: Figure) -> str:
    """A standalone SVG document with the CJK font stack on every text."""
    svg = _render(fig, "svg", metadata={"Date": None}).decode("utf-8")
    stack = CSS_FONT_STACK.replace('"', "'")
    return _FONT_FAMILY.sub(f"font-family: {stack}", svg)


def svg_text(fig: Figure, *, prefix: str = "fig") -> str:
    """The figure as an ``<svg>`` element to put inside an HTML page.

    See :func:`inline_svg` for what changes against a standalone SVG file.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> _ = fig.add_subplot().plot([0, 1], [0, 1])
    >>> s = svg_text(fig, prefix="demo")
    >>> s.startswith("<svg") and "http" not in s and 'id="demo-' in s
    True
    """
    return inline_svg(_svg_document(fig), prefix=prefix)


def inline_svg(document: str, *, prefix: str) -> str:
    """Turn a standalone SVG document into an ``<svg>`` element for an HTML page.

    The XML prolog, doctype, RDF metadata and namespace declarations are dropped (HTML
    needs none of them), every id gets ``prefix`` so several figures can share a page,
    and ``width``/``height`` give way to CSS (the ``viewBox`` keeps the proportions).

    Examples
    --------
    >>> doc = ('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10pt" '
    ...        'height="5pt" viewBox="0 0 10 5"><g id="a" clip-path="url(#c)"/></svg>')
    >>> inline_svg(doc, prefix="f")
    '<svg viewBox="0 0 10 5" role="img" preserveAspectRatio="xMidYMid meet"><g id="f-a" clip-path="url(#f-c)"/></svg>'
    """
    svg = document[document.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = svg.replace("xlink:href=", "href=")
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', svg)
    head_end = svg.index(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", svg[:head_end])
    head += ' role="img" preserveAspectRatio="xMidYMid meet"'
    return head + svg[head_end:]


def render_figures(
    analysis: Analysis, directory: str | Path | None = None, *, dpi: int = 200
) -> dict[str, str]:
    """Draw every figure; return ``{name: standalone SVG}``, writing SVG and PNG files too
    when ``directory`` is given (names from :data:`FIGURE_NAMES`).

    SVGs keep Chinese as text; PNGs use Chinese labels only when :func:`cjk_font` finds a
    font, else ASCII labels.

    Examples
    --------
    >>> from resdep import analyze, load_case, founding_case_path
    >>> result = analyze(load_case(founding_case_path()), draws=200)
    >>> docs = render_figures(result)
    >>> list(docs) == list(FIGURE_NAMES) and all(d.lstrip().startswith("<?xml") for d in docs.values())
    True
    """
    out = Path(directory) if directory is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    png_cjk = cjk_font() is not None
    docs: dict[str, str] = {}
    for name, make in _figure_makers(analysis).items():
        fig = make(True)
        docs[name] = _svg_document(fig)
        if out is not None:
            (out / f"{name}.svg").write_text(docs[name], encoding="utf-8")
            png_fig = fig if png_cjk else make(False)
            png = _render(png_fig, "png", dpi=dpi, metadata={"Software": None})
            (out / f"{name}.png").write_bytes(png)
    return docs


def save_figures(
    analysis: Analysis, directory: str | Path, *, dpi: int = 200
) -> dict[str, tuple[Path, Path]]:
    """Write every figure as SVG (Chinese kept as text) and PNG into ``directory``.

    Returns ``{name: (svg_path, png_path)}`` with names from :data:`FIGURE_NAMES`.

    Examples
    --------
    >>> import tempfile
    >>> from resdep import analyze, load_case, founding_case_path
    >>> result = analyze(load_case(founding_case_path()), draws=200)
    >>> paths = save_figures(result, tempfile.mkdtemp())
    >>> sorted(paths) == sorted(FIGURE_NAMES) and all(p.is_file() for pair in paths.values() for p in pair)
    True
    """
    out = Path(directory)
    render_figures(analysis, out, dpi=dpi)
    return {name: (out / f"{name}.svg", out / f"{name}.png") for name in FIGURE_NAMES}


def _figure_makers(analysis: Analysis) -> dict[str, Callable[[bool], Figure]]:
    makers: dict[str, Callable[[bool], Figure]] = {}
    for s in Stage:
        makers[f"network_{s.value}"] = _network_maker(analysis, s)
    makers["pa_trajectory"] = lambda cjk: pa_trajectory_figure(analysis, cjk=cjk)
    makers["memberships"] = lambda cjk: membership_figure(analysis, cjk=cjk)
    return makers


def _network_maker(analysis: Analysis, stage: Stage) -> Callable[[bool], Figure]:
    def make(cjk: bool) -> Figure:
        return network_figure(analysis, stage, cjk=cjk)

    return make
