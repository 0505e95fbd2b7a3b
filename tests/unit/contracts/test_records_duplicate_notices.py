"""The same notices published under two ocids count once (issue 12, item 7)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from records_builders import award_release, package

from resdep.contracts import read_records


def _notice(amount: float = 100.0, rid: str = "N-1") -> dict[str, Any]:
    return award_release(
        "ocds-b5fd17-0001",
        buyer=("GB-LAE-RCC", "Council"),
        suppliers=[("GB-COH-03352929", "Care Ltd")],
        amount=amount,
        rid=rid,
    )


def _under(release: dict[str, Any], ocid: str) -> dict[str, Any]:
    """The same notice with only its ocid changed."""
    out = copy.deepcopy(release)
    out["ocid"] = ocid
    return out


def _write(tmp_path: Path, name: str, doc: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_same_notice_under_two_ocids_is_kept_once_with_a_warning(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.json", package(_notice()))
    b = _write(tmp_path, "b.json", package(_under(_notice(), "ocds-zzz999-0001")))
    for order in ([a, b], [b, a]):
        table = read_records(order)
        assert len(table.frame) == 1
        # the ocid first in sort order is kept, whatever the file order
        assert list(table.frame["process"]) == ["ocds-b5fd17-0001"]
        assert table.log.read["duplicate notices under another ocid (counted once)"] == 1
        assert table.log.read["processes"] == 1
        warning = next(i for i in table.log.issues if "repeats the notices" in i.message)
        assert "ocds-zzz999-0001" in warning.message
        assert "rule: the ocid first in sort order" in warning.message
        assert warning.file == str(b)


def test_other_content_or_publisher_keeps_both(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.json", package(_notice()))
    other_amount = _write(tmp_path, "b.json", package(_under(_notice(200.0), "ocds-zzz999-0001")))
    assert len(read_records([a, other_amount]).frame) == 2
    other_id = _write(tmp_path, "c.json", package(_under(_notice(rid="N-2"), "ocds-zzz999-0001")))
    assert len(read_records([a, other_id]).frame) == 2
    doc = package(_under(_notice(), "ocds-zzz999-0001"))
    doc["publisher"] = {"name": "Another publisher"}
    other_publisher = _write(tmp_path, "d.json", doc)
    table = read_records([a, other_publisher])
    assert len(table.frame) == 2
    assert not any("repeats the notices" in i.message for i in table.log.issues)


def test_shared_uk_data_has_no_notice_published_twice() -> None:
    from records_builders import SHARED_DATA

    table = read_records([SHARED_DATA / "ocds" / "contracts-finder-social-care"])
    assert table.log.read["duplicate notices under another ocid (counted once)"] == 0
    assert table.log.read["processes"] == 73
