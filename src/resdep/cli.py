"""The ``resdep`` command line.

Each area registers its own sub-commands through a ``register(subparsers)`` function in
its ``commands`` module (listed in :data:`COMMAND_MODULES`); this module only dispatches
and turns errors into exit statuses: 0 success, 2 bad input (the message names the
file, the place and the fix), 1 internal error. Set ``RESDEP_DEBUG=1`` for tracebacks.

Sub-commands are loaded lazily: importing an area's package pulls in numpy, pandas and
more, so ``resdep --help`` lists the commands from :data:`COMMANDS` (name, module, one-line
help) without importing any area, and ``resdep COMMAND …`` imports only the module that
registers ``COMMAND``. A name not in :data:`COMMANDS` loads every module, so a command an
area adds works at once; a test checks that :data:`COMMANDS` lists exactly what the
modules register, with the same help.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from resdep.errors import InputError, OutputExistsError, ResdepError

__all__ = ["COMMANDS", "COMMAND_MODULES", "build_parser", "main"]

#: Modules that contribute sub-commands, in the order they appear in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "resdep.commands",
    "resdep.qda.commands",
    "resdep.contracts.commands",
    "resdep.simulate.commands",
    "resdep.experiments.commands",
    "resdep.web.commands",
)

#: Every sub-command: its module (one of :data:`COMMAND_MODULES`) and its one-line help,
#: in the order of ``resdep --help``. Must match what the modules register.
COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": (
        "resdep.commands",
        "analyse a case folder or .qdpx project into stage-wise dependence and relationship types",
    ),
    "demo": (
        "resdep.commands",
        "analyse the bundled founding case and run a baseline simulation, with reports",
    ),
    "qda": (
        "resdep.qda.commands",
        "REFI-QDA projects in and out (NVivo, ATLAS.ti, MAXQDA, QualCoder), agreement between coders",
    ),
    "codebook": ("resdep.qda.commands", "write the resdep codebook as a REFI-QDA codebook (.qdc)"),
    "sources": ("resdep.qda.commands", "add transcripts to a case folder"),
    "contracts": (
        "resdep.contracts.commands",
        "import purchase and grant records (OCDS, 360Giving, CSV) into dependence indicators",
    ),
    "scenarios": ("resdep.simulate.commands", "list simulation scenarios and scales"),
    "simulate": ("resdep.simulate.commands", "run the purchase-system simulation"),
    "patterns": (
        "resdep.simulate.commands",
        "check patterns P1-P7 and reversals R1-R3 over many seeds",
    ),
    "sweep": (
        "resdep.experiments.commands",
        "run an experiment specification (design × replicates) and store the outcomes",
    ),
    "sensitivity": (
        "resdep.experiments.commands",
        "Sobol or Morris indices (and seed noise) of a stored sweep, with an HTML report",
    ),
    "discover": (
        "resdep.experiments.commands",
        "scenario discovery (PRIM): which inputs lead to an outcome above/below a threshold",
    ),
    "replay": (
        "resdep.experiments.commands",
        "re-run recorded runs of a sweep and check that outcomes are identical",
    ),
    "init": (
        "resdep.web.commands",
        "start a new case folder (commented case.toml, sources/, codings.csv)",
    ),
    "serve": (
        "resdep.web.commands",
        "code a case folder in the local web workbench and watch the networks update",
    ),
}

Handler = Callable[[argparse.Namespace], int | None]


def _present(module: str) -> bool:
    """Whether a ``resdep.…`` module's file is there, without importing its package."""
    base = Path(__file__).resolve().parent.joinpath(*module.split(".")[1:])
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _listed() -> dict[str, str]:
    """The table's commands whose module is in :data:`COMMAND_MODULES` and present."""
    return {
        name: help_text
        for name, (module, help_text) in COMMANDS.items()
        if module in COMMAND_MODULES and _present(module)
    }


