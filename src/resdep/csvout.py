"""Writing CSV tables that open cleanly in a spreadsheet.

Every CSV resdep writes as an output goes through :func:`write_csv` (or :func:`csv_bytes`
for a caller that writes the bytes itself). The format, documented in ``docs/outputs.md``:

- **UTF-8 with a byte-order mark** (BOM), so that Excel on Windows reads Chinese text as
  Chinese; LF line ends. Set the environment variable :data:`BOM_ENV` (``RESDEP_CSV_BOM``)
  to ``0`` for files without the BOM. Every reader in resdep accepts both.
- **Floats rounded** to :data:`DECIMALS` decimals, but never to fewer than
  :data:`SIGNIFICANT` significant digits (so a small value such as ``1.23456789e-7`` keeps
  ``1.23457e-07``): an absolute error of at most 5e-7 and a relative error of at most
  5e-6, plus the float's own rounding when the written number is read back (a few
  billionths for values near 10^8). Integer columns stay integers, a missing value (NaN) is an empty cell, and text
  columns are never touched, even when they look like numbers (ids such as ``007``).
- **Formula cells escaped**: text cells that a spreadsheet would run as a formula (those
  beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) get a leading
  apostrophe, as the OWASP guidance on CSV injection recommends. Numbers stay numbers: only
  text cells are escaped, so ``-0.46`` in a float column is written as is.

``raw=True`` (the commands' ``--raw-csv``) writes text cells unchanged and floats at full
precision (the shortest text that reads back as the same float); the BOM still follows
:data:`BOM_ENV`. :func:`to_csv_text` gives the text without a BOM: ``codings.csv``, the
case's own input file, is written from it as plain UTF-8.

Examples
--------
>>> import pandas as pd
>>> escape_cell("=HYPERLINK(1)"), escape_cell("-0.5 said"), escape_cell("街道")
("'=HYPERLINK(1)", "'-0.5 said", '街道')
>>> frame = pd.DataFrame({"quote": ["@SUM(A1)", "ok"], "pa": [-0.46, 0.1]})
>>> escape_frame(frame)["quote"].tolist(), escape_frame(frame)["pa"].tolist()
(["'@SUM(A1)", 'ok'], [-0.46, 0.1])
>>> format_float(0.1 + 0.2), format_float(2 / 3), format_float(1234567.891), format_float(1.23456789e-7)
('0.3', '0.666667', '1234567.891', '1.23457e-07')
>>> table = pd.DataFrame({"id": ["007"], "n": [3], "p": [1 / 3], "gap": [float("nan")]})
>>> to_csv_text(table)
'id,n,p,gap\\n007,3,0.333333,\\n'
>>> to_csv_text(table, raw=True)
'id,n,p,gap\\n007,3,0.3333333333333333,\\n'
"""

from __future__ import annotations

import codecs
import csv
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from resdep.errors import OutputPathError

if TYPE_CHECKING:  # numpy and pandas are imported when used: the CLI imports this module
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

__all__ = [
    "BOM_ENV",
    "DECIMALS",
    "FORMULA_PREFIXES",
    "SIGNIFICANT",
    "csv_bom",
    "csv_bytes",
    "encode_csv",
    "escape_cell",
    "escape_frame",
    "format_float",
    "round_floats",
    "to_csv_text",
    "write_csv",
]

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

#: The environment variable that turns the byte-order mark off (``0``) or on (``1``, default).
BOM_ENV = "RESDEP_CSV_BOM"

#: Decimals a float keeps in a CSV (unless :data:`SIGNIFICANT` asks for more).
DECIMALS = 6

#: Significant digits a float keeps at least (small values get more decimals).
SIGNIFICANT = 6

_OFF = ("0", "false", "no", "off")
_ON = ("", "1", "true", "yes", "on")


