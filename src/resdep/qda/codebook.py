"""The canonical codebook (design section 6), in English and Chinese, as REFI-QDA XML.

Code paths are ``Group/Leaf``: ``Stage/Contracting``, ``Resource/Economic``,
``Dependent/<actor id>``, ``Intensity/3`` and so on (Chinese: ``阶段/立项``,
``资源/经济资源``, ``依赖方/<actor id>``, ``强度/3``). Every code has a fixed GUID
(a UUID-5 of its English path), identical in both languages, so a project coded with
either codebook is recognised by GUID; codes are also recognised by their path in
either language (:func:`recognise`), wherever they sit in the user's code tree.

Actor kinds travel in the description of ``Actor/<id>`` codes as TOML lines
(``kind = "street_office"``), which a user can also type in their QDA program.

Examples
--------
>>> recognise(("Stage", "Contracting"))
CanonicalCode(group='Stage', value='contracting')
>>> recognise(("my codes", "资源", "专业服务资源"))
CanonicalCode(group='Resource', value='professional')
>>> recognise(("Intensity", "2 medium"))
CanonicalCode(group='Intensity', value='2')
>>> recognise(("Dependent/street",))
CanonicalCode(group='Dependent', value='street')
>>> code_path(CanonicalCode(group="Goal", value="resident_benefit"), "zh")
('目标', '居民受益')
"""

from __future__ import annotations

import re
import tomllib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from resdep.case.model import Actor
from resdep.errors import InputError, QdaFormatError
from resdep.vocab import (
    Dimension,
    EvidenceType,
    Goal,
    Philosophy,
    Problem,
    Resource,
    Stage,
    Strategy,
    _Term,
    parse,
)

__all__ = [
    "ACTOR_GROUPS",
    "CODEBOOK_NS",
    "GROUPS",
    "CanonicalCode",
    "actor_description",
    "build_codes",
    "canonical_codes",
    "code_guid",
    "code_path",
    "codebook_xml",
    "group_guid",
    "group_help",
    "parse_actor_description",
    "recognise",
    "xml_safe",
]

#: The REFI-QDA codebook namespace.
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_UUID_NS = uuid.UUID("5a0f3c57-8a59-4c55-9a0e-7c1c2f0d6e11")

_VOCAB: dict[str, type[_Term]] = {
    "Stage": Stage,
    "Resource": Resource,
    "Dimension": Dimension,
    "Philosophy": Philosophy,
    "Goal": Goal,
    "Problem": Problem,
    "Strategy": Strategy,
    "Evidence": EvidenceType,
}
#: Groups whose leaves are actor ids.
ACTOR_GROUPS: tuple[str, ...] = ("Dependent", "Provider", "Actor")
#: Every group, in codebook order, with its Chinese name.
GROUPS: dict[str, str] = {
    "Stage": "阶段",
    "Dependent": "依赖方",
    "Provider": "提供方",
    "Resource": "资源",
    "Dimension": "维度",
    "Intensity": "强度",
    "Actor": "行动者",
    "Philosophy": "治理理念",
    "Goal": "目标",
    "Problem": "问题",
    "Strategy": "策略",
    "Evidence": "证据类型",
}
_GROUP_HELP: dict[str, tuple[str, str]] = {
    "Stage": ("Stage of the purchase project the segment speaks about.", "片段所述的项目阶段。"),
    "Dependent": (
        "The actor that depends (one child code per actor id).",
        "依赖的一方（每个行动者一个子代码，名称为其 id）。",
    ),
    "Provider": (
        "The actor that provides the resource (one child code per actor id).",
        "提供资源的一方（每个行动者一个子代码，名称为其 id）。",
    ),
    "Resource": ("The resource depended on.", "所依赖的资源。"),
    "Dimension": (
        "Importance I, availability of alternatives S, or the provider's discretion X.",
        "重要性 I、可替代性 S 或提供方的支配权 X。",
    ),
    "Intensity": ("Magnitude: 0 none, 1 low, 2 medium, 3 high.", "强度：0 无，1 低，2 中，3 高。"),
    "Actor": (
        'The actor a philosophy, goal, problem or strategy belongs to. Each child code\'s description holds its kind, e.g. kind = "street_office".',
        '理念、目标、问题或策略所属的行动者。每个子代码的描述写明其类型，例如 kind = "street_office"。',
    ),
    "Philosophy": (
        "Governance philosophy of a government actor (with Actor/<id> and Intensity).",
        "政府行动者的治理理念（同时编码 行动者/<id> 与 强度）。",
    ),
    "Goal": (
        "A goal an actor pursues (with Actor/<id> and Intensity).",
        "行动者追求的目标（同时编码 行动者/<id> 与 强度）。",
    ),
    "Problem": ("A known problem of government purchase.", "政府购买服务的已知问题。"),
    "Strategy": (
        "An agency strategy (with Actor/<id>).",
        "社工机构的策略（同时编码 行动者/<id>）。",
    ),
    "Evidence": (
        "How the judgement reached the source (default: by source kind).",
        "证据类型（默认按来源类型）。",
    ),
}
_INTENSITY = {"0": ("none", "无"), "1": ("low", "低"), "2": ("medium", "中"), "3": ("high", "高")}
_COLORS = {
    "Stage": "#4E79A7",
    "Dependent": "#F28E2B",
    "Provider": "#E15759",
    "Resource": "#76B7B2",
    "Dimension": "#59A14F",
    "Intensity": "#EDC948",
    "Actor": "#B07AA1",
    "Philosophy": "#FF9DA7",
    "Goal": "#9C755F",
    "Problem": "#BAB0AC",
    "Strategy": "#86BCB6",
    "Evidence": "#D4A6C8",
}
_GROUP_LOOKUP: dict[str, str] = {}
for _g, _zh in GROUPS.items():
    _GROUP_LOOKUP[_g.lower()] = _g
    _GROUP_LOOKUP[_zh] = _g
