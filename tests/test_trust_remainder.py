"""Issue #12, the remainder: the fill record follows cells, not addresses; insertion of missing
款/类 rows never corrupts formulas; a typo in a 项 is reported next to it; R16.1 names its inputs."""
import shutil
from decimal import Decimal

import openpyxl
from click.testing import CliRunner
from conftest import sample_path

from juesuan.cli import main
from juesuan.domain.schema import REVIEW_SHEET
from juesuan.views.review import FIRST_ROW, LINK_COLUMN, MESSAGE_COLUMN, RULE_COLUMN


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def review_rows(path, rules=("F01", "F02")):
    wb = openpyxl.load_workbook(path)
    return {row[LINK_COLUMN - 1]: row[MESSAGE_COLUMN - 1]
            for row in wb[REVIEW_SHEET].iter_rows(min_row=FIRST_ROW, values_only=True)
            if len(row) >= MESSAGE_COLUMN and row[RULE_COLUMN - 1] in rules}


# --- 3: the fill record is kept by identity -----------------------------------------------------
def test_a_row_inserted_above_does_not_turn_fills_own_figure_into_an_overwrite(tmp_path):
    """liaocheng 公开05: 合计 on row 6, 201 on row 7, 20103 on 8, 2010350 on 9. After a fill, the clerk
    inserts an empty row above 201 (Excel moves everything below it one row down), adds 0.10 to
    2010350 基本支出 (now D10) and fills again: the totals over it change, and none of them, all
    figures fill wrote itself, is reported as the clerk's figure overwritten (no F01)."""
    book = tmp_path / "book.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), book)
    run("fill", book, "--in-place")
    wb = openpyxl.load_workbook(book)
    wb["公开05"].insert_rows(7)
    wb["公开05"]["D10"] = 107.81          # 107.71 + 0.10
    wb.save(book)
    result = run("fill", book, "--in-place")
    assert "改写原有数值 0 个" in result.output, result.output
    assert {where for where, message in review_rows(book).items() if "上次填充" not in message} == set()
    # 201 小计, now on row 8: 467.38 + 0.10
    assert openpyxl.load_workbook(book)["公开05"]["C8"].value == 467.48


def test_an_overwrite_carried_by_check_write_points_at_where_its_cell_moved(tmp_path):
    """2010350 事业运行 小计 typed wrong (C9 = 5, its parts say 107.71) is overwritten by fill (F01);
    after a row is inserted above 201 (row 7), check --write carries that F01 at C10, where the cell went."""
    book = tmp_path / "book.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), book)
    wb = openpyxl.load_workbook(book)
    wb["公开05"]["C9"] = 5
    wb.save(book)
    run("fill", book, "--in-place")
    assert set(review_rows(book, ("F01",))) == {"公开05!C9"}
    wb = openpyxl.load_workbook(book)
    wb["公开05"].insert_rows(7)
    wb.save(book)
    run("check", book, "--write")
    carried = review_rows(book, ("F01",))
    assert set(carried) == {"公开05!C10"}
    assert "公开05 C10 " in carried["公开05!C10"] and "上次填充" in carried["公开05!C10"]


# --- 2: R16.1 (functional against economic classification) names the typed cells it rests on -----
def test_r16_1_names_the_typed_cells_behind_both_totals():
    """Seed 000: 公开06 30101 基本工资 67.93 typed as 76.93. 公开05 合计 基本支出 (D6) and 公开06's
    totals are all computed, and the two classifications cannot be paired row by row: the error
    names the 05 基本支出 项 that hold a figure (2010350 D9, 2080505 D16, 2080506 D17, 2101102 D20,
    2210201 D23) and 06's typed 款, 30101 (C8) first."""
    from juesuan.domain.catalog import load_catalog
    from juesuan.domain.model import Ref
    from juesuan.io.reader import read_report
    from juesuan.rules.audit import audit
    from juesuan.rules.fill import fill_report
    catalog = load_catalog()
    report = read_report(sample_path("liaocheng_bjb_2024"))
    report.cell(Ref("公开06", "30101", 1)).value = Decimal("76.93")
    fill_report(report, catalog)
    (found,) = [f for f in audit(report, catalog) if f.rule == "R16.1"]
    assert (found.table, found.cell, found.severity) == ("公开05", "D6", "error")
    assert "请检查：公开05!D9、D16、D17、D20、D23；公开06!C8、" in found.message, found.message
    assert {"公开05!D9", "公开05!D23", "公开06!C8"} <= set(found.cells)
    assert "公开05!E10" not in found.cells          # 项目支出 does not feed 基本支出


# --- 1: E22, a 项's financial appropriation without carry-over ------------------------------------
def _two_items(balance=None):
    """公开02 2010301 财政拨款收入 10.00, 公开05 2010301 基本支出 8.00 + 项目支出 2.50 = 10.50."""
    from juesuan.domain.model import Ref, add_code_row, blank_report
    report = blank_report()
    report.info["amount_unit"].value = "万元"
    for table in ("公开02", "公开05"):
        for code, name in (("201", "一般公共服务支出"), ("20103", "政府办公厅（室）及相关机构事务"), ("2010301", "行政运行")):
            add_code_row(report, table, code, name)
    report.cell(Ref("公开02", "2010301", 2)).value = Decimal("10.00")
    report.cell(Ref("公开05", "2010301", 2)).value = Decimal("8.00")
    report.cell(Ref("公开05", "2010301", 3)).value = Decimal("2.50")
    report.cell(Ref("公开04", "29", 1)).value = balance
    return report


def test_e22_holds_in_every_item_of_the_three_seeds(sample_name):
    from juesuan.domain.catalog import load_catalog
    from juesuan.io.reader import read_report
    from juesuan.rules.audit import audit
    assert [f for f in audit(read_report(sample_path(sample_name)), load_catalog()) if f.rule == "E22"] == []


def test_e22_an_item_spending_more_than_came_in_without_carry_over_is_an_error_on_its_row():
    from juesuan.domain.catalog import load_catalog
    from juesuan.rules.audit import audit
    from juesuan.rules.fill import fill_report
    catalog = load_catalog()
    report = _two_items()
    fill_report(report, catalog)
    (found,) = [f for f in audit(report, catalog) if f.rule == "E22"]
    # 公开05 rows: 合计 6, 201 7, 20103 8, 2010301 9; 小计 in C, 基本/项目支出 in D/E; 公开02 财政拨款收入 in D
    assert (found.table, found.cell, found.severity, found.difference) == ("公开05", "C9", "error", Decimal("0.50"))
    assert "请检查：公开05!D9、E9；公开02!D9" in found.message, found.message


def test_e22_does_not_apply_when_there_is_a_carry_over():
    """With a 年初 一般公共预算 balance, an item may spend last year's appropriation: no E22."""
    from juesuan.domain.catalog import load_catalog
    from juesuan.rules.audit import audit
    from juesuan.rules.fill import fill_report
    catalog = load_catalog()
    report = _two_items(balance=Decimal("0.50"))
    fill_report(report, catalog)
    assert [f for f in audit(report, catalog) if f.rule == "E22"] == []
