"""What one run of a button changes in an open workbook, as a pure, JSON-serialisable edit list.

The Excel buttons (xlwings, ``excel/live``) and the WPS add-in (JavaScript over the local
service, ``service/``) apply the same list, built here from the same review grid; only
the applier differs. An edit list is an ordered list of steps, each a plain dict::

    {"op": "insert_row",   "sheet": s, "row": r}                  whole sheet row, format from the row below
    {"op": "add_sheet",    "sheet": s}                            a new last sheet
    {"op": "clear",        "sheet": s, "range": [r1, c1, r2, c2]}  values, formats and links
    {"op": "clear_contents", "sheet": s, "range": [...]}          values only
    {"op": "number_format", "sheet": s, "range": [...], "format": f}
    {"op": "values",       "sheet": s, "row": r, "col": c, "values": [[...], ...]}
    {"op": "colour",       "sheet": s, "range": [...], "colour": "#RRGGBB" | None}   None: no fill
    {"op": "link",         "sheet": s, "row": r, "col": c, "location": "'公开05'!D9", "text": t, "tip": t}
    {"op": "print_area",   "sheet": s, "area": "A1:H23"}           the page setup's print area
    {"op": "activate",     "sheet": s}

Rows and columns are 1-based. Values are text, numbers, booleans or None (empty); an amount
is written as a number (a spreadsheet cell holds a double) and a text cell is formatted as
text ("@") before its value is written, so "1,234" stays text. Steps run in order: inserted
rows first, then amounts, then the marks and 审核结果.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping

from ..domain.layout import column_letter, layout_of, parse_a1
from ..domain.schema import CODE, REVIEW_SHEET, TABLES
from .review import (
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
    ReviewGrid,
    link_location,
)
from .styles import AMOUNT_FORMAT, DERIVED_FILL, HEADER_FILL, SEVERITY_FILLS

TEXT_FORMAT = "@"          # review text stays text: a note "1,234" or a code "2010301" must not become a number
HIDDEN_FORMAT = ";;;"      # shows nothing: the registry columns (neither xlwings' VBA client nor every WPS build hides columns)
MAX_CELL_TEXT = 32767      # a spreadsheet cell's limit
_ILLEGAL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"}

Key = tuple[str, str]      # (sheet, A1)


def safe_text(text: str) -> str:
    """What a cell can hold: no control characters, at most 32767 characters (as io.review_xlsx writes)."""
    text = "".join("\ufffd" if ch in _ILLEGAL else ch for ch in text)
    return text if len(text) <= MAX_CELL_TEXT else text[:MAX_CELL_TEXT - 1] + "…"


def cell_value(value):
    """A grid value as a spreadsheet takes it: text made safe, amounts (Decimal) as numbers."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


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


@dataclass
class Edits:
    """The ordered steps of one run (see the module docstring), built with the methods below."""
    steps: list[dict]

    def __init__(self, steps: Iterable[dict] = ()):
        self.steps = list(steps)

    def to_json(self) -> list[dict]:
        return [dict(step) for step in self.steps]

    def count(self, op: str) -> int:
        return sum(1 for step in self.steps if step["op"] == op)

    def colours(self, colours: Mapping[Key, str | None]) -> None:
        """Colour {(sheet, A1): '#RRGGBB' | None}: one step per rectangle of equal colour."""
        groups: dict[tuple[str, str | None], list[tuple[int, int]]] = {}
        for (sheet, address), colour in colours.items():
            groups.setdefault((sheet, colour), []).append(parse_a1(address))
        for (sheet, colour), cells in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or "")):
            for rect in rectangles(cells):
                self.steps.append({"op": "colour", "sheet": sheet, "range": list(rect), "colour": colour})

    def amounts(self, values: Mapping[Key, object]) -> None:
        """Write {(sheet, A1): Decimal | None}: per rectangle of cells, the amount format then the values."""
        by_sheet: dict[str, dict[tuple[int, int], object]] = {}
        for (sheet, address), value in values.items():
            by_sheet.setdefault(sheet, {})[parse_a1(address)] = value
        for sheet, cells in sorted(by_sheet.items()):
            for r1, c1, r2, c2 in rectangles(cells):
                self.steps.append({"op": "number_format", "sheet": sheet, "range": [r1, c1, r2, c2],
                                   "format": AMOUNT_FORMAT})
                self.steps.append({"op": "values", "sheet": sheet, "row": r1, "col": c1, "values": [
                    [cell_value(cells[(r, c)]) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]})

    def inserted_rows(self, insertions) -> None:
        """rules.parents.Insertion (table, row, code, name), by table and ascending row: each a new
        sheet row taking the format of the row below, the code as text in A and the name in B."""
        for ins in insertions:
            self.steps.append({"op": "insert_row", "sheet": ins.table, "row": ins.row})
            self.steps.append({"op": "number_format", "sheet": ins.table, "range": [ins.row, 1, ins.row, 1],
                               "format": TEXT_FORMAT})
            self.steps.append({"op": "values", "sheet": ins.table, "row": ins.row, "col": 1,
                               "values": [[safe_text(ins.code), safe_text(ins.name)]]})


# --- print areas ------------------------------------------------------------------------
def print_area_in_use(table) -> str:
    """A code table printed from its title to its last row holding a code (the 合计 row when
    there is none), not the ~150 blank input rows under it."""
    lay = layout_of(table.id)
    last = max([lay.first_data_row] + [row.row for row in table.rows if row.code])
    return f"A1:{column_letter(lay.last_col)}{last}"


def print_areas(edits: Edits, report, names) -> Edits:
    """Append the print area in use of every code table of `report` that is a sheet of `names`,
    as every save of a file sets it (io.template_xlsx.print_code_tables_in_use)."""
    for table_id, spec in TABLES.items():
        table = report.tables.get(table_id)
        if spec.kind == CODE and table is not None and table.present and table_id in names:
            edits.steps.append({"op": "print_area", "sheet": table_id, "area": print_area_in_use(table)})
    return edits


# --- the review sheet -------------------------------------------------------------------
def severity_runs(grid: ReviewGrid) -> list[tuple[int, int, str]]:
    """(first row, last row, '#RRGGBB') of adjacent rows of one severity colour."""
    runs: list[tuple[int, int, str]] = []
    for row in sorted(grid.severities):
        colour = "#" + SEVERITY_FILLS[grid.severities[row]]
        if runs and runs[-1][2] == colour and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row, colour)
        else:
            runs.append((row, row, colour))
    return runs


