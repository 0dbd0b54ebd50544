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
the start of every sheet) are parsed here too, so that what openpyxl refuses is declined.

Cost (issue 14): every check is a scan at C speed (a regex or a substring search over the whole
part, a few per sheet, none per cell in Python), the members come inflated from the safety checks
(Snapshot.inflated), and the rows are shaped by maps over all cells at once.
"""
from __future__ import annotations

import functools
import io
import math
import operator
import posixpath
import re
import zipfile
from collections import deque
from itertools import chain, compress, count, repeat
from typing import Callable
from xml.parsers import expat

from python_calamine import CalamineWorkbook

from ..rules.parse import SheetGrids
from .safety import Inflated, Snapshot
from .sheet_xml import (
    BUILTIN_DATE_FORMATS,
    EXACT_INTEGERS,
    MAX_COL,
    MAX_ROWS,
    REF_RE,
    VALUE_RE,
    column_number,
    is_date_format,
    is_standard_sheet,
    plainly_without_dates,
    uncalculated_formulas,
    usual_width,
)

_BUILTIN_DATE_FORMATS = BUILTIN_DATE_FORMATS     # (is_date_format and these: compared with openpyxl's by a test)


class _Unsupported(Exception):
    """Something the fast reader does not reproduce exactly: openpyxl reads this file instead."""


class _Stop(Exception):
    """Enough has been read."""


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"
_CONTENT_TYPES = "[Content_Types].xml"
_WORKBOOK_TYPES = (   # openpyxl's order of preference
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
)
_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_STYLES, _CORE, _CUSTOM, _THEME = "xl/styles.xml", "docProps/core.xml", "docProps/custom.xml", "xl/theme/theme1.xml"
_SHEET_STATES = ("visible", "hidden", "veryHidden")
_CHUNK = 16 * 1024                     # what ElementTree.iterparse reads at a time
_DIMENSION = re.compile(r"\$?[A-Z]{1,3}\$?[0-9]+(?::\$?[A-Z]{1,3}\$?[0-9]+)?")
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"')
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
# every "<row" / "<c" element start, with its number / column when written as Excel and openpyxl write
# them (r first): one scan each; an empty group sends the sheet to the counts above
_ROW_TAGS = re.compile(rb'<row(?: r="([0-9]+)")?')
_CELL_TAGS = {digits: re.compile(rb'<c\b(?: r="([A-Z]{1,3})[0-9]{1,%d}")?' % digits) for digits in range(1, 6)}
_DATE_OR_ERROR = re.compile(rb't="([de])"')
_VALUE_BEFORE_FORMULA = re.compile(rb"(?:</v>|<v\s*/>)\s*<(?:\w+:)?f\b")
_ERROR_CELL = re.compile(rb'<c\b[^>]*\bt="e"')

_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_|x005F_")


def _escaped(xml: bytes) -> bool:
    """Text with _xHHHH_ escapes, which calamine decodes and openpyxl does not (it only drops
    "x005F_" from shared strings). The escaped underscore itself reads alike in both."""
    if b"_" not in xml:     # (the usual case: one search for a single byte, at memchr speed)
        return False
    return _ESCAPE.search(xml.replace(b"_x005F_", b"")) is not None


def _refuse(*_):
    raise _Unsupported("DTD")


def _parser(start=None, end=None):
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse     # defusedxml (used by openpyxl) refuses entities
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    return parser


def _elements(data: bytes) -> list[tuple[str, dict, str]]:
    """(name, attributes, parent name) of every element of a small part."""
    found: list = []
    stack = [""]

    def start(name, attrs):
        found.append((name, attrs, stack[-1]))
        stack.append(name)

    def end(name):
        stack.pop()

    _parser(start, end).Parse(data, True)
    return found


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _date_styles(data: bytes | None) -> set[int]:
    """Indexes of the cell styles whose number format is a date or time (openpyxl turns those numbers into dates)."""
    if data is None:
        return set()
    _parser().Parse(data, True)        # damaged: openpyxl refuses it (as the parse below)
    if plainly_without_dates(data):
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    for name, attrs, parent in _elements(data):
        local = _local(name)
        if local == "numFmt" and _local(parent) == "numFmts":
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode")
        elif local == "xf" and _local(parent) == "cellXfs":
            formats.append(int(attrs.get("numFmtId", 0)))
    return {index for index, fmt_id in enumerate(formats)
            if (is_date_format(custom[fmt_id]) if fmt_id in custom else fmt_id in _BUILTIN_DATE_FORMATS)}


def _check_dimension(read: Callable[[int], bytes] | bytes) -> None:
    """Parse the start of a sheet up to its <dimension> (or the end of <sheetData>), as openpyxl
    does for every sheet when it opens a workbook read-only: damage there makes it refuse.
    `read`: the sheet's bytes, or a function reading the next so many (the parser stops alike)."""
    found: list = []
    dimension, sheet_data = f"{_MAIN} dimension", f"{_MAIN} sheetData"

    def end(name):
        if name in (dimension, sheet_data):
            raise _Stop

    def start(name, attrs):
        if name == dimension:
            found.append(attrs.get("ref"))

    parser = _parser(start, end)
    try:
        if isinstance(read, bytes):
            parser.Parse(read, True)
        else:
            while chunk := read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        pass
    if found and (found[0] is None or not _DIMENSION.fullmatch(found[0])):
        raise _Unsupported("dimension")


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
        raise _Unsupported("prefixed or missing sheetData")
    found = _ROW_TAGS.findall(xml)
    if b"" in found:     # a "<row" not followed by ' r="N"': counted as before
        numbers = [int(n) for n in _ROW_NUMBER.findall(xml)]
        declared = xml.count(b"<row ") + xml.count(b"<row>")
    else:                # (every "<row" is '<row r="N"': found is what _ROW_NUMBER finds, one per row)
        numbers = list(map(int, found))
        declared = len(numbers)
    if len(numbers) != declared or not all(map(operator.lt, numbers, numbers[1:])):
        raise _Unsupported("row without a number or out of order")
    last = numbers[-1] if numbers else 0
    if last > MAX_ROWS:
        raise _Unsupported("too many rows")     # read_grids refuses the file, with its message
    digits = len(str(last))
    if usual < 26 and _cells_beyond(usual, digits).search(xml) is None:
        return last, None    # every cell '<c r="L…"' with L up to `usual`: the width as _width finds it
    letters = set(_CELL_TAGS[digits].findall(xml))
    if b"" in letters:   # a "<c" not followed by a reference of at most `digits` digits: counted as before
        every = _CELL_COLUMN.findall(xml)
        if len(every) != xml.count(b"<c ") + xml.count(b"<c>"):
            raise _Unsupported("cell without a reference")
        if re.search(rb'<c r="[A-Z]{1,3}[0-9]{%d}' % (digits + 1), xml):
            # calamine places a cell by its reference, openpyxl in its <row>: a cell below the last row
            # would have calamine hold a rectangle the row numbers do not show (<c r="XFD1048576"> in row 1)
            raise _Unsupported("cell reference beyond the rows")
        letters = set(every)
    columns = set(map(column_number, letters))
    if max(columns, default=0) * last > MAX_ROWS * max_col:
        raise _Unsupported("cells far to the right")   # calamine would hold every cell of the rectangle
    return last, max([c for c in columns if c <= max_col], default=0)   # (cells further right are not read)


