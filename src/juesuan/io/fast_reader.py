"""The lean grid reader: the grids of reader.read_grids (openpyxl, read-only, cached values)
read from the sheet XML with expat callbacks, about 3.5x less CPU (see bench/bench_batch.py).

Rows are shaped by the same ``sheet_rows`` as openpyxl's and formulas without a
cached value marked by the same ``mark_uncalculated``. Whatever it does not
reproduce exactly (dates, chartsheets, damaged or unusual parts) it declines
(``read_grids_fast`` returns None) and openpyxl reads the file, so a file is
never read differently from `check`.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Callable
from xml.parsers import expat

from openpyxl.styles.numbers import builtin_format_code, is_date_format
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

from ..rules.parse import SheetGrids
from .safety import Snapshot
from .sheet_xml import MARKED_FROM_ROW, MAX_ROWS, is_standard_sheet, mark_uncalculated, sheet_rows


class _Unsupported(Exception):
    """Something the lean reader does not reproduce exactly: openpyxl reads this file instead."""


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
_COLUMNS: dict[str, tuple] = {}        # cell reference -> (row, column), shared by the sheets of a process


def _refuse(*_):
    raise _Unsupported("DTD")


def _parser(start=None, end=None, chars=None):
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse     # defusedxml (used by openpyxl) refuses entities
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if chars:
        parser.CharacterDataHandler = chars
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


def _cast_number(value: str):
    """As openpyxl: '12' -> 12, '1.5' / '1E3' -> float."""
    if "." in value or "E" in value or "e" in value:
        return float(value)
    return int(value)


def _shared_strings(data: bytes) -> list[str]:
    """As openpyxl's read_string_table: plain text of each <si>, rich runs joined, phonetic runs left out."""
    si, t, r = f"{_MAIN} si", f"{_MAIN} t", f"{_MAIN} r"
    strings: list[str] = []
    stack = [""]
    state = {"plain": None, "runs": [], "run": None, "buf": None}

    def start(name, attrs):
        parent = stack[-1]
        stack.append(name)
        if name == si:
            state.update(plain=None, runs=[], buf=None)
        elif name == r and parent == si:
            state["run"] = None
        elif name == t and (parent == si or (parent == r and len(stack) >= 3 and stack[-3] == si)):
            state["buf"] = []
        elif state["buf"] is not None:
            raise _Unsupported("markup inside text")

    def chars(data):
        if state["buf"] is not None:
            state["buf"].append(data)

    def end(name):
        stack.pop()
        parent = stack[-1]
        if name == t and state["buf"] is not None:
            value = "".join(state["buf"]) or None
            state["buf"] = None
            if parent == si:
                state["plain"] = value
            else:
                state["run"] = value
        elif name == r and parent == si:
            state["runs"].append(state["run"])
        elif name == si:
            pieces = [state["plain"]] if state["plain"] is not None else []
            pieces += [run for run in state["runs"] if run is not None]
            strings.append("".join(pieces).replace("x005F_", ""))

    _parser(start, end, chars).Parse(data, True)
    return strings


def _date_styles(data: bytes | None) -> set[int]:
    """Indexes of the cell styles whose number format is a date or time (openpyxl turns those numbers into dates)."""
    if data is None:
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
            if is_date_format(custom[fmt_id] if fmt_id in custom else builtin_format_code(fmt_id))}


