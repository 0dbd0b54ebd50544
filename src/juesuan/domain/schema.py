"""The standard workbook, declared once.

Everything that knows what the nine tables look like reads this module: the
template writer, the reader, the audit, filling and publication. Geometry (which
sheet cell holds what) is derived from these declarations in ``layout``.
"""
from __future__ import annotations

from dataclasses import dataclass

from .catalog import builtin_catalog

INFO_SHEET = "单位信息"
REVIEW_SHEET = "审核结果"
TABLE_IDS = tuple(f"公开{n:02d}" for n in range(1, 10))
SHEET_NAMES = (INFO_SHEET, *TABLE_IDS, REVIEW_SHEET)

YUAN, WAN_YUAN = "元", "万元"
AMOUNT_UNITS = (YUAN, WAN_YUAN)
DEFAULT_AMOUNT_UNIT = WAN_YUAN      # the unit of every published table: what a blank or unreadable unit is taken as
UNIT_REPORT, DEPARTMENT_REPORT = "单位", "部门"
REPORT_TYPES = (UNIT_REPORT, DEPARTMENT_REPORT)
DEFAULT_REPORT_TYPE = UNIT_REPORT   # what a blank or unreadable report type is taken as

# kinds of table
CODE = "code"            # rows by function code: 02 03 05 07 08
TWO_SIDED = "two_sided"  # 01 04
ECONOMIC = "economic"    # 06
SINGLE_ROW = "single"    # 09

TOTAL_KEY = "合计"       # the 合计 row of a code table
PERSONNEL_TOTAL = "人员经费合计"
PUBLIC_TOTAL = "公用经费合计"
SINGLE_KEY = "1"          # the one data row of 公开09


@dataclass(frozen=True)
class InfoField:
    key: str
    label: str
    row: int          # on the 单位信息 sheet; the value sits in column B
    hint: str
    choices: tuple[str, ...] = ()


INFO_FIELDS = (
    InfoField("unit_name", "单位名称", 3, "填写单位（部门）全称，如：聊城市人民政府驻北京办事处（本级）"),
    InfoField("year", "年度", 4, "决算年度，四位数字，如 2024"),
    InfoField("amount_unit", "金额单位", 5, "本工作簿各表金额的单位：元 或 万元", AMOUNT_UNITS),
    InfoField("report_type", "报表类型", 6, "单位决算选“单位”，部门汇总决算选“部门”", REPORT_TYPES),
)

# --- consolidation (汇总, juesuan merge) ---------------------------------------------
# A merged figure is the sum of k units' figures, each rounded once when published in 万元:
# it carries k roundings, so the audit widens the 尾差 envelope k-fold. The workbook is checked
# again later, so k lives in the file: a 单位信息 row of its own, written by merge only (the
# clerk's template has no such row) and read only where column A carries its label.
MERGED_UNITS = InfoField("merged_units", "汇总单位数", INFO_FIELDS[-1].row + 1,
                         "由汇总（juesuan merge）填写：本部门决算汇总的单位个数。万元金额的尾差按此放宽，请勿修改")
MERGE_INFO_FIELDS = (MERGED_UNITS,)
COMPOSITION_SHEET = "单位构成"   # written by merge: the units, their shares, who contributed to each figure
# Internal transfers between the units of one department (抵销): (income table, 栏次) received
# by one unit against (spending table, 栏次) paid by another, both by function code.
INTERNAL_TRANSFERS = ((("公开02", 3), ("公开03", 6)),    # 上级补助收入 ↔ 对附属单位补助支出
                      (("公开02", 6), ("公开03", 4)))    # 附属单位上缴收入 ↔ 上缴上级支出


@dataclass(frozen=True)
class Column:
    no: int                       # 栏次
    label: str
    path: tuple[str, ...] = ()    # spanning headers above the label, top first

    @property
    def header(self) -> tuple[str, ...]:
        return (*self.path, self.label)


@dataclass(frozen=True)
class Line:
    """One printed row of a fixed table (01, 04, 06)."""
    key: str                      # 行次 for 01/04, code or total key for 06
    label: str
    columns: tuple[int, ...] = ()  # 栏次 of its amount cells; () for a blank or heading line
    code: str | None = None
    heading: bool = False          # a section heading such as 人员经费 (06)


