"""Compile the releases of one OCDS 1.1 contracting process into its latest state.

This follows the OCDS 1.1 merging rules (``standard.open-contracting.org``, "Merging"):

- releases are applied in ``date`` order (stable for equal dates);
- an object is merged field by field; a field set to ``null`` is removed;
- an array of objects that all carry an ``id`` is merged *by id*: an entry with a known id is
  merged into the earlier entry of that id, a new id is appended, and entries absent from a
  later release stay (an empty array therefore changes nothing);
- any other array (strings, numbers, objects without ``id``), and the arrays the schema marks
  ``wholeListMerge`` (``additionalIdentifiers``, ``additionalClassifications``, ...), is
  replaced whole;
- ``id``, ``date`` and ``tag`` (``omitWhenMerged``) are not merged: the compiled release gets
  ``tag = ["compiled"]``, ``date`` = the latest release date and ``id = "<ocid>-<date>"``.

Ids are compared as strings, so ``1`` and ``"1"`` are one entry.

Examples
--------
>>> r1 = {"ocid": "o", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"],
...       "tender": {"title": "Home care", "status": "active"},
...       "awards": [{"id": "a1", "status": "pending", "suppliers": [{"id": "s1"}]}]}
>>> r2 = {"ocid": "o", "id": "2", "date": "2020-03-01T00:00:00Z", "tag": ["award"],
...       "tender": {"status": "complete"},
...       "awards": [{"id": "a1", "status": "active"}, {"id": "a2", "status": "active"}]}
>>> c = compile_releases([r2, r1])
>>> c["tender"], [a["status"] for a in c["awards"]], c["awards"][0]["suppliers"]
({'title': 'Home care', 'status': 'complete'}, ['active', 'active'], [{'id': 's1'}])
>>> c["id"], c["tag"]
('o-2020-03-01T00:00:00Z', ['compiled'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from resdep.contracts.schemas import load_schema

__all__ = ["compile_releases", "whole_list_paths"]

_OMIT = frozenset({"id", "date", "tag"})

Path = tuple[str, ...]


@cache
def whole_list_paths() -> frozenset[Path]:
    """Field paths (array levels skipped) whose arrays the release schema merges whole."""
    schema = load_schema("ocds-1.1", "release-schema.json")
    definitions: Mapping[str, Any] = schema.get("definitions", {})
    found: set[Path] = set()

    def resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            return resolve(definitions[ref.rsplit("/", 1)[1]])
        return node

    def walk(node: Mapping[str, Any], path: Path, depth: int) -> None:
        node = resolve(node)
        if depth > 12:  # the 1.1 schema has no recursion; this guards extensions that do
            return
        if node.get("wholeListMerge"):
            found.add(path)
        items = node.get("items")
        if isinstance(items, Mapping):
            walk(items, path, depth + 1)
        for name, sub in (node.get("properties") or {}).items():
            if isinstance(sub, Mapping):
                walk(sub, (*path, name), depth + 1)

    walk(schema, (), 0)
    return frozenset(found)


def _is_id_list(value: Sequence[Any]) -> bool:
    return bool(value) and all(isinstance(v, Mapping) and "id" in v for v in value)


def _merge(
    into: dict[str, Any], update: Mapping[str, Any], path: Path, whole: frozenset[Path]
) -> None:
    for key, new in update.items():
        if not path and key in _OMIT:
            continue
        here = (*path, key)
        if new is None:
            into.pop(key, None)
        elif isinstance(new, Mapping):
            old = into.get(key)
            target = dict(old) if isinstance(old, Mapping) else {}
            _merge(target, new, here, whole)
            into[key] = target
        elif isinstance(new, list):
            old = into.get(key)
            old_by_id = isinstance(old, list) and _is_id_list(old)
            if here in whole:
                into[key] = _copy(new)
            elif not new:
                if not old_by_id:  # merging by id with nothing leaves the earlier entries
                    into[key] = []
            elif _is_id_list(new):
                into[key] = _merge_by_id(old if old_by_id else [], new, here, whole)  # type: ignore[arg-type]
            else:
                into[key] = _copy(new)
        else:
            into[key] = new


def _merge_by_id(
    old: list[Any], new: Iterable[Mapping[str, Any]], path: Path, whole: frozenset[Path]
) -> list[Any]:
    entries: dict[str, dict[str, Any]] = {str(e["id"]): dict(e) for e in old}
    for entry in new:
        key = str(entry["id"])
        target = entries.get(key, {})
        _merge(target, entry, path, whole)
        entries[key] = target  # a new id lands at the end, a known one keeps its place
    return list(entries.values())


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def compile_releases(releases: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Compile the releases of one contracting process (OCDS 1.1 rules, see the module).

    Raises ``ValueError`` when given no release.
    """
    ordered = sorted(releases, key=lambda r: str(r.get("date") or ""))
    if not ordered:
        raise ValueError("no release to compile")
    whole = whole_list_paths()
    compiled: dict[str, Any] = {}
    for release in ordered:
        _merge(compiled, release, (), whole)
    ocid = str(ordered[-1].get("ocid", ""))
    date = str(ordered[-1].get("date") or "")
    compiled["ocid"] = ocid
    compiled["id"] = f"{ocid}-{date}" if date else ocid
    if date:
        compiled["date"] = date
    compiled["tag"] = ["compiled"]
    return compiled
