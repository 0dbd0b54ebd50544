"""xlwings' VBA client, emulated for the tests: no Excel needed.

What stands in for Excel: xlwings' own Book/Sheet/Range classes on its remote engine
(``xw.Book(json=payload)``), the payload being what the VBA client (RunRemotePython)
would send for a workbook file. The actions they return are replayed onto that file with
openpyxl, as ``xlwings/addin/Remote.bas`` would apply them, and compared with what the
command line (``juesuan check --write`` / ``juesuan fill``) makes of the same file.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import openpyxl
from openpyxl.styles import PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.hyperlink import Hyperlink

import juesuan.excel as xl
from juesuan.domain.catalog import load_catalog
from juesuan.domain.schema import REVIEW_SHEET
from juesuan.excel.live import TEXT_FORMAT
from juesuan.io.sheet_rows import insert_row
from juesuan.ops import check_book, save_review
from juesuan.views.review import (
    COUNTS_ROW,
    HEADER_ROW,
    LAST_COLUMN,
    LINK_COLUMN,
    SEVERITY_COLUMN,
)

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")   # xlwings' documented key for open source
import xlwings  # noqa: E402  (after the key: xlwings registers its remote engine on import when it is set)


def vba_client_actions() -> set[str]:
    """Action names xlwings' VBA client can replay: the Subs (wb As Workbook, action As Dictionary) of Remote.bas."""
    text = (Path(xlwings.__file__).parent / "addin" / "Remote.bas").read_text(encoding="utf-8", errors="replace")
    return set(re.findall(r"^Sub (\w+)\(wb As Workbook, action As Dictionary\)", text, re.M))


def payload_from_file(path, book_name: str | None = None, visibility: bool = False) -> dict:
    """The request xlwings' VBA client (RunRemotePython) would send for the workbook at `path`.

    `visibility`: add each sheet's visibility as Office.js clients send it (the VBA client does
    not; under RunPython xlwings reads it over COM): the stand-in for a book with hidden sheets.

    Values come as Excel shows them (data_only: a formula's last calculated value),
    from A1 to the end of each sheet's used range; empty cells are "".
    """
    workbook = openpyxl.load_workbook(path, data_only=True, read_only=True)
    try:
        sheets = []
        for ws in workbook.worksheets:
            rows = [["" if v is None else _json_value(v) for v in row] for row in ws.iter_rows(values_only=True)]
            while rows and all(v == "" for v in rows[-1]):
                rows.pop()
            width = max((len(r) for r in rows), default=0)
            rows = [r + [""] * (width - len(r)) for r in rows]
            sheets.append({"name": ws.title, "pictures": [], "tables": [], "values": rows or [[]]})
            if visibility:
                sheets[-1]["visibility"] = _VISIBILITY[ws.sheet_state]
        active = workbook.worksheets.index(workbook.active) if workbook.active in workbook.worksheets else 0
    finally:
        workbook.close()
    return {"client": "VBA", "version": xlwings.__version__,
            "book": {"name": book_name or Path(path).name, "active_sheet_index": active, "selection": "A1"},
            "names": [], "sheets": sheets}


_VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}   # Office.js' words


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def remote_book(payload: dict):
    """An xlwings Book on the remote engine (needs XLWINGS_LICENSE_KEY, e.g. 'noncommercial')."""
    if "remote" not in [engine.name for engine in xlwings.engines]:
        from xlwings.pro import _xlremote  # xlwings was imported before the key was set
        xlwings.engines.add(xlwings.main.Engine(impl=_xlremote.engine))
    return xlwings.Book(json=payload)


_NUMBER_TEXT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?([eE][+-]?\d+)?%?|[+-]?\.\d+")


def _as_excel_stores(text: str, number_format: str):
    """What Excel keeps when VBA assigns this string to Range.Value (setValues)."""
    if text == "":
        return None                   # Range.Value = "" leaves the cell empty
    if number_format == TEXT_FORMAT or not isinstance(text, str):
        return text
    if _NUMBER_TEXT.fullmatch(text.strip()):
        plain = text.strip().replace(",", "")
        return float(plain[:-1]) / 100 if plain.endswith("%") else float(plain)
    return text


def replay_actions(workbook, actions: list[dict], client_actions: set[str] | None = None) -> list[list]:
    """Apply the actions the VBA client would run, to an openpyxl workbook, as Remote.bas does.

    Returns the message boxes (alert args). An action the VBA client lacks raises ValueError.
    """
    client_actions = client_actions if client_actions is not None else vba_client_actions()
    alerts = []
    for action in actions:
        func, args = action["func"], action.get("args") or []
        if func not in client_actions:
            raise ValueError(f"xlwings' VBA client has no action {func!r}")
        position = action.get("sheet_position")
        ws = workbook.worksheets[position] if position is not None else None
        cells = []
        if action.get("start_row") is not None:
            r0, c0 = action["start_row"] + 1, action["start_column"] + 1
            cells = [[ws.cell(row=r0 + i, column=c0 + j) for j in range(action["column_count"])]
                     for i in range(action["row_count"])]
        flat = [cell for row in cells for cell in row]
        if func == "setValues":
            for row, values in zip(cells, action["values"]):
                for cell, value in zip(row, values):
                    cell.value = _as_excel_stores(value, cell.number_format)
        elif func == "setRangeColor":
            colour = args[0]
            for cell in flat:
                cell.fill = PatternFill("solid", fgColor="00" + colour.lstrip("#").upper()) if colour \
                    else PatternFill(fill_type=None)
        elif func == "setNumberFormat":
            for cell in flat:
                cell.number_format = args[0]
        elif func == "addHyperlink":
            cell = flat[0]
            address, text = args[0], args[1]
            cell.value = text
            if address.startswith("#"):
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=address[1:], display=text, tooltip=args[2])
            else:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, target=address, display=text, tooltip=args[2])
        elif func == "rangeClearContents":
            for cell in flat:
                cell.value = None
        elif func == "rangeClear":
            for cell in flat:
                cell.value = None
                cell.hyperlink = None
                cell._style = StyleArray()
        elif func == "rangeInsert":       # whole rows, shifted down, formatted like the row below
            if args != ["down", "format_from_right_or_below"] or action["column_count"] != 16384:
                raise ValueError(f"replay of rangeInsert{args} over {action['column_count']} columns is not implemented")
            for _ in range(action["row_count"]):
                insert_row(ws, action["start_row"] + 1)
        elif func == "addSheet":
            workbook.create_sheet(args[1], index=args[0])
        elif func == "activateSheet":
            workbook.active = args[0]
        elif func == "alert":
            alerts.append(list(args))
        else:
            raise ValueError(f"replay of {func!r} is not implemented")
    return alerts


