"""juesuan merge (汇总): real unit workbooks built from the samples, merged through the CLI,
the department's workbook read back and checked again."""
import json
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLES, sample_path

from juesuan.cli import main
from juesuan.domain.catalog import load_catalog
from juesuan.domain.model import Ref
from juesuan.domain.samples import report_from_sample
from juesuan.io.reader import read_report
from juesuan.io.template_xlsx import build_workbook
from juesuan.ops import check_book, check_report
from juesuan.rules.merge import Unit, merge_reports

CATALOG = load_catalog()
LIAOCHENG, ZIBO, JINAN = "liaocheng_bjb_2024", "zibo_zhangdian_2024", "jinan_lixia_2023"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def sample_report(name):
    return report_from_sample(json.loads((SAMPLES / "data" / f"{name}.json").read_text(encoding="utf-8")))


def save(report, path):
    build_workbook(CATALOG, report).save(path)
    return path


def figures(path):
    return {ref: cell.value for ref, cell in read_report(path).iter_cells()}


def errors_of(path):
    return [f for f in check_book(path, CATALOG).findings if f.severity == "error"]


def amount(text):
    return Decimal(text)


def merged_in_memory(*reports, offset=False):
    """The computation alone (no files): what merge writes is this report."""
    return merge_reports([Unit(f"单位{i}", r) for i, r in enumerate(reports)], "部门", CATALOG, offset).report


def errors_in(report):
    return [f for f in check_report(report, CATALOG).findings if f.severity == "error"]


def test_two_units_of_one_year_sum_figure_by_figure_and_check_clean(tmp_path):
    dept = tmp_path / "部门.xlsx"
    code, text = run("merge", sample_path(LIAOCHENG), sample_path(ZIBO), "-o", dept, "--name", "测试部门")
    assert code == 0, text
    a, b, merged = figures(sample_path(LIAOCHENG)), figures(sample_path(ZIBO)), read_report(dept)
    for ref, cell in merged.iter_cells():
        parts = [v for v in (a.get(ref), b.get(ref)) if v is not None]
        assert cell.value == (sum(parts, Decimal(0)) if parts else None), ref
    # 本年支出合计 (公开01 行次58): 500.07 (聊城) + 1,225.21 (张店) = 1,725.28
    assert merged.value(Ref("公开01", "58", 2)) == amount("1725.28")
    # a code only 张店 lists is in the union, in code order: 2010301 行政运行 before 2010350 事业运行
    codes = [row.code for row in merged.tables["公开03"].code_rows()]
    assert codes.index("2010301") < codes.index("2010350") and codes == sorted(codes)
    assert (merged.unit_name, merged.year, merged.info_value("report_type"), merged.merged_units) == (
        "测试部门", 2024, "部门", 2)
    assert errors_of(dept) == []
    shares = _unit_rows(dept)
    # share of the department's 本年支出合计: 500.07 / 1725.28 and 1225.21 / 1725.28
    assert [round(Decimal(str(row[6])), 4) for row in shares] == [amount("0.2898"), amount("0.7102")]


def _unit_rows(path):
    ws = openpyxl.load_workbook(path)["单位构成"]
    rows = [row for row in ws.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row[0] == "序号") + 1
    return [row for row in rows[start:] if isinstance(row[0], int)]


def test_a_unit_merged_with_itself_doubles_every_figure():
    single, double = sample_report(ZIBO), merged_in_memory(sample_report(ZIBO), sample_report(ZIBO))
    for ref, cell in double.iter_cells():
        value = single.value(ref)
        assert cell.value == (None if value is None else 2 * value), ref
    assert double.value(Ref("公开01", "62", 2)) == amount("2450.42")      # 2 × 1,225.21
    assert errors_in(double) == []


