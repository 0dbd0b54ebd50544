"""The open workbook through xlwings: read it in blocks, write the review grid and amounts back.

Only what xlwings' VBA client (xlwings/addin/Remote.bas) implements is used: values, fill
colours, number formats, add sheet, clear range, hyperlinks and activate sheet. Per-cell
calls are left only where xlwings has no block form: one hyperlink per review row, and
reading the fill of a cell marked for the first time (cells already in the registry of
审核结果 are not read again). Colouring goes by rectangles of equal colour; amounts go by
rectangles of changed cells. The registry columns get the number format ";;;" instead of
being hidden, as the VBA client cannot hide columns; their content is the file writer's,
so either tool reads the other's marks and notes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.styles import GradientFill, PatternFill
from openpyxl.styles.colors import COLOR_INDEX

from ..domain.layout import parse_a1
from ..domain.schema import FACT_SHEETS, INFO_SHEET, REVIEW_SHEET, TABLE_IDS
from ..io.review_xlsx import fill_to_text, safe_text, text_to_fill
from ..views.fill_record import parse_overwrites
from ..views.review import (
    AMOUNT_COLUMNS,
    FIRST_ROW,
    HEADER_ROW,
    LAST_COLUMN,
    LAST_VISIBLE_COLUMN,
    LINES_ROW,
    LINK_COLUMN,
    MARK_COLUMNS,
    NUMBER_COLUMN,
    REGISTRY_COLUMNS,
    SEVERITY_COLUMN,
    TITLE_ROW,
    Review,
    ReviewGrid,
    link_location,
    parse_fill_record,
    parse_registry,
    review_grid,
)
from ..views.styles import AMOUNT_FORMAT, DERIVED_FILL, HEADER_FILL, SEVERITY_FILLS

TEXT_FORMAT = "@"          # review text stays text: a note "1,234" or a code "2010301" must not become a number
HIDDEN_FORMAT = ";;;"      # shows nothing: the registry columns (the VBA client cannot hide columns)


# --- reading ----------------------------------------------------------------------------
def sheet_values(sheet) -> list[tuple]:
    """The sheet's values from A1 to the end of its used range, in one read."""
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value
    return [tuple(row) for row in values]


@dataclass
class LiveBook:
    """What one run read from the open book."""
    book: object
    names: list[str]
    grids: dict[str, list[tuple]]
    review_rows: list[tuple] | None            # 审核结果 values, None when the sheet is absent

    def sheet(self, name: str):
        return self.book.sheets[name]


def read_book(book) -> LiveBook:
    names = [sheet.name for sheet in book.sheets]
    grids: dict[str, list[tuple]] = {}
    review_rows = None
    for name in names:
        if name == INFO_SHEET or name in TABLE_IDS or name in FACT_SHEETS:
            grids[name] = sheet_values(book.sheets[name])
        elif name == REVIEW_SHEET:
            review_rows = sheet_values(book.sheets[name])
            grids[name] = []
        else:
            grids[name] = []          # other sheets: by name only, as the file reader does
    return LiveBook(book, names, grids, review_rows)


def previous_registry(live: LiveBook) -> tuple[dict, list[tuple[str, str, str]]]:
    """(notes by finding key, [(sheet, A1, original fill text)]) left by the last run, CLI or Excel."""
    notes, marks = parse_registry(live.review_rows or [])
    return {key: _plain(value) for key, value in notes.items()}, marks


def previous_fill(live: LiveBook) -> tuple[dict, list]:
    """(the record of the figures fill left, the overwrites it reported) from the last run, CLI or Excel."""
    rows = live.review_rows or []
    return parse_fill_record(rows), parse_overwrites(rows)


