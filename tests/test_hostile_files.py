"""Hostile and broken files: one clear Chinese message, exit code 2, fast, bytes untouched.

Each test builds the file for real (fixtures_rich), runs `juesuan check` on it
(plain and with --write) and checks: exit code 2, the message says what is
wrong in Chinese, no traceback, and the file's bytes are exactly what they were.
How fast a refusal is belongs to bench/, not to a pass/fail test on a shared machine.
"""
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import fixtures_rich as F
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import sample_path

from juesuan.cli import main
from juesuan.domain.errors import UnusableWorkbook
from juesuan.io.reader import read_grids, read_report


def run_check(path, *extra):
    return CliRunner().invoke(main, ["check", str(path), *extra])


def assert_refused(path, *phrases):
    """exit 2, every phrase in the message, no traceback, bytes unchanged — plain and with --write."""
    before = F.sha256(path)
    mtime = os.stat(path).st_mtime_ns
    for extra in ((), ("--write",)):
        result = run_check(path, *extra)
        text = result.output
        assert result.exit_code == 2, (extra, text, result.exception)
        assert isinstance(result.exception, SystemExit), result.exception   # not a crash
        assert "Traceback" not in text
        assert "无法使用" in text
        for phrase in phrases:
            assert phrase in text, (phrase, text)
        assert F.sha256(path) == before
        assert os.stat(path).st_mtime_ns == mtime
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".~juesuan-")]
    assert leftovers == []
    return result.output


def test_empty_file(tmp_path):
    path = tmp_path / "空文件.xlsx"
    path.write_bytes(b"")
    assert_refused(path, "文件是空的", "0 字节")


def test_truncated_zip(tmp_path):
    data = sample_path(F.BASE).read_bytes()
    path = tmp_path / "截断.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert_refused(path, "文件已损坏", "请从备份恢复")


