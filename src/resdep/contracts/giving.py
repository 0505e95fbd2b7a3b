"""360Giving 1.4 grants as award rows.

A grant becomes one row: buyer = the funder (``fundingOrganization``), supplier = the
recipient organisation (``recipientOrganization``), value = ``amountAwarded``, date =
``awardDate``, period = the first ``plannedDates`` entry, open call = ``fromOpenCall``,
programme = the first ``grantProgramme`` title (or code), paid = ``amountDisbursed`` or the
sum of ``disbursementTransaction`` values. 360Giving organisation ids are already
prefixed (``GB-CHC-1126147``, ``360G-ABCT-...``), so they are the keys.

Grants have no bidders and no procurement method: single bidding and non-open share are not
computed for them; the open-call share is. Grants to individuals (``recipientIndividual``) are
left out and counted; a grant with several funders is kept once per funder but out of
revenue sums (``co_funded``), as the records do not say who paid what.

Examples
--------
>>> from resdep.contracts.log import ImportLog
>>> grant = {"id": "360G-X-1", "title": "t", "currency": "GBP", "amountAwarded": 5000,
...          "awardDate": "2020-05-01", "fromOpenCall": "Yes",
...          "fundingOrganization": [{"id": "GB-CHC-1", "name": "Trust"}],
...          "recipientOrganization": [{"id": "GB-CHC-2", "name": "Charity &amp; Co"}]}
>>> [row] = awards_from_grant(grant, "g.json", "/grants/0", ImportLog())
>>> row.buyer.key, row.supplier.key, row.value, row.open_call, row.award_date.year
('GB-CHC-1', 'GB-CHC-2', 5000.0, True, 2020)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from resdep.contracts.awards import RawAward, parse_amount, parse_bool, parse_date
from resdep.contracts.log import ImportLog, child
from resdep.contracts.orgs import OrgRef

__all__ = ["awards_from_grant", "is_grant"]


def is_grant(item: Mapping[str, Any]) -> bool:
    """Whether a JSON object looks like a single 360Giving grant."""
    return "amountAwarded" in item and (
        "recipientOrganization" in item or "recipientIndividual" in item
    )


def _org(item: Any) -> OrgRef | None:
    if not isinstance(item, Mapping):
        return None
    name = item.get("name") if isinstance(item.get("name"), str) else ""
    ident = item.get("id")
    ref = OrgRef.parse_qualified(str(ident), name=name or "") if ident else OrgRef(name=name or "")
    if not ref.identifier_key and ident:  # an unprefixed id: keep it, qualified by nothing
        ref = OrgRef(name=name or "", scheme="ID", id=str(ident))
    return ref if ref.key else None


def _paid(grant: Mapping[str, Any], currency: str) -> tuple[float | None, int]:
    transactions = grant.get("disbursementTransaction")
    if isinstance(transactions, list) and transactions:
        amounts = [
            parse_amount(t.get("amount"))
            for t in transactions
            if isinstance(t, Mapping)
            and (not t.get("currency") or str(t.get("currency")).upper() == currency)
        ]
        found = [a for a in amounts if a is not None]
        if found:
            return sum(found), len(found)
    disbursed = parse_amount(grant.get("amountDisbursed"))
    return disbursed, 0


def awards_from_grant(
    grant: Mapping[str, Any], file: str, place: str, log: ImportLog
) -> Iterator[RawAward]:
    """The rows of one grant (one per funder; none for a grant to an individual)."""
    gid = str(grant.get("id") or "")
    if not gid:
        log.skip("grant", file, place, "no grant id")
        return
    recipients = grant.get("recipientOrganization")
    if not recipients:
        if grant.get("recipientIndividual"):
            log.read["grants to individuals (left out)"] += 1
        else:
            log.skip("grant", file, place, f"{gid}: no recipientOrganization")
        return
    recipient = _org(recipients[0] if isinstance(recipients, list) else recipients)
    funders = [f for f in (_org(x) for x in grant.get("fundingOrganization") or []) if f]
    if recipient is None or not funders:
        log.skip("grant", file, place, f"{gid}: recipient or funder without id or name")
        return
    value = parse_amount(grant.get("amountAwarded"))
    currency = str(grant.get("currency") or "").strip().upper()
    if value is None:
        log.warn(file, child(place, "amountAwarded"), f"{gid}: amountAwarded is not a number")
    elif value < 0:
        log.warn(file, child(place, "amountAwarded"), f"negative value {value:g} left out of sums")
    planned = grant.get("plannedDates")
    first = (
        planned[0]
        if isinstance(planned, list) and planned and isinstance(planned[0], Mapping)
        else {}
    )
    programme = grant.get("grantProgramme")
    prog = (
        programme[0]
        if isinstance(programme, list) and programme and isinstance(programme[0], Mapping)
        else {}
    )
    paid, n_paid = _paid(grant, currency)
    for funder in funders:
        yield RawAward(
            source=file,
            place=place,
            source_kind="360giving",
            process=gid,
            award=gid,
            buyer=funder,
            supplier=recipient,
            title=str(grant.get("title") or ""),
            open_call=parse_bool(grant.get("fromOpenCall")),
            programme=str(prog.get("title") or prog.get("code") or ""),
            value=value,
            currency=currency,
            award_date=parse_date(grant.get("awardDate")),
            start_date=parse_date(first.get("startDate")),
            end_date=parse_date(first.get("endDate")),
            excluded="co_funded" if len(funders) > 1 else "",
            paid=paid,
            n_transactions=n_paid,
        )