def csv_bom() -> bool:
    """Whether CSV outputs begin with a UTF-8 byte-order mark (:data:`BOM_ENV`; default yes).

    Examples
    --------
    >>> import os
    >>> os.environ.pop(BOM_ENV, None) and None
    >>> csv_bom()
    True
    """
    value = os.environ.get(BOM_ENV, "").strip().lower()
    if value in _OFF:
        return False
    if value in _ON:
        return True
    raise OutputPathError(
        f"{BOM_ENV}={os.environ.get(BOM_ENV)!r} is neither on nor off",
        place="environment",
        fix=f"set {BOM_ENV}=0 for CSV files without a byte-order mark, or unset it (or 1) "
        "for UTF-8 with BOM, which Excel needs to read Chinese",
    )


def format_float(value: float) -> str:
    """The text of a float in a CSV: :data:`DECIMALS` decimals, at least :data:`SIGNIFICANT`
    significant digits, written as the shortest text of the rounded value.

    ``x`` is rounded to ``max(DECIMALS, SIGNIFICANT - 1 - floor(log10 |x|))`` decimals
    (by :func:`round_floats`, which tables use too). Non-finite values are written as
    Python writes them (``inf``, ``-inf``); ``-0.0`` as ``0.0`` (also after rounding a tiny
    negative number).

    Examples
    --------
    >>> [format_float(v) for v in (0.125, -0.4583333333, 12.3456789, 3.0, -1e-9, 1e300)]
    ['0.125', '-0.458333', '12.345679', '3.0', '-1e-09', '1e+300']
    >>> format_float(-0.0000004)
    '-4e-07'
    """
    import numpy as np

    return repr(float(round_floats(np.array([float(value)]))[0]))


