"""The batch summary workbook (openpyxl rendering of views/summary.py)."""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from ..domain.labels import visible_text
from ..views.styles import AMOUNT_FORMAT, BODY_FONT, HEADER_FILL, MAX_ROW_HEIGHT
from ..views.summary import (
    AMOUNT,
    CENTRED,
    TEXT,
    Cell,
    Column,
    Sheet,
    streamed_sheets,
    summary_sheets,
)
from .atomic import real_target, write_atomically
from .sheet_links import SheetLinks, add_links
from .workbook_file import refuse_wrong_suffix, verify_zip
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


def write_summary(outcomes, target: Path, with_info: bool = False) -> Path:
    """Write the reviewer's workbook for batch `outcomes` (a list, or an io.outcome_log.OutcomeLog)
    to `target` (atomically)."""
    target = real_target(target)
    folder = target.parent if str(target.parent) else Path(".")
    refuse_wrong_suffix(target)                 # (a summary has no macros: .xlsx)

    def write(temp: Path) -> None:
        # built inside the write: a write-only workbook streams its rows to temporary files, which a
        # refused target (no such folder…) would otherwise leave open
        links: list[SheetLinks] = []
        try:
            with tempfile.TemporaryDirectory(prefix="juesuan-summary-") as scratch:
                plain = Path(scratch) / "plain.xlsx"
                build_summary(outcomes, folder, with_info, links).save(plain)
                add_links(plain, temp, links)
        finally:
            for sheet_links in links:
                sheet_links.close()

    write_atomically(target, write, verify=verify_zip)
    return target


def build_summary(outcomes, report_folder: Path, with_info: bool = False,
                  links: list[SheetLinks] | None = None) -> Workbook:
    """The count lines and one row per file, and the findings with their files (提示 only
    `with_info`); links relative to `report_folder`. A write-only workbook: its rows are
    written out as they are made, so 10,000 files' findings never sit in memory at once.
    With `links`, each sheet's 文件 links go there (one SheetLinks per sheet, for
    sheet_links.add_links) instead of into the workbook, which would hold them all."""
    workbook = Workbook(write_only=True)
    if isinstance(outcomes, list):
        sheets = summary_sheets(outcomes, with_info)
    else:
        sheets = streamed_sheets(outcomes.tally, outcomes.worst_first, with_info)
    for sheet in sheets:
        sheet_links = None
        if links is not None:
            links.append(sheet_links := SheetLinks())
        _render(workbook.create_sheet(sheet.title), sheet, report_folder, sheet_links)
    return workbook


def _render(ws, sheet: Sheet, report_folder: Path, links: SheetLinks | None = None) -> None:
    """Row by row, top to bottom (a write-only sheet): what belongs before the rows (column
    widths, the frozen header, each row's height) is set before they are appended."""
    top = sheet.header_row
    for col, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.freeze_panes = f"A{top + 1}"
    _page_setup(ws, sheet, top)                  # (fit to page is written at the top of the sheet)
    for number, line in enumerate(sheet.preamble, start=1):
        ws.append([None if item is None else
                   _cell(ws, item.value, _TITLE if number == 1 else _BODY, _PREAMBLE, item.fill) for item in line])
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    ws.row_dimensions[top].height = _row_height([Cell(c.header) for c in sheet.columns], sheet.columns)
    ws.append([_cell(ws, column.header, _BOLD, _alignment(column, "center"), border=_GRID, fill=header_fill)
               for column in sheet.columns])
    aligned = [_alignment(c, "top") for c in sheet.columns]
    number = top
    for number, row in enumerate(sheet.rows, start=top + 1):
        ws.row_dimensions[number].height = _row_height(row.cells, sheet.columns)
        cells = []
        for col, item in enumerate(row.cells, start=1):
            if item is None:
                cells.append(_cell(ws, None, None, aligned[col - 1], border=_GRID))
                continue
            cell = _cell(ws, item.value, _BODY, aligned[col - 1], item.fill, _GRID)
            if item.amount and not isinstance(item.value, str):
                cell.number_format = AMOUNT_FORMAT
            if row.link is not None and col == sheet.file_column:
                if links is None:
                    cell.hyperlink = _link_target(row.link, report_folder)
                else:
                    links.add(f"{get_column_letter(col)}{number}", _link_target(row.link, report_folder))
                cell.font = _LINK
            cells.append(cell)
        ws.append(cells)
        del ws.row_dimensions[number]            # written with the row: not kept for 10,000 rows
    last = get_column_letter(len(sheet.columns))
    ws.auto_filter.ref = f"A{top}:{last}{max(number, top + 1)}"


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
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.page_margins = PageMargins(left=1.0 * _CM, right=1.0 * _CM, top=1.5 * _CM, bottom=1.5 * _CM,
                                  header=0.6 * _CM, footer=0.6 * _CM)
    ws.print_options.horizontalCentered = True
    ws.HeaderFooter.oddHeader.center.text = f"决算公开批量审核 — {sheet.title}"
    ws.HeaderFooter.oddFooter.center.text = "第 &P 页，共 &N 页"


def _cell(ws, value, font: Font | None, alignment: Alignment, fill: str | PatternFill | None = None,
          border: Border | None = None) -> WriteOnlyCell:
    """Text as text (never a formula; control characters and undecodable bytes of file names
    shown as escapes, as XML cannot hold them), numbers as numbers."""
    cell = WriteOnlyCell(ws)
    if isinstance(value, str):
        set_text(cell, visible_text(value))
    elif value is not None:
        cell.value = value
    if font is not None:
        cell.font = font
    cell.alignment = alignment
    if fill is not None:
        cell.fill = fill if isinstance(fill, PatternFill) else PatternFill("solid", fgColor=fill)
    if border is not None:
        cell.border = border
    return cell


def _link_target(file: str, report_folder: Path) -> str:
    """Relative to the summary when possible, so that the folder can be moved with it.
    (With os.path on strings: pathlib interns every part of every path it parses, which a
    summary of 10,000 workbooks would keep paying for in memory.)"""
    target = os.path.realpath(file)
    try:
        text = os.path.relpath(target, os.path.realpath(report_folder)).replace(os.sep, "/")
    except ValueError:                      # another drive on Windows
        return Path(target).as_uri()
    text = text.replace("%", "%25").replace("#", "%23").replace("?", "%3F")
    return _LINK_UNSAFE.sub(_percent_bytes, text)


_LINK_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _percent_bytes(match) -> str:
    """A character a link's XML cannot hold, as the %XX of its bytes in the file name
    (an undecodable byte is its own: os.fsdecode kept it as a surrogate)."""
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8", "surrogateescape"))
