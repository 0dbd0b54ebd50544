"""Filling derived cells from what the clerk typed, with the relations the audit checks.

Each derived cell is the `solves` cell of exactly one relation; its value is that
relation solved, evaluated depth-first so sums of sums come out in one pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.catalog import Catalog, load_catalog
from ..domain.model import Ref, Report
from ..domain.money import ZERO, fmt
from . import registry as R
from .audit import describe, rounding_limit
from .findings import Finding
from .relations import Derivation, relations_for


@dataclass
class CellChange:
    ref: Ref
    address: str
    old: Decimal | None
    new: Decimal | None
    rounding: bool = False     # old differed from new by no more than the rounding envelope

    @property
    def table(self) -> str:
        return self.ref.table

    @property
    def overwrote(self) -> bool:
        return self.old is not None


@dataclass
class FillResult:
    changes: list[CellChange] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def overwritten(self) -> list[CellChange]:
        return [c for c in self.changes if c.overwrote]


def fill_report(report: Report, catalog: Catalog | None = None) -> FillResult:
    """Compute every derived cell, write it into `report`, and say what was overwritten."""
    derivation = Derivation(report, relations_for(report, catalog or load_catalog()))
    result = FillResult()
    for ref, new in derivation.values.items():
        cell = report.cell(ref)
        if cell is None or cell.bad:
            continue   # a cell holding text stays as the clerk left it; the audit reports it
        old = cell.value
        if new is None and old is not None and old == 0:
            continue   # 0.00 typed where nothing feeds the total: both mean "nothing", keep the clerk's form
        if old == new:
            continue   # Decimal equality: 1.5 == 1.50, nothing to write
        # the recomputed value rests on `leaves` rounded inputs, the old one was rounded once
        limit = rounding_limit(report, derivation.leaves(ref) + 1)
        rounding = old is not None and new is not None and abs(old - new) <= limit
        result.changes.append(CellChange(ref, cell.address, old, new, rounding))
    for change in result.changes:
        report.cell(change.ref).value = change.new
        if change.overwrote:
            label = describe(report, change.ref)
            where = f"{change.table} {change.address}"
            if change.rounding:
                message = (f"{where} {label} 原为 {fmt(change.old)}，按明细重算为 {fmt(change.new)}"
                           f"（差 {fmt(change.new - change.old)}，属尾差），已更新")
                result.findings.append(Finding(R.ROUNDING_OVERWRITE, R.severity(R.ROUNDING_OVERWRITE), change.table,
                                               change.address, message, expected=change.new, actual=change.old,
                                               difference=change.old - change.new))
            else:
                message = (f"{where} {label} 原填 {fmt(change.old)}，自动计算应为 {fmt(change.new)}，已覆盖"
                           "（如原数正确，请检查其明细数据）")
                result.findings.append(Finding(R.OVERWRITTEN, R.severity(R.OVERWRITTEN), change.table, change.address,
                                               message, expected=change.new, actual=change.old,
                                               difference=(change.old or ZERO) - (change.new or ZERO)))
    return result
