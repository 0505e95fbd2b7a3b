"""Cases for the report tests: the tiny fixture and a richer one written here.

The rich case has Chinese names and quotes, every record kind, second-hand and
self-serving statements, a document without informant, and text that must be escaped
(``<script>``, ampersands, quotes).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from resdep import Analysis, analyze, load_case

REPO = Path(__file__).resolve().parents[3]
TINY = REPO / "tests" / "fixtures" / "tiny_case"

CASE_TOML = """\
[case]
id = "report_rich"
title = "Report test case <with> & markup"
title_zh = "报告测试案例：街道与社工机构"
synthetic = true
description = "Invented for the report tests."

[[actor]]
id = "bureau"
kind = "civil_affairs_bureau"
name = "District Bureau"
name_zh = "区民政局"

[[actor]]
id = "street"
kind = "street_office"
name = "Street Office"
name_zh = "街道自治办"

[[actor]]
id = "agency"
kind = "social_work_agency"
name = "Agency M"
name_zh = "M社工机构"

[[actor]]
id = "residents"
kind = "residents"
name_zh = "居民 $1$ & <2>"

[[informant]]
id = "I01"
organisation = "agency"
role = "机构主任"

[[informant]]
id = "I02"
organisation = "street"
role = "自治办科长"

[[informant]]
id = "I03"
organisation = "bureau"
role = "民政局科员"

[[source]]
id = "S01"
path = "sources/S01.txt"
informant = "I01"
kind = "interview"
language = "zh"

[[source]]
id = "S02"
path = "sources/S02.txt"
informant = "I02"
kind = "interview"
language = "zh"

[[source]]
id = "S03"
path = "sources/S03.txt"
informant = "I03"
kind = "interview"
language = "zh"

[[source]]
id = "D01"
path = "sources/D01.txt"
kind = "document"
language = "zh"
"""

# (source, quote, kind, stage, dependent, provider, resource, dimension, actor, value, intensity, evidence, note)
SEGMENTS: list[tuple[str, ...]] = [
    ("S01", "我们的经费全部来自街道，没有别的来源。", "dependence", "contracting", "agency", "street", "economic", "importance", "", "", "3", "", ""),
    ("S01", "别的街道也不会给我们项目。", "dependence", "contracting", "agency", "street", "economic", "alternatives", "", "", "0", "", "note with <b>markup</b> & I01"),
    ("S01", "民政局评级决定我们能不能投标 <script>alert(1)</script>", "dependence", "contracting", "agency", "bureau", "political_legitimacy", "importance", "", "", "3", "", ""),
    ("S01", "执行阶段街道离不开我们的社工。", "dependence", "implementation", "street", "agency", "professional", "importance", "", "", "3", "", ""),
    ("S01", "听说街道找不到别的机构来接手。", "dependence", "implementation", "street", "agency", "professional", "alternatives", "", "", "0", "second_hand", ""),
    ("S02", "机构没有我们的钱就活不下去。", "dependence", "closing", "agency", "street", "economic", "importance", "", "", "3", "", ""),
    ("S02", "评估由我们说了算 \"quoted\" & 'single'", "dependence", "closing", "agency", "street", "economic", "discretion", "", "", "3", "", ""),
    ("S02", "街道讲求完成任务，不出问题。", "philosophy", "", "", "", "", "", "street", "official", "3", "", ""),
    ("S02", "不出问题是第一位的。", "goal", "", "", "", "", "", "street", "trouble_free_completion", "3", "", ""),
    ("S02", "上面千条线，下面一根针。", "problem", "implementation", "", "", "", "", "street", "formalization", "2", "", ""),
    ("S03", "我们和机构是合作共治的关系。", "philosophy", "", "", "", "", "", "bureau", "cooperative", "2", "", ""),
    ("S03", "民政局也需要机构的专业服务。", "dependence", "contracting", "bureau", "agency", "professional", "importance", "", "", "2", "", ""),
    ("S03", "居民满意是我们的目标。", "goal", "", "", "", "", "", "bureau", "resident_benefit", "2", "", ""),
    ("S01", "亏本的项目我们也接，为了关系。", "strategy", "", "", "", "", "", "agency", "survive_loss_making", "3", "", ""),
    ("S01", "我们要保证服务质量。", "goal", "", "", "", "", "", "agency", "service_quality", "3", "", ""),
    ("D01", "项目经费由街道拨付。", "dependence", "implementation", "agency", "street", "economic", "importance", "", "", "2", "", ""),
    ("D01", "项目通过关系确定承接机构。", "problem", "", "", "", "", "", "", "relational_purchase", "2", "", ""),
]  # fmt: skip

HEADER = [
    "source", "start", "end", "quote", "kind", "stage", "dependent", "provider", "resource",
    "dimension", "actor", "value", "intensity", "evidence", "note",
]  # fmt: skip


def write_rich_case(root: Path) -> Path:
    """Write the rich case folder under ``root`` and return it."""
    (root / "sources").mkdir(parents=True)
    (root / "case.toml").write_text(CASE_TOML, encoding="utf-8")
    texts: dict[str, str] = {}
    rows = []
    for seg in SEGMENTS:
        source, quote, *rest = seg
        start = len(texts.get(source, ""))
        texts[source] = texts.get(source, "") + quote
        rows.append([source, str(start), str(start + len(quote)), quote, *rest])
    for source, text in texts.items():
        (root / "sources" / f"{source}.txt").write_text(text, encoding="utf-8")
    with (root / "codings.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return root


@pytest.fixture(scope="session")
def tiny_analysis() -> Analysis:
    return analyze(load_case(TINY), draws=200)


@pytest.fixture(scope="session")
def rich_case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_rich_case(tmp_path_factory.mktemp("rich") / "case")


@pytest.fixture(scope="session")
def rich_analysis(rich_case_dir: Path) -> Analysis:
    return analyze(load_case(rich_case_dir), draws=300)
