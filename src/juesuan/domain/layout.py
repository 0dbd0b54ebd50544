"""Geometry of the standard workbook, derived from the declarations in ``schema``.

Pure Python: rows and columns are 1-based integers as in Excel.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .schema import CODE, ECONOMIC, SINGLE_KEY, SINGLE_ROW, TABLES, TWO_SIDED, TableSpec

TITLE_ROW = 1
SUBTITLE_ROW = 2
HEADER_TOP = 3
CODE_TABLE_BLANK_ROWS = 150   # formatted input rows a template offers under 合计


@lru_cache(maxsize=None)      # a large book names the same few columns a hundred thousand times
def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def parse_a1(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return int(digits), col


@dataclass(frozen=True)
class SheetColumn:
    index: int
    header: tuple[str, ...]
    role: str                 # code | name | label | lineno | amount
    no: int | None = None     # 栏次 of an amount column
    side: int = 0
    width: float = 14


@dataclass(frozen=True)
class HeaderCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Layout:
    spec: TableSpec
    columns: list[SheetColumn]
    depth: int
    headers: list[HeaderCell] = field(default_factory=list)
    lineno_cells: list[tuple[int, object, int]] = field(default_factory=list)  # (col, value, colspan)
    line_rows: dict[str, tuple[int, int]] = field(default_factory=dict)       # key -> (row, side)

    @property
    def lineno_row(self) -> int:
        """The 栏次 row: the last header row."""
        return HEADER_TOP + self.depth

    @property
    def first_data_row(self) -> int:
        return self.lineno_row + 1

    @property
    def last_col(self) -> int:
        return self.columns[-1].index

    def amount_column(self, no: int) -> SheetColumn:
        for col in self.columns:
            if col.no == no:
                return col
        raise KeyError(no)

    def side_columns(self, side: int) -> list[SheetColumn]:
        return [c for c in self.columns if c.side == side]

    def fixed_cell(self, key: str, no: int) -> tuple[int, int]:
        """(row, col) of amount 栏次 `no` on fixed line `key` (01 04 06 09)."""
        if self.spec.kind == SINGLE_ROW:
            return self.first_data_row, self.amount_column(no).index
        row, _side = self.line_rows[key]
        return row, self.amount_column(no).index


def _columns(spec: TableSpec) -> list[SheetColumn]:
    cols: list[SheetColumn] = []

    def add(header, role, no=None, side=0, width=14):
        cols.append(SheetColumn(len(cols) + 1, tuple(header), role, no, side, width))

    if spec.kind == CODE:
        add(("项目", "科目编码"), "code", width=11)
        add(("项目", "科目名称"), "name", width=36)
        for c in spec.columns:
            add(c.header, "amount", c.no)
    elif spec.kind == TWO_SIDED:
        for s, side in enumerate(spec.sides):
            add((side.heading, "项目"), "label", side=s, width=30)
            add((side.heading, "行次"), "lineno", side=s, width=6)
            for c in side.columns:
                add((side.heading, c.label), "amount", c.no, side=s, width=16 if len(side.columns) == 1 else 15)
    elif spec.kind == ECONOMIC:
        add(("科目编码",), "code", width=11)
        add(("科目名称",), "name", width=40)
        add(("金额",), "amount", 1, width=16)
    elif spec.kind == SINGLE_ROW:
        for c in spec.columns:
            add(c.header, "amount", c.no, width=13)
    return cols


def merged_headers(cols: list[SheetColumn], depth: int) -> list[HeaderCell]:
    """Header cells over `cols`: a heading that neighbouring columns share spans them, and a
    column's last heading spans down to the bottom of the `depth` header rows."""
    cells = []
    for level in range(depth):
        i = 0
        while i < len(cols):
            col = cols[i]
            if len(col.header) <= level:
                i += 1
                continue
            prefix = col.header[: level + 1]
            j = i
            while (j + 1 < len(cols) and len(cols[j + 1].header) > level
                   and cols[j + 1].header[: level + 1] == prefix
                   and (level < len(col.header) - 1)):
                j += 1
            rowspan = depth - level if level == len(col.header) - 1 else 1
            cells.append(HeaderCell(HEADER_TOP + level, col.index, col.header[level], rowspan, j - i + 1))
            i = j + 1
    return cells


def _lineno_cells(spec: TableSpec, cols: list[SheetColumn]) -> list[tuple[int, object, int]]:
    cells = []
    if spec.kind in (CODE, ECONOMIC):
        cells.append((1, "栏次", 2))
    for col in cols:
        if col.role == "label":
            cells.append((col.index, "栏次", 1))
        elif col.role == "amount":
            cells.append((col.index, col.no, 1))
    return cells


@lru_cache(maxsize=None)
def layout_of(table_id: str) -> Layout:
    spec = TABLES[table_id]
    cols = _columns(spec)
    depth = max(2, max(len(c.header) for c in cols))
    lay = Layout(spec, cols, depth, merged_headers(cols, depth), _lineno_cells(spec, cols))
    first = lay.first_data_row
    if spec.kind == TWO_SIDED:
        for s, side in enumerate(spec.sides):
            for i, line in enumerate(side.lines):
                lay.line_rows[line.key] = (first + i, s)
    elif spec.kind == ECONOMIC:
        for i, line in enumerate(spec.lines):
            lay.line_rows[line.key] = (first + i, 0)
    elif spec.kind == SINGLE_ROW:
        lay.line_rows[SINGLE_KEY] = (first, 0)
    return lay

