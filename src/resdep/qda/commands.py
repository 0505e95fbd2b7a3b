"""Sub-commands of the QDA layer: ``qda`` (import, inspect, export, agreement), ``codebook``, ``sources``.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="resdep")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["codebook", "--lang", "zh", "--out", "cb.qdc"])
>>> args.lang, args.handler.__name__
('zh', '_codebook')
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from resdep.csvout import csv_bytes
from resdep.errors import OutputExistsError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``qda``, ``codebook`` and ``sources``."""
    qda = subparsers.add_parser(
        "qda",
        help="REFI-QDA projects in and out (NVivo, ATLAS.ti, MAXQDA, QualCoder), agreement between coders",
        description="Read projects exported by QDA programs, write resdep cases back as projects, and compare coders.",
    )
    qsub = qda.add_subparsers(dest="qda_command", metavar="COMMAND")
    qda.set_defaults(handler=lambda _args: _help(qda))

    imp = qsub.add_parser("import", help="turn a .qdpx project into a case folder")
    imp.add_argument("project", help="the .qdpx file")
    imp.add_argument("--out", required=True, help="the case folder to write")
    imp.add_argument(
        "--mapping",
        help="mapping TOML from your codes to the resdep codebook (default: PROJECT.toml if present)",
    )
    imp.add_argument("--coder", help="use only this user's codings (name or id)")
    imp.add_argument("--force", action="store_true", help="replace an existing folder")
    imp.add_argument(
        "--allow-external-sources",
        action="store_true",
        help="read external source texts outside the project's folder (absolute://, file://, "
        "absolute paths); only for projects you trust",
    )
    imp.set_defaults(handler=_import)

    ins = qsub.add_parser(
        "inspect", help="summarise a .qdpx project: sources, codes, users, offset conventions"
    )
    ins.add_argument("project", help="the .qdpx file")
    ins.add_argument(
        "--write-mapping",
        metavar="FILE",
        help="write a mapping template listing the project's codes",
    )
    ins.add_argument("--force", action="store_true", help="replace an existing mapping file")
    ins.set_defaults(handler=_inspect)

    exp = qsub.add_parser(
        "export", help="write a case as a .qdpx project with the dependence networks"
    )
    exp.add_argument("case", help="a case folder or .qdpx project")
    exp.add_argument("--out", required=True, help="the .qdpx file to write")
    exp.add_argument(
        "--lang", choices=("en", "zh"), default="en", help="language of the code names"
    )
    exp.add_argument("--force", action="store_true", help="replace an existing file")
    exp.set_defaults(handler=_export)

    agr = qsub.add_parser(
        "agreement",
        help="agreement between coders: Krippendorff's alpha, Cohen's kappa, segment overlap, tuples, edges",
    )
    agr.add_argument(
        "inputs", nargs="+", help="two or more case folders, or one .qdpx coded by several users"
    )
    agr.add_argument("--out", default="agreement.csv", help="CSV to write (default agreement.csv)")
    agr.add_argument(
        "--overlap",
        type=_overlap_fraction,
        default=0.8,
        help="overlap (intersection/union) for segments to match",
    )
    agr.add_argument("--mapping", help="mapping TOML for a .qdpx input")
    agr.add_argument("--force", action="store_true", help="replace an existing CSV")
    agr.add_argument(
        "--raw-csv",
        action="store_true",
        help="write CSV text cells as they are (no apostrophe before =, +, -, @) and "
        "floats at full precision (see docs/outputs.md)",
    )
    agr.set_defaults(handler=_agreement)

    cb = subparsers.add_parser(
        "codebook", help="write the resdep codebook as a REFI-QDA codebook (.qdc)"
    )
    cb.add_argument("--lang", choices=("en", "zh"), default="en", help="language of code names")
    cb.add_argument("--out", required=True, help="the .qdc file to write")
    cb.add_argument("--case", help="include the actors of this case (folder or .qdpx)")
    cb.add_argument("--force", action="store_true", help="replace an existing file")
    cb.set_defaults(handler=_codebook)

    src = subparsers.add_parser("sources", help="add transcripts to a case folder")
    ssub = src.add_subparsers(dest="sources_command", metavar="COMMAND")
    src.set_defaults(handler=lambda _args: _help(src))
    add = ssub.add_parser(
        "add", help="add .txt, .md or .docx transcripts (any common encoding) to a case folder"
    )
    add.add_argument("case", help="the case folder")
    add.add_argument("files", nargs="+", help="transcript files")
    add.add_argument("--informant", help="the informant (an [[informant]] id) of these sources")
    add.add_argument("--kind", help="interview, fieldnote or document")
    add.add_argument("--language", help="language code, e.g. zh")
    add.add_argument("--force", action="store_true", help="replace existing source texts")
    add.set_defaults(handler=_sources_add)


