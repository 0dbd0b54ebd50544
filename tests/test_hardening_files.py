"""Issue #13, writer and file safety: package parts kept, lock files, ownership, read-only
outputs, failed and interrupted saves, non-regular files, links, stale temporary files,
macros decided by the package, input formulas after a fill.

Runs as root in CI: ownership tests hand files to `nobody` with os.chown."""
from __future__ import annotations

import grp
import os
import posixpath
import pwd
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE_NAMES, sample_path

from juesuan.batch import find_workbooks
from juesuan.cli import main
from juesuan.io.atomic import write_atomically

XLSM_TEMPLATE = ROOT / "xlsx_templates" / "standard.xlsm"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def run_process(*args, timeout=120, preexec_fn=None):
    """The CLI in its own interpreter: what it prints at exit, and a hang, are seen."""
    return subprocess.run([sys.executable, "-m", "juesuan.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=preexec_fn, cwd=ROOT)


def ours(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~juesuan-"))


def copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


# --- 4: lock files of other office programs ------------------------------------------------------
@pytest.mark.parametrize("lock, program", [(".~lock.单位.xlsx#", "LibreOffice"), ("~$单位.xlsx", "Excel 或 WPS"),
                                           (".~单位.xlsx", "WPS")])
def test_a_workbook_open_in_libreoffice_or_wps_is_not_written(tmp_path, lock, program):
    path = copy(sample_path(SAMPLE_NAMES[0]), tmp_path / "单位.xlsx")
    before = path.read_bytes()
    (tmp_path / lock).write_text("clerk,host,clerk,01.12.2024 09:00;")
    result = run("check", path, "--write")
    assert result.exit_code == 2, result.output
    assert f"正在 {program} 中打开" in result.output and lock in result.output
    assert path.read_bytes() == before


def test_batch_does_not_list_lock_files(tmp_path):
    copy(sample_path(SAMPLE_NAMES[0]), tmp_path / "单位.xlsx")
    for lock in (".~lock.单位.xlsx#", "~$单位.xlsx", ".~单位.xlsx"):
        (tmp_path / lock).write_text("lock")
    assert [p.name for p in find_workbooks([tmp_path])] == ["单位.xlsx"]


# --- 6: owner, group and mode ---------------------------------------------------------------------
@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_writing_a_colleagues_file_keeps_its_owner_group_and_mode(tmp_path):
    path = copy(sample_path(SAMPLE_NAMES[0]), tmp_path / "单位.xlsx")
    nobody = pwd.getpwnam("nobody").pw_uid
    nogroup = grp.getgrnam("nogroup").gr_gid if "nogroup" in {g.gr_name for g in grp.getgrall()} else 65534
    os.chown(path, nobody, nogroup)
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    assert run("check", path, "--write").exit_code in (0, 1)
    st = path.stat()
    assert st.st_ino != inode                                    # it was really replaced
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (nobody, nogroup, 0o640)


# --- 7: read-only outputs of every kind -----------------------------------------------------------
@pytest.mark.parametrize("option, name", [("-o", "公开.csv"), ("-o", "公开.json"), ("-o", "公开.xlsx"),
                                          ("--pdf", "公开.pdf")])
def test_publish_refuses_a_read_only_target(tmp_path, option, name):
    target = tmp_path / name
    target.write_bytes(b"kept as it was")
    os.chmod(target, 0o444)
    args = ["publish", sample_path(SAMPLE_NAMES[0]), option, target, "--force"]
    if option == "--pdf":
        args += ["-o", tmp_path / "公开表.xlsx"]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "只读" in result.output
    assert target.read_bytes() == b"kept as it was"
    assert ours(tmp_path) == []


# --- 17: a failed or interrupted save leaves nothing open and nothing behind -----------------------
def _small_file_limit(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)        # writes past the limit fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("limit", [5000, 30000, 40000])    # breaking in a sheet stream, or in the zip itself
def test_a_save_on_a_full_disk_prints_one_message_and_closes_everything(tmp_path, limit):
    path = copy(sample_path("jinan_lixia_2023"), tmp_path / "单位.xlsx")
    before = path.read_bytes()
    done = run_process("check", path, "--write", preexec_fn=_small_file_limit(limit))
    assert done.returncode == 2, done.stderr
    assert "保存失败" in done.stderr and "原文件未被修改" in done.stderr
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert path.read_bytes() == before
    assert ours(tmp_path) == []


def test_an_interrupted_write_removes_its_temporary_file_and_raises_again(tmp_path):
    target = tmp_path / "公开.csv"
    target.write_bytes(b"old")

    def interrupted(temp: Path) -> None:
        temp.write_bytes(b"half of the n")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, interrupted)
    assert target.read_bytes() == b"old"
    assert ours(tmp_path) == []


# --- 18 and 20: only regular files are read; links say what is wrong ------------------------------
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "p.xlsx"
    os.mkfifo(fifo)
    done = run_process("check", fifo, timeout=60)
    assert done.returncode == 2
    assert "不是普通文件" in done.stderr and "FIFO" in done.stderr


def test_batch_over_a_folder_with_a_fifo_finishes(tmp_path):
    copy(sample_path(SAMPLE_NAMES[0]), tmp_path / "单位.xlsx")
    os.mkfifo(tmp_path / "p.xlsx")
    done = run_process("batch", tmp_path, timeout=120)
    assert done.returncode == 2
    assert "p.xlsx" in done.stdout + done.stderr and "不是普通文件" in done.stdout + done.stderr


@pytest.mark.parametrize("make, said", [
    (lambda d: (d / "x.xlsx").symlink_to(d / "不在.xlsx"), "链接指向的文件不存在"),
    (lambda d: ((d / "x.xlsx").symlink_to(d / "y.xlsx"), (d / "y.xlsx").symlink_to(d / "x.xlsx")), "链接循环"),
    (lambda d: (d / "x.xlsx").symlink_to("/dev/zero"), "不是普通文件"),
])
def test_a_broken_or_special_link_says_what_it_is(tmp_path, make, said):
    make(tmp_path)
    result = run("check", tmp_path / "x.xlsx")
    assert result.exit_code == 2
    assert said in result.output
    assert "文件不存在" not in result.output.replace("链接指向的文件不存在", "")


def test_a_link_to_a_regular_workbook_is_read(tmp_path):
    real = copy(sample_path(SAMPLE_NAMES[0]), tmp_path / "真实.xlsx")
    (tmp_path / "链接.xlsx").symlink_to(real)
    assert run("check", tmp_path / "链接.xlsx").exit_code in (0, 1)


def test_stale_temporary_files_of_ours_are_removed_by_the_next_write(tmp_path):
    stale = tmp_path / ".~juesuan-killed.xlsx"
    fresh = tmp_path / ".~juesuan-running.xlsx"      # another run writing right now
    other = tmp_path / ".~other-program.xlsx"
    for path in (stale, fresh, other):
        path.write_bytes(b"partial")
    two_hours_ago = time.time() - 7200
    for path in (stale, other):
        os.utime(path, (two_hours_ago, two_hours_ago))
    write_atomically(tmp_path / "公开.csv", b"a,b\n")
    assert not stale.exists()
    assert fresh.exists() and other.exists()


# --- 1: every relationship of a written package still resolves -------------------------------------
def dangling_relationships(path: Path) -> list[str]:
    """Every internal relationship target of the package that is not in it (an independent checker)."""
    problems = []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for rels in (n for n in names if n.endswith(".rels")):
            base = posixpath.dirname(posixpath.dirname(rels))
            for target, mode in re.findall(r'Target="([^"]*)"(?:[^>]*TargetMode="([^"]*)")?',
                                           archive.read(rels).decode("utf-8")):
                if mode == "External":
                    continue
                part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
                if part not in names:
                    problems.append(f"{rels} -> {target}")
        types = archive.read("[Content_Types].xml").decode("utf-8")
        for name in names:
            extension = name.rsplit(".", 1)[-1]
            if not name.endswith("/") and name != "[Content_Types].xml" and f'PartName="/{name}"' not in types \
                    and f'Extension="{extension}"' not in types:
                problems.append(f"{name}: no content type")
    return problems


def test_the_checker_sees_a_dangling_relationship(tmp_path):
    broken = tmp_path / "坏.xlsm"
    with zipfile.ZipFile(XLSM_TEMPLATE) as source, zipfile.ZipFile(broken, "w") as out:
        for info in source.infolist():
            if not info.filename.endswith("vmlDrawingButtons1.vml"):
                out.writestr(info, source.read(info))
    assert dangling_relationships(broken) == ["xl/worksheets/_rels/sheet1.xml.rels -> ../drawings/vmlDrawingButtons1.vml"]


@pytest.mark.parametrize("command", [("check", "--write"), ("fill", "--in-place")])
def test_the_shipped_macro_template_keeps_its_buttons_drawing(tmp_path, command):
    path = copy(XLSM_TEMPLATE, tmp_path / "标准.xlsm")
    assert dangling_relationships(path) == []
    with zipfile.ZipFile(path) as archive:
        buttons = archive.read("xl/drawings/vmlDrawingButtons1.vml")
    result = run(command[0], path, command[1])
    assert result.exit_code in (0, 1), result.output
    assert dangling_relationships(path) == []
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/drawings/vmlDrawingButtons1.vml") == buttons
        assert "xl/vbaProject.bin" in archive.namelist()


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_written_samples_have_no_dangling_relationship(tmp_path, name):
    path = copy(sample_path(name), tmp_path / "单位.xlsx")
    assert run("check", path, "--write").exit_code in (0, 1)
    assert dangling_relationships(path) == []
    assert run("fill", path, "-o", tmp_path / "填充.xlsx").exit_code in (0, 1)
    assert dangling_relationships(tmp_path / "填充.xlsx") == []


# --- 20: macros are decided by the package, not by the name -----------------------------------------
def test_an_xlsx_renamed_xlsm_may_be_saved_as_xlsx(tmp_path):
    renamed = copy(sample_path(SAMPLE_NAMES[0]), tmp_path / "改名.xlsm")
    result = run("fill", renamed, "-o", tmp_path / "副本.xlsx")
    assert result.exit_code in (0, 1), result.output
    assert "含宏" not in result.output
    with zipfile.ZipFile(tmp_path / "副本.xlsx") as archive:
        assert "macroEnabled" not in archive.read("[Content_Types].xml").decode()
        assert "xl/vbaProject.bin" not in archive.namelist()


def test_a_workbook_with_macros_is_still_kept_from_xlsx(tmp_path):
    book = copy(XLSM_TEMPLATE, tmp_path / "标准.xlsm")
    result = run("check", book, "-o", tmp_path / "副本.xlsx")
    assert result.exit_code == 2
    assert "含宏（VBA）" in result.output


# --- 3 (issue #12): a clerk's formula in an input cell keeps its result after fill -----------------
def test_an_input_formula_still_reads_as_its_value_after_fill_in_place(tmp_path):
    import fixtures_rich as F
    import openpyxl
    path = copy(sample_path("jinan_lixia_2023"), tmp_path / "单位.xlsx")
    wb = openpyxl.load_workbook(path)
    sheet = wb["公开05"]
    sheet["D9"] = "=100+0.5"          # 2010301 行政运行, 基本支出: an input cell (was 758.39)
    sheet["G9"] = "=C9*2"             # reads 小计 of that row, which fill recomputes: its result goes
    sheet["G10"] = "=E10+0"           # reads an input fill leaves alone: its result stays
    wb.save(path)
    F.with_results(path, {("公开05", "D9"): (None, "100.5"), ("公开05", "G9"): (None, "1516.78"),
                          ("公开05", "G10"): (None, "2985.44")})
    result = run("fill", path, "--in-place")
    assert result.exit_code in (0, 1), result.output
    assert "公开05!C9" in result.output                 # fill did write derived cells: 758.39 -> 100.5
    values = openpyxl.load_workbook(path, data_only=True)["公开05"]
    assert values["D9"].value == 100.5
    assert values["C9"].value == 100.5                  # 小计 = 基本支出 100.5 + 项目支出 (empty)
    assert values["G9"].value is None                   # its cached 1516.78 would now be wrong
    assert values["G10"].value == 2985.44
    assert openpyxl.load_workbook(path)["公开05"]["D9"].value == "=100+0.5"
    again = run("check", path, "--all")
    assert "E01" not in again.output, again.output


# --- 2: Excel 2010 extension content is not dropped silently ---------------------------------------
X14_VALIDATION = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    '<x14:formula1><xm:f>单位信息!$B$2:$B$5</xm:f></x14:formula1><xm:sqref>B7</xm:sqref>'
    '</x14:dataValidation></x14:dataValidations></ext></extLst>').encode("utf-8")


def with_cross_sheet_dropdown(target: Path) -> Path:
    import fixtures_rich as F
    source = sample_path(SAMPLE_NAMES[0])
    part = F.sheet_part(source, "公开02")
    xml = dict(F.members_of(source))[part]
    return F.rezip(source, target, {part: xml.replace(b"</worksheet>", X14_VALIDATION + b"</worksheet>")})


def test_a_cross_sheet_dropdown_refuses_the_write_in_place(tmp_path):
    path = with_cross_sheet_dropdown(tmp_path / "单位.xlsx")
    before = path.read_bytes()
    result = run("check", path, "--write")
    assert result.exit_code == 2, result.output
    assert "Excel 2010 扩展内容" in result.output and "-o" in result.output
    assert path.read_bytes() == before


def test_a_copy_of_a_book_with_extension_content_says_what_it_lacks(tmp_path):
    path = with_cross_sheet_dropdown(tmp_path / "单位.xlsx")
    result = run("check", path, "-o", tmp_path / "副本.xlsx")
    assert result.exit_code in (0, 1), result.output
    assert "Excel 2010 扩展内容" in result.output
