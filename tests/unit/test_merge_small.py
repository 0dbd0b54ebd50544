"""Merging tiny hand-built reports (rules/merge.py) and what the audit knows of a merged report."""
from decimal import Decimal

from juesuan.domain.catalog import load_catalog
from juesuan.domain.model import Ref, add_code_row, blank_report
from juesuan.rules.audit import audit, rounding_limit
from juesuan.rules.merge import Unit, merge_reports
from juesuan.rules.parse import parse_grids

CATALOG = load_catalog()
D = Decimal


def unit(amount_unit="万元", year=2024, name="单位"):
    report = blank_report()
    for key, value in (("unit_name", name), ("year", year), ("amount_unit", amount_unit), ("report_type", "单位")):
        report.info[key].value = value
    return report


def put(report, table, key, no, value):
    report.tables[table].row(key).cells[no].value = D(value)


def merge(*reports, offset=False):
    return merge_reports([Unit(f"{i}.xlsx", r) for i, r in enumerate(reports)], "部门", CATALOG, offset)


def test_yuan_and_wan_are_summed_in_yuan_and_rounded_once():
    in_yuan, in_wan = unit("元"), unit("万元")
    put(in_yuan, "公开01", "1", 1, "12345.67")
    put(in_wan, "公开01", "1", 1, "2.00")
    merged = merge(in_yuan, in_wan).report
    # 12,345.67 元 + 2.00 万元 = 32,345.67 元 = 3.234567 万元 → 3.23
    assert (merged.amount_unit, merged.value(Ref("公开01", "1", 1))) == ("万元", D("3.23"))
    other_yuan = unit("元")
    put(other_yuan, "公开01", "1", 1, "5000.01")
    merged = merge(in_yuan, other_yuan).report
    assert (merged.amount_unit, merged.value(Ref("公开01", "1", 1))) == ("元", D("17345.68"))


def test_code_rows_are_the_union_in_code_order_and_a_name_conflict_is_reported():
    a, b = unit(name="甲"), unit(name="乙")
    for code, name in (("208", "社会保障和就业支出"), ("20805", "行政事业单位养老支出"), ("2080505", "机关事业单位基本养老保险缴费支出")):
        add_code_row(a, "公开03", code, name)
    for code, name in (("201", "一般公共服务支出"), ("20103", "政府办公厅（室）及相关机构事务"), ("2010301", "行政运行"),
                       ("208", "社会保障和就业"), ("20805", "行政事业单位养老支出"), ("2080505", "机关事业单位基本养老保险缴费支出")):
        add_code_row(b, "公开03", code, name)
    merged = merge(a, b)
    rows = merged.report.tables["公开03"].code_rows()
    assert [r.code for r in rows] == ["201", "20103", "2010301", "208", "20805", "2080505"]
    assert [r.row for r in rows] == [7, 8, 9, 10, 11, 12]          # under the 合计 row 6
    conflicts = [f for f in merged.findings if f.rule == "M01"]
    assert [(f.table, f.cell) for f in conflicts] == [("公开03", "B10")]
    assert "甲“社会保障和就业支出”" in conflicts[0].message and "乙“社会保障和就业”" in conflicts[0].message


def test_rounding_limit_grows_with_the_units_a_department_sums():
    report = unit()
    report.info["report_type"].value = "部门"
    report.info["merged_units"] = type(report.info["year"])(3, 7)
    assert rounding_limit(report, 4) == D("0.060")                  # 4 figures × 3 units × 0.005
    report.info["amount_unit"].value = "元"
    assert rounding_limit(report, 4) == 0
    report.info["amount_unit"].value = "万元"
    report.info["report_type"].value = "单位"                       # a unit's report is one unit's, whatever it says
    assert rounding_limit(report, 4) == D("0.020")


def _grids(label, value, report_type="部门"):
    info = [["部门决算公开 · 单位信息"], ["项目", "填写内容"], ["单位名称", "某局"], ["年度", 2024], ["金额单位", "万元"],
            ["报表类型", report_type], [label, value]]
    return {"单位信息": info}


def test_the_field_is_read_only_where_its_label_says_so_and_a_bad_value_is_an_error():
    assert parse_grids(_grids("汇总单位数", 3)).merged_units == 3
    assert parse_grids(_grids("", 3)).merged_units == 1            # a stray number under 报表类型 widens nothing
    for grids, shape in ((_grids("汇总单位数", "三"), "应为正整数"), (_grids("汇总单位数", 3, "单位"), "报表类型不是“部门”")):
        report = parse_grids(grids)
        assert report.merged_units == 1
        m03 = [f for f in audit(report, CATALOG) if f.rule == "M03"]
        assert len(m03) == 1 and m03[0].severity == "error" and shape in m03[0].message and m03[0].cell == "B7"


