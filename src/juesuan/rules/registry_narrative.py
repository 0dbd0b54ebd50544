"""Rules over the fact sheets 上年数 and 其他公开事项 (issue 18): entry checks E30–E34 and the
relations among their figures and with the tables, R18.x.

Both sheets are optional: a workbook made before them is checked exactly as before and the
narrative (juesuan narrate) says what it lacks.
"""
from __future__ import annotations

from .findings import ERROR, WARNING
from .registry import _rule

WITHIN_ROUNDING = "，在尾差范围内"     # ends the message of a gap that rounding explains (as registry's)


def within(rounding: bool) -> str:
    return WITHIN_ROUNDING if rounding else ""

FACT_ENTRY = _rule(
    "E30", ERROR, "上年数、其他公开事项：数值单元格只能填相应的数字或选项", "录入",
    count="{table} {cell}（{label}）应为不小于 0 的整数，实为“{text}”",
    amount="{table} {cell}（{label}）：{problem}，请填写数字或留空",
    percent="{table} {cell}（{label}）应为百分数（如 100 或 100%），实为“{text}”",
    choice="{table} {cell}（{label}）应为{choices}之一，实为“{text}”")
FACT_SHEET_LAYOUT = _rule(
    "E31", ERROR, "上年数、其他公开事项的项目行不能插入、删除或调换", "录入",
    "{table} {cell} 应为“{want}”，实为“{found}”：该表未能读取，按未填写处理。"
    "请用 juesuan template 生成的标准表重新填写，不要插入或删除行")
BUDGET_ITEM_CODE = _rule(
    "E32", ERROR, "年初预算应按公开05的“项”（7位科目编码）逐行填写", "录入",
    format="{table} {cell} 科目编码“{code}”不是“项”的7位编码",
    missing="{table} 第{row}行填了年初预算或原因，但没有科目编码",
    unknown="{table} {cell} 科目 {code} 不是公开05中列出的“项”",
    duplicate="{table} {cell} 科目 {code} 与第{first_row}行重复")
BUDGET_ITEM_MISSING = _rule(
    "E33", WARNING, "公开05的“项”应在其他公开事项中填写年初预算", "录入",
    "{table}：公开05的项 {code} {name} 没有填写年初预算（没有预算的请填 0），情况说明中该项将留待补充")

PURCHASE_PARTS = _rule(
    "R18.1", ERROR, "政府采购：货物、工程、服务支出之和等于采购支出总额", "表内",
    "{table} {cell} 政府采购支出总额 {total}，货物、工程、服务之和为 {parts}（差 {gap}{within}）")
SME_WITHIN_TOTAL = _rule(
    "R18.2", ERROR, "政府采购：授予中小企业合同金额不超过采购支出总额", "表内",
    "{table} {cell} 授予中小企业合同金额 {sme} 大于政府采购支出总额 {total}")
SMALL_WITHIN_SME = _rule(
    "R18.3", ERROR, "政府采购：授予小微企业合同金额不超过授予中小企业合同金额", "表内",
    "{table} {cell} 授予小微企业合同金额 {small} 大于授予中小企业合同金额 {sme}")
SME_BY_CATEGORY = _rule(
    "R18.4", ERROR, "政府采购：各类采购授予中小企业的金额不超过该类支出，合计等于授予中小企业合同金额", "表内",
    over="{table} {cell} {category}采购授予中小企业合同金额 {sme} 大于{category}支出 {amount}",
    sum="{table} {cell} 授予中小企业合同金额 {sme}，货物、工程、服务三类之和为 {parts}（差 {gap}{within}）")
VEHICLE_KINDS_SUM = _rule(
    "R18.5", ERROR, "国有资产：各类车辆数之和等于车辆总数", "表内",
    "{table} {cell} 车辆总数 {total} 辆，各类车辆之和 {parts} 辆")
VEHICLE_PURCHASE = _rule(
    "R18.6", ERROR, "“三公”公务用车购置费大于 0 时应购置了公务用车，反之亦然", "表间",
    bought_nothing="{table} {cell} 公开09 公务用车购置费决算数为 {amount}，但购置公务用车数为 0",
    paid_nothing="{table} {cell} 购置公务用车 {count} 辆，但公开09 公务用车购置费决算数为 {amount}")
AGENCY_RUNNING_COST = _rule(
    "R18.7", WARNING, "机关运行经费与公开06公用经费合计（行政单位、参公事业单位相等，其他不超过）", "表间",
    equal="{table} {cell} {kind}的机关运行经费即一般公共预算财政拨款基本支出中的公用经费，"
          "应等于公开06 公用经费合计 {public}，实为 {amount}（差 {gap}{within}）",
    over="{table} {cell} 机关运行经费 {amount} 大于公开06 公用经费合计 {public}",
    institution="{table} {cell} 单位性质为事业单位，一般没有机关运行经费，实为 {amount}：请核实")
BUDGET_ITEMS_SUM = _rule(
    "R18.8", ERROR, "各项年初预算之和等于一般公共预算财政拨款支出年初预算合计", "表内",
    "{table} {cell} 年初预算合计 {total}，各项年初预算之和 {parts}（差 {gap}{within}）")
RECEPTION_SPLIT = _rule(
    "R18.9", ERROR, "国内与国（境）外公务接待费之和等于公开09 公务接待费决算数", "表间",
    "{table} {cell} 国内接待费与国（境）外接待费之和 {parts}，公开09 公务接待费决算数 {amount}（差 {gap}{within}）")
LAST_YEAR_OVERWRITTEN = _rule(
    "E34", WARNING, "按上年工作簿填充上年数时改写了原有数值", "填充",
    "{table} {cell}（{label}）原为 {old}，按上年工作簿改为 {new}")
