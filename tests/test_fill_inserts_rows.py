"""Issue #12 item 7: a clerk who types only the 项 rows of a code table, as 单位信息 instructs
("只填'项'的金额，类、款和合计自动汇总"), gets the missing 款 and 类 rows inserted by fill, in code
order with their catalogue names, and their sums; no E08."""
from decimal import Decimal

import openpyxl
from click.testing import CliRunner
from conftest import sample_path

from juesuan.cli import main
from juesuan.domain.catalog import Catalog, load_catalog
from juesuan.domain.layout import layout_of
from juesuan.domain.model import Report, add_code_row, blank_report, code_row
from juesuan.domain.schema import CODE, TABLES, TOTAL_KEY
from juesuan.io.reader import read_report
from juesuan.io.template_xlsx import build_workbook
from juesuan.ops import check_book, check_report, fill_and_recheck
from juesuan.rules.parents import PLACEHOLDER_NAME, insert_parents

CATALOG = load_catalog()
CODE_TABLES = [t for t, spec in TABLES.items() if spec.kind == CODE]


def only_items(report: Report) -> Report:
    """The report as a clerk following 单位信息 types it: in each code table the 项 rows only,
    one under the other below 合计, their figures as given; every total left blank."""
    for table_id in CODE_TABLES:
        table = report.tables[table_id]
        first = layout_of(table_id).first_data_row
        total = code_row(table_id, TOTAL_KEY, first, None, "合计")
        items = [r for r in table.code_rows() if len(r.code) == 7]
        rows = [total]
        for n, item in enumerate(items, start=first + 1):
            row = code_row(table_id, item.code, n, item.code, item.name)
            for no, cell in row.cells.items():
                cell.value = item.cells[no].value if no in item.cells else None
            rows.append(row)
        table.rows = rows
        table.reindex()
    return report


def code_lists(report: Report) -> dict[str, list[tuple[str, str]]]:
    return {t: [(r.code, r.name) for r in report.tables[t].code_rows()] for t in CODE_TABLES}


def amounts(report: Report) -> dict[str, dict[str, dict[int, object]]]:
    return {t: {r.key: {no: c.value or 0 for no, c in r.cells.items()} for r in report.tables[t].rows}
            for t in CODE_TABLES}


def typed_items_only(tmp_path, name="liaocheng_bjb_2024"):
    original = read_report(sample_path(name))
    clerk = only_items(read_report(sample_path(name)))
    path = tmp_path / "clerk.xlsx"
    build_workbook(CATALOG, clerk).save(path)
    return original, path


def test_items_only_workbook_reports_e08_before_fill(tmp_path):
    _original, path = typed_items_only(tmp_path)
    assert "E08" in {f.rule for f in check_book(path, CATALOG).findings}


def test_fill_in_place_inserts_missing_parents_in_code_order_with_their_sums(tmp_path):
    original, path = typed_items_only(tmp_path)
    before_cf = {t: [str(cf.sqref) for cf in openpyxl.load_workbook(path)[t].conditional_formatting]
                 for t in CODE_TABLES}
    result = CliRunner().invoke(main, ["fill", str(path), "--in-place"])
    assert result.exit_code == 0, result.output
    assert "  插入 公开05 第7行 201 一般公共服务支出（类）" in result.output
    assert "  插入 公开05 第8行 20103 政府办公厅（室）及相关机构事务（款）" in result.output

    filled = read_report(path)
    assert code_lists(filled) == code_lists(original)      # 201, 20103, …, 208, 20805 … in code order, named
    assert amounts(filled) == amounts(original)            # every 类/款 and 合计 summed as the sample has them
    checked = check_book(path, CATALOG)
    assert not [f for f in checked.findings if f.rule in ("E08", "E11", "E21")]
    assert checked.summary["error"] == 0

    wb = openpyxl.load_workbook(path)
    for table_id in CODE_TABLES:
        table = filled.tables[table_id]
        last = max(r.row for r in table.rows)
        added = len(table.code_rows()) - len(only_items(read_report(sample_path("liaocheng_bjb_2024")))
                                             .tables[table_id].code_rows())
        (sqref,) = [str(cf.sqref) for cf in wb[table_id].conditional_formatting]
        (old,) = before_cf[table_id]
        top, bottom = old.split(":")
        grown = f"{top}:{bottom.rstrip('0123456789')}{int(bottom.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')) + added}"
        assert sqref == grown, table_id
        assert int(bottom.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) + added >= last
    ws = wb["公开05"]
    assert (ws["A7"].value, ws["B7"].value) == ("201", "一般公共服务支出")
    assert ws["A7"].number_format == "@" and ws["C7"].number_format == ws["C9"].number_format
    assert ws["C7"].border.left.style == ws["C9"].border.left.style


def test_dry_run_lists_the_rows_it_would_insert_and_writes_nothing(tmp_path):
    _original, path = typed_items_only(tmp_path)
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["fill", str(path)])
    assert "插入 公开05 第7行 201 一般公共服务支出（类）" in result.output
    assert path.read_bytes() == before


def _report_with_items(table_id: str, codes: list[str]) -> Report:
    report = blank_report()
    for code in codes:
        add_code_row(report, table_id, code, CATALOG.function_name(code) or "某项")
    return report


