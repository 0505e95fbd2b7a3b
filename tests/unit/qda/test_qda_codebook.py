"""The canonical codebook: recognition, fixed GUIDs, the shipped .qdc files, schema validity."""

from __future__ import annotations

import re

import pytest
import xmlschema
from lxml import etree
from qda_builders import REPO, XSD

from resdep.qda.codebook import (
    CODEBOOK_NS,
    CanonicalCode,
    canonical_codes,
    code_guid,
    code_path,
    codebook_xml,
    recognise,
)
from resdep.vocab import (
    ActorKind,
    Dimension,
    EvidenceType,
    Goal,
    Philosophy,
    Problem,
    Resource,
    Stage,
    Strategy,
)

SHIPPED = REPO / "src" / "resdep" / "data" / "codebook"


def _codebook_schema() -> xmlschema.XMLSchema:
    """The codebook schema of REFI-QDA §5.2: the project XSD's CodeType and SetType under a
    CodeBook root (Codes, optional Sets, @origin), in the codebook namespace."""
    text = XSD.read_text(encoding="utf-8")
    text = text.replace("urn:QDA-XML:project:1.0", CODEBOOK_NS)
    text = re.sub(
        r'<xsd:element name="Project" type="ProjectType">',
        '<xsd:element name="CodeBook" type="QdcCodeBookType">',
        text,
    )
    qdc_type = (
        '<xsd:complexType name="QdcCodeBookType"><xsd:sequence>'
        '<xsd:element name="Codes" type="CodesType"/>'
        '<xsd:element name="Sets" type="SetsType" minOccurs="0"/>'
        '</xsd:sequence><xsd:attribute name="origin" type="xsd:string"/></xsd:complexType>'
    )
    text = text.replace(
        "<!-- ===== Type Definitions ===== -->",
        "<!-- ===== Type Definitions ===== -->" + qdc_type,
        1,
    )
    return xmlschema.XMLSchema(text)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("Stage", "Implementation"), ("Stage", "implementation")),
        (("阶段", "执行"), ("Stage", "implementation")),
        (("resdep", "Resource", "PoliticalLegitimacy"), ("Resource", "political_legitimacy")),
        (("资源", "政治合法性"), ("Resource", "political_legitimacy")),
        (("Dimension", "alternatives"), ("Dimension", "alternatives")),
        (("维度", "支配权"), ("Dimension", "discretion")),
        (("强度", "3"), ("Intensity", "3")),
        (("Evidence", "SecondHand"), ("Evidence", "second_hand")),
        (("依赖方", "street"), ("Dependent", "street")),
        (("Provider: bureau",), ("Provider", "bureau")),
        (("目标", "居民受益"), ("Goal", "resident_benefit")),
        (("Problem", "Formalization"), ("Problem", "formalization")),
    ],
)
def test_recognise(path: tuple[str, ...], expected: tuple[str, str]) -> None:
    found = recognise(path)
    assert found is not None
    assert (found.group, found.value) == expected


@pytest.mark.parametrize(
    "path",
    [
        ("Stage",),
        ("Stage", "Bidding"),
        ("Intensity", "7"),
        ("Feelings", "Happy"),
        ("1. Oltás típusa", "COVID"),
    ],
)
def test_not_recognised(path: tuple[str, ...]) -> None:
    assert recognise(path) is None


def test_every_term_round_trips_in_both_languages() -> None:
    for code in canonical_codes():
        for lang in ("en", "zh"):
            assert recognise(code_path(code, lang)) == code
    vocab = [Stage, Resource, Dimension, Philosophy, Goal, Problem, Strategy, EvidenceType]
    assert len(canonical_codes()) == sum(len(v) for v in vocab) + 4  # + Intensity 0..3


def test_guids_are_fixed_and_language_free() -> None:
    en = etree.fromstring(codebook_xml("en"))
    zh = etree.fromstring(codebook_xml("zh"))
    guids_en = [c.get("guid") for c in en.iter(f"{{{CODEBOOK_NS}}}Code")]
    guids_zh = [c.get("guid") for c in zh.iter(f"{{{CODEBOOK_NS}}}Code")]
    assert guids_en == guids_zh
    assert len(set(guids_en)) == len(guids_en)
    assert code_guid(CanonicalCode(group="Stage", value="closing")) in guids_en
    names_zh = {c.get("name") for c in zh.iter(f"{{{CODEBOOK_NS}}}Code")}
    assert {"阶段", "立项", "专业服务资源", "强度"} <= names_zh


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_shipped_codebooks_are_current_and_valid(lang: str) -> None:
    shipped = (SHIPPED / f"resdep-codebook-{lang}.qdc").read_bytes()
    assert shipped == codebook_xml(lang)  # regenerate with: resdep codebook --lang {lang} --out ...
    assert shipped.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    _codebook_schema().validate(shipped.decode("utf-8"))


def test_codebook_with_actors_is_valid() -> None:
    from resdep.case.model import Actor

    actors = [
        Actor(id="street", kind=ActorKind.STREET_OFFICE, name_zh="L街道"),
        Actor(id="agency", kind=ActorKind.SOCIAL_WORK_AGENCY),
    ]
    xml = codebook_xml("zh", actors=actors)
    _codebook_schema().validate(xml.decode("utf-8"))
    root = etree.fromstring(xml)
    actor_codes = [c for c in root.iter(f"{{{CODEBOOK_NS}}}Code") if c.get("name") == "street"]
    assert len(actor_codes) == 3  # under Dependent, Provider and Actor
    descriptions = [c.findtext(f"{{{CODEBOOK_NS}}}Description") or "" for c in actor_codes]
    assert any('kind = "street_office"' in d for d in descriptions)


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="language"):
        codebook_xml("fr")
