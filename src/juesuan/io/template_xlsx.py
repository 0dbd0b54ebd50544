"""Writing standard workbooks (openpyxl): the blank template and filled samples.

The styled layout is generated from ``schema``/``layout``; which cells are shaded
as derived comes from ``relations`` (the cells some relation solves).
"""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain.catalog import Catalog
from ..domain.facts import blank_fact_sheet
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
    FACT_SHEETS,
    INFO_FIELDS,
    INFO_SHEET,
    MERGE_INFO_FIELDS,
    REVIEW_SHEET,
    SINGLE_ROW,
    TABLE_IDS,
    TABLES,
    TWO_SIDED,
)
from ..rules.relations import derived_refs, relations_for, row_derived_columns
from ..views.review import blank_review, review_grid
from ..views.edits import print_area_in_use
from ..views.styles import AMOUNT_FORMAT, BODY_FONT
from .facts_xlsx import render_fact_sheet
from .review_xlsx import render_review_sheet
from .xlsx_cells import (
    BODY,
    BOLD,
    BORDER,
    CENTER,
    DERIVED,
    HEADER,
    LEFT,
    TITLE,
    add_choice_list,
    box,
    fit_to_width,
)


# a line a fixed table leaves blank (公开01 行次 9–26, 30 …): hatched, so it reads neither as an
# input (white) nor as derived (solid grey)
UNUSED = PatternFill("lightUp", fgColor="BFBFBF", bgColor="FFFFFF")
YEAR_FIELD = "year"
INFO_AMOUNT_UNIT_ROW = next(f.row for f in INFO_FIELDS if f.key == "amount_unit")
# 2024, or 2024年 / 2024年度 typed as text (the reader accepts all three)
_YEAR_OK = ('OR(AND(ISNUMBER({c}),{c}>=1990,{c}<=2100),AND(ISNUMBER(--LEFT({c},4)),--LEFT({c},4)>=1990,'
            '--LEFT({c},4)<=2100,OR(LEN({c})=4,MID({c},5,9)="年",MID({c},5,9)="年度")))')


def _year_validation(cell: str) -> DataValidation:
    validation = DataValidation(type="custom", formula1=_YEAR_OK.format(c=cell), allow_blank=True,
                                showInputMessage=True, promptTitle="年度", prompt="四位年份，如 2024",
                                showErrorMessage=True, errorTitle="年度格式不对",
                                error="请填四位年份（1990–2100），如 2024；也可写 2024年 或 2024年度")
    validation.add(cell)
    return validation


def _info_sheet(ws, report: Report) -> None:
    fit_to_width(ws)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 44
    ws.column_dimensions["C"].width = 60
    ws.merge_cells("A1:C1")
    title = ws.cell(row=1, column=1, value="部门决算公开 · 单位信息")
    title.font, title.alignment = TITLE, CENTER
    ws.row_dimensions[1].height = 30
    box(ws, 2, 1, "项目", font=BOLD, align=CENTER, fill=HEADER)
    box(ws, 2, 2, "填写内容", font=BOLD, align=CENTER, fill=HEADER)
    box(ws, 2, 3, "说明", font=BOLD, align=CENTER, fill=HEADER)
    for field in INFO_FIELDS:
        box(ws, field.row, 1, field.label, font=BOLD)
        value = report.info_value(field.key)
        box(ws, field.row, 2, value, text=isinstance(value, str))
        box(ws, field.row, 3, field.hint, font=Font(name=BODY_FONT, size=9, color="595959"))
        if field.choices:
            add_choice_list(ws, f"B{field.row}", field.choices)
        if field.key == YEAR_FIELD:
            ws.add_data_validation(_year_validation(f"B{field.row}"))
    for field in MERGE_INFO_FIELDS:     # a merged workbook's own rows (never in the blank template)
        if report.info_value(field.key) is not None:
            box(ws, field.row, 1, field.label, font=BOLD)
            box(ws, field.row, 2, report.info_value(field.key))
            box(ws, field.row, 3, field.hint, font=Font(name=BODY_FONT, size=9, color="595959"))
    legend_row = INFO_FIELDS[-1].row + 2
    ws.cell(row=legend_row, column=1, value="填写说明").font = BOLD
    notes = [
        ("", "白色单元格：由您填写（金额可留空；留空表示无此项，0 表示发生额为零）。"),
        ("", "灰色单元格：自动计算，请用“填充计算”（juesuan fill）生成，不要手工填写。"),
        ("", "斜线底纹单元格：表中的空行，不使用，无需填写。"),
        ("", "公开02、03、05、07、08：科目编码填在A列、名称填在B列，只填“项”的金额，类、款和合计自动汇总（粗体显示）。"),
        ("", "公开01、04、06、09 为固定行表，请勿插入或删除行。审核结果见“审核结果”表，点击单元格地址可跳转。"),
        ("", "“上年数”“其他公开事项”：起草情况说明（juesuan narrate）所需的上年数和九张表以外的事项；"
             "上年数可用 juesuan fill 本工作簿 --last-year 上年工作簿 填入。不要插入或删除行。"),
    ]
    for offset, (_, text) in enumerate(notes, start=1):
        shaded = ws.cell(row=legend_row + offset, column=1)
        if offset == 2:
            shaded.fill = DERIVED
        if offset == 3:
            shaded.fill = UNUSED
        shaded.border = BORDER
        ws.cell(row=legend_row + offset, column=2, value=text).font = BODY
    ws.freeze_panes = "A3"