def _errors(xml: bytes) -> dict[tuple[int, int], str]:
    """(row, column) -> the error value (#DIV/0!…) of every error cell; calamine reads them as blank."""
    found = {}
    for match in _ERROR_CELL.finditer(xml):
        end = xml.find(b"</c>", match.end())
        head_end = xml.find(b">", match.start())
        ref = REF_RE.search(xml, match.start(), head_end)
        if ref is None:
            raise _Unsupported("error cell without a reference")
        value = VALUE_RE.search(xml, head_end, end) if end > 0 and xml[head_end - 1:head_end] != b"/" else None
        if value is not None:
            found[(int(ref.group(2)), column_number(ref.group(1)))] = value.group(1).decode("utf-8")
    return found


def _sheet_grid(book: CalamineWorkbook, name: str, xml: bytes, max_col: int, errors: bool) -> list[tuple]:
    """calamine's rows of sheet `name` as openpyxl's read-only iteration gives them, shaped.
    calamine holds every cell of the rectangle the cells span: it reads the sheet only once
    the XML has shown that the rectangle is no larger than a standard sheet's."""
    usual = min(usual_width(name), max_col) if is_standard_sheet(name) else max_col
    height, width = _extent(xml, max_col, usual)
    values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    present = len(values[0]) if values else 0          # (calamine's rows are all as long)
    if width is None:
        width = _width(xml, present, usual)
    values = values[:height]
    if present > width:
        values = list(map(operator.getitem, values, repeat(slice(0, width))))
        present = width
    cells = list(chain.from_iterable(values))           # every cell at C speed: most are text or blank
    kinds = set(map(type, cells))
    if not kinds <= _PLAIN_TYPES:
        raise _Unsupported("date or time")
    shape = _BLANK                                      # "" -> None, a whole number as int, the rest as it is
    if float in kinds:
        # (True == 1 == 1.0: with bools or ints beside, the numbers are found by position, not by value)
        by_value = not kinds & {bool, int}
        at = [] if by_value else list(compress(count(), map(float.__instancecheck__, cells)))
        numbers = [v for v in set(cells) if v.__class__ is float] if by_value else list(map(cells.__getitem__, at))
        if not all(map(math.isfinite, numbers)) or max(map(abs, numbers)) >= EXACT_INTEGERS:
            # (a float that large is a whole number beyond a float's precision: openpyxl may read it otherwise)
            raise _Unsupported("number openpyxl may read differently")
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
    for (row_no, column), text in (_errors(xml) if errors else {}).items():
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
        return lean_grids(snapshot.data, inflated=snapshot.inflated)
    except MemoryError:
        raise
    except Exception:
        return None