def test_a_merged_total_carries_the_rounding_behind_every_units_total():
    """甲's 302 is the exact sum of eight 款 and its 公用经费合计 is 0.04 over it (9 rounded figures:
    尾差); 乙's 302 is 0.01 over its one 款. The department's 302 is then no exact sum of its 款,
    yet it still carries 甲's eight roundings: the 0.04 is 尾差 in the department too."""
    a, b = unit(name="甲"), unit(name="乙")
    kuan = ["30201", "30202", "30203", "30205", "30206", "30207", "30209", "30211"]
    for code in kuan:
        put(a, "公开06", code, 1, "1.00")
    put(a, "公开06", "302", 1, "8.00")
    put(a, "公开06", "公用经费合计", 1, "8.04")
    put(b, "公开06", "30201", 1, "1.00")
    put(b, "公开06", "302", 1, "1.01")
    put(b, "公开06", "公用经费合计", 1, "1.01")
    for report in (a, b):
        assert [f.severity for f in audit(report, CATALOG) if f.rule == "R6.3"] in ([], ["info"])
    merged = merge(a, b).report
    assert [f.severity for f in audit(merged, CATALOG) if f.rule == "R6.3"] == ["info"]
    merged.info["merged_units"].value = None         # judged as one unit's report, the same gap is an error
    assert [f.severity for f in audit(merged, CATALOG) if f.rule == "R6.3"] == ["error"]


def _transfer_rows(report, table, values):
    for code, name in (("201", "一般公共服务支出"), ("20103", "政府办公厅（室）及相关机构事务"), ("2010301", "行政运行")):
        row = add_code_row(report, table, code, name)
        for no, value in values.items():
            row.cells[no].value = D(value)
    for no, value in values.items():
        put(report, table, "合计", no, value)


def test_offset_eliminates_the_matched_part_through_every_total_and_reports_the_rest():
    child, parent = unit(name="下属"), unit(name="本级")
    _transfer_rows(child, "公开02", {1: "50.00", 3: "50.00"})       # 上级补助收入 50.00
    put(child, "公开01", "4", 1, "50.00")
    _transfer_rows(parent, "公开03", {1: "30.00", 6: "30.00"})      # 对附属单位补助支出 30.00
    merged = merge(child, parent, offset=True)
    report = merged.report
    for key in ("2010301", "20103", "201", "合计"):
        assert report.value(Ref("公开02", key, 3)) == D("20.00"), key     # 50.00 − 30.00
        assert report.value(Ref("公开02", key, 1)) == D("20.00"), key
        assert report.value(Ref("公开03", key, 6)) == 0, key
    assert report.value(Ref("公开01", "4", 1)) == D("20.00")            # 01 行次4 follows 02 合计 栏次3
    [line] = merged.transfers
    assert (line.code, line.income, line.spending, line.eliminated) == ("2010301", D("50.00"), D("30.00"), D("30.00"))
    [rest] = [f for f in merged.findings if f.rule == "M04"]
    assert "未抵销的 20.00" in rest.message and rest.table == "公开02"


def test_a_unit_stopping_at_a_kuan_another_breaks_down_is_named():
    a, b = unit(name="甲"), unit(name="乙")
    for report, rows in ((a, (("201", "10.00"), ("20103", "10.00"))),
                         (b, (("201", "5.00"), ("20103", "5.00"), ("2010301", "5.00")))):
        for code, value in rows:
            add_code_row(report, "公开03", code, "").cells[1].value = D(value)
    merged = merge(a, b)
    [level] = [f for f in merged.findings if f.rule == "M07"]
    assert (level.table, level.cell) == ("公开03", "A8") and "单位“甲”" in level.message and "20103" in level.message
    # the department's 20103 (15.00) is indeed not the sum of the 项 listed under it (5.00)
    assert any(f.rule == "R3.2" and f.cell == "C8" and f.severity == "error" for f in audit(merged.report, CATALOG))


def test_a_department_merged_again_counts_every_unit_behind_it():
    first = merge(unit(name="甲"), unit(name="乙"), unit(name="丙")).report
    assert first.merged_units == 3
    assert merge(first, unit(name="丁")).report.merged_units == 4
