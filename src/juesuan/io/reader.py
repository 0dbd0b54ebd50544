"""Reading workbook files: safety checks, then sheet grids, then the report.

The one entry is ``read_report(path, reader=...)`` (grids alone: ``read_grids``).
The grid reader is openpyxl (read-only, cached values: what `check`, fill and
publish use) or "fast", the lean XML reader of batch (fast_reader.py), which
gives the same grids and leaves to openpyxl every file it does not reproduce
exactly. Everything a clerk can hand us that is not a usable .xlsx/.xlsm ends
here with one UnusableWorkbook carrying a Chinese message; nothing leaks a traceback.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..domain.errors import UnusableWorkbook
from ..domain.model import Report
from ..rules.parse import SheetGrids, parse_grids
from .fast_reader import read_grids_fast
from .safety import CHANGED, XML_ENTITIES, Snapshot, check_bytes, take_snapshot
from .sheet_xml import is_standard_sheet, mark_uncalculated, sheet_rows

SUPPORTED = (".xlsx", ".xlsm")
READERS = ("openpyxl", "fast")


def check_file(path: Path) -> Snapshot:
    """Refuse what openpyxl must not be given, before it touches the file.

    Returns the snapshot that was checked: parse *those* bytes, not the path again.
    """
    path = Path(path)
    snapshot = take_snapshot(path)
    check_bytes(snapshot.data, path.suffix, str(path))
    return snapshot


def _defused_error(exc: BaseException | None) -> bool:
    """defusedxml refused a DTD/entity somewhere in the chain (openpyxl wraps it in a ValueError)."""
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__module__.startswith("defusedxml"):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def read_grids(source, reader: str = "openpyxl") -> SheetGrids:
    """Values of the standard sheets; other sheets appear by name with no rows; which standard
    sheets are hidden (SheetGrids.hidden).

    `source` is a path or a Snapshot; `reader` one of READERS (the same grids either
    way). A formula the file carries no value for (a workbook written by a program
    and never opened in a spreadsheet) is handed on as parse.Formula, so the
    reader reports it instead of taking it for blank.
    """
    snapshot = source if isinstance(source, Snapshot) else take_snapshot(source)
    if reader == "fast":
        lean = read_grids_fast(snapshot)
        if lean is not None:
            return lean
    import openpyxl     # here, not at the top: a check the fast reader serves never loads it
    where = str(snapshot.path)
    try:
        workbook = openpyxl.load_workbook(snapshot.stream(), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for damaged parts
        if _defused_error(exc):
            raise UnusableWorkbook(XML_ENTITIES, where) from None
        raise UnusableWorkbook(f"无法读取工作簿内容（{type(exc).__name__}），文件可能已损坏：请在 Excel 中打开并另存后重试",
                               where) from None
    try:
        grids = SheetGrids()
        for sheet in workbook.worksheets:
            grids[sheet.title] = sheet_rows(sheet, where) if is_standard_sheet(sheet.title) else []
            if is_standard_sheet(sheet.title) and sheet.sheet_state != "visible":
                grids.hidden[sheet.title] = sheet.sheet_state
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
    mark_uncalculated(snapshot, grids)
    return grids


def read_report(path, reader: str = "openpyxl", between: Callable[[Path], None] | None = None) -> Report:
    """Check, read and parse one workbook file; the file must not change while we read it.

    `reader`: "openpyxl" (check, fill, publish) or "fast" (batch: the lean XML reader).
    `between(path)` is called after reading, before the "unchanged?" comparison (a seam for tests)."""
    path = Path(path)
    snapshot = check_file(path)
    grids = read_grids(snapshot, reader)
    if between is not None:
        between(path)
    if not snapshot.unchanged():
        raise UnusableWorkbook(CHANGED, str(path))
    report = parse_grids(grids, str(path))
    report.stamp = snapshot.stamp
    return report
