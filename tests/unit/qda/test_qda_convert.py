"""From projects coded in other programs to resdep cases: segments, records, mapping, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from qda_builders import NVIVO, codes, g, qde, selection, text_source, users, write_qdpx

from resdep import load_case
from resdep.errors import QdaFormatError
from resdep.qda import import_qdpx, load_mapping, load_qdpx_case, read_qdpx
from resdep.qda.codebook import CanonicalCode
from resdep.qda.convert import project_segments, segment_records
from resdep.vocab import ActorKind, Dimension, EvidenceType, RecordKind, Resource, Stage

TEXT = "我们的钱全靠街道。街道也离不开我们的社工。"
# code numbers: 100.. in the order given
CODES = [
    "Stage/Contracting",  # 100
    "Dependent/agency",  # 101
    "Provider/street",  # 102
    "Resource/Economic",  # 103
    "Dimension/Importance",  # 104
    "Intensity/3",  # 105
    "Actor/agency",  # 106
    "Actor/street",  # 107
    "Stage/Implementation",  # 108
    "Intensity/2",  # 109
]
KINDS = {
    "Actor/agency": 'kind = "social_work_agency"\nname_zh = "M社工"',
    "Actor/street": 'kind = "street_office"',
}


def _codebook(with_kinds: bool) -> str:
    return codes(*CODES, descriptions=KINDS if with_kinds else None)


def _project(
    tmp_path: Path, sels: str, *, with_kinds: bool = True, extra: str = "", name: str = "p.qdpx"
) -> Path:
    body = (
        users(1, 2)
        + _codebook(with_kinds)
        + extra
        + "<Sources>"
        + text_source(10, "S1", sels)
        + "</Sources>"
    )
    return write_qdpx(
        tmp_path / name,
        qde(body, origin="NVivo for Windows 12.6"),
        {f"Sources/{g(10)}.txt": TEXT.encode("utf-8-sig")},
    )


def test_nvivo_style_single_code_selections_merge(tmp_path: Path) -> None:
    # NVivo writes one selection per code over the same stretch of text
    sels = "".join(selection(k, 0, 9, [c]) for k, c in enumerate([100, 101, 102, 103, 104, 105]))
    case, report = import_qdpx(_project(tmp_path, sels))
    (c,) = case.codings
    assert (c.kind, c.stage, c.dependent, c.provider, c.resource, c.dimension, c.intensity) == (
        RecordKind.DEPENDENCE,
        Stage.CONTRACTING,
        "agency",
        "street",
        Resource.ECONOMIC,
        Dimension.IMPORTANCE,
        3,
    )
    assert c.quote == "我们的钱全靠街道。"
    assert c.evidence is EvidenceType.DOCUMENT
    assert case.actor("agency").kind is ActorKind.SOCIAL_WORK_AGENCY
    assert case.actor("agency").name_zh == "M社工"
    assert report.records == 1
    assert report.segments == 1


def test_complete_selections_stay_apart(tmp_path: Path) -> None:
    """Two complete judgements on the same text (one per selection) are two records."""
    sels = selection(1, 0, 9, [100, 101, 102, 103, 104, 105]) + selection(
        2, 0, 9, [108, 101, 102, 103, 104, 109]
    )
    case, _ = import_qdpx(_project(tmp_path, sels))
    assert [(c.stage, c.intensity) for c in case.codings] == [
        (Stage.CONTRACTING, 3),
        (Stage.IMPLEMENTATION, 2),
    ]


def test_two_intensities_on_one_segment_is_an_error(tmp_path: Path) -> None:
    sels = "".join(
        selection(k, 0, 9, [c]) for k, c in enumerate([100, 101, 102, 103, 104, 105, 109])
    )
    with pytest.raises(QdaFormatError, match="2 Intensity codes") as info:
        import_qdpx(_project(tmp_path, sels))
    assert "'S1'" in str(info.value)
    assert "one intensity per segment" in str(info.value)


def test_incomplete_segments_are_reported(tmp_path: Path) -> None:
    sels = selection(1, 0, 9, [100, 101, 102, 103, 104, 105]) + selection(2, 9, 21, [100, 103])
    case, report = import_qdpx(_project(tmp_path, sels))
    assert len(case.codings) == 1
    assert len(report.incomplete) == 1
    assert "needs Dependent, Provider, Dimension, Intensity" in report.incomplete[0]


def test_missing_actor_kind_says_how_to_give_it(tmp_path: Path) -> None:
    sels = selection(1, 0, 9, [100, 101, 102, 103, 104, 105])
    p = _project(tmp_path, sels, with_kinds=False)
    with pytest.raises(QdaFormatError, match="kind of actors 'agency', 'street'") as info:
        import_qdpx(p)
    assert "[actors]" in str(info.value)
    assert "description of the code Actor/agency" in str(info.value)
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[actors]\nagency = { kind = "social_work_agency" }\nstreet = { kind = "street_office" }\n',
        encoding="utf-8",
    )
    case, _ = import_qdpx(p, mapping=mapping)
    assert [a.id for a in case.actors] == ["agency", "street"]
    # a mapping beside the project is found by its name
    (tmp_path / "p.toml").write_text(mapping.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_qdpx_case(p).actor("street").kind is ActorKind.STREET_OFFICE


def test_mapping_of_own_codes_and_coder(tmp_path: Path) -> None:
    body = (
        users(1, 2)
        + codes("Phase/Bidding", "Who/Agency needs street money", "Strength/Strong", "Memo/Later")
        + f'<Variables><Variable guid="{g(60)}" name="organisation" typeOfVariable="Text"/></Variables>'
        + f'<Cases><Case guid="{g(70)}" name="Director Li"><VariableValue><VariableRef targetGUID="{g(60)}"/>'
        f'<TextValue>agency</TextValue></VariableValue><SourceRef targetGUID="{g(10)}"/></Case></Cases>'
        + "<Sources>"
        + text_source(
            10,
            "Interview Li",
            selection(1, 0, 9, [100, 101, 102, 103], user=1)
            + selection(2, 9, 21, [100, 101], user=2),
        )
        + "</Sources>"
    )
    p = write_qdpx(tmp_path / "own.qdpx", qde(body), {f"sources/{g(10)}.txt": TEXT.encode("utf-8")})
    m = tmp_path / "map.toml"
    m.write_text(
        """