def review_edits(edits: Edits, grid: ReviewGrid, review_rows: list | None,
                 restore: Mapping[Key, str | None], shade: Mapping[Key, str], uncoloured=frozenset()) -> Edits:
    """Append what writes `grid` as 审核结果: old marks back to their colour (`restore`), derived
    cells grey (`shade`), new marks coloured, the sheet's rows replaced in one block (A2 down to
    the last row), severity colours, links, and 审核结果 activated.

    `review_rows`: the values 审核结果 holds now (None when the book has no such sheet);
    `uncoloured`: marked cells a merged range covers (they have no fill of their own)."""
    edits.colours({**shade, **restore})
    edits.colours({key: "#" + SEVERITY_FILLS[severity] for key, severity in grid.marks.items() if key not in uncoloured})
    sheet = REVIEW_SHEET
    step = edits.steps.append
    if review_rows is not None:
        old_rows = len(review_rows)
        old_cols = max([len(r) for r in review_rows] + [LAST_COLUMN])
        step({"op": "clear_contents", "sheet": sheet, "range": [LINES_ROW, 1, HEADER_ROW, old_cols]})  # keeps the header's look
        if old_rows >= FIRST_ROW:
            step({"op": "clear", "sheet": sheet, "range": [FIRST_ROW, 1, old_rows, old_cols]})
    else:
        step({"op": "add_sheet", "sheet": sheet})
        step({"op": "colour", "sheet": sheet, "range": [HEADER_ROW, 1, HEADER_ROW, LAST_VISIBLE_COLUMN],
              "colour": "#" + HEADER_FILL})
    step({"op": "values", "sheet": sheet, "row": TITLE_ROW, "col": 1, "values": [[safe_text(grid.title)]]})
    last = grid.last_row
    if last >= FIRST_ROW:
        step({"op": "number_format", "sheet": sheet, "range": [FIRST_ROW, NUMBER_COLUMN + 1, last, LAST_VISIBLE_COLUMN],
              "format": TEXT_FORMAT})
        step({"op": "number_format", "sheet": sheet, "range": [FIRST_ROW, AMOUNT_COLUMNS[0], last, AMOUNT_COLUMNS[-1]],
              "format": AMOUNT_FORMAT})
    step({"op": "number_format", "sheet": sheet, "range": [HEADER_ROW, REGISTRY_COLUMNS[0], last, REGISTRY_COLUMNS[-1]],
          "format": HIDDEN_FORMAT})
    step({"op": "values", "sheet": sheet, "row": LINES_ROW, "col": 1,
          "values": [[cell_value(value) for value in row] for row in grid.block()]})
    for first, last_of_run, colour in severity_runs(grid):
        step({"op": "colour", "sheet": sheet, "range": [first, SEVERITY_COLUMN, last_of_run, SEVERITY_COLUMN],
              "colour": colour})
    for row, (target, address) in sorted(grid.links.items()):
        text = safe_text(str(grid.cells[row, LINK_COLUMN]))
        step({"op": "link", "sheet": sheet, "row": row, "col": LINK_COLUMN,
              "location": link_location(target, address), "text": text, "tip": f"跳转到 {text}"})
    if grid.checked:                # printed: the findings, not the hidden registry's rows below
        step({"op": "print_area", "sheet": sheet,
              "area": f"A{TITLE_ROW}:{column_letter(LAST_VISIBLE_COLUMN)}{grid.last_finding_row}"})
    step({"op": "activate", "sheet": sheet})
    return edits


def forget_marks(edits: Edits, review_rows: list | None, restore: Mapping[Key, str | None]) -> Edits:
    """清除标记: put back each recorded fill, then empty the registry of marks so no later run
    restores them again."""
    edits.colours(restore)
    last = len(review_rows or [])
    if last >= FIRST_ROW:
        edits.steps.append({"op": "clear_contents", "sheet": REVIEW_SHEET,
                            "range": [FIRST_ROW, MARK_COLUMNS[0], last, MARK_COLUMNS[1]]})
    return edits


DERIVED_COLOUR = "#" + DERIVED_FILL
