"""Organisation identifiers in the forms users meet, written one way (org-id.guide schemes).

The same organisation is written differently by different publishers: a UK company number
with or without its leading zeros, a charity number with spaces, a Chinese unified social
credit code in lower case. Identifiers are normalised per scheme before keys are compared
(names are matched as before, see :mod:`resdep.contracts.orgs`):

==========  ==========================================================================
scheme      rule
==========  ==========================================================================
GB-COH      Companies House number: spaces removed, upper case; an all-digit number is
            zero-padded to 8 digits (``3352929`` → ``03352929``); prefixed numbers
            (``SC``, ``NI``, ``OC``, ``SO``, ``NC``, ``R``…) keep their letters and are
            zero-padded after them to 8 characters (``SC12345`` → ``SC012345``)
GB-CHC      Charity Commission (England and Wales) number: spaces removed, leading zeros
            dropped (``0212345`` → ``212345``); a linked charity's suffix kept (``-1``)
GB-SC       OSCR (Scotland) number: spaces removed, upper case, ``SC`` + 6 digits
GB-NIC      Charity Commission for Northern Ireland: spaces removed, upper case
CN-USCC     统一社会信用代码 (GB 32100-2015): spaces removed, upper case, 18 characters;
            the 18th is a check character (:func:`uscc_check_character`). A code of
            another length, with a character outside the standard's alphabet, or whose
            check character is wrong is kept as written and reported, never repaired
other       spaces trimmed (as before)
==========  ==========================================================================

Examples
--------
>>> normalise_identifier("GB-COH", "3352929"), normalise_identifier("gb-coh", "sc 12345")
('03352929', 'SC012345')
>>> normalise_identifier("GB-CHC", "0212 345")
'212345'
>>> uscc_problem("91350100M000100Y43") is None
True
>>> uscc_problem("91350100M000100Y44")
'check character 4 should be 3 (GB 32100-2015)'
"""

from __future__ import annotations

import re

__all__ = [
    "USCC_ALPHABET",
    "USCC_WEIGHTS",
    "normalise_identifier",
    "uscc_check_character",
    "uscc_problem",
]

#: The 31 characters of a unified social credit code (GB 32100-2015): digits and capitals
#: without I, O, S, V, Z; a character's value is its position.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weights of positions 1–17: 3^(i−1) mod 31.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

_SPACES = re.compile(r"\s+")
_COH = re.compile(r"^([A-Z]{1,2})?(\d+)$")
_CHC = re.compile(r"^0*(\d+)(-\d+)?$")


def uscc_check_character(first17: str) -> str:
    """The check character of the first 17 characters of a unified social credit code.

    C18 = 31 − (Σ value(c_i) · w_i mod 31), with 31 written as ``0``.

    >>> uscc_check_character("91350100M000100Y4")
    '3'
    """
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError(f"not 17 characters of the USCC alphabet: {first17!r}")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """What is wrong with a (normalised) unified social credit code, or None."""
    if len(code) != 18:
        return f"{len(code)} characters, not 18"
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        return f"characters {''.join(bad)!r} are not in the code's alphabet (no I, O, S, V, Z)"
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return f"check character {code[17]} should be {expected} (GB 32100-2015)"
    return None


def normalise_identifier(scheme: str, ident: str) -> str:
    """The identifier written the one way of its scheme (see the module)."""
    scheme = scheme.strip().upper()
    text = ident.strip()
    if scheme == "GB-COH":
        compact = _SPACES.sub("", text).upper()
        match = _COH.match(compact)
        if match:
            prefix, digits = match.group(1) or "", match.group(2)
            width = 8 - len(prefix)
            if len(digits) <= width:
                return prefix + digits.zfill(width)
        return compact
    if scheme == "GB-CHC":
        compact = _SPACES.sub("", text)
        match = _CHC.match(compact)
        return match.group(1) + (match.group(2) or "") if match else compact
    if scheme in ("GB-SC", "GB-NIC", "CN-USCC"):
        return _SPACES.sub("", text).upper()
    return text
