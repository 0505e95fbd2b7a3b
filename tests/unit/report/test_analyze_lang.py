"""``resdep analyze --lang``: the report, the terminal summary and run.json in one language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from resdep.cli import main

REPO = Path(__file__).resolve().parents[3]
TINY = REPO / "tests" / "fixtures" / "tiny_case"
CJK = re.compile(r"[\u4e00-\u9fff]")


def analyze(tmp: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, Path]:
    out = tmp / "out"
    status = main(["analyze", str(TINY), "--out", str(out), "--draws", "60", *extra])
    return status, capsys.readouterr().out, out


def test_lang_zh_writes_a_chinese_summary_report_and_run_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, folder = analyze(tmp_path, capsys, "--lang", "zh")
    assert status == 0
    # the tiny case's dyad lacks goal records: undetermined, with the missing part named
    assert "待定（缺少证据：agency 的目标；street 的目标）" in out
    assert "立项：" in out
    assert "输出已写入" in out
    assert "missing evidence" not in out
    assert "outputs written" not in out
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["lang"] == "zh"
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    assert "阅读说明" in page


def test_lang_en_writes_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, folder = analyze(tmp_path, capsys, "--lang", "en")
    assert status == 0
    assert "undetermined (missing evidence: goals of agency; goals of street)" in out
    assert "contracting: " in out
    assert not CJK.search(out.replace(str(folder), ""))
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["lang"] == "en"
    assert '<html lang="en">' in (folder / "report.html").read_text(encoding="utf-8")


def test_default_comes_from_the_locale_when_the_case_has_no_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the tiny case's sources declare no language
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    status, out, folder = analyze(tmp_path, capsys)
    assert status == 0
    assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["lang"] == "zh"
    assert "输出已写入" in out


def test_an_unknown_language_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["analyze", str(TINY), "--out", str(tmp_path / "o"), "--lang", "fr"])
    assert exc.value.code == 2
    assert "--lang" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
