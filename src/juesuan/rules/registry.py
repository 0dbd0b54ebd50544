"""The rule catalogue: every check the audit makes, with a stable id, a severity and its messages.

Relation rules (R1.x … R17.x) follow the numbering of the reconciliation in the
domain note; entry rules (E..) check what a clerk typed. In a 万元 workbook a
relation gap within the rounding envelope is reported as 尾差 with severity info
whatever the rule's own severity.

Each rule builds its own findings: ``RULE.finding(table, cell, shape, **fields)`` takes
the rule's id and severity and fills the message template of that shape ("" for the
usual one) with ``table``, ``cell`` and the fields. Every message a clerk reads about a
rule is written here, once.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .findings import ERROR, INFO, WARNING, Finding


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str          # Chinese, one line
    family: str         # 表内 / 表间 / 录入 / 填充
    messages: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)   # template by shape

    def finding(self, table: str, cell: str | None, shape: str = "", *, rounding: bool = False,
                cells: tuple[str, ...] = (), expected: Decimal | None = None, actual: Decimal | None = None,
                difference: Decimal | None = None, value: object = None, **fields) -> Finding:
        """This rule's finding at `cell` of sheet `table`, its message the template of `shape` filled
        with table, cell and `fields`. A relation gap within the `rounding` envelope is info."""
        message = self.messages[shape].format(table=table, cell=cell, **fields)
        return Finding(self.id, INFO if rounding else self.severity, table, cell, message,
                       cells, expected, actual, difference, value)


RULES: dict[str, Rule] = {}


def _rule(rule_id: str, severity: str, title: str, family: str, message: str | None = None, **shapes: str) -> Rule:
    """Declare a rule; `message` is its usual template, `shapes` the others by name."""
    messages = shapes if message is None else {"": message, **shapes}
    RULES[rule_id] = Rule(rule_id, severity, title, family, messages)
    return RULES[rule_id]


# --- entry checks ------------------------------------------------------------
BAD_AMOUNT = _rule(
    "E01", ERROR, "金额单元格只能填数字（可留空）", "录入",
    "{table} {cell}（{label}）：{problem}，请填写数字或留空",
    formula="{table} {cell}（{label}）是未计算的公式 {formula}：请在 Excel 中打开并保存一次，或用 juesuan fill 按数值填充")
MISSING_SHEET = _rule(
    "E02", ERROR, "缺少标准工作表", "录入",
    "缺少工作表“{table}”，该表按空表处理",
    renamed="缺少工作表“{table}”（发现名为“{found}”的工作表，请改回“{table}”），该表按空表处理")
INFO_MISSING = _rule(
    "E03", ERROR, "单位信息（单位名称、年度、金额单位）必须填写正确", "录入",
    name_blank="{table}：单位名称未填写（{cell}）",
    name_unusable="{table}：单位名称（{cell}）为“{name}”，是错误值或未计算的公式，不能作为单位名称：请填写单位全称",
    year_blank="{table}：年度未填写（{cell}），应为四位数字，如 2024",
    year_invalid="{table}：年度“{year}”不是四位年份（{cell}）",
    unit_blank="{table}：金额单位未填写（{cell}），请选择{choices}；暂按{fallback}审核",
    unit_invalid="{table}：金额单位（{cell}）应为{choices}，实为“{unit}”；暂按{fallback}审核",
    type_invalid="{table}：报表类型（{cell}）应为{choices}，实为“{kind}”；暂按{fallback}审核")
CODE_FORMAT = _rule(
    "E04", ERROR, "科目编码格式：功能分类3/5/7位，经济分类3/5位", "录入",
    "{table} {cell} 科目编码“{code}”格式不对：功能分类科目应为3位（类）、5位（款）或7位（项）数字")
UNKNOWN_CODE = _rule(
    "E05", INFO, "科目编码不在内置科目目录中（目录并不完整，可用 --catalog 补充）", "录入",
    "{table} 第{row}行 科目编码 {code} 不在内置科目目录中{elsewhere}。内置目录并不完整：只收录 {classes} 个类和"
    "示例中出现的科目，共 {size} 个，编码可能无误。请核对编码；如无误，可用 --catalog 补充本地科目，"
    "各表中该科目的名称仍会互相核对")
NAME_VS_CATALOG = _rule(
    "E06", WARNING, "科目名称与科目目录不一致", "录入",
    "{table} 第{row}行 {code} 名称“{name}”与科目目录“{official}”不一致")
NAME_ACROSS_TABLES = _rule(
    "E07", WARNING, "同一科目在不同表中名称不一致", "录入",
    "{table} 第{row}行 {code} 名称“{name}”与{other_table}“{other_name}”不一致")
ORPHAN_ROW = _rule(
    "E08", ERROR, "项（款）缺少所属的款（类）行", "录入",
    "{table} 第{row}行 {code} 缺少所属{parent_level}（{parent}）行，合计无法逐级汇总")
CHILDLESS_ROW = _rule(
    "E09", WARNING, "类（款）下没有列出所属的款（项）", "录入",
    "{table} 第{row}行 {code}（{level}）下没有列出所属{child_level}")
DUPLICATE_CODE = _rule(
    "E10", ERROR, "同一表中科目编码重复", "录入",
    "{table} 第{row}行 科目 {code} 与第{first_row}行重复")
CODE_ORDER = _rule(
    "E11", WARNING, "科目编码未按顺序排列", "录入",
    "{table} 第{row}行 科目 {code} 排在 {previous} 之后，应按科目编码顺序排列")
TOO_MANY_DECIMALS = _rule(
    "E12", WARNING, "金额超过两位小数", "录入",
    "{table} {cell} {label} {amount} 超过两位小数（{unit}金额应精确到0.01）")
NEGATIVE = _rule(
    "E13", WARNING, "金额为负数（请说明原因）", "录入",
    "{table} {cell} {label} 为负数 {amount}，请核实或在备注中说明")
MISSING_CODE = _rule(
    "E14", ERROR, "有名称或金额的行缺少科目编码", "录入",
    "{table} 第{row}行“{name}”缺少科目编码")
TOTAL_ROW = _rule(
    "E15", ERROR, "合计行不能填写科目编码", "录入",
    "{table} 第{row}行是合计行，科目编码栏应为空，实为“{code}”；科目请从第{first_code_row}行起填写")
UNPLACED_CLASS = _rule(
    "E16", ERROR, "该类科目在公开01/公开04中没有对应行", "表间",
    "{table} 第{row}行 类 {code} {name} 在{summary}的支出类别中没有对应行，请核对科目编码")
IMPLAUSIBLE_MAGNITUDE = _rule(
    "E20", WARNING, "金额大小与金额单位不符（是否把元当万元、或把万元当元录入）", "录入",
    too_large="{table}：金额单位（{cell}）为“万元”，但最大的金额 {where} 为 {amount} 万元（即 {billions} 亿元），"
              "远超{entity}决算的常见规模：是否按“元”录入了？请核对；如确实如此，请在备注中说明",
    too_small="{table}：金额单位（{cell}）为“元”，但全部金额都不到 {floor} 元（最大的是 {where} {amount} 元）："
              "是否按“万元”录入了？请核对；如确实如此，请在备注中说明")
UNNAMED_PARENT = _rule(
    "E21", ERROR, "填充计算补入的款（类）行缺少科目名称", "录入",
    "{table} 第{row}行 {code}（{level}）是填充计算按所填的项补入的，科目目录中没有它的名称："
    "请在 {cell} 填写科目名称（现为“{name}”）")
SHEET_VISIBILITY = _rule(
    "E19", ERROR, "标准工作表不能隐藏，也不能有名称相近的工作表", "录入",
    hidden="工作表“{table}”被隐藏：审核和公开读取的是这张看不见的表。请在 Excel 中右键任一工作表标签，"
           "选择“取消隐藏”，核对其内容后重新审核",
    very_hidden="工作表“{table}”被深度隐藏（右键“取消隐藏”中也看不到）：审核和公开读取的是这张看不见的表。"
                "请在 Excel 中按 Alt+F11，在左侧选中该表，把属性 Visible 改为“-1 - xlSheetVisible”，核对其内容后重新审核",
    look_alike="工作表“{other}”与标准工作表“{table}”名称几乎相同：审核和公开只读取“{table}”。"
               "请删除多余的工作表或改用明显不同的名称")

# --- filling -----------------------------------------------------------------
OVERWRITTEN = _rule(
    "F01", WARNING, "填充计算覆盖了原有数值", "填充",
    "{table} {cell} {label} 原填 {old}，自动计算应为 {new}，已覆盖（如原数正确，请检查其明细数据）")
ROUNDING_OVERWRITE = _rule(
    "F02", INFO, "填充计算按明细重算合计，与原数相差尾差", "填充",
    "{table} {cell} {label} 原为 {old}，按明细重算为 {new}（差 {gap}，属尾差），已更新")
# An error, not a warning: it stands for the per-cell relation errors it replaces, so a book
# whose totals were never computed still cannot be published.
UNFILLED = _rule(
    "F03", ERROR, "自动计算单元格为空，尚未运行填充计算", "填充",
    "有 {count} 个自动计算单元格为空，请先运行填充计算（灰色单元格，如 {listed}）；涉及这些单元格的勾稽关系待填充后再审核")
BLOCKED_BY_UNUSABLE = _rule(
    "F04", WARNING, "金额无法识别，依赖它的自动计算单元格未计算", "填充",
    "{table} {cell}（{label}）不是可用的金额，依赖它的 {count} 个自动计算单元格未计算、保持原样：{listed}。"
    "请改正该单元格后重新运行填充计算")
MERGED_DERIVED_CELL = _rule(
    "F05", WARNING, "自动计算单元格被合并，未写入", "填充",
    "{table} {cell} 在合并单元格 {merged} 之中，填充计算应写入 {amount}，为免破坏合并区域未写入：请取消合并后重新运行填充计算")

# --- relations (domain note 1–17) ---------------------------------------------
_RELATIONS = [
    ("R1.1", ERROR, "公开01 本年收入合计 = 行次1至8之和", "表内"),
    ("R1.2", ERROR, "公开01 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余", "表内"),
    ("R1.3", ERROR, "公开01 本年支出合计 = 行次32至57之和", "表内"),
    ("R1.4", ERROR, "公开01 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余", "表内"),
    ("R1.5", ERROR, "公开01 收入总计 = 支出总计", "表内"),
    ("R2.1", ERROR, "公开02 本年收入合计 = 栏次2至7之和（每行）", "表内"),
    ("R2.2", ERROR, "公开02 类 = 所属款之和，款 = 所属项之和（每栏）", "表内"),
    ("R2.3", ERROR, "公开02 合计 = 各类之和（每栏）", "表内"),
    ("R3.1", ERROR, "公开03 本年支出合计 = 栏次2至6之和（每行）", "表内"),
    ("R3.2", ERROR, "公开03 类 = 所属款之和，款 = 所属项之和（每栏）", "表内"),
    ("R3.3", ERROR, "公开03 合计 = 各类之和（每栏）", "表内"),
    ("R4.1", ERROR, "公开04 本年收入合计 = 行次1至3之和", "表内"),
    ("R4.2", ERROR, "公开04 年初财政拨款结转和结余 = 行次29至31之和", "表内"),
    ("R4.3", ERROR, "公开04 收入总计 = 本年收入合计 + 年初财政拨款结转和结余", "表内"),
    ("R4.4", ERROR, "公开04 支出各行 合计 = 一般公共预算 + 政府性基金 + 国有资本经营", "表内"),
    ("R4.5", ERROR, "公开04 本年支出合计 = 行次33至58之和（每栏）", "表内"),
    ("R4.6", ERROR, "公开04 支出总计 = 本年支出合计 + 年末财政拨款结转和结余（每栏）", "表内"),
    ("R4.7", ERROR, "公开04 收入总计 = 支出总计", "表内"),
    ("R4.8", ERROR, "公开04 分资金：年初结转和结余 + 本年收入 = 本年支出 + 年末结转和结余", "表内"),
    ("R5.1", ERROR, "公开05 小计 = 基本支出 + 项目支出（每行）", "表内"),
    ("R5.2", ERROR, "公开05 类 = 所属款之和，款 = 所属项之和（每栏）", "表内"),
    ("R5.3", ERROR, "公开05 合计 = 各类之和（每栏）", "表内"),
    ("R6.1", ERROR, "公开06 经济分类类级 = 所属款之和", "表内"),
    ("R6.2", ERROR, "公开06 人员经费合计 = 301 + 303", "表内"),
    ("R6.3", ERROR, "公开06 公用经费合计 = 302 + 307 + 310 + 312 + 399", "表内"),
    ("R7.1", ERROR, "公开07 本年支出小计 = 基本支出 + 项目支出（每行）", "表内"),
    ("R7.2", ERROR, "公开07 年末结转和结余 = 年初结转和结余 + 本年收入 − 本年支出小计（每行）", "表内"),
    ("R7.3", ERROR, "公开07 类 = 所属款之和，款 = 所属项之和（每栏）", "表内"),
    ("R7.4", ERROR, "公开07 合计 = 各类之和（每栏）", "表内"),
    ("R8.1", ERROR, "公开08 小计 = 基本支出 + 项目支出（每行）", "表内"),
    ("R8.2", ERROR, "公开08 类 = 所属款之和，款 = 所属项之和（每栏）", "表内"),
    ("R8.3", ERROR, "公开08 合计 = 各类之和（每栏）", "表内"),
    ("R9.1", ERROR, "公开09 合计 = 因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费（预算数、决算数）", "表内"),
    ("R9.2", ERROR, "公开09 公务用车小计 = 购置费 + 运行维护费（预算数、决算数）", "表内"),
    ("R10.1", ERROR, "公开01 本年收入合计 = 公开02 合计 本年收入合计", "表间"),
    ("R10.2", ERROR, "公开02 合计 财政拨款收入 = 公开01 行次1至3之和", "表间"),
    ("R10.3", ERROR, "公开01 行次4至8 = 公开02 合计 栏次3至7", "表间"),
    ("R11.1", ERROR, "公开01 本年支出合计 = 公开03 合计 本年支出合计", "表间"),
    ("R11.2", ERROR, "公开01 各类支出 = 公开03 同类 本年支出合计", "表间"),
    ("R12.1", ERROR, "公开01 行次1至3 = 公开04 行次1至3", "表间"),
    ("R12.2", ERROR, "公开04 本年收入合计 = 公开02 合计 财政拨款收入", "表间"),
    ("R13.1", ERROR, "公开04 本年支出合计（一般公共预算）= 公开05 合计 小计", "表间"),
    ("R13.2", ERROR, "公开04 各类（一般公共预算）= 公开05 同类 小计", "表间"),
    ("R14.1", ERROR, "公开04 本年支出合计（政府性基金）= 公开07 合计 本年支出小计", "表间"),
    ("R14.2", ERROR, "公开04 各类（政府性基金）= 公开07 同类 本年支出小计", "表间"),
    ("R14.3", ERROR, "公开04 政府性基金本年收入 = 公开07 合计 本年收入", "表间"),
    ("R14.4", ERROR, "公开04 政府性基金年初结转和结余 = 公开07 合计 年初结转和结余", "表间"),
    ("R14.5", ERROR, "公开04 政府性基金年末结转和结余 = 公开07 合计 年末结转和结余", "表间"),
    ("R15.1", ERROR, "公开04 本年支出合计（国有资本经营）= 公开08 合计 小计", "表间"),
    ("R15.2", ERROR, "公开04 各类（国有资本经营）= 公开08 同类 小计", "表间"),
    ("R16.1", ERROR, "公开05 合计 基本支出 = 公开06 人员经费合计 + 公用经费合计", "表间"),
    ("R17.1", WARNING, "公开05 各科目 ≤ 公开03 同科目（财政拨款是全部资金的一部分）", "表间"),
    ("R17.2", WARNING, "公开01 年初结转和结余 ≥ 公开04 年初财政拨款结转和结余", "表间"),
    ("R17.3", WARNING, "公开01 年末结转和结余 ≥ 公开04 年末财政拨款结转和结余", "表间"),
    ("R17.4", WARNING, "公开09 决算数 ≤ 预算数（逐项）", "表内"),
    ("R17.5", WARNING, "公开09 决算数 ≥ 公开06 对应科目（因公出国30212、购置31013、运行维护30231、接待30217）", "表间"),
]

# One message for every relation, by its operator; `where` is the sheet and the target's cell.
_RELATION_MESSAGES = {
    "=": "{where} {label} {shown} ≠ {expr} {expected_shown}（差 {gap}）",
    "rounding": "{where} {label} {shown} ≠ {expr} {expected_shown}（差 {gap}，在尾差范围内）",
    "<=": "{where} {label} {shown} 大于 {expr} {expected_shown}（差 {gap}，请核实或在备注中说明原因）",
    ">=": "{where} {label} {shown} 小于 {expr} {expected_shown}（差 {gap}，请核实或在备注中说明原因）",
}
# Appended to a relation's message when the disagreement narrows to rows of the two tables
NARROWED = "；请检查：{listed}"
for _id, _sev, _title, _family in _RELATIONS:
    RULES[_id] = Rule(_id, _sev, _title, _family, _RELATION_MESSAGES)


def rule_sort_key(rule_id: str):
    head, _, tail = rule_id.partition(".")
    return (head[0] != "E", head[0], int(head[1:]), int(tail or 0))
