"""Test helpers: workbook snapshots and in-memory grids from real files."""
from pathlib import Path

import openpyxl

from juesuan.io.reader import read_grids


def cell_snapshot(path, skip_sheets=(), ignore_fill=False):
    """Every cell's value, number format, font, fill and border, plus merges and validations.

    ignore_fill: leave fills out (our review highlights legitimately come and go)."""
    wb = openpyxl.load_workbook(path)
    snap = {}
    for ws in wb.worksheets:
        if ws.title in skip_sheets:
            continue
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                cells[c.coordinate] = (c.value, c.number_format, repr(c.font), None if ignore_fill else repr(c.fill), repr(c.border),
                                       repr(c.alignment))
        snap[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "validations": sorted((dv.sqref.__str__(), dv.formula1) for dv in ws.data_validations.dataValidation),
            "conditional": sorted(str(rng.sqref) for rng in ws.conditional_formatting),
        }
    return wb.sheetnames, snap


def grids_of(path):
    return {name: [list(r) for r in rows] for name, rows in read_grids(Path(path)).items()}
