"""The sweep, sensitivity, discover and replay commands, through resdep's CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from resdep import cli

SPEC = """
[experiment]
model = "noisy"
seed = 12
replicates = 2

[design]
method = "sobol"
n = 32

[parameters.a]
[parameters.b]
[parameters.mode]
"""


@pytest.fixture(autouse=True)
def only_experiment_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    # the CLI imports every area's commands; test ours alone so others' work in progress
    # cannot break these tests
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("resdep.experiments.commands",))


def run(*argv: str) -> int:
    return cli.main(list(argv))


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def test_sweep_sensitivity_discover_replay(
    tmp_path: Path, spec: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    assert run("sweep", str(spec), "--out", str(out), "--executor", "sequential") == 0
    assert "320/320 runs stored" in capsys.readouterr().out
    assert run("sensitivity", str(out)) == 0
    text = capsys.readouterr().out
    assert "seed-noise share" in text
    assert "mode" in text
    indices = pd.read_csv(out / "sensitivity" / "indices.csv")
    assert set(indices["parameter"]) == {"a", "b", "mode"}
    y = indices[indices["outcome"] == "y"].set_index("parameter")
    assert y.loc["mode", "ST"] > y.loc["a", "ST"]  # the shift of 1 outweighs a ~ U(0, 1)
    html = (out / "sensitivity" / "report.html").read_text()
    assert html.count("<img") == 2
    assert "data:image/png;base64," in html
    assert run("discover", str(out), "--outcome", "y", "--threshold", "2.5") == 0
    assert "box: coverage" in capsys.readouterr().out
    box = pd.read_csv(out / "discover" / "y" / "box.csv")
    assert "mode" in set(box["parameter"])  # y > 2.5 needs the shift
    assert (out / "discover" / "y" / "report.html").read_text().count("<img") == 2
    assert run("replay", str(out), "--sample", "3") == 0
    assert "all outcomes identical" in capsys.readouterr().out


def test_outputs_are_not_silently_replaced(
    tmp_path: Path, spec: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    assert run("sweep", str(spec), "--out", str(out), "--executor", "sequential") == 0
    assert run("sweep", str(spec), "--out", str(out), "--executor", "sequential") == 2
    assert "--resume" in capsys.readouterr().err
    assert run("sweep", str(spec), "--out", str(out), "--executor", "sequential", "--resume") == 0
    assert "(320 were already there)" in capsys.readouterr().out
    assert run("sensitivity", str(out)) == 0
    assert run("sensitivity", str(out)) == 2
    assert "--force" in capsys.readouterr().err
    assert run("sensitivity", str(out), "--force") == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            SPEC.replace("[parameters.b]", "[parameters.bb]"),
            "spec.toml, [parameters.bb]: model 'noisy' has no parameter 'bb'. Fix: did you mean 'b'?",
        ),
        (
            SPEC.replace("n = 32", "n = 48"),
            "Sobol designs need n a power of 2, found 48. Fix: use n = 32 or n = 64",
        ),
        (SPEC.replace("[parameters.a]", "[parameters.a]\nlow = 1.0\nhigh = 1.0"), "empty range"),
    ],
)
def test_bad_specs_exit_2_without_traceback(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    assert run("sweep", str(path), "--out", str(tmp_path / "o")) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_bad_arguments_exit_2(
    tmp_path: Path, spec: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("sensitivity", str(tmp_path)) == 2
    assert "not a sweep folder" in capsys.readouterr().err
    out = tmp_path / "sweep"
    assert run("sweep", str(spec), "--out", str(out), "--executor", "sequential") == 0
    assert run("discover", str(out), "--outcome", "yy", "--threshold", "1") == 2
    assert "did you mean 'y'?" in capsys.readouterr().err
    assert run("discover", str(out), "--outcome", "y", "--threshold", "100") == 2
    assert "no run meets the condition" in capsys.readouterr().err
    assert (
        run(
            "sweep",
            str(spec),
            "--out",
            str(tmp_path / "x"),
            "--executor",
            "process",
            "--address",
            "tcp://127.0.0.1:1",
        )
        == 2
    )
    assert "--address needs the dask executor" in capsys.readouterr().err


@pytest.mark.parametrize("address", ["garbage", "tcp://nohost", "tcp://host:99999", "tcp://:8786"])
def test_malformed_address_exits_2(
    tmp_path: Path, spec: Path, address: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("sweep", str(spec), "--out", str(tmp_path / "o"), "--address", address) == 2
    err = capsys.readouterr().err
    assert f"--address: {address!r} is not a tcp://host:port address" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_well_formed_unreachable_address_exits_2(
    tmp_path: Path, spec: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a closed port is bad input (the address), not a bug in resdep: exit 2 (issue 13)
    argv = ["--address", "tcp://127.0.0.1:1", "--timeout", "0.5", "--no-progress"]
    assert run("sweep", str(spec), "--out", str(tmp_path / "o"), *argv) == 2
    err = capsys.readouterr().err
    assert "--address: nothing accepts connections at tcp://127.0.0.1:1" in err
    assert "Fix: start `dask scheduler` there" in err
    assert "not a tcp://host:port" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("timeout", ["-1", "0", "nan", "inf"])
def test_timeout_must_be_positive(
    tmp_path: Path, spec: Path, timeout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "o")
    assert (
        run(
            "sweep", str(spec), "--out", out, "--address", "tcp://127.0.0.1:1", "--timeout", timeout
        )
        == 2
    )
    assert "--timeout: the timeout must be a positive number of seconds" in capsys.readouterr().err
    assert run("sweep", str(spec), "--out", out, "--timeout", timeout) == 2  # without --address too
    assert not (tmp_path / "o").exists()


RESDEP_SPEC = """
[experiment]
model = "resdep"
scale = "case"
years = 2

