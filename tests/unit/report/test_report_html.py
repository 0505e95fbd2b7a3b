"""The HTML report: complete, escaped, self-contained, well-formed, deterministic."""

from __future__ import annotations

import dataclasses
import html
import re
import stat
from pathlib import Path

import pandas as pd
import pytest
from report_html_check import check_page

from resdep import Analysis, analyze, founding_case_path, load_case
from resdep.report import render_report, write_report
from resdep.vocab import Label, Resource, Stage, StageState

SECTIONS = [
    "relationships", "memberships", "stages", "networks", "philosophy", "diagnostics",
    "evidence", "method",
]  # fmt: skip


@pytest.fixture(scope="module")
def rich_page(rich_analysis: Analysis) -> str:
    return render_report(rich_analysis, lang="en")


@pytest.fixture(scope="module")
def rich_page_zh(rich_analysis: Analysis) -> str:
    return render_report(rich_analysis, lang="zh")


def test_page_is_well_formed_with_every_section(rich_page: str) -> None:
    check = check_page(rich_page)
    assert check.errors == []
    for tag in ("html", "head", "body", "main", "header", "footer", "nav", "title"):
        assert check.tags[tag] == 1, tag
    head = rich_page[: rich_page.index("</head>")]
    assert head.count("<style>") == 1
    assert head.count("</style>") == 1
    assert rich_page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in rich_page
    for sid in SECTIONS:
        assert check.ids[sid] == 1, sid
    duplicated = [i for i, n in check.ids.items() if n > 1]
    assert duplicated == []


def test_page_loads_nothing_from_outside(rich_page: str) -> None:
    assert re.search(r"\b(https?|ftp|file):", rich_page) is None
    check = check_page(rich_page)
    assert check.tags["link"] == 0
    assert check.tags["img"] == 0
    assert check.tags["iframe"] == 0
    for tag, name, value in check.attrs:
        if name in ("src", "href"):
            assert value.startswith("#"), (tag, name, value)
    assert "@import" not in rich_page
    assert "url(" not in re.sub(r"url\(#[^)]+\)", "", rich_page)


def test_every_dyad_and_stage_row_is_shown(
    rich_analysis: Analysis, rich_page: str, rich_page_zh: str
) -> None:
    check = check_page(rich_page)
    summary = check.section("relationships")
    stages = check.section("stages")
    zh = check_page(rich_page_zh)
    actors = {a.id: a for a in rich_analysis.case.actors}
    assert len(rich_analysis.relationships) == 2
    for r in rich_analysis.relationships.itertuples():
        for actor in (str(r.agency), str(r.government)):
            assert actors[actor].name in summary  # English name in English, Chinese in Chinese
            assert actors[actor].name_zh in zh.section("relationships")
            assert actor in summary
        assert Label(str(r.label)).en in summary
        assert Label(str(r.label)).zh in zh.section("relationships")
        assert f"{r.mu_buddy:.2f}" in summary
        assert f"{r.p_buddy:.2f}" in summary
    # one table row per stage row, with its state in both languages
    table = re.search(r'<table class="stages">.*?</table>', rich_page, flags=re.DOTALL)
    assert table is not None
    assert table.group(0).count("<tr>") == len(rich_analysis.stages) + 1
    for s in rich_analysis.stages.itertuples():
        state = StageState(str(s.state))
        assert state.en in stages
        assert state.zh in zh.section("stages")


def test_every_input_has_an_entry_with_its_numbers(rich_analysis: Analysis, rich_page: str) -> None:
    keys = re.findall(r'<details class="block input" data-input="([^"]+)"', rich_page)
    expected = [
        "|".join(map(str, k))
        for k in zip(
            rich_analysis.inputs["dependent"],
            rich_analysis.inputs["provider"],
            rich_analysis.inputs["resource"],
            rich_analysis.inputs["stage"],
            strict=True,
        )
    ]
    assert keys == expected
    evidence = check_page(rich_page).section("evidence")
    for r in rich_analysis.inputs.itertuples():
        assert re.search(rf"D\s+{r.d:.2f}", evidence)
        assert f"T {r.triangulation}" in evidence
    n_single = int(rich_analysis.inputs["single_source"].sum())
    entries = re.findall(r'data-input="[^"]+"[^>]*><summary>(.*?)</summary>', rich_page)
    assert sum("single source" in e for e in entries) == n_single


