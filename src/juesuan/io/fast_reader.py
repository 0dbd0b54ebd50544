"""The fast grid reader: the grids of reader.read_grids (openpyxl, read-only, cached values)
read by python-calamine (Rust), about 10x less CPU than openpyxl (see bench/bench_speed.py).

calamine reads the cell values of the standard sheets. What it does not tell, or tells
differently from openpyxl, is settled by small targeted scans of the sheet XML:

* error values (#DIV/0!, #REF!…), which calamine reads as blank, are put back from the XML;
* formulas without a cached value are marked as ``sheet_xml.mark_uncalculated`` marks them;
* the grid is as long and as wide as openpyxl's (empty rows and styled empty cells count);
* numbers are shaped by the same ``sheet_xml.shape_rows`` as openpyxl's.

Whatever it does not reproduce exactly (date-formatted numbers, rows out of order or without
numbers, cells without a reference, escaped characters ``_xHHHH_``, phonetic guides, chartsheets,
damaged or unusual parts) it declines (``read_grids_fast`` returns None) and openpyxl reads
the file, so a file is never read differently from openpyxl. The package parts openpyxl
parses when it opens a workbook (content types, workbook, relationships, properties, styles,
the start of every sheet) are parsed too (lean_package.py), so that what openpyxl refuses is
declined. Cells go where their references put them, as in the openpyxl reference (sheet_rows).

Cost (issue 14): every check is a scan at C speed (a regex or a substring search over the whole
part, a few per sheet, none per cell in Python), the members come inflated from the safety checks
(Snapshot.inflated), and the rows are shaped by maps over all cells at once.
"""
from __future__ import annotations

import functools
import io
import math
import operator
import re
from collections import deque
from itertools import chain, compress, count, repeat
from typing import Callable

from python_calamine import CalamineWorkbook

from ..rules.parse import SheetGrids
from .lean_package import OpenedPackage, Unsupported, escaped
from .safety import Inflated, Snapshot
from .sheet_xml import (
    EXACT_INTEGERS,
    MAX_COL,
    MAX_ROWS,
    REF_RE,
    VALUE_RE,
    column_number,
    is_standard_sheet,
    uncalculated_formulas,
    usual_width,
)

_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"')
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
# every "<row" / "<c" element start, with its number / column when written as Excel and openpyxl write
# them (r first): one scan each; an empty group sends the sheet to the counts above
_ROW_TAGS = re.compile(rb'<row(?: r="([0-9]+)")?')
_CELL_TAGS = {digits: re.compile(rb'<c\b(?: r="([A-Z]{1,3})[0-9]{1,%d}")?' % digits) for digits in range(1, 6)}
_VALUE_BEFORE_FORMULA = re.compile(rb"(?:</v>|<v\s*/>)\s*<(?:\w+:)?f\b")
_ERROR_CELL = re.compile(rb'<c\b[^>]*\bt="e"')


@functools.cache
def _cells_beyond(max_col: int, digits: int) -> re.Pattern:
    """A "<c" (and not "<col"…) whose reference is not a single letter up to column `max_col` and at
    most `digits` digits, all within the quotes: one scan finds whether the sheet has any."""
    return re.compile(rb'<c\b(?! r="[A-%c][0-9]{1,%d}")' % (64 + max_col, digits))


@functools.cache
def _columns_from(first: int, max_col: int) -> re.Pattern:
    return re.compile(rb'<c r="[%c-%c]' % (64 + first, 64 + max_col))


_SINGLE_LETTER = re.compile(rb'<c r="([A-Z])')


def _width(xml: bytes, hint: int, max_col: int) -> int:
    """The rightmost column of a sheet whose cells are all '<c r="L…"' with L up to `max_col`
    (_extent saw to it): calamine's width `hint` once the XML confirms it (a cell in that column,
    none further right), else the rightmost letter found."""
    hint = min(hint, max_col)
    further = hint < max_col and _columns_from(hint + 1, max_col).search(xml) is not None
    if not further and (b'<c r="%c' % (64 + hint) in xml if hint else b'<c r="' not in xml):
        return hint
    return max(map(column_number, set(_SINGLE_LETTER.findall(xml))), default=0)


