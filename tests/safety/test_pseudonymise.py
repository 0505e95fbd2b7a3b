"""Issue 11, pseudonymisation that holds: no real name in any output file or file name.

The case names its informants ``Wang_Fang`` (also inside the source id
``Wang_Fang_interview``) and ``张伟`` (inside the transcript file name ``张伟访谈.txt``);
a note names ``CHEN`` and ``Liu Yang``, redacted with ``--redact``.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from safety_helpers import run

from resdep.report.pseudonym import Pseudonymiser

REAL = ["Wang_Fang", "张伟", "chen", "Liu Yang", "street director"]


def _named_case(case: Path) -> None:
    toml = (case / "case.toml").read_text(encoding="utf-8")
    toml = toml.replace(
        'id = "I1"\norganisation = "agency"\n',
        'id = "Wang_Fang"\norganisation = "agency"\nrole = "street director"\n',
    )
    toml = toml.replace('"I1"', '"Wang_Fang"').replace('"I2"', '"张伟"')
    toml = toml.replace('id = "S1"', 'id = "Wang_Fang_interview"')
    toml = toml.replace('"sources/S1.txt"', '"sources/Wang_Fang_interview.txt"')
    toml = toml.replace('"sources/S2.txt"', '"sources/张伟访谈.txt"')
    (case / "case.toml").write_text(toml, encoding="utf-8")
    (case / "sources" / "S1.txt").rename(case / "sources" / "Wang_Fang_interview.txt")
    (case / "sources" / "S2.txt").rename(case / "sources" / "张伟访谈.txt")
    rows = (case / "codings.csv").read_text(encoding="utf-8").splitlines()
    rows = [r.replace("S1,", "Wang_Fang_interview,", 1) if r.startswith("S1,") else r for r in rows]
    rows[1] = rows[1].rstrip(",") + ",,CHEN said it first; Liu Yang agreed with wang_fang"
    (case / "codings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def _leaks(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        for name in REAL:
            if name.lower() in rel.lower():
                found.append(f"file name {rel}: {name}")
        if path.is_file():
            data = path.read_bytes()
            if zipfile.is_zipfile(path):  # .docx / .xlsx: scan the unpacked parts
                with zipfile.ZipFile(path) as archive:
                    data = b"".join(archive.read(i) for i in archive.infolist())
            low = data.lower()
            for name in REAL:
                for form in (name.encode("utf-8"), json.dumps(name).strip('"').encode()):
                    if form.lower() in low:
                        found.append(f"{rel}: {name}")
    return sorted(set(found))


def test_no_real_name_in_any_output_of_a_pseudonymised_run(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _named_case(tiny_case)
    names = tmp_path / "names.txt"
    names.write_text("# named in quotes\nchen\nLiu Yang\n", encoding="utf-8")
    plain, pseudo = tmp_path / "plain", tmp_path / "pseudo"
    status, err = run(["analyze", str(tiny_case), "--out", str(plain)], capsys)
    assert status == 0, err
    # the unprotected run shows the names (so the scan below can fail)
    assert len(_leaks(plain)) >= 3
    # the methods tables (.docx, .xlsx: zips of XML) carry the interviewee table too
    assert any(leak.startswith("methods/") and ".docx" in leak for leak in _leaks(plain))
    status, err = run(
        ["analyze", str(tiny_case), "--out", str(pseudo), "--pseudonymise", "--redact", str(names)],
        capsys,
    )
    assert status == 0, err
    assert _leaks(pseudo) == []
    record = json.loads((pseudo / "run.json").read_text(encoding="utf-8"))
    assert record["case"]["path"] is None
    assert str(tiny_case) not in (pseudo / "run.json").read_text(encoding="utf-8")
    assert "source 1" in record["input_hashes"]
    page = (pseudo / "report.html").read_text(encoding="utf-8")
    assert "P1_interview" in page  # the id inside the source id
    assert "N1 said it first" in page  # CHEN, any case


def test_pseudonymise_without_redact_still_covers_ids_in_ids_and_case(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _named_case(tiny_case)
    out = tmp_path / "o"
    status, err = run(["analyze", str(tiny_case), "--out", str(out), "--pseudonymise"], capsys)
    assert status == 0, err
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace").lower()
            assert "wang_fang" not in text, path
            assert "张伟" not in text, path


def test_latin_names_do_not_hit_longer_words() -> None:
    p = Pseudonymiser.from_names({"Li": "P1"})
    assert p.apply("Li, li and LI; Lily, Liu, Li_interview, 2024Li") == (
        "P1, P1 and P1; Lily, Liu, P1_interview, 2024Li"
    )
