"""Inserting a row into a clerk's sheet (openpyxl), keeping what openpyxl's own insert leaves behind.

``ws.insert_rows`` moves the values and styles of the cells below, but not merged ranges,
conditional formatting, data validations, the print area or row heights. `insert_row`
moves or extends those as Excel would (a range the new row falls inside, or whose first
row it is, grows by one; a range wholly below moves down, its formula rules translated),
and gives the new row the style of the row it was inserted above.

Formulas: one that reads the rows that move, from a cell that does not move (公开09!A30
=SUM(公开05!C7:C9)), has its references moved as Excel would (`shift_formulas`). One that
sits in the rows that move, or whose references cannot be read (defined names, INDIRECT,
OFFSET), would need its stored result moved too: no row is inserted and `insertion_blockers`
names the cells, so fill can tell the clerk instead of corrupting anything.
"""
from __future__ import annotations

import copy
import html
import re
import zipfile
from io import BytesIO

from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import get_column_letter
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


def _moving_rows() -> dict[str, int]:
    """Sheet (casefolded) -> first row that moves when a parent row is inserted: below 合计."""
    return {name.casefold(): layout_of(name).first_data_row + 1 for name, spec in TABLES.items() if spec.kind == CODE}


def insertion_blockers(data: bytes) -> list[str]:
    """The formula cells ("sheet!A1") of the package `data` that stop rows being inserted below 合计
    in the code tables: formulas in the rows that would move, and formulas whose references
    cannot be read (but may read those rows). [] when rows may be inserted; ["?"] when the
    package cannot be read here."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            sheets = sheet_parts(archive)
            members = {part: archive.read(part) for part in sheets.values()}
    except Exception:      # noqa: BLE001 -- unreadable here: do not insert
        return ["?"]
    moving = _moving_rows()
    names = {name.casefold(): name for name in sheets}
    out = []
    for (sheet, col, row), formula in sorted(_formulas(members, sheets).items()):
        where = f"{names.get(sheet, sheet)}!{get_column_letter(col)}{row}"
        if sheet in moving and row >= moving[sheet]:
            out.append(where)
            continue
        if references(html.unescape(formula), names.get(sheet, sheet)) is None:   # &#37329;…: as stored
            out.append(where)
    return out


def names_blocking(workbook) -> list[str]:
    """Defined names that point into rows an insertion would move (a name is not rewritten)."""
    moving = _moving_rows()
    out = []
    for name, defined in _defined_names(workbook):
        refs = references(str(defined.attr_text or ""), "")
        if refs is None or any(sheet in moving and area[3] >= moving[sheet] for sheet, area in refs):
            out.append(f"名称 {name}")
    return out


def _defined_names(workbook):
    names = list(getattr(workbook, "defined_names", {}).items())
    for ws in workbook.worksheets:
        names += list(getattr(ws, "defined_names", {}).items())
    return names


_RANGE = re.compile(r"^(?P<prefix>(?:'(?:[^']|'')+'|[^'!:\[\]]+)!)?(?P<a>\$?[A-Z]{1,3}\$?\d+|\$?\d+)"
                    r"(?::(?P<b>\$?[A-Z]{1,3}\$?\d+|\$?\d+))?$", re.IGNORECASE)
_PART = re.compile(r"^(\$?[A-Z]{0,3})(\$?)(\d+)$", re.IGNORECASE)


def _shift_part(part: str, at: int) -> str:
    match = _PART.match(part)
    column, dollar, row = match.group(1), match.group(2), int(match.group(3))
    return f"{column}{dollar}{row + 1 if row >= at else row}"


def shift_formula(formula: str, own_sheet: str, sheet: str, at: int) -> str:
    """`formula` (with its "=") as it reads after a row is inserted at `at` of `sheet`: every
    reference to that sheet at or below `at` moves one row down (a range over `at` grows)."""
    tokens = Tokenizer(formula).items
    changed = False
    for token in tokens:
        if token.type != Token.OPERAND or token.subtype != Token.RANGE:
            continue
        match = _RANGE.match(token.value)
        if match is None:
            continue
        prefix = match.group("prefix") or ""
        named = prefix[:-1]
        named = named[1:-1].replace("''", "'") if named.startswith("'") else named
        if (named or own_sheet).casefold() != sheet.casefold():
            continue
        a, b = match.group("a"), match.group("b")
        value = prefix + _shift_part(a, at) + (":" + _shift_part(b, at) if b else "")
        if value != token.value:
            token.value, changed = value, True
    return "=" + "".join(t.value for t in tokens) if changed else formula


def formula_cells(workbook) -> list:
    """Every formula cell of `workbook` (openpyxl cells), to move the references of."""
    return [cell for ws in workbook.worksheets for row in ws.iter_rows() for cell in row
            if cell.data_type == "f" and isinstance(cell.value, str) and cell.value.startswith("=")]


def shift_formulas(cells, sheet: str, at: int) -> list[str]:
    """Move the references of these formula cells (formula_cells) to rows of `sheet` at or below `at`
    one row down, as after inserting a row there (the formulas themselves do not move:
    insertion_blockers ruled that out). Returns the cells ("sheet!A1") whose formula changed."""
    out = []
    for cell in cells:
        moved = shift_formula(cell.value, cell.parent.title, sheet, at)
        if moved != cell.value:
            cell.value = moved
            out.append(f"{cell.parent.title}!{cell.coordinate}")
    return out
