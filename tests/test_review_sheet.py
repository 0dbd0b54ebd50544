"""`juesuan check --write / -o` on real samples: the 审核结果 sheet, the marks, and nothing else.

Runs the real command line (click's runner, in process) on copies of the samples and reads
the result back with openpyxl; the print test renders with LibreOffice and reads the PDF text.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import needs_soffice
from fixtures_rich import sha256 as sha
from helpers import cell_snapshot

from juesuan.cli import main
from juesuan.domain.catalog import load_catalog
from juesuan.domain.layout import parse_a1
from juesuan.ops import check_book
from juesuan.rules.findings import SEVERITY_LABELS
from juesuan.views.styles import SEVERITY_FILLS

CATALOG = load_catalog()

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
BROKEN = SAMPLES / "broken"
J, L, Z = "jinan_lixia_2023", "liaocheng_bjb_2024", "zibo_zhangdian_2024"
REVIEW = "审核结果"
HEADERS = ["序号", "级别", "规则", "表", "单元格", "说明", "应为", "实为", "差额", "备注"]
FIRST = 6


# --- helpers ---------------------------------------------------------------------------
def copy_of(tmp_path, name, source=SAMPLES) -> Path:
    target = tmp_path / f"{name}.xlsx"
    shutil.copy(source / f"{name}.xlsx", target)
    return target


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_review(path, *extra):
    result = cli("check", path, "--write", *extra)
    assert result.exit_code in (0, 1), result.output
    return result


def edit(path, changes: dict[tuple[str, str], object]) -> None:
    """What a clerk does in Excel: change cells, save."""
    wb = openpyxl.load_workbook(path)
    for (sheet, address), value in changes.items():
        wb[sheet][address] = value
    wb.save(path)


def review_rows(path) -> list[list]:
    ws = openpyxl.load_workbook(path)[REVIEW]
    return [[c.value for c in row[:10]] for row in ws.iter_rows(min_row=FIRST) if row[0].value is not None]


def fill_sig(fill) -> tuple:
    def color(c):
        return None if c is None else (c.type, c.value, c.tint)
    return (fill.fill_type, color(fill.fgColor), color(fill.bgColor))


def marked_cells(wb) -> dict[str, str]:
    """The hidden registry of the review sheet: 'sheet!A1' -> original fill (text)."""
    ws = wb[REVIEW]
    return {ws.cell(row=r, column=14).value: ws.cell(row=r, column=15).value or ""
            for r in range(FIRST, ws.max_row + 1) if ws.cell(row=r, column=14).value}


def severity_fill(severity: str) -> str:
    return "00" + SEVERITY_FILLS[severity]


def worst_by_cell(findings) -> dict[str, str]:
    order = {"error": 0, "warning": 1, "info": 2}
    out = {}
    for f in findings:
        if f.cell:
            k = f"{f.table}!{f.cell}"
            if k not in out or order[f.severity] < order[out[k]]:
                out[k] = f.severity
    return out


def snapshot(wb, skip_fill: set[str] = frozenset()) -> dict:
    """Everything a clerk could notice outside 审核结果; fills of `skip_fill` cells left out."""
    snap = cell_snapshot(wb, {REVIEW}, skip_fill=skip_fill)
    snap["sheetnames"] = [n for n in snap["sheetnames"] if n != REVIEW]
    return snap


def assert_same_outside_review(before: Path, after: Path, skip_fill: set[str]) -> None:
    a = snapshot(openpyxl.load_workbook(before), skip_fill)
    b = snapshot(openpyxl.load_workbook(after), skip_fill)
    assert (a["sheetnames"], a["names"]) == (b["sheetnames"], b["names"])
    assert a["sheets"].keys() == b["sheets"].keys()
    for sheet in a["sheets"]:
        for k, x in a["sheets"][sheet].items():
            y = b["sheets"][sheet][k]
            if x != y:
                diffs = [(c, x.get(c), y.get(c)) for c in set(x) | set(y) if x.get(c) != y.get(c)] \
                    if isinstance(x, dict) else [(x, y)]
                pytest.fail(f"{sheet} {k} changed: {diffs[:5]}")


# --- (a) layout, (b) links ---------------------------------------------------------------
def test_header_lines_and_one_row_per_finding(tmp_path):
    path = copy_of(tmp_path, J)
    findings = check_book(path, CATALOG).findings
    write_review(path)
    ws = openpyxl.load_workbook(path)[REVIEW]
    assert ws["A1"].value == "审核结果"
    assert ws["A2"].value == "单位：济南市历下区人民政府办公室    年度：2023    金额单位：万元"
    assert re.fullmatch(r"审核时间：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d    错误 0 条，警告 3 条，提示 27 条", ws["A3"].value)
    assert "备注" in ws["A4"].value
    assert [ws.cell(row=5, column=c).value for c in range(1, 11)] == HEADERS
    rows = review_rows(path)
    assert len(rows) == len(findings) == 30
    for number, (row, f) in enumerate(zip(rows, findings), start=1):
        assert row[:6] == [number, SEVERITY_LABELS[f.severity], f.rule, f.table, f"{f.table}!{f.cell}", f.message]
        assert row[6:9] == [float(f.expected) if f.expected is not None else None,     # numbers (issue #12)
                            float(f.actual) if f.actual is not None else None,
                            float(f.difference) if f.difference is not None else None]
        assert row[9] is None
    assert rows[0][:5] == [1, "警告", "E06", "公开02", "公开02!B10"]
    assert rows[6][2:9] == ["R2.2", "公开02", "公开02!C8", rows[6][5], 4477.07, 4477.06, -0.01]
    # the registry columns are there for the next run, hidden from the clerk
    assert ws.column_dimensions["N"].hidden and ws.column_dimensions["O"].hidden


def test_finding_without_cell_has_a_row_and_no_link(tmp_path):
    path = copy_of(tmp_path, "missing_sheet", BROKEN)
    write_review(path)
    ws = openpyxl.load_workbook(path)[REVIEW]
    row = next(r for r in range(FIRST, ws.max_row + 1) if ws.cell(row=r, column=3).value == "E02")
    assert ws.cell(row=row, column=5).value == "公开06" and ws.cell(row=row, column=5).hyperlink is None


@pytest.mark.parametrize("name, source", [(J, SAMPLES), ("total_typed_wrong", BROKEN), ("item_without_kuan", BROKEN)])
def test_every_hyperlink_points_at_an_existing_cell(tmp_path, name, source):
    path = copy_of(tmp_path, name, source)
    write_review(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[REVIEW]
    links = 0
    for r in range(FIRST, ws.max_row + 1):
        cell = ws.cell(row=r, column=5)
        if cell.value is None or "!" not in str(cell.value):
            continue
        assert cell.hyperlink is not None, cell.value
        m = re.fullmatch(r"'([^']+)'!([A-Z]+\d+)", cell.hyperlink.location)
        assert m, cell.hyperlink.location
        sheet, address = m.groups()
        assert sheet in wb.sheetnames and sheet != REVIEW
        row, col = parse_a1(address)
        assert row <= wb[sheet].max_row and col <= wb[sheet].max_column
        assert f"{sheet}!{address}" == cell.value
        links += 1
    assert links == len([f for f in check_book(path, CATALOG).findings if f.cell])


# --- (c) marks and their removal ---------------------------------------------------------
def test_marks_follow_the_findings_and_a_fix_restores_the_original_fill(tmp_path):
    path = copy_of(tmp_path, L)
    original = openpyxl.load_workbook(path)
    cells = ["公开03!C6", "公开03!C9", "公开03!D8", "公开03!D9", "公开01!F32", "公开05!D9", "公开06!C36"]
    fills = {a: fill_sig(original[a.split("!")[0]][a.split("!")[1]].fill) for a in cells}
    assert fills["公开03!C6"][1][1] == "00E7E6E6"          # a derived (grey) cell ...
    assert fills["公开03!D9"][0] is None                   # ... and a clerk's (white) one
    # two typing mistakes: 合计 500.07 -> 500.70 and a 项's 基本支出 107.71 -> 107.17
    edit(path, {("公开03", "C6"): 500.70, ("公开03", "D9"): 107.17})
    result = write_review(path)
    assert result.exit_code == 1
    findings = check_book(path, CATALOG).findings
    expected = worst_by_cell(findings)
    assert {"公开03!C6": "error", "公开01!F32": "error", "公开03!C9": "error", "公开03!D8": "error",
            "公开05!D9": "warning", "公开06!C36": "info"}.items() <= expected.items()
    wb = openpyxl.load_workbook(path)
    assert set(marked_cells(wb)) == set(expected)
    for address, severity in expected.items():
        sheet, a1 = address.split("!")
        assert wb[sheet][a1].fill.fgColor.rgb == severity_fill(severity), address
    assert fill_sig(wb["公开03"]["D9"].fill) == fills["公开03!D9"]     # D9 itself is not a finding's cell
    # the clerk corrects both cells and checks again
    edit(path, {("公开03", "C6"): 500.07, ("公开03", "D9"): 107.71})
    assert write_review(path).exit_code == 0
    wb = openpyxl.load_workbook(path)
    assert set(marked_cells(wb)) == {"公开06!C36"}
    for address in cells:
        sheet, a1 = address.split("!")
        if address != "公开06!C36":
            assert fill_sig(wb[sheet][a1].fill) == fills[address], address
    # and the whole workbook is the clean sample again, apart from 审核结果 and the one 尾差 mark
    assert_same_outside_review(SAMPLES / f"{L}.xlsx", path, {"公开06!C36"})


def test_rerun_records_the_original_fill_not_our_mark(tmp_path):
    path = copy_of(tmp_path, J)
    write_review(path)
    first = marked_cells(openpyxl.load_workbook(path))
    write_review(path)
    second = marked_cells(openpyxl.load_workbook(path))
    assert first == second
    for text in second.values():
        assert not any(colour in text for colour in SEVERITY_FILLS.values()), text


def test_deleting_review_rows_does_not_leave_marks_behind(tmp_path):
    path = copy_of(tmp_path, L)
    grey = fill_sig(openpyxl.load_workbook(path)["公开03"]["C6"].fill)
    edit(path, {("公开03", "C6"): 500.70})
    write_review(path)
    wb = openpyxl.load_workbook(path)
    wb[REVIEW].delete_rows(FIRST, wb[REVIEW].max_row)     # "I have read them": the clerk clears the list
    wb.save(path)
    edit(path, {("公开03", "C6"): 500.07})
    write_review(path)
    assert fill_sig(openpyxl.load_workbook(path)["公开03"]["C6"].fill) == grey


# --- (d) the clerk's 备注 -----------------------------------------------------------------
def test_note_survives_a_rerun_for_the_same_rule_and_cell(tmp_path):
    path = copy_of(tmp_path, J)
    write_review(path)
    note = "2010305 按原公开文件名称“专业事务及机关事务管理”填列"
    wb = openpyxl.load_workbook(path)
    ws = wb[REVIEW]
    row = next(r for r in range(FIRST, ws.max_row + 1)
               if ws.cell(row=r, column=3).value == "E06" and ws.cell(row=r, column=5).value == "公开03!B10")
    ws.cell(row=row, column=10).value = note
    wb.save(path)
    # a new error elsewhere moves every row down: the note must follow its finding, not its row
    edit(path, {("公开01", "C32"): 5076.83})
    write_review(path)
    rows = review_rows(path)
    assert rows[0][1] == "错误"
    noted = [(r[2], r[4]) for r in rows if r[9] is not None]
    assert noted == [("E06", "公开03!B10")]
    assert next(r[9] for r in rows if r[9] is not None) == note
    # still there on the run after
    write_review(path)
    assert [(r[2], r[4], r[9]) for r in review_rows(path) if r[9]] == [("E06", "公开03!B10", note)]


# --- (e) same book, same review --------------------------------------------------------
@pytest.mark.parametrize("name, source", [(J, SAMPLES), ("total_typed_wrong", BROKEN)])
def test_rechecking_an_unchanged_book_gives_the_same_review(tmp_path, name, source):
    path = copy_of(tmp_path, name, source)

    def content():
        wb = openpyxl.load_workbook(path)
        ws = wb[REVIEW]
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                value = c.value
                if c.coordinate == "A3":
                    value = re.sub(r"审核时间：[\d\- :]+", "审核时间：*", value)
                cells[c.coordinate] = (value, fill_sig(c.fill), c.hyperlink.location if c.hyperlink else None)
        return cells, snapshot(wb)

    write_review(path)
    first = content()
    write_review(path)
    assert content() == first


# --- (f) nothing else changes -------------------------------------------------------------
@pytest.mark.parametrize("name, source", [(J, SAMPLES), ("class_rows_disagree", BROKEN)])
def test_nothing_outside_the_review_and_the_marks_changes(tmp_path, name, source):
    path = copy_of(tmp_path, name, source)
    write_review(path)
    marks = set(marked_cells(openpyxl.load_workbook(path)))
    assert marks == set(worst_by_cell(check_book(path, CATALOG).findings))
    assert_same_outside_review(source / f"{name}.xlsx", path, marks)


# --- (g) printing -------------------------------------------------------------------------
@needs_soffice
def test_libreoffice_prints_the_review_rows(tmp_path):
    path = tmp_path / "reviewed.xlsx"
    assert cli("check", BROKEN / "total_typed_wrong.xlsx", "-o", path).exit_code == 1
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    out = tmp_path / "pdf"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=300)
    text = subprocess.run(["pdftotext", "-layout", str(out / "reviewed.pdf"), "-"], check=True,
                          capture_output=True, text=True, timeout=120).stdout
    squeezed = re.sub(r"\s+", "", text)
    assert "审核结果" in text and all(h in text for h in HEADERS[:6])
    findings = check_book(path, CATALOG).findings
    assert len(findings) == 4
    for number, f in enumerate(findings, start=1):
        assert re.search(rf"\b{number}\s+{SEVERITY_LABELS[f.severity]}\s+{re.escape(f.rule)}\s+{f.table}\s+"
                         rf"{f.table}!{f.cell}", text), f.rule
        assert re.sub(r"\s+", "", f.message[:30]) in squeezed, f.message
    # the hidden registry of original fills is not printed
    assert '"type"' not in text and "标记单元格" not in text


# --- (h) -o leaves the source alone --------------------------------------------------------
def test_output_copy_leaves_the_source_bytes_unchanged(tmp_path):
    source = copy_of(tmp_path, "total_typed_wrong", BROKEN)
    before = sha(source)
    target = tmp_path / "out" / "已审核.xlsx"
    target.parent.mkdir()
    result = cli("check", source, "-o", target)
    assert result.exit_code == 1
    assert sha(source) == before
    assert len(review_rows(target)) == len(check_book(source, CATALOG).findings) == 4
    assert openpyxl.load_workbook(source)[REVIEW]["A2"].value.startswith("尚未审核")


# --- (i) JSON and exit codes ---------------------------------------------------------------
FINDING_FIELDS = {"rule", "severity", "table", "cell", "cells", "message", "expected", "actual", "difference"}
AMOUNT = re.compile(r"-?\d+\.\d{2,}")


def json_lines(*paths):
    result = cli("check", "--format", "json", *paths)
    return result.exit_code, [json.loads(line) for line in result.output.splitlines() if line.strip()]


def test_json_shape():
    code, docs = json_lines(SAMPLES / f"{J}.xlsx", BROKEN / "class_rows_disagree.xlsx")
    assert code == 1 and len(docs) == 2
    for doc in docs:
        assert set(doc) == {"file", "unit", "year", "amount_unit", "summary", "findings"}
        assert set(doc["summary"]) == {"error", "warning", "info"}
        assert doc["summary"] == {s: sum(f["severity"] == s for f in doc["findings"]) for s in doc["summary"]}
        for f in doc["findings"]:
            assert set(f) == FINDING_FIELDS
            for k in ("expected", "actual", "difference"):
                assert f[k] is None or (isinstance(f[k], str) and AMOUNT.fullmatch(f[k])), f
            for c in f["cells"]:
                sheet, _, address = c.rpartition("!")
                assert sheet != f["table"]           # qualified only when on another sheet
                assert re.fullmatch(r"[A-Z]+\d+", address), c
    jinan, broken = docs
    assert (jinan["unit"], jinan["year"], jinan["amount_unit"]) == ("济南市历下区人民政府办公室", 2023, "万元")
    assert jinan["summary"] == {"error": 0, "warning": 3, "info": 27}
    kuan = next(f for f in jinan["findings"] if f["rule"] == "R2.2" and f["cell"] == "C8")
    assert kuan["cells"] == ["C9", "C10", "C11"]
    assert (kuan["expected"], kuan["actual"], kuan["difference"]) == ("4477.07", "4477.06", "-0.01")
    cross = [f for f in broken["findings"] if f["rule"] == "R11.2"]
    assert [(f["table"], f["cell"], f["cells"]) for f in cross] == [("公开01", "F13", ["公开03!C14"]),
                                                                 ("公开01", "F14", ["公开03!C18"])]


def test_exit_codes(tmp_path):
    not_a_book = tmp_path / "报表.xlsx"
    not_a_book.write_text("单位,金额\n", encoding="utf-8")
    assert cli("check", SAMPLES / f"{J}.xlsx").exit_code == 0                  # warnings only
    assert cli("check", BROKEN / "sangong_over_budget.xlsx").exit_code == 0
    assert cli("check", BROKEN / "text_in_amount.xlsx").exit_code == 1
    assert cli("check", not_a_book).exit_code == 2
    assert cli("check", SAMPLES / f"{L}.xlsx", BROKEN / "text_in_amount.xlsx", not_a_book).exit_code == 2
    code, docs = json_lines(not_a_book)
    assert code == 2 and set(docs[0]) == {"file", "error"}


def test_installed_command_exit_code(tmp_path):
    exe = shutil.which("juesuan")
    if exe is None:
        pytest.skip("juesuan entry point not installed")
    done = subprocess.run([exe, "check", str(BROKEN / "total_typed_wrong.xlsx"), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert json.loads(done.stdout)["summary"]["error"] == 3
