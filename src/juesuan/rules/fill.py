"""Filling derived cells from what the clerk typed, with the relations the audit checks.

Each derived cell is the `solves` cell of exactly one relation; its value is that
relation solved, evaluated depth-first so sums of sums come out in one pass.

Fill never invents or loses a figure: a derived cell resting on an unreadable input
is left as it is (and fill says so, once per such input), and a blank derived cell
whose value is rounding drift around zero stays blank.

Fill knows its own figures: `written_before` is the record of what it left last time (kept
in 审核结果). A derived cell still holding that figure is fill's own, and replacing it is an
update; only a figure the clerk typed (no record, or a value other than the record) is
reported as overwritten (F01, or F02 for a rounding difference). The record is keyed by the
report's identity of the cell (`Ref`: table, row key, 栏次), not its address, so a row the
clerk (or fill) inserts above does not make it point at another cell.
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
    own: bool = False          # old was the figure fill itself left last time: an update, not an overwrite

    @property
    def table(self) -> str:
        return self.ref.table

    @property
    def overwrote(self) -> bool:
        """The clerk's figure was replaced (fill's own figure from last time is simply updated)."""
        return self.old is not None and not self.own


@dataclass
class FillResult:
    changes: list[CellChange] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    record: dict[Ref, Decimal | None] = field(default_factory=dict)   # cell -> the figure fill left there
    last_year: list = field(default_factory=list)   # last_year.LastYearValue: what --last-year put into 上年数
    # what the figures were computed from; it holds for the filled report too (fill writes only
    # derived cells), so the audit that follows reuses it (rules.audit.audit)
    derivation: Derivation | None = field(default=None, repr=False, compare=False)

    @property
    def overwritten(self) -> list[CellChange]:
        return [c for c in self.changes if c.overwrote]


def fill_report(report: Report, catalog: Catalog, written_before=None) -> FillResult:
    """Compute every derived cell, write it into `report`, and say what of the clerk's was overwritten.

    `written_before`: {Ref: Decimal | None} the figures fill left last time (entries keyed by
    (sheet, A1), as older review sheets recorded them, are resolved against `report`). The result's
    `record` is the same for this run: every derived cell now holding fill's figure (computed now,
    or recorded before and still there)."""
    written_before = record_by_ref(written_before or {}, report)
    derivation = Derivation(report, relations_for(report, catalog))
    result = FillResult(derivation=derivation)
    computed: set[Ref] = set()
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
        computed.add(ref)
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
        own = old is not None and ref in written_before and written_before[ref] == old
        result.changes.append(CellChange(ref, cell.address, old, new, rounding, own))
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
    result.record = _record(report, derivation.values, computed, written_before)
    return result


def _record(report: Report, values, computed: set[Ref], written_before) -> dict:
    """Every derived cell holding fill's figure after this run: what it computed (and left,
    unless a blank stayed blank as drift), and older entries for cells it left alone that
    still hold the figure recorded."""
    record = {}
    for ref in values:
        cell = report.cell(ref)
        if cell is None or cell.value is None:
            continue   # a blank is nobody's figure: fill never reports replacing it
        computed_now = ref in computed and cell.value == values[ref]
        if computed_now or (ref in written_before and written_before[ref] == cell.value):
            record[ref] = cell.value
    return record


def refs_by_address(report: Report, table_id: str | None = None) -> dict[tuple[str, str], Ref]:
    """(sheet, A1) -> the amount cell of `report` there, as the report knows it (of one table
    only, when `table_id` is given: a book of 10,000 rows has 70,000 cells)."""
    return {(ref.table, cell.address): ref for ref, cell in report.iter_cells(table_id)}


def record_by_ref(record, report: Report) -> dict[Ref, Decimal | None]:
    """`record` keyed by Ref: entries keyed by (sheet, A1), as review sheets written before
    the record knew cells by identity kept them, are resolved against `report` as it stands
    (call before any row is inserted); an address that holds no amount cell is dropped."""
    if all(isinstance(key, Ref) for key in record):
        return dict(record)
    at = refs_by_address(report)
    out = {}
    for key, value in record.items():
        ref = key if isinstance(key, Ref) else at.get(tuple(key))
        if ref is not None:
            out[ref] = value
    return out


def _blocked_finding(report: Report, bad: Ref, refs: list[Ref]) -> Finding:
    cells = tuple(report.address(ref, bad.table) for ref in in_reading_order(report, refs, bad.table))
    return BLOCKED_BY_UNUSABLE.finding(bad.table, report.cell(bad).address, label=describe(report, bad),
                                       count=len(cells), listed=listed(cells), cells=cells)
