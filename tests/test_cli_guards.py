"""The command line never overwrites what the clerk did not ask it to, and prints names safely."""
import os
import shutil
import subprocess
import sys

import openpyxl
from click.testing import CliRunner
from conftest import sample_path

from juesuan.cli import main
from juesuan.console import INTERRUPTED, INTERRUPTED_MESSAGE


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def test_template_refuses_an_existing_file_unless_forced(tmp_path):
    filled = tmp_path / "单位.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), filled)
    before = filled.read_bytes()
    code, text = run("template", "-o", filled)
    assert code == 2 and "已存在" in text and "--force" in text, text
    assert filled.read_bytes() == before
    code, text = run("template", "-o", filled, "--force")
    assert code == 0, text
    assert openpyxl.load_workbook(filled)["单位信息"]["B3"].value is None     # a blank template now


def test_output_naming_the_input_is_refused(tmp_path):
    book = tmp_path / "单位.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), book)
    link = tmp_path / "同一个.xlsx"
    os.symlink(book, link)
    before = book.read_bytes()
    for args in (("check", book, "-o", book), ("fill", book, "-o", book), ("check", book, "-o", link),
                 ("fill", book, "-o", link), ("publish", book, "-o", link.with_suffix(".xlsx"))):
        code, text = run(*args)
        assert code == 2 and "就是原工作簿" in text, (args, text)
    assert book.read_bytes() == before


def test_an_empty_output_name_is_refused(tmp_path):
    book = tmp_path / "单位.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), book)
    for command in ("check", "fill"):
        code, text = run(command, book, "-o", "")
        assert code == 2 and "输出文件名不能为空" in text, text


def test_control_characters_in_names_reach_the_terminal_escaped(tmp_path):
    book = tmp_path / "e\x1b[2Jvil\u202e.xlsx"
    shutil.copy(sample_path("liaocheng_bjb_2024"), book)
    wb = openpyxl.load_workbook(book)
    wb["单位信息"]["B3"].value = "单位\x9b31m\u202e名称"
    wb.save(book)
    for args in (("check", book), ("check", book, "--format", "json")):
        code, text = run(*args)
        assert code == 0, text
        assert not any(ch in text for ch in "\x1b\x9b\u202e"), repr(text)
        assert "\\u001b[2Jvil\\u202e.xlsx" in text and "单位\\u009b31m\\u202e名称" in text


def test_interrupt_is_one_chinese_line_and_exit_130():
    script = ("import os, signal, juesuan.console as c; signal.signal(signal.SIGINT, c._interrupted); "
              "os.kill(os.getpid(), signal.SIGINT); import time; time.sleep(5)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == INTERRUPTED
    assert done.stderr.strip() == INTERRUPTED_MESSAGE
    assert "Traceback" not in done.stderr


def test_batch_on_a_folder_that_does_not_exist_says_so(tmp_path):
    code, text = run("batch", tmp_path / "没有这个")
    assert code == 2 and "没有这个文件夹或文件" in text and "共审核" not in text, text


def year_typed_with_its_unit(tmp_path):
    book = tmp_path / "单位.xlsx"
    shutil.copy(sample_path("jinan_lixia_2023"), book)
    wb = openpyxl.load_workbook(book)
    wb["单位信息"]["B4"].value = "2023年"
    wb.save(book)
    return book


def test_hidden_infos_are_named_by_kind_and_years_are_not_doubled(tmp_path):
    code, text = run("check", year_typed_with_its_unit(tmp_path))
    assert "2023年年度" not in text and "2023年度" in text, text
    hidden = [line for line in text.splitlines() if "另有" in line]
    assert hidden and "尾差" in hidden[0] and "多为" not in hidden[0], text


def test_fill_says_which_cells_it_could_not_compute(tmp_path):
    code, text = run("fill", sample_path("liaocheng_bjb_2024").parent / "broken" / "text_in_amount.xlsx")
    blocked = [line for line in text.splitlines() if "F04" in line]
    assert len(blocked) == 1 and "公开05!D9" in blocked[0] and "未计算" in blocked[0], text


def test_a_year_typed_with_its_unit_is_a_year(tmp_path):
    code, text = run("check", year_typed_with_its_unit(tmp_path))
    assert code == 0 and "年度“2023年”不是" not in text, text
