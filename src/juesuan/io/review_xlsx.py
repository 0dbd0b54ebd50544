"""The review sheet 审核结果 in a workbook file (openpyxl): render the review grid, colour the
cells concerned, remember their original fill, read back the clerk's 备注 and our marks.

Positions come from ``views.review``; this module only maps the grid's cells to openpyxl
(values, fonts, borders, links, hidden registry columns). The fill serialisation of the
registry lives here because it is openpyxl's XML; the xlwings adapter uses it too.
"""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.colors import Color
from openpyxl.styles.fills import Fill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.xml.functions import fromstring, tostring

from ..domain.layout import column_letter, parse_a1
from ..domain.schema import FACT_SHEETS, REVIEW_SHEET, TABLE_IDS
from ..views.fill_record import parse_overwrites
from ..views.review import (
    AMOUNT_COLUMNS,
    COLUMN_WIDTHS,
    COUNTS_ROW,
    FILL_RECORD_COLUMN,
    FIRST_ROW,
    HEADER_ROW,
    LAST_VISIBLE_COLUMN,
    LINK_COLUMN,
    MARK_COLUMNS,
    MESSAGE_COLUMN,
    REGISTRY_COLUMNS,
    SEVERITY_COLUMN,
    TITLE_ROW,
    WRAPPED_COLUMNS,
    Review,
    ReviewGrid,
    is_address,
    link_location,
    parse_fill_record,
    parse_registry,
    review_grid,
)
from ..views.styles import (
    AMOUNT_FORMAT,
    BODY_FONT,
    DERIVED_FILL,
    MAX_ROW_HEIGHT,
    SEVERITY_FILLS,
)
from .xlsx_cells import BOLD, BORDER, CENTER, HEADER, TITLE, box, fit_to_width, set_text

MAX_CELL_TEXT = 32767          # Excel's limit; a longer string makes Excel "repair" the file


def safe_text(text: str) -> str:
    """What a cell can hold: no XML-illegal control characters, at most 32767 characters."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return text if len(text) <= MAX_CELL_TEXT else text[:MAX_CELL_TEXT - 1] + "…"


def _put_text(cell, text: str) -> None:
    """Text from a workbook or a message: always a string cell, never a formula."""
    set_text(cell, safe_text(text))


def _put_value(cell, value) -> None:
    """A clerk's 备注 kept from the last run may be a number or a date: keep it, but never as a formula."""
    try:
        cell.value = value
    except (ValueError, TypeError):
        _put_text(cell, str(value))
        return
    if cell.data_type == "f":
        _put_text(cell, str(value))


# --- the registry's fill text -------------------------------------------------------------
def fill_to_text(fill) -> str:
    """Serialise a cell's fill (pattern or gradient, any colour kind) so the next run can put it back exactly."""
    if fill is None or getattr(fill, "fill_type", None) is None:
        return ""
    return tostring(fill.to_tree()).decode("utf-8")


def text_to_fill(text) -> PatternFill | Fill:
    """The fill a registry entry records; no fill for an empty or damaged entry."""
    if not text or not isinstance(text, str):
        return PatternFill(fill_type=None)
    try:
        if text.lstrip().startswith("<"):
            return Fill.from_tree(fromstring(text))
        data = json.loads(text)          # written by versions before the XML form
        kind = data.get("ctype") or "rgb"
        color = Color(**{kind: data["value"]}, tint=data.get("tint") or 0.0)
        bg = Color(rgb=data["bg"]) if data.get("bg") else None
        return PatternFill(fill_type=data["type"], fgColor=color, bgColor=bg) if bg else \
            PatternFill(fill_type=data["type"], fgColor=color)
    except Exception:   # a damaged registry entry: fall back to no fill rather than fail the run
        return PatternFill(fill_type=None)


# --- what the last run left -----------------------------------------------------------------
def previous_review(workbook) -> tuple[dict, list[tuple[str, str, str]]]:
    """(notes by finding key, [(sheet, A1, original fill)]) left by the last run."""
    if REVIEW_SHEET not in workbook.sheetnames:
        return {}, []
    rows = workbook[REVIEW_SHEET].iter_rows(min_row=FIRST_ROW, values_only=True)
    return parse_registry(rows, first_row=FIRST_ROW)


