"""Writing into a clerk's workbook file without losing anything.

Only cells we own change: 审核结果, our highlight fills (with the original fill
remembered so the next run restores it), and derived cells when filling.

Guarantees of ``load_for_update`` + ``save_atomically``:

* the workbook is loaded from a checked snapshot of the file (safety.py);
* a workbook holding content openpyxl cannot write back (charts, pictures,
  pivot tables, slicers, external links, form controls…) is never written over
  itself: the clerk is told to write a copy with ``-o`` instead;
* a read-only file, a file open in Excel/WPS (lock file ``~$name``) and a file
  changed by someone else since we read it are not written;
* the file is saved to a temporary file in the same folder, verified, flushed
  to disk and only then moved over the target in one step; on any failure the
  temporary file is removed and the original is untouched;
* .xlsm keeps its VBA project; text from the workbook is written as text.
"""
from __future__ import annotations

import io
import json
import os
import re
import stat
import tempfile
import weakref
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.colors import Color
from openpyxl.styles.fills import Fill
from openpyxl.worksheet.hyperlink import Hyperlink

from ..domain.errors import UnusableWorkbook, WriteRefused
from ..domain.schema import REVIEW_SHEET, SHEET_NAMES, TABLE_IDS
from ..views.review import (
    FIRST_ROW,
    HEADER_ROW,
    MARK_COLUMNS,
    NOTE_COLUMN,
    Review,
    note_key,
)
from ..views.styles import AMOUNT_FORMAT, BODY_FONT, DERIVED_FILL, SEVERITY_FILLS
from .reader import (
    CELL_RE,
    FORMULA_RE,
    REF_RE,
    TYPE_RE,
    VALUE_RE,
    cached_formula_values,
    sheet_parts,
)
from .safety import (
    Snapshot,
    check_bytes,
    content_openpyxl_drops,
    file_stamp,
    take_snapshot,
)
from .template_xlsx import BORDER, review_header, set_text

MAX_CELL_TEXT = 32767          # Excel's limit; a longer string makes Excel "repair" the file
TEMP_PREFIX = ".~juesuan-"


@dataclass(frozen=True)
class Origin:
    path: Path
    stamp: tuple
    dropped: tuple[str, ...]      # Chinese labels of content openpyxl would not write back
    data: bytes = b""             # the bytes loaded: formula results are taken back from them


_ORIGINS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_VALUES_WRITTEN: "weakref.WeakSet" = weakref.WeakSet()     # workbooks whose cell values we changed (fill)


def origin_of(workbook) -> Origin | None:
    return _ORIGINS.get(workbook)


def unsupported_content(path) -> list[str]:
    """What a copy written by this tool would lack (Chinese labels); [] when nothing."""
    try:
        with zipfile.ZipFile(path) as archive:
            return content_openpyxl_drops(archive.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return []


def load_for_update(path: Path, expect_stamp: tuple | None = None):
    """Open a workbook for writing back. `expect_stamp`: the version that was checked;
    a file changed since then is refused, so a review never lands on other data."""
    import openpyxl
    path = Path(path)
    snapshot: Snapshot = take_snapshot(path)
    if expect_stamp is not None and snapshot.stamp != expect_stamp:
        raise WriteRefused(f"{path}：文件在审核之后又被修改过（可能刚在 Excel 中保存），为免写错未写入，请重新运行审核")
    package = check_bytes(snapshot.data, path.suffix, str(path))
    macros = path.suffix.lower() == ".xlsm" or "xl/vbaProject.bin" in package.names
    try:
        workbook = openpyxl.load_workbook(snapshot.stream(), keep_vba=macros, keep_links=True)
    except Exception as exc:
        raise UnusableWorkbook(f"无法打开工作簿进行写入（{type(exc).__name__}）", str(path)) from None
    _ORIGINS[workbook] = Origin(path, snapshot.stamp, tuple(content_openpyxl_drops(package.names)), snapshot.data)
    return workbook


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _read_only(path: Path) -> bool:
    """Read-only attribute (also for root, whom os.access always lets write) or no permission."""
    mode = path.stat().st_mode
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


def _lock_file(target: Path) -> Path | None:
    """Excel and WPS keep the owner file '~$name' next to a workbook they have open."""
    candidate = target.with_name(f"~${target.name}")
    return candidate if candidate.exists() else None


def _refuse_before_writing(workbook, target: Path) -> None:
    origin = _ORIGINS.get(workbook)
    in_place = origin is not None and target.exists() and _same_file(origin.path, target)
    if in_place and origin.dropped:
        parts = "、".join(origin.dropped)
        raise WriteRefused(
            f"{target}：工作簿中含有本工具无法原样保存的内容（{parts}），直接写入会丢失这些内容，因此未做任何修改。"
            f"请用 -o 把结果写到一份副本（如 -o 副本.xlsx）；副本由本工具重新生成，其中不含上述内容，原文件保持不变")
    macros = getattr(workbook, "vba_archive", None) is not None
    suffix = target.suffix.lower()
    if macros and suffix != ".xlsm":
        raise WriteRefused(f"{target}：工作簿含宏（VBA），只能保存为 .xlsm 文件，请把输出文件名改为以 .xlsm 结尾")
    if not macros and suffix == ".xlsm":
        raise WriteRefused(f"{target}：工作簿不含宏，应保存为 .xlsx 文件（以 .xlsm 结尾 Excel 会拒绝打开）")
    if suffix not in (".xlsx", ".xlsm"):
        raise WriteRefused(f"{target}：输出文件名应以 .xlsx 或 .xlsm 结尾")
    if target.exists():
        if target.is_dir():
            raise WriteRefused(f"{target}：这是一个文件夹，请指定输出文件名")
        if _read_only(target):
            raise WriteRefused(f"{target}：文件是只读的（或没有写入权限），未做任何修改。请取消只读属性，或用 -o 另存一份")
        lock = _lock_file(target)
        if lock is not None:
            raise WriteRefused(f"{target}：该工作簿正在 Excel 或 WPS 中打开（发现锁文件 {lock.name}），未做任何修改。"
                               "请先关闭工作簿再运行；如果并没有打开，可删除该锁文件")


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_atomically(workbook, target: Path) -> None:
    """Save next to the target, then replace it in one step; the original survives any failure."""
    target = Path(os.path.realpath(target)) if Path(target).is_symlink() else Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    _refuse_before_writing(workbook, target)
    origin = _ORIGINS.get(workbook)
    watch = origin.stamp if origin is not None and target.exists() and _same_file(origin.path, target) else None
    try:
        handle, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=folder)
    except OSError as exc:
        raise WriteRefused(f"{target}：无法在该文件夹中写入（{exc.strerror or exc}），未做任何修改") from None
    os.close(handle)
    try:
        workbook.save(temp_name)
        if origin is not None and origin.data and workbook not in _VALUES_WRITTEN:
            _restore_formula_results(temp_name, origin.data)
        with zipfile.ZipFile(temp_name) as written:     # complete and readable, or we stop here
            bad = written.testzip()
        if bad is not None:
            raise zipfile.BadZipFile(f"{bad} 校验失败")
        with open(temp_name, "rb+") as flushed:
            os.fsync(flushed.fileno())
        if target.exists():
            os.chmod(temp_name, target.stat().st_mode & 0o777)
        else:   # mkstemp makes 0600; a new workbook gets the permissions any program would give it
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp_name, 0o666 & ~umask)
        if watch is not None and file_stamp(target) != watch:
            raise _Changed()
        os.replace(temp_name, target)
    except BaseException as exc:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        if isinstance(exc, _Changed):
            raise WriteRefused(f"{target}：写入期间文件被其他程序修改（可能刚在 Excel 中保存），为免覆盖这些修改未写入，"
                               "原文件保持原样，请重新运行") from None
        if isinstance(exc, PermissionError):
            raise WriteRefused(f"{target}：没有写入权限，或文件正被其他程序（如 Excel、WPS）占用，原文件未被修改。"
                               "请关闭该文件后重试，或用 -o 另存一份") from None
        raise WriteRefused(f"{target}：保存失败（{type(exc).__name__}: {exc}），原文件未被修改") from None
    _fsync_folder(folder)
    if origin is not None and watch is not None:
        _ORIGINS[workbook] = Origin(origin.path, file_stamp(target), origin.dropped, origin.data)


