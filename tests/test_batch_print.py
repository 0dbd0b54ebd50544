"""The batch summary printed: the 汇总 of samples + samples/broken through LibreOffice to PDF, read
back with pdftotext -bbox. A reviewer must be able to read it on A4 landscape: counts stand under
their own headers, and the text is not shrunk to fit a too-wide sheet."""
from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLES, needs_soffice

from juesuan.cli import main
from juesuan.io.pdf import workbook_to_pdf

pytestmark = [needs_soffice,
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")]
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@pytest.fixture(scope="module")
def first_page(tmp_path_factory) -> list[tuple[float, float, float, float, str]]:
    folder = tmp_path_factory.mktemp("print")
    report = folder / "汇总.xlsx"
    result = CliRunner().invoke(main, ["batch", str(SAMPLES), str(SAMPLES / "broken"), "-j", "1", "--report", str(report)])
    assert report.exists(), result.output
    pdf = folder / "汇总.pdf"
    assert workbook_to_pdf(openpyxl.load_workbook(report), pdf) >= 2      # 汇总, then 全部问题
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in WORD.findall(text)]


def _centre(word) -> float:
    return (word[0] + word[2]) / 2


@pytest.mark.parametrize("header", ["错误", "未说明", "已说明", "提示"])
def test_every_count_stands_centred_under_its_own_header(first_page, header):
    heading = next(w for w in first_page if w[4] == header)
    # the first line of each workbook's row: where its status stands (cells are top-aligned)
    row_tops = {w[1] for w in first_page if w[1] > heading[3] and w[4].startswith(("无法使用", "有错误", "有警告", "通过"))}
    counts = [w for w in first_page if w[4].isdigit() and w[1] in row_tops and abs(_centre(w) - _centre(heading)) < 12]
    # page 1 holds at least the five broken workbooks with errors (samples/broken/README.md)
    assert len(counts) >= 5
    assert all(abs(_centre(w) - _centre(heading)) < 1.5 for w in counts), (heading, counts)


def test_the_text_prints_at_a_readable_size(first_page):
    """The body font is 10 pt: a CJK character is 10 pt wide at 100 %; below 8 pt (80 %) a
    printed page gets hard to read, as the old summary was (shrunk to about 55 %)."""
    name = "济南市历下区人民政府办公室"            # the Jinan unit (samples/data), 13 characters on one line
    word = next(w for w in first_page if w[4] == name)
    assert (word[2] - word[0]) / len(name) >= 8.0


def test_the_count_lines_and_the_warning_status_are_on_the_first_page(first_page):
    words = [w[4] for w in first_page]
    assert {"无法使用", "有错误", "有警告", "通过"} <= set(words)              # the count lines
    assert any(w.startswith("有警告（未说明") for w in words)                # sangong_over_budget's row
