"""The bundled founding case: its data are sound, and the pipeline recovers the study.

The case (``src/resdep/data/founding_case``) is an illustrative reconstruction of the
Shanghai autonomy-grant study of DESIGN section 1. Nothing in the pipeline knows about it,
so these tests check that the generic formulas of DESIGN sections 3-5, with default
parameters, give the study's findings from the coded evidence alone.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import resdep

CASE_DIR = Path(resdep.__file__).resolve().parent / "data" / "founding_case"
REPO = Path(__file__).resolve().parents[2]
STAGES = ("contracting", "implementation", "closing")


def _case_toml() -> dict[str, Any]:
    with (CASE_DIR / "case.toml").open("rb") as fh:
        return tomllib.load(fh)


def _codings() -> list[dict[str, str]]:
    with (CASE_DIR / "codings.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- the data ----------------------------------------------------------------------------


def test_case_is_marked_synthetic_with_the_study_design() -> None:
    case = _case_toml()
    assert case["case"]["id"] == "shanghai_autonomy_grant"
    assert case["case"]["synthetic"] is True
    assert case["case"]["title_zh"]
    actors = {a["id"]: a for a in case["actor"]}
    assert set(actors) == {"bureau", "street", "nc_a", "nc_b", "nc_c", "agency", "residents"}
    assert [actors[n]["parent"] for n in ("nc_a", "nc_b", "nc_c")] == ["street"] * 3
    informants = case["informant"]
    assert len(informants) == 10
    assert Counter(i["organisation"] for i in informants) == {
        "agency": 4,
        "bureau": 2,
        "street": 2,
        "nc_a": 1,
        "nc_b": 1,
    }
    kinds = Counter(s["kind"] for s in case["source"])
    assert kinds == {"interview": 10, "fieldnote": 1}
    interviews = [s for s in case["source"] if s["kind"] == "interview"]
    assert sorted(s["informant"] for s in interviews) == sorted(i["id"] for i in informants)
    assert all(s.get("language") == "zh" for s in case["source"])
    (fieldnote,) = [s for s in case["source"] if s["kind"] == "fieldnote"]
    assert "informant" not in fieldnote
    readme = (CASE_DIR / "README.md").read_text(encoding="utf-8")
    assert "original interviews" in readme
    assert "非原始" in readme


def test_interviews_are_chinese_question_and_answer_transcripts() -> None:
    for source in _case_toml()["source"]:
        text = (CASE_DIR / source["path"]).read_text(encoding="utf-8")
        assert "示意性" in text, source["id"]  # each text says it is a reconstruction
        if source["kind"] == "interview":
            assert 600 <= len(text) <= 1500, (source["id"], len(text))
            assert text.count("问：") >= 6
            assert text.count("答：") == text.count("问：")


def test_every_quote_equals_its_slice_of_the_source() -> None:
    sources = {s["id"]: s for s in _case_toml()["source"]}
    texts = {sid: (CASE_DIR / s["path"]).read_text(encoding="utf-8") for sid, s in sources.items()}
    rows = _codings()
    assert 120 <= len(rows) <= 220
    for n, row in enumerate(rows, start=2):
        start, end = int(row["start"]), int(row["end"])
        assert 0 <= start < end <= len(texts[row["source"]]), n
        assert texts[row["source"]][start:end] == row["quote"], f"codings.csv line {n}"


def test_codings_csv_is_what_the_builder_writes() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_founding_case.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_codings_header_and_coverage() -> None:
    with (CASE_DIR / "codings.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == [
        "source",
        "start",
        "end",
        "quote",
        "kind",
        "stage",
        "dependent",
        "provider",
        "resource",
        "dimension",
        "actor",
        "value",
        "intensity",
        "evidence",
        "note",
        "self_serving",
    ]
    rows = _codings()
    # no per-row override: every claim takes the automatic direction rule
    assert {r["self_serving"] for r in rows} == {""}
    dep = [r for r in rows if r["kind"] == "dependence"]
    # Both directions of both main dyads are evidenced in every stage.
    for gov in ("bureau", "street"):
        for stage in STAGES:
            for pair in (("agency", gov), (gov, "agency")):
                assert any(
                    (r["dependent"], r["provider"], r["stage"]) == (*pair, stage) for r in dep
                ), (pair, stage)
    kinds = Counter(r["kind"] for r in rows)
    assert set(kinds) == {"dependence", "philosophy", "goal", "problem", "strategy"}
    assert {r["value"] for r in rows if r["kind"] == "problem"} == {
        "relational_purchase",
        "lack_of_autonomy",
        "formalization",
    }
    assert {r["value"] for r in rows if r["kind"] == "strategy"} == {
        "survive_loss_making",
        "develop_profitable",
    }
    goal_actors = {r["actor"] for r in rows if r["kind"] == "goal"}
    assert {"agency", "bureau", "street", "residents"} <= goal_actors
    # The evidence is not uniform: second-hand reports, self-serving claims, contrary views.
    assert sum(r["evidence"] == "second_hand" for r in rows) >= 15
    case = _case_toml()
    informant_org = {i["id"]: i["organisation"] for i in case["informant"]}
    source_org = {s["id"]: informant_org.get(s.get("informant", "")) for s in case["source"]}
    self_serving = [
        r
        for r in dep
        if source_org[r["source"]] == r["provider"] and r["dependent"] != r["provider"]
    ]
    assert len(self_serving) >= 10
    philosophy = {(r["actor"], r["value"]) for r in rows if r["kind"] == "philosophy"}
    assert {("bureau", "official"), ("street", "cooperative")} <= philosophy


# --- the pipeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class Tables:
    """The output tables of one analysis of the case."""

    stages: pd.DataFrame
    relationships: pd.DataFrame
    diagnostics: pd.DataFrame


@pytest.fixture(scope="module", params=["api", "cli"])
def result(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Tables:
    """The case analysed through ``resdep.analyze`` and through ``resdep analyze``."""
    if request.param == "api":
        from resdep import analyze, load_case

        res = analyze(load_case(CASE_DIR))
        return Tables(res.stages, res.relationships, res.diagnostics)
    out = tmp_path_factory.mktemp("founding") / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "resdep",
            "analyze",
            str(CASE_DIR),
            "--out",
            str(out),
            "--no-report",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return Tables(
        *(pd.read_csv(out / f"{name}.csv") for name in ("stages", "relationships", "diagnostics"))
    )


def _stage_rows(result: Tables, government: str) -> pd.DataFrame:
    stages = result.stages
    rows = stages[(stages["agency"] == "agency") & (stages["government"] == government)]
    assert sorted(rows["stage"]) == sorted(STAGES)
    return rows.set_index("stage")


def _relationship(result: Tables, government: str) -> pd.Series:
    rel = result.relationships
    rows = rel[(rel["agency"] == "agency") & (rel["government"] == government)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_street_dyad_follows_the_three_stage_pattern(result: Tables) -> None:
    rows = _stage_rows(result, "street")
    assert rows.loc["contracting", "state"] == "interdependent"
    assert rows.loc["implementation", "state"] == "agency_dominant"
    assert rows.loc["closing", "state"] == "government_dominant"
    # With margin, not by a hair: the power advantage swings from the agency to the street.
    assert rows.loc["contracting", "pi"] <= 0.15
    assert rows.loc["contracting", "md_min"] >= 0.6
    assert rows.loc["implementation", "pa"] <= -0.3
    assert rows.loc["closing", "pa"] >= 0.25
    assert rows.loc["closing", "d_ag"] >= 0.6
    # Each state is the modal one of the draws (P > 0.5). Implementation is settled; the
    # contracting and closing states came out at P ≈ 0.78 and 0.79 on 2026-11-30 (seed
    # 20190601, 2,000 draws), just under the 0.8 settle threshold: the evidence supports
    # them as the most probable states but not as settled ones, and the output says so.
    for stage in STAGES:
        assert rows.loc[stage, "p_state"] > 0.5, stage
        assert bool(rows.loc[stage, "settled"]) == (rows.loc[stage, "p_state"] >= 0.8), stage
    assert bool(rows.loc["implementation", "settled"])


def test_bureau_dyad_is_interdependent_throughout(result: Tables) -> None:
    rows = _stage_rows(result, "bureau")
    for stage in STAGES:
        assert rows.loc[stage, "md_min"] >= 0.6, stage


def test_bureau_relationship_is_a_partnership(result: Tables) -> None:
    row = _relationship(result, "bureau")
    assert row["label"] == "partnership"
    assert row["p_partnership"] >= 0.8
    assert row["p_label"] == row["p_partnership"]
    assert row["modal_label"] == "partnership"
    assert bool(row["settled"])
    assert row["mu_partnership"] > 0.5 > row["mu_buddy"]
    assert row["ri"] > 0.6
    assert row["gp"] > 0.6
    assert row["ia"] > 0.6


def test_street_relationship_is_a_buddy_relationship(result: Tables) -> None:
    row = _relationship(result, "street")
    assert row["label"] == "buddy"
    assert row["p_buddy"] >= 0.8
    assert row["modal_label"] == "buddy"
    assert bool(row["settled"])
    assert row["mu_buddy"] > 0.5 > row["mu_partnership"]
    assert row["gp"] < 0.4
    assert row["ia"] < 0.4
    assert row["dep"] > 0.6


@pytest.mark.parametrize("committee", ["nc_a", "nc_b", "nc_c"])
def test_neighbourhood_committees_without_philosophy_are_undetermined(
    result: Tables, committee: str
) -> None:
    row = _relationship(result, committee)
    assert row["label"] == "undetermined"
    assert f"philosophy of {committee}" in row["missing_evidence"]
    assert row["najam"] == "undetermined"
    assert row["gks"] == "undetermined"
    assert not bool(row["settled"])
    assert pd.isna(row["p_label"])


def test_diagnostics_show_who_the_residents_can_count_on(result: Tables) -> None:
    diag = result.diagnostics.set_index(["scope", "measure"])["value"]
    # The street leans to trouble-free completion and impressions, away from residents;
    # the bureau's goals are close to the residents' own.
    assert diag[("street", "task_quality_lean")] > 0.8
    assert diag[("street", "resident_alignment")] < 0.2
    assert diag[("bureau", "resident_alignment")] > 0.7
    for problem in ("relational_purchase", "lack_of_autonomy", "formalization"):
        assert diag[("street", f"problem:{problem}")] > 0.65, problem
    for strategy in ("survive_loss_making", "develop_profitable"):
        assert diag[("agency", f"strategy:{strategy}")] > 0, strategy
