"""What the WPS add-in does, in Python, for the service tests: read a workbook file the way the
add-in reads an open book (Range.Value2 of each standard sheet's used range, which sheets are
hidden, Interior.Color of the cells the service asks about), and apply the returned edit list
to the file's openpyxl workbook the way ET applies it (as Excel does: see xlwings_replay).

Also a command line for the Node tests (wps/tests), which hold the same workbook in a fake ET;
one process answers them all (a Python start costs more than the work):
    python tests/support/wps_client.py book:<xlsx> check:<xlsx> fill:<xlsx> ...
prints {"book:<xlsx>": the book as the fake loads it, "check:<xlsx>": that book after
`check --write`, "fill:<xlsx>": after `fill`} as JSON.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

import juesuan  # noqa: F401  (before openpyxl: it keeps openpyxl's XML on the standard library, as the service's)
import openpyxl
from openpyxl.styles import PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.hyperlink import Hyperlink

if __package__ in (None, ""):               # run as a script by the Node tests
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.xlwings_replay import _as_excel_stores  # noqa: E402

from juesuan.domain.schema import DATA_SHEETS, REVIEW_SHEET  # noqa: E402
from juesuan.io.fill_colours import fill_hex  # noqa: E402
from juesuan.io.review_xlsx import fill_to_text  # noqa: E402
from juesuan.io.sheet_rows import insert_row  # noqa: E402

EXCEL_EPOCH = datetime(1899, 12, 30)


def value2(value):
    """What Range.Value2 hands a script: dates as serial numbers, empty as null."""
    if isinstance(value, datetime):
        return (value - EXCEL_EPOCH).total_seconds() / 86400
    if isinstance(value, date):
        return float((value - EXCEL_EPOCH.date()).days)
    return value


def is_standard(name: str) -> bool:
    return name == REVIEW_SHEET or name in DATA_SHEETS


def sheet_rows(ws) -> list[list]:
    rows = [[value2(v) for v in row] for row in ws.iter_rows(values_only=True)]
    while rows and all(v in (None, "") for v in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def request_from_file(path, with_path: bool = False, workbook=None) -> dict:
    """The request the add-in sends for the open workbook at `path` (loaded as `workbook`, if given)."""
    workbook = workbook or openpyxl.load_workbook(path, data_only=True)
    sheets = [{"name": ws.title, "values": sheet_rows(ws) if is_standard(ws.title) else None,
               "hidden": None if ws.sheet_state == "visible" else ws.sheet_state} for ws in workbook.worksheets]
    for ws, sheet in zip(workbook.worksheets, sheets):
        if is_standard(ws.title) and ws.merged_cells.ranges:     # the add-in's merged areas (Range.MergeArea)
            sheet["merged"] = sorted(str(r) for r in ws.merged_cells.ranges)
    request = {"book": {"name": Path(path).name}, "sheets": sheets}
    if with_path:
        request["book"]["path"] = str(Path(path).resolve())
    return request


def cell_colour(cell) -> str | None:
    """Interior.Color as the add-in reports it: '#RRGGBB', null for no fill."""
    return fill_hex(fill_to_text(cell.fill))


def fills_for(path, keys, workbook=None) -> dict:
    workbook = workbook or openpyxl.load_workbook(path)
    out = {}
    for key in keys:
        sheet, _, address = key.rpartition("!")
        out[key] = cell_colour(workbook[sheet][address])
    return out


def apply_steps(workbook, steps: list[dict]) -> None:
    """Apply an edit list (views/edits.py) to an openpyxl workbook as ET applies it."""
    for step in steps:
        op = step["op"]
        if op == "add_sheet":
            workbook.create_sheet(step["sheet"])
            continue
        ws = workbook[step["sheet"]]
        if op == "print_area":                  # Sheet.PageSetup.PrintArea
            ws.print_area = step["area"]
            continue
        if op == "activate":
            workbook.active = workbook.sheetnames.index(step["sheet"])
            continue
        if op == "insert_row":
            insert_row(ws, step["row"])
            continue
        if op == "link":
            cell = ws.cell(row=step["row"], column=step["col"])
            cell.value = step["text"]
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=step["location"], display=step["text"],
                                       tooltip=step["tip"])
            continue
        if op == "values":
            for i, row in enumerate(step["values"]):
                for j, value in enumerate(row):
                    cell = ws.cell(row=step["row"] + i, column=step["col"] + j)
                    cell.value = _as_excel_stores(value, cell.number_format) if isinstance(value, str) else value
            continue
        r1, c1, r2, c2 = step["range"]
        cells = [ws.cell(row=r, column=c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        for cell in cells:
            if op == "colour":
                colour = step["colour"]
                cell.fill = PatternFill("solid", fgColor="00" + colour.lstrip("#").upper()) if colour \
                    else PatternFill(fill_type=None)
            elif op == "number_format":
                cell.number_format = step["format"]
            elif op == "clear_contents":
                cell.value = None
            elif op == "clear":
                cell.value, cell.hyperlink, cell._style = None, None, StyleArray()
            else:
                raise ValueError(f"unknown edit step {op!r}")


def print_area(ws) -> str:
    """The sheet's print area as "A1:H23" ("" when none), as the add-in sets PageSetup.PrintArea."""
    area = ws.print_area or ""
    return area.rpartition("!")[2].replace("$", "")


# --- the JSON the Node tests' fake ET loads and compares --------------------------------------
def book_json(workbook, name: str) -> dict:
    """Every sheet: values (Value2), fills ('#RRGGBB' by A1, where filled), links (A1 -> location)."""
    sheets = []
    for ws in workbook.worksheets:
        fills, links = {}, {}
        for row in ws.iter_rows():
            for cell in row:
                colour = cell_colour(cell)
                if colour:
                    fills[cell.coordinate] = colour
                if cell.hyperlink is not None:
                    links[cell.coordinate] = cell.hyperlink.location
        sheets.append({"name": ws.title, "values": sheet_rows(ws), "print_area": print_area(ws),
                       "hidden": None if ws.sheet_state == "visible" else ws.sheet_state,
                       "fills": fills, "links": links})
    return {"name": name, "sheets": sheets}


def _main(argv) -> int:
    from juesuan.domain.catalog import load_catalog
    from juesuan.ops import check_book, fill_book, save_review
    catalog, out = load_catalog(), {}
    with tempfile.TemporaryDirectory(prefix="juesuan-wps-") as folder:
        for number, item in enumerate(argv):
            what, _, name = item.partition(":")
            source = Path(name)
            if what == "book":
                out[item] = book_json(openpyxl.load_workbook(source, data_only=True), source.name)
                continue
            copy = Path(folder) / str(number) / source.name
            copy.parent.mkdir()
            shutil.copy(source, copy)
            if what == "check":
                save_review(check_book(copy, catalog), copy)
            elif what == "fill":
                fill_book(copy, catalog)
            else:
                raise SystemExit(f"unknown request {item!r}: book:, check: or fill:")
            out[item] = book_json(openpyxl.load_workbook(copy, data_only=True), source.name)
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
