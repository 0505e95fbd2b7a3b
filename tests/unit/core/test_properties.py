"""Invariants over random cases (Hypothesis): ranges, seeds, order, triangulation."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resdep.case import Actor, Case, Informant, Source, parse_codings
from resdep.pipeline import analyze
from resdep.vocab import ActorKind, CaseSourceKind

ACTORS = (
    Actor(id="agency", kind=ActorKind.SOCIAL_WORK_AGENCY),
    Actor(id="street", kind=ActorKind.STREET_OFFICE),
    Actor(id="bureau", kind=ActorKind.CIVIL_AFFAIRS_BUREAU),
    Actor(id="nc", kind=ActorKind.NEIGHBORHOOD_COMMITTEE),
)
INFORMANTS = (
    Informant(id="I1", organisation="agency"),
    Informant(id="I2", organisation="street"),
    Informant(id="I3", organisation="bureau"),
)
TEXT = "社" * 400
SOURCES = (
    Source(id="S1", path="S1.txt", kind=CaseSourceKind.INTERVIEW, text=TEXT, informant="I1"),
    Source(id="S2", path="S2.txt", kind=CaseSourceKind.INTERVIEW, text=TEXT, informant="I2"),
    Source(id="S3", path="S3.txt", kind=CaseSourceKind.INTERVIEW, text=TEXT, informant="I3"),
    Source(id="D1", path="D1.txt", kind=CaseSourceKind.DOCUMENT, text=TEXT),
    Source(id="F1", path="F1.txt", kind=CaseSourceKind.FIELDNOTE, text=TEXT),
)
BASE = Case(id="prop", actors=ACTORS, informants=INFORMANTS, sources=SOURCES)
HEADER = "source,start,end,quote,kind,stage,dependent,provider,resource,dimension,actor,value,intensity,evidence,note"
PAIRS = [
    ("agency", "street"),
    ("street", "agency"),
    ("agency", "bureau"),
    ("bureau", "agency"),
    ("nc", "agency"),
    ("agency", "nc"),
]

dependence_row = st.builds(
    lambda src, start, stage, pair, res, dim, inten, ev: (
        f"{src},{start},{start + 3},,dependence,{stage},{pair[0]},{pair[1]},{res},{dim},,,{inten},{ev},"
    ),
    st.sampled_from(["S1", "S2", "S3", "D1", "F1"]),
    st.integers(0, 390),
    st.sampled_from(["contracting", "implementation", "closing"]),
    st.sampled_from(PAIRS),
    st.sampled_from(
        ["economic", "political_legitimacy", "social_legitimacy", "professional", "path_dependence"]
    ),
    st.sampled_from(["importance", "alternatives", "discretion"]),
    st.integers(0, 3),
    st.sampled_from(["", "second_hand"]),
).filter(lambda r: not (r.startswith(("D1", "F1")) and r.endswith("second_hand,")))
other_row = st.one_of(
    st.builds(
        lambda a, v, i: f"S1,0,2,,philosophy,,,,,,{a},{v},{i},,",
        st.sampled_from(["street", "bureau", "nc"]),
        st.sampled_from(["cooperative", "official"]),
        st.integers(0, 3),
    ),
    st.builds(
        lambda a, v, i: f"S2,5,9,,goal,,,,,,{a},{v},{i},,",
        st.sampled_from(["agency", "street", "bureau"]),
        st.sampled_from(
            [
                "resident_benefit",
                "service_quality",
                "trouble_free_completion",
                "organisational_survival",
            ]
        ),
        st.integers(0, 3),
    ),
)
rows_strategy = st.lists(
    st.one_of(dependence_row, dependence_row, other_row), min_size=1, max_size=25
).filter(lambda rows: any(",dependence," in r for r in rows))


def case_of(rows: list[str]) -> Case:
    data = ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")
    return dataclasses.replace(BASE, codings=parse_codings(data, BASE))


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(rows_strategy)
def test_everything_is_in_the_unit_interval(rows: list[str]) -> None:
    result = analyze(case_of(rows), draws=60, seed=1, influence=False)
    for frame, cols in (
        (result.inputs, ["importance", "alternatives", "discretion", "d"]),
        (result.stages, ["d_ag", "d_ga", "md", "pi", "md_min"]),
        (
            result.relationships,
            [
                "mu_partnership",
                "mu_buddy",
                "p_partnership",
                "p_buddy",
                "p_transactional",
                "ri",
                "gp",
                "ia",
                "dep",
            ],
        ),
    ):
        values = frame[cols].to_numpy(float)
        # P columns are empty (NaN) exactly for undetermined dyads; all else is in [0, 1]
        finite = values[np.isfinite(values)]
        assert np.all((finite >= 0) & (finite <= 1)), (cols, values)
    rel = result.relationships
    undetermined = rel.label == "undetermined"
    assert (undetermined == (rel.missing_evidence != "")).all()
    assert np.isfinite(rel[["mu_partnership", "mu_buddy", "ri", "gp", "ia", "dep"]]).all().all()
    p_cols = rel[["p_partnership", "p_buddy", "p_transactional", "p_label"]]
    assert p_cols[undetermined].isna().all().all()
    assert np.isfinite(p_cols[~undetermined].to_numpy(float)).all()
    assert not rel.settled[undetermined].any()
    assert np.all(np.abs(result.stages["pa"]) <= 1)
    si = result.stage_intervals
    assert len(si) == len(result.stages)
    assert np.all((si.pa_lo <= si.pa_hi) & (si.pa_lo >= -1) & (si.pa_hi <= 1))
    assert np.all((si.p_state >= 0) & (si.p_state <= 1))
    probs = rel[~undetermined][["p_partnership", "p_buddy", "p_transactional"]].sum(axis=1)
    np.testing.assert_allclose(probs, 1.0)


@FAST
@given(rows_strategy, st.integers(1, 80), st.floats(0.5, 1.0))
def test_settled_only_when_modal_and_probable(rows: list[str], draws: int, thr: float) -> None:
    case = case_of(rows)
    case = dataclasses.replace(
        case, parameters=case.parameters.with_overrides({"settle_threshold": thr})
    )
    result = analyze(case, draws=draws, seed=3, influence=False)
    rel = result.relationships
    # settled is false whenever the label is not the modal label of the draws
    assert not rel.settled[rel.label != rel.modal_label].any()
    assert not rel.settled[rel.p_label < thr].any()
    determined = rel[rel.label != "undetermined"]
    probs = determined[["p_partnership", "p_buddy", "p_transactional"]].to_numpy(float)
    modal = np.array(["partnership", "buddy", "transactional"])[probs.argmax(axis=1)]
    assert (determined.modal_label.to_numpy() == modal).all()
    expect = (determined.label == determined.modal_label) & (determined.p_label >= thr)
    assert (determined.settled == expect).all()
    st_ = result.stages
    si = result.stage_intervals
    assert not st_.settled[si.modal_state != st_.state].any()
    assert not st_.settled[st_.p_state < thr].any()


@FAST
@given(rows_strategy, st.integers(0, 2**31))
def test_same_seed_same_output(rows: list[str], seed: int) -> None:
    case = case_of(rows)
    a, b = analyze(case, draws=50, seed=seed), analyze(case, draws=50, seed=seed)
    pd.testing.assert_frame_equal(a.influence, b.influence)
    for name in ("inputs", "stages", "relationships", "diagnostics"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


@FAST
@given(rows_strategy, st.randoms(use_true_random=False))
def test_permuting_coding_rows_changes_nothing(rows: list[str], rnd: random.Random) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a = analyze(case_of(rows), draws=50, seed=7, influence=False)
    b = analyze(case_of(shuffled), draws=50, seed=7, influence=False)
    for name in ("inputs", "stages", "relationships", "diagnostics"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


@FAST
@given(rows_strategy, st.data())
def test_a_supporting_record_never_lowers_triangulation(
    rows: list[str], data: st.DataObject
) -> None:
    before = analyze(case_of(rows), draws=0).inputs
    target = data.draw(st.integers(0, len(before) - 1))
    t = before.iloc[target]
    src = data.draw(st.sampled_from(["S1", "S2", "S3", "D1", "F1"]))
    dim = data.draw(st.sampled_from(["importance", "alternatives", "discretion"]))
    extra = f"{src},1,4,,dependence,{t.stage},{t.dependent},{t.provider},{t.resource},{dim},,,2,,"
    after = analyze(case_of([*rows, extra]), draws=0).inputs
    key = ["dependent", "provider", "resource", "stage"]
    merged = before.merge(after, on=key, suffixes=("_before", "_after"))
    assert len(merged) == len(before)
    assert (merged.triangulation_after >= merged.triangulation_before).all()
    row = merged[(merged[key] == t[key]).all(axis=1)].iloc[0]
    assert row.n_records_after == row.n_records_before + 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.lists(st.integers(0, 50), min_size=3, max_size=3)),
        min_size=1,
        max_size=20,
    ),
    st.floats(0.5, 1.0),
)
def test_settled_rule_on_arbitrary_probabilities(
    rows: list[tuple[int, list[int]]], threshold: float
) -> None:
    from resdep.pipeline import _settled

    counts = np.array([c for _, c in rows], dtype=float) + np.eye(3)[[p for p, _ in rows]]
    probs = counts / counts.sum(axis=1, keepdims=True)
    point = np.array([p for p, _ in rows])
    p_label, modal, settled = _settled(point, probs, threshold)
    assert (modal == probs.argmax(axis=1)).all()
    np.testing.assert_allclose(p_label, probs[np.arange(len(rows)), point])
    assert not settled[modal != point].any()  # never settled unless it is the modal label
    assert not settled[p_label < threshold].any()
    assert (settled == ((modal == point) & (p_label >= threshold))).all()
