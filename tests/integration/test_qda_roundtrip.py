"""The founding case through a QDA program's file format and back; the QDA commands end to end."""

from __future__ import annotations

import dataclasses
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from resdep import load_case
from resdep.case import Case
from resdep.cli import main
from resdep.data import founding_case_path
from resdep.outputs import write_outputs
from resdep.pipeline import analyze
from resdep.qda import import_qdpx, write_case_folder, write_qdpx

REPO = Path(__file__).resolve().parents[1].parent
SHARED = REPO.parent / "shared" / "data"
XSD = SHARED / "refi-qda" / "Project-mrt2019.xsd"
NVIVO = SHARED / "refi-qda" / "nvivo-win-12.6-hungarian-comments.qdpx"
NS = "urn:QDA-XML:project:1.0"


@lru_cache(maxsize=1)
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def _comparable(case: Case) -> Case:
    """What the analysis uses: everything but the folder, the file encodings and paths."""
    return dataclasses.replace(
        case,
        root=None,
        sources=tuple(dataclasses.replace(s, encoding="", path="") for s in case.sources),
    )


@pytest.fixture(scope="module")
def founding() -> Case:
    return load_case(founding_case_path())


@pytest.fixture(scope="module")
def exported(founding: Case, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_qdpx(founding, tmp_path_factory.mktemp("qdpx") / "founding.qdpx")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_export_validates_against_the_xsd(founding: Case, tmp_path: Path, lang: str) -> None:
    out = write_qdpx(founding, tmp_path / f"f-{lang}.qdpx", lang=lang)
    with zipfile.ZipFile(out) as z:
        xml = z.read("project.qde")
        names = z.namelist()
    _schema().validate(xml.decode("utf-8"))
    assert sum(n.startswith("sources/") for n in names) == len(founding.sources)
    root = etree.fromstring(xml)
    assert len(root.findall(f"{{{NS}}}Cases/{{{NS}}}Case")) == len(founding.informants) == 10
    assert len(root.findall(f".//{{{NS}}}PlainTextSelection")) == len(founding.codings)
    graphs = root.findall(f"{{{NS}}}Graphs/{{{NS}}}Graph")
    assert len(graphs) == 3
    links = root.findall(f"{{{NS}}}Links/{{{NS}}}Link")
    edges = sum(len(g.findall(f"{{{NS}}}Edge")) for g in graphs)
    assert len(links) == edges > 0
    code_guids = {c.get("guid") for c in root.iter(f"{{{NS}}}Code")}
    assert all(
        link.get("originGUID") in code_guids and link.get("targetGUID") in code_guids
        for link in links
    )


def test_round_trip_gives_back_the_same_case(founding: Case, exported: Path) -> None:
    case, report = import_qdpx(exported)
    assert _comparable(case) == _comparable(founding)
    assert report.records == len(founding.codings)
    assert not report.incomplete
    assert not report.misfits


def test_round_trip_gives_the_same_outputs(founding: Case, exported: Path, tmp_path: Path) -> None:
    again = load_case(exported)
    write_outputs(analyze(founding, draws=300), tmp_path / "a", report=False)
    write_outputs(analyze(again, draws=300), tmp_path / "b", report=False)
    for name in ("stages.csv", "relationships.csv", "inputs.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_round_trip_through_a_case_folder(founding: Case, exported: Path, tmp_path: Path) -> None:
    case, _ = import_qdpx(exported)
    folder = write_case_folder(case, tmp_path / "imported")
    assert _comparable(load_case(folder)) == _comparable(founding)
    # and the folder exported again is read back the same
    again = write_qdpx(load_case(folder), tmp_path / "again.qdpx")
    assert _comparable(import_qdpx(again)[0]) == _comparable(founding)


def test_parameters_survive(founding: Case, tmp_path: Path) -> None:
    tuned = dataclasses.replace(
        founding, parameters=founding.parameters.with_overrides({"theta_d": 0.6, "draws": 500})
    )
    back, _ = import_qdpx(write_qdpx(tuned, tmp_path / "tuned.qdpx"))
    assert back.parameters == tuned.parameters


def test_cli_export_import_analyze(
    founding: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    qdpx = tmp_path / "f.qdpx"
    assert (
        main(["qda", "export", str(founding_case_path()), "--out", str(qdpx), "--lang", "zh"]) == 0
    )
    assert (
        main(["qda", "export", str(founding_case_path()), "--out", str(qdpx)]) == 2
    )  # exists, no --force
    assert "--force" in capsys.readouterr().err
    assert main(["qda", "import", str(qdpx), "--out", str(tmp_path / "case")]) == 0
    out = capsys.readouterr().out
    assert f"→ {len(founding.codings)} records" in out
    assert (tmp_path / "case" / "codings.csv").is_file()
    assert (
        main(["analyze", str(qdpx), "--out", str(tmp_path / "run"), "--no-report", "--draws", "50"])
        == 0
    )
    assert (tmp_path / "run" / "stages.csv").is_file()


def test_cli_codebook_sources_agreement(
    tmp_path: Path, tiny_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["codebook", "--lang", "zh", "--out", str(tmp_path / "cb.qdc")]) == 0
    assert (tmp_path / "cb.qdc").read_bytes().startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert (
        main(
            [
                "codebook",
                "--lang",
                "en",
                "--case",
                str(tiny_case),
                "--out",
                str(tmp_path / "cb2.qdc"),
            ]
        )
        == 0
    )
    assert b'kind = "street_office"' in (tmp_path / "cb2.qdc").read_bytes()
    t = tmp_path / "new.txt"
    t.write_bytes("新的访谈。\r\n".encode("gb18030"))
    assert main(["sources", "add", str(tiny_case), str(t), "--informant", "I1"]) == 0
    assert "gb18030" in capsys.readouterr().out
    csv_out = tmp_path / "agreement.csv"
    assert main(["qda", "agreement", str(tiny_case), str(tiny_case), "--out", str(csv_out)]) == 0
    printed = capsys.readouterr().out
    assert "krippendorff_alpha" in printed
    assert csv_out.read_text(encoding="utf-8-sig").startswith(
        "measure,family,coders,n,value,method"
    )


def test_cli_bad_input_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "slip.qdpx"
    with zipfile.ZipFile(bomb, "w") as z:
        z.writestr("project.qde", "<Project/>")
        z.writestr("../../evil.txt", "x")
    assert main(["qda", "import", str(bomb), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "path traversal" in err
    assert "Traceback" not in err
    assert not (tmp_path / "x").exists()
    assert main(["qda", "import", str(NVIVO), "--out", str(tmp_path / "nv")]) == 2
    assert "mapping" in capsys.readouterr().err


def test_cli_inspect_nvivo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qda", "inspect", str(NVIVO), "--write-mapping", str(tmp_path / "m.toml")]) == 0
    out = capsys.readouterr().out
    assert "2 text sources, 152 codes, 330 coded selections" in out
    assert "utf16 (UTF-16 code units with CRLF counted as two" in out
    assert '"1. Oltás típusa/COVID" = ""' in (tmp_path / "m.toml").read_text(encoding="utf-8")


def test_cli_agreement_flags_low_alpha(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    a = tmp_path / "coder_a"
    b = tmp_path / "coder_b"
    shutil.copytree(founding_case_path(), a)
    shutil.copytree(founding_case_path(), b)
    lines = (b / "codings.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    swap = {
        ",contracting,": ",closing,",
        ",closing,": ",implementation,",
        ",implementation,": ",contracting,",
    }
    changed = []
    for k, line in enumerate(lines):
        if k and k % 2:
            for old, new in swap.items():
                if old in line:
                    line = line.replace(old, new, 1)
                    break
        changed.append(line)
    (b / "codings.csv").write_text("".join(changed), encoding="utf-8")
    out = tmp_path / "agreement.csv"
    assert main(["qda", "agreement", str(a), str(b), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "FLAG: coders agree poorly on Stage" in printed
    assert "FLAG: coders agree poorly on Resource" not in printed
    assert main(["qda", "agreement", str(a), str(b), "--out", str(out)]) == 2  # exists
    assert main(["qda", "agreement", str(a), str(b), "--out", str(out), "--force"]) == 0
