"""``resdep patterns`` exit statuses: 0 all hold, 3 a pattern fails, 2 bad input, never 1.

1 is the CLI's status for a bug in resdep (``resdep.cli``), so a pattern that does not
hold must not be reported with it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from resdep.cli import build_parser, main
from resdep.simulate import patterns
from resdep.simulate.commands import EXIT_PATTERN_FAILS
from resdep.simulate.patterns import PatternResult


def _rows(*holds: bool) -> list[PatternResult]:
    return [
        PatternResult(pattern=f"P{i + 1}", text="t", figure="f", holds=h, values={"x": 1.0})
        for i, h in enumerate(holds)
    ]


@pytest.mark.parametrize(
    ("holds", "expected"), [((True, True), 0), ((True, False), 3), ((False, False), 3)]
)
def test_exit_status_follows_the_verdicts(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    holds: tuple[bool, ...],
    expected: int,
) -> None:
    monkeypatch.setattr(patterns, "check_patterns", lambda **_: _rows(*holds))
    code = main(["patterns", "--scale", "case", "--seeds", "2", "--years", "2"])
    out = capsys.readouterr().out
    assert code == expected, out
    assert f"{sum(holds)}/{len(holds)} patterns hold" in out
    assert ("FAILS" in out) == (not all(holds))


def test_failing_pattern_is_not_the_bug_status() -> None:
    assert EXIT_PATTERN_FAILS not in (0, 1, 2)


def test_a_real_failing_run_exits_3_in_a_fresh_process(tmp_path: Path) -> None:
    """P2 (implementation agency dominant) rests on the rule that a running project cannot
    change provider; allowing it at no cost in a market three times the work (R2's
    institutions) makes P2 fail, which the command reports with 3 and writes the rows."""
    out = tmp_path / "p.csv"
    argv = [
        sys.executable, "-m", "resdep", "patterns", "--scale", "case", "--seeds", "2",
        "--years", "4", "--no-reversals", "--set", "switch_rule=allowed",
        "--set", "switch_cost=0", "--set", "staff_slack=3", "--out", str(out),
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 3, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("P2  "))
    assert line.split()[1] == "FAILS"
    assert out.is_file()
    assert "Traceback" not in done.stderr


def test_help_states_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser("patterns").parse_args(["patterns", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "3 the check ran and at least one pattern FAILS" in text
    assert "1 a bug in resdep" in text