def test_every_quote_appears_escaped_with_its_provenance(
    rich_analysis: Analysis, rich_page: str
) -> None:
    ev = rich_analysis.evidence
    assert len(ev) == 17
    for r in ev.itertuples():
        assert html.escape(str(r.quote)) in rich_page, r.quote
    # the quote with markup is escaped, never live
    assert "<script>alert(1)</script>" not in rich_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rich_page
    assert "note with &lt;b&gt;markup&lt;/b&gt; &amp; I01" in rich_page
    # each quote row carries informant, role, source and offsets
    rows = re.findall(r"<tr><td><q[^>]*>(.*?)</q>.*?</tr>", rich_page, flags=re.DOTALL)
    assert len(rows) == len(ev)
    row_html = re.findall(r"<tr><td><q.*?</tr>", rich_page, flags=re.DOTALL)
    for r in ev.itertuples():
        match = [h for h in row_html if html.escape(str(r.quote)) in h]
        assert match, r.quote
        h = match[0]
        assert f"[{r.start}–{r.end})" in h
        assert f"<code>{r.source}</code>" in h
        if r.informant:
            assert f"<strong>{r.informant}</strong>" in h
            assert html.escape(str(r.role)) in h
        assert ("self-serving" in h) == bool(r.self_serving)


def test_chinese_labels_and_title(rich_analysis: Analysis, rich_page_zh: str) -> None:
    rich_page = rich_page_zh
    assert "报告测试案例：街道与社工机构" in rich_page
    for stage in Stage:
        assert stage.zh in rich_page
    for res in rich_analysis.inputs["resource"].unique():
        assert Resource(res).zh in rich_page
    for label in Label:
        assert label.zh in rich_page
    # the inline figures keep Chinese as text, in the CJK font stack
    svg = re.findall(r"<svg.*?</svg>", rich_page, flags=re.DOTALL)
    assert len(svg) == 5
    assert "M社工机构" in svg[0] or "M社工机构" in " ".join(svg)
    assert "Noto Sans CJK SC" in svg[0]
    assert 'lang="zh-CN"' in rich_page
    assert "居民 $1$ &amp; &lt;2&gt;" in rich_page


def test_synthetic_banner_and_parameters(rich_analysis: Analysis, rich_page: str) -> None:
    assert "Synthetic case" in rich_page
    check = check_page(rich_page)
    method = check.section("method")
    for name, value in rich_analysis.params.as_dict().items():
        assert name in method
        assert str(value) in method or f"{value:.6g}" in method
    assert f"{rich_analysis.params.seed}" in check.section("method")
    assert "Report test case &lt;with&gt; &amp; markup" in rich_page


def test_tiny_case_has_no_banner(tiny_analysis: Analysis) -> None:
    page = render_report(tiny_analysis, lang="en")
    assert "Synthetic case" not in page
    assert check_page(page).errors == []


def test_diagnostics_show_each_measure_with_its_quotes(
    rich_analysis: Analysis, rich_page: str, rich_page_zh: str
) -> None:
    diag = check_page(rich_page).section("diagnostics")
    assert "formalization" in diag
    assert "形式化购买" in check_page(rich_page_zh).section("diagnostics")
    assert "relational purchase" in diag
    assert "case-wide" in diag
    assert "survive loss making" in diag
    for quote in (
        "上面千条线，下面一根针。",
        "项目通过关系确定承接机构。",
        "亏本的项目我们也接，为了关系。",
    ):
        assert quote in diag
    for goal_quote in ("不出问题是第一位的。", "居民满意是我们的目标。", "我们要保证服务质量。"):
        assert goal_quote in diag
    philosophy = check_page(rich_page).section("philosophy")
    assert "街道讲求完成任务，不出问题。" in philosophy
    assert "我们和机构是合作共治的关系。" in philosophy


