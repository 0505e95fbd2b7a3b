"""Figures drawn in a forked child while the tables are written (issue 9, item 7)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import resdep.simulate.output as so
from resdep.simulate import simulate, write_simulation

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork is the Linux path")


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_forked_figures_give_the_same_files_as_in_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    res = simulate(scale="case", years=3, seed=2)
    forked = _files(write_simulation(res, tmp_path / "fork", lang="zh"))
    monkeypatch.setattr(so, "FIGURES_IN_CHILD", False)
    inproc = _files(write_simulation(res, tmp_path / "inproc", lang="zh"))
    assert forked.keys() == inproc.keys()
    assert "figures/outcomes.png" in forked
    assert "report.html" in forked
    differ = [name for name in forked if forked[name] != inproc[name]]
    assert differ == []


def test_an_error_while_drawing_reaches_the_caller_and_leaves_no_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(*_a: object, **_k: object) -> object:
        raise ValueError("figure failed on purpose")

    monkeypatch.setattr(so, "report_figures", broken)
    res = simulate(scale="case", years=2, seed=2)
    with pytest.raises(ValueError, match="on purpose"):
        write_simulation(res, tmp_path / "out", lang="en")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary sibling left either


def test_a_child_that_dies_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    def die(*_a: object, **_k: object) -> object:
        os._exit(3)

    monkeypatch.setattr(so, "_write_figures", die)
    res = simulate(scale="case", years=2, seed=2)
    with pytest.raises(RuntimeError, match="exit code 3"):
        write_simulation(res, tmp_path / "out", lang="en")
    assert not (tmp_path / "out").exists()


def test_figures_not_in_a_group_are_drawn_by_the_first_child(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    res = simulate(scale="case", years=3, seed=2)
    monkeypatch.setattr(so, "FIGURE_GROUPS", (("stage_pa",), ("outcomes",)))
    regrouped = _files(write_simulation(res, tmp_path / "regrouped", lang="en"))
    monkeypatch.setattr(so, "FIGURES_IN_CHILD", False)
    inproc = _files(write_simulation(res, tmp_path / "inproc", lang="en"))
    assert regrouped == inproc
    assert {f"figures/{n}.svg" for n in so.SIM_FIGURE_NAMES} <= set(regrouped)