def _requested(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names: ``""`` for none, ``None`` for a name not in the table."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            break
        if token == "--max-file-mb":  # the one global option that takes a value
            next(tokens, None)
            continue
        if not token.startswith("-"):
            return token if token in _listed() else None
    return ""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser.

    With ``command`` ``None`` every module of :data:`COMMAND_MODULES` registers its
    sub-commands. With a name from :data:`COMMANDS`, only that command's module is
    imported, and the other commands are listed by name and help only (enough for
    ``--help`` and for parsing that one command); ``""`` imports no area at all.
    """
    from resdep import __version__

    parser = argparse.ArgumentParser(
        prog="resdep",
        description=(
            "Measure, explain and simulate resource dependence between governments and "
            "social work agencies, stage by stage through a purchase project."
        ),
    )
    parser.add_argument("--version", action="version", version=f"resdep {__version__}")
    parser.add_argument(
        "--max-file-mb",
        type=float,
        metavar="N",
        help="raise (or lower) the size cap of every input file to N megabytes "
        "(same as the environment variable RESDEP_MAX_FILE_MB; see docs/safety.md)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    if command is None:
        modules: Sequence[str] = COMMAND_MODULES
    elif command:
        modules = [COMMANDS[command][0]]
    else:
        modules = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and (name + ".").startswith(exc.name + "."):
                continue  # the area (or its commands module) is not there yet
            raise
        module.register(subparsers)
    if command is not None:
        for name, help_text in _listed().items():
            if name not in subparsers.choices:
                subparsers.add_parser(name, help=help_text)
    _describe(subparsers)
    return parser


def _describe(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Give each sub-command without a description its one-line help as description, so
    ``resdep COMMAND --help`` always says what the command does."""
    helped = {a.dest: a.help for a in subparsers._choices_actions}
    for name, sub in subparsers.choices.items():
        text = helped.get(name)
        if not sub.description and isinstance(text, str) and text:
            sub.description = text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                _describe(action)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(_requested(argv))
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    max_mb = getattr(args, "max_file_mb", None)
    if max_mb is not None:
        if not 0 < max_mb < 1e9:
            print(
                "resdep: error: --max-file-mb must be a positive number of megabytes",
                file=sys.stderr,
            )
            return 2
        os.environ["RESDEP_MAX_FILE_MB"] = repr(max_mb)
    try:
        from resdep.csvout import csv_bom

        csv_bom()  # a bad RESDEP_CSV_BOM is refused before any work, not at the first CSV
        status = handler(args)
        sys.stdout.flush()
    except (InputError, OutputExistsError) as exc:
        print(f"resdep: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader of standard output closed it early (`| head -1`): outputs are written
        # before anything is printed, so there is nothing left to do but leave quietly
        _silence_stdout()
        return 0
    except ResdepError as exc:
        print(f"resdep: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("resdep: interrupted", file=sys.stderr)
        return 130
    except (RecursionError, OverflowError, MemoryError, OSError, ValueError) as exc:
        message = _user_error(exc)
        if message is None:
            return _internal(exc)
        print(f"resdep: error: {message}", file=sys.stderr)
        return 2
    except Exception as exc:
        return _internal(exc)
    return int(status or 0)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # pragma: no cover - stdout has no file descriptor
        pass


def _user_error(exc: BaseException) -> str | None:
    """A message for an error that the user can fix (exit 2), or ``None`` for a bug."""
    from resdep.textio import os_error_fix

    if isinstance(exc, RecursionError):
        return (
            "an input is nested too deeply to read (e.g. TOML or JSON arrays nested "
            "thousands deep). Fix: flatten the nesting of the file you gave"
        )
    if isinstance(exc, OverflowError):
        return (
            f"a number in the input is too large ({exc}). Fix: use finite values of "
            "ordinary size (no inf, 1e400 or 2^40 runs)"
        )
    if isinstance(exc, MemoryError):
        return (
            "ran out of memory. Fix: give a smaller input, fewer draws or runs, or run on a "
            "machine with more memory"
        )
    if isinstance(exc, OSError):
        fix = os_error_fix(exc.errno)
        if fix is None:
            return None
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}. Fix: {fix}"
    if isinstance(exc, ValueError) and "null byte" in str(exc):
        return "a path contains a NUL character. Fix: name files without control characters"
    return None


def _internal(exc: BaseException) -> int:
    """Report a bug in resdep (exit 1), with a traceback under ``RESDEP_DEBUG=1``."""
    if os.environ.get("RESDEP_DEBUG"):
        traceback.print_exception(exc)
    print(
        f"resdep: internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in resdep; rerun with RESDEP_DEBUG=1 for a traceback and report it.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":  # pragma: no cover - exercised through the console script
    sys.exit(main())