def test_inputs_from_records_show_their_basis(rich_analysis: Analysis) -> None:
    origin = pd.DataFrame(
        [
            {
                "dependent": "agency",
                "provider": "street",
                "resource": "economic",
                "stage": "contracting",
                "dimension": "importance",
                "value": 0.8,
                "basis": "80% of the agency's 2023 income <awards.csv>",
            }
        ]
    )
    page = render_report(dataclasses.replace(rich_analysis, input_origins=origin), lang="en")
    entry = re.search(
        r'data-input="agency\|street\|economic\|contracting".*?</details>', page, flags=re.DOTALL
    )
    assert entry is not None
    assert "from records" in entry.group(0)
    assert "80% of the agency&#x27;s 2023 income &lt;awards.csv&gt;" in entry.group(0)
    # the coded importance segment did not count: marked; the alternatives one did: unmarked
    rows = re.findall(r"<tr><td><q.*?</tr>", entry.group(0), flags=re.DOTALL)
    by_dim = {
        ("importance" if "<td>importance" in r else "other"): "overridden by records" in r
        for r in rows
    }
    assert by_dim == {"importance": True, "other": False}


def test_pseudonymise_hides_every_informant_id_and_role(rich_analysis: Analysis) -> None:
    page = render_report(rich_analysis, pseudonymise=True, lang="en")
    for inf in rich_analysis.case.informants:
        assert re.search(rf"(?<![A-Za-z0-9_]){inf.id}(?![A-Za-z0-9_])", page) is None, inf.id
        assert inf.role not in page
    # stable: informants numbered in case order, the same on every run
    assert "<strong>P1</strong>" in page
    assert "<strong>P3</strong>" in page
    assert "note with &lt;b&gt;markup&lt;/b&gt; &amp; P1" in page
    assert page == render_report(rich_analysis, pseudonymise=True, lang="en")
    # quotes themselves stay (they hold no ids here)
    assert "我们的经费全部来自街道，没有别的来源。" in page


def test_same_analysis_same_page(rich_analysis: Analysis, rich_page: str) -> None:
    assert render_report(rich_analysis, lang="en") == rich_page


def test_write_report_writes_page_and_figures(tiny_analysis: Analysis, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    write_report(tiny_analysis, target, figures_dir=tmp_path / "out" / "figures", lang="en")
    text = target.read_text(encoding="utf-8")
    assert text == render_report(tiny_analysis, lang="en")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    names = sorted(p.name for p in (tmp_path / "out" / "figures").iterdir())
    assert names == sorted(
        f"{base}.{ext}"
        for base in (
            "network_contracting",
            "network_implementation",
            "network_closing",
            "stage_networks",
            "pa_trajectory",
            "memberships",
        )
        for ext in ("svg", "png")
    )
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".")] == []


def test_case_without_dyads_still_reports(tmp_path: Path) -> None:
    root = tmp_path / "case"
    (root / "sources").mkdir(parents=True)
    (root / "case.toml").write_text(
        '[case]\nid = "nodyad"\n\n[[actor]]\nid = "agency"\nkind = "social_work_agency"\n\n'
        '[[actor]]\nid = "eval"\nkind = "evaluator"\n\n[[informant]]\nid = "I1"\n'
        'organisation = "agency"\n\n[[source]]\nid = "S1"\npath = "sources/S1.txt"\n'
        'informant = "I1"\nkind = "interview"\n',
        encoding="utf-8",
    )
    (root / "sources" / "S1.txt").write_text("评估机构很重要。", encoding="utf-8")
    (root / "codings.csv").write_text(
        "source,start,end,quote,kind,stage,dependent,provider,resource,dimension,actor,value,intensity,evidence,note\n"
        "S1,0,8,评估机构很重要。,dependence,closing,agency,eval,performance,importance,,,2,,\n",
        encoding="utf-8",
    )
    analysis = analyze(load_case(root), draws=50)
    assert analysis.relationships.empty
    page = render_report(analysis, lang="en")
    assert check_page(page).errors == []
    assert "No government–agency dyad" in page
    assert "评估机构很重要。" in page