@dataclass(frozen=True)
class Side:
    heading: str                  # 收入 / 支出
    columns: tuple[Column, ...]   # amount columns of this side
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class TableSpec:
    id: str
    title: str
    kind: str
    note: str                     # printed 注 line; {entity} becomes 单位 or 部门
    columns: tuple[Column, ...] = ()
    sides: tuple[Side, ...] = ()
    lines: tuple[Line, ...] = ()
    empty_note: str | None = None

    @property
    def number(self) -> str:
        return self.id[-2:]

    def all_columns(self) -> tuple[Column, ...]:
        if self.sides:
            return tuple(c for side in self.sides for c in side.columns)
        return self.columns

    def column(self, no: int) -> Column:
        for col in self.all_columns():
            if col.no == no:
                return col
        raise KeyError(no)

    def all_lines(self) -> tuple[Line, ...]:
        if self.sides:
            return tuple(line for side in self.sides for line in side.lines)
        return self.lines

    def line(self, key: str) -> Line:
        for line in self.all_lines():
            if line.key == key:
                return line
        raise KeyError(key)


_NUMERALS = "一二三四五六七八九十"


def chinese_ordinal(n: int) -> str:
    """1 -> 一, 10 -> 十, 21 -> 二十一, 26 -> 二十六 (the prefixes printed on 01/04)."""
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else _NUMERALS[tens - 1] + "十"
    return head + (_NUMERALS[ones - 1] if ones else "")


def _blank_lines(first: int, last: int) -> list[Line]:
    return [Line(str(n), "") for n in range(first, last + 1)]


def _class_lines(first_lineno: int, columns: tuple[int, ...]) -> list[Line]:
    classes = builtin_catalog().classes
    return [Line(str(first_lineno + i), f"{chinese_ordinal(i + 1)}、{name}", columns, code=code)
            for i, (code, name) in enumerate(classes)]


