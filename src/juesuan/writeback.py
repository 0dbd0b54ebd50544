"""Writing into a clerk's workbook file without losing anything.

Only cells we own change: 审核结果, our highlight fills (with the original fill
remembered so the next run restores it), and derived cells when filling. The
file is saved to a temporary file in the same folder and moved over the target
only when complete.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.colors import Color
from openpyxl.worksheet.hyperlink import Hyperlink

from .errors import UnusableWorkbook, WriteRefused
from .review import FIRST_ROW, HEADER_ROW, MARK_COLUMNS, NOTE_COLUMN, Review, note_key
from .schema import REVIEW_SHEET, SHEET_NAMES
from .styles import AMOUNT_FORMAT, BODY_FONT, SEVERITY_FILLS
from .template import BORDER, review_header, set_text


def load_for_update(path: Path):
    import openpyxl
    try:
        return openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm", keep_links=True)
    except Exception as exc:
        raise UnusableWorkbook(f"无法打开工作簿进行写入（{type(exc).__name__}）", str(path)) from None


def save_atomically(workbook, target: Path) -> None:
    """Save next to the target, then replace it in one step; the original survives any failure."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if target.exists() and not os.access(target, os.W_OK):
        raise WriteRefused(f"{target}：文件是只读的（或正被其他程序占用），未做任何修改。请取消只读属性，或用 -o 另存一份")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=".~juesuan-", suffix=target.suffix, dir=folder)
    except OSError as exc:
        raise WriteRefused(f"{target}：无法在该文件夹中写入（{exc.strerror or exc}），未做任何修改") from None
    os.close(handle)
    try:
        workbook.save(temp_name)
        if target.exists():
            os.chmod(temp_name, target.stat().st_mode & 0o777)
        os.replace(temp_name, target)
    except BaseException as exc:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise WriteRefused(f"{target}：保存失败（{type(exc).__name__}: {exc}），原文件未被修改") from None


# --- review sheet ---------------------------------------------------------------------
def _fill_to_text(fill) -> str:
    """Serialise a cell's fill so that the next run can put it back exactly."""
    if fill is None or fill.fill_type is None:
        return ""
    color = fill.fgColor
    return json.dumps({"type": fill.fill_type, "ctype": color.type, "value": color.value, "tint": color.tint,
                       "bg": fill.bgColor.value if fill.bgColor is not None and fill.bgColor.type == "rgb" else None})


def _text_to_fill(text: str) -> PatternFill:
    if not text:
        return PatternFill(fill_type=None)
    data = json.loads(text)
    kind = data.get("ctype") or "rgb"
    color = Color(**{kind: data["value"]}, tint=data.get("tint") or 0.0)
    bg = Color(rgb=data["bg"]) if data.get("bg") else None
    return PatternFill(fill_type=data["type"], fgColor=color, bgColor=bg) if bg else \
        PatternFill(fill_type=data["type"], fgColor=color)


def previous_review(workbook) -> tuple[dict, list[tuple[str, str, str]]]:
    """(notes by finding key, [(sheet, A1, original fill)]) left by the last run."""
    if REVIEW_SHEET not in workbook.sheetnames:
        return {}, []
    ws = workbook[REVIEW_SHEET]
    notes, marks = {}, []
    for row in ws.iter_rows(min_row=FIRST_ROW, values_only=True):
        if len(row) >= NOTE_COLUMN and row[2] and row[NOTE_COLUMN - 1] not in (None, ""):
            cell = str(row[4] or "")
            notes[note_key(row[2], row[3], cell.split("!", 1)[-1] if "!" in cell else "")] = row[NOTE_COLUMN - 1]
        mark_col, fill_col = MARK_COLUMNS
        if len(row) >= mark_col and row[mark_col - 1]:
            sheet, _, address = str(row[mark_col - 1]).rpartition("!")
            original = row[fill_col - 1] if len(row) >= fill_col else ""
            marks.append((sheet, address, original or ""))
    return notes, marks


def clear_marks(workbook, marks) -> None:
    for sheet, address, original in marks:
        if sheet in workbook.sheetnames:
            workbook[sheet][address].fill = _text_to_fill(original)


def write_review(workbook, review: Review, marks_before) -> None:
    """Replace 审核结果 with `review` and colour the cells concerned."""
    clear_marks(workbook, marks_before)
    if REVIEW_SHEET in workbook.sheetnames:
        index = workbook.sheetnames.index(REVIEW_SHEET)
        workbook.remove(workbook[REVIEW_SHEET])
    else:
        index = len(workbook.sheetnames)
    ws = workbook.create_sheet(REVIEW_SHEET, index)
    review_header(ws)
    for i, line in enumerate(review.lines, start=2):
        cell = ws.cell(row=i, column=1)
        set_text(cell, line)
        cell.font = Font(name=BODY_FONT, size=10, bold=i == 3)
    body = Font(name=BODY_FONT, size=10)
    for offset, item in enumerate(review.rows):
        r = FIRST_ROW + offset
        for c, value in enumerate(item.values, start=1):
            cell = ws.cell(row=r, column=c)
            set_text(cell, value) if isinstance(value, str) else setattr(cell, "value", value)
            cell.font, cell.border = body, BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=c in (6, 10))
        ws.cell(row=r, column=2).fill = PatternFill("solid", fgColor=SEVERITY_FILLS[item.severity])
        if item.link and item.link[0] in workbook.sheetnames:
            link = ws.cell(row=r, column=5)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{item.link[0]}'!{item.link[1]}",
                                       display=str(link.value))
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
        set_text(ws.cell(row=FIRST_ROW + offset, column=mark_col), f"{sheet}!{address}")
        set_text(ws.cell(row=FIRST_ROW + offset, column=fill_col), _fill_to_text(target.fill))
        target.fill = PatternFill("solid", fgColor=SEVERITY_FILLS[severity])


def write_values(workbook, changes) -> None:
    """changes: [(sheet, A1, Decimal | None)] for derived cells."""
    for sheet, address, value in changes:
        cell = workbook[sheet][address]
        cell.value = value
        cell.number_format = AMOUNT_FORMAT


__all__ = ["load_for_update", "save_atomically", "previous_review", "write_review", "write_values", "SHEET_NAMES"]
