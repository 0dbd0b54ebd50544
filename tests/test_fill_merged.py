"""A merged range over a derived cell: fill leaves it alone and says so, instead of crashing."""
import shutil

import openpyxl
from click.testing import CliRunner
from conftest import sample_path
from fixtures_rich import with_chart

from juesuan.cli import main


def test_fill_reports_a_merge_over_a_derived_cell_and_keeps_it(tmp_path):
    book, out = tmp_path / "单位.xlsx", tmp_path / "填充.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), book)
    wb = openpyxl.load_workbook(book)
    ws = wb["公开05"]
    ws["C7"].value = None            # a derived 款 subtotal fill must compute…
    ws["C8"].value = None            # …and the cell under it, which the merge swallows
    ws.merge_cells("C7:C8")
    wb.save(book)
    result = CliRunner().invoke(main, ["fill", str(book), "-o", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    filled = openpyxl.load_workbook(out)
    assert "C7:C8" in {str(r) for r in filled["公开05"].merged_cells.ranges}
    review = [row for row in filled["审核结果"].iter_rows(min_row=6, values_only=True) if row[2] == "F05"]
    assert [(r[3], r[4]) for r in review] == [("公开05", "公开05!C8")], review



def test_fill_into_a_copy_says_what_the_copy_lacks(tmp_path):
    """Like check -o: a chart in the clerk's book is not in a copy written by this tool, and fill says so."""
    book, out = tmp_path / "单位.xlsx", tmp_path / "填充.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), book)
    with_chart(book)
    result = CliRunner().invoke(main, ["fill", str(book), "-o", str(out)])
    assert out.exists(), result.output
    assert "副本中不含原文件的图表" in result.output, result.output


def test_a_merged_cell_fill_could_not_write_is_not_recorded_as_its_own(tmp_path):
    """The next fill must not mistake the merged cell for a figure fill left there."""
    book, out, again = tmp_path / "单位.xlsx", tmp_path / "填充.xlsx", tmp_path / "再填充.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), book)
    wb = openpyxl.load_workbook(book)
    wb["公开05"]["C7"].value = wb["公开05"]["C8"].value = None
    wb["公开05"].merge_cells("C7:C8")
    wb.save(book)
    CliRunner().invoke(main, ["fill", str(book), "-o", str(out)])
    record = [row[15] for row in openpyxl.load_workbook(out)["审核结果"].iter_rows(min_row=6, values_only=True)
              if len(row) > 15 and row[15]]
    assert record and not any(str(entry).startswith("公开05!C8=") for entry in record), record
    CliRunner().invoke(main, ["fill", str(out), "-o", str(again)])
    rows = [r for r in openpyxl.load_workbook(again)["审核结果"].iter_rows(min_row=6, values_only=True)
            if r[2] == "F01" and r[4] == "公开05!C8"]
    assert rows == []
