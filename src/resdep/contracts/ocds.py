"""OCDS 1.1: gather releases and compiled releases per process, compile, and read the awards.

:class:`OcdsCollector` takes releases, records and compiled releases in any order and from
any number of packages, keeping only the fields resdep reads (so a large JSON Lines file
costs memory in proportion to that subset). :meth:`OcdsCollector.rows` then gives the award
rows of each ``ocid`` once:

- releases of one process from several packages are compiled together; the same release
  (same ``ocid`` and ``id``) met twice counts once, and if the two copies differ one is kept
  by :func:`prefer` (the later ``date``, then the later package ``publishedDate``, then the
  smaller SHA-256 of the canonical JSON), with a warning naming the rule that decided;
- a compiled release (from a record package, or a JSON Lines line tagged ``compiled``) is
  read into award rows at once, and used when the process has no full releases or when it
  is newer than all of them;
- the same ``ocid`` compiled twice (two record packages, two lines) keeps one by the same
  rule, with a warning naming both places (identical copies count once).

Which copy is kept never depends on the order in which files or lines are read, and
releases of equal ``date`` are compiled in ``id`` order, so permuting the input files gives
the same award rows.

:func:`awards_from_release` turns a compiled release into one :class:`RawAward` per award and
supplier. Publisher quirks it knows about:

- UK Contracts Finder (``ocid`` prefix ``ocds-b5fd17``) fills ``numberOfTenderers`` with the
  number of *awarded* suppliers, so bidder counts from it are dropped (single bidding is then
  unknown, not zero);
- the same publisher gives each supplier its own value in ``parties[].x_awardValue``; when
  those values add up to at most the award value, a multi-supplier award is split by them
  instead of being left out of revenue sums.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from resdep.contracts.awards import RawAward, parse_amount, parse_date
from resdep.contracts.log import ImportLog, child
from resdep.contracts.merge import compile_releases
from resdep.contracts.methods import is_framework_text, method_code
from resdep.contracts.orgs import OrgRef

__all__ = ["BIDDERS_UNRELIABLE", "OcdsCollector", "awards_from_release", "project"]

#: ocid prefixes whose ``numberOfTenderers`` does not count bids.
BIDDERS_UNRELIABLE = ("ocds-b5fd17",)

_SKIP_AWARD_STATUS = frozenset({"cancelled", "unsuccessful"})
_KEEP = {
    "": (
        "ocid",
        "id",
        "date",
        "tag",
        "initiationType",
        "parties",
        "buyer",
        "tender",
        "awards",
        "contracts",
        "relatedProcesses",
        "bids",
    ),
    "parties": ("id", "name", "identifier", "roles", "x_awardValue"),
    "tender": (
        "id",
        "title",
        "status",
        "procurementMethod",
        "procurementMethodDetails",
        "numberOfTenderers",
        "tenderers",
        "techniques",
        "value",
        "procuringEntity",
        "mainProcurementCategory",
        "hasFrameworkAgreement",
    ),
    "awards": ("id", "title", "status", "date", "value", "suppliers", "contractPeriod"),
    "contracts": (
        "id",
        "awardID",
        "status",
        "period",
        "value",
        "dateSigned",
        "implementation",
        "relatedProcesses",
    ),
    "bids": ("details",),
}


def project(release: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a release that resdep reads (what the collector keeps in memory)."""
    out: dict[str, Any] = {k: release[k] for k in _KEEP[""] if k in release}
    for section in ("tender", "bids"):
        value = out.get(section)
        if isinstance(value, Mapping):
            out[section] = {k: value[k] for k in _KEEP[section] if k in value}
    for section in ("parties", "awards", "contracts"):
        value = out.get(section)
        if isinstance(value, list):
            out[section] = [
                {k: e[k] for k in _KEEP[section] if k in e} if isinstance(e, Mapping) else e
                for e in value
            ]
    return out