def previous_fill(workbook) -> tuple[dict, list]:
    """(the record of the figures fill left, the overwrites it reported as findings) from the last run."""
    if REVIEW_SHEET not in workbook.sheetnames:
        return {}, []
    rows = list(workbook[REVIEW_SHEET].iter_rows(min_row=FIRST_ROW, values_only=True))
    return parse_fill_record(rows, first_row=FIRST_ROW), parse_overwrites(rows, first_row=FIRST_ROW)


def read_notes_with_openpyxl(path: Path) -> dict:
    """The 备注 a clerk wrote in the 审核结果 sheet of the file at `path` (empty when there is none);
    reader.read_notes, which reads them faster, leaves to this what its fast reader declines."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception:
        return {}
    try:
        notes, _marks = previous_review(workbook)
        return notes
    except Exception:
        return {}
    finally:
        workbook.close()


def shift_registry(workbook, sheet: str, at: int) -> None:
    """After a row was inserted at `at` of `sheet`: every address of that sheet that 审核结果
    keeps (the cells we marked, the 单元格 links, fill record entries of older sheets) moves
    one row down with its cell, so the next run restores and matches the right cells."""
    if REVIEW_SHEET not in workbook.sheetnames:
        return
    ws = workbook[REVIEW_SHEET]
    for row in ws.iter_rows(min_row=FIRST_ROW):
        for col in (LINK_COLUMN, MARK_COLUMNS[0], FILL_RECORD_COLUMN):
            if col > len(row) or not isinstance(row[col - 1].value, str):
                continue
            cell = row[col - 1]
            where, eq, rest = cell.value.partition("=") if col == FILL_RECORD_COLUMN else (cell.value, "", "")
            name, bang, address = where.rpartition("!")
            if name == sheet and is_address(address):
                column = address.rstrip("0123456789")
                number = int(address[len(column):])
                if number >= at:
                    cell.value = f"{name}!{column}{number + 1}{eq}{rest}"
                    if cell.hyperlink is not None and col == LINK_COLUMN:
                        cell.hyperlink.location = link_location(name, f"{column}{number + 1}")


# --- marks on the data sheets ---------------------------------------------------------------
def clear_marks(workbook, marks) -> None:
    for sheet, address, original in marks:
        if sheet in workbook.sheetnames and sheet != REVIEW_SHEET and is_address(address):
            target = workbook[sheet][address]
            if hasattr(target, "fill") and not type(target).__name__ == "MergedCell":
                target.fill = text_to_fill(original)


_MARK_COLOURS = {colour.upper() for colour in SEVERITY_FILLS.values()}


def _is_our_mark(fill) -> bool:
    if fill is None or fill.fill_type != "solid" or fill.fgColor is None or fill.fgColor.type != "rgb":
        return False
    return str(fill.fgColor.rgb or "")[-6:].upper() in _MARK_COLOURS


def _template_fill(review: Review, sheet: str, address: str) -> PatternFill:
    return PatternFill("solid", fgColor=DERIVED_FILL) if (sheet, address) in review.derived else PatternFill(fill_type=None)


def sweep_stray_marks(workbook, review: Review) -> None:
    """Undo marks whose record was lost (review rows deleted by hand): any data cell still
    wearing one of our mark colours and not marked by this run gets the template's fill.

    The workbook's fills are judged once each, then each cell by its fill's index: the cells
    present only (iterating rows would create every empty cell of the rectangle)."""
    marks = {index for index, fill in enumerate(workbook._fills) if _is_our_mark(fill)}
    if not marks:
        return
    for sheet in (*TABLE_IDS, *FACT_SHEETS):       # every sheet whose cells a finding can mark
        if sheet not in workbook.sheetnames:
            continue
        for cell in list(workbook[sheet]._cells.values()):
            if cell._style is not None and cell._style.fillId in marks and (sheet, cell.coordinate) not in review.marks:
                cell.fill = _template_fill(review, sheet, cell.coordinate)


# --- rendering ------------------------------------------------------------------------------
def _wrapped_height(text, width) -> float:
    """Row height that shows a wrapped message whole: spreadsheets do not grow rows written
    by openpyxl, so without this the printed review cuts every long 说明 after one line.
    At most Excel's limit: a message too long for it stays readable in the cell itself."""
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text or ""))
    lines = max(1, -(-units // max(1, int(width or 70) - 2)))
    return min(MAX_ROW_HEIGHT, 13.5 * lines)


def render_review_sheet(ws, grid: ReviewGrid) -> None:
    """Put `grid` onto the empty sheet `ws`: values, fonts, borders, links, print setup."""
    last = column_letter(LAST_VISIBLE_COLUMN)
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    title = ws.cell(row=TITLE_ROW, column=1, value=grid.title)
    title.font, title.alignment = TITLE, CENTER
    for col, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[column_letter(col)].width = width
    body = Font(name=BODY_FONT, size=10)
    for (row, col), value in sorted(grid.cells.items()):
        cell = ws.cell(row=row, column=col)
        if col > LAST_VISIBLE_COLUMN:                     # the registry: plain text, hidden below
            _put_text(cell, value)
        elif row < HEADER_ROW:
            _put_text(cell, value)
            cell.font = Font(name=BODY_FONT, size=10, bold=row == COUNTS_ROW)
        elif row == HEADER_ROW:
            box(ws, row, col, value, font=BOLD, align=CENTER, fill=HEADER)
        else:
            if isinstance(value, str):
                _put_text(cell, value)
            else:
                _put_value(cell, value)
                if col in AMOUNT_COLUMNS:
                    cell.number_format = AMOUNT_FORMAT
            cell.font, cell.border = body, BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=col in WRAPPED_COLUMNS)
    message_width = ws.column_dimensions[column_letter(MESSAGE_COLUMN)].width
    for row, severity in grid.severities.items():
        ws.cell(row=row, column=SEVERITY_COLUMN).fill = PatternFill("solid", fgColor=SEVERITY_FILLS[severity])
        ws.row_dimensions[row].height = _wrapped_height(grid.cells[row, MESSAGE_COLUMN], message_width)
    for row, (sheet, address) in grid.links.items():
        link = ws.cell(row=row, column=LINK_COLUMN)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=link_location(sheet, address),
                                   display=safe_text(str(link.value)))
        link.font = Font(name=BODY_FONT, size=10, color="0563C1", underline="single")
    ws.freeze_panes = f"A{FIRST_ROW}"
    fit_to_width(ws)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    if grid.checked:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(HEADER_ROW + 1, grid.last_finding_row)}"
        ws.print_area = f"A{TITLE_ROW}:{last}{grid.last_finding_row}"    # not the hidden registry's rows below
        for col in REGISTRY_COLUMNS:
            ws.column_dimensions[column_letter(col)].hidden = True


