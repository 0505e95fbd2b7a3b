"""Every number of the report links to exactly the coded segments behind it.

The expectation for each number is computed here from ``analysis.evidence`` with pandas
filters written from the definitions (which records a D, a PA, a μ rests on), not with
the report's own helpers; the page's link target (``<div class="evset" id=…
data-records="rec-i …">``) must list exactly those records, and each record ``rec-i``
must be in the quote list with its coded span marked inside its sentence.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from resdep import Analysis
from resdep.report import render_report


@pytest.fixture(scope="module")
def page(rich_analysis: Analysis) -> str:
    return render_report(rich_analysis, lang="en")


def evsets(page: str) -> dict[str, set[int]]:
    found = re.findall(r'<div class="evset" id="(ev-\d+)" data-records="([^"]*)">', page)
    return {i: {int(r.removeprefix("rec-")) for r in recs.split()} for i, recs in found}


def cells(table: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.DOTALL)
    return [re.findall(r"<td>(.*?)</td>", row, flags=re.DOTALL) for row in rows[1:]]


def link(cell: str) -> str | None:
    m = re.search(r'<a class="num ev" href="#(ev-\d+)">', cell)
    return m.group(1) if m else None


def positions(ev: pd.DataFrame, mask: pd.Series) -> set[int]:
    return {int(i) for i in range(len(ev)) if bool(mask.iloc[i])}


def dep(ev: pd.DataFrame, dependent: str, provider: str, stage: str | None = None) -> pd.Series:
    m = (ev["kind"] == "dependence") & (ev["dependent"] == dependent) & (ev["provider"] == provider)
    if stage is not None:
        m &= ev["stage"] == stage
    return m


def test_stage_table_numbers_link_to_their_records(rich_analysis: Analysis, page: str) -> None:
    sets = evsets(page)
    ev = rich_analysis.evidence.reset_index(drop=True)
    table = re.search(r'<table class="stages">.*?</table>', page, flags=re.DOTALL)
    assert table is not None
    rows = cells(table.group(0))
    assert len(rows) == len(rich_analysis.stages)
    checked = 0
    for r, row in zip(rich_analysis.stages.itertuples(), rows, strict=True):
        ag = positions(ev, dep(ev, str(r.agency), str(r.government), str(r.stage)))
        ga = positions(ev, dep(ev, str(r.government), str(r.agency), str(r.stage)))
        # columns: dyad, stage, D_ag, D_ga, MD, PA, PA range, PI, MDmin, state, P(state)
        for col, expected in ((2, ag), (3, ga), (4, ag | ga), (5, ag | ga), (7, ag | ga),
                              (8, ag | ga), (10, ag | ga)):  # fmt: skip
            target = link(row[col])
            if expected:
                assert target is not None, (r, col)
                assert sets[target] == expected, (r, col)
                checked += 1
            else:
                assert target is None, (r, col)  # nothing behind it: no link
    assert checked >= 10


def test_network_edges_and_input_numbers_link_to_their_records(
    rich_analysis: Analysis, page: str
) -> None:
    sets = evsets(page)
    ev = rich_analysis.evidence.reset_index(drop=True)
    n_edges = 0
    for stage in ("contracting", "implementation", "closing"):
        sec = re.search(
            rf'<section class="stage" id="network-{stage}">.*?</section>', page, flags=re.DOTALL
        )
        assert sec is not None
        table = re.search(r'<table class="edges">.*?</table>', sec.group(0), flags=re.DOTALL)
        if table is None:
            continue
        for row in cells(table.group(0)):
            ids = re.findall(r'<code class="id">([^<]+)</code>', row[0])
            expected = positions(ev, dep(ev, ids[0], ids[1], stage))
            assert sets[link(row[2]) or ""] == expected
            n_edges += 1
    assert n_edges == sum(g.number_of_edges() for g in rich_analysis.networks.values())
    # each input's D: the records of its (dependent, provider, resource, stage)
    for r in rich_analysis.inputs.itertuples():
        key = f"{r.dependent}|{r.provider}|{r.resource}|{r.stage}"
        entry = re.search(
            rf'data-input="{re.escape(key)}"><summary>(.*?)</summary>', page, flags=re.DOTALL
        )
        assert entry is not None
        target = re.search(r'D <a class="ev" href="#(ev-\d+)">', entry.group(1))
        mask = dep(ev, str(r.dependent), str(r.provider), str(r.stage)) & (
            ev["resource"] == r.resource
        )
        assert target is not None
        assert sets[target.group(1)] == positions(ev, mask)


def test_relationship_numbers_link_to_every_record_bearing_on_the_dyad(
    rich_analysis: Analysis, page: str
) -> None:
    sets = evsets(page)
    ev = rich_analysis.evidence.reset_index(drop=True)
    table = re.search(r'<table class="summary">.*?</table>', page, flags=re.DOTALL)
    assert table is not None
    for r, row in zip(rich_analysis.relationships.itertuples(), cells(table.group(0)), strict=True):
        a, g = str(r.agency), str(r.government)
        between = dep(ev, a, g) | dep(ev, g, a)
        philosophy = (ev["kind"] == "philosophy") & (ev["actor"] == g)
        goals = (ev["kind"] == "goal") & ev["actor"].isin([a, g])
        # μ partnership (col 3): dependence between, philosophy, goals
        assert sets[link(row[3]) or ""] == positions(ev, between | philosophy | goals)
        assert sets[link(row[5]) or ""] == positions(ev, between)  # RI
        gp = positions(ev, philosophy)
        assert (sets[link(row[6]) or ""] if gp else set()) == gp  # GP
        ia = positions(ev, goals)
        assert (sets.get(link(row[7]) or "", set())) == ia  # IA


def test_diagnostic_scores_link_to_their_segments(rich_analysis: Analysis, page: str) -> None:
    sets = evsets(page)
    ev = rich_analysis.evidence.reset_index(drop=True)
    diag = page[page.index('<section id="diagnostics">') : page.index('<section id="evidence">')]
    summaries = re.findall(r"<summary>(.*?)</summary>", diag, flags=re.DOTALL)
    problem = [s for s in summaries if s.startswith("formalization")]
    assert len(problem) == 1
    target = re.search(r'href="#(ev-\d+)"', problem[0])
    assert target is not None
    mask = (ev["kind"] == "problem") & (ev["value"] == "formalization") & (ev["actor"] == "street")
    assert sets[target.group(1)] == positions(ev, mask)


def test_every_record_is_in_the_quote_list_in_its_sentence(
    rich_analysis: Analysis, page: str
) -> None:
    ev = rich_analysis.evidence.reset_index(drop=True)
    items = dict(re.findall(r'<li id="(rec-\d+)" (.*?)</li>', page, flags=re.DOTALL))
    assert len(items) == len(ev)
    sources = {s.id: s.text for s in rich_analysis.case.sources}
    for i, r in ev.iterrows():
        item = items[f"rec-{i}"]
        # the marked span is the quote, cut from the source at its code-point offsets
        assert sources[str(r.source)][int(r.start) : int(r.end)] == r.quote
        assert f"<mark>{html.escape(str(r.quote))}</mark>" in item
        assert f'data-informant="{r.informant}"' in item
        assert f'data-stage="{r.stage}"' in item
        assert f"[{r.start}–{r.end})" in item
    # every link target names records that exist
    for recs in evsets(page).values():
        assert recs
        assert max(recs) < len(ev)
    for target in set(re.findall(r'href="#(ev-\d+)"', page)):
        assert f'id="{target}"' in page
