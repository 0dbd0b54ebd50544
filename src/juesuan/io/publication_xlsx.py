"""Writing the published tables (openpyxl): one print-ready sheet per table.

Each sheet: title, 公开NN表, 单位：… and 金额单位：万元, the merged multi-row header
(repeated on every printed page), the body, the 注 line(s). A4 landscape, fitted
to the page width. Text goes through xlsx_cells.set_text, so nothing becomes a formula.
"""
from __future__ import annotations

import math

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.properties import PageSetupProperties

from ..domain.layout import column_letter
from ..views.publication import (
    PUBLISHED_UNIT,
    Publication,
    PublishedTable,
    display_width,
    printed,
)
from ..views.styles import AMOUNT_FORMAT, BODY_FONT, MAX_ROW_HEIGHT, TITLE_FONT
from .xlsx_cells import set_text

LINE = Side(style="thin", color="000000")
GRID = Border(left=LINE, right=LINE, top=LINE, bottom=LINE)
TITLE = Font(name=TITLE_FONT, size=16, bold=True)
BODY = Font(name=BODY_FONT, size=10)
BOLD = Font(name=BODY_FONT, size=10, bold=True)
NOTE = Font(name=BODY_FONT, size=9)
ALIGN = {
    "text": Alignment(horizontal="left", vertical="center", indent=1),
    "center": Alignment(horizontal="center", vertical="center"),
    "code": Alignment(horizontal="left", vertical="center", indent=1),
    "lineno": Alignment(horizontal="center", vertical="center"),
    "amount": Alignment(horizontal="right", vertical="center", indent=1),
}
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
NOTE_ALIGN = Alignment(horizontal="left", vertical="top", wrap_text=True)
LINE_HEIGHT = 13.5      # points per line of 10-point text
BODY_HEIGHT = 16
# A4 landscape minus the margins set below, in points
PRINTABLE_WIDTH = 842 - 2 * 0.5 * 72
PRINTABLE_HEIGHT = 595 - 2 * 0.6 * 72
ONE_PAGE_MIN_SCALE = 0.68   # shrink a table onto one page only while its text stays readable


def sheet_name(table: PublishedTable) -> str:
    return f"{table.spec.id}表"


def _merge(ws, row, col, rowspan, colspan):
    if rowspan > 1 or colspan > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + rowspan - 1, end_column=col + colspan - 1)


def _text(ws, row, col, text, font, align):
    cell = ws.cell(row=row, column=col)
    set_text(cell, text)
    cell.font, cell.alignment = font, align
    return cell


# where a header reads well when broken in two (一般公共预算/财政拨款, 对附属单位/补助支出)
BREAK_AFTER = ("预算", "基金", "单位", "公务用车", "结转", "出国", "本年", "经营")


def balanced(text: str, width: float) -> str:
    """Break a header that does not fit its cell into lines of about equal length, at a
    word boundary when there is one near the middle."""
    capacity = max(2, int((width * 5.25 - 4) / 10.5))     # bold 10-point CJK characters per line (Excel)
    if "\n" in text or display_width(text) <= capacity * 2:
        return text
    n = len(text)
    if n <= 2 * capacity:
        candidates = range(max(1, n - capacity), min(capacity, n - 1) + 1)
        preferred = [k for k in candidates if text[:k].endswith(BREAK_AFTER)]
        k = min(preferred or candidates, key=lambda k: abs(k - n / 2))
        return text[:k] + "\n" + text[k:]
    size = math.ceil(n / math.ceil(n / capacity))
    return "\n".join(text[i:i + size] for i in range(0, n, size))


def _lines_needed(text: str, width: float) -> int:
    usable = max(width - 1.5, 2.0)
    return max(1, math.ceil(display_width(text) / usable))


