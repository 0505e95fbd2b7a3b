"""The Monte Carlo: IA is drawn, and the leave-one-out of codings matches a reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from resdep import analyze, load_case
from resdep.classify import LABEL_ORDER
from resdep.data import founding_case_path
from resdep.evidence import build_records
from resdep.pipeline import (
    _draw,
    _DyadEvidence,
    _dyads,
    _goal_betas,
    _goal_vectors,
    _inputs,
    _p_label_of,
    _philosophy,
)
from resdep.vocab import Label, RecordKind


@pytest.fixture(scope="module")
def founding():  # type: ignore[no-untyped-def]
    case = load_case(founding_case_path())
    return case, build_records(case)


def test_ia_is_drawn_around_its_point_estimate(founding) -> None:  # type: ignore[no-untyped-def]
    case, records = founding
    params = case.parameters
    inputs, beta, _ = _inputs(case, records, params)
    dyads = _dyads(case, inputs)
    vectors = _goal_vectors(records)
    drawn = _draw(
        dyads,
        inputs,
        beta,
        _philosophy(case, records, params),
        vectors,
        _goal_betas(records, params),
        params,
        np.random.default_rng(0),
        3000,
    )
    k = dyads.index(("agency", "bureau"))
    u, v = vectors["agency"], vectors["bureau"]
    point = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
    ia = drawn.ia[:, k]
    assert ia.std() > 0.01  # no longer held at its estimate
    assert abs(float(np.median(ia)) - point) < 0.1
    # a dyad whose side has no goal records keeps the neutral 0.5 (and is undetermined)
    k_c = dyads.index(("agency", "nc_c"))
    assert (drawn.ia[:, k_c] == 0.5).all()


def test_partnership_range_is_not_capped_at_the_point_mu_ia(founding) -> None:  # type: ignore[no-untyped-def]
    case, _ = founding
    rel = analyze(case, draws=500, influence=False).relationships.set_index("government")
    bureau = rel.loc["bureau"]
    mu_ia = 1 / (1 + np.exp(-3 * (bureau.ia - 0.5) / 0.3))
    # with IA held fixed, μ_partnership ≤ μ_IA in every draw; drawn, the 95th can exceed it
    # (measured 2026-11-30: μ_IA = 0.915 at the point estimate, 95th percentile 0.938)
    assert bureau.mu_partnership_hi > mu_ia


@pytest.mark.parametrize(("government", "label"), [("street", "buddy"), ("bureau", "partnership")])
def test_quick_leave_one_out_equals_the_reference(founding, government: str, label: str) -> None:  # type: ignore[no-untyped-def]
    """_DyadEvidence re-estimates only what a left-out record touches; _p_label_of rebuilds
    the inputs from the remaining records with the pipeline's own functions. Same seed,
    same draw order: the two must agree exactly."""
    case, records = founding
    relevant = [
        r
        for r in records
        if (
            r.kind is RecordKind.DEPENDENCE
            and {r.coding.dependent, r.coding.provider} == {"agency", government}
        )
        or (r.kind is RecordKind.PHILOSOPHY and r.coding.actor == government)
        or (r.kind is RecordKind.GOAL and r.coding.actor in ("agency", government))
    ]
    code = LABEL_ORDER.index(Label(label))
    quick = _DyadEvidence(case, relevant, "agency", government, case.parameters)
    kinds = {r.kind for r in relevant}
    assert kinds == {RecordKind.DEPENDENCE, RecordKind.PHILOSOPHY, RecordKind.GOAL}
    for i in [None, *range(0, len(relevant), 4)]:
        rest = relevant if i is None else [*relevant[:i], *relevant[i + 1 :]]
        assert quick.p_label(code, 150, leave_out=i) == _p_label_of(
            case, rest, "agency", government, code, case.parameters, 150
        ), i


CASE_TOML = """
[case]
id = "loo"

[[actor]]
id = "agency"
kind = "social_work_agency"

[[actor]]
id = "street"
kind = "street_office"

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
"""
CODINGS = """source,start,end,quote,kind,stage,dependent,provider,resource,dimension,actor,value,intensity,evidence,note
ia,0,2,,dependence,contracting,agency,street,economic,importance,,,3,,
is,10,12,,philosophy,,,,,,street,official,3,,
ia,14,16,,goal,,,,,,agency,service_quality,3,,
is,14,16,,goal,,,,,,street,service_quality,3,,
"""


def test_leaving_out_the_only_philosophy_record_makes_p_zero(tmp_path: Path) -> None:
    root = tmp_path / "case"
    (root / "sources").mkdir(parents=True)
    (root / "case.toml").write_text(CASE_TOML, encoding="utf-8")
    for name in ("ia", "is"):
        (root / "sources" / f"{name}.txt").write_text("文" * 50, encoding="utf-8")
    (root / "codings.csv").write_text(CODINGS, encoding="utf-8")
    result = analyze(load_case(root), draws=100)
    assert result.relationships.iloc[0].label == "transactional"
    inf = result.influence
    # the label rests on the one philosophy row (row 2): without it the dyad is
    # undetermined, so P(transactional) drops to 0; likewise each side's only goal row
    assert set(inf.row) >= {2}
    for r in inf.itertuples():
        if r.row in (2, 3, 4):
            assert r.p_label_without == 0.0
            assert r.change == -r.p_label_all
