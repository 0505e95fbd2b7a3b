"""Currencies: never mixed, never guessed, converted only with the user's own rates.

Rules (``docs/records.md``, section "Currencies"):

- an award row without a currency, or whose amount's own sign contradicts its currency
  (``$5,000`` with currency ``CNY``), is kept out of every sum (``excluded`` =
  ``no_currency`` / ``currency_conflict``) and reported in the log;
- values in different currencies are never added: every indicator is per currency;
- the *main* currency of an agency (the one its economic inputs are computed in) is the
  currency of most of its valued award rows, or the one the user names; it is never chosen by
  comparing raw amounts across currencies;
- a rates table (``currency,year,rate``: one unit of ``currency`` in ``year`` is worth
  ``rate`` units of the target currency the user names) converts rows explicitly; rows
  without a rate for their currency and year stay in their own currency, and are reported.

Examples
--------
>>> import io
>>> rates = parse_rates(io.StringIO("currency,year,rate\\nUSD,2021,6.45\\n"), file="r.csv")
>>> rates
{('USD', 2021): 6.45}
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

import pandas as pd

from resdep.contracts.awards import parse_amount
from resdep.contracts.table import AwardTable
from resdep.errors import RecordsFormatError
from resdep.textio import decode_bytes

__all__ = ["check_currency_code", "convert", "parse_rates", "read_rates"]

_CODE = re.compile(r"^[A-Z]{3}$")
_ALIASES = {"currency": "currency", "币种": "currency", "year": "year", "年度": "year"}
_ALIASES |= {"rate": "rate", "汇率": "rate"}


def check_currency_code(code: str, *, file: str | Path | None = None, place: str = "") -> str:
    """An ISO 4217 code in capitals, or an input error naming where it was written.

    >>> check_currency_code(" cny ")
    'CNY'
    """
    text = code.strip().upper()
    if not _CODE.match(text):
        raise RecordsFormatError(
            f"currency {code!r} is not an ISO 4217 code",
            file=file,
            place=place,
            fix="write three letters, e.g. CNY, GBP, USD",
        )
    return text


def parse_rates(stream: TextIO, *, file: str | Path) -> dict[tuple[str, int], float]:
    """Rates from a CSV text: (currency, year) → units of the target currency per unit."""
    reader = csv.DictReader(stream)
    columns = {_ALIASES.get((h or "").strip(), ""): h for h in reader.fieldnames or []}
    if not {"currency", "year", "rate"} <= columns.keys():
        raise RecordsFormatError(
            "a rates file needs the columns currency, year, rate",
            file=file,
            place="row 1",
            fix="write the header currency,year,rate (one unit of currency in year = rate "
            "units of the target currency)",
        )
    out: dict[tuple[str, int], float] = {}
    for row in reader:
        place = f"row {reader.line_num}"
        code = check_currency_code(row.get(columns["currency"]) or "", file=file, place=place)
        year_text = (row.get(columns["year"]) or "").strip()
        if not (year_text.isdigit() and len(year_text) == 4):
            raise RecordsFormatError(
                f"year {year_text!r} is not a four-digit year", file=file, place=place,
                fix="write e.g. 2021",
            )  # fmt: skip
        rate = parse_amount(row.get(columns["rate"]))
        if rate is None or rate <= 0:
            raise RecordsFormatError(
                f"rate {row.get(columns['rate'])!r} is not a positive number",
                file=file,
                place=place,
                fix="write e.g. 6.45",
            )
        key = (code, int(year_text))
        if key in out and out[key] != rate:
            raise RecordsFormatError(
                f"two rates for {code} in {year_text}",
                file=file,
                place=place,
                fix="keep one rate per currency and year",
            )
        out[key] = rate
    if not out:
        raise RecordsFormatError(
            "the rates file holds no rate", file=file, fix="add rows currency,year,rate"
        )
    return out


def read_rates(path: str | Path) -> dict[tuple[str, int], float]:
    """:func:`parse_rates` of a file (UTF-8, GB18030 or UTF-16, detected)."""
    p = Path(path)
    if not p.is_file():
        raise RecordsFormatError("no such rates file", file=p, fix="check the path")
    text, _ = decode_bytes(p.read_bytes(), file=p)
    return parse_rates(io.StringIO(text, newline=""), file=p)


def convert(table: AwardTable, rates: Mapping[tuple[str, int], float], to: str) -> AwardTable:
    """The table with amounts in other currencies converted into ``to`` by ``rates``.

    A row is converted when its currency has a rate for the year of its award date (else
    contract start); ``value``, ``supplier_value`` and ``paid`` are multiplied by the rate
    and ``currency`` becomes ``to``. Rows without a rate (or without a date) keep their
    currency and are reported, once per currency and year. Rows kept out of sums for a
    missing or contradictory currency are never converted.
    """
    target = check_currency_code(to)
    frame = table.frame.copy()
    when = frame["award_date"].fillna(frame["start_date"])
    years = when.dt.year
    other = (frame["currency"] != target) & ~frame["excluded"].isin(
        ["no_currency", "currency_conflict"]
    )
    factors = pd.Series(
        [
            rates.get((str(c), int(y))) if pd.notna(y) else None
            for c, y in zip(frame["currency"], years, strict=True)
        ],
        index=frame.index,
        dtype="float64",
    )
    convertible = other & factors.notna()
    done: Counter[tuple[str, int]] = Counter()
    missing: Counter[tuple[str, str]] = Counter()
    for c, y, ok in zip(frame["currency"][other], years[other], convertible[other], strict=True):
        if ok:
            done[(str(c), int(y))] += 1
        else:
            missing[(str(c), str(int(y)) if pd.notna(y) else "undated")] += 1
    for column in ("value", "supplier_value", "paid"):
        frame.loc[convertible, column] = frame.loc[convertible, column] * factors[convertible]
    frame.loc[convertible, "currency"] = target
    log = table.log
    label = ", ".join(table.files[:1]) + (" …" if len(table.files) > 1 else "")
    for (c, y), n in sorted(done.items()):
        log.warn(
            label, "rates", f"{n} row(s) in {c} of {y} converted to {target} at {rates[(c, y)]:g}"
        )
    for (c, y), n in sorted(missing.items()):
        log.warn(
            label,
            "rates",
            f"{n} row(s) in {c} ({y}) not converted to {target}: no rate for that currency "
            "and year; they stay in their own currency and are never summed with "
            f"{target} (add a row {c},{y},RATE to the rates file)",
        )
    return AwardTable(frame=frame, orgs=table.orgs, log=log, files=table.files)
