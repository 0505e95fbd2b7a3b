"""Defects found in review of the QDA layer: each test failed before its fix.

- ``sources add`` is all or nothing (nothing changes on disk when any input fails);
- a project's external source texts stay inside the project's folder unless allowed, and
  refusals say nothing about files outside it;
- ``qda agreement --overlap`` must lie in (0, 1];
- an output path that is a folder is bad input (exit 2), not an internal error;
- mapping targets get a "did you mean", a missing mapping file's hint names the current
  folder, and .docx errors give a Word fix, not a QDA-program one.
"""

from __future__ import annotations

import os
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
from qda_builders import qde, text_source
from qda_builders import write_qdpx as build_qdpx

from resdep.case import load_case
from resdep.cli import main
from resdep.errors import InputError, OutputExistsError, QdaFormatError, SourceTextError
from resdep.qda import add_sources, read_qdpx, read_transcript
from resdep.qda import transcripts as transcripts_module
from resdep.qda.agreement import agreement
from resdep.qda.convert import import_qdpx
from resdep.qda.export import write_qdpx
from resdep.qda.mapping import load_mapping

GOOD = "问：街道依赖你们吗？\n答：离不开我们的社工。\n"
SECRET = "top secret: 1234567890 abcdefghij\n"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _undecodable(path: Path) -> Path:
    path.write_bytes("Gr\xfc\xdfe aus K\xf6ln, \xe9t\xe9 \xe0 Paris".encode("latin-1"))
    return path


# --- 1. sources add: all or nothing -------------------------------------------------


