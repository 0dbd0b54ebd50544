"""The review sheet 审核结果 in a workbook file (openpyxl): render the Review, colour the
cells concerned, remember their original fill, read back the clerk's 备注 and our marks."""
from __future__ import annotations

import json
import re
from pathlib import Path

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.colors import Color
from openpyxl.styles.fills import Fill
from openpyxl.worksheet.hyperlink import Hyperlink

from ..domain.schema import REVIEW_SHEET, TABLE_IDS
from ..views.review import FIRST_ROW, HEADER_ROW, MARK_COLUMNS, NOTE_COLUMN, Review, note_key
from ..views.styles import BODY_FONT, DERIVED_FILL, SEVERITY_FILLS
from .template_xlsx import BORDER, review_header, set_text

MAX_CELL_TEXT = 32767          # Excel's limit; a longer string makes Excel "repair" the file


def safe_text(text: str) -> str:
    """What a cell can hold: no XML-illegal control characters, at most 32767 characters."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return text if len(text) <= MAX_CELL_TEXT else text[:MAX_CELL_TEXT - 1] + "…"


def _put_text(cell, text: str) -> None:
    """Text from a workbook or a message: always a string cell, never a formula."""
    set_text(cell, safe_text(text))


def _put_value(cell, value) -> None:
    """A clerk's 备注 kept from the last run may be a number or a date: keep it, but never as a formula."""
    try:
        cell.value = value
    except (ValueError, TypeError):
        _put_text(cell, str(value))
        return
    if cell.data_type == "f":
        _put_text(cell, str(value))


# --- review sheet ---------------------------------------------------------------------
_ADDRESS = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")


def _fill_to_text(fill) -> str:
    """Serialise a cell's fill (pattern or gradient, any colour kind) so the next run can put it back exactly."""
    if fill is None or getattr(fill, "fill_type", None) is None:
        return ""
    from openpyxl.xml.functions import tostring
    return tostring(fill.to_tree()).decode("utf-8")


def _text_to_fill(text) -> PatternFill | Fill:
    if not text or not isinstance(text, str):
        return PatternFill(fill_type=None)
    try:
        if text.lstrip().startswith("<"):
            from openpyxl.xml.functions import fromstring
            return Fill.from_tree(fromstring(text))
        data = json.loads(text)          # written by versions before the XML form
        kind = data.get("ctype") or "rgb"
        color = Color(**{kind: data["value"]}, tint=data.get("tint") or 0.0)
        bg = Color(rgb=data["bg"]) if data.get("bg") else None
        return PatternFill(fill_type=data["type"], fgColor=color, bgColor=bg) if bg else \
            PatternFill(fill_type=data["type"], fgColor=color)
    except Exception:   # a damaged registry entry: fall back to no fill rather than fail the run
        return PatternFill(fill_type=None)


def previous_review(workbook) -> tuple[dict, list[tuple[str, str, str]]]:
    """(notes by finding key, [(sheet, A1, original fill)]) left by the last run."""
    if REVIEW_SHEET not in workbook.sheetnames:
        return {}, []
    ws = workbook[REVIEW_SHEET]
    notes, marks = {}, []
    mark_col, fill_col = MARK_COLUMNS
    for row in ws.iter_rows(min_row=FIRST_ROW, values_only=True):
        if len(row) >= NOTE_COLUMN and row[2] and row[NOTE_COLUMN - 1] not in (None, ""):
            cell = str(row[4] or "")
            notes[note_key(row[2], row[3], cell.split("!", 1)[-1] if "!" in cell else "")] = row[NOTE_COLUMN - 1]
        if len(row) >= mark_col and row[mark_col - 1]:
            sheet, _, address = str(row[mark_col - 1]).rpartition("!")
            original = row[fill_col - 1] if len(row) >= fill_col else ""
            if sheet and _ADDRESS.fullmatch(address):
                marks.append((sheet, address, original or ""))
    return notes, marks


def clear_marks(workbook, marks) -> None:
    for sheet, address, original in marks:
        if sheet in workbook.sheetnames and sheet != REVIEW_SHEET and _ADDRESS.fullmatch(address):
            target = workbook[sheet][address]
            if hasattr(target, "fill") and not type(target).__name__ == "MergedCell":
                target.fill = _text_to_fill(original)


_MARK_COLOURS = {colour.upper() for colour in SEVERITY_FILLS.values()}