def _extent(xml: bytes, max_col: int, usual: int) -> tuple[int, int | None]:
    """(rows, columns) of the grid openpyxl reads from this sheet XML: up to the last <row>
    (even an empty one) and the rightmost <c> (even a styled empty one); None for the columns
    when every cell is a single letter up to column `usual` (at most max_col: the sheet's usual
    width, a guess that only spares a scan), which _width tells after calamine. Declines rows
    without a number or out of order and cells without a reference, which openpyxl places
    by their position in the file."""
    if b"<sheetData" not in xml:
        raise Unsupported("prefixed or missing sheetData")
    found = _ROW_TAGS.findall(xml)
    if b"" in found:     # a "<row" not followed by ' r="N"': counted as before
        numbers = [int(n) for n in _ROW_NUMBER.findall(xml)]
        declared = xml.count(b"<row ") + xml.count(b"<row>")
    else:                # (every "<row" is '<row r="N"': found is what _ROW_NUMBER finds, one per row)
        numbers = list(map(int, found))
        declared = len(numbers)
    if len(numbers) != declared or not all(map(operator.lt, numbers, numbers[1:])):
        raise Unsupported("row without a number or out of order")
    last = numbers[-1] if numbers else 0
    if last > MAX_ROWS:
        raise Unsupported("too many rows")     # read_grids refuses the file, with its message
    digits = len(str(last))
    if usual < 26 and _cells_beyond(usual, digits).search(xml) is None:
        return last, None    # every cell '<c r="L…"' with L up to `usual`: the width as _width finds it
    letters = set(_CELL_TAGS[digits].findall(xml))
    if b"" in letters:   # a "<c" not followed by a reference of at most `digits` digits: counted as before
        every = _CELL_COLUMN.findall(xml)
        if len(every) != xml.count(b"<c ") + xml.count(b"<c>"):
            raise Unsupported("cell without a reference")
        if re.search(rb'<c r="[A-Z]{1,3}[0-9]{%d}' % (digits + 1), xml):
            # a cell named far below the last row would have calamine hold a rectangle the row numbers
            # do not show (<c r="XFD1048576"> in row 1): the openpyxl reference reads it, cell by cell
            raise Unsupported("cell reference beyond the rows")
        letters = set(every)
    columns = set(map(column_number, letters))
    if max(columns, default=0) * last > MAX_ROWS * max_col:
        raise Unsupported("cells far to the right")   # calamine would hold every cell of the rectangle
    return last, max([c for c in columns if c <= max_col], default=0)   # (cells further right are not read)


def _errors(xml: bytes) -> dict[tuple[int, int], str]:
    """(row, column) -> the error value (#DIV/0!…) of every error cell; calamine reads them as blank."""
    found = {}
    for match in _ERROR_CELL.finditer(xml):
        end = xml.find(b"</c>", match.end())
        head_end = xml.find(b">", match.start())
        ref = REF_RE.search(xml, match.start(), head_end)
        if ref is None:
            raise Unsupported("error cell without a reference")
        value = VALUE_RE.search(xml, head_end, end) if end > 0 and xml[head_end - 1:head_end] != b"/" else None
        if value is not None:
            found[(int(ref.group(2)), column_number(ref.group(1)))] = value.group(1).decode("utf-8")
    return found


def _sheet_grid(book: CalamineWorkbook, name: str, xml: bytes, max_col: int, errors: bool) -> list[tuple]:
    """calamine's rows of sheet `name` as the openpyxl reference reads them (sheet_xml.sheet_rows), shaped.
    calamine holds every cell of the rectangle the cells span: it reads the sheet only once
    the XML has shown that the rectangle is no larger than a standard sheet's."""
    usual = min(usual_width(name), max_col) if is_standard_sheet(name) else max_col
    height, width = _extent(xml, max_col, usual)
    values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    present = len(values[0]) if values else 0          # (calamine's rows are all as long)
    if width is None:
        width = _width(xml, present, usual)
    found_errors = _errors(xml) if errors else {}
    if len(values) > height or any(row_no > height for row_no, _ in found_errors):
        # a cell naming a row past the last <row> is read where it says, as the openpyxl reference reads
        # it: the grid reaches the last such row holding something (calamine reads an error as blank)
        beyond = [number for number in range(height + 1, len(values) + 1) if any(map(bool, values[number - 1][:width]))]
        height = max(height, *beyond[-1:], *(row_no for row_no, column in found_errors if column <= width))
        if height > MAX_ROWS:
            raise Unsupported("too many rows")    # read_grids refuses the file, with its message
    values = values[:height]
    if present > width:
        values = list(map(operator.getitem, values, repeat(slice(0, width))))
        present = width
    cells = list(chain.from_iterable(values))           # every cell at C speed: most are text or blank
    kinds = set(map(type, cells))
    if not kinds <= _PLAIN_TYPES:
        raise Unsupported("date or time")
    shape = _BLANK                                      # "" -> None, a whole number as int, the rest as it is
    if float in kinds:
        # (True == 1 == 1.0: with bools or ints beside, the numbers are found by position, not by value)
        by_value = not kinds & {bool, int}
        at = [] if by_value else list(compress(count(), map(float.__instancecheck__, cells)))
        numbers = [v for v in set(cells) if v.__class__ is float] if by_value else list(map(cells.__getitem__, at))
        if not all(map(math.isfinite, numbers)) or max(map(abs, numbers)) >= EXACT_INTEGERS:
            # (a float that large is a whole number beyond a float's precision: openpyxl may read it otherwise)
            raise Unsupported("number openpyxl may read differently")
        if by_value:
            shape = {**_BLANK, **{v: int(v) for v in numbers if v.is_integer()}}
        else:
            whole = list(map(float.is_integer, numbers))
            deque(map(cells.__setitem__, compress(at, whole), map(int, compress(numbers, whole))), maxlen=0)
    shaped = list(map(shape.get, cells, cells))
    rows = list(zip(*[iter(shaped)] * present)) if present else [()] * len(values)
    if present < width:
        rows = list(map(operator.add, rows, repeat((None,) * (width - present))))
    rows += [(None,) * width] * (height - len(rows))
    for (row_no, column), text in found_errors.items():
        if row_no <= height and column <= width:
            changed = list(rows[row_no - 1])
            changed[column - 1] = text
            rows[row_no - 1] = tuple(changed)
    return rows


