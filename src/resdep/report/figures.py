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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox, BboxBase

from resdep.case.model import Actor
from resdep.pipeline import Analysis
from resdep.vocab import ActorKind, Label, Resource, Stage, StageState

__all__ = [
    "CJK_FONT_FAMILIES",
    "CSS_FONT_STACK",
    "FIGURE_NAMES",
    "cjk_font",
    "cjk_font_warning",
    "inline_svg",
    "membership_figure",
    "network_figure",
    "pa_trajectory_figure",
    "render_figures",
    "save_figures",
    "stage_networks_figure",
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
    "stage_networks",
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


def _pick_cjk(names: set[str]) -> str | None:
    for family in CJK_FONT_FAMILIES:
        if family in names:
            return family
    # any other family that says CJK: sans before serif, proportional before mono
    others = sorted(
        (n for n in names if "CJK" in n),
        key=lambda n: ("Mono" in n, "Sans" not in n, "SC" not in n, n),
    )
    return others[0] if others else None


_CJK_FILE = re.compile(
    r"cjk|sourcehan|msyh|msjh|simhei|simsun|yahei|pingfang|heiti|wqy|wenquanyi|"
    r"notosanssc|notoserifsc|sarasa|uming|ukai|droidsansfallback",
    re.IGNORECASE,
)
_scanned_files = False


def _register_cjk_files() -> None:
    """Add CJK font files found on disk to matplotlib's font list (once per process).

    Matplotlib caches its list of fonts; a font installed after the cache was built is
    missing from it until the cache folder is deleted. Registering the files found by
    :func:`matplotlib.font_manager.findSystemFonts` bypasses a stale cache.
    """
    global _scanned_files
    if _scanned_files:
        return
    _scanned_files = True
    for path in sorted(font_manager.findSystemFonts()):
        if _CJK_FILE.search(Path(path).name.replace("-", "").replace("_", "")):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # pragma: no cover - unreadable font
                continue


def cjk_font() -> str | None:
    """The name of an installed font matplotlib can draw Chinese with, or None.

    Looks through :data:`CJK_FONT_FAMILIES`, then any family whose name says CJK. When
    matplotlib's cached font list has none (a font installed after the cache was built),
    the font files on disk are searched and registered, so a stale cache does not hide an
    installed font. :func:`cjk_font_warning` says how to install one when there is none.

    Examples
    --------
    >>> name = cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
    found = _pick_cjk({f.name for f in font_manager.fontManager.ttflist})
    if found is None:
        _register_cjk_files()
        found = _pick_cjk({f.name for f in font_manager.fontManager.ttflist})
    return found


def cjk_font_warning() -> str | None:
    """A message saying how to install a CJK font when :func:`cjk_font` finds none, else None.

    ``resdep analyze`` prints it and records it in ``run.json``.

    Examples
    --------
    >>> msg = cjk_font_warning()
    >>> msg is None or "fonts-noto-cjk" in msg
    True
    """
    if cjk_font() is not None:
        return None
    return (
        "no font with Chinese characters found: PNG figures use ASCII labels (actor ids, "
        "English stage names); SVG figures and report.html keep Chinese as text. To draw "
        "Chinese in PNGs install a CJK font: Debian/Ubuntu `sudo apt install fonts-noto-cjk`, "
        "Fedora `sudo dnf install google-noto-sans-cjk-fonts`; on Windows use Microsoft YaHei "
        "(微软雅黑, msyh.ttc, part of Windows; add the Chinese language pack if missing) or "
        "install Noto Sans CJK SC; macOS has PingFang SC. Then run resdep again (if it is "
        f"still not found, delete matplotlib's font cache folder {mpl.get_cachedir()})."
    )


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
    lang: str | None = None  # "zh" or "en": one language; None: English with Chinese

    @property
    def zh(self) -> bool:
        """Chinese only (a Chinese report with a CJK font)."""
        return self.cjk and self.lang == "zh"

    @property
    def both(self) -> bool:
        """English and Chinese side by side (no language chosen, a CJK font)."""
        return self.cjk and self.lang is None

    def t(self, en: str, zh: str, sep: str = " ") -> str:
        """Text written in both languages when no language is chosen."""
        return zh if self.zh else (f"{en}{sep}{zh}" if self.both else en)

    def t1(self, en: str, zh: str) -> str:
        """Text written in English when no language is chosen."""
        return zh if self.zh else en

    def actor(self, actor: Actor) -> str:
        if self.cjk and actor.name_zh:
            return actor.name_zh
        return actor.id

    def stage(self, stage: Stage) -> str:
        return stage.zh if self.zh else (f"{stage.zh}\n{stage.en}" if self.both else stage.en)

    def state(self, state: StageState) -> str:
        return self.t(state.en, state.zh)

    def label(self, label: Label) -> str:
        return self.t(label.en, label.zh)

    def resource(self, resource: Resource) -> str:
        return self.t(resource.en, resource.zh)

    def resource_abbr(self, resource: Resource) -> str:
        return (
            RESOURCE_ABBR_ZH[resource]
            if self.cjk and self.lang != "en"
            else RESOURCE_ABBR[resource]
        )


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


def _short_names(actors: Sequence[Actor]) -> dict[str, str]:
    """Short node labels for small panels: G1, G2… (government), A1… (agencies), O1… (others),
    in the order of the layout; the legend spells them out."""
    out: dict[str, str] = {}
    counts = {"G": 0, "A": 0, "O": 0}
    order = {a.id: i for i, a in enumerate(actors)}
    for a in sorted(actors, key=lambda x: (_KIND_RANK[x.kind], order[x.id])):
        letter = "G" if a.is_government else "A" if a.kind is ActorKind.SOCIAL_WORK_AGENCY else "O"
        counts[letter] += 1
        out[a.id] = f"{letter}{counts[letter]}"
    return out


def _network_extent(
    pos: Mapping[str, tuple[float, float]],
) -> tuple[float, float, float, float]:
    xs = [x for x, _ in pos.values()] or [0.0]
    ys = [y for _, y in pos.values()] or [0.0]
    y_lo, y_hi = min(ys) - (0.22 if any(y < min(ys) + 1e-9 for y in ys) else 0.15), max(ys) + 0.15
    return min(xs) - 0.3, max(xs) + 0.3, y_lo, y_hi


def _used_resources(
    analysis: Analysis, edges: Sequence[tuple[str, str, Mapping[str, Any]]]
) -> list[Resource]:
    return sorted(
        {r for _, _, data in edges for r, _ in _edge_resources(data)}
        | {Resource(r) for r in analysis.inputs["resource"].unique()},
        key=list(Resource).index,
    )


def _stage_edges(analysis: Analysis, stage: Stage) -> list[tuple[str, str, dict[str, Any]]]:
    graph = analysis.networks.get(stage)
    if graph is None:
        return []
    return sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))


_Movable = tuple[Any, Sequence[Callable[[], None]]]


def _draw_network(
    ax: Any,
    analysis: Analysis,
    stage: Stage,
    names: _Names,
    *,
    resources: bool,
    fontsize: float,
    short: Mapping[str, str] | None = None,
) -> list[_Movable]:
    """Draw one stage's network into ``ax``; return the edge labels with the places they
    may take (along their arrow), for :func:`_place_labels`."""
    actors = list(analysis.case.actors)
    by_id = {a.id: a for a in actors}
    agency_rank = {
        a.id: i for i, a in enumerate(x for x in actors if x.kind is ActorKind.SOCIAL_WORK_AGENCY)
    }
    pos = _layout(actors)
    edges = _stage_edges(analysis, stage)
    x_lo, x_hi, y_lo, y_hi = _network_extent(pos)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    radius = 0.06
    circles: dict[str, Circle] = {}

    def name_of(a: Actor) -> str:
        return short[a.id] if short is not None else names.actor(a)

    for a in actors:
        x, y = pos[a.id]
        c = Circle((x, y), radius, facecolor=_node_colour(a), edgecolor="white", lw=1.5, zorder=3)
        ax.add_patch(c)
        circles[a.id] = c
        if a.is_government:
            ax.text(x - radius - 0.04, y, name_of(a), ha="right", va="center", fontsize=fontsize)
        elif a.kind is ActorKind.SOCIAL_WORK_AGENCY:
            ax.text(x + radius + 0.04, y, name_of(a), ha="left", va="center", fontsize=fontsize)
        else:
            ax.text(x, y - radius - 0.03, name_of(a), ha="center", va="top", fontsize=fontsize)
    movable: list[_Movable] = []
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
        # agencies, each agency's labels at their own distance; moved along the arrow
        # when they would cover another label or a name
        shift = 0.13 * agency_rank.get(prov if by_id[dep].is_government else dep, 0)
        if by_id[dep].is_government:
            t0 = 0.25 + shift
        elif by_id[prov].is_government:
            t0 = 0.75 - shift
        else:
            t0 = 0.5
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
        lx, ly = _on_arc(pos[dep], pos[prov], _RAD, t0)
        label = ax.text(
            lx,
            ly,
            text,
            ha="center",
            va="center",
            fontsize=fontsize - 2,
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
        ts = [t0] + [
            t for k in range(1, 8) for t in (t0 + 0.07 * k, t0 - 0.07 * k) if 0.12 <= t <= 0.88
        ]
        movable.append((label, [_mover(label, _on_arc(pos[dep], pos[prov], _RAD, t)) for t in ts]))
    if not edges:
        ax.text(
            _WIDTH / 2, 0.0, "no dependence coded at this stage", ha="center", va="center",
            color="#666666", fontsize=fontsize,
        )  # fmt: skip
    return movable


def _mover(text: Any, xy: tuple[float, float]) -> Callable[[], None]:
    def move() -> None:
        text.set_position(xy)

    return move


def _network_legend(
    fig: Figure, names: _Names, used: Sequence[Resource], key: Sequence[Actor] = ()
) -> None:
    """One legend under the figure: actor kinds (or, with ``key``, each actor with its
    short label), the arrow, and the resource key."""
    arrow = Line2D(
        [],
        [],
        color="#444444",
        lw=2,
        label=names.t1("i → j: i depends on j, width ∝ D", "i → j：i 依赖 j，线宽 ∝ D"),
    )
    handles: list[Any]
    if key:
        short = _short_names(key)
        handles = [
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                ms=6,
                color=_node_colour(a),
                label=f"{short[a.id]}  {names.actor(a)}",
            )
            for a in sorted(key, key=lambda a: ("GAO".index(short[a.id][0]), int(short[a.id][1:])))
        ]
        handles.append(arrow)
    else:
        handles = [
            Patch(color=GOVERNMENT_COLOUR, label=names.t("government", "政府")),
            Patch(color=AGENCY_COLOUR, label=names.t("social work agency", "社工机构")),
            Patch(color=OTHER_COLOUR, label=names.t("others", "其他")),
            arrow,
        ]
    handles += [
        Line2D([], [], ls="none", label=f"{names.resource_abbr(r)}: {names.resource(r)}")
        for r in used
    ]
    longest = max(len(str(h.get_label())) for h in handles)
    fig.legend(
        handles=handles, loc="outside lower center", ncol=3 if longest <= 30 else 2, fontsize=7
    )


def network_figure(
    analysis: Analysis,
    stage: Stage | str,
    *,
    cjk: bool | None = None,
    resources: bool = True,
    lang: str | None = None,
) -> Figure:
    """The dependence network of one stage.

    Actors are nodes (government blue on the left, agencies orange on the right, others
    grey below), at the same places in every stage; an arrow i → j means i depends on j,
    its width grows with D(i→j, s), its colour is the dependent's, and its label gives D
    and, with ``resources``, each resource's D (abbreviations explained in the legend
    under the figure). Labels move along their arrow rather than cover one another.

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
    names = _Names(_use_cjk(cjk), lang)
    pos = _layout(list(analysis.case.actors))
    edges = _stage_edges(analysis, st)
    x_lo, x_hi, y_lo, y_hi = _network_extent(pos)
    with _style(names.cjk):
        width = 7.2
        height = 2.0 + (width - 2.8) * (y_hi - y_lo) / (x_hi - x_lo)
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
        movable = _draw_network(ax, analysis, st, names, resources=resources, fontsize=9)
        title = f"{st.en}: who depends on whom"
        ax.set_title(
            f"{st.zh}：谁依赖谁" if names.zh else (f"{st.zh} {title}" if names.both else title)
        )
        used = _used_resources(analysis, edges) if resources and len(edges) <= _MAX_DETAILED else []
        _network_legend(fig, names, used)
        _place_labels(fig, movable)
    return fig


