"""The importer on small documents made for each variant real disclosures show (domain note,
"What real documents look like"). In memory: text -> Document -> recognised report.

Every expected figure below is read off the little document written in the test itself.
"""
from decimal import Decimal

import pytest

from juesuan.domain.catalog import builtin_catalog
from juesuan.domain.errors import UnusableWorkbook
from juesuan.domain.model import Ref
from juesuan.io.documents import text_document
from juesuan.rules.recognize import recognize

HEAD = "2024年度单位决算\n\n单位：测试市测试局（本级）\n\n金额单位：万元\n"


def imported(body: str, head: str = HEAD):
    return recognize(text_document(head + body, "测试.txt"), builtin_catalog())


def value(result, table, key, no):
    cell = result.report.cell(Ref(table, key, no))
    return None if cell.value is None else str(cell.value)


def rules_of(result):
    return sorted(f.rule for f in result.findings if f.rule.startswith("I") and f.rule not in ("I03",))


def tab(*cells):
    return "\t".join(cells)


def test_vertical_sangong_is_placed_in_the_twelve_columns():
    body = "\n".join([
        "财政拨款“三公”经费支出决算表", "公开09表",
        tab("项目", "预算数", "决算数"),
        tab("合计", "10.00", "8.50"),
        tab("因公出国（境）费", "", ""),
        tab("公务接待费", "2.00", "1.50"),
        tab("公务用车购置及运行费", "8.00", "7.00"),
        tab("其中：运行维护费", "8.00", "7.00"),
        tab("购置费", "-", "0.00"),
    ])
    result = imported(body)
    # 预算数 1 合计, 2 出国, 3 车小计, 4 购置, 5 运行, 6 接待; 决算数 7–12 the same
    assert [value(result, "公开09", "1", no) for no in range(1, 13)] == [
        "10.00", None, "8.00", None, "8.00", "2.00", "8.50", None, "7.00", "0.00", "7.00", "1.50"]
    assert rules_of(result) == ["I09"]


def test_vertical_sangong_with_actual_before_budget():
    body = "\n".join(["财政拨款“三公”经费支出决算表", tab("项目", "决算数", "预算数"),
                      tab("合计", "1.00", "2.00"), tab("公务接待费", "1.00", "2.00")])
    result = imported(body)
    assert value(result, "公开09", "1", 1) == "2.00" and value(result, "公开09", "1", 7) == "1.00"
    assert value(result, "公开09", "1", 6) == "2.00" and value(result, "公开09", "1", 12) == "1.00"


def test_truncated_economic_codes_are_recovered_from_their_names():
    body = "\n".join([
        "一般公共预算财政拨款基本支出决算明细表", "公开06表",
        tab("人员经费", "", "", "公用经费", "", ""),
        tab("科目编码", "科目名称", "金额", "科目编码", "科目名称", "金额"),
        tab("301", "工资福利支出", "100.00", "302", "商品和服务支出", "20.00"),
        tab("3010", "基本工资", "60.00", "3020", "办公费", "5.00"),
        tab("3010", "奖金", "40.00", "30299", "其他商品和服务支出", "15.00"),
        tab("3019", "不存在的支出", "1.00", "", "", ""),
    ])
    result = imported(body)
    assert value(result, "公开06", "30101", 1) == "60.00"     # 3010 基本工资
    assert value(result, "公开06", "30103", 1) == "40.00"     # 3010 奖金
    assert value(result, "公开06", "30201", 1) == "5.00"      # 3020 办公费
    assert value(result, "公开06", "30299", 1) == "15.00"
    recovered = [f for f in result.findings if f.rule == "I04"]
    assert len(recovered) == 3 and "第11行" in recovered[0].message   # HEAD ends on line 5, the title is line 6
    lost = [f for f in result.findings if f.rule == "I05"]
    assert len(lost) == 1 and "3019" in lost[0].message and "第13行" in lost[0].message


