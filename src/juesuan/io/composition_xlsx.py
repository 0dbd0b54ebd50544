"""The sheet 单位构成 (openpyxl rendering of views/composition.py)."""
from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.hyperlink import Hyperlink

from ..domain.layout import column_letter
from ..views.composition import (
    AMOUNT,
    HEADER,
    HEADING,
    SHARE,
    TITLE,
    TOTAL,
    TOTAL_AMOUNT,
    TOTAL_SHARE,
    CompositionGrid,
)
from ..views.review import link_location
from ..views.styles import AMOUNT_FORMAT, BODY_FONT
from ..domain.labels import visible_text
from .xlsx_cells import BOLD, BORDER, CENTER, fit_to_width, set_text
from .xlsx_cells import HEADER as HEADER_FILL
from .xlsx_cells import TITLE as TITLE_FONT

SHARE_FORMAT = "0.00%"
_LINK = Font(name=BODY_FONT, size=10, color="0563C1", underline="single")
_BODY = Font(name=BODY_FONT, size=10)
_RIGHT = Alignment(horizontal="right", vertical="center")
_WRAP = Alignment(vertical="center", wrap_text=True)
_BOXED = {HEADER, TOTAL, TOTAL_AMOUNT, TOTAL_SHARE, AMOUNT, SHARE}


def render_composition(ws, grid: CompositionGrid) -> None:
    """Write `grid` onto the empty sheet `ws`."""
    widest = max((len(r) for r in grid.rows), default=1)
    for col in range(1, widest + 1):
        ws.column_dimensions[column_letter(col)].width = grid.widths[min(col, len(grid.widths)) - 1]
    for number, cells in enumerate(grid.rows, start=1):
        boxed_row = any(c.style in _BOXED for c in cells) or any(c.link for c in cells)
        for col, item in enumerate(cells, start=1):
            cell = ws.cell(row=number, column=col)
            if isinstance(item.value, str):
                set_text(cell, visible_text(item.value))
            elif item.value is not None:
                cell.value = item.value
            cell.font = BOLD if item.style in (HEADING, HEADER, TOTAL, TOTAL_AMOUNT, TOTAL_SHARE) else _BODY
            if boxed_row:
                cell.border = BORDER
            if item.style in (AMOUNT, TOTAL_AMOUNT):
                cell.number_format, cell.alignment = AMOUNT_FORMAT, _RIGHT
            elif item.style in (SHARE, TOTAL_SHARE):
                cell.number_format, cell.alignment = SHARE_FORMAT, _RIGHT
            elif item.style == HEADER:
                cell.fill, cell.alignment = HEADER_FILL, CENTER
            if item.style == TITLE:
                cell.font = TITLE_FONT
            if item.link:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=link_location(*item.link),
                                           display=str(item.value))
                cell.font = _LINK
        if any(c.style == HEADER for c in cells):
            ws.row_dimensions[number].height = 30     # unit names as column titles take two lines
    ws.row_dimensions[1].height = 30
    fit_to_width(ws)
    ws.print_title_rows = "1:2"