def stage_networks_figure(
    analysis: Analysis, *, cjk: bool | None = None, lang: str | None = None
) -> Figure:
    """The three stage networks side by side (1 × 3), for a paper's single figure.

    Same drawing as :func:`network_figure` (actors at the same places in every panel,
    arrow i → j: i depends on j, width and label D), without the per-resource detail.
    Nodes carry short labels (G1… government, A1… agencies, O1… others) that the legend
    spells out; a D label that finds no free place in a small panel is left out (the
    per-stage figures have every one).

    Examples
    --------
    >>> from resdep import analyze, load_case, founding_case_path
    >>> result = analyze(load_case(founding_case_path()), draws=200)
    >>> fig = stage_networks_figure(result, cjk=False)
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['contracting', 'implementation', 'closing']
    """
    names = _Names(_use_cjk(cjk), lang)
    actors = list(analysis.case.actors)
    short = _short_names(actors)
    pos = _layout(actors)
    x_lo, x_hi, y_lo, y_hi = _network_extent(pos)
    with _style(names.cjk):
        width = 7.2
        rows = (len(actors) + 2) // 2  # legend rows, at worst
        height = 0.8 + 0.17 * rows + (width / 3 - 0.4) * (y_hi - y_lo) / (x_hi - x_lo)
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(1, 3)
        movable: list[_Movable] = []
        for ax, st in zip(axes, Stage, strict=True):
            movable += _draw_network(
                ax, analysis, st, names, resources=False, fontsize=8, short=short
            )
            ax.set_title(
                names.t(st.en, st.zh) if not names.both else f"{st.zh} {st.en}", fontsize=9
            )
        _network_legend(fig, names, [], key=actors)
        _place_labels(fig, movable, hide_crowded=True)
    return fig