CODE_HEADER = [tab("项目", "", "本年支出", "", ""), tab("功能分类科目编码", "科目名称", "小计", "基本支出", "项目支出"),
               tab("栏次", "", "1", "2", "3")]


def test_table_continued_over_a_page_break_with_its_header_and_title_repeated():
    body = "\n".join([
        "一般公共预算财政拨款支出决算表", "公开05表", *CODE_HEADER,
        tab("合 计", "", "1,300.00", "1,000.00", "300.00"),
        tab("201", "一般公共服务支出", "1,300.00", "1,000.00", "300.00"),
        tab("20103", "政府办公厅（室）及相关机构事务", "1,300.00", "1,000.00", "300.00"),
        "", "第 1 页", "",
        "一般公共预算财政拨款支出决算表", "公开05表（续）", *CODE_HEADER,
        tab("2010301", "行政运行", "1,000.00", "1,000.00", "-"),
        "", *CODE_HEADER,
        tab("2010302", "一般行政管理事务", "300.00", "", "300.00"),
    ])
    result = imported(body)
    table = result.report.tables["公开05"]
    assert [row.key for row in table.rows] == ["合计", "201", "20103", "2010301", "2010302"]
    assert value(result, "公开05", "合计", 1) == "1300.00"
    assert value(result, "公开05", "2010301", 3) is None          # "-" is blank
    assert value(result, "公开05", "2010302", 2) is None
    assert value(result, "公开05", "2010302", 3) == "300.00"
    assert rules_of(result) == []


def test_name_split_over_two_lines():
    body = "\n".join([
        "一般公共预算财政拨款支出决算表", "公开05表", *CODE_HEADER,
        tab("合计", "", "16.97", "", "16.97"),
        tab("2080199", "其他人力资源和社会保障管理", "16.97", "", "16.97"),
        tab("", "事务支出", "", "", ""),
        tab("2080505", "机关事业单位基本养老保险缴", "", "", ""),
        tab("", "费支出", "1.00", "1.00", ""),
    ])
    result = imported(body)
    rows = {row.key: row.name for row in result.report.tables["公开05"].rows}
    assert rows["2080199"] == "其他人力资源和社会保障管理事务支出"
    assert rows["2080505"] == "机关事业单位基本养老保险缴费支出"
    assert value(result, "公开05", "2080505", 1) == "1.00"
    assert value(result, "公开05", "2080199", 3) == "16.97"
    assert rules_of(result) == []


def test_sangong_printed_as_07_and_fund_tables_as_08_and_09():
    body = "\n".join([
        "财政拨款“三公”经费支出决算表", "公开07表",
        tab(*[str(n) for n in range(1, 13)]),
        tab("5.00", "", "5.00", "", "5.00", "", "4.00", "", "4.00", "", "4.00", ""),
        "政府性基金预算财政拨款收入支出决算表", "公开08表",
        tab("项目", "", "年初结转和结余", "本年收入", "本年支出", "", "", "年末结转和结余"),
        tab("科目编码", "科目名称", "", "", "小计", "基本支出", "项目支出", ""),
        tab("合计", "", "", "2.00", "2.00", "", "2.00", ""),
        tab("212", "城乡社区支出", "", "2.00", "2.00", "", "2.00", ""),
        "国有资本经营预算财政拨款支出决算表", "公开09表",
        tab("项目", "", "本年支出", "", ""), tab("科目编码", "科目名称", "合计", "基本支出", "项目支出"),
        tab("合计", "", "", "", ""),
        "本单位没有使用国有资本经营预算安排的支出，故本表无数据。",
    ])
    result = imported(body)
    assert value(result, "公开09", "1", 1) == "5.00" and value(result, "公开09", "1", 7) == "4.00"
    assert value(result, "公开07", "212", 2) == "2.00" and value(result, "公开07", "212", 1) is None
    assert value(result, "公开08", "合计", 1) is None
    renumbered = sorted((f.table, f.message.split("“")[1].split("”")[0]) for f in result.findings if f.rule == "I06")
    assert renumbered == [("公开07", "公开08表"), ("公开08", "公开09表"), ("公开09", "公开07表")]


