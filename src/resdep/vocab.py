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
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from resdep.errors import VocabularyError, closest

__all__ = [
    "GOVERNMENT_KINDS",
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

T = TypeVar("T", bound=_Term)


def parse(kind: type[T], value: str, *, where: str = "") -> T:
    """Read a vocabulary id, accepting the English id, the codebook code or the Chinese label.

    Raises :class:`~resdep.errors.VocabularyError` naming ``where`` and the closest id.
    """
    text = value.strip()
    lowered = text.lower().replace(" ", "_").replace("-", "_")
    for member in kind:
        if lowered == member.value or text == member.code or text == member.zh:
            return member
    noun = {
        "ActorKind": "actor kind",
        "CaseSourceKind": "source kind",
        "RecordKind": "record kind",
        "StageState": "stage state",
        "EvidenceType": "evidence type",
    }.get(kind.__name__, kind.__name__.lower())
    raise VocabularyError(
        f"unknown {noun} {value!r}",
        place=where or None,
        fix=closest(lowered, [m.value for m in kind]),
    )
