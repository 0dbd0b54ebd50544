"""Reports from the curated sample format (samples/data/*.json).

The format mirrors the published tables: 01/04 by 行次, 02/03/05/07/08 as rows of
[code, name, 栏次1, 栏次2, …] with the 合计 row first, 06 by economic code, 09 as
its 12 figures. Amount strings are exact ("1225.21"); null is blank.
"""
from __future__ import annotations

from decimal import Decimal

from .facts import BudgetItem, fact_layout
from .model import Report, add_code_row, blank_report
from .schema import (
    AMOUNT,
    CODE,
    ECONOMIC,
    FACT_SHEET_SPECS,
    OTHER_FACTS_SHEET,
    PERCENT,
    SINGLE_KEY,
    SINGLE_ROW,
    TABLES,
    TOTAL_KEY,
    TWO_SIDED,
)

BUDGET_ITEMS_KEY = "年初预算（项）"   # 其他公开事项's list of 项: [code, name, 年初预算, reason]

INFO_KEYS = {"单位名称": "unit_name", "年度": "year", "金额单位": "amount_unit", "报表类型": "report_type"}


def _amount(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def report_from_sample(data: dict) -> Report:
    report = blank_report()
    for label, key in INFO_KEYS.items():
        report.info[key].value = data.get("info", {}).get(label)
    for table_id, spec in TABLES.items():
        content = data.get(table_id)
        if content is None:
            continue
        table = report.tables[table_id]
        if spec.kind == CODE:
            total, *rows = content
            for no, value in enumerate(total[2:], start=1):
                table.row(TOTAL_KEY).cells[no].value = _amount(value)
            for code, name, *values in rows:
                row = add_code_row(report, table_id, code, name)
                for no, value in enumerate(values, start=1):
                    row.cells[no].value = _amount(value)
        elif spec.kind == TWO_SIDED:
            for key, value in content.items():
                row = table.row(key)
                if isinstance(value, list):
                    for no, item in zip(sorted(row.cells), value):
                        row.cells[no].value = _amount(item)
                else:
                    next(iter(row.cells.values())).value = _amount(value)
        elif spec.kind == ECONOMIC:
            for key, value in content.items():
                table.row(key).cells[1].value = _amount(value)
        elif spec.kind == SINGLE_ROW:
            for no, value in enumerate(content, start=1):
                table.row(SINGLE_KEY).cells[no].value = _amount(value)
    _facts(report, data)
    return report


def _facts(report: Report, data: dict) -> None:
    """上年数 and 其他公开事项: {fact key: value or [value, reason]}; amounts as exact strings."""
    for name, spec in FACT_SHEET_SPECS.items():
        sheet = report.facts[name]
        for key, entry in data.get(name, {}).items():
            value, reason = entry if isinstance(entry, list) else (entry, None)
            kind = spec.fact(key).kind
            sheet.values[key].value = _amount(value) if kind in (AMOUNT, PERCENT) else value
            sheet.values[key].reason = reason
    first = fact_layout(OTHER_FACTS_SHEET).first_item_row
    report.facts[OTHER_FACTS_SHEET].items = [
        BudgetItem(code, name, _amount(budget), reason, first + i)
        for i, (code, name, budget, reason) in enumerate(data.get(BUDGET_ITEMS_KEY, []))]
