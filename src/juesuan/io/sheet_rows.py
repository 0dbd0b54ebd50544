"""Inserting a row into a clerk's sheet (openpyxl), keeping what openpyxl's own insert leaves behind.

``ws.insert_rows`` moves the values and styles of the cells below, but not merged ranges,
conditional formatting, data validations, the print area or row heights. `insert_row`
moves or extends those as Excel would (a range the new row falls inside, or whose first
row it is, grows by one; a range wholly below moves down, its formula rules translated),
and gives the new row the style of the row it was inserted above.
"""
from __future__ import annotations

import copy
import zipfile
from io import BytesIO

from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.translate import Translator
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

from ..domain.layout import layout_of
from ..domain.schema import CODE, TABLES
from .formula_cache import _formulas, references
from .sheet_xml import sheet_parts


def _moved(bounds: str, at: int) -> tuple[str, int]:
    """(range after a row inserted at sheet row `at`, rows its top moved down)."""
    cr = CellRange(bounds)
    if cr.max_row < at:
        return cr.coord, 0
    if cr.min_row <= at:
        cr.expand(down=1)
        return cr.coord, 0
    cr.shift(row_shift=1)
    return cr.coord, 1


def _moved_multi(sqref, at: int) -> tuple[str, int]:
    parts = [_moved(str(r), at) for r in MultiCellRange(str(sqref)).ranges]
    return " ".join(p for p, _ in parts), max((m for _, m in parts), default=0)


def _conditional_formats(ws, at: int) -> None:
    old = ws.conditional_formatting
    new = ConditionalFormattingList()
    for cf in old:
        sqref, moved = _moved_multi(cf.sqref, at)
        origin = str(cf.sqref).split()[0].split(":")[0]
        for rule in cf.rules:
            if moved and rule.formula:
                target = _moved(origin, at)[0]
                rule.formula = [Translator(f"={f}", origin=origin).translate_formula(target)[1:] for f in rule.formula]
            new.add(sqref, rule)
    ws.conditional_formatting = new


def _validations(ws, at: int) -> None:
    for dv in ws.data_validations.dataValidation:
        dv.sqref = MultiCellRange(_moved_multi(dv.sqref, at)[0])


def _merged(ws, at: int) -> None:
    ranges = [str(r) for r in ws.merged_cells.ranges if r.max_row >= at]
    for coord in ranges:
        ws.unmerge_cells(coord)
    return ranges


def _print_area(ws, at: int) -> None:
    area = ws.print_area
    if not area:
        return
    parts = []
    for part in area.split(","):
        bounds = part.rpartition("!")[2]
        parts.append(_moved(bounds.replace("$", ""), at)[0])
    ws.print_area = parts


def _row_heights(ws, at: int) -> None:
    """Heights move with their rows; the new row is as high as the one it was inserted above."""
    heights = {r: d.height for r, d in list(ws.row_dimensions.items()) if r >= at and d.height is not None}
    for r in heights:
        ws.row_dimensions[r].height = None
    for r, height in heights.items():
        ws.row_dimensions[r + 1].height = height
    if at in heights:
        ws.row_dimensions[at].height = heights[at]


def insert_row(ws, at: int) -> None:
    """Insert one empty sheet row at `at` (rows from `at` down move one down), styled like the row below."""
    merged = _merged(ws, at)
    _conditional_formats(ws, at)
    _validations(ws, at)
    _print_area(ws, at)
    _row_heights(ws, at)
    ws.insert_rows(at)
    for coord in merged:
        ws.merge_cells(_moved(coord, at)[0])
    for col in range(1, ws.max_column + 1):
        below = ws.cell(row=at + 1, column=col)
        if below.has_style:
            ws.cell(row=at, column=col)._style = copy.copy(below._style)


def rows_insertable(data: bytes, kept=()) -> bool:
    """Whether rows may be inserted below 合计 in the code tables of the package `data`:
    openpyxl does not rewrite formulas when it inserts rows, and formula results are kept
    by address (formula_cache), so no formula may sit in, or read, the rows that move;
    nor may any of `kept`, (sheet, A1) addresses remembered elsewhere."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            sheets = sheet_parts(archive)
            members = {part: archive.read(part) for part in sheets.values()}
    except Exception:      # noqa: BLE001 -- unreadable here: do not insert
        return False
    moving = {name.casefold(): layout_of(name).first_data_row + 1 for name, spec in TABLES.items() if spec.kind == CODE}
    for sheet, address in kept:
        digits = str(address or "").lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZ").replace("$", "")
        if str(sheet).casefold() in moving and (not digits.isdigit() or int(digits) >= moving[str(sheet).casefold()]):
            return False
    for (sheet, _col, row), formula in _formulas(members, sheets).items():
        if sheet in moving and row >= moving[sheet]:
            return False
        own = next((name for name in sheets if name.casefold() == sheet), sheet)
        refs = references(formula, own)
        if refs is None or any(ref_sheet in moving and area[3] >= moving[ref_sheet] for ref_sheet, area in refs):
            return False
    return True