def _plain(value):
    """Excel hands every number over as a float; a note typed as 12 is 12."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- colours ----------------------------------------------------------------------------
def fill_hex(original: str) -> str | None:
    """The colour a registry entry restores, as '#RRGGBB'; None for no fill.

    xlwings sets plain RGB fills only: theme colours and gradients come back as
    their RGB where the file says it, else as no fill.
    """
    fill = text_to_fill(original)
    if isinstance(fill, GradientFill):
        color = fill.stop[0].color if fill.stop else None
    elif getattr(fill, "fill_type", None) is None:
        color = None
    else:
        color = fill.fgColor
    if color is None:
        return None
    if color.type == "rgb" and isinstance(color.rgb, str) and re.fullmatch(r"[0-9A-Fa-f]{6,8}", color.rgb):
        return "#" + color.rgb[-6:].upper()
    if color.type == "indexed" and isinstance(color.indexed, int) and color.indexed < len(COLOR_INDEX):
        return "#" + COLOR_INDEX[color.indexed][-6:]
    return None


def fill_text(rgb: str | None) -> str:
    """Registry text for a fill read from Excel ('#RRGGBB' or None), as the file writer spells it."""
    if rgb is None:
        return ""
    return fill_to_text(PatternFill("solid", fgColor="00" + rgb.lstrip("#").upper()))


def rectangles(cells) -> list[tuple[int, int, int, int]]:
    """Group (row, col) cells into few rectangles (r1, c1, r2, c2): runs along rows, stacked when aligned."""
    rows: dict[int, list[int]] = {}
    for row, col in set(cells):
        rows.setdefault(row, []).append(col)
    runs = []
    for row in sorted(rows):
        cols = sorted(rows[row])
        start = prev = cols[0]
        for col in cols[1:] + [None]:
            if col is not None and col == prev + 1:
                prev = col
                continue
            runs.append((row, start, prev))
            if col is not None:
                start = prev = col
    open_rects: dict[tuple[int, int], list[int]] = {}
    out = []
    for row, c1, c2 in runs:
        rect = open_rects.get((c1, c2))
        if rect is not None and rect[2] == row - 1:
            rect[2] = row
        else:
            if rect is not None:
                out.append(rect)
            open_rects[(c1, c2)] = [row, c1, row, c2]
    out.extend(open_rects.values())
    return sorted((r1, c1, r2, c2) for r1, c1, r2, c2 in out)


def paint(book, colours: dict[tuple[str, str], str | None]) -> int:
    """Colour {(sheet, A1): '#RRGGBB' | None}, one call per rectangle of equal colour. Returns the call count."""
    groups: dict[tuple[str, str | None], list[tuple[int, int]]] = {}
    for (sheet, address), colour in colours.items():
        groups.setdefault((sheet, colour), []).append(parse_a1(address))
    calls = 0
    for (sheet, colour), cells in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        target = book.sheets[sheet]
        for r1, c1, r2, c2 in rectangles(cells):
            target.range((r1, c1), (r2, c2)).color = colour
            calls += 1
    return calls


def _read_fills(live: LiveBook, cells: list[tuple[str, str]], derived: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Registry text of the current fill of each newly marked cell.

    Desktop Excel: one read per cell, as xlwings has no block read of fills (only cells
    not already in the registry are read, so a re-run reads few). The remote engine
    cannot read fills at all; there the standard workbook's own shading stands in
    (derived cells grey, the rest unfilled), which is what ``juesuan template`` books have.
    """
    out: dict[tuple[str, str], str] = {}
    try:
        for sheet, address in cells:
            out[(sheet, address)] = fill_text(_rgb(live.sheet(sheet).range(address).color))
    except NotImplementedError:
        return _standard_fills(cells, derived)
    return out


def _rgb(colour) -> str | None:
    if colour is None:
        return None
    if isinstance(colour, str):
        return "#" + colour.lstrip("#")[-6:].upper()
    red, green, blue = (int(round(float(part))) for part in colour)
    return f"#{red:02X}{green:02X}{blue:02X}"


def _standard_fills(cells, derived: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    grey = fill_text("#" + DERIVED_FILL)
    return {key: grey if key in derived else "" for key in cells}


# --- the review sheet -------------------------------------------------------------------
@dataclass
class ReviewPlan:
    """Everything one run writes, computed before the first write."""
    restore: dict[tuple[str, str], str | None]     # old marks going back to their original colour
    grid: ReviewGrid
    shade: dict[tuple[str, str], str] = None       # derived cells going grey (after fill), unmarked ones


def plan_review(live: LiveBook, review: Review, old_marks, shade=()) -> ReviewPlan:
    """`shade` (after fill): cells that wear the derived grey from now on; a mark on one
    remembers grey as its original fill, as the file writer does."""
    sheets = set(live.names) | {REVIEW_SHEET}
    old = {(sheet, address): original for sheet, address, original in old_marks
           if sheet in sheets and sheet != REVIEW_SHEET}
    new = review.marks_on(sheets)
    grey_text = fill_text("#" + DERIVED_FILL)
    shade = {key for key in shade if key[0] in sheets and key[0] != REVIEW_SHEET}
    old.update({key: grey_text for key in shade if key in old})
    restore = {key: fill_hex(original) for key, original in old.items() if key not in new}
    unknown = [key for key in sorted(new) if key not in old]
    originals = dict(old)
    originals.update(_read_fills(live, unknown, review.derived) if unknown else {})
    originals.update({key: grey_text for key in shade if key in new})
    grey = {key: "#" + DERIVED_FILL for key in shade if key not in new and key not in restore}
    return ReviewPlan(restore, review_grid(review, sheets, originals), grey)


def _severity_runs(grid: ReviewGrid) -> list[tuple[int, int, str]]:
    """(first row, last row, '#RRGGBB') of adjacent rows of one severity colour."""
    runs: list[tuple[int, int, str]] = []
    for row in sorted(grid.severities):
        colour = "#" + SEVERITY_FILLS[grid.severities[row]]
        if runs and runs[-1][2] == colour and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row, colour)
        else:
            runs.append((row, row, colour))
    return runs


