"""Writing standard workbooks (openpyxl): the blank template and filled samples.

The styled layout is generated from ``schema``/``layout``; which cells are shaded
as derived comes from ``relations`` (the cells some relation solves).
"""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain.layout import (
    CODE_TABLE_BLANK_ROWS,
    SUBTITLE_ROW,
    TITLE_ROW,
    column_letter,
    layout_of,
)
from ..domain.model import Report, blank_report
from ..domain.schema import (
    CODE,
    INFO_FIELDS,
    INFO_SHEET,
    REVIEW_COLUMNS,
    REVIEW_SHEET,
    SINGLE_ROW,
    TABLE_IDS,
    TABLES,
    TWO_SIDED,
)
from ..rules.relations import derived_refs, relations_for, row_derived_columns
from ..views.styles import (
    AMOUNT_FORMAT,
    BODY_FONT,
    DERIVED_FILL,
    HEADER_FILL,
    TITLE_FONT,
)

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=False)
BODY = Font(name=BODY_FONT, size=10)
BOLD = Font(name=BODY_FONT, size=10, bold=True)
TITLE = Font(name=TITLE_FONT, size=16, bold=True)
DERIVED = PatternFill("solid", fgColor=DERIVED_FILL)
HEADER = PatternFill("solid", fgColor=HEADER_FILL)


def set_text(cell, text) -> None:
    """Write a string as a string: text starting with = + - @ never becomes a formula."""
    cell.value = text
    if isinstance(text, str):
        cell.data_type = "s"


def _box(ws, row, col, value=None, *, font=BODY, align=LEFT, fill=None, number_format=None, text=False):
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


def _fit_to_width(ws, landscape=True) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _info_sheet(ws, report: Report) -> None:
    _fit_to_width(ws)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 44
    ws.column_dimensions["C"].width = 60
    ws.merge_cells("A1:C1")
    title = ws.cell(row=1, column=1, value="部门决算公开 · 单位信息")
    title.font, title.alignment = TITLE, CENTER
    ws.row_dimensions[1].height = 30
    _box(ws, 2, 1, "项目", font=BOLD, align=CENTER, fill=HEADER)
    _box(ws, 2, 2, "填写内容", font=BOLD, align=CENTER, fill=HEADER)
    _box(ws, 2, 3, "说明", font=BOLD, align=CENTER, fill=HEADER)
    for field in INFO_FIELDS:
        _box(ws, field.row, 1, field.label, font=BOLD)
        value = report.info_value(field.key)
        _box(ws, field.row, 2, value, text=isinstance(value, str))
        _box(ws, field.row, 3, field.hint, font=Font(name=BODY_FONT, size=9, color="595959"))
        if field.choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(field.choices) + '"', allow_blank=True,
                                        showErrorMessage=True, errorTitle="请从下拉列表中选择",
                                        error="只能选择：" + "、".join(field.choices))
            validation.add(f"B{field.row}")
            ws.add_data_validation(validation)
    legend_row = INFO_FIELDS[-1].row + 2
    ws.cell(row=legend_row, column=1, value="填写说明").font = BOLD
    notes = [
        ("", "白色单元格：由您填写（金额可留空；留空表示无此项，0 表示发生额为零）。"),
        ("", "灰色单元格：自动计算，请用“填充计算”（juesuan fill）生成，不要手工填写。"),
        ("", "公开02、03、05、07、08：科目编码填在A列、名称填在B列，只填“项”的金额，类、款和合计自动汇总（粗体显示）。"),
        ("", "公开01、04、06、09 为固定行表，请勿插入或删除行。审核结果见“审核结果”表，点击单元格地址可跳转。"),
    ]
    for offset, (_, text) in enumerate(notes, start=1):
        shaded = ws.cell(row=legend_row + offset, column=1)
        if offset == 2:
            shaded.fill = DERIVED
        shaded.border = BORDER
        ws.cell(row=legend_row + offset, column=2, value=text).font = BODY
    ws.freeze_panes = "A3"


def _headers(ws, table_id: str, entity: str) -> None:
    lay = layout_of(table_id)
    spec = lay.spec
    last = column_letter(lay.last_col)
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    title = ws.cell(row=TITLE_ROW, column=1, value=spec.title)
    title.font, title.alignment = TITLE, CENTER
    ws.row_dimensions[TITLE_ROW].height = 30
    ws.cell(row=SUBTITLE_ROW, column=1, value=f"{spec.id}表").font = BOLD
    unit = ws.cell(row=SUBTITLE_ROW, column=lay.last_col, value=f'="金额单位："&{INFO_SHEET}!$B$5')
    unit.font, unit.alignment = BODY, Alignment(horizontal="right")
    for h in lay.headers:
        for r in range(h.row, h.row + h.rowspan):
            for c in range(h.col, h.col + h.colspan):
                _box(ws, r, c, font=BOLD, align=CENTER, fill=HEADER)
        ws.cell(row=h.row, column=h.col, value=h.text)
        if h.rowspan > 1 or h.colspan > 1:
            ws.merge_cells(start_row=h.row, start_column=h.col, end_row=h.row + h.rowspan - 1,
                           end_column=h.col + h.colspan - 1)
    for col in lay.columns:
        _box(ws, lay.lineno_row, col.index, font=BOLD, align=CENTER, fill=HEADER)
    for col, value, span in lay.lineno_cells:
        ws.cell(row=lay.lineno_row, column=col, value=value)
        if span > 1:
            ws.merge_cells(start_row=lay.lineno_row, start_column=col, end_row=lay.lineno_row,
                           end_column=col + span - 1)
    for col in lay.columns:
        ws.column_dimensions[column_letter(col.index)].width = col.width
    ws.row_dimensions[lay.depth + 2].height = 42 if lay.depth == 2 else 30
    _fit_to_width(ws)
    ws.print_title_rows = f"3:{lay.lineno_row}"
    note = spec.note.format(entity=entity)
    ws.sheet_properties.tabColor = "4472C4"
    return note


