"""The one normalised award table: a row per award (or grant) and supplier.

=====================  ===========================================================================
column                 meaning
=====================  ===========================================================================
source, source_kind    the file and its format (``ocds``, ``360giving``, ``csv``)
place                  where in the file (JSON pointer, ``line N``, ``row N``)
process                the contracting process (``ocid``; the grant id for grants)
award, title, status   the award id, title and status
buyer, buyer_name      the buyer's resolved key (see :mod:`resdep.contracts.orgs`) and name
buyer_sector           ``public`` | ``other`` | ``undetermined``, by org-id prefix
                       (:mod:`resdep.contracts.funders`)
supplier, …_name       the supplier's key and name
method                 ``open`` | ``selective`` | ``limited`` | ``direct`` (empty: unknown)
method_detail          the original wording (公开招标, "Open procedure (OJEU)", ...)
method_inferred        the code was read from ``method_detail``, not given
open_call              grants: from an open call (``fromOpenCall``)
programme              grants: the grant programme
bidders                number of bidders, where known and trusted
n_suppliers            suppliers sharing the award
value                  the award's value as recorded (a ceiling for frameworks)
supplier_value         the part of it that is this supplier's revenue, when attributable
currency               ISO 4217; values in different currencies are never summed
award_date             award (or grant) date
start_date, end_date   contract or grant period
related_prior          the ``ocid`` of the process this one renews or replaces
framework              a framework agreement (its value is a ceiling)
multi_supplier         several suppliers on one award
in_revenue             ``supplier_value`` counts in revenue sums (V_bs, V_s, V_b)
excluded               why not: ``framework``, ``multi_supplier``, ``co_funded``, ``no_value``,
                       ``negative_value``
paid, n_transactions   payments recorded against the award (to this supplier where it says)
single_bid             one bidder in a procedure that was not a direct award (NA: unknown)
non_open               method is ``limited`` or ``direct`` (NA: unknown)
uncompeted             non-open, single bid, or (grants) not from an open call; False when
                       some of these is known and none holds; NA when none is known
repeat                 the pair had an award in an earlier process
renewal                repeat, or ``related_prior`` names a prior process
renewal_uncompeted     renewal and uncompeted
=====================  ===========================================================================
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from resdep.contracts.awards import RawAward
from resdep.contracts.funders import sector
from resdep.contracts.identifiers import uscc_problem
from resdep.contracts.log import ImportLog
from resdep.contracts.orgs import OrgRef, OrgResolver
from resdep.contracts.readers import expand_paths, read_awards

__all__ = [
    "AMOUNT_CEILING",
    "COLUMNS",
    "MEDIAN_MIN_AWARDS",
    "MEDIAN_MULTIPLE",
    "AwardTable",
    "build_table",
    "read_records",
]

COLUMNS = (
    "source",
    "source_kind",
    "place",
    "process",
    "award",
    "title",
    "status",
    "buyer",
    "buyer_name",
    "buyer_sector",
    "supplier",
    "supplier_name",
    "method",
    "method_detail",
    "method_inferred",
    "open_call",
    "programme",
    "bidders",
    "n_suppliers",
    "value",
    "supplier_value",
    "currency",
    "award_date",
    "start_date",
    "end_date",
    "related_prior",
    "framework",
    "multi_supplier",
    "in_revenue",
    "excluded",
    "paid",
    "n_transactions",
    "single_bid",
    "non_open",
    "uncompeted",
    "repeat",
    "renewal",
    "renewal_uncompeted",
)


@dataclass(slots=True)
class AwardTable:
    """Award rows with the organisations behind their keys and the import log."""

    frame: pd.DataFrame
    orgs: OrgResolver
    log: ImportLog = field(default_factory=ImportLog)
    files: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.frame)


def _settle(row: RawAward) -> tuple[float | None, str]:
    """This supplier's revenue from the row, or the reason it has none."""
    if row.excluded:
        return None, row.excluded
    if row.framework:
        return None, "framework"
    if row.supplier_value is not None:
        return (row.supplier_value, "") if row.supplier_value >= 0 else (None, "negative_value")
    if row.value is None:
        return None, "no_value"
    if row.value < 0:
        return None, "negative_value"
    if row.multi_supplier:
        return None, "multi_supplier"
    return row.value, ""


