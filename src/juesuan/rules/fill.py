"""Filling derived cells from what the clerk typed, with the relations the audit checks.

Each derived cell is the `solves` cell of exactly one relation; its value is that
relation solved, evaluated depth-first so sums of sums come out in one pass.

Fill never invents or loses a figure: a derived cell resting on an unreadable input
is left as it is (and fill says so, once per such input), and a blank derived cell
whose value is rounding drift around zero stays blank.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.catalog import Catalog
from ..domain.labels import describe
from ..domain.model import Ref, Report
from ..domain.money import ZERO, fmt
from .audit import in_reading_order, listed, rounding_drift, rounding_limit
from .findings import Finding
from .registry import BLOCKED_BY_UNUSABLE, OVERWRITTEN, ROUNDING_OVERWRITE
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
    blocked: dict[Ref, list[Ref]] = {}      # unreadable input -> derived cells left as they are
    for ref, new in derivation.values.items():
        cell = report.cell(ref)
        if cell is None or cell.bad:
            continue   # a cell holding text stays as the clerk left it; the audit reports it
        unusable = derivation.unusable_inputs(ref)
        if unusable:
            # computing would read the unreadable cell as blank and rewrite the totals without it
            for bad in unusable:
                blocked.setdefault(bad, []).append(ref)
            continue
        old = cell.value
        if old in (None, 0) and rounding_drift(report, derivation, ref):
            continue   # rounding drift around zero is no figure: a blank (or 0.00) stays as it is
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
    result.findings += [_blocked_finding(report, bad, refs) for bad, refs in blocked.items()]
    return result


def _blocked_finding(report: Report, bad: Ref, refs: list[Ref]) -> Finding:
    cells = tuple(report.address(ref, bad.table) for ref in in_reading_order(report, refs, bad.table))
    return BLOCKED_BY_UNUSABLE.finding(bad.table, report.cell(bad).address, label=describe(report, bad),
                                       count=len(cells), listed=listed(cells), cells=cells)
