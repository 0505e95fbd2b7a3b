"""What an import met on the way: problems with their place, and counts of skipped items.

Reading records never stops at the first bad item. Each problem becomes an :class:`Issue`
naming the file, the place in it (a JSON pointer such as ``/releases/3/awards/0/value``, a
JSON Lines line, or a CSV row) and what was wrong; items that cannot be used at all are
counted in :attr:`ImportLog.skipped` by kind.

Examples
--------
>>> log = ImportLog()
>>> log.warn("a.json", "/releases/0/awards/0/value/amount", "negative value -5 left out of sums")
>>> log.skip("release", "b.jsonl", "line 7", "invalid JSON: Expecting value")
>>> log.skipped["release"], len(log.issues)
(1, 2)
>>> print(log.issues[1])
error b.jsonl, line 7: invalid JSON: Expecting value
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["MAX_ISSUES", "ImportLog", "Issue", "child"]

#: Issues kept in detail; later ones are only counted (a broken bulk file can have millions).
MAX_ISSUES = 10_000


def child(place: str, path: str) -> str:
    """The place of ``path`` (a JSON pointer without its leading ``/``) inside ``place``.

    A place is a JSON pointer in a file, ``line N`` of a JSON Lines file, or ``line N, <JSON
    pointer in that line>``.

    >>> child("/releases/3", "awards/0"), child("", "grants/1")
    ('/releases/3/awards/0', '/grants/1')
    >>> child("line 7", "awards/0"), child("line 7, /records/0", "compiledRelease")
    ('line 7, /awards/0', 'line 7, /records/0/compiledRelease')
    """
    if place in ("", "/"):
        return f"/{path}"
    if place.startswith("/") or ", /" in place:
        return f"{place}/{path}"
    return f"{place}, /{path}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    """One problem met while reading records."""

    severity: str  # "error": the item was skipped; "warning": it was kept, perhaps in part
    file: str
    place: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.file, self.place) if p)
        return f"{self.severity} {where}: {self.message}"


@dataclass(slots=True)
class ImportLog:
    """Problems and counts gathered while reading records into an award table."""

    issues: list[Issue] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    read: Counter[str] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)  # kept or left out, and reported
    dropped_issues: int = 0

    def _add(self, issue: Issue) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)
        else:
            self.dropped_issues += 1

    def warn(self, file: str | Path, place: str, message: str) -> None:
        """Record a problem with an item that was still used."""
        self._add(Issue(severity="warning", file=str(file), place=place, message=message))

    def skip(self, kind: str, file: str | Path, place: str, message: str) -> None:
        """Record an item of ``kind`` left out, and why."""
        self.skipped[kind] += 1
        self._add(Issue(severity="error", file=str(file), place=place, message=message))

    @property
    def n_issues(self) -> int:
        """All issues, including those past :data:`MAX_ISSUES`."""
        return len(self.issues) + self.dropped_issues

    def summary(self) -> str:
        """One line: what was read, what was skipped, how many problems."""
        read = ", ".join(f"{n} {k}" for k, n in sorted(self.read.items())) or "nothing"
        text = f"read {read}"
        if self.skipped:
            text += "; skipped " + ", ".join(f"{n} {k}" for k, n in sorted(self.skipped.items()))
        if self.flagged:
            text += "; flagged " + ", ".join(f"{n} {k}" for k, n in sorted(self.flagged.items()))
        if self.n_issues:
            text += f"; {self.n_issues} issue(s)"
        return text
