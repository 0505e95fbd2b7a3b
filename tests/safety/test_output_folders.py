"""Issue 11, data loss: ``--force`` replaces only resdep output folders, the final move
never replaces a folder that appeared meanwhile, temporary folders do not outlive a run.

Each test reproduces a finding of the issue (it failed before the fix).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from safety_helpers import digest, run

from resdep.case import load_case
from resdep.errors import OutputExistsError
from resdep.qda import write_qdpx
from resdep.textio import MARKER_FORMAT, OUTPUT_MARKER, atomic_dir, check_out, read_marker


def test_qda_import_writes_a_case_that_force_never_replaces(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_qdpx(load_case(tiny_case), tmp_path / "p.qdpx")
    mycase = tmp_path / "mycase"
    status, err = run(["qda", "import", str(project), "--out", str(mycase)], capsys)
    assert status == 0, err
    assert not (mycase / OUTPUT_MARKER).exists()  # a case is not a replaceable output
    (mycase / "memo.txt").write_text("my memo", encoding="utf-8")
    before = digest(mycase)
    status, err = run(["analyze", str(mycase), "--out", str(mycase), "--force"], capsys)
    assert status == 2
    assert "refusing to replace" in err
    assert digest(mycase) == before
    # nor by re-importing over it
    status, err = run(["qda", "import", str(project), "--out", str(mycase), "--force"], capsys)
    assert status == 2
    assert "case" in err
    assert digest(mycase) == before


@pytest.mark.parametrize(
    "content",
    [
        {"run.json": "{}"},  # any tool's run.json
        {OUTPUT_MARKER: "written by resdep; --force may replace this folder\n"},  # old marker
        {OUTPUT_MARKER: json.dumps({"format": "other/1"})},
        {"case.toml": "[case]\n", OUTPUT_MARKER: json.dumps({"format": MARKER_FORMAT})},
    ],
)
def test_force_refuses_folders_resdep_did_not_write_as_outputs(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: dict[str, str]
) -> None:
    out = tmp_path / "folder"
    out.mkdir()
    for name, text in content.items():
        (out / name).write_text(text, encoding="utf-8")
    before = digest(out)
    status, err = run(["analyze", str(tiny_case), "--out", str(out), "--force"], capsys)
    assert status == 2
    assert "refusing to replace" in err
    assert digest(out) == before


def test_force_refuses_a_project_folder_above_the_case(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    shutil.move(str(tiny_case), project / "case")
    # even with a marker that lists everything, the folder holds the input
    (project / OUTPUT_MARKER).write_text(
        json.dumps({"format": MARKER_FORMAT, "files": [], "dirs": [], "open_dirs": ["case"]}),
        encoding="utf-8",
    )
    before = digest(project)
    status, err = run(["analyze", str(project / "case"), "--out", str(project), "--force"], capsys)
    assert status == 2
    assert "holds the input" in err
    assert digest(project) == before


def test_force_refuses_files_resdep_did_not_write_and_qdpx(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("x\n")
    check_out(out, force=True)  # an output resdep wrote: may be replaced
    (out / "interviews.qdpx").write_bytes(b"PK")
    with pytest.raises(OutputExistsError, match=r"interviews\.qdpx"):
        check_out(out, force=True)
    (out / "interviews.qdpx").unlink()
    (out / "sub").mkdir()
    with pytest.raises(OutputExistsError, match="sub"):
        check_out(out, force=True)


def test_marker_lists_what_was_written(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with atomic_dir(out) as tmp:
        (tmp / "networks").mkdir()
        (tmp / "networks" / "a.graphml").write_text("<g/>")
        (tmp / "parts").mkdir()
        (tmp / "t.csv").write_text("x\n")
    marker = read_marker(out)
    assert marker is not None
    assert marker["format"] == "resdep-output/1"
    assert marker["files"] == ["networks/a.graphml", "t.csv"]
    assert marker["dirs"] == ["networks", "parts"]
    assert marker["open_dirs"] == ["parts"]  # resdep fills it later (sweep outcome parts)


def test_out_is_checked_before_any_work(
    tiny_case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import resdep.case
    import resdep.pipeline

    calls: list[str] = []

    def spy(*args: object, **kwargs: object) -> None:
        calls.append("work")
        raise AssertionError("the analysis ran before --out was checked")

    monkeypatch.setattr(resdep.pipeline, "analyze", spy)
    monkeypatch.setattr(resdep.case, "load_case", spy)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    status, err = run(["analyze", str(tiny_case), "--out", str(out)], capsys)
    assert status == 2
    assert "--force" in err
    assert calls == []


def _write(out: Path, during: Callable[[], object], *, force: bool = False) -> None:
    """An output run that writes a file, while ``during`` happens before it finishes."""
    with atomic_dir(out, force=force) as tmp:
        (tmp / "result.csv").write_text("x\n")
        during()


def test_a_folder_appearing_during_the_run_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "D"

    def user() -> None:  # the user (or another run) creates D meanwhile
        out.mkdir()
        (out / "notes.txt").write_text("x")

    with pytest.raises(OutputExistsError, match="appeared while this run was going"):
        _write(out, user)
    assert (out / "notes.txt").read_text() == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["D"]  # no temporary folder left


def test_an_empty_folder_appearing_is_not_replaced_either(tmp_path: Path) -> None:
    # rename(2) would silently replace an empty folder; RENAME_NOREPLACE does not
    out = tmp_path / "D"
    with pytest.raises(OutputExistsError, match="appeared"):
        _write(out, out.mkdir)
    assert out.is_dir()
    assert not any(out.iterdir())


def test_two_runs_on_one_new_out_the_later_loses(tmp_path: Path) -> None:
    out = tmp_path / "D"

    def second_run() -> None:  # finishes first and holds D
        with atomic_dir(out) as tmp:
            (tmp / "who.txt").write_text("second")

    with pytest.raises(OutputExistsError, match="appeared"):
        _write(out, second_run)
    assert (out / "who.txt").read_text() == "second"
    assert not (out / "result.csv").exists()


def test_an_output_replaced_by_force_is_checked_again_at_the_end(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("old\n")
    with pytest.raises(OutputExistsError, match="changed while this run was going"):
        _write(out, lambda: (out / "notes.txt").write_text("written meanwhile"), force=True)
    assert (out / "notes.txt").exists()
    assert (out / "a.csv").read_text() == "old\n"


_SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from resdep.textio import atomic_dir
    with atomic_dir(sys.argv[1]) as tmp:
        (tmp / "partial.csv").write_text("x\\n")
        print("ready", flush=True)
        time.sleep(60)
    """
)