# --- keeping text apart -------------------------------------------------------------------


def _text_box(text: Any, renderer: Any) -> Bbox:
    box: Bbox = text.get_window_extent(renderer)
    patch = text.get_bbox_patch()
    if patch is not None:
        box = Bbox.union([box, patch.get_window_extent(renderer)])
    return box


def _drawn_texts(fig: Figure) -> list[Any]:
    """The Text artists the figure draws (tick labels only of ticks in view)."""
    ticks: set[int] = set()
    out: list[Any] = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in [*axis.majorTicks, *axis.minorTicks]:
                ticks.update((id(tick.label1), id(tick.label2)))
            if ax.axison:
                out += axis.get_ticklabels()
    out += [t for t in fig.findobj(Text) if id(t) not in ticks]
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def _overlap(a: BboxBase, b: BboxBase) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _place_labels(
    fig: Figure,
    movable: Sequence[_Movable],
    obstacles: Callable[[Any], list[Bbox]] | None = None,
    *,
    hide_crowded: bool = False,
) -> None:
    """Give each movable label the first of its places where it covers no other text,
    no obstacle (e.g. a node or marker) and stays on the canvas; else the place where it
    covers least (or, with ``hide_crowded``, nowhere: the label is hidden). Done after the
    layout, and once more when a label moved, as moving labels can shift the layout."""
    if not movable:
        return
    FigureCanvasAgg(fig)
    ids = {id(t) for t, _ in movable}
    for _ in range(2):
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        canvas = fig.bbox
        fixed = [_text_box(t, renderer) for t in _drawn_texts(fig) if id(t) not in ids]
        fixed += obstacles(renderer) if obstacles is not None else []
        placed: list[Bbox] = []
        moved = False
        for text, places in movable:
            best, best_cost = 0, math.inf
            for i, move in enumerate(places):
                move()
                box = _text_box(text, renderer)
                outside = box.width * box.height - _overlap(box, canvas)
                cost = sum(_overlap(box, b) for b in (*fixed, *placed)) + 10 * outside
                if cost < best_cost:
                    best, best_cost = i, cost
                if cost <= 0:
                    break
            places[best]()
            moved = moved or best > 0 or best_cost > 0
            if hide_crowded and best_cost > 0:
                text.set_visible(False)
                continue
            text.set_visible(True)
            placed.append(_text_box(text, renderer))
        if not moved:
            return  # every label at its first place: the layout stands as it was


