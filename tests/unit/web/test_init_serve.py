"""``resdep init`` and ``resdep serve``'s refusals (exit 2, clear messages, nothing touched)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resdep.case.load import CODING_COLUMNS
from resdep.cli import main
from resdep.web.scaffold import init_case


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_init_writes_a_commented_case(tmp_path: Path, lang: str) -> None:
    root = tmp_path / "My Case"
    assert main(["init", str(root), "--lang", lang]) == 0
    toml = (root / "case.toml").read_text(encoding="utf-8")
    parsed = tomllib.loads(toml)
    assert parsed["case"]["id"] == "my_case"
    assert [a["kind"] for a in parsed["actor"]] == ["social_work_agency", "street_office"]
    assert "informant" not in parsed
    assert "source" not in parsed
    comments = [
        ln for ln in toml.splitlines() if ln.lstrip().startswith("#") and "name_zh" not in ln
    ]
    assert len(comments) > 10
    has_chinese = any("\u4e00" <= ch <= "\u9fff" for ln in comments for ch in ln)
    assert has_chinese is (lang == "zh")
    assert (root / "sources").is_dir()
    assert list((root / "sources").iterdir()) == []
    assert f"resdep serve '{root}'" in toml  # the path is quoted for the shell
    assert (root / "codings.csv").read_text(encoding="utf-8") == ",".join(CODING_COLUMNS) + "\n"


def test_init_refuses_a_non_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "c"
    root.mkdir()
    (root / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(root)]) == 2
    err = capsys.readouterr().err
    assert "already holds files" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt"]
    assert (root / "notes.txt").read_text(encoding="utf-8") == "mine"
    (tmp_path / "f").write_text("x", encoding="utf-8")
    assert main(["init", str(tmp_path / "f")]) == 2


def test_init_accepts_an_empty_folder(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    assert init_case(root, lang="en") == root
    assert (root / "case.toml").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]  # no temporary folder left


def test_analyze_on_a_new_case_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "c"
    init_case(root)
    assert main(["analyze", str(root), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "codings.csv has no coded segments" in err
    assert "Traceback" not in err


def test_serve_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(tmp_path / "nothing"), "--no-browser"]) == 2
    assert "resdep init" in capsys.readouterr().err
    root = tmp_path / "c"
    init_case(root)
    assert main(["serve", str(root), "--no-browser", "--coder", "../evil"]) == 2
    assert "coder name" in capsys.readouterr().err
    assert main(["serve", str(root), "--no-browser", "--port", "70000"]) == 2
    assert not (root / "codings-..").exists()
