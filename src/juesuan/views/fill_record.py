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

from ..domain.model import Report
from ..rules.findings import SEVERITY_LABELS, Finding, sort_findings
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


def current_values(report: Report) -> dict[tuple[str, str], object]:
    """(sheet, A1) -> the value each table cell of `report` holds now."""
    return {(ref.table, cell.address): cell.value for ref, cell in report.iter_cells()}


def still_left(record: Mapping[tuple[str, str], object], report: Report) -> dict[tuple[str, str], object]:
    """The entries of `record` whose cell still holds the figure fill left there."""
    now = current_values(report)
    return {key: value for key, value in record.items() if key in now and now[key] == value}


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


def with_carried(findings: list[Finding], previous: list[Finding],
                 record: Mapping[tuple[str, str], object], report: Report) -> list[Finding]:
    """`findings` plus the earlier overwrites whose cell still holds what fill left (in `record`)
    and that this run does not report again, marked CARRIED_SUFFIX."""
    now = current_values(report)
    reported = {(f.table, f.cell) for f in findings if f.rule in OVERWRITE_RULES}
    carried = []
    for f in previous:
        key = (f.table, f.cell)
        if key in reported or key not in record or key not in now or now[key] != record[key]:
            continue
        if not f.message.endswith(CARRIED_SUFFIX):
            f.message += CARRIED_SUFFIX
        reported.add(key)
        carried.append(f)
    return sort_findings(findings + carried) if carried else findings