# --- PA trajectory ------------------------------------------------------------------------


def pa_trajectory_figure(
    analysis: Analysis, *, cjk: bool | None = None, lang: str | None = None
) -> Figure:
    """Power advantage PA = D_ag − D_ga of each dyad across the three stages.

    PA > 0: the government actor holds the power advantage (the agency depends more).
    The grey band is |PA| ≤ θ_PI (no clear imbalance); marker shapes give the stage state;
    whiskers give the 5–95% range of PA over the Monte Carlo draws. The dyads' legend
    stands right of the plot, the states' and the band's under it; state labels next to
    the markers (with up to three dyads) move up or down rather than cover each other.

    Examples
    --------
    >>> from resdep import analyze, load_case, founding_case_path
    >>> result = analyze(load_case(founding_case_path()), draws=200)
    >>> ax = pa_trajectory_figure(result, cjk=False).axes[0]
    >>> [float(y) for y in ax.get_ylim()]
    [-1.05, 1.05]
    """
    names = _Names(_use_cjk(cjk), lang)
    stages = analysis.stages
    theta = analysis.params.theta_pi
    order = list(Stage)
    dyads = list(dict.fromkeys(zip(stages["agency"], stages["government"], strict=True)))
    with _style(names.cjk):
        fig = Figure(figsize=(7.2, 4.6), layout="constrained")
        ax = fig.add_subplot()
        ax.axhspan(-theta, theta, color="#DDDDDD", alpha=0.6, lw=0, zorder=0)
        ax.axhline(0, color="#999999", lw=0.8, zorder=1)
        n = len(dyads)
        few = n <= 3
        points: list[tuple[float, float]] = []
        movable: list[_Movable] = []
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
            label = _wrap_dyad(_dyad_name(analysis, a, g, names))
            ax.plot(xs, ys, color=colour, lw=1.8, zorder=2, label=label)
            for x, y, state in zip(xs, ys, states, strict=True):
                ax.plot(
                    [x], [y], marker=STATE_MARKERS[state], ms=8, color=colour,
                    mec="white", mew=0.8, ls="none", zorder=3,
                )  # fmt: skip
                points.append((x, y))
                if few:
                    ann = ax.annotate(
                        names.state(state),
                        (x, y),
                        xytext=(7, 0),
                        textcoords="offset points",
                        va="center",
                        fontsize=7,
                        color=colour,
                    )
                    first = (-1, 1) if y < 0 else (1, -1)
                    steps = [0.0] + [sgn * 9.0 * j for j in range(1, 6) for sgn in first]
                    movable.append((ann, [_offset_mover(ann, (7, dy)) for dy in steps]))
        ax.set_xticks(range(len(order)), [names.stage(s) for s in order])
        ax.set_xlim(-0.3, 2.3)
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel(
            "PA = D_ag − D_ga\n"
            + (
                "< 0 机构占优势 · > 0 政府占优势"
                if names.cjk and names.lang != "en"
                else "< 0 agency ahead · > 0 government ahead"
            )
        )
        ax.set_title(names.t("Power advantage across stages", "各阶段权力优势"))
        if dyads:
            fig.legend(loc="outside right upper", title=names.t("dyad", "二元关系"))
        else:
            ax.text(
                1.0,
                0.5,
                names.t1("no government–agency dyad", "没有政府–机构二元关系"),
                ha="center",
                color="#666666",
            )
        below: list[Any] = [
            Line2D([], [], marker=m, color="#444444", ls="none", ms=7, label=names.state(s))
            for s, m in STATE_MARKERS.items()
        ]
        below.append(
            Patch(
                color="#DDDDDD",
                label=names.t1(
                    f"|PA| ≤ θ_PI = {theta:.2f}: no clear imbalance",
                    f"|PA| ≤ θ_PI = {theta:.2f}：无明显失衡",
                ),
            )
        )
        fig.legend(handles=below, loc="outside lower center", ncol=3, fontsize=7)

        def markers(renderer: Any) -> list[Bbox]:
            half = 4.5 * fig.dpi / 72  # half the marker size (8 pt) and a little
            out = []
            for x, y in points:
                px, py = ax.transData.transform((x, y))
                out.append(Bbox([[px - half, py - half], [px + half, py + half]]))
            return out

        _place_labels(fig, movable, markers)
    return fig


