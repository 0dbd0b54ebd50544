"""The 情况说明 as paragraphs (rules/narrative_text.py): broken lines joined, headings kept apart,
sections numbered, the sentence around a number; literals from the seeds' layout."""
from decimal import Decimal

from juesuan.rules.narrative_text import paragraphs, sentence_at, to_decimal


def test_a_line_broken_by_the_pdf_conversion_is_joined_to_the_next():
    # S0:453–455: "…一般公共服务（类）支出 467.38 万元，占" / blank / "93.46%；…"
    lines = ["五、一般公共预算财政拨款支出决算情况说明", "", "(二) 一般公共预算财政拨款支出决算结构情况", "",
             "2024 年度一般公共预算财政拨款支出 500.07 万元，主要用于以下方面：一般公共服务（类）支出 467.38 万元，占",
             "", "93.46%；住房保障（类）支出 10.33 万元，占 2.07%。", "六、一般公共预算财政拨款基本支出决算情况说明"]
    paras = paragraphs(lines)
    assert [p.text for p in paras] == [
        "五、一般公共预算财政拨款支出决算情况说明", "(二)一般公共预算财政拨款支出决算结构情况",
        ("2024年度一般公共预算财政拨款支出500.07万元，主要用于以下方面：一般公共服务（类）支出467.38万元，占93.46%；"
         "住房保障（类）支出10.33万元，占2.07%。"),
        "六、一般公共预算财政拨款基本支出决算情况说明"]
    assert [(p.cell, p.section, p.sub) for p in paras] == [
        ("第1段", "五", ""), ("第2段", "五", "二"), ("第3段", "五", "二"), ("第4段", "六", "")]


def test_markup_and_list_marks_are_dropped_and_part_four_ends_the_text():
    # S2:403 "# **2023 年度部门决算情况说明**", S0:401 "- 1、财政拨款收入…", S2:612 "## 第四部分"
    lines = ["# **2023 年度部门决算情况说明**", "## 一、收入支出决算总体情况说明", "- 1、财政拨款收入 500.07 万元。",
             "## 第四部分", "名词解释"]
    assert [p.text for p in paragraphs(lines)] == ["2023年度部门决算情况说明", "一、收入支出决算总体情况说明",
                                                    "1、财政拨款收入500.07万元。"]


def test_an_imported_line_position_follows_its_paragraph():
    paras = paragraphs(["一、收入支出决算总体情况说明", "2024年度收、支总计均为", "500.07万元。"],
                       ["第377行", "第379行", "第380行"])
    assert [(p.number, p.where) for p in paras] == [(1, "第377行"), (2, "第379行")]


def test_the_sentence_around_a_position_and_numbers_as_printed():
    text = "2024年度收、支总计均为500.07万元。与2023年度相比，收、支总计各增加96.85万元，增长24.02%。主要是增加了项目支出。"
    assert sentence_at(text, text.index("96.85")) == "与2023年度相比，收、支总计各增加96.85万元，增长24.02%。"
    assert to_decimal("1,225.21") == Decimal("1225.21") and to_decimal("190") == Decimal(190)
