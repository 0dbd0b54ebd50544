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
