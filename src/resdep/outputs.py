"""Writing an analysis to its output folder (design section 11), atomically.

The folder holds exactly: ``inputs.csv``, ``stages.csv``, ``relationships.csv``,
``diagnostics.csv``, ``networks/<stage>.graphml``, ``report.html`` and ``run.json``
(plus ``figures/`` with the report's figures as SVG and PNG for papers, ``methods/``
with the interviewee and code-frequency tables and a methods paragraph, in Chinese and
English, as Markdown, .docx and .xlsx: :mod:`resdep.report.methods`, and for a case
with ``[[records]]`` the import log ``records-log.csv``).
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from resdep.csvout import write_csv
from resdep.pipeline import Analysis
from resdep.textio import atomic_dir

if TYPE_CHECKING:  # pragma: no cover - types only
    from resdep.contracts import RecordsImport

#: The import log of a case's ``[[records]]``, kept beside the tables.
RECORDS_LOG = "records-log.csv"

__all__ = [
    "RECORDS_LOG",
    "package_versions",
    "run_record",
    "run_warnings",
    "write_outputs",
    "write_table",
]


def write_table(frame: pd.DataFrame, path: Path, *, raw: bool = False) -> None:
    """Write a CSV table the way every resdep output is written (:func:`resdep.csvout.write_csv`)."""
    write_csv(frame, path, raw=raw)


def package_versions() -> dict[str, str]:
    """Versions of Python, resdep and the libraries that shape results."""
    out = {"python": platform.python_version()}
    for name in ("resdep", "numpy", "pandas", "scipy", "networkx", "matplotlib"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
            out[name] = "unknown"
    return out


def _hash_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_warnings() -> list[str]:
    """What may be wrong with the outputs of this machine (no CJK font for PNG figures);
    recorded in ``run.json`` and printed by :func:`write_outputs`."""
    from resdep.report.figures import cjk_font_warning

    message = cjk_font_warning()
    return [message] if message else []


def run_record(
    analysis: Analysis, records: RecordsImport | None = None, *, pseudonymise: bool = False
) -> dict[str, Any]:
    """What ``run.json`` holds: parameters, seed, versions, hashes of the inputs.

    With ``pseudonymise`` no file name of a source or records file and no path of the
    case appear (inputs are listed as ``source 1``, ``records 1``, … with their hashes).

    With ``records`` (what the case's ``[[records]]`` gave), also the counts of the import:
    rows read, skipped, kept out of sums (by reason) and issues, and the name of its log.
    """
    case = analysis.case
    hashes: dict[str, str] = {}
    if case.root is not None and case.root.is_dir():
        for name in ("case.toml", "codings.csv"):
            if (case.root / name).is_file():
                hashes[name] = _hash_file(case.root / name)
        for k, s in enumerate(case.sources, start=1):
            if (case.root / s.path).is_file():
                key = f"source {k}" if pseudonymise else s.path
                hashes[key] = _hash_file(case.root / s.path)
        for k, r in enumerate(case.records, start=1):
            if (case.root / r.path).is_file():
                key = f"records {k}" if pseudonymise else r.path
                hashes[key] = _hash_file(case.root / r.path)
    elif case.root is not None and case.root.is_file():
        hashes["project" if pseudonymise else case.root.name] = _hash_file(case.root)
    record: dict[str, Any] = {
        "command": "analyze",
        "case": {
            "id": case.id,
            "title": case.title,
            "synthetic": case.synthetic,
            "path": None if pseudonymise or case.root is None else str(case.root),
            "pseudonymised": pseudonymise,
        },
        "parameters": analysis.params.as_dict(),
        "seed": analysis.params.seed,
        "draws": analysis.params.draws,
        "versions": package_versions(),
        "input_hashes": hashes,
        "inputs_from_records": analysis.input_origins.to_dict(orient="records"),
        "warnings": run_warnings(),
        "counts": {
            "codings": len(case.codings),
            "sources": len(case.sources),
            "informants": len(case.informants),
            "inputs": len(analysis.inputs),
            "dyads": len(analysis.relationships),
        },
    }
    if records is not None:
        record["records_import"] = {**records.counts(), "log": RECORDS_LOG}
    return record


def write_outputs(
    analysis: Analysis,
    out: str | Path,
    *,
    force: bool = False,
    report: bool = True,
    pseudonymise: bool = False,
    agreement: pd.DataFrame | None = None,
    inputs: Sequence[str | Path] = (),
    raw_csv: bool = False,
    redact: Sequence[str] = (),
    records: RecordsImport | None = None,
    lang: str | None = None,
) -> Path:
    """Write the output folder of an analysis; returns the path of ``report.html``.

    ``lang`` (``"zh"`` or ``"en"``; None: :func:`resdep.lang.resolve_lang` from the case
    and the locale) is the language of the report and its figures, recorded in
    ``run.json`` as ``lang``.

    The folder is built beside ``out`` and moved into place when complete; an existing
    non-empty ``out`` is refused unless ``force`` (then replaced as a whole).
    ``pseudonymise`` hides informant ids and roles in the report; ``agreement`` holds
    code families whose inter-coder α fell below threshold (from
    :func:`resdep.qda.agreement_flags`), which the report flags. ``inputs`` are never
    inside ``out`` (see :func:`resdep.textio.check_out`); ``raw_csv`` writes text cells
    without the formula escape of :mod:`resdep.csvout`. With ``pseudonymise`` every
    output file and file name is pseudonymised (:mod:`resdep.report.pseudonym`), with the
    ``redact`` names too, and ``run.json`` names no source file and no case path. ``records`` (from
    :func:`resdep.loading.load`) adds ``records-log.csv``, the import log of the case's
    ``[[records]]``, its counts in ``run.json`` and a link to it in the report.
    """
    target = Path(out)
    with atomic_dir(target, force=force, inputs=inputs) as tmp:
        write_table(analysis.inputs, tmp / "inputs.csv", raw=raw_csv)
        write_table(analysis.stages, tmp / "stages.csv", raw=raw_csv)
        write_table(analysis.relationships, tmp / "relationships.csv", raw=raw_csv)
        write_table(analysis.diagnostics, tmp / "diagnostics.csv", raw=raw_csv)
        (tmp / "networks").mkdir()
        for stage, graph in analysis.networks.items():
            nx.write_graphml(graph, tmp / "networks" / f"{stage.value}.graphml")
        if records is not None:
            write_table(records.log_frame(), tmp / RECORDS_LOG, raw=raw_csv)
        from resdep.lang import case_language, resolve_lang

        chosen = resolve_lang(lang, case_language(analysis.case))
        record = run_record(analysis, records, pseudonymise=pseudonymise)
        record["lang"] = chosen
        for message in record["warnings"]:
            print(f"resdep: warning: {message}", file=sys.stderr)
        (tmp / "run.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8",
        )
        from resdep.report.methods import write_methods

        write_methods(analysis.case, tmp / "methods", analysis.params)
        if report:
            from resdep.report import write_report

            write_report(
                analysis,
                tmp / "report.html",
                figures_dir=tmp / "figures",
                pseudonymise=pseudonymise,
                agreement=agreement,
                records_note=None if records is None else (records.summary_line(), RECORDS_LOG),
                lang=chosen,
            )
        if pseudonymise:  # every file and file name, not only the report
            from resdep.report.pseudonym import Pseudonymiser, pseudonymise_folder

            pseudonymise_folder(tmp, Pseudonymiser.for_case(analysis.case, redact))
    return target / "report.html"