#: An amount above this, in any currency, is taken for a typing or unit error (9999亿 =
#: 9.999e11, an OCDS amount of 1e15) and kept out of every sum.
AMOUNT_CEILING = 1e11
#: An amount above this multiple of its buyer's median award (same currency) is flagged.
MEDIAN_MULTIPLE = 100.0
#: The median is used only over at least this many valued awards of the buyer.
MEDIAN_MIN_AWARDS = 3


def _plausible(
    rows: Sequence[RawAward],
    settled: list[tuple[float | None, str]],
    buyers: Sequence[str],
    log: ImportLog,
) -> None:
    """Keep amounts above :data:`AMOUNT_CEILING` out of sums; flag those far above the median."""
    for i, row in enumerate(rows):
        value = settled[i][0]
        if value is not None and value > AMOUNT_CEILING:
            settled[i] = (None, "implausible")
            log.flagged["amounts above the ceiling (kept out of sums)"] += 1
            log.warn(
                row.source,
                row.place,
                f"amount {row.currency or '(no currency)'} {value:,.0f} is above the "
                f"plausibility ceiling {AMOUNT_CEILING:,.0f}: kept out of every sum; "
                "check the amount and its unit (元, 万, 亿)",
            )
    groups: dict[tuple[str, str], list[float]] = {}
    for i, row in enumerate(rows):
        value = settled[i][0]
        if value is not None:
            groups.setdefault((buyers[i], row.currency), []).append(value)
    medians = {
        key: float(pd.Series(values).median())
        for key, values in groups.items()
        if len(values) >= MEDIAN_MIN_AWARDS
    }
    for i, row in enumerate(rows):
        value = settled[i][0]
        median = medians.get((buyers[i], row.currency))
        if value is None or not median or value <= MEDIAN_MULTIPLE * median:
            continue
        log.flagged["amounts far above their buyer's median (kept)"] += 1
        log.warn(
            row.source,
            row.place,
            f"amount {row.currency} {value:,.0f} is {value / median:,.0f} times the median "
            f"award of its buyer ({row.currency} {median:,.0f}): kept, but check it",
        )


def _check_codes(rows: Sequence[RawAward], key_of: dict[OrgRef, str], log: ImportLog) -> None:
    """Report each CN-USCC code that fails GB 32100-2015, once, where it is first met."""
    reported: set[str] = set()
    for row in rows:
        for ref in (row.buyer, row.supplier):
            key = key_of[ref]
            if not key.startswith("CN-USCC-") or key in reported:
                continue
            reported.add(key)
            problem = uscc_problem(key.removeprefix("CN-USCC-"))
            if problem:
                log.warn(
                    row.source,
                    row.place,
                    f"{key} ({ref.display_name or 'no name'}) is not a valid unified social "
                    f"credit code: {problem}; kept as written, check the code",
                )


def _dates(values: Iterable[date | None]) -> pd.Series:
    text = [None if v is None else v.isoformat() for v in values]
    return pd.Series(
        pd.to_datetime(pd.Series(text, dtype="string"), format="%Y-%m-%d"), dtype="datetime64[ns]"
    )


