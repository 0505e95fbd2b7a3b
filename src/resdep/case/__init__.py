"""The case model, its file format and its validation."""

from __future__ import annotations

from resdep.case.load import CODING_COLUMNS, load_case, parse_codings
from resdep.case.model import Actor, Case, Coding, HardInput, Informant, RecordsLink, Source

__all__ = [
    "CODING_COLUMNS",
    "Actor",
    "Case",
    "Coding",
    "HardInput",
    "Informant",
    "RecordsLink",
    "Source",
    "load_case",
    "parse_codings",
]