def test_analysis_without_evidence_tables_still_reports(rich_analysis: Analysis) -> None:
    # e.g. an analysis built from simulated inputs: no quotes, no intervals, no diagnostics
    empty = pd.DataFrame()
    bare = dataclasses.replace(
        rich_analysis, evidence=empty, intervals=empty, input_origins=empty, diagnostics=empty
    )
    page = render_report(bare, lang="en")
    check = check_page(page)
    assert check.errors == []
    assert len(re.findall(r'data-input="', page)) == len(rich_analysis.inputs)
    assert "No coded segment." in page


def test_founding_case_shows_every_quote_once() -> None:
    analysis = analyze(load_case(founding_case_path()), draws=200)
    page = render_report(analysis, lang="en")
    assert check_page(page).errors == []
    quotes = re.findall(r"<tr><td><q[^>]*>(.*?)</q>", page, flags=re.DOTALL)
    assert len(quotes) == len(analysis.evidence)
    assert sorted(quotes) == sorted(html.escape(str(q)) for q in analysis.evidence["quote"])
    assert len(re.findall(r'data-input="', page)) == len(analysis.inputs)
    for r in analysis.relationships.itertuples():
        assert f'<code class="id">{r.government}</code>' in page


def test_coder_agreement_flags_are_shown(tiny_analysis: Analysis, tmp_path: Path) -> None:
    flags = pd.DataFrame(
        {
            "family": ["Stage"],
            "alpha": [0.533],
            "n": [4],
            "threshold": [0.667],
            "message": ["coders agree poorly on Stage (α = 0.53 < 0.667) <review>"],
        }
    )
    target = tmp_path / "report.html"
    write_report(tiny_analysis, target, agreement=flags, lang="en")
    page = target.read_text(encoding="utf-8")
    assert check_page(page).errors == []
    header = page[page.index("<header>") : page.index("</header>")]
    assert "Coder agreement below threshold" in header
    assert "coders agree poorly on Stage (α = 0.53 &lt; 0.667) &lt;review&gt;" in header
    method = check_page(page).section("method")
    assert "Stage" in method
    assert "0.53" in method
    checked = render_report(tiny_analysis, agreement=flags.iloc[0:0], lang="en")
    assert "Coder agreement below threshold" not in checked
    assert "no code family fell below the agreement threshold" in checked
    assert "Coder agreement" not in render_report(tiny_analysis, lang="en")


def test_founding_case_marks_settled_undetermined_and_self_serving_rules() -> None:
    analysis = analyze(load_case(founding_case_path()), draws=300)
    page = render_report(analysis, lang="en")
    assert check_page(page).errors == []
    summary = page[page.index('<section id="relationships">') :]
    summary = summary[: summary.index("</section>")]
    rel = analysis.relationships.set_index("government")
    # each undetermined committee names what is missing
    for nc in ("nc_a", "nc_b", "nc_c"):
        assert rel.loc[nc, "label"] == "undetermined"
        assert html.escape(str(rel.loc[nc, "missing_evidence"])) in summary
    assert summary.count('class="badge label-undetermined"') == 2 * 3  # list and table
    # one unsettled badge per unsettled stage state in the list (rows of stages.csv)
    n_unsettled_states = int((~analysis.stages.settled).sum())
    n_unsettled_labels = int(
        (~analysis.relationships.settled & (analysis.relationships.label != "undetermined")).sum()
    )
    listed = summary[: summary.index("</ul>")]
    assert listed.count('class="badge unsettled"') == n_unsettled_states + n_unsettled_labels
    # codings that move P most, for each labelled dyad that has some
    for g in analysis.influence.government.unique():
        assert "Codings that move P most" in summary
        assert (
            f"row {int(analysis.influence[analysis.influence.government == g].row.iloc[0])}"
            in summary
        )
    # the quote list says which self-serving rule applied
    evidence = page[page.index('<section id="evidence">') :]
    assert "own organisation is the provider and the claim raises dependence on it" in evidence
    assert "own organisation is the provider but the claim is against its interest" in evidence
