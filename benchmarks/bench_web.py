"""Benchmark of the web workbench, measured through a real browser (headless Chromium).

Targets (issue 14): a case of 50 sources (1 MB of text) and 5,000 codings opens in the
browser in at most 2 s; after saving a coding, the networks and labels are updated within
300 ms (2,000 draws). The case is generated from the bundled founding case: its actors
and informants, its transcripts repeated to 1 MB over 50 sources, and 5,000 dependence
codings whose fields are drawn (seeded) from the vocabulary.

"Open" is from navigation (on a freshly started server, so the case is loaded and
analysed) to the page holding the first transcript and the analysis (``body[data-ready]``); "update" is from pressing Enter on a new coding to the page
showing the analysis of the new revision (save, redraw the source's codings from the
save's answer, re-run ``analyze``, redraw the results). The server-side parts are timed
separately, in wall time and in CPU time (the CPU time is less disturbed by other work
on a loaded machine): the save of one coding, and ``analyze`` as the workbench runs it
after a save (the evidence table and the leave-one-out "what moves it" deferred to when
they are asked for) beside the full ``analyze`` that ``resdep analyze`` runs.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from _common import timeit, write_section

from resdep import analyze
from resdep.data import founding_case_path
from resdep.web.store import CaseStore

N_SOURCES = 50
TEXT_BYTES = 1_000_000
N_CODINGS = 5_000
OPEN_TARGET = 2.0
UPDATE_TARGET = 0.300
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def build_case(root: Path, seed: int = 1) -> tuple[int, int]:
    """Write the benchmark case; returns (text bytes, codings)."""
    from resdep.case.load import CODING_COLUMNS

    src = founding_case_path()
    raw = tomllib.loads((src / "case.toml").read_text(encoding="utf-8"))
    texts = [p.read_text(encoding="utf-8") for p in sorted((src / "sources").glob("S*.txt"))]
    corpus = "\n".join(texts)
    per = TEXT_BYTES // N_SOURCES
    (root / "sources").mkdir(parents=True)
    head = (src / "case.toml").read_text(encoding="utf-8").split("[[source]]", 1)[0]
    lines = [head.rstrip() + "\n"]
    rng = random.Random(seed)
    informants = [i["id"] for i in raw["informant"]]
    sources: dict[str, str] = {}
    total = 0
    for k in range(N_SOURCES):
        sid = f"B{k:02d}"
        text = ""
        while len(text.encode("utf-8")) < per:
            text += corpus[rng.randrange(len(corpus) // 2) :][:2000] + "\n"
        text = text.encode("utf-8")[:per].decode("utf-8", errors="ignore")
        sources[sid] = text
        total += len(text.encode("utf-8"))
        (root / "sources" / f"{sid}.txt").write_text(text, encoding="utf-8", newline="")
        lines.append(
            f'\n[[source]]\nid = "{sid}"\npath = "sources/{sid}.txt"\n'
            f'informant = "{informants[k % len(informants)]}"\nkind = "interview"\n'
        )
    (root / "case.toml").write_text("".join(lines), encoding="utf-8")
    agency = [a["id"] for a in raw["actor"] if a["kind"] == "social_work_agency"]
    gov = [
        a["id"]
        for a in raw["actor"]
        if a["kind"] in ("civil_affairs_bureau", "street_office", "neighborhood_committee")
    ]
    resources = ["economic", "political_legitimacy", "social_legitimacy", "professional",
                 "path_dependence", "information", "performance"]  # fmt: skip
    with (root / "codings.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(CODING_COLUMNS), lineterminator="\n")
        w.writeheader()
        for n in range(N_CODINGS):
            sid = f"B{n % N_SOURCES:02d}"
            text = sources[sid]
            start = rng.randrange(len(text) - 40)
            end = start + rng.randrange(8, 30)
            a, g = rng.choice(agency), rng.choice(gov)
            dep, prov = (a, g) if rng.random() < 0.5 else (g, a)
            row = dict.fromkeys(CODING_COLUMNS, "")
            row.update(
                source=sid, start=str(start), end=str(end), quote=text[start:end],
                kind="dependence", stage=rng.choice(["contracting", "implementation", "closing"]),
                dependent=dep, provider=prov, resource=rng.choice(resources),
                dimension=rng.choice(["importance", "alternatives", "discretion"]),
                intensity=str(rng.randrange(4)),
            )  # fmt: skip
            w.writerow(row)
    return total, N_CODINGS


def _timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """Median wall time and median CPU time (this process) of ``repeat`` calls, in seconds."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def _save_one(store: CaseStore) -> None:
    """Append a copy of the first coding, as the workbench's save does."""
    rows = store.row_list()
    store.write([*rows, dict(rows[0])], expected=store.revision(), changed=len(rows))


