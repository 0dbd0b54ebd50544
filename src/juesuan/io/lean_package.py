"""The package parts of an .xlsx the fast reader parses as openpyxl does when it opens a workbook
(content types, workbook, relationships, properties, styles, the start of every sheet), so that
what openpyxl refuses is declined (Unsupported) and openpyxl decides; and the members themselves,
from what the safety checks inflated (Snapshot.inflated) or through zipfile.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from io import BytesIO
from typing import Callable
from xml.parsers import expat

from .safety import Inflated
from .sheet_xml import BUILTIN_DATE_FORMATS, is_date_format, plainly_without_dates


class Unsupported(Exception):
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
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_|x005F_")


def escaped(xml: bytes) -> bool:
    """Text with _xHHHH_ escapes, which calamine decodes and openpyxl does not (it only drops
    "x005F_" from shared strings). The escaped underscore itself reads alike in both."""
    if b"_" not in xml:     # (the usual case: one search for a single byte, at memchr speed)
        return False
    return _ESCAPE.search(xml.replace(b"_x005F_", b"")) is not None


def _refuse(*_):
    raise Unsupported("DTD")


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


def date_styles(data: bytes | None) -> set[int]:
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
            if (is_date_format(custom[fmt_id]) if fmt_id in custom else fmt_id in BUILTIN_DATE_FORMATS)}


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
        raise Unsupported("dimension")


class Package:
    """The members of the package `data`: those the safety checks inflated already (`inflated`,
    read exactly as zipfile reads them), the others through zipfile, as before."""

    def __init__(self, data: bytes, inflated: Inflated | None):
        self._data, self._archive = data, None
        self._members = inflated.members if inflated is not None else {}
        self.names = inflated.names if inflated is not None else set(self._zip().namelist())

    def _zip(self) -> zipfile.ZipFile:
        if self._archive is None:
            self._archive = zipfile.ZipFile(BytesIO(self._data))
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


def _relationships(archive: Package, rels_path: str) -> dict[str, tuple[str, str]]:
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


class OpenedPackage:
    """A package opened as openpyxl opens it: its parts parsed and checked (damage that makes
    openpyxl refuse raises Unsupported), the sheets in order as (name, member, state), and the
    date styles' marks. fast_reader reads its sheets (and leaves calamine's workbook in `book`);
    kept on the snapshot (Snapshot.opened), a later read of another sheet of the same bytes (the
    备注 of 审核结果: reader.notes_of) starts here instead of parsing it all again."""

    def __init__(self, data: bytes, inflated: Inflated | None):
        self.data = data
        self.archive = archive = Package(data, inflated)
        names = archive.names
        overrides = {}
        for name, attrs, _ in _elements(archive.read(_CONTENT_TYPES)):
            if _local(name) == "Override":
                overrides.setdefault(attrs["ContentType"], attrs["PartName"])
        workbook_part = next((overrides[t] for t in _WORKBOOK_TYPES if t in overrides), None)
        if workbook_part is None:
            raise Unsupported("workbook part")
        workbook_part = workbook_part[1:]
        if _SHARED_STRINGS in overrides:
            strings = archive.read(overrides[_SHARED_STRINGS][1:])
            if escaped(strings):
                raise Unsupported("escaped characters")
            _parser().Parse(strings, True)             # damaged: openpyxl refuses it
        listed = [(attrs.get("name"), attrs.get(_DOC_REL_ID), attrs.get("state", "visible"))
                  for name, attrs, parent in _elements(archive.read(workbook_part))
                  if _local(name) == "sheet" and _local(parent) == "sheets"]
        folder, file = posixpath.split(workbook_part)
        rels = _relationships(archive, posixpath.join(folder, "_rels", f"{file}.rels"))
        for part in (_CORE, _CUSTOM):                 # openpyxl parses these; damage there makes it refuse
            if part in names:
                _parser().Parse(archive.read(part), True)
        if _THEME in names:
            archive.read(_THEME)                      # (checks the member's CRC, as openpyxl's read does)
        dated = date_styles(archive.read(_STYLES) if _STYLES in names else None)
        self.date_marks = (re.compile(b's="(?:' + b"|".join(b"%d" % i for i in sorted(dated)) + b')"')
                           if dated else None)
        self.book = None                 # calamine's workbook, once fast_reader opens it
        self.sheets: list[tuple[str, str, str]] = []
        seen = set()
        for name, rel_id, state in listed:
            if not rel_id:
                raise Unsupported("sheet without relationship")
            kind, target = rels[rel_id]
            if target not in names:
                continue
            if name in seen or name is None:
                raise Unsupported("duplicate sheet name")
            seen.add(name)
            if "chartsheet" in kind:
                raise Unsupported("chartsheet")      # rare here; openpyxl reads them in full
            sheet_folder, sheet_file = posixpath.split(target)
            sheet_rels = posixpath.join(sheet_folder, "_rels", f"{sheet_file}.rels")
            if sheet_rels in names:
                _parser().Parse(archive.read(sheet_rels), True)
            if state not in _SHEET_STATES:
                raise Unsupported("sheet state")     # openpyxl refuses the workbook, with its message
            self.sheets.append((name, target, state))
