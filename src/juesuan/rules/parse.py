"""From sheet grids (plain Python values) to a Report, with entry findings.

Every adapter (openpyxl file reader, xlwings live book) produces the same input:
``{sheet name: [[cell values of row 1], [row 2], ...]}``, the file readers as SheetGrids,
which also say which sheets are hidden. Amounts that are not amounts, missing or hidden
sheets and malformed codes become findings; only a workbook that is not a standard
workbook at all raises UnusableWorkbook.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal
from functools import cache, lru_cache
from typing import Mapping, Sequence

from ..domain.catalog import CODE_PATTERN
from ..domain.errors import UnusableWorkbook
from ..domain.labels import cell_label
from ..domain.layout import a1, layout_of
from ..domain.model import (
    Cell,
    InfoValue,
    Report,
    Row,
    Table,
    code_row,
    fixed_row_cells,
)
from ..domain.money import AmountError, parse_amount
from ..domain.schema import (
    CODE,
    ECONOMIC,
    INFO_FIELDS,
    INFO_SHEET,
    MERGE_INFO_FIELDS,
    TABLE_IDS,
    TABLES,
    TOTAL_KEY,
    TWO_SIDED,
)
from .findings import Finding
from .parse_facts import read_fact_sheets
from .registry import (
    BAD_AMOUNT,
    CODE_FORMAT,
    INFO_MISSING,
    MISSING_CODE,
    MISSING_SHEET,
    SHEET_VISIBILITY,
    TOTAL_ROW,
)

Grid = Sequence[Sequence[object]]

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# What Excel shows in a cell whose formula failed (#NAME?, #REF!, #DIV/0!, #N/A, ...).
_ERROR_VALUE = re.compile(r"#(?:N/A|GETTING_DATA|[A-Z][A-Z0-9/_]*[!?])")
HIDDEN, VERY_HIDDEN = "hidden", "veryHidden"     # sheet states, as the workbook XML spells them


class SheetGrids(dict):
    """Sheet name -> grid, as the file readers hand them over, with `hidden`: sheet name ->
    HIDDEN or VERY_HIDDEN for the standard sheets the clerk cannot see. Two SheetGrids are
    equal only if their hidden sheets are too (the two readers must agree on both)."""

    def __init__(self, grids=(), hidden: Mapping[str, str] | None = None):
        super().__init__(grids)
        self.hidden = dict(hidden or {})

    def __eq__(self, other):
        same_hidden = not isinstance(other, SheetGrids) or self.hidden == other.hidden
        return dict.__eq__(self, other) and same_hidden

    def __ne__(self, other):
        return not self == other

    __hash__ = None


class Formula(str):
    """A formula whose value the file does not carry (never calculated by a spreadsheet)."""


def cell_at(grid: Grid, row: int, col: int):
    """1-based access that tolerates short rows."""
    if row - 1 < len(grid):
        values = grid[row - 1]
        if col - 1 < len(values):
            return values[col - 1]
    return None


_SPACES = re.compile(r"[\s\u3000]+")     # (compiled once: text_of and code_of run for every cell read)


def text_of(raw) -> str:
    if raw is None:
        return ""
    if type(raw) is str:
        return _text_of_str(raw)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return _SPACES.sub(" ", str(raw)).strip()


@lru_cache(maxsize=8192)     # (a name stands in five tables of a book, and in the next book)
def _text_of_str(raw: str) -> str:
    return _SPACES.sub(" ", raw).strip()


def code_of(raw) -> str:
    """Normalise a code cell: 201, 201.0, '201 ', '２０１' -> '201'."""
    if raw is None:
        return ""
    if type(raw) is str:
        return _code_of_str(raw)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return _SPACES.sub("", str(raw)).translate(_FULLWIDTH_DIGITS)


@lru_cache(maxsize=8192)
def _code_of_str(raw: str) -> str:
    return _SPACES.sub("", raw).translate(_FULLWIDTH_DIGITS)


@lru_cache(maxsize=256)     # (every sheet is compared with every other: the same few names, many times)
def _sheet_key(name: str) -> str:
    """A sheet name as a reader takes it at a glance: without spaces (also zero-width ones), 表
    or full-width digits. Two names with the same key look like the same sheet."""
    return re.sub(r"[\s\u200b-\u200d\u2060\ufeff表]", "", name.translate(_FULLWIDTH_DIGITS)).lower()


@cache
def _line_numbers(table_id: str) -> tuple[tuple[int, int, str], ...]:
    """(sheet row, column of its 行次, the line's key) of every line of a two-sided table."""
    lay = layout_of(table_id)
    out = []
    for line in TABLES[table_id].all_lines():
        row_no, side = lay.line_rows[line.key]
        out.append((row_no, next(c.index for c in lay.side_columns(side) if c.role == "lineno"), line.key))
    return tuple(out)


def _number_matches(raw, expected: int) -> bool:
    if (type(raw) is int or type(raw) is float) and raw == expected:
        return True           # (what the text route below finds for such a number, without it)
    try:
        return int(Decimal(str(raw).strip())) == expected
    except Exception:
        return False


def _as_displayed(raw):
    """A float as Excel shows it: 15 significant digits. A formula's cached result carries
    binary noise (=C7+C21 stores 1688.8799999999999); Excel displays and compares 1688.88."""
    if isinstance(raw, float) and math.isfinite(raw):
        return float(f"{raw:.15g}")
    return raw


def _year(raw, text: str):
    """A year from a whole number or four digits; anything else stays text (the audit reports it)."""
    if isinstance(raw, bool):
        return text
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if math.isfinite(raw) and raw.is_integer() else text
    digits = text.translate(_FULLWIDTH_DIGITS)
    found = re.fullmatch(r"([0-9]{4})\s*(年度?)?", digits)      # 2024, 2024年 and 2024年度 all mean the year
    return int(found.group(1)) if found else text


class _Reader:
    def __init__(self, grids: Mapping[str, Grid], source: str | None):
        self.grids = grids
        self.hidden = grids.hidden if isinstance(grids, SheetGrids) else {}
        self.source = source
        self.findings: list[Finding] = []
        self._floats: dict[float, Decimal] = {}     # amount(): a figure's value, by the raw number read
        self._ints: dict[int, Decimal] = {}

    # -- amounts ---------------------------------------------------------
    def amount(self, sheet: str, grid: Grid, row: int, col: int, owner: Row, no: int) -> Cell:
        """The amount at (row, col), 栏次 `no` of `owner`; the cell is named (cell_label) only in a
        finding: most cells are fine, and naming every one was a fifth of parsing."""
        values = grid[row - 1] if row - 1 < len(grid) else ()       # cell_at(grid, row, col), inline
        raw = values[col - 1] if col - 1 < len(values) else None
        if raw is None:
            return Cell(None, row, col, None)      # (parse_amount(None) is None: the usual blank, without the calls)
        kind = type(raw)
        if kind is float or kind is int:
            # a figure: parsed once per value in this book (a float's ±0.0, equal but not alike, is not
            # remembered; nor is what parse_amount refuses). One memo per type: 1 == 1.0
            memo = self._floats if kind is float else self._ints
            value = memo.get(raw)
            if value is None and (raw or kind is int):
                try:
                    value = memo[raw] = parse_amount(_as_displayed(raw))
                except AmountError:
                    value = None
            if value is not None:
                return Cell(value, row, col, raw)
        if isinstance(raw, Formula):
            self.findings.append(BAD_AMOUNT.finding(sheet, a1(row, col), "formula", label=cell_label(sheet, owner, no),
                                                    formula=raw, value=str(raw)))
            return Cell(None, row, col, raw, bad=True)
        try:
            return Cell(parse_amount(_as_displayed(raw)), row, col, raw)
        except AmountError as exc:
            self.findings.append(BAD_AMOUNT.finding(sheet, a1(row, col), label=cell_label(sheet, owner, no),
                                                    problem=exc, value=raw))
            return Cell(None, row, col, raw, bad=True)

    # -- sheets ----------------------------------------------------------
    def find_sheet(self, name: str) -> Grid | None:
        if name in self.grids:
            return self.grids[name]
        similar = [s for s in self.grids if _sheet_key(s) == _sheet_key(name)]
        if similar:
            self.findings.append(MISSING_SHEET.finding(name, None, "renamed", found=similar[0]))
        else:
            self.findings.append(MISSING_SHEET.finding(name, None))
        return None

    def check_visibility(self, name: str) -> None:
        """A standard sheet must be the one the clerk sees: not hidden, and no look-alike beside it
        (a visible '公开03 ' in front of a hidden '公开03' would be reviewed while the other is read)."""
        state = self.hidden.get(name)
        if state is not None:
            self.findings.append(SHEET_VISIBILITY.finding(name, None, "very_hidden" if state == VERY_HIDDEN else "hidden"))
        for other in self.grids:
            if other != name and _sheet_key(other) == _sheet_key(name):
                self.findings.append(SHEET_VISIBILITY.finding(name, None, "look_alike", other=other))

    def check_lineno_row(self, table_id: str, grid: Grid) -> None:
        lay = layout_of(table_id)
        for col, value, _span in lay.lineno_cells:
            if isinstance(value, int) and not _number_matches(cell_at(grid, lay.lineno_row, col), value):
                found = text_of(cell_at(grid, lay.lineno_row, col)) or "空"
                raise UnusableWorkbook(
                    f"工作表“{table_id}”不是标准格式：{a1(lay.lineno_row, col)} 应为栏次 {value}，实为“{found}”。"
                    "请使用 juesuan template 生成的标准工作簿，不要在表头处插入或删除行列。", self.source)

    def read_info(self) -> dict[str, InfoValue]:
        grid = self.find_sheet(INFO_SHEET)
        if grid is not None:
            self.check_visibility(INFO_SHEET)
        info = {}
        for field in INFO_FIELDS:
            raw = cell_at(grid, field.row, 2) if grid is not None else None
            value = text_of(raw) or None
            if field.key == "year" and value is not None:
                value = _year(raw, value)
            elif field.key == "unit_name" and value is not None and (
                    isinstance(raw, Formula) or _ERROR_VALUE.fullmatch(value)):
                # the audit checks year, unit and type against their choices; a name has none
                self.findings.append(INFO_MISSING.finding(INFO_SHEET, a1(field.row, 2), "name_unusable",
                                                          name=value, value=raw))
            info[field.key] = InfoValue(value, field.row)
        for field in MERGE_INFO_FIELDS:     # only a merged workbook has them: its row says so in column A
            if grid is not None and text_of(cell_at(grid, field.row, 1)) == field.label:
                info[field.key] = InfoValue(text_of(cell_at(grid, field.row, 2)) or None, field.row)
        return info

    def read_fixed(self, table_id: str, grid: Grid) -> Table:
        spec = TABLES[table_id]
        lay = layout_of(table_id)
        if spec.kind == TWO_SIDED:
            for row_no, lineno_col, key in _line_numbers(table_id):
                if not _number_matches(cell_at(grid, row_no, lineno_col), int(key)):
                    found = text_of(cell_at(grid, row_no, lineno_col)) or "空"
                    raise UnusableWorkbook(
                        f"工作表“{table_id}”不是标准格式：{a1(row_no, lineno_col)} 应为行次 {key}，实为“{found}”。"
                        "公开01、公开04 是固定行表，请不要插入或删除行。", self.source)
        elif spec.kind == ECONOMIC:
            for line in spec.lines:
                row_no, _ = lay.line_rows[line.key]
                found = code_of(cell_at(grid, row_no, 1)) if line.code else text_of(cell_at(grid, row_no, 1))
                want = line.code or line.label
                if found != want:
                    raise UnusableWorkbook(
                        f"工作表“{table_id}”不是标准格式：{a1(row_no, 1)} 应为“{want}”，实为“{found or '空'}”。"
                        "公开06 列出全部经济分类科目，请不要插入、删除或调换行。", self.source)
        rows = []
        for key, row_no, label, code, cells in fixed_row_cells(table_id):
            # (every 栏次 a key from the start: a finding's label reads how many the row has)
            row = Row(key, row_no, label, code, dict.fromkeys([no for no, _col in cells]))
            values = grid[row_no - 1] if row_no - 1 < len(grid) else ()
            width = len(values)
            for no, col in cells:
                # (a blank as amount() makes it, without the call: most of a sheet's cells)
                row.cells[no] = (Cell(None, row_no, col, None) if col > width or values[col - 1] is None
                                 else self.amount(table_id, grid, row_no, col, row, no))
            rows.append(row)
        return Table(table_id, True, rows)

    def read_code_table(self, table_id: str, grid: Grid) -> Table:
        spec = TABLES[table_id]
        lay = layout_of(table_id)
        amount_cols = [(c.no, lay.amount_column(c.no).index) for c in spec.columns]
        columns = [col for _, col in amount_cols]
        first = lay.first_data_row
        total = code_row(table_id, TOTAL_KEY, first, None, text_of(cell_at(grid, first, 2)) or "合计")
        for no, col in amount_cols:
            total.cells[no] = self.amount(table_id, grid, first, col, total, no)
        head = code_of(cell_at(grid, first, 1))
        if head:
            self.findings.append(TOTAL_ROW.finding(table_id, a1(first, 1), row=first, code=head,
                                                   first_code_row=first + 1, value=head))
        rows = [total]
        for row_no in range(first + 1, len(grid) + 1):
            values = grid[row_no - 1]
            if values.count(None) == len(values):
                continue      # a blank row (most of a template's): no code, no name, no amount
            raw_code = values[0] if values else None
            code = code_of(raw_code)
            name = text_of(values[1] if len(values) > 1 else None)
            has_amount = any(values[col - 1] not in (None, "") for col in columns if col <= len(values))
            if not code and not name and not has_amount:
                continue
            if not has_amount and (text_of(raw_code) or name).startswith(("注", "说明")):
                continue   # the printed 注 line under the table
            row = Row(code or f"#{row_no}", row_no, name, code or None)    # code_row's, cells in column order
            width = len(values)
            for no, col in amount_cols:
                row.cells[no] = (Cell(None, row_no, col, None) if col > width or values[col - 1] is None
                                 else self.amount(table_id, grid, row_no, col, row, no))
            if not code:
                self.findings.append(MISSING_CODE.finding(table_id, a1(row_no, 1), row=row_no,
                                                          name=name or "（无名称）"))
            elif not CODE_PATTERN.fullmatch(code):
                self.findings.append(CODE_FORMAT.finding(table_id, a1(row_no, 1), code=text_of(raw_code),
                                                         value=raw_code))
                row.code = None
                row.key = f"#{row_no}"
            rows.append(row)
        return Table(table_id, True, rows)

    def read(self) -> Report:
        known = [name for name in self.grids if name in TABLE_IDS or name == INFO_SHEET]
        if not known:
            sheets = "、".join(list(self.grids)[:6]) or "无"
            raise UnusableWorkbook(
                f"不是决算公开标准工作簿：找不到“单位信息”“公开01”…“公开09”等工作表（现有工作表：{sheets}）。"
                "请用 juesuan template 生成标准工作簿后填写。", self.source)
        info = self.read_info()
        tables = {}
        for table_id in TABLE_IDS:
            grid = self.find_sheet(table_id)
            if grid is None:
                tables[table_id] = Table(table_id, False, [])
                continue
            self.check_visibility(table_id)
            self.check_lineno_row(table_id, grid)
            if TABLES[table_id].kind == CODE:
                tables[table_id] = self.read_code_table(table_id, grid)
            else:
                tables[table_id] = self.read_fixed(table_id, grid)
        facts = read_fact_sheets(self.grids, cell_at, text_of, code_of, self.findings, self.check_visibility)
        return Report(tables, info, self.source, self.findings, facts=facts)


def parse_grids(grids: Mapping[str, Grid], source: str | None = None) -> Report:
    return _Reader(grids, source).read()