class _SheetReader:
    """One worksheet's cached values as openpyxl's read-only iter_rows(values_only=True) gives them."""

    def __init__(self, strings: list[str], date_styles: set[int]):
        self.strings = strings
        self.date_styles = date_styles
        self.uncalculated = False       # a cell with a formula and no cached value was seen

    # dimension only, as openpyxl does for every sheet when it opens a workbook read-only
    def dimension(self, read: Callable[[int], bytes]) -> tuple | None:
        """The <dimension> before the end of <sheetData>, read in the chunks iterparse reads."""
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
            while True:
                chunk = read(_CHUNK)
                parser.Parse(chunk, not chunk)
                if not chunk:
                    break
        except _Stop:
            pass
        if found:
            ref = found[0]
            if ref is None:
                raise _Unsupported("dimension without ref")
            return range_boundaries(ref)
        return None

    def rows(self, data: bytes) -> list[tuple[int, list]]:
        """The <row> elements in file order: (row number, [(column, value), ...]), as openpyxl parses them."""
        c_tag, v_tag, is_tag, t_tag, r_tag, row_tag, f_tag = (
            f"{_MAIN} {x}" for x in ("c", "v", "is", "t", "r", "row", "f"))
        strings, date_styles, columns = self.strings, self.date_styles, _COLUMNS
        raw: list[tuple[int, list]] = []
        row_counter = [0]
        col_counter = [0]
        cells: list = []
        cell: list = []   # [column, type, style, value text, seen v, seen is, plain, runs, run, seen f, row]
        stack = [""]
        buf: list = []
        capture = [None]        # which text is being collected: "v", "t", "rt"

        def start(name, attrs):
            parent = stack[-1]
            stack.append(name)
            if capture[0] is not None:
                raise _Unsupported("markup inside a value")
            if name == c_tag:
                if parent != row_tag:
                    raise _Unsupported("cell outside a row")
                coordinate = attrs.get("r")
                style = attrs.get("s", 0)
                if style:
                    style = int(style)
                if coordinate:
                    where = columns.get(coordinate)
                    if where is None:
                        where = coordinate_to_tuple(coordinate)
                        if len(columns) < 100_000:
                            columns[coordinate] = where
                    row, column = where
                    col_counter[0] = column
                else:
                    col_counter[0] += 1
                    row, column = 0, col_counter[0]      # (read_grids marks no formula without a reference)
                cell[:] = [column, attrs.get("t", "n"), style, None, False, False, None, [], None, False, row]
            elif name == row_tag:
                r = attrs.get("r")
                if r is not None:
                    try:
                        row_counter[0] = int(r)
                    except ValueError:
                        value = float(r)
                        if not value.is_integer():
                            raise _Unsupported("row number")
                        row_counter[0] = int(value)
                else:
                    row_counter[0] += 1
                col_counter[0] = 0
                del cells[:]
            elif parent == c_tag:
                if name == v_tag and not cell[4]:
                    cell[4] = True
                    capture[0] = "v"
                    buf.clear()
                elif name == is_tag and not cell[5]:
                    cell[5] = True
                elif name == f_tag:
                    cell[9] = True
            elif len(stack) >= 3 and stack[-3] == c_tag and parent == is_tag and cell[5] == 1:
                if name == t_tag:
                    capture[0] = "t"
                    buf.clear()
                elif name == r_tag:
                    cell[8] = None
            elif (len(stack) >= 4 and stack[-4] == c_tag and stack[-3] == is_tag and parent == r_tag
                  and name == t_tag and cell[5] == 1):
                capture[0] = "rt"
                buf.clear()

        def chars(data):
            if capture[0] is not None:
                buf.append(data)

        def end(name):
            stack.pop()
            kind = capture[0]
            if kind is not None:
                text = "".join(buf) or None
                capture[0] = None
                if kind == "v":
                    cell[3] = text
                elif kind == "t":
                    cell[6] = text
                else:
                    cell[8] = text
            elif name == r_tag and stack[-1] == is_tag and len(stack) >= 2 and stack[-2] == c_tag and cell[5] == 1:
                cell[7].append(cell[8])
            elif name == is_tag and stack[-1] == c_tag:
                cell[5] = 2             # only the first <is> counts
            elif name == c_tag:
                if cell[9] and not cell[3] and cell[10] >= MARKED_FROM_ROW:
                    self.uncalculated = True
                cells.append((cell[0], value_of(cell)))
            elif name == row_tag:
                if row_counter[0] > MAX_ROWS or len(raw) >= MAX_ROWS:
                    raise _Unsupported("too many rows")     # read_grids refuses the file, with its message
                raw.append((row_counter[0], cells[:]))

        def value_of(cell):
            kind, value = cell[1], cell[3]
            if kind == "inlineStr":
                if not cell[5]:
                    return None
                pieces = [cell[6]] if cell[6] is not None else []
                return "".join(pieces + [run for run in cell[7] if run is not None])
            if value is None:
                return None
            if kind == "n":
                number = _cast_number(value)
                if cell[2] in date_styles:
                    raise _Unsupported("date")
                return number
            if kind == "s":
                return strings[int(value)]
            if kind == "b":
                return bool(int(value))
            if kind == "d":
                raise _Unsupported("ISO date")
            return value                # str, e (error codes) and unknown types keep the text

        _parser(start, end, chars).Parse(data, True)
        return raw


