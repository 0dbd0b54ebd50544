"""Consolidation (汇总): the units' reports summed into the department's, driven by the schema.

Code tables (02 03 05 07 08) are merged by function code: the union of the units' codes in code
order, each name taken from the first unit listing it (a different spelling is reported). The
fixed tables (01 04 06 09) are merged cell by cell, which for 06 is by economic code. Every
figure is summed in 元 (a 万元 figure times 10000, exactly) and rounded once at the end when the
result is in 万元; the result is in 元 only when every unit is.

With `offset`, internal transfers (schema.INTERNAL_TRANSFERS) are eliminated code by code in 元;
the change flows to every total above the eliminated cells through the reconciliation's own
relations (a Derivation over a report holding only the changes), never a hand-listed set of cells.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.catalog import Catalog, normalize_name
from ..domain.labels import column_label
from ..domain.model import InfoValue, Ref, Report, add_code_row, blank_report
from ..domain.money import ZERO, fmt, round_cents
from ..domain.schema import (
    CODE,
    DEPARTMENT_REPORT,
    INFO_FIELDS,
    INFO_SHEET,
    INTERNAL_TRANSFERS,
    MERGE_INFO_FIELDS,
    MERGED_UNITS,
    TABLES,
    TOTAL_KEY,
    WAN_YUAN,
    YUAN,
)
from .findings import Finding
from .registry_merge import (
    LEVEL_CONFLICT,
    MIXED_UNITS,
    NAME_CONFLICT,
    ROW_NOT_MERGED,
    TRANSFER_UNMATCHED,
)
from .relations import Derivation, hierarchy, relations_for

YUAN_PER_WAN = Decimal(10000)


@dataclass
class Unit:
    """One unit's report as merge takes it; `label` names it in messages (its file)."""
    label: str
    report: Report

    @property
    def name(self) -> str:
        return str(self.report.unit_name or self.label)

    @property
    def scale(self) -> Decimal:
        """元 per unit of its figures."""
        return YUAN_PER_WAN if self.report.amount_unit == WAN_YUAN else Decimal(1)


@dataclass
class TransferLine:
    """One function code of one internal-transfer pair, in the department's amount unit."""
    code: str
    name: str
    income_label: str
    spending_label: str
    income: Decimal
    spending: Decimal
    eliminated: Decimal


@dataclass
class Merged:
    report: Report
    units: list[Unit]
    contributions: dict[Ref, tuple[Decimal | None, ...]]   # each unit's figure, in the department's unit
    eliminated: dict[Ref, Decimal] = field(default_factory=dict)   # change from offsetting, same unit
    transfers: list[TransferLine] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    offset: bool = False


def common_year(units: list[Unit]):
    """The year every unit reports, or None when they differ (merge refuses those)."""
    years = {u.report.year for u in units}
    return years.pop() if len(years) == 1 else None


def result_unit(units: list[Unit]) -> str:
    return YUAN if all(u.report.amount_unit == YUAN for u in units) else WAN_YUAN


def merge_reports(units: list[Unit], name: str, catalog: Catalog, offset: bool = False) -> Merged:
    """The department's report summing `units` (one year; the caller checks)."""
    report = blank_report()
    findings = _code_rows(report, units)
    in_yuan: dict[Ref, Decimal] = {}
    by_unit: dict[Ref, list[Decimal | None]] = {}
    for ref, _cell in report.iter_cells():
        figures = [u.report.value(ref) for u in units]
        by_unit[ref] = figures
        present = [(u, v) for u, v in zip(units, figures) if v is not None]
        if present:
            in_yuan[ref] = sum((v * u.scale for u, v in present), ZERO)
    unit = result_unit(units)
    out_scale = YUAN_PER_WAN if unit == WAN_YUAN else Decimal(1)
    changes: dict[Ref, Decimal] = {}
    transfers: list[TransferLine] = []
    if offset:
        changes, transfers, unmatched = _offset(report, in_yuan, catalog, out_scale)
        findings += unmatched
    for ref, cell in report.iter_cells():
        if ref in in_yuan:
            total = in_yuan[ref] + changes.get(ref, ZERO)
            cell.value = round_cents(total / out_scale) if unit == WAN_YUAN else total
    info = {"unit_name": name, "year": common_year(units), "amount_unit": unit,
            "report_type": DEPARTMENT_REPORT,
            # a department merged before counts with all its units: each of them rounded its figures
            MERGED_UNITS.key: sum(u.report.merged_units for u in units)}
    rows = {f.key: f.row for f in (*INFO_FIELDS, *MERGE_INFO_FIELDS)}
    report.info.update({key: InfoValue(value, rows[key]) for key, value in info.items()})
    contributions = {ref: tuple(None if v is None else v * u.scale / out_scale for u, v in zip(units, figures))
                     for ref, figures in by_unit.items() if ref in in_yuan}
    eliminated = {ref: change / out_scale for ref, change in changes.items() if change}
    if len({u.report.amount_unit for u in units}) > 1:
        findings.append(MIXED_UNITS.finding(INFO_SHEET, report.info["amount_unit"].address, target=unit,
                                            units="、".join(f"{u.name} {u.report.amount_unit}" for u in units)))
    findings += _level_conflicts(report, units)
    return Merged(report, units, contributions, eliminated, transfers, findings, offset)


