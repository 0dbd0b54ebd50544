"""The one finding type shared by the reader, the audit and filling."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..domain.layout import column_letter, parse_a1
from ..domain.money import plain
from ..domain.schema import SHEET_NAMES

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告", INFO: "提示"}
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass
class Finding:
    rule: str
    severity: str
    table: str                     # sheet name: 公开01…公开09, 单位信息
    cell: str | None               # A1 address on that sheet
    message: str                   # Chinese, for a clerk
    cells: tuple[str, ...] = ()    # the other cells involved; sheet-qualified when on another sheet
    expected: Decimal | None = None
    actual: Decimal | None = None
    difference: Decimal | None = None
    value: object = None           # the offending raw value, for entry errors
    subject: str | None = None     # what it is about, "row key:栏次" (see `identify`); None: only its cell says

    @property
    def where(self) -> str:
        """Where it is, as every printer shows it: "公开02!C8", or the sheet alone without a cell."""
        return f"{self.table}!{self.cell}" if self.cell else self.table

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity across runs: a clerk's 备注 follows the same rule on the same row and 栏次,
        wherever rows are inserted or deleted; by the cell when the finding has no subject."""
        return finding_key(self.rule, self.table, self.subject or self.cell)

    @property
    def address_key(self) -> tuple[str, str, str]:
        """Identity as review sheets written before subjects were recorded know it: rule, table, cell."""
        return finding_key(self.rule, self.table, self.cell)

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "table": self.table,
            "cell": self.cell,
            "cells": list(self.cells),
            "message": self.message,
            "expected": plain(self.expected),
            "actual": plain(self.actual),
            "difference": plain(self.difference),
        }


def finding_key(rule, table, cell) -> tuple[str, str, str]:
    """A finding's identity from its parts, as read back from 审核结果 too (where a part
    may be empty or a number): compared as text."""
    return (str(rule or ""), str(table or ""), str(cell or ""))


A1_ADDRESS = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")     # one cell, uppercase, no sheet, no $


def note_for(notes: dict, finding: Finding):
    """The clerk's 备注 for `finding`: by its subject, or by its cell where the review sheet
    recorded no subject (one written by an older version); None when there is none."""
    if finding.key in notes:
        return notes[finding.key]
    return notes.get(finding.address_key)


def identify(report, findings: list[Finding]) -> list[Finding]:
    """Give each finding on a table row the model identity of its cell as `subject`: the row key
    (code, 行次, 合计; "#2" added for a repeated code) and the 栏次, or the column letter for a
    code or name cell. Rows move when a clerk inserts one; what a row is about does not."""
    subjects: dict[str, dict[int, tuple[str, object]]] = {}     # table -> sheet row -> (row key, Row)
    for f in findings:
        one_cell = f.subject is None and bool(f.cell) and A1_ADDRESS.fullmatch(f.cell)
        table = report.tables.get(f.table) if one_cell else None
        if table is None:
            continue
        if f.table not in subjects:
            seen: dict[str, int] = {}
            rows = subjects[f.table] = {}
            for row in table.rows:
                seen[row.key] = seen.get(row.key, 0) + 1
                rows.setdefault(row.row, (row.key if seen[row.key] == 1 else f"{row.key}#{seen[row.key]}", row))
        row_no, col = parse_a1(f.cell)
        if row_no in subjects[f.table]:
            key, row = subjects[f.table][row_no]
            no = next((no for no, cell in row.cells.items() if cell.col == col), None)
            f.subject = f"{key}:{no or column_letter(col)}"
    return findings


def summarize(findings) -> dict[str, int]:
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[f.severity] += 1
    return counts


def sort_findings(findings) -> list[Finding]:
    def order(f: Finding):
        sheet = SHEET_NAMES.index(f.table) if f.table in SHEET_NAMES else len(SHEET_NAMES)
        row, col = parse_a1(f.cell) if f.cell else (0, 0)
        return (SEVERITY_ORDER[f.severity], sheet, row, col, f.rule)

    return sorted(findings, key=order)
