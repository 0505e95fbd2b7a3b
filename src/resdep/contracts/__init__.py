"""Contract and grant records: OCDS, 360Giving and CSV into an award table and indicators.

The way through (section 9 of the design; the user guide is ``docs/records.md``)::

    files ──read_records──▶ AwardTable ──compute_indicators──▶ Indicators
      OCDS 1.1 release / record packages, compiled releases, JSON Lines
      360Giving 1.4 JSON
      the CSV template (OCDS column names or Chinese aliases)
                                   └──economic_inputs──▶ HardInput (agency → government, economic)

Examples
--------
>>> from pathlib import Path
>>> import resdep
>>> csv_file = Path(resdep.__file__).parents[2] / "examples/records-case/records/purchases.csv"
>>> table = read_records([csv_file])
>>> sorted(set(table.frame["method"].dropna()))
['direct', 'limited', 'open', 'selective']
>>> ind = compute_indicators(table, ["all"])
>>> top = ind.suppliers.sort_values("value", ascending=False).iloc[0]
>>> top["supplier_name"], round(float(top["top_buyer_share"]), 2)
('新桥社会工作服务社', 0.71)
"""

from __future__ import annotations

from resdep.contracts.hard import (
    HardInput,
    RecordsImport,
    case_records,
    economic_inputs,
    main_currency,
    resolve_actors,
)
from resdep.contracts.indicators import (
    DEFINITIONS,
    Indicators,
    Window,
    compute_indicators,
    parse_windows,
    read_income,
)
from resdep.contracts.log import ImportLog, Issue
from resdep.contracts.merge import compile_releases
from resdep.contracts.methods import method_code
from resdep.contracts.orgs import OrgRef, OrgResolver, normalise_name
from resdep.contracts.table import AwardTable, build_table, read_records

__all__ = [
    "DEFINITIONS",
    "AwardTable",
    "HardInput",
    "ImportLog",
    "Indicators",
    "Issue",
    "OrgRef",
    "OrgResolver",
    "RecordsImport",
    "Window",
    "build_table",
    "case_records",
    "compile_releases",
    "compute_indicators",
    "economic_inputs",
    "main_currency",
    "method_code",
    "normalise_name",
    "parse_windows",
    "read_income",
    "read_records",
    "resolve_actors",
]