def _overlap_fraction(text: str) -> float:
    """``--overlap``: a fraction above 0 and at most 1."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 < value <= 1.0:  # also refuses nan
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an overlap; give a fraction above 0 and at most 1 "
            "(intersection/union of two segments), e.g. --overlap 0.8"
        )
    return value


def _not_a_folder(path: Path, what: str) -> None:
    """Refuse an output path that is an existing folder (exit 2, not an internal error)."""
    if path.is_dir():
        raise OutputExistsError(f"{path} is a folder; give a {what} path")


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _write_bytes_atomic(path: Path, data: bytes, *, force: bool, what: str) -> None:
    _not_a_folder(path, what)
    if path.exists() and not force:
        raise OutputExistsError(
            f"{path} exists; choose another --out, or pass --force to replace it"
        )
    from resdep.textio import atomic_write_bytes

    atomic_write_bytes(path, data)


def _import(args: argparse.Namespace) -> int:
    from resdep.qda.casefolder import write_case_folder
    from resdep.qda.convert import import_qdpx
    from resdep.textio import check_out

    check_out(args.out, force=args.force, inputs=[args.project])  # before any work
    case, report = import_qdpx(
        args.project,
        mapping=args.mapping,
        coder=args.coder,
        allow_external=args.allow_external_sources,
    )
    out = write_case_folder(
        case,
        args.out,
        force=args.force,
        header=f"imported by resdep from {Path(args.project).name}",
        inputs=[args.project],
    )
    print("\n".join(report.lines()))
    print(
        f"case {case.id!r} written to {out}: {len(case.actors)} actors, {len(case.informants)} informants, "
        f"{len(case.sources)} sources, {len(case.codings)} codings"
    )
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from resdep.qda.codebook import recognise
    from resdep.qda.project import read_qdpx

    p = read_qdpx(args.project)
    lines_out: list[str] = []
    say = lines_out.append
    say(f"{args.project}: {p.name!r}, written by {p.origin or 'an unknown program'}")
    say(f"  users: {', '.join(u.label for u in p.users) or 'none'}")
    say(
        f"  {len(p.sources)} text sources, {len(p.codes)} codes, {p.n_selections} coded selections, "
        f"{len(p.cases)} cases, {len(p.notes)} notes, {len(p.sets)} sets, {len(p.links)} links, {p.graphs} graphs"
    )
    for s in p.sources:
        coders: dict[str, int] = {}
        for sel in s.selections:
            for c in sel.codings:
                key = p.user_label(c.user)
                coders[key] = coders.get(key, 0) + 1
        say(
            f"  source {s.name!r}: {len(s.text)} characters ({s.encoding}), {len(s.selections)} selections"
            + (f"; codings by {', '.join(f'{k} {v}' for k, v in coders.items())}" if coders else "")
        )
        if s.detection is not None and s.selections:
            say(f"    offsets: {s.detection.summary()}")
            for i in s.detection.misfits[:5]:
                sel = s.selections[i]
                where = (
                    "no convention"
                    if i in s.detection.unfit_anywhere
                    else "another convention only"
                )
                say(
                    f"    misfit: selection {sel.guid} ({sel.raw_start}–{sel.raw_end}) fits {where}"
                )
    known = sum(1 for c in p.codes if recognise(c.path) is not None)
    say(f"  {known} of {len(p.codes)} codes are resdep codebook paths")
    if args.write_mapping:
        lines = [
            f"# Mapping for {Path(args.project).name}: give each of your codes a resdep code path",
            "# (Group/Leaf, e.g. Stage/Contracting, Resource/Economic, Dependent/<actor id>, Intensity/3),",
            '# a list of them, or "" to ignore it. See docs/qda.md.',
            "",
            "[case]",
            f'id = "{_slug(p.name or Path(args.project).stem)}"',
            "",
            "[actors]",
            '# street = { kind = "street_office", name_zh = "..." }',
            "",
            "[codes]",
        ]
        for code in p.codes:
            found = recognise(code.path)
            target = f"{found.group}/{found.value}" if found else ""
            lines.append(f'{_toml_key("/".join(code.path))} = "{target}"')
        _write_bytes_atomic(
            Path(args.write_mapping),
            ("\n".join(lines) + "\n").encode("utf-8"),
            force=args.force,
            what=".toml file",
        )
        say(f"mapping template written to {args.write_mapping}")
    # written first, printed after: a reader closing standard output early loses nothing
    print("\n".join(lines_out))
    return 0


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9_-]+", "_", text.lower()).strip("_") or "qda_project"


def _toml_key(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _export(args: argparse.Namespace) -> int:
    from resdep.case import load_case
    from resdep.pipeline import analyze
    from resdep.qda.export import write_qdpx

    _not_a_folder(Path(args.out), ".qdpx file")  # before the analysis, not after
    case = load_case(args.case)
    result = analyze(case, draws=0)
    out = write_qdpx(case, args.out, lang=args.lang, force=args.force, networks=result.networks)
    n_links = sum(g.number_of_edges() for g in result.networks.values())
    if case.records:
        print("note: contract and grant records ([[records]]) are not carried into the project")
    print(
        f"{out}: case {case.id!r} with {len(case.sources)} sources, {len(case.codings)} coded selections, "
        f"{len(case.informants)} informants as cases, {n_links} dependence links in {len(result.networks)} stage graphs"
    )
    return 0


def _agreement(args: argparse.Namespace) -> int:
    from resdep.case import load_case
    from resdep.qda.agreement import (
        agreement,
        agreement_flags,
        coder_data_from_case,
        coder_data_from_project,
    )

    out = Path(args.out)
    _not_a_folder(out, ".csv file")
    if out.exists() and not args.force:
        raise OutputExistsError(
            f"{out} exists; choose another --out, or pass --force to replace it"
        )
    if len(args.inputs) == 1 and args.inputs[0].lower().endswith(".qdpx"):
        coders = coder_data_from_project(args.inputs[0], mapping=args.mapping)
    else:
        coders = [coder_data_from_case(load_case(p), Path(p).name) for p in args.inputs]
    result = agreement(coders, overlap=args.overlap)
    table = result.table
    # the table is written before anything is printed (`| head -1` must not lose it)
    _write_bytes_atomic(
        out,
        csv_bytes(table, raw=args.raw_csv),
        force=args.force,
        what=".csv file",
    )
    width = max(len(str(f)) for f in table.family) if len(table) else 10
    print(f"agreement between {table.coders.iloc[0] if len(table) else ''}")
    print(f"  {'measure':<24} {'family':<{width}} {'n':>5} {'value':>7}")
    for row in table.to_dict("records"):
        v = float(row["value"])
        value = "    n/a" if math.isnan(v) else f"{v:7.3f}"
        print(f"  {row['measure']:<24} {row['family']!s:<{width}} {row['n']:>5} {value}")
    flags = agreement_flags(result)
    for msg in flags.message:
        print(f"  FLAG: {msg}")
    print(f"table written to {out}")
    return 0


def _codebook(args: argparse.Namespace) -> int:
    from resdep.qda.codebook import codebook_xml

    actors: tuple[Any, ...] = ()
    if args.case:
        from resdep.case import load_case

        actors = load_case(args.case).actors
    out = Path(args.out)
    _write_bytes_atomic(
        out, codebook_xml(args.lang, actors=actors), force=args.force, what=".qdc file"
    )
    print(
        f"codebook ({args.lang}) written to {out}"
        + (f" with {len(actors)} actors" if actors else "")
    )
    return 0


def _sources_add(args: argparse.Namespace) -> int:
    from resdep.qda.transcripts import add_sources

    added = add_sources(
        args.case,
        args.files,
        informant=args.informant,
        kind=args.kind,
        language=args.language,
        force=args.force,
    )
    for a in added:
        print(
            f"{a.transcript.path} → {a.path} (source {a.id!r}: {a.transcript.describe()}, {len(a.transcript.text)} characters)"
        )
    return 0
