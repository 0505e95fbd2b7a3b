"""One award to one supplier, as every reader produces it before organisations are resolved.

Also the small parsers the readers share: dates, amounts, yes/no. Free text (``title``,
``method_detail``, ``programme``) has its HTML entities decoded, as organisation names do
(UK Contracts Finder writes ``&amp;`` and ``&#039;``), whichever reader made the row.

Examples
--------
>>> parse_date("2021-01-26T00:00:00+00:00"), parse_date("2020年3月5日"), parse_date("2019/12/1")
(datetime.date(2021, 1, 26), datetime.date(2020, 3, 5), datetime.date(2019, 12, 1))
>>> parse_date("soon") is None
True
>>> parse_amount("1,200,000"), parse_amount("¥ 35.5万"), parse_amount(12), parse_amount("n/a")
(1200000.0, 355000.0, 12.0, None)
>>> parse_bool("是"), parse_bool("No"), parse_bool("") is None
(True, False, True)
>>> plain_text("Planned &amp; Reactive Maintenance (&#039;PRM&#039;) "), plain_text("A &amp;amp; B")
("Planned & Reactive Maintenance ('PRM')", 'A & B')
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from resdep.contracts.orgs import OrgRef

__all__ = [
    "CURRENCY_SIGNS",
    "EXCLUSION_REASONS",
    "RawAward",
    "currencies_of_text",
    "parse_amount",
    "parse_bool",
    "parse_date",
    "plain_text",
]

#: Why an award row's value is kept out of revenue sums (``""``: it is counted).
EXCLUSION_REASONS = {
    "framework": "a framework agreement: its value is a ceiling, not money paid",
    "multi_supplier": "several suppliers share one value and the records do not split it",
    "co_funded": "several funders share one grant and the records do not split it",
    "no_value": "no value given",
    "negative_value": "a negative value",
    "no_currency": "no currency given: an amount in an unknown currency is never summed",
    "currency_conflict": "the amount's sign contradicts its currency (e.g. $5,000 with CNY)",
    "implausible": "the amount is above the plausibility ceiling (a typing or unit error)",
}

#: What a sign or word written in an amount says about its currency: the ISO 4217 codes it
#: can stand for. ``$`` is many dollars, ``¥`` both yuan and yen; 元 the yuan of the
#: mainland, Hong Kong (港元), Macau and Taiwan (新台币元).
CURRENCY_SIGNS: dict[str, frozenset[str]] = {
    "$": frozenset({"USD", "HKD", "TWD", "SGD", "AUD", "CAD", "NZD", "MOP"}),
    "£": frozenset({"GBP"}),
    "€": frozenset({"EUR"}),
    "¥": frozenset({"CNY", "JPY"}),
    "元": frozenset({"CNY", "HKD", "MOP", "TWD"}),
    "RMB": frozenset({"CNY"}),
    "CNY": frozenset({"CNY"}),
}


def currencies_of_text(value: Any) -> frozenset[str] | None:
    """The currencies an amount's own sign allows; None when the text names none.

    >>> sorted(currencies_of_text("$5,000")), currencies_of_text("5000") is None
    (['AUD', 'CAD', 'HKD', 'MOP', 'NZD', 'SGD', 'TWD', 'USD'], True)
    >>> sorted(currencies_of_text("¥ 48万")), sorted(currencies_of_text("RMB 480,000元"))
    (['CNY', 'JPY'], ['CNY'])
    """
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).upper()
    allowed: frozenset[str] | None = None
    for sign, codes in CURRENCY_SIGNS.items():
        if sign in text:
            allowed = codes if allowed is None else allowed & codes
    return allowed


_DATE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_YEAR_MONTH = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})月?\s*$")


def parse_date(value: Any) -> date | None:
    """The calendar date at the start of an ISO 8601 or Chinese date, else None."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value)
    match = _DATE.match(text)
    day = 1
    if not match:
        match = _YEAR_MONTH.match(text)
        if not match:
            return None
    else:
        day = int(match.group(3))
    try:
        return date(int(match.group(1)), int(match.group(2)), day)
    except ValueError:
        return None


_MONEY_NOISE = re.compile(r"[\s,¥￥$£€元]|RMB|CNY", re.IGNORECASE)


def parse_amount(value: Any) -> float | None:
    """A finite number from a JSON number or a text such as ``"1,200,000"`` or ``"35.5万"``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if not isinstance(value, str):
        return None
    text = _MONEY_NOISE.sub("", unicodedata.normalize("NFKC", value))
    factor = 1.0
    if text.endswith("万"):
        factor, text = 10_000.0, text[:-1]
    elif text.endswith("亿"):
        factor, text = 100_000_000.0, text[:-1]
    try:
        number = float(text) * factor
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_bool(value: Any) -> bool | None:
    """``True``/``False`` from booleans and yes/no words in English or Chinese; None if unclear."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().casefold()
    if text in {"yes", "y", "true", "1", "是", "有"}:
        return True
    if text in {"no", "n", "false", "0", "否", "无"}:
        return False
    return None


def plain_text(value: str) -> str:
    """Text as a person reads it: HTML entities decoded (twice: some publishers encode twice)."""
    return html.unescape(html.unescape(value)).strip() if "&" in value else value.strip()


@dataclass(slots=True, kw_only=True)
class RawAward:
    """One award (or grant) to one supplier, with the buyer and supplier still unresolved."""

    source: str
    place: str
    source_kind: str  # "ocds" | "360giving" | "csv"
    process: str
    award: str
    buyer: OrgRef
    supplier: OrgRef
    title: str = ""
    status: str = ""
    method: str | None = None
    method_detail: str = ""
    method_inferred: bool = False
    open_call: bool | None = None
    programme: str = ""
    bidders: int | None = None
    n_suppliers: int = 1
    value: float | None = None
    supplier_value: float | None = None
    currency: str = ""
    award_date: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    related_prior: str = ""
    framework: bool = False
    multi_supplier: bool = False
    excluded: str = ""
    paid: float | None = None
    n_transactions: int = 0

    def __post_init__(self) -> None:
        self.title = plain_text(self.title)
        self.method_detail = plain_text(self.method_detail)
        self.programme = plain_text(self.programme)