def canonical_digest(item: Mapping[str, Any]) -> str:
    """SHA-256 of ``item`` as canonical JSON (keys sorted, no spaces, ASCII escapes).

    >>> canonical_digest({"b": 1, "a": [2]}) == canonical_digest({"a": [2], "b": 1})
    True
    """
    text = json.dumps(item, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@dataclass(slots=True)
class _Version:
    """What decides between two copies of one release or compiled release."""

    date: str
    published: str  # the ``publishedDate`` of the package it came in ("" outside a package)
    digest: str
    file: str
    place: str


def prefer(new: _Version, old: _Version) -> tuple[_Version, str]:
    """The copy kept of two copies of one release (or of one ``ocid``'s compiled release).

    The rule, in order: the later ``date``; the later package ``publishedDate``; the smaller
    SHA-256 of the canonical JSON; and for identical copies the first file and place in
    sort order. It is a total order, so the copy kept does not depend on reading order.
    Returns the copy kept and the reason, as put in the warning (``""`` for identical copies).

    >>> a = _Version("2020-01-01", "", "aa", "a.json", "/releases/0")
    >>> b = _Version("2020-01-01", "", "bb", "b.json", "/releases/0")
    >>> prefer(a, b) == prefer(b, a)
    True
    >>> prefer(b, a)[1]
    'same date; kept the copy at a.json /releases/0 (rule: the smaller SHA-256 of its canonical JSON)'
    """
    if new.date != old.date:
        keep = new if new.date > old.date else old
        return keep, f"kept the copy dated {keep.date} (rule: the later date)"
    if new.published != old.published:
        keep = new if new.published > old.published else old
        if new.digest == old.digest:
            return keep, ""
        return keep, (
            f"same date; kept the copy at {keep.file} {keep.place}, from the package "
            f"published {keep.published} (rule: the later package publishedDate)"
        )
    if new.digest != old.digest:
        keep = new if new.digest < old.digest else old
        return keep, (
            f"same date; kept the copy at {keep.file} {keep.place} "
            "(rule: the smaller SHA-256 of its canonical JSON)"
        )
    return (new if (new.file, new.place) < (old.file, old.place) else old), ""


@dataclass(slots=True)
class _Held:
    release: dict[str, Any]
    file: str
    place: str
    published: str = ""
    publisher: str = ""

    @property
    def date(self) -> str:
        return str(self.release.get("date") or "")

    def version(self) -> _Version:
        return _Version(
            self.date, self.published, canonical_digest(self.release), self.file, self.place
        )


@dataclass(slots=True)
class _Compiled:
    version: _Version
    rows: list[RawAward]
    notice: tuple[str, str, str] = ("", "", "")  # release id, date, digest without the ocid
    publisher: str = ""

    @property
    def date(self) -> str:
        return self.version.date


@dataclass(slots=True)
class OcdsCollector:
    """Releases per ``ocid`` (compiled at the end), and the award rows of compiled releases.

    A compiled release is turned into rows as soon as it arrives, so a JSON Lines file of
    compiled releases costs memory for its rows only; full releases are held (projected)
    until :meth:`rows` compiles them.
    """

    log: ImportLog
    releases: dict[str, dict[str, _Held]] = field(default_factory=dict)
    compiled: dict[str, _Compiled] = field(default_factory=dict)
    _orgs: dict[OrgRef, OrgRef] = field(default_factory=dict)

    def _ocid(self, release: Mapping[str, Any], kind: str, file: str, place: str) -> str | None:
        ocid = release.get("ocid")
        if not isinstance(ocid, str) or not ocid.strip():
            self.log.skip(kind, file, place, "no ocid: the process cannot be identified")
            return None
        return ocid.strip()

    def add_release(
        self,
        release: Mapping[str, Any],
        file: str,
        place: str,
        published: str = "",
        publisher: str = "",
    ) -> None:
        """Hold one full release (``published``, ``publisher``: its package's)."""
        ocid = self._ocid(release, "release", file, place)
        if ocid is None:
            return
        self.log.read["releases"] += 1
        held = _Held(project(release), file, place, published, publisher)
        by_id = self.releases.setdefault(ocid, {})
        rid = str(release.get("id") or f"(no id at {file} {place})")
        earlier = by_id.get(rid)
        if earlier is not None:
            mine = held.version()
            kept, reason = prefer(mine, earlier.version())
            if not reason:
                self.log.read["duplicate releases (identical, counted once)"] += 1
            else:
                self.log.warn(
                    file,
                    place,
                    f"release {rid!r} of {ocid} also at {earlier.file} "
                    f"{earlier.place} with other content; {reason}",
                )
            if kept is not mine:
                return
        by_id[rid] = held

    def _shared(self, rows: Iterator[RawAward]) -> list[RawAward]:
        out = list(rows)
        for row in out:  # one object per organisation reference, however many rows name it
            row.buyer = self._orgs.setdefault(row.buyer, row.buyer)
            row.supplier = self._orgs.setdefault(row.supplier, row.supplier)
        return out

    def add_compiled(
        self,
        release: Mapping[str, Any],
        file: str,
        place: str,
        published: str = "",
        publisher: str = "",
    ) -> None:
        """Read one compiled release (from a record or a JSON Lines line) into rows."""
        ocid = self._ocid(release, "compiled release", file, place)
        if ocid is None:
            return
        self.log.read["compiled releases"] += 1
        version = _Version(
            str(release.get("date") or ""),
            published,
            canonical_digest(project(release)),
            file,
            place,
        )
        earlier = self.compiled.get(ocid)
        if earlier is not None:
            kept, reason = prefer(version, earlier.version)
            if reason:
                self.log.warn(
                    file,
                    place,
                    f"duplicate OCID {ocid}: also compiled at "
                    f"{earlier.version.file} {earlier.version.place} with other "
                    f"content; {reason}",
                )
            else:
                self.log.read["duplicate compiled releases (identical, counted once)"] += 1
            if kept is not version:
                return
        rows = self._shared(awards_from_release(release, file, place, self.log))
        notice = (str(release.get("id") or ""), version.date, _without_ocid(project(release)))
        self.compiled[ocid] = _Compiled(version, rows, notice, publisher)

    def _notices(self, ocid: str) -> tuple[object, ...] | None:
        """What identifies the notices of a process apart from its ``ocid`` (None: nothing).

        The publisher, and per release its id, date and content (the fields resdep reads,
        ``ocid`` left out). Two processes with the same are one process published twice.
        """
        held = self.releases.get(ocid)
        if held:
            publishers = {h.publisher for h in held.values()}
            items = tuple(
                sorted((rid, h.date, _without_ocid(h.release)) for rid, h in held.items())
            )
            return ("releases", tuple(sorted(publishers)), items)
        given = self.compiled.get(ocid)
        if given is not None:
            return ("compiled", given.publisher, given.notice)
        return None

    def _duplicates(self) -> dict[str, str]:
        """Processes whose notices repeat an earlier ``ocid``'s (sort order), and that ocid."""
        first: dict[tuple[object, ...], str] = {}
        out: dict[str, str] = {}
        for ocid in sorted(self.releases.keys() | self.compiled.keys()):
            sig = self._notices(ocid)
            if sig is None or not sig[1]:  # no publisher named: cannot tell, keep both
                continue
            if sig in first:
                out[ocid] = first[sig]
            else:
                first[sig] = ocid
        return out

    def rows(self) -> Iterator[RawAward]:
        """The award rows of every process once, from its latest state.

        A process whose notices repeat those of another ``ocid`` (same publisher, release
        ids, dates and content) is left out with a warning: the ``ocid`` first in sort order
        is kept.
        """
        duplicates = self._duplicates()
        for ocid in sorted(self.releases.keys() | self.compiled.keys()):
            held = self.releases.get(ocid)
            given = self.compiled.get(ocid)
            if ocid in duplicates:
                where = next(iter(held.values())) if held else None
                file = where.file if where else (given.version.file if given else "")
                place = where.place if where else (given.version.place if given else "")
                self.log.read["duplicate notices under another ocid (counted once)"] += 1
                self.log.warn(
                    file,
                    place,
                    f"process {ocid} repeats the notices of {duplicates[ocid]} (same publisher, "
                    "release ids, dates and content): counted once, as "
                    f"{duplicates[ocid]} (rule: the ocid first in sort order)",
                )
                continue
            self.log.read["processes"] += 1
            if held:
                # equal dates are applied in release id order, never in reading order
                ordered = [h for _, h in sorted(held.items(), key=lambda kv: (kv[1].date, kv[0]))]
                latest = ordered[-1]
                if given is not None and given.date > latest.date:
                    yield from given.rows
                    continue
                try:
                    compiled = compile_releases(h.release for h in ordered)
                except (TypeError, ValueError, KeyError) as exc:
                    self.log.skip(
                        "process",
                        latest.file,
                        latest.place,
                        f"cannot compile the releases of {ocid}: {exc}",
                    )
                    continue
                yield from self._shared(
                    awards_from_release(compiled, latest.file, latest.place, self.log)
                )
            elif given is not None:
                yield from given.rows


def _without_ocid(release: Mapping[str, Any]) -> str:
    return canonical_digest({k: v for k, v in release.items() if k != "ocid"})


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _org(ref: Any, parties: Mapping[str, Mapping[str, Any]]) -> OrgRef | None:
    if not isinstance(ref, Mapping):
        return None
    party = parties.get(str(ref.get("id")), {})
    identifier = party.get("identifier") or ref.get("identifier") or {}
    if not isinstance(identifier, Mapping):
        identifier = {}
    name = _text(ref.get("name")) or _text(party.get("name")) or _text(identifier.get("legalName"))
    org = OrgRef(
        name=name, scheme=_text(identifier.get("scheme")), id=_text(str(identifier.get("id") or ""))
    )
    return org if org.key else None


def _value(value: Any) -> tuple[float | None, str]:
    if not isinstance(value, Mapping):
        return None, ""
    return parse_amount(value.get("amount")), _text(value.get("currency")).upper()


def _bidders(release: Mapping[str, Any], tender: Mapping[str, Any]) -> int | None:
    if str(release.get("ocid", "")).startswith(BIDDERS_UNRELIABLE):
        return None
    n = tender.get("numberOfTenderers")
    if isinstance(n, int) and not isinstance(n, bool) and n >= 0:
        return n
    tenderers = tender.get("tenderers")
    if isinstance(tenderers, list) and tenderers:
        return len(tenderers)
    bids = (
        (release.get("bids") or {}).get("details")
        if isinstance(release.get("bids"), Mapping)
        else None
    )
    if isinstance(bids, list) and bids:
        ids = {
            json.dumps(b.get("tenderers"), sort_keys=True) for b in bids if isinstance(b, Mapping)
        }
        return len(ids)
    return None


def _related(items: Any, relationship: str) -> str:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and relationship in (item.get("relationship") or []):
            scheme = _text(item.get("scheme"))
            if scheme in ("", "ocid"):
                return _text(item.get("identifier"))
    return ""


def _period(period: Any) -> tuple[Any, Any]:
    if not isinstance(period, Mapping):
        return None, None
    return parse_date(period.get("startDate")), parse_date(period.get("endDate"))


def _split(
    suppliers: list[Any],
    parties: Mapping[str, Mapping[str, Any]],
    total: float | None,
    currency: str,
) -> list[float] | None:
    """Per-supplier values from ``parties[].x_awardValue`` when they fit inside the total."""
    if total is None or len(suppliers) < 2:
        return None
    shares: list[float] = []
    for supplier in suppliers:
        party = parties.get(str(supplier.get("id")), {}) if isinstance(supplier, Mapping) else {}
        amount, cur = _value(party.get("x_awardValue"))
        if amount is None or amount < 0 or (cur and cur != currency):
            return None
        shares.append(amount)
    if sum(shares) > total * 1.005 + 0.01 or all(abs(s - total) < 0.01 for s in shares):
        return None
    return shares


def _payments(
    contracts: list[Mapping[str, Any]],
    currency: str,
    supplier: Mapping[str, Any],
    only_payee: bool,
    log: ImportLog,
    file: str,
    place: str,
) -> tuple[float | None, int]:
    paid, n, seen_any = 0.0, 0, False
    for contract in contracts:
        impl = contract.get("implementation")
        transactions = impl.get("transactions") if isinstance(impl, Mapping) else None
        for t in transactions if isinstance(transactions, list) else []:
            if not isinstance(t, Mapping):
                continue
            seen_any = True
            payee = t.get("payee") or t.get("receiverOrganization")
            if only_payee and isinstance(payee, Mapping):
                same_id = payee.get("id") is not None and str(payee.get("id")) == str(
                    supplier.get("id")
                )
                same_name = _text(payee.get("name")) and _text(payee.get("name")) == _text(
                    supplier.get("name")
                )
                if not (same_id or same_name):
                    continue
            amount, cur = _value(t.get("value") or t.get("amount"))
            if amount is None:
                continue
            if cur and currency and cur != currency:
                log.warn(
                    file,
                    place,
                    f"transaction {t.get('id')!r} in {cur}, award in {currency}: "
                    "not added to the paid amount (currencies are never summed)",
                )
                continue
            paid += amount
            n += 1
    return (paid if n else (0.0 if seen_any else None)), n


def awards_from_release(
    release: Mapping[str, Any], file: str, place: str, log: ImportLog
) -> Iterator[RawAward]:
    """One :class:`RawAward` per award and supplier of a compiled release."""
    ocid = str(release.get("ocid", ""))
    parties: dict[str, Mapping[str, Any]] = {
        str(p.get("id")): p for p in release.get("parties") or [] if isinstance(p, Mapping)
    }
    tender: Mapping[str, Any] = release.get("tender") or {}
    if not isinstance(tender, Mapping):
        tender = {}
    buyer = _org(release.get("buyer"), parties) or _org(tender.get("procuringEntity"), parties)
    if buyer is None:
        buyer = next(
            (
                o
                for p in parties.values()
                if "buyer" in (p.get("roles") or [])
                if (o := _org(p, parties)) is not None
            ),
            None,
        )
    awards = release.get("awards")
    if not isinstance(awards, list) or not awards:
        log.read["processes without awards"] += 1
        return
    if buyer is None:
        log.skip(
            "process",
            file,
            place,
            f"{ocid}: no buyer, procuring entity or party with "
            "role 'buyer'; its awards cannot be attributed",
        )
        return
    raw_method = _text(tender.get("procurementMethod"))
    detail = _text(tender.get("procurementMethodDetails"))
    method = method_code(raw_method)
    inferred = False
    if method is None:
        method = method_code(detail, infer=True)
        inferred = method is not None
    techniques = tender.get("techniques")
    has_framework = (
        isinstance(techniques, Mapping) and techniques.get("hasFrameworkAgreement") is True
    ) or tender.get("hasFrameworkAgreement") is True
    call_off = bool(_related(release.get("relatedProcesses"), "framework"))
    prior = _related(release.get("relatedProcesses"), "prior")
    bidders = _bidders(release, tender)
    contracts_all = [c for c in release.get("contracts") or [] if isinstance(c, Mapping)]

    for index, award in enumerate(awards):
        where = child(place, f"awards/{index}")
        if not isinstance(award, Mapping):
            log.skip("award", file, where, "an award must be an object")
            continue
        status = _text(award.get("status"))
        if status in _SKIP_AWARD_STATUS:
            log.read[f"awards {status} (left out)"] += 1
            continue
        suppliers = [s for s in award.get("suppliers") or [] if isinstance(s, Mapping)]
        if not suppliers:
            log.read["awards without suppliers (left out)"] += 1
            continue
        contracts = [c for c in contracts_all if str(c.get("awardID")) == str(award.get("id"))]
        value, currency = _value(award.get("value"))
        if value is None:
            values = [_value(c.get("value")) for c in contracts]
            found = [(v, c) for v, c in values if v is not None]
            if found and len({c for _, c in found}) == 1:
                value, currency = sum(v for v, _ in found), found[0][1]
        if value is not None and value < 0:
            log.warn(file, f"{where}/value", f"negative value {value:g} left out of sums")
        start, end = _period(award.get("contractPeriod"))
        if start is None and end is None:
            for contract in contracts:
                start, end = _period(contract.get("period"))
                if start or end:
                    break
        award_date = parse_date(award.get("date"))
        if award_date is None:
            award_date = next(
                (d for c in contracts if (d := parse_date(c.get("dateSigned")))), None
            )
        title = _text(award.get("title")) or _text(tender.get("title"))
        framework = not call_off and (
            has_framework
            or is_framework_text(_text(tender.get("title")))
            or is_framework_text(detail)
            or is_framework_text(title)
        )
        shares = _split(suppliers, parties, value, currency)
        for s_index, supplier_ref in enumerate(suppliers):
            supplier = _org(supplier_ref, parties)
            if supplier is None:
                log.skip(
                    "award supplier",
                    file,
                    f"{where}/suppliers/{s_index}",
                    "a supplier with neither identifier nor name",
                )
                continue
            paid, n_paid = _payments(
                contracts, currency, supplier_ref, len(suppliers) > 1, log, file, where
            )
            yield RawAward(
                source=file,
                place=where,
                source_kind="ocds",
                process=ocid,
                award=str(award.get("id", index)),
                buyer=buyer,
                supplier=supplier,
                title=title,
                status=status,
                method=method,
                method_detail=detail or raw_method,
                method_inferred=inferred,
                bidders=bidders,
                n_suppliers=len(suppliers),
                value=value,
                supplier_value=shares[s_index] if shares else None,
                currency=currency,
                award_date=award_date,
                start_date=start,
                end_date=end,
                related_prior=prior,
                framework=framework,
                multi_supplier=len(suppliers) > 1,
                paid=paid,
                n_transactions=n_paid,
            )