def test_parents_go_before_their_first_child_and_rows_below_move_with_their_cells():
    report = _report_with_items("公开05", ["2010301", "2010302", "2080501"])
    inserted = insert_parents(report, CATALOG)
    assert [(i.row, i.code, i.name, i.level) for i in inserted] == [
        (7, "201", "一般公共服务支出", "类"), (8, "20103", "政府办公厅（室）及相关机构事务", "款"),
        (11, "208", "社会保障和就业支出", "类"), (12, "20805", "行政事业单位养老支出", "款")]
    rows = report.tables["公开05"].code_rows()
    assert [(r.row, r.code) for r in rows] == [(7, "201"), (8, "20103"), (9, "2010301"), (10, "2010302"),
                                               (11, "208"), (12, "20805"), (13, "2080501")]
    assert all(c.row == r.row for r in rows for c in r.cells.values())
    assert report.tables["公开05"].row("2080501").cells[1].address.endswith("13")


def test_a_code_the_catalogue_lacks_gets_a_placeholder_name_and_an_error_for_the_clerk():
    catalog = Catalog(CATALOG.classes, CATALOG.economic, {**CATALOG.function, "2019901": "某项"})
    catalog.function.pop("20199", None)
    report = _report_with_items("公开05", ["2019901"])
    report.tables["公开05"].row("2019901").cells[1].value = None
    inserted = insert_parents(report, catalog)
    assert [(i.code, i.name, i.named) for i in inserted] == [("201", "一般公共服务支出", True),
                                                             ("20199", PLACEHOLDER_NAME, False)]
    findings = check_report(report, catalog).findings
    (e21,) = [f for f in findings if f.rule == "E21"]
    assert (e21.table, e21.cell) == ("公开05", "B8") and "20199" in e21.message
    assert "E08" not in {f.rule for f in findings}


def test_the_live_path_does_not_insert_rows_so_addresses_stay_true():
    report = _report_with_items("公开05", ["2010301"])
    report.tables["公开05"].row("2010301").cells[1].value = Decimal(5)
    filled, result = fill_and_recheck(report, CATALOG)      # the Excel button: no insertion, E08 as before
    assert result.inserted == []
    assert "E08" in {f.rule for f in result.findings}
    assert report.tables["公开05"].row("2010301").row == 7
    assert all(c.address.endswith(("6", "7")) for c in filled.changes if c.table == "公开05")


def test_a_formula_reading_the_rows_that_move_is_moved_with_them(tmp_path):
    """公开09!A30 =SUM(公开05!C7:C9) reads 2010350, 2010399, 2014004 (rows 7–9 of the 项-only 公开05).
    Fill inserts 201 at 7 and 20103 at 8 (C7:C9 → C9:C11), then 20140 at 11, inside the range, which
    grows as Excel grows it (C9:C12); the formula's own cell does not move."""
    _original, path = typed_items_only(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["公开09"]["A30"] = "=SUM(公开05!C7:C9)"
    wb.save(path)
    result = CliRunner().invoke(main, ["fill", str(path), "--in-place"])
    assert "插入 公开05 第7行 201" in result.output and "E08" not in result.output, result.output
    assert openpyxl.load_workbook(path)["公开09"]["A30"].value == "=SUM(公开05!C9:C12)"


def test_a_formula_in_the_rows_that_would_move_stops_insertion_and_fill_says_where(tmp_path):
    """A clerk's formula in 公开05 D8 (a 项 row below 合计) would move with its row, and its stored
    result with it: fill inserts nothing, names the cell (F06) and E08 stays, nothing is corrupted."""
    _original, path = typed_items_only(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["公开05"]["F8"] = "=D8+E8"
    wb.save(path)
    result = CliRunner().invoke(main, ["fill", str(path), "--in-place"])
    assert "  插入 " not in result.output and "E08" in result.output
    assert "F06" in result.output and "公开05!F8" in result.output and "请在 Excel 中手工插入" in result.output
    wb = openpyxl.load_workbook(path)
    assert wb["公开05"]["F8"].value == "=D8+E8" and wb["公开05"]["A7"].value == "2010350"


def test_marks_and_links_of_the_review_move_with_the_rows_fill_inserts(tmp_path):
    """After a check --write, 审核结果 keeps a mark on the first 项-only row that fails (公开05!C7 typed
    over); a fill that inserts 201 and 20103 above it moves the mark's record with the cell (C9),
    so the next run restores C9, not the inserted 类 row."""
    _original, path = typed_items_only(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["公开05"]["C7"] = 1                       # 2010350 小计; its parts say 107.71
    wb.save(path)
    CliRunner().invoke(main, ["check", str(path), "--write"])
    from juesuan.io.review_xlsx import previous_review
    from juesuan.io.workbook_file import EditableBook
    from juesuan.rules.parents import Insertion
    book = EditableBook.open(path)
    assert ("公开05", "C7") in {(s, a) for s, a, _ in previous_review(book.workbook)[1]}
    book.insert_code_rows([Insertion("公开05", 7, "201", "一般公共服务支出", True),
                           Insertion("公开05", 8, "20103", "政府办公厅（室）及相关机构事务", True)])
    marked = {(s, a) for s, a, _ in previous_review(book.workbook)[1] if s == "公开05"}
    assert ("公开05", "C9") in marked and ("公开05", "C7") not in marked
