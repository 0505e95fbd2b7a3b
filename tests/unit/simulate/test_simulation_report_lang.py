"""The simulation report in Chinese and English: words, definitions, figures, files."""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from PIL import Image

from resdep.cli import main
from resdep.errors import ScenarioError
from resdep.simulate import simulate, write_simulation
from resdep.simulate.model import OUTCOME_COLUMNS
from resdep.simulate.odd import ODD_PATH, odd_html
from resdep.simulate.output import render_report, report_figures
from resdep.simulate.params import PARAMETERS
from resdep.simulate.seeds import simulate_seeds
from resdep.simulate.text import PARAM_NAMES, outcome_name, param_name, report_lang, ui

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from figure_layout import drawn_texts, layout_problems

REPO = Path(__file__).resolve().parents[3]
CJK = re.compile(r"[\u4e00-\u9fff]")


class _Headings(HTMLParser):
    """Text of every heading, table header, caption, definition term and link of the page."""

    TAGS = frozenset({"h1", "h2", "h3", "th", "figcaption", "dt", "title", "nav"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.small = 0
        self.code = 0
        self.svg = 0
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.svg += 1
        elif tag == "small":
            self.small += 1
        elif tag == "code":
            self.code += 1
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg -= 1
        elif tag == "small":
            self.small -= 1
        elif tag == "code":
            self.code -= 1
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.svg or self.small or self.code or not data.strip():
            return
        inside = [t for t in self.stack if t in self.TAGS]
        if inside:
            self.texts.append((inside[-1], data.strip()))


def _headings(page: str) -> list[tuple[str, str]]:
    parser = _Headings()
    parser.feed(page)
    return parser.texts


@pytest.fixture(scope="module")
def seeds_run() -> object:
    return simulate_seeds("baseline", scale="case", years=6, seeds=3, seed=2, workers=1)


def test_language_from_the_flag_or_the_locale() -> None:
    assert report_lang("zh") == "zh"
    assert report_lang(" EN ") == "en"
    assert report_lang(None, {"LANG": "zh_CN.UTF-8"}) == "zh"
    assert report_lang(None, {"LANG": "zh_TW.UTF-8", "LC_ALL": "en_US.UTF-8"}) == "en"
    assert report_lang(None, {"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}) == "zh"
    assert report_lang(None, {"LC_ALL": "", "LANG": "zh_SG"}) == "zh"  # empty: not set
    assert report_lang(None, {}) == "en"
    with pytest.raises(ScenarioError, match="--lang"):
        report_lang("fr")


def test_every_outcome_and_parameter_has_a_readable_name_in_both_languages() -> None:
    for col in OUTCOME_COLUMNS:
        # a Chinese name shows the column is known; its English name has no underscore
        assert "_" not in outcome_name(col, "en").replace("D_", "").replace("θ_", ""), col
        assert CJK.search(outcome_name(col, "zh")), col
        assert not CJK.search(outcome_name(col, "en")), col
    missing = sorted(set(PARAMETERS) - set(PARAM_NAMES))
    assert missing == [], f"parameters without a readable name in simulate/text.py: {missing}"
    for name in PARAMETERS:
        assert CJK.search(param_name(name, "zh")), name


def test_chinese_page_has_chinese_headings_and_no_english_one(seeds_run: object) -> None:
    zh = render_report(seeds_run, lang="zh", files=True)  # type: ignore[arg-type]
    en = render_report(seeds_run, lang="en", files=True)  # type: ignore[arg-type]
    assert '<html lang="zh-CN">' in zh
    zh_texts, en_texts = _headings(zh), _headings(en)
    assert len(zh_texts) == len(en_texts) > 40
    for tag, text in zh_texts:
        # symbols (PA, MDmin, D_ag, θ...) are allowed; English words are not
        words = re.findall(r"[A-Za-z]{3,}", text)
        allowed = {"MDmin", "resdep", "baseline", "ODD", "HHI", "svg", "png", "html", "dpi"}
        assert CJK.search(text) or set(words) <= allowed, (tag, text)
        assert set(words) <= allowed | {"PNG", "SVG"}, (tag, text)
    english = {t for _, t in en_texts}
    for heading in ("Definitions", "Parameters", "Key results by stage", "Outcomes over time"):
        assert heading in english
        assert heading not in zh
    for tag, text in en_texts:
        assert not CJK.search(text), (tag, text)
    # the scale preset by its Chinese name, its --scale value beside it
    assert "规模 个案（case）" in zh
    assert "Scale case:" in en


def test_the_report_defines_every_outcome(seeds_run: object) -> None:
    for lang, terms in (
        ("en", ("welfare ratio", "HHI", "autonomy", "formalisation", "stage states", "PA",
                "partnership, buddy and transactional shares", "seed bands")),
        ("zh", ("福利比", "HHI", "自主性", "行政化程度", "阶段状态", "PA", "伙伴", "种子区间")),
    ):  # fmt: skip
        page = render_report(seeds_run, lang=lang)  # type: ignore[arg-type]
        dl = page[page.index("<dl>") : page.index("</dl>")]
        defined = re.findall(r"<dt>([^<]*)</dt><dd>([^<]{15,})</dd>", dl)
        for term in terms:
            assert any(term in t for t, _ in defined), (lang, term)
        assert "section 3" not in page
        assert "design §" not in page


def test_seed_bands_in_the_key_table_computed_by_hand(seeds_run: object) -> None:
    page = render_report(seeds_run, lang="en")  # type: ignore[arg-type]
    long = seeds_run.by_seed  # type: ignore[attr-defined]
    # the last half of 6 years: years 4, 5, 6; per seed the mean, then 5% and 95% over seeds
    per_seed = [long[(long.seed == s) & (long.year >= 4)]["pa_closing"].mean() for s in (2, 3, 4)]
    mean = sum(per_seed) / 3
    lo, hi = np.percentile(per_seed, [5, 95])
    row = re.search(r"<tr><td>closing</td>(.*?)</tr>", page)
    assert row is not None
    first_cell = re.search(r"<td>(.*?)</td>", row.group(1))
    assert first_cell is not None
    assert first_cell.group(1) == f"{mean:+.3f} <span class=band>[{lo:+.3f}, {hi:+.3f}]</span>"


def test_scale_counts_are_the_numbers_used_not_zero() -> None:
    res = simulate(scale="case", years=2, seed=1)
    page = render_report(res, lang="en")
    assert res.scale.districts == 1
    assert "1 districts" in page
    row = re.search(r"<code>n_districts</code></small></td><td>([^<]*)</td>", page)
    assert row is not None
    assert row.group(1) == "1 (the scale&#x27;s number)"
    other = simulate(scale="case", years=2, seed=1, overrides={"n_committees": 12})
    row = re.search(r"<code>n_committees</code></small></td><td>([^<]*)</td>", render_report(other))
    assert row is not None
    assert row.group(1) == "12"


def _legends_over_charts(fig: Figure) -> list[str]:
    """Legends whose drawn box overlaps the drawing area of any axes of the figure."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    found = []
    for i, ax in enumerate(fig.axes):
        leg = ax.get_legend()
        if leg is None:
            continue
        box = leg.get_window_extent(renderer)
        for j, other in enumerate(fig.axes):
            inter = Bbox.intersection(box, other.get_window_extent(renderer))
            if inter is not None and inter.width > 0.5 and inter.height > 0.5:
                found.append(f"legend of axes {i} over axes {j}")
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_legend_over_a_chart_and_no_clipped_or_overlapping_text(
    seeds_run: object, lang: str
) -> None:
    figs = report_figures(seeds_run, lang)  # type: ignore[arg-type]
    assert set(figs) == {"outcomes", "stage_pa", "stage_dependence", "stage_states", "pa_quantiles"}
    for name, fig in figs.items():
        assert any(ax.get_legend() is not None for ax in fig.axes), name
        assert _legends_over_charts(fig) == [], (name, lang)
        assert layout_problems(fig) == [], (name, lang)


def test_the_layout_check_sees_a_legend_over_the_chart(seeds_run: object) -> None:
    fig = report_figures(seeds_run, "en")["stage_dependence"]  # type: ignore[arg-type]
    fig.axes[0].legend(loc="center")  # over the chart, as the old report drew its legends
    assert _legends_over_charts(fig) == ["legend of axes 0 over axes 0"]


def test_chinese_figures_have_no_english_words(seeds_run: object) -> None:
    figs = report_figures(seeds_run, "zh")  # type: ignore[arg-type]
    allowed = {"PA", "MDmin", "HHI"}
    for name, fig in figs.items():
        texts = [b.text for b in drawn_texts(fig)]
        assert any(CJK.search(t) for t in texts), name
        for t in texts:
            assert set(re.findall(r"[A-Za-z]{2,}", t)) <= allowed, (name, t)


def test_written_folder_has_figures_at_300_dpi_odd_and_links(
    seeds_run: object, tmp_path: Path
) -> None:
    out = write_simulation(seeds_run, tmp_path / "zh", lang="zh")  # type: ignore[arg-type]
    page = (out / "report.html").read_text(encoding="utf-8")
    for name in ("outcomes", "stage_pa", "stage_dependence", "stage_states", "pa_quantiles"):
        svg = out / "figures" / f"{name}.svg"
        png = out / "figures" / f"{name}.png"
        assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
        with Image.open(png) as im:
            dpi = im.info["dpi"]
        assert dpi == pytest.approx((300, 300), abs=0.5)
        assert f'href="figures/{name}.svg"' in page
        assert f'href="figures/{name}.png"' in page
    assert (out / "ODD.md").read_text(encoding="utf-8") == ODD_PATH.read_text(encoding="utf-8")
    assert 'href="ODD.zh.html"' in page  # a zh report links the Chinese ODD (test_odd_zh.py)
    for name in ("ODD.html", "ODD.zh.html"):
        assert "<h1>" in (out / name).read_text(encoding="utf-8")
    assert "http" not in page.split("<svg")[0]  # nothing before the figures points online
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["report"]["lang"] == "zh"
    assert "figures/outcomes.png" in meta["report"]["figures"]


def test_packaged_odd_is_the_docs_odd() -> None:
    docs = (REPO / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert ODD_PATH.read_text(encoding="utf-8") == docs, (
        "docs/ODD.md changed: copy it to the package, cp docs/ODD.md src/resdep/data/docs/ODD.md"
    )


def test_odd_html_renders_headings_tables_and_escapes() -> None:
    page = odd_html("# T\n\nText with `code` and <b>.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<h1>T</h1>" in page
    assert "<code>code</code>" in page
    assert "&lt;b&gt;" in page
    assert "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>" in page


def test_without_a_chinese_font_pngs_are_english_and_it_is_said(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import resdep.report.figures as rf
    import resdep.simulate.output as so

    monkeypatch.setattr(rf, "cjk_font", lambda: None)
    # drawn in this process, so the spy below sees the calls (a forked child's are not seen)
    monkeypatch.setattr(so, "FIGURES_IN_CHILD", False)
    drawn: list[tuple[str, bool]] = []
    original = so.report_figures

    def spy(run: object, lang: str = "en", *, cjk: bool = True, names: object = None) -> object:
        drawn.append((lang, cjk))
        return original(run, lang, cjk=cjk, names=names)  # type: ignore[arg-type]

    monkeypatch.setattr(so, "report_figures", spy)
    res = simulate(scale="case", years=3, seed=1)
    out = write_simulation(res, tmp_path / "nofont", lang="zh")
    # the SVGs and the page in Chinese (kept as text), the PNGs drawn in English
    assert drawn == [("zh", False), ("en", True)]
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert any("fonts-noto-cjk" in w for w in meta["warnings"])
    svg = (out / "figures" / "outcomes.svg").read_text(encoding="utf-8")
    assert "居民与任务" in svg
    drawn.clear()
    monkeypatch.setattr(rf, "cjk_font", lambda: "Noto Sans CJK JP")
    again = write_simulation(res, tmp_path / "font", lang="zh")
    assert drawn == [("zh", True)]
    assert json.loads((again / "run.json").read_text(encoding="utf-8"))["warnings"] == []


def test_simulate_command_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "zh"
    assert main(["simulate", "--years", "3", "--lang", "zh", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert ui("wrote", "zh", path=out) in printed
    assert "结项阶段 PA" in printed
    assert "pa_closing" in printed  # the raw name beside it
    assert "<h1>仿真报告：baseline</h1>" in (out / "report.html").read_text(encoding="utf-8")
    csv = pd.read_csv(out / "outcomes.csv", encoding="utf-8-sig")
    assert list(csv.columns)[:2] == ["year", "pa_contracting"]  # file columns stay raw names


def test_simulate_command_language_from_the_locale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["simulate", "--years", "2"]) == 0
    assert "结项阶段 PA" in capsys.readouterr().out


def test_bad_language_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--lang", "fr"])
    assert exc.value.code == 2
    assert "--lang" in capsys.readouterr().err
