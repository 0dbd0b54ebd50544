"""The template is generated from the schema and can never drift from it."""
import shutil
import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, needs_soffice
from helpers import cell_snapshot

from juesuan.cli import main
from juesuan.domain.layout import layout_of
from juesuan.domain.model import blank_report
from juesuan.domain.schema import SHEET_NAMES, TABLES
from juesuan.views.styles import AMOUNT_FORMAT, DERIVED_FILL

COMMITTED = ROOT / "xlsx_templates" / "standard.xlsx"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / "t.xlsx"
    result = CliRunner().invoke(main, ["template", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_committed_template_equals_regenerated_one_cell_by_cell(fresh):
    assert cell_snapshot(COMMITTED) == cell_snapshot(fresh), \
        "xlsx_templates/standard.xlsx is stale: run `juesuan template -o xlsx_templates/standard.xlsx --force`"


def test_cli_py_writes_the_same_template(fresh, tmp_path):
    out = tmp_path / "via_cli_py.xlsx"
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "template", "-o", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "已生成标准工作簿" in done.stdout
    assert cell_snapshot(out) == cell_snapshot(fresh)


def test_sheet_names_are_exactly_the_standard_ones(fresh):
    assert openpyxl.load_workbook(fresh).sheetnames == list(SHEET_NAMES)


def computed_by_the_domain(ref) -> bool:
    """Whether a cell of the blank template is computed, by the relations of nine-tables.md
    (written out here by hand, not taken from `relations`, whose shading is under test)."""
    table, key, no = ref
    if table == "公开01":   # typed: the balances 28 使用非财政拨款结余, 29 年初, 59 结余分配, 60 年末; 1–3 come
        return key not in ("28", "29", "59", "60")   # from 04, 4–8 from 02 合计, 32–57 from the 03 类 rows
    if table == "公开04":   # typed: fund income 1–3, 年初 by fund 29–31 and 年末 by fund (60, 栏次3–5);
        # every other expenditure cell is a sum or comes from 05/07/08
        return key not in ("1", "2", "3", "29", "30", "31") and not (key == "60" and no != 2)
    if table == "公开06":   # each 类 and the two 合计; the 款 are typed
        return key in ("人员经费合计", "公用经费合计") or len(key) == 3
    if table == "公开09":   # 合计 and 公务用车 小计, for 预算数 and 决算数
        return no in (1, 3, 7, 9)
    return key == "合计"    # code tables: the blank template has only the 合计 row, all of it summed


# amount cells and computed cells per sheet, counted from the domain note:
# 01: income 行次1–8, 27, 28, 29, 31 (12) + expenditure 32–57, 58, 59, 60, 62 (30) = 42; typed 28 29 59 60 -> 38
# 04: income 1, 2, 3, 27–32 (9) + expenditure 33–58, 59, 60, 64 (29 rows) × 4 funds (116) = 125; typed 9 -> 116
# 06: 89 economic codes of the catalogue + 2 合计 = 91, of them 7 类 + 2 合计 = 9 computed
# 09: 12 栏次, 4 computed; code tables: the 合计 row, one cell per 栏次 (7 6 3 6 3), all computed
CELLS_PER_SHEET = {"公开01": (42, 38), "公开02": (7, 7), "公开03": (6, 6), "公开04": (125, 116), "公开05": (3, 3),
                   "公开06": (91, 9), "公开07": (6, 6), "公开08": (3, 3), "公开09": (12, 4)}


def test_derived_cells_are_shaded_and_inputs_are_not(fresh):
    wb = openpyxl.load_workbook(fresh)
    report = blank_report()
    checked, per_sheet = 0, {}
    for ref, cell in report.iter_cells():
        fill = wb[ref.table][cell.address].fill
        shaded = fill.fill_type == "solid" and fill.fgColor.rgb.endswith(DERIVED_FILL)
        assert shaded == computed_by_the_domain(ref), f"{ref.table}!{cell.address} shaded={shaded}"
        assert wb[ref.table][cell.address].number_format == AMOUNT_FORMAT
        cells, grey = per_sheet.get(ref.table, (0, 0))
        per_sheet[ref.table] = (cells + 1, grey + shaded)
        checked += 1
    assert checked == 295   # every amount cell of 01 04 06 09 and the 合计 rows: 42+7+6+125+3+91+6+3+12
    assert per_sheet == CELLS_PER_SHEET
    grey = {"公开01": ["C32", "C36", "F32", "F36", "C6", "C13", "F6", "F31"],   # 行次27 31 58 62 1 8 32 57
            "公开04": ["C32", "C33", "C37", "F32", "G32", "H32", "I32", "F33", "F37", "I37", "F6", "G6"],
            "公开06": ["C7", "C21", "C36", "C64", "C69", "C86", "C92", "C34", "C98"],   # 301 303 302 307 310 312 399, 合计
            "公开09": ["A7", "C7", "G7", "I7"],
            "公开02": ["C6", "I6"], "公开03": ["C6", "H6"], "公开05": ["C6", "E6"], "公开07": ["C6", "H6"],
            "公开08": ["C6", "E6"]}
    white = {"公开01": ["C33", "C34", "F33", "F34"], "公开04": ["C6", "C7", "C8", "C34", "C35", "C36", "G33", "I33"],
             "公开06": ["C8", "C20", "C37", "C47", "C81", "C97"],                        # 30101 30199 30201 30212 31013 39999
             "公开09": ["B7", "D7", "E7", "F7", "H7", "J7", "K7", "L7"]}
    for sheet, addresses in grey.items():
        for address in addresses:
            fill = wb[sheet][address].fill
            assert fill.fill_type == "solid" and fill.fgColor.rgb.endswith(DERIVED_FILL), f"{sheet}!{address}"
    for sheet, addresses in white.items():
        for address in addresses:
            assert wb[sheet][address].fill.fill_type is None, f"{sheet}!{address}"
    # input cells a clerk types into exist: 01 income rows, 04 fund income, 06 款, 09 items
    ws = wb["公开01"]
    assert ws["C6"].fill.fill_type == "solid"       # 01 行次1 comes from 04 行次1
    assert ws["C33"].fill.fill_type is None         # 01 行次28 使用非财政拨款结余 is typed
    assert wb["公开04"]["C6"].fill.fill_type is None  # 04 行次1 is typed
    assert wb["公开06"]["C8"].fill.fill_type is None  # 30101 基本工资 is typed


def test_code_tables_shade_row_totals_in_every_blank_row(fresh):
    wb = openpyxl.load_workbook(fresh)
    ws = wb["公开07"]
    first = layout_of("公开07").first_data_row
    for row in (first + 1, first + 50):
        shaded = [ws.cell(row=row, column=c).fill.fill_type == "solid" for c in range(3, 9)]
        # 栏次 3 本年支出小计 is computed; 1 2 4 5 and the balance 6 年末 are typed
        assert shaded == [False, False, True, False, False, False]
    assert ws.cell(row=first + 1, column=1).number_format == "@"  # codes stay text


# the 栏次 each table prints over its amount columns (nine-tables.md)
LINENOS = {"公开01": [1, 2], "公开02": list(range(1, 8)), "公开03": list(range(1, 7)), "公开04": list(range(1, 6)),
           "公开05": [1, 2, 3], "公开06": [1], "公开07": list(range(1, 7)), "公开08": [1, 2, 3],
           "公开09": list(range(1, 13))}


def test_headers_frozen_amount_unit_dropdown_and_lineno_rows(fresh):
    wb = openpyxl.load_workbook(fresh)
    for table_id in TABLES:
        lay = layout_of(table_id)
        ws = wb[table_id]
        assert ws.freeze_panes in (f"A{lay.first_data_row}", f"C{lay.first_data_row}")
        numbers = [ws.cell(row=lay.lineno_row, column=c.index).value for c in lay.columns if c.role == "amount"]
        assert numbers == LINENOS[table_id], table_id
    info = wb["单位信息"]
    formulas = {dv.formula1 for dv in info.data_validations.dataValidation}
    assert '"元,万元"' in formulas and '"单位,部门"' in formulas


def test_template_titles_follow_the_2024_layout(fresh):
    wb = openpyxl.load_workbook(fresh)
    assert wb["公开01"]["A1"].value == "收入支出决算总表"
    assert wb["公开01"]["A6"].value == "一、一般公共预算财政拨款收入"
    assert wb["公开01"]["D31"].value == "二十六、抗疫特别国债安排的支出"
    assert wb["公开01"]["E36"].value == 62
    assert wb["公开04"]["E37"].value == 64
    assert wb["公开06"]["A6"].value == "人员经费"
    assert wb["公开09"]["C4"].value == "公务用车购置及运行维护费"


@needs_soffice
def test_libreoffice_renders_the_template(fresh, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    done = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(fresh)],
                          capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "t.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000, done.stderr
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        for title in ("收入支出决算总表", "一般公共预算财政拨款基本支出决算明细表", "财政拨款“三公”经费支出决算表"):
            assert title in text
