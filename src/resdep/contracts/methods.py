"""Procurement methods: OCDS codes from OCDS codes, Chinese terms, and common English names.

OCDS ``tender.procurementMethod`` has four codes: ``open`` (anyone may bid), ``selective``
(only qualified or invited suppliers), ``limited`` (the buyer contacts suppliers of its
choice) and ``direct`` (one supplier, no competition). Chinese government procurement law
(《政府采购法》 art. 26, and the 2014 rules on 竞争性磋商) names its methods differently:

================  ==========  ==========================================================
term              OCDS        note
================  ==========  ==========================================================
公开招标          open        open tendering
邀请招标          selective   tendering among invited suppliers
竞争性谈判        limited     negotiation with at least three chosen suppliers
竞争性磋商        limited     consultation with chosen suppliers (2014)
询价              limited     request for quotations from chosen suppliers
单一来源          direct      single source
定向委托/直接委托  direct      directed entrustment, common in purchase of social services
================  ==========  ==========================================================

The original term is always kept beside the code (``method_detail``). For records that give
only a free-text procedure name, a few EU/UK names are read too (open procedure → open,
restricted procedure → selective, negotiated or award without prior publication → limited);
such codes are marked as inferred.

Examples
--------
>>> method_code("公开招标")
'open'
>>> method_code("单一来源采购")
'direct'
>>> method_code("竞争性磋商")
'limited'
>>> method_code("Restricted procedure (OJEU)", infer=True)
'selective'
>>> method_code("Light Touch Regime", infer=True) is None
True
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CHINESE_METHODS", "METHODS", "is_framework_text", "method_code"]

#: The OCDS 1.1 method codelist.
METHODS = ("open", "selective", "limited", "direct")

#: Chinese method terms, most specific first (a term is found anywhere in the text).
CHINESE_METHODS: tuple[tuple[str, str], ...] = (
    ("公开招标", "open"),
    ("邀请招标", "selective"),
    ("竞争性谈判", "limited"),
    ("竞争性磋商", "limited"),
    ("询价", "limited"),
    ("单一来源", "direct"),
    ("定向委托", "direct"),
    ("直接委托", "direct"),
    ("定向购买", "direct"),
)

_ENGLISH: tuple[tuple[str, str], ...] = (
    ("without prior publication", "limited"),
    ("not advertised", "limited"),
    ("negotiated", "limited"),
    ("competitive quotation", "limited"),
    ("direct award", "direct"),
    ("single source", "direct"),
    ("single tender", "direct"),
    ("restricted", "selective"),
    ("competitive dialogue", "selective"),
    ("competitive procedure with negotiation", "selective"),
    ("open", "open"),
)

_FRAMEWORK = re.compile(r"framework|框架协议")
_CALL_OFF = re.compile(r"call[- ]?off|mini competition|further competition")


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def method_code(text: str | None, *, infer: bool = False) -> str | None:
    """The OCDS method code for an OCDS code or a Chinese term; English names with ``infer``."""
    if not text:
        return None
    folded = _fold(text)
    if folded in METHODS:
        return folded
    for term, code in CHINESE_METHODS:
        if term in folded:
            return code
    if infer:
        for term, code in _ENGLISH:
            if term in folded:
                return code
    return None


def is_framework_text(text: str | None) -> bool:
    """Whether a title or procedure name announces a framework agreement (not a call-off).

    >>> is_framework_text("Framework for Ongoing Supply of PPE"), is_framework_text("Call off from a Framework Agreement")
    (True, False)
    """
    if not text:
        return False
    folded = _fold(text)
    return _FRAMEWORK.search(folded) is not None and _CALL_OFF.search(folded) is None
