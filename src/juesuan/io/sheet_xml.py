"""What every grid reader (and the writer's formula-cache restoration) shares about sheets.

* which sheets are read in full, and how their rows are shaped (``sheet_rows``:
  the grid `check` has always seen, whatever reads the cells);
* the worksheet XML read directly: sheet name -> zip member, formula cells with
  their cached results, and formulas a program wrote without a result
  (``mark_uncalculated``: handed on as parse.Formula instead of a blank).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from io import BytesIO

from ..domain.errors import UnusableWorkbook
from ..domain.facts import HINT_COL
from ..domain.layout import layout_of
from ..domain.schema import DATA_SHEETS, FACT_SHEETS, INFO_SHEET, TABLE_IDS
from ..rules.parse import Formula
from .safety import Snapshot

MAX_ROWS = 20000                      # per standard sheet; a real one has at most a few hundred
MAX_COL = max(layout_of(t).last_col for t in TABLE_IDS)


def is_standard_sheet(name: str) -> bool:
    """单位信息, 公开01–09, 上年数 and 其他公开事项: the sheets read in full (others appear by name, with no rows)."""
    return name in DATA_SHEETS


def usual_width(name: str) -> int:
    """How far right a standard sheet's cells reach as the template lays it out: a guess the fast
    reader's scans start from (a sheet that reaches further is scanned in full, not misread)."""
    if name in TABLE_IDS:
        return layout_of(name).last_col
    return HINT_COL if name in FACT_SHEETS else MAX_COL


def sheet_rows(sheet, where: str) -> list[tuple]:
    """Every row of openpyxl's read-only sheet, padded to a common width (see shape_rows).

    The sheet's <dimension> is not used at all: a program that wrote it too small would
    make openpyxl stop early and rows would silently go missing, and one that declares
    A1:XFD1048576 would have us pad the grid to 17 billion cells. The grid is as wide as
    the cells present, and never wider than the widest table (nothing reads further right).

    Each cell goes where its reference puts it, as Excel's file format says and as LibreOffice,
    python-calamine (the fast reader) and openpyxl's full load (fill's writer) place it. openpyxl's
    read-only rows would put a cell in the <row> it stands in, keep one cell per column of a <row>
    and cut a row at its last cell, so a cell written in the wrong <row> or out of column order
    would be read elsewhere or not at all: the cells are taken from openpyxl's own sheet parser
    instead, as that iteration takes them (_raw_rows). A cell named twice keeps its last value,
    and a later empty one erases nothing (LibreOffice and calamine alike). Cells right of the
    widest table are not read and do not widen the grid; rows past the last <row> count up to
    the last one that holds something.
    """
    placed: dict[int, dict[int, object]] = {}
    height = width = valued = 0
    for number, cells in _raw_rows(sheet):
        height = max(height, number)          # (every <row> counts, even an empty one, in any order)
        if height > MAX_ROWS:
            raise _too_many_rows(sheet, where)
        for cell in cells:
            column = cell["column"]
            if column > MAX_COL:
                continue
            row = placed.setdefault(cell["row"], {})
            if cell["value"] is not None or column not in row:   # (a later empty cell erases nothing)
                row[column] = cell["value"]
            width = max(width, column)
            if cell["value"] not in (None, ""):
                valued = max(valued, cell["row"])
    height = max(height, valued)      # (a cell naming a row past the last <row> counts if it holds something)
    if height > MAX_ROWS:
        raise _too_many_rows(sheet, where)
    blank: dict[int, object] = {}
    columns = range(1, width + 1)
    return shape_rows([tuple(map(placed.get(number, blank).get, columns)) for number in range(1, height + 1)])


def _raw_rows(sheet):
    """(row number, [cell dicts: row, column, value…]) of every <row> of a read-only sheet, exactly
    as openpyxl parses them for its own row iteration (ReadOnlyWorksheet._cells_by_row, openpyxl
    3.1: the pinned range), before that iteration shapes them into rows."""
    from openpyxl.worksheet._reader import WorkSheetParser     # (only this path loads openpyxl)

    book = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=book.data_only, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        yield from parser.parse()


def _too_many_rows(sheet, where: str) -> UnusableWorkbook:
    return UnusableWorkbook(f"工作表“{sheet.title}”超过 {MAX_ROWS} 行，不像决算公开表：请删除表格下方多余的行后重试", where)


EXACT_INTEGERS = 2 ** 53     # below, a float holds every integer exactly


def shape_rows(rows: list[tuple]) -> list[tuple]:
    """The grid every file reader hands on: rows padded to a common width, an empty text as
    blank, and a whole number as an int whether the file wrote it 12, 12.0 or 1.2E1 (readers
    differ there; Excel shows them alike, and so must the findings)."""
    width = max([len(r) for r in rows], default=0)
    shaped = []
    for row in rows:
        if "" in row or any(v.__class__ is float for v in row):
            row = tuple(_plain(v) for v in row)
        shaped.append(row if len(row) == width else row + (None,) * (width - len(row)))
    return shaped


