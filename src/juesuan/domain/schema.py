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
LAST_YEAR_SHEET = "上年数"            # the two optional fact sheets (declared at the end of this module)
OTHER_FACTS_SHEET = "其他公开事项"
FACT_SHEETS = (LAST_YEAR_SHEET, OTHER_FACTS_SHEET)
SHEET_NAMES = (INFO_SHEET, *TABLE_IDS, *FACT_SHEETS, REVIEW_SHEET)
DATA_SHEETS = (INFO_SHEET, *TABLE_IDS, *FACT_SHEETS)     # read in full; any other sheet only by name

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


# --- sheets beyond the nine tables: the facts the 情况说明 needs (issue 18) -------------------------
# Two optional sheets. 上年数 holds last year's figures the narrative compares with (each names the
# cell of this year's tables it is last year's value of, so `fill --last-year` can copy it from last
# year's workbook) and, beside each, the clerk's reason for the change. 其他公开事项 holds the facts
# no table carries (三公 counts, 机关运行经费, 政府采购, 国有资产, 绩效) and, below them, the
# 年初预算 of each 项 of 公开05 with the reason its 决算 differs. A workbook without them is read
# and checked as before; only the narrative misses them.
AMOUNT, COUNT, TEXT, CHOICE, PERCENT = "amount", "count", "text", "choice", "percent"


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    kind: str = AMOUNT
    source: tuple[str, str, int] | None = None   # 上年数: (table, row key, 栏次) of this year's cell
    reason: bool = False                         # column C holds the clerk's reason text for it
    choices: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class FactSection:
    heading: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class FactSheetSpec:
    name: str
    title: str
    value_header: str
    reason_header: str
    sections: tuple[FactSection, ...]
    items_heading: str | None = None             # the per-项 list below the facts (其他公开事项)
    items_columns: tuple[str, ...] = ()

    def facts(self) -> tuple[Fact, ...]:
        return tuple(f for s in self.sections for f in s.facts)

    def fact(self, key: str) -> Fact:
        return next(f for f in self.facts() if f.key == key)


def _py(key: str, label: str, table: str, row: str, no: int) -> Fact:
    return Fact(key, label, AMOUNT, (table, row, no), reason=True)


_INCOME_KINDS = ("财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入")
_SPENDING_KINDS = ("基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出")
_SANGONG = ("“三公”经费合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费", "公务接待费")
VEHICLE_KINDS = ("领导干部用车", "机要通信用车", "应急保障用车", "执法执勤用车", "特种专业技术用车", "离退休干部用车", "其他用车")
AGENCY_KINDS = ("行政单位", "参照公务员法管理的事业单位", "事业单位")

LAST_YEAR = FactSheetSpec(
    LAST_YEAR_SHEET, "上年数（与本年比较的上年决算数）", "上年决算数", "本年比上年增减变化的主要原因",
    (
        FactSection("收入支出总体", (
            _py("总计", "收、支总计", "公开01", "31", 1),
            _py("收入合计", "本年收入合计", "公开01", "27", 1),
            *(_py(name, name, "公开02", "合计", i + 2) for i, name in enumerate(_INCOME_KINDS)),
            _py("支出合计", "本年支出合计", "公开01", "58", 2),
            *(_py(name, name, "公开03", "合计", i + 2) for i, name in enumerate(_SPENDING_KINDS)),
        )),
        FactSection("财政拨款", (
            _py("财政拨款收支总计", "财政拨款收、支总计", "公开04", "32", 1),
            _py("一般公共预算财政拨款支出", "一般公共预算财政拨款支出", "公开05", "合计", 1),
        )),
        FactSection("“三公”经费（决算数）", tuple(
            Fact(f"三公:{name}", name, AMOUNT, ("公开09", "1", 7 + i)) for i, name in enumerate(_SANGONG))),
        FactSection("机关运行经费", (
            Fact("机关运行经费", "机关运行经费", AMOUNT, hint="上年“其他公开事项”表的机关运行经费"),)),
    ))

