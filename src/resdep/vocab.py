"""resdep's vocabulary: stable ids with English and Chinese names.

Every id is a lower-case string (a :class:`enum.StrEnum` value) used in files and
tables; ``.en`` and ``.zh`` give the labels for people, and ``.code`` the CamelCase
name used in the canonical QDA codebook (section 6 of the design).

Examples
--------
>>> Stage.IMPLEMENTATION.zh
'执行'
>>> Resource("political_legitimacy").code
'PoliticalLegitimacy'
>>> parse(Resource, "profesional", where="codings.csv row 3")
Traceback (most recent call last):
...
resdep.errors.VocabularyError: codings.csv row 3: unknown resource 'profesional'. Fix: did you mean 'professional'?

Every Chinese form of the design (section 2) is accepted, and a common Chinese
alternative that is not a vocabulary form gets a suggestion rather than a guess:

>>> parse(Stage, "承接"), parse(Stage, "评估"), parse(Resource, "行政合法性")
(<Stage.CONTRACTING: 'contracting'>, <Stage.CLOSING: 'closing'>, <Resource.POLITICAL_LEGITIMACY: 'political_legitimacy'>)
>>> parse(Resource, "专业能力")
Traceback (most recent call last):
...
resdep.errors.VocabularyError: unknown resource '专业能力'. Fix: did you mean 'professional' (专业服务资源)?
"""

from __future__ import annotations

import difflib
import re
from enum import StrEnum
from typing import TypeVar

from resdep.errors import VocabularyError, closest

__all__ = [
    "GOVERNMENT_KINDS",
    "NEAR_MISSES",
    "ActorKind",
    "CaseSourceKind",
    "Dimension",
    "EvidenceType",
    "Goal",
    "Label",
    "Philosophy",
    "Problem",
    "RecordKind",
    "Resource",
    "Stage",
    "StageState",
    "Strategy",
    "parse",
    "vocabulary_markdown",
    "zh_forms",
]


class _Term(StrEnum):
    """A vocabulary term; subclasses define ``_ZH`` and may define ``_EN``."""

    @property
    def en(self) -> str:
        """English label."""
        return self.value.replace("_", " ")

    @property
    def zh(self) -> str:
        """Chinese label."""
        return _ZH[type(self).__name__][self.value]

    @property
    def code(self) -> str:
        """CamelCase name used in the canonical codebook."""
        special = {"second_hand": "SecondHand"}
        return special.get(self.value) or "".join(p.capitalize() for p in self.value.split("_"))


class Stage(_Term):
    """The three stages of a purchase project, in order."""

    CONTRACTING = "contracting"
    IMPLEMENTATION = "implementation"
    CLOSING = "closing"


class ActorKind(_Term):
    """Kinds of actors; the first three are the government side."""

    CIVIL_AFFAIRS_BUREAU = "civil_affairs_bureau"
    STREET_OFFICE = "street_office"
    NEIGHBORHOOD_COMMITTEE = "neighborhood_committee"
    SOCIAL_WORK_AGENCY = "social_work_agency"
    RESIDENTS = "residents"
    EVALUATOR = "evaluator"
    OTHER = "other"

    @property
    def is_government(self) -> bool:
        """Whether this kind is on the government side."""
        return self in GOVERNMENT_KINDS


GOVERNMENT_KINDS: frozenset[ActorKind] = frozenset(
    {ActorKind.CIVIL_AFFAIRS_BUREAU, ActorKind.STREET_OFFICE, ActorKind.NEIGHBORHOOD_COMMITTEE}
)


class Resource(_Term):
    """Resources one actor may depend on another for."""

    ECONOMIC = "economic"
    POLITICAL_LEGITIMACY = "political_legitimacy"
    SOCIAL_LEGITIMACY = "social_legitimacy"
    PROFESSIONAL = "professional"
    PATH_DEPENDENCE = "path_dependence"
    INFORMATION = "information"
    PERFORMANCE = "performance"


class Dimension(_Term):
    """Dimensions of dependence: importance I, alternatives S, discretion X."""

    IMPORTANCE = "importance"
    ALTERNATIVES = "alternatives"
    DISCRETION = "discretion"


class Label(_Term):
    """Relationship labels."""

    PARTNERSHIP = "partnership"
    BUDDY = "buddy"
    TRANSACTIONAL = "transactional"
    UNDETERMINED = "undetermined"


class StageState(_Term):
    """State of a dyad at one stage."""

    INTERDEPENDENT = "interdependent"
    GOVERNMENT_DOMINANT = "government_dominant"
    AGENCY_DOMINANT = "agency_dominant"
    WEAK = "weak"


class EvidenceType(_Term):
    """How a judgement reached the source."""

    DIRECT = "direct"
    SECOND_HAND = "second_hand"
    DOCUMENT = "document"
    OBSERVATION = "observation"


class RecordKind(_Term):
    """Kinds of coded segment (rows of ``codings.csv``)."""

    DEPENDENCE = "dependence"
    PHILOSOPHY = "philosophy"
    GOAL = "goal"
    PROBLEM = "problem"
    STRATEGY = "strategy"


