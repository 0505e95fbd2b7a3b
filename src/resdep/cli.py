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
    try:
        status = handler(args)
    except (InputError, OutputExistsError) as exc:
        print(f"resdep: error: {exc}", file=sys.stderr)
        return 2
    except ResdepError as exc:
        print(f"resdep: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("resdep: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("RESDEP_DEBUG"):
            traceback.print_exc()
        print(
            f"resdep: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in resdep; rerun with RESDEP_DEBUG=1 for a traceback and report it.",
            file=sys.stderr,
        )
        return 1
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover - exercised through the console script
    sys.exit(main())
