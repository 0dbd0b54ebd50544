"""Formula results put back into a workbook openpyxl has just saved.

openpyxl writes every formula without its result, so the next read (ours, or a
viewer that does not recalculate) would see uncalculated formulas: a clerk's
formula in an input cell would then read as E01 "未计算的公式". The results the
original file carried are copied back, with their type, as the spreadsheet that
computed them wrote them, except where they may no longer hold: a formula that
refers (directly, or through other formulas) to a cell we wrote, or to the review
sheet we rewrite, loses its result; so does any formula whose references cannot
be read (defined names, INDIRECT, OFFSET, other workbooks) once any cell was
written. Excel recalculates on opening anyway (openpyxl asks it to).
"""
from __future__ import annotations

import re
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import column_index_from_string

from ..domain.schema import REVIEW_SHEET
from .sheet_xml import (
    FORMULA_RE,
    REF_RE,
    TYPE_RE,
    VALUE_RE,
    cached_formula_values,
    formula_cells,
    xml_unescape,
)

_EMPTY_V = re.compile(rb"<v\s*/>|<v>\s*</v>")      # openpyxl's empty result of a formula cell
_REFERENCE = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^'!:\[\]]+)!)?(?P<a>\$?[A-Z]{1,3}\$?\d+|\$?[A-Z]{1,3}|\$?\d+)"
                        r"(?::(?P<b>\$?[A-Z]{1,3}\$?\d+|\$?[A-Z]{1,3}|\$?\d+))?$", re.IGNORECASE)
_CORNER = re.compile(r"^\$?([A-Z]{0,3})\$?(\d*)$", re.IGNORECASE)
_UNKNOWABLE = ("INDIRECT(", "OFFSET(")          # the cells they read are computed, not written
MAX_ROW, MAX_COL = 1048576, 16384

Area = tuple[int, int, int, int]           # first column, first row, last column, last row


def _corner(text: str) -> tuple[int | None, int | None]:
    match = _CORNER.match(text)
    column, row = match.group(1), match.group(2)
    return (column_index_from_string(column.upper()) if column else None), (int(row) if row else None)


def _area(first: str, last: str | None) -> Area:
    (c1, r1), (c2, r2) = _corner(first), _corner(last or first)
    return (c1 or 1, r1 or 1, c2 or MAX_COL, r2 or MAX_ROW)


def references(formula: str, own_sheet: str) -> list[tuple[str, Area]] | None:
    """(sheet name casefolded, area) for every reference in `formula`; None when one cannot be known."""
    found = []
    try:
        tokens = Tokenizer("=" + formula.lstrip("=")).items
    except Exception:           # the tokenizer's own errors are plain exceptions
        return None
    for token in tokens:
        if token.type == Token.FUNC and token.subtype == Token.OPEN and token.value.upper() in _UNKNOWABLE:
            return None
        if token.type != Token.OPERAND or token.subtype != Token.RANGE:
            continue
        match = _REFERENCE.match(token.value)
        if match is None:        # a defined name, a table, another workbook, a 3-D reference
            return None
        sheet = match.group("sheet")
        sheet = sheet[1:-1].replace("''", "'") if sheet and sheet.startswith("'") else (sheet or own_sheet)
        found.append((sheet.casefold(), _area(match.group("a"), match.group("b"))))
    return found


def _formulas(members: dict[str, bytes], sheets: dict[str, str]) -> dict[tuple[str, int, int], str]:
    """(sheet casefolded, column, row) -> formula text, for every formula cell in the saved sheets."""
    found = {}
    for name, part in sheets.items():
        for match in formula_cells(members.get(part, b"")):
            body = match.group(2)
            formula = FORMULA_RE.search(body) if body else None
            ref = REF_RE.search(match.group(1))
            if formula is None or ref is None:
                continue
            text = xml_unescape((formula.group(1) or b"").decode("utf-8", "replace"))
            found[(name.casefold(), column_index_from_string(ref.group(1).decode()), int(ref.group(2)))] = text
    return found


def stale_formulas(members: dict[str, bytes], sheets: dict[str, str], written: set[tuple[str, str]]) -> set:
    """(sheet casefolded, column, row) of the formula cells whose stored result may no longer hold."""
    changed: dict[str, set[tuple[int, int]]] = {}
    for sheet, address in written:
        column, row = _corner(address)
        changed.setdefault(sheet.casefold(), set()).add((column, row))
    rewritten = REVIEW_SHEET.casefold()
    formulas = _formulas(members, sheets)
    if not written and not any(REVIEW_SHEET in text for text in formulas.values()):
        return set()            # nothing changed that a formula could read: the usual check --write
    pending = {cell: references(text, cell[0]) for cell, text in formulas.items()}
    stale: set = set()

    def reads_changed(refs) -> bool:
        if refs is None:
            return bool(written)
        for sheet, (c1, r1, c2, r2) in refs:
            if sheet == rewritten:
                return True
            if any(c1 <= c <= c2 and r1 <= r <= r2 for c, r in changed.get(sheet, ())):
                return True
        return False

    grew = True
    while grew:                 # a formula reading a stale formula is stale too
        grew = False
        for cell, refs in list(pending.items()):
            if reads_changed(refs):
                stale.add(cell)
                changed.setdefault(cell[0], set()).add(cell[1:])
                del pending[cell]
                grew = True
    return stale


def _with_results(xml: bytes, results: dict) -> bytes:
    """openpyxl writes a formula cell as <c r="C7"><f>…</f><v /></c>: put back the result the
    original file carried for that cell (and its type)."""
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
    pieces, done = [], 0
    for match in formula_cells(xml):            # (the other cells stay as they are)
        pieces += [xml[done:match.start()], put(match)]
        done = match.end()
    return b"".join(pieces) + xml[done:]


def restore_formula_results(members: dict[str, bytes], sheets: dict[str, str], original: bytes,
                            written: set[tuple[str, str]]) -> bool:
    """Put into `members` (the saved package, part name -> bytes; `sheets`: sheet name -> part) the
    formula results of `original` (the bytes it was loaded from) that still hold after the cells
    `written` ((sheet, A1) pairs) were changed. Returns whether any part changed."""
    results = cached_formula_values(original)
    results = {name: cells for name, cells in results.items() if name in sheets and name != REVIEW_SHEET}
    if not results:
        return False
    stale = stale_formulas(members, sheets, written)
    touched = False
    for name, cells in results.items():
        keep = {ref: hit for ref, hit in cells.items() if (name.casefold(), *_cell_of(ref)) not in stale}
        if keep:
            part = sheets[name]
            members[part] = _with_results(members[part], keep)
            touched = True
    return touched


def _cell_of(ref: bytes) -> tuple[int, int]:
    match = REF_RE.search(b'r="' + ref + b'"')
    return column_index_from_string(match.group(1).decode()), int(match.group(2))
