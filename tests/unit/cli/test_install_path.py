"""The ways to install resdep that the README promises are the ones the build files run."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def _make_recipe(target: str) -> str:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(target)}:.*?(?=^\S|\Z)", text, flags=re.M | re.S)
    assert match, f"no {target} target in the Makefile"
    return match.group(0)


def test_readme_opens_with_the_two_set_up_commands() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# resdep"
    block = lines[lines.index("```") + 1 : lines.index("```", lines.index("```") + 1)]
    assert [line.split()[:2] for line in block] == [["make", "demo"], ["make", "test"]]


def test_readme_shows_pip_pipx_and_windows() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Install without make" in readme
    for command in (
        ".venv/bin/pip install .",
        "pipx install .",
        "py -3.11 -m venv .venv",
        ".venv\\Scripts\\pip install .",
        ".venv\\Scripts\\resdep demo",
    ):
        assert command in readme, command


def test_demo_installs_no_test_extras() -> None:
    demo = _make_recipe("demo")
    installed = _make_recipe("$(VENV)/.installed-demo")
    assert ".installed-demo" in demo.splitlines()[0]
    assert "pip install --quiet -e ." in installed
    assert "[test]" not in installed
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = " ".join(project["dependencies"])
    for test_tool in ("pytest", "hypothesis", "ruff", "mypy"):
        assert test_tool not in deps


def test_ci_runs_the_tests_then_a_plain_pip_install_and_the_demo() -> None:
    steps = [
        line.strip()
        for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert steps.index("make test") < steps.index("make pip-demo")
    recipe = _make_recipe("pip-demo")
    assert "-m venv" in recipe
    assert "pip install --quiet .;" in recipe
    assert 'resdep" demo' in recipe