_GROUP_LOOKUP.update({"stages": "Stage", "resources": "Resource", "dimensions": "Dimension",
                      "goals": "Goal", "problems": "Problem", "strategies": "Strategy",
                      "actors": "Actor", "evidence type": "Evidence", "证据": "Evidence"})  # fmt: skip
_SPLIT = re.compile(r"\s*[/\\:：>]\s*")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def group_help() -> list[tuple[str, str, str, str]]:
    """The canonical codebook's groups in codebook order, each with its Chinese name and
    its definition in English and in Chinese: ``(group, name_zh, help_en, help_zh)``.

    The definitions are the ones written into an exported codebook's group descriptions
    (the web workbench shows them beside the coding panel).

    Examples
    --------
    >>> rows = group_help()
    >>> rows[0]
    ('Stage', '阶段', 'Stage of the purchase project the segment speaks about.', '片段所述的项目阶段。')
    >>> [g for g, *_ in rows] == list(GROUPS)
    True
    """
    return [(g, GROUPS[g], *_GROUP_HELP[g]) for g in GROUPS]


def xml_safe(text: str) -> str:
    """Drop the characters XML 1.0 cannot hold (control characters other than tab and
    line ends), so that any transcript or note can be written into a project.

    Examples
    --------
    >>> xml_safe("a\\x0cb\\tc")
    'ab\\tc'
    """
    return _NOT_XML.sub("", text)


@dataclass(frozen=True, slots=True, kw_only=True)
class CanonicalCode:
    """One code of the canonical codebook: a group and a value (a vocabulary id, an
    intensity digit, or an actor id)."""

    group: str
    value: str


def code_guid(code: CanonicalCode) -> str:
    """The fixed GUID of a canonical code (the same in English and Chinese).

    Examples
    --------
    >>> code_guid(CanonicalCode(group="Stage", value="closing")) == code_guid(CanonicalCode(group="Stage", value="closing"))
    True
    """
    return str(uuid.uuid5(_UUID_NS, f"resdep:{code.group}/{code.value}"))


def group_guid(group: str) -> str:
    """The fixed GUID of a group code (``Stage``, ``Resource`` ...)."""
    return str(uuid.uuid5(_UUID_NS, f"resdep:{group}"))


def code_path(code: CanonicalCode, lang: str = "en") -> tuple[str, str]:
    """The code's path in a language (``en`` or ``zh``)."""
    group = code.group if lang == "en" else GROUPS[code.group]
    if code.group in _VOCAB:
        term = _VOCAB[code.group](code.value)
        return group, term.code if lang == "en" else term.zh
    return group, code.value


def _leaf_description(code: CanonicalCode, lang: str) -> str:
    if code.group in _VOCAB:
        term = _VOCAB[code.group](code.value)
        return (
            f"{term.en} — {term.zh} (id: {term.value})"
            if lang == "en"
            else f"{term.zh}（{term.en}，id：{term.value}）"
        )
    if code.group == "Intensity":
        en, zh = _INTENSITY[code.value]
        return f"{en} — {zh}" if lang == "en" else f"{zh}（{en}）"
    return ""


def canonical_codes() -> list[CanonicalCode]:
    """Every code of the canonical codebook except actor codes, in codebook order."""
    out: list[CanonicalCode] = []
    for group in GROUPS:
        if group in _VOCAB:
            out.extend(CanonicalCode(group=group, value=t.value) for t in _VOCAB[group])
        elif group == "Intensity":
            out.extend(CanonicalCode(group=group, value=v) for v in _INTENSITY)
    return out


