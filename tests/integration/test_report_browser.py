"""The report opens in a real browser: headless Chromium renders it and runs its script.

Needs Chromium (Debian/Ubuntu: ``apt-get install chromium``). Skipped when it is absent
on a developer machine; in CI (``CI`` set) its absence is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from resdep import analyze, load_case, write_outputs

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "fixtures" / "tiny_case"
SECTIONS = (
    "relationships", "memberships", "stages", "networks", "philosophy", "diagnostics",
    "evidence", "method",
)  # fmt: skip


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI for the browser test: apt-get install chromium")
        pytest.skip("Chromium not installed (apt-get install chromium); CI is not set")
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "out"
    return write_outputs(analyze(load_case(TINY), draws=200), out, lang="en")


@pytest.fixture(scope="module")
def report_zh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser-zh") / "out"
    return write_outputs(analyze(load_case(TINY), draws=200), out, lang="zh")


def run(chromium: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0",
        f"--user-data-dir={tmp / 'profile'}", *args,
    ]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, timeout=180, check=False, cwd=tmp
    )


def test_screenshot_is_not_blank(chromium: str, report: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    done = run(
        chromium, tmp_path, f"--screenshot={png}", "--window-size=1280,2000", report.as_uri()
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert png.is_file()
    with Image.open(png) as im:
        assert im.size == (1280, 2000)
        pixels = np.asarray(im.convert("RGB")).reshape(-1, 3)
    colours = np.unique(pixels, axis=0)
    assert len(colours) > 200  # text, figures, badges: far from a blank or error page
    ink = (pixels.min(axis=1) < 200).mean()
    assert 0.02 < ink < 0.6
    # the government and agency colours of the figures and badges are on screen
    for rgb in ((0x00, 0x72, 0xB2), (0xE6, 0x9F, 0x00)):
        assert (np.abs(pixels.astype(int) - rgb).sum(axis=1) < 30).any(), rgb


def test_rendered_dom_has_every_section_and_ran_its_script(
    chromium: str, report_zh: Path, tmp_path: Path
) -> None:
    done = run(chromium, tmp_path, "--dump-dom", report_zh.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'data-report-ready="1"' in dom
    for sid in SECTIONS:
        assert f'<section id="{sid}">' in dom, sid
    assert dom.count("<svg") == 5
    for text in ("立项", "执行", "结项", "待定", "我们的钱全靠街道。"):
        assert text in dom
    assert "Uncaught" not in done.stderr


def test_unsettled_badge_and_missing_evidence_are_rendered(
    chromium: str, report: Path, tmp_path: Path
) -> None:
    """The tiny case's only dyad has no goal records (undetermined) and two stage states
    whose P(state) is below the settle threshold (unsettled): both must be visible."""
    done = run(chromium, tmp_path, "--dump-dom", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    relationships = dom[dom.index('<section id="relationships">') :]
    relationships = relationships[: relationships.index("</section>")]
    assert 'class="badge label-undetermined"' in relationships
    assert "missing evidence" in relationships
    assert "goals of agency; goals of street" in relationships
    assert relationships.count('class="badge unsettled"') >= 2  # stage states in the summary
    assert "runner-up" in relationships
    stages = dom[dom.index('<section id="stages">') :]
    assert 'class="badge unsettled"' in stages[: stages.index("</section>")]
    # and on screen: the top of the page shows the summary with both badges
    png = tmp_path / "top.png"
    done = run(chromium, tmp_path, f"--screenshot={png}", "--window-size=1280,700", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    with Image.open(png) as im:
        pixels = np.asarray(im.convert("RGB")).reshape(-1, 3).astype(int)

    def on_screen(rgb: tuple[int, int, int]) -> int:
        return int((np.abs(pixels - rgb).sum(axis=1) < 12).sum())

    # the unsettled badge's fill (#fde2e1) and the missing-evidence/badge red (#8a1c16)
    assert on_screen((0xFD, 0xE2, 0xE1)) > 200
    assert on_screen((0x8A, 0x1C, 0x16)) > 50
