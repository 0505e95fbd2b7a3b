"""A short self-contained HTML page summarising an import of records.

It names the files read, what was skipped, the most dependent suppliers (highest share of
observed revenue from one buyer), the most concentrated buyers (highest HHI), the pairs that
recur across processes, and the first problems met. Every value is escaped; the page loads
nothing from the network.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd

from resdep.contracts.awards import EXCLUSION_REASONS
from resdep.contracts.indicators import DEFINITIONS, Indicators
from resdep.contracts.table import AwardTable

__all__ = ["render_summary"]

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
th,td{border-bottom:1px solid #e4e4e4;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:.9rem}.warn{color:#8a4b00}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: object, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if kind == "share":
        return f"{float(str(value)):.2f}"
    if kind == "money":
        return f"{float(str(value)):,.0f}"
    return _e(value)


def _table(frame: pd.DataFrame, columns: Sequence[tuple[str, str, str]]) -> str:
    if frame.empty:
        return '<p class="note">None.</p>'
    head = "".join(f"<th>{_e(label)}</th>" for _, label, _ in columns)
    rows = []
    for _, row in frame.iterrows():
        cells = "".join(
            f'<td class="n">{_fmt(row[c], k)}</td>'
            if k in ("share", "money", "int")
            else f"<td>{_fmt(row[c], k)}</td>"
            for c, _, k in columns
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_summary(
    table: AwardTable,
    indicators: Indicators,
    *,
    top: int = 15,
    title: str = "Contract and grant records",
) -> str:
    """The HTML page (a string) for an imported award table and its indicators."""
    frame = table.frame
    log = table.log
    suppliers = indicators.suppliers
    buyers = indicators.buyers
    pairs = indicators.pairs
    all_s = suppliers[(suppliers["window"] == "all") & (suppliers["value"] > 0)]
    all_b = buyers[(buyers["window"] == "all") & (buyers["value"] > 0)]
    all_p = pairs[pairs["window"] == "all"]
    dependent = all_s.sort_values(
        ["top_buyer_share", "n_awards", "value"], ascending=[False, False, False]
    ).head(top)
    concentrated = all_b.sort_values(["hhi", "value"], ascending=[False, False]).head(top)
    recurring = (
        all_p[all_p["n_processes"] >= 2]
        .sort_values(["n_processes", "value"], ascending=[False, False])
        .head(top)
    )
    currencies = sorted(set(frame["currency"])) if not frame.empty else []
    excluded = frame["excluded"].value_counts() if not frame.empty else pd.Series(dtype=int)

    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(log.summary())}.</p>",
        f"<p>{len(frame)} award rows in {frame['process'].nunique() if len(frame) else 0} "
        f"processes; {frame['buyer'].nunique() if len(frame) else 0} buyers, "
        f"{frame['supplier'].nunique() if len(frame) else 0} suppliers; "
        f"currencies: {_e(', '.join(currencies) or 'none')} (never summed together).</p>",
    ]
    if len(frame) and "buyer_sector" in frame:
        revenue = frame[frame["in_revenue"]]
        by = revenue.groupby(["currency", "buyer_sector"])["supplier_value"].sum()
        lines = []
        for currency in sorted(set(revenue["currency"])):
            cells = ", ".join(
                f"{kind} {_fmt(float(by.get((currency, kind), 0.0)), 'money')}"
                for kind in ("public", "other", "undetermined")
            )
            lines.append(f"<li>{_e(currency)}: {cells}</li>")
        if lines:
            parts.append(
                '<p class="note">Revenue in the sums by buyer or funder (public by org-id '
                "prefix; undetermined: no identifier that tells):</p>"
                f'<ul class="note">{"".join(lines)}</ul>'
            )
    if len(excluded):
        counts = "".join(
            f"<li>{n} {_e(k)}: {_e(EXCLUSION_REASONS.get(str(k), ''))}</li>"
            for k, n in excluded.items()
            if k
        )
        if counts:
            parts.append(
                f'<p class="note">Rows kept out of revenue sums:</p><ul class="note">{counts}</ul>'
            )
    parts += [
        "<h2>Most dependent suppliers</h2>",
        f'<p class="note">{_e(DEFINITIONS["top_buyer_share"])}; D_sb = V_bs / V_s, the share of '
        "the supplier's revenue observed in the records from its main buyer. V_s counts every "
        "recorded buyer or funder: public ones (by org-id prefix: government, local "
        "authorities, NHS, CN-USCC codes of government organs), others (companies, charities, "
        "foundations) and those whose sector the records do not show, in the columns "
        "public, other and undetermined. All years.</p>",
        _table(
            dependent,
            [
                ("supplier_name", "supplier", "text"),
                ("supplier", "key", "text"),
                ("currency", "cur.", "text"),
                ("value", "V_s", "money"),
                ("value_public", "public", "money"),
                ("value_other", "other", "money"),
                ("value_undetermined", "undetermined", "money"),
                ("top_buyer_name", "main buyer", "text"),
                ("top_buyer_share", "max D_sb", "share"),
                ("hhi", "HHI", "share"),
                ("n_buyers_valued", "paying buyers", "int"),
                ("n_buyers", "buyers (any award)", "int"),
                ("n_awards", "awards", "int"),
            ],
        ),
        "<h2>Most concentrated buyers</h2>",
        f'<p class="note">HHI = Σ_s R_bs², R_bs = V_bs / V_b. {_e(DEFINITIONS["single_bid_share"])}; '
        "in thin local markets these are signals of the buyer's dependence, not integrity flags.</p>",
        _table(
            concentrated,
            [
                ("buyer_name", "buyer", "text"),
                ("currency", "cur.", "text"),
                ("value", "V_b", "money"),
                ("hhi", "HHI", "share"),
                ("top_supplier_name", "top supplier", "text"),
                ("top_supplier_share", "CR1", "share"),
                ("n_suppliers", "suppliers", "int"),
                ("single_bid_share", "single bid", "share"),
                ("non_open_share", "non-open", "share"),
                ("open_call_share", "open call", "share"),
            ],
        ),
        "<h2>Pairs that recur across processes</h2>",
        _table(
            recurring,
            [
                ("buyer_name", "buyer", "text"),
                ("supplier_name", "supplier", "text"),
                ("n_processes", "processes", "int"),
                ("value", "V_bs", "money"),
                ("dependence", "D_sb", "share"),
                ("reliance", "R_bs", "share"),
                ("repeat_awards", "repeats", "int"),
                ("renewals_uncompeted", "uncompeted renewals", "int"),
                ("tenure_years", "tenure (y)", "share"),
            ],
        ),
    ]
    issues = log.issues[:top]
    if issues:
        items = "".join(f"<li>{_e(i)}</li>" for i in issues)
        more = log.n_issues - len(issues)
        tail = f'<p class="note">…and {more} more in issues.csv.</p>' if more > 0 else ""
        parts.append(f'<h2>Problems met</h2><ul class="warn">{items}</ul>{tail}')
    files = "".join(f"<li>{_e(f)}</li>" for f in table.files[:50])
    more_files = len(table.files) - 50
    parts.append(
        f"<h2>Files</h2><ul>{files}</ul>"
        + (f'<p class="note">…and {more_files} more.</p>' if more_files > 0 else "")
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)