def round_floats(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """A rounded copy of ``values`` (see :func:`format_float`); NaN and infinities kept.

    Each value is what Python's ``round(x, d)`` gives, computed in bulk: scaled by
    ``10**d`` and rounded to an integer by numpy where that is exact (the scaled value far
    enough from a half-way case that the scaling's own rounding cannot matter), by Python's
    :func:`round` elsewhere (half-way cases, very large or very small values).

    Examples
    --------
    >>> import numpy as np
    >>> round_floats(np.array([1 / 3, np.nan, 2e-8 / 3, -1e-9, 123456.7890123])).tolist()
    [0.333333, nan, 6.66667e-09, -1e-09, 123456.789012]
    """
    import numpy as np

    x = np.asarray(values, dtype=np.float64)
    out = x + 0.0  # a copy, and -0.0 becomes 0.0
    ok = np.isfinite(x) & (x != 0.0)
    if not ok.any():
        return out
    digits = np.zeros(x.shape, dtype=np.int64)
    digits[ok] = np.maximum(DECIMALS, SIGNIFICANT - 1 - np.floor(np.log10(np.abs(x[ok]))))
    for d in np.unique(digits[ok]).tolist():
        group = np.flatnonzero(ok & (digits == d))
        fast = np.zeros(group.shape, dtype=bool)
        if d <= 22:  # 10**d is an exact float
            scale = 10.0**d
            fast = np.abs(x[group]) < 2.0**52 / scale  # the scaled value holds an integer exactly
            y = x[group[fast]] * scale
            fraction = y - np.floor(y)
            near_half = np.abs(fraction - 0.5) <= np.abs(y) * 2.0**-51
            fast[np.flatnonzero(fast)[near_half]] = False
            out[group[fast]] = np.rint(y[~near_half]) / scale
        out[group[~fast]] = [round(float(v), d) for v in x[group[~fast]]]
    result: NDArray[np.float64] = out + 0.0
    return result


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
            out[col] = _escape_series(out[col])
    return out


def _escape_series(series: pd.Series[Any]) -> pd.Series[Any]:
    """:func:`escape_cell` over a text column, vectorised (pandas string methods)."""
    import pandas as pd

    try:
        hit = series.str.startswith(FORMULA_PREFIXES, na=False).to_numpy(dtype=bool)
    except (AttributeError, TypeError):  # not a column pandas' string methods take
        return series.map(escape_cell)
    if not hit.any():
        return series
    values = series.to_numpy(dtype=object, copy=True)
    values[hit] = ["'" + v for v in values[hit]]
    return pd.Series(values, index=series.index, name=series.name, dtype=series.dtype)


def _is_text(series: pd.Series[Any]) -> bool:
    return series.dtype == object or str(series.dtype) in ("string", "str")


def _quoting(frame: pd.DataFrame) -> Literal[0, 2]:
    """``csv.QUOTE_MINIMAL``, or quote all text when a cell holds a bare CR.

    Python's csv writer does not quote a carriage return when the line end is LF, and a
    reader then splits the row there; quoting every text cell keeps such a file readable.
    """
    for col in frame.columns:
        series = frame[col]
        if _is_text(series) and _has_cr(series):
            return csv.QUOTE_NONNUMERIC
    return csv.QUOTE_MINIMAL


def _has_cr(series: pd.Series[Any]) -> bool:
    """Whether a text cell of the column holds a carriage return."""
    try:
        return bool(series.str.contains("\r", regex=False, na=False).to_numpy(dtype=bool).any())
    except (AttributeError, TypeError):  # not a column pandas' string methods take
        return bool(series.map(lambda v: isinstance(v, str) and "\r" in v).any())


def _round_floats(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the floats of float columns rounded as :func:`format_float` writes them.

    The values stay floats (so the csv writer still sees numbers, unquoted and unescaped);
    pandas then writes each as its shortest text, which is the text of :func:`format_float`.
    A nullable ``Float64`` column becomes ``float64`` (a missing value is still empty).
    """
    import pandas as pd

    cols = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c].dtype)]
    if not cols:
        return frame
    out = frame.copy()
    for col in cols:
        values = out[col].to_numpy(dtype="float64", na_value=float("nan"))
        out[col] = pd.Series(round_floats(values), index=out.index, name=col)
    return out


def to_csv_text(frame: pd.DataFrame, *, raw: bool = False) -> str:
    """The CSV text of ``frame`` as :func:`write_csv` writes it, without the BOM."""
    data = frame if raw else _round_floats(escape_frame(frame))
    text: str = data.to_csv(index=False, lineterminator="\n", quoting=_quoting(data))
    return text


def csv_bytes(frame: pd.DataFrame, *, raw: bool = False) -> bytes:
    """The bytes of ``frame`` as a CSV output: UTF-8, with a BOM unless :data:`BOM_ENV` is 0.

    Examples
    --------
    >>> import os, pandas as pd
    >>> os.environ.pop(BOM_ENV, None) and None
    >>> csv_bytes(pd.DataFrame({"街道": [1]}))
    b'\\xef\\xbb\\xbf\\xe8\\xa1\\x97\\xe9\\x81\\x93\\n1\\n'
    """
    return encode_csv(to_csv_text(frame, raw=raw))


def encode_csv(text: str) -> bytes:
    """CSV text as output bytes: UTF-8, with a BOM first unless :data:`BOM_ENV` is 0.

    For a CSV made without a frame (the records template's header row).

    Examples
    --------
    >>> import os
    >>> os.environ.pop(BOM_ENV, None) and None
    >>> encode_csv("a,b\\n")
    b'\\xef\\xbb\\xbfa,b\\n'
    """
    data = text.encode("utf-8")
    return codecs.BOM_UTF8 + data if csv_bom() else data


def write_csv(frame: pd.DataFrame, path: str | Path, *, raw: bool = False) -> None:
    """Write ``frame`` to ``path``: :func:`csv_bytes` (UTF-8 with BOM, LF, floats rounded,
    formula cells escaped; ``raw`` keeps text cells and floats as they are)."""
    Path(path).write_bytes(csv_bytes(frame, raw=raw))
