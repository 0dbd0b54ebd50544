"""Cell primitives the openpyxl renderers share: text kept as text, the house borders,
fonts and fills, a styled box, and printing fitted to the page width."""
from __future__ import annotations


from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from ..views.styles import BODY_FONT, DERIVED_FILL, HEADER_FILL, TITLE_FONT

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=False)
BODY = Font(name=BODY_FONT, size=10)
BOLD = Font(name=BODY_FONT, size=10, bold=True)
TITLE = Font(name=TITLE_FONT, size=16, bold=True)
DERIVED = PatternFill("solid", fgColor=DERIVED_FILL)
HEADER = PatternFill("solid", fgColor=HEADER_FILL)


# C0 and C1 controls (tab and line feed kept), DEL, lone surrogates and the two non-characters
# XML refuses: what must never reach a cell as it is.
def set_text(cell, text) -> None:
    """Write a string as a string: text starting with = + - @ never becomes a formula."""
    cell.value = text
    if isinstance(text, str):
        cell.data_type = "s"


def box(ws, row, col, value=None, *, font=BODY, align=LEFT, fill=None, number_format=None, text=False):
    """A bordered cell with the given value and style."""
    cell = ws.cell(row=row, column=col)
    if value is not None:
        if text:
            set_text(cell, value)
        else:
            cell.value = value
    cell.font, cell.alignment, cell.border = font, align, BORDER
    if fill is not None:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
    return cell


def fit_to_width(ws, landscape=True) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def add_choice_list(ws, cell: str, choices) -> None:
    """A dropdown on `cell` that accepts only `choices` (or blank), refusing anything else in Chinese."""
    validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="请从下拉列表中选择",
                                error="只能选择：" + "、".join(choices))
    validation.add(cell)
    ws.add_data_validation(validation)
