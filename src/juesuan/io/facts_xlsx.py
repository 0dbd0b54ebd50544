"""The fact sheets 上年数 and 其他公开事项 in a standard workbook (openpyxl): labels, the clerk's
value and reason columns, hints; below 其他公开事项 the list of 项 with their 年初预算."""
from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain.facts import (
    HEADER_ROW,
    HINT_COL,
    ITEM_BLANK_ROWS,
    REASON_COL,
    VALUE_COL,
    FactSheet,
    fact_layout,
)
from ..domain.schema import AMOUNT, CHOICE, COUNT, PERCENT, TEXT
from ..views.styles import AMOUNT_FORMAT, BODY_FONT
from .xlsx_cells import BOLD, CENTER, HEADER, LEFT, TITLE, add_choice_list, box, fit_to_width

WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
HINT = Font(name=BODY_FONT, size=9, color="595959")
FORMATS = {AMOUNT: AMOUNT_FORMAT, COUNT: "0", PERCENT: "0.00"}


def render_fact_sheet(ws, sheet: FactSheet, amount_unit_cell: str) -> None:
    lay = fact_layout(sheet.name)
    spec = lay.spec
    fit_to_width(ws, landscape=False)
    for col, width in zip("ABCD", (40, 18, 50, 40)):
        ws.column_dimensions[col].width = width
    ws.merge_cells("A1:D1")
    title = ws.cell(row=1, column=1, value=spec.title)
    title.font, title.alignment = TITLE, CENTER
    ws.row_dimensions[1].height = 30
    for col, text in enumerate(("项目", f"{spec.value_header}", spec.reason_header, "说明"), start=1):
        box(ws, HEADER_ROW, col, text, font=BOLD, align=CENTER, fill=HEADER)
    ws.cell(row=HEADER_ROW, column=VALUE_COL, value=f'="{spec.value_header}（"&单位信息!{amount_unit_cell}&"）"')
    for row, heading in lay.heading_rows.items():
        for col in range(1, 5):
            box(ws, row, col, heading if col == 1 else None, font=BOLD, fill=HEADER)
    for fact in spec.facts():
        row = lay.fact_rows[fact.key]
        item = sheet.values.get(fact.key)
        box(ws, row, 1, fact.label, text=True)
        value = item.value if item else None
        box(ws, row, VALUE_COL, value, text=fact.kind in (TEXT, CHOICE), number_format=FORMATS.get(fact.kind),
            align=WRAP if fact.kind == TEXT else RIGHT if fact.kind in FORMATS else LEFT)
        box(ws, row, REASON_COL, item.reason if item and fact.reason else None, text=True, align=WRAP,
            fill=None if fact.reason else HEADER)
        hint = fact.hint or ("上年同一单元格：" + "{0} {1} 栏次{2}".format(*fact.source) if fact.source else "")
        box(ws, row, HINT_COL, hint or None, font=HINT, align=WRAP, text=True)
        ws.row_dimensions[row].height = _height((value, 8 if fact.kind == TEXT else 0),
                                                (item.reason if item and fact.reason else None, 24), (hint, 19))
        if fact.choices:
            add_choice_list(ws, f"B{row}", fact.choices)
        if fact.kind == COUNT:
            validation = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                        showErrorMessage=True, errorTitle="应为整数", error="请填写不小于 0 的整数")
            validation.add(f"B{row}")
            ws.add_data_validation(validation)
    if lay.items_header_row is not None:
        _items(ws, sheet, lay)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.sheet_properties.tabColor = "70AD47"


def _items(ws, sheet: FactSheet, lay) -> None:
    spec = lay.spec
    ws.merge_cells(start_row=lay.items_heading_row, start_column=1, end_row=lay.items_heading_row, end_column=4)
    ws.cell(row=lay.items_heading_row, column=1, value=spec.items_heading).font = BOLD
    for col, text in enumerate(spec.items_columns, start=1):
        box(ws, lay.items_header_row, col, text, font=BOLD, align=CENTER, fill=HEADER)
    first = lay.first_item_row
    by_row = {item.row: item for item in sheet.items}
    last = max([first + ITEM_BLANK_ROWS] + list(by_row))
    for row in range(first, last + 1):
        item = by_row.get(row)
        box(ws, row, 1, item.code if item else None, text=True, number_format="@")
        box(ws, row, 2, item.name if item else None, text=True, align=WRAP)
        box(ws, row, 3, item.budget if item else None, align=RIGHT, number_format=AMOUNT_FORMAT)
        box(ws, row, 4, item.reason if item else None, text=True, align=WRAP)
        ws.row_dimensions[row].height = _height((item.name if item else None, 8), (item.reason if item else None, 19))


def _height(*texts: tuple[object, int]) -> float | None:
    """A row tall enough for its wrapped texts: (text, CJK characters a line of its column holds;
    0 for a column that does not wrap). Excel and LibreOffice do not grow a row for wrapped text
    the file did not size, so a long reason would print over the rows below it."""
    lines = max((-(-len(str(text)) // per_line) for text, per_line in texts if text and per_line), default=1)
    return 15.0 * lines if lines > 1 else None