OTHER_FACTS = FactSheetSpec(
    OTHER_FACTS_SHEET, "其他公开事项（情况说明所需、九张表中没有的数据）", "填写内容", "原因或说明",
    (
        FactSection("一般公共预算财政拨款支出年初预算", (
            Fact("年初预算", "年初预算合计", AMOUNT, reason=True,
                 hint="原因栏填写决算数与年初预算数不同的主要原因；各项的年初预算填在本表下方"),)),
        FactSection("“三公”经费", (
            Fact("出国团组数", "因公出国（境）团组数（个）", COUNT),
            Fact("出国人次", "因公出国（境）人次", COUNT),
            Fact("出国开支内容", "因公出国（境）开支内容", TEXT),
            Fact("购置车辆数", "使用财政拨款购置公务用车（辆）", COUNT),
            Fact("公务用车保有量", "财政拨款开支运行维护费的公务用车保有量（辆）", COUNT),
            Fact("国内接待费", "国内公务接待费", AMOUNT),
            Fact("国内接待批次", "国内公务接待批次", COUNT),
            Fact("国内接待人次", "国内公务接待人次", COUNT),
            Fact("外事接待批次", "其中：外事接待批次", COUNT),
            Fact("外事接待人次", "其中：外事接待人次", COUNT),
            Fact("国外接待费", "国（境）外公务接待费", AMOUNT),
            Fact("国外接待批次", "国（境）外公务接待批次", COUNT),
            Fact("国外接待人次", "国（境）外公务接待人次", COUNT),
            Fact("国内接待内容", "国内公务接待主要内容", TEXT),
        )),
        FactSection("机关运行经费", (
            Fact("单位性质", "单位性质", CHOICE, choices=AGENCY_KINDS,
                 hint="单位决算填写；部门决算可留空。行政单位和参公事业单位的机关运行经费即公开06公用经费合计"),
            Fact("机关运行经费", "机关运行经费支出", AMOUNT, reason=True, hint="没有机关运行经费的填 0"),
            Fact("机关运行经费年初预算", "机关运行经费年初预算", AMOUNT),
        )),
        FactSection("政府采购", (
            Fact("采购总额", "政府采购支出总额", AMOUNT),
            Fact("采购货物", "政府采购货物支出", AMOUNT),
            Fact("采购工程", "政府采购工程支出", AMOUNT),
            Fact("采购服务", "政府采购服务支出", AMOUNT),
            Fact("中小企业", "授予中小企业合同金额", AMOUNT),
            Fact("小微企业", "其中：授予小微企业合同金额", AMOUNT),
            Fact("货物中小企业", "货物采购授予中小企业合同金额", AMOUNT),
            Fact("工程中小企业", "工程采购授予中小企业合同金额", AMOUNT),
            Fact("服务中小企业", "服务采购授予中小企业合同金额", AMOUNT),
        )),
        FactSection("国有资产占用", (
            Fact("车辆总数", "车辆总数（辆）", COUNT),
            *(Fact(f"车辆:{kind}", f"其中：{kind}（辆）", COUNT) for kind in VEHICLE_KINDS),
            Fact("其他用车用途", "其他用车主要用途", TEXT),
            Fact("大型设备", "单价100万元（含）以上设备（不含车辆，台套）", COUNT),
        )),
        FactSection("预算绩效", (
            Fact("自评项目数", "绩效自评项目数（个）", COUNT),
            Fact("自评资金", "绩效自评涉及预算资金", AMOUNT),
            Fact("自评覆盖率", "占项目支出总额的百分比（%）", PERCENT),
            Fact("重点评价", "重点绩效评价情况", TEXT, hint="没有的留空，情况说明写“无重点绩效评价项目”"),
            Fact("自评结果", "绩效自评结果", TEXT),
        )),
    ),
    items_heading="一般公共预算财政拨款支出年初预算（按公开05的“项”逐行填写）",
    items_columns=("科目编码", "科目名称", "年初预算", "决算数与年初预算数不同的主要原因"))

FACT_SHEET_SPECS: dict[str, FactSheetSpec] = {s.name: s for s in (LAST_YEAR, OTHER_FACTS)}