def main() -> int:
    from playwright.sync_api import sync_playwright

    from resdep.web.server import running

    load = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="resdep-bench-web-"))
    try:
        root = tmp / "case"
        size, n = build_case(root)
        store = CaseStore(root)
        case = store.load()
        load_t, _ = timeit(lambda: CaseStore(root).load(), repeat=3)
        full_t, full_cpu = _timed(lambda: analyze(case))
        live_t, live_cpu = _timed(lambda: analyze(case, influence=False, evidence=False))
        kept = (root / "codings.csv").read_bytes()
        save_t, save_cpu = _timed(lambda: _save_one(store))
        (root / "codings.csv").write_bytes(kept)  # the browser runs start from 5,000 codings
        shutil.rmtree(root / ".resdep-history")
        opens: list[float] = []
        updates: list[float] = []
        update_cpu: list[float] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(3):  # a cold open: a new server loads the case and analyses it
                with running(root) as (url, config):
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    page = context.new_page()
                    t0 = time.perf_counter()
                    page.goto(f"{url}/?token={config.token}")
                    page.wait_for_selector("body[data-ready]", timeout=120_000)
                    opens.append(time.perf_counter() - t0)
                    context.close()
        with running(root) as (url, config), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(f"{url}/?token={config.token}")
            page.wait_for_selector("body[data-ready]", timeout=120_000)
            for k in range(5):
                rev = page.evaluate("document.body.getAttribute('data-analysed')")
                page.evaluate(
                    r"""(k) => {
                        const spans = [...document.querySelectorAll('#text span:not([data-rows])')]
                            .filter((x) => /^[^\s]{6}/u.test(x.textContent));
                        const node = spans[spans.length - 1 - k].firstChild;
                        const range = document.createRange();
                        range.setStart(node, 0);
                        range.setEnd(node, Math.min(4, node.data.length));
                        const sel = window.getSelection();
                        sel.removeAllRanges();
                        sel.addRange(range);
                        node.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                    }""",
                    k,
                )
                if k == 0:  # later codings take their fields from the last one
                    for key in ("s", "r", "m", "2"):
                        page.keyboard.press(key)
                t0, c0 = time.perf_counter(), time.process_time()
                page.keyboard.press("Enter")
                try:
                    page.wait_for_function(
                        "(rev) => document.body.getAttribute('data-analysed') !== rev",
                        arg=rev,
                        timeout=60_000,
                    )
                except Exception:
                    print("no update; the page says:", page.inner_text("#status"), file=sys.stderr)
                    raise
                updates.append(time.perf_counter() - t0)
                update_cpu.append(time.process_time() - c0)
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    open_t, update_t = statistics.median(opens), statistics.median(updates)
    ok_open, ok_update = open_t <= OPEN_TARGET, update_t <= UPDATE_TARGET
    body = f"""
## Web workbench (`bench_web.py`)

A generated case: {N_SOURCES} sources ({size / 1e6:.2f} MB of UTF-8 text, from the bundled
transcripts), {n:,} dependence codings, 2,000 draws. Measured through headless Chromium
(Playwright) against `resdep serve`'s app on 127.0.0.1. Load average when the run
started: {load:.2f} (other work on the machine slows every figure).

| work | time | target |
|---|---|---|
| open the workbench on a freshly started server (page, first transcript, the case loaded and analysed, results drawn), median of 3 | {open_t * 1000:.0f} ms (all: {", ".join(f"{x * 1000:.0f}" for x in opens)}) | ≤ 2,000 ms {"(met)" if ok_open else "(MISSED)"} |
| save a coding → networks and labels redrawn, median of 5 | {update_t * 1000:.0f} ms (all: {", ".join(f"{x * 1000:.0f}" for x in updates)}) | ≤ 300 ms {"(met)" if ok_update else "(MISSED)"} |
| of which CPU time of this process (the server's threads and the Playwright client; not Chromium's), median of 5 | {statistics.median(update_cpu) * 1000:.0f} ms (all: {", ".join(f"{x * 1000:.0f}" for x in update_cpu)}) | |
| server: save one coding (validate the row, keep the old file in the history, write) | {save_t * 1000:.0f} ms (CPU {save_cpu * 1000:.0f} ms) | |
| server: `analyze` as the workbench runs it after a save (evidence table and leave-one-out deferred) | {live_t * 1000:.0f} ms (CPU {live_cpu * 1000:.0f} ms) | |
| for comparison: the full `analyze` of `resdep analyze` | {full_t * 1000:.0f} ms (CPU {full_cpu * 1000:.0f} ms) | |
| for comparison: load and validate the case with its codings (a cold start; a save reuses the loaded case) | {load_t * 1000:.0f} ms | |
"""
    path = write_section("web", body)
    print(path.read_text(encoding="utf-8"))
    return 0 if ok_open and ok_update else 1


if __name__ == "__main__":
    sys.exit(main())
