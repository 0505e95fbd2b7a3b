"""Outputs for a paper's methods section, in Chinese and English.

Three pieces, computed from the case and the parameters of an analysis:

- the **interviewee table** (访谈对象信息表): informant, organisation, role, kind of
  source, the sources and their length in characters (whitespace not counted);
- the **code-frequency table** (编码频次表): how many coded segments there are per
  stage, for each resource and dimension of the dependence judgements and for each
  value of the other record kinds, with the number of informants behind them;
- the **methods paragraph**: data, coding scheme, measures, thresholds and Monte Carlo
  draws, with references in GB/T 7714 (Chinese) or APA (English) style.

:func:`write_methods` writes them into a folder (``resdep analyze`` uses
``<out>/methods/``): ``methods_<lang>.md`` (paragraph and tables),
``methods_<lang>.docx`` (three-line tables, as Chinese and most English journals set
them, and the paragraph) and ``methods_<lang>.xlsx`` (one sheet per table).

Examples
--------
>>> from resdep import load_case, founding_case_path
>>> case = load_case(founding_case_path())
>>> table = interviewee_table(case, "en")
>>> list(table.columns)
['Informant', 'Organisation', 'Role', 'Source kind', 'Sources', 'Length (characters)']
>>> table.iloc[0]["Informant"], table.iloc[-1]["Informant"]
('I01', 'Total')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from resdep.case.model import Case
from resdep.parameters import AnalysisParams
from resdep.vocab import (
    CaseSourceKind,
    Dimension,
    Goal,
    Philosophy,
    Problem,
    RecordKind,
    Resource,
    Stage,
    Strategy,
)

__all__ = [
    "LANGUAGES",
    "METHODS_FILES",
    "MethodsText",
    "code_frequency_table",
    "interviewee_table",
    "markdown_table",
    "methods_markdown",
    "methods_text",
    "write_docx",
    "write_methods",
    "write_xlsx",
]

Lang = Literal["zh", "en"]

#: The languages every methods output is written in.
LANGUAGES: tuple[Lang, ...] = ("zh", "en")

#: Files :func:`write_methods` writes, per language.
METHODS_FILES: tuple[str, ...] = tuple(
    f"methods_{lang}.{ext}" for lang in LANGUAGES for ext in ("md", "docx", "xlsx")
)

_COLUMNS: Mapping[Lang, Mapping[str, str]] = {
    "en": {
        "informant": "Informant",
        "organisation": "Organisation",
        "role": "Role",
        "kind": "Source kind",
        "sources": "Sources",
        "length": "Length (characters)",
        "record": "Record kind",
        "category": "Resource / value",
        "dimension": "Dimension",
        "none": "No stage",
        "total": "Total",
        "informants": "Informants",
    },
    "zh": {
        "informant": "受访者",
        "organisation": "所属机构",
        "role": "职务",
        "kind": "资料类型",
        "sources": "资料编号",
        "length": "字数",
        "record": "编码类型",
        "category": "资源 / 取值",
        "dimension": "维度",
        "none": "未分阶段",
        "total": "合计",
        "informants": "受访者数",
    },
}

_VALUE_TERMS = {
    RecordKind.PHILOSOPHY: Philosophy,
    RecordKind.GOAL: Goal,
    RecordKind.PROBLEM: Problem,
    RecordKind.STRATEGY: Strategy,
}


def _term(term: Stage | Resource | Dimension | RecordKind | CaseSourceKind, lang: Lang) -> str:
    return term.zh if lang == "zh" else term.en


def _org_name(case: Case, actor_id: str, lang: Lang) -> str:
    try:
        actor = case.actor(actor_id)
    except KeyError:
        return actor_id
    if lang == "zh":
        return actor.name_zh or actor.name or actor.id
    return actor.name or actor.id


def _length(text: str) -> int:
    """Characters without whitespace (字数, as Chinese journals count)."""
    return sum(1 for ch in text if not ch.isspace())


def interviewee_table(case: Case, lang: Lang = "zh") -> pd.DataFrame:
    """The interviewee table: one row per informant, then one per source without an
    informant (documents, field notes), then a total row.

    Parameters
    ----------
    case
        A loaded case.
    lang
        ``"zh"`` or ``"en"``: column headers, organisation names and source kinds.

    Examples
    --------
    >>> from resdep import load_case, founding_case_path
    >>> t = interviewee_table(load_case(founding_case_path()), "zh")
    >>> t.iloc[0].tolist()[:4]
    ['I01', 'M社会工作服务社', 'director', '访谈']
    """
    c = _COLUMNS[lang]
    rows: list[dict[str, object]] = []
    by_informant: dict[str, list[str]] = {}
    for s in case.sources:
        if s.informant:
            by_informant.setdefault(s.informant, []).append(s.id)
    sources = {s.id: s for s in case.sources}
    for inf in case.informants:
        own = [sources[i] for i in by_informant.get(inf.id, [])]
        kinds = list(dict.fromkeys(_term(s.kind, lang) for s in own))
        rows.append(
            {
                c["informant"]: inf.id,
                c["organisation"]: _org_name(case, inf.organisation, lang),
                c["role"]: inf.role,
                c["kind"]: "、".join(kinds) if lang == "zh" else ", ".join(kinds),
                c["sources"]: ", ".join(s.id for s in own),
                c["length"]: sum(_length(s.text) for s in own),
            }
        )
    for s in case.sources:
        if s.informant and s.informant in {i.id for i in case.informants}:
            continue
        rows.append(
            {
                c["informant"]: "—",
                c["organisation"]: "—",
                c["role"]: "—",
                c["kind"]: _term(s.kind, lang),
                c["sources"]: s.id,
                c["length"]: _length(s.text),
            }
        )
    rows.append(
        {
            c["informant"]: c["total"],
            c["organisation"]: "",
            c["role"]: "",
            c["kind"]: "",
            c["sources"]: (
                f"{len(case.sources)} 份" if lang == "zh" else f"{len(case.sources)} sources"
            ),
            c["length"]: sum(_length(s.text) for s in case.sources),
        }
    )
    return pd.DataFrame(rows, columns=[c[k] for k in _TABLE1])


_TABLE1 = ("informant", "organisation", "role", "kind", "sources", "length")


def code_frequency_table(case: Case, lang: Lang = "zh") -> pd.DataFrame:
    """Coded segments per stage: dependence judgements by resource and dimension, the
    other record kinds by value, each with the number of distinct informants behind it;
    resources and values never coded are left out; a total row closes the table.

    Examples
    --------
    >>> from resdep import load_case, founding_case_path
    >>> case = load_case(founding_case_path())
    >>> t = code_frequency_table(case, "en")
    >>> list(t.columns)
    ['Record kind', 'Resource / value', 'Dimension', 'contracting', 'implementation', 'closing', 'No stage', 'Total', 'Informants']
    >>> int(t.iloc[-1]["Total"]) == len(case.codings)
    True
    """
    c = _COLUMNS[lang]
    informant_of = {s.id: s.informant for s in case.sources}
    groups: dict[tuple[int, int, int], list[object]] = {}
    labels: dict[tuple[int, int, int], tuple[str, str, str]] = {}
    for coding in case.codings:
        kind = coding.kind
        k_rank = list(RecordKind).index(kind)
        if kind is RecordKind.DEPENDENCE and coding.resource and coding.dimension:
            key = (
                k_rank,
                list(Resource).index(coding.resource),
                list(Dimension).index(coding.dimension),
            )
            labels[key] = (
                _term(kind, lang),
                _term(coding.resource, lang),
                _term(coding.dimension, lang),
            )
        else:
            terms = _VALUE_TERMS.get(kind)
            value = coding.value or ""
            if terms is not None and value in {t.value for t in terms}:
                term = terms(value)
                v_rank, shown = list(terms).index(term), term.zh if lang == "zh" else term.en
            else:
                v_rank, shown = 99, value
            key = (k_rank, v_rank, 0)
            labels[key] = (_term(kind, lang), shown, "")
        groups.setdefault(key, []).append(coding)
    rows: list[dict[str, object]] = []
    stage_cols = [_term(s, lang) for s in Stage]

    def row(first: tuple[str, str, str], codings: Sequence[object]) -> dict[str, object]:
        counts = Counter(getattr(x, "stage", None) for x in codings)
        informants = {
            informant_of.get(str(getattr(x, "source", "")))
            for x in codings
            if informant_of.get(str(getattr(x, "source", "")))
        }
        out: dict[str, object] = {
            c["record"]: first[0],
            c["category"]: first[1],
            c["dimension"]: first[2],
        }
        for s, col in zip(Stage, stage_cols, strict=True):
            out[col] = counts.get(s, 0)
        out[c["none"]] = counts.get(None, 0)
        out[c["total"]] = len(codings)
        out[c["informants"]] = len(informants)
        return out

    for key in sorted(groups):
        rows.append(row(labels[key], groups[key]))
    rows.append(row((c["total"], "", ""), list(case.codings)))
    columns = [c["record"], c["category"], c["dimension"], *stage_cols]
    columns += [c["none"], c["total"], c["informants"]]
    return pd.DataFrame(rows, columns=columns)


# --- the paragraph ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodsText:
    """The methods paragraph of one language, as paragraphs, and its references."""

    lang: Lang
    title: str
    paragraphs: tuple[str, ...]
    references: tuple[str, ...]


_REFERENCES: Mapping[Lang, tuple[str, ...]] = {
    # GB/T 7714-2015, numeric order of first citation
    "zh": (
        "[1] Saldaña J. The coding manual for qualitative researchers[M]. 3rd ed. London: "
        "SAGE, 2016.",
        "[2] Pfeffer J, Salancik G R. The external control of organizations: a resource "
        "dependence perspective[M]. New York: Harper & Row, 1978.",
        "[3] Emerson R M. Power-dependence relations[J]. American Sociological Review, "
        "1962, 27(1): 31-41.",
        "[4] Casciaro T, Piskorski M J. Power imbalance, mutual dependence, and constraint "
        "absorption: a closer look at resource dependence theory[J]. Administrative "
        "Science Quarterly, 2005, 50(2): 167-199.",
        "[5] Ragin C C. Redesigning social inquiry: fuzzy sets and beyond[M]. Chicago: "
        "University of Chicago Press, 2008.",
    ),
    # APA 7th edition, alphabetical
    "en": (
        "Casciaro, T., & Piskorski, M. J. (2005). Power imbalance, mutual dependence, and "
        "constraint absorption: A closer look at resource dependence theory. "
        "Administrative Science Quarterly, 50(2), 167–199.",
        "Emerson, R. M. (1962). Power-dependence relations. American Sociological Review, "
        "27(1), 31–41.",
        "Pfeffer, J., & Salancik, G. R. (1978). The external control of organizations: A "
        "resource dependence perspective. Harper & Row.",
        "Ragin, C. C. (2008). Redesigning social inquiry: Fuzzy sets and beyond. University "
        "of Chicago Press.",
        "Saldaña, J. (2016). The coding manual for qualitative researchers (3rd ed.). SAGE.",
    ),
}


def _f(x: float) -> str:
    return f"{x:.2f}"


def _org_counts(case: Case, lang: Lang) -> str:
    counts = Counter(i.organisation for i in case.informants)
    order = {a.id: k for k, a in enumerate(case.actors)}
    parts = []
    for org, n in sorted(counts.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])):
        name = _org_name(case, org, lang)
        parts.append(f"{name} {n} 人" if lang == "zh" else f"{n} from {name}")
    return "、".join(parts) if lang == "zh" else ", ".join(parts)


def _data_parts(case: Case, lang: Lang) -> str:
    """ "10 semi-structured interviews with 10 informants from 5 organisations (…), 1 field
    note and 2 documents", leaving out kinds of source the case has none of."""
    kinds = Counter(s.kind for s in case.sources)
    n_int = kinds.get(CaseSourceKind.INTERVIEW, 0)
    n_field = kinds.get(CaseSourceKind.FIELDNOTE, 0)
    n_doc = kinds.get(CaseSourceKind.DOCUMENT, 0)
    n_inf = len(case.informants)
    orgs = len({i.organisation for i in case.informants})
    parts: list[str] = []
    if lang == "zh":
        if n_int:
            who = (
                f"对来自{orgs}个机构的{n_inf}名受访者（{_org_counts(case, 'zh')}）的"
                if n_inf
                else ""
            )
            parts.append(f"{who}{n_int}份半结构式访谈记录")
        if n_field:
            parts.append(f"{n_field}份田野笔记")
        if n_doc:
            parts.append(f"{n_doc}份文件")
        if not parts:
            return "0份资料"
        return "、".join(parts[:-1]) + ("和" if len(parts) > 1 else "") + parts[-1]

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    if n_int:
        who = (
            f" with {plural(n_inf, 'informant')} from {plural(orgs, 'organisation')} "
            f"({_org_counts(case, 'en')})"
            if n_inf
            else ""
        )
        parts.append(plural(n_int, "semi-structured interview") + who)
    if n_field:
        parts.append(plural(n_field, "field note"))
    if n_doc:
        parts.append(plural(n_doc, "document"))
    if not parts:
        return "no sources"
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def methods_text(
    case: Case, params: AnalysisParams | None = None, lang: Lang = "zh"
) -> MethodsText:
    """The methods paragraph for ``case`` analysed with ``params`` (default: the case's).

    Every number in it (sources, informants, segments, weights, thresholds, draws, seed)
    is read from the case and the parameters; the measures are described in full, so the
    text stands on its own.

    Examples
    --------
    >>> from resdep import load_case, founding_case_path
    >>> text = methods_text(load_case(founding_case_path()), lang="en")
    >>> text.paragraphs[0].startswith("Data.")
    True
    >>> any("2000 times" in p for p in text.paragraphs)
    True
    """
    p = params if params is not None else case.parameters
    chars = sum(_length(s.text) for s in case.sources)
    records = Counter(c.kind for c in case.codings)
    n_dep = records.get(RecordKind.DEPENDENCE, 0)
    if lang == "zh":
        title = "研究方法"
        synthetic = (
            "本案例为示意性重构的合成案例，文本依据已发表的研究结论编写，并非原始访谈记录。"
            if case.synthetic
            else ""
        )
        paragraphs = (
            f"资料来源。本研究以{case.title_zh or case.title or case.id}为案例，资料包括"
            f"{_data_parts(case, 'zh')}，共计{chars}字（见表1）。{synthetic}",
            f"编码方案。资料按统一编码本进行编码，共{len(case.codings)}个编码片段（见表2）。其中"
            f"{n_dep}个为依赖判断，每个片段记录依赖方与提供方、所处阶段（立项、执行、结项）、资源类型"
            "（经济资源、政治合法性、社会合法性、专业服务资源、路径依赖、信息、政绩）和依赖维度"
            "（重要性、可替代性、支配权），并以0（无）至3（高）标注强度（量级编码[1]）；另有"
            f"{records.get(RecordKind.PHILOSOPHY, 0)}个治理理念、{records.get(RecordKind.GOAL, 0)}个目标、"
            f"{records.get(RecordKind.PROBLEM, 0)}个问题和{records.get(RecordKind.STRATEGY, 0)}个策略片段。",
            "测量方法。编码强度换算为v = 强度/3，并按证据类型加权（直接陈述"
            f"{_f(p.w_direct)}、文件{_f(p.w_document)}、观察{_f(p.w_observation)}、转述"
            f"{_f(p.w_second_hand)}；受访者所在机构为提供方且抬高对本机构依赖的自利性陈述再乘以"
            f"{_f(p.self_serving)}），与先验均值{_f(p.prior_mean)}、先验权重{_f(p.prior_strength)}"
            "的Beta先验合并，得到每个（依赖方，提供方，资源，阶段）组合在各维度上的估计值。依据资源"
            "依赖理论[2-3]，i在阶段s对j就资源r的依赖度为加权几何平均D = I^wI · N^wN · X^wX，其中"
            "I为重要性，N = 1 − S为不可替代性（S为替代来源的可得性），X为提供方的支配权，权重"
            f"wI = {_f(p.w_importance)}、wN = {_f(p.w_alternatives)}、wX = {_f(p.w_discretion)}；"
            "各资源的依赖度以D(i→j, s) = 1 − Π_r(1 − D(i→j, r, s))合成。对每一对社工机构与政府"
            "主体及每个阶段，计算相互依赖MD = (D_ag + D_ga)/2与政府的权力优势PA = D_ag − D_ga[4]"
            "（D_ag为机构对政府的依赖，D_ga为政府对机构的依赖）。当min(D_ag, D_ga) ≥ θ_D = "
            f"{_f(p.theta_d)}且|PA| ≤ θ_PI = {_f(p.theta_pi)}时为相互依赖；PA ≥ θ_PI且D_ag ≥ θ_D"
            "时为政府主导；PA ≤ −θ_PI且D_ga ≥ θ_D时为机构主导；其余为弱依赖。",
            "关系类型。采用模糊集方法[5]，以锚点（"
            f"{_f(p.anchor_low)}，{_f(p.anchor_mid)}，{_f(p.anchor_high)}）直接校准资源相互依赖"
            "（三个阶段min(D_ag, D_ga)的均值）、政府的治理理念（共治理念记录所占的加权比重）、"
            "利益一致性（双方目标向量的余弦相似度）以及机构对政府的最大依赖度。伙伴关系隶属度为前三者"
            "隶属度的最小值；"
            + (
                "伙计关系隶属度为机构依赖、非共治理念与利益分歧三者隶属度中的最小者（官本位理念"
                "加上利益分歧）。"
                if p.buddy_rule == "and"
                else "伙计关系隶属度为机构依赖隶属度与“非共治理念或利益分歧”隶属度中的较小者。"
            )
            + f"隶属度较大且超过{_f(p.label_threshold)}者为该二元关系的类型，否则为交易关系；"
            "政府一方缺少理念记录、任一方缺少目标记录或没有依赖记录的二元关系标为待定，并注明所缺证据。",
            f"不确定性。每个维度的估计值、治理理念及构成利益一致性的目标权重均从其Beta后验分布中"
            f"抽取{p.draws}次（随机种子{p.seed}），每次抽样均完整计算上述指标，据此报告各关系类型"
            "及各阶段状态的概率、隶属度与PA的5%–95%区间；当报告的类型也是众数类型且其概率不低于"
            f"{_f(p.settle_threshold)}时视为稳定（已定），否则标为未定。"
            "分析使用resdep完成，全部参数记录于输出的run.json中。",
        )
    else:
        title = "Methods"
        synthetic = (
            " The case is synthetic: its texts were written from published findings and are "
            "not the original interviews."
            if case.synthetic
            else ""
        )
        paragraphs = (
            f"Data. The case is “{case.title or case.id}”. The material comprises "
            f"{_data_parts(case, 'en')}, {chars} characters in all (Table 1).{synthetic}",
            f"Coding. The texts were coded with one codebook into {len(case.codings)} segments "
            f"(Table 2). {n_dep} are dependence judgements, each naming the dependent and the "
            "providing actor, the stage (contracting, implementation, closing), the resource "
            "(economic, political legitimacy, social legitimacy, professional, path "
            "dependence, information, performance) and the dimension (importance, "
            "availability of alternatives, the provider's discretion), with an intensity "
            "from 0 (none) to 3 (high) (magnitude coding; Saldaña, 2016); "
            f"{records.get(RecordKind.PHILOSOPHY, 0)} segments code the governance philosophy, "
            f"{records.get(RecordKind.GOAL, 0)} goals, {records.get(RecordKind.PROBLEM, 0)} "
            f"problems and {records.get(RecordKind.STRATEGY, 0)} strategies.",
            "Measures. Each intensity becomes v = intensity/3, weighted by the kind of "
            f"evidence (direct statement {_f(p.w_direct)}, document {_f(p.w_document)}, "
            f"observation {_f(p.w_observation)}, second-hand statement {_f(p.w_second_hand)}; "
            "a self-serving claim, one raising dependence on the informant's own "
            f"organisation, is multiplied by {_f(p.self_serving)}) and combined with a Beta "
            f"prior of mean {_f(p.prior_mean)} and weight {_f(p.prior_strength)} into an "
            "estimate of each dimension for every (dependent, provider, resource, stage). "
            "Following resource dependence theory (Emerson, 1962; Pfeffer & Salancik, 1978), "
            "the dependence of i on j for resource r at stage s is the weighted geometric "
            "mean D = I^wI · N^wN · X^wX of importance I, non-substitutability N = 1 − S (S: "
            "availability of alternatives) and the provider's discretion X, with "
            f"wI = {_f(p.w_importance)}, wN = {_f(p.w_alternatives)}, "
            f"wX = {_f(p.w_discretion)}; resources combine as "
            "D(i→j, s) = 1 − Π_r (1 − D(i→j, r, s)). For each agency–government dyad and "
            "stage, mutual dependence is MD = (D_ag + D_ga)/2 and the government's power "
            "advantage PA = D_ag − D_ga (Casciaro & Piskorski, 2005), where D_ag is the "
            "agency's dependence on the government and D_ga the reverse. A stage is "
            f"interdependent when min(D_ag, D_ga) ≥ θ_D = {_f(p.theta_d)} and "
            f"|PA| ≤ θ_PI = {_f(p.theta_pi)}, government-dominant when PA ≥ θ_PI and "
            "D_ag ≥ θ_D, agency-dominant when PA ≤ −θ_PI and D_ga ≥ θ_D, and weak otherwise.",
            "Relationship types. With fuzzy sets (Ragin, 2008), resource interdependence "
            "(the mean over the stages of min(D_ag, D_ga)), the government's governance "
            "philosophy (the weighted share of co-governance records), interest alignment "
            "(the cosine similarity of the two sides' goal vectors) and the agency's largest "
            "dependence on the government are calibrated directly with anchors "
            f"({_f(p.anchor_low)}, {_f(p.anchor_mid)}, {_f(p.anchor_high)}). Membership in "
            "partnership is the smallest of the first three memberships; membership in the "
            + (
                "buddy relationship is the smallest of the agency's dependence, a "
                "non-co-governance philosophy and diverging interests (an official-centred "
                "philosophy plus diverging interests). "
                if p.buddy_rule == "and"
                else "buddy relationship is the smaller of the agency's dependence and a "
                "non-co-governance philosophy or diverging interests. "
            )
            + "A dyad takes the type with "
            f"the larger membership if it exceeds {_f(p.label_threshold)}, else it is "
            "transactional; a dyad whose government has no philosophy records, either side "
            "no goal records, or that has no dependence records is undetermined, with the "
            "missing evidence named.",
            "Uncertainty. Every dimension estimate, the governance philosophy and the goal "
            f"weights behind interest alignment were drawn {p.draws} times from their Beta "
            f"posteriors (seed {p.seed}) and each draw carried through all measures, giving "
            "the probability of each type and stage state and the 5–95% ranges of the "
            "memberships and of PA; a result is settled when it is also the modal one and its "
            f"probability is at least {_f(p.settle_threshold)}, and unsettled otherwise. The "
            "analysis used resdep; every parameter is recorded in the output's run.json.",
        )
    return MethodsText(lang=lang, title=title, paragraphs=paragraphs, references=_REFERENCES[lang])


