"""The simulation report in a real browser, in Chinese and in English.

Playwright drives Debian's Chromium (``/usr/bin/chromium``; never a downloaded browser).
Skipped when Chromium or the Playwright package is missing on a developer machine; with
``CI`` set their absence is a failure. Screenshots go to a temporary folder, and to
``docs/img/simulation-report-{zh,en}.png`` only when asked for (a test run leaves the
checkout alone): ``RESDEP_SCREENSHOTS=1 pytest tests/integration/test_simulation_report_browser.py``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from resdep.simulate import write_simulation
from resdep.simulate.seeds import simulate_seeds
from resdep.simulate.text import ui

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
IMG = REPO / "docs" / "img" if os.environ.get("RESDEP_SCREENSHOTS") else None
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
CJK = re.compile(r"[\u4e00-\u9fff]")
SECTIONS = (
    "key_results", "outcomes_over_time", "stage_dependence", "stage_states", "pa_across",
    "districts", "means_last_half", "run_statistics", "definitions", "parameters",
)  # fmt: skip


def _need_browser() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not Path(CHROMIUM).is_file():
        if os.environ.get("CI"):
            pytest.fail("the browser tests need /usr/bin/chromium and the playwright package")
        pytest.skip("Chromium (/usr/bin/chromium) or the playwright package is not installed")
    return sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _need_browser()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    runs = simulate_seeds(
        "baseline",
        scale="case",
        years=12,
        seeds=4,
        seed=0,
        workers=1,
        overrides={"n_districts": 3, "n_streets": 9, "n_committees": 54, "n_agencies": 12},
    )
    root = tmp_path_factory.mktemp("simreport")
    return {lang: write_simulation(runs, root / lang, lang=lang) for lang in ("zh", "en")}


def _headings(page: Any) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(
        "h1, h2, th, figcaption, dt, nav a", "els => els.map(e => e.innerText.trim())"
    )
    return [t for t in texts if t]


def _shot(page: Any, lang: str, tmp: Path) -> Path:
    path = (IMG or tmp) / f"simulation-report-{lang}.png"
    page.screenshot(path=str(path))
    return path


def _open(browser: Any, report: Path) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((report / "report.html").as_uri())
    page.wait_for_load_state("load")
    return context, page, errors


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_renders_with_its_sections_and_figures(
    browser: Any, reports: dict[str, Path], lang: str, tmp_path: Path
) -> None:
    context, page, errors = _open(browser, reports[lang])
    try:
        ids = page.eval_on_selector_all("h2[id]", "els => els.map(e => e.id)")
        assert ids == list(SECTIONS)
        # every figure is drawn on the page with a real size
        sizes = page.eval_on_selector_all(
            "figure svg",
            "els => els.map(e => [e.getBoundingClientRect().width, "
            "e.getBoundingClientRect().height])",
        )
        assert len(sizes) == 5
        assert all(w > 300 and h > 150 for w, h in sizes), sizes
        # the links of the page point at files that are there
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        local = [h for h in hrefs if not h.startswith("#")]
        assert ("ODD.zh.html" if lang == "zh" else "ODD.html") in local
        assert len([h for h in local if h.startswith("figures/")]) == 10
        for h in local:
            assert (reports[lang] / h).is_file(), h
        shot = _shot(page, lang, tmp_path)
        assert errors == []
    finally:
        context.close()
    with Image.open(shot) as im:
        assert im.size == (1280, 1600)
        pixels = np.asarray(im.convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 100  # text and figures, not a blank page
    ink = (pixels.min(axis=1) < 200).mean()
    assert 0.01 < ink < 0.6


def test_chinese_page_has_chinese_headings_and_no_english_heading(
    browser: Any, reports: dict[str, Path]
) -> None:
    context, page, _ = _open(browser, reports["zh"])
    try:
        zh = _headings(page)
        title = page.inner_text("h1")
    finally:
        context.close()
    context, page, _ = _open(browser, reports["en"])
    try:
        en = _headings(page)
    finally:
        context.close()
    assert title == "仿真报告：baseline"
    for key in ("key_results", "definitions", "parameters", "outcomes_over_time", "districts"):
        assert ui(key, "zh") in zh, key
    assert len(zh) == len(en)
    # symbols and raw names in small print may be Latin; English words of a heading may not
    allowed = {"PA", "MDmin", "HHI", "GP", "IA", "D_ag", "D_ga", "baseline", "ODD"}
    english = set(en)
    for text in zh:
        words = set(re.findall(r"[A-Za-z_]{2,}", text))
        # a heading shared with the English page, or without Chinese, is symbols only
        if text in english or not CJK.search(text):
            assert words <= allowed, text
    for heading in ("Definitions", "Parameters", "Key results by stage", "Outcomes over time"):
        assert heading in en
        assert heading not in zh
