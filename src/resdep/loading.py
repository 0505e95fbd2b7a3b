"""Loading whatever names a case: the edge that chooses a reader.

The case model (:mod:`resdep.case`) reads a case folder only; the pipeline takes a
:class:`~resdep.case.Case` and imports no adapter. This module is the one place that picks
the reader for what a user names:

=====================  ================================================================
what                   reader
=====================  ================================================================
a ``.qdpx`` file       :func:`resdep.qda.load_qdpx_case` (a REFI-QDA project)
a folder               :func:`resdep.case.load_case` (``case.toml``, ``codings.csv``, ...)
``[[records]]``        :func:`resdep.contracts.case_records`: every entry of the case read
                       into one award table, whose economic inputs become the case's
                       ``hard_inputs``
=====================  ================================================================

``resdep.load_case`` (the public API) and ``resdep analyze`` go through here.

Examples
--------
>>> from resdep.data import founding_case_path
>>> case = load_any(founding_case_path())
>>> case.id, len(case.hard_inputs)
('shanghai_autonomy_grant', 0)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from resdep.case import Case, HardInput
from resdep.case import load_case as load_case_folder

if TYPE_CHECKING:  # pragma: no cover - types only
    from resdep.contracts import RecordsImport

__all__ = ["Loaded", "load", "load_any"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Loaded:
    """A case with what its ``[[records]]`` gave (``None`` without records)."""

    case: Case
    records: RecordsImport | None = None


def load(path: str | Path, *, overrides: Mapping[str, Any] | None = None) -> Loaded:
    """Load a case folder or a ``.qdpx`` project, with the inputs its records give.

    Parameters
    ----------
    path
        A case folder or a REFI-QDA ``.qdpx`` project.
    overrides
        Parameter overrides applied after those of ``case.toml`` (the command line's).
    """
    p = Path(path)
    if p.suffix.lower() == ".qdpx" and not p.is_dir():
        from resdep.qda import load_qdpx_case  # the QDA adapter builds a Case from a project

        case: Case = load_qdpx_case(p)
        if overrides:
            case = dataclasses.replace(case, parameters=case.parameters.with_overrides(overrides))
        return Loaded(case=case)
    case = load_case_folder(p, overrides=overrides)
    return with_records(case)


def with_records(case: Case) -> Loaded:
    """Read the case's ``[[records]]`` (all into one table) and set its ``hard_inputs``."""
    if not case.records or case.root is None:
        return Loaded(case=case)
    from resdep.contracts import case_records  # records are optional evidence
    from resdep.errors import CaseFormatError
    from resdep.textio import confine

    toml = case.root / "case.toml"
    currencies = sorted({link.currency for link in case.records if link.currency})
    rates = sorted({link.rates for link in case.records if link.rates})
    if len(currencies) > 1 or len(rates) > 1:
        raise CaseFormatError(
            "the [[records]] entries name different currencies or rates tables: "
            + ", ".join(currencies + rates),
            file=toml,
            place="[[records]]",
            fix="one case has one main currency and one rates table; name the same in each",
        )
    # every records and rates path resolves inside the case folder (links included)
    paths = [
        confine(
            link.path,
            case.root,
            what="records",
            place=f"[[records]] #{i + 1} path",
            error=CaseFormatError,
        )
        for i, link in enumerate(case.records)
    ]
    rates_path = (
        confine(
            rates[0],
            case.root,
            what="rates table",
            place="[[records]] rates",
            error=CaseFormatError,
        )
        if rates
        else None
    )
    imported = case_records(
        [(path, link.actors) for path, link in zip(paths, case.records, strict=True)],
        file=toml,
        currency=currencies[0] if currencies else None,
        rates=rates_path,
        root=case.root,
    )
    hard = tuple(
        HardInput(
            dependent=h.dependent,
            provider=h.provider,
            resource=str(h.resource),
            dimension=str(h.dimension),
            value=float(h.value),
            basis=h.basis,
        )
        for h in imported.inputs
    )
    return Loaded(case=dataclasses.replace(case, hard_inputs=hard), records=imported)


def load_any(path: str | Path, *, overrides: Mapping[str, Any] | None = None) -> Case:
    """Load and validate a case folder (with its records) or a REFI-QDA ``.qdpx`` project.

    Parameters
    ----------
    path
        The case folder holding ``case.toml``, ``codings.csv`` and ``sources/``; or a
        ``.qdpx`` file exported from a QDA program.
    overrides
        Parameter overrides applied after those of ``case.toml`` (the command line's).

    Examples
    --------
    >>> from resdep.data import founding_case_path
    >>> case = load_any(founding_case_path())
    >>> case.synthetic, len(case.informants)
    (True, 10)
    """
    return load(path, overrides=overrides).case