[case]
id = "own"
[codes]
"Phase/Bidding" = "Stage/Contracting"
"Who/Agency needs street money" = ["Dependent/agency", "Provider/street", "Resource/Economic", "Dimension/Importance"]
"Strength/Strong" = "强度/3"
"Memo/Later" = ""
[actors]
agency = { kind = "social_work_agency" }
street = { kind = "street_office" }
[informants]
"Director Li" = { id = "I01", role = "director" }
[sources]
"Interview Li" = { id = "S01", language = "zh" }
""",
        encoding="utf-8",
    )
    mapping = load_mapping(m)
    case, report = import_qdpx(p, mapping=mapping)
    assert case.id == "own"
    assert [s.id for s in case.sources] == ["S01"]
    assert case.informants[0].id == "I01"
    assert case.informants[0].organisation == "agency"
    assert case.sources[0].informant == "I01"
    assert case.sources[0].kind.value == "interview"
    assert len(case.codings) == 1  # coder 2's segment lacks an intensity
    assert case.codings[0].evidence is EvidenceType.DIRECT
    assert "Memo/Later" not in report.ignored_codes  # mapped to nothing, not unknown
    with pytest.raises(QdaFormatError, match="no complete resdep records"):
        import_qdpx(p, mapping=mapping, coder="coder2")
    with pytest.raises(QdaFormatError, match="no user 'nobody'"):
        import_qdpx(p, mapping=mapping, coder="nobody")


def test_chinese_paths_and_other_records(tmp_path: Path) -> None:
    zh = [
        "治理理念/官本位理念",
        "行动者/street",
        "强度/2",
        "目标/居民受益",
        "问题/关系型购买",
        "策略/亏本项目求生存",
        "行动者/agency",
    ]
    body = (
        users(1)
        + codes(*zh)
        + "<Sources>"
        + text_source(
            10,
            "S1",
            selection(1, 0, 9, [100, 101, 102, 103]) + selection(2, 9, 21, [104, 105, 106]),
        )
        + "</Sources>"
    )
    p = write_qdpx(tmp_path / "zh.qdpx", qde(body), {f"sources/{g(10)}.txt": TEXT.encode("utf-8")})
    m = tmp_path / "zh.toml"
    m.write_text(
        '[actors]\nstreet = { kind = "street_office" }\nagency = { kind = "social_work_agency" }\n',
        encoding="utf-8",
    )
    case, _ = import_qdpx(p, mapping=m)
    kinds = sorted((c.kind.value, c.value or "") for c in case.codings)
    assert kinds == [
        ("goal", "resident_benefit"),
        ("philosophy", "official"),
        ("problem", "relational_purchase"),
        ("strategy", "survive_loss_making"),
    ]


def test_segment_records_pairs_one_multi_valued_group() -> None:
    base = [
        ("Stage", "closing"),
        ("Dependent", "agency"),
        ("Provider", "street"),
        ("Dimension", "importance"),
        ("Intensity", "2"),
    ]
    codes_ = [
        CanonicalCode(group=gr, value=v)
        for gr, v in [*base, ("Resource", "economic"), ("Resource", "performance")]
    ]
    recs = segment_records(codes_)
    assert sorted(r["resource"] for r in recs) == ["economic", "performance"]
    assert all(r["intensity"] == "2" for r in recs)


def test_nvivo_file_has_no_resdep_codes() -> None:
    with pytest.raises(QdaFormatError, match="no resdep codes") as info:
        import_qdpx(NVIVO)
    assert "mapping" in str(info.value)
    assert project_segments(read_qdpx(NVIVO)) == []


def test_load_case_reads_qdpx(tmp_path: Path) -> None:
    sels = "".join(selection(k, 0, 9, [c]) for k, c in enumerate([100, 101, 102, 103, 104, 105]))
    case = load_case(_project(tmp_path, sels), overrides={"draws": 10})
    assert case.parameters.draws == 10
    assert len(case.codings) == 1


def test_nvivo_file_with_a_mapping(tmp_path: Path) -> None:
    """The real NVivo export goes all the way to a case once its codes are mapped."""
    import zipfile

    from lxml import etree

    code_path = "Attituderoots/2. Distrust/+Government"
    m = tmp_path / "nvivo.toml"
    m.write_text(
        f'[case]\nid = "nvivo"\n[actors]\nagency = {{ kind = "social_work_agency" }}\n'
        f'[codes]\n"{code_path}" = "Problem/LackOfAutonomy"\n',
        encoding="utf-8",
    )
    case, report = import_qdpx(NVIVO, mapping=m)
    # independent reference from the raw XML: distinct (span, coder) with that code
    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(NVIVO) as z:
        root = etree.fromstring(z.read("project.qde"))
        raw_text = z.read(next(n for n in z.namelist() if n.endswith(".txt") and "68bbdc14" in n))
    top = root.find("q:CodeBook/q:Codes/q:Code[@name='Attituderoots']", ns)
    guid = top.find("q:Code[@name='2. Distrust']/q:Code[@name='+Government']", ns).get("guid")
    spans = set()
    for sel in root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection"):
        for cod in sel.findall("q:Coding", ns):
            if cod.find("q:CodeRef", ns).get("targetGUID") == guid:
                spans.add(
                    (
                        int(sel.get("startPosition")),
                        int(sel.get("endPosition")),
                        cod.get("creatingUser"),
                    )
                )
    assert len(case.codings) == len(spans) == 27
    utf16 = raw_text.decode("utf-8-sig").encode("utf-16-le")
    expected = sorted(utf16[2 * s : 2 * e].decode("utf-16-le") for s, e, _ in spans)
    assert sorted(c.quote for c in case.codings) == expected
    assert {c.value for c in case.codings} == {"lack_of_autonomy"}
    assert report.selections == 330
    assert any("utf16" in summary for _, summary in report.offsets)


def test_unknown_parent_and_bad_kind(tmp_path: Path) -> None:
    sels = selection(1, 0, 9, [100, 101, 102, 103, 104, 105])
    p = _project(tmp_path, sels, with_kinds=False)
    m = tmp_path / "m.toml"
    m.write_text(
        '[actors]\nagency = { kind = "social_work_agency", parent = "stret" }\nstreet = { kind = "street_office" }\n',
        encoding="utf-8",
    )
    with pytest.raises(QdaFormatError, match="parent 'stret'") as info:
        import_qdpx(p, mapping=m)
    assert "did you mean 'street'" in str(info.value)
    m.write_text(
        '[actors]\nagency = { kind = "agency" }\nstreet = { kind = "street_office" }\n',
        encoding="utf-8",
    )
    with pytest.raises(QdaFormatError, match="unknown actor kind 'agency'"):
        import_qdpx(p, mapping=m)