def recognise(path: Sequence[str]) -> CanonicalCode | None:
    """Recognise a user's code path as a canonical code, in English or Chinese.

    The last two components are read as group and leaf (a single component may hold
    both, as ``Stage/Contracting`` or ``阶段：立项``); anything above is ignored.
    Returns None when the path is not canonical.
    """
    parts = [p.strip() for p in path if p.strip()]
    if len(parts) == 1:
        parts = [p for p in _SPLIT.split(parts[0]) if p]
    if len(parts) < 2:
        return None
    group = _GROUP_LOOKUP.get(parts[-2].lower()) or _GROUP_LOOKUP.get(parts[-2])
    leaf = parts[-1]
    if group is None:
        return None
    if group in ACTOR_GROUPS:
        return CanonicalCode(group=group, value=leaf)
    if group == "Intensity":
        m = re.match(r"^([0-3])\b", leaf)
        return CanonicalCode(group=group, value=m.group(1)) if m else None
    try:
        term = parse(_VOCAB[group], leaf)
    except InputError:
        return None
    return CanonicalCode(group=group, value=term.value)


def actor_description(actor: Actor) -> str:
    """The TOML lines written into an ``Actor/<id>`` code's description.

    Examples
    --------
    >>> from resdep.vocab import ActorKind
    >>> print(actor_description(Actor(id="street", kind=ActorKind.STREET_OFFICE, name_zh="L街道")))
    kind = "street_office"
    name_zh = "L街道"
    """
    lines = [f"kind = {_toml_str(actor.kind.value)}"]
    for key in ("name", "name_zh", "parent"):
        value = getattr(actor, key)
        if value:
            lines.append(f"{key} = {_toml_str(value)}")
    return "\n".join(lines)


def parse_actor_description(text: str, *, file: str | Path, place: str) -> dict[str, str]:
    """Read the ``key = "value"`` lines of an actor code's description (other lines are
    ignored, so a description can also hold prose)."""
    lines = [ln for ln in text.splitlines() if re.match(r"^\s*(kind|name|name_zh|parent)\s*=", ln)]
    if not lines:
        return {}
    try:
        data = tomllib.loads("\n".join(lines))
    except tomllib.TOMLDecodeError as exc:
        raise QdaFormatError(
            f"the actor description is not valid TOML: {exc}",
            file=file,
            place=place,
            fix='write lines like kind = "street_office" (with the quotes)',
        ) from None
    return {k: str(v) for k, v in data.items()}


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def build_codes(
    parent: Any,
    ns: str,
    *,
    lang: str = "en",
    actors: Iterable[Actor] = (),
) -> dict[CanonicalCode, str]:
    """Append the canonical code tree under ``parent`` (a ``Codes`` element) in namespace
    ``ns``; returns the GUID of every leaf written."""
    actors = list(actors)
    by_group: dict[str, list[CanonicalCode]] = {g: [] for g in GROUPS}
    for c in canonical_codes():
        by_group[c.group].append(c)
    for group in ACTOR_GROUPS:
        by_group[group] = [CanonicalCode(group=group, value=a.id) for a in actors]
    names = {a.id: a for a in actors}
    guids: dict[CanonicalCode, str] = {}
    for group, leaves in by_group.items():
        g_el = etree.SubElement(
            parent,
            f"{{{ns}}}Code",
            guid=group_guid(group),
            name=group if lang == "en" else GROUPS[group],
            isCodable="false",
            color=_COLORS[group],
        )
        help_en, help_zh = _GROUP_HELP[group]
        etree.SubElement(g_el, f"{{{ns}}}Description").text = help_en if lang == "en" else help_zh
        for leaf in leaves:
            guid = code_guid(leaf)
            el = etree.SubElement(
                g_el,
                f"{{{ns}}}Code",
                guid=guid,
                name=xml_safe(code_path(leaf, lang)[1]),
                isCodable="true",
                color=_COLORS[group],
            )
            if group == "Actor":
                desc = actor_description(names[leaf.value])
            elif group in ACTOR_GROUPS:
                a = names[leaf.value]
                desc = a.label if a.label != a.id else ""
            else:
                desc = _leaf_description(leaf, lang)
            if desc:
                etree.SubElement(el, f"{{{ns}}}Description").text = xml_safe(desc)
            guids[leaf] = guid
    return guids


def codebook_xml(
    lang: str = "en", *, actors: Iterable[Actor] = (), origin: str = "resdep"
) -> bytes:
    """The canonical codebook as a REFI-QDA codebook (``.qdc``) document.

    Parameters
    ----------
    lang
        ``en`` or ``zh``: the language of code names and descriptions.
    actors
        Actors of a case, to include ``Dependent``, ``Provider`` and ``Actor`` children;
        without them those groups are empty, ready for the user's own actor ids.

    Examples
    --------
    >>> xml = codebook_xml("zh")
    >>> b'name="\\xe9\\x98\\xb6\\xe6\\xae\\xb5"' in xml   # 阶段
    True
    """
    if lang not in ("en", "zh"):
        raise QdaFormatError(f"unknown language {lang!r}", place="--lang", fix="use en or zh")
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin=origin)
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    build_codes(codes, CODEBOOK_NS, lang=lang, actors=actors)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(
        etree.tostring(root, encoding="utf-8", pretty_print=True)
    )
