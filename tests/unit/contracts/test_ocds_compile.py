"""OCDS 1.1 compiling: the merge rules, and the fictional example against its published record."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from records_builders import SHARED_DATA, release

from resdep.contracts import compile_releases
from resdep.contracts.merge import whole_list_paths

FICTIONAL = SHARED_DATA / "ocds" / "fictional-example"


def test_latest_value_wins_in_date_order_not_input_order() -> None:
    early = release("o", "1", "2020-01-01T00:00:00Z", tender={"status": "active", "title": "A"})
    late = release("o", "2", "2020-02-01T00:00:00Z", tender={"status": "complete"})
    compiled = compile_releases([late, early])
    assert compiled["tender"] == {"status": "complete", "title": "A"}
    assert compiled["date"] == "2020-02-01T00:00:00Z"
    assert compiled["tag"] == ["compiled"]
    assert compiled["id"] == "o-2020-02-01T00:00:00Z"


def test_null_removes_a_field() -> None:
    a = release("o", "1", "2020-01-01T00:00:00Z", tender={"title": "A", "description": "d"})
    b = release("o", "2", "2020-02-01T00:00:00Z", tender={"description": None})
    assert compile_releases([a, b])["tender"] == {"title": "A"}


def test_arrays_of_objects_merge_by_id_and_keep_earlier_entries() -> None:
    a = release(
        "o",
        "1",
        "2020-01-01T00:00:00Z",
        awards=[{"id": "1", "status": "pending", "title": "x"}, {"id": 2, "status": "pending"}],
    )
    b = release(
        "o",
        "2",
        "2020-02-01T00:00:00Z",
        awards=[{"id": "2", "status": "active"}, {"id": "3", "status": "active"}],
    )
    c = release("o", "3", "2020-03-01T00:00:00Z", awards=[])
    awards = compile_releases([a, b, c])["awards"]
    assert [(str(x["id"]), x["status"]) for x in awards] == [
        ("1", "pending"),
        ("2", "active"),
        ("3", "active"),
    ]
    assert awards[0]["title"] == "x"


def test_arrays_without_ids_and_whole_list_merge_arrays_are_replaced() -> None:
    assert ("parties", "additionalIdentifiers") in whole_list_paths()
    a = release(
        "o",
        "1",
        "2020-01-01T00:00:00Z",
        parties=[
            {
                "id": "p",
                "roles": ["buyer", "payer"],
                "additionalIdentifiers": [{"id": "1", "scheme": "X"}, {"id": "2", "scheme": "Y"}],
            }
        ],
    )
    b = release(
        "o",
        "2",
        "2020-02-01T00:00:00Z",
        parties=[
            {"id": "p", "roles": ["buyer"], "additionalIdentifiers": [{"id": "3", "scheme": "Z"}]}
        ],
    )
    party = compile_releases([a, b])["parties"][0]
    assert party["roles"] == ["buyer"]
    assert party["additionalIdentifiers"] == [{"id": "3", "scheme": "Z"}]


def test_no_release_is_an_error() -> None:
    with pytest.raises(ValueError, match="no release"):
        compile_releases([])


def test_fictional_example_matches_the_published_compiled_release() -> None:
    releases = []
    for path in sorted(FICTIONAL.glob("ocds-213czf-000-00001-0*.json")):
        releases.extend(json.loads(path.read_text(encoding="utf-8"))["releases"])
    assert len(releases) == 6
    ours = compile_releases(releases)
    record = json.loads((FICTIONAL / "record" / "ocds-213czf-000-00001.json").read_text("utf-8"))
    theirs = record["records"][0]["compiledRelease"]
    for section in ("parties", "buyer", "planning", "tender", "awards", "contracts"):
        assert ours[section] == theirs[section], section
    transactions = ours["contracts"][0]["implementation"]["transactions"]
    assert [t["value"]["amount"] for t in transactions] == [50000, 10000]


_values = st.one_of(st.none(), st.integers(0, 3), st.sampled_from(["a", "b"]))
_award = st.fixed_dictionaries(
    {"id": st.sampled_from(["1", "2", "3"])},
    optional={
        "status": _values,
        "title": _values,
        "value": st.fixed_dictionaries({"amount": _values}),
    },
)
_release = st.fixed_dictionaries(
    {},
    optional={
        "tender": st.fixed_dictionaries({}, optional={"status": _values, "title": _values}),
        "awards": st.lists(_award, max_size=3, unique_by=lambda a: a["id"]),
        "language": _values,
    },
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_release, min_size=2, max_size=5))
def test_compiling_in_steps_equals_compiling_at_once(bodies: list[dict[str, Any]]) -> None:
    releases = [
        release("o", str(i), f"2020-01-0{i + 1}T00:00:00Z", **b) for i, b in enumerate(bodies)
    ]
    at_once = compile_releases(releases)
    stepwise = compile_releases([compile_releases(releases[:-1]), releases[-1]])
    assert stepwise == at_once
    assert compile_releases([at_once]) == at_once