def _table01() -> TableSpec:
    income_items = ["一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "国有资本经营预算财政拨款收入",
                    "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]
    left = [Line(str(i + 1), f"{chinese_ordinal(i + 1)}、{name}", (1,)) for i, name in enumerate(income_items)]
    left += _blank_lines(9, 26)
    left += [Line("27", "本年收入合计", (1,)), Line("28", "使用非财政拨款结余", (1,)),
             Line("29", "年初结转和结余", (1,)), Line("30", ""), Line("31", "总计", (1,))]
    right = _class_lines(32, (2,))
    right += [Line("58", "本年支出合计", (2,)), Line("59", "结余分配", (2,)),
              Line("60", "年末结转和结余", (2,)), Line("61", ""), Line("62", "总计", (2,))]
    return TableSpec(
        "公开01", "收入支出决算总表", TWO_SIDED,
        "注：1. 本表反映{entity}本年度的总收支和年末结转结余情况。2. 本套报表金额单位转换时可能存在尾数误差。",
        sides=(Side("收入", (Column(1, "金额"),), tuple(left)),
               Side("支出", (Column(2, "金额"),), tuple(right))))


FUNDS = ("一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款")


def _table04() -> TableSpec:
    left = [Line(str(i + 1), f"{chinese_ordinal(i + 1)}、{name}", (1,)) for i, name in enumerate(FUNDS)]
    left += _blank_lines(4, 26)
    left += [Line("27", "本年收入合计", (1,)), Line("28", "年初财政拨款结转和结余", (1,))]
    left += [Line(str(29 + i), name, (1,)) for i, name in enumerate(FUNDS)]
    left += [Line("32", "总计", (1,))]
    cols = (2, 3, 4, 5)
    right = _class_lines(33, cols)
    right += [Line("59", "本年支出合计", cols), Line("60", "年末财政拨款结转和结余", cols)]
    right += _blank_lines(61, 63)
    right += [Line("64", "总计", cols)]
    return TableSpec(
        "公开04", "财政拨款收入支出决算总表", TWO_SIDED,
        "注：本表反映{entity}本年度一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款的总收支和年末结转结余情况。",
        sides=(Side("收入", (Column(1, "金额"),), tuple(left)),
               Side("支出", (Column(2, "合计"),) + tuple(Column(3 + i, f) for i, f in enumerate(FUNDS)),
                    tuple(right))))


def _table06() -> TableSpec:
    lines: list[Line] = []
    for group, total in (("人员经费", PERSONNEL_TOTAL), ("公用经费", PUBLIC_TOTAL)):
        lines.append(Line(f"{group}", group, heading=True))
        lines += [Line(e.code, e.name, (1,), code=e.code) for e in builtin_catalog().economic if e.group == group]
        lines.append(Line(total, total, (1,)))
    return TableSpec("公开06", "一般公共预算财政拨款基本支出决算明细表", ECONOMIC,
                     "注：本表反映{entity}本年度一般公共预算财政拨款基本支出明细情况。",
                     columns=(Column(1, "金额"),), lines=tuple(lines))


def _table09() -> TableSpec:
    cols = []
    for offset, group in ((0, "预算数"), (6, "决算数")):
        car = "公务用车购置及运行维护费"
        cols += [Column(offset + 1, "合计", (group,)), Column(offset + 2, "因公出国（境）费", (group,)),
                 Column(offset + 3, "小计", (group, car)), Column(offset + 4, "公务用车购置费", (group, car)),
                 Column(offset + 5, "公务用车运行维护费", (group, car)), Column(offset + 6, "公务接待费", (group,))]
    return TableSpec("公开09", "财政拨款“三公”经费支出决算表", SINGLE_ROW,
                     "注：本表反映{entity}本年度财政拨款“三公”经费支出预决算情况。其中，预算数为“三公”经费全年预算数，"
                     "反映按规定程序调整后的预算数；决算数是包括当年财政拨款和以前年度结转资金安排的实际支出。",
                     columns=tuple(cols))


def _spend(no: int, label: str) -> Column:
    return Column(no, label, ("本年支出",))


def _build_tables() -> dict[str, TableSpec]:
    tables = [
        _table01(),
        TableSpec("公开02", "收入决算表", CODE, "注：本表反映{entity}本年度取得的各项收入情况。",
                  columns=tuple(Column(i + 1, n) for i, n in enumerate(
                      ["本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]))),
        TableSpec("公开03", "支出决算表", CODE, "注：本表反映{entity}本年度各项支出情况。",
                  columns=tuple(Column(i + 1, n) for i, n in enumerate(
                      ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]))),
        _table04(),
        TableSpec("公开05", "一般公共预算财政拨款支出决算表", CODE, "注：本表反映{entity}本年度一般公共预算财政拨款支出情况。",
                  columns=(_spend(1, "小计"), _spend(2, "基本支出"), _spend(3, "项目支出"))),
        _table06(),
        TableSpec("公开07", "政府性基金预算财政拨款收入支出决算表", CODE,
                  "注：本表反映{entity}本年度政府性基金预算财政拨款收入、支出及结转和结余情况。",
                  columns=(Column(1, "年初结转和结余"), Column(2, "本年收入"), _spend(3, "小计"),
                           _spend(4, "基本支出"), _spend(5, "项目支出"), Column(6, "年末结转和结余")),
                  empty_note="本{entity}没有政府性基金收入，也没有使用政府性基金安排的支出，故本表无数据。"),
        TableSpec("公开08", "国有资本经营预算财政拨款支出决算表", CODE,
                  "注：本表反映{entity}本年度国有资本经营预算财政拨款支出情况。",
                  columns=(_spend(1, "小计"), _spend(2, "基本支出"), _spend(3, "项目支出")),
                  empty_note="本{entity}没有使用国有资本经营预算安排的支出，故本表无数据。"),
        _table09(),
    ]
    return {t.id: t for t in tables}


TABLES: dict[str, TableSpec] = _build_tables()

# Code tables: the level of a function code by its length.
LEVEL_BY_LENGTH = {3: "类", 5: "款", 7: "项"}

REVIEW_COLUMNS = ("序号", "级别", "规则", "表", "单元格", "说明", "应为", "实为", "差额", "备注")