def _code_rows(report: Report, units: list[Unit]) -> list[Finding]:
    """Give every code table of `report` the union of the units' code rows, in code order."""
    findings = []
    for table_id, spec in TABLES.items():
        if spec.kind != CODE:
            continue
        names: dict[str, list[tuple[str, Unit]]] = {}
        for unit in units:
            table = unit.report.tables.get(table_id)
            if table is None or not table.present:
                continue
            seen = set()
            for row in table.rows:
                if row.key == TOTAL_KEY:
                    continue
                problem = None
                if not row.code:
                    problem = "没有可用的科目编码"
                elif row.code in seen:
                    problem = f"科目 {row.code} 重复"
                if problem:
                    if any(c.value is not None for c in row.cells.values()) or row.code:
                        findings.append(ROW_NOT_MERGED.finding(table_id, None, unit=unit.name, row=row.row,
                                                               what=problem))
                    continue
                seen.add(row.code)
                names.setdefault(row.code, []).append((row.name, unit))
        for code in sorted(names):
            spelled = [(n, u) for n, u in names[code] if n]
            name = spelled[0][0] if spelled else ""
            row = add_code_row(report, table_id, code, name)
            if len({normalize_name(n) for n, _u in spelled}) > 1:
                listed = "；".join(f"{u.name}“{n}”" for n, u in spelled)
                findings.append(NAME_CONFLICT.finding(table_id, f"B{row.row}", row=row.row, code=code,
                                                      names=listed, name=name, value=name))
    return findings


def _level_conflicts(report: Report, units: list[Unit]) -> list[Finding]:
    """M07: a unit stops at a code the merged table breaks down (its figure sits under no child)."""
    out = []
    for table_id, spec in TABLES.items():
        if spec.kind != CODE:
            continue
        _top, children = hierarchy(report.tables[table_id])
        for unit in units:
            table = unit.report.tables.get(table_id)
            if table is None or not table.present:
                continue
            _utop, unit_children = hierarchy(table)
            for row in table.code_rows():
                has_value = any(c.value for c in row.cells.values())
                if row.code in children and row.code not in unit_children and has_value:
                    merged_row = report.tables[table_id].row(row.code)
                    out.append(LEVEL_CONFLICT.finding(table_id, f"A{merged_row.row}", row=merged_row.row,
                                                      code=row.code, unit=unit.name, value=row.code))
    return out


def _offset(report: Report, in_yuan: dict[Ref, Decimal], catalog: Catalog, out_scale: Decimal):
    """(changes in 元 by cell, the transfer lines, M04 findings): each pair eliminated code by code
    where the code is a detail row (no children) on both sides, by the smaller of the two amounts."""
    lines, findings = [], []
    start: dict[Ref, Decimal] = {}
    for (income_table, income_no), (spending_table, spending_no) in INTERNAL_TRANSFERS:
        income_label = column_label(TABLES[income_table].column(income_no))
        spending_label = column_label(TABLES[spending_table].column(spending_no))
        income_leaves = _detail_codes(report, income_table)
        spending_leaves = _detail_codes(report, spending_table)
        for code in sorted(income_leaves | spending_leaves):
            income_ref, spending_ref = Ref(income_table, code, income_no), Ref(spending_table, code, spending_no)
            income = in_yuan.get(income_ref, ZERO) if code in income_leaves else ZERO
            spending = in_yuan.get(spending_ref, ZERO) if code in spending_leaves else ZERO
            if not income and not spending:
                continue
            both = code in income_leaves and code in spending_leaves
            eliminated = min(income, spending) if both and income > 0 and spending > 0 else ZERO
            if eliminated:
                start[income_ref] = -eliminated
                start[spending_ref] = -eliminated
            row = report.tables[income_table].row(code) or report.tables[spending_table].row(code)
            line = TransferLine(code, row.name, income_label, spending_label, income / out_scale,
                                spending / out_scale, eliminated / out_scale)
            lines.append(line)
            if income != spending:
                cell = report.cell(income_ref if code in income_leaves else spending_ref)
                findings.append(TRANSFER_UNMATCHED.finding(
                    (income_table if code in income_leaves else spending_table), cell.address, code=code,
                    name=row.name, income_label=income_label, spending_label=spending_label,
                    income=fmt(line.income), spending=fmt(line.spending),
                    rest=fmt(abs(line.income - line.spending))))
    return _propagate(report, start, catalog), lines, findings


def _detail_codes(report: Report, table_id: str) -> set[str]:
    _top, children = hierarchy(report.tables[table_id])
    return {row.code for row in report.tables[table_id].code_rows() if row.code not in children}


def _propagate(report: Report, start: dict[Ref, Decimal], catalog: Catalog) -> dict[Ref, Decimal]:
    """`start` and what it changes in every derived cell: the relations are linear, so the change
    of a total is the relation applied to the changes alone."""
    if not start:
        return {}
    changes_only = copy.deepcopy(report)
    for _ref, cell in changes_only.iter_cells():
        cell.value = None
    for ref, change in start.items():
        changes_only.cell(ref).value = change
    derivation = Derivation(changes_only, relations_for(changes_only, catalog))
    out = dict(start)
    out.update({ref: value for ref, value in derivation.values.items() if value})
    return out
