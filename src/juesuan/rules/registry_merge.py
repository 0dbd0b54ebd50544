"""Rules of consolidation (汇总, juesuan merge): M01–M19.

Some are found while merging (a name the units spell differently, a transfer that cannot be
offset, a unit merged despite its errors) and go into the merged workbook's 审核结果; the
others are checked by the audit on every merged 部门 report (rules/merged_report.py), so they
hold whenever the merged workbook is checked again.
"""
from __future__ import annotations

from .findings import ERROR, INFO, WARNING
from .registry import _rule

FAMILY = "汇总"

NAME_CONFLICT = _rule(
    "M01", WARNING, "汇总时同一科目在各单位的名称不一致", FAMILY,
    "{table} 第{row}行 {code}：各单位名称不一致（{names}），汇总表采用“{name}”，请核对")
TRANSFERS_INCLUDED = _rule(
    "M02", WARNING, "汇总的部门决算含单位之间可能的内部往来（未抵销）", FAMILY,
    "{table} {cell} {label} {amount}：本部门决算由 {units} 个单位汇总，含{label}。如为本部门所属单位之间的往来，"
    "部门的收入和支出都重复计算了这笔钱：请用 juesuan merge --offset 汇总以抵销；如来自（付给）部门以外，请在备注中说明")
MERGED_UNITS_INVALID = _rule(
    "M03", ERROR, "汇总单位数必须是正整数，且只用于部门决算", FAMILY,
    not_number="{table}：汇总单位数（{cell}）应为正整数，实为“{shown}”；尾差暂按 1 个单位审核",
    not_department="{table}：填了汇总单位数（{cell}），但报表类型不是“部门”；尾差暂按 1 个单位审核")
TRANSFER_UNMATCHED = _rule(
    "M04", WARNING, "内部往来未能逐科目对应抵销", FAMILY,
    "{code} {name}：{income_label} {income} 与 {spending_label} {spending} 不等，未抵销的 {rest} 仍含在部门合计中，"
    "请核对各单位是否按同一科目填列")
FORCED_UNIT = _rule(
    "M05", WARNING, "有错误的单位按 --force 汇总", FAMILY,
    "单位“{unit}”（{file}）审核有 {count} 条错误，按 --force 仍然汇总：部门决算中相关数字可能有误，"
    "请改正该单位后重新汇总")
ROW_NOT_MERGED = _rule(
    "M06", WARNING, "单位的某行未能汇总", FAMILY,
    "单位“{unit}”{table} 第{row}行{what}，未汇总到部门决算中，请改正该单位后重新汇总")
LEVEL_CONFLICT = _rule(
    "M07", WARNING, "各单位对同一科目列到的层级不同", FAMILY,
    "{table} 第{row}行 {code}：单位“{unit}”没有列出其下的明细科目，而其他单位列出了，部门汇总的该科目不等于所列明细之和，"
    "请在该单位补列明细后重新汇总")
MIXED_UNITS = _rule(
    "M08", INFO, "汇总的单位金额单位不同，已按元合计后统一换算", FAMILY,
    "各单位金额单位不同（{units}）：已全部换算为元相加，再一次换算为{target}（每个数字只四舍五入一次）")
SAME_FILE_TWICE = _rule(
    "M09", WARNING, "同一工作簿被汇总了不止一次", FAMILY,
    "“{file}”被汇总了 {times} 次，其数字在部门决算中重复计算：如非有意，请去掉重复的文件后重新汇总")
