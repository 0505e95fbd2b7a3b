"""Economic dependence and relational-purchase indicators per supplier, buyer and pair.

Notation (within one time window and one currency): V_bs is the sum of ``supplier_value`` over
the awards from buyer b to supplier s that count in revenue (``in_revenue``: frameworks,
unsplit multi-supplier awards, negative and missing values are left out); V_s = Σ_b V_bs is
the supplier's observed public revenue and V_b = Σ_s V_bs the buyer's observed spend.
Values in different currencies are never added: every indicator is computed per currency.

=========================  ======  ===================================================  =======================================
indicator                  level   formula                                              source
=========================  ======  ===================================================  =======================================
value                      all     V_bs, V_s or V_b                                     —
dependence                 pair    D_sb = V_bs / V_s                                    Pfeffer & Salancik 1978; Emerson 1962
reliance                   pair    R_bs = V_bs / V_b ("winner's share of the            Fazekas, Tóth & King 2016
                                   issuer's contracts")
mutual_dependence          pair    MD = (D_sb + R_bs) / 2                               Casciaro & Piskorski 2005 (sum / 2, as
                                                                                        in resdep's section 4)
power_advantage            pair    PA = D_sb − R_bs (> 0: the buyer holds power)        Casciaro & Piskorski 2005
power_imbalance            pair    PI = |D_sb − R_bs|                                   Casciaro & Piskorski 2005
top_buyer_share            supp.   max_b D_sb                                           —
hhi (supplier)             supp.   Σ_b D_sb²  (revenue concentration)                   Herfindahl–Hirschman
top_supplier_share         buyer   CR1 = max_s R_bs                                     —
hhi (buyer)                buyer   Σ_s R_bs²  (spend concentration)                     Herfindahl–Hirschman; zIndex
single_bid_share           all     share of awards with one bidder, among those with    Fazekas & Kocsis 2020
                                   a known bidder count and not a direct award
non_open_share             all     share of awards whose method is limited or direct,   Fazekas & Kocsis 2020
                                   among those with a known method
open_call_share            all     grants: share from an open call (``fromOpenCall``)   360Giving 1.4
repeat_share / repeat_…    all     share (count for pairs) of awards that went to a     Fazekas, Tóth & King 2016 (winner's
                                   supplier the buyer had awarded in an earlier         share); relational purchase in
                                   process                                              resdep's founding study
renewal_uncompeted_share   all     share (count for pairs) of renewals — a repeat or    OCDS ``relatedProcesses`` ``prior``
                                   a ``prior`` related process — that were non-open
                                   or single-bid
tenure_years               pair    years from the pair's first contract start to its    incumbency (Coviello, Guglielmo &
                                   latest contract end, history up to the window end    Spagnolo 2018)
paid_to_awarded            all     Σ paid / Σ awarded over valued awards with payments  OCDS ``implementation.transactions``
dependence_on_income       pair    D*_sb = V_bs / I_s, where total income I_s is given  REFERENCE (charity accounts, 业务活动表)
public_share_of_income     supp.   V_s / I_s                                            —
=========================  ======  ===================================================  =======================================

Buyer-level procedural shares count each award once (not once per supplier on it). Repeat,
renewal and tenure look back over the whole history before the window, not only inside it.

In thin local markets of social services, single bidding and non-open procedures are common
without any wrongdoing: read them as signals of the buyer's dependence on a few agencies, not
as integrity flags.

A window holds the awards dated in it (award date, else contract start). ``all`` holds every
award, including undated ones; a year window ``2021`` holds those dated in 2021.

References
----------
Casciaro, T. & Piskorski, M. J. (2005). Power imbalance, mutual dependence, and constraint
absorption. *Administrative Science Quarterly* 50(2), 167–199.
Coviello, D., Guglielmo, A. & Spagnolo, G. (2018). The effect of discretion on procurement
performance. *Management Science* 64(2), 715–738.
Emerson, R. M. (1962). Power-dependence relations. *American Sociological Review* 27(1), 31–41.
Fazekas, M., Tóth, I. J. & King, L. P. (2016). An objective corruption risk index using public
procurement data. *European Journal on Criminal Policy and Research* 22, 369–397.
Fazekas, M. & Kocsis, G. (2020). Uncovering high-level corruption. *British Journal of
Political Science* 50(1), 155–164.
Pfeffer, J. & Salancik, G. R. (1978). *The External Control of Organizations*. Harper & Row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from resdep.contracts.awards import parse_amount
from resdep.contracts.funders import sector
from resdep.contracts.table import AwardTable
from resdep.errors import RecordsFormatError, closest
from resdep.textio import decode_bytes, read_bytes

__all__ = [
    "DEFINITIONS",
    "Indicators",
    "Window",
    "compute_indicators",
    "in_window",
    "parse_windows",
    "read_income",
]

#: Each indicator with a one-line formula, for outputs and reports.
DEFINITIONS: dict[str, str] = {
    "value": "V: sum of attributable award values (frameworks, unsplit multi-supplier awards, "
    "missing and negative values left out)",
    "n_awards": "award rows (award x supplier)",
    "n_processes": "distinct contracting processes",
    "n_buyers": "distinct buyers (any award, valued or not)",
    "n_buyers_valued": "distinct buyers with revenue in the sums (the buyers behind D_sb)",
    "n_suppliers": "distinct suppliers",
    "dependence": "D_sb = V_bs / V_s (supplier's share of observed public revenue from buyer)",
    "reliance": "R_bs = V_bs / V_b (buyer's share of observed spend going to supplier)",
    "mutual_dependence": "MD = (D_sb + R_bs) / 2",
    "power_advantage": "PA = D_sb - R_bs (> 0: buyer holds the power advantage)",
    "power_imbalance": "PI = |D_sb - R_bs|",
    "top_buyer_share": "max_b D_sb",
    "top_supplier_share": "CR1 = max_s R_bs",
    "hhi": "supplier: sum_b D_sb^2; buyer: sum_s R_bs^2",
    "single_bid_share": "share of awards with one bidder (known bidders, not direct awards)",
    "non_open_share": "share of awards by a limited or direct method (known methods)",
    "open_call_share": "share of grants from an open call",
    "repeat_share": "share of awards to a supplier the buyer awarded in an earlier process",
    "repeat_awards": "processes the pair won after an earlier one",
    "renewal_uncompeted_share": "share of renewals (repeat or prior process) non-open or single-bid",
    "renewals_uncompeted": "renewals (repeat or prior process) non-open or single-bid",
    "tenure_years": "years from first contract start to latest contract end, up to window end",
    "paid_to_awarded": "sum paid / sum awarded, over valued awards with recorded payments",
    "value_public": "V_s from public buyers or funders (org-id prefix: GB-GOR, GB-LAE/LAS/LANI/"
    "PLA, GB-NHS, CN-USCC starting with 1)",
    "value_other": "V_s from other buyers or funders (companies, charities, foundations)",
    "value_undetermined": "V_s from buyers or funders whose sector the records do not show",
    "income": "I_s: the supplier's total income in the window, where given",
    "public_share_of_income": "V_s / I_s (observed public revenue as a share of total income)",
    "dependence_on_income": "D*_sb = V_bs / I_s (dependence on the buyer against total income)",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """A time window: awards dated from ``start`` to ``end`` inclusive (None: open)."""

    label: str
    start: date | None = None
    end: date | None = None


_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})?:(\d{4}-\d{2}-\d{2})?$")
_YEARS = re.compile(r"^(\d{4}):(\d{4})$")


def parse_windows(specs: Sequence[str], years: Sequence[int] = ()) -> list[Window]:
    """Windows from words: ``all``, ``year`` (one per year in ``years``), ``START:END``.

    >>> [w.label for w in parse_windows(["all", "year", "2020-01-01:2021-12-31"], [2019, 2020])]
    ['all', '2019', '2020', '2020-01-01:2021-12-31']
    """
    out: list[Window] = []
    for spec in specs:
        text = spec.strip()
        if text == "all":
            out.append(Window(label="all"))
        elif text == "year":
            out.extend(
                Window(label=str(y), start=date(y, 1, 1), end=date(y, 12, 31))
                for y in sorted(set(years))
            )
        elif (m := _RANGE.match(text)) and (m.group(1) or m.group(2)):
            try:
                start = date.fromisoformat(m.group(1)) if m.group(1) else None
                end = date.fromisoformat(m.group(2)) if m.group(2) else None
            except ValueError as exc:
                raise RecordsFormatError(
                    f"window {spec!r}: {exc}",
                    place="--windows",
                    fix="write real calendar dates, e.g. 2020-01-01:2021-12-31",
                ) from None
            if start is not None and end is not None and start > end:
                raise RecordsFormatError(
                    f"window {spec!r} ends before it starts",
                    place="--windows",
                    fix=f"swap the dates: {m.group(2)}:{m.group(1)}",
                )
            out.append(Window(label=text, start=start, end=end))
        elif (y := _YEARS.match(text)) is not None:
            lo, hi = int(y.group(1)), int(y.group(2))
            raise RecordsFormatError(
                f"window {spec!r} is two years"
                + (", and it ends before it starts" if lo > hi else ""),
                place="--windows",
                fix=f"write the dates: {min(lo, hi)}-01-01:{max(lo, hi)}-12-31 "
                "(or use year for one window per calendar year)",
            )
        else:
            raise RecordsFormatError(
                f"unknown window {spec!r}",
                place="--windows",
                fix="use all, year, or START:END with ISO dates",
            )
    return out


@dataclass(slots=True)
class Indicators:
    """Indicator tables, one row per window, currency and supplier / buyer / pair."""

    pairs: pd.DataFrame
    suppliers: pd.DataFrame
    buyers: pd.DataFrame

    def long(self) -> pd.DataFrame:
        """All indicators in one long table: level, window, currency, buyer, supplier, indicator, value."""
        parts = []
        for level, frame in (
            ("supplier", self.suppliers),
            ("buyer", self.buyers),
            ("pair", self.pairs),
        ):
            ids = [
                c
                for c in ("window", "currency", "buyer", "buyer_name", "supplier", "supplier_name")
                if c in frame.columns
            ]
            values = [c for c in frame.columns if c in DEFINITIONS]
            if frame.empty:
                continue
            melted = frame.melt(
                id_vars=ids, value_vars=values, var_name="indicator", value_name="_value"
            ).rename(columns={"_value": "value"})
            melted.insert(0, "level", level)
            parts.append(melted)
        columns = [
            "level",
            "window",
            "currency",
            "buyer",
            "buyer_name",
            "supplier",
            "supplier_name",
            "indicator",
            "value",
        ]
        if not parts:
            return pd.DataFrame(columns=columns)
        out = pd.concat(parts, ignore_index=True).reindex(columns=columns)
        out[["buyer", "buyer_name", "supplier", "supplier_name"]] = out[
            ["buyer", "buyer_name", "supplier", "supplier_name"]
        ].fillna("")
        return out.dropna(subset=["value"]).reset_index(drop=True)


def _when(frame: pd.DataFrame) -> pd.Series:
    return frame["award_date"].fillna(frame["start_date"])


def in_window(frame: pd.DataFrame, window: Window) -> pd.Series:
    """Which rows of an award table fall in ``window`` (by award date, else contract start)."""
    when = _when(frame)
    if window.start is None and window.end is None:
        return pd.Series(True, index=frame.index)
    keep = when.notna()
    if window.start is not None:
        keep &= when >= pd.Timestamp(window.start)
    if window.end is not None:
        keep &= when <= pd.Timestamp(window.end)
    return keep


def _concentration(
    pairs: pd.DataFrame, share: str, key: list[str], other: str
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """HHI of one side's shares across its partners, its top partner and that share.

    ``share`` is ``dependence`` (a supplier's shares over buyers) or ``reliance`` (a
    buyer's shares over suppliers); ``key`` is (currency, the side), ``other`` the partner.
    """
    rows = pairs.reset_index().dropna(subset=[share])
    hhi = (rows[share] ** 2).groupby([rows[k] for k in key]).sum()
    top = rows.sort_values(share, ascending=False).drop_duplicates(key).set_index(key)
    return hhi, top[other], top[share]


def _share(flags: pd.Series, keys: list[str], frame: pd.DataFrame) -> pd.Series:
    """Share of True among known values per group (NaN where none is known)."""
    known = flags.notna()
    num = flags.fillna(False).astype(float).groupby([frame[k] for k in keys]).sum()
    den = known.astype(float).groupby([frame[k] for k in keys]).sum()
    return (num / den.where(den > 0)).rename(None)


def _count(flags: pd.Series, keys: list[str], frame: pd.DataFrame) -> pd.Series:
    return flags.fillna(False).astype(int).groupby([frame[k] for k in keys]).sum()


def _paid_ratio(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    valued = frame["in_revenue"] & frame["paid"].notna()
    sub = frame[valued]
    paid = sub.groupby(keys)["paid"].sum()
    awarded = sub.groupby(keys)["supplier_value"].sum()
    return paid / awarded.where(awarded > 0)


def _common(frame: pd.DataFrame, keys: list[str], *, once: bool = False) -> pd.DataFrame:
    """Counts, value and procedural shares per group of ``keys``.

    With ``once``, procedural shares count each award once (not once per supplier on it).
    """
    grouped = frame.groupby(keys)
    out = pd.DataFrame(
        {
            "n_awards": grouped.size(),
            "n_processes": grouped["process"].nunique(),
        }
    )
    revenue = frame[frame["in_revenue"]]
    out["value"] = revenue.groupby(keys)["supplier_value"].sum()
    out["value"] = out["value"].fillna(0.0)
    proc = frame.drop_duplicates([*keys, "process", "award"]) if once else frame
    out["single_bid_share"] = _share(proc["single_bid"], keys, proc)
    out["non_open_share"] = _share(proc["non_open"], keys, proc)
    out["open_call_share"] = _share(proc["open_call"], keys, proc)
    out["paid_to_awarded"] = _paid_ratio(frame, keys)
    return out


def _names(out: pd.DataFrame, frame: pd.DataFrame, side: str) -> pd.DataFrame:
    names = frame.drop_duplicates(side).set_index(side)[f"{side}_name"]
    out[f"{side}_name"] = out[side].map(names).fillna("")
    return out


def _window_tables(
    frame: pd.DataFrame, history: pd.DataFrame, window: Window
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    pk = ["currency", "buyer", "supplier"]
    pairs = _common(frame, pk)
    pairs["repeat_awards"] = frame[frame["repeat"].fillna(False)].groupby(pk)["process"].nunique()
    pairs["repeat_awards"] = pairs["repeat_awards"].fillna(0).astype(int)
    renew = frame[frame["renewal_uncompeted"].fillna(False)]
    pairs["renewals_uncompeted"] = renew.groupby(pk)["process"].nunique()
    pairs["renewals_uncompeted"] = pairs["renewals_uncompeted"].fillna(0).astype(int)
    v_s = pairs.groupby(["currency", "supplier"])["value"].transform("sum")
    v_b = pairs.groupby(["currency", "buyer"])["value"].transform("sum")
    pairs["dependence"] = pairs["value"] / v_s.where(v_s > 0)
    pairs["reliance"] = pairs["value"] / v_b.where(v_b > 0)
    pairs["mutual_dependence"] = (pairs["dependence"] + pairs["reliance"]) / 2
    pairs["power_advantage"] = pairs["dependence"] - pairs["reliance"]
    pairs["power_imbalance"] = pairs["power_advantage"].abs()
    pairs["tenure_years"] = _tenure(history, window).reindex(pairs.index)
    when = _when(frame)
    pairs["first_award"] = when.groupby([frame[k] for k in pk]).min()
    pairs["last_award"] = when.groupby([frame[k] for k in pk]).max()

    sk, bk = ["currency", "supplier"], ["currency", "buyer"]
    suppliers = _common(frame, sk)
    suppliers["n_buyers"] = frame.groupby(sk)["buyer"].nunique()
    revenue = frame[frame["in_revenue"]]
    suppliers["n_buyers_valued"] = (
        revenue.groupby(sk)["buyer"].nunique().reindex(suppliers.index).fillna(0).astype(int)
    )
    sectors = revenue["buyer_sector"] if "buyer_sector" in revenue else revenue["buyer"].map(sector)
    for kind in ("public", "other", "undetermined"):
        part = revenue[sectors == kind].groupby(sk)["supplier_value"].sum()
        suppliers[f"value_{kind}"] = part.reindex(suppliers.index).fillna(0.0)
    suppliers["repeat_share"] = _share(frame["repeat"], sk, frame)
    suppliers["renewal_uncompeted_share"] = _share(
        frame["renewal_uncompeted"].where(frame["renewal"].fillna(False)), sk, frame
    )
    suppliers["hhi"], suppliers["top_buyer"], suppliers["top_buyer_share"] = _concentration(
        pairs, "dependence", sk, "buyer"
    )

    once = frame.drop_duplicates([*bk, "process", "award"])
    buyers = _common(frame, bk, once=True)
    buyers["n_suppliers"] = frame.groupby(bk)["supplier"].nunique()
    buyers["repeat_share"] = _share(frame["repeat"], bk, frame)
    buyers["renewal_uncompeted_share"] = _share(
        once["renewal_uncompeted"].where(once["renewal"].fillna(False)), bk, once
    )
    buyers["hhi"], buyers["top_supplier"], buyers["top_supplier_share"] = _concentration(
        pairs, "reliance", bk, "supplier"
    )

    tables = []
    for table in (pairs, suppliers, buyers):
        table = table.reset_index()
        table.insert(0, "window", window.label)
        tables.append(table)
    pairs, suppliers, buyers = tables
    pairs = _names(_names(pairs, frame, "buyer"), frame, "supplier")
    suppliers = _names(suppliers, frame, "supplier")
    buyers = _names(buyers, frame, "buyer")
    suppliers["top_buyer_name"] = (
        suppliers["top_buyer"]
        .map(frame.drop_duplicates("buyer").set_index("buyer")["buyer_name"])
        .fillna("")
    )
    buyers["top_supplier_name"] = (
        buyers["top_supplier"]
        .map(frame.drop_duplicates("supplier").set_index("supplier")["supplier_name"])
        .fillna("")
    )
    return pairs, suppliers, buyers


def _tenure(history: pd.DataFrame, window: Window) -> pd.Series:
    """Years from the first start to the latest end per pair, over history up to the window end."""
    first = history["start_date"].fillna(history["award_date"])
    last = history["end_date"].fillna(history["award_date"]).fillna(first)
    if window.end is not None:
        cap = pd.Timestamp(window.end)
        keep = first.notna() & (first <= cap)
        first, last = first[keep], last[keep].where(last[keep] <= cap, cap)
        history = history[keep]
    keys = [history["currency"], history["buyer"], history["supplier"]]
    span = (last.groupby(keys).max() - first.groupby(keys).min()).dt.days / 365.25
    return span.clip(lower=0)


def compute_indicators(
    table: AwardTable | pd.DataFrame,
    windows: Sequence[Window] | Sequence[str] = ("all", "year"),
    *,
    income: Mapping[tuple[str, str, str], float] | None = None,
) -> Indicators:
    """Indicators per window, currency and supplier, buyer and pair (see the module).

    ``windows`` are :class:`Window` objects or words for :func:`parse_windows`
    (``"year"`` expands to the years in which awards are dated). ``income`` gives a
    supplier's total income I_s by ``(window label, currency, supplier key)`` (see
    :func:`read_income`); where known, suppliers get ``income`` and
    ``public_share_of_income`` = V_s / I_s, and pairs ``dependence_on_income`` = V_bs / I_s.
    An income below the supplier's observed public revenue V_s is refused (left empty, with a
    warning in the table's log): the ratios would exceed 1.
    """
    frame = table.frame if isinstance(table, AwardTable) else table
    years = sorted({int(y) for y in _when(frame).dt.year.dropna()})
    if windows and isinstance(windows[0], str):
        resolved = parse_windows([str(w) for w in windows], years)
    else:
        resolved = [w for w in windows if isinstance(w, Window)]
    parts: tuple[list[pd.DataFrame], list[pd.DataFrame], list[pd.DataFrame]] = ([], [], [])
    for window in resolved:
        inside = in_window(frame, window)
        sub = frame[inside]
        if sub.empty:
            continue
        history = (
            frame
            if window.end is None
            else frame[_when(frame).isna() | (_when(frame) <= pd.Timestamp(window.end))]
        )
        for bucket, part in zip(parts, _window_tables(sub, history, window), strict=True):
            bucket.append(part)
    pairs, suppliers, buyers = (
        pd.concat(b, ignore_index=True) if b else pd.DataFrame() for b in parts
    )
    for frame_ in (pairs, suppliers, buyers):
        for col in frame_.columns:
            if frame_[col].dtype == object and col not in ("first_award", "last_award"):
                frame_[col] = frame_[col].fillna("")
    if income and not suppliers.empty:
        usable = dict(income)
        # a total income below the observed public revenue would give shares above 1: the
        # income figure (or its window or currency) is wrong, so it is refused, not clipped
        for label, currency, supplier, name, value in zip(
            suppliers["window"].astype(str),
            suppliers["currency"].astype(str),
            suppliers["supplier"].astype(str),
            suppliers["supplier_name"].astype(str),
            suppliers["value"].astype(float),
            strict=True,
        ):
            given = usable.get((label, currency, supplier))
            if given is not None and value > given:
                del usable[(label, currency, supplier)]
                if isinstance(table, AwardTable):
                    table.log.warn(
                        "income",
                        f"{name or supplier}, window {label}",
                        f"total income {currency} {given:,.0f} is below the observed "
                        f"public revenue {currency} {value:,.0f}: refused "
                        "(D*_sb and the public share of income would exceed 1); check the "
                        "income, its window and its currency",
                    )

        def total(frame_: pd.DataFrame) -> pd.Series:
            keys = zip(frame_["window"], frame_["currency"], frame_["supplier"], strict=True)
            return pd.Series([usable.get(k) for k in keys], index=frame_.index, dtype="float64")

        suppliers["income"] = total(suppliers)
        suppliers["public_share_of_income"] = suppliers["value"] / suppliers["income"]
        pairs["dependence_on_income"] = pairs["value"] / total(pairs)
    return Indicators(
        pairs=_order(pairs, "pair"),
        suppliers=_order(suppliers, "supplier"),
        buyers=_order(buyers, "buyer"),
    )


_INCOME_ALIASES = {
    "organisation": "organisation",
    "organization": "organisation",
    "机构": "organisation",
    "window": "window",
    "year": "window",
    "年度": "window",
    "amount": "amount",
    "income": "amount",
    "总收入": "amount",
    "currency": "currency",
    "币种": "currency",
}


def read_income(path: Path, table: AwardTable) -> dict[tuple[str, str, str], float]:
    """Suppliers' total income from a CSV: ``organisation, window, amount, currency``.

    ``organisation`` is an identifier or a name found in the records; ``window`` a window
    label (``all``, ``2021``, ``2020-01-01:2021-12-31``); ``amount`` the organisation's total
    income in that window (for a Chinese social organisation, the total of its 业务活动表
    income lines). Chinese headers 机构, 年度, 总收入, 币种 work too.
    """
    text, _ = decode_bytes(read_bytes(path, kind="records", error=RecordsFormatError), file=path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {_INCOME_ALIASES.get((h or "").strip(), ""): h for h in reader.fieldnames or []}
    if not {"organisation", "window", "amount"} <= columns.keys():
        raise RecordsFormatError(
            "an income file needs the columns organisation, window, amount (and currency)",
            file=path,
            place="row 1",
            fix="write the header organisation,window,amount,currency",
        )
    known = table.orgs.known()
    out: dict[tuple[str, str, str], float] = {}
    for row in reader:
        place = f"row {reader.line_num}"
        org = (row.get(columns["organisation"]) or "").strip()
        key = table.orgs.find(org)
        if key is None:
            raise RecordsFormatError(
                f"organisation {org!r} is not in the records",
                file=path,
                place=place,
                fix=closest(org, list(known.values())),
            )
        amount = parse_amount(row.get(columns["amount"]))
        if amount is None or amount <= 0:
            raise RecordsFormatError(
                f"income {row.get(columns['amount'])!r} is not a positive number",
                file=path,
                place=place,
                fix="write e.g. 1250000",
            )
        currency = (row.get(columns.get("currency", ""), "") or "XXX").strip().upper()
        out[((row.get(columns["window"]) or "").strip(), currency, key)] = amount
    return out


_ORDER = {
    "pair": [
        "window",
        "currency",
        "buyer",
        "buyer_name",
        "supplier",
        "supplier_name",
        "n_awards",
        "n_processes",
        "value",
        "dependence",
        "reliance",
        "mutual_dependence",
        "power_advantage",
        "power_imbalance",
        "single_bid_share",
        "non_open_share",
        "open_call_share",
        "repeat_awards",
        "renewals_uncompeted",
        "tenure_years",
        "paid_to_awarded",
        "dependence_on_income",
        "first_award",
        "last_award",
    ],
    "supplier": [
        "window",
        "currency",
        "supplier",
        "supplier_name",
        "n_awards",
        "n_processes",
        "n_buyers",
        "n_buyers_valued",
        "value",
        "value_public",
        "value_other",
        "value_undetermined",
        "top_buyer",
        "top_buyer_name",
        "top_buyer_share",
        "hhi",
        "single_bid_share",
        "non_open_share",
        "open_call_share",
        "repeat_share",
        "renewal_uncompeted_share",
        "paid_to_awarded",
        "income",
        "public_share_of_income",
    ],
    "buyer": [
        "window",
        "currency",
        "buyer",
        "buyer_name",
        "n_awards",
        "n_processes",
        "n_suppliers",
        "value",
        "top_supplier",
        "top_supplier_name",
        "top_supplier_share",
        "hhi",
        "single_bid_share",
        "non_open_share",
        "open_call_share",
        "repeat_share",
        "renewal_uncompeted_share",
        "paid_to_awarded",
    ],
}


def _order(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    return (
        frame.reindex(columns=_ORDER[level])
        if not frame.empty
        else pd.DataFrame(columns=_ORDER[level])
    )
