"""Reading standard workbooks: real samples give back the published figures; every kind of
bad cell and bad file gives a Chinese message naming its sheet and cell."""
import json
import shutil
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLES, sample_path
from helpers import grids_of

from juesuan.cli import main
from juesuan.domain.errors import UnusableWorkbook
from juesuan.domain.model import Ref
from juesuan.domain.samples import report_from_sample
from juesuan.io.reader import read_report
from juesuan.rules.parse import parse_grids

D = Decimal


def test_sample_workbook_holds_every_transcribed_figure(sample_name):
    expected = report_from_sample(json.loads((SAMPLES / "data" / f"{sample_name}.json").read_text("utf-8")))
    actual = read_report(sample_path(sample_name))
    assert actual.findings == []
    for table_id, table in expected.tables.items():
        got = actual.tables[table_id]
        assert [(r.key, r.code, r.name) for r in got.rows] == [(r.key, r.code, r.name) for r in table.rows]
        for row in table.rows:
            for no, cell in row.cells.items():
                held = got.row(row.key).cells[no]
                assert held.value == cell.value, f"{table_id} {row.key} 栏次{no}"
                # blank stays blank, 0.00 stays 0.00
                assert (held.value is None) == (cell.value is None)
    assert actual.info_value("unit_name") == expected.info_value("unit_name")
    assert actual.year == expected.year


# Figures read straight off the seed text (not from our transcription): first and last rows and totals.
SEED_FIGURES = {
    "liaocheng_bjb_2024": [
        (("公开01", "1", 1), "500.07"), (("公开01", "39", 2), "16.71"), (("公开01", "62", 2), "500.07"),
        (("公开01", "28", 1), None),
        (("公开02", "合计", 1), "500.07"), (("公开02", "2210201", 2), "10.33"), (("公开02", "2210201", 3), None),
        (("公开03", "合计", 2), "140.40"), (("公开03", "2010399", 3), "190.00"),
        (("公开04", "64", 3), "500.07"), (("公开04", "51", 2), "10.33"),
        (("公开05", "合计", 3), "359.67"), (("公开05", "2210201", 1), "10.33"),
        (("公开06", "30101", 1), "67.93"), (("公开06", "30228", 1), "0.59"), (("公开06", "公用经费合计", 1), "20.73"),
        (("公开06", "人员经费合计", 1), "119.67"),
        (("公开07", "合计", 1), None), (("公开08", "合计", 1), None),
        (("公开09", "1", 1), "3.76"), (("公开09", "1", 11), "3.76"), (("公开09", "1", 12), None),
    ],
    "zibo_zhangdian_2024": [
        (("公开01", "1", 1), "1225.21"), (("公开01", "2", 1), "0.00"), (("公开01", "50", 2), "76.41"),
        (("公开02", "2010301", 1), "759.80"), (("公开02", "2210201", 7), "0.00"),
        (("公开03", "合计", 2), "1018.80"), (("公开03", "2010301", 3), "2.74"),
        (("公开04", "60", 5), "0.00"), (("公开04", "1", 1), "1225.21"),
        (("公开05", "合计", 1), "1225.21"), (("公开06", "30239", 1), "29.62"), (("公开06", "30399", 1), "3.65"),
        (("公开06", "人员经费合计", 1), "946.47"), (("公开06", "公用经费合计", 1), "72.33"),
        (("公开07", "合计", 6), "0.00"), (("公开08", "合计", 3), "0.00"),
        (("公开09", "1", 2), "3.70"), (("公开09", "1", 12), "0.28"),
    ],
    "jinan_lixia_2023": [
        (("公开01", "8", 1), "1.36"), (("公开01", "29", 1), "9.71"), (("公开01", "31", 1), "5076.54"),
        (("公开02", "20103", 1), "4477.06"), (("公开02", "2101102", 1), "57.79"),
        (("公开03", "2010301", 3), "9.02"), (("公开03", "合计", 3), "3268.77"),
        (("公开04", "33", 3), "4739.00"), (("公开05", "合计", 3), "3257.70"),
        (("公开06", "301", 1), "1688.81"), (("公开06", "30309", 1), "0.07"), (("公开06", "30239", 1), "35.46"),
        (("公开09", "1", 2), "41.69"), (("公开09", "1", 7), "45.01"),
    ],
}


@pytest.mark.parametrize("name", sorted(SEED_FIGURES))
def test_sample_figures_match_the_seed_text(name):
    report = read_report(sample_path(name))
    for (table, key, col), text in SEED_FIGURES[name]:
        assert report.value(Ref(table, key, col)) == (None if text is None else D(text)), (table, key, col)
    assert report.entity == ("部门" if name == "jinan_lixia_2023" else "单位")


