"""What the audit checks on a merged 部门 report (汇总单位数 on 单位信息), every time it is checked.

The widened rounding envelope itself lives where every envelope is computed (audit.rounding_limit,
relations.Derivation.weight); here: the 汇总单位数 field is usable, and internal transfers the
department's totals may still include are named.
"""
from __future__ import annotations

from ..domain.labels import column_label
from ..domain.model import Report
from ..domain.money import fmt
from ..domain.schema import (
    DEPARTMENT_REPORT,
    INFO_SHEET,
    INTERNAL_TRANSFERS,
    MERGED_UNITS,
    TABLES,
    TOTAL_KEY,
)
from .findings import Finding
from .registry_merge import MERGED_UNITS_INVALID, TRANSFERS_INCLUDED


def check_merged(report: Report) -> list[Finding]:
    item = report.info.get(MERGED_UNITS.key)
    if item is None or item.value is None:
        return []
    text = str(item.value).strip()
    if not (text.isascii() and text.isdigit() and int(text) >= 1):
        return [MERGED_UNITS_INVALID.finding(INFO_SHEET, item.address, "not_number", shown=item.value,
                                            value=item.value)]
    if report.entity != DEPARTMENT_REPORT:
        return [MERGED_UNITS_INVALID.finding(INFO_SHEET, item.address, "not_department", value=item.value)]
    return transfers_included(report) if report.merged_units > 1 else []


def transfers_included(report: Report) -> list[Finding]:
    """M02 at each 合计 of a transfer column (both sides of INTERNAL_TRANSFERS) holding an amount."""
    out = []
    for pair in INTERNAL_TRANSFERS:
        for table_id, no in pair:
            table = report.tables.get(table_id)
            row = table.row(TOTAL_KEY) if table is not None and table.present else None
            cell = row.cells.get(no) if row is not None else None
            if cell is None or not cell.value:
                continue
            label = column_label(TABLES[table_id].column(no))
            out.append(TRANSFERS_INCLUDED.finding(table_id, cell.address, label=label, amount=fmt(cell.value),
                                                  units=report.merged_units, actual=cell.value))
    return out
