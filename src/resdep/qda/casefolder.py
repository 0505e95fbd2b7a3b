"""Writing a :class:`~resdep.case.Case` as a case folder (design section 6b).

The folder is written atomically (built in a temporary sibling, then moved into place);
an existing non-empty folder is refused unless ``force`` is given. Source texts are
written as UTF-8 exactly as the case holds them (line ends kept), so the code-point
offsets of ``codings.csv`` stay valid; loading the folder gives back the same case.

Examples
--------
>>> import tempfile, pathlib
>>> from resdep.case import load_case
>>> tiny = pathlib.Path(__file__).parents[3] / "tests" / "fixtures" / "tiny_case"
>>> if tiny.is_dir():
...     case = load_case(tiny)
...     out = write_case_folder(case, pathlib.Path(tempfile.mkdtemp()) / "copy")
...     print(load_case(out).codings == case.codings)
... else:
...     print(True)
True
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from resdep.case.load import CODING_COLUMNS
from resdep.case.model import Case, Coding
from resdep.errors import CaseFormatError
from resdep.parameters import AnalysisParams
from resdep.textio import atomic_dir

__all__ = ["case_toml", "codings_csv", "write_case_folder"]


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    s = str(v)
    return (
        '"'
        + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        + '"'
    )


def case_toml(case: Case, *, header: str = "") -> str:
    """The ``case.toml`` text of a case (non-default parameters only)."""
    lines = [f"# {ln}" for ln in header.splitlines()] if header else []
    lines += ["[case]", f"id = {_toml(case.id)}"]
    for key in ("title", "title_zh", "description"):
        if getattr(case, key):
            lines.append(f"{key} = {_toml(getattr(case, key))}")
    if case.synthetic:
        lines.append("synthetic = true")
    for a in case.actors:
        lines += ["", "[[actor]]", f"id = {_toml(a.id)}", f"kind = {_toml(a.kind.value)}"]
        for key in ("name", "name_zh", "parent"):
            if getattr(a, key):
                lines.append(f"{key} = {_toml(getattr(a, key))}")
    for i in case.informants:
        lines += [
            "",
            "[[informant]]",
            f"id = {_toml(i.id)}",
            f"organisation = {_toml(i.organisation)}",
        ]
        if i.role:
            lines.append(f"role = {_toml(i.role)}")
    for s in case.sources:
        lines += ["", "[[source]]", f"id = {_toml(s.id)}", f"path = {_toml(s.path)}"]
        if s.informant:
            lines.append(f"informant = {_toml(s.informant)}")
        lines.append(f"kind = {_toml(s.kind.value)}")
        if s.language:
            lines.append(f"language = {_toml(s.language)}")
    default = AnalysisParams()
    params = {
        f.name: getattr(case.parameters, f.name)
        for f in dataclasses.fields(case.parameters)
        if getattr(case.parameters, f.name) != getattr(default, f.name)
    }
    if params:
        lines += ["", "[parameters]"] + [f"{k} = {_toml(v)}" for k, v in params.items()]
    return "\n".join(lines) + "\n"


def _cell(c: Coding, col: str) -> str:
    v = getattr(c, col)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if col == "quote" and v != v.strip():
        return ""  # cells are stripped when read; the offsets give the quote
    return str(v.value) if hasattr(v, "value") else str(v)


def codings_csv(codings: tuple[Coding, ...] | list[Coding]) -> str:
    """The ``codings.csv`` text of some codings (every field written out)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CODING_COLUMNS)
    for c in codings:
        w.writerow([_cell(c, col) for col in CODING_COLUMNS])
    return buf.getvalue()


def write_case_folder(
    case: Case,
    out: str | Path,
    *,
    force: bool = False,
    header: str = "",
    inputs: Sequence[str | Path] = (),
) -> Path:
    """Write a case as a case folder; returns the folder.

    A case is the researcher's work, not a replaceable output: the folder gets no
    output marker, so no later ``--force`` replaces it (:func:`resdep.textio.check_out`).
    """
    target = Path(out)
    with atomic_dir(target, force=force, inputs=inputs, marker=False) as tmp:
        for s in case.sources:
            rel = PurePosixPath(s.path)
            if rel.is_absolute() or ".." in rel.parts:
                raise CaseFormatError(
                    f"source path {s.path!r} points outside the case folder",
                    place=f"source {s.id!r}",
                    fix="use a path under sources/",
                )
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(s.text.encode("utf-8"))
        (tmp / "case.toml").write_text(
            case_toml(case, header=header), encoding="utf-8", newline="\n"
        )
        (tmp / "codings.csv").write_text(codings_csv(case.codings), encoding="utf-8", newline="")
    return target
