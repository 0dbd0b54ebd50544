"""The checks on 其他公开事项 (R18.x, E32/E33) and --last-year's copy, on tiny hand-built reports."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from juesuan.domain.errors import UnusableWorkbook
from juesuan.domain.model import add_code_row, blank_report
from juesuan.domain.schema import OTHER_FACTS_SHEET, PUBLIC_TOTAL
from juesuan.domain.facts import BudgetItem, fact_layout
from juesuan.rules.audit import rounding_limit
from juesuan.rules.audit_facts import check_facts
from juesuan.rules.last_year import copy_last_year

ROW = fact_layout(OTHER_FACTS_SHEET).fact_rows


def report_with(**facts):
    report = blank_report()
    report.info["amount_unit"].value = "万元"
    sheet = report.facts[OTHER_FACTS_SHEET]
    for key, value in facts.items():
        sheet.values[key.replace("_", ":")].value = value
    return report


def found(report):
    return sorted((f.rule, f.severity, f.cell) for f in check_facts(report, rounding_limit))


def test_blank_sheet_and_absent_sheet_say_nothing():
    assert found(report_with()) == []
    report = report_with(采购总额=D("10"), 采购货物=D("1"), 采购工程=D("0"), 采购服务=D("0"))
    report.facts[OTHER_FACTS_SHEET].present = False      # a workbook made before the sheet existed
    assert found(report) == []


def test_purchase_parts_must_add_up_to_the_total():
    # 10.00 against 3 + 3 + 3 = 9.00: an error; 8.95 against 5.08 + 0 + 3.86 = 8.94 (S1:551): 尾差, info
    report = report_with(采购总额=D("10"), 采购货物=D("3"), 采购工程=D("3"), 采购服务=D("3"))
    assert found(report) == [("R18.1", "error", f"B{ROW['采购总额']}")]
    report = report_with(采购总额=D("8.95"), 采购货物=D("5.08"), 采购工程=D("0"), 采购服务=D("3.86"))
    (finding,) = check_facts(report, rounding_limit)
    assert (finding.rule, finding.severity, finding.actual, finding.expected) == ("R18.1", "info", D("8.95"), D("8.94"))


def test_sme_within_total_and_small_within_sme():
    report = report_with(采购总额=D("10"), 中小企业=D("11"), 小微企业=D("12"))
    assert found(report) == [("R18.2", "error", f"B{ROW['中小企业']}"), ("R18.3", "error", f"B{ROW['小微企业']}")]


def test_sme_by_category():
    # 服务 3.86 of which 4.00 to 中小企业: over; 5.08 + 0 + 2.87 = 7.95 = 中小企业 (S1:551) is fine
    report = report_with(采购服务=D("3.86"), 服务中小企业=D("4"))
    assert found(report) == [("R18.4", "error", f"B{ROW['服务中小企业']}")]
    report = report_with(中小企业=D("7.95"), 货物中小企业=D("5.08"), 工程中小企业=D("0"), 服务中小企业=D("2.87"))
    assert found(report) == []
    report = report_with(中小企业=D("8.95"), 货物中小企业=D("5.08"), 工程中小企业=D("0"), 服务中小企业=D("2.87"))
    assert found(report) == [("R18.4", "error", f"B{ROW['中小企业']}")]


def test_vehicle_kinds_add_up_to_the_total():
    assert found(report_with(车辆总数=3, 车辆_其他用车=3)) == []           # S0:529
    assert found(report_with(车辆总数=3, 车辆_其他用车=1, 车辆_机要通信用车=1)) == [("R18.5", "error", f"B{ROW['车辆总数']}")]


def test_car_purchase_cost_needs_a_car_bought_and_the_reverse():
    report = report_with(购置车辆数=0)
    report.tables["公开09"].row("1").cells[10].value = D("25.00")
    assert found(report) == [("R18.6", "error", f"B{ROW['购置车辆数']}")]
    report = report_with(购置车辆数=1)
    assert found(report) == [("R18.6", "error", f"B{ROW['购置车辆数']}")]
    report = report_with(购置车辆数=1)
    report.tables["公开09"].row("1").cells[10].value = D("25.00")
    assert found(report) == []


def test_reception_split_against_table_09():
    report = report_with(国内接待费=D("3.31"), 国外接待费=D("0"))
    report.tables["公开09"].row("1").cells[12].value = D("3.31")            # S2:558 and 09 c12
    assert found(report) == []
    report.tables["公开09"].row("1").cells[12].value = D("4.31")
    assert found(report) == [("R18.9", "error", f"B{ROW['国内接待费']}")]


@pytest.mark.parametrize("entity, kind, amount, expected", [
    ("单位", "行政单位", "72.33", []),                      # S1: 72.33 = 06 公用经费合计
    ("单位", "行政单位", "70.00", [("R18.7", "warning")]),  # an administrative unit: must equal
    ("部门", None, "50.00", []),                            # a 部门 mixes units: at most
    ("部门", None, "80.00", [("R18.7", "warning")]),
    ("单位", "事业单位", "0", []),                          # S0: none stated
    ("单位", "事业单位", "10.00", [("R18.7", "warning")]),
])
def test_agency_running_cost_against_public_spending(entity, kind, amount, expected):
    report = report_with(机关运行经费=D(amount), 单位性质=kind)
    report.info["report_type"].value = entity
    report.tables["公开06"].row(PUBLIC_TOTAL).cells[1].value = D("72.33") if entity == "单位" else D("76.79")
    assert [(f.rule, f.severity) for f in check_facts(report, rounding_limit)] == expected


def test_budget_items_sum_and_match_table_05():
    report = report_with(年初预算=D("4901.53"))
    add_code_row(report, "公开05", "201", "一般公共服务支出")
    add_code_row(report, "公开05", "2010301", "行政运行")
    add_code_row(report, "公开05", "2010305", "专业事务及机关事务管理")
    first = fact_layout(OTHER_FACTS_SHEET).first_item_row
    report.facts[OTHER_FACTS_SHEET].items = [BudgetItem("2010301", "行政运行", D("703.96"), None, first),
                                             BudgetItem("2010399", "其他", D("0"), None, first + 1)]
    rules = sorted((f.rule, f.cell) for f in check_facts(report, rounding_limit))
    # 4,901.53 against 703.96 + 0 (R18.8); 2010399 is not in 05 (E32); 2010305 of 05 has no budget (E33)
    assert rules == [("E32", f"A{first + 1}"), ("E33", None), ("R18.8", f"B{ROW['年初预算']}")]


def test_copy_last_year_converts_units_and_refuses_the_wrong_year():
    this, last = blank_report(), blank_report()
    this.info["year"].value, last.info["year"].value = 2024, 2023
    this.info["amount_unit"].value, last.info["amount_unit"].value = "万元", "元"
    last.tables["公开01"].row("31").cells[1].value = D("4032200")        # 403.22 万元 (S0:379: 500.07 − 96.85)
    last.facts[OTHER_FACTS_SHEET].values["机关运行经费"].value = D("723300")
    this.facts["上年数"].values["总计"].value = D("1")
    copied = {c.key: c for c in copy_last_year(this, last)}
    assert this.facts["上年数"].value("总计") == D("403.22")
    assert copied["总计"].overwrote and copied["总计"].old == D("1")
    assert this.facts["上年数"].value("机关运行经费") == D("72.33")
    assert this.facts["上年数"].value("基本支出") == D("0")                # blank in last year's table: none
    last.info["year"].value = 2022
    with pytest.raises(UnusableWorkbook, match="2023"):
        copy_last_year(this, last)
    this.facts["上年数"].present = False
    with pytest.raises(UnusableWorkbook, match="上年数"):
        copy_last_year(this, blank_report())
