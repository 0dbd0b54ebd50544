"""The batch summary workbook (openpyxl rendering of views/summary.py)."""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from ..views.styles import AMOUNT_FORMAT, BODY_FONT, HEADER_FILL, MAX_ROW_HEIGHT
from ..views.summary import AMOUNT, CENTRED, TEXT, Cell, Column, Sheet, summary_sheets
from .workbook_file import save_new_workbook
from ..domain.labels import visible_text
from .xlsx_cells import set_text

_BODY = Font(name=BODY_FONT, size=10)
_BOLD = Font(name=BODY_FONT, size=10, bold=True)
_TITLE = Font(name=BODY_FONT, size=12, bold=True)
_LINK = Font(name=BODY_FONT, size=10, color="0563C1", underline="single")
# a column's cells and its header share one horizontal alignment (a count sits under its own header)
_HORIZONTAL = {TEXT: "left", CENTRED: "center", AMOUNT: "right"}
_PREAMBLE = Alignment(vertical="center", wrap_text=False)      # one line each, running over empty cells
_THIN = Side(style="thin", color="A6A6A6")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CM = 1 / 2.54


def write_summary(outcomes: list[dict], target: Path, with_info: bool = False) -> Path:
    """Write the reviewer's workbook for batch `outcomes` to `target` (atomically)."""
    target = Path(target)
    save_new_workbook(build_summary(outcomes, target.parent if str(target.parent) else Path("."), with_info), target)
    return target


def build_summary(outcomes: list[dict], report_folder: Path, with_info: bool = False) -> Workbook:
    """The count lines and one row per file, and the findings with their files (提示 only
    `with_info`); links relative to `report_folder`."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in summary_sheets(outcomes, with_info):
        _render(workbook.create_sheet(sheet.title), sheet, report_folder)
    return workbook


def _render(ws, sheet: Sheet, report_folder: Path) -> None:
    for number, line in enumerate(sheet.preamble, start=1):
        for col, item in enumerate(line, start=1):
            if item is not None:
                cell = _put(ws, number, col, item.value, _TITLE if number == 1 else _BODY, _PREAMBLE)
                if item.fill:
                    cell.fill = PatternFill("solid", fgColor=item.fill)
    top = sheet.header_row
    aligned = [_alignment(c, "top") for c in sheet.columns]
    for number, row in enumerate(sheet.rows, start=top + 1):
        for col, item in enumerate(row.cells, start=1):
            cell = ws.cell(row=number, column=col)
            cell.border = _GRID
            cell.alignment = aligned[col - 1]
            if item is None:
                continue
            cell = _put(ws, number, col, item.value, _BODY, aligned[col - 1])
            if item.fill:
                cell.fill = PatternFill("solid", fgColor=item.fill)
            if item.amount and not isinstance(item.value, str):
                cell.number_format = AMOUNT_FORMAT
        ws.row_dimensions[number].height = _row_height(row.cells, sheet.columns)
        if row.link is not None:
            cell = ws.cell(row=number, column=sheet.file_column)
            cell.hyperlink = _link_target(row.link, report_folder)
            cell.font = _LINK
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    for col, column in enumerate(sheet.columns, start=1):
        cell = _put(ws, top, col, column.header, _BOLD, _alignment(column, "center"))
        cell.fill, cell.border = header_fill, _GRID
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.row_dimensions[top].height = _row_height([Cell(c.header) for c in sheet.columns], sheet.columns)
    last = get_column_letter(len(sheet.columns))
    ws.freeze_panes = f"A{top + 1}"
    ws.auto_filter.ref = f"A{top}:{last}{max(len(sheet.rows), 1) + top}"
    _page_setup(ws, sheet, top)


def _alignment(column: Column, vertical: str) -> Alignment:
    """Cells and header of a column aligned alike; amounts keep a character from the next column's
    text and shrink rather than show ### when a 元 figure is too long."""
    return Alignment(horizontal=_HORIZONTAL[column.kind], vertical=vertical, wrap_text=column.kind != AMOUNT,
                     shrink_to_fit=column.kind == AMOUNT, indent=1 if column.kind == AMOUNT else 0)


def _row_height(cells, columns) -> float:
    """A height that shows every wrapped cell whole: spreadsheets do not grow the rows of a file
    written by openpyxl, so without it a long 问题说明 prints cut after one line. Estimated as
    Excel lays text out (a CJK character of the 10 pt body about two width units, others one)."""
    lines = 1
    for item, column in zip(cells, columns):
        if item is None or column.kind == AMOUNT or not isinstance(item.value, str):
            continue
        room = column.width           # Excel fits about 1.05 units per width unit at 10 pt
        needed = sum(max(1, -(-_units(part) // room)) for part in visible_text(item.value).split("\n"))
        lines = max(lines, needed)
    return min(MAX_ROW_HEIGHT, 14.5 * lines + 3)


def _units(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _page_setup(ws, sheet: Sheet, top: int) -> None:
    """A4 landscape, the header row on every page, page numbers; the columns are sized to the
    page width, so fitting to one page wide scales by a few percent at most, never to a blur."""
    ws.print_title_rows = f"{top}:{top}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.page_margins = PageMargins(left=1.0 * _CM, right=1.0 * _CM, top=1.5 * _CM, bottom=1.5 * _CM,
                                  header=0.6 * _CM, footer=0.6 * _CM)
    ws.print_options.horizontalCentered = True
    ws.oddHeader.center.text = f"决算公开批量审核 — {sheet.title}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _put(ws, row: int, col: int, value, font: Font, alignment: Alignment):
    """Text as text (never a formula; control characters and undecodable bytes of file names
    shown as escapes, as XML cannot hold them), numbers as numbers."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        set_text(cell, visible_text(value))
    elif value is not None:
        cell.value = value
    cell.font = font
    cell.alignment = alignment
    return cell


def _link_target(file: str, report_folder: Path) -> str:
    """Relative to the summary when possible, so that the folder can be moved with it."""
    target = Path(file).resolve()
    try:
        text = Path(os.path.relpath(target, report_folder.resolve())).as_posix()
    except ValueError:                      # another drive on Windows
        return target.as_uri()
    text = text.replace("%", "%25").replace("#", "%23").replace("?", "%3F")
    return _LINK_UNSAFE.sub(_percent_bytes, text)


_LINK_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _percent_bytes(match) -> str:
    """A character a link's XML cannot hold, as the %XX of its bytes in the file name
    (an undecodable byte is its own: os.fsdecode kept it as a surrogate)."""
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8", "surrogateescape"))
