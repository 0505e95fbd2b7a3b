"""Hard economic inputs for a case, and the ``resdep contracts`` command."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose
from records_builders import EXAMPLE_CSV

from resdep.cli import main
from resdep.contracts import HardInput, economic_inputs
from resdep.errors import RecordsFormatError

ACTORS = {
    "street": "青石街道办事处",
    "bureau": "CN-USCC-11310112MB2F000037",
    "agency": "新桥社会工作服务社",
}


def test_agency_to_government_inputs_from_the_example() -> None:
    inputs = {
        (h.dependent, h.provider, h.dimension): h for h in economic_inputs([EXAMPLE_CSV], ACTORS)
    }
    assert set(inputs) == {
        ("agency", "street", "importance"),
        ("agency", "street", "alternatives"),
        ("agency", "bureau", "importance"),
        ("agency", "bureau", "alternatives"),
    }
    assert all(h.resource == "economic" for h in inputs.values())
    assert_allclose(inputs[("agency", "street", "importance")].value, 2_600_000 / 3_670_000)
    assert_allclose(inputs[("agency", "street", "alternatives")].value, 1_070_000 / 3_670_000)
    assert_allclose(inputs[("agency", "bureau", "importance")].value, 450_000 / 3_670_000)
    basis = inputs[("agency", "street", "importance")].basis
    for part in ("D_sb = 0.71", "2019–2023", "purchases.csv", "CNY 2,600,000", "青石街道办事处"):
        assert part in basis


def test_window_restricts_the_awards() -> None:
    inputs = economic_inputs([EXAMPLE_CSV], ACTORS, window=(date(2022, 1, 1), date(2022, 12, 31)))
    h = {(x.provider, x.dimension): x.value for x in inputs}
    # 2022: 540,000 from 青石, 320,000 from 柳岸; the bureau's framework is a ceiling
    assert_allclose(h[("street", "importance")], 540_000 / 860_000)
    assert_allclose(h[("bureau", "importance")], 0.0)
    assert "2022" in inputs[0].basis


def test_unknown_organisation_names_the_actor_and_a_close_name() -> None:
    with pytest.raises(RecordsFormatError, match="'agency'") as err:
        economic_inputs([EXAMPLE_CSV], {"agency": "新桥社会工作服务中心"})
    assert err.value.place == "[records.actors] agency"
    assert err.value.fix
    assert "新桥社会工作服务社" in err.value.fix


def test_no_government_to_agency_inputs_and_value_range() -> None:
    inputs = economic_inputs([EXAMPLE_CSV], ACTORS)
    assert not any(h.dependent in ("street", "bureau") for h in inputs)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        HardInput(
            dependent="a",
            provider="b",
            resource="economic",
            dimension="importance",
            value=1.5,
            basis="",
        )


def test_cli_import_writes_every_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["contracts", "import", str(EXAMPLE_CSV), "--out", str(out), "--quiet"]) == 0
    names = {p.name for p in out.iterdir()} - {".resdep-output"}  # the marker of resdep outputs
    assert names == {
        "awards.parquet",
        "awards.csv",
        "indicators.csv",
        "suppliers.csv",
        "buyers.csv",
        "pairs.csv",
        "issues.csv",
        "summary.html",
        "run.json",
    }
    awards = pd.read_parquet(out / "awards.parquet")
    assert len(awards) == len(pd.read_csv(out / "awards.csv")) == 19
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert "Most dependent suppliers" in html
    assert "新桥社会工作服务社" in html
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["rows"] == 19
    assert len(run["files"]) == 1
    issues = pd.read_csv(out / "issues.csv")
    assert list(issues["place"]) == ["row 10"]
    # an existing output folder is refused, then replaced with --force
    assert main(["contracts", "import", str(EXAMPLE_CSV), "--out", str(out), "--quiet"]) == 2
    assert (
        main(
            [
                "contracts",
                "import",
                str(EXAMPLE_CSV),
                "--out",
                str(out),
                "--quiet",
                "--force",
                "--windows",
                "all",
            ]
        )
        == 0
    )
    assert set(pd.read_csv(out / "indicators.csv")["window"]) == {"all"}


def test_cli_bad_input_exits_2_with_the_file_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n", encoding="utf-8")
    assert main(["contracts", "import", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err
    assert "Fix:" in err
    assert "Traceback" not in err


def test_cli_template(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    assert main(["contracts", "template", "--out", str(target)]) == 0
    header = target.read_text(encoding="utf-8-sig").strip().split(",")
    assert header[0] == "ocid"
    assert "awards/suppliers/name" in header