def shade_derived(workbook, cells) -> None:
    """Give derived cells (sheet, A1) the template's grey: what fill computed looks computed.
    (The grey is registered once and set by its index: what `cell.fill = grey` does per cell.)"""
    grey = workbook._fills.add(PatternFill("solid", fgColor=DERIVED_FILL))
    sheets = {name: workbook[name] for name in workbook.sheetnames if name != REVIEW_SHEET}
    for sheet, address in cells:
        if sheet in sheets and is_address(address):
            row, column = parse_a1(address)
            target = sheets[sheet].cell(row=row, column=column)
            if type(target).__name__ != "MergedCell":
                if target._style is None:           # a new cell (openpyxl's descriptor does the same)
                    target._style = StyleArray()
                target._style.fillId = grey


def write_review(workbook, review: Review, marks_before, shade=()) -> None:
    """Replace 审核结果 with `review` and colour the cells concerned. `shade`: cells that wear
    the derived grey from now on (after fill); set before the marks record their original fill."""
    clear_marks(workbook, marks_before)
    sweep_stray_marks(workbook, review)
    shade_derived(workbook, shade)
    if REVIEW_SHEET in workbook.sheetnames:
        index = workbook.sheetnames.index(REVIEW_SHEET)
        workbook.remove(workbook[REVIEW_SHEET])
    else:
        index = len(workbook.sheetnames)
    ws = workbook.create_sheet(REVIEW_SHEET, index)
    originals = {}
    for sheet, address in review.marks_on(workbook.sheetnames):
        target = workbook[sheet][address]
        original = _template_fill(review, sheet, address) if _is_our_mark(target.fill) else target.fill
        originals[sheet, address] = fill_to_text(original)
    grid = review_grid(review, workbook.sheetnames, originals)
    render_review_sheet(ws, grid)
    for (sheet, address), severity in grid.marks.items():
        workbook[sheet][address].fill = PatternFill("solid", fgColor=SEVERITY_FILLS[severity])