def _start_writer(out: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def test_sigterm_removes_the_temporary_folder(tmp_path: Path) -> None:
    proc = _start_writer(tmp_path / "OUT")
    assert len(_leftovers(tmp_path)) == 1
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert _leftovers(tmp_path) == []
    assert not (tmp_path / "OUT").exists()


def test_temporary_folders_of_killed_runs_are_cleaned_next_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proc = _start_writer(tmp_path / "OUT")
    proc.kill()  # SIGKILL: nothing can clean up
    proc.wait(timeout=30)
    assert len(_leftovers(tmp_path)) == 1
    with atomic_dir(tmp_path / "OUT") as tmp:
        (tmp / "a.csv").write_text("x\n")
    assert _leftovers(tmp_path) == []
    assert "interrupted" in capsys.readouterr().err


def test_a_running_writers_temporary_folder_is_left_alone(tmp_path: Path) -> None:
    proc = _start_writer(tmp_path / "OUT")
    try:
        with pytest.raises(OutputExistsError, match="appeared"):
            _write(tmp_path / "OUT", (tmp_path / "OUT").mkdir)
        assert len(_leftovers(tmp_path)) == 1  # the other run's folder is still there
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    time.sleep(0)
    assert _leftovers(tmp_path) == []


def test_forked_children_do_not_clean_the_parents_folder(tmp_path: Path) -> None:
    # a worker forked inside atomic_dir that gets SIGTERM dies; the parent's folder stays
    out = tmp_path / "OUT"
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("x\n")
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.write(ready_w, b"r")
            time.sleep(30)
            os._exit(0)
        os.read(ready_r, 1)
        time.sleep(0.2)  # let the child reach its sleep
        os.kill(pid, signal.SIGTERM)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status)
        assert tmp.is_dir()
    assert (out / "a.csv").is_file()
