"""Core sub-commands: ``analyze`` and ``demo``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from resdep.errors import CaseFormatError

__all__ = ["parse_sets", "register"]


def parse_sets(items: list[str] | None) -> dict[str, str]:
    """Parse repeated ``--set key=value`` options.

    Examples
    --------
    >>> parse_sets(["theta_d=0.6", "draws=100"])
    {'theta_d': '0.6', 'draws': '100'}
    """
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CaseFormatError(
                f"--set {item!r} is not key=value",
                place="command line",
                fix="write e.g. --set theta_d=0.6",
            )
        out[key.strip()] = value.strip()
    return out


def register(subparsers: Any) -> None:
    """Add ``analyze`` and ``demo``."""
    p = subparsers.add_parser(
        "analyze",
        help="analyse a case folder or .qdpx project into stage-wise dependence and relationship types",
        description="Analyse coded evidence into dependence networks per stage, power imbalance, relationship labels with their uncertainty, and a report.",
    )
    p.add_argument(
        "case", help="a case folder (case.toml, codings.csv, sources/) or a REFI-QDA .qdpx project"
    )
    p.add_argument("--out", help="output folder (default: out/<case id>)")
    p.add_argument("--draws", type=int, help="Monte Carlo draws (default 2000)")
    p.add_argument("--seed", type=int, help="seed of the draws")
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a parameter (repeatable), e.g. --set theta_d=0.6",
    )
    p.add_argument("--force", action="store_true", help="replace an existing output folder")
    p.add_argument("--no-report", action="store_true", help="write the tables only")
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        help="language of the report, its figures and this summary: zh (Chinese) or en "
        "(English); default: the case's language, else the locale (LANG), else en",
    )
    p.add_argument(
        "--raw-csv",
        action="store_true",
        help="write CSV text cells as they are (no apostrophe before =, +, -, @) and "
        "floats at full precision (see docs/outputs.md)",
    )
    p.add_argument(
        "--pseudonymise",
        action="store_true",
        help="replace informant ids and roles by pseudonyms in every output (see docs/safety.md)",
    )
    p.add_argument(
        "--redact",
        metavar="FILE",
        help="also replace the names listed in FILE (one a line, e.g. people named in quotes); "
        "implies --pseudonymise",
    )
    p.add_argument(
        "--mapping",
        help="for a .qdpx: TOML mapping your code paths onto the canonical codebook (default: PROJECT.toml beside it)",
    )
    p.add_argument(
        "--coder", help="for a .qdpx coded by several users: use this user's codings only"
    )
    p.set_defaults(handler=_analyze)

    d = subparsers.add_parser(
        "demo", help="analyse the bundled founding case and run a baseline simulation, with reports"
    )
    d.add_argument("--out", default="out/demo", help="output folder (default out/demo)")
    d.add_argument("--force", action="store_true", help="replace an existing output folder")
    d.set_defaults(handler=_demo)


def _analyze(args: argparse.Namespace) -> int:
    from resdep.loading import load
    from resdep.outputs import write_outputs
    from resdep.pipeline import analyze
    from resdep.textio import check_out

    inputs = [args.case]
    redact: list[str] = []
    if args.redact:
        from resdep.report.pseudonym import read_redact_file

        redact = read_redact_file(args.redact)
    if args.out:  # a bad --out is refused before any work
        check_out(args.out, force=args.force, inputs=inputs)
    overrides: dict[str, Any] = parse_sets(args.set)
    if args.draws is not None:
        if args.draws < 1:
            raise CaseFormatError(
                f"--draws must be at least 1, got {args.draws}",
                place="command line",
                fix="the default is 2000; P(label) needs draws from the posteriors",
            )
        overrides["draws"] = args.draws
    if args.seed is not None:
        overrides["seed"] = args.seed
    agreement = None
    records = None
    if Path(args.case).suffix.lower() == ".qdpx":
        case, agreement = _load_project(Path(args.case), args.mapping, args.coder, overrides)
    else:
        if args.mapping or args.coder:
            raise CaseFormatError(
                "--mapping and --coder apply to .qdpx projects only",
                place="command line",
                fix="drop them for a case folder",
            )
        loaded = load(args.case, overrides=overrides)
        case, records = loaded.case, loaded.records
        if records is not None:
            print(records.summary_line(), file=sys.stderr)
    out = Path(args.out) if args.out else Path("out") / case.id
    check_out(out, force=args.force, inputs=inputs)
    from resdep.lang import case_language, resolve_lang

    lang = resolve_lang(args.lang, case_language(case))
    result = analyze(case)
    report = write_outputs(
        result,
        out,
        force=args.force,
        inputs=inputs,
        raw_csv=args.raw_csv,
        report=not args.no_report,
        pseudonymise=args.pseudonymise or bool(redact),
        redact=redact,
        agreement=agreement,
        records=records,
        lang=lang,
    )
    _summary(result, lang)
    if lang == "zh":
        print(f"输出已写入 {out}" + ("" if args.no_report else f"\n报告：{report}"))
    else:
        print(f"outputs written to {out}" + ("" if args.no_report else f"\nreport: {report}"))
    return 0


def _load_project(
    path: Path, mapping: str | None, coder: str | None, overrides: dict[str, Any]
) -> tuple[Any, Any]:
    """Import a .qdpx, print what the import found, and compute coder agreement if several coded."""
    import dataclasses

    from resdep.errors import QdaFormatError
    from resdep.qda import agreement, agreement_flags, import_qdpx
    from resdep.qda.agreement import coder_data_from_project

    case, report = import_qdpx(path, mapping=mapping, coder=coder)
    for line in report.lines():
        print(line, file=sys.stderr)
    if overrides:
        case = dataclasses.replace(case, parameters=case.parameters.with_overrides(overrides))
    flags = None
    if coder is None and len(report.users) > 1:
        try:
            coders = coder_data_from_project(str(path), mapping=mapping)
        except QdaFormatError:
            coders = []
        if len(coders) >= 2:
            flags = agreement_flags(agreement(coders))
            for row in flags.itertuples():
                print(f"agreement flag: {row.message}", file=sys.stderr)
    return case, flags


def _summary(result: Any, lang: str = "en") -> None:
    """Print each dyad's label and stage states, marking unsettled and undetermined results,
    in Chinese (``lang="zh"``) or English."""
    import math

    from resdep.pipeline import label_runner_up
    from resdep.report.html import missing_evidence_text, mover_text
    from resdep.vocab import Label, Stage, StageState

    zh = lang == "zh"

    def term(kind: Any, value: str) -> str:
        try:
            t = kind(value)
        except ValueError:
            return value
        return str(t.zh if zh else t.value)

    sep = "；" if zh else "; "
    si = result.stage_intervals
    influence = result.influence
    for row in result.relationships.itertuples():
        head = f"{row.agency} – {row.government}: {term(Label, str(row.label))}"
        if row.label == Label.UNDETERMINED.value:
            missing = missing_evidence_text(str(row.missing_evidence), lang)
            print(
                f"{head}（缺少证据：{missing}）" if zh else f"{head} (missing evidence: {missing})"
            )
        else:
            names = [term(Label, x) for x in ("partnership", "buddy", "transactional")]
            values = (row.p_partnership, row.p_buddy, row.p_transactional)
            probs = "P " + (", " if not zh else "，").join(
                f"{n} {v:.2f}" for n, v in zip(names, values, strict=True)
            )
            if bool(row.settled):
                print(f"{head}（确定；{probs}）" if zh else f"{head} (settled; {probs})")
            else:
                ru, p_ru = label_runner_up(row)
                runner = (
                    (
                        f"；次优 {term(Label, ru)} P {p_ru:.2f}"
                        if zh
                        else f"; runner-up {ru} P {p_ru:.2f}"
                    )
                    if ru
                    else ""
                )
                if zh:
                    print(f"{head} 未定（P {row.p_label:.2f}{runner}；{probs}）")
                else:
                    print(f"{head} UNSETTLED (P {row.p_label:.2f}{runner}; {probs})")
            movers = influence[
                (influence.agency == row.agency) & (influence.government == row.government)
            ]
            if len(movers):
                if zh:
                    items = "，".join(
                        f"第 {m.row} 行（{mover_text(str(m.what), lang)}）{m.change:+.2f}"
                        for m in movers.itertuples()
                    )
                    print(f"    对 P 影响最大的编码：{items}")
                else:
                    items = ", ".join(
                        f"row {m.row} ({m.what}) {m.change:+.2f}" for m in movers.itertuples()
                    )
                    print(f"    codings that move P most: {items}")
        states = result.stages[
            (result.stages.agency == row.agency) & (result.stages.government == row.government)
        ]
        parts = []
        for s in states.itertuples():
            stage, state = term(Stage, str(s.stage)), term(StageState, str(s.state))
            text = (
                f"{stage}：{state}（PA {s.pa:+.2f}，P {s.p_state:.2f}）"
                if zh
                else f"{stage}: {state} (PA {s.pa:+.2f}, P {s.p_state:.2f})"
            )
            if not bool(s.settled) and math.isfinite(float(s.p_state)):
                match = si[
                    (si.agency == row.agency)
                    & (si.government == row.government)
                    & (si.stage == s.stage)
                ]
                ru = str(match.iloc[0]["runner_up"]) if len(match) else ""
                p_ru = float(match.iloc[0]["p_runner_up"]) if len(match) else math.nan
                if zh:
                    text += " 未定" + (
                        f"（次优 {term(StageState, ru)} P {p_ru:.2f}）" if ru else ""
                    )
                else:
                    text += " UNSETTLED" + (f"; runner-up {ru} P {p_ru:.2f}" if ru else "")
            parts.append(text)
        print("    " + sep.join(parts) if zh else "    " + ", ".join(parts))


def _demo(args: argparse.Namespace) -> int:
    from resdep.case import load_case
    from resdep.data import founding_case_path
    from resdep.outputs import write_outputs
    from resdep.pipeline import analyze
    from resdep.textio import atomic_dir, check_out

    out = Path(args.out)
    check_out(out, force=args.force)
    case = load_case(founding_case_path())
    result = analyze(case)
    with atomic_dir(out, force=args.force) as tmp:
        report = write_outputs(result, tmp / "case")
        sim_report = _demo_simulation(tmp / "simulation")
    print(
        "resdep demo: the bundled founding case (a synthetic reconstruction of the Shanghai autonomy-grant study)"
    )
    from resdep.lang import case_language, resolve_lang

    _summary(result, resolve_lang(None, case_language(case)))
    final = out / report.relative_to(report.parents[1])
    print(f"\ncase report: {final.resolve()}")
    if sim_report is not None:
        print(
            f"simulation report: {(out / sim_report.relative_to(sim_report.parents[1])).resolve()}"
        )
    return 0


def _demo_simulation(folder: Path) -> Path | None:
    try:
        from resdep.simulate import simulate, write_simulation
    except ImportError:
        print("(simulation not available in this build)", file=sys.stderr)
        return None
    result = simulate("baseline", scale="case", years=20, seed=0)
    write_simulation(result, folder)
    return folder / "report.html"
