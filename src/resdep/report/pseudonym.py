"""Pseudonymisation of every output of an analysis (``resdep analyze --pseudonymise``).

Informant ids become ``P1``, ``P2``, … and roles ``R1``, ``R2``, … (in the order of
``case.toml``); extra names from ``--redact FILE`` (one a line, e.g. people named in
quotes) become ``N1``, ``N2``, …. A name is found:

- inside other ids and file names: ``_``, ``-``, ``.``, ``/`` and any other character that
  is not a letter or digit ends a name, so ``Wang_Fang`` is found in
  ``Wang_Fang_interview``;
- regardless of case for Latin script (``Chen`` and ``CHEN`` for ``chen``);
- anywhere for names in Chinese, Japanese or Korean script, which have no word breaks
  (``张伟`` in ``张伟访谈.txt``).

Latin names are matched only where no letter or digit adjoins them, so ``Li`` does not
hit ``Lily``. :func:`pseudonymise_folder` applies the mapping to every text file of an
output folder (CSV, JSON, GraphML, HTML, SVG, Markdown) and to file names.

Examples
--------
>>> p = Pseudonymiser.from_names({"Wang_Fang": "P1", "chen": "P2", "张伟": "P3"})
>>> p.apply("Wang_Fang_interview: Chen said CHEN; see 张伟访谈.txt; Chenxi stays")
'P1_interview: P2 said P2; see P3访谈.txt; Chenxi stays'
"""

from __future__ import annotations

import html
import os
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resdep.errors import InputError
from resdep.textio import read_text

__all__ = [
    "OFFICE_SUFFIXES",
    "TEXT_SUFFIXES",
    "Pseudonymiser",
    "pseudonymise_folder",
    "read_redact_file",
]

#: Output files whose text is pseudonymised in place.
TEXT_SUFFIXES = (".csv", ".json", ".graphml", ".html", ".svg", ".md", ".txt", ".toml")
#: Office files (zips of XML) whose text parts are pseudonymised too.
OFFICE_SUFFIXES: tuple[str, ...] = (".docx", ".xlsx")

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Pseudonymiser:
    """Replaces real names by pseudonyms in text.

    Attributes
    ----------
    mapping
        Real name → pseudonym (Latin names keyed as given; matched case-insensitively).
    """

    mapping: Mapping[str, str]
    _folded: Mapping[str, str] = field(repr=False)
    _pattern: re.Pattern[str] | None = field(repr=False)

    @classmethod
    def from_names(cls, mapping: Mapping[str, str]) -> Pseudonymiser:
        """A pseudonymiser for ``mapping`` (empty names are ignored)."""
        clean = {k.strip(): v for k, v in mapping.items() if k and k.strip()}
        folded = {k.casefold(): v for k, v in clean.items()}
        parts = []
        for name in sorted(clean, key=len, reverse=True):
            body = re.escape(name)
            if _CJK.search(name):
                parts.append(body)
            else:  # no letter or digit may adjoin a Latin name; "_" is not a letter
                parts.append(rf"(?<![^\W_]){body}(?![^\W_])")
        pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None
        return cls(mapping=clean, _folded=folded, _pattern=pattern)

    @classmethod
    def for_case(cls, case: Any, extra: Iterable[str] = ()) -> Pseudonymiser:
        """Informants → P1…, roles → R1…, ``extra`` names → N1… (the report's numbering)."""
        mapping: dict[str, str] = {}
        roles: dict[str, str] = {}
        for n, inf in enumerate(case.informants, start=1):
            mapping[inf.id] = f"P{n}"
            if inf.role and inf.role not in roles:
                roles[inf.role] = f"R{len(roles) + 1}"
        for role, alias in roles.items():
            mapping.setdefault(role, alias)
        k = 0
        for name in extra:
            if name.strip() and name.strip() not in mapping:
                k += 1
                mapping[name.strip()] = f"N{k}"
        return cls.from_names(mapping)

    def __bool__(self) -> bool:
        return self._pattern is not None

    @property
    def tables(self) -> tuple[dict[str, str], dict[str, str]]:
        """``(informant pseudonyms, role pseudonyms)`` as the HTML report shows them."""
        people = {k: v for k, v in self.mapping.items() if v.startswith("P")}
        roles = {k: v for k, v in self.mapping.items() if v.startswith("R")}
        return people, roles

    def apply(self, text: str) -> str:
        """``text`` with every real name replaced by its pseudonym."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(self._repl, text)

    def _repl(self, m: re.Match[str]) -> str:
        return self._folded.get(m.group(0).casefold(), "[redacted]")

    def apply_markup(self, text: str) -> str:
        """Like :meth:`apply`, also for names written HTML-escaped (``O&#x27;Brien``)."""
        text = self.apply(text)
        escaped = {html.escape(k): v for k, v in self.mapping.items() if html.escape(k) != k}
        if escaped:
            text = Pseudonymiser.from_names(escaped).apply(text)
        return text

    def leaks(self, text: str) -> list[str]:
        """The real names still found in ``text`` (for checks)."""
        if self._pattern is None:
            return []
        return sorted({m.group(0) for m in self._pattern.finditer(text)})


def read_redact_file(path: str | Path) -> list[str]:
    """Names to redact, one a line (blank lines and ``#`` comments ignored).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "names.txt"
    >>> _ = f.write_text("# people named in quotes\\nLiu Yang\\n\\n刘洋\\n", encoding="utf-8")
    >>> read_redact_file(f)
    ['Liu Yang', '刘洋']
    """
    text, _ = read_text(path, kind="case")
    names = [line.strip() for line in text.splitlines()]
    names = [n for n in names if n and not n.startswith("#")]
    if not names:
        raise InputError("the file names nobody to redact", file=path, fix="write one name a line")
    return names


def pseudonymise_folder(folder: str | Path, pseudonymiser: Pseudonymiser) -> None:
    """Apply ``pseudonymiser`` to every text file and every file name under ``folder``."""
    root = Path(folder)
    if not pseudonymiser:
        return
    for here, dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames:
            path = Path(here) / name
            if path.is_symlink():
                continue
            if path.suffix.lower() in TEXT_SUFFIXES:
                text = path.read_text(encoding="utf-8")
                new = (
                    pseudonymiser.apply_markup(text)
                    if path.suffix.lower() in (".html", ".svg", ".graphml")
                    else pseudonymiser.apply(text)
                )
                if new != text:
                    path.write_text(new, encoding="utf-8", newline="")
            elif path.suffix.lower() in OFFICE_SUFFIXES:
                _pseudonymise_office(path, pseudonymiser)
            _rename(path, pseudonymiser)
        for name in dirnames:
            _rename(Path(here) / name, pseudonymiser)


def _pseudonymise_office(path: Path, pseudonymiser: Pseudonymiser) -> None:
    """Rewrite the XML parts of a .docx/.xlsx (a zip of XML) through the pseudonymiser."""
    with zipfile.ZipFile(path) as src:
        parts = [(info, src.read(info)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in parts:
            if info.filename.endswith((".xml", ".rels")):
                data = pseudonymiser.apply_markup(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info, data)
    os.replace(tmp, path)


def _rename(path: Path, pseudonymiser: Pseudonymiser) -> None:
    new = pseudonymiser.apply(path.name)
    if new != path.name:
        os.rename(path, path.with_name(new))
