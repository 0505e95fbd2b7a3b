"""Every sub-command and every option of ``resdep`` says what it does in ``--help``."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from resdep.cli import build_parser


def walk(parser: argparse.ArgumentParser, path: str = "resdep") -> Iterator[tuple[str, str]]:
    """(where, what is missing) for the parser and every sub-parser below it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helped = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                if not (helped.get(name) or "").strip():
                    yield f"{path} {name}", "no help text for the sub-command"
                if not (sub.description or "").strip():
                    yield f"{path} {name}", "no description"
                yield from walk(sub, f"{path} {name}")
        elif isinstance(action, argparse._HelpAction | argparse._VersionAction):
            continue  # argparse's own, with their own help
        elif action.help != argparse.SUPPRESS and not (action.help or "").strip():
            name = "/".join(action.option_strings) or action.dest
            yield f"{path} {name}", "no help text"


def test_every_sub_command_and_option_has_help_text() -> None:
    missing = sorted(set(walk(build_parser())))
    assert missing == [], "\n".join(f"{where}: {what}" for where, what in missing)


def test_walk_sees_a_missing_help_text() -> None:
    parser = argparse.ArgumentParser(prog="x")
    sub = parser.add_subparsers()
    a = sub.add_parser("a", help="does a")
    a.add_argument("--years", type=int)
    sub.add_parser("b")
    assert sorted(walk(parser, "x")) == [
        ("x a", "no description"),
        ("x a --years", "no help text"),
        ("x b", "no description"),
        ("x b", "no help text for the sub-command"),
    ]


@pytest.mark.parametrize(
    "argv",
    [["demo"], ["codebook"], ["sensitivity"], ["replay"], ["simulate"], ["patterns"]],
)
def test_named_commands_print_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([*argv, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: resdep " + argv[0])
    # the description (a sub-command's own, or its one-line help) comes after the usage
    description = out.split("\n\n")[1]
    assert description.strip()
    assert not description.lstrip().startswith(("positional arguments", "options"))
