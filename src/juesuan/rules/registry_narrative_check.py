"""Rules of the 情况说明 check (issue 18 part 3): a clerk's text against the workbook, N01–N39.

Every finding sits on table "情况说明" at the paragraph ("第12段"), quotes the sentence, and
carries the number as written (actual) and the workbook's figure (expected).
"""
from __future__ import annotations

from .findings import ERROR, INFO, WARNING
from .registry import _rule

NARRATIVE_TABLE = "情况说明"
WITHIN_ROUNDING = "，在尾差范围内"     # a gap of one hundredth of a 万元: the text may round from 元 (info)
FAMILY = "情况说明"

AMOUNT_DIFFERS = _rule(
    "N01", ERROR, "情况说明中的金额与工作簿不一致", FAMILY,
    "{cell}：{what}写作“{text}”万元，工作簿为 {want} 万元（{source}）{within}。原文：“{sentence}”")
SHARE_DIFFERS = _rule(
    "N02", ERROR, "情况说明中的占比与其金额、基数不一致", FAMILY,
    "{cell}：{what}占比写作“{text}%”，按 {part} ÷ {base} 应为 {want}%。原文：“{sentence}”")
SHARE_FORCED = _rule(
    "N03", INFO, "占比为使合计等于100%而调整了尾数（尾差范围内）", FAMILY,
    "{cell}：{what}占比写作“{text}%”，按 {part} ÷ {base} 四舍五入为 {want}%；各项占比之和为100%，"
    "系为凑足100%调整尾数，在尾差范围内。原文：“{sentence}”")
CHANGE_DIFFERS = _rule(
    "N04", ERROR, "情况说明中与上年相比的增减额与工作簿不一致", FAMILY,
    "{cell}：{what}与上年相比写作“{word}{text}万元”，按本年 {this} 与上年数 {last} 应为{expected_word}{want} 万元{within}。"
    "原文：“{sentence}”")
RATE_DIFFERS = _rule(
    "N05", ERROR, "增减百分比与所述增减额、上年数不一致", FAMILY,
    "{cell}：{what}写作“{word}{text}%”，按增减额 {delta} ÷ 上年数 {last} 应为 {want}%。原文：“{sentence}”")
ZERO_BASE = _rule(
    "N06", ERROR, "基数为零时不应计算百分比", FAMILY,
    "{cell}：{what}的基数为 0，不应写百分比“{text}%”。原文：“{sentence}”")
COMPLETION_DIFFERS = _rule(
    "N07", ERROR, "完成预算的百分比与所述决算数、预算数不一致", FAMILY,
    "{cell}：{what}完成预算写作“{text}%”，按 {actual_amount} ÷ {budget} 应为 {want}%。原文：“{sentence}”",
    no_budget="{cell}：{what}预算数为 {budget}，不应写“年初无预算/全年无预算”。原文：“{sentence}”")
COMPARISON_WRONG = _rule(
    "N08", ERROR, "大于、小于、持平的说法与所述金额矛盾", FAMILY,
    "{cell}：{what}写“{word}”，但决算数 {actual_amount}、预算数 {budget} 应为“{expected_word}”。原文：“{sentence}”")
COUNT_DIFFERS = _rule(
    "N09", ERROR, "情况说明中的数量（个、人次、辆、批次、台套）或百分比与工作簿不一致", FAMILY,
    "{cell}：{what}写作“{text}”，工作簿为 {want}（{source}）。原文：“{sentence}”")
YUAN_FOR_WANYUAN = _rule(
    "N10", WARNING, "金额单位：情况说明以万元表述", FAMILY,
    "{cell}：{what}写作“{text}元”，情况说明应以万元表述（工作簿为 {want} 万元）。原文：“{sentence}”")
ENTITY_WORDING = _rule(
    "N11", WARNING, "“部门”“单位”用词与报表类型不符", FAMILY,
    "{cell}：报表类型为{entity}决算，文中写“{text}”，应为“{expected_text}”。原文：“{sentence}”")
