"""Data shipped with resdep: the founding case, the codebook, scenarios, schemas."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "founding_case_path"]

#: The folder of the package's data files.
DATA_DIR = Path(__file__).resolve().parent


def founding_case_path() -> Path:
    """The case folder of the bundled founding case (a synthetic reconstruction).

    Examples
    --------
    >>> (founding_case_path() / "case.toml").is_file()
    True
    """
    return DATA_DIR / "founding_case"