class Philosophy(_Term):
    """Governance philosophy of a government actor."""

    COOPERATIVE = "cooperative"
    OFFICIAL = "official"


class Goal(_Term):
    """Goals an actor pursues."""

    RESIDENT_BENEFIT = "resident_benefit"
    SERVICE_QUALITY = "service_quality"
    TROUBLE_FREE_COMPLETION = "trouble_free_completion"
    IMPRESSION_ACHIEVEMENT = "impression_achievement"
    ORGANISATIONAL_SURVIVAL = "organisational_survival"
    PROFESSIONAL_DEVELOPMENT = "professional_development"


class Problem(_Term):
    """Known problems of government purchase."""

    RELATIONAL_PURCHASE = "relational_purchase"
    LACK_OF_AUTONOMY = "lack_of_autonomy"
    FORMALIZATION = "formalization"


class Strategy(_Term):
    """Agency strategies."""

    SURVIVE_LOSS_MAKING = "survive_loss_making"
    DEVELOP_PROFITABLE = "develop_profitable"


class CaseSourceKind(_Term):
    """Kinds of source in a case folder."""

    INTERVIEW = "interview"
    FIELDNOTE = "fieldnote"
    DOCUMENT = "document"


_ZH: dict[str, dict[str, str]] = {
    "Stage": {"contracting": "立项", "implementation": "执行", "closing": "结项"},
    "ActorKind": {
        "civil_affairs_bureau": "区民政局",
        "street_office": "街道自治办",
        "neighborhood_committee": "居委会",
        "social_work_agency": "社工机构",
        "residents": "居民",
        "evaluator": "第三方评估机构",
        "other": "其他",
    },
    "Resource": {
        "economic": "经济资源",
        "political_legitimacy": "政治合法性",
        "social_legitimacy": "社会合法性",
        "professional": "专业服务资源",
        "path_dependence": "路径依赖",
        "information": "信息",
        "performance": "政绩",
    },
    "Dimension": {"importance": "重要性", "alternatives": "可替代性", "discretion": "支配权"},
    "Label": {
        "partnership": "伙伴关系",
        "buddy": "伙计关系",
        "transactional": "交易关系",
        "undetermined": "待定",
    },
    "StageState": {
        "interdependent": "相互依赖",
        "government_dominant": "政府主导",
        "agency_dominant": "机构主导",
        "weak": "弱依赖",
    },
    "EvidenceType": {
        "direct": "直接陈述",
        "second_hand": "转述",
        "document": "文件",
        "observation": "观察",
    },
    "RecordKind": {
        "dependence": "依赖",
        "philosophy": "治理理念",
        "goal": "目标",
        "problem": "问题",
        "strategy": "策略",
    },
    "Philosophy": {"cooperative": "共治理念", "official": "官本位理念"},
    "Goal": {
        "resident_benefit": "居民受益",
        "service_quality": "服务质量",
        "trouble_free_completion": "完成任务不出问题",
        "impression_achievement": "政绩",
        "organisational_survival": "机构生存",
        "professional_development": "专业发展",
    },
    "Problem": {
        "relational_purchase": "关系型购买",
        "lack_of_autonomy": "自主性缺失",
        "formalization": "形式化购买",
    },
    "Strategy": {"survive_loss_making": "亏本项目求生存", "develop_profitable": "盈利项目谋发展"},
    "CaseSourceKind": {"interview": "访谈", "fieldnote": "田野笔记", "document": "文件"},
}

#: Further Chinese forms of the design's section 2, accepted like the labels above.
_ZH_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "Stage": {"contracting": ("承接",), "closing": ("评估",)},
    "ActorKind": {"street_office": ("街道", "乡镇自治办")},
    "Resource": {
        "political_legitimacy": ("行政合法性", "政治/行政合法性"),
        "path_dependence": ("合作惯性",),
    },
    "Label": {
        "partnership": ("伙伴",),
        "buddy": ("伙计",),
        "transactional": ("交易",),
    },
}

