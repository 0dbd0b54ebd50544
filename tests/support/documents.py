"""Test documents for the importer: a Word .docx laid out like a seed (prose as paragraphs,
each run of tab-separated lines as one bordered Word table, a heading cell merged over the
blank cells that follow it), and PDFs rendered by LibreOffice, several files per call.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from juesuan.io.pdf import _profile_xcu, find_soffice, font_pairs, installed_families

FIGURE = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)\.\d{2}$")


def _markup_free(text: str) -> str:
    return re.sub(r"<[^>]+>|\*\*", "", text).lstrip("#").strip()


def seed_docx(text: str, target: Path) -> Path:
    """A .docx of a seed text: what a unit publishing in Word would hand over."""
    import docx

    book = docx.Document()
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if "\t" not in lines[i]:
            book.add_paragraph(_markup_free(lines[i]))
            i += 1
            continue
        block = []
        while i < len(lines) and "\t" in lines[i]:
            block.append([_markup_free(c) for c in lines[i].split("\t")])
            i += 1
        width = max(len(row) for row in block)
        table = book.add_table(rows=len(block), cols=width)
        table.style = "Table Grid"          # ruled, as published tables are (PDF table finding needs the rules)
        for row_cells, row in zip(table.rows, block):       # table.cell(r, c) is slow: rows once
            for cell, value in zip(row_cells.cells, row):
                cell.text = value
        _merge_heading(table, block[0], width)
    book.save(str(target))
    return target


def _merge_heading(table, first_row: list[str], width: int) -> None:
    """Merge a heading cell of the first row over the blank cells right of it (收入 | | | 支出 …)."""
    if any(FIGURE.match(c) for c in first_row):
        return
    cells = first_row + [""] * (width - len(first_row))
    start = 0
    while start < width:
        end = start + 1
        while end < width and cells[end] == "":
            end += 1
        if cells[start] and end - start > 1:
            table.cell(0, start).merge(table.cell(0, end - 1))
            table.cell(0, start).text = cells[start]
        start = end


def seed_sheet(text: str, target: Path) -> Path:
    """An .xlsx laying a seed text out as printed: prose in column A, each table line in ruled
    cells, every figure as the text printed. LibreOffice Calc renders it as a seed-style PDF
    (the machines we test on have Calc, not Writer, so the Word tables go to PDF this way)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side

    thin = Side(style="thin")
    ruled = Border(left=thin, right=thin, top=thin, bottom=thin)
    book = Workbook()
    sheet = book.active
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for column in "ABCDEFGHIJKLM":
        sheet.column_dimensions[column].width = 18
    lines = text.split("\n")
    parts_four = [i for i, line in enumerate(lines) if _markup_free(line).startswith("第四部分")]
    if len(parts_four) > 1:         # the body's Part 4 heading ends the narrative; what follows is not needed
        lines = lines[:parts_four[-1] + 1]
    for number, line in enumerate(lines, start=1):
        if "\t" not in line:
            sheet.cell(number, 1, _markup_free(line)[:40] or None)    # prose: the start is enough
            continue
        cells = [_markup_free(c) for c in line.split("\t")]
        # rows tall enough for their wrapped names (about 8 Chinese characters a line at width 18)
        sheet.row_dimensions[number].height = 15 * max(1, *(-(-len(c) // 8) for c in cells))
        width = max(len(cells), 3)
        for column in range(1, width + 1):
            value = cells[column - 1] if column <= len(cells) else ""
            target_cell = sheet.cell(number, column, value or None)
            target_cell.border = ruled
            target_cell.alignment = Alignment(wrap_text=True, vertical="center")   # a long name wraps in its cell
    book.save(str(target))
    return target


def render_pdfs(sources: list[Path], out_dir: Path) -> list[Path]:
    """PDFs of `sources` (xlsx, docx) in one LibreOffice call, with the CJK font substitutions
    the publication uses; returns the PDF beside each source name in `out_dir`."""
    soffice = find_soffice()
    profile = Path(tempfile.mkdtemp(prefix="juesuan-test-pdf-")) / "profile"
    pairs = font_pairs(installed_families())
    if pairs:
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_profile_xcu(pairs), encoding="utf-8")
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--nologo",
                    "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out_dir),
                    *map(str, sources)], check=True, capture_output=True, timeout=600, stdin=subprocess.DEVNULL)
    return [out_dir / (source.stem + ".pdf") for source in sources]
