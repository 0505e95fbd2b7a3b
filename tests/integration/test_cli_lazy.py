"""The command line starts without the heavy libraries and loads only the area it runs."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import subprocess
import sys

import pytest

from resdep import cli

HEAVY = ("numpy", "pandas", "matplotlib", "networkx", "scipy")


def _modules_after(code: str) -> dict[str, list[str]]:
    """Run ``code`` in a fresh interpreter; report which heavy and resdep modules it loaded."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps({{'heavy': [m for m in {HEAVY!r} if m in sys.modules], "
        "'resdep': sorted(m for m in sys.modules if m.startswith('resdep'))}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=120
    )
    result: dict[str, list[str]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = _modules_after("import resdep.cli")
    assert loaded["heavy"] == []


def test_top_level_help_lists_every_command_without_loading_any_area() -> None:
    code = (
        "import contextlib, io\nfrom resdep import cli\nbuf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    try:\n        cli.main(['--help'])\n    except SystemExit:\n        pass\n"
        "assert 'sensitivity' in buf.getvalue() and 'simulate' in buf.getvalue()"
    )
    loaded = _modules_after(code)
    assert loaded["heavy"] == []
    assert not any(m.endswith(".commands") for m in loaded["resdep"])


def test_a_command_loads_only_its_own_area() -> None:
    code = "from resdep import cli\nassert cli.main(['scenarios']) == 0"
    loaded = _modules_after(code)
    assert "resdep.simulate.commands" in loaded["resdep"]
    for other in (
        "resdep.qda.commands",
        "resdep.contracts.commands",
        "resdep.experiments.commands",
    ):
        assert other not in loaded["resdep"]


def _registered(module: str) -> dict[str, str]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    importlib.import_module(module).register(sub)
    return {a.dest: a.help or "" for a in sub._choices_actions}


def test_the_command_table_matches_what_the_areas_register() -> None:
    # the table behind the fast --help must name each command, its module and its help
    # exactly as the module registers it (areas not in this build are left out of both)
    present = [m for m in cli.COMMAND_MODULES if importlib.util.find_spec(m.rsplit(".", 1)[0])]
    present = [m for m in present if importlib.util.find_spec(m) is not None]
    expected = {
        name: (module, help_text)
        for module in present
        for name, help_text in _registered(module).items()
    }
    table = {n: (m, h) for n, (m, h) in cli.COMMANDS.items() if m in present}
    assert expected == table
    assert {n: h for n, (_m, h) in expected.items()} == cli._listed()
    # and --help lists them in the table's order
    names = [a.dest for a in cli.build_parser("")._subparsers._group_actions[0]._choices_actions]  # type: ignore[union-attr]
    assert names == list(table)


def test_an_unknown_command_still_gets_argparse_s_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["simulat"])
    assert info.value.code == 2
    assert "invalid choice: 'simulat'" in capsys.readouterr().err
