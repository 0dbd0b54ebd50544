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
from juesuan.rules.relations import derived_refs, relations_for
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
        "xlsx_templates/standard.xlsx is stale: run `juesuan template -o xlsx_templates/standard.xlsx`"


def test_cli_py_writes_the_same_template(fresh, tmp_path):
    out = tmp_path / "via_cli_py.xlsx"
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "template", "-o", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "已生成标准工作簿" in done.stdout
    assert cell_snapshot(out) == cell_snapshot(fresh)


def test_sheet_names_are_exactly_the_standard_ones(fresh):
    assert openpyxl.load_workbook(fresh).sheetnames == list(SHEET_NAMES)


def test_derived_cells_are_shaded_and_inputs_are_not(fresh):
    wb = openpyxl.load_workbook(fresh)
    derived = derived_refs(relations_for(blank_report()))
    report = blank_report()
    checked = 0
    for ref, cell in report.iter_cells():
        fill = wb[ref.table][cell.address].fill
        shaded = fill.fill_type == "solid" and fill.fgColor.rgb.endswith(DERIVED_FILL)
        assert shaded == (ref in derived), f"{ref.table}!{cell.address} shaded={shaded}"
        assert wb[ref.table][cell.address].number_format == AMOUNT_FORMAT
        checked += 1
    assert checked == 295   # every amount cell of 01 04 06 09 and the 合计 rows
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
        # 栏次 3 本年支出小计 and 6 年末 are computed; 1 2 4 5 are typed
        assert shaded == [False, False, True, False, False, True]
    assert ws.cell(row=first + 1, column=1).number_format == "@"  # codes stay text


def test_headers_frozen_amount_unit_dropdown_and_lineno_rows(fresh):
    wb = openpyxl.load_workbook(fresh)
    for table_id in TABLES:
        lay = layout_of(table_id)
        ws = wb[table_id]
        assert ws.freeze_panes in (f"A{lay.first_data_row}", f"C{lay.first_data_row}")
        numbers = [ws.cell(row=lay.lineno_row, column=c.index).value for c in lay.columns if c.role == "amount"]
        assert numbers == [c.no for c in lay.columns if c.role == "amount"]
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
