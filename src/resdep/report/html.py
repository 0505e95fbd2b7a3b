"""The HTML report of an analysis: one self-contained page to put in front of colleagues.

The page holds its CSS, its figures (inline SVG) and a few lines of script for the
"open all quotes" buttons; it loads nothing from anywhere, so it opens from a USB stick,
an e-mail attachment or an air-gapped machine. Every piece of text from the case is
escaped. With ``pseudonymise=True`` informant ids become P1, P2, … and roles R1, R2, …
(in the order of ``case.toml``), everywhere on the page, quotes and notes included.

Sections: the case and its parameters; relationships (labels with their probabilities,
memberships with 5–95% intervals, the indicators and secondary typologies); stages (the PA
trajectory and the stage table); one dependence network per stage; governance philosophy;
diagnostics (problems, strategies, goals, resident alignment) with their quotes; the
evidence behind every input; and how to read it all.

Examples
--------
>>> from resdep import analyze, load_case, founding_case_path
>>> result = analyze(load_case(founding_case_path()), draws=200)
>>> page = render_report(result, pseudonymise=True)
>>> "I01" in page, "<svg" in page
(False, True)
"""

from __future__ import annotations

import dataclasses
import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from string import Template
from typing import Any

import pandas as pd

from resdep.classify import LABEL_ORDER
from resdep.parameters import PARAMETER_DOCS
from resdep.pipeline import DIAGNOSTICS_COLUMNS, Analysis, label_runner_up
from resdep.report.figures import (
    AGENCY_COLOUR,
    CSS_FONT_STACK,
    GOVERNMENT_COLOUR,
    INTERVAL_COLUMNS,
    LABEL_COLOURS,
    OTHER_COLOUR,
    inline_svg,
    render_figures,
    with_columns,
)
from resdep.report.pseudonym import Pseudonymiser
from resdep.textio import atomic_write_text
from resdep.vocab import (
    Dimension,
    EvidenceType,
    Goal,
    Label,
    Philosophy,
    Problem,
    RecordKind,
    Resource,
    Stage,
    StageState,
    Strategy,
)

__all__ = ["render_report", "write_report"]

EVIDENCE_COLUMNS: tuple[str, ...] = (
    "row", "kind", "stage", "dependent", "provider", "resource", "dimension", "actor", "value",
    "intensity", "evidence", "weight", "self_serving", "self_serving_rule", "informant",
    "organisation", "role", "source", "start", "end", "quote", "note",
)  # fmt: skip
AGREEMENT_COLUMNS: tuple[str, ...] = ("family", "alpha", "n", "threshold", "message")
ORIGIN_COLUMNS: tuple[str, ...] = (
    "dependent", "provider", "resource", "stage", "dimension", "value", "basis",
)  # fmt: skip
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_DIMS = (Dimension.IMPORTANCE, Dimension.ALTERNATIVES, Dimension.DISCRETION)
_DIM_SYMBOL = {Dimension.IMPORTANCE: "I", Dimension.ALTERNATIVES: "S", Dimension.DISCRETION: "X"}


def write_report(
    analysis: Analysis,
    path: str | Path,
    *,
    figures_dir: str | Path | None = None,
    pseudonymise: bool = False,
    agreement: pd.DataFrame | None = None,
    records_note: tuple[str, str] | None = None,
) -> None:
    """Write the report of an analysis as one self-contained HTML file.

    Parameters
    ----------
    analysis
        The result of :func:`resdep.analyze`.
    path
        The HTML file to write (atomically: a temporary file, then a rename).
    figures_dir
        Also save the figures there as SVG and PNG (``network_<stage>``,
        ``pa_trajectory``, ``memberships``).
    pseudonymise
        Replace informant ids with P1, P2, … and roles with R1, R2, … throughout.
    agreement
        Inter-coder agreement flags (:func:`resdep.qda.agreement_flags`: columns family,
        alpha, n, threshold, message): flagged families get a warning at the top of the
        page; an empty table says agreement was checked and nothing fell below threshold.
    records_note
        (one-line summary of the records import, file name of its log beside the report):
        shown above the evidence, with a link to the log.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from resdep import analyze, load_case, founding_case_path
    >>> result = analyze(load_case(founding_case_path()), draws=200)
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "report.html"
    >>> write_report(result, target)
    >>> '<meta charset="utf-8">' in target.read_text(encoding="utf-8")
    True
    """
    target = Path(path)
    atomic_write_text(
        target,
        render_report(
            analysis,
            figures_dir=figures_dir,
            pseudonymise=pseudonymise,
            agreement=agreement,
            records_note=records_note,
        ),
    )
    target.chmod(0o644)  # a report is for sharing; the temporary file was private


def render_report(
    analysis: Analysis,
    *,
    figures_dir: str | Path | None = None,
    pseudonymise: bool = False,
    agreement: pd.DataFrame | None = None,
    records_note: tuple[str, str] | None = None,
) -> str:
    """The report as a string (see :func:`write_report`).

    Examples
    --------
    >>> from resdep import analyze, load_case, founding_case_path
    >>> result = analyze(load_case(founding_case_path()), draws=200)
    >>> page = render_report(result)
    >>> page.count('<section id="'), "http://" in page or "https://" in page
    (8, False)
    """
    figures = {
        name: inline_svg(doc, prefix=name.replace("_", "-"))
        for name, doc in render_figures(analysis, figures_dir).items()
    }
    report = _Report(analysis, figures, pseudonymise=pseudonymise, agreement=agreement)
    report.records_note = records_note
    return report.page()


# --- formatting helpers -------------------------------------------------------------------


def _num(x: Any, digits: int = 2) -> str:
    """A number for a table; an en dash for a missing one."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v):
        return "–"
    text = f"{v:.{digits}f}"
    return "0." + "0" * digits if text == "-0." + "0" * digits else text.replace("-", "−")


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], *, cls: str = "") -> str:
    """An HTML table from already-escaped cells."""
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>\n" for row in rows)
    heads = "".join(f"<th>{h}</th>" for h in head)
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{heads}</tr></thead>\n<tbody>\n{body}</tbody></table>\n"


def _int(x: Any) -> int:
    return int(x)


def _missing(x: Any) -> bool:
    return x is None or x == "" or bool(pd.isna(x))


def _f(x: Any) -> float:
    """A cell as a float; NaN when missing or not a number."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _is_true(x: Any) -> bool:
    """A boolean cell (bool, numpy bool, or "True"/"yes" text after a CSV round trip)."""
    if isinstance(x, str):
        return x.strip().lower() in ("true", "yes", "1")
    return not _missing(x) and bool(x)