PLACEHOLDER_LEFT = _rule(
    "N12", ERROR, "情况说明中留有未填写的占位符", FAMILY,
    "{cell}：留有占位符“{text}”，请填写后再公开。原文：“{sentence}”")
REPEATED_WORD = _rule(
    "N13", WARNING, "情况说明中有重复的字词", FAMILY,
    "{cell}：“{text}”重复。原文：“{sentence}”")
PERCENT_SIGN_MISSING = _rule(
    "N14", ERROR, "百分比缺少“%”", FAMILY,
    "{cell}：“{text}”后缺少“%”。原文：“{sentence}”")
SECTION_MISSING = _rule(
    "N15", WARNING, "情况说明缺少规定的部分", FAMILY,
    "{cell}：没有找到“{section}”部分")
SANGONG_DETAIL_MISSING = _rule(
    "N16", WARNING, "“三公”经费说明缺少规定的细节", FAMILY,
    "{cell}：“三公”经费部分没有说明{detail}")
STATED_TWICE = _rule(
    "N17", ERROR, "同一数字在情况说明中前后写法不一致", FAMILY,
    "{cell}：{what}写作“{text}”，{first_cell}写作“{first_text}”。原文：“{sentence}”")
FACT_MISSING = _rule(
    "N18", INFO, "情况说明中的数字无法核对：工作簿缺少所需数据", FAMILY,
    "{cell}：{what}“{text}”无法核对：工作簿{missing}。原文：“{sentence}”")
NAME_DIFFERS = _rule(
    "N19", WARNING, "情况说明中的科目名称与公开05不一致", FAMILY,
    "{cell}：科目名称写作“{text}”，公开05为“{expected_text}”（{code}）。原文：“{sentence}”")
PROJECT_NAME_DIFFERS = _rule(
    "N20", WARNING, "情况说明中同一项目的名称前后不一致", FAMILY,
    "{cell}：第{n}个项目写作“{text}”，{first_cell}列举时写作“{expected_text}”。原文：“{sentence}”")
REASON_EXCEEDS_GAP = _rule(
    "N21", WARNING, "原因中所述金额大于决算数与预算数之差", FAMILY,
    "{cell}：{what}原因中写“{text}万元”，而决算数 {actual_amount} 与年初预算数 {budget} 只差 {gap} 万元：请核实原因。"
    "原文：“{sentence}”")
LAST_YEAR_CONTRADICTS = _rule(
    "N22", ERROR, "按情况说明的增减额推出的上年数互相矛盾", FAMILY,
    fiscal="{cell}：按文中增减额，上年财政拨款收、支总计为 {fiscal_total}，小于上年财政拨款收入 {fiscal_income}"
           "（第{income_paragraph}段），不可能：至少有一处增减额有误。原文：“{sentence}”",
    carry="{cell}：按文中增减额，上年收、支总计 {total} 比上年支出合计 {spent}（第{spent_paragraph}段基本支出、项目支出等之和）"
          "多 {gap}，即上年年末结转和结余，而本年年初结转和结余为 {carried}：至少有一处增减额有误。原文：“{sentence}”")
NOTHING_CLAIM_WRONG = _rule(
    "N23", ERROR, "“没有…”“无…”的说法与工作簿不符", FAMILY,
    "{cell}：文中说“{text}”，但工作簿{what}为 {want}（{source}）。原文：“{sentence}”")
ITEM_UNPLACED = _rule(
    "N24", INFO, "情况说明中的“项”无法与公开05对应", FAMILY,
    "{cell}：“{text}”在公开05中找不到对应的项，未核对。原文：“{sentence}”")
ECONOMIC_LIST = _rule(
    "N25", WARNING, "人员经费、公用经费列举的科目应为公开06中有金额的科目", FAMILY,
    "{cell}：{group}列举了“{text}”，公开06中该科目没有金额。原文：“{sentence}”")
ECONOMIC_UNLISTED = _rule(
    "N26", INFO, "人员经费、公用经费的列举没有“等”字时应列全公开06中有金额的科目", FAMILY,
    "{cell}：{group}的列举没有“等”字，但未列公开06中有金额的“{text}”。原文：“{sentence}”")