def test_zip_truncated_inside_a_member(tmp_path):
    """Central directory intact, but a member's compressed bytes stop early."""
    source = sample_path(F.BASE)
    victim = F.sheet_part(source, "公开03")
    entries = []
    for name, data in F.members_of(source):
        entry = list(F.honest_entry(name, data))
        if name == victim:
            entry[1] = entry[1][: len(entry[1]) // 3]
        entries.append(tuple(entry))
    path = tmp_path / "成员截断.xlsx"
    path.write_bytes(F.raw_zip(entries))
    assert_refused(path, "文件已损坏")


def test_corrupt_zip(tmp_path):
    path = F.corrupt_member(tmp_path / "损坏.xlsx")
    assert_refused(path, "文件已损坏", "请从备份恢复")


def test_zip_bomb_declared_sizes(tmp_path):
    path = F.zip_bomb(tmp_path / "炸弹.xlsx", lie=False)
    with zipfile.ZipFile(path) as archive:   # the bomb is what it says: gigabytes declared
        assert max(i.file_size for i in archive.infolist()) >= 2 * 2**30
    assert_refused(path, "zip 炸弹", "已拒绝打开")


def test_zip_bomb_with_lying_sizes(tmp_path):
    """Declared sizes copied from the honest sheet: only stream-inflating with a cap finds the bomb."""
    path = F.zip_bomb(tmp_path / "说谎的炸弹.xlsx", lie=True)
    with zipfile.ZipFile(path) as archive:
        assert max(i.file_size for i in archive.infolist()) < 2**20
    assert_refused(path, "zip 炸弹", "已拒绝打开")


def test_billion_laughs(tmp_path):
    path = F.xml_attack(tmp_path / "十亿笑.xlsx", "laughs")
    assert_refused(path, "XML 实体声明", "疑似恶意文件")


def test_external_entity(tmp_path):
    path = F.xml_attack(tmp_path / "外部实体.xlsx", "external")
    assert_refused(path, "XML 实体声明", "疑似恶意文件")


@pytest.mark.parametrize("kind", ["laughs", "external"])
def test_defusedxml_is_the_second_line(tmp_path, kind):
    """Behind our DTD scan, openpyxl itself must refuse (defusedxml), and we say so in Chinese."""
    assert openpyxl.xml.DEFUSEDXML is True
    path = F.xml_attack(tmp_path / f"{kind}.xlsx", kind)
    with pytest.raises(Exception) as caught:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for ws in wb.worksheets:
            list(ws.iter_rows(values_only=True))
    chain, exc = [], caught.value
    while exc is not None:
        chain.append(type(exc).__module__)
        exc = exc.__cause__ or exc.__context__
    # defusedxml refuses; where lxml is installed (python-docx brings it) openpyxl parses sheets
    # with lxml, whose own limits stop the entity loop first
    assert any(m.startswith(("defusedxml", "lxml")) for m in chain), chain
    with pytest.raises(UnusableWorkbook) as refused:
        read_grids(path)          # no safety scan here: openpyxl parses, defusedxml stops it
    assert "XML 实体声明" in refused.value.message


def test_password_protected_workbook(tmp_path):
    pytest.importorskip("msoffcrypto")
    path = F.office_encrypted(sample_path(F.BASE), tmp_path / "加密.xlsx")
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert_refused(path, "打开密码", "取消密码")


def test_password_protected_workbook_hand_built(tmp_path):
    path = F.hand_encrypted(tmp_path / "加密2.xlsx")
    assert_refused(path, "打开密码")


@pytest.mark.parametrize("name", ["旧版.xls", "旧版改名.xlsx"])
def test_legacy_xls(tmp_path, name):
    path = F.legacy_xls(tmp_path / name)
    olefile = pytest.importorskip("olefile")   # the hand-built compound file is a real one
    assert ["Workbook"] in olefile.OleFileIO(str(path)).listdir()
    assert_refused(path, "Excel 97-2003", "另存为")


def test_csv_renamed_to_xlsx(tmp_path):
    path = tmp_path / "其实是CSV.xlsx"
    path.write_text("项目,金额\n一般公共预算财政拨款收入,123.45\n", encoding="gbk")
    assert_refused(path, "改了扩展名的 CSV")


def test_right_sheet_names_garbage_layout(tmp_path):
    path = F.garbage_layout(tmp_path / "格式乱.xlsx")
    assert_refused(path, "不是标准格式", "公开01")


def test_not_a_workbook_zip(tmp_path):
    path = tmp_path / "压缩包.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "不是工作簿")
    assert_refused(path, "不是 Excel 工作簿")


def test_oversized_sheet_is_refused(tmp_path):
    """20,100 rows in a table: not a disclosure table, a clear message instead of minutes of parsing."""
    source = sample_path(F.BASE)
    part = F.sheet_part(source, "公开02")
    with zipfile.ZipFile(source) as archive:
        body = archive.read(part)
    rows = b"".join(b'<row r="%d"><c r="A%d" t="n"><v>1</v></c></row>' % (r, r) for r in range(200, 20300))
    body = body.replace(b"</sheetData>", rows + b"</sheetData>", 1)
    path = F.rezip(source, tmp_path / "超长.xlsx", {part: body})
    result = run_check(path)
    assert result.exit_code == 2 and "超过 20000 行" in result.output


def test_chinese_path_with_spaces_works(tmp_path):
    folder = tmp_path / "济南 历下区" / "2023 年 决算"
    folder.mkdir(parents=True)
    path = folder / "部门 决算 公开（定稿）.xlsx"
    shutil.copy(sample_path(F.BASE), path)
    result = run_check(path)
    assert result.exit_code in (0, 1), result.output
    assert "错误" in result.output and "无法使用" not in result.output
    result = run_check(path, "--write")
    assert result.exit_code in (0, 1), result.output
    assert "审核结果" in openpyxl.load_workbook(path, read_only=True).sheetnames


def test_read_only_file_with_write(tmp_path):
    path = F.copy_sample(tmp_path / "只读.xlsx")
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = F.sha256(path)
    try:
        result = run_check(path, "--write")
        assert result.exit_code == 2, result.output
        assert "只读" in result.output and "-o" in result.output
        assert "Traceback" not in result.output
        assert F.sha256(path) == before
        assert [p.name for p in tmp_path.iterdir()] == ["只读.xlsx"]
        plain = run_check(path)          # reading a read-only file is fine
        assert plain.exit_code in (0, 1)
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def test_workbook_open_in_excel_is_not_written(tmp_path):
    path = F.copy_sample(tmp_path / "正在编辑.xlsx")
    (tmp_path / "~$正在编辑.xlsx").write_bytes(b"\x00" * 165)    # Excel's owner file
    before = F.sha256(path)
    result = run_check(path, "--write")
    assert result.exit_code == 2 and "正在 Excel 或 WPS 中打开" in result.output
    assert F.sha256(path) == before


def test_missing_file_and_folder(tmp_path):
    result = run_check(tmp_path / "没有这个文件.xlsx")
    assert result.exit_code == 2 and "文件不存在" in result.output
    folder = tmp_path / "文件夹.xlsx"
    folder.mkdir()
    result = run_check(folder)
    assert result.exit_code == 2 and "文件夹" in result.output


def test_real_process_prints_no_traceback(tmp_path):
    """The installed command, in its own process: exit 2 and one Chinese line per file."""
    files = [F.zip_bomb(tmp_path / "炸弹.xlsx", lie=True), F.legacy_xls(tmp_path / "旧.xls"),
             F.xml_attack(tmp_path / "笑.xlsx", "laughs")]
    hashes = [F.sha256(p) for p in files]
    done = subprocess.run([sys.executable, "-m", "juesuan.cli", "check", *map(str, files), "--write"],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.count("无法使用") == 3
    assert [F.sha256(p) for p in files] == hashes


def test_read_report_refuses_before_openpyxl_sees_a_bomb(tmp_path):
    """The reader itself (not only the CLI) refuses, with the Chinese message on the exception."""
    path = F.zip_bomb(tmp_path / "b.xlsx", lie=True)
    with pytest.raises(UnusableWorkbook) as caught:
        read_report(path)
    assert "zip 炸弹" in caught.value.message


def test_lying_dimension_does_not_hide_rows(tmp_path):
    """A writer that declares <dimension ref="A1:B2"> must not make rows silently disappear."""
    import re
    source = sample_path(F.BASE)
    part = F.sheet_part(source, "公开03")
    with zipfile.ZipFile(source) as archive:
        body = archive.read(part)
    lying = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', body, count=1)
    assert lying != body
    path = F.rezip(source, tmp_path / "尺寸错.xlsx", {part: lying})
    honest = read_report(source).tables["公开03"]
    read = read_report(path).tables["公开03"]
    assert [(r.code, r.name, {n: c.value for n, c in r.cells.items()}) for r in read.rows] == \
           [(r.code, r.name, {n: c.value for n, c in r.cells.items()}) for r in honest.rows]
    assert len(honest.rows) > 3