def _term(kind: type[Any], value: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        return None


class _Report:
    """Builds the page; holds the escaping and pseudonymising rules and what was shown."""

    def __init__(
        self,
        analysis: Analysis,
        figures: Mapping[str, str],
        *,
        pseudonymise: bool,
        agreement: pd.DataFrame | None = None,
    ):
        self.agreement = None if agreement is None else with_columns(agreement, AGREEMENT_COLUMNS)
        self.a = dataclasses.replace(
            analysis,
            evidence=with_columns(analysis.evidence, EVIDENCE_COLUMNS),
            intervals=with_columns(analysis.intervals, INTERVAL_COLUMNS),
            input_origins=with_columns(analysis.input_origins, ORIGIN_COLUMNS),
            diagnostics=with_columns(analysis.diagnostics, DIAGNOSTICS_COLUMNS),
        )
        self.case = analysis.case
        self.records_note: tuple[str, str] | None = None
        self.figures = figures
        self.actors = {x.id: x for x in self.case.actors}
        self.shown: set[int] = set()
        # the rules live in resdep.report.pseudonym (ids inside ids, any case for Latin)
        self.scrub = Pseudonymiser.for_case(self.case) if pseudonymise else None
        self.pseudonyms, self.roles = self.scrub.tables if self.scrub else ({}, {})

    # text ------------------------------------------------------------------------------

    def e(self, text: Any) -> str:
        """Escape a piece of case text (pseudonymised if asked)."""
        s = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
        if self.scrub is not None:
            s = self.scrub.apply(s)
        return html.escape(s)

    def zh(self, text: str) -> str:
        return f'<span class="zh" lang="zh-CN">{html.escape(text)}</span>'

    def term(self, term: Any) -> str:
        """A vocabulary term in English with its Chinese label."""
        return f"{html.escape(term.en)} {self.zh(term.zh)}"

    def maybe_term(self, kind: type[Any], value: Any) -> str:
        t = _term(kind, str(value)) if value not in (None, "") else None
        return self.term(t) if t is not None else self.e(value)

    def actor(self, actor_id: Any) -> str:
        """An actor: its Chinese or English name with its id."""
        aid = str(actor_id)
        a = self.actors.get(aid)
        if a is None:
            return f'<span class="actor">{self.e(aid)}</span>'
        if a.is_government:
            side = "gov"
        elif a.kind.value == "social_work_agency":
            side = "agency"
        else:
            side = "other"
        names = []
        if a.name_zh:
            names.append(f'<span lang="zh-CN">{self.e(a.name_zh)}</span>')
        elif a.name:
            names.append(self.e(a.name))
        ident = f'<code class="id">{self.e(aid)}</code>'
        title = self.e(a.name or a.kind.en)
        inner = f"{names[0]} {ident}" if names else ident
        return f'<span class="actor {side}" title="{title}">{inner}</span>'

    def dyad(self, agency: Any, government: Any) -> str:
        return f'{self.actor(agency)} <span class="arrow">–</span> {self.actor(government)}'

    def informant(self, informant_id: Any) -> str:
        iid = str(informant_id or "")
        return self.pseudonyms.get(iid, iid) if iid else ""

    def role(self, role: Any) -> str:
        r = str(role or "")
        if self.scrub is not None and r:
            return self.roles.get(r, "R?")
        return r

    def quote_text(self, text: str) -> str:
        lang = ' lang="zh-CN"' if _CJK.search(text) else ""
        return f"<q{lang}>{self.e(text)}</q>"

    # evidence ----------------------------------------------------------------------------

    def quotes(
        self, rows: pd.DataFrame, *, what: str = "dimension", overridden: Iterable[str] = ()
    ) -> str:
        """The quotes of some evidence rows, with provenance, as a table.

        ``overridden``: dimensions taken from records, whose segments did not count.
        """
        by_records = set(overridden)
        if rows.empty:
            return '<p class="muted">No coded segment.</p>'
        out = []
        for r in rows.itertuples():
            self.shown.add(int(r.Index))  # type: ignore[arg-type]
            who_parts = [
                f"<strong>{self.e(self.informant(r.informant))}</strong>" if r.informant else "",
                self.e(self.role(r.role)),
                self.actor(r.organisation) if r.organisation else "",
            ]
            who = " · ".join(p for p in who_parts if p) or self._no_informant(str(r.source))
            source = f'<code>{self.e(r.source)}</code> <span class="muted">[{_int(r.start)}–{_int(r.end)})</span>'
            if what == "dimension":
                coded = self.maybe_term(Dimension, r.dimension)
                if str(r.dimension) in by_records:
                    coded += (
                        ' <span class="badge info" title="this dimension is measured from '
                        'purchase or grant records">overridden by records</span>'
                    )
            else:
                coded = self._value_term(str(r.kind), r.value)
            intensity = "" if _missing(r.intensity) else f"{_int(r.intensity)}/3"
            flags = []
            rule = "" if _missing(r.self_serving_rule) else str(r.self_serving_rule)
            if bool(r.self_serving):
                flags.append(
                    '<span class="badge warn" title="weight ×self-serving discount">self-serving</span>'
                )
            if rule:
                flags.append(f'<div class="muted ss-rule">{self.e(rule)}</div>')
            ev = _term(EvidenceType, str(r.evidence))
            evidence = self.term(ev) if ev is not None else self.e(r.evidence)
            note = f'<div class="note">{self.e(r.note)}</div>' if str(r.note or "").strip() else ""
            out.append(
                [
                    self.quote_text(str(r.quote)) + note,
                    who,
                    source,
                    f'{coded} <span class="num">{intensity}</span>',
                    evidence,
                    f'<span class="num">{_num(r.weight, 2)}</span> ' + " ".join(flags),
                ]
            )
        return _table(
            [
                "Quote",
                "Informant · role · organisation",
                "Source [start–end)",
                "Coded as",
                "Evidence",
                "Weight",
            ],
            out,
            cls="quotes",
        )

    def _no_informant(self, source_id: str) -> str:
        """What a source without informant is (a field note, a document)."""
        kind = next((src.kind for src in self.case.sources if src.id == source_id), None)
        what = (
            f"{'field note' if kind.value == 'fieldnote' else html.escape(kind.en)} {self.zh(kind.zh)}"
            if kind is not None
            else "no informant"
        )
        return f'<span class="muted">{what}</span>'

    def _value_term(self, kind: str, value: Any) -> str:
        enum: type[Any] | None = {
            RecordKind.PHILOSOPHY.value: Philosophy,
            RecordKind.GOAL.value: Goal,
            RecordKind.PROBLEM.value: Problem,
            RecordKind.STRATEGY.value: Strategy,
        }.get(kind)
        return self.maybe_term(enum, value) if enum is not None else self.e(value)

    def details(
        self, summary: str, body: str, *, cls: str = "", open_: bool = False, attrs: str = ""
    ) -> str:
        klass = f' class="{cls}"' if cls else ""
        opened = " open" if open_ else ""
        return f"<details{klass}{attrs}{opened}><summary>{summary}</summary>\n{body}</details>\n"

    # sections ------------------------------------------------------------------------------

    def page(self) -> str:
        c = self.case
        title = c.title or c.title_zh or c.id
        sections = [
            self.summary(),
            self.memberships(),
            self.trajectory(),
            self.networks(),
            self.philosophy(),
            self.diagnostics(),
            self.evidence(),
        ]
        rest = self.leftover()
        sections.append(self.method(rest))
        nav = "".join(
            f'<a href="#{sid}">{label}</a>'
            for sid, label in (
                ("relationships", "Relationships"),
                ("memberships", "Memberships"),
                ("stages", "Stages"),
                ("networks", "Networks"),
                ("philosophy", "Philosophy"),
                ("diagnostics", "Diagnostics"),
                ("evidence", "Evidence"),
                ("method", "Method"),
            )
        )
        return _PAGE.substitute(
            title=self.e(title),
            css=_CSS.substitute(
                fonts=CSS_FONT_STACK,
                gov=GOVERNMENT_COLOUR,
                agency=AGENCY_COLOUR,
                other=OTHER_COLOUR,
                partnership=LABEL_COLOURS[Label.PARTNERSHIP],
                buddy=LABEL_COLOURS[Label.BUDDY],
                transactional=LABEL_COLOURS[Label.TRANSACTIONAL],
            ),
            header=self.header(),
            nav=nav,
            sections="\n".join(sections),
            footer=self.footer(),
            script=_SCRIPT,
        )

    def header(self) -> str:
        c = self.case
        parts = [
            '<p class="kicker">resdep · resource dependence report <span lang="zh-CN">资源依赖分析报告</span></p>'
        ]
        parts.append(f"<h1>{self.e(c.title or c.id)}</h1>")
        if c.title_zh:
            parts.append(f'<p class="title-zh" lang="zh-CN">{self.e(c.title_zh)}</p>')
        if c.synthetic:
            parts.append(
                '<p class="banner" role="note"><strong>Synthetic case</strong> '
                '<span lang="zh-CN">示意性数据</span>: illustrative data, not field evidence. '
                "Its informants, organisations and quotes are invented; do not cite its numbers "
                "as findings.</p>"
            )
        if self.agreement is not None and len(self.agreement):
            items = "".join(
                f'<li>{self.e(r.message)} <span class="muted">(n = {self.e(r.n)})</span></li>'
                for r in self.agreement.itertuples()
            )
            parts.append(
                '<div class="banner alert" role="note"><strong>Coder agreement below '
                'threshold</strong> <span lang="zh-CN">编码一致性不足</span>: results that rest '
                f"on these code families are less certain than shown.<ul>{items}</ul></div>"
            )
        if c.description:
            parts.append(f'<p class="description">{self.e(c.description)}</p>')
        p = self.a.params
        n_single = (
            int(self.a.inputs["single_source"].astype(bool).sum()) if len(self.a.inputs) else 0
        )
        facts = [
            ("case id", f"<code>{self.e(c.id)}</code>"),
            ("actors", str(len(c.actors))),
            (
                "informants",
                str(len(c.informants)) + (" (pseudonymised)" if self.pseudonyms else ""),
            ),
            ("sources", str(len(c.sources))),
            ("coded segments", str(len(self.a.evidence))),
            ("dependence inputs", f"{len(self.a.inputs)} ({n_single} single-source)"),
            ("government–agency dyads", str(len(self.a.relationships))),
            ("Monte Carlo draws", f"{p.draws:,}"),
            ("seed", f"<code>{p.seed}</code>"),
            ("θ_D / θ_PI", f"{_num(p.theta_d)} / {_num(p.theta_pi)}"),
            ("parameters", f'<a href="#parameters">all {len(p.as_dict())}</a>'),
            ("resdep", self.e(_version())),
        ]
        parts.append(
            '<dl class="facts">'
            + "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
            + "</dl>"
        )
        return "\n".join(parts)

    def summary(self) -> str:
        rel = self.a.relationships
        st = self.a.stages
        iv = self.a.intervals
        out = [
            '<section id="relationships"><h2>Relationships <span lang="zh-CN">关系类型</span></h2>'
        ]
        if rel.empty:
            out.append(
                '<p class="muted">No government–agency dyad: no dependence tuple links a social work agency with a government actor.</p></section>'
            )
            return "\n".join(out)
        out.append('<ul class="findings">')
        si = self.a.stage_intervals
        for r in rel.itertuples():
            label = _term(Label, str(r.label))
            mu = {"partnership": r.mu_partnership, "buddy": r.mu_buddy}.get(str(r.label))
            path = []
            part = st[(st["agency"] == r.agency) & (st["government"] == r.government)]
            for s in part.itertuples():
                state = _term(StageState, str(s.state))
                stage = _term(Stage, str(s.stage))
                flag = ""
                if not _is_true(getattr(s, "settled", True)):
                    ru = si[
                        (si["agency"] == r.agency)
                        & (si["government"] == r.government)
                        & (si["stage"] == s.stage)
                    ]
                    runner = (
                        (str(ru.iloc[0]["runner_up"]), _f(ru.iloc[0]["p_runner_up"]))
                        if len(ru) and "runner_up" in ru.columns
                        else ("", math.nan)
                    )
                    flag = " " + self._unsettled_badge(
                        _f(getattr(s, "p_state", math.nan)), runner, StageState
                    )
                path.append(
                    f"{self.e(stage.en if stage else s.stage)} <em>{self.e(state.en if state else s.state)}</em> "
                    f'<span class="muted">(PA {_num(s.pa)}, P = {_num(getattr(s, "p_state", math.nan))})</span>'
                    + flag
                )
            if str(r.label) == Label.UNDETERMINED.value:
                verdict = (
                    f'<span class="missing">missing evidence <span lang="zh-CN">缺少证据</span>: '
                    f"{self.e(str(r.missing_evidence))}</span>"
                )
            else:
                mu_text = f"μ = {_num(mu)}, " if mu is not None else ""
                verdict = f'<span class="muted">({mu_text}P = {_num(r.p_label)})</span>'
                if not _is_true(r.settled):
                    verdict += " " + self._unsettled_badge(_f(r.p_label), label_runner_up(r), Label)
                verdict += self._movers(str(r.agency), str(r.government))
            out.append(
                f'<li class="finding">{self.dyad(r.agency, r.government)}: '
                f"{self._label_badge(label, str(r.label))} {verdict}. "
                f"Stages: {' → '.join(path)}.</li>"
            )
        out.append("</ul>")
        rows = []
        for r in rel.itertuples():
            label = _term(Label, str(r.label))
            m = iv[(iv["agency"] == r.agency) & (iv["government"] == r.government)]
            lo_p = m.iloc[0]["mu_partnership_lo"] if len(m) else math.nan
            hi_p = m.iloc[0]["mu_partnership_hi"] if len(m) else math.nan
            lo_b = m.iloc[0]["mu_buddy_lo"] if len(m) else math.nan
            hi_b = m.iloc[0]["mu_buddy_hi"] if len(m) else math.nan
            rows.append(
                [
                    self.dyad(r.agency, r.government),
                    self._label_badge(label, str(r.label))
                    + (
                        ""
                        if _is_true(r.settled) or str(r.label) == Label.UNDETERMINED.value
                        else " " + self._unsettled_badge(_f(r.p_label), label_runner_up(r), Label)
                    ),
                    self._pbar(r.p_partnership, r.p_buddy, r.p_transactional)
                    if str(r.label) != Label.UNDETERMINED.value
                    else '<span class="missing">missing: '
                    + self.e(str(r.missing_evidence))
                    + "</span>",
                    f'<span class="num">{_num(r.mu_partnership)}</span> <span class="muted ci">[{_num(lo_p)}, {_num(hi_p)}]</span>',
                    f'<span class="num">{_num(r.mu_buddy)}</span> <span class="muted ci">[{_num(lo_b)}, {_num(hi_b)}]</span>',
                    f'<span class="num">{_num(r.ri)}</span>',
                    f'<span class="num">{_num(r.gp)}</span>',
                    f'<span class="num">{_num(r.ia)}</span>',
                    f'<span class="num">{_num(r.dep)}</span>',
                    self.e(str(r.najam).replace("_", " ")),
                    self.e(str(r.gks).replace("_", " ")),
                ]
            )
        out.append('<div class="scroll">')
        out.append(
            _table(
                [
                    "Dyad (agency – government)",
                    "Label",
                    "P(partnership / buddy / transactional)<br>"
                    + " / ".join(self.zh(lab.zh) for lab in LABEL_ORDER),
                    "μ partnership [5%, 95%]",
                    "μ buddy [5%, 95%]",
                    '<abbr title="resource interdependence: mean over stages of MDmin">RI</abbr>',
                    '<abbr title="governance philosophy of the government actor (1 = co-governance)">GP</abbr>',
                    '<abbr title="interest alignment: cosine of goal vectors">IA</abbr>',
                    '<abbr title="agency dependence: max over stages of D_ag">dep</abbr>',
                    "Najam 4C",
                    "Gidron–Kramer–Salamon",
                ],
                rows,
                cls="summary",
            )
        )
        out.append("</div>")
        out.append(
            '<p class="caption">P: share of the Monte Carlo draws from the evidence posteriors '
            "giving each label; the label is computed from the point estimates. A result is "
            f"<i>settled</i> when its label is also the most frequent one over the draws and its P is "
            f"at least {_num(self.a.params.settle_threshold, 2)}; otherwise it is marked "
            '<span class="badge unsettled">unsettled <span lang="zh-CN">未定</span></span> with the '
            "runner-up and its P. <i>Undetermined</i> (待定): the evidence that decides the type "
            "(the government's philosophy, both sides' goals, dependence records) is missing, "
            "and the missing part is named. Codings that move P most: leaving each out in turn "
            "(fewer draws, same seed) changes P(label) by the amount shown. Brackets: 5th and "
            "95th percentiles of each membership over the draws.</p></section>"
        )
        return "\n".join(out)

    def _unsettled_badge(
        self, p: float, runner: tuple[str, float], kind: type[Label] | type[StageState]
    ) -> str:
        name, p_ru = runner
        term = _term(kind, name) if name else None
        ru = (
            f"; runner-up {self.e(term.en if term else name)} P = {_num(p_ru)}"
            if name and math.isfinite(p_ru)
            else ""
        )
        return (
            f'<span class="badge unsettled" title="not settled: P = {_num(p)}{ru}">'
            f'unsettled <span lang="zh-CN">未定</span></span>'
            f'<span class="muted runner-up"> (P = {_num(p)}{ru})</span>'
        )

    def _movers(self, agency: str, government: str) -> str:
        inf = self.a.influence
        if inf is None or inf.empty:
            return ""
        part = inf[(inf["agency"] == agency) & (inf["government"] == government)]
        if part.empty:
            return ""
        items = ", ".join(
            f'row {_int(m.row)} <span class="muted">({self.e(str(m.what))})</span> '
            f'<span class="num">{_f(m.change):+.2f}</span>'
            for m in part.itertuples()
        )
        return f'<div class="movers">Codings that move P most: {items}</div>'

    def _label_badge(self, label: Label | None, raw: str) -> str:
        if label is None:
            return f'<span class="badge">{self.e(raw)}</span>'
        return f'<span class="badge label-{label.value}">{html.escape(label.en)} <span lang="zh-CN">{html.escape(label.zh)}</span></span>'

    def _pbar(self, *probs: Any) -> str:
        vals = [float(p) for p in probs]
        if any(math.isnan(v) for v in vals):
            return '<span class="muted">no draws</span>'
        segs = "".join(
            f'<span class="seg label-{lab.value}" style="width:{100 * v:.1f}%"></span>'
            for lab, v in zip(LABEL_ORDER, vals, strict=True)
            if v > 0
        )
        nums = " / ".join(_num(v) for v in vals)
        return f'<span class="pbar" title="{nums}">{segs}</span> <span class="num">{nums}</span>'

    def figure(self, name: str, caption: str) -> str:
        svg = self.figures.get(name, "")
        label = html.escape(re.sub(r"<[^>]+>", "", html.unescape(caption)), quote=True)
        svg = svg.replace("<svg ", f'<svg aria-label="{label}" ', 1)
        return f'<figure class="fig" id="fig-{name.replace("_", "-")}">{svg}<figcaption>{caption}</figcaption></figure>'

    def memberships(self) -> str:
        return (
            '<section id="memberships"><h2>Memberships <span lang="zh-CN">隶属度</span></h2>\n'
            + self.figure(
                "memberships",
                "Fuzzy-set membership of each dyad in partnership (μ = min(μ_RI, μ_GP, μ_IA)) and "
                + (
                    "buddy (μ = min(μ_dep, max(1 − μ_GP, 1 − μ_IA)), the <i>or</i> rule); "
                    if self.a.params.buddy_rule == "or"
                    else "buddy (μ = min(μ_dep, 1 − μ_GP, 1 − μ_IA)); "
                )
                + "whiskers: 5–95% over the draws; "
                "dashed line: the label threshold. Files: <code>figures/memberships.svg</code>, "
                "<code>.png</code>.",
            )
            + "</section>"
        )

    def trajectory(self) -> str:
        st = self.a.stages
        si = self.a.stage_intervals
        band: dict[tuple[str, str, str], tuple[float, float, float]] = {}
        if len(si):
            keys = zip(
                si["agency"].astype(str),
                si["government"].astype(str),
                si["stage"].astype(str),
                strict=True,
            )
            values = si[["pa_lo", "pa_hi", "p_state"]].to_numpy(float)
            for key, (lo_, hi_, p_) in zip(keys, values, strict=True):
                band[key] = (float(lo_), float(hi_), float(p_))
        runners: dict[tuple[str, str, str], tuple[str, float]] = {}
        if len(si) and "runner_up" in si.columns:
            for x in si.itertuples():
                runners[(str(x.agency), str(x.government), str(x.stage))] = (
                    str(x.runner_up),
                    _f(x.p_runner_up),
                )
        rows = []
        for s in st.itertuples():
            lo, hi, p_state = band.get(
                (str(s.agency), str(s.government), str(s.stage)), (math.nan,) * 3
            )
            state = _term(StageState, str(s.state))
            stage = _term(Stage, str(s.stage))
            rows.append(
                [
                    self.dyad(s.agency, s.government),
                    self.term(stage) if stage else self.e(s.stage),
                    *(f'<span class="num">{_num(v)}</span>' for v in (s.d_ag, s.d_ga, s.md, s.pa)),
                    f'<span class="num">[{_num(lo)}, {_num(hi)}]</span>',
                    *(f'<span class="num">{_num(v)}</span>' for v in (s.pi, s.md_min)),
                    f'<span class="state state-{self.e(s.state)}">{self.term(state) if state else self.e(s.state)}</span>',
                    f'<span class="num">{_num(p_state)}</span>'
                    + (
                        ""
                        if _is_true(getattr(s, "settled", True))
                        else " "
                        + self._unsettled_badge(
                            p_state,
                            runners.get(
                                (str(s.agency), str(s.government), str(s.stage)), ("", math.nan)
                            ),
                            StageState,
                        )
                    ),
                ]
            )
        table = _table(
            [
                "Dyad",
                "Stage",
                "D_ag",
                "D_ga",
                "MD",
                "PA",
                "PA 5–95%",
                "PI",
                "MDmin",
                "State",
                "P(state)",
            ],
            rows,
            cls="stages",
        )
        return (
            '<section id="stages"><h2>Stages <span lang="zh-CN">阶段</span></h2>\n'
            + self.figure(
                "pa_trajectory",
                "Power advantage PA = D_ag − D_ga of each dyad across the stages (PA &gt; 0: the "
                "government actor holds it, the agency depends more). Grey band: |PA| ≤ θ_PI. "
                "Marker shape: the stage state; whiskers: 5–95% of PA over the Monte Carlo draws.",
            )
            + f'<div class="scroll">{table}</div>'
            + '<p class="caption">D_ag: the agency&#x27;s dependence on the government actor (noisy-OR over '
            "resources); D_ga: the reverse; MD = (D_ag + D_ga)/2; PI = |PA|; MDmin = min(D_ag, D_ga). "
            "P(state): share of the draws in which the stage has the state shown.</p>"
            + "</section>"
        )

    def networks(self) -> str:
        out = [
            '<section id="networks"><h2>Dependence networks <span lang="zh-CN">依赖网络</span></h2>'
        ]
        out.append(
            '<p class="legend"><span class="dot gov"></span>government side '
            '<span class="dot agency"></span>social work agency <span class="dot other"></span>others. '
            "An arrow i → j means i depends on j; its width grows with D. Graphs: "
            "<code>networks/&lt;stage&gt;.graphml</code>. For a paper: "
            "<code>figures/stage_networks.svg</code> (the three stages side by side, also PNG) "
            "and <code>methods/</code> (interviewee and code-frequency tables, a methods "
            'paragraph; .md, .docx, .xlsx; <span lang="zh-CN">中文</span> and English).</p>'
        )
        inputs = self.a.inputs
        for stage in Stage:
            out.append(
                f'<section class="stage" id="network-{stage.value}"><h3>{self.term(stage)}</h3>'
            )
            out.append(
                self.figure(
                    f"network_{stage.value}",
                    f"Dependence network at {html.escape(stage.en)} ({html.escape(stage.zh)}).",
                )
            )
            sub = inputs[inputs["stage"] == stage.value]
            graph = self.a.networks.get(stage)
            rows = []
            if graph is not None:
                for dep, prov, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
                    part = sub[(sub["dependent"] == dep) & (sub["provider"] == prov)]
                    res = ", ".join(
                        f'{self.maybe_term(Resource, r.resource)} <span class="num">{_num(r.d)}</span>'
                        + (
                            ' <span class="badge warn">single source</span>'
                            if bool(r.single_source)
                            else ""
                        )
                        for r in part.sort_values("d", ascending=False).itertuples()
                    )
                    rows.append(
                        [
                            f'{self.actor(dep)} <span class="arrow">→</span> {self.actor(prov)}',
                            res,
                            f'<span class="num">{_num(data.get("d"))}</span>',
                        ]
                    )
            if rows:
                out.append(
                    _table(
                        ["Dependent → provider", "Resources (D per resource)", "D (noisy-OR)"],
                        rows,
                        cls="edges",
                    )
                )
            else:
                out.append('<p class="muted">No dependence coded at this stage.</p>')
            out.append("</section>")
        out.append("</section>")
        return "\n".join(out)

    def philosophy(self) -> str:
        ev = self.a.evidence
        out = [
            '<section id="philosophy"><h2>Governance philosophy <span lang="zh-CN">治理理念</span></h2>'
        ]
        out.append(
            '<p class="caption">GP of a government actor: the posterior mean of Beta(α0·m0 + Σ '
            "cooperative w·v, α0·(1 − m0) + Σ official w·v); 1 = co-governance "
            '(<span lang="zh-CN">共治</span>), 0 = official-centred '
            '(<span lang="zh-CN">官本位</span>); 0.5 without records.</p>'
        )
        rel = self.a.relationships
        gp = dict(zip(rel["government"], rel["gp"], strict=True)) if len(rel) else {}
        phil = ev[ev["kind"] == RecordKind.PHILOSOPHY.value] if len(ev) else ev
        actors = [x for x in self.case.actors if x.is_government]
        any_shown = False
        for actor in actors:
            recs = phil[phil["actor"] == actor.id] if len(phil) else phil
            if recs.empty and actor.id not in gp:
                continue
            any_shown = True
            coop = int((recs["value"] == "cooperative").sum()) if len(recs) else 0
            official = int((recs["value"] == "official").sum()) if len(recs) else 0
            summary = (
                f'{self.actor(actor.id)} GP <span class="num">{_num(gp.get(actor.id))}</span> '
                f'<span class="muted">{coop} cooperative, {official} official segment(s)</span>'
            )
            out.append(self.details(summary, self.quotes(recs, what="value"), cls="block"))
        if not any_shown:
            out.append('<p class="muted">No philosophy coded.</p>')
        out.append("</section>")
        return "\n".join(out)

    def diagnostics(self) -> str:
        diag = self.a.diagnostics
        ev = self.a.evidence
        out = [
            '<section id="diagnostics"><h2>Diagnostics <span lang="zh-CN">诊断</span>: problems, strategies and residents</h2>'
        ]
        if diag.empty:
            out.append('<p class="muted">No problem, strategy or goal coded.</p></section>')
            return "\n".join(out)

        def recs(kind: RecordKind, actor: str | None, value: str | None) -> pd.DataFrame:
            m = ev["kind"] == kind.value
            if actor is not None:
                m &= ev["actor"] == actor
            if value is not None:
                m &= ev["value"] == value
            return ev[m]

        measure = diag["measure"].astype(str)
        # problems and strategies: one row each, with the quotes behind it
        for prefix, kind, enum, title, caption in (
            ("problem:", RecordKind.PROBLEM, Problem, "Problems <span lang=\"zh-CN\">问题</span>",
             "Estimate (α0·m0 + Σ w·v)/(α0 + Σ w) over the problem's segments, per actor they name (else case-wide)."),
            ("strategy:", RecordKind.STRATEGY, Strategy, "Strategies <span lang=\"zh-CN\">策略</span>",
             "Weighted evidence Σ w·v for each agency strategy."),
        ):  # fmt: skip
            part = diag[measure.str.startswith(prefix)]
            if part.empty:
                continue
            out.append(f'<h3>{title}</h3><p class="caption">{caption}</p>')
            for r in part.itertuples():
                value = str(r.measure).removeprefix(prefix)
                scope = str(r.scope)
                segs = recs(kind, None if scope == "case" else scope, value)
                if scope == "case":
                    segs = segs[segs["actor"] == ""]
                who = (
                    '<span class="muted">case-wide</span>' if scope == "case" else self.actor(scope)
                )
                summary = (
                    f"{self.maybe_term(enum, value)} · {who} "
                    f'<span class="num">{_num(r.value)}</span> '
                    f'<span class="muted">n = {_int(r.n_records)}, T = {_int(r.triangulation)}</span>'
                    + (
                        ' <span class="badge warn">single source</span>'
                        if _int(r.triangulation) < self.a.params.min_triangulation
                        else ""
                    )
                )
                out.append(self.details(summary, self.quotes(segs, what="value"), cls="block"))
        # goals: a profile per actor, its resident alignment and lean, then its quotes
        goal_part = diag[measure.str.startswith("goal:")]
        if not goal_part.empty:
            out.append('<h3>Goals and residents <span lang="zh-CN">目标与居民</span></h3>')
            out.append(
                '<p class="caption">Goal profile: each goal&#x27;s share of the actor&#x27;s weighted goal '
                "evidence. Resident alignment: cosine similarity with the residents' reference "
                "(resident benefit = service quality = 1). Task lean (government actors): share of "
                "goal weight on trouble-free completion and impressions against quality and resident "
                "benefit. Low alignment on both sides of a dyad: the relationship can serve both "
                "while residents lose out.</p>"
            )
            goals = list(Goal)
            scopes = list(dict.fromkeys(goal_part["scope"].astype(str)))
            head = [
                "Actor",
                *(f"{html.escape(g.en)}<br>{self.zh(g.zh)}" for g in goals),
                "Resident alignment",
                "Task lean",
            ]
            rows = []
            for scope in scopes:
                mine = diag[diag["scope"].astype(str) == scope]
                vals = dict(zip(mine["measure"].astype(str), mine["value"], strict=True))
                rows.append(
                    [
                        self.actor(scope),
                        *(self._share(vals.get(f"goal:{g.value}")) for g in goals),
                        f'<span class="num">{_num(vals.get("resident_alignment"))}</span>',
                        f'<span class="num">{_num(vals.get("task_quality_lean"))}</span>',
                    ]
                )
            out.append(f'<div class="scroll">{_table(head, rows, cls="goals")}</div>')
            dyad_rows = diag[measure == "dyad_resident_alignment"]
            if not dyad_rows.empty:
                out.append(
                    _table(
                        ["Dyad", "Best resident alignment of the two", "n", "T"],
                        (
                            [
                                self.dyad(*str(r.scope).split("/", 1))
                                if "/" in str(r.scope)
                                else self.e(r.scope),
                                f'<span class="num">{_num(r.value)}</span>',
                                str(_int(r.n_records)),
                                str(_int(r.triangulation)),
                            ]
                            for r in dyad_rows.itertuples()
                        ),
                        cls="compact",
                    )
                )
            for scope in scopes:
                rows_ev = recs(RecordKind.GOAL, scope, None)
                summary = f'Goal quotes of {self.actor(scope)} <span class="muted">({len(rows_ev)} segment(s))</span>'
                out.append(self.details(summary, self.quotes(rows_ev, what="value"), cls="block"))
        out.append("</section>")
        return "\n".join(out)

    def _share(self, v: Any) -> str:
        if v is None:
            return '<span class="muted">–</span>'
        f = float(v)
        return (
            f'<span class="share"><span style="width:{max(0.0, min(1.0, f)) * 100:.0f}%"></span></span>'
            f'<span class="num">{_num(f)}</span>'
        )

    def evidence(self) -> str:
        inputs = self.a.inputs
        ev = self.a.evidence
        origins = self.a.input_origins
        out = [
            '<section id="evidence"><h2>Evidence behind every input <span lang="zh-CN">证据</span></h2>'
        ]
        out.append(
            '<p class="caption">One entry per (dependent → provider, resource, stage) tuple. I: '
            "importance, S: availability of alternatives (N = 1 − S), X: the provider's discretion, "
            "each the posterior mean of its segments (prior 0.5 without any); D = I<sup>wI</sup>·N<sup>wN</sup>·X<sup>wX</sup>. "
            "T: distinct informant groups (documents and observations one each); T &lt; "
            f"{self.a.params.min_triangulation} is flagged single source. Open an entry for its quotes.</p>"
        )
        out.append(
            '<p class="tools"><button type="button" data-details="open">Open all</button> '
            '<button type="button" data-details="close">Close all</button></p>'
        )
        if self.records_note is not None:
            line, log = self.records_note
            out.append(
                f'<p class="records-import">{self.e(line)}. Import log: '
                f'<a href="{html.escape(log)}">{self.e(log)}</a></p>'
            )
        if inputs.empty:
            out.append('<p class="muted">No dependence coded.</p>')
        dep = ev[ev["kind"] == RecordKind.DEPENDENCE.value] if len(ev) else ev
        dim_rank = {d.value: i for i, d in enumerate(_DIMS)}
        for r in inputs.itertuples():
            key = (str(r.dependent), str(r.provider), str(r.resource), str(r.stage))
            rows = (
                dep[
                    (dep["dependent"] == key[0])
                    & (dep["provider"] == key[1])
                    & (dep["resource"] == key[2])
                    & (dep["stage"] == key[3])
                ]
                if len(dep)
                else dep
            )
            if len(rows):
                rows = (
                    rows.assign(_dim=rows["dimension"].map(dim_rank))
                    .sort_values(["_dim", "row"])
                    .drop(columns="_dim")
                )
            orig = (
                origins[
                    (origins["dependent"] == key[0])
                    & (origins["provider"] == key[1])
                    & (origins["resource"] == key[2])
                    & (origins["stage"] == key[3])
                ]
                if len(origins)
                else origins
            )
            stage = _term(Stage, key[3])
            single = bool(r.single_source)
            summary = (
                f'{self.actor(key[0])} <span class="arrow">→</span> {self.actor(key[1])} · '
                f"{self.maybe_term(Resource, key[2])} · {self.term(stage) if stage else self.e(key[3])} "
                f'<span class="kv">D <b>{_num(r.d)}</b></span>'
                f'<span class="kv">n {_int(r.n_records)}</span><span class="kv">T {_int(r.triangulation)}</span>'
                + (' <span class="badge warn">single source</span>' if single else "")
                + (' <span class="badge info">from records</span>' if len(orig) else "")
            )
            dims = []
            for d in _DIMS:
                n_d = int((rows["dimension"] == d.value).sum()) if len(rows) else 0
                o = orig[orig["dimension"] == d.value] if len(orig) else orig
                basis = f'<div class="basis">{self.e(o.iloc[0]["basis"])}</div>' if len(o) else ""
                how = (
                    "purchase or grant records"
                    if len(o)
                    else (f"{n_d} segment(s)" if n_d else "prior (no segment)")
                )
                dims.append(
                    [
                        f"{_DIM_SYMBOL[d]} · {self.term(d)}",
                        f'<span class="num">{_num(getattr(r, d.value))}</span>',
                        self.e(how) + basis,
                    ]
                )
            body = _table(["Dimension", "Estimate", "Based on"], dims, cls="compact dims")
            overridden = [str(d) for d in orig["dimension"]] if len(orig) else []
            body += self.quotes(rows, overridden=overridden) if len(rows) or not len(orig) else ""
            key_attr = html.escape("|".join(key))
            out.append(
                self.details(summary, body, cls="block input", attrs=f' data-input="{key_attr}"')
            )
        out.append("</section>")
        return "\n".join(out)

    def leftover(self) -> str:
        ev = self.a.evidence
        rest = ev[~ev.index.isin(sorted(self.shown))] if len(ev) else ev
        if rest.empty:
            return ""
        return (
            '<h3>Other coded segments</h3><p class="caption">Segments that feed no table above '
            "(for example a problem or strategy without the actor it needs).</p>"
            + self.quotes(rest, what="value")
        )

    def method(self, leftover: str) -> str:
        p = self.a.params.as_dict()
        rows = [
            [
                f"<code>{html.escape(k)}</code>",
                f'<span class="num">{html.escape(_param(v))}</span>',
                html.escape(PARAMETER_DOCS.get(k, "")),
            ]
            for k, v in p.items()
        ]
        return (
            '<section id="method"><h2>How to read this report <span lang="zh-CN">阅读说明</span></h2>\n'
            + leftover
            + _METHOD
            + self.agreement_table()
            + self.details(
                "Parameters used",
                _table(["Parameter", "Value", "Meaning"], rows, cls="compact"),
                cls="block",
                attrs=' id="parameters"',
            )
            + "</section>"
        )

    def agreement_table(self) -> str:
        if self.agreement is None:
            return ""
        if not len(self.agreement):
            return (
                '<p class="method"><b>Coder agreement.</b> Several coders coded this project; '
                "no code family fell below the agreement threshold (Krippendorff's α).</p>"
            )
        rows = [
            [
                self.e(r.family),
                f'<span class="num">{_num(r.alpha)}</span>',
                self.e(r.n),
                f'<span class="num">{_num(r.threshold, 3)}</span>',
            ]
            for r in self.agreement.itertuples()
        ]
        return (
            '<p class="method"><b>Coder agreement.</b> Code families whose Krippendorff\'s α '
            "(nominal) between coders fell below the threshold:</p>"
            + _table(["Code family", "α", "n", "threshold"], rows, cls="compact")
        )

    def footer(self) -> str:
        p = self.a.params
        return (
            f"Generated by resdep {self.e(_version())} from case <code>{self.e(self.case.id)}</code>; "
            f"seed {p.seed}, {p.draws:,} draws. The same case, parameters and seed give the same page."
        )


def _param(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _version() -> str:
    try:
        return metadata.version("resdep")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "unknown"


_METHOD = """
<div class="method">
<p><b>From quotes to inputs.</b> Each coded segment is a judgement (intensity 0–3, read as
v = intensity/3) about one dimension of one dependence: importance I, availability of
alternatives S, or the provider's discretion X. Segments are weighted (direct, document and
observation 1, second-hand 0.5; a self-serving claim — the informant's own organisation is
the provider and the claim raises dependence on it — ×0.7, a claim against that interest is not
discounted, and a <code>self_serving</code> cell overrides the rule) and pooled with a prior of 0.5 worth two segments.</p>
<p><b>Dependence.</b> D(i→j, r, s) = I<sup>wI</sup>·(1 − S)<sup>wN</sup>·X<sup>wX</sup> per resource; resources combine by
noisy-OR into D(i→j, s). For a dyad, PA = D_ag − D_ga is the government actor's power advantage;
the stage state is <i>interdependent</i> (both ≥ θ_D, |PA| ≤ θ_PI), <i>government dominant</i>,
<i>agency dominant</i> or <i>weak</i>.</p>
<p><b>Relationship type.</b> RI (mean MDmin), GP (governance philosophy), IA (goal alignment)
and dep (max D_ag) are calibrated (Ragin's direct method) into memberships of partnership
<span lang="zh-CN">伙伴关系</span> and buddy <span lang="zh-CN">伙计关系</span> (official-centred
philosophy <i>and</i> diverging interests); a label needs membership above the threshold, else
<i>transactional</i>; when the government's philosophy, either side's goals or the dependence
records are missing the label is <i>undetermined</i> <span lang="zh-CN">待定</span>. Uncertainty:
every dimension estimate, GP and the goal weights behind IA are drawn from their Beta posteriors
and pushed through the same steps; P is the share of draws per label, and a result is
<i>settled</i> only when it is also the most frequent label and P reaches the settle
threshold.</p>
<p><b>Caveats.</b> Numbers are only as good as the coding: read the quotes, check single-source
inputs, and try other parameters (<code>resdep analyze CASE --set theta_pi=0.3</code>).</p>
</div>
"""

_SCRIPT = """
document.querySelectorAll('button[data-details]').forEach(function (b) {
  b.addEventListener('click', function () {
    var open = b.getAttribute('data-details') === 'open';
    document.querySelectorAll('#evidence details, #diagnostics details, #philosophy details')
      .forEach(function (d) { d.open = open; });
  });
});
window.addEventListener('beforeprint', function () {
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
});
document.documentElement.setAttribute('data-report-ready', '1');
"""

_CSS = Template(
    """
:root { --gov: $gov; --agency: $agency; --other: $other; --partnership: $partnership;
  --buddy: $buddy; --transactional: $transactional; --ink: #1d2329; --muted: #66707a;
  --rule: #dde2e6; --bg-soft: #f5f7f8; }
* { box-sizing: border-box; }
html { font-family: $fonts; color: var(--ink); background: #fff; line-height: 1.5;
  font-size: 15px; }
body { margin: 0; }
header, nav, main, footer { max-width: 1120px; margin: 0 auto; padding: 0 28px; }
header { padding-top: 28px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--muted);
  margin: 0; }
h1 { font-size: 28px; line-height: 1.25; margin: 6px 0 2px; }
.title-zh { font-size: 20px; margin: 0 0 10px; color: #333; }
h2 { font-size: 21px; margin: 40px 0 10px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 26px 0 8px; }
h2 span[lang], h3 span[lang] { color: var(--muted); font-weight: normal; }
.banner { background: #fff4d6; border-left: 5px solid #e0a400; padding: 10px 14px; margin: 12px 0; }
.banner.alert { background: #fdecea; border-left-color: #c0392b; }
.banner ul { margin: 6px 0 0; padding-left: 1.2em; }
.description { max-width: 78ch; color: #333; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 14px 0 0; padding: 12px 14px;
  background: var(--bg-soft); border-radius: 6px; font-size: 13px; }
.facts div { display: flex; gap: 6px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; }
nav { position: sticky; top: 0; background: rgba(255,255,255,.96); border-bottom: 1px solid var(--rule);
  padding-top: 8px; padding-bottom: 8px; z-index: 2; display: flex; flex-wrap: wrap; gap: 4px 16px;
  font-size: 14px; }
nav a { color: var(--ink); text-decoration: none; border-bottom: 2px solid transparent; }
nav a:hover { border-bottom-color: var(--gov); }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0 4px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--rule); }
th { font-weight: 600; background: var(--bg-soft); font-size: 12px; }
tbody tr:nth-child(even) td { background: #fbfcfc; }
.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: var(--muted); }
.ci { white-space: nowrap; }
.scroll { overflow-x: auto; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .92em; }
code.id { color: var(--muted); font-size: .82em; }
.actor { white-space: nowrap; }
.actor::before { content: ""; display: inline-block; width: .62em; height: .62em; border-radius: 50%;
  margin-right: .3em; background: var(--other); vertical-align: .05em; }
.actor.gov::before { background: var(--gov); }
.actor.agency::before { background: var(--agency); }
.arrow { color: var(--muted); }
.dot { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin: 0 .3em 0 .8em;
  vertical-align: -.05em; }
.dot.gov { background: var(--gov); } .dot.agency { background: var(--agency); } .dot.other { background: var(--other); }
.badge { display: inline-block; padding: 0 .5em; border-radius: 999px; font-size: 12px; line-height: 1.6;
  background: #e9ecef; white-space: nowrap; }
.badge.label-partnership { background: var(--partnership); color: #fff; }
.badge.label-buddy { background: var(--buddy); color: #fff; }
.badge.label-transactional { background: var(--transactional); color: #fff; }
.badge.warn { background: #fff0c2; color: #7a5200; }
.badge.unsettled { background: #fde2e1; color: #8a1c16; border: 1px dashed #8a1c16; }
.badge.label-undetermined { background: #eee; color: #333; border: 1px dashed #777; }
.missing { color: #8a1c16; }
.movers { font-size: 12px; color: var(--muted); }
.badge.info { background: #dcecf8; color: #0b4a75; }
.pbar { display: inline-flex; width: 90px; height: 10px; background: #eee; border-radius: 2px;
  overflow: hidden; vertical-align: middle; }
.pbar .seg { display: block; height: 100%; }
.seg.label-partnership { background: var(--partnership); } .seg.label-buddy { background: var(--buddy); }
.seg.label-transactional { background: var(--transactional); }
.share { display: inline-block; width: 38px; height: 8px; background: #eee; margin-right: 4px;
  vertical-align: middle; }
.share span { display: block; height: 100%; background: var(--gov); }
.findings { padding-left: 1.2em; }
.findings li { margin: 4px 0; }
.caption, figcaption { color: var(--muted); font-size: 13px; max-width: 90ch; }
figure.fig { margin: 10px 0 6px; }
figure.fig svg { display: block; width: 100%; max-width: 820px; height: auto; }
.legend { font-size: 13px; }
.state { white-space: nowrap; }
.state-government_dominant { color: var(--gov); font-weight: 600; }
.state-agency_dominant { color: #a86a00; font-weight: 600; }
.state-interdependent { color: var(--partnership); font-weight: 600; }
.state-weak { color: var(--muted); }
details.block { border: 1px solid var(--rule); border-radius: 6px; margin: 6px 0; background: #fff; }
details.block > summary { cursor: pointer; padding: 7px 10px; list-style-position: inside; }
details.block[open] > summary { border-bottom: 1px solid var(--rule); background: var(--bg-soft); }
details.block > :not(summary) { margin-left: 10px; margin-right: 10px; width: calc(100% - 20px); }
.kv { margin-left: 10px; font-size: 13px; color: #333; font-variant-numeric: tabular-nums; }
table.quotes td:first-child { width: 40%; }
table.quotes td:nth-child(3) { white-space: nowrap; }
table.dims td:first-child { white-space: nowrap; }
table.summary td:first-child { min-width: 13em; }
table.summary td, table.summary th { padding: 5px 6px; }
q { quotes: "“" "”"; font-size: 14px; }
q[lang="zh-CN"] { quotes: "「" "」"; }
.note { color: var(--muted); font-size: 12px; margin-top: 3px; }
.basis { color: #0b4a75; font-size: 12px; }
table.compact { width: auto; min-width: 50%; }
.tools button { font: inherit; font-size: 13px; padding: 3px 10px; border: 1px solid var(--rule);
  background: #fff; border-radius: 4px; cursor: pointer; }
.method { max-width: 85ch; font-size: 14px; }
footer { margin-top: 48px; padding-top: 14px; padding-bottom: 40px; border-top: 1px solid var(--rule);
  color: var(--muted); font-size: 12px; }
@media print { nav, .tools { display: none; } h2 { break-after: avoid; } figure { break-inside: avoid; } }
"""
)

_PAGE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="resdep">
<title>$title · resdep report</title>
<style>$css</style>
</head>
<body>
<header>
$header
</header>
<nav aria-label="Sections">$nav</nav>
<main>
$sections
</main>
<footer>$footer</footer>
<script>$script</script>
</body>
</html>
"""
)
