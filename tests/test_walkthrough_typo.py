"""Issue #12 "Done when": a clerk's walkthrough from a blank template (单位信息, only the 项 rows of
02/03/05, the balances of 01/04, 06 by 款, 三公; fill; check --write; publish), then one typo in a
公开05 项, which is reported as an error on the mistyped row, naming the mistyped cell.

The unit is seed 000 (聊城市人民政府驻北京办事处（本级）2024, no carry-over at all: 公开01 and 公开04
年初/年末 blank), typed as its clerk would type it from the accounts."""
import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from juesuan.cli import main
from juesuan.domain.catalog import load_catalog
from juesuan.domain.layout import layout_of
from juesuan.domain.model import Ref, blank_report
from juesuan.io.reader import read_report
from juesuan.ops import check_book
from juesuan.views.review import FIRST_ROW, LINK_COLUMN, MESSAGE_COLUMN, RULE_COLUMN

ROOT = Path(__file__).resolve().parent.parent
CATALOG = load_catalog()
SEED = json.loads((ROOT / "samples" / "data" / "liaocheng_bjb_2024.json").read_text(encoding="utf-8"))

# the 项 rows as seed 000 prints them: code, name, then 公开02 财政拨款收入, 公开03/05 基本支出, 项目支出
ITEMS = [
    ("2010350", "事业运行", "107.71", "107.71", None),
    ("2010399", "其他政府办公厅（室）及相关机构事务支出", "190.00", None, "190.00"),
    ("2014004", "信访业务", "60.00", None, "60.00"),
    ("2014099", "其他信访事务支出", "109.67", None, "109.67"),
    ("2080505", "机关事业单位基本养老保险缴费支出", "11.14", "11.14", None),
    ("2080506", "机关事业单位职业年金缴费支出", "5.57", "5.57", None),
    ("2101102", "事业单位医疗", "5.65", "5.65", None),
    ("2210201", "住房公积金", "10.33", "10.33", None),
]


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def type_the_unit(path: Path) -> None:
    """What the clerk types into the blank template: nothing grey, no 类/款 row, no total."""
    wb = openpyxl.load_workbook(path)
    info = wb["单位信息"]
    info["B3"], info["B4"], info["B5"], info["B6"] = "聊城市人民政府驻北京办事处（本级）", 2024, "万元", "单位"
    for table, columns in (("公开02", {2: 2}), ("公开03", {3: 2, 4: 3}), ("公开05", {3: 2, 4: 3})):
        ws, lay = wb[table], layout_of(table)
        for n, item in enumerate(ITEMS, start=lay.first_data_row + 1):
            ws.cell(row=n, column=1, value=item[0]).number_format = "@"
            ws.cell(row=n, column=2, value=item[1])
            for index, no in columns.items():
                if item[index] is not None:
                    ws.cell(row=n, column=lay.amount_column(no).index, value=float(item[index]))
    cells = blank_report()
    def put(table, key, no, value):
        ws = wb[table]
        ws[cells.cell(Ref(table, key, no)).address] = float(value)
    put("公开04", "1", 1, "500.07")                       # 一般公共预算财政拨款 income, from the accounts
    for code, value in SEED["公开06"].items():            # 06 by 款 only: its 类 and totals are grey
        if len(code) == 5 and value is not None:
            put("公开06", code, 1, value)
    for no in (5, 11):                                     # 三公: 公务用车运行维护费, 预算数 and 决算数
        put("公开09", "1", no, "3.76")
    wb.save(path)


def review_rows(path):
    wb = openpyxl.load_workbook(path)
    return [(row[RULE_COLUMN - 1], row[LINK_COLUMN - 1], row[MESSAGE_COLUMN - 1])
            for row in wb["审核结果"].iter_rows(min_row=FIRST_ROW, values_only=True)
            if len(row) >= MESSAGE_COLUMN and row[RULE_COLUMN - 1]]


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("walk")
    book = folder / "单位.xlsx"
    assert run("template", "-o", book).exit_code == 0
    type_the_unit(book)
    filled = run("fill", book, "--in-place")
    checked = run("check", book, "--write")
    published = run("publish", book, "-o", folder / "公开表.xlsx")
    return folder, book, filled, checked, published


def test_the_walkthrough_ends_with_nothing_that_is_not_the_clerks(walked):
    folder, book, filled, checked, published = walked
    assert filled.exit_code == 0, filled.output
    assert "插入 公开05 第7行 201 一般公共服务支出（类）" in filled.output
    assert checked.exit_code == 0, checked.output
    # the one hint left is the seed's own rounding: 06 by 款 sums to 140.41, 05 基本支出 is 140.40
    assert [(rule, where) for rule, where, _ in review_rows(book)] == [("R16.1", "公开05!D6")]
    assert published.exit_code == 0, published.output
    report = read_report(book)
    assert report.value(Ref("公开01", "62", 2)) == Decimal("500.07")
    assert report.value(Ref("公开04", "60", 3)) is None       # no 年末 was typed, none was invented


def test_one_typo_in_a_05_item_is_an_error_on_its_row_naming_the_cell(walked, tmp_path):
    """2014099 项目支出 109.67 typed as 106.97. After fill 公开05 reads 合计 (row 6), 201 (7), 20103 (8),
    2010350 (9), 2010399 (10), 20140 (11), 2014004 (12), 2014099 (13): the typo sits in E13 (项目支出)."""
    _folder, book, *_ = walked
    typo = tmp_path / "typo.xlsx"
    shutil.copy(book, typo)
    wb = openpyxl.load_workbook(typo)
    assert (wb["公开05"]["A13"].value, wb["公开05"]["E13"].value) == ("2014099", 109.67)
    wb["公开05"]["E13"] = 106.97
    wb.save(typo)
    assert run("fill", typo, "--in-place").exit_code == 1
    findings = [f for f in check_book(typo, CATALOG).findings if f.severity == "error"]
    at_row = [f for f in findings if (f.table, f.cell) == ("公开05", "C13")]
    assert [f.rule for f in at_row] == ["E22"]
    item = at_row[0]
    assert item.difference == Decimal("-2.70")                # 106.97 against 公开02's 109.67
    assert "请检查：公开05!E13" in item.message and "公开02!D13" in item.message
    # the balances that no longer hold point at the same cell instead of leaving the clerk at a grey total
    balance = next(f for f in findings if f.rule == "R4.8")
    assert (balance.table, balance.cell) == ("公开04", "G33") and "请检查：公开05!E13" in balance.message