def build_table(
    rows: Sequence[RawAward], *, log: ImportLog | None = None, files: Sequence[str] = ()
) -> AwardTable:
    """Resolve organisations across rows and derive the flag columns."""
    orgs = OrgResolver()
    seen: Counter[OrgRef] = Counter()
    for row in rows:
        seen[row.buyer] += 1
        seen[row.supplier] += 1
    for ref, count in seen.items():
        orgs.add(ref, count)
    key_of = {ref: orgs.resolve(ref) for ref in seen}
    log = log if log is not None else ImportLog()
    _check_codes(rows, key_of, log)
    settled = [_settle(r) for r in rows]
    for i, row in enumerate(rows):
        if settled[i][0] is not None and not row.currency:
            # an amount without a currency is never summed, nor guessed into one
            settled[i] = (None, "no_currency")
            log.warn(
                row.source,
                row.place,
                f"no currency for the amount {row.supplier_value or row.value:,.2f}: kept out "
                "of every sum; fill the currency (awards/value/currency, 币种, or the "
                "grant's currency)",
            )
    buyers = [key_of[r.buyer] for r in rows]
    suppliers = [key_of[r.supplier] for r in rows]
    _plausible(rows, settled, buyers, log)
    names = orgs.known()
    name_of = {key: names.get(key) or orgs.name(key) for key in set(key_of.values())}

    def name(key: str) -> str:
        return name_of[key]

    frame = pd.DataFrame(
        {
            "source": [r.source for r in rows],
            "source_kind": [r.source_kind for r in rows],
            "place": [r.place for r in rows],
            "process": [r.process for r in rows],
            "award": [r.award for r in rows],
            "title": [r.title for r in rows],
            "status": [r.status for r in rows],
            "buyer": buyers,
            "buyer_name": [name(k) for k in buyers],
            "buyer_sector": [sector(k) for k in buyers],
            "supplier": suppliers,
            "supplier_name": [name(k) for k in suppliers],
            "method": pd.Series([r.method for r in rows], dtype="string"),
            "method_detail": [r.method_detail for r in rows],
            "method_inferred": [r.method_inferred for r in rows],
            "open_call": pd.Series([r.open_call for r in rows], dtype="boolean"),
            "programme": [r.programme for r in rows],
            "bidders": pd.Series([r.bidders for r in rows], dtype="Int64"),
            "n_suppliers": pd.Series([r.n_suppliers for r in rows], dtype="int64"),
            "value": pd.Series([r.value for r in rows], dtype="float64"),
            "supplier_value": pd.Series([v for v, _ in settled], dtype="float64"),
            "currency": [r.currency or "XXX" for r in rows],
            "award_date": _dates(r.award_date for r in rows),
            "start_date": _dates(r.start_date for r in rows),
            "end_date": _dates(r.end_date for r in rows),
            "related_prior": [r.related_prior for r in rows],
            "framework": [r.framework for r in rows],
            "multi_supplier": [r.multi_supplier for r in rows],
            "in_revenue": [v is not None for v, _ in settled],
            "excluded": [why for _, why in settled],
            "paid": pd.Series([r.paid for r in rows], dtype="float64"),
            "n_transactions": pd.Series([r.n_transactions for r in rows], dtype="int64"),
        }
    )
    _derive(frame)
    return AwardTable(frame=frame[list(COLUMNS)], orgs=orgs, log=log, files=tuple(files))


def _derive(frame: pd.DataFrame) -> None:
    method = frame["method"]
    known_method = method.notna()
    bidders = frame["bidders"]
    direct = (method == "direct").fillna(False)
    single = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    has_bidders = bidders.notna() & ~direct
    single[has_bidders] = (bidders[has_bidders] == 1).astype("boolean")
    frame["single_bid"] = single
    non_open = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    non_open[known_method] = method[known_method].isin(["limited", "direct"]).astype("boolean")
    frame["non_open"] = non_open
    closed_call = ~frame["open_call"]  # grants: not from an open call
    signals = pd.concat([non_open, single, closed_call], axis=1)
    # any signal of no competition wins; else any known signal says there was competition
    uncompeted = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    known = signals.notna().any(axis=1)
    uncompeted[known] = signals[known].fillna(False).any(axis=1).astype("boolean")
    frame["uncompeted"] = uncompeted

    # repeat: the pair won an earlier process (by the date the process's award is dated)
    when = frame["award_date"].fillna(frame["start_date"])
    first = (
        frame.assign(_when=when)
        .groupby(["buyer", "supplier", "process"], sort=False)["_when"]
        .transform("min")
    )
    earliest = first.groupby([frame["buyer"], frame["supplier"]]).transform("min")
    n_processes = frame.groupby(["buyer", "supplier"])["process"].transform("nunique")
    repeat = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    dated = first.notna() & earliest.notna()
    repeat[dated] = (first[dated] > earliest[dated]).astype("boolean")
    repeat[(n_processes == 1).to_numpy()] = False
    frame["repeat"] = repeat
    prior = (frame["related_prior"].astype(str).str.len() > 0).astype("boolean")
    frame["renewal"] = repeat | prior
    frame["renewal_uncompeted"] = frame["renewal"] & frame["uncompeted"]


def read_records(
    paths: Sequence[str | Path], *, validate: bool = True, progress: bool = False
) -> AwardTable:
    """Read OCDS, 360Giving and CSV record files (or folders) into one award table."""
    files = expand_paths(paths)
    rows, log = read_awards(files, validate=validate, progress=progress)
    return build_table(rows, log=log, files=[str(f) for f in files])
