"""Figures: what they draw matches the analysis; files for papers; Chinese or ASCII text."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from figure_layout import layout_problems
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text
from numpy.testing import assert_allclose
from PIL import Image

from resdep import Analysis, analyze, founding_case_path, load_case
from resdep.case.model import Actor
from resdep.outputs import write_outputs
from resdep.report import (
    cjk_font,
    membership_figure,
    network_figure,
    pa_trajectory_figure,
    save_figures,
    svg_text,
)
from resdep.report import figures as figures_module
from resdep.report.figures import (
    FIGURE_NAMES,
    cjk_font_warning,
    inline_svg,
    stage_networks_figure,
)
from resdep.vocab import ActorKind, Stage

CJK = re.compile(r"[\u3400-\u9fff]")

# A case with long Chinese names and long ids, three dyads with equal power advantage
# (their markers and state labels fall on the same spots), for the layout tests.
CROWDED_TOML = """\
[case]
id = "crowded"
title = "Long names"

[[actor]]
id = "district_ca"
kind = "civil_affairs_bureau"
name_zh = "江东区民政局社会组织服务管理科"

[[actor]]
id = "street_office_donghu"
kind = "street_office"
name_zh = "江东区东湖街道社区自治办公室"

[[actor]]
id = "agency_sunshine"
kind = "social_work_agency"
name_zh = "江东区阳光社会工作服务中心"

[[actor]]
id = "agency_tongxin"
kind = "social_work_agency"
name_zh = "江东区同心社会工作事务所"

[[actor]]
id = "residents"
kind = "residents"
name_zh = "东湖街道全体居民"

[[informant]]
id = "I1"
organisation = "agency_sunshine"

