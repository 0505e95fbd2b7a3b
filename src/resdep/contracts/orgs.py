"""Organisations across processes: scheme-qualified identifiers first, normalised names else.

Publishers give an organisation a local ``id`` per release (UK Contracts Finder numbers its
suppliers 1, 2, 3 in every release, and hashes its buyers per release), so ``id`` says
nothing across processes. What does is ``identifier.scheme`` + ``identifier.id`` (an
org-id.guide scheme such as ``GB-COH``, ``GB-CHC`` or ``CN-USCC``), and failing that the name.

Keys:

- ``GB-COH-00133804``: scheme and identifier joined by ``-`` (scheme upper-cased, identifier trimmed,
  a spreadsheet's ``.0`` dropped from an all-digit number, and written the one way of its
  scheme: :mod:`resdep.contracts.identifiers`, e.g. ``GB-COH-3352929`` → ``GB-COH-03352929``);
- ``name:arcolimited``: no identifier; the name with HTML entities decoded, Unicode
  NFKC-folded (full-width forms become ASCII), case-folded, and every character that is not a
  letter or digit removed.

:class:`OrgResolver` gives a name-only organisation the identifier key when that name was
seen with exactly one identifier somewhere in the records.

Examples
--------
>>> normalise_name("REDCAR &amp; CLEVELAND  Borough Council")
'redcarclevelandboroughcouncil'
>>> normalise_name("某某（浦东）社会工作服务社")
'某某浦东社会工作服务社'
>>> OrgRef(scheme="GB-COH", id="11111111.0", name="AnyCorp").key
'GB-COH-11111111'
>>> OrgRef.parse_qualified("GB-COH-3352929").key == OrgRef(scheme="GB-COH", id="03352929").key
True
>>> OrgRef.parse_qualified("CN-USCC-52310115MJ4567890T", name="某某社会工作服务社").scheme
'CN-USCC'
>>> OrgRef.parse_qualified("360G-ABCT-0065I000005BoDG").key  # 360Giving's own prefix counts too
'360G-ABCT-0065I000005BoDG'
>>> r = OrgResolver()
>>> r.add(OrgRef(scheme="GB-CHC", id="1", name="Arco Trust"))
>>> r.add(OrgRef(name="ARCO TRUST."))
>>> r.resolve(OrgRef(name="ARCO TRUST.")), r.name("GB-CHC-1")
('GB-CHC-1', 'Arco Trust')
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

from resdep.contracts.identifiers import normalise_identifier

__all__ = ["OrgRef", "OrgResolver", "normalise_name"]

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_QUALIFIED = re.compile(r"^([A-Z0-9]{2,}-[A-Z0-9]+)-(.+)$", re.IGNORECASE)
_FLOAT_ARTEFACT = re.compile(r"^(\d+)\.0$")


def normalise_name(name: str) -> str:
    """Fold a name for matching: entities decoded, NFKC, case-folded, punctuation and spaces gone."""
    text = unicodedata.normalize("NFKC", html.unescape(html.unescape(name)))
    return _NOT_WORD.sub("", text.casefold())


def _clean_id(value: str) -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _FLOAT_ARTEFACT.match(text)
    return match.group(1) if match else text


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgRef:
    """An organisation as a record names it."""

    name: str = ""
    scheme: str = ""
    id: str = ""

    @classmethod
    def parse_qualified(cls, value: str, *, name: str = "") -> OrgRef:
        """Split ``"GB-CHC-1126147"`` into scheme and id; any other text becomes the id alone."""
        text = _clean_id(value)
        match = _QUALIFIED.match(text)
        if match:
            return cls(name=name, scheme=match.group(1).upper(), id=match.group(2))
        return cls(name=name, id=text)

    @property
    def display_name(self) -> str:
        """The name as a person reads it (entities decoded, spaces trimmed)."""
        return " ".join(html.unescape(html.unescape(self.name)).split())

    @property
    def identifier_key(self) -> str:
        """``SCHEME-ID`` when both are known, else ``""``."""
        if self.scheme and self.id:
            scheme = _clean_id(self.scheme).upper()
            return f"{scheme}-{normalise_identifier(scheme, _clean_id(self.id))}"
        match = _QUALIFIED.match(_clean_id(self.id)) if self.id else None
        if match:
            scheme = match.group(1).upper()
            return f"{scheme}-{normalise_identifier(scheme, match.group(2))}"
        return ""

    @property
    def name_key(self) -> str:
        """``name:<normalised name>``, or ``""`` without a usable name."""
        folded = normalise_name(self.name) if self.name else ""
        return f"name:{folded}" if folded else ""

    @property
    def key(self) -> str:
        """The key by identifier, else by name (``""`` when the record gives neither)."""
        return self.identifier_key or self.name_key


def _most_common(names: Counter[str]) -> str:
    """The most common name; ties go to the first in sort order, never to reading order."""
    return min(names.items(), key=lambda item: (-item[1], item[0]))[0]


class OrgResolver:
    """Collects organisations, then gives each reference one key and one display name."""

    def __init__(self) -> None:
        self._ids_by_name: defaultdict[str, set[str]] = defaultdict(set)
        self._names: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def add(self, ref: OrgRef, count: int = 1) -> None:
        """Learn a reference seen ``count`` times (add every reference before resolving any)."""
        ident, by_name = ref.identifier_key, ref.name_key
        if ident and by_name:
            self._ids_by_name[by_name].add(ident)
        key = ident or by_name
        if key and ref.display_name:
            self._names[key][ref.display_name] += count

    def resolve(self, ref: OrgRef) -> str:
        """The key of ``ref``: its identifier, else the one identifier its name was seen with."""
        if ref.identifier_key:
            return ref.identifier_key
        by_name = ref.name_key
        ids = self._ids_by_name.get(by_name)
        if ids and len(ids) == 1:
            return next(iter(ids))
        return by_name

    def name(self, key: str) -> str:
        """The most common display name seen for ``key`` (ties: the first in sort order)."""
        names = self._names.get(key)
        if names:
            return _most_common(names)
        if not key:
            return ""
        for name_key, ids in self._ids_by_name.items():
            if key in ids and name_key in self._names:
                return _most_common(self._names[name_key])
        return key.removeprefix("name:")

    def find(self, text: str) -> str | None:
        """The key of an organisation given as an identifier or a name, or None if unseen.

        A name resolves as in :meth:`resolve`; an identifier without its scheme matches when
        exactly one scheme-qualified key ends with it.
        """
        ref = OrgRef.parse_qualified(text)
        if ref.identifier_key and ref.identifier_key in self._names:
            return ref.identifier_key
        by_name = self.resolve(OrgRef(name=text))
        if by_name and (by_name in self._names or not by_name.startswith("name:")):
            return by_name
        bare = _clean_id(text)
        tails = [k for k in self._names if not k.startswith("name:") and k.endswith(f"-{bare}")]
        return tails[0] if bare and len(tails) == 1 else None

    def known(self) -> dict[str, str]:
        """Every key with its display name."""
        return {key: _most_common(names) for key, names in self._names.items()}
