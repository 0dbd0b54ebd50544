"""juesuan batch: finding workbooks, checking them in parallel, the summary workbook, JSON Lines,
robustness (damaged files, a file changing while read, a worker process dying), and the lean
reader's equality with the openpyxl read_grids."""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLE_NAMES, SAMPLES, sample_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from juesuan import batch
from juesuan.cli import main
from juesuan.domain.catalog import load_catalog
from juesuan.io.fast_reader import lean_grids
from juesuan.io.reader import check_file, read_grids
from juesuan.io.safety import CHANGED
from juesuan.io.xlsx_cells import set_text
from juesuan.rules.parse import Formula
from juesuan.views.summary import FINDINGS_HEADERS, SUMMARY_HEADERS

INJECTED = "injected.xlsx"
UNIT_AS_FORMULA = '=HYPERLINK("http://example.com","点我")'


def inject_error(source: Path, target: Path) -> None:
    """A real sample with a typed-over amount (breaks 公开01 totals) and a unit name that looks like a formula."""
    workbook = openpyxl.load_workbook(source)
    sheet = workbook["公开01"]
    sheet["C7"] = (sheet["C7"].value or 0) + 100
    set_text(workbook["单位信息"]["B3"], UNIT_AS_FORMULA)
    workbook.save(target)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    """What a finance bureau receives: good workbooks, a bad one, junk, lock files, subfolders."""
    root = tmp_path_factory.mktemp("batch") / "收件"
    deeper = root / "区县" / "深层"
    deeper.mkdir(parents=True)
    for name in SAMPLE_NAMES:
        shutil.copy(sample_path(name), root / f"{name}.xlsx")
    inject_error(sample_path("liaocheng_bjb_2024"), root / "区县" / INJECTED)
    data = sample_path("zibo_zhangdian_2024").read_bytes()
    (root / "区县" / "损坏.xlsx").write_bytes(data[: len(data) // 2])          # truncated download
    (deeper / "旧格式.xls").write_bytes(b"not really an old workbook")
    (root / "说明.txt").write_text("各单位决算公开表", encoding="utf-8")
    (root / "~$jinan_lixia_2023.xlsx").write_bytes(b"\x0bowner")              # Excel lock file
    (root / ".~juesuan-x1y2.xlsx").write_bytes(b"")                            # our temporary file
    return root


EXPECTED = ["jinan_lixia_2023.xlsx", "liaocheng_bjb_2024.xlsx", "zibo_zhangdian_2024.xlsx",
            f"区县/{INJECTED}", "区县/损坏.xlsx", "区县/深层/旧格式.xls"]
STATUSES = {"jinan_lixia_2023.xlsx": "有警告（未说明 3 条）",
            "liaocheng_bjb_2024.xlsx": "通过", "zibo_zhangdian_2024.xlsx": "通过",
            f"区县/{INJECTED}": "有错误", "区县/损坏.xlsx": "无法使用", "区县/深层/旧格式.xls": "无法使用"}


def relative(inbox: Path, file: str) -> str:
    return Path(file).relative_to(inbox).as_posix()


def fingerprints(folder: Path) -> dict[str, tuple]:
    return {str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# --- finding ---------------------------------------------------------------------------------------
def test_finds_workbooks_recursively_in_path_order_skipping_lock_temp_and_other_files(inbox):
    found = batch.find_workbooks([inbox])
    assert [p.relative_to(inbox).as_posix() for p in found] == EXPECTED


def test_a_file_named_twice_is_checked_once_and_named_files_are_always_taken(inbox):
    notes = inbox / "说明.txt"
    found = batch.find_workbooks([inbox / "jinan_lixia_2023.xlsx", inbox, notes])
    assert len(found) == len(EXPECTED) + 1
    assert notes in found and found.count(inbox / "jinan_lixia_2023.xlsx") == 1


# --- the command -------------------------------------------------------------------------------------
def test_batch_reports_each_status_and_exit_code_2_when_a_file_is_unusable(inbox, tmp_path):
    report = tmp_path / "汇总.xlsx"
    result = run("batch", inbox, "--jobs", 2, "--report", report)
    assert result.exit_code == 2, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("有错误") and INJECTED in line and "公开01" in line for line in lines)
    assert any(line.startswith("无法使用") and "损坏.xlsx" in line and "已损坏" in line for line in lines)
    assert any(line.startswith("无法使用") and "旧格式.xls" in line and ".xls" in line for line in lines)
    # jinan's three E06 names (专业事务… against the catalogue's 专项业务…) carry no 备注
    assert any(line.startswith("有警告（未说明 3 条）") and "jinan_lixia_2023" in line for line in lines)
    assert [line.split()[0] for line in lines[:4]] == ["无法使用", "无法使用", "有错误", "有警告（未说明"]   # worst first
    assert "共审核 6 个工作簿：无法使用 2 个，有错误 1 个，有警告 1 个（未说明的警告共 3 条），通过 2 个。" in lines
    assert report.exists()


def test_summary_workbook_has_count_lines_a_row_per_file_with_links_filters_and_the_findings(inbox, tmp_path):
    report = tmp_path / "审核" / "汇总.xlsx"
    report.parent.mkdir()
    listing = run("batch", inbox, "--jobs", 2, "--format", "json", "--report", report)
    outcomes = {relative(inbox, o["file"]): o for o in map(json.loads, listing.stdout.splitlines())}

    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["汇总", "全部问题"]
    summary = book["汇总"]
    assert summary["A1"].value == ("批量审核汇总：共 6 个工作簿：无法使用 2 个，有错误 1 个，"
                                   "有警告 1 个（未说明的警告共 3 条），通过 2 个")
    assert summary["A2"].value == f"文件夹：{inbox}"
    assert [(summary.cell(row=r, column=1).value, summary.cell(row=r, column=2).value) for r in range(3, 7)] == \
        [("无法使用", "2 个"), ("有错误", "1 个"), ("有警告", "1 个"), ("通过", "2 个")]
    header = 8
    assert [c.value for c in summary[header]] == list(SUMMARY_HEADERS)
    assert summary.freeze_panes == f"A{header + 1}" and summary.print_title_rows == f"${header}:${header}"
    assert summary.auto_filter.ref == f"A{header}:J{header + len(EXPECTED)}"
    rows = list(summary.iter_rows(min_row=header + 1))
    # worst first; the two unusable by file, then by unit: 聊城 (injected) has errors, 济南 warnings, 淄博 < 聊城 by code point
    assert [r[9].value for r in rows] == ["区县/损坏.xlsx", "区县/深层/旧格式.xls", f"区县/{INJECTED}",
                                          "jinan_lixia_2023.xlsx", "zibo_zhangdian_2024.xlsx", "liaocheng_bjb_2024.xlsx"]
    for row in rows:
        key = row[9].value
        link = row[9].hyperlink.target
        assert not Path(link).is_absolute() and (report.parent / link).resolve() == (inbox / key).resolve()
        assert row[0].value == STATUSES[key]
        outcome = outcomes[key]
        if STATUSES[key] == "无法使用":
            assert row[8].value == outcome["error"] and row[1].value is None
        else:
            assert (row[1].value, row[2].value, row[3].value) == (outcome["unit"], outcome["year"], outcome["amount_unit"])
            assert [row[4].value, row[5].value, row[6].value, row[7].value] == \
                [outcome["summary"]["error"], outcome["summary"]["warning"], 0, outcome["summary"]["info"]]
    injected = rows[2]
    assert injected[4].value >= 1 and "公开01" in injected[8].value
    assert injected[1].value == UNIT_AS_FORMULA and injected[1].data_type == "s"     # text, never a formula

    findings = book["全部问题"]
    assert [c.value for c in findings[1]] == list(FINDINGS_HEADERS)
    assert findings.freeze_panes == "A2"
    body = list(findings.iter_rows(min_row=2, values_only=True))
    listed = sum(f["severity"] != "info" for o in outcomes.values() for f in o.get("findings", []))
    assert len(body) == listed + 2 and findings.auto_filter.ref == f"A1:K{listed + 3}"   # + a row per unusable file
    assert all(r[1] != "提示" for r in body)                                             # 提示 only with --all
    injected_rows = [r for r in body if r[10] == f"区县/{INJECTED}"]
    assert [(r[1], r[2], r[3], r[4]) for r in injected_rows] == [
        ({"error": "错误", "warning": "警告"}[f["severity"]], f["rule"], f["table"], f["cell"])
        for f in outcomes[f"区县/{INJECTED}"]["findings"] if f["severity"] != "info"]
    first_error = next(f for f in outcomes[f"区县/{INJECTED}"]["findings"] if f["severity"] == "error")
    row = next(r for r in injected_rows if r[2] == first_error["rule"] and r[4] == first_error["cell"])
    assert row[5] == first_error["message"]
    assert Decimal(str(row[7])) == Decimal(first_error["actual"])
    assert [r[1] for r in body[:2]] == ["无法使用", "无法使用"] and body[0][10] == "区县/损坏.xlsx"
    assert findings.cell(row=2, column=11).hyperlink is not None


def test_json_lines_are_what_check_prints_for_each_file_in_path_order_with_the_notes(inbox):
    result = run("batch", inbox, "--jobs", 2, "--format", "json")
    assert result.exit_code == 2
    assert result.stderr == ""                                   # no progress bar, no chatter
    outcomes = [json.loads(line) for line in result.stdout.splitlines()]
    assert [relative(inbox, o["file"]) for o in outcomes] == EXPECTED
    for outcome in outcomes:
        alone = json.loads(run("check", "--format", "json", outcome["file"]).stdout)
        if "findings" in outcome:
            assert all(f.pop("note") is None for f in outcome["findings"])    # the samples carry no 备注
        assert alone == outcome


SANGONG = SAMPLES / "broken" / "sangong_over_budget.xlsx"
REVIEW_FIRST_ROW, CELL_COLUMN, RULE_COLUMN, NOTE_COLUMN = 6, 5, 3, 10     # 审核结果: 单元格 E, 规则 C, 备注 J


def reviewed_with_notes(source: Path, target: Path, notes: dict[tuple[str, str], str]) -> Path:
    """`check --write` on a copy, then the clerk's 备注 typed on the rows of the given (rule, cell)s."""
    shutil.copy(source, target)
    assert run("check", target, "--write").exit_code == 0
    workbook = openpyxl.load_workbook(target)
    ws = workbook["审核结果"]
    written = 0
    for row in range(REVIEW_FIRST_ROW, ws.max_row + 1):
        key = (ws.cell(row, RULE_COLUMN).value, ws.cell(row, CELL_COLUMN).value)
        if key in notes:
            ws.cell(row, NOTE_COLUMN).value = notes[key]
            written += 1
    assert written == len(notes)
    workbook.save(target)
    return target


def test_warnings_explained_in_the_review_sheet_are_counted_shown_and_in_the_json(tmp_path):
    """samples/broken/README: sangong_over_budget has warnings R17.4 at 公开09!L7 and G7 (公务接待费
    over budget) besides the sample's three E06 (公开02/03/05 B10); explaining the two R17.4 leaves
    3 unexplained, explaining all five makes the workbook pass."""
    inbox = tmp_path / "收件"
    inbox.mkdir()
    r17 = {("R17.4", "公开09!L7"): "经批准追加接待任务", ("R17.4", "公开09!G7"): "同左"}
    reviewed_with_notes(SANGONG, inbox / "a_两条已说明.xlsx", r17)
    reviewed_with_notes(SANGONG, inbox / "b_全部已说明.xlsx",
                        {**r17, **{("E06", f"{t}!B10"): "名称按本单位批复口径" for t in ("公开02", "公开03", "公开05")}})
    report = tmp_path / "汇总.xlsx"
    result = run("batch", inbox, "-j", 1, "--format", "json", "--report", report)
    assert result.exit_code == 0, result.output
    partly, fully = [json.loads(line) for line in result.stdout.splitlines()]
    assert {f["cell"]: f["note"] for f in partly["findings"] if f["note"]} == {"L7": "经批准追加接待任务", "G7": "同左"}
    assert sum(f["note"] is not None for f in fully["findings"]) == 5

    book = openpyxl.load_workbook(report)
    summary = book["汇总"]
    assert summary["A1"].value.endswith("有警告 1 个（未说明的警告共 3 条），通过 1 个")
    rows = [[c.value for c in r] for r in summary.iter_rows(min_row=9)]
    assert [(r[0], r[5], r[6], r[9]) for r in rows] == [("有警告（未说明 3 条）", 3, 2, "a_两条已说明.xlsx"),
                                                        ("通过", 0, 5, "b_全部已说明.xlsx")]
    assert "R17.4" not in rows[0][8] and "2010305" in rows[0][8]          # 主要问题: the unexplained ones
    noted = {(r[4], r[10]): r[9] for r in book["全部问题"].iter_rows(min_row=2, values_only=True) if r[2] == "R17.4"}
    assert noted == {("L7", "a_两条已说明.xlsx"): "经批准追加接待任务", ("G7", "a_两条已说明.xlsx"): "同左",
                     ("L7", "b_全部已说明.xlsx"): "经批准追加接待任务", ("G7", "b_全部已说明.xlsx"): "同左"}


def test_results_do_not_depend_on_the_number_of_processes(inbox):
    one = run("batch", inbox, "-j", 1, "--format", "json")
    two = run("batch", inbox, "-j", 2, "--format", "json")
    assert one.stdout == two.stdout and one.exit_code == two.exit_code == 2


@pytest.mark.parametrize("names, code", [
    (["jinan_lixia_2023.xlsx", "zibo_zhangdian_2024.xlsx"], 0),
    (["jinan_lixia_2023.xlsx", f"区县/{INJECTED}"], 1),
    ([f"区县/{INJECTED}", "区县/损坏.xlsx"], 2),          # unusable wins over errors
    (["不存在.xlsx"], 2),
])
def test_exit_code(inbox, names, code):
    result = run("batch", "-j", 1, *[inbox / n for n in names])
    assert result.exit_code == code, result.output


def test_inputs_are_never_modified_and_the_summary_in_the_folder_is_not_checked_next_time(inbox):
    before = fingerprints(inbox)
    report = inbox / "汇总.xlsx"
    try:
        first = run("batch", inbox, "-j", 2, "--report", report)
        second = run("batch", inbox, "-j", 2, "--report", report)
        assert first.exit_code == second.exit_code == 2
        assert "共审核 6 个工作簿" in second.stdout                # last run's summary is not an input
        after = fingerprints(inbox)
        assert after.pop(str(report))
        assert after == before
    finally:
        report.unlink(missing_ok=True)


def test_refuses_to_write_the_summary_over_an_input(inbox, tmp_path):
    target = tmp_path / "one.xlsx"
    shutil.copy(sample_path("jinan_lixia_2023"), target)
    before = target.read_bytes()
    result = run("batch", target, "--report", target)
    assert result.exit_code == 2 and "汇总表不能写到被审核的工作簿上" in result.output
    assert target.read_bytes() == before


def test_an_empty_folder_is_reported_in_chinese(tmp_path):
    result = run("batch", tmp_path)
    assert result.exit_code == 2 and "没有找到" in result.output and "Traceback" not in result.output


# --- robustness --------------------------------------------------------------------------------------
def crash_on_injected(path: str) -> dict:
    """A worker task that dies (as on a segfault or an out-of-memory kill) on one file."""
    if path.endswith(INJECTED):
        os._exit(70)
    return batch.check_in_worker(path)


def test_a_worker_process_dying_is_reported_for_that_file_and_the_run_goes_on(inbox):
    names = [str(p) for p in batch.find_workbooks([inbox])]
    catalog = load_catalog()
    results = list(batch.run_checks(names, catalog, jobs=2, task=crash_on_injected))
    assert sorted(i for i, _ in results) == list(range(len(names)))
    outcomes = {relative(inbox, o["file"]): o for _, o in results}
    assert outcomes[f"区县/{INJECTED}"] == {"file": str(inbox / "区县" / INJECTED), "error": batch.WORKER_CRASHED}
    for key, outcome in outcomes.items():
        if key != f"区县/{INJECTED}":
            assert outcome == batch.check_one(str(inbox / key), catalog)


@pytest.mark.parametrize("reader", ["fast", "openpyxl"])
def test_a_file_replaced_while_being_read_is_unusable_not_half_read(tmp_path, reader):
    target = tmp_path / "单位.xlsx"
    shutil.copy(sample_path("jinan_lixia_2023"), target)
    catalog = load_catalog()

    def someone_saves(path):
        shutil.copy(sample_path("zibo_zhangdian_2024"), path)

    assert batch.check_one(str(target), catalog, reader, between=someone_saves) == {"file": str(target), "error": CHANGED}
    assert batch.check_one(str(target), catalog, reader, between=lambda p: p.unlink())["error"] == CHANGED
    shutil.copy(sample_path("jinan_lixia_2023"), target)
    untouched = batch.check_one(str(target), catalog, reader, between=lambda p: None)
    assert untouched["unit"] == "济南市历下区人民政府办公室"


# --- the lean reader ---------------------------------------------------------------------------------
def rewrite(source: Path, target: Path, edits: dict, add: dict | None = None) -> Path:
    """Copy a workbook package, passing chosen members' XML through edit functions."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            for pattern, edit in edits.items():
                if re.fullmatch(pattern, info.filename):
                    data = edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, data)
        for name, text in (add or {}).items():
            dst.writestr(name, text() if callable(text) else text)
    return target


INLINE = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', re.S)
SST = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def shared_strings_version(source: Path, target: Path, second: str = "a_x005F_x000D_b") -> Path:
    """As Excel saves: every text in the shared string table, one with rich runs and a phonetic guide,
    the `second` with an escape (by default an escaped underscore before what would be one)."""
    table: list[str] = []

    def to_shared(xml: str) -> str:
        def swap(m):
            table.append(m.group(3))
            return f'<c {m.group(1)}t="s"{m.group(2)}><v>{len(table) - 1}</v></c>'
        return INLINE.sub(swap, xml)

    def sst() -> str:           # written after the sheets, when the table is complete
        table[0] = '<r><rPr><b/></rPr><t>收入</t></r><r><t xml:space="preserve"> 支出 </t></r><rPh sb="0" eb="1"><t>シュウ</t></rPh>'
        table[1] = f"<t>{second}</t>"
        return (f'<sst xmlns="{SST}" count="{len(table)}" uniqueCount="{len(table)}">'
                + "".join(f"<si>{t}</si>" for t in table) + "</sst>")
    override = ('<Override PartName="/xl/sharedStrings.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
    return rewrite(source, target, {r"xl/worksheets/sheet\d+\.xml": to_shared,
                                    re.escape("[Content_Types].xml"): lambda x: x.replace("</Types>", override)},
                   {"xl/sharedStrings.xml": sst})


def set_cell(ref: str, xml: str):
    def edit(text: str) -> str:
        pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', re.S)
        assert pattern.search(text), ref
        return pattern.sub(xml.replace("\\", "\\\\"), text, count=1)
    return edit


def edited_with_openpyxl(source: Path, target: Path, change) -> Path:
    workbook = openpyxl.load_workbook(source)
    change(workbook)
    workbook.save(target)
    return target


JINAN = SAMPLES / "jinan_lixia_2023.xlsx"          # sheet1 单位信息, sheet2 公开01, sheet3 公开02
LEAN_VARIANTS = {
    "shared_strings": lambda t: shared_strings_version(JINAN, t),
    "no_dimension": lambda t: rewrite(JINAN, t, {r"xl/worksheets/sheet\d+\.xml": lambda x: re.sub(r"<dimension [^>]*/>", "", x)}),
    "dimension_smaller_than_data": lambda t: rewrite(JINAN, t, {r"xl/worksheets/sheet2\.xml": lambda x: re.sub(
        r'<dimension ref="[^"]*"', '<dimension ref="A1:C9"', x)}),
    "row_gaps_and_styled_empty_cells": lambda t: rewrite(JINAN, t, {r"xl/worksheets/sheet2\.xml": lambda x: x.replace(
        '</sheetData>', '<row r="60"/><row r="61"><c r="M61" s="3"/></row></sheetData>')}),
    "error_bool_str_exponent_values": lambda t: rewrite(JINAN, t, {r"xl/worksheets/sheet2\.xml": lambda x: set_cell(
        "C7", '<c r="C7" t="e"><v>#DIV/0!</v></c>')(set_cell("C8", '<c r="C8" t="b"><v>1</v></c>')(set_cell(
            "C9", '<c r="C9" t="str"><f>A1</f><v>文本</v></c>')(set_cell("C10", '<c r="C10"><v>1.5E3</v></c>')(
                set_cell("F7", '<c r="F7" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r></is></c>')(x)))))}),
    "uncalculated_formula_in_data": lambda t: edited_with_openpyxl(
        JINAN, t, lambda wb: wb["公开01"].__setitem__("C8", "=C6+C7")),
    "extra_sheets": lambda t: edited_with_openpyxl(JINAN, t, lambda wb: wb.create_sheet("备注").append(["说明", 1])),
}
FALLBACK_VARIANTS = {
    "escaped_character": lambda t: shared_strings_version(JINAN, t, second="a_x000D_b"),   # calamine decodes it
    "no_row_or_cell_references": lambda t: rewrite(JINAN, t, {r"xl/worksheets/sheet3\.xml": lambda x: re.sub(
        r'(<(?:c|row)) r="[A-Z]*\d+"', r"\1", x)}),
    "rows_out_of_order_and_gaps": lambda t: rewrite(JINAN, t, {r"xl/worksheets/sheet2\.xml": lambda x: x.replace(
        '<row r="8"', '<row r="30"', 1)}),
    "date_in_amount_cell": lambda t: edited_with_openpyxl(
        JINAN, t, lambda wb: wb["公开01"].__setitem__("C8", datetime.datetime(2024, 1, 2))),
    "chartsheet": lambda t: edited_with_openpyxl(JINAN, t, lambda wb: wb.create_chartsheet("图")),
    "bad_shared_string_index": lambda t: rewrite(JINAN, t, {r"xl/worksheets/sheet2\.xml": set_cell(
        "C7", '<c r="C7" t="s"><v>99</v></c>')}),
}
ALL_FILES = sorted([*SAMPLES.glob("*.xlsx"), *SAMPLES.glob("broken/*.xlsx")])


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_lean_reader_reads_every_sample_exactly_as_read_grids_without_falling_back(path):
    snapshot = check_file(path)
    lean = lean_grids(snapshot.data)
    expected = read_grids(snapshot)
    assert read_grids(snapshot, reader="fast") == expected
    assert lean == expected and list(lean) == list(expected)


@pytest.mark.parametrize("name", sorted(LEAN_VARIANTS))
def test_lean_reader_equals_read_grids_on_what_other_programs_write(tmp_path, name):
    target = LEAN_VARIANTS[name](tmp_path / f"{name}.xlsx")
    snapshot = check_file(target)
    expected = read_grids(snapshot)
    lean = lean_grids(snapshot.data)         # no fallback: the fast path itself
    assert read_grids(snapshot, reader="fast") == expected
    assert lean == expected and list(lean) == list(expected)
    # the formula openpyxl wrote into 公开01!C8 has no cached value: both readers hand it on as such
    assert isinstance(lean["公开01"][7][2], Formula) == (name == "uncalculated_formula_in_data")


@pytest.mark.parametrize("name", sorted(FALLBACK_VARIANTS))
def test_what_the_lean_reader_does_not_reproduce_goes_to_openpyxl(tmp_path, name):
    target = FALLBACK_VARIANTS[name](tmp_path / f"{name}.xlsx")
    snapshot = check_file(target)
    with pytest.raises(Exception):
        lean_grids(snapshot.data)
    try:
        expected = read_grids(snapshot)
    except Exception as exc:           # openpyxl refuses it: so must the fast reader, with the same message
        with pytest.raises(type(exc)) as caught:
            read_grids(snapshot, reader="fast")
        assert str(caught.value) == str(exc)
    else:
        assert read_grids(snapshot, reader="fast") == expected


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))
values = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                   st.floats(allow_nan=False, allow_infinity=False), texts)
cells = st.dictionaries(st.tuples(st.sampled_from(["单位信息", "公开01", "公开06", "其他"]),
                                  st.integers(1, 30), st.integers(1, 9)), values, max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=cells, shared=st.booleans())
def test_lean_reader_equals_read_grids_on_random_cells(tmp_path, cells, shared):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name in ("单位信息", "公开01", "其他", "公开06"):
        workbook.create_sheet(name)
    for (sheet, row, col), value in cells.items():
        cell = workbook[sheet].cell(row=row, column=col)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
    plain = tmp_path / "random.xlsx"
    workbook.save(plain)
    target = shared_strings_version(plain, tmp_path / "random_sst.xlsx") if shared and _has_two_texts(plain) else plain
    snapshot = check_file(target)
    expected = read_grids(snapshot)
    assert read_grids(snapshot, reader="fast") == expected
    try:
        lean = lean_grids(snapshot.data)         # the fast path itself, unless it declines (a huge whole number)
    except Exception:
        return
    assert lean == expected


def _has_two_texts(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return sum(len(INLINE.findall(archive.read(n).decode())) for n in archive.namelist()
                   if n.startswith("xl/worksheets/")) >= 2


DATE_FORMATS = ["yyyy-mm-dd", "yyyy年m月d日", "h:mm:ss", "[h]:mm", "[$-804]yyyy\"年\"m\"月\"", "mm:ss.0",
                "0.00;[Red]-0.00", "#,##0.00", '"天数"0', "[Red]0", "General", "@", "0%", "d", "\\d0", "_d0",
                "#,##0.00_);(#,##0.00)", "[$¥-804]#,##0.00", "0.00E+00", "yy;0", "0;yy", None]


@pytest.mark.parametrize("code", DATE_FORMATS)
def test_the_fast_readers_date_formats_are_openpyxls(code):
    """Numbers in date-formatted cells are dates to openpyxl: the fast reader, which does not
    import openpyxl, must see the same formats as dates to leave those files to it."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS
    from openpyxl.styles.numbers import is_date_format as openpyxl_is_date

    from juesuan.io.sheet_xml import BUILTIN_DATE_FORMATS, is_date_format
    assert is_date_format(code) == openpyxl_is_date(code)
    assert BUILTIN_DATE_FORMATS == {i for i, c in BUILTIN_FORMATS.items() if openpyxl_is_date(c)}
