"""Issue 11, hangs and leaks on reading: only regular files, size caps, inputs confined
to the case folder, no echo of a file outside the case.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from safety_helpers import run

from resdep.errors import UnsafeInputError
from resdep.textio import MAX_FILE_MB_ENV, read_bytes, size_cap


def test_a_fifo_as_a_source_is_refused_without_hanging(tiny_case: Path) -> None:
    fifo = tiny_case / "sources" / "S1.txt"
    fifo.unlink()
    os.mkfifo(fifo)
    # in a child process with a deadline: before the fix this hung forever
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "resdep",
            "analyze",
            str(tiny_case),
            "--out",
            str(tiny_case.parent / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "not a regular file (a FIFO)" in proc.stderr
    assert "S1.txt" in proc.stderr


def test_a_device_is_refused_before_reading(
    tiny_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tiny_case / "sources" / "S1.txt"
    src.unlink()
    src.symlink_to("/dev/zero")  # a device read until memory ran out (MemoryError, exit 1)
    status, err = run(["analyze", str(tiny_case), "--out", str(tiny_case.parent / "o")], capsys)
    assert status == 2
    # /dev/zero is outside the case: refused as such (confinement comes first)
    assert "outside the case folder" in err or "not a regular file" in err


def test_read_bytes_refuses_devices_and_sockets(tmp_path: Path) -> None:
    import socket

    with pytest.raises(UnsafeInputError, match="a device"):
        read_bytes("/dev/zero")
    sock_path = tmp_path / "s.sock"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        with pytest.raises(UnsafeInputError, match="a socket"):
            read_bytes(sock_path)
    finally:
        sock.close()


def test_size_caps_name_the_cap_and_the_way_to_raise_it(
    tiny_case: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_FILE_MB_ENV, "0.0001")  # about 100 bytes
    status, err = run(["analyze", str(tiny_case), "--out", str(tiny_case.parent / "o")], capsys)
    assert status == 2
    assert "the cap for" in err
    assert "--max-file-mb" in err
    monkeypatch.setenv(MAX_FILE_MB_ENV, "")  # unset; restored after the test
    status, err = run(
        [
            "--max-file-mb",
            "0.0001",
            "analyze",
            str(tiny_case),
            "--out",
            str(tiny_case.parent / "o"),
        ],
        capsys,
    )
    assert status == 2
    assert "the cap for" in err


def test_the_cap_is_checked_on_what_is_read_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_FILE_MB_ENV, "0.001")
    assert size_cap("source") == 1048
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(UnsafeInputError, match="the cap for source files is"):
        read_bytes(big, kind="source")


def test_records_paths_are_confined_like_sources(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("secret-first-line,x\n")
    for path in (str(outside), "../elsewhere.csv"):
        toml = (tiny_case / "case.toml").read_text(encoding="utf-8")
        toml += f'\n[[records]]\npath = "{path}"\n'
        (tiny_case / "case.toml").write_text(toml, encoding="utf-8")
        status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
        assert status == 2, err
        assert "points outside the case folder" in err
        assert "[[records]]" in err
        assert "secret-first-line" not in err
        (tiny_case / "case.toml").write_text(toml.split("\n[[records]]")[0], encoding="utf-8")


def test_a_symlinked_codings_file_outside_the_case_is_not_read_or_echoed(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "passwords.txt"
    secret.write_text("root:hunter2\nbob:letmein\n")
    (tiny_case / "codings.csv").unlink()
    (tiny_case / "codings.csv").symlink_to(secret)
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 2
    assert "hunter2" not in err
    assert "root:" not in err
    assert "outside the case folder" in err


def test_a_symlinked_source_outside_the_case_is_refused(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "diary.txt"
    secret.write_text("private diary")
    src = tiny_case / "sources" / "S1.txt"
    src.unlink()
    src.symlink_to(secret)
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 2
    assert "outside the case folder" in err
    assert "private diary" not in err


def test_a_symlinked_case_toml_outside_is_refused(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "other.toml"
    elsewhere.write_bytes((tiny_case / "case.toml").read_bytes())
    (tiny_case / "case.toml").unlink()
    (tiny_case / "case.toml").symlink_to(elsewhere)
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 2
    assert "outside the case folder" in err