def _is_our_mark(fill) -> bool:
    if fill is None or fill.fill_type != "solid" or fill.fgColor is None or fill.fgColor.type != "rgb":
        return False
    return str(fill.fgColor.rgb or "")[-6:].upper() in _MARK_COLOURS


def _template_fill(review: Review, sheet: str, address: str) -> PatternFill:
    return PatternFill("solid", fgColor=DERIVED_FILL) if (sheet, address) in review.derived else PatternFill(fill_type=None)


def sweep_stray_marks(workbook, review: Review) -> None:
    """Undo marks whose record was lost (review rows deleted by hand): any data cell still
    wearing one of our mark colours and not marked by this run gets the template's fill."""
    for sheet in TABLE_IDS:
        if sheet not in workbook.sheetnames:
            continue
        for row in workbook[sheet].iter_rows():
            for cell in row:
                if _is_our_mark(cell.fill) and (sheet, cell.coordinate) not in review.marks:
                    cell.fill = _template_fill(review, sheet, cell.coordinate)


def _wrapped_height(text, width) -> float:
    """Row height that shows a wrapped message whole: spreadsheets do not grow rows written
    by openpyxl, so without this the printed review cuts every long 说明 after one line."""
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text or ""))
    lines = max(1, -(-units // max(1, int(width or 70) - 2)))
    return 13.5 * lines


def write_review(workbook, review: Review, marks_before) -> None:
    """Replace 审核结果 with `review` and colour the cells concerned."""
    clear_marks(workbook, marks_before)
    sweep_stray_marks(workbook, review)
    if REVIEW_SHEET in workbook.sheetnames:
        index = workbook.sheetnames.index(REVIEW_SHEET)
        workbook.remove(workbook[REVIEW_SHEET])
    else:
        index = len(workbook.sheetnames)
    ws = workbook.create_sheet(REVIEW_SHEET, index)
    review_header(ws)
    for i, line in enumerate(review.lines, start=2):
        cell = ws.cell(row=i, column=1)
        _put_text(cell, line)
        cell.font = Font(name=BODY_FONT, size=10, bold=i == 3)
    body = Font(name=BODY_FONT, size=10)
    for offset, item in enumerate(review.rows):
        r = FIRST_ROW + offset
        for c, value in enumerate(item.values, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, str):
                _put_text(cell, value)
            else:
                _put_value(cell, value)
            cell.font, cell.border = body, BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=c in (6, 10))
        ws.cell(row=r, column=2).fill = PatternFill("solid", fgColor=SEVERITY_FILLS[item.severity])
        ws.row_dimensions[r].height = _wrapped_height(item.values[5], ws.column_dimensions["F"].width)
        if item.link and item.link[0] in workbook.sheetnames:
            link = ws.cell(row=r, column=5)
            sheet_name = item.link[0].replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet_name}'!{item.link[1]}",
                                       display=safe_text(str(link.value)))
            link.font = Font(name=BODY_FONT, size=10, color="0563C1", underline="single")
    ws.auto_filter.ref = f"A{HEADER_ROW}:J{max(HEADER_ROW + 1, HEADER_ROW + len(review.rows))}"
    # remember what we coloured, and what was there before, in hidden columns
    mark_col, fill_col = MARK_COLUMNS
    set_text(ws.cell(row=HEADER_ROW, column=mark_col), "标记单元格")
    set_text(ws.cell(row=HEADER_ROW, column=fill_col), "原填充")
    for letter in ("N", "O"):
        ws.column_dimensions[letter].hidden = True
    for offset, ((sheet, address), severity) in enumerate(sorted(review.marks.items())):
        if sheet not in workbook.sheetnames:
            continue
        target = workbook[sheet][address]
        _put_text(ws.cell(row=FIRST_ROW + offset, column=mark_col), f"{sheet}!{address}")
        original = _template_fill(review, sheet, address) if _is_our_mark(target.fill) else target.fill
        _put_text(ws.cell(row=FIRST_ROW + offset, column=fill_col), _fill_to_text(original))
        target.fill = PatternFill("solid", fgColor=SEVERITY_FILLS[severity])


def read_notes(path: Path) -> dict:
    """The 备注 a clerk wrote in the 审核结果 sheet of the file at `path` (empty when there is none)."""
    import openpyxl
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception:
        return {}
    try:
        notes, _marks = previous_review(workbook)
        return notes
    except Exception:
        return {}
    finally:
        workbook.close()