def write_table(ws, table: PublishedTable, zero: str) -> None:
    n = table.columns
    widths = table.widths
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[column_letter(i)].width = width

    # title block
    _text(ws, 1, 1, table.spec.title, TITLE, ALIGN["center"])
    _merge(ws, 1, 1, 1, n)
    ws.row_dimensions[1].height = 30
    _text(ws, 2, 1, f"公开{table.spec.number}表", BODY, ALIGN["center"])
    _merge(ws, 2, 1, 1, n)
    right = 1
    while right < n - 1 and sum(widths[n - right:]) < 18:
        right += 1
    _text(ws, 3, 1, f"{table.entity}：{table.unit_name}", BODY, ALIGN["text"])
    _merge(ws, 3, 1, 1, n - right)
    _text(ws, 3, n - right + 1, f"金额单位：{PUBLISHED_UNIT}", BODY, Alignment(horizontal="right", vertical="center"))
    _merge(ws, 3, n - right + 1, 1, right)
    ws.row_dimensions[2].height = ws.row_dimensions[3].height = 18

    # header
    top = 4
    needed = [1.0] * table.header_rows
    for r in range(table.header_rows):
        for c in range(1, n + 1):
            cell = ws.cell(row=top + r, column=c)
            cell.border, cell.font, cell.alignment = GRID, BOLD, HEADER_ALIGN
    for h in table.header_cells:
        span_width = sum(widths[h.col - 1:h.col - 1 + h.colspan])
        text = balanced(h.text, span_width)
        cell = _text(ws, top + h.row, h.col, text, BOLD, HEADER_ALIGN)
        if h.text.isdigit():
            cell.value = int(h.text)
            cell.font = BODY
        _merge(ws, top + h.row, h.col, h.rowspan, h.colspan)
        lines = text.count("\n") + 1 if "\n" in text else _lines_needed(text, span_width)
        per_row = lines / h.rowspan
        for r in range(h.row, h.row + h.rowspan):
            needed[r] = max(needed[r], per_row)
    for r, lines in enumerate(needed):
        ws.row_dimensions[top + r].height = min(MAX_ROW_HEIGHT, max(BODY_HEIGHT, math.ceil(lines) * LINE_HEIGHT + 4))
    first_body = top + table.header_rows

    # body
    for offset, cells in enumerate(table.body):
        row = first_body + offset
        for c in range(1, n + 1):
            ws.cell(row=row, column=c).border = GRID
            ws.cell(row=row, column=c).font = BODY
        for col, pc in cells:
            cell = ws.cell(row=row, column=col)
            if pc.kind == "amount":
                value = printed(pc.value, zero)
                cell.value = value
                cell.number_format = AMOUNT_FORMAT
            elif pc.kind == "lineno":
                cell.value = pc.value
            elif pc.value not in (None, ""):
                set_text(cell, str(pc.value))
            cell.font = BOLD if pc.bold else BODY
            cell.alignment = ALIGN[pc.kind]
            _merge(ws, row, col, 1, pc.span)
        ws.row_dimensions[row].height = BODY_HEIGHT
    last_body = first_body + len(table.body) - 1

    # notes
    row = last_body + 1
    total_width = sum(widths)
    for note in table.notes:
        row += 1
        _text(ws, row, 1, note, NOTE, NOTE_ALIGN)
        _merge(ws, row, 1, 1, n)
        ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT, _lines_needed(note, total_width * 1.1) * 12.5 + 4)

    # print setup: A4 landscape, one page wide, header rows on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if fits_one_page(ws, widths, row) else 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_title_rows = f"{top}:{first_body - 1}"
    ws.print_area = f"A1:{column_letter(n)}{row}"
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.oddFooter.center.size = 9
    ws.freeze_panes = ws.cell(row=first_body, column=1)
    ws.sheet_view.showGridLines = False


PAGE_FOOTER = "第 &P 页 共 &N 页"


def column_points(width: float) -> float:
    """Printed width of a column: LibreOffice prints about 7 pt per width unit (Excel about 5.3);
    the larger figure keeps the one-page decision on the safe side."""
    return width * 7.0


def fits_one_page(ws, widths, last_row: int) -> bool:
    """True when the whole sheet fits one page at a readable scale (else: one page wide, many long)."""
    width = sum(column_points(w) for w in widths)
    height = sum((ws.row_dimensions[r].height or 15) for r in range(1, last_row + 1))
    scale = min(1.0, PRINTABLE_WIDTH / width, PRINTABLE_HEIGHT / height)
    return scale >= ONE_PAGE_MIN_SCALE


def render_workbook(publication: Publication) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in publication.tables:
        write_table(workbook.create_sheet(sheet_name(table)), table, publication.zero)
    report = publication.report
    workbook.properties.title = f"{report.unit_name or ''}{report.year or ''}年度{report.entity}决算公开表"
    workbook.properties.creator = "juesuan"
    return workbook