def apply_review(live: LiveBook, plan: ReviewPlan) -> None:
    """Restore old marks, colour new ones, and write 审核结果 as one block (A2 down to the last row)."""
    book, grid = live.book, plan.grid
    paint(book, {**(plan.shade or {}), **plan.restore})
    paint(book, {key: "#" + SEVERITY_FILLS[severity] for key, severity in grid.marks.items()})
    if live.review_rows is not None:
        sheet = book.sheets[REVIEW_SHEET]
        old_rows = len(live.review_rows)
        old_cols = max([len(r) for r in live.review_rows] + [LAST_COLUMN])
        sheet.range((LINES_ROW, 1), (HEADER_ROW, old_cols)).clear_contents()    # keeps the header's formatting
        if old_rows >= FIRST_ROW:
            sheet.range((FIRST_ROW, 1), (old_rows, old_cols)).clear()          # values, colours, links of old rows
    else:
        sheet = book.sheets.add(name=REVIEW_SHEET, after=book.sheets[-1])
        sheet.range((HEADER_ROW, 1), (HEADER_ROW, LAST_VISIBLE_COLUMN)).color = "#" + HEADER_FILL
    sheet.range((TITLE_ROW, 1)).value = grid.title
    last = grid.last_row
    if last >= FIRST_ROW:
        sheet.range((FIRST_ROW, NUMBER_COLUMN + 1), (last, LAST_VISIBLE_COLUMN)).number_format = TEXT_FORMAT
        sheet.range((FIRST_ROW, AMOUNT_COLUMNS[0]), (last, AMOUNT_COLUMNS[-1])).number_format = AMOUNT_FORMAT
    sheet.range((HEADER_ROW, REGISTRY_COLUMNS[0]), (last, REGISTRY_COLUMNS[-1])).number_format = HIDDEN_FORMAT
    sheet.range((LINES_ROW, 1), (last, LAST_COLUMN)).value = [
        [_cell_value(value) for value in row] for row in grid.block()]
    for first, last_of_run, colour in _severity_runs(grid):
        sheet.range((first, SEVERITY_COLUMN), (last_of_run, SEVERITY_COLUMN)).color = colour
    for row, (target, address) in sorted(grid.links.items()):
        text = safe_text(str(grid.cells[row, LINK_COLUMN]))
        sheet.range((row, LINK_COLUMN)).add_hyperlink("#" + link_location(target, address), text, f"跳转到 {text}")
    sheet.activate()


def _cell_value(value):
    """A grid value as the VBA client takes it: text made safe, amounts (Decimal) as numbers."""
    if isinstance(value, str):
        return safe_text(value)
    return float(value) if isinstance(value, Decimal) else value


def restore_marks(live: LiveBook) -> int:
    """Put back the fill of every cell the registry lists, then empty the registry. Returns the count."""
    _notes, marks = previous_registry(live)
    names = set(live.names) - {REVIEW_SHEET}
    restore = {(sheet, address): fill_hex(original) for sheet, address, original in marks if sheet in names}
    if not restore:
        return 0
    paint(live.book, restore)
    last = len(live.review_rows or [])
    if last >= FIRST_ROW:     # forget them, so a later run does not restore them again
        live.sheet(REVIEW_SHEET).range((FIRST_ROW, MARK_COLUMNS[0]), (last, MARK_COLUMNS[1])).clear_contents()
    return len(restore)


# --- amounts ----------------------------------------------------------------------------
def write_amounts(book, values: dict[tuple[str, str], object]) -> None:
    """Write {(sheet, A1): Decimal | None} in blocks: one value write and one format per rectangle."""
    by_sheet: dict[str, dict[tuple[int, int], object]] = {}
    for (sheet, address), value in values.items():
        by_sheet.setdefault(sheet, {})[parse_a1(address)] = value
    for sheet, cells in sorted(by_sheet.items()):
        target = book.sheets[sheet]
        for r1, c1, r2, c2 in rectangles(cells):
            block = [[_number(cells[(r, c)]) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
            rng = target.range((r1, c1), (r2, c2))
            rng.number_format = AMOUNT_FORMAT
            rng.value = block


def _number(value):
    return None if value is None else float(value)
