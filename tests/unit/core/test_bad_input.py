"""Bad input: exit 2, a message naming the file, the place and the fix; inputs untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from resdep.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.err


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CASES = [
    # (file to edit, old, new, expected fragments of the message)
    (
        "codings.csv",
        "agency,street,economic,importance",
        "agency,stret,economic,importance",
        ["codings.csv", "row 1", "'provider'", "unknown actor 'stret'", "did you mean 'street'"],
    ),
    (
        "codings.csv",
        "official,2",
        "official,7",
        ["codings.csv", "row 4", "intensity must be 0, 1, 2 or 3"],
    ),
    (
        "codings.csv",
        "S2,11,20,街道讲求完成任务。,philosophy,,,,,,street",
        "S2,11,20,街道讲求完成任务。,philosophy,,,,,,agency",
        ["row 4", "government actor is required"],
    ),
    ("codings.csv", "S1,0,9,", "S1,0,99,", ["row 1", "outside source 'S1'", "0 ≤ start < end ≤"]),
    ("codings.csv", "S1,9,20,", "S1,8,19,", ["row 2", "quote does not match", "occurs at 9–20"]),
    (
        "codings.csv",
        "economic,importance",
        "economy,importance",
        ["row 1", "unknown resource 'economy'", "did you mean 'economic'"],
    ),
    (
        "codings.csv",
        "contracting,agency,street,economic,importance",
        "contract,agency,street,economic,importance",
        ["row 1", "unknown stage", "did you mean 'contracting'"],
    ),
    ("codings.csv", "S2,0,11", "S9,0,11", ["row 3", "unknown source 'S9'"]),
    (
        "case.toml",
        'organisation = "street"',
        'organisation = "stree"',
        ["case.toml", "[[informant]] I2", "did you mean 'street'"],
    ),
    (
        "case.toml",
        'path = "sources/S2.txt"',
        'path = "sources/missing.txt"',
        ["missing.txt", "file not found", "[[source]] S2"],
    ),
    ("case.toml", 'id = "I2"', 'id = "I1"', ["case.toml", "duplicate id 'I1'"]),
    (
        "case.toml",
        'kind = "street_office"',
        'kind = "street_ofice"',
        ["case.toml", "[[actor]] street kind", "did you mean 'street_office'"],
    ),
    ("case.toml", "[case]", "[case", ["case.toml", "not valid TOML"]),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), CASES)
def test_bad_input_exits_2_with_a_clear_message(
    tiny_case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    file: str,
    old: str,
    new: str,
    expected: list[str],
) -> None:
    edit(tiny_case / file, old, new)
    before = digest(tiny_case)
    out = tmp_path / "out"
    status, err = run(["analyze", str(tiny_case), "--out", str(out)], capsys)
    assert status == 2, err
    assert "Traceback" not in err
    assert "Fix:" in err or "not valid TOML" in err
    for fragment in expected:
        assert fragment in err, (fragment, err)
    assert digest(tiny_case) == before  # inputs never modified
    assert not out.exists()  # nothing written


def test_empty_case(tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = (tiny_case / "codings.csv").read_text(encoding="utf-8").splitlines()[0]
    (tiny_case / "codings.csv").write_text(header + "\n", encoding="utf-8")
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 2
    assert "the case is empty" in err
    assert "codings.csv" in err


def test_missing_folder_and_unknown_parameter(
    tmp_path: Path, tiny_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err = run(["analyze", str(tmp_path / "nope")], capsys)
    assert status == 2
    assert "no such case folder" in err
    status, err = run(
        ["analyze", str(tiny_case), "--set", "theta_dd=0.4", "--out", str(tmp_path / "o")], capsys
    )
    assert status == 2
    assert "did you mean 'theta_d'" in err
    status, err = run(
        ["analyze", str(tiny_case), "--set", "theta_d=high", "--out", str(tmp_path / "o")], capsys
    )
    assert status == 2
    assert "expected a number" in err


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
        ("utf-16", "utf-16"),
        ("utf-8-sig", "utf-8-sig"),
    ],  # GBK ⊂ GB18030
)
def test_other_encodings_are_detected_and_read(
    tiny_case: Path, encoding: str, detected: str
) -> None:
    from resdep import analyze, load_case

    reference = analyze(load_case(tiny_case), draws=20)
    src = tiny_case / "sources" / "S1.txt"
    src.write_bytes(src.read_text(encoding="utf-8").encode(encoding))
    case = load_case(tiny_case)
    assert case.source("S1").encoding == detected
    assert case.source("S1").text.startswith("我们的钱")  # the BOM is not part of the text
    result = analyze(case, draws=20)
    assert result.inputs.equals(reference.inputs)


def test_undecodable_file_says_what_it_is(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tiny_case / "sources" / "S1.txt").write_bytes(bytes(range(128, 256)) * 4)
    status, err = run(["analyze", str(tiny_case), "--out", str(tmp_path / "o")], capsys)
    assert status == 2
    assert "S1.txt" in err
    assert "cannot decode" in err
    assert "UTF-8" in err


def test_existing_output_is_not_mixed(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    status, _ = run(["analyze", str(tiny_case), "--out", str(out)], capsys)
    assert status == 0
    assert (out / "report.html").is_file()
    (out / "stale.txt").write_text("from an earlier run", encoding="utf-8")
    status, err = run(["analyze", str(tiny_case), "--out", str(out), "--no-report"], capsys)
    assert status == 2
    assert "--force" in err
    assert (out / "stale.txt").exists()
    # --force replaces only what resdep wrote: a file resdep did not write keeps the folder
    status, err = run(
        ["analyze", str(tiny_case), "--out", str(out), "--no-report", "--force"], capsys
    )
    assert status == 2
    assert "stale.txt" in err
    assert (out / "stale.txt").exists()
    (out / "stale.txt").unlink()
    status, _ = run(
        ["analyze", str(tiny_case), "--out", str(out), "--no-report", "--force"], capsys
    )
    assert status == 0
    assert not (out / "report.html").exists()  # replaced as a whole, never mixed
    assert (out / "stages.csv").is_file()


@pytest.mark.parametrize("where", ["user_folder", "case_folder", "case_parent", "cwd"])
def test_force_never_replaces_what_resdep_did_not_write(
    tiny_case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work", encoding="utf-8")
    out = {
        "user_folder": mine,
        "case_folder": tiny_case,
        "case_parent": tiny_case.parent,
        "cwd": Path("."),
    }[where]
    monkeypatch.chdir(tmp_path)
    before = digest(tiny_case)
    status, err = run(
        ["analyze", str(tiny_case), "--out", str(out), "--no-report", "--force"], capsys
    )
    assert status == 2, err
    assert "refusing to replace" in err
    assert "Traceback" not in err
    assert digest(tiny_case) == before
    assert (mine / "thesis.docx").read_text(encoding="utf-8") == "years of work"


def test_internal_error_exits_1_without_traceback(
    monkeypatch: pytest.MonkeyPatch, tiny_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import resdep.pipeline

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(resdep.pipeline, "analyze", boom)
    status, err = run(
        ["analyze", str(tiny_case), "--no-report", "--out", str(tiny_case.parent / "o")], capsys
    )
    assert status == 1
    assert "internal error" in err
    assert "Traceback" not in err


def test_a_quote_with_surrounding_white_space_is_kept_exactly(tiny_case: Path) -> None:
    from resdep import load_case

    src = tiny_case / "sources" / "S1.txt"
    src.write_text(" 我们的钱全靠街道。\n没有别的项目可以替代。", encoding="utf-8")
    codings = tiny_case / "codings.csv"
    lines = codings.read_text(encoding="utf-8").splitlines()
    lines[1] = (
        'S1,0,11," 我们的钱全靠街道。\n",dependence,contracting,agency,street,economic,importance,,,3,,'
    )
    lines[2] = (
        "S1,11,22,没有别的项目可以替代。,dependence,contracting,agency,street,economic,alternatives,,,0,,"
    )
    codings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    case = load_case(tiny_case)
    assert case.codings[0].quote == " 我们的钱全靠街道。\n"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [("naïve approach, Zürich café", "cp1252"), ("Café déjà vu, résumé", "latin-1")],
)
def test_western_single_byte_text_is_not_mistaken_for_gb18030(text: str, encoding: str) -> None:
    from resdep.errors import SourceTextError
    from resdep.textio import decode_bytes

    with pytest.raises(SourceTextError, match="cannot decode"):
        decode_bytes(text.encode(encoding), file="t.txt")


@pytest.mark.parametrize(
    ("args", "fragment"), [(["--draws", "0"], "at least 1"), (["--draws", "100000000"], "GiB")]
)
def test_draws_out_of_range(
    tiny_case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    fragment: str,
) -> None:
    status, err = run(
        ["analyze", str(tiny_case), "--out", str(tmp_path / "o"), "--no-report", *args], capsys
    )
    assert status == 2
    assert fragment in err
    assert not (tmp_path / "o").exists()


def test_crlf_sources_get_a_line_end_hint(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tiny_case / "sources" / "S1.txt"
    src.write_bytes(src.read_text(encoding="utf-8").replace("。", "。\r\n", 1).encode("utf-8"))
    status, err = run(
        ["analyze", str(tiny_case), "--out", str(tmp_path / "o"), "--no-report"], capsys
    )
    assert status == 2
    assert "row 2" in err
    assert "CRLF" in err


@pytest.mark.parametrize(
    ("setting", "key", "fragment"),
    [
        ("w_direct=inf", "w_direct", "finite"),
        ("prior_strength=inf", "prior_strength", "finite"),
        ("prior_strength=nan", "prior_strength", "finite"),
        ("w_direct=1e308", "w_direct", "between 0 and"),
        ("w_second_hand=1e400", "w_second_hand", "finite"),
        ("w_importance=1e300", "w_importance", "between 0 and"),
        ("draws=0", "draws", "≥ 1"),
        ("draws=-3", "draws", "≥ 1"),
        ("draws=1e400", "draws", "integer"),
        ("settle_threshold=0.2", "settle_threshold", "between 0.5 and 1"),
        ("self_serving=1.5", "self_serving", "between 0 and 1"),
        ("buddy_rule=xor", "buddy_rule", '"and" or "or"'),
    ],
)
def test_bad_parameter_from_the_command_line(
    tiny_case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    key: str,
    fragment: str,
) -> None:
    status, err = run(
        ["analyze", str(tiny_case), "--out", str(tmp_path / "o"), "--no-report", "--set", setting],
        capsys,
    )
    assert status == 2, err
    assert f"parameter '{key}'" in err
    assert fragment in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("prior_strength = inf", "prior_strength"),
        ("w_direct = nan", "w_direct"),
        ("w_direct = 1e308", "w_direct"),
        ("draws = 0", "draws"),
        ("draws = 0.0", "draws"),
        ('buddy_rule = "both"', "buddy_rule"),
    ],
)
def test_bad_parameter_in_case_toml(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, key: str
) -> None:
    toml = tiny_case / "case.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + f"\n[parameters]\n{line}\n", "utf-8")
    before = digest(tiny_case)
    status, err = run(
        ["analyze", str(tiny_case), "--out", str(tmp_path / "o"), "--no-report"], capsys
    )
    assert status == 2, err
    assert "case.toml" in err
    assert f"parameter '{key}'" in err
    assert digest(tiny_case) == before


def test_buddy_rule_is_recorded_in_run_json(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    out = tmp_path / "o"
    status = main(
        ["analyze", str(tiny_case), "--out", str(out), "--no-report", "--set", "buddy_rule=or"]
    )
    capsys.readouterr()
    assert status == 0
    params = json.loads((out / "run.json").read_text(encoding="utf-8"))["parameters"]
    assert params["buddy_rule"] == "or"
    assert params["settle_threshold"] == 0.8
