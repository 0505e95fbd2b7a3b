"""One language per report: no English prose in the Chinese page, no Chinese in the English one.

Every text node of the page (figures' SVG text included; script, style and ``<code>``
left out) is cleared of the case's own text (ids, names, quotes, notes, titles: data,
not prose), of numbers and of a small allow-list of symbols (D_ag, PA, μ, θ_PI, …) and
proper names (Beta, Ragin, Krippendorff, …). What is left must be Chinese in the
Chinese report and English in the English one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from resdep import Analysis
from resdep.lang import case_language, resolve_lang
from resdep.report import render_report

SKIP = {"script", "style", "code"}
VOID = {"br", "meta", "link", "input", "img", "hr", "wbr"}
# symbols of the measures and proper names: the same in both languages
SYMBOLS = {
    "D", "D_ag", "D_ga", "MD", "PA", "PI", "MDmin", "RI", "GP", "IA", "dep", "I", "S", "X",
    "N", "wI", "wN", "wX", "v", "w", "P", "n", "T", "r", "s", "i", "j", "m0", "min", "max",
    "noisy-OR", "Beta", "Ragin", "Najam", "C", "Gidron", "Kramer", "Salamon", "Krippendorff",
    "resdep", "svg", "png", "PNG", "SVG", "md", "docx", "xlsx", "Unicode", "θ_D", "θ_PI",
    "μ_RI", "μ_GP", "μ_IA", "μ_dep", "μ", "α0", "and", "or", "e", "sha",
}  # fmt: skip
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


class Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            if self.stack.pop() == tag:
                break

    def handle_data(self, data: str) -> None:
        if not SKIP.intersection(self.stack) and data.strip():
            self.texts.append(data)


def case_data(analysis: Analysis) -> list[str]:
    """The case's own text, longest first (so that a name inside a quote goes with it)."""
    c = analysis.case
    out = [c.id, c.title or "", c.title_zh or "", c.description or ""]
    for a in c.actors:
        out += [a.id, a.name or "", a.name_zh or ""]
    for i in c.informants:
        out += [i.id, i.role or "", i.organisation or ""]
    for s in c.sources:
        out.append(s.id)
    ev = analysis.evidence
    for col in ("quote", "note"):
        out += [str(x) for x in ev[col]]
    # the sentence around each quote is source text too
    for s in c.sources:
        out += [part for part in re.split(r"(?<=[。！？.!?])", s.text) if part.strip()]
    return sorted({x for x in out if x.strip()}, key=len, reverse=True)


def leftover(page: str, analysis: Analysis) -> list[str]:
    parser = Texts()
    parser.feed(page)
    data = case_data(analysis)
    out = []
    for text in parser.texts:
        for d in data:
            text = text.replace(d, " ")
        if text.strip():
            out.append(text)
    return out


def latin_words(text: str) -> list[str]:
    words = re.findall(r"[A-Za-zθμ][A-Za-z0-9_\-θμ]*", text)
    return [w for w in words if w.strip("-") not in SYMBOLS]


@pytest.fixture(scope="module")
def pages(rich_analysis: Analysis) -> dict[str, str]:
    return {lang: render_report(rich_analysis, lang=lang) for lang in ("zh", "en")}


def test_chinese_report_has_no_english_prose(
    rich_analysis: Analysis, pages: dict[str, str]
) -> None:
    left = leftover(pages["zh"], rich_analysis)
    english = [(t, latin_words(t)) for t in left if latin_words(t)]
    assert english == []
    assert sum(len(CJK.findall(t)) for t in left) > 1000  # and it is Chinese


def test_english_report_has_no_chinese_prose(
    rich_analysis: Analysis, pages: dict[str, str]
) -> None:
    left = leftover(pages["en"], rich_analysis)
    chinese = [t for t in left if CJK.search(t)]
    assert chinese == []
    assert sum(len(latin_words(t)) for t in left) > 500


def test_the_check_can_fail(rich_analysis: Analysis, pages: dict[str, str]) -> None:
    # one English sentence slipped into the Chinese page is found, and one Chinese word in the English one
    zh = pages["zh"].replace("</main>", "<p>the dependence was strong</p></main>")
    assert any(latin_words(t) for t in leftover(zh, rich_analysis))
    en = pages["en"].replace("</main>", "<p>依赖很强</p></main>")
    assert any(CJK.search(t) for t in leftover(en, rich_analysis))


def test_page_language_attribute(pages: dict[str, str]) -> None:
    assert '<html lang="zh-CN">' in pages["zh"]
    assert '<html lang="en">' in pages["en"]


def test_default_language_follows_the_case(rich_analysis: Analysis, rich_case_dir: Path) -> None:
    # every source of the rich case says language = "zh"
    assert case_language(rich_analysis.case) == "zh"
    assert resolve_lang(None, case_language(rich_analysis.case)) == "zh"
    assert resolve_lang("en", "zh") == "en"
    assert (
        resolve_lang(None, None, {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_TW.UTF-8"}) == "zh"
    )
    assert resolve_lang(None, None, {"LANG": "de_DE.UTF-8"}) == "en"