# --- forgiving: what a clerk types that is still an amount ------------------------------------
@pytest.mark.parametrize("raw, value", [
    (1225.21, D("1225.21")), ("1,225.21", D("1225.21")), ("１，２２５．２１", D("1225.21")),
    (" 12.5 ", D("12.5")), ("-", None), ("—", None), ("", None), (None, None), (7, D(7)), ("(3.00)", D("-3.00")),
])
def test_reader_accepts_what_is_still_an_amount(raw, value):
    grids = grids_of(sample_path("liaocheng_bjb_2024"))
    grids["公开06"][7][2] = raw       # C8: 30101 基本工资
    report = parse_grids(grids)
    assert report.findings == []
    assert report.value(Ref("公开06", "30101", 1)) == value


# --- strict: what is not an amount becomes a finding with sheet and cell --------------------------
@pytest.mark.parametrize("raw, fragment", [
    ("壹佰元", "不是金额"), ("12,3a", "不是金额"), ("#REF!", "错误值"), (True, "逻辑值"), ("=SUM(C1:C3)", "不是金额"),
    (float("nan"), "不是有效数字"),
])
def test_text_in_an_amount_cell_is_an_E01_finding_at_that_cell(raw, fragment):
    grids = grids_of(sample_path("liaocheng_bjb_2024"))
    grids["公开02"][8][3] = raw      # D9: 2010350 事业运行 财政拨款收入
    report = parse_grids(grids)
    [finding] = report.findings
    assert (finding.rule, finding.severity, finding.table, finding.cell) == ("E01", "error", "公开02", "D9")
    assert fragment in finding.message and "公开02 D9" in finding.message and "2010350" in finding.message


def test_malformed_code_is_an_E04_finding():
    grids = grids_of(sample_path("liaocheng_bjb_2024"))
    grids["公开03"][8][0] = "20103501"
    report = parse_grids(grids)
    [finding] = report.findings
    assert (finding.rule, finding.table, finding.cell) == ("E04", "公开03", "A9")
    assert "20103501" in finding.message and "3位" in finding.message


def test_missing_and_renamed_sheets_are_findings_with_a_hint():
    grids = grids_of(sample_path("liaocheng_bjb_2024"))
    grids["公开 08表"] = grids.pop("公开08")
    del grids["公开09"]
    report = parse_grids(grids)
    by_table = {f.table: f for f in report.findings}
    assert by_table["公开08"].rule == "E02" and "公开 08表" in by_table["公开08"].message
    assert by_table["公开09"].rule == "E02" and "缺少工作表“公开09”" in by_table["公开09"].message
    assert not report.tables["公开09"].present


def test_garbage_layout_is_unusable_with_the_cell_named():
    grids = grids_of(sample_path("liaocheng_bjb_2024"))
    grids["公开04"].insert(3, [None] * 9)     # a row inserted into the header
    with pytest.raises(UnusableWorkbook) as info:
        parse_grids(grids)
    assert "公开04" in info.value.message and "栏次" in info.value.message


# --- whole files the CLI cannot use: one Chinese line, exit code 2 ------------------------------
def _write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name, make, fragment", [
    ("old.xls", lambda p: _write(p, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "97-2003"),
    ("empty.xlsx", lambda p: _write(p, b""), "空的"),
    ("data.xlsx", lambda p: _write(p, "科目编码,金额\n201,1.00\n".encode("gbk")), "不是 Excel 工作簿"),
    ("corrupt.xlsx", lambda p: _write(p, sample_path("zibo_zhangdian_2024").read_bytes()[:3000]), "损坏"),
    ("notes.rtf", lambda p: _write(p, b"hello"), "不支持的文件类型"),    # .txt is a published document now (import)
])
def test_unusable_files_give_one_chinese_message_and_exit_2(tmp_path, name, make, fragment):
    path = make(tmp_path / name)
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert fragment in result.output and "Traceback" not in result.output
    assert path.read_bytes() == before


def test_a_workbook_that_is_not_ours_is_unusable(tmp_path):
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "工资表"
    wb.save(path)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2 and "不是决算公开标准工作簿" in result.output


def test_chinese_path_with_spaces_reads(tmp_path):
    target = tmp_path / "历下区 办公室 决算.xlsx"
    shutil.copy(sample_path("jinan_lixia_2023"), target)
    result = CliRunner().invoke(main, ["check", str(target)])
    assert result.exit_code == 0, result.output
    assert "济南市历下区人民政府办公室" in result.output
