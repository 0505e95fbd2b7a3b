"""Issue 11, every failure is exit 2 (with file, place and fix) or a real bug (exit 1).

Each test reproduces an "internal error … This is a bug" (exit 1) or a hang of the issue.
"""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest
from safety_helpers import run

import resdep.outputs


def _codings_cell(case: Path, row: int, column: str, value: str) -> None:
    import csv
    import io

    text = (case / "codings.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[row][column] = value
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    (case / "codings.csv").write_text(buf.getvalue(), encoding="utf-8")


def test_toml_nested_10000_deep_in_case_toml(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = (tiny_case / "case.toml").read_text(encoding="utf-8")
    (tiny_case / "case.toml").write_text(
        toml + "\n[parameters]\ndeep = " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8"
    )
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 2, err
    assert "case.toml" in err
    assert "too deeply" in err
    assert "Fix:" in err


def test_toml_nested_deep_in_a_sweep_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "deep.toml"
    spec.write_text("x = " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    status, err = run(["sweep", str(spec), "--out", str(tmp_path / "o")], capsys)
    assert status == 2, err
    assert "too deeply" in err


@pytest.mark.parametrize("value", ["inf", "1e400", "-inf"])
def test_an_infinite_intensity(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    _codings_cell(tiny_case, 0, "intensity", value)
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 2, err
    assert "codings.csv" in err
    assert "intensity" in err


def test_a_131072_character_csv_cell_is_read(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _codings_cell(tiny_case, 0, "note", "长" * 131_073)  # over csv's default field limit
    status, err = run(
        ["analyze", str(tiny_case), "--out", str(tmp_path / "o"), "--no-report"], capsys
    )
    assert status == 0, err


def test_a_nul_in_a_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run(["analyze", str(tmp_path / "a\x00b"), "--out", str(tmp_path / "o")], capsys)
    assert status == 2, err
    assert "NUL" in err or "null" in err


def test_a_nul_in_the_out_path(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o\x00x")], capsys)
    assert status == 2, err
    assert "NUL" in err


def test_an_over_long_out_name(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / ("x" * 300))], capsys)
    assert status == 2, err
    assert "255" in err


def test_an_over_long_case_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run(
        ["analyze", str(tmp_path / ("c" * 300)), "--out", str(tmp_path / "o")], capsys
    )
    assert status == 2, err


def test_a_symlink_loop_as_a_source(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tiny_case / "sources" / "S1.txt"
    src.unlink()
    src.symlink_to(src)
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 2, err
    assert "S1.txt" in err


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "disk space"), (errno.EROFS, "read-only"), (errno.EACCES, "may not write")],
)
def test_disk_full_and_read_only_outputs(
    tiny_case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    words: str,
) -> None:
    # the OS error is raised where the real one would be: writing a table into the output
    def full(frame: object, path: Path, *, raw: bool = False) -> None:
        raise OSError(code, "simulated", str(path))

    monkeypatch.setattr(resdep.outputs, "write_table", full)
    out = tmp_path / "o"
    status, err = run(["analyze", str(tiny_case), "--out", str(out)], capsys)
    assert status == 2, err
    assert words in err
    assert "inputs.csv" in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".o.")] == []


def test_an_out_under_a_read_only_parent(
    tiny_case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tempfile

    def refuse(*args: object, **kwargs: object) -> str:
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 2, err
    assert "read-only" in err


def test_memory_error_is_a_clear_exit_2(
    tiny_case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import resdep.pipeline

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(resdep.pipeline, "analyze", exhausted)
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 2, err
    assert "ran out of memory" in err


def test_real_bugs_still_exit_1(
    tiny_case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import resdep.pipeline

    def bug(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EIO, "I/O error")  # not the user's to fix

    monkeypatch.setattr(resdep.pipeline, "analyze", bug)
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 1
    assert "This is a bug" in err


def _case_pair(tiny_case: Path, tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    b = tmp_path / "coder_b"
    shutil.copytree(tiny_case, b)
    _codings_cell(b, 0, "intensity", "2")
    return tiny_case, b


def test_agreement_with_stdout_closed_early_writes_the_csv_and_exits_quietly(
    tiny_case: Path, tmp_path: Path
) -> None:
    a, b = _case_pair(tiny_case, tmp_path)
    out = tmp_path / "ab.csv"
    cmd = (
        # `true` exits at once: the reader is gone before anything is printed
        f"{sys.executable} -m resdep qda agreement {a} {b} --out {out} | true; "
        'echo "status=${PIPESTATUS[0]}" >&2'
    )
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr
    assert "BrokenPipe" not in proc.stderr
    assert "status=0" in proc.stderr, proc.stderr
    assert out.is_file()
    assert out.read_text(encoding="utf-8").startswith("coders,") or out.stat().st_size > 0


def test_inspect_with_stdout_closed_early_exits_quietly(tiny_case: Path, tmp_path: Path) -> None:
    from resdep.case import load_case
    from resdep.qda import write_qdpx

    project = write_qdpx(load_case(tiny_case), tmp_path / "p.qdpx")
    cmd = (
        f"{sys.executable} -m resdep qda inspect {project} | true; "
        'echo "status=${PIPESTATUS[0]}" >&2'
    )
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr
    assert "status=0" in proc.stderr, proc.stderr


def test_the_quote_mismatch_message_names_the_source(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _codings_cell(tiny_case, 2, "quote", "完全不同的话。")
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 2, err
    assert "quote does not match source 'S2'" in err


def test_a_symlink_loop_in_the_out_path(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    status, err = run(["analyze", str(tiny_case), "--out", str(loop / "x")], capsys)
    assert status == 2, err
    assert "symbolic link" in err
