"""Writing CSV tables that are safe to open in a spreadsheet.

Every CSV resdep writes goes through :func:`write_csv`: UTF-8, LF line ends, full precision,
and text cells that a spreadsheet would run as a formula (those beginning with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) escaped with a leading apostrophe, as the OWASP
guidance on CSV injection recommends. Numbers stay numbers: only text cells are escaped, so
``-0.46`` in a float column is written as is. ``raw=True`` writes text cells unchanged.

Examples
--------
>>> import pandas as pd
>>> escape_cell("=HYPERLINK(1)"), escape_cell("-0.5 said"), escape_cell("街道")
("'=HYPERLINK(1)", "'-0.5 said", '街道')
>>> frame = pd.DataFrame({"quote": ["@SUM(A1)", "ok"], "pa": [-0.46, 0.1]})
>>> escape_frame(frame)["quote"].tolist(), escape_frame(frame)["pa"].tolist()
(["'@SUM(A1)", 'ok'], [-0.46, 0.1])
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pandas is imported by the callers; keep this module cheap to import
    import pandas as pd

__all__ = ["FORMULA_PREFIXES", "escape_cell", "escape_frame", "to_csv_text", "write_csv"]

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """A text cell with a leading apostrophe when a spreadsheet would run it; else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are escaped (numeric columns untouched)."""
    out = frame.copy()
    for col in out.columns:
        if _is_text(out[col]):
            out[col] = out[col].map(escape_cell)
    return out


def _is_text(series: pd.Series[Any]) -> bool:
    return series.dtype == object or str(series.dtype) in ("string", "str")


def _quoting(frame: pd.DataFrame) -> Literal[0, 2]:
    """``csv.QUOTE_MINIMAL``, or quote all text when a cell holds a bare CR.

    Python's csv writer does not quote a carriage return when the line end is LF, and a
    reader then splits the row there; quoting every text cell keeps such a file readable.
    """
    for col in frame.columns:
        series = frame[col]
        if _is_text(series) and series.map(lambda v: isinstance(v, str) and "\r" in v).any():
            return csv.QUOTE_NONNUMERIC
    return csv.QUOTE_MINIMAL


def to_csv_text(frame: pd.DataFrame, *, raw: bool = False) -> str:
    """The CSV text of ``frame`` as :func:`write_csv` writes it."""
    data = frame if raw else escape_frame(frame)
    text: str = data.to_csv(index=False, lineterminator="\n", quoting=_quoting(data))
    return text


def write_csv(frame: pd.DataFrame, path: str | Path, *, raw: bool = False) -> None:
    """Write ``frame`` to ``path`` (UTF-8, LF, full precision, formula cells escaped)."""
    Path(path).write_text(to_csv_text(frame, raw=raw), encoding="utf-8", newline="")
