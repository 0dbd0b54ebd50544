"""The open workbook through xlwings: read it in blocks, apply an edit list (``views.edits``).

Only what xlwings' VBA client (xlwings/addin/Remote.bas) implements is used: values, fill
colours, number formats, add sheet, insert range, clear range, hyperlinks and activate sheet;
the print area (PageSetup.PrintArea) is set except through that client, which lacks it.
Per-cell calls are left only where xlwings has no block form: one hyperlink per review row,
and reading the fill of a cell marked for the first time (cells already in the registry of
审核结果 are not read again). The registry columns get the number format ";;;" instead of
being hidden, as the VBA client cannot hide columns; their content is the file writer's,
so either tool reads the other's marks and notes.
"""
from __future__ import annotations

from ..domain.schema import DATA_SHEETS, REVIEW_SHEET
from ..io.fill_colours import fill_hex, fill_text
from ..ops.open_book import FillsUnreadable, OpenBook
from ..rules.parse import HIDDEN, VERY_HIDDEN
from ..views.edits import TEXT_FORMAT, Edits, rectangles

__all__ = ["TEXT_FORMAT", "apply_edits", "fill_hex", "fill_text", "read_book", "rectangles", "sheet_values"]

XL_SHEET_VERY_HIDDEN = 2     # Excel's XlSheetVisibility.xlSheetVeryHidden


# --- reading ----------------------------------------------------------------------------
def sheet_values(sheet) -> list[tuple]:
    """The sheet's values from A1 to the end of its used range, in one read."""
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value
    return [tuple(row) for row in values]


def _visibility(sheet) -> str | None:
    """HIDDEN / VERY_HIDDEN for a sheet the clerk cannot see, None when visible or when the
    engine does not say (xlwings' remote engine without the VBA client's visibility)."""
    try:
        if sheet.visible:
            return None
    except (KeyError, NotImplementedError, AttributeError):
        return None
    api = sheet.api
    if isinstance(api, dict):                    # xlwings' remote engine: the client's own word
        return VERY_HIDDEN if api.get("visibility") == "VeryHidden" else HIDDEN
    try:
        return VERY_HIDDEN if api.Visible == XL_SHEET_VERY_HIDDEN else HIDDEN
    except Exception:   # noqa: BLE001 - an engine without Visible: hidden is all we know
        return HIDDEN


def read_book(book) -> OpenBook:
    """The standard sheets' values (one read each), 审核结果's values, the others by name."""
    sheets = []
    for sheet in book.sheets:
        name = sheet.name
        wanted = name == REVIEW_SHEET or name in DATA_SHEETS
        hidden = _visibility(sheet) if name != REVIEW_SHEET and wanted else None
        sheets.append((name, sheet_values(sheet) if wanted else [], hidden))

    def read_fills(keys):
        """One read per cell (xlwings has no block read of fills); the remote engine cannot read them."""
        try:
            return {(sheet, address): _rgb(book.sheets[sheet].range(address).color) for sheet, address in keys}
        except NotImplementedError:
            raise FillsUnreadable from None
    return OpenBook.from_sheets(book.name, sheets, read_fills)


def _rgb(colour) -> str | None:
    if colour is None:
        return None
    if isinstance(colour, str):
        return "#" + colour.lstrip("#")[-6:].upper()
    red, green, blue = (int(round(float(part))) for part in colour)
    return f"#{red:02X}{green:02X}{blue:02X}"


# --- applying ---------------------------------------------------------------------------
def _print_area(book, sheet, area: str) -> None:
    """PageSetup.PrintArea over COM/AppleScript; xlwings' VBA client (remote engine) has no
    action for it, so a book driven by that client keeps its print area."""
    if isinstance(sheet.api, dict) and book.api.get("client") == "VBA":
        return
    sheet.page_setup.print_area = area


def _range(sheet, bounds):
    r1, c1, r2, c2 = bounds
    return sheet.range((r1, c1), (r2, c2))


def apply_edits(book, edits: Edits) -> None:
    """Apply the steps in order with xlwings calls: one call per step (a block or a rectangle)."""
    for step in edits.steps:
        op = step["op"]
        if op == "add_sheet":
            book.sheets.add(name=step["sheet"], after=book.sheets[-1])
            continue
        sheet = book.sheets[step["sheet"]]
        if op == "insert_row":
            sheet.range(f"{step['row']}:{step['row']}").insert(shift="down", copy_origin="format_from_right_or_below")
        elif op == "clear":
            _range(sheet, step["range"]).clear()
        elif op == "clear_contents":
            _range(sheet, step["range"]).clear_contents()
        elif op == "number_format":
            _range(sheet, step["range"]).number_format = step["format"]
        elif op == "values":
            values = step["values"]
            row, col = step["row"], step["col"]
            target = sheet.range((row, col), (row + len(values) - 1, col + len(values[0]) - 1))
            target.value = values if len(values) > 1 or len(values[0]) > 1 else values[0][0]
        elif op == "colour":
            _range(sheet, step["range"]).color = step["colour"]
        elif op == "link":
            sheet.range((step["row"], step["col"])).add_hyperlink("#" + step["location"], step["text"], step["tip"])
        elif op == "print_area":
            _print_area(book, sheet, step["area"])
        elif op == "activate":
            sheet.activate()
        else:   # pragma: no cover - the builder emits only the steps above
            raise ValueError(f"unknown edit step {op!r}")
