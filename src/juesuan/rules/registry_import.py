"""Rules of importing a published document (family 导入, ids I01–I29).

What the importer could not place, or placed by inference, is said here, always with
the position in the original document ({where}: 第112行, 第3页, 第2个表格第5行), so
that nothing of the document is dropped silently.
"""
from __future__ import annotations

from .findings import INFO, WARNING
from .registry import _rule

FAMILY = "导入"

UNPLACED_LINE = _rule(
    "I01", WARNING, "原文中有表格行无法放入标准表（未导入）", FAMILY,
    "原文{where}：{table}中的这一行无法识别，未导入：“{text}”")
BAD_DOCUMENT_AMOUNT = _rule(
    "I02", WARNING, "原文中的金额无法识别（按空白导入）", FAMILY,
    "原文{where}：{table} {label}“{raw}”不是金额，按空白导入，请核对原文")
TABLE_NOT_FOUND = _rule(
    "I03", WARNING, "原文中没有找到某张公开表（按空表导入）", FAMILY,
    "原文中没有找到{table}（{title}），该表按空表导入")
CODE_RECOVERED = _rule(
    "I04", INFO, "原文科目编码不完整，已按科目名称从科目目录恢复", FAMILY,
    "原文{where}：{table}科目编码“{raw}”不完整（转换时被截断），按名称“{name}”恢复为 {code}")
CODE_NOT_RECOVERED = _rule(
    "I05", WARNING, "原文科目编码不完整，且无法按名称恢复（未导入）", FAMILY,
    "原文{where}：{table}科目编码“{raw}”（{name}）不完整，科目目录中也找不到这个名称，该行未导入：请核对原文")
RENUMBERED_TABLE = _rule(
    "I06", INFO, "原文的表号与标准表号不同（按表名放入标准表）", FAMILY,
    "原文{where}：“{printed}”是“{title}”，按标准放入{table}")
INFO_NOT_FOUND = _rule(
    "I07", WARNING, "原文中没有找到单位信息（单位名称、年度、金额单位）", FAMILY,
    "原文中没有找到{label}{fallback}：请在“单位信息”表中填写")
REPEATED_ROW = _rule(
    "I08", WARNING, "原文中同一行次（科目）出现两次且金额不同（取第一次）", FAMILY,
    "原文{where}：{table} {key} 再次出现，金额与{first}不同，取第一次的金额；请核对原文")
VERTICAL_SANGONG = _rule(
    "I09", INFO, "原文“三公”经费表为竖排（项目 / 预算数 / 决算数），已按标准横排导入", FAMILY,
    "原文{where}：“三公”经费表为竖排，已按项目放入公开09的预算数、决算数各栏")
