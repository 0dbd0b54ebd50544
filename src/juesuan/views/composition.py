"""The sheet 单位构成 of a merged workbook, as a grid: which units the department sums, each
unit's totals and share, the internal transfers offset, and for every merged figure the units
it came from (a drill-down a reviewer can filter by 表 or read down). io/composition_xlsx.py
renders it; nothing here touches a file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.labels import cell_label
from ..domain.model import Ref
from ..domain.schema import COMPOSITION_SHEET, TABLES
from ..rules.merge import Merged

TITLE, HEADING, HEADER, TEXT, AMOUNT, SHARE, TOTAL, TOTAL_AMOUNT, TOTAL_SHARE = (
    "title", "heading", "header", "text", "amount", "share", "total", "total_amount", "total_share")
WIDTHS = (10, 48, 34, 16, 16, 16, 16, 16)     # columns beyond these take the last width
INCOME_TOTAL, SPENDING_TOTAL = "本年收入合计", "本年支出合计"   # the two totals each unit is listed with


@dataclass(frozen=True)
class GridCell:
    value: object = None
    style: str = TEXT
    link: tuple[str, str] | None = None     # (sheet, A1) of this workbook the cell jumps to


@dataclass
class CompositionGrid:
    title: str
    rows: list[list[GridCell]] = field(default_factory=list)   # from row 1
    widths: tuple[int, ...] = WIDTHS

    def add(self, *cells: GridCell) -> None:
        self.rows.append(list(cells))


def _total_ref(label: str) -> Ref:
    """The 公开01 line carrying `label` (本年收入合计 / 本年支出合计), as the schema declares it."""
    line = next(line for line in TABLES["公开01"].all_lines() if line.label == label)
    return Ref("公开01", line.key, line.columns[0])


def composition_grid(merged: Merged, files: list[str], errors: list[int]) -> CompositionGrid:
    """`files`: each unit's file as the user named it; `errors`: each unit's error count."""
    report = merged.report
    grid = CompositionGrid(COMPOSITION_SHEET)
    grid.add(GridCell(f"{report.unit_name} 决算单位构成", TITLE))
    grid.add(GridCell(f"部门：{report.unit_name}    年度：{report.year}    金额单位：{report.amount_unit}    "
                      f"汇总单位数：{report.merged_units}"))
    if merged.offset:
        grid.add(GridCell("内部往来：已按科目抵销（见“二、内部往来抵销”），部门合计不含单位之间的上级补助、上缴上级等往来。"))
    else:
        grid.add(GridCell("内部往来：未抵销。各单位之间的上级补助收入与对附属单位补助支出、附属单位上缴收入与上缴上级支出"
                          "如有，均含在部门合计中（抵销请用 juesuan merge --offset）。"))
    grid.add()
    _units(grid, merged, files, errors)
    if merged.offset:
        grid.add()
        _transfers(grid, merged)
    grid.add()
    _drill_down(grid, merged)
    return grid


def _units(grid: CompositionGrid, merged: Merged, files: list[str], errors: list[int]) -> None:
    income, spending = _total_ref(INCOME_TOTAL), _total_ref(SPENDING_TOTAL)
    department_spending = merged.report.value(spending)
    grid.add(GridCell("一、汇总单位", HEADING))
    grid.add(*(GridCell(h, HEADER) for h in ("序号", "单位名称", "文件", "原金额单位", INCOME_TOTAL, SPENDING_TOTAL,
                                              "占部门本年支出合计", "审核")))
    for index, (unit, file, count) in enumerate(zip(merged.units, files, errors)):
        unit_income, unit_spending = (merged.contributions[ref][index] if ref in merged.contributions else None
                                      for ref in (income, spending))
        status = "通过" if not count else f"有错误 {count} 条（按 --force 汇总）"
        grid.add(GridCell(index + 1), GridCell(unit.name), GridCell(file), GridCell(unit.report.amount_unit),
                 GridCell(unit_income, AMOUNT), GridCell(unit_spending, AMOUNT),
                 GridCell(_share(unit_spending, department_spending), SHARE), GridCell(status))
    if merged.offset:
        grid.add(GridCell(), GridCell("减：内部往来抵销"), GridCell(), GridCell(),
                 GridCell(merged.eliminated.get(income), AMOUNT), GridCell(merged.eliminated.get(spending), AMOUNT),
                 GridCell(_share(merged.eliminated.get(spending), department_spending), SHARE))
    grid.add(GridCell("", TOTAL), GridCell("部门合计", TOTAL), GridCell("", TOTAL), GridCell("", TOTAL),
             GridCell(merged.report.value(income), TOTAL_AMOUNT), GridCell(department_spending, TOTAL_AMOUNT),
             GridCell(_share(department_spending, department_spending), TOTAL_SHARE), GridCell("", TOTAL))


def _share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return part / whole


def _transfers(grid: CompositionGrid, merged: Merged) -> None:
    grid.add(GridCell("二、内部往来抵销（按科目逐行对应：收入方与支出方相等的部分抵销）", HEADING))
    grid.add(*(GridCell(h, HEADER) for h in ("科目编码", "科目名称", "往来项目（收入 ↔ 支出）", "收入数", "支出数",
                                              "抵销数", "未抵销")))
    if not merged.transfers:
        grid.add(GridCell(), GridCell("各单位均未填列内部往来，无需抵销"))
    for line in merged.transfers:
        grid.add(GridCell(line.code), GridCell(line.name), GridCell(f"{line.income_label} ↔ {line.spending_label}"),
                 GridCell(line.income, AMOUNT), GridCell(line.spending, AMOUNT), GridCell(line.eliminated, AMOUNT),
                 GridCell(abs(line.income - line.spending), AMOUNT))


def _drill_down(grid: CompositionGrid, merged: Merged) -> None:
    report = merged.report
    number = "三" if merged.offset else "二"      # 二 is 内部往来抵销 when there is one
    grid.add(GridCell(f"{number}、汇总明细：每个汇总数由哪些单位的数字相加（点击单元格可跳转）", HEADING))
    headers = ["表", "项目", "单元格", "部门汇总数", *(u.name for u in merged.units)]
    if merged.eliminated:
        headers.append("内部往来抵销")
    grid.add(*(GridCell(h, HEADER) for h in headers))
    for table in report.tables.values():
        for row in table.rows:
            for no, cell in row.cells.items():
                ref = Ref(table.id, row.key, no)
                figures = merged.contributions.get(ref, ())
                if not any(figures) and not merged.eliminated.get(ref):
                    continue      # blank or 0.00 in every unit: nothing to trace
                cells = [GridCell(table.id), GridCell(cell_label(table.id, row, no)),
                         GridCell(f"{table.id}!{cell.address}", link=(table.id, cell.address)),
                         GridCell(cell.value, AMOUNT),
                         *(GridCell(v, AMOUNT) for v in merged.contributions[ref])]
                if merged.eliminated:
                    cells.append(GridCell(merged.eliminated.get(ref), AMOUNT))
                grid.add(*cells)