def _wrap_dyad(name: str) -> str:
    """A dyad's name over two lines when long (legends beside a plot stay narrow)."""
    left, sep, right = name.partition(" – ")
    if sep and sum(2 if ord(ch) > 0x2E80 else 1 for ch in name) > 32:
        return f"{left} –\n{right}"
    return name


def _offset_mover(ann: Any, xy: tuple[float, float]) -> Callable[[], None]:
    def move() -> None:
        ann.xyann = xy

    return move


# --- memberships --------------------------------------------------------------------------


def membership_figure(
    analysis: Analysis, *, cjk: bool | None = None, lang: str | None = None
) -> Figure:
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
    names = _Names(_use_cjk(cjk), lang)
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
            ticklabels.append(
                _wrap_dyad(_dyad_name(analysis, str(row.agency), str(row.government), names))
            )
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
                ptext = names.t1("P(p/b/t) ", "P(伙伴/伙计/交易) ") + " / ".join(
                    f"{p:.2f}" for p in probs
                )
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
        ax.set_xlabel(
            names.t1(
                "membership μ (bar: point estimate; whisker: 5–95% over draws)",
                "隶属度 μ（条：点估计；须线：抽样的 5–95%）",
            )
        )
        ax.set_title(names.t("Relationship memberships", "关系类型隶属度"))
        fig.legend(
            handles=[
                Patch(color=LABEL_COLOURS[Label.PARTNERSHIP], label=names.label(Label.PARTNERSHIP)),
                Patch(color=LABEL_COLOURS[Label.BUDDY], label=names.label(Label.BUDDY)),
                Line2D(
                    [], [], color="#222222", lw=1.2, label=names.t1("5–95% interval", "5–95% 区间")
                ),
                Line2D(
                    [],
                    [],
                    color="#444444",
                    ls="--",
                    label=names.t1(f"threshold {threshold:.2f}", f"阈值 {threshold:.2f}"),
                ),
            ],
            loc="outside lower center",
            ncol=4,
        )
        if n == 0:
            ax.text(
                0.5,
                0.0,
                names.t1("no government–agency dyad in this case", "本案例没有政府–机构二元关系"),
                ha="center",
                color="#666666",
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
    analysis: Analysis,
    directory: str | Path | None = None,
    *,
    dpi: int = 300,
    lang: str | None = None,
) -> dict[str, str]:
    """Draw every figure; return ``{name: standalone SVG}``, writing SVG and PNG files too
    when ``directory`` is given (names from :data:`FIGURE_NAMES`).

    SVGs keep Chinese as text; PNGs use Chinese labels only when :func:`cjk_font` finds a
    font, else ASCII labels. ``lang`` (``"zh"`` or ``"en"``) writes every label in one
    language; None writes English with Chinese beside it.

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
    for name, make in _figure_makers(analysis, lang).items():
        fig = make(True)
        docs[name] = _svg_document(fig)
        if out is not None:
            (out / f"{name}.svg").write_text(docs[name], encoding="utf-8")
            png_fig = fig if png_cjk else make(False)
            png = _render(png_fig, "png", dpi=dpi, metadata={"Software": None}, bbox_inches="tight")
            (out / f"{name}.png").write_bytes(png)
    return docs


def save_figures(
    analysis: Analysis, directory: str | Path, *, dpi: int = 300
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


def _figure_makers(
    analysis: Analysis, lang: str | None = None
) -> dict[str, Callable[[bool], Figure]]:
    makers: dict[str, Callable[[bool], Figure]] = {}
    for s in Stage:
        makers[f"network_{s.value}"] = _network_maker(analysis, s, lang)
    makers["stage_networks"] = lambda cjk: stage_networks_figure(analysis, cjk=cjk, lang=lang)
    makers["pa_trajectory"] = lambda cjk: pa_trajectory_figure(analysis, cjk=cjk, lang=lang)
    makers["memberships"] = lambda cjk: membership_figure(analysis, cjk=cjk, lang=lang)
    return makers


def _network_maker(
    analysis: Analysis, stage: Stage, lang: str | None = None
) -> Callable[[bool], Figure]:
    def make(cjk: bool) -> Figure:
        return network_figure(analysis, stage, cjk=cjk, lang=lang)

    return make
