"""Reading workbook files: safety checks, then sheet grids, then the report.

The one entry is ``read_report(path, reader=...)`` (grids alone: ``read_grids``).
The grid reader is "fast" (fast_reader.py: python-calamine with targeted scans of the
sheet XML), which every command uses, or openpyxl (read-only, cached values), the
reference: the fast reader gives the same grids and leaves to openpyxl every file it
does not reproduce exactly; openpyxl is imported only then. Everything a clerk can hand us that is not a usable .xlsx/.xlsm ends
here with one UnusableWorkbook carrying a Chinese message; nothing leaks a traceback.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from ..domain.errors import UnusableWorkbook
from ..domain.model import Report
from ..domain.schema import REVIEW_SHEET
from ..rules.parse import SheetGrids, parse_grids
from ..views.review import FIRST_ROW, REGISTRY_COLUMNS, parse_registry
from .fast_reader import lean_sheet, read_grids_fast
from .safety import CHANGED, XML_ENTITIES, Inflated, Snapshot, check_bytes, take_snapshot
from .sheet_xml import is_standard_sheet, mark_uncalculated, sheet_rows

SUPPORTED = (".xlsx", ".xlsm")
READERS = ("openpyxl", "fast")


def check_file(path: Path) -> Snapshot:
    """Refuse what openpyxl must not be given, before it touches the file.

    Returns the snapshot that was checked: parse *those* bytes, not the path again.
    """
    path = Path(path)
    snapshot = take_snapshot(path)
    package = check_bytes(snapshot.data, path.suffix, str(path), keep=True)
    # what the checks inflated goes on to the reader, which need not inflate it again
    return replace(snapshot, inflated=Inflated(frozenset(package.names), package.members))


def _defused_error(exc: BaseException | None) -> bool:
    """defusedxml refused a DTD/entity somewhere in the chain (openpyxl wraps it in a ValueError),
    or lxml did (openpyxl parses sheets with lxml when it is installed; its limits on entity
    expansion stop a billion-laughs sheet before defusedxml sees it)."""
    seen = 0
    while exc is not None and seen < 10:
        if type(exc).__module__.startswith("defusedxml"):
            return True
        if type(exc).__name__ == "XMLSyntaxError" and "entit" in str(exc).lower():
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


def read_report(path, reader: str = "fast", between: Callable[[Path], None] | None = None) -> Report:
    """Check, read and parse one workbook file; the file must not change while we read it.

    `reader`: "fast" (calamine, openpyxl for what it declines: every command) or "openpyxl" (the
    reference the differential tests compare the fast reader with).
    `between(path)` is called after reading, before the "unchanged?" comparison (a seam for tests)."""
    return open_report(path, reader, between)[0]


def open_report(path, reader: str = "fast", between: Callable[[Path], None] | None = None) -> tuple[Report, Snapshot]:
    """read_report, and the snapshot it was read from (the 备注 of that very version come from it
    later, when there are warnings to explain, without reading the file again: notes_of)."""
    path = Path(path)
    snapshot = check_file(path)
    grids = read_grids(snapshot, reader)
    if between is not None:
        between(path)
    if not snapshot.unchanged():
        raise UnusableWorkbook(CHANGED, str(path))
    report = parse_grids(grids, str(path))
    report.stamp = snapshot.stamp
    return report, snapshot


def read_notes(path) -> dict:
    """The 备注 a clerk wrote in the 审核结果 sheet of the file at `path` (empty when there is none
    or the file cannot be read: the notes only annotate findings already made)."""
    try:
        snapshot = take_snapshot(Path(path))
    except Exception:
        return {}
    return notes_of(snapshot)


def notes_of(snapshot) -> dict:
    """The 备注 of 审核结果 in the workbook read as `snapshot` (io.safety.Snapshot): the very
    version of the file that was checked."""
    try:
        rows = lean_sheet(snapshot.data, REVIEW_SHEET, max(REGISTRY_COLUMNS), getattr(snapshot, "inflated", None),
                          getattr(snapshot, "opened", None))
    except Exception:           # what the fast reader declines, openpyxl reads
        from .review_xlsx import read_notes_with_openpyxl
        return read_notes_with_openpyxl(snapshot.stream())
    if not rows:
        return {}
    return parse_registry(rows[FIRST_ROW - 1:], first_row=FIRST_ROW)[0]
