"""Agreement between coders, checked by hand and against krippendorff and scikit-learn."""

from __future__ import annotations

import copy
import dataclasses
import zipfile
from fractions import Fraction
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from lxml import etree
from numpy.testing import assert_allclose
from sklearn.metrics import cohen_kappa_score

from resdep.case import load_case
from resdep.data import founding_case_path
from resdep.qda import agreement, agreement_flags, write_qdpx
from resdep.qda.agreement import (
    CoderData,
    CoderSegment,
    coder_data_from_case,
    coder_data_from_project,
    cohen_kappa,
)
from resdep.qda.codebook import CanonicalCode
from resdep.vocab import Stage


def _value(result, measure: str, family: str) -> float:  # type: ignore[no-untyped-def]
    t = result.table
    return float(t[(t.measure == measure) & (t.family == family)].value.iloc[0])


def test_hand_computed_example() -> None:
    """Two coders, four units: A = a a b b, B = a b b b.

    Coincidences: o_aa = 2, o_ab = o_ba = 1, o_bb = 4; n_a = 3, n_b = 5, n = 8.
    D_o = 2/8, D_e = 2·3·5/(8·7) = 30/56, α = 1 − D_o/D_e = 1 − 7/15 = 8/15.
    κ: p_o = 3/4, p_e = (2/4)(1/4) + (2/4)(3/4) = 1/2, κ = (3/4 − 1/2)/(1/2) = 1/2.
    """
    a = CoderData.from_values("A", {"Stage": ["contracting", "contracting", "closing", "closing"]})
    b = CoderData.from_values("B", {"Stage": ["contracting", "closing", "closing", "closing"]})
    r = agreement([a, b])
    assert _value(r, "krippendorff_alpha", "Stage") == pytest.approx(
        float(Fraction(8, 15)), abs=1e-12
    )
    assert _value(r, "cohen_kappa", "Stage") == pytest.approx(0.5, abs=1e-12)
    assert _value(r, "percent_agreement", "Stage") == pytest.approx(0.75)
    flags = agreement_flags(r)
    assert flags.family.to_list() == ["Stage"]
    assert "0.53" in flags.message.iloc[0]


def _random_values(
    rng: np.random.Generator, n: int, cats: list[str], p_none: float
) -> list[str | None]:
    return [None if rng.random() < p_none else str(rng.choice(cats)) for _ in range(n)]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_against_krippendorff_and_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    cats = ["economic", "professional", "performance"]
    va = _random_values(rng, n, cats, 0.2)
    vb = [v if rng.random() < 0.6 else str(rng.choice(cats)) for v in va]
    r = agreement(
        [CoderData.from_values("A", {"Resource": va}), CoderData.from_values("B", {"Resource": vb})]
    )
    keep = [k for k in range(n) if va[k] is not None or vb[k] is not None]
    la = [va[k] or "none" for k in keep]
    lb = [vb[k] or "none" for k in keep]
    domain = sorted(set(la) | set(lb))
    data = np.array([[domain.index(x) for x in la], [domain.index(x) for x in lb]], dtype=float)
    assert_allclose(
        _value(r, "krippendorff_alpha", "Resource"),
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"),
    )
    assert_allclose(_value(r, "cohen_kappa", "Resource"), cohen_kappa_score(la, lb))
    assert_allclose(cohen_kappa(la, lb), cohen_kappa_score(la, lb))


def test_three_coders_and_ordinal_intensity() -> None:
    rng = np.random.default_rng(7)
    vals = [[str(rng.integers(0, 4)) for _ in range(30)] for _ in range(3)]
    for row in vals:
        row[int(rng.integers(0, 30))] = None  # type: ignore[call-overload]
    coders = [
        CoderData.from_values(name, {"Intensity": v}) for name, v in zip("ABC", vals, strict=True)
    ]
    r = agreement(coders)
    nominal = [[x if x is not None else "none" for x in row] for row in vals]
    domain = sorted({x for row in nominal for x in row})
    data = np.array([[domain.index(x) for x in row] for row in nominal], dtype=float)
    assert_allclose(
        _value(r, "krippendorff_alpha", "Intensity"),
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"),
    )
    pairs = [(0, 1), (0, 2), (1, 2)]
    assert_allclose(
        _value(r, "cohen_kappa", "Intensity"),
        np.mean([cohen_kappa_score(nominal[i], nominal[j]) for i, j in pairs]),
    )
    ordinal = np.array([[float(x) if x is not None else np.nan for x in row] for row in vals])
    assert_allclose(
        _value(r, "krippendorff_alpha", "Intensity (ordinal)"),
        krippendorff.alpha(reliability_data=ordinal, level_of_measurement="ordinal"),
    )


