"""The CSV template for hand-made purchase lists (政府购买服务项目清单), with OCDS column names.

One row per award to one supplier. Column names are OCDS field paths (as flatten-tool writes
them), and each has a Chinese alias so that a list typed in Chinese needs only a header
row. Only the columns marked required must be present; any other column is ignored.

=======================================================  ================  =========================================
column                                                   Chinese alias     meaning
=======================================================  ================  =========================================
``ocid``  (required)                                     项目编号          the purchase process (one id per process)
``tender/title``                                         项目名称          the project's name
``buyer/name``  (required, or the identifier)            采购人            the buying government unit
``buyer/identifier/scheme``                              采购人代码类型    an org-id scheme, e.g. ``CN-USCC``
``buyer/identifier/id``                                  采购人代码        its id, or ``CN-USCC-...`` with the scheme
``tender/procurementMethod``                             采购方式          an OCDS code or a Chinese term (公开招标…)
``tender/procurementMethodDetails``                      采购方式说明      the original wording (kept)
``tender/numberOfTenderers``                             投标人数          number of bidders
``tender/techniques/hasFrameworkAgreement``              框架协议          true/false, 是/否
``awards/id``                                            合同编号          award id; rows sharing it are one award
``awards/date``                                          成交日期          award date, ``2021-03-15`` or ``2021年3月15日``
``awards/value/amount``                                  成交金额          value awarded to this row's supplier
``awards/value/currency``                                币种              ISO 4217, e.g. ``CNY`` (default: none)
``awards/suppliers/name``  (required, or the identifier) 供应商            the supplier (the agency)
``awards/suppliers/identifier/scheme``                   供应商代码类型    an org-id scheme
``awards/suppliers/identifier/id``                       供应商代码        its id, or ``CN-USCC-...``
``awards/contractPeriod/startDate``                      服务开始日期      service period start
``awards/contractPeriod/endDate``                        服务结束日期      service period end
``relatedProcesses/identifier``                          前序项目编号      the ``ocid`` this process renews (prior)
``contracts/implementation/transactions/value/amount``   已支付金额        amount paid so far on this award
=======================================================  ================  =========================================

Amounts may carry thousands separators, a currency sign, 元, or a 万/亿 multiplier
(``35.5万`` = 355,000). Files are read as UTF-8 (with or without BOM), UTF-16, or
GB18030/GBK (what Excel writes on Chinese Windows), detected by :mod:`resdep.textio`.

Rows that share an ``awards/id`` form one multi-supplier award. Each row's amount is that
supplier's own value, unless all rows give the same amount: then it is read as one shared
ceiling and kept out of revenue sums.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from resdep.contracts.awards import (
    RawAward,
    currencies_of_text,
    parse_amount,
    parse_bool,
    parse_date,
)
from resdep.contracts.log import ImportLog
from resdep.contracts.methods import is_framework_text, method_code
from resdep.contracts.orgs import OrgRef
from resdep.errors import RecordsFormatError
from resdep.textio import decode_bytes, read_bytes

__all__ = ["COLUMNS", "REQUIRED", "awards_from_csv", "template"]

#: Template columns with their Chinese aliases and meaning, in template order.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("ocid", "项目编号", "the purchase process (one id per process)"),
    ("tender/title", "项目名称", "the project's name"),
    ("buyer/name", "采购人", "the buying government unit"),
    ("buyer/identifier/scheme", "采购人代码类型", "an org-id scheme, e.g. CN-USCC"),
    ("buyer/identifier/id", "采购人代码", "its id, or CN-USCC-... with the scheme"),
    ("tender/procurementMethod", "采购方式", "an OCDS code or a Chinese term"),
    ("tender/procurementMethodDetails", "采购方式说明", "the original wording"),
    ("tender/numberOfTenderers", "投标人数", "number of bidders"),
    ("tender/techniques/hasFrameworkAgreement", "框架协议", "true/false, 是/否"),
    ("awards/id", "合同编号", "award id; rows sharing it are one award"),
    ("awards/date", "成交日期", "award date"),
    ("awards/value/amount", "成交金额", "value awarded to this row's supplier"),
    ("awards/value/currency", "币种", "ISO 4217 code, e.g. CNY"),
    ("awards/suppliers/name", "供应商", "the supplier"),
    ("awards/suppliers/identifier/scheme", "供应商代码类型", "an org-id scheme"),
    ("awards/suppliers/identifier/id", "供应商代码", "its id, or CN-USCC-..."),
    ("awards/contractPeriod/startDate", "服务开始日期", "service period start"),
    ("awards/contractPeriod/endDate", "服务结束日期", "service period end"),
    ("relatedProcesses/identifier", "前序项目编号", "the ocid this process renews"),
    ("contracts/implementation/transactions/value/amount", "已支付金额", "amount paid so far"),
)
REQUIRED = ("ocid",)
_ALIASES = {zh: col for col, zh, _ in COLUMNS} | {col: col for col, _, _ in COLUMNS}


def template(lang: str = "en") -> str:
    """The header row of the template, ready to fill in: OCDS names, or (``zh``) the aliases.

    >>> template("zh").split(",")[:3]
    ['项目编号', '项目名称', '采购人']
    """
    if lang not in ("en", "zh"):
        raise RecordsFormatError(
            f"unknown template language {lang!r}", place="--lang", fix="use en or zh"
        )
    return ",".join(zh if lang == "zh" else col for col, zh, _ in COLUMNS) + "\n"


def _ref(row: dict[str, str], prefix: str) -> OrgRef:
    name = row.get(f"{prefix}/name", "")
    scheme = row.get(f"{prefix}/identifier/scheme", "")
    ident = row.get(f"{prefix}/identifier/id", "")
    if ident and not scheme:
        return OrgRef.parse_qualified(ident, name=name)
    return OrgRef(name=name, scheme=scheme, id=ident)


def awards_from_csv(path: Path, log: ImportLog, *, label: str | None = None) -> Iterator[RawAward]:
    """The award rows of a CSV file in the template (see the module)."""
    file = label or str(path)
    text, _ = decode_bytes(read_bytes(path, kind="records", error=RecordsFormatError), file=file)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise RecordsFormatError("the file is empty", file=file, fix="add a header row")
    columns = [_ALIASES.get(h.strip(), h.strip()) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if (
        missing
        or not ({"buyer/name", "buyer/identifier/id"} & set(columns))
        or not ({"awards/suppliers/name", "awards/suppliers/identifier/id"} & set(columns))
    ):
        raise RecordsFormatError(
            "not a resdep records CSV: it needs the columns ocid, buyer/name (or "
            "buyer/identifier/id) and awards/suppliers/name (or awards/suppliers/identifier/id)",
            file=file,
            place="row 1",
            fix="use the template (resdep contracts template), OCDS or Chinese column names",
        )
    unknown = sorted({c for c in columns if c and c not in _ALIASES})
    if unknown:
        log.warn(file, "row 1", "columns ignored: " + ", ".join(unknown))
    rows: list[tuple[int, dict[str, str]]] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append(
            (reader.line_num, {c: v.strip() for c, v in zip(columns, values, strict=False)})
        )
    log.read["CSV rows"] += len(rows)

    groups: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (_, row) in enumerate(rows):
        if row.get("awards/id"):
            groups[(row.get("ocid", ""), row["awards/id"])].append(i)
    shared: dict[int, tuple[int, bool]] = {}
    for members in groups.values():
        if len(members) > 1:
            amounts = {rows[i][1].get("awards/value/amount", "") for i in members}
            for i in members:
                shared[i] = (len(members), len(amounts) == 1)

    for i, (line, row) in enumerate(rows):
        place = f"row {line}"
        ocid = row.get("ocid", "")
        buyer, supplier = _ref(row, "buyer"), _ref(row, "awards/suppliers")
        if not ocid or not buyer.key or not supplier.key:
            what = "ocid" if not ocid else ("buyer" if not buyer.key else "supplier")
            log.skip("CSV row", file, place, f"no {what}")
            continue
        for side, ref in (("buyer", buyer), ("supplier", supplier)):
            if ref.id and not ref.identifier_key:
                log.warn(
                    file,
                    place,
                    f"{side} id {ref.id!r} has no scheme (write CN-USCC-{ref.id} "
                    "or fill the scheme column); matched by name instead",
                )
        raw_method = row.get("tender/procurementMethod", "")
        detail = row.get("tender/procurementMethodDetails", "") or raw_method
        method = method_code(raw_method) or method_code(detail)
        if raw_method and method is None:
            log.warn(
                file,
                place,
                f"unknown procurement method {raw_method!r} (expected an OCDS "
                "code or 公开招标, 邀请招标, 竞争性谈判, 竞争性磋商, 询价, 单一来源)",
            )
        amount_text = row.get("awards/value/amount", "")
        value = parse_amount(amount_text)
        if amount_text and value is None:
            log.warn(file, place, f"amount {amount_text!r} is not a number")
        elif value is not None and value < 0:
            log.warn(file, place, f"negative value {value:g} left out of sums")
        currency = row.get("awards/value/currency", "").strip().upper()
        allowed = currencies_of_text(amount_text)
        conflict = value is not None and bool(currency) and allowed is not None
        conflict = conflict and currency not in (allowed or frozenset())
        if conflict:
            log.warn(
                file,
                place,
                f"amount {amount_text!r} is written in {'/'.join(sorted(allowed or ()))}, "
                f"not in the currency column's {currency}: kept out of every sum; "
                "correct the amount or the currency",
            )
        date_text = row.get("awards/date", "")
        award_date = parse_date(date_text)
        if award_date is None:
            log.warn(
                file,
                place,
                f"award date {date_text!r} unreadable"
                if date_text
                else "no award date: the row counts only in the all-years window",
            )
        bidders_text = row.get("tender/numberOfTenderers", "")
        bidders = int(bidders_text) if bidders_text.isdigit() else None
        n_suppliers, ceiling = shared.get(i, (1, False))
        paid_text = row.get("contracts/implementation/transactions/value/amount", "")
        paid = parse_amount(paid_text)
        framework = parse_bool(
            row.get("tender/techniques/hasFrameworkAgreement", "")
        ) is True or is_framework_text(detail)
        yield RawAward(
            source=file,
            place=place,
            source_kind="csv",
            process=ocid,
            award=row.get("awards/id") or f"{ocid}#{line}",
            buyer=buyer,
            supplier=supplier,
            title=row.get("tender/title", ""),
            status="active",
            method=method,
            method_detail=detail,
            bidders=bidders,
            n_suppliers=n_suppliers,
            value=value,
            supplier_value=value if n_suppliers > 1 and not ceiling else None,
            currency=currency,
            excluded="currency_conflict" if conflict else "",
            award_date=award_date,
            start_date=parse_date(row.get("awards/contractPeriod/startDate", "")),
            end_date=parse_date(row.get("awards/contractPeriod/endDate", "")),
            related_prior=row.get("relatedProcesses/identifier", ""),
            framework=framework,
            multi_supplier=n_suppliers > 1,
            paid=paid,
            n_transactions=1 if paid is not None else 0,
        )
