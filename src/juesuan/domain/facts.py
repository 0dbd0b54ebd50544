"""The two fact sheets (上年数, 其他公开事项): their geometry and their values in memory.

Declared in ``schema`` (FACT_SHEET_SPECS); this module says which sheet row holds each fact and
keeps what was read. Pure Python. Columns: A label, B value, C the clerk's reason, D a hint;
below the facts of 其他公开事项 a list of 项 (A code, B name, C 年初预算, D reason).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .layout import a1
from .schema import FACT_SHEET_SPECS, Fact, FactSheetSpec

HEADER_ROW = 2
VALUE_COL, REASON_COL, HINT_COL = 2, 3, 4
ITEM_CODE_COL, ITEM_NAME_COL, ITEM_BUDGET_COL, ITEM_REASON_COL = 1, 2, 3, 4
ITEM_BLANK_ROWS = 60          # formatted input rows the template offers for the 项 list


@dataclass(frozen=True)
class FactLayout:
    spec: FactSheetSpec
    fact_rows: dict[str, int]
    heading_rows: dict[int, str]
    items_heading_row: int | None
    items_header_row: int | None

    @property
    def first_item_row(self) -> int | None:
        return None if self.items_header_row is None else self.items_header_row + 1

    def fact_at(self, row: int) -> Fact | None:
        for key, r in self.fact_rows.items():
            if r == row:
                return self.spec.fact(key)
        return None


@lru_cache(maxsize=None)
def fact_layout(sheet: str) -> FactLayout:
    spec = FACT_SHEET_SPECS[sheet]
    row = HEADER_ROW + 1
    fact_rows, headings = {}, {}
    for section in spec.sections:
        headings[row] = section.heading
        row += 1
        for fact in section.facts:
            fact_rows[fact.key] = row
            row += 1
    items_heading = items_header = None
    if spec.items_heading:
        items_heading, items_header = row + 1, row + 2
    return FactLayout(spec, fact_rows, headings, items_heading, items_header)


@dataclass
class FactValue:
    value: object            # Decimal (amount, percent), int (count), str (text, choice) or None
    row: int
    reason: str | None = None
    bad: bool = False        # held something of the wrong kind (already reported)

    @property
    def address(self) -> str:
        return a1(self.row, VALUE_COL)

    @property
    def reason_address(self) -> str:
        return a1(self.row, REASON_COL)


@dataclass
class BudgetItem:
    """One 项 of 公开05 with its 年初预算 and the clerk's reason for the difference."""
    code: str
    name: str
    budget: Decimal | None
    reason: str | None
    row: int

    @property
    def address(self) -> str:
        return a1(self.row, ITEM_BUDGET_COL)


@dataclass
class FactSheet:
    name: str
    present: bool = True
    values: dict[str, FactValue] = field(default_factory=dict)
    items: list[BudgetItem] = field(default_factory=list)

    def value(self, key: str):
        item = self.values.get(key)
        return item.value if item else None

    def reason(self, key: str) -> str | None:
        item = self.values.get(key)
        return item.reason if item else None

    def address(self, key: str) -> str:
        return a1(fact_layout(self.name).fact_rows[key], VALUE_COL)


def blank_fact_sheet(name: str) -> FactSheet:
    lay = fact_layout(name)
    return FactSheet(name, True, {key: FactValue(None, row) for key, row in lay.fact_rows.items()})


def missing_fact_sheet(name: str) -> FactSheet:
    """The sheet of a workbook made before it existed: every value blank, `present` False."""
    sheet = blank_fact_sheet(name)
    sheet.present = False
    return sheet
