"""Issue #13, the outputs: notes that follow their finding, safe batch summaries, safe CSV,
Excel's size limits, and amounts in 审核结果 as numbers.

Real sample copies through the command line (click's runner, in process), read back with openpyxl.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import support.xlwings_replay as replay  # the 审核 button through xlwings (sets its licence key first)
from click.testing import CliRunner

from juesuan.cli import main
from juesuan.domain.catalog import load_catalog
from juesuan.io.reader import read_notes
from juesuan.ops import check_book, publication_gate

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
JINAN = SAMPLES / "jinan_lixia_2023.xlsx"
REVIEW = "审核结果"
FIRST = 6
CATALOG = load_catalog()


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def review_rows(path) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    return [row for row in wb[REVIEW].iter_rows(min_row=FIRST, values_only=True) if row[0] is not None]


# --- item 5: a 备注 follows its finding, not the cell address ------------------------------
def reviewed_with_note(tmp_path, note: str):
    """A reviewed copy of the Jinan sample, `note` written on its warning at 公开05!B10
    (row 2010305: name differs from the catalogue, E06). Returns (path, workbook)."""
    book = tmp_path / "book.xlsx"
    shutil.copy(JINAN, book)
    assert run("check", book, "--write").exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb[REVIEW]
    target = [r for r in range(FIRST, ws.max_row + 1) if ws.cell(r, 5).value == "公开05!B10"]
    assert len(target) == 1 and ws.cell(target[0], 3).value == "E06"
    ws.cell(target[0], 10).value = note
    return book, wb


@pytest.mark.parametrize("recheck", ["cli", "excel"])
def test_note_follows_its_finding_when_a_row_is_inserted_above(tmp_path, recheck):
    book, wb = reviewed_with_note(tmp_path, "名称按本单位批复口径")
    data = wb["公开05"]
    assert data["A10"].value == "2010305"
    data.insert_rows(10)                       # the clerk inserts a row above: 2010305 moves to row 11
    data["A10"] = "2010302"                    # a real 项 under 20103 (一般行政管理事务), named wrongly:
    data["B10"] = "随便写的名称"                 # a new E06 at B10
    wb.save(book)

    if recheck == "cli":
        assert run("check", book, "--write").exit_code in (0, 1)
    else:                                      # the 审核 button renders the same grid
        replay.run_through_excel_model(book, replay.xl.validate)
    rows = review_rows(book)
    notes = {(r[2], r[4]): r[9] for r in rows if r[3] == "公开05"}
    assert notes[("E06", "公开05!B11")] == "名称按本单位批复口径"       # moved with 2010305
    assert notes[("E06", "公开05!B10")] is None                        # the new warning is unexplained
    gate = publication_gate(check_book(book, CATALOG).findings, read_notes(book))
    unexplained = {(f.table, f.cell, f.rule) for f in gate.unexplained}
    assert ("公开05", "B10", "E06") in unexplained
    assert ("公开05", "B11", "E06") not in unexplained


def test_notes_of_a_review_without_the_identity_column_still_attach_by_cell(tmp_path):
    """A review sheet written before the identity column: notes match by the cell address."""
    book, wb = reviewed_with_note(tmp_path, "旧表的备注")
    ws = wb[REVIEW]
    for row in range(FIRST, ws.max_row + 1):
        for col in range(11, ws.max_column + 1):
            if col not in (14, 15):           # the marks registry of old sheets stays
                ws.cell(row, col).value = None
    wb.save(book)
    gate = publication_gate(check_book(book, CATALOG).findings, read_notes(book))
    assert ("公开05", "B10") not in {(f.table, f.cell) for f in gate.unexplained}
    assert ("公开03", "B10") in {(f.table, f.cell) for f in gate.unexplained}
    assert run("check", book, "--write").exit_code == 0
    notes = {r[4]: r[9] for r in review_rows(book) if r[2] == "E06"}
    assert notes["公开05!B10"] == "旧表的备注"


# --- item 3: the batch summary shows any file name and stays a valid workbook ----------------
def test_batch_summary_with_undecodable_and_control_character_names_is_valid(tmp_path):
    folder = tmp_path / "收件"
    folder.mkdir()
    # 张店 in GBK is not UTF-8: read as UTF-8, each byte that does not decode shown escaped
    # (d5: a lead byte without its continuation; c5 b5 happen to be "ŵ"; ea: a lone lead byte)
    names = {b"gbk-\xd5\xc5\xb5\xea.xlsx": "gbk-\\xd5\u0175\\xea.xlsx",
             "ctl\x01名.xlsx".encode(): "ctl\\x01名.xlsx",
             "esc\x1b[31m红.xlsx".encode(): "esc\\x1b[31m红.xlsx"}
    for raw in names:
        shutil.copy(JINAN, os.path.join(os.fsencode(folder), raw))
    shutil.copy(JINAN, folder / "普通.xlsx")
    report = tmp_path / "汇总.xlsx"
    result = run("batch", folder, "--report", report, "-j", "1")
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(report)                 # a valid workbook: openpyxl reads it
    files = wb["汇总"]["J"][8:]                          # 文件 column, below the count lines and the header
    shown = [Path(str(c.value)).name for c in files]
    assert sorted(shown) == sorted([*names.values(), "普通.xlsx"])
    links = [c.hyperlink.target for c in files]
    assert all(link and "\x01" not in link and "\x1b" not in link for link in links)
    problems = {Path(str(c.value)).name for c in wb["全部问题"]["K"][1:] if c.value}
    assert set(names.values()) <= problems


# --- item 8: CSV cells never start a formula; numbers stay numbers; JSON stays raw -----------
HOSTILE_UNIT = '=HYPERLINK("http://evil.example","点此")'


def test_publish_csv_neutralises_formula_text_and_keeps_numbers(tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copy(JINAN, book)
    wb = openpyxl.load_workbook(book)
    wb["单位信息"]["B3"] = HOSTILE_UNIT
    for sheet, name in (("公开02", "+专业事务"), ("公开03", "-专业事务"), ("公开05", "@专业事务")):
        assert wb[sheet]["A10"].value == "2010305"
        wb[sheet]["B10"].value = name
        wb[sheet]["B10"].data_type = "s"
    wb["公开05"]["D10"] = -12.3             # a negative figure: a number, not text to neutralise
    wb.save(book)
    out, raw = tmp_path / "out.csv", tmp_path / "out.json"
    assert run("publish", book, "-o", out, "--force").exit_code == 0
    assert run("publish", book, "-o", raw, "--force").exit_code == 0
    records = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert {r["单位名称"] for r in records} == {"'" + HOSTILE_UNIT}
    by_table = {(r["表号"], r["科目编码"]): r["项目"] for r in records}
    assert by_table["公开02", "2010305"] == "'+专业事务"
    assert by_table["公开03", "2010305"] == "'-专业事务"
    assert by_table["公开05", "2010305"] == "'@专业事务"
    assert any(r["金额"] == "-12.30" for r in records if r["表号"] == "公开05")
    for r in records:
        Decimal(r["金额"])                   # every amount a plain number
        assert r["年度"] == "2023" and not r["栏次"].startswith("'")
        assert not any(value[:1] in ("=", "+", "-", "@", "\t", "\r") for key, value in r.items() if key != "金额")
    doc = json.loads(raw.read_text(encoding="utf-8"))
    assert doc["单位名称"] == HOSTILE_UNIT and doc["记录"][0]["单位名称"] == HOSTILE_UNIT
    assert "+专业事务" in {r["项目"] for r in doc["记录"]}


@pytest.mark.parametrize("text, shown", [
    ("\t=1+1", "'\t=1+1"), ("\rcmd", "'\rcmd"), ("-12.30", "-12.30"), ("-5", "-5"), ("-", "'-"),
    ("+86 531", "'+86 531"), ("预算-执行", "预算-执行"), ("", "")])
def test_csv_field_rule(text, shown):
    from juesuan.views.publication import csv_safe
    assert csv_safe(text) == shown


# --- item 20: Excel's limits on column widths (255) and row heights (409 points) -------------
def _sizes(path) -> tuple[float, float]:
    wb = openpyxl.load_workbook(path)
    widths = [d.width for ws in wb.worksheets for d in ws.column_dimensions.values() if d.width]
    heights = [d.height for ws in wb.worksheets for d in ws.row_dimensions.values() if d.height]
    return max(widths), max(heights)


def test_very_long_names_keep_widths_and_heights_within_excels_limits(tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copy(JINAN, book)
    wb = openpyxl.load_workbook(book)
    wb["单位信息"]["B3"] = "很长的单位名称" * 4000
    for sheet in ("公开02", "公开03", "公开05"):
        wb[sheet]["B10"] = "专业事务" * 8000          # 32,000 characters, 64,000 display columns
    wb.save(book)
    published = tmp_path / "公开表.xlsx"
    assert run("publish", book, "-o", published, "--force").exit_code == 0
    width, height = _sizes(published)
    assert width <= 255 and height <= 409
    assert run("check", book, "--write").exit_code in (0, 1)
    width, height = _sizes(book)
    assert width <= 255 and height <= 409


# --- issue #12: 应为/实为/差额 are numbers with the amount format, CLI and buttons alike --------
def test_review_amounts_are_numbers_from_the_cli_and_from_the_buttons(tmp_path):
    cli, excel = tmp_path / "cli.xlsx", tmp_path / "excel.xlsx"
    shutil.copy(JINAN, cli)
    shutil.copy(JINAN, excel)
    assert run("check", cli, "--write").exit_code == 0
    replay.run_through_excel_model(excel, replay.xl.validate)
    for path in (cli, excel):
        ws = openpyxl.load_workbook(path)[REVIEW]
        row = next(r for r in ws.iter_rows(min_row=FIRST) if r[4].value == "公开02!C8" and r[2].value == "R2.2")
        # 公开02 C8 (款 20103, 本年收入合计): the sample's 4,477.07 against its items' 4,477.06
        assert [c.value for c in row[6:9]] == [4477.07, 4477.06, -0.01], path.name
        assert [c.number_format for c in row[6:9]] == ["#,##0.00"] * 3, path.name
        assert row[2].value == "R2.2" and row[0].value == 7
