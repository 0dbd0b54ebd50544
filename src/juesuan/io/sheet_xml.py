"""What every grid reader (and the writer's formula-cache restoration) shares about sheets.

* which sheets are read in full, and how their rows are shaped (``sheet_rows``:
  the grid `check` has always seen, whatever reads the cells);
* the worksheet XML read directly: sheet name -> zip member, formula cells with
  their cached results, and formulas a program wrote without a result
  (``mark_uncalculated``: handed on as parse.Formula instead of a blank).
"""
from __future__ import annotations

import html
import posixpath
import re
import zipfile
from io import BytesIO

from defusedxml.ElementTree import fromstring

from ..domain.errors import UnusableWorkbook
from ..domain.layout import layout_of
from ..domain.schema import FACT_SHEETS, INFO_SHEET, TABLE_IDS
from ..rules.parse import Formula
from .safety import Snapshot

MAX_ROWS = 20000                      # per standard sheet; a real one has at most a few hundred
MAX_COL = max(layout_of(t).last_col for t in TABLE_IDS)


def is_standard_sheet(name: str) -> bool:
    """单位信息, 公开01–09, 上年数 and 其他公开事项: the sheets read in full (others appear by name, with no rows)."""
    return name == INFO_SHEET or name in TABLE_IDS or name in FACT_SHEETS


def sheet_rows(sheet, where: str) -> list[tuple]:
    """Every row of a read-only sheet, padded to a common width.

    `sheet` is openpyxl's read-only worksheet or anything iterating like it. The
    sheet's <dimension> is not used at all: a program that wrote it too small would
    make openpyxl stop early and rows would silently go missing, and one that declares
    A1:XFD1048576 would have us pad the grid to 17 billion cells. The grid is as wide as
    the cells present, and never wider than the widest table (nothing reads further right).
    """
    sheet.reset_dimensions()
    rows: list[tuple] = []
    for row in sheet.iter_rows(values_only=True):
        if len(rows) >= MAX_ROWS:
            raise UnusableWorkbook(f"工作表“{sheet.title}”超过 {MAX_ROWS} 行，不像决算公开表：请删除表格下方多余的行后重试",
                                   where)
        rows.append(tuple(row[:MAX_COL]))
    width = max([len(r) for r in rows], default=0)
    return [r if len(r) == width else r + (None,) * (width - len(r)) for r in rows]


# --- cells in the sheet XML ----------------------------------------------------------------
CELL_RE = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
REF_RE = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
TYPE_RE = re.compile(rb'\bt="(\w+)"')
FORMULA_RE = re.compile(rb'<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)', re.S)
_EMPTY_VALUE = re.compile(rb'<(?:\w+:)?v\b[^>]*?(?:/>|>\s*</(?:\w+:)?v>)')
VALUE_RE = re.compile(rb'<(?:\w+:)?v\b[^>]*>(.+?)</(?:\w+:)?v>', re.S)
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its worksheet XML."""
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


def xml_text(raw: bytes) -> str:
    """The text of an element read out of the XML with a regular expression: entity and
    character references decoded (openpyxl with lxml writes non-ASCII formula text as
    ``&#28857;``; valid XML holds no bare ``&``, so HTML's unescape decodes exactly XML's)."""
    return html.unescape(raw.decode("utf-8", "replace"))


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
            for match in CELL_RE.finditer(xml):
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


MARKED_FROM_ROW = min(_first_marked_row(name) for name in (INFO_SHEET, *TABLE_IDS))


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
            if not grid or name not in parts:
                continue
            first_row = _first_marked_row(name)
            xml = archive.read(parts[name])
            if b"<f" not in xml and b":f" not in xml:
                continue
            for match in CELL_RE.finditer(xml):
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
                row, col = int(ref.group(2)), _column_number(ref.group(1))
                if row < first_row or row > len(grid) or col > MAX_COL:
                    continue
                values = list(grid[row - 1]) + [None] * max(0, col - len(grid[row - 1]))
                if values[col - 1] is None:
                    text = xml_text(formula.group(1) or b"")
                    values[col - 1] = Formula("=" + text if text else "=（共享公式）")
                    grid[row - 1] = tuple(values)