class _LeanSheet:
    """Stands in for openpyxl's ReadOnlyWorksheet over already parsed rows.

    It replays openpyxl's read-only iteration once sheet_rows has reset the dimensions
    (gaps, rows out of order, short rows), so that sheet_rows shapes the grid exactly as
    it shapes openpyxl's.
    """

    def __init__(self, title: str, rows: list[tuple[int, list]]):
        self.title = title
        self._rows = rows

    def reset_dimensions(self) -> None:
        """sheet_rows does not trust <dimension>; neither is it kept here."""

    def iter_rows(self, min_row=None, max_row=None, min_col=None, max_col=None, values_only=False):
        if not values_only or any(v is not None for v in (min_row, max_row, min_col, max_col)):
            raise _Unsupported("iteration not replayed")
        return self._cells_by_row()

    def _cells_by_row(self):
        """openpyxl's ReadOnlyWorksheet._cells_by_row(1, 1, None, None, values_only=True)."""
        counter = 1
        for idx, row in self._rows:
            for _ in range(counter, idx):
                counter += 1
                yield []
            if counter <= idx:
                yield self._row(row)
                counter += 1

    @staticmethod
    def _row(cells) -> tuple:
        if not cells:
            return ()
        width = cells[-1][0]                 # as openpyxl: the last cell's column, even if out of order
        row = [None] * width
        for column, value in cells:
            if 1 <= column <= width:
                row[column - 1] = value
        return tuple(row)


def read_grids_fast(snapshot: Snapshot) -> SheetGrids | None:
    """The grids reader.read_grids gives for `snapshot`, or None where the lean reader
    does not reproduce them exactly (anything unusual or damaged: openpyxl decides)."""
    try:
        grids, uncalculated = lean_grids(snapshot.data)
    except MemoryError:
        raise
    except Exception:
        return None
    if uncalculated:        # formulas without a cached value: marked exactly as read_grids marks them
        mark_uncalculated(snapshot, grids)
    return grids


def lean_grids(data: bytes) -> tuple[SheetGrids, bool]:
    """The grids (with the hidden standard sheets), and whether a standard sheet has a formula
    without a cached value."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    overrides = {}
    for name, attrs, _ in _elements(archive.read(_CONTENT_TYPES)):
        if _local(name) == "Override":
            overrides.setdefault(attrs["ContentType"], attrs["PartName"])
    workbook_part = next((overrides[t] for t in _WORKBOOK_TYPES if t in overrides), None)
    if workbook_part is None:
        raise _Unsupported("workbook part")
    workbook_part = workbook_part[1:]
    strings: list[str] = []
    if _SHARED_STRINGS in overrides:
        strings = _shared_strings(archive.read(overrides[_SHARED_STRINGS][1:]))
    sheets = [(attrs.get("name"), attrs.get(_DOC_REL_ID), attrs.get("state", "visible"))
              for name, attrs, parent in _elements(archive.read(workbook_part))
              if _local(name) == "sheet" and _local(parent) == "sheets"]
    folder, file = posixpath.split(workbook_part)
    rels = _relationships(archive, posixpath.join(folder, "_rels", f"{file}.rels"))
    for part in (_CORE, _CUSTOM):                 # openpyxl parses these; damage there makes it refuse
        if part in names:
            _elements(archive.read(part))
    if _THEME in names:
        archive.read(_THEME)                      # (checks the member's CRC, as openpyxl's read does)
    date_styles = _date_styles(archive.read(_STYLES) if _STYLES in names else None)

    reader = _SheetReader(strings, date_styles)
    grids = SheetGrids()
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
            _elements(archive.read(sheet_rels))
        if state not in _SHEET_STATES:
            raise _Unsupported("sheet state")     # openpyxl refuses the workbook, with its message
        if is_standard_sheet(name):
            if state != "visible":
                grids.hidden[name] = state
            content = archive.read(target)
            reader.dimension(io.BytesIO(content).read)     # as openpyxl, which refuses a damaged one
            sheet = _LeanSheet(name, reader.rows(content))
            grids[name] = sheet_rows(sheet, name)
        else:
            with archive.open(target) as source:      # openpyxl reads the start of every sheet
                reader.dimension(source.read)
            grids[name] = []
    return grids, reader.uncalculated


def _relationships(archive, rels_path: str) -> dict[str, tuple[str, str]]:
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
