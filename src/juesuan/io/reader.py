"""Reading workbook files (openpyxl adapter): safety checks, then sheet grids.

Everything a clerk can hand us that is not a usable .xlsx/.xlsm ends here with
one UnusableWorkbook carrying a Chinese message; nothing leaks a traceback.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import unescape

from ..domain.errors import UnusableWorkbook
from ..domain.layout import layout_of
from ..domain.model import Report
from ..domain.schema import INFO_SHEET, TABLE_IDS
from ..rules.parse import Formula, parse_grids
from .safety import (  # noqa: F401
    CHANGED,
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    OLE_MAGIC,
    XML_ENTITIES,
    Snapshot,
    check_bytes,
    take_snapshot,
)

SUPPORTED = (".xlsx", ".xlsm")
MAX_ROWS = 20000                      # per standard sheet; a real one has at most a few hundred
MAX_COL = max(layout_of(t).last_col for t in TABLE_IDS)


def check_file(path: Path) -> Snapshot:
    """Refuse what openpyxl must not be given, before it touches the file.

    Returns the snapshot that was checked: parse *those* bytes, not the path again.
    """
    path = Path(path)
    snapshot = take_snapshot(path)
    check_bytes(snapshot.data, path.suffix, str(path))
    return snapshot


def _wanted(name: str) -> bool:
    return name == INFO_SHEET or name in TABLE_IDS


def _defused_error(exc: BaseException | None) -> bool:
    """defusedxml refused a DTD/entity somewhere in the chain (openpyxl wraps it in a ValueError)."""
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__module__.startswith("defusedxml"):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def read_grids(source) -> dict[str, list[tuple]]:
    """Values of the standard sheets; other sheets appear by name with no rows.

    `source` is a path or a Snapshot. A formula the file carries no value for (a
    workbook written by a program and never opened in a spreadsheet) is handed on
    as parse.Formula, so the reader reports it instead of taking it for blank.
    """
    import openpyxl
    snapshot = source if isinstance(source, Snapshot) else take_snapshot(source)
    where = str(snapshot.path)
    try:
        workbook = openpyxl.load_workbook(snapshot.stream(), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for damaged parts
        if _defused_error(exc):
            raise UnusableWorkbook(XML_ENTITIES, where) from None
        raise UnusableWorkbook(f"无法读取工作簿内容（{type(exc).__name__}），文件可能已损坏：请在 Excel 中打开并另存后重试",
                               where) from None
    try:
        grids: dict[str, list[tuple]] = {}
        for sheet in workbook.worksheets:
            if not _wanted(sheet.title):
                grids[sheet.title] = []
                continue
            grids[sheet.title] = _sheet_rows(sheet, where)
        for name in workbook.sheetnames:   # chartsheets and the like: names only
            grids.setdefault(name, [])
    except UnusableWorkbook:
        raise
    except Exception as exc:
        if _defused_error(exc):
            raise UnusableWorkbook(XML_ENTITIES, where) from None
        raise UnusableWorkbook(f"读取工作表时出错（{type(exc).__name__}），文件可能已损坏", where) from None
    finally:
        workbook.close()
    try:
        _mark_uncalculated(snapshot, grids)
    except (KeyError, ValueError, zipfile.BadZipFile, SyntaxError):
        pass   # the values above stand; this only refines blanks
    return grids


def _sheet_rows(sheet, where: str) -> list[tuple]:
    """Every row of a read-only sheet, padded to a common width.

    The sheet's <dimension> is only a hint: a program that wrote it wrong would
    otherwise make openpyxl stop early and rows would silently go missing.
    """
    declared_rows, declared_cols = sheet.max_row or 0, sheet.max_column or 0
    sheet.reset_dimensions()
    rows: list[tuple] = []
    for row in sheet.iter_rows(values_only=True):
        if len(rows) >= MAX_ROWS:
            raise UnusableWorkbook(f"工作表“{sheet.title}”超过 {MAX_ROWS} 行，不像决算公开表：请删除表格下方多余的行后重试",
                                   where)
        rows.append(tuple(row))
    width = max([declared_cols] + [len(r) for r in rows])
    rows += [()] * max(0, declared_rows - len(rows))
    return [r if len(r) == width else r + (None,) * (width - len(r)) for r in rows]


# --- formulas without a cached value -----------------------------------------------------
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
    from defusedxml.ElementTree import fromstring
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


def _mark_uncalculated(snapshot: Snapshot, grids: dict[str, list[tuple]]) -> None:
    with zipfile.ZipFile(snapshot.stream()) as archive:
        parts = sheet_parts(archive)
        for name, grid in grids.items():
            if not grid or name not in parts:
                continue
            first_row = 3 if name == INFO_SHEET else layout_of(name).first_data_row   # not headings
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
                    text = unescape((formula.group(1) or b"").decode("utf-8", "replace"),
                                    {"&quot;": '"', "&apos;": "'"})
                    values[col - 1] = Formula("=" + text if text else "=（共享公式）")
                    grid[row - 1] = tuple(values)


def read_report(path, reader: str = "openpyxl") -> Report:
    """Check, read and parse one workbook file; the file must not change while we read it.

    `reader`: "openpyxl" (check, fill, publish) or "fast" (batch: the lean XML reader)."""
    path = Path(path)
    snapshot = check_file(path)
    if reader == "fast":
        from ..batch import read_grids_fast   # temporary: the lean reader moves into io/
        grids = read_grids_fast(snapshot)
    else:
        grids = read_grids(snapshot)
    if not snapshot.unchanged():
        raise UnusableWorkbook(CHANGED, str(path))
    report = parse_grids(grids, str(path))
    report.stamp = snapshot.stamp
    return report
