"""Follow-ups of issue #12: derived cells look derived after fill (8), findings name the input
cells behind a disagreement of totals (10), re-filling does not flood 审核结果 (6)."""
import os
from decimal import Decimal
import shutil
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
from conftest import sample_path
from openpyxl.styles import PatternFill

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import juesuan.excel as xl  # noqa: E402
import support.xlwings_replay as replay  # noqa: E402
from juesuan.domain.catalog import load_catalog  # noqa: E402
from juesuan.domain.model import Ref  # noqa: E402
from juesuan.domain.schema import TABLE_IDS, TOTAL_KEY  # noqa: E402
from juesuan.io.reader import read_report  # noqa: E402
from juesuan.io.review_xlsx import previous_review, text_to_fill  # noqa: E402
from juesuan.ops import check_report, fill_book  # noqa: E402
from juesuan.views.review import derived_cells  # noqa: E402
from juesuan.views.styles import DERIVED_FILL  # noqa: E402

CATALOG = load_catalog()
WHEN = datetime(2024, 1, 1, 9, 0, 0)


def _grey(fill) -> bool:
    return fill is not None and fill.fill_type == "solid" and str(fill.fgColor.rgb)[-6:].upper() == DERIVED_FILL


def whitened(tmp_path, name="jinan_lixia_2023", target="white.xlsx"):
    """A sample a clerk keeps without the template's grey (a book not made from our template)."""
    path = tmp_path / target
    shutil.copy(sample_path(name), path)
    derived = derived_cells(read_report(path), CATALOG)
    wb = openpyxl.load_workbook(path)
    for sheet in TABLE_IDS:
        for row in wb[sheet].iter_rows():
            for cell in row:
                if _grey(cell.fill):
                    cell.fill = PatternFill(fill_type=None)
    wb["公开05"]["D9"].value = None      # a derived total typed over by nothing: fill writes it
    wb.save(path)
    return path, derived


def assert_derived_are_grey(workbook, derived):
    _notes, marks = previous_review(workbook)
    marked = {(sheet, address): original for sheet, address, original in marks}
    assert marked, "the sample should carry some marks"
    white = []
    for sheet, address in sorted(derived):
        if (sheet, address) in marked:
            if not _grey(text_to_fill(marked[sheet, address])):
                white.append(f"{sheet}!{address} (registry)")
        elif not _grey(workbook[sheet][address].fill):
            white.append(f"{sheet}!{address}")
    assert white == []


# --- item 8 -------------------------------------------------------------------------------
def test_fill_shades_every_derived_cell_grey_and_marks_remember_grey(tmp_path):
    path, derived = whitened(tmp_path)
    fill_book(path, CATALOG, when=WHEN)
    assert_derived_are_grey(openpyxl.load_workbook(path), derived)


def test_fill_button_shades_derived_cells_like_the_cli(tmp_path):
    cli, derived = whitened(tmp_path, target="cli.xlsx")
    excel, _ = whitened(tmp_path, target="excel.xlsx")
    fill_book(cli, CATALOG, when=WHEN)
    _actions, _alerts, replayed = replay.run_through_excel_model(excel, xl.fill, WHEN, save=False)
    assert_derived_are_grey(replayed, derived)
    assert replay.compare_reviews(cli, replayed) == []


# --- item 10 ------------------------------------------------------------------------------
def _item_typed_larger_in_05(bump=Decimal("100")):
    """jinan as published, with one 项 of 公开05 (小计 and 基本支出) retyped 100 larger and its
    款, 类 and 合计 retyped to match: 公开05 adds up, but it disagrees with 03, 04 and 06."""
    report = read_report(sample_path("jinan_lixia_2023"))
    t05, t03 = report.tables["公开05"], report.tables["公开03"]
    item = next(r for r in t05.rows if r.code and len(r.code) == 7 and t03.row(r.code) is not None)
    for key in (item.code, item.code[:5], item.code[:3], TOTAL_KEY):
        for no in (1, 2):
            cell = t05.row(key).cells[no]
            cell.value = (cell.value or 0) + bump
    return report, item


def test_a_class_disagreement_names_the_item_rows_that_differ():
    report, item = _item_typed_larger_in_05()
    findings = check_report(report, CATALOG).findings
    item05 = report.address(Ref("公开05", item.code, 1))
    item03 = report.address(Ref("公开03", item.code, 1))
    class05 = report.cell(Ref("公开05", item.code[:3], 1)).address
    at_class = next(f for f in findings if f.rule == "R17.1" and f.table == "公开05" and f.cell == class05)
    assert at_class.message.startswith(f"公开05 {class05} ")
    assert {item05, item03} <= set(at_class.cells)
    assert "请检查：" in at_class.message and item05.split("!")[1] in at_class.message and item03 in at_class.message


def test_a_total_disagreement_across_tables_names_the_class_rows_that_differ():
    report, item = _item_typed_larger_in_05()
    findings = check_report(report, CATALOG).findings
    total = next(f for f in findings if f.rule == "R13.1")
    class05 = report.address(Ref("公开05", item.code[:3], 1))
    assert class05 in total.cells and "请检查：" in total.message and class05 in total.message
    assert total.message.startswith("公开04 ")
