"""Issue 12, "Small, while there": printing, the template's unused cells and 年度 validation,
publication page numbers, 公开06 column groups, Simplified Chinese faces in the PDF, and
check's screen showing which warnings carry a 备注."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import needs_soffice, sample_path

from juesuan.cli import main
from juesuan.domain.catalog import load_catalog
from juesuan.domain.layout import layout_of
from juesuan.domain.samples import report_from_sample
from juesuan.domain.schema import TABLES
from juesuan.io.pdf import pdf_pages, workbook_to_pdf
from juesuan.io.publication_xlsx import render_workbook
from juesuan.io.reader import read_report
from juesuan.io.template_xlsx import build_workbook
from juesuan.views.publication import build_publication
from juesuan.views.review import NOTE_COLUMN, RULE_COLUMN

ROOT = Path(__file__).resolve().parent.parent


def _to_pdf(workbook, tmp_path: Path, name: str) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    src = tmp_path / f"{name}.xlsx"
    workbook.save(src)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                   capture_output=True, text=True, timeout=240)
    return tmp_path / f"{name}.pdf"


def _sample_workbook():
    data = json.loads((ROOT / "samples" / "data" / "jinan_lixia_2023.json").read_text(encoding="utf-8"))
    return build_workbook(load_catalog(), report_from_sample(data))


# -- 1. printing the working workbook

def test_code_tables_print_only_rows_in_use():
    wb = _sample_workbook()
    for table_id, spec in TABLES.items():
        ws = wb[table_id]
        if spec.kind == "code":
            last_code_row = max([layout_of(table_id).first_data_row] + [
                r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").isdigit()])
            assert ws.print_area is not None, table_id
            assert ws.print_area.endswith(f"${last_code_row}"), (table_id, ws.print_area)
        else:
            assert ws.page_setup.fitToHeight == 1, table_id


@needs_soffice
def test_working_workbook_prints_few_pages_and_01_on_one(tmp_path):
    pages = pdf_pages(_to_pdf(_sample_workbook(), tmp_path, "sample"))
    assert pages is not None and pages <= 15, pages
    template = pdf_pages(_to_pdf(build_workbook(load_catalog()), tmp_path, "template"))
    assert template is not None and template <= 15, template
    only01 = _sample_workbook()
    for name in only01.sheetnames:
        if name != "公开01":
            only01.remove(only01[name])
    assert pdf_pages(_to_pdf(only01, tmp_path, "only01")) == 1


# -- 2. template: unused cells and 年度

def test_unlabelled_lines_do_not_look_like_inputs():
    wb = build_workbook(load_catalog())
    lay01 = layout_of("公开01")
    row9, _ = lay01.line_rows["9"]
    row30, _ = lay01.line_rows["30"]
    row27, _ = lay01.line_rows["27"]
    derived = wb["公开01"].cell(row27, 3).fill
    for ws, row in ((wb["公开01"], row9), (wb["公开01"], row30),
                    (wb["公开04"], layout_of("公开04").line_rows["9"][0])):
        cell = ws.cell(row, 3)
        assert cell.fill.fill_type not in (None, "none"), (ws.title, cell.coordinate)
        assert (cell.fill.fill_type, cell.fill.fgColor.rgb) != (derived.fill_type, derived.fgColor.rgb)
        assert cell.border.left.style == "thin"


def test_year_cell_is_validated():
    wb = build_workbook(load_catalog())
    ws = wb["单位信息"]
    found = [dv for dv in ws.data_validations.dataValidation if "B4" in str(dv.sqref)]
    assert found, "no validation on 年度"
    assert "四位年份" in (found[0].prompt or "") and found[0].showInputMessage


# -- 3. publication

def _published():
    report = read_report(sample_path("liaocheng_bjb_2024"))
    return render_workbook(build_publication(report))


def test_published_sheets_carry_page_numbers():
    for ws in _published().worksheets:
        assert "&P" in (ws.oddFooter.center.text or "") and "&N" in ws.oddFooter.center.text, ws.title


REGIONAL_CHARACTERS = "直骨"     # drawn differently in Simplified Chinese and Japanese (and in each Noto CJK face)


def _collection_face(family: str):
    """(font file, face index) fontconfig gives for `family`; None unless it is that family itself."""
    fc_match = shutil.which("fc-match")
    if not fc_match:
        return None
    out = subprocess.run([fc_match, "-f", "%{family}|%{file}|%{index}", f"{family}:style=Regular"],
                         capture_output=True, text=True).stdout
    families, file, index = out.split("|")
    return (file, int(index)) if family in families.split(",") else None


def _glyph_shape(image):
    """The ink of `image` cropped, scaled to 96×48 and made black and white: comparable across renderers."""
    from PIL import ImageOps
    gray = image.convert("L")
    return gray.crop(ImageOps.invert(gray).getbbox()).resize((96, 48)).point(lambda v: 0 if v < 128 else 255)


def _pixels_apart(a, b) -> int:
    from PIL import ImageChops
    return sum(ImageChops.difference(a, b).histogram()[1:])


@needs_soffice
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
@pytest.mark.parametrize("font, family", [("宋体", "Noto Serif CJK"), ("黑体", "Noto Sans CJK")])
def test_pdf_prints_simplified_chinese_glyph_forms(tmp_path, monkeypatch, font, family):
    """With Debian's Noto CJK collections (fonts-noto-cjk), the PDF's glyphs are the Simplified Chinese
    forms even on a machine whose locale is Japanese: 直 and 骨 as printed match the SC face, not the JP
    one. LibreOffice picks a CJK font's regional forms by the text's language (OpenType locl), which an
    .xlsx does not carry, so the conversion profile says zh-CN. (pdffonts still names the font
    NotoSerifCJKjp-Regular: every face of a Noto CJK .ttc shares one CFF table whose internal name is
    the JP one, and LibreOffice names the embedded font by it.) 宋体: body text, 黑体: titles."""
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    monkeypatch.setenv("LC_ALL", "ja_JP.UTF-8")
    pytest.importorskip("PIL")
    from PIL import Image, ImageDraw, ImageFont
    simplified, japanese = _collection_face(f"{family} SC"), _collection_face(f"{family} JP")
    if simplified is None or japanese is None or simplified[0] != japanese[0]:
        pytest.skip(f"{family} SC/JP are not installed as one collection (fonts-noto-cjk)")
    workbook = openpyxl.Workbook()
    cell = workbook.active["A1"]
    cell.value = REGIONAL_CHARACTERS
    cell.font = openpyxl.styles.Font(name=font, size=72)
    workbook.active.row_dimensions[1].height = 100
    workbook.active.column_dimensions["A"].width = 40
    workbook_to_pdf(workbook, tmp_path / "glyphs.pdf")
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(tmp_path / "glyphs.pdf"),
                    str(tmp_path / "page")], check=True)
    printed = _glyph_shape(Image.open(next(tmp_path.glob("page*.png"))))

    def drawn(face):
        image = Image.new("L", (400, 200), 255)
        ImageDraw.Draw(image).text((20, 20), REGIONAL_CHARACTERS, fill=0,
                                   font=ImageFont.truetype(face[0], 120, index=face[1]))
        return _glyph_shape(image)
    to_sc, to_jp = _pixels_apart(printed, drawn(simplified)), _pixels_apart(printed, drawn(japanese))
    # the SC and JP drawings differ in about 900 of 4608 pixels; the printed glyphs sit within a
    # few percent of the SC face (rasteriser and scaling), far from the JP one
    assert to_sc * 4 < to_jp, (to_sc, to_jp)


# -- 4. check shows which warnings carry a 备注

def test_check_marks_warnings_with_a_note(tmp_path):
    book = tmp_path / "a.xlsx"
    shutil.copy(sample_path("jinan_lixia_2023"), book)
    assert CliRunner().invoke(main, ["check", str(book), "--write"]).exit_code in (0, 1)
    wb = openpyxl.load_workbook(book)
    ws = wb["审核结果"]
    noted = 0
    for row in ws.iter_rows(min_row=1):
        if row[RULE_COLUMN - 1].value == "E06" and noted == 0:
            row[NOTE_COLUMN - 1].value = "名称按本单位批复口径填写，已与财政部门核对一致，无需修改，特此说明备查"
            noted += 1
    wb.save(book)
    out = CliRunner().invoke(main, ["check", str(book)]).output
    marked = [line for line in out.splitlines() if "（已说明：" in line]
    assert len(marked) == 1 and "[警告]" in marked[0], out
    note = "名称按本单位批复口径填写，已与财政部门核对一致，无需修改，特此说明备查"
    assert f"（已说明：{note[:30]}…）" in marked[0], marked
    assert "其中 1 条已说明" in out


def test_font_substitution_prefers_standalone_simplified_chinese_faces():
    from juesuan.io.pdf import font_pairs
    installed = {"Noto Serif CJK JP", "Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif SC", "Noto Sans SC"}
    assert dict(font_pairs(installed)) == {"宋体": "Noto Serif SC", "仿宋": "Noto Serif SC", "黑体": "Noto Sans SC"}
    assert dict(font_pairs({"Noto Serif CJK SC", "Noto Sans CJK SC"}))["宋体"] == "Noto Serif CJK SC"
