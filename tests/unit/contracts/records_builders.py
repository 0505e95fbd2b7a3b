"""Paths and builders of small OCDS documents for the contracts tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
SHARED_DATA = REPO.parent / "shared" / "data"
EXAMPLE_CASE = REPO / "examples" / "records-case"
EXAMPLE_CSV = EXAMPLE_CASE / "records" / "purchases.csv"


def release(ocid: str, rid: str, date: str, **sections: Any) -> dict[str, Any]:
    """A minimal valid OCDS 1.1 release."""
    return {
        "ocid": ocid,
        "id": rid,
        "date": date,
        "tag": ["award"],
        "initiationType": "tender",
        **sections,
    }


def award_release(
    ocid: str,
    *,
    buyer: tuple[str, str],
    suppliers: list[tuple[str, str]],
    amount: float | None,
    currency: str = "GBP",
    date: str = "2020-01-15T00:00:00Z",
    method: str | None = "open",
    bidders: int | None = None,
    rid: str = "1",
) -> dict[str, Any]:
    """A release with one award; organisations as (scheme-qualified id, name)."""

    def party(pid: str, qualified: str, name: str, role: str) -> dict[str, Any]:
        scheme, _, ident = qualified.rpartition("-")
        return {
            "id": pid,
            "name": name,
            "roles": [role],
            "identifier": {"scheme": scheme, "id": ident},
        }

    parties = [party("b", *buyer, "buyer")]
    parties += [party(f"s{i}", q, n, "supplier") for i, (q, n) in enumerate(suppliers)]
    tender: dict[str, Any] = {"id": f"{ocid}-t"}
    if method:
        tender["procurementMethod"] = method
    if bidders is not None:
        tender["numberOfTenderers"] = bidders
    value = {"currency": currency} | ({"amount": amount} if amount is not None else {})
    return release(
        ocid,
        rid,
        date,
        parties=parties,
        buyer={"id": "b", "name": buyer[1]},
        tender=tender,
        awards=[
            {
                "id": f"{ocid}-a",
                "status": "active",
                "date": date,
                "value": value,
                "suppliers": [{"id": f"s{i}", "name": n} for i, (_, n) in enumerate(suppliers)],
            }
        ],
    )


def package(*releases: dict[str, Any]) -> dict[str, Any]:
    """A release package around releases."""
    return {
        "uri": "https://example.com/p.json",
        "publishedDate": "2021-01-01T00:00:00Z",
        "publisher": {"name": "Test"},
        "version": "1.1",
        "releases": list(releases),
    }
