"""Test helpers: the workbook snapshot and in-memory grids from real files."""
from pathlib import Path

import openpyxl
from openpyxl.styles.cell_style import StyleArray

from juesuan.io.reader import read_grids


DEFAULT_STYLE = StyleArray()


def cell_snapshot(source, skip_sheets=(), ignore_fill=False, *, skip_fill=frozenset(), keep_vba=False) -> dict:
    """Everything a clerk could notice in a workbook, as one comparable dict (the one snapshot helper).

    {"sheetnames": every sheet in order (skipped ones too), "names": the defined names,
     "sheets": {title: state}}. Per sheet: every cell's value, type, number format, font, border, alignment, protection,
    comment and hyperlink ("cells") and its fill ("fills", as repr text); merges, validations,
    conditional formats, sheet-scoped names, column widths, row heights, freeze panes, print
    setup and visibility.

    source: a path or an already loaded openpyxl workbook.
    skip_sheets: sheet titles left out (e.g. our 审核结果 sheet).
    ignore_fill: leave every fill out (our review highlights legitimately come and go).
    skip_fill: "sheet!A1" cells whose fill is left out (recorded as None).
    keep_vba: load an .xlsm with its macros (as our writer does)."""
    wb = source if isinstance(source, openpyxl.Workbook) else openpyxl.load_workbook(source, keep_vba=keep_vba)
    style_texts = {}

    def style(kind: str, index: int) -> str:            # repr once per distinct style object
        if (kind, index) not in style_texts:
            style_texts[kind, index] = repr(getattr(wb, kind)[index])
        return style_texts[kind, index]

    sheets = {}
    snap = {"sheetnames": wb.sheetnames, "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items()),
            "sheets": sheets}
    for ws in wb.worksheets:
        if ws.title in skip_sheets:
            continue
        cells, fills = {}, {}
        for row in ws.iter_rows():
            for c in row:
                ids = c._style or DEFAULT_STYLE             # None: never styled, openpyxl reads index 0
                cells[c.coordinate] = (c.value, c.data_type, c.number_format, style("_fonts", ids.fontId),
                                       style("_borders", ids.borderId), style("_alignments", ids.alignmentId),
                                       style("_protections", ids.protectionId),
                                       (c.comment.text, c.comment.author) if c.comment else None,
                                       c.hyperlink.target if c.hyperlink else None)
                if not ignore_fill:
                    fills[c.coordinate] = (None if f"{ws.title}!{c.coordinate}" in skip_fill
                                           else style("_fills", ids.fillId))
        sheets[ws.title] = {
            "cells": cells,
            "fills": fills,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted((str(dv.sqref), dv.type, dv.formula1, dv.error)
                                  for dv in ws.data_validations.dataValidation),
            "conditional": sorted((str(cf.sqref), repr([(r.to_tree().attrib, r.formula) for r in cf.rules]))
                                  for cf in ws.conditional_formatting),
            "names": sorted((n, d.attr_text) for n, d in ws.defined_names.items()),
            "widths": {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items()},
            "heights": {k: (d.height, d.hidden) for k, d in ws.row_dimensions.items()},
            "freeze": ws.freeze_panes,
            "print": (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth,
                      ws.print_title_rows, str(ws.print_area)),
            "state": ws.sheet_state,
        }
    return snap


def grids_of(path):
    return {name: [list(r) for r in rows] for name, rows in read_grids(Path(path)).items()}
