"""The batch summary workbook (openpyxl rendering of views/summary.py)."""
from __future__ import annotations

import os
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..views.styles import AMOUNT_FORMAT, BODY_FONT, HEADER_FILL
from ..views.summary import Sheet, summary_sheets
from .workbook_file import save_new_workbook
from .xlsx_cells import set_text, visible_text

_BODY = Font(name=BODY_FONT, size=10)
_BOLD = Font(name=BODY_FONT, size=10, bold=True)
_LINK = Font(name=BODY_FONT, size=10, color="0563C1", underline="single")
_TOP = Alignment(vertical="top", wrap_text=False)


def write_summary(outcomes: list[dict], target: Path) -> Path:
    """Write the reviewer's workbook for batch `outcomes` to `target` (atomically)."""
    target = Path(target)
    save_new_workbook(build_summary(outcomes, target.parent if str(target.parent) else Path(".")), target)
    return target


def build_summary(outcomes: list[dict], report_folder: Path) -> Workbook:
    """One row per file, and every finding with its file; links relative to `report_folder`."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in summary_sheets(outcomes):
        _render(workbook.create_sheet(sheet.title), sheet, report_folder)
    return workbook


def _render(ws, sheet: Sheet, report_folder: Path) -> None:
    for number, row in enumerate(sheet.rows, start=2):
        cell = _put(ws, number, 1, row.file, _LINK if row.linked else _BODY)
        if row.linked:
            cell.hyperlink = _link_target(row.file, report_folder)
            cell.font = _LINK
        for col, item in enumerate(row.cells, start=2):
            if item is None:
                continue
            cell = _put(ws, number, col, item.value)
            if item.fill:
                cell.fill = PatternFill("solid", fgColor=item.fill)
            if item.amount and not isinstance(item.value, str):
                cell.number_format = AMOUNT_FORMAT
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    for col, (title, width) in enumerate(zip(sheet.headers, sheet.widths), start=1):
        _put(ws, 1, col, title, _BOLD).fill = header_fill
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{max(len(sheet.rows), 1) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


def _put(ws, row: int, col: int, value, font: Font = _BODY):
    """Text as text (never a formula; control characters and undecodable bytes of file names
    shown as escapes, as XML cannot hold them), numbers as numbers."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        set_text(cell, visible_text(value))
    elif value is not None:
        cell.value = value
    cell.font = font
    cell.alignment = _TOP
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