_BLANK = {"": None}
_PLAIN_TYPES = frozenset({str, float, bool, int})


def read_grids_fast(snapshot: Snapshot) -> SheetGrids | None:
    """The grids reader.read_grids gives for `snapshot`, or None where the fast reader
    does not reproduce them exactly (anything unusual or damaged: openpyxl decides)."""
    try:
        return lean_grids(snapshot.data, inflated=snapshot.inflated, keep=snapshot.opened)
    except MemoryError:
        raise
    except Exception:
        return None


def _read_sheet(opened: OpenedPackage, name: str, target: str, max_col: int) -> tuple[list[tuple], bytes]:
    """The grid of one sheet read in full, and its XML."""
    xml = opened.archive.read(target)
    if escaped(xml) or b't="d"' in xml or (opened.date_marks is not None and opened.date_marks.search(xml)):
        raise Unsupported("escaped characters or dates")
    if (b"<f" in xml or b":f" in xml) and _VALUE_BEFORE_FORMULA.search(xml):
        raise Unsupported("value before formula")    # calamine reads such a cell blank, openpyxl its value
    if opened.book is None:
        opened.book = CalamineWorkbook.from_filelike(io.BytesIO(opened.data))
    return _sheet_grid(opened.book, name, xml, max_col, b't="e"' in xml), xml     # shaped as shape_rows shapes openpyxl's


def lean_grids(data: bytes, read_in_full: Callable[[str], bool] = is_standard_sheet,
               max_col: int = MAX_COL, inflated: Inflated | None = None, keep: dict | None = None) -> SheetGrids:
    """The grids (with the hidden standard sheets), formulas without a cached value marked.

    The sheets `read_in_full` names are read up to column `max_col`; the others appear by name,
    with no rows (as reader.read_grids gives them, by default). `inflated`: what the safety
    checks inflated of `data` (Snapshot.inflated), so as not to inflate it again. `keep`: where
    to leave the opened package (as "lean"), for lean_sheet."""
    opened = OpenedPackage(data, inflated)
    grids = SheetGrids()
    parts: dict[str, bytes] = {}
    for name, target, state in opened.sheets:
        opened.archive.check_head(target)              # as openpyxl, which refuses a damaged one
        if read_in_full(name):
            if state != "visible" and is_standard_sheet(name):
                grids.hidden[name] = state
            grids[name], parts[name] = _read_sheet(opened, name, target, max_col)
        else:
            grids[name] = []
    for name, xml in parts.items():
        if is_standard_sheet(name):
            uncalculated_formulas(name, xml, grids[name])
    if keep is not None:
        keep["lean"] = opened
    return grids


def lean_sheet(data: bytes, name: str, max_col: int, inflated: Inflated | None = None,
               kept: dict | None = None) -> list[tuple] | None:
    """The grid of one sheet (not a standard one), None when the workbook has none of that name;
    from the package lean_grids left in `kept` when there is one (only that sheet is read)."""
    opened = (kept or {}).get("lean")
    if opened is None or opened.data is not data:
        return lean_grids(data, lambda sheet: sheet == name, max_col, inflated).get(name)
    target = next((target for sheet, target, _ in opened.sheets if sheet == name), None)
    return _read_sheet(opened, name, target, max_col)[0] if target is not None else None