def test_two_sided_table_with_separators_dashes_blank_and_zero():
    body = "\n".join([
        "收入支出决算总表", "公开01表",
        tab("项目", "行次", "金额", "项目", "行次", "金额"), tab("栏次", "", "1", "栏次", "", "2"),
        tab("一、一般公共预算财政拨款收入", "1", "1,225.21", "一、一般公共服务支出", "32", "1,225.21"),
        tab("二、政府性基金预算财政拨款收入", "2", "0.00", "二、外交支出", "33", "-"),
        tab("三、国有资本经营预算财政拨款收入", "3", "", "三、国防支出", "34", "0.00"),
        tab("本年收入合计", "27", "1,225.21", "本年支出合计", "58", "1,225.21"),
    ])
    result = imported(body)
    assert value(result, "公开01", "1", 1) == "1225.21"
    assert value(result, "公开01", "2", 1) == "0.00"
    assert value(result, "公开01", "3", 1) is None
    assert value(result, "公开01", "33", 2) is None
    assert value(result, "公开01", "34", 2) == "0.00"
    assert value(result, "公开01", "58", 2) == "1225.21"


def test_department_wording_and_unit_information():
    head = "济南市测试区测试局2023年度部门决算\n\n部门：济南市测试区测试局\n\n公开02表\n金额单位：万元\n"
    result = imported("收入决算表\n", head)
    assert result.report.unit_name == "济南市测试区测试局"
    assert result.report.year == 2023
    assert result.report.entity == "部门"
    assert result.report.amount_unit == "万元"


def test_a_document_that_is_not_a_disclosure_is_refused_in_chinese():
    with pytest.raises(UnusableWorkbook) as caught:
        recognize(text_document("关于召开年度工作会议的通知\n\n各科室：\n定于下周一召开会议。\n", "通知.txt"),
                  builtin_catalog())
    assert "不是部门（单位）决算公开文件" in caught.value.message


def test_nothing_is_dropped_silently():
    body = "\n".join([
        "一般公共预算财政拨款支出决算表", "公开05表", *CODE_HEADER,
        tab("合计", "", "3.00", "3.00", ""),
        tab("201", "一般公共服务支出", "3.00", "3.0O", ""),        # a letter O where a zero belongs
        tab("这一行", "不知道是什么", "1.00", "", ""),
    ])
    result = imported(body)
    bad = [f for f in result.findings if f.rule == "I02"]
    assert len(bad) == 1 and "3.0O" in bad[0].message and "第12行" in bad[0].message   # title on line 6
    unplaced = [f for f in result.findings if f.rule == "I01"]
    assert len(unplaced) == 1 and "第13行" in unplaced[0].message and "这一行" in unplaced[0].message
    assert value(result, "公开05", "201", 2) is None


def test_missing_tables_and_unit_information_are_findings():
    result = imported("收入决算表\n公开02表\n合计\t\t1.00\n", head="2024年度决算\n")
    missing = sorted(f.table for f in result.findings if f.rule == "I03")
    assert missing == ["公开01", "公开03", "公开04", "公开05", "公开06", "公开07", "公开08", "公开09"]
    info = sorted(f.message for f in result.findings if f.rule == "I07")
    assert len(info) == 3 and any("单位名称" in m for m in info) and any("金额单位" in m for m in info)
    assert result.report.info_value("amount_unit") == "万元"


def test_the_narrative_part_is_kept():
    text = "\n".join(["2024年度单位决算", "第二部分 2024年度单位决算表", "第三部分 2024年度单位决算情况说明",
                      "第一部分", "收入决算表", "公开02表", "第三部分", "一、收入支出决算总体情况说明",
                      "2024 年度收、支总计均为 500.07 万元。", "第四部分", "名词解释"])
    result = recognize(text_document(text, "x.txt"), builtin_catalog())
    assert [line.text for line in result.narrative] == [
        "第三部分", "一、收入支出决算总体情况说明", "2024 年度收、支总计均为 500.07 万元。"]
    assert result.narrative[0].where == "第7行"


