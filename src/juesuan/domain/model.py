"""The in-memory report: pure Python, no spreadsheet library types.

A cell is addressed by a Ref (table id, row key, 栏次). Row keys: 行次 for 01/04
("27"), the function code or "合计" for 02 03 05 07 08, the economic code or a
total key for 06, "1" for 09.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Iterator, NamedTuple

from .facts import blank_fact_sheet
from .layout import a1, layout_of
from .schema import (
    AMOUNT_UNITS,
    CODE,
    DEFAULT_AMOUNT_UNIT,
    DEFAULT_REPORT_TYPE,
    DEPARTMENT_REPORT,
    FACT_SHEETS,
    INFO_FIELDS,
    LEVEL_BY_LENGTH,
    REPORT_TYPES,
    SINGLE_KEY,
    SINGLE_ROW,
    TABLES,
    TOTAL_KEY,
)


class Ref(NamedTuple):
    table: str
    key: str
    no: int       # 栏次, the column number printed in the table (not a sheet column)


@dataclass
class Cell:
    value: Decimal | None
    row: int
    col: int
    raw: object = None
    bad: bool = False        # held something that is not an amount (already reported)

    @property
    def address(self) -> str:
        return a1(self.row, self.col)


@dataclass
class Row:
    key: str
    row: int
    name: str = ""
    code: str | None = None
    cells: dict[int, Cell] = field(default_factory=dict)

    @property
    def level(self) -> str | None:
        """类 / 款 / 项 for function codes (3/5/7 digits)."""
        if self.code and self.code.isdigit():
            return LEVEL_BY_LENGTH.get(len(self.code))
        return None


@dataclass
class Table:
    id: str
    present: bool = True
    rows: list[Row] = field(default_factory=list)

    def __post_init__(self):
        self._index: dict[str, Row] | None = None

    @property
    def spec(self):
        return TABLES[self.id]

    def reindex(self) -> None:
        self._index = None

    def row(self, key: str) -> Row | None:
        if self._index is None:
            self._index = {}
            for r in self.rows:
                self._index.setdefault(r.key, r)
        return self._index.get(key)

    def code_rows(self) -> list[Row]:
        """Rows carrying a function code (code tables), in sheet order, 合计 excluded."""
        return [r for r in self.rows if r.key != TOTAL_KEY and r.code]

    def has_data(self) -> bool:
        return any(c.value is not None for r in self.rows for c in r.cells.values())


@dataclass
class InfoValue:
    value: object
    row: int

    @property
    def address(self) -> str:
        return a1(self.row, 2)


@dataclass
class Report:
    tables: dict[str, Table]
    info: dict[str, InfoValue] = field(default_factory=dict)
    source: str | None = None
    findings: list = field(default_factory=list)   # found while reading
    facts: dict = field(default_factory=dict)      # 上年数 / 其他公开事项: sheet name -> facts.FactSheet
    stamp: tuple | None = field(default=None, compare=False, repr=False)   # the file version read (safety.file_stamp)

    # --- unit info -------------------------------------------------------
    def info_value(self, key: str):
        item = self.info.get(key)
        return item.value if item else None

    @property
    def unit_name(self) -> str | None:
        return self.info_value("unit_name")

    @property
    def year(self):
        return self.info_value("year")

    @property
    def amount_unit(self) -> str:
        """元 or 万元; a blank or unreadable unit is reported by the audit and treated as 万元,
        the unit of every published table."""
        unit = self.info_value("amount_unit")
        return unit if unit in AMOUNT_UNITS else DEFAULT_AMOUNT_UNIT

    @property
    def entity(self) -> str:
        """单位 or 部门, the word the printed notes use; blank or unreadable reads 单位."""
        kind = self.info_value("report_type")
        return kind if kind in REPORT_TYPES else DEFAULT_REPORT_TYPE

    @property
    def merged_units(self) -> int:
        """How many units a 部门 report sums (汇总单位数, written by merge): each of its 万元 figures
        carries that many roundings. 1 for a unit's own report and for a blank or unusable value
        (the audit reports the latter, rules/registry_merge.py)."""
        value = self.info_value("merged_units")
        text = str(value).strip() if value is not None else ""
        if self.entity != DEPARTMENT_REPORT or not text.isdigit() or not text.isascii():
            return 1
        return max(1, int(text))

    # --- cells -----------------------------------------------------------
    def cell(self, ref: Ref) -> Cell | None:
        table = self.tables.get(ref.table)
        if table is None:
            return None
        row = table.row(ref.key)
        return row.cells.get(ref.no) if row else None

    def value(self, ref: Ref) -> Decimal | None:
        cell = self.cell(ref)
        return cell.value if cell else None

    def address(self, ref: Ref, relative_to: str | None = None) -> str | None:
        cell = self.cell(ref)
        if cell is None:
            return None
        return cell.address if ref.table == relative_to else f"{ref.table}!{cell.address}"

    def iter_cells(self, table_id: str | None = None) -> Iterator[tuple[Ref, Cell]]:
        """Every amount cell with its identity; of one table only when `table_id` is given."""
        for table in self.tables.values():
            if table_id is not None and table.id != table_id:
                continue
            for row in table.rows:
                for no, cell in row.cells.items():
                    yield Ref(table.id, row.key, no), cell


def fixed_rows(table_id: str) -> list[Row]:
    """The rows of a fixed table (01 04 06 09) with empty cells at their positions."""
    return [Row(key, row_no, label, code, {no: Cell(None, row_no, col) for no, col in cells})
            for key, row_no, label, code, cells in fixed_row_cells(table_id)]


@cache
def fixed_row_cells(table_id: str) -> tuple[tuple[str, int, str, str | None, tuple[tuple[int, int], ...]], ...]:
    """(key, sheet row, label, code, ((栏次, sheet column), …)) of every row of a fixed table."""
    lay = layout_of(table_id)
    spec = TABLES[table_id]
    if spec.kind == SINGLE_ROW:
        row_no = lay.first_data_row
        return ((SINGLE_KEY, row_no, "", None, tuple((c.no, lay.amount_column(c.no).index) for c in spec.columns)),)
    rows = []
    for line in spec.all_lines():
        if not line.columns:
            continue
        row_no, _side = lay.line_rows[line.key]
        rows.append((line.key, row_no, line.label, line.code,
                     tuple((no, lay.amount_column(no).index) for no in line.columns)))
    return tuple(rows)


def code_row(table_id: str, key: str, row_no: int, code: str | None, name: str) -> Row:
    lay = layout_of(table_id)
    return Row(key, row_no, name, code,
               {c.no: Cell(None, row_no, lay.amount_column(c.no).index) for c in TABLES[table_id].columns})


def blank_report() -> Report:
    """An empty standard report: fixed tables with their cells, code tables with a 合计 row."""
    tables = {}
    for table_id, spec in TABLES.items():
        if spec.kind == CODE:
            tables[table_id] = Table(table_id, True,
                                     [code_row(table_id, TOTAL_KEY, layout_of(table_id).first_data_row, None, "合计")])
        else:
            tables[table_id] = Table(table_id, True, fixed_rows(table_id))
    info = {f.key: InfoValue(None, f.row) for f in INFO_FIELDS}
    return Report(tables, info, facts={name: blank_fact_sheet(name) for name in FACT_SHEETS})


def add_code_row(report: Report, table_id: str, code: str, name: str) -> Row:
    """Append a code row under the last one (used to build reports in code and tests)."""
    table = report.tables[table_id]
    row_no = max(r.row for r in table.rows) + 1
    row = code_row(table_id, code, row_no, code, name)
    table.rows.append(row)
    table.reindex()
    return row