#: Common Chinese alternatives that are *not* accepted (they are ambiguous or looser than
#: the vocabulary) but earn a "did you mean" naming the closest id.
NEAR_MISSES: dict[str, dict[str, str]] = {
    "Stage": {
        "招标": "contracting", "签约": "contracting", "立项阶段": "contracting",
        "实施": "implementation", "服务": "implementation", "执行阶段": "implementation",
        "验收": "closing", "结题": "closing", "考核": "closing", "结项阶段": "closing",
    },
    "Resource": {
        "专业能力": "professional", "专业": "professional", "专业资源": "professional",
        "社工": "professional", "人才": "professional",
        "资金": "economic", "经费": "economic", "钱": "economic", "项目": "economic",
        "合同": "economic", "经济": "economic",
        "认可": "political_legitimacy", "政策支持": "political_legitimacy",
        "政府认可": "political_legitimacy", "合法性": "political_legitimacy",
        "居民认可": "social_legitimacy", "社区认可": "social_legitimacy",
        "进入社区": "social_legitimacy",
        "惯性": "path_dependence", "关系": "path_dependence",
        "消息": "information", "信息资源": "information",
        "成绩": "performance", "业绩": "performance", "亮点": "performance",
    },
    "Dimension": {
        "重要程度": "importance", "重要": "importance",
        "替代性": "alternatives", "替代": "alternatives", "可替代": "alternatives",
        "控制权": "discretion", "决定权": "discretion", "分配权": "discretion",
        "自由裁量": "discretion",
    },
    "Label": {"合作伙伴": "partnership", "交易型": "transactional", "未知": "undetermined"},
    "Philosophy": {"合作": "cooperative", "共治": "cooperative", "官本位": "official",
                   "管控": "official"},
    "Goal": {
        "居民利益": "resident_benefit", "服务效果": "service_quality",
        "不出事": "trouble_free_completion", "完成任务": "trouble_free_completion",
        "生存": "organisational_survival", "专业成长": "professional_development",
    },
    "ActorKind": {
        "民政局": "civil_affairs_bureau", "街道办": "street_office", "街道办事处": "street_office",
        "居民委员会": "neighborhood_committee", "社工": "social_work_agency",
        "社会组织": "social_work_agency", "评估机构": "evaluator",
    },
    "EvidenceType": {"直接": "direct", "间接": "second_hand", "文档": "document"},
}  # fmt: skip


def zh_forms(member: _Term) -> tuple[str, ...]:
    """Every accepted Chinese form of a term: its label first, then the design's synonyms.

    Examples
    --------
    >>> zh_forms(Stage.CLOSING)
    ('结项', '评估')
    """
    extra = _ZH_SYNONYMS.get(type(member).__name__, {}).get(member.value, ())
    return (member.zh, *extra)


T = TypeVar("T", bound=_Term)


def parse(kind: type[T], value: str, *, where: str = "") -> T:
    """Read a vocabulary id, accepting the English id, the codebook code or the Chinese label.

    Raises :class:`~resdep.errors.VocabularyError` naming ``where`` and the closest id.
    """
    text = value.strip()
    lowered = text.lower().replace(" ", "_").replace("-", "_")
    for member in kind:
        if lowered == member.value or text == member.code or text in zh_forms(member):
            return member
    noun = {
        "ActorKind": "actor kind",
        "CaseSourceKind": "source kind",
        "RecordKind": "record kind",
        "StageState": "stage state",
        "EvidenceType": "evidence type",
    }.get(kind.__name__, kind.__name__.lower())
    raise VocabularyError(
        f"unknown {noun} {value!r}", place=where or None, fix=_suggest(kind, text, lowered)
    )


def _suggest(kind: type[_Term], text: str, lowered: str) -> str:
    """A "did you mean" for an unknown value: the near-miss table, then Chinese, then ids."""
    hint = NEAR_MISSES.get(kind.__name__, {}).get(text)
    if hint is None and _CJK_CHAR.search(text):
        forms = {f: m.value for m in kind for f in zh_forms(m)}
        match = difflib.get_close_matches(text, list(forms), n=1, cutoff=0.5)
        hint = forms[match[0]] if match else None
    if hint is not None:
        return f"did you mean {hint!r} ({kind(hint).zh})?"
    return closest(lowered, [m.value for m in kind])


def vocabulary_markdown() -> str:
    """The vocabulary as Markdown tables (ids with every accepted Chinese form).

    ``docs/case-format.md`` holds this text between ``<!-- vocabulary:start -->`` and
    ``<!-- vocabulary:end -->``; ``python tools/vocab_table.py`` rewrites it and a test
    checks it is in sync.

    Examples
    --------
    >>> print(vocabulary_markdown().splitlines()[2])
    | field | id | Chinese (any form is accepted) |
    """
    groups: list[tuple[str, str, type[_Term]]] = [
        ("stage", "codings.csv `stage`", Stage),
        ("actor kind", "case.toml `kind` of an `[[actor]]`", ActorKind),
        ("resource", "codings.csv `resource`", Resource),
        ("dimension", "codings.csv `dimension`", Dimension),
        ("record kind", "codings.csv `kind`", RecordKind),
        ("philosophy", "codings.csv `value` of a philosophy row", Philosophy),
        ("goal", "codings.csv `value` of a goal row", Goal),
        ("problem", "codings.csv `value` of a problem row", Problem),
        ("strategy", "codings.csv `value` of a strategy row", Strategy),
        ("evidence", "codings.csv `evidence`", EvidenceType),
        ("source kind", "case.toml `kind` of a `[[source]]`", CaseSourceKind),
        ("relationship label", "output `label` (relationships.csv)", Label),
        ("stage state", "output `state` (stages.csv)", StageState),
    ]
    lines = [
        "Generated from `src/resdep/vocab.py` (`python tools/vocab_table.py`).",
        "",
        "| field | id | Chinese (any form is accepted) |",
        "|---|---|---|",
    ]
    for name, where, kind in groups:
        for i, m in enumerate(kind):
            field = f"{name}: {where}" if i == 0 else ""
            forms = " / ".join(zh_forms(m))
            lines.append(f"| {field} | `{m.value}` | {forms} |")
    return "\n".join(lines) + "\n"


_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
