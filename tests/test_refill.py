"""Issue #12 item 6: re-filling does not flood 审核结果 with fill's own figures, and what
fill overwrote of the clerk's stays in 审核结果 across the next `check --write`."""
import os
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import sample_path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import support.xlwings_replay as replay

import juesuan.excel as xl
from juesuan.cli import main
from juesuan.domain.schema import REVIEW_SHEET
from juesuan.views.review import (
    CARRIED_SUFFIX,
    FIRST_ROW,
    LINK_COLUMN,
    MESSAGE_COLUMN,
    RULE_COLUMN,
)


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def review_rows(path, rules=("F01", "F02"), carried=True) -> dict[str, str]:
    """{where: message} of the review rows of these rules (without the ones an earlier fill
    reported, when not `carried`)."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for row in wb[REVIEW_SHEET].iter_rows(min_row=FIRST_ROW, values_only=True):
        if len(row) >= MESSAGE_COLUMN and row[RULE_COLUMN - 1] in rules:
            if carried or not row[MESSAGE_COLUMN - 1].endswith(CARRIED_SUFFIX):
                out[row[LINK_COLUMN - 1]] = row[MESSAGE_COLUMN - 1]
    return out


def change(path, sheet, address, delta):
    wb = openpyxl.load_workbook(path)
    cell = wb[sheet][address]
    cell.value = float(Decimal(str(cell.value or 0)) + Decimal(delta))
    wb.save(path)


def test_refill_after_changing_one_item_reports_no_overwrite_of_fills_own_figures(tmp_path):
    first, second, third, fourth = (tmp_path / f"{n}.xlsx" for n in ("a", "b", "c", "d"))
    shutil.copy(sample_path("liaocheng_bjb_2024"), first)
    assert run("fill", first, "-o", second).exit_code in (0, 1)
    change(second, "公开05", "D9", "0.10")                 # 2010350 事业运行, 基本支出: a 项 the clerk types
    result = run("fill", second, "-o", third)
    assert result.exit_code in (0, 1), result.output
    assert "改写原有数值 0 个" in result.output, result.output
    assert review_rows(third, carried=False) == {}          # fill replacing its own figures is an update
    first_rows = review_rows(second)                        # the sample's 尾差 the first fill corrected
    assert set(review_rows(third)) == set(first_rows)       # still listed, as from the last fill
    updated = int(result.output.split("计算了 ")[1].split(" 个")[0])
    assert 3 <= updated <= 25                               # the totals over D9, not the whole book

    change(third, "公开05", "C6", "5")                      # the clerk types over one derived total
    result = run("fill", third, "-o", fourth)
    assert "改写原有数值 1 个" in result.output, result.output
    assert set(review_rows(fourth, carried=False)) == {"公开05!C6"}


def test_what_fill_overwrote_survives_the_next_check_write(tmp_path):
    typed, filled = tmp_path / "typed.xlsx", tmp_path / "filled.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), typed)
    change(typed, "公开05", "C6", "5")                      # a total typed wrong before the first fill
    run("fill", typed, "-o", filled)
    overwritten = review_rows(filled, rules=("F01",))
    assert "公开05!C6" in overwritten
    result = run("check", filled, "--write")
    assert result.exit_code in (0, 1), result.output
    kept = review_rows(filled, rules=("F01",))
    assert set(kept) == set(overwritten)
    assert all("上次填充" in message for message in kept.values())
    # once the clerk types over the figure fill left, the old row goes (their new figure is checked)
    change(filled, "公开05", "C6", "1")
    run("check", filled, "--write")
    assert "公开05!C6" not in review_rows(filled, rules=("F01",))


def test_the_fill_button_knows_its_own_figures_and_the_check_button_keeps_the_record(tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), book)
    replay.run_through_excel_model(book, xl.fill)
    replay.run_through_excel_model(book, xl.validate)          # 审核 in between keeps the record
    change(book, "公开05", "D9", "0.10")
    replay.run_through_excel_model(book, xl.fill)
    assert review_rows(book, carried=False) == {}
    change(book, "公开05", "C6", "5")
    replay.run_through_excel_model(book, xl.fill)
    assert set(review_rows(book, carried=False)) == {"公开05!C6"}