class _Package:
    """The members of the package `data`: those the safety checks inflated already (`inflated`,
    read exactly as zipfile reads them), the others through zipfile, as before."""

    def __init__(self, data: bytes, inflated: Inflated | None):
        self._data, self._archive = data, None
        self._members = inflated.members if inflated is not None else {}
        self.names = inflated.names if inflated is not None else set(self._zip().namelist())

    def _zip(self) -> zipfile.ZipFile:
        if self._archive is None:
            self._archive = zipfile.ZipFile(io.BytesIO(self._data))
        return self._archive

    def read(self, name: str) -> bytes:
        found = self._members.get(name)
        return found if found is not None else self._zip().read(name)

    def check_head(self, name: str) -> None:
        """_check_dimension of member `name`, reading from zipfile only its start."""
        found = self._members.get(name)
        if found is not None:
            _check_dimension(found)
            return
        with self._zip().open(name) as source:
            _check_dimension(source.read)


def lean_grids(data: bytes, read_in_full: Callable[[str], bool] = is_standard_sheet,
               max_col: int = MAX_COL, inflated: Inflated | None = None) -> SheetGrids:
    """The grids (with the hidden standard sheets), formulas without a cached value marked.

    The sheets `read_in_full` names are read up to column `max_col`; the others appear by name,
    with no rows (as reader.read_grids gives them, by default). `inflated`: what the safety
    checks inflated of `data` (Snapshot.inflated), so as not to inflate it again."""
    archive = _Package(data, inflated)
    names = archive.names
    overrides = {}
    for name, attrs, _ in _elements(archive.read(_CONTENT_TYPES)):
        if _local(name) == "Override":
            overrides.setdefault(attrs["ContentType"], attrs["PartName"])
    workbook_part = next((overrides[t] for t in _WORKBOOK_TYPES if t in overrides), None)
    if workbook_part is None:
        raise _Unsupported("workbook part")
    workbook_part = workbook_part[1:]
    if _SHARED_STRINGS in overrides:
        strings = archive.read(overrides[_SHARED_STRINGS][1:])
        if _escaped(strings):
            raise _Unsupported("escaped characters")
        _parser().Parse(strings, True)             # damaged: openpyxl refuses it
    sheets = [(attrs.get("name"), attrs.get(_DOC_REL_ID), attrs.get("state", "visible"))
              for name, attrs, parent in _elements(archive.read(workbook_part))
              if _local(name) == "sheet" and _local(parent) == "sheets"]
    folder, file = posixpath.split(workbook_part)
    rels = _relationships(archive, posixpath.join(folder, "_rels", f"{file}.rels"))
    for part in (_CORE, _CUSTOM):                 # openpyxl parses these; damage there makes it refuse
        if part in names:
            _parser().Parse(archive.read(part), True)
    if _THEME in names:
        archive.read(_THEME)                      # (checks the member's CRC, as openpyxl's read does)
    date_styles = _date_styles(archive.read(_STYLES) if _STYLES in names else None)
    date_marks = re.compile(b's="(?:' + b"|".join(b"%d" % i for i in sorted(date_styles)) + b')"') if date_styles else None

    book = None
    grids = SheetGrids()
    parts: dict[str, bytes] = {}
    for name, rel_id, state in sheets:
        if not rel_id:
            raise _Unsupported("sheet without relationship")
        kind, target = rels[rel_id]
        if target not in names:
            continue
        if name in grids or name is None:
            raise _Unsupported("duplicate sheet name")
        if "chartsheet" in kind:
            raise _Unsupported("chartsheet")      # rare here; openpyxl reads them in full
        sheet_folder, sheet_file = posixpath.split(target)
        sheet_rels = posixpath.join(sheet_folder, "_rels", f"{sheet_file}.rels")
        if sheet_rels in names:
            _parser().Parse(archive.read(sheet_rels), True)
        if state not in _SHEET_STATES:
            raise _Unsupported("sheet state")     # openpyxl refuses the workbook, with its message
        if read_in_full(name):
            if state != "visible" and is_standard_sheet(name):
                grids.hidden[name] = state
            xml = archive.read(target)
            archive.check_head(target)                 # as openpyxl, which refuses a damaged one
            typed = set(_DATE_OR_ERROR.findall(xml))
            if _escaped(xml) or b"d" in typed or (date_marks is not None and date_marks.search(xml)):
                raise _Unsupported("escaped characters or dates")
            if (b"<f" in xml or b":f" in xml) and _VALUE_BEFORE_FORMULA.search(xml):
                raise _Unsupported("value before formula")    # calamine reads such a cell blank, openpyxl its value
            if book is None:
                book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            grids[name] = _sheet_grid(book, name, xml, max_col, b"e" in typed)     # shaped as shape_rows shapes openpyxl's
            parts[name] = xml
        else:
            archive.check_head(target)                # openpyxl reads the start of every sheet
            grids[name] = []
    for name, xml in parts.items():
        if is_standard_sheet(name):
            uncalculated_formulas(name, xml, grids[name])
    return grids


def _relationships(archive: _Package, rels_path: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, target as a path inside the archive), normalised as openpyxl does."""
    parent = posixpath.split(posixpath.dirname(rels_path))[0]
    found = {}
    for name, attrs, _ in _elements(archive.read(rels_path)):
        if _local(name) != "Relationship":
            continue
        target = attrs["Target"]
        if attrs.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
        found[attrs["Id"]] = (attrs.get("Type", ""), target)
    return found