[[source]]
id = "S1"
path = "sources/S1.txt"
informant = "I1"
kind = "interview"
"""


def write_crowded_case(root: Path) -> Path:
    """Write the crowded case (agencies and governments depend on each other in every
    stage, alike; agency_tongxin has no tie with district_ca) under ``root``."""
    (root / "sources").mkdir(parents=True)
    (root / "case.toml").write_text(CROWDED_TOML, encoding="utf-8")
    rows, text = [], ""
    for agency in ("agency_sunshine", "agency_tongxin"):
        for gov in ("district_ca", "street_office_donghu"):
            if (agency, gov) == ("agency_tongxin", "district_ca"):
                continue
            for stage in Stage:
                for dep, prov, resource in (
                    (agency, gov, "economic"),
                    (gov, agency, "professional"),
                ):
                    for dimension, intensity in (("importance", "3"), ("alternatives", "0")):
                        quote = f"{dep}{prov}{stage.value}{dimension}。"
                        rows.append(
                            f"S1,{len(text)},{len(text) + len(quote)},{quote},dependence,"
                            f"{stage.value},{dep},{prov},{resource},{dimension},,,{intensity},,"
                        )
                        text += quote
    (root / "sources" / "S1.txt").write_text(text, encoding="utf-8")
    header = "source,start,end,quote,kind,stage,dependent,provider,resource,dimension,actor,value,intensity,evidence,note"
    (root / "codings.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return root


SVG_NS = "{http://www.w3.org/2000/svg}"


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


@pytest.mark.parametrize("stage", list(Stage))
def test_network_has_one_arrow_per_edge(rich_analysis: Analysis, stage: Stage) -> None:
    fig = network_figure(rich_analysis, stage, cjk=False)
    arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    graph = rich_analysis.networks[stage]
    assert len(arrows) == graph.number_of_edges()
    # wider arrows for stronger dependence
    widths = sorted(a.get_linewidth() for a in arrows)
    ds = sorted(d for _, _, d in graph.edges(data="d"))
    assert np.all(np.diff(widths) >= 0)
    assert len(widths) == len(ds)
    for _, _, d in graph.edges(data="d"):
        assert any(f"{d:.2f}" in t for t in texts(fig))


def test_network_lists_resources(rich_analysis: Analysis) -> None:
    fig = network_figure(rich_analysis, Stage.CONTRACTING, cjk=False)
    joined = " ".join(texts(fig))
    assert "economic" in joined
    assert "political legitimacy" in joined
    assert "professional" in joined
    fig_zh = network_figure(rich_analysis, Stage.CONTRACTING, cjk=True)
    assert "经济资源" in " ".join(texts(fig_zh))


def test_ascii_figures_have_no_chinese(rich_analysis: Analysis) -> None:
    for fig in (
        *(network_figure(rich_analysis, s, cjk=False) for s in Stage),
        pa_trajectory_figure(rich_analysis, cjk=False),
        membership_figure(rich_analysis, cjk=False),
    ):
        found = [t for t in texts(fig) if CJK.search(t)]
        assert found == []


def test_cjk_figures_name_actors_in_chinese(rich_analysis: Analysis) -> None:
    joined = " ".join(texts(network_figure(rich_analysis, Stage.CLOSING, cjk=True)))
    for actor in rich_analysis.case.actors:
        assert actor.name_zh in joined
    assert "结项" in joined


def test_trajectory_plots_pa_of_each_dyad(rich_analysis: Analysis) -> None:
    fig = pa_trajectory_figure(rich_analysis, cjk=False)
    ax = fig.axes[0]
    lines = [ln for ln in ax.get_lines() if len(ln.get_ydata()) == 3]
    st = rich_analysis.stages
    assert len(lines) == len(rich_analysis.relationships)
    for line, (_, part) in zip(
        lines, st.groupby(["agency", "government"], sort=False), strict=True
    ):
        assert_allclose(np.asarray(line.get_ydata(), float), part["pa"].to_numpy(float))
    # the band |PA| <= theta_PI
    band = [p for p in ax.patches if p.get_extents().height > 0]
    assert band, "no shaded band"


def test_membership_bars_and_intervals(rich_analysis: Analysis) -> None:
    ax = membership_figure(rich_analysis, cjk=False).axes[0]
    widths = sorted(round(p.get_width(), 9) for p in ax.patches)
    rel = rich_analysis.relationships
    expected = sorted(round(float(v), 9) for v in [*rel["mu_partnership"], *rel["mu_buddy"]])
    assert widths == expected
    segments = {
        tuple(round(float(x), 9) for x in ln.get_xdata())
        for ln in ax.get_lines()
        if isinstance(ln, Line2D) and len(ln.get_xdata()) == 2
    }
    for r in rich_analysis.intervals.itertuples():
        for lo, hi in ((r.mu_partnership_lo, r.mu_partnership_hi), (r.mu_buddy_lo, r.mu_buddy_hi)):
            assert (round(float(lo), 9), round(float(hi), 9)) in segments


def test_saved_files_parse_and_keep_chinese_as_text(
    rich_analysis: Analysis, tmp_path: Path
) -> None:
    paths = save_figures(rich_analysis, tmp_path / "figs")
    assert list(paths) == list(FIGURE_NAMES)
    for svg_path, png_path in paths.values():
        root = ET.parse(svg_path).getroot()
        assert root.tag == f"{SVG_NS}svg"
        with Image.open(png_path) as im:
            assert im.format == "PNG"
            assert im.width > 500
            assert im.height > 300
            assert len(np.unique(np.asarray(im.convert("RGB")).reshape(-1, 3), axis=0)) > 10
    network = paths["network_contracting"][0].read_text(encoding="utf-8")
    text_elements = ET.parse(paths["network_contracting"][0]).getroot().iter(f"{SVG_NS}text")
    assert any("M社工机构" in (t.text or "") for t in text_elements)
    assert "Noto Sans CJK SC" in network


def test_png_labels_fall_back_to_ascii_without_a_cjk_font(
    rich_analysis: Analysis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figures_module, "cjk_font", lambda: None)
    seen: list[bool] = []
    original = figures_module.network_figure

    def spy(
        analysis: Analysis, stage: Stage | str, *, cjk: bool | None = None, lang: str | None = None
    ) -> Figure:
        seen.append(bool(cjk))
        return original(analysis, stage, cjk=cjk, lang=lang)

    monkeypatch.setattr(figures_module, "network_figure", spy)
    save_figures(rich_analysis, tmp_path)
    # SVG (text, drawn by the browser) in Chinese; PNG in ASCII
    assert seen == [True, False] * 3
    assert "M社工机构" in (tmp_path / "network_closing.svg").read_text(encoding="utf-8")


def test_cjk_font_is_a_name_or_none() -> None:
    name = cjk_font()
    assert name is None or "CJK" in name or name in figures_module.CJK_FONT_FAMILIES


def test_inline_svg_prefixes_ids_and_drops_namespaces(tiny_analysis: Analysis) -> None:
    fig = membership_figure(tiny_analysis, cjk=True)
    a, b = svg_text(fig, prefix="one"), svg_text(fig, prefix="two")
    ids_a = set(re.findall(r'\bid="([^"]+)"', a))
    ids_b = set(re.findall(r'\bid="([^"]+)"', b))
    assert ids_a
    assert not ids_a & ids_b
    assert all(i.startswith("one-") for i in ids_a)
    for ref in re.findall(r"url\(#([^)]+)\)", a) + re.findall(r'href="#([^"]+)"', a):
        assert ref in ids_a
    assert "http" not in a
    assert "<?xml" not in a
    assert "<metadata" not in a
    doc = '<svg width="1pt" height="1pt" viewBox="0 0 1 1"><use xlink:href="#x"/></svg>'
    assert inline_svg(doc, prefix="p").endswith('<use href="#p-x"/></svg>')


def test_crowded_networks_drop_detail_not_legibility(rich_analysis: Analysis) -> None:
    gov = [Actor(id=f"nc{i}", kind=ActorKind.NEIGHBORHOOD_COMMITTEE) for i in range(12)]
    agencies = [Actor(id=f"ag{i}", kind=ActorKind.SOCIAL_WORK_AGENCY) for i in range(2)]

    def figure_with(n_edges: int) -> Figure:
        g = nx.DiGraph()
        pairs = [(a.id, c.id) for a in agencies for c in gov] + [
            (c.id, a.id) for a in agencies for c in gov
        ]
        for dep, prov in pairs[:n_edges]:
            g.add_edge(dep, prov, d=0.5, d_economic=0.4, d_professional=0.2)
        case = dataclasses.replace(rich_analysis.case, actors=(*gov, *agencies))
        crowded = dataclasses.replace(rich_analysis, case=case, networks={Stage.CLOSING: g})
        return network_figure(crowded, Stage.CLOSING, cjk=False)

    def labels(fig: Figure) -> list[str]:
        return [t for t in texts(fig) if t.startswith("0.50")]

    few = labels(figure_with(10))
    assert len(few) == 10
    assert all("E .40" in t for t in few)
    some = labels(figure_with(30))
    assert some == ["0.50"] * 30
    assert labels(figure_with(48)) == []
    arrows = [p for p in figure_with(48).axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 48


def test_names_are_text_not_markup(rich_analysis: Analysis, tmp_path: Path) -> None:
    # "$" would start matplotlib mathtext, "<" and "&" XML markup
    paths = save_figures(rich_analysis, tmp_path)
    root = ET.parse(paths["network_closing"][0]).getroot()
    assert "居民 $1$ & <2>" in [t.text for t in root.iter(f"{SVG_NS}text")]


# --- fit for print: every drawn text on the canvas, none over another ---------------------


@pytest.fixture(scope="module")
def founding_analysis() -> Analysis:
    return analyze(load_case(founding_case_path()), draws=200)


@pytest.fixture(scope="module")
def crowded_analysis(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    return analyze(
        load_case(write_crowded_case(tmp_path_factory.mktemp("crowded") / "c")), draws=200
    )


def all_figures(analysis: Analysis, cjk: bool, lang: str | None = None) -> dict[str, Figure]:
    figs = {f"network_{s.value}": network_figure(analysis, s, cjk=cjk, lang=lang) for s in Stage}
    figs["stage_networks"] = stage_networks_figure(analysis, cjk=cjk, lang=lang)
    figs["pa_trajectory"] = pa_trajectory_figure(analysis, cjk=cjk, lang=lang)
    figs["memberships"] = membership_figure(analysis, cjk=cjk, lang=lang)
    return figs


# the report draws its figures in its own language (zh or en); None: English with Chinese
@pytest.mark.parametrize(("cjk", "lang"), [(True, None), (True, "zh"), (True, "en"), (False, None)])
@pytest.mark.parametrize("case", ["founding_analysis", "crowded_analysis", "rich_analysis"])
def test_no_text_is_clipped_or_drawn_over_other_text(
    case: str, cjk: bool, lang: str | None, request: pytest.FixtureRequest
) -> None:
    if cjk and cjk_font() is None:
        pytest.skip(
            "no CJK font installed: Chinese text cannot be measured (apt install fonts-noto-cjk)"
        )
    analysis = request.getfixturevalue(case)
    problems = {
        name: layout_problems(fig) for name, fig in all_figures(analysis, cjk, lang).items()
    }
    assert {k: v for k, v in problems.items() if v} == {}


def test_layout_check_sees_a_clipped_legend_and_overlapping_labels() -> None:
    # the checker itself: a legend pushed off the canvas and two labels on one spot
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label="agency_sunshine – district_civil_affairs_bureau_services")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.text(0.5, 0.5, "interdependent")
    ax.text(0.5, 0.5, "weak")
    problems = layout_problems(fig)
    assert any(p.startswith("outside the figure") for p in problems)
    assert any(p == "overlap: 'interdependent' and 'weak'" for p in problems)


def test_state_labels_of_dyads_on_one_spot_move_apart(crowded_analysis: Analysis) -> None:
    fig = pa_trajectory_figure(crowded_analysis, cjk=False)
    # three dyads with equal PA: nine state labels, all drawn, at three different heights per stage
    anns = [t for t in fig.axes[0].texts if t.get_text() == "interdependent"]
    assert len(anns) == 9
    assert all(t.get_visible() for t in anns)
    assert len({tuple(t.xyann) for t in anns}) == 3


def test_stage_networks_figure_has_three_panels_with_every_arrow(
    crowded_analysis: Analysis,
) -> None:
    fig = stage_networks_figure(crowded_analysis, cjk=True)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "立项 contracting", "执行 implementation", "结项 closing",
    ]  # fmt: skip
    for ax, stage in zip(fig.axes, Stage, strict=True):
        arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
        assert len(arrows) == crowded_analysis.networks[stage].number_of_edges()
        # nodes carry short labels, spelled out in the legend
        assert {t.get_text() for t in ax.texts} >= {"G1", "G2", "A1", "A2", "O1"}
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert "G1  江东区民政局社会组织服务管理科" in legend
    assert "A2  江东区同心社会工作事务所" in legend


def test_png_files_are_print_resolution(founding_analysis: Analysis, tmp_path: Path) -> None:
    paths = save_figures(founding_analysis, tmp_path)
    assert "stage_networks" in paths
    for _, png in paths.values():
        with Image.open(png) as im:
            dpi = im.info["dpi"]
            assert round(dpi[0]) >= 300
            assert round(dpi[1]) >= 300


def test_a_stale_font_cache_does_not_hide_an_installed_cjk_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = [
        f
        for f in font_manager.findSystemFonts()
        if figures_module._CJK_FILE.search(Path(f).name.replace("-", "").replace("_", ""))
    ]
    if not files:
        pytest.skip("no CJK font file installed here (apt install fonts-noto-cjk)")
    # matplotlib's cached list as it was before the font was installed
    stale = [f for f in font_manager.fontManager.ttflist if f.fname not in files]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    monkeypatch.setattr(figures_module, "_scanned_files", False)
    assert figures_module._pick_cjk({f.name for f in stale}) is None
    name = cjk_font()
    assert name is not None
    assert "CJK" in name or name in figures_module.CJK_FONT_FAMILIES


def test_no_cjk_font_is_said_with_how_to_install_one(
    founding_analysis: Analysis,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(figures_module, "cjk_font", lambda: None)
    message = cjk_font_warning()
    assert message is not None
    assert "apt install fonts-noto-cjk" in message
    assert "Microsoft YaHei" in message
    write_outputs(founding_analysis, tmp_path / "out", report=False)
    record = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert record["warnings"] == [message]
    assert f"resdep: warning: {message}" in capsys.readouterr().err


def test_no_warning_with_a_cjk_font(
    founding_analysis: Analysis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figures_module, "cjk_font", lambda: "Noto Sans CJK SC")
    assert cjk_font_warning() is None
    write_outputs(founding_analysis, tmp_path / "out", report=False)
    record = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert record["warnings"] == []
