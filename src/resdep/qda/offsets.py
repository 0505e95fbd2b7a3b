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
from typing import Any

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

    Memory is a few bytes per character: the code points as ``uint32`` (4 bytes) and one
    boundary table at a time as ``int32`` (4 bytes; ``int64`` only for texts beyond two
    thousand million units), computed when asked for. A 100 MB text needs well under 2 GB.

    Examples
    --------
    >>> u = OffsetUnits("a\\r\\nb😀")
    >>> u.boundaries(Convention.UTF16).tolist(), u.ambiguous
    ([0, 1, 2, 3, 4, 6], False)
    >>> u.at_line_start(np.array([0, 1, 3])).tolist()
    [True, False, True]
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._raw = text.encode("utf-32-le")
        cps: NDArray[np.uint32] = np.frombuffer(self._raw, dtype=np.uint32)
        self._cps = cps
        self._dtype: type[np.signedinteger[Any]] = (
            np.int32 if 4 * len(cps) < np.iinfo(np.int32).max else np.int64
        )
        self._cached: tuple[Convention, NDArray[np.signedinteger[Any]]] | None = None
        self._crlf: int | None = None

    def _crlf_mask(self) -> NDArray[np.bool_]:
        cps = self._cps
        mask = np.zeros(len(cps), dtype=bool)
        if len(cps) > 1:
            np.logical_and(cps[:-1] == 13, cps[1:] == 10, out=mask[:-1])
        return mask

    def _widths(self, convention: Convention) -> NDArray[np.int8]:
        cps = self._cps
        w = np.ones(len(cps), dtype=np.int8)
        if convention in (Convention.CODE_POINTS_CRLF1, Convention.UTF16_CRLF1):
            w -= self._crlf_mask()
        if convention in (Convention.UTF16, Convention.UTF16_CRLF1):
            w += cps > 0xFFFF
        if convention is Convention.UTF8:
            w += cps > 0x7F
            w += cps > 0x7FF
            w += cps > 0xFFFF
        return w

    @property
    def ambiguous(self) -> bool:
        """True when every convention gives the same offsets (ASCII text without CRLF)."""
        if self._crlf is None:
            self._crlf = int(self._crlf_mask().sum())
        return self._crlf == 0 and (len(self._cps) == 0 or int(self._cps.max()) <= 0x7F)

    def boundaries(self, convention: Convention) -> NDArray[np.signedinteger[Any]]:
        """Offsets of every code-point boundary under a convention (the last one is kept)."""
        if self._cached is not None and self._cached[0] is convention:
            return self._cached[1]
        self._cached = None  # free the previous table before building the next
        out = np.zeros(len(self._cps) + 1, dtype=self._dtype)
        if len(self._cps):
            np.cumsum(self._widths(convention), dtype=self._dtype, out=out[1:])
        self._cached = (convention, out)
        return out

    def length(self, convention: Convention) -> int:
        """Length of the text in a convention's units."""
        return int(self.boundaries(convention)[-1])

    def at_line_start(self, index: NDArray[np.integer[Any]]) -> NDArray[np.bool_]:
        """Whether each code-point boundary ``index`` starts a line."""
        idx = np.asarray(index, dtype=np.int64)
        prev = np.clip(idx - 1, 0, max(len(self._cps) - 1, 0))
        after_lf = (self._cps[prev] == 10) if len(self._cps) else np.zeros(len(idx), bool)
        out: NDArray[np.bool_] = (idx == 0) | ((idx > 0) & after_lf)
        return out

    def at_line_end(self, index: NDArray[np.integer[Any]]) -> NDArray[np.bool_]:
        """Whether each code-point boundary ``index`` ends a line (before CR/LF, or the end)."""
        idx = np.asarray(index, dtype=np.int64)
        n = len(self._cps)
        here = np.clip(idx, 0, max(n - 1, 0))
        cp = self._cps[here] if n else np.zeros(len(idx), np.uint32)
        out: NDArray[np.bool_] = (idx >= n) | ((cp == 10) | (cp == 13))
        return out

    def to_code_point(self, convention: Convention, offset: int) -> int | None:
        """The code-point index of an offset, or None if it falls inside a character."""
        b = self.boundaries(convention)
        if offset < 0 or offset > b[-1]:
            return None
        i = int(np.searchsorted(b, offset, side="left"))
        return i if b[i] == offset else None

    def convert(
        self, convention: Convention, offsets: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
        """Convert many offsets at once; returns code points and whether each fits exactly."""
        b = self.boundaries(convention)
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
    undecided
        The conventions that explain the selections equally well (same fits, name matches
        and line-boundary hits) yet place them on different characters; empty when the
        evidence picks one. When it is not empty the program's own convention (the prior)
        is used if it is among them, and the summary says so.
    """

    convention: Convention
    fits: int
    total: int
    evidence: dict[Convention, tuple[int, int, int, int]] = field(default_factory=dict)
    misfits: tuple[int, ...] = ()
    unfit_anywhere: tuple[int, ...] = ()
    ambiguous: bool = False
    undecided: tuple[Convention, ...] = ()

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
        text += f" (line-boundary hits under the others: {others})" if others else ""
        if self.undecided:
            names_ = ", ".join(c.value for c in self.undecided)
            text += (
                f"; UNDECIDED between {names_}: the selections fit each equally well but fall on"
                f" different characters; {self.convention.value} assumed, check a few quotes"
                " against the transcript"
            )
        return text


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
    n_sel = len(selections)
    if n_sel == 0:  # nothing to test: no offset table is built
        return OffsetDetection(convention=force or prior, fits=0, total=0)
    u = units or OffsetUnits(text)
    starts = np.array([s for s, _, _ in selections], dtype=np.int64)
    ends = np.array([e for _, e, _ in selections], dtype=np.int64)
    evidence: dict[Convention, tuple[int, int, int, int]] = {}
    fit_masks: dict[Convention, NDArray[np.bool_]] = {}
    spans: dict[Convention, tuple[NDArray[Any], NDArray[Any]]] = {}
    exact_names: dict[Convention, int] = {}
    for conv in Convention:
        s_cp, s_ok = u.convert(conv, starts)
        e_cp, e_ok = u.convert(conv, ends)
        ok = s_ok & e_ok & (s_cp <= e_cp)
        fit_masks[conv] = ok
        spans[conv] = (s_cp, e_cp)
        line_starts = int(np.sum(ok & u.at_line_start(np.minimum(s_cp, len(text)))))
        line_ends = int(np.sum(ok & u.at_line_end(np.minimum(e_cp, len(text)))))
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

    def same_places(c: Convention) -> bool:
        both = fit_masks[c] & fit_masks[best]
        return bool(
            np.array_equal(fit_masks[c], fit_masks[best])
            and np.array_equal(spans[c][0][both], spans[best][0][both])
            and np.array_equal(spans[c][1][both], spans[best][1][both])
        )

    tied = [c for c in Convention if rank(c)[:4] == rank(best)[:4] and not same_places(c)]
    undecided = (best, *tied) if tied and not u.ambiguous else ()
    any_fit = np.zeros(n_sel, dtype=bool)
    for m in fit_masks.values():
        any_fit |= m
    ambiguous = u.ambiguous
    chosen = force or (prior if ambiguous or prior in undecided else best)
    return OffsetDetection(
        convention=chosen,
        fits=evidence[chosen][0],
        total=n_sel,
        evidence=evidence,
        misfits=tuple(int(i) for i in np.flatnonzero(~fit_masks[chosen])),
        unfit_anywhere=tuple(int(i) for i in np.flatnonzero(~any_fit)),
        ambiguous=ambiguous,
        undecided=() if force else undecided,
    )
