"""Hard economic inputs for the dependence model, taken from purchase and grant records.

A case can list record files (``[[records]]`` in ``case.toml``) with a map from its actor
ids to organisations in the records. For every pair of mapped actors in which one is a
*supplier* in the records (the agency) and the other a *buyer* (the government unit),
:func:`economic_inputs` gives two inputs for the tuple (agency → government, ``economic``):

=============  ==================  =============================================================
dimension      value               reading
=============  ==================  =============================================================
importance     D_sb = V_bs / V_s   the share of the agency's observed public revenue that comes
                                   from this buyer (Pfeffer & Salancik's resource importance as
                                   the magnitude of the exchange)
alternatives   1 − D_sb            the share that comes from *other* buyers: the alternatives the
                                   agency already uses (section 7 of the design defines
                                   N = 1 − other streets' share in the same way)
=============  ==================  =============================================================

V is the sum of attributable award values in the agency's main currency (the one with most
observed revenue; other currencies are never mixed in) over the awards in ``window`` (all
awards by default). Frameworks and unsplit multi-supplier awards carry no revenue.

Nothing is produced for discretion (records say nothing about who controls renewal), for
government → agency economic dependence (a government does not depend on an agency for
money), nor for an agency with no observed revenue. The records cover observed *public*
revenue only: an agency with donations or fee income depends less than D_sb says, so read
the values as upper bounds on importance and lower bounds on alternatives. Each input's
``basis`` says which indicator, its value, how many awards, which years and which files.

Examples
--------
>>> from pathlib import Path
>>> import resdep
>>> case = Path(resdep.__file__).parents[2] / "examples" / "records-case"
>>> inputs = economic_inputs([case / "records" / "purchases.csv"],
...                          {"street": "青石街道办事处", "agency": "新桥社会工作服务社"})
>>> [(h.dependent, h.provider, h.dimension, round(h.value, 2)) for h in inputs]
[('agency', 'street', 'importance', 0.71), ('agency', 'street', 'alternatives', 0.29)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from resdep.contracts.currency import check_currency_code, convert, read_rates
from resdep.contracts.indicators import Window, compute_indicators, in_window
from resdep.contracts.table import AwardTable, read_records
from resdep.errors import RecordsFormatError, closest

__all__ = [
    "HardInput",
    "RecordsImport",
    "case_records",
    "economic_inputs",
    "import_counts",
    "log_frame",
    "main_currency",
    "resolve_actors",
    "summary_line",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class HardInput:
    """A dependence input measured from records; it overrides the coded estimate."""

    dependent: str
    provider: str
    resource: str  # always "economic"
    dimension: str  # "importance" | "alternatives"
    value: float  # in [0, 1]
    basis: str  # which indicator, its value, how many awards, which years, which files

    def __post_init__(self) -> None:
        if not 0.0 <= self.value <= 1.0:
            raise ValueError(f"HardInput.value must be in [0, 1], got {self.value!r}")


def resolve_actors(
    table: AwardTable, actor_map: Mapping[str, str], *, file: str | Path | None = None
) -> dict[str, str]:
    """Actor id → organisation key in the records; an unknown organisation raises."""
    out: dict[str, str] = {}
    known = table.orgs.known()
    for actor, org in actor_map.items():
        key = table.orgs.find(org)
        if key is None:
            raise RecordsFormatError(
                f"organisation {org!r} (actor {actor!r}) is not in the records",
                file=file,
                place=f"[records.actors] {actor}",
                fix=closest(org, list(known.values()) + list(known.keys())),
            )
        out[actor] = key
    return out


def _years(dates: pd.Series) -> str:
    years = dates.dropna().dt.year
    if years.empty:
        return "undated"
    lo, hi = int(years.min()), int(years.max())
    return str(lo) if lo == hi else f"{lo}–{hi}"


def _money(currency: str, amount: float) -> str:
    return f"{currency} {amount:,.0f}"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordsImport:
    """What the ``[[records]]`` of a case gave: the inputs, the one award table, its log."""

    inputs: tuple[HardInput, ...]
    table: AwardTable
    root: Path | None = None  # the case folder: files in the log are shown relative to it

    def log_frame(self) -> pd.DataFrame:
        """The import log as a table: severity, file, place, message (``records-log.csv``)."""
        frame = log_frame(self.table)
        if self.root is not None and len(frame):
            root = self.root

            def relative(name: str) -> str:
                try:
                    return Path(name).relative_to(root).as_posix()
                except ValueError:
                    return name

            frame["file"] = frame["file"].map(relative)
        return frame

    def counts(self) -> dict[str, object]:
        """Counts for ``run.json``: what was read, skipped, excluded, flagged."""
        return import_counts(self.table)

    def summary_line(self) -> str:
        """One line for the terminal: files, award rows, inputs, what was left out."""
        return summary_line(self.table, len(self.inputs))


def log_frame(table: AwardTable) -> pd.DataFrame:
    """The import log of a table as rows: severity, file, place, message."""
    return pd.DataFrame(
        [
            {"severity": i.severity, "file": i.file, "place": i.place, "message": i.message}
            for i in table.log.issues
        ],
        columns=["severity", "file", "place", "message"],
    )


def import_counts(table: AwardTable) -> dict[str, object]:
    """What was read, skipped and kept out of sums, as plain numbers (``run.json``)."""
    frame = table.frame
    excluded = frame.loc[~frame["in_revenue"], "excluded"].value_counts()
    return {
        "files": [Path(f).name for f in table.files],
        "award_rows": len(frame),
        "read": dict(table.log.read),
        "skipped": dict(table.log.skipped),
        "flagged": dict(table.log.flagged),
        "excluded_from_sums": {str(k): int(v) for k, v in excluded.items()},
        "issues": table.log.n_issues,
    }


def summary_line(table: AwardTable, n_inputs: int) -> str:
    """``records: 2 file(s), 19 award rows, 4 inputs; 3 kept out of sums (...); 2 issue(s)``."""
    frame = table.frame
    text = (
        f"records: {len(table.files)} file(s), {len(frame)} award row(s), "
        f"{n_inputs} input(s) from records"
    )
    excluded = frame.loc[~frame["in_revenue"], "excluded"].value_counts()
    if len(excluded):
        text += "; kept out of sums: " + ", ".join(
            f"{int(n)} {why}" for why, n in sorted(excluded.items())
        )
    if table.log.skipped:
        text += "; skipped " + ", ".join(f"{n} {k}" for k, n in sorted(table.log.skipped.items()))
    if table.log.flagged:
        text += "; flagged " + ", ".join(f"{n} {k}" for k, n in sorted(table.log.flagged.items()))
    if table.log.n_issues:
        text += f"; {table.log.n_issues} issue(s) in the log"
    return text


def case_records(
    links: Sequence[tuple[Path, Mapping[str, str]]],
    *,
    window: tuple[date, date] | None = None,
    file: str | Path | None = None,
    currency: str | None = None,
    rates: str | Path | None = None,
    root: Path | None = None,
) -> RecordsImport:
    """Read every ``[[records]]`` entry of a case into **one** award table, then the inputs.

    All files are read before any indicator is computed, so the same purchases split into
    several files (one per district) give the same values as one file. The actor maps of
    the entries are joined; one actor mapped to two different organisations is an input error.

    Parameters
    ----------
    links
        (record file, actor map) per ``[[records]]`` entry, paths already joined with the case
        folder.
    window
        As in :func:`economic_inputs`.
    file
        The file named in errors about the actor map (``case.toml``).
    currency
        The main currency (ISO 4217) the inputs are computed in; by default, for each agency,
        the currency of most of its valued award rows.
    rates
        A rates table (``currency,year,rate``) converting other currencies into ``currency``
        (:func:`resdep.contracts.currency.convert`); needs ``currency``.
    root
        The case folder; the log's file names are shown relative to it.
    """
    _window_ok(window)
    if currency is not None:
        currency = check_currency_code(currency, file=file, place="[[records]] currency")
    table = _read([path for path, _ in links], currency=currency, rates=rates, file=file)
    keys: dict[str, str] = {}
    for _, mapping in links:
        found = resolve_actors(table, mapping, file=file)
        for actor, key in found.items():
            if keys.setdefault(actor, key) != key:
                raise RecordsFormatError(
                    f"actor {actor!r} is mapped to two organisations: "
                    f"{table.orgs.name(keys[actor])!r} and {table.orgs.name(key)!r}",
                    file=file,
                    place=f"[records.actors] {actor}",
                    fix="map each actor to one organisation in every [[records]] entry",
                )
    inputs = _inputs(table, keys, window=window, currency=currency)
    return RecordsImport(inputs=tuple(inputs), table=table, root=root)


def _read(
    paths: Sequence[Path],
    *,
    currency: str | None,
    rates: str | Path | None,
    file: str | Path | None,
) -> AwardTable:
    if rates is not None and currency is None:
        raise RecordsFormatError(
            "a rates table needs the currency to convert into",
            file=file,
            place="rates",
            fix='name the main currency too, e.g. currency = "CNY"',
        )
    table = read_records(paths)
    if rates is not None and currency is not None:
        table = convert(table, read_rates(rates), currency)
    return table


def economic_inputs(
    record_files: Sequence[Path],
    actor_map: Mapping[str, str],
    *,
    window: tuple[date, date] | None = None,
    currency: str | None = None,
    rates: str | Path | None = None,
) -> list[HardInput]:
    """Economic importance and alternatives of agency → government pairs, from records.

    Parameters
    ----------
    record_files
        OCDS, 360Giving or CSV-template files (formats are detected), read into one table.
    actor_map
        Case actor id → organisation in the records: a scheme-qualified identifier
        (``CN-USCC-...``, ``GB-CHC-...``) or a name (matched after folding case,
        punctuation and HTML entities).
    window
        Only awards dated from the first to the second date (inclusive); all by default.
    currency, rates
        The main currency, and a rates table converting into it (see :func:`case_records`).

    Raises :class:`~resdep.errors.RecordsFormatError` for unreadable records or an
    organisation that the records do not name.
    """
    _window_ok(window)
    where = record_files[0] if len(record_files) == 1 else None
    if currency is not None:
        currency = check_currency_code(currency, file=where, place="currency")
    table = _read(list(record_files), currency=currency, rates=rates, file=where)
    keys = resolve_actors(table, actor_map, file=where)
    return _inputs(table, keys, window=window, currency=currency)


def _window_ok(window: tuple[date, date] | None) -> bool:
    if window is not None and window[0] > window[1]:
        raise ValueError(f"window starts after it ends: {window[0]} > {window[1]}")
    return True


def rows_main_sectors(frame: pd.DataFrame, supplier: str, currency: str) -> list[str]:
    """The sectors of the buyers that paid ``supplier`` in ``currency`` (revenue rows)."""
    rows = frame[(frame["supplier"] == supplier) & (frame["currency"] == currency)]
    return list(rows.loc[rows["in_revenue"], "buyer_sector"].unique())


def main_currency(rows: pd.DataFrame) -> str:
    """The currency of most award rows (ties: the first code in sort order), never by amounts.

    >>> main_currency(pd.DataFrame({"currency": ["USD", "CNY", "CNY", "USD", "EUR"]}))
    'CNY'
    """
    counts = rows["currency"].value_counts()
    best = int(counts.max())
    return sorted(str(c) for c, n in counts.items() if int(n) == best)[0]


def _inputs(
    table: AwardTable,
    keys: Mapping[str, str],
    *,
    window: tuple[date, date] | None,
    currency: str | None = None,
) -> list[HardInput]:
    _window_ok(window)
    files = ", ".join(Path(f).name for f in table.files)
    if window is not None:
        win = Window(
            label=f"{window[0]:%Y-%m-%d}:{window[1]:%Y-%m-%d}", start=window[0], end=window[1]
        )
    else:
        win = Window(label="all")
    indicators = compute_indicators(table, [win])
    frame = table.frame[in_window(table.frame, win)]
    suppliers, pairs = indicators.suppliers, indicators.pairs
    out: list[HardInput] = []
    for agency, s_key in keys.items():
        mine = suppliers[(suppliers["supplier"] == s_key) & (suppliers["value"] > 0)]
        if mine.empty:
            continue
        valued = frame[(frame["supplier"] == s_key) & frame["in_revenue"]]
        main = currency or main_currency(valued)
        in_main = mine[mine["currency"] == main]
        if in_main.empty:  # the named currency holds none of this agency's revenue
            table.log.warn(
                table.orgs.name(s_key),
                "[[records]] currency",
                f"no valued award in {main} for {table.orgs.name(s_key)} (it has "
                f"{', '.join(sorted(set(mine['currency'])))}): no input from records",
            )
            continue
        v_s = float(in_main["value"].iloc[0])
        others = valued[valued["currency"] != main]
        currency_note = (
            f"; {len(others)} valued award(s) in other currencies "
            f"({', '.join(sorted(set(others['currency'])))}) not summed"
            if len(others)
            else ""
        )
        sectors = {str(x) for x in rows_main_sectors(frame, s_key, main)}
        kind_of_revenue = (
            "public revenue"
            if sectors <= {"public"}
            else "revenue in the records (public "
            f"{_money(main, float(in_main['value_public'].iloc[0]))}, other "
            f"{_money(main, float(in_main['value_other'].iloc[0]))}, undetermined "
            f"{_money(main, float(in_main['value_undetermined'].iloc[0]))})"
        )
        unsure = frame[
            (frame["supplier"] == s_key)
            & frame["excluded"].isin(["no_currency", "currency_conflict"])
        ]
        if len(unsure):
            currency_note += (
                f"; {len(unsure)} award(s) with a missing or contradictory currency left out "
                "(see the records log)"
            )
        rows_s = frame[
            (frame["supplier"] == s_key) & (frame["currency"] == main) & frame["in_revenue"]
        ]
        for government, b_key in keys.items():
            if government == agency or b_key == s_key or b_key not in set(frame["buyer"]):
                continue
            pair = pairs[
                (pairs["supplier"] == s_key)
                & (pairs["buyer"] == b_key)
                & (pairs["currency"] == main)
            ]
            v_bs = float(pair["value"].iloc[0]) if not pair.empty else 0.0
            d = min(max(v_bs / v_s, 0.0), 1.0)
            rows_bs = rows_s[rows_s["buyer"] == b_key]
            n_other = int(
                (
                    (pairs["supplier"] == s_key)
                    & (pairs["currency"] == main)
                    & (pairs["buyer"] != b_key)
                    & (pairs["value"] > 0)
                ).sum()
            )
            s_name, b_name = table.orgs.name(s_key), table.orgs.name(b_key)
            context = (
                f"{len(rows_bs)} of {len(rows_s)} valued award(s), "
                f"{_years(rows_s['award_date'].fillna(rows_s['start_date']))}, "
                f"window {win.label}, {files}{currency_note}"
            )
            out.append(
                HardInput(
                    dependent=agency,
                    provider=government,
                    resource="economic",
                    dimension="importance",
                    value=d,
                    basis=(
                        f"records: D_sb = {d:.2f}, the share of {s_name}'s observed {kind_of_revenue} "
                        f"({_money(main, v_s)}) that came from {b_name} "
                        f"({_money(main, v_bs)}); {context}"
                    ),
                )
            )
            out.append(
                HardInput(
                    dependent=agency,
                    provider=government,
                    resource="economic",
                    dimension="alternatives",
                    value=1.0 - d,
                    basis=(
                        f"records: 1 - D_sb = {1.0 - d:.2f}, the share of {s_name}'s observed "
                        f"{kind_of_revenue} from {n_other} other buyer(s) "
                        f"({_money(main, v_s - v_bs)}); {context}"
                    ),
                )
            )
    return out