[design]
method = "lhs"
n = 4

[parameters.w_quality]
[parameters.evaluator]
"""


@pytest.mark.parametrize(
    ("old", "new", "message", "fix"),
    [
        (
            "[parameters.w_quality]",
            "[parameters.w_quality]\nkind = 'integer'",
            "[parameters.w_quality] kind: 'w_quality' is declared integer, "
            "but the model's 'w_quality' is real",
            "Fix: write kind = 'real'",
        ),
        (
            "[parameters.w_quality]",
            "[parameters.w_quality]\nkind = 'categorical'\nchoices = ['a', 'b']",
            "[parameters.w_quality] kind: 'w_quality' is declared categorical, "
            "but the model's 'w_quality' is real",
            "Fix: write kind = 'real'",
        ),
        (
            "[parameters.evaluator]",
            "[parameters.evaluator]\nchoices = ['street', 'bogus']",
            "[parameters.evaluator] choices: 'bogus' is not a choice of 'evaluator'",
            "Fix: use one of the choices: 'street', 'bureau', 'third_party'",
        ),
        (
            "[parameters.evaluator]",
            "[parameters.evaluator]\nchoices = ['street', 'stret']",
            "'stret' is not a choice of 'evaluator'",
            "Fix: did you mean 'street'? The choices are: 'street', 'bureau', 'third_party'",
        ),
        (
            "[parameters.evaluator]",
            "[parameters.evaluator]\nvalues = ['nope']",
            "[parameters.evaluator] values: value 'nope' is not among the choices of 'evaluator'",
            "Fix: use one of the choices: 'street', 'bureau', 'third_party'",
        ),
        (
            "[parameters.evaluator]",
            "[fixed]\nevaluator = 'bogus'",
            "[fixed] evaluator: 'bogus' is not a choice of 'evaluator'",
            "Fix: use one of the choices: 'street', 'bureau', 'third_party'",
        ),
    ],
)
def test_kind_and_choice_mismatches_exit_2(
    tmp_path: Path,
    old: str,
    new: str,
    message: str,
    fix: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(RESDEP_SPEC.replace(old, new), encoding="utf-8")
    assert run("sweep", str(path), "--out", str(tmp_path / "o"), "--executor", "sequential") == 2
    err = capsys.readouterr().err
    assert message in err
    assert fix in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()
