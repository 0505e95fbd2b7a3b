"""Known answers computed by hand for small cases (design sections 3–5)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from numpy.testing import assert_allclose

from resdep import analyze, load_case

HEADER = "source,start,end,quote,kind,stage,dependent,provider,resource,dimension,actor,value,intensity,evidence,note\n"
CASE_TOML = """
[case]
id = "hand"

[[actor]]
id = "agency"
kind = "social_work_agency"

[[actor]]
id = "street"
kind = "street_office"

[[actor]]
id = "bureau"
kind = "civil_affairs_bureau"

[[informant]]
id = "A1"
organisation = "agency"

[[informant]]
id = "S1"
organisation = "street"

[[source]]
id = "ia"
path = "sources/ia.txt"
informant = "A1"

[[source]]
id = "is"
path = "sources/is.txt"
informant = "S1"

[[source]]
id = "doc"
path = "sources/doc.txt"
kind = "document"
"""


def make_case(tmp_path: Path, rows: list[str], extra_toml: str = "") -> Path:
    root = tmp_path / "case"
    (root / "sources").mkdir(parents=True)
    (root / "case.toml").write_text(CASE_TOML + extra_toml, encoding="utf-8")
    for name in ("ia", "is", "doc"):
        (root / "sources" / f"{name}.txt").write_text("文" * 200, encoding="utf-8")
    (root / "codings.csv").write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return root


def dep(
    src: str, start: int, stage: str, d: str, p: str, res: str, dim: str, inten: int, ev: str = ""
) -> str:
    return f"{src},{start},{start + 2},,dependence,{stage},{d},{p},{res},{dim},,,{inten},{ev},"


def test_one_resource(tmp_path: Path) -> None:
    # I: one direct record at 3 → (1 + 1)/(2 + 1) = 2/3; S: one at 0 → 1/3, N = 2/3; X: prior 0.5
    rows = [
        dep("ia", 0, "contracting", "agency", "street", "economic", "importance", 3),
        dep("ia", 2, "contracting", "agency", "street", "economic", "alternatives", 0),
    ]
    result = analyze(load_case(make_case(tmp_path, rows)), draws=0)
    row = result.inputs.iloc[0]
    assert_allclose([row.importance, row.alternatives, row.discretion], [2 / 3, 1 / 3, 0.5])
    expected_d = (2 / 3 * 2 / 3 * 0.5) ** (1 / 3)
    assert_allclose(row.d, expected_d)
    st = result.stages.set_index("stage")
    assert_allclose(st.loc["contracting", "d_ag"], expected_d)
    assert st.loc["contracting", "d_ga"] == 0
    assert_allclose(st.loc["contracting", "pa"], expected_d)
    assert st.loc["contracting", "state"] == "government_dominant"  # PA ≥ 0.2 and D_ag ≥ 0.5
    assert (
        st.loc[["implementation", "closing"], "state"] == "weak"
    ).all()  # no evidence, no dependence


def test_two_resources_combine_by_noisy_or(tmp_path: Path) -> None:
    rows = [
        dep("ia", 0, "contracting", "agency", "street", "economic", "importance", 3),
        dep("ia", 2, "contracting", "agency", "street", "political_legitimacy", "importance", 2),
        dep("is", 0, "contracting", "agency", "street", "political_legitimacy", "discretion", 3),
    ]
    result = analyze(load_case(make_case(tmp_path, rows)), draws=0)
    inputs = result.inputs.set_index("resource")
    d_econ = (2 / 3 * 0.5 * 0.5) ** (1 / 3)
    # political legitimacy: I = (1 + 2/3)/3; X from the street informant: self-serving (provider is
    # the informant's own organisation), weight 0.7: (1 + 0.7)/(2 + 0.7)
    i_pol = (1 + 2 / 3) / 3
    x_pol = (1 + 0.7) / 2.7
    d_pol = (i_pol * 0.5 * x_pol) ** (1 / 3)
    assert_allclose(inputs.loc["economic", "d"], d_econ)
    assert_allclose(inputs.loc["political_legitimacy", "d"], d_pol)
    assert inputs.loc["political_legitimacy", "triangulation"] == 2
    assert not inputs.loc["political_legitimacy", "single_source"]
    assert inputs.loc["economic", "single_source"]
    d_ag = result.stages.set_index("stage").loc["contracting", "d_ag"]
    assert_allclose(d_ag, 1 - (1 - d_econ) * (1 - d_pol))


def test_missing_dimensions_take_the_prior(tmp_path: Path) -> None:
    rows = [dep("doc", 0, "closing", "street", "agency", "performance", "discretion", 1)]
    result = analyze(load_case(make_case(tmp_path, rows)), draws=0)
    row = result.inputs.iloc[0]
    assert_allclose([row.importance, row.alternatives], [0.5, 0.5])
    assert_allclose(row.discretion, (1 + 1 / 3) / 3)
    assert row.triangulation == 1  # a document is one group


def test_second_hand_weight_and_interdependence(tmp_path: Path) -> None:
    rows = [
        dep("ia", 0, "contracting", "agency", "street", "economic", "importance", 3),
        dep("ia", 2, "contracting", "agency", "street", "economic", "importance", 3),
        dep("ia", 4, "contracting", "agency", "street", "economic", "discretion", 3, "second_hand"),
        dep("is", 0, "contracting", "street", "agency", "professional", "importance", 3),
        dep("is", 2, "contracting", "street", "agency", "professional", "importance", 3),
        dep(
            "is",
            4,
            "contracting",
            "street",
            "agency",
            "professional",
            "discretion",
            3,
            "second_hand",
        ),
    ]
    result = analyze(load_case(make_case(tmp_path, rows)), draws=0)
    d = ((1 + 2) / 4 * 0.5 * (1 + 0.5) / 2.5) ** (1 / 3)
    st = result.stages.set_index("stage").loc["contracting"]
    assert_allclose([st.d_ag, st.d_ga, st.md_min, st.pa], [d, d, d, 0.0], atol=1e-12)
    assert st.state == ("interdependent" if d >= 0.5 else "weak")


def test_philosophy_goals_and_labels(tmp_path: Path) -> None:
    rows = [
        dep("ia", 0, "contracting", "agency", "bureau", "political_legitimacy", "importance", 3),
        "ia,10,12,,philosophy,,,,,,bureau,cooperative,3,,",
        "ia,12,14,,philosophy,,,,,,bureau,official,1,,",
        "ia,14,16,,goal,,,,,,agency,service_quality,3,,",
        "is,14,16,,goal,,,,,,bureau,service_quality,3,,",
        "is,16,18,,goal,,,,,,bureau,trouble_free_completion,3,,",
    ]
    result = analyze(load_case(make_case(tmp_path, rows)), draws=0)
    rel = result.relationships.iloc[0]
    # GP = (1 + 1)/(2 + 1 + 1/3)
    assert_allclose(rel.gp, 2 / (3 + 1 / 3))
    # goal vectors (0, 1, 0, 0, 0, 0) and (0, 1, 1, 0, 0, 0): cosine = 1/√2
    assert_allclose(rel.ia, 1 / math.sqrt(2))
    d = (2 / 3 * 0.5 * 0.5) ** (1 / 3)
    assert_allclose(rel.dep, d)
    assert_allclose(rel.ri, 0.0)  # the bureau depends on nothing here
    lo = 3 * (rel.dep - 0.5) / 0.3
    mu_dep = 1 / (1 + math.exp(-lo))
    mu_gp = 1 / (1 + math.exp(-3 * (rel.gp - 0.5) / 0.3))
    mu_ia = 1 / (1 + math.exp(-3 * (rel.ia - 0.5) / 0.3))
    assert_allclose(rel.mu_buddy, min(mu_dep, 1 - mu_gp, 1 - mu_ia))  # the "and" rule
    assert_allclose(rel.mu_partnership, 1 / (1 + math.exp(-3 * (0 - 0.5) / 0.3)))
    diag = result.diagnostics.set_index(["scope", "measure"])
    assert_allclose(diag.loc[("bureau", "task_quality_lean"), "value"], 0.5)
    assert_allclose(diag.loc[("agency", "resident_alignment"), "value"], 1 / math.sqrt(2))


def test_no_evidence_between_a_pair_means_no_dyad(tmp_path: Path) -> None:
    rows = [dep("ia", 0, "contracting", "agency", "street", "economic", "importance", 3)]
    result = analyze(load_case(make_case(tmp_path, rows)), draws=0)
    assert list(result.relationships.government) == ["street"]  # bureau: no record, no dyad


@pytest.mark.parametrize("draws", [1, 300])
def test_probabilities_sum_to_one(tmp_path: Path, draws: int) -> None:
    rows = [
        dep("ia", 0, "contracting", "agency", "street", "economic", "importance", 3),
        dep("is", 0, "implementation", "street", "agency", "professional", "importance", 2),
        "is,10,12,,philosophy,,,,,,street,official,2,,",
        "ia,14,16,,goal,,,,,,agency,service_quality,3,,",
        "is,14,16,,goal,,,,,,street,trouble_free_completion,3,,",
    ]
    result = analyze(load_case(make_case(tmp_path, rows)), draws=draws)
    rel = result.relationships.iloc[0]
    assert rel.label != "undetermined"
    assert_allclose(rel.p_partnership + rel.p_buddy + rel.p_transactional, 1.0)


# --- undetermined, transactional and the buddy rule on whole cases (design section 5) ------


def test_no_philosophy_or_goals_is_undetermined_not_transactional(tmp_path: Path) -> None:
    rows = [dep("ia", 0, "contracting", "agency", "street", "economic", "importance", 3)]
    result = analyze(load_case(make_case(tmp_path, rows)), draws=50)
    rel = result.relationships.iloc[0]
    assert rel.label == "undetermined"
    assert rel.missing_evidence == "philosophy of street; goals of agency; goals of street"
    assert (rel.najam, rel.gks) == ("undetermined", "undetermined")
    assert math.isnan(rel.p_label)
    assert math.isnan(rel.p_partnership)
    assert rel.modal_label == ""
    assert not rel.settled
    assert result.influence.empty  # nothing to move: there is no label


def test_missing_goals_of_one_side_only(tmp_path: Path) -> None:
    rows = [
        dep("ia", 0, "contracting", "agency", "street", "economic", "importance", 3),
        "is,10,12,,philosophy,,,,,,street,official,3,,",
        "ia,14,16,,goal,,,,,,agency,service_quality,3,,",
    ]
    rel = analyze(load_case(make_case(tmp_path, rows)), draws=50).relationships.iloc[0]
    assert rel.label == "undetermined"
    assert rel.missing_evidence == "goals of street"
    # Najam needs IA (goals of both): undetermined. GKS needs RI and GP only:
    # RI = 0 (the street depends on nothing) < 0.5 → collaborative_vendor
    assert rel.najam == "undetermined"
    assert rel.gks == "collaborative_vendor"


def _neither_rows() -> list[str]:
    return [
        dep("ia", 0, "contracting", "agency", "street", "economic", "importance", 3),
        "is,10,12,,philosophy,,,,,,street,official,3,,",
        "ia,14,16,,goal,,,,,,agency,service_quality,3,,",
        "is,14,16,,goal,,,,,,street,service_quality,3,,",
    ]


def test_evidence_showing_neither_type_is_transactional(tmp_path: Path) -> None:
    # GP = (2·0.5 + 0)/(2 + 1) = 1/3 → μ_GP = 1/(1 + e^(5/3)) ≈ 0.159
    # IA = cos((0,1,0,…), (0,1,0,…)) = 1 → μ_IA = 1/(1 + e^-5) ≈ 0.9933
    # D_ag = (2/3 · 0.5 · 0.5)^(1/3) ≈ 0.550 → μ_dep = 1/(1 + e^-0.5) ≈ 0.6225
    # μ_partnership ≤ μ_GP ≈ 0.159; "and": μ_buddy = min(0.6225, 0.841, 0.0067) = 0.0067
    # both ≤ 0.5 → transactional (the evidence shows neither type)
    result = analyze(load_case(make_case(tmp_path, _neither_rows())), draws=0)
    rel = result.relationships.iloc[0]
    mu_gp = 1 / (1 + math.exp(5 / 3))
    mu_ia = 1 / (1 + math.exp(-5))
    d = (2 / 3 * 0.5 * 0.5) ** (1 / 3)
    mu_dep = 1 / (1 + math.exp(-3 * (d - 0.5) / 0.3))
    assert_allclose([rel.gp, rel.ia, rel.dep], [1 / 3, 1.0, d])
    assert_allclose(rel.mu_buddy, min(mu_dep, 1 - mu_gp, 1 - mu_ia))
    assert rel.label == "transactional"
    assert rel.missing_evidence == ""
    # ends (IA = 1 ≥ 0.5) similar, means (GP = 1/3) not: complementarity
    assert rel.najam == "complementarity"


def test_or_rule_from_case_toml_makes_the_same_dyad_buddy(tmp_path: Path) -> None:
    # "or": μ_buddy = min(μ_dep, max(1 − μ_GP, 1 − μ_IA)) = min(0.6225, 0.841) = 0.6225 > 0.5
    case = load_case(make_case(tmp_path, _neither_rows(), '\n[parameters]\nbuddy_rule = "or"\n'))
    assert case.parameters.buddy_rule == "or"
    rel = analyze(case, draws=0).relationships.iloc[0]
    d = (2 / 3 * 0.5 * 0.5) ** (1 / 3)
    assert_allclose(rel.mu_buddy, 1 / (1 + math.exp(-3 * (d - 0.5) / 0.3)))
    assert rel.label == "buddy"


# --- direction-aware self-serving discount (design section 3) --------------------------------


def _with_column(tmp_path: Path, rows: list[str]) -> Path:
    root = make_case(tmp_path, [])
    (root / "codings.csv").write_text(
        HEADER.rstrip("\n") + ",self_serving\n" + "".join(r + "\n" for r in rows),
        encoding="utf-8",
    )
    return root


def test_self_serving_looks_at_the_direction_of_the_claim(tmp_path: Path) -> None:
    # both rows from the street's informant (source "is"), about the agency's dependence
    # on the street: the street is the provider.
    rows = [
        # importance 3 raises dependence on the street: self-serving, weight 1 × 0.7
        #   I = (2·0.5 + 0.7·1)/(2 + 0.7) = 1.7/2.7
        dep("is", 0, "contracting", "agency", "street", "economic", "importance", 3),
        # alternatives 3 ("they could get projects elsewhere") is against the street's
        # interest: not discounted. S = (1 + 1)/(2 + 1) = 2/3
        dep("is", 2, "contracting", "agency", "street", "economic", "alternatives", 3),
    ]
    result = analyze(load_case(make_case(tmp_path, rows)), draws=0)
    row = result.inputs.iloc[0]
    assert_allclose([row.importance, row.alternatives], [1.7 / 2.7, 2 / 3])
    ev = result.evidence.set_index("row")
    assert list(ev.self_serving) == [True, False]
    assert ev.loc[1, "self_serving_rule"].startswith("automatic: own organisation")
    assert "against its interest" in ev.loc[2, "self_serving_rule"]


def test_alternatives_low_from_the_provider_is_self_serving(tmp_path: Path) -> None:
    # alternatives 1 ("nobody else can give you this") raises dependence on the speaker:
    # S = (1 + 0.7·1/3)/(2 + 0.7) = (1 + 0.7/3)/2.7
    rows = [dep("is", 0, "contracting", "agency", "street", "economic", "alternatives", 1)]
    row = analyze(load_case(make_case(tmp_path, rows)), draws=0).inputs.iloc[0]
    assert_allclose(row.alternatives, (1 + 0.7 / 3) / 2.7)


def test_the_self_serving_column_overrides_per_row(tmp_path: Path) -> None:
    rows = [
        # the rule would discount this; coded no (否): I = (1 + 1)/(2 + 1) = 2/3
        dep("is", 0, "contracting", "agency", "street", "economic", "importance", 3) + ",否",
        # the rule would not discount this concession; coded yes: S = (1 + 0.7)/2.7
        dep("is", 2, "contracting", "agency", "street", "economic", "alternatives", 3) + ",yes",
        # an agency informant on the agency's own dependence: automatic (empty) → 1.0
        #   X = (1 + 2/3)/(2 + 1)
        dep("ia", 4, "contracting", "agency", "street", "economic", "discretion", 2) + ",",
    ]
    result = analyze(load_case(_with_column(tmp_path, rows)), draws=0)
    row = result.inputs.iloc[0]
    assert_allclose(
        [row.importance, row.alternatives, row.discretion], [2 / 3, 1.7 / 2.7, (1 + 2 / 3) / 3]
    )
    ev = result.evidence.set_index("row")
    assert list(ev.self_serving_rule) == [
        "coded no (self_serving column)",
        "coded yes (self_serving column)",
        "",
    ]


@pytest.mark.parametrize(
    ("kind_row", "fragment"),
    [
        (
            dep("is", 0, "contracting", "agency", "street", "economic", "importance", 3) + ",maybe",
            "yes, no or empty",
        ),
        ("is,10,12,,philosophy,,,,,,street,official,3,,,yes", "philosophy row"),
    ],
)
def test_bad_self_serving_cells(tmp_path: Path, kind_row: str, fragment: str) -> None:
    from resdep.errors import CaseFormatError

    with pytest.raises(CaseFormatError, match="self_serving") as info:
        load_case(_with_column(tmp_path, [kind_row]))
    assert fragment in str(info.value)
    assert "row 1" in str(info.value)


def test_self_serving_override_survives_a_case_folder_round_trip(tmp_path: Path) -> None:
    from resdep.case import parse_codings
    from resdep.qda.casefolder import codings_csv

    rows = [
        dep("is", 0, "contracting", "agency", "street", "economic", "importance", 3) + ",否",
        dep("is", 2, "contracting", "agency", "street", "economic", "alternatives", 3) + ",是",
        dep("ia", 4, "contracting", "agency", "street", "economic", "discretion", 2) + ",",
    ]
    case = load_case(_with_column(tmp_path, rows))
    assert [c.self_serving for c in case.codings] == [False, True, None]
    text = codings_csv(case.codings)
    assert [c.self_serving for c in parse_codings(text.encode("utf-8"), case)] == [
        False,
        True,
        None,
    ]