def _plain(value):
    if value == "" and value.__class__ is str:
        return None
    if value.__class__ is float and value.is_integer() and abs(value) < EXACT_INTEGERS:
        return int(value)
    return value


# openpyxl.styles.numbers: the built-in number formats that are dates or times, and
# is_date_format for the others (openpyxl turns numbers in such cells into dates). A unit
# test compares these with openpyxl's own on many formats.
BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_FORMAT_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_CODE = re.compile(r"(?<![_\\])[dmhysDMHYS]")


def is_date_format(code: str | None) -> bool:
    """openpyxl.styles.numbers.is_date_format, without importing openpyxl."""
    if code is None:
        return False
    return _DATE_CODE.search(_FORMAT_STRIP.sub("", code.split(";")[0])) is not None


_UTF8 = re.compile(rb'<(?!\?xml)|<\?xml(?![^>]*encoding)|<\?xml[^>]*encoding=["\'](?i:utf-8)["\']')
_NUMBER_FORMAT_ID = re.compile(rb'numFmtId="([0-9]+)"')
_NUMBER_FORMAT = re.compile(rb'<numFmt numFmtId="[0-9]+" formatCode="([^"\t\n\r]*)"\s*/>')


def plainly_without_dates(styles: bytes) -> bool:
    """True when the styles part (well-formed: expat read it) is UTF-8, names no built-in date
    format (numFmtId="N", every one of them) and defines none (every formatCode, in numFmt elements
    as Excel writes them): no cell style is then a date, whatever the elements around. One scan each;
    False sends the part to a full parse."""
    codes = _NUMBER_FORMAT.findall(styles)
    return bool(_UTF8.match(styles) and len(codes) == styles.count(b"formatCode")
                and not any(is_date_format(xml_unescape(c.decode("utf-8"))) for c in codes)
                and len(ids := _NUMBER_FORMAT_ID.findall(styles)) == styles.count(b"numFmtId")
                and BUILTIN_DATE_FORMATS.isdisjoint(map(int, set(ids))))


# --- cells in the sheet XML ----------------------------------------------------------------
CELL_RE = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
REF_RE = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
TYPE_RE = re.compile(rb'\bt="(\w+)"')
FORMULA_RE = re.compile(rb'<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)', re.S)
_EMPTY_VALUE = re.compile(rb'<(?:\w+:)?v\b[^>]*?(?:/>|>\s*</(?:\w+:)?v>)')
VALUE_RE = re.compile(rb'<(?:\w+:)?v\b[^>]*>(.+?)</(?:\w+:)?v>', re.S)
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


_CHARACTER_REFERENCE = re.compile(r"&#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}));")


def _character(match) -> str:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return chr(code) if 0 < code <= 0x10FFFF else match.group(0)


