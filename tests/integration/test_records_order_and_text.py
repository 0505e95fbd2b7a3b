"""Real records: file order never changes the result; titles read as people write them.

Expected titles are computed here from the raw JSON, not copied from resdep's output.
"""

from __future__ import annotations

import html
import json
import random
import re
from pathlib import Path

from pandas.testing import assert_frame_equal

from resdep.contracts import compute_indicators, read_records

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
UK = DATA / "ocds" / "contracts-finder-social-care"
FICTIONAL = DATA / "ocds" / "fictional-example"
ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)


def test_permuting_the_uk_and_fictional_files_changes_nothing() -> None:
    uk = sorted(UK.glob("*.json"))
    assert len(uk) == 73
    files = uk + sorted(FICTIONAL.rglob("*.json"))  # the fictional releases come three times
    assert len(files) == 81
    base = read_records(files)
    assert base.log.read["duplicate releases (identical, counted once)"] == 6
    base_ind = compute_indicators(base, ["all", "year"]).long()
    shuffled = files.copy()
    random.Random(20261128).shuffle(shuffled)
    for order in (files[::-1], shuffled):
        # validation only adds issues; leaving it out keeps this test quick
        table = read_records(order, validate=False)
        assert_frame_equal(table.frame, base.frame)
        assert_frame_equal(compute_indicators(table, ["all", "year"]).long(), base_ind)


def test_uk_titles_have_html_entities_decoded() -> None:
    raw: dict[tuple[str, str], str] = {}
    for path in sorted(UK.glob("*.json")):
        for release in json.loads(path.read_text(encoding="utf-8"))["releases"]:
            tender_title = (release.get("tender") or {}).get("title") or ""
            for award in release["awards"]:
                raw[(release["ocid"], str(award["id"]))] = (
                    award.get("title") or tender_title
                ).strip()
    encoded = {k: t for k, t in raw.items() if ENTITY.search(t)}
    assert len(encoded) >= 2  # e.g. "Fusion21 Heating &amp; Renewables Framework"
    frame = read_records([UK]).frame
    got = {(p, a): t for p, a, t in frame[["process", "award", "title"]].itertuples(index=False)}
    assert got == {k: html.unescape(t) for k, t in raw.items()}
    assert not frame["title"].str.contains(ENTITY).any()
    assert not frame["method_detail"].str.contains(ENTITY).any()
    titles = set(frame["title"])
    assert "Fusion21 Heating & Renewables Framework" in titles
    assert any(
        t.startswith("Framework for the Provision of Children's Short Break") for t in titles
    )
