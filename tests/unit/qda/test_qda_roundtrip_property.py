"""Export then import gives back the same case, for random cases (emoji, CRLF, control characters)."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resdep.case import Actor, Case, Coding, Informant, Source, load_case
from resdep.parameters import AnalysisParams
from resdep.qda import import_qdpx, write_case_folder, write_qdpx
from resdep.vocab import (
    ActorKind,
    CaseSourceKind,
    Dimension,
    EvidenceType,
    Goal,
    Problem,
    RecordKind,
    Resource,
    Stage,
)

ACTORS = (
    Actor(id="agency", kind=ActorKind.SOCIAL_WORK_AGENCY, name="M agency", name_zh="M社工"),
    Actor(id="street", kind=ActorKind.STREET_OFFICE, name_zh="L街道"),
    Actor(id="bureau", kind=ActorKind.CIVIL_AFFAIRS_BUREAU, parent=None),
)
PIECES = ["街道", "社工", "钱", "。", "😀", "𠀀", "\r\n", "\n", " ", "ab", "\x0c", "“好”"]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    texts = [
        draw(st.lists(st.sampled_from(PIECES), min_size=5, max_size=40).map("".join))
        for _ in range(2)
    ]
    sources = (
        Source(
            id="S1",
            path="sources/S1.txt",
            kind=CaseSourceKind.INTERVIEW,
            text=texts[0],
            informant="I1",
        ),
        Source(
            id="D1",
            path="sources/D1.txt",
            kind=CaseSourceKind.DOCUMENT,
            text=texts[1],
            language="zh",
        ),
    )
    codings = []
    for row in range(1, draw(st.integers(1, 8)) + 1):
        src = draw(st.sampled_from(sources))
        start = draw(st.integers(0, len(src.text) - 1))
        end = draw(st.integers(start + 1, len(src.text)))
        kind = draw(st.sampled_from([RecordKind.DEPENDENCE, RecordKind.GOAL, RecordKind.PROBLEM]))
        default = (
            EvidenceType.DIRECT if src.kind is CaseSourceKind.INTERVIEW else EvidenceType.DOCUMENT
        )
        evidence = draw(st.sampled_from([default, EvidenceType.SECOND_HAND]))
        fields: dict[str, object] = {}
        if kind is RecordKind.DEPENDENCE:
            dep, prov = draw(st.permutations([a.id for a in ACTORS]))[:2]
            fields = {
                "stage": draw(st.sampled_from(list(Stage))),
                "dependent": dep,
                "provider": prov,
                "resource": draw(st.sampled_from(list(Resource))),
                "dimension": draw(st.sampled_from(list(Dimension))),
            }
        elif kind is RecordKind.GOAL:
            fields = {
                "actor": draw(st.sampled_from([a.id for a in ACTORS])),
                "value": draw(st.sampled_from(list(Goal))).value,
            }
        else:
            fields = {
                "value": draw(st.sampled_from(list(Problem))).value,
                "stage": draw(st.sampled_from([None, *Stage])),
            }
        codings.append(
            Coding(
                row=row,
                source=src.id,
                start=start,
                end=end,
                quote=src.text[start:end],
                kind=kind,
                evidence=evidence,
                intensity=draw(st.integers(0, 3)),
                note=draw(st.sampled_from(["", "memo: 重要", "two\nlines"])),
                **fields,  # type: ignore[arg-type]
            )
        )
    return Case(
        id="prop",
        title=draw(st.sampled_from(["", "A case", "案例"])),
        actors=ACTORS,
        informants=(Informant(id="I1", organisation="agency", role="director"),),
        sources=sources,
        codings=tuple(codings),
        parameters=AnalysisParams().with_overrides({"theta_d": draw(st.sampled_from([0.5, 0.6]))}),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), lang=st.sampled_from(["en", "zh"]))
def test_export_import_is_lossless(case: Case, lang: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = write_qdpx(case, Path(tmp) / "p.qdpx", lang=lang)
        back, report = import_qdpx(out)
        folder = load_case(write_case_folder(back, Path(tmp) / "folder"))

    def plain(c: Case) -> Case:
        return dataclasses.replace(
            c, root=None, sources=tuple(dataclasses.replace(s, encoding="utf-8") for s in c.sources)
        )

    assert plain(back) == case
    assert not report.misfits
    assert plain(folder) == case
