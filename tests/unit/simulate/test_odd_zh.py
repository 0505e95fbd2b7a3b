"""The Chinese ODD description: packaged copy, structure equal to the English, translated
prose, the report's parameter names, and the files written beside every report."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from resdep.cli import main
from resdep.simulate.odd import ODD_PATH, ODD_ZH_PATH, odd_html, odd_markdown
from resdep.simulate.text import PARAM_NAMES

REPO = Path(__file__).resolve().parents[3]
DOCS_EN = REPO / "docs" / "ODD.md"
DOCS_ZH = REPO / "docs" / "ODD.zh.md"

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
TICKS = re.compile(r"`([^`\n]+)`")
MATH = re.compile(r"\$[^$\n]+\$")
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")
BULLET = re.compile(r"^\s*([-*]|\d+\.)\s+")

#: Least share of CJK among the letters (CJK + Latin) of each section's prose, with code
#: spans and blocks removed. The translation's sections measure 0.63 to 0.96 (the
#: opening and section 5, dense with formulas, are the lowest); the English measures 0
#: everywhere, so an untranslated section falls far below.
CJK_FLOOR = 0.45


@dataclass(frozen=True)
class Structure:
    """What a translation must keep of its original."""

    headings: tuple[tuple[int, str], ...]  # level and section number ("" when none)
    tables: tuple[tuple[int, ...], ...]  # per table, the number of cells of each row
    bullets: tuple[int, ...]  # list items per section
    ticks: Counter[str]  # backticked spans in the prose
    math: Counter[str]  # $...$ spans
    code: tuple[str, ...]  # indented code blocks, verbatim
    prose: tuple[tuple[str, str], ...]  # per section: heading, prose without code


def _cells(line: str) -> int:
    return len(re.split(r"(?<!\\)\|", line.strip().strip("|")))


def parse(text: str) -> Structure:
    """The structure of an ODD Markdown file (the subset the ODD uses)."""
    headings: list[tuple[int, str]] = []
    tables: list[tuple[int, ...]] = []
    bullets: list[int] = [0]
    ticks: Counter[str] = Counter()
    math: Counter[str] = Counter()
    code: list[str] = []
    prose: list[tuple[str, list[str]]] = [("", [])]
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("    ") and (i == 0 or not lines[i - 1].strip()):
            block = []
            while i < len(lines) and lines[i].startswith("    "):
                block.append(lines[i])
                i += 1
            code.append("\n".join(block))
            continue
        if m := HEADING.match(line):
            number = NUMBER.match(m.group(2))
            headings.append((len(m.group(1)), number.group(1) if number else ""))
            bullets.append(0)
            prose.append((line, []))
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_cells(lines[i]))
                ticks.update(TICKS.findall(lines[i]))
                math.update(MATH.findall(lines[i]))
                prose[-1][1].append(lines[i])
                i += 1
            tables.append(tuple(rows))
            continue
        else:
            if BULLET.match(line):
                bullets[-1] += 1
            ticks.update(TICKS.findall(line))
            math.update(MATH.findall(line))
            prose[-1][1].append(line)
        i += 1
    return Structure(
        headings=tuple(headings),
        tables=tuple(tables),
        bullets=tuple(bullets),
        ticks=ticks,
        math=math,
        code=tuple(code),
        prose=tuple((h, TICKS.sub(" ", "\n".join(p))) for h, p in prose if h),
    )


def differences(original: str, translation: str) -> list[str]:
    """Where ``translation`` does not keep the structure of ``original`` (empty: it does)."""
    a, b = parse(original), parse(translation)
    out = []
    if a.headings != b.headings:
        out.append(f"heading levels/numbers differ: {a.headings} vs {b.headings}")
    if a.tables != b.tables:
        out.append(f"tables differ (cells per row): {a.tables} vs {b.tables}")
    if a.bullets != b.bullets:
        out.append(f"list items per section differ: {a.bullets} vs {b.bullets}")
    if a.ticks != b.ticks:
        out.append(
            f"backticked spans differ: only English {a.ticks - b.ticks}, "
            f"only Chinese {b.ticks - a.ticks}"
        )
    if a.math != b.math:
        out.append(f"$...$ spans differ: {a.math} vs {b.math}")
    if a.code != b.code:
        out.append("code blocks differ")
    return out


def cjk_share(text: str) -> float:
    """CJK characters among the letters (CJK + Latin) of ``text``."""
    cjk, latin = len(CJK.findall(text)), len(LATIN.findall(text))
    return cjk / (cjk + latin) if cjk + latin else 1.0


def test_packaged_zh_odd_is_the_docs_zh_odd() -> None:
    assert ODD_ZH_PATH.read_text(encoding="utf-8") == DOCS_ZH.read_text(encoding="utf-8"), (
        "docs/ODD.zh.md changed: cp docs/ODD.zh.md src/resdep/data/docs/ODD.zh.md"
    )
    assert odd_markdown("zh") == DOCS_ZH.read_text(encoding="utf-8")
    assert odd_markdown() == odd_markdown("en") == ODD_PATH.read_text(encoding="utf-8")


def test_zh_odd_keeps_the_english_structure() -> None:
    en = DOCS_EN.read_text(encoding="utf-8")
    zh = DOCS_ZH.read_text(encoding="utf-8")
    assert differences(en, zh) == []
    # the parser sees what is there (a structure check over nothing would pass anything)
    s = parse(en)
    assert len(s.headings) >= 15
    assert len(s.tables) == 4
    assert len(s.code) == 3
    assert s.ticks["reserve_target"] >= 3
    assert s.ticks["theta_street"] == 0


def test_structure_check_catches_an_untranslated_addition() -> None:
    en = DOCS_EN.read_text(encoding="utf-8")
    zh = DOCS_ZH.read_text(encoding="utf-8")
    added = "\n## 8. New section\n\nA `new_rule` sets x.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    found = differences(en + added, zh)
    assert any("heading" in d for d in found)
    assert any("tables" in d for d in found)
    assert any("new_rule" in d for d in found)
    # a changed formula or a dropped table row is caught too
    assert differences(en, zh.replace("(1 − r_a), 0, 0.95)", "(1 − r_a), 0, 0.9)")) == [
        "code blocks differ"
    ]
    row = "| P7 |"
    dropped = "\n".join(line for line in zh.splitlines() if not line.startswith(row))
    assert any("tables" in d for d in differences(en, dropped))


def test_every_zh_section_is_translated() -> None:
    zh = parse(DOCS_ZH.read_text(encoding="utf-8"))
    en = parse(DOCS_EN.read_text(encoding="utf-8"))
    shares = {heading: cjk_share(heading + "\n" + text) for heading, text in zh.prose}
    low = {h: round(s, 2) for h, s in shares.items() if s < CJK_FLOOR}
    assert not low, f"sections with too little Chinese (floor {CJK_FLOOR}): {low}"
    # the floor separates: every English section is far below it
    assert max(cjk_share(h + "\n" + t) for h, t in en.prose) < 0.05


def test_zh_odd_names_parameters_as_the_zh_report_does() -> None:
    zh = DOCS_ZH.read_text(encoding="utf-8")
    prose = "\n".join(line for line in zh.splitlines() if not line.startswith("    "))
    used = {t for t in TICKS.findall(zh) if t in PARAM_NAMES}
    assert len(used) >= 40
    problems = []
    for raw in sorted(used):
        name = PARAM_NAMES[raw][1]
        if name not in zh:
            problems.append(f"{raw}: the report's name {name!r} is not in the ODD")
        # "名称（`raw`）" anywhere: the name before it is the report's
        for m in re.finditer(rf"（`{re.escape(raw)}`）", prose):
            if not prose[: m.start()].endswith(name):
                problems.append(f"{raw}: {prose[m.start() - 20 : m.end()]!r} is not {name!r}")
        # "`raw`（名称）": a Chinese gloss after it is the report's name
        for m in re.finditer(rf"`{re.escape(raw)}`（([^（）]*)）", prose):
            if CJK.search(m.group(1)) and m.group(1) != name:
                problems.append(f"{raw}: {m.group(0)!r} is not {name!r}")
        beside = f"{name}（`{raw}`）" in prose or f"`{raw}`（{name}）" in prose
        if f"`{raw}`" in prose and not beside:
            problems.append(f"{raw}: never named {name!r} beside its identifier")
    assert not problems, "\n".join(problems)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag in {"h1", "h2", "h3"}:
            self._in = tag
            self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.headings[-1] += data


def _page(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _odd_links(report: Path) -> set[str]:
    page = report.read_text(encoding="utf-8")
    return set(re.findall(r'href="(ODD[^"]*)"', page))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_simulate_writes_both_odds_and_links_its_language(lang: str, tmp_path: Path) -> None:
    out = tmp_path / lang
    args = ["simulate", "--scale", "case", "--years", "2", "--lang", lang, "--out", str(out)]
    assert main(args) == 0
    files = ["ODD.md", "ODD.html", "ODD.zh.md", "ODD.zh.html"]
    assert all((out / f).is_file() for f in files)
    assert (out / "ODD.md").read_text(encoding="utf-8") == odd_markdown("en")
    assert (out / "ODD.zh.md").read_text(encoding="utf-8") == odd_markdown("zh")
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert sorted(meta["report"]["odd"]) == sorted(files)
    stem = "ODD.zh" if lang == "zh" else "ODD"
    assert _odd_links(out / "report.html") == {f"{stem}.html", f"{stem}.md"}
    zh_page, en_page = _page(out / "ODD.zh.html"), _page(out / "ODD.html")
    assert zh_page.lang == "zh-CN"
    assert en_page.lang == "en"
    zh_headings = [h for h, _ in parse(odd_markdown("zh")).prose]
    assert len(zh_page.headings) == len(zh_headings) == len(en_page.headings)
    assert zh_page.headings[0] == "购买体系模型：ODD 描述"
    assert "7.7 由状态与规则得出的依赖输入（每个活跃二元组、每个阶段）" in zh_page.headings
    assert en_page.headings[0] == "The purchase-system model: ODD description"


def test_odd_functions_keep_their_old_calls_and_reject_unknown_languages() -> None:
    assert odd_html().startswith('<!DOCTYPE html>\n<html lang="en">')
    assert odd_html("# x", title="t") == odd_html("# x", title="t", lang="en")
    assert '<html lang="zh-CN">' in odd_html("# x", lang="zh")
    with pytest.raises(ValueError, match="fr"):
        odd_markdown("fr")
    with pytest.raises(ValueError, match="fr"):
        odd_html(lang="fr")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_odd_page_keeps_escaped_pipes_inside_cells(lang: str) -> None:
    page = odd_html(lang=lang)
    row = re.search(r"<tr><td>P1</td>(.*?)</tr>", page)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    assert len(cells) == 2  # pattern and measure, as in the Markdown row
    assert "|PA| ≤ θ_PI" in cells[1]


def test_zh_odd_page_joins_broken_lines_without_spaces() -> None:
    zh = odd_markdown("zh")
    page = odd_html(lang="zh")
    # "完成任务不出\n问题" in the Markdown is one word on the page
    assert "完成任务不出\n问题" in zh
    assert "“完成任务不出问题”" in page
    # a line break between CJK and a Latin word stays a space
    assert "描述\nresdep" in zh
    assert "描述 resdep" in page
