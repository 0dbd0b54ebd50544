"""What fill left, remembered across runs in 审核结果 (issue #12 item 6).

Fill records every figure it left in a derived cell (the hidden FILL_RECORD_COLUMN of the
review sheet). The next fill treats a cell still holding its recorded figure as fill's own
(replacing it is an update, not an overwrite of the clerk's figure), and a review written
later (`check --write`, 审核) keeps both the record and the overwrites an earlier fill
reported (F01/F02), as long as the cell still holds the figure fill left there: so the
clerk sees what fill replaced until they act on it (type a figure of their own, or delete
the row from 审核结果).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from ..domain.model import Ref, Report
from ..rules.fill import record_by_ref, refs_by_address
from ..rules.findings import SEVERITY_LABELS, Finding, identify, sort_findings
from .review import (
    AMOUNT_COLUMNS,
    CARRIED_SUFFIX,
    FIRST_ROW,
    LINK_COLUMN,
    MESSAGE_COLUMN,
    RULE_COLUMN,
    SEVERITY_COLUMN,
    SUBJECT_COLUMN,
    TABLE_COLUMN,
    is_address,
)

OVERWRITE_RULES = ("F01", "F02")      # fill's reports of what it replaced
_SEVERITIES = {label: severity for severity, label in SEVERITY_LABELS.items()}


def current_values(report: Report) -> dict[Ref, object]:
    """Ref -> the value each table cell of `report` holds now."""
    return {ref: cell.value for ref, cell in report.iter_cells()}


def still_left(record: Mapping, report: Report) -> dict[Ref, object]:
    """The entries of `record` whose cell still holds the figure fill left there (keyed by Ref)."""
    now = current_values(report)
    return {ref: value for ref, value in record_by_ref(record, report).items() if ref in now and now[ref] == value}


def _amount(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def parse_overwrites(rows: Iterable[Sequence], first_row: int = 1) -> list[Finding]:
    """The F01/F02 rows of a previous 审核结果, as findings (rows as in parse_registry)."""
    out = []
    for number, row in enumerate(rows, start=first_row):
        if number < FIRST_ROW or len(row) < MESSAGE_COLUMN or row[RULE_COLUMN - 1] not in OVERWRITE_RULES:
            continue
        sheet, _, address = str(row[LINK_COLUMN - 1] or "").rpartition("!")
        severity = _SEVERITIES.get(row[SEVERITY_COLUMN - 1])
        if not sheet or not is_address(address) or severity is None:
            continue
        amounts = [_amount(row[col - 1]) if len(row) >= col else None for col in AMOUNT_COLUMNS]
        subject = row[SUBJECT_COLUMN - 1] if len(row) >= SUBJECT_COLUMN else None
        out.append(Finding(str(row[RULE_COLUMN - 1]), severity, str(row[TABLE_COLUMN - 1] or sheet), address,
                           str(row[MESSAGE_COLUMN - 1] or ""), expected=amounts[0], actual=amounts[1],
                           difference=amounts[2], subject=str(subject) if subject else None))
    return out


def subject_ref(finding: Finding) -> Ref | None:
    """The cell an overwrite is about, from its subject ("row key:栏次"); None without one."""
    key, colon, no = str(finding.subject or "").rpartition(":")
    return Ref(finding.table, key, int(no)) if colon and key and no.isdigit() else None


def with_carried(findings: list[Finding], previous: list[Finding],
                 record: Mapping, report: Report) -> list[Finding]:
    """`findings` plus the earlier overwrites whose cell still holds what fill left (in `record`)
    and that this run does not report again, marked CARRIED_SUFFIX. Cells are matched by
    identity (the finding's subject; its address only for a row written without one) and a
    carried finding points at where its cell is now."""
    record = record_by_ref(record, report)
    at: dict[str, dict] = {}       # table -> its cells by address, made for the tables asked about

    def ref_of(f: Finding) -> Ref | None:
        """By identity; by address for a finding written without one, or whose subject names a
        column (the right half of 公开01 and 公开04): a book of 10,000 rows has 70,000 cells, so
        only that table's addresses are mapped."""
        ref = subject_ref(f)
        if ref is None:
            if f.table not in at:
                at[f.table] = refs_by_address(report, f.table)
            ref = at[f.table].get((f.table, f.cell))
        return ref

    identify(report, [f for f in findings if f.rule in OVERWRITE_RULES])
    reported = {ref_of(f) for f in findings if f.rule in OVERWRITE_RULES}
    carried = []
    for f in previous:
        ref = ref_of(f)
        if ref is None or ref in reported or ref not in record:
            continue
        cell = report.cell(ref)
        if cell is None or cell.value != record[ref]:      # gone, or no longer what fill left
            continue
        if not f.message.endswith(CARRIED_SUFFIX):
            f.message += CARRIED_SUFFIX
        address = cell.address
        f.message = f.message.replace(f"{f.table} {f.cell} ", f"{f.table} {address} ", 1)
        f.cell = address
        reported.add(ref)
        carried.append(f)
    return sort_findings(findings + carried) if carried else findings
