"""Rules of issue #12's remainder: fill that cannot insert missing rows says why (F06), and a
typo in one 项 of 公开05 is an error on its own row (E22), not only at the per-fund balance."""
from __future__ import annotations

from .findings import ERROR, WARNING
from .registry import _rule

INSERTION_BLOCKED = _rule(
    "F06", WARNING, "工作簿中的公式妨碍插入缺少的款（类）行", "填充",
    "缺少所属的款（类）行：{missing}；但工作簿中有公式（或名称）位于需下移的行中、或无法确定其引用的单元格"
    "（{listed}），为免公式指错位置，填充计算未插入这些行。请在 Excel 中手工插入所缺的款、类行"
    "（或把这些公式改为数值）后重新运行填充计算")

# A 项's financial appropriation: without carry-over it is spent where it came in
ITEM_APPROPRIATION = _rule(
    "E22", ERROR, "无财政拨款结转和结余时，各项财政拨款支出 = 该项财政拨款收入", "表间",
    **{
        "=": "{where} {label} {shown} ≠ {expr} {expected_shown}（差 {gap}）：本单位一般公共预算和国有资本经营预算"
             "财政拨款年初、年末均无结转和结余，每一项的财政拨款支出应等于该项的财政拨款收入",
        "rounding": "{where} {label} {shown} ≠ {expr} {expected_shown}（差 {gap}，在尾差范围内）",
    })
