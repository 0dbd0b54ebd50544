"""Formula results put back into a workbook openpyxl has just saved.

openpyxl writes every formula without its result, so the next read (ours, or a
viewer that does not recalculate) would see uncalculated formulas. When no cell
value was changed, every result the original file carried still holds: it is
copied back, with its type, as the spreadsheet that computed it wrote it.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ..domain.schema import REVIEW_SHEET
from .sheet_xml import (
    CELL_RE,
    FORMULA_RE,
    REF_RE,
    TYPE_RE,
    VALUE_RE,
    cached_formula_values,
    sheet_parts,
)

_EMPTY_V = re.compile(rb"<v\s*/>|<v>\s*</v>")      # openpyxl's empty result of a formula cell


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
    return CELL_RE.sub(put, xml)


def restore_formula_results(saved: Path, original: bytes) -> None:
    """Rewrite the workbook file `saved` with the formula results of `original` (the bytes it was
    loaded from). Only valid when no cell value was changed in between."""
    results = cached_formula_values(original)
    if not results:
        return
    with zipfile.ZipFile(saved) as written:
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
    Path(saved).write_bytes(buffer.getvalue())
