"""The HTML report of an analysis: one self-contained page to put in front of colleagues.

The page is rendered from Jinja2 templates (``resdep/templates/report.html`` on the
shared ``_base.html``) through :func:`resdep.templating.environment`, which escapes every
piece of text; this module only prepares the data. The page holds its CSS, its figures
(inline SVG) and one small script (allowed by its hash in the page's content security
policy) for the "open all" buttons and the quote filters; it loads nothing from anywhere,
so it opens from a USB stick, an e-mail attachment or an air-gapped machine.

The page speaks one language, Chinese (``lang="zh"``) or English (``lang="en"``): the
default comes from :func:`resdep.lang.resolve_lang` (case language, then locale). Terms
are the vocabulary's own labels (:mod:`resdep.vocab`). With ``pseudonymise=True``
informant ids become P1, P2, … and roles R1, R2, … (in the order of ``case.toml``),
everywhere on the page, quotes and notes included.

Every number of the page links to the list of the coded segments behind it
(``#ev-N``); the list of all quotes (``#quotes``) shows each one in the sentence around it
with the coded span marked, its informant and stage, and can be filtered by both.

Examples
--------
>>> from resdep import analyze, load_case, founding_case_path
>>> result = analyze(load_case(founding_case_path()), draws=200)
>>> page = render_report(result, pseudonymise=True, lang="en")
>>> "I01" in page, "<svg" in page
(False, True)
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from resdep.classify import LABEL_ORDER
from resdep.lang import Lang, case_language, resolve_lang
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
from resdep.templating import environment
from resdep.textio import atomic_write_text
from resdep.vocab import (
    CaseSourceKind,
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

__all__ = [
    "PARAMETER_TEXT",
    "TYPOLOGY_ZH",
    "missing_evidence_text",
    "mover_text",
    "quote_context",
    "render_report",
    "write_report",
]

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
_SENTENCE_END = "。！？!?.;；\n"
_CONTEXT = 80  # code points at most on each side of a quote, within its sentence

#: What each parameter means, in the report's own words (English, Chinese).
PARAMETER_TEXT: dict[str, tuple[str, str]] = {
    "prior_mean": (
        "m0, the value every estimate starts from before any coded segment",
        "m0，任何编码片段之前每个估计的起始值（先验均值）",
    ),
    "prior_strength": (
        "α0, how many segments the starting value is worth",
        "α0，先验相当于多少个编码片段",
    ),
    "w_direct": ("weight of a direct statement", "直接陈述的权重"),
    "w_document": ("weight of a document", "文件的权重"),
    "w_observation": ("weight of an observation", "观察的权重"),
    "w_second_hand": ("weight of a second-hand statement", "转述的权重"),
    "self_serving": (
        "multiplier (0–1) for a self-serving claim: the informant's organisation is the "
        "provider and the claim raises dependence on it",
        "自利陈述的折扣系数（0–1）：受访者所在组织是资源提供方，且陈述抬高了对它的依赖",
    ),
    "min_triangulation": (
        "fewer distinct informant groups than this marks an input as single-source",
        "不同受访者群体少于此数时，该输入标为单一来源",
    ),
    "w_importance": (
        "wI, exponent of importance I in D",
        "wI，依赖度 D 中重要性 I 的指数",
    ),
    "w_alternatives": (
        "wN, exponent of non-substitutability 1 − S in D",
        "wN，依赖度 D 中不可替代性 1 − S 的指数",
    ),
    "w_discretion": ("wX, exponent of discretion X in D", "wX，依赖度 D 中支配权 X 的指数"),
    "theta_d": (
        "θ_D, the dependence both sides need for a stage to count as interdependent",
        "θ_D，双方都达到此依赖度，阶段才算相互依赖",
    ),
    "theta_pi": (
        "θ_PI, the largest |PA| at which neither side dominates",
        "θ_PI，|PA| 不超过此值时任何一方都不占主导",
    ),
    "anchor_low": (
        "calibration anchor: at or below it a measure is fully out of the set",
        "校准锚点：不高于此值即完全不隶属",
    ),
    "anchor_mid": (
        "calibration anchor: the crossover point (membership 0.5)",
        "校准锚点：交叉点（隶属度 0.5）",
    ),
    "anchor_high": (
        "calibration anchor: at or above it a measure is fully in the set",
        "校准锚点：不低于此值即完全隶属",
    ),
    "label_threshold": ("membership a label must exceed", "标签所需超过的隶属度"),
    "buddy_rule": (
        '"and": official-centred philosophy and diverging interests; "or": either',
        "“and”：官本位理念且利益不一致；“or”：二者之一即可",
    ),
    "settle_threshold": (
        "P(label) or P(state) a result needs, besides being the most frequent, to be settled",
        "结果除须为最常见者外，P(标签) 或 P(状态) 还须达到此值才算确定",
    ),
    "draws": ("Monte Carlo draws from the posteriors", "从后验分布抽取的蒙特卡洛次数"),
    "seed": ("seed of the Monte Carlo draws", "蒙特卡洛抽样的随机种子"),
}

_RULES_ZH = {
    "automatic: own organisation is the provider and the claim raises dependence on it": (
        "自动判定：受访者所在组织是提供方，且陈述抬高了对它的依赖"
    ),
    "automatic: own organisation is the provider but the claim is against its interest": (
        "自动判定：受访者所在组织是提供方，但陈述不利于它"
    ),
    "coded yes (self_serving column)": "编码为是（self_serving 列）",
    "coded no (self_serving column)": "编码为否（self_serving 列）",
}


def write_report(
    analysis: Analysis,
    path: str | Path,
    *,
    figures_dir: str | Path | None = None,
    pseudonymise: bool = False,
    agreement: pd.DataFrame | None = None,
    records_note: tuple[str, str] | None = None,
    lang: str | None = None,
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
    lang
        ``"zh"`` or ``"en"``; None: :func:`resdep.lang.resolve_lang` (case, locale).

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
            lang=lang,
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
    lang: str | None = None,
) -> str:
    """The report as a string (see :func:`write_report`).

    Examples
    --------
    >>> from resdep import analyze, load_case, founding_case_path
    >>> result = analyze(load_case(founding_case_path()), draws=200)
    >>> page = render_report(result, lang="zh")
    >>> page.count('<section id="'), "http://" in page or "https://" in page
    (9, False)
    """
    chosen = resolve_lang(lang, case_language(analysis.case))
    figures = {
        name: inline_svg(doc, prefix=name.replace("_", "-"))
        for name, doc in render_figures(analysis, figures_dir, lang=chosen).items()
    }
    report = _Report(analysis, figures, pseudonymise=pseudonymise, agreement=agreement, lang=chosen)
    report.records_note = records_note
    return report.page()


# --- helpers ------------------------------------------------------------------------------


def _missing(x: Any) -> bool:
    return x is None or x == "" or bool(pd.isna(x))


def _int(x: Any) -> int:
    return int(x)


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


def _term(kind: type[Any], value: Any) -> Any:
    try:
        return kind(str(value))
    except ValueError:
        return None


def _param(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _version() -> str:
    try:
        return metadata.version("resdep")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "unknown"


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def missing_evidence_text(text: str, lang: str) -> str:
    """The pipeline's "missing evidence" list (``relationships.csv``) in a language.

    Examples
    --------
    >>> missing_evidence_text("philosophy of nc_a; goals of agency", "zh")
    'nc_a 的治理理念；agency 的目标'
    """
    if lang != "zh" or not text:
        return text
    parts = []
    for part in text.split("; "):
        if m := re.fullmatch(r"philosophy of (.+)", part):
            parts.append(f"{m.group(1)} 的治理理念")
        elif m := re.fullmatch(r"goals of (.+)", part):
            parts.append(f"{m.group(1)} 的目标")
        elif m := re.fullmatch(r"dependence records between (.+) and (.+)", part):
            parts.append(f"{m.group(1)} 与 {m.group(2)} 之间的依赖记录")
        else:
            parts.append(part)
    return "；".join(parts)


#: Chinese names of the secondary typologies' types (not part of the vocabulary).
TYPOLOGY_ZH: dict[str, str] = {
    "cooperation": "合作",
    "complementarity": "互补",
    "co-optation": "吸纳",
    "confrontation": "对抗",
    "collaborative partnership": "合作伙伴型",
    "collaborative vendor": "合作卖方型",
    "undetermined": Label.UNDETERMINED.zh,
}
_VALUE_KINDS: dict[str, type[Any]] = {
    "philosophy": Philosophy,
    "goal": Goal,
    "problem": Problem,
    "strategy": Strategy,
}


def mover_text(what: str, lang: str) -> str:
    """A coding as ``Analysis.influence`` describes it, in a language (ids kept).

    Examples
    --------
    >>> mover_text("philosophy of street: cooperative = 2", "zh")
    'street 的治理理念：共治理念 = 2'
    >>> mover_text("agency on street, economic importance = 3 (closing)", "zh")
    'agency 依赖 street：经济资源 重要性 = 3（结项）'
    """
    if lang != "zh":
        return what
    if m := re.fullmatch(r"(\S+) on (\S+), (\w*) (\w*) = (\S+) \((\w*)\)", what):
        dep, prov, res, dim, n, stage = m.groups()

        def zh(kind: type[Any], v: str) -> str:
            t = _term(kind, v)
            return str(t.zh) if t is not None else v

        return f"{dep} 依赖 {prov}：{zh(Resource, res)} {zh(Dimension, dim)} = {n}（{zh(Stage, stage)}）"
    if m := re.fullmatch(r"(\w+) of (\S+): (\S+) = (\S+)", what):
        kind, actor, value, n = m.groups()
        k = _term(RecordKind, kind)
        enum = _VALUE_KINDS.get(kind)
        v = _term(enum, value) if enum is not None else None
        return f"{actor} 的{k.zh if k else kind}：{v.zh if v else value} = {n}"
    return what


def quote_context(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The text before a coded span within its sentence, the span, and the text after
    (each side at most 80 code points, cut at a sentence end).

    Examples
    --------
    >>> quote_context("第一句。我们的钱全靠街道。第三句。", 4, 12)
    ('', '我们的钱全靠街道', '。')
    >>> quote_context("abc. Here is the span inside. Next", 13, 17)
    ('Here is ', 'the ', 'span inside.')
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    lo = max(0, start - _CONTEXT)
    left = text[lo:start]
    cut = max(left.rfind(c) for c in _SENTENCE_END)
    if cut >= 0:
        left = left[cut + 1 :].lstrip()
    hi = min(len(text), end + _CONTEXT)
    right = text[end:hi]
    stops = [i for i in (right.find(c) for c in _SENTENCE_END) if i >= 0]
    if stops:
        right = right[: min(stops) + 1]
        if right.endswith("\n"):
            right = right[:-1]
    return left, text[start:end], right


class _Report:
    """Prepares the page's data; holds the pseudonymising rules, the language, what was
    shown and the sets of records behind every number."""

    def __init__(
        self,
        analysis: Analysis,
        figures: Mapping[str, str],
        *,
        pseudonymise: bool,
        agreement: pd.DataFrame | None = None,
        lang: Lang = "en",
    ):
        self.lang: Lang = lang
        self.zh = lang == "zh"
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
        self.evsets: dict[tuple[int, ...], str] = {}
        # the rules live in resdep.report.pseudonym (ids inside ids, any case for Latin)
        self.scrub = Pseudonymiser.for_case(self.case) if pseudonymise else None
        self.pseudonyms, self.roles = self.scrub.tables if self.scrub else ({}, {})
        self._index_evidence()

    # language ------------------------------------------------------------------------------

    def t(self, en: str, zh: str) -> str:
        """The text in the report's language."""
        return zh if self.zh else en

    def label(self, kind: type[Any], value: Any) -> str:
        """A vocabulary term in the report's language; the raw value when it is not one."""
        term = _term(kind, value) if not _missing(value) else None
        if term is None:
            return self.text(value)
        return str(term.zh if self.zh else term.en)

    def missing_text(self, missing: Any) -> str:
        """The pipeline's "missing evidence" list in the report's language (ids kept)."""
        return missing_evidence_text(self.text(missing), self.lang)

    def typology(self, value: Any) -> str:
        """A type of Najam's 4C or Gidron–Kramer–Salamon in the report's language."""
        text = self.text(str(value).replace("_", " "))
        return TYPOLOGY_ZH.get(text, text) if self.zh else text

    # text ------------------------------------------------------------------------------

    def text(self, value: Any) -> str:
        """A piece of case text, pseudonymised if asked (escaped by the template)."""
        s = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
        if self.scrub is not None:
            s = self.scrub.apply(s)
        return s

    def actor_info(self, actor_id: Any) -> dict[str, Any]:
        """What the template needs to show an actor: side, name, its language, id, title."""
        aid = str(actor_id)
        a = self.actors.get(aid)
        if a is None:
            return {"known": False, "id": self.text(aid)}
        if a.is_government:
            side = "gov"
        elif a.kind.value == "social_work_agency":
            side = "agency"
        else:
            side = "other"
        first, second = (a.name_zh, a.name) if self.zh else (a.name, a.name_zh)
        name = first or second or ""
        other = second if first else ""
        return {
            "known": True,
            "side": side,
            "id": self.text(aid),
            "name": self.text(name),
            "name_zh": bool(name) and bool(_CJK.search(name)),
            "title": self.text(other or (a.kind.zh if self.zh else a.kind.en)),
        }

    def informant(self, informant_id: Any) -> str:
        iid = str(informant_id or "")
        return self.text(self.pseudonyms.get(iid, iid)) if iid else ""

    def role(self, role: Any) -> str:
        r = str(role or "")
        if self.scrub is not None and r:
            return self.roles.get(r, "R?")
        return r

    # evidence sets ------------------------------------------------------------------------

    def _index_evidence(self) -> None:
        ev = self.a.evidence
        self.positions = list(range(len(ev)))
        cols = {c: ev[c].fillna("").astype(str).tolist() if len(ev) else [] for c in ev.columns}
        self.cols = cols

    def rows_where(self, **conditions: str | Iterable[str]) -> list[int]:
        """Positions of the evidence rows whose columns equal (or lie in) the values."""
        out = []
        for i in self.positions:
            ok = True
            for col, want in conditions.items():
                v = self.cols[col][i]
                if isinstance(want, str):
                    if v != want:
                        ok = False
                        break
                elif v not in want:
                    ok = False
                    break
            if ok:
                out.append(i)
        return out

    def evset(self, rows: Iterable[int]) -> str:
        """The id of the element listing these evidence rows ("" when there are none)."""
        key = tuple(sorted(set(rows)))
        if not key:
            return ""
        if key not in self.evsets:
            self.evsets[key] = f"ev-{len(self.evsets) + 1}"
        return self.evsets[key]

    def dependence_rows(
        self, dependent: str, provider: str, stage: str | None = None, resource: str | None = None
    ) -> list[int]:
        cond: dict[str, str] = {
            "kind": RecordKind.DEPENDENCE.value,
            "dependent": dependent,
            "provider": provider,
        }
        if stage is not None:
            cond["stage"] = stage
        if resource is not None:
            cond["resource"] = resource
        return self.rows_where(**cond)

    def dyad_rows(self, agency: str, government: str, stage: str | None = None) -> list[int]:
        """Dependence records between the two, both directions (at one stage if given)."""
        return self.dependence_rows(agency, government, stage) + self.dependence_rows(
            government, agency, stage
        )

    def relationship_rows(self, agency: str, government: str) -> list[int]:
        """Every record bearing on a dyad's type: dependence between them, the government's
        philosophy, both sides' goals."""
        return (
            self.dyad_rows(agency, government)
            + self.rows_where(kind=RecordKind.PHILOSOPHY.value, actor=government)
            + self.rows_where(kind=RecordKind.GOAL.value, actor=(agency, government))
        )

    # quotes --------------------------------------------------------------------------------

    def quote_rows(
        self, rows: pd.DataFrame, *, what: str = "dimension", overridden: Iterable[str] = ()
    ) -> list[dict[str, Any]]:
        """The quotes of some evidence rows, with provenance, for the quote tables.

        ``overridden``: dimensions taken from records, whose segments did not count.
        """
        by_records = set(overridden)
        out = []
        for r in rows.itertuples():
            self.shown.add(_int(r.Index))
            if what == "dimension":
                coded = self.label(Dimension, r.dimension)
                by_rec = str(r.dimension) in by_records
            else:
                coded = self._value_term(str(r.kind), r.value)
                by_rec = False
            rule = "" if _missing(r.self_serving_rule) else str(r.self_serving_rule)
            if self.zh:
                rule = _RULES_ZH.get(rule, rule)
            quote = self.text(r.quote)
            out.append(
                {
                    "quote": quote,
                    "cjk": bool(_CJK.search(quote)),
                    "note": self.text(r.note) if str(r.note or "").strip() else "",
                    "informant": self.informant(r.informant) if r.informant else "",
                    "role": self.text(self.role(r.role)),
                    "organisation": str(r.organisation or ""),
                    "no_informant": self._no_informant(str(r.source)),
                    "source": self.text(r.source),
                    "start": _int(r.start),
                    "end": _int(r.end),
                    "coded": coded,
                    "by_records": by_rec,
                    "intensity": "" if _missing(r.intensity) else f"{_int(r.intensity)}/3",
                    "evidence": self.label(EvidenceType, r.evidence),
                    "weight": r.weight,
                    "self_serving": bool(r.self_serving),
                    "rule": self.text(rule),
                    "record": _int(r.Index),
                }
            )
        return out

    def _no_informant(self, source_id: str) -> str:
        """What a source without informant is (a field note, a document)."""
        kind = next((src.kind for src in self.case.sources if src.id == source_id), None)
        if kind is None:
            return self.t("no informant", "无受访者")
        if kind is CaseSourceKind.FIELDNOTE and not self.zh:
            return "field note"
        return str(kind.zh if self.zh else kind.en)

    def _value_term(self, kind: str, value: Any) -> str:
        enum: type[Any] | None = {
            RecordKind.PHILOSOPHY.value: Philosophy,
            RecordKind.GOAL.value: Goal,
            RecordKind.PROBLEM.value: Problem,
            RecordKind.STRATEGY.value: Strategy,
        }.get(kind)
        return self.label(enum, value) if enum is not None else self.text(value)

    def all_quotes(self) -> list[dict[str, Any]]:
        """Every coded segment with its sentence around it, for the quote list."""
        ev = self.a.evidence
        texts = {s.id: s.text for s in self.case.sources}
        out = []
        for i, r in enumerate(ev.itertuples()):
            source = str(r.source)
            start, end = _int(r.start), _int(r.end)
            if source in texts:
                before, span, after = quote_context(texts[source], start, end)
            else:
                before, span, after = "", str(r.quote), ""
            stage = "" if _missing(r.stage) else str(r.stage)
            informant = self.informant(r.informant) if r.informant else ""
            out.append(
                {
                    "id": f"rec-{i}",
                    "row": "" if _missing(r.row) else _int(r.row),
                    "before": self.text(before),
                    "span": self.text(span),
                    "after": self.text(after),
                    "cjk": bool(_CJK.search(span)),
                    "source": self.text(source),
                    "start": start,
                    "end": end,
                    "informant": informant,
                    "who": informant or self._no_informant(source),
                    "organisation": str(r.organisation or ""),
                    "stage": stage,
                    "stage_label": self.label(Stage, stage)
                    if stage
                    else self.t("no stage", "无阶段"),
                    "kind": self.label(RecordKind, r.kind),
                }
            )
        return out

    def filters(self, quotes: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
        informants = sorted({q["informant"] for q in quotes if q["informant"]})
        stages = [s.value for s in Stage if any(q["stage"] == s.value for q in quotes)]
        return {
            "informants": [(i, i) for i in informants],
            "stages": [(s, self.label(Stage, s)) for s in stages]
            + ([("", self.t("no stage", "无阶段"))] if any(not q["stage"] for q in quotes) else []),
        }

    # sections -------------------------------------------------------------------------------

    def header(self) -> dict[str, Any]:
        c = self.case
        p = self.a.params
        n_single = (
            int(self.a.inputs["single_source"].astype(bool).sum()) if len(self.a.inputs) else 0
        )
        if self.zh:
            title, subtitle = c.title_zh or c.title or c.id, c.title if c.title_zh else ""
        else:
            title, subtitle = c.title or c.title_zh or c.id, c.title_zh if c.title else ""
        agreement = (
            [
                {"message": self.text(r.message), "n": self.text(r.n)}
                for r in self.agreement.itertuples()
            ]
            if self.agreement is not None
            else []
        )
        return {
            "title": self.text(title),
            "subtitle": self.text(subtitle or ""),
            "subtitle_zh": bool(_CJK.search(subtitle or "")),
            "synthetic": bool(c.synthetic),
            "agreement": agreement,
            "description": self.text(c.description or ""),
            "case_id": self.text(c.id),
            "n_actors": len(c.actors),
            "n_informants": len(c.informants),
            "pseudonymised": bool(self.pseudonyms),
            "n_sources": len(c.sources),
            "n_segments": len(self.a.evidence),
            "n_inputs": len(self.a.inputs),
            "n_single": n_single,
            "n_dyads": len(self.a.relationships),
            "draws": f"{p.draws:,}",
            "seed": p.seed,
            "theta_d": p.theta_d,
            "theta_pi": p.theta_pi,
            "n_params": len(p.as_dict()),
            "version": _version(),
        }

    def _unsettled(
        self, p: float, runner: tuple[str, float], kind: type[Label] | type[StageState]
    ) -> dict[str, Any]:
        name, p_ru = runner
        return {
            "p": p,
            "runner": self.label(kind, name) if name and math.isfinite(p_ru) else "",
            "p_runner": p_ru,
        }

    def relationships(self) -> dict[str, Any]:
        rel = self.a.relationships
        st = self.a.stages
        iv = self.a.intervals
        si = self.a.stage_intervals
        items = []
        for r in rel.itertuples():
            agency, gov = str(r.agency), str(r.government)
            label = str(r.label)
            undetermined = label == Label.UNDETERMINED.value
            mu = {"partnership": r.mu_partnership, "buddy": r.mu_buddy}.get(label)
            path = []
            part = st[(st["agency"] == r.agency) & (st["government"] == r.government)]
            for s in part.itertuples():
                unsettled = None
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
                    unsettled = self._unsettled(
                        _f(getattr(s, "p_state", math.nan)), runner, StageState
                    )
                stage_rows = self.dyad_rows(agency, gov, str(s.stage))
                path.append(
                    {
                        "stage": self.label(Stage, s.stage),
                        "state": self.label(StageState, s.state),
                        "pa": s.pa,
                        "p_state": getattr(s, "p_state", math.nan),
                        "ev": self.evset(stage_rows),
                        "unsettled": unsettled,
                    }
                )
            inf = self.a.influence
            movers = []
            if not undetermined and inf is not None and not inf.empty:
                mine = inf[(inf["agency"] == agency) & (inf["government"] == gov)]
                movers = [
                    {
                        "row": _int(m.row),
                        "what": self.text(mover_text(str(m.what), self.lang)),
                        "change": f"{_f(m.change):+.2f}",
                    }
                    for m in mine.itertuples()
                ]
            m = iv[(iv["agency"] == r.agency) & (iv["government"] == r.government)]

            def bound(col: str, m: pd.DataFrame = m) -> float:
                return _f(m.iloc[0][col]) if len(m) else math.nan

            rel_rows = self.relationship_rows(agency, gov)
            dep_rows = self.dyad_rows(agency, gov)
            gp_rows = self.rows_where(kind=RecordKind.PHILOSOPHY.value, actor=gov)
            ia_rows = self.rows_where(kind=RecordKind.GOAL.value, actor=(agency, gov))
            items.append(
                {
                    "agency": agency,
                    "government": gov,
                    "label": label,
                    "label_text": self.label(Label, label),
                    "known_label": _term(Label, label) is not None,
                    "undetermined": undetermined,
                    "missing": self.missing_text(r.missing_evidence),
                    "mu": mu,
                    "p_label": r.p_label,
                    "settled": _is_true(r.settled),
                    "unsettled": None
                    if _is_true(r.settled) or undetermined
                    else self._unsettled(_f(r.p_label), label_runner_up(r), Label),
                    "movers": movers,
                    "path": path,
                    "no_draws": any(
                        math.isnan(_f(getattr(r, f"p_{lab.value}"))) for lab in LABEL_ORDER
                    ),
                    "probs": [(lab.value, _f(getattr(r, f"p_{lab.value}"))) for lab in LABEL_ORDER],
                    "mu_p": (
                        r.mu_partnership,
                        bound("mu_partnership_lo"),
                        bound("mu_partnership_hi"),
                    ),
                    "mu_b": (r.mu_buddy, bound("mu_buddy_lo"), bound("mu_buddy_hi")),
                    "ri": r.ri,
                    "gp": r.gp,
                    "ia": r.ia,
                    "dep": r.dep,
                    "najam": self.typology(r.najam),
                    "gks": self.typology(r.gks),
                    "ev": self.evset(rel_rows),
                    "ev_dep": self.evset(dep_rows),
                    "ev_gp": self.evset(gp_rows),
                    "ev_ia": self.evset(ia_rows),
                }
            )
        return {
            "dyads": items,
            "label_heads": [self.label(Label, lab.value) for lab in LABEL_ORDER],
            "settle": self.a.params.settle_threshold,
        }

    def stages(self) -> list[dict[str, Any]]:
        st = self.a.stages
        si = self.a.stage_intervals
        band: dict[tuple[str, str, str], tuple[float, float, float]] = {}
        runners: dict[tuple[str, str, str], tuple[str, float]] = {}
        if len(si):
            for x in si.itertuples():
                key = (str(x.agency), str(x.government), str(x.stage))
                band[key] = (_f(x.pa_lo), _f(x.pa_hi), _f(x.p_state))
                if "runner_up" in si.columns:
                    runners[key] = (str(x.runner_up), _f(x.p_runner_up))
        rows = []
        for s in st.itertuples():
            key = (str(s.agency), str(s.government), str(s.stage))
            lo, hi, p_state = band.get(key, (math.nan,) * 3)
            ag = self.dependence_rows(key[0], key[1], key[2])
            ga = self.dependence_rows(key[1], key[0], key[2])
            rows.append(
                {
                    "agency": key[0],
                    "government": key[1],
                    "stage": self.label(Stage, s.stage),
                    "d_ag": s.d_ag,
                    "d_ga": s.d_ga,
                    "md": s.md,
                    "pa": s.pa,
                    "lo": lo,
                    "hi": hi,
                    "pi": s.pi,
                    "md_min": s.md_min,
                    "state": self.text(s.state),
                    "state_text": self.label(StageState, s.state),
                    "p_state": p_state,
                    "ev_ag": self.evset(ag),
                    "ev_ga": self.evset(ga),
                    "ev": self.evset(ag + ga),
                    "unsettled": None
                    if _is_true(getattr(s, "settled", True))
                    else self._unsettled(p_state, runners.get(key, ("", math.nan)), StageState),
                }
            )
        return rows

    def networks(self) -> list[dict[str, Any]]:
        inputs = self.a.inputs
        out = []
        for stage in Stage:
            sub = inputs[inputs["stage"] == stage.value]
            graph = self.a.networks.get(stage)
            edges = []
            if graph is not None:
                for dep, prov, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
                    part = sub[(sub["dependent"] == dep) & (sub["provider"] == prov)]
                    edges.append(
                        {
                            "dependent": str(dep),
                            "provider": str(prov),
                            "d": data.get("d"),
                            "ev": self.evset(
                                self.dependence_rows(str(dep), str(prov), stage.value)
                            ),
                            "resources": [
                                {
                                    "name": self.label(Resource, r.resource),
                                    "d": r.d,
                                    "single": bool(r.single_source),
                                    "ev": self.evset(
                                        self.dependence_rows(
                                            str(dep), str(prov), stage.value, str(r.resource)
                                        )
                                    ),
                                }
                                for r in part.sort_values("d", ascending=False).itertuples()
                            ],
                        }
                    )
            out.append(
                {
                    "id": stage.value,
                    "name": self.label(Stage, stage.value),
                    "figure": self.figure(f"network_{stage.value}"),
                    "edges": edges,
                }
            )
        return out

    def philosophy(self) -> list[dict[str, Any]]:
        ev = self.a.evidence
        rel = self.a.relationships
        gp = dict(zip(rel["government"], rel["gp"], strict=True)) if len(rel) else {}
        phil = ev[ev["kind"] == RecordKind.PHILOSOPHY.value] if len(ev) else ev
        out = []
        for actor in self.case.actors:
            if not actor.is_government:
                continue
            recs = phil[phil["actor"] == actor.id] if len(phil) else phil
            if recs.empty and actor.id not in gp:
                continue
            out.append(
                {
                    "actor": actor.id,
                    "gp": gp.get(actor.id),
                    "ev": self.evset(self.rows_where(kind="philosophy", actor=actor.id)),
                    "coop": int((recs["value"] == "cooperative").sum()) if len(recs) else 0,
                    "official": int((recs["value"] == "official").sum()) if len(recs) else 0,
                    "quotes": self.quote_rows(recs, what="value"),
                }
            )
        return out

    def diagnostics(self) -> dict[str, Any]:
        diag = self.a.diagnostics
        ev = self.a.evidence
        if diag.empty:
            return {"empty": True}

        def recs(kind: RecordKind, actor: str | None, value: str | None) -> pd.DataFrame:
            m = ev["kind"] == kind.value
            if actor is not None:
                m &= ev["actor"] == actor
            if value is not None:
                m &= ev["value"] == value
            return ev[m]

        measure = diag["measure"].astype(str)
        groups = []
        for prefix, kind, enum, title, caption in (
            ("problem:", RecordKind.PROBLEM, Problem, self.t("Problems", "问题"),
             self.t("Each score is the weighted mean of the problem's segments, starting from "
                    "the prior: (α0·m0 + Σ w·v)/(α0 + Σ w), per actor they name (else case-wide).",
                    "每个得分是该问题各编码片段的加权均值（含先验）：(α0·m0 + Σ w·v)/(α0 + Σ w)；"
                    "按片段所指的行动者计算，未指明者为全案例。")),
            ("strategy:", RecordKind.STRATEGY, Strategy, self.t("Strategies", "策略"),
             self.t("Weighted evidence Σ w·v for each agency strategy.",
                    "每种机构策略的加权证据 Σ w·v。")),
        ):  # fmt: skip
            part = diag[measure.str.startswith(prefix)]
            if part.empty:
                continue
            entries = []
            for r in part.itertuples():
                value = str(r.measure).removeprefix(prefix)
                scope = str(r.scope)
                segs = recs(kind, None if scope == "case" else scope, value)
                if scope == "case":
                    segs = segs[segs["actor"] == ""]
                entries.append(
                    {
                        "name": self.label(enum, value),
                        "scope": scope,
                        "value": r.value,
                        "n": _int(r.n_records),
                        "t": _int(r.triangulation),
                        "single": _int(r.triangulation) < self.a.params.min_triangulation,
                        "ev": self.evset(int(i) for i in segs.index),
                        "quotes": self.quote_rows(segs, what="value"),
                    }
                )
            groups.append({"title": title, "caption": caption, "entries": entries})
        goals: dict[str, Any] | None = None
        goal_part = diag[measure.str.startswith("goal:")]
        if not goal_part.empty:
            scopes = list(dict.fromkeys(goal_part["scope"].astype(str)))
            rows = []
            quotes = []
            for scope in scopes:
                mine = diag[diag["scope"].astype(str) == scope]
                vals = dict(zip(mine["measure"].astype(str), mine["value"], strict=True))
                g_rows = recs(RecordKind.GOAL, scope, None)
                ev_all = self.evset(int(i) for i in g_rows.index)
                rows.append(
                    {
                        "actor": scope,
                        "shares": [
                            (
                                vals.get(f"goal:{g.value}"),
                                self.evset(
                                    self.rows_where(kind="goal", actor=scope, value=g.value)
                                ),
                            )
                            for g in Goal
                        ],
                        "alignment": vals.get("resident_alignment"),
                        "lean": vals.get("task_quality_lean"),
                        "ev": ev_all,
                    }
                )
                quotes.append(
                    {
                        "actor": scope,
                        "n": len(g_rows),
                        "quotes": self.quote_rows(g_rows, what="value"),
                    }
                )
            dyads = []
            for r in diag[measure == "dyad_resident_alignment"].itertuples():
                scope = str(r.scope)
                pair = scope.split("/", 1) if "/" in scope else None
                dyads.append(
                    {
                        "pair": pair,
                        "scope": self.text(scope),
                        "value": r.value,
                        "n": _int(r.n_records),
                        "t": _int(r.triangulation),
                        "ev": self.evset(self.rows_where(kind="goal", actor=tuple(pair)))
                        if pair
                        else "",
                    }
                )
            goals = {
                "heads": [self.label(Goal, g.value) for g in Goal],
                "rows": rows,
                "dyads": dyads,
                "quotes": quotes,
            }
        return {"empty": False, "groups": groups, "goals": goals}

    def evidence(self) -> list[dict[str, Any]]:
        inputs = self.a.inputs
        ev = self.a.evidence
        origins = self.a.input_origins
        dep = ev[ev["kind"] == RecordKind.DEPENDENCE.value] if len(ev) else ev
        dim_rank = {d.value: i for i, d in enumerate(_DIMS)}
        out = []
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
            dims = []
            for d in _DIMS:
                n_d = int((rows["dimension"] == d.value).sum()) if len(rows) else 0
                o = orig[orig["dimension"] == d.value] if len(orig) else orig
                if len(o):
                    how = self.t("purchase or grant records", "购买或拨款记录")
                elif n_d:
                    how = self.t(f"{n_d} segment(s)", f"{n_d} 个编码片段")
                else:
                    how = self.t("prior (no segment)", "先验（无编码片段）")
                dims.append(
                    {
                        "symbol": _DIM_SYMBOL[d],
                        "name": self.label(Dimension, d.value),
                        "value": getattr(r, d.value),
                        "how": how,
                        "basis": self.text(o.iloc[0]["basis"]) if len(o) else "",
                        "ev": self.evset(
                            self.rows_where(
                                kind="dependence",
                                dependent=key[0],
                                provider=key[1],
                                resource=key[2],
                                stage=key[3],
                                dimension=d.value,
                            )
                        ),
                    }
                )
            overridden = [str(d) for d in orig["dimension"]] if len(orig) else []
            out.append(
                {
                    "key": "|".join(key),
                    "dependent": key[0],
                    "provider": key[1],
                    "resource": self.label(Resource, key[2]),
                    "stage": self.label(Stage, key[3]),
                    "d": r.d,
                    "n": _int(r.n_records),
                    "t": _int(r.triangulation),
                    "single": bool(r.single_source),
                    "from_records": bool(len(orig)),
                    "ev": self.evset(self.dependence_rows(key[0], key[1], key[3], key[2])),
                    "dims": dims,
                    "quotes": self.quote_rows(rows, overridden=overridden)
                    if len(rows) or not len(orig)
                    else None,
                }
            )
        return out

    def leftover(self) -> list[dict[str, Any]]:
        ev = self.a.evidence
        rest = ev[~ev.index.isin(sorted(self.shown))] if len(ev) else ev
        return self.quote_rows(rest, what="value") if len(rest) else []

    def parameters(self) -> list[tuple[str, str, str]]:
        return [
            (k, _param(v), PARAMETER_TEXT.get(k, ("", ""))[1 if self.zh else 0])
            for k, v in self.a.params.as_dict().items()
        ]

    def agreement_rows(self) -> list[dict[str, Any]] | None:
        if self.agreement is None:
            return None
        return [
            {
                "family": self.text(r.family),
                "alpha": r.alpha,
                "n": self.text(r.n),
                "threshold": r.threshold,
            }
            for r in self.agreement.itertuples()
        ]

    def figure(self, name: str) -> str:
        return self.figures.get(name, "")

    def page(self) -> str:
        env = environment(html_escape=True)
        script = env.get_template("report.js").render()
        css = env.get_template("report.css").render(
            fonts=CSS_FONT_STACK,
            gov=GOVERNMENT_COLOUR,
            agency=AGENCY_COLOUR,
            other=OTHER_COLOUR,
            partnership=LABEL_COLOURS[Label.PARTNERSHIP],
            buddy=LABEL_COLOURS[Label.BUDDY],
            transactional=LABEL_COLOURS[Label.TRANSACTIONAL],
        )
        csp = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            f"script-src {_csp_hash(script)}; base-uri 'none'; form-action 'none'"
        )
        # the sections are prepared in page order: "shown" decides the leftover list
        header = self.header()
        relationships = self.relationships()
        stages = self.stages()
        networks = self.networks()
        philosophy = self.philosophy()
        diagnostics = self.diagnostics()
        evidence = self.evidence()
        leftover = self.leftover()
        quotes = self.all_quotes()
        p = self.a.params
        evsets = [
            {"id": sid, "records": [f"rec-{i}" for i in rows], "quotes": [quotes[i] for i in rows]}
            for rows, sid in self.evsets.items()
        ]
        return str(
            env.get_template("report.html").render(
                lang="zh-CN" if self.zh else "en",
                zh=self.zh,
                t=self.t,
                rep=self,
                csp=csp,
                css=css,
                script=script,
                h=header,
                rel=relationships,
                stages=stages,
                networks=networks,
                philosophy=philosophy,
                diag=diagnostics,
                evidence=evidence,
                leftover=leftover,
                quotes=quotes,
                quote_filters=self.filters(quotes),
                evsets=evsets,
                params=self.parameters(),
                agreement=self.agreement_rows(),
                records_note=self.records_note,
                buddy_or=p.buddy_rule == "or",
                settle=p.settle_threshold,
                min_triangulation=p.min_triangulation,
                seed=p.seed,
                draws=f"{p.draws:,}",
                version=_version(),
                figures=self.figures,
            )
        )