def _amount_cell(ws, row, col, value, derived: bool):
    return _box(ws, row, col, value, align=Alignment(horizontal="right", vertical="center"),
                fill=DERIVED if derived else None, number_format=AMOUNT_FORMAT)


def _fixed_table(ws, table_id: str, report: Report, derived: set) -> None:
    lay = layout_of(table_id)
    spec = lay.spec
    table = report.tables[table_id]
    if spec.kind == SINGLE_ROW:
        row = table.rows[0]
        for no, cell in row.cells.items():
            _amount_cell(ws, cell.row, cell.col, cell.value, (table_id, row.key, no) in derived)
        ws.freeze_panes = ws.cell(row=lay.first_data_row, column=1)
        return
    for line in spec.all_lines():
        row_no, side = lay.line_rows[line.key]
        side_cols = lay.side_columns(side)
        for col in side_cols:
            if col.role in ("label", "code", "name", "lineno"):
                _box(ws, row_no, col.index)
        if spec.kind == TWO_SIDED:
            label_col = next(c.index for c in side_cols if c.role == "label")
            lineno_col = next(c.index for c in side_cols if c.role == "lineno")
            bold = line.label in ("本年收入合计", "本年支出合计", "总计")
            _box(ws, row_no, label_col, line.label, font=BOLD if bold else BODY)
            _box(ws, row_no, lineno_col, int(line.key), align=CENTER)
        else:  # 06
            if line.code:
                _box(ws, row_no, 1, line.code, text=True, font=BOLD if len(line.code) == 3 else BODY)
                _box(ws, row_no, 2, line.label, font=BOLD if len(line.code) == 3 else BODY)
            else:
                _box(ws, row_no, 1, line.label, font=BOLD, fill=None if not line.heading else HEADER)
                _box(ws, row_no, 2, fill=None if not line.heading else HEADER)
                ws.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=2)
        for col in side_cols:
            if col.role == "amount":
                row = table.row(line.key)
                cell = row.cells.get(col.no) if row else None
                if cell is None:
                    _box(ws, row_no, col.index, fill=HEADER if line.heading else None)
                else:
                    _amount_cell(ws, row_no, col.index, cell.value, (table_id, line.key, col.no) in derived)
    ws.freeze_panes = ws.cell(row=lay.first_data_row, column=1)


def _code_table(ws, table_id: str, report: Report, derived: set) -> None:
    lay = layout_of(table_id)
    spec = lay.spec
    table = report.tables[table_id]
    first = lay.first_data_row
    amount_cols = [(c.no, lay.amount_column(c.no).index) for c in spec.columns]
    row_derived = row_derived_columns(table_id)
    rows_by_sheet_row = {r.row: r for r in table.rows}
    last = max([first + CODE_TABLE_BLANK_ROWS] + [r.row for r in table.rows])
    for row_no in range(first, last + 1):
        row = rows_by_sheet_row.get(row_no)
        is_total = row_no == first
        _box(ws, row_no, 1, row.code if row and row.code else None, text=True, number_format="@")
        name = "合计" if is_total else (row.name if row else None)
        _box(ws, row_no, 2, name, text=True, font=BOLD if is_total else BODY,
             align=CENTER if is_total else LEFT)
        for no, col in amount_cols:
            value = row.cells[no].value if row and no in row.cells else None
            key = row.key if row else None
            shade = is_total or no in row_derived or (key is not None and (table_id, key, no) in derived)
            _amount_cell(ws, row_no, col, value, shade)
    # 类 and 款 rows are sums of their children: bold, like the published tables
    last_col = column_letter(lay.last_col)
    ws.conditional_formatting.add(f"A{first + 1}:{last_col}{last}",
                                  FormulaRule(formula=[f'AND($A{first + 1}<>"",LEN($A{first + 1})<7)'],
                                              font=Font(bold=True)))
    ws.freeze_panes = ws.cell(row=first, column=3)


def review_header(ws) -> None:
    widths = (6, 6, 7, 8, 12, 70, 14, 14, 12, 30)
    for i, (label, width) in enumerate(zip(REVIEW_COLUMNS, widths), start=1):
        _box(ws, 5, i, label, font=BOLD, align=CENTER, fill=HEADER)
        ws.column_dimensions[column_letter(i)].width = width
    ws.merge_cells("A1:J1")
    title = ws.cell(row=1, column=1, value="审核结果")
    title.font, title.alignment = TITLE, CENTER
    ws.cell(row=2, column=1, value="尚未审核：请运行“审核”（juesuan check --write）。").font = BODY
    ws.freeze_panes = "A6"
    _fit_to_width(ws)
    ws.print_title_rows = "5:5"


def build_workbook(report: Report | None = None) -> Workbook:
    """A standard workbook holding `report` (a blank template when None)."""
    report = report or blank_report()
    derived = {tuple(ref) for ref in derived_refs(relations_for(report))}
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    _info_sheet(info, report)
    for table_id in TABLE_IDS:
        ws = wb.create_sheet(table_id)
        note = _headers(ws, table_id, report.entity)
        if TABLES[table_id].kind == CODE:
            _code_table(ws, table_id, report, derived)
        else:
            _fixed_table(ws, table_id, report, derived)
        note_row = ws.max_row + 1
        ws.cell(row=note_row, column=1, value=note).font = Font(name=BODY_FONT, size=9)
    review_header(wb.create_sheet(REVIEW_SHEET))
    return wb
