"""Offset conventions of the QDA programs, their detection and conversion to code points.

REFI-QDA says a selection's ``startPosition`` and ``endPosition`` count Unicode code
points from 0 (end exclusive in every implementation). Programs disagree:

=====================  =========================================================
convention             written by
=====================  =========================================================
``code_points``        the standard; QualCoder, MAXQDA, resdep
``code_points_crlf1``  ATLAS.ti (a CRLF line end counts as one character)
``utf16``              NVivo for Windows (UTF-16 code units, CRLF as two)
``utf16_crlf1``        UTF-16 code units with CRLF as one
``utf8``               Taguette (UTF-8 bytes)
=====================  =========================================================

The conventions differ only when a text holds CRLF line ends, characters outside the
Basic Multilingual Plane (emoji, CJK Extension B) or, for ``utf8``, any non-ASCII
character. :func:`detect_convention` tries each on all selections of one source and
scores the fit: an offset must fall on a character boundary inside the text; a
selection whose ``name`` holds the start of its text is strong evidence; a selection
that starts at a line start or ends at a line end is weak evidence. Ties go to the
program's known convention (from ``Project@origin``), then to the standard.

Examples
--------
>>> text = "😀 ok\\r\\nsecond line"
>>> units = OffsetUnits(text)
>>> units.to_code_point(Convention.UTF16, 7)   # the emoji counts 2, then " ok", CR, LF
6
>>> text[6:]
'second line'
>>> det = detect_convention(text, [(7, 18, "")])
>>> det.convention.value, det.fits
('utf16', 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Convention",
    "OffsetDetection",
    "OffsetUnits",
    "convention_for_origin",
    "detect_convention",
]


class Convention(StrEnum):
    """How a program counts offsets into a text."""

    CODE_POINTS = "code_points"
    CODE_POINTS_CRLF1 = "code_points_crlf1"
    UTF16 = "utf16"
    UTF16_CRLF1 = "utf16_crlf1"
    UTF8 = "utf8"

    @property
    def description(self) -> str:
        """A sentence for people."""
        return {
            "code_points": "Unicode code points (the REFI-QDA standard)",
            "code_points_crlf1": "code points with CRLF counted as one (ATLAS.ti)",
            "utf16": "UTF-16 code units with CRLF counted as two (NVivo for Windows)",
            "utf16_crlf1": "UTF-16 code units with CRLF counted as one",
            "utf8": "UTF-8 bytes (Taguette)",
        }[self.value]


def convention_for_origin(origin: str) -> Convention:
    """The convention a program is known to write, from ``Project@origin``.

    Examples
    --------
    >>> convention_for_origin("NVivo for Windows 12.6").value
    'utf16'
    >>> convention_for_origin("QualCoder 3.5").value
    'code_points'
    """
    o = origin.lower()
    if "nvivo" in o and "mac" not in o:
        return Convention.UTF16
    if "atlas" in o:
        return Convention.CODE_POINTS_CRLF1
    if "taguette" in o:
        return Convention.UTF8
    return Convention.CODE_POINTS


class OffsetUnits:
    """Where each code-point boundary of a text falls under each convention.

    ``boundaries(c)[i]`` is the offset, in convention ``c``, of the boundary before code
    point ``i`` (and ``[n]`` the end of the text).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        self._cps = cps
        crlf = np.zeros(len(cps), dtype=bool)
        if len(cps) > 1:
            crlf[:-1] = (cps[:-1] == 13) & (cps[1:] == 10)
        astral = (cps > 0xFFFF).astype(np.int64)
        ones = np.ones(len(cps), dtype=np.int64)
        cr1 = ones - crlf
        widths = {
            Convention.CODE_POINTS: ones,
            Convention.CODE_POINTS_CRLF1: cr1,
            Convention.UTF16: ones + astral,
            Convention.UTF16_CRLF1: cr1 + astral,
            Convention.UTF8: ones + (cps > 0x7F) + (cps > 0x7FF) + (cps > 0xFFFF),
        }
        self._bounds: dict[Convention, NDArray[np.int64]] = {
            c: np.concatenate([[0], np.cumsum(w, dtype=np.int64)]) for c, w in widths.items()
        }
        starts = np.zeros(len(cps) + 1, dtype=bool)
        starts[0] = True
        starts[1:] = cps == 10
        ends = np.zeros(len(cps) + 1, dtype=bool)
        ends[-1] = True
        ends[:-1] = (cps == 10) | (cps == 13)
        self.line_start = starts
        self.line_end = ends

    def boundaries(self, convention: Convention) -> NDArray[np.int64]:
        """Offsets of every code-point boundary under a convention."""
        return self._bounds[convention]

    def length(self, convention: Convention) -> int:
        """Length of the text in a convention's units."""
        return int(self._bounds[convention][-1])

    def to_code_point(self, convention: Convention, offset: int) -> int | None:
        """The code-point index of an offset, or None if it falls inside a character."""
        b = self._bounds[convention]
        if offset < 0 or offset > b[-1]:
            return None
        i = int(np.searchsorted(b, offset, side="left"))
        return i if b[i] == offset else None

    def convert(
        self, convention: Convention, offsets: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
        """Convert many offsets at once; returns code points and whether each fits exactly."""
        b = self._bounds[convention]
        inside = (offsets >= 0) & (offsets <= b[-1])
        idx = np.searchsorted(b, np.clip(offsets, 0, b[-1]), side="left")
        exact = inside & (b[np.minimum(idx, len(b) - 1)] == offsets)
        return idx.astype(np.int64), exact


@dataclass(frozen=True, slots=True, kw_only=True)
class OffsetDetection:
    """What :func:`detect_convention` found for one source.

    Attributes
    ----------
    convention
        The convention chosen.
    fits
        Selections whose both offsets fall on character boundaries inside the text under it.
    total
        Selections scored.
    evidence
        Per convention: (fitting selections, name matches, starts at a line start, ends at
        a line end).
    misfits
        Indices (into the selections given) that do not fit the chosen convention.
    unfit_anywhere
        Indices of selections that fit no convention at all.
    ambiguous
        True when the text gives the conventions no way to differ (all agree).
    """

    convention: Convention
    fits: int
    total: int
    evidence: dict[Convention, tuple[int, int, int, int]] = field(default_factory=dict)
    misfits: tuple[int, ...] = ()
    unfit_anywhere: tuple[int, ...] = ()
    ambiguous: bool = False

    def summary(self) -> str:
        """One line for people."""
        if self.total == 0:
            return f"{self.convention.value}: no selections to test; assumed from the program"
        if self.ambiguous:
            return f"{self.convention.value}: all conventions agree on this text"
        fit, names, starts, ends = self.evidence[self.convention]
        text = (
            f"{self.convention.value} ({self.convention.description}): {fit}/{self.total} selections fit"
            f", {starts} start at a line start, {ends} end at a line end"
        )
        if names:
            text += f", {names} names match the text"
        others = ", ".join(
            f"{c.value} {e[2] + e[3]}" for c, e in self.evidence.items() if c is not self.convention
        )
        return text + (f" (line-boundary hits under the others: {others})" if others else "")


def _norm(s: str) -> str:
    return " ".join(s.replace("…", "").replace("...", "").split())


def detect_convention(
    text: str,
    selections: Sequence[tuple[int, int, str]],
    *,
    prior: Convention = Convention.CODE_POINTS,
    force: Convention | None = None,
    units: OffsetUnits | None = None,
) -> OffsetDetection:
    """Find which convention the offsets of one source's selections are written in.

    Parameters
    ----------
    text
        The source text as stored (byte-order mark removed, line ends as in the file).
    selections
        ``(start, end, name)`` as written in the project; ``name`` may be empty.
    prior
        The convention to prefer on a tie (usually :func:`convention_for_origin`).
    force
        Use this convention whatever the evidence (the evidence is still reported).

    Examples
    --------
    A selection named by its text settles the question:

    >>> text = "第一行\\r\\n第二行：街道依赖社工"
    >>> detect_convention(text, [(4, 7, "第二行")]).convention.value
    'code_points_crlf1'
    """
    u = units or OffsetUnits(text)
    n_sel = len(selections)
    starts = np.array([s for s, _, _ in selections], dtype=np.int64)
    ends = np.array([e for _, e, _ in selections], dtype=np.int64)
    evidence: dict[Convention, tuple[int, int, int, int]] = {}
    fit_masks: dict[Convention, NDArray[np.bool_]] = {}
    exact_names: dict[Convention, int] = {}
    for conv in Convention:
        s_cp, s_ok = u.convert(conv, starts)
        e_cp, e_ok = u.convert(conv, ends)
        ok = s_ok & e_ok & (s_cp <= e_cp)
        fit_masks[conv] = ok
        line_starts = int(np.sum(ok & u.line_start[np.minimum(s_cp, len(text))]))
        line_ends = int(np.sum(ok & u.line_end[np.minimum(e_cp, len(text))]))
        names = exact = 0
        for k, (_, _, name) in enumerate(selections):
            if name and ok[k]:
                piece = text[s_cp[k] : e_cp[k]]
                want, got = _norm(name), _norm(piece)
                exact += 2 if name == piece else int(bool(want) and want == got)
                if want and got and (got.startswith(want) or want.startswith(got)):
                    names += 1
        evidence[conv] = (int(ok.sum()), names, line_starts, line_ends)
        exact_names[conv] = exact
    order = list(Convention)

    def rank(c: Convention) -> tuple[int, int, int, int, int, int]:
        fit, names, ls, le = evidence[c]
        return (fit, exact_names[c], names, ls + le, int(c is prior), -order.index(c))

    best = max(Convention, key=rank)
    any_fit = np.zeros(n_sel, dtype=bool)
    for m in fit_masks.values():
        any_fit |= m
    base = u.boundaries(Convention.CODE_POINTS)
    ambiguous = all(np.array_equal(u.boundaries(c), base) for c in Convention)
    chosen = force or (prior if ambiguous else best)
    return OffsetDetection(
        convention=chosen,
        fits=evidence[chosen][0],
        total=n_sel,
        evidence=evidence,
        misfits=tuple(int(i) for i in np.flatnonzero(~fit_masks[chosen])),
        unfit_anywhere=tuple(int(i) for i in np.flatnonzero(~any_fit)),
        ambiguous=ambiguous,
    )