def test_sources_add_changes_nothing_when_one_file_fails(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good2.txt"
    good.write_text(GOOD, encoding="utf-8")
    bad = _undecodable(tmp_path / "t_bin.txt")
    before = _snapshot(tiny_case)
    assert main(["sources", "add", str(tiny_case), str(good), str(bad)]) == 2
    assert "t_bin.txt" in capsys.readouterr().err
    assert _snapshot(tiny_case) == before  # no sources/good2.txt, no temporary files
    # the retry with the good file alone works (it used to say "already exists")
    assert main(["sources", "add", str(tiny_case), str(good)]) == 0
    assert load_case(tiny_case).source("good2").text == GOOD


def test_sources_add_undoes_its_writes_when_case_toml_fails(
    tiny_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = tmp_path / "new.txt"
    new.write_text(GOOD, encoding="utf-8")
    replacing = tmp_path / "S1.txt"  # replaces the text of source S1 (--force)
    replacing.write_text("replacement\n", encoding="utf-8")
    before = _snapshot(tiny_case)

    real = transcripts_module.atomic_write_text

    def fail_on_case_toml(path: str | Path, text: str) -> None:
        if Path(path).name == "case.toml":
            raise OSError("disk full")
        real(path, text)

    monkeypatch.setattr(transcripts_module, "atomic_write_text", fail_on_case_toml)
    with pytest.raises(OSError, match="disk full"):
        add_sources(tiny_case, [replacing, new], force=True)
    assert _snapshot(tiny_case) == before  # S1 restored, new.txt removed, no leftovers


def test_sources_add_refuses_two_files_with_one_id(tiny_case: Path, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("y\n", encoding="utf-8")
    before = _snapshot(tiny_case)
    with pytest.raises(SourceTextError, match="both become source 'a'"):
        add_sources(tiny_case, [tmp_path / "a.txt", tmp_path / "a.md"])
    assert _snapshot(tiny_case) == before


def test_sources_add_quotes_toml_values(tiny_case: Path, tmp_path: Path) -> None:
    f = tmp_path / "q.txt"
    f.write_text("x\n", encoding="utf-8")
    add_sources(tiny_case, [f], language='zh"\n[bad]')
    entry = tomllib.loads((tiny_case / "case.toml").read_text(encoding="utf-8"))["source"][-1]
    assert entry["language"] == 'zh"\n[bad]'


def test_missing_transcript_hint_names_the_current_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceTextError, match="current folder") as err:
        read_transcript(tmp_path / "nowhere.txt")
    assert "case folder" not in str(err.value)


# --- 2. external source texts -----------------------------------------------------


def _project(folder: Path, path: str, *, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = f"<Sources>{text_source(1, 'Interview', path=path)}</Sources>"
    return build_qdpx(folder / "p.qdpx", qde(body, extra=extra))


def _outside_paths(tmp_path: Path, secret: Path) -> list[str]:
    ups = "../" * len(tmp_path.parts)
    return [
        "relative://../secret.txt",
        f"relative:///{ups}{str(secret).lstrip('/')}",
        "relative://sub/../../secret.txt",
        f"absolute://{secret}",
        f"file://{secret}",
        str(secret),
        "relative://..\\secret.txt",
    ]


def _tells_size(message: str, tmp_path: Path) -> bool:
    """Whether ``message`` gives the secret file's length (digits in the temporary folder's
    own name, such as ``pytest-234``, do not count)."""
    return re.search(rf"\b{len(SECRET)}\b", message.replace(str(tmp_path), "")) is not None


@pytest.mark.parametrize("k", range(7))
def test_external_texts_outside_the_project_are_refused(tmp_path: Path, k: int) -> None:
    secret = tmp_path / "secret.txt"
    path = _outside_paths(tmp_path, secret)[k]
    project = _project(tmp_path / "proj", path)
    messages = []
    for exists in (True, False):
        if exists:
            secret.write_text(SECRET, encoding="utf-8")
        else:
            secret.unlink()
        with pytest.raises(QdaFormatError) as err:
            read_qdpx(project)
        msg = str(err.value)
        assert "outside" in msg
        assert "--allow-external-sources" in msg
        assert "source 'Interview' (guid" in msg  # the place: the source
        assert not _tells_size(msg, tmp_path)
        assert "secret:" not in msg
        messages.append(msg)
    assert messages[0] == messages[1]  # nothing tells whether the file exists


def test_symbolic_link_out_of_the_project_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    project = _project(tmp_path / "proj", "relative://link.txt")
    os.symlink(secret, tmp_path / "proj" / "link.txt")
    with pytest.raises(QdaFormatError, match="outside the project's folder") as err:
        read_qdpx(project)
    assert str(secret) not in str(err.value)


def test_external_texts_are_read_when_allowed(tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere.txt"
    secret.write_text(GOOD, encoding="utf-8")
    project = _project(tmp_path / "proj", f"absolute://{secret}")
    assert read_qdpx(project, allow_external=True).sources[0].text == GOOD
    with pytest.raises(QdaFormatError, match="outside"):
        import_qdpx(project)


def test_relative_texts_inside_the_project_are_read(tmp_path: Path) -> None:
    (tmp_path / "proj" / "texts").mkdir(parents=True)
    (tmp_path / "proj" / "texts" / "a.txt").write_text(GOOD, encoding="utf-8")
    for path in ("relative://texts/a.txt", "relative:///texts/a.txt", "texts/a.txt"):
        assert read_qdpx(_project(tmp_path / "proj", path)).sources[0].text == GOOD
    # relative:///ABSOLUTE is relative too: it is looked for inside the project's folder
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    with pytest.raises(SourceTextError, match="was not found") as err:
        read_qdpx(_project(tmp_path / "proj", f"relative://{secret}"))
    assert f"looked at {(tmp_path / 'proj').resolve()}/" in str(err.value)
    # an absolute basePath names the exporting machine: the project's folder is used
    p = _project(tmp_path / "proj", "relative://texts/a.txt", extra='basePath="/elsewhere"')
    assert read_qdpx(p).sources[0].text == GOOD


def test_qda_import_refuses_external_texts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    project = _project(tmp_path / "proj", "relative:///../../../../../../../../" + str(secret))
    assert main(["qda", "import", str(project), "--out", str(tmp_path / "case")]) == 2
    err = capsys.readouterr().err
    assert "outside the project's folder" in err
    assert "--allow-external-sources" in err
    assert not _tells_size(err, tmp_path)
    assert not (tmp_path / "case").exists()


# --- 3. --overlap ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2", "-1", "0", "nan", "x"])
def test_overlap_outside_zero_one_is_refused(
    tiny_case: Path,
    tmp_path: Path,
    value: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # whatever happens, nothing is written outside tmp_path
    out = tmp_path / "agreement.csv"
    argv = ["qda", "agreement", str(tiny_case), str(tiny_case), "--out", str(out)]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--overlap", value])
    assert exc.value.code == 2
    assert "above 0 and at most 1" in capsys.readouterr().err
    assert not out.exists()


def test_agreement_api_checks_overlap() -> None:
    with pytest.raises(InputError, match="above 0 and at most 1"):
        agreement([], overlap=2.0)


# --- 4. an output path that is a folder --------------------------------------------


def test_export_to_a_folder_is_bad_input(
    tiny_case: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "existing"
    folder.mkdir()
    assert main(["qda", "export", str(tiny_case), "--out", str(folder), "--force"]) == 2
    assert "is a folder; give a .qdpx file path" in capsys.readouterr().err
    with pytest.raises(OutputExistsError, match="is a folder"):
        write_qdpx(load_case(tiny_case), folder, force=True)
    assert main(["codebook", "--out", str(folder), "--force"]) == 2
    assert "is a folder; give a .qdc file path" in capsys.readouterr().err
    argv = ["qda", "agreement", str(tiny_case), str(tiny_case), "--out", str(folder), "--force"]
    assert main(argv) == 2
    assert "is a folder; give a .csv file path" in capsys.readouterr().err


# --- 5. messages -------------------------------------------------------------------


def test_unknown_mapping_target_gets_did_you_mean(tmp_path: Path) -> None:
    m = tmp_path / "m.toml"
    m.write_text('[codes]\n"Money" = "Resourse/Economic"\n', encoding="utf-8")
    with pytest.raises(QdaFormatError, match="did you mean 'Resource/Economic'"):
        load_mapping(m)


def test_missing_mapping_file_hint_names_the_current_folder(tmp_path: Path) -> None:
    with pytest.raises(QdaFormatError, match="current folder") as err:
        load_mapping(tmp_path / "missing.toml")
    assert "relative to the case folder" not in str(err.value)


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("make", "fix"),
    [
        (lambda p: p.write_bytes(b"not a zip") and p, "save it again as a Word document"),
        (lambda p: _zip(p, {"a.txt": b"x"}), "save it again as a Word document"),
        (lambda p: _zip(p, {"../evil.xml": b"x"}), "do not open this file"),
    ],
)
def test_docx_errors_give_a_word_fix(tmp_path: Path, make: object, fix: str) -> None:
    f = tmp_path / "interview.docx"
    make(f)  # type: ignore[operator]
    with pytest.raises(SourceTextError) as err:
        read_transcript(f)
    msg = str(err.value)
    assert fix in msg
    assert "QDA program" not in msg
    assert "export the project" not in msg
