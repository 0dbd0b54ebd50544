"""Filling derived cells from what the clerk typed, with the relations the audit checks.

Each derived cell is the `solves` cell of exactly one relation; its value is that
relation solved, evaluated depth-first so sums of sums come out in one pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.catalog import Catalog
from ..domain.labels import describe
from ..domain.model import Ref, Report
from ..domain.money import ZERO, fmt
from .audit import rounding_limit
from .findings import Finding
from .registry import OVERWRITTEN, ROUNDING_OVERWRITE
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


def fill_report(report: Report, catalog: Catalog) -> FillResult:
    """Compute every derived cell, write it into `report`, and say what was overwritten."""
    derivation = Derivation(report, relations_for(report, catalog))
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
            if change.rounding:
                finding = ROUNDING_OVERWRITE.finding(
                    change.table, change.address, label=label, old=fmt(change.old), new=fmt(change.new),
                    gap=fmt(change.new - change.old), expected=change.new, actual=change.old,
                    difference=change.old - change.new)
            else:
                finding = OVERWRITTEN.finding(
                    change.table, change.address, label=label, old=fmt(change.old), new=fmt(change.new),
                    expected=change.new, actual=change.old, difference=(change.old or ZERO) - (change.new or ZERO))
            result.findings.append(finding)
    return result