# --- the comparison with the command line ------------------------------------------------
def compare_reviews(cli_path, excel_workbook) -> list[str]:
    """Differences between the CLI's result file and a replayed workbook: review rows (except the
    run-time line), registry, links, severity colours and every highlight fill."""
    cli = openpyxl.load_workbook(cli_path)
    return workbook_differences(cli, excel_workbook)


def fill_key(cell):
    fill = cell.fill
    if fill is None or fill.fill_type is None:
        return None
    colour = fill.fgColor
    return (fill.fill_type, colour.rgb[-6:].upper() if colour.type == "rgb" else (colour.type, colour.value))


def review_content(workbook) -> list[tuple]:
    ws = workbook[REVIEW_SHEET]
    rows = []
    for row in ws.iter_rows(min_row=1, max_row=max(ws.max_row, HEADER_ROW), max_col=LAST_COLUMN):
        values = tuple(None if c.value == "" else c.value for c in row)
        if row[0].row == COUNTS_ROW:
            values = (re.sub(r"审核时间：\S+ \S+", "审核时间：*", values[0] or ""),) + values[1:]
        links = tuple((c.hyperlink.location if c.hyperlink else None) for c in row[LINK_COLUMN - 1:LINK_COLUMN])
        rows.append(values + links + (fill_key(row[SEVERITY_COLUMN - 1]),))
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def workbook_differences(cli, excel) -> list[str]:
    out = []
    if cli.sheetnames != excel.sheetnames:
        out.append(f"sheets: {cli.sheetnames} != {excel.sheetnames}")
        return out
    a, b = review_content(cli), review_content(excel)
    for i in range(max(len(a), len(b))):
        left = a[i] if i < len(a) else None
        right = b[i] if i < len(b) else None
        if left != right:
            out.append(f"{REVIEW_SHEET} row {i + 1}: CLI {left} != Excel {right}")
    for name in cli.sheetnames:
        if name == REVIEW_SHEET:
            continue
        ws_a, ws_b = cli[name], excel[name]
        for row in ws_a.iter_rows():
            for cell in row:
                other = ws_b[cell.coordinate]
                if fill_key(cell) != fill_key(other):
                    out.append(f"{name}!{cell.coordinate} fill: CLI {fill_key(cell)} != Excel {fill_key(other)}")
                if cell.value != other.value and not (_num(cell.value) is not None
                                                      and _num(cell.value) == _num(other.value)):
                    out.append(f"{name}!{cell.coordinate} value: CLI {cell.value!r} != Excel {other.value!r}")
    return out


def _num(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None


def run_through_excel_model(path, entry=xl.validate, when=None, save: bool = True, visibility: bool = False):
    """Run an entry point on the workbook at `path` through xlwings' remote engine and replay its
    actions onto that workbook with openpyxl (saved in place unless save=False).
    Returns (actions, message boxes, the replayed openpyxl workbook)."""
    book = remote_book(payload_from_file(path, visibility=visibility))
    if entry is xl.clear_marks:
        entry(book)
    else:
        entry(book, when=when)
    actions = book.json()["actions"]
    workbook = openpyxl.load_workbook(path)
    alerts = replay_actions(workbook, actions)
    if save:
        workbook.save(path)
    return actions, alerts, workbook


def selftest(paths, out=sys.stdout) -> bool:
    """Validate books through xlwings' object model and through the CLI; report any difference."""
    paths = [Path(p) for p in paths]
    when = datetime(2024, 1, 1, 9, 0, 0)
    ok = True
    with tempfile.TemporaryDirectory(prefix="juesuan-selftest-") as folder:
        for source in paths:
            cli_copy = Path(folder) / f"cli-{source.name}"
            xl_copy = Path(folder) / f"excel-{source.name}"
            shutil.copy(source, cli_copy)
            shutil.copy(source, xl_copy)
            save_review(check_book(cli_copy, load_catalog()), cli_copy, when=when)
            actions, alerts, replayed = run_through_excel_model(xl_copy, xl.validate, when, save=False)
            diffs = compare_reviews(cli_copy, replayed)
            unknown = sorted({a["func"] for a in actions} - vba_client_actions())
            status = "OK" if not diffs and not unknown else "DIFFERENT"
            ok = ok and status == "OK"
            kinds = sorted({a["func"] for a in actions})
            print(f"{status}  {source.name}: {len(actions)} actions ({', '.join(kinds)}); "
                  f"message: {alerts[-1][0].splitlines()[0] if alerts else '-'}", file=out)
            for line in diffs[:20] + [f"action not in the VBA client: {u}" for u in unknown]:
                print(f"    {line}", file=out)
    return ok