# --- writers ------------------------------------------------------------------------------

_CAPTIONS: Mapping[Lang, tuple[str, str]] = {
    "zh": ("表1 访谈对象与资料信息", "表2 编码频次（按阶段、资源与维度）"),
    "en": (
        "Table 1. Informants and sources",
        "Table 2. Coded segments by stage, resource and dimension",
    ),
}


def markdown_table(frame: pd.DataFrame) -> str:
    """A pipe table of ``frame`` (``|`` in cells escaped).

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"a": [1], "b": ["x|y"]})))
    | a | b |
    |---|---|
    | 1 | x\\|y |
    """

    def cell(x: object) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |"]
    lines.append("|" + "|".join("---" for _ in frame.columns) + "|")
    lines += [
        "| " + " | ".join(cell(x) for x in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


def methods_markdown(case: Case, params: AnalysisParams | None = None, lang: Lang = "zh") -> str:
    """The paragraph, both tables and the references as one Markdown document.

    Examples
    --------
    >>> from resdep import load_case, founding_case_path
    >>> md = methods_markdown(load_case(founding_case_path()), lang="zh")
    >>> md.splitlines()[0]
    '# 研究方法'
    """
    text = methods_text(case, params, lang)
    t1, t2 = _CAPTIONS[lang]
    refs = "参考文献" if lang == "zh" else "References"
    parts = [f"# {text.title}", "", *(x for para in text.paragraphs for x in (para, ""))]
    parts += [f"## {t1}", "", markdown_table(interviewee_table(case, lang)), ""]
    parts += [f"## {t2}", "", markdown_table(code_frequency_table(case, lang)), ""]
    parts += [f"## {refs}", "", *(x for r in text.references for x in (r, ""))]
    return "\n".join(parts).rstrip("\n") + "\n"


def _three_line(table: object, rows: int) -> None:
    """Rules of a three-line table (三线表): a heavy top and bottom rule, a thin rule under
    the header, no vertical rules."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def borders(cell: object, **sides: tuple[str, int]) -> None:
        tc_pr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
        el = OxmlElement("w:tcBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            b = OxmlElement(f"w:{side}")
            val, size = sides.get(side, ("nil", 0))
            b.set(qn("w:val"), val)
            if val != "nil":
                b.set(qn("w:sz"), str(size))
                b.set(qn("w:space"), "0")
                b.set(qn("w:color"), "000000")
            el.append(b)
        tc_pr.append(el)

    for r, row in enumerate(table.rows):  # type: ignore[attr-defined]
        for cell in row.cells:
            sides: dict[str, tuple[str, int]] = {}
            if r == 0:
                sides["top"] = ("single", 12)  # 1.5 pt
                sides["bottom"] = ("single", 6)  # 0.75 pt
            if r == rows - 1:
                sides["bottom"] = ("single", 12)
            borders(cell, **sides)


def _docx_table(doc: object, frame: pd.DataFrame, caption: str) -> None:
    doc.add_paragraph(caption)  # type: ignore[attr-defined]
    table = doc.add_table(rows=len(frame) + 1, cols=len(frame.columns))  # type: ignore[attr-defined]
    for j, col in enumerate(frame.columns):
        table.cell(0, j).text = str(col)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, x in enumerate(row):
            table.cell(i, j).text = str(x)
    _three_line(table, len(frame) + 1)


def write_docx(
    case: Case, path: str | Path, params: AnalysisParams | None = None, lang: Lang = "zh"
) -> Path:
    """Write the tables (three-line tables), the paragraph and the references as ``.docx``.

    Examples
    --------
    >>> import tempfile, docx
    >>> from resdep import load_case, founding_case_path
    >>> out = write_docx(load_case(founding_case_path()), tempfile.mkdtemp() + "/m.docx", lang="en")
    >>> len(docx.Document(str(out)).tables)
    2
    """
    import docx

    text = methods_text(case, params, lang)
    t1, t2 = _CAPTIONS[lang]
    doc = docx.Document()
    doc.add_heading(text.title, level=1)
    for para in text.paragraphs:
        doc.add_paragraph(para)
    _docx_table(doc, interviewee_table(case, lang), t1)
    doc.add_paragraph("")
    _docx_table(doc, code_frequency_table(case, lang), t2)
    doc.add_heading("参考文献" if lang == "zh" else "References", level=2)
    for ref in text.references:
        doc.add_paragraph(ref)
    out = Path(path)
    doc.save(str(out))
    return out


def write_xlsx(case: Case, path: str | Path, lang: Lang = "zh") -> Path:
    """Write both tables as an Excel workbook, one sheet each (text cells that look like
    formulas are stored as text).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from resdep import load_case, founding_case_path
    >>> out = write_xlsx(load_case(founding_case_path()), tempfile.mkdtemp() + "/m.xlsx", lang="en")
    >>> openpyxl.load_workbook(out).sheetnames
    ['Table 1', 'Table 2']
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    sheets = ("表1", "表2") if lang == "zh" else ("Table 1", "Table 2")
    frames = (interviewee_table(case, lang), code_frequency_table(case, lang))
    for k, (name, frame, caption) in enumerate(zip(sheets, frames, _CAPTIONS[lang], strict=True)):
        ws = wb.active if k == 0 else wb.create_sheet()
        assert ws is not None
        ws.title = name
        ws.append([caption])
        ws.append([str(c) for c in frame.columns])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False):
            ws.append([_xlsx_value(x) for x in row])
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":  # text that starts with "=": keep it text
                    cell.data_type = "s"
        for col in ws.columns:
            letter = col[0].column_letter
            width = max(len(str(c.value or "")) for c in col[1:]) if len(col) > 1 else 8
            ws.column_dimensions[letter].width = min(60, max(8, width * 1.6 + 2))
    out = Path(path)
    wb.save(out)
    return out


def _xlsx_value(x: object) -> object:
    """Numbers as numbers, everything else as text."""
    if isinstance(x, int | float) and not isinstance(x, bool):
        return x
    if hasattr(x, "item"):  # numpy scalars
        return _xlsx_value(x.item())
    return str(x)


def write_methods(
    case: Case, directory: str | Path, params: AnalysisParams | None = None
) -> list[Path]:
    """Write every file of :data:`METHODS_FILES` into ``directory``; return their paths.

    Examples
    --------
    >>> import tempfile
    >>> from resdep import load_case, founding_case_path
    >>> paths = write_methods(load_case(founding_case_path()), tempfile.mkdtemp())
    >>> sorted(p.name for p in paths) == sorted(METHODS_FILES)
    True
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for lang in LANGUAGES:
        md = out / f"methods_{lang}.md"
        md.write_text(methods_markdown(case, params, lang), encoding="utf-8")
        paths += [md, write_docx(case, out / f"methods_{lang}.docx", params, lang)]
        paths.append(write_xlsx(case, out / f"methods_{lang}.xlsx", lang))
    return paths
