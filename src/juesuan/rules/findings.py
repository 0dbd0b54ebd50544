"""The one finding type shared by the reader, the audit and filling."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..domain.layout import parse_a1
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

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity across runs: a clerk's 备注 follows the same rule at the same cell."""
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