def test_accumulated_rounding_is_no_error_because_the_workbook_says_how_many_units_it_sums(tmp_path):
    """历下 (2023, 万元) prints totals that differ from the sum of their printed parts by 尾差; three
    copies carry three times the drift, which the envelope of one workbook would call errors."""
    dept = tmp_path / "部门.xlsx"
    code, text = run("merge", *[sample_path(JINAN)] * 3, "-o", dept, "--name", "三份")
    assert code == 0 and "M09" in text and "被汇总了 3 次" in text, text
    assert errors_of(dept) == []
    book = openpyxl.load_workbook(dept)
    assert (book["单位信息"]["A7"].value, book["单位信息"]["B7"].value) == ("汇总单位数", 3)
    book["单位信息"]["A7"] = None          # without the declared field the same figures are judged as one unit's
    book.save(dept)
    assert {f.rule for f in errors_of(dept)} & {"R2.2", "R3.2"}


def _in_yuan(report, extra_yuan):
    """聊城's accounts in 元: its figures × 10000, except 30201 办公费 100 元 lower (its printed 302 商品和服务支出
    20.73 万元 is 0.01 under the sum of its printed 款: 尾差, which 元 does not have), and `extra_yuan` added
    to 年初结转和结余 (行次29) and 年末结转和结余 (行次60) and so to both 总计 (31, 62): every relation holds."""
    for _ref, cell in report.iter_cells():
        if cell.value is not None:
            cell.value = cell.value * 10000
    _raise(report, [("公开06", "30201", 1)], Decimal(-100))
    _raise(report, [("公开01", "29", 1), ("公开01", "31", 1), ("公开01", "60", 2), ("公开01", "62", 2)], extra_yuan)
    report.info["amount_unit"].value = "元"
    return report