def _headers(ws, table_id: str, entity: str) -> str:
    """Title, column headers and print setup of a table sheet; returns the note printed under it."""
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
                box(ws, r, c, font=BOLD, align=CENTER, fill=HEADER)
        ws.cell(row=h.row, column=h.col, value=h.text)
        if h.rowspan > 1 or h.colspan > 1:
            ws.merge_cells(start_row=h.row, start_column=h.col, end_row=h.row + h.rowspan - 1,
                           end_column=h.col + h.colspan - 1)
    for col in lay.columns:
        box(ws, lay.lineno_row, col.index, font=BOLD, align=CENTER, fill=HEADER)
    for col, value, span in lay.lineno_cells:
        ws.cell(row=lay.lineno_row, column=col, value=value)
        if span > 1:
            ws.merge_cells(start_row=lay.lineno_row, start_column=col, end_row=lay.lineno_row,
                           end_column=col + span - 1)
    for col in lay.columns:
        ws.column_dimensions[column_letter(col.index)].width = col.width
    ws.row_dimensions[lay.depth + 2].height = 42 if lay.depth == 2 else 30
    fit_to_width(ws)
    ws.print_title_rows = f"3:{lay.lineno_row}"
    note = spec.note.format(entity=entity)
    ws.sheet_properties.tabColor = "4472C4"
    return note


def _amount_cell(ws, row, col, value, derived: bool):
    return box(ws, row, col, value, align=Alignment(horizontal="right", vertical="center"),
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
        unused = not line.label and not line.columns and not line.heading
        for col in side_cols:
            if col.role in ("label", "code", "name", "lineno"):
                box(ws, row_no, col.index, fill=UNUSED if unused and col.role != "lineno" else None)
        if spec.kind == TWO_SIDED:
            label_col = next(c.index for c in side_cols if c.role == "label")
            lineno_col = next(c.index for c in side_cols if c.role == "lineno")
            bold = line.label in ("本年收入合计", "本年支出合计", "总计")
            box(ws, row_no, label_col, line.label, font=BOLD if bold else BODY)
            box(ws, row_no, lineno_col, int(line.key), align=CENTER)
        else:  # 06
            if line.code:
                box(ws, row_no, 1, line.code, text=True, font=BOLD if len(line.code) == 3 else BODY)
                box(ws, row_no, 2, line.label, font=BOLD if len(line.code) == 3 else BODY)
            else:
                box(ws, row_no, 1, line.label, font=BOLD, fill=None if not line.heading else HEADER)
                box(ws, row_no, 2, fill=None if not line.heading else HEADER)
                ws.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=2)
        for col in side_cols:
            if col.role == "amount":
                row = table.row(line.key)
                cell = row.cells.get(col.no) if row else None
                if cell is None:
                    box(ws, row_no, col.index, fill=HEADER if line.heading else UNUSED if unused else None)
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
        box(ws, row_no, 1, row.code if row and row.code else None, text=True, number_format="@")
        name = "合计" if is_total else (row.name if row else None)
        box(ws, row_no, 2, name, text=True, font=BOLD if is_total else BODY,
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
    if report.source is not None or any(t.code_rows() for t in report.tables.values()):
        print_rows_in_use(ws, table)          # a book with data; the blank template prints whole


def print_code_tables_in_use(workbook, report: Report) -> None:
    """print_rows_in_use for every code table of `report` present in `workbook` (called on every
    save of a clerk's book, so the print area follows the rows typed since)."""
    for table_id, spec in TABLES.items():
        table = report.tables.get(table_id)
        if spec.kind == CODE and table is not None and table.present and table_id in workbook.sheetnames:
            print_rows_in_use(workbook[table_id], table)


def print_rows_in_use(ws, table) -> None:
    """Print a code table from its title to its last row holding a code (the 合计 row when there is
    none), not the ~150 blank input rows under it. Never on the blank template: a fixed print area
    there would hide what a clerk types later; the writer (ops) sets it again on every save."""
    ws.print_area = print_area_in_use(table)


def build_workbook(catalog: Catalog, report: Report | None = None) -> Workbook:
    """A standard workbook holding `report` (a blank template when None); `catalog` decides
    which cells are derived (shaded grey)."""
    report = report or blank_report()
    derived = {tuple(ref) for ref in derived_refs(relations_for(report, catalog))}
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
            ws.page_setup.fitToHeight = 1         # a fixed table prints on one page
        note_row = ws.max_row + 1
        ws.cell(row=note_row, column=1, value=note).font = Font(name=BODY_FONT, size=9)
    for name in FACT_SHEETS:
        render_fact_sheet(wb.create_sheet(name), report.facts.get(name) or blank_fact_sheet(name),
                          f"$B${INFO_AMOUNT_UNIT_ROW}")
    render_review_sheet(wb.create_sheet(REVIEW_SHEET), review_grid(blank_review(), wb.sheetnames))
    return wb