class _Changed(Exception):
    pass


# --- formula results -------------------------------------------------------------------
_EMPTY_V = re.compile(rb"<v\s*/>|<v>\s*</v>")


def _with_results(xml: bytes, results: dict) -> bytes:
    """openpyxl writes a formula cell as <c r="C7"><f>…</f><v /></c>: put back the result the
    original file carried for that cell (and its type), as the spreadsheet that computed it wrote it."""
    def put(match):
        attrs, body = match.group(1), match.group(2)
        if not body:
            return match.group(0)
        formula = FORMULA_RE.search(body)
        ref = REF_RE.search(attrs)
        if formula is None or ref is None or VALUE_RE.search(body) is not None or b"dataTable" in formula.group(0):
            return match.group(0)
        hit = results.get(ref.group(1) + ref.group(2))
        if hit is None:
            return match.group(0)
        kind, value = hit
        attrs = TYPE_RE.sub(b"", attrs).rstrip()
        if kind and kind != b"n":
            attrs += b' t="' + kind + b'"'
        body = _EMPTY_V.sub(b"", body)
        end = FORMULA_RE.search(body).end()
        return b"<c" + attrs + b">" + body[:end] + b"<v>" + value + b"</v>" + body[end:] + b"</c>"
    return CELL_RE.sub(put, xml)


def _restore_formula_results(temp_name: str, original: bytes) -> None:
    """Formulas keep the results the file had (openpyxl drops them), so the next read sees numbers,
    not uncalculated formulas. Only when no cell value was changed: then every result still holds."""
    results = cached_formula_values(original)
    if not results:
        return
    with zipfile.ZipFile(temp_name) as written:
        parts = sheet_parts(written)
        members = [(info, written.read(info)) for info in written.infolist()]
    targets = {parts[name]: cells for name, cells in results.items() if name in parts and name != REVIEW_SHEET}
    if not targets:
        return
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename in targets:
                data = _with_results(data, targets[info.filename])
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    with open(temp_name, "wb") as handle:
        handle.write(buffer.getvalue())


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


def write_values(workbook, changes) -> None:
    """changes: [(sheet, A1, Decimal | None)] for derived cells."""
    _VALUES_WRITTEN.add(workbook)     # formula results may depend on these: do not restore stale ones
    for sheet, address, value in changes:
        cell = workbook[sheet][address]
        cell.value = value
        cell.number_format = AMOUNT_FORMAT


__all__ = ["load_for_update", "save_atomically", "previous_review", "write_review", "write_values", "safe_text",
           "unsupported_content", "origin_of", "SHEET_NAMES"]