def xml_unescape(text: str) -> str:
    """The text of raw XML: the five entities and character references (openpyxl writes every
    character beyond ASCII in a formula as &#NNNNN;), &amp; last so that "&amp;lt;" stays "&lt;"."""
    if "&" not in text:
        return text
    text = _CHARACTER_REFERENCE.sub(_character, text)
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its worksheet XML."""
    from defusedxml.ElementTree import (
        fromstring,  # (here: reading grids never needs it)
    )
    workbook = fromstring(archive.read("xl/workbook.xml"))
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts = {}
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet") and sheet.get(_REL_NS) in targets:
            target = targets[sheet.get(_REL_NS)]
            parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
    return parts


def cached_formula_values(data: bytes) -> dict[str, dict[bytes, tuple[bytes | None, bytes]]]:
    """Sheet name -> {b"C7": (t attribute or None, raw <v> text)} for every formula cell that
    carries a result: what a spreadsheet computed, which openpyxl does not write back."""
    found: dict[str, dict[bytes, tuple[bytes | None, bytes]]] = {}
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for name, part in sheet_parts(archive).items():
            try:
                xml = archive.read(part)
            except KeyError:
                continue
            cells = {}
            for match in formula_cells(xml):
                body = match.group(2)
                if not body or FORMULA_RE.search(body) is None:
                    continue
                value, ref = VALUE_RE.search(body), REF_RE.search(match.group(1))
                kind = TYPE_RE.search(match.group(1))
                kind = kind.group(1) if kind else None
                if ref is None:
                    continue
                if value is not None:
                    cells[ref.group(1) + ref.group(2)] = (kind, value.group(1))
                elif kind == b"str" and _EMPTY_VALUE.search(body):
                    cells[ref.group(1) + ref.group(2)] = (kind, b"")     # the result is the empty string
            if cells:
                found[name] = cells
    return found


def _first_marked_row(name: str) -> int:
    """Formulas without a value are marked from the first data row on: headings above carry
    such formulas in every workbook we generate, and need no marking."""
    return 3 if name == INFO_SHEET or name in FACT_SHEETS else layout_of(name).first_data_row


def mark_uncalculated(snapshot: Snapshot, grids: dict[str, list[tuple]]) -> None:
    """Put parse.Formula in the blank grid cells whose XML holds a formula with no cached value.

    Only refines blanks: if the package cannot be scanned, the grids stand as they are."""
    try:
        _mark(snapshot, grids)
    except (KeyError, ValueError, zipfile.BadZipFile, SyntaxError):
        pass


def _mark(snapshot: Snapshot, grids: dict[str, list[tuple]]) -> None:
    with zipfile.ZipFile(snapshot.stream()) as archive:
        parts = sheet_parts(archive)
        for name, grid in grids.items():
            if grid and name in parts:
                uncalculated_formulas(name, archive.read(parts[name]), grid)


_FORMULA_START = re.compile(rb"<(?:\w+:)?f\b")


def uncalculated_formulas(name: str, xml: bytes, grid: list[tuple]) -> None:
    """Put parse.Formula into the blank cells of `grid` (sheet `name`, worksheet `xml`) whose
    formula carries no cached value. Only the cells around each <f> are looked at."""
    first_row = _first_marked_row(name)
    if b"<f" not in xml and b":f" not in xml:
        return
    prefixed = _PREFIXED.search(xml) is not None
    if not prefixed:
        # a cell the scan below marks holds a formula not followed at once by its value (one that
        # is has its cell's body hold what VALUE_RE finds: no "</c>" can stand between): when no
        # cell around such a formula would be marked, none is (and the grid is left as it is)
        around = (_cell_around(xml, found.start()) for found in _FORMULA_UNVALUED.finditer(xml))
        if not _mark_cells([cell for cell in around if cell is not None], first_row, grid, dry_run=True):
            return
    _mark_cells(formula_cells(xml, prefixed), first_row, grid)


_PREFIXED = re.compile(rb":(?:c[ >]|f\b)")      # a prefixed cell or formula (one scan for both)
_FORMULA_PLAIN = re.compile(rb"<f\b")
_FORMULA_UNVALUED = re.compile(rb"<f\b(?![^>]*(?:/>|>[^<]*</f>)<v>[^<]+</v>)")   # not followed at once by a value


def _cell_around(xml: bytes, at: int):
    """CELL_RE's match of the cell that holds position `at` (from the "<c" before it), or None."""
    cell = CELL_RE.match(xml, max(xml.rfind(b"<c ", 0, at), xml.rfind(b"<c>", 0, at), 0))
    return cell if cell is not None and cell.end() > at else None


def formula_cells(xml: bytes, prefixed: bool | None = None):
    """CELL_RE's matches of the cells holding a formula (and perhaps a few others), in order:
    only the cell around each <f> is looked at, not the tens of thousands of plain ones.
    `prefixed`: whether _PREFIXED finds anything in `xml`, if known already."""
    if b"<f" not in xml and b":f" not in xml:
        return
    if prefixed is None:
        prefixed = _PREFIXED.search(xml) is not None
    if prefixed and (b":c " in xml or b":c>" in xml):      # prefixed elements: scan every cell
        yield from CELL_RE.finditer(xml)
        return
    # (without ":f", every formula starts "<f": a scan for a literal, at C speed)
    starts = _FORMULA_START.finditer(xml) if prefixed else _FORMULA_PLAIN.finditer(xml)
    done = -1
    for found in starts:
        if found.start() < done:
            continue
        cell = _cell_around(xml, found.start())
        if cell is not None:
            done = cell.end()
            yield cell


def _mark_cells(cells, first_row: int, grid: list[tuple], dry_run: bool = False) -> bool:
    """Mark the cells (or, `dry_run`, only tell whether any would be marked)."""
    for match in cells:
        attrs, body = match.group(1), match.group(2)
        if not body or b"f" not in body:
            continue
        formula = FORMULA_RE.search(body)
        if formula is None or VALUE_RE.search(body) is not None:
            continue
        kind = TYPE_RE.search(attrs)
        if kind and kind.group(1) == b"str":
            continue   # a formula whose cached result is the empty string
        ref = REF_RE.search(attrs)
        if ref is None:
            continue
        row, col = int(ref.group(2)), column_number(ref.group(1))
        if row < first_row or row > len(grid) or col > MAX_COL:
            continue
        values = list(grid[row - 1]) + [None] * max(0, col - len(grid[row - 1]))
        if values[col - 1] is None:
            if dry_run:
                return True
            text = xml_unescape((formula.group(1) or b"").decode("utf-8", "replace"))
            values[col - 1] = Formula("=" + text if text else "=（共享公式）")
            grid[row - 1] = tuple(values)
    return False
