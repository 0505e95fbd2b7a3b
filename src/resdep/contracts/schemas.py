"""The OCDS 1.1 and 360Giving 1.4 schemas shipped in ``resdep/data/schemas``, as validators.

Validation never touches the network: the package and record schemas are validated as
envelopes (their ``releases``, ``records``, ``grants`` and ``compiledRelease`` members
reduced to a type check), and each release or grant is validated on its own against the
release or grant schema. That way one bad release is reported at its own path and the
others stay usable.

Examples
--------
>>> errors = schema_errors("release", {"ocid": "ocds-1", "id": "1", "date": "2020-01-01T00:00:00Z",
...                                    "tag": ["award"], "initiationType": "tender",
...                                    "awards": [{"id": "a", "value": {"amount": "12"}}]})
>>> print(errors[0])
/awards/0/value/amount: '12' is not of type 'number', 'null'
>>> schema_errors("grant", {"id": "g"})[0]
"/: 'title' is a required property"
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, Literal

from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator

__all__ = ["SchemaKind", "load_schema", "schema_errors", "schema_problems", "validator"]

SchemaKind = Literal[
    "release", "release_package", "record", "record_package", "grant", "grant_package"
]

_FILES = {
    "release": ("ocds-1.1", "release-schema.json"),
    "release_package": ("ocds-1.1", "release-package-schema.json"),
    "record_package": ("ocds-1.1", "record-package-schema.json"),
    "grant": ("360giving-1.4", "360-giving-schema.json"),
    "grant_package": ("360giving-1.4", "360-giving-package-schema.json"),
}

#: Errors reported per item at most; the rest of an item's errors are summarised by count.
MAX_ERRORS_PER_ITEM = 20


def load_schema(folder: str, name: str) -> dict[str, Any]:
    """Read one shipped schema file."""
    path = resources.files("resdep").joinpath("data", "schemas", folder, name)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def validator(kind: SchemaKind) -> Validator:
    """A validator for one kind of document (envelopes have their members relaxed)."""
    if kind == "record":
        schema = copy.deepcopy(load_schema(*_FILES["record_package"]))
        record = schema["definitions"]["record"]
        record["properties"]["releases"] = {"type": "array", "minItems": 1}
        for name in ("compiledRelease", "versionedRelease"):
            record["properties"][name] = {"type": "object"}
        body = {"definitions": schema["definitions"], "$ref": "#/definitions/record"}
        return Draft4Validator(body)
    schema = copy.deepcopy(load_schema(*_FILES[kind]))
    member = {
        "release_package": "releases",
        "record_package": "records",
        "grant_package": "grants",
    }.get(kind)
    if member is not None:
        schema["properties"][member] = {"type": "array", "minItems": 1}
    if kind.startswith("grant"):
        # 360Giving dates are oneOf a plain date or a date-time: without checking the
        # date-time format, "2020-01-01" would match both and fail the oneOf
        return Draft202012Validator(schema, format_checker=_DATES)
    return Draft4Validator(schema)


_DATES = FormatChecker(formats=())
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time (as JSON Schema's ``format``); non-strings pass (types check those)."""
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_DATES.checks("date-time")(_is_date_time)


def _pointer(error: ValidationError) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path]
    return "/" + "/".join(parts)


def _message(error: ValidationError) -> str:
    """The schema's reason first: a long value is cut, never the reason after it.

    >>> e = ValidationError("{'a': 'xx…'} is not of type 'array'", instance={"a": "x" * 300})
    >>> e.message = repr(e.instance) + " is not of type 'array'"
    >>> _message(e)[:40]
    "is not of type 'array' (value: {'a': 'xx"
    """
    text = str(error.message)
    if len(text) <= 200:
        return text
    shown = repr(error.instance)
    if text.startswith(shown):
        return f"{text[len(shown) :].strip()[:150]} (value: {shown[:40]}...)"
    return text[:197] + "..."


def schema_problems(kind: SchemaKind, document: Any, *, prefix: str = "") -> list[tuple[str, str]]:
    """Schema errors as ``(pointer, message)`` pairs, at most :data:`MAX_ERRORS_PER_ITEM`.

    ``prefix`` is a JSON pointer put before each path (the item's place in its file).

    >>> schema_problems("grant", {"id": "g", "title": "t"}, prefix="/grants/4")[0][0]
    '/grants/4'
    """
    out: list[tuple[str, str]] = []
    n = 0
    for error in sorted(
        validator(kind).iter_errors(document), key=lambda e: list(map(str, e.path))
    ):
        while error.context:  # oneOf / anyOf: say what the closest alternative lacked
            error = best_match(error.context)
        n += 1
        if len(out) < MAX_ERRORS_PER_ITEM:
            pointer = _pointer(error)
            where = (prefix + pointer) if pointer != "/" or not prefix else prefix
            out.append((where, _message(error)))
    if n > len(out):
        out.append((prefix or "/", f"and {n - len(out)} more schema error(s)"))
    return out


def schema_errors(kind: SchemaKind, document: Any, *, prefix: str = "") -> list[str]:
    """Schema errors as ``pointer: message`` strings (see :func:`schema_problems`)."""
    return [
        f"{where}: {message}" for where, message in schema_problems(kind, document, prefix=prefix)
    ]