def _published_in_wan(report):
    """What the unit publishes in 万元: every figure rounded once, half up."""
    for _ref, cell in report.iter_cells():
        if cell.value is not None:
            cell.value = (cell.value / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    report.info["amount_unit"].value = "万元"
    return report


def test_a_yuan_workbook_merges_with_a_wan_one_as_if_both_were_in_wan():
    in_yuan = _in_yuan(sample_report(LIAOCHENG), amount("1234.56"))
    in_wan = _published_in_wan(_in_yuan(sample_report(LIAOCHENG), amount("1234.56")))
    assert errors_in(in_yuan) == [] and errors_in(in_wan) == []
    mixed = merged_in_memory(in_yuan, sample_report(ZIBO))
    both_wan = merged_in_memory(in_wan, sample_report(ZIBO))
    assert [(ref, c.value) for ref, c in mixed.iter_cells()] == [(ref, c.value) for ref, c in both_wan.iter_cells()]
    assert mixed.amount_unit == "万元"
    # 收入总计: 5,001,934.56 元 → 500.19 万元, plus 张店 1,225.21 → 1,725.40
    assert mixed.value(Ref("公开01", "31", 1)) == amount("1725.40")
    assert errors_in(mixed) == []


def test_units_all_in_yuan_stay_exact_in_yuan():
    merged = merged_in_memory(_in_yuan(sample_report(LIAOCHENG), amount("0.01")),
                              _in_yuan(sample_report(LIAOCHENG), amount("1234.56")))
    assert merged.amount_unit == "元"
    # 年初结转和结余: 0.01 + 1,234.56 = 1,234.57 元, not rounded to 万元
    assert merged.value(Ref("公开01", "29", 1)) == amount("1234.57")
    assert errors_in(merged) == []


@pytest.mark.parametrize("inputs, exit_code, says", [
    ((sample_path(LIAOCHENG), sample_path(JINAN)), 2, ["年度不同", "2024年度", "2023年度"]),
    ((sample_path(LIAOCHENG), SAMPLES / "broken" / "total_typed_wrong.xlsx"), 1,
     ["审核有错误", "total_typed_wrong.xlsx", "公开03!C6", "--force"]),
])
def test_refused_inputs_write_nothing(tmp_path, inputs, exit_code, says):
    dept = tmp_path / "部门.xlsx"
    code, text = run("merge", *inputs, "-o", dept, "--name", "部门")
    assert code == exit_code, text
    assert all(word in text for word in says), text
    assert not dept.exists()


def test_a_file_that_is_not_a_standard_workbook_is_refused(tmp_path):
    other = tmp_path / "别的表.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "工资"
    book.save(other)
    dept = tmp_path / "部门.xlsx"
    code, text = run("merge", sample_path(ZIBO), other, "-o", dept, "--name", "部门")
    assert code == 2 and "别的表.xlsx" in text and "不是决算公开标准工作簿" in text, text
    assert not dept.exists()


def test_force_merges_a_unit_with_errors_and_says_so_in_the_review(tmp_path):
    dept = tmp_path / "部门.xlsx"
    code, text = run("merge", sample_path(ZIBO), SAMPLES / "broken" / "total_typed_wrong.xlsx", "-o", dept,
                     "--name", "部门", "--force")
    assert dept.exists() and "--force" in text, text
    review = [row for row in openpyxl.load_workbook(dept)["审核结果"].iter_rows(values_only=True)]
    assert any(row[2] == "M05" and "total_typed_wrong.xlsx" in row[5] for row in review)
    assert code == 1          # the typo (500.70 for 500.07) is in the department's figures too


def test_an_existing_output_is_replaced_only_when_merge_wrote_it(tmp_path):
    unit = tmp_path / "单位.xlsx"
    unit.write_bytes(sample_path(ZIBO).read_bytes())
    before = unit.read_bytes()
    for inputs in ((unit, sample_path(LIAOCHENG)), (sample_path(ZIBO), sample_path(LIAOCHENG))):
        # -o names an input, or any other workbook a clerk filled
        code, text = run("merge", *inputs, "-o", unit, "--name", "部门")
        assert code == 2 and "覆盖" in text, text
        assert unit.read_bytes() == before
    dept = tmp_path / "部门.xlsx"
    assert run("merge", sample_path(ZIBO), sample_path(LIAOCHENG), "-o", dept, "--name", "部门")[0] == 0
    book = openpyxl.load_workbook(dept)
    review = book["审核结果"]
    row = next(r for r in range(6, review.max_row + 1) if review.cell(r, 3).value == "R2.2")
    review.cell(row, 10).value = "各单位尾差累计"
    book.save(dept)
    code, text = run("merge", sample_path(ZIBO), sample_path(LIAOCHENG), "-o", dept, "--name", "部门")
    assert code == 0 and "保留了其审核结果中的 1 条备注" in text, text
    review = openpyxl.load_workbook(dept)["审核结果"]
    assert [review.cell(r, 10).value for r in range(6, review.max_row + 1) if review.cell(r, 10).value] == ["各单位尾差累计"]


# --- internal transfers ------------------------------------------------------------------------
def _raise(report, cells, by):
    for table, key, no in cells:
        cell = report.tables[table].row(key).cells[no]
        cell.value = (cell.value or 0) + by


CHAIN = ("2010399", "20103", "201", "合计")     # the 项 and every total above it


def parent_and_subordinate():
    """聊城 as the parent paying 50.00 万元 对附属单位补助支出 under 2010399 (funded by 50.00 年初结转),
    张店 as the subordinate receiving it as 上级补助收入 under 2010399 and spending it as 项目支出."""
    parent = sample_report(LIAOCHENG)
    _raise(parent, [("公开03", k, no) for k in CHAIN for no in (6, 1)]
           + [("公开01", "32", 2), ("公开01", "58", 2), ("公开01", "62", 2), ("公开01", "29", 1), ("公开01", "31", 1)],
           Decimal(50))
    child = sample_report(ZIBO)
    _raise(child, [("公开02", k, no) for k in CHAIN for no in (3, 1)] + [("公开03", k, no) for k in CHAIN for no in (3, 1)]
           + [("公开01", k, no) for k, no in (("4", 1), ("27", 1), ("31", 1), ("32", 2), ("58", 2), ("62", 2))],
           Decimal(50))
    assert [errors_in(parent), errors_in(child)] == [[], []]
    return parent, child


def test_offset_eliminates_matching_transfers_and_shows_them(tmp_path):
    parent, child = parent_and_subordinate()
    units = save(parent, tmp_path / "本级.xlsx"), save(child, tmp_path / "下属.xlsx")
    dept = tmp_path / "部门.xlsx"
    code, text = run("merge", *units, "-o", dept, "--name", "部门", "--offset")
    assert code == 0, text
    merged = read_report(dept)
    for ref in (Ref("公开02", "合计", 3), Ref("公开02", "2010399", 3), Ref("公开03", "合计", 6), Ref("公开01", "4", 1)):
        assert not merged.value(ref), ref
    # 本年支出合计: 550.07 (本级) + 1,275.21 (下属) − 50.00 = 1,775.28; 本年收入合计: 500.07 + 1,275.21 − 50.00
    assert merged.value(Ref("公开01", "58", 2)) == amount("1775.28")
    assert merged.value(Ref("公开01", "27", 1)) == amount("1725.28")
    # 2010399 本年收入合计: 190.00 + 58.06 − 50.00
    assert merged.value(Ref("公开02", "2010399", 1)) == amount("198.06")
    findings = check_book(dept, CATALOG).findings
    assert [f for f in findings if f.severity == "error" or f.rule == "M02"] == []
    rows = list(openpyxl.load_workbook(dept)["单位构成"].iter_rows(values_only=True))
    line = next(row for row in rows if row[0] == "2010399")
    assert line[2] == "上级补助收入 ↔ 对附属单位补助支出" and line[3:6] == (50, 50, 50)


def test_without_offset_the_audit_says_transfers_are_included():
    merged = merged_in_memory(*parent_and_subordinate())
    assert merged.value(Ref("公开01", "58", 2)) == amount("1825.28")       # 550.07 + 1,275.21, transfer included
    said = {(f.table, f.cell) for f in check_report(merged, CATALOG).findings if f.rule == "M02"}
    # 合计 row 6; after 编码 (A) and 名称 (B), 栏次 n is column C + n − 1: 02 栏次3 → E, 03 栏次6 → H
    assert said == {("公开02", "E6"), ("公开03", "H6")}


def test_batch_merges_the_folder_it_checked(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    for name in (LIAOCHENG, ZIBO):
        (folder / f"{name}.xlsx").write_bytes(sample_path(name).read_bytes())
    dept = folder / "部门.xlsx"           # inside the folder: not one of the units when checked again
    for _run in range(2):
        code, text = run("batch", folder, "-j", "1", "--merge", dept, "--name", "测试部门")
        assert code == 0 and "部门汇总已写入" in text, text
    merged = read_report(dept)
    assert (merged.merged_units, merged.value(Ref("公开01", "58", 2))) == (2, amount("1725.28"))
    code, text = run("batch", folder, "-j", "1", "--merge", dept)
    assert code == 2 and "--name" in text


def test_the_excel_button_merges_the_folder_of_the_open_book(tmp_path):
    import os
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")   # as tests/test_excel.py: xlwings' remote engine
    import support.xlwings_replay as replay

    import juesuan.excel as xl
    folder = tmp_path / "某局2024"
    folder.mkdir()
    for name in (LIAOCHENG, ZIBO):
        (folder / f"{name}.xlsx").write_bytes(sample_path(name).read_bytes())
    (folder / f"{ZIBO}-公开表.xlsx").write_bytes(b"not a unit")       # what 生成公开表 left: no unit
    book = replay.remote_book(replay.payload_from_file(sample_path(ZIBO)))
    target = folder / "某局2024-部门汇总.xlsx"
    assert xl.merge(book, folder=folder) == target
    (alert,) = book.json()["actions"]
    assert alert["args"][0].startswith("汇总完成：2 个工作簿") and "部门名称：某局2024" in alert["args"][0]
    merged = read_report(target)
    assert (merged.unit_name, merged.value(Ref("公开01", "58", 2))) == ("某局2024", amount("1725.28"))
    edited = openpyxl.load_workbook(target)
    edited["单位信息"]["B3"] = "某某市某某局"                   # the clerk corrects the department's name
    edited.save(target)
    assert xl.merge(replay.remote_book(replay.payload_from_file(sample_path(ZIBO))), folder=folder) == target
    assert read_report(target).unit_name == "某某市某某局"
    (folder / f"{JINAN}.xlsx").write_bytes(sample_path(JINAN).read_bytes())      # another year joins the folder
    before = target.read_bytes()
    book = replay.remote_book(replay.payload_from_file(sample_path(ZIBO)))
    assert xl.merge(book, folder=folder) is None
    (alert,) = book.json()["actions"]
    assert alert["args"][0].startswith("汇总未完成：各单位的年度不同") and alert["args"][3] == "critical"
    assert target.read_bytes() == before
