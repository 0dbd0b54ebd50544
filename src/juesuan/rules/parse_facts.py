"""Reading the fact sheets 上年数 and 其他公开事项 from sheet grids (see domain/facts.py).

A workbook without them (made before they existed) reads as before: the sheets are marked
absent and no finding is made. A sheet whose labels moved is reported (E31) and read as absent,
so nothing is taken from the wrong row.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from ..domain.facts import (
    ITEM_BUDGET_COL,
    ITEM_CODE_COL,
    ITEM_NAME_COL,
    ITEM_REASON_COL,
    REASON_COL,
    VALUE_COL,
    BudgetItem,
    FactSheet,
    FactValue,
    fact_layout,
    missing_fact_sheet,
)
from ..domain.layout import a1
from ..domain.money import AmountError, parse_amount
from ..domain.schema import AMOUNT, CHOICE, COUNT, FACT_SHEETS, PERCENT, Fact
from .registry_narrative import BUDGET_ITEM_CODE, FACT_ENTRY, FACT_SHEET_LAYOUT

_LABEL_SPACES = re.compile(r"[\s\u3000]")


@lru_cache(maxsize=1024)     # (the same few dozen labels in every book)
def _label_key(text: str) -> str:
    return _LABEL_SPACES.sub("", text)


def read_fact_sheets(grids, cell_at, text_of, code_of, findings: list, check_visibility) -> dict[str, FactSheet]:
    """Every fact sheet of FACT_SHEETS: read from `grids`, or absent. Findings go to `findings`."""
    sheets = {}
    for name in FACT_SHEETS:
        grid = grids.get(name)
        if grid is None:
            sheets[name] = missing_fact_sheet(name)
            continue
        check_visibility(name)
        sheets[name] = _read_sheet(name, grid, cell_at, text_of, code_of, findings)
    return sheets


@cache
def _labels(name: str) -> tuple[tuple[int, str, str], ...]:
    """(row, label, its key) of every heading and fact label of sheet `name`, by row."""
    lay = fact_layout(name)
    facts: dict = {}
    for fact in lay.spec.facts():
        facts.setdefault(fact.key, fact)       # (the first of a key, as spec.fact(key) finds it)
    labels = {**lay.heading_rows, **{row: facts[key].label for key, row in lay.fact_rows.items()}}
    return tuple((row, labels[row], _label_key(labels[row])) for row in sorted(labels))


@cache
def _facts(name: str) -> tuple[tuple[Fact, int], ...]:
    """(fact, its row) of sheet `name`, in the order of its spec."""
    lay = fact_layout(name)
    return tuple((fact, lay.fact_rows[fact.key]) for fact in lay.spec.facts())


def _read_sheet(name, grid, cell_at, text_of, code_of, findings) -> FactSheet:
    lay = fact_layout(name)
    for row, label, key in _labels(name):          # the first label out of place is the one to name
        found = text_of(cell_at(grid, row, 1))
        if _label_key(found) != key:
            return _misplaced(name, row, label, found, findings)
    sheet = FactSheet(name, True)
    for fact, row in _facts(name):
        value = _fact_value(name, fact, row, cell_at(grid, row, VALUE_COL), text_of, findings)
        value.reason = text_of(cell_at(grid, row, REASON_COL)) or None if fact.reason else None
        sheet.values[fact.key] = value
    if lay.first_item_row is not None:
        sheet.items = _read_items(name, grid, lay.first_item_row, cell_at, text_of, code_of, findings)
    return sheet


def _misplaced(name, row, want, found, findings) -> FactSheet:
    findings.append(FACT_SHEET_LAYOUT.finding(name, a1(row, 1), want=want, found=found or "空"))
    return missing_fact_sheet(name)


def _fact_value(sheet, fact: Fact, row: int, raw, text_of, findings) -> FactValue:
    cell = a1(row, VALUE_COL)
    text = text_of(raw)
    if fact.kind in (AMOUNT, COUNT, PERCENT):
        try:
            source = text.rstrip("%％").strip() if fact.kind == PERCENT and isinstance(raw, str) else raw
            value = parse_amount(source)
        except AmountError as exc:
            shape = "amount" if fact.kind == AMOUNT else fact.kind
            findings.append(FACT_ENTRY.finding(sheet, cell, shape, label=fact.label, problem=exc, text=text, value=raw))
            return FactValue(None, row, bad=True)
        if fact.kind == COUNT and value is not None:
            if value < 0 or value != value.to_integral_value():
                findings.append(FACT_ENTRY.finding(sheet, cell, "count", label=fact.label, text=text, value=raw))
                return FactValue(None, row, bad=True)
            value = int(value)
        return FactValue(value, row)
    if fact.kind == CHOICE and text and text not in fact.choices:
        findings.append(FACT_ENTRY.finding(sheet, cell, "choice", label=fact.label, choices="、".join(fact.choices),
                                           text=text, value=raw))
        return FactValue(None, row, bad=True)
    return FactValue(text or None, row)


def _read_items(name, grid, first: int, cell_at, text_of, code_of, findings) -> list[BudgetItem]:
    items, seen = [], {}
    for row in range(first, len(grid) + 1):
        code = code_of(cell_at(grid, row, ITEM_CODE_COL))
        item_name = text_of(cell_at(grid, row, ITEM_NAME_COL))
        raw_budget = cell_at(grid, row, ITEM_BUDGET_COL)
        reason = text_of(cell_at(grid, row, ITEM_REASON_COL)) or None
        if not code and not item_name and raw_budget in (None, "") and not reason:
            continue
        try:
            budget = parse_amount(raw_budget)
        except AmountError as exc:
            findings.append(FACT_ENTRY.finding(name, a1(row, ITEM_BUDGET_COL), "amount",
                                               label=f"{code} 年初预算", problem=exc, value=raw_budget))
            budget = None
        if not code:
            findings.append(BUDGET_ITEM_CODE.finding(name, a1(row, ITEM_CODE_COL), "missing", row=row))
            continue
        if not re.fullmatch(r"\d{7}", code):
            findings.append(BUDGET_ITEM_CODE.finding(name, a1(row, ITEM_CODE_COL), "format", code=code, value=code))
            continue
        if code in seen:
            findings.append(BUDGET_ITEM_CODE.finding(name, a1(row, ITEM_CODE_COL), "duplicate", code=code,
                                                     first_row=seen[code], value=code))
            continue
        seen[code] = row
        items.append(BudgetItem(code, item_name, budget, reason, row))
    return items


def as_decimal(value) -> Decimal | None:
    """A fact value as a Decimal (counts are ints), None when blank or not a number."""
    try:
        return None if value is None or isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        return None
