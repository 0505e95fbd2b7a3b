"""The ``resdep`` command line.

Each area registers its own sub-commands through a ``register(subparsers)`` function in
its ``commands`` module (listed in :data:`COMMAND_MODULES`); this module only dispatches
and turns errors into exit statuses: 0 success, 2 bad input (the message names the
file, the place and the fix), 1 internal error. Set ``RESDEP_DEBUG=1`` for tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from resdep.errors import InputError, OutputExistsError, ResdepError

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

#: Modules that contribute sub-commands, in the order they appear in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "resdep.commands",
    "resdep.qda.commands",
    "resdep.contracts.commands",
    "resdep.simulate.commands",
    "resdep.experiments.commands",
    "resdep.web.commands",
)

Handler = Callable[[argparse.Namespace], int | None]


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every available sub-command."""
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
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # the area has no commands yet
                continue
            raise
        module.register(subparsers)
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
    parser = build_parser()
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
