"""The case model: actors, informants, sources and coded segments, validated and typed.

Invariant: offsets are Unicode code points into the decoded source text (byte-order mark
removed, line ends as stored), end exclusive; ``quote``, when given, equals
``text[start:end]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from resdep.parameters import AnalysisParams
from resdep.vocab import (
    ActorKind,
    CaseSourceKind,
    Dimension,
    EvidenceType,
    RecordKind,
    Resource,
    Stage,
)

__all__ = ["Actor", "Case", "Coding", "HardInput", "Informant", "RecordsLink", "Source"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """An organisation in the case."""

    id: str
    kind: ActorKind
    name: str = ""
    name_zh: str = ""
    parent: str | None = None

    @property
    def is_government(self) -> bool:
        """Whether the actor is on the government side."""
        return self.kind.is_government

    @property
    def label(self) -> str:
        """The best name for people: Chinese name, name, or id."""
        return self.name_zh or self.name or self.id


@dataclass(frozen=True, slots=True, kw_only=True)
class Informant:
    """A person interviewed; ``organisation`` is an actor id."""

    id: str
    organisation: str
    role: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A transcript, field note or document, with its decoded text."""

    id: str
    path: str
    kind: CaseSourceKind
    text: str
    encoding: str = "utf-8"
    informant: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Coding:
    """One coded segment (a row of ``codings.csv``), validated against the case."""

    row: int
    source: str
    start: int
    end: int
    quote: str
    kind: RecordKind
    evidence: EvidenceType
    stage: Stage | None = None
    dependent: str | None = None
    provider: str | None = None
    resource: Resource | None = None
    dimension: Dimension | None = None
    actor: str | None = None
    value: str | None = None
    intensity: int | None = None
    note: str = ""
    #: Per-row override of the self-serving discount: True / False, or None = automatic.
    self_serving: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HardInput:
    """A dependence input taken from records (hard data), overriding coded estimates."""

    dependent: str
    provider: str
    resource: str
    dimension: str
    value: float
    basis: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordsLink:
    """Purchase or grant records listed in ``case.toml`` (``[[records]]``)."""

    path: str
    actors: Mapping[str, str] = field(default_factory=dict)
    currency: str = ""  # the main currency of the economic inputs ("": by number of awards)
    rates: str = ""  # a rates table (currency,year,rate) converting into ``currency``


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """A whole case: who is involved, what they said, and how it was coded."""

    id: str
    title: str = ""
    title_zh: str = ""
    description: str = ""
    synthetic: bool = False
    actors: tuple[Actor, ...]
    informants: tuple[Informant, ...] = ()
    sources: tuple[Source, ...] = ()
    codings: tuple[Coding, ...] = ()
    parameters: AnalysisParams = field(default_factory=AnalysisParams)
    records: tuple[RecordsLink, ...] = ()
    hard_inputs: tuple[HardInput, ...] = ()
    root: Path | None = None

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id (KeyError if absent)."""
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    def informant(self, informant_id: str) -> Informant:
        """The informant with this id (KeyError if absent)."""
        for i in self.informants:
            if i.id == informant_id:
                return i
        raise KeyError(informant_id)

    def source(self, source_id: str) -> Source:
        """The source with this id (KeyError if absent)."""
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)