def test_name_split_over_cells_and_code_printed_with_its_name():
    body = "\n".join([
        "一般公共预算财政拨款支出决算表", "公开05表", *CODE_HEADER,
        tab("合计", "", "16.97", "", "16.97"),
        tab("208 社会保障和就业支出", "16.97", "", "16.97"),
        tab("20801", "人力资源和社会保障管理事务", "16.97", "", "16.97"),
        tab("2080199", "其他人力资源和社会保障管理", "事务支出", "16.97", "", "16.97"),
    ])
    result = imported(body)
    rows = [(row.key, row.name) for row in result.report.tables["公开05"].rows]
    assert rows == [("合计", "合计"), ("208", "社会保障和就业支出"), ("20801", "人力资源和社会保障管理事务"),
                    ("2080199", "其他人力资源和社会保障管理事务支出")]
    assert value(result, "公开05", "2080199", 3) == "16.97" and value(result, "公开05", "208", 2) is None
    assert rules_of(result) == []


def test_a_title_only_in_the_table_of_contents_is_a_missing_table():
    body = "\n".join(["第二部分 2024年度单位决算表", "- 一、收入支出决算总表", "- 二、收入决算表",
                      "第三部分 2024年度单位决算情况说明", "第二部分", "收入决算表", "公开02表",
                      tab("栏次", "", "1", "2", "3", "4", "5", "6", "7"),
                      tab("合计", "", "1.00", "1.00", "", "", "", "", "")])
    result = imported(body)
    assert "公开01" in [f.table for f in result.findings if f.rule == "I03"]
    assert "公开02" not in [f.table for f in result.findings if f.rule == "I03"]
    assert value(result, "公开02", "合计", 1) == "1.00"


def test_whole_numbers_are_amounts_where_an_amount_stands():
    body = "\n".join([
        "一般公共预算财政拨款支出决算表", "公开05表", *CODE_HEADER,
        tab("合计", "", "190", "", "190"),
        tab("201", "一般公共服务支出", "190", "", "190"),
        "一般公共预算财政拨款基本支出决算明细表", "公开06表",
        tab("科目编码", "科目名称", "金额", "科目编码", "科目名称", "金额"),
        tab("301", "工资福利支出", "12", "302", "商品和服务支出", ""),
        tab("30101", "基本工资", "", "30201", "办公费", "3"),
    ])
    result = imported(body)
    assert value(result, "公开05", "合计", 1) == "190" and value(result, "公开05", "201", 3) == "190"
    assert value(result, "公开05", "201", 2) is None
    assert value(result, "公开06", "301", 1) == "12" and value(result, "公开06", "302", 1) is None
    assert value(result, "公开06", "30101", 1) is None and value(result, "公开06", "30201", 1) == "3"
    assert rules_of(result) == []


def test_figures_printed_outside_table_rows_are_findings():
    # what a PDF table without rules gives: the row as one line of prose, its blank cells lost
    body = "\n".join(["一般公共预算财政拨款支出决算表", "公开05表", *CODE_HEADER,
                      "201 一般公共服务支出 1,300.00 300.00",
                      "注：本表反映单位本年度一般公共预算财政拨款支出情况。本套报表金额单位转换时可能存在尾数误差。"])
    result = imported(body)
    unplaced = [f for f in result.findings if f.rule == "I01"]
    assert len(unplaced) == 1 and "第11行" in unplaced[0].message and "1,300.00" in unplaced[0].message