def test_segment_overlap_by_hand() -> None:
    def seg(s: int, e: int, stage: str) -> CoderSegment:
        return CoderSegment(
            source="u", start=s, end=e, codes=(CanonicalCode(group="Stage", value=stage),)
        )

    text = "x" * 40
    a = CoderData(
        name="A", segments=(seg(0, 10, "contracting"), seg(20, 30, "closing")), texts={"u": text}
    )
    b = CoderData(
        name="B", segments=(seg(0, 9, "contracting"), seg(20, 30, "contracting")), texts={"u": text}
    )
    r = agreement([a, b], overlap=0.8)
    assert _value(r, "segment_overlap", "Stage") == pytest.approx(
        0.5
    )  # A1↔B1 (overlap 0.9) agree; A2, B2 differ
    assert _value(r, "brennan_prediger_kappa", "Stage") == pytest.approx(
        0.0
    )  # (0.5 − 1/2)/(1 − 1/2)
    r2 = agreement([a, b], overlap=0.95)
    assert _value(r2, "segment_overlap", "Stage") == pytest.approx(0.0)


@pytest.fixture(scope="module")
def founding():  # type: ignore[no-untyped-def]
    return load_case(founding_case_path())


def test_identical_coders_agree_fully(founding) -> None:  # type: ignore[no-untyped-def]
    r = agreement([coder_data_from_case(founding, "A"), coder_data_from_case(founding, "B")])
    alphas = r.table[r.table.measure == "krippendorff_alpha"].set_index("family").value
    assert len(alphas) >= 8
    # every family where the coders used two or more values: full agreement
    assert (alphas.dropna() == 1.0).all()
    # the founding case codes every selection with one evidence type: α is undefined
    # there (no disagreement possible), not 1.0 (issue 11), and flagged as such
    assert alphas.isna().sum() == 1
    assert np.isnan(alphas["Evidence"])
    assert _value(r, "tuple_agreement", "dependence tuple") == 1.0
    assert _value(r, "edge_jaccard", "edges") == 1.0
    assert _value(r, "edge_alpha_d", "edges") == pytest.approx(1.0)
    flags = agreement_flags(r)
    assert list(flags.family) == ["Evidence"]
    assert "undefined" in flags.message.iloc[0]


def test_disagreement_on_stages_is_flagged(founding) -> None:  # type: ignore[no-untyped-def]
    stages = list(Stage)
    changed = []
    for k, c in enumerate(founding.codings):
        if c.stage is not None and k % 2 == 0:
            c = dataclasses.replace(c, stage=stages[(stages.index(c.stage) + 1) % 3])
        changed.append(c)
    other = dataclasses.replace(founding, codings=tuple(changed))
    r = agreement([coder_data_from_case(founding, "A"), coder_data_from_case(other, "B")])
    assert _value(r, "krippendorff_alpha", "Stage") < 0.667
    assert _value(r, "krippendorff_alpha", "Resource") == 1.0
    assert 0 < _value(r, "tuple_agreement", "dependence tuple") < 1
    t = r.table
    fields = t[t.measure == "tuple_field_agreement"].set_index("family").value
    assert fields["resource"] == 1.0
    assert fields["stage"] < 1.0
    assert _value(r, "edge_jaccard", "edges") < 1.0
    assert "Stage" in set(agreement_flags(r).family)
    assert "Resource" not in set(agreement_flags(r).family)


def test_two_users_in_one_project(founding, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Export the case, then add a second user who re-coded every selection (half with another stage)."""
    src = write_qdpx(founding, tmp_path / "one.qdpx")
    with zipfile.ZipFile(src) as z:
        files = {n: z.read(n) for n in z.namelist()}
    ns = "urn:QDA-XML:project:1.0"
    root = etree.fromstring(files["project.qde"])
    q = lambda t: f"{{{ns}}}{t}"  # noqa: E731
    user2 = "11111111-2222-4333-8444-555555555555"
    etree.SubElement(root.find(q("Users")), q("User"), guid=user2, name="second")
    stage_guids = {}
    for code in root.iter(q("Code")):
        if code.get("name") in ("Contracting", "Implementation", "Closing"):
            stage_guids[code.get("guid")] = code.get("name")
    by_name = {v: k for k, v in stage_guids.items()}
    counter = 0
    for source in root.iter(q("TextSource")):
        for sel in list(source.findall(q("PlainTextSelection"))):
            twin = copy.deepcopy(sel)
            counter += 1
            twin.set("guid", f"99999999-0000-4000-8000-{counter:012d}")
            twin.set("creatingUser", user2)
            for k, cod in enumerate(twin.findall(q("Coding"))):
                cod.set("guid", f"88888888-{counter % 10000:04d}-4000-8000-{k:012d}")
                cod.set("creatingUser", user2)
                ref = cod.find(q("CodeRef"))
                if ref.get("targetGUID") in stage_guids and counter % 2 == 0:
                    ref.set(
                        "targetGUID",
                        by_name[
                            "Closing"
                            if stage_guids[ref.get("targetGUID")] != "Closing"
                            else "Contracting"
                        ],
                    )
            sel.addnext(twin)
    files["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    two = tmp_path / "two.qdpx"
    with zipfile.ZipFile(two, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    coders = coder_data_from_project(str(two))
    assert [c.name for c in coders] == ["resdep", "second"]
    assert all(c.case is not None and len(c.case.codings) == len(founding.codings) for c in coders)
    r = agreement(coders)
    assert _value(r, "krippendorff_alpha", "Dependent") == 1.0
    assert _value(r, "krippendorff_alpha", "Stage") < 0.667
    one = coder_data_from_case(founding)
    with pytest.raises(ValueError, match="two or more"):
        agreement([one])
