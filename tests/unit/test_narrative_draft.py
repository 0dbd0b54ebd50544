"""The draft on tiny hand-built reports: figures and their sources, 元 printed as 万元, the zero-base,
equal and missing cases, a nonempty 公开07 left to the clerk."""
from decimal import Decimal as D

from juesuan.domain.model import add_code_row, blank_report
from juesuan.rules.narrative_facts import Figure, narrative_facts
from juesuan.views.narrative import draft


def tiny(unit="万元"):
    report = blank_report()
    for key, value in (("unit_name", "某某局"), ("year", 2024), ("amount_unit", unit), ("report_type", "部门")):
        report.info[key].value = value
    return report


def test_figures_carry_their_cells_and_come_in_wan_yuan():
    report = tiny("元")
    report.tables["公开01"].row("31").cells[1].value = D("5000700")        # 500.07 万元
    report.facts["上年数"].values["总计"].value = D("4032200")
    figures = narrative_facts(report)
    assert figures["收支总计"] == Figure(D("500.07"), ("公开01!C36",))
    assert figures["上年:总计"] == Figure(D("403.22"), ("上年数!B4",))


def test_changes_on_zero_and_equal_bases_and_missing_last_year():
    report = tiny()
    report.tables["公开02"].row("合计").cells[7].value = D("1.36")          # 其他收入, none last year
    report.facts["上年数"].values["其他收入"].value = D("0")
    report.tables["公开03"].row("合计").cells[2].value = D("140.40")        # 基本支出, the same as last year
    report.facts["上年数"].values["基本支出"].value = D("140.40")
    text = draft(report).text()
    assert "6、其他收入1.36万元。与2023年度相比，增加1.36万元。【待填写：增减变化的主要原因】" in text   # no percentage
    assert "1、基本支出140.4万元。与2023年决算数相同。" in text
    assert "2、项目支出0万元。与2023年度相比，【待填写：上年数（“上年数”表）】。" in text            # not filled
    assert "本部门没有政府性基金财政拨款收支。" in text


def test_a_nonempty_fund_table_is_stated_and_left_to_the_clerk():
    report = tiny()
    row = add_code_row(report, "公开07", "229", "其他支出")
    row.cells[3].value = D("12.50")
    report.tables["公开07"].row("合计").cells[3].value = D("12.50")
    doc = draft(report)
    assert "【待填写：政府性基金预算财政拨款收支的具体情况和增减原因】" in doc.placeholders
    assert "本年支出12.5万元。" in doc.text()