def test_title_marker_and_unit_in_the_top_rows_of_a_table():
    lines = [
        tab("收入决算表", "", ""),
        tab("", "", "公开02表"),
        tab("部门：测试市测试局", "", "金额单位：万元"),
        tab("项目", "", "本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"),
        tab("合计", "", "5.00", "5.00", "", "", "", "", ""),
    ]
    result = imported("\n".join(lines), head="2024年度部门决算\n")
    assert result.report.unit_name == "测试市测试局" and result.report.entity == "部门"
    assert result.report.amount_unit == "万元" and result.report.year == 2024
    assert value(result, "公开02", "合计", 2) == "5.00"
    assert "公开02" not in [f.table for f in result.findings if f.rule == "I03"]


def test_a_truncated_function_code_is_recovered_from_its_name():
    body = "\n".join([
        "一般公共预算财政拨款支出决算表", "公开05表", *CODE_HEADER,
        tab("合计", "", "5.00", "5.00", ""),
        tab("201", "一般公共服务支出", "5.00", "5.00", ""),
        tab("2010", "政府办公厅（室）及相关机构事务", "5.00", "5.00", ""),   # 20103 cut to 4 digits
        tab("201030", "行政运行", "5.00", "5.00", ""),                     # 2010301 cut to 6 digits
    ])
    result = imported(body)
    assert [row.key for row in result.report.tables["公开05"].rows] == ["合计", "201", "20103", "2010301"]
    assert sorted(f.message.split("恢复为 ")[1] for f in result.findings if f.rule == "I04") == ["20103", "2010301"]


def test_a_line_of_text_after_a_heading_is_not_taken_for_a_name_continued():
    body = "\n".join([
        "一般公共预算财政拨款支出决算表", "公开05表", *CODE_HEADER,
        tab("合计", "", "1.00", "1.00", ""),
        tab("201", "一般公共服务支出", "1.00", "1.00", ""),
        *CODE_HEADER,
        tab("", "续表", "", "", ""),
    ])
    result = imported(body)
    assert {row.key: row.name for row in result.report.tables["公开05"].rows}["201"] == "一般公共服务支出"
    unplaced = [f for f in result.findings if f.rule == "I01"]
    assert len(unplaced) == 1 and "续表" in unplaced[0].message


def test_two_sided_table_printed_without_row_numbers():
    body = "\n".join([
        "收入支出决算总表", "公开01表",
        tab("项目", "金额", "项目", "金额"),
        tab("一、一般公共预算财政拨款收入", "100.00", "一、一般公共服务支出", "90.00"),
        tab("", "", "九、卫生健康支出", "10.00"),
        tab("本年收入合计", "100.00", "本年支出合计", "100.00"),
        tab("使用非财政拨款结余（含专用结余）", "", "结余分配", ""),
        tab("总计", "100.00", "总计", "100.00"),
    ])
    result = imported(body)
    # 行次 by the domain note: 1 一般公共预算财政拨款收入, 32 一般公共服务支出, 40 卫生健康支出,
    # 27 本年收入合计, 58 本年支出合计, 28 使用非财政拨款结余, 59 结余分配, 31 总计, 62 总计
    assert value(result, "公开01", "1", 1) == "100.00" and value(result, "公开01", "32", 2) == "90.00"
    assert value(result, "公开01", "40", 2) == "10.00"
    assert value(result, "公开01", "27", 1) == "100.00" and value(result, "公开01", "58", 2) == "100.00"
    assert value(result, "公开01", "31", 1) == "100.00" and value(result, "公开01", "62", 2) == "100.00"
    assert (result.positions[Ref("公开01", "28", 1)], result.positions[Ref("公开01", "59", 2)]) == ("第12行", "第12行")
    assert rules_of(result) == []


def test_a_table_that_says_it_has_no_data_is_an_empty_table_not_a_missing_one():
    body = "\n".join(["政府性基金预算财政拨款收入支出决算表", "公开07表",
                      "本单位没有政府性基金收入，也没有使用政府性基金安排的支出，故本表无数据。"])
    result = imported(body)
    assert "公开07" not in [f.table for f in result.findings if f.rule == "I03"]
    assert [row.key for row in result.report.tables["公开07"].rows] == ["合计"]
    assert all(value(result, "公开07", "合计", no) is None for no in range(1, 7))
