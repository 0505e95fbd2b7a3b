"""Vocabulary: every Chinese form of the design is accepted; near-misses get a suggestion."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from resdep.errors import VocabularyError
from resdep.vocab import (
    ActorKind,
    Label,
    Resource,
    Stage,
    parse,
    vocabulary_markdown,
    zh_forms,
)

REPO = Path(__file__).resolve().parents[3]

# Written out by hand from DESIGN.md section 2 (the design's own list, not vocab.py's).
DESIGN_FORMS = [
    (Stage, "立项", "contracting"),
    (Stage, "承接", "contracting"),
    (Stage, "执行", "implementation"),
    (Stage, "结项", "closing"),
    (Stage, "评估", "closing"),
    (ActorKind, "区民政局", "civil_affairs_bureau"),
    (ActorKind, "街道", "street_office"),
    (ActorKind, "乡镇自治办", "street_office"),
    (ActorKind, "居委会", "neighborhood_committee"),
    (ActorKind, "社工机构", "social_work_agency"),
    (ActorKind, "居民", "residents"),
    (ActorKind, "第三方评估机构", "evaluator"),
    (Resource, "经济资源", "economic"),
    (Resource, "政治合法性", "political_legitimacy"),
    (Resource, "行政合法性", "political_legitimacy"),
    (Resource, "社会合法性", "social_legitimacy"),
    (Resource, "专业服务资源", "professional"),
    (Resource, "路径依赖", "path_dependence"),
    (Resource, "合作惯性", "path_dependence"),
    (Resource, "信息", "information"),
    (Resource, "政绩", "performance"),
    (Label, "伙伴", "partnership"),
    (Label, "伙计", "buddy"),
    (Label, "交易", "transactional"),
    (Label, "待定", "undetermined"),
]


@pytest.mark.parametrize(("kind", "form", "value"), DESIGN_FORMS)
def test_every_design_form_is_accepted(kind: type, form: str, value: str) -> None:
    assert parse(kind, form).value == value


@pytest.mark.parametrize(
    ("kind", "text", "suggested"),
    [
        (Resource, "专业能力", "professional"),
        (Resource, "资金", "economic"),
        (Resource, "居民认可", "social_legitimacy"),
        (Stage, "验收", "closing"),
        (Stage, "实施", "implementation"),
        (ActorKind, "民政局", "civil_affairs_bureau"),
        # not in the table: the closest Chinese form
        (Resource, "专业服务", "professional"),
    ],
)
def test_chinese_near_misses_get_a_suggestion_not_a_guess(
    kind: type, text: str, suggested: str
) -> None:
    with pytest.raises(VocabularyError) as info:
        parse(kind, text)
    assert f"did you mean {suggested!r}" in str(info.value)


def test_near_miss_in_codings_csv_exits_2_with_the_suggestion(
    tiny_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from resdep.cli import main

    path = tiny_case / "codings.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("agency,street,economic", "agency,street,资金", 1),
        encoding="utf-8",
    )
    status = main(["analyze", str(tiny_case), "--out", str(tmp_path / "o"), "--no-report"])
    err = capsys.readouterr().err
    assert status == 2
    assert "row 1" in err
    assert "did you mean 'economic'" in err


def test_chinese_stage_synonym_in_codings_csv(tiny_case: Path) -> None:
    from resdep import load_case

    path = tiny_case / "codings.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",contracting,", ",承接,"), encoding="utf-8"
    )
    case = load_case(tiny_case)
    assert {c.stage for c in case.codings if c.stage} >= {Stage.CONTRACTING}


def test_every_form_is_listed_in_the_doc_and_the_doc_is_in_sync() -> None:
    doc = (REPO / "docs" / "case-format.md").read_text(encoding="utf-8")
    assert vocabulary_markdown() in doc
    for _kind, form, _ in DESIGN_FORMS:
        assert form in doc, form
    for member in [*Stage, *Resource, *Label]:
        assert all(f in doc for f in zh_forms(member))
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "vocab_table.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, "run: python tools/vocab_table.py"
