"""Actors and informants from the workbench: case.toml edited in place (comments kept),
validated as `resdep analyze` validates it, with history and conflicts like codings."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from resdep.case import load_case
from resdep.cli import main
from resdep.errors import CaseFormatError
from resdep.web.app import WebConfig, create_app
from resdep.web.casefile import CaseFile
from resdep.web.store import Conflict


@pytest.fixture
def new_case(tmp_path: Path) -> Path:
    root = tmp_path / "new"
    assert main(["init", str(root), "--lang", "zh"]) == 0
    return root


def _client(root: Path) -> tuple[TestClient, dict[str, str]]:
    config = WebConfig(root=root, hosts=("testserver",))
    client = TestClient(create_app(config))
    client.get(f"/?token={config.token}", follow_redirects=False)
    page = client.get("/").text
    boot = json.loads(re.search(r'id="boot">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    return client, {"X-CSRF-Token": boot["csrf"]}


def test_added_entries_keep_every_comment_and_load(new_case: Path) -> None:
    before = (new_case / "case.toml").read_text(encoding="utf-8")
    people = CaseFile(new_case)
    rev = people.add(
        "actor",
        {"id": "bureau", "kind": "civil_affairs_bureau", "name_zh": "区民政局", "name": ""},
        expected=people.revision(),
    )
    rev = people.add(
        "informant", {"id": "I01", "organisation": "bureau", "role": "科长"}, expected=rev
    )
    after = (new_case / "case.toml").read_text(encoding="utf-8")
    # every line of the user's file is still there, in its order (a subsequence)
    rest = iter(after.splitlines())
    assert all(any(line == other for other in rest) for line in before.splitlines())

    def filled(text: str) -> int:
        return sum(1 for line in text.splitlines() if line.strip())

    assert filled(after) == filled(before) + 8  # 2 headers, 6 keys (the empty name is not written)
    case = load_case(new_case, allow_empty=True)
    assert [a.id for a in case.actors] == ["agency", "street", "bureau"]
    assert case.actors[2].name_zh == "区民政局"
    assert case.actors[2].name == ""  # an empty field is not written
    assert "name = " not in after.split('id = "bureau"')[1].split("[[")[0]
    assert [(i.id, i.organisation, i.role) for i in case.informants] == [("I01", "bureau", "科长")]
    assert people.revision() == rev


def test_edit_changes_only_the_values_given(new_case: Path) -> None:
    people = CaseFile(new_case)
    rev = people.add(
        "informant", {"id": "I01", "organisation": "agency"}, expected=people.revision()
    )
    rev = people.edit(
        "actor", "street", {"name_zh": "嘉园街道", "name": "Jiayuan street"}, expected=rev
    )
    rev = people.edit("informant", "I01", {"organisation": "street", "role": "主任"}, expected=rev)
    case = load_case(new_case, allow_empty=True)
    street = next(a for a in case.actors if a.id == "street")
    assert (street.name, street.name_zh, street.kind.value) == (
        "Jiayuan street",
        "嘉园街道",
        "street_office",
    )
    assert [(i.organisation, i.role) for i in case.informants] == [("street", "主任")]
    text = (new_case / "case.toml").read_text(encoding="utf-8")
    assert '# parent = "…"' in text  # the comment inside the edited table stays
    # the new key sits with its table's keys, above the comments that follow them
    street = text[text.index('id = "street"') :].splitlines()
    assert street[:4] == [
        'id = "street"',
        'kind = "street_office"',
        'name_zh = "嘉园街道"',
        'name = "Jiayuan street"',
    ]


@pytest.mark.parametrize(
    ("table", "values", "words"),
    [
        ("actor", {"id": "agency", "kind": "social_work_agency"}, "duplicate id 'agency'"),
        (
            "actor",
            {"id": "x1", "kind": "streetoffice"},
            "street_office",
        ),  # unknown kind: the fix names the closest
        (
            "informant",
            {"id": "I09", "organisation": "nobody"},
            "organisation 'nobody' is not an actor",
        ),
        ("actor", {"kind": "street_office"}, "needs an id"),
        ("sources", {"id": "S1"}, "actors and informants"),
    ],
)
def test_invalid_entries_are_refused_and_nothing_changes(
    new_case: Path, table: str, values: dict[str, str], words: str
) -> None:
    before = (new_case / "case.toml").read_bytes()
    people = CaseFile(new_case)
    with pytest.raises(CaseFormatError) as info:
        people.add(table, values, expected=people.revision())
    assert words in str(info.value)
    assert "case.toml" in str(info.value)
    assert info.value.file == str(new_case / "case.toml")  # the real file, never the scratch copy
    assert "resdep-case-check" not in str(info.value)  # the scratch folder is never named
    assert (new_case / "case.toml").read_bytes() == before
    assert people.history() == []


def test_a_stale_revision_is_refused(new_case: Path) -> None:
    people = CaseFile(new_case)
    old = people.revision()
    people.add("informant", {"id": "I01", "organisation": "agency"}, expected=old)
    saved = (new_case / "case.toml").read_bytes()
    with pytest.raises(Conflict):
        people.add("informant", {"id": "I02", "organisation": "agency"}, expected=old)
    assert (new_case / "case.toml").read_bytes() == saved


def test_history_restores_the_previous_case_toml(new_case: Path) -> None:
    original = (new_case / "case.toml").read_bytes()
    people = CaseFile(new_case)
    rev = people.add(
        "informant", {"id": "I01", "organisation": "agency"}, expected=people.revision()
    )
    [kept] = people.history()
    assert kept.rows == 2  # two actors, no informant
    rev = people.restore(kept.name, expected=rev)
    assert (new_case / "case.toml").read_bytes() == original
    assert len(people.history()) == 2  # the undone version is kept too: undo is undoable
    with pytest.raises(CaseFormatError):
        people.restore("../case.toml", expected=rev)


def test_a_change_that_breaks_the_codings_is_refused(tmp_path: Path) -> None:
    """Informants whose organisation moves still validate; but an invalid codings file
    against the new case stops the write (the codings are validated too)."""
    import shutil

    from resdep.data import founding_case_path

    root = tmp_path / "case"
    shutil.copytree(founding_case_path(), root)
    people = CaseFile(root)
    rev = people.edit("actor", "street", {"name": "Renamed street"}, expected=people.revision())
    assert next(a for a in load_case(root).actors if a.id == "street").name == "Renamed street"
    # a codings file naming an actor the case does not have: any change is refused
    (root / "codings-li.csv").write_text(
        (root / "codings.csv").read_text(encoding="utf-8").replace(",street,", ",stret,", 1),
        encoding="utf-8",
    )
    with pytest.raises(CaseFormatError) as info:
        people.edit("actor", "street", {"name": "Again"}, expected=rev)
    assert "codings-li.csv" in str(info.value)


def test_routes_add_edit_refuse_and_restore(new_case: Path) -> None:
    client, h = _client(new_case)
    state = client.get("/api/state").json()
    assert "street_office" in state["actor_kinds"]
    rev = state["case_revision"]
    r = client.post(
        "/api/people",
        json={
            "table": "informant",
            "values": {"id": "I01", "organisation": "agency", "role": "主任"},
            "revision": rev,
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    rev = r.json()["case_revision"]
    assert client.get("/api/state").json()["informants"] == [
        {"id": "I01", "organisation": "agency", "role": "主任"}
    ]
    bad = client.post(
        "/api/people",
        json={
            "table": "actor",
            "values": {"id": "street", "kind": "street_office"},
            "revision": rev,
        },
        headers=h,
    )
    assert bad.status_code == 422
    assert "duplicate id 'street'" in bad.json()["error"]
    stale = client.put(
        "/api/people/actor/street", json={"values": {"name": "x"}, "revision": "0" * 16}, headers=h
    )
    assert stale.status_code == 409
    r = client.put(
        "/api/people/actor/street", json={"values": {"name_zh": "街道"}, "revision": rev}, headers=h
    )
    assert r.status_code == 200, r.text
    assert client.post("/api/people", json={}, headers={}).status_code == 403  # CSRF
    versions = client.get("/api/people/history").json()["versions"]
    assert len(versions) == 2
    r = client.post(
        "/api/people/restore",
        json={"name": versions[-1]["name"], "revision": r.json()["case_revision"]},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert (
        tomllib.loads((new_case / "case.toml").read_text(encoding="utf-8")).get("informant") is None
    )
