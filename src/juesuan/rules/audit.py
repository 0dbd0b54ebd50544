"""The audit: entry checks and every relation, judged with the rounding envelope."""
from __future__ import annotations

from decimal import Decimal

from ..domain.catalog import Catalog, normalize_name
from ..domain.labels import describe
from ..domain.model import Report
from ..domain.money import ZERO, decimals, fmt, fmt_signed
from ..domain.schema import (
    AMOUNT_UNITS,
    CODE,
    DEFAULT_AMOUNT_UNIT,
    DEFAULT_REPORT_TYPE,
    INFO_SHEET,
    LEVEL_BY_LENGTH,
    REPORT_TYPES,
    TABLES,
    WAN_YUAN,
)
from .findings import Finding, sort_findings
from .registry import (
    CHILDLESS_ROW,
    CODE_ORDER,
    DUPLICATE_CODE,
    INFO_MISSING,
    NAME_ACROSS_TABLES,
    NAME_VS_CATALOG,
    NEGATIVE,
    ORPHAN_ROW,
    RULES,
    TOO_MANY_DECIMALS,
    UNKNOWN_CODE,
    UNPLACED_CLASS,
)
from .relations import Derivation, Relation, hierarchy, relations_for

HALF_CENT = Decimal("0.005")


def envelope(report: Report, relation: Relation, derivation: Derivation | None = None) -> Decimal:
    """Largest gap that rounding alone explains: each 万元 figure typed or published was
    rounded once (0.005); a total that is the exact sum of n such figures carries n of them."""
    if derivation is None:
        figures = sum(1 for ref in relation.refs() if report.value(ref) is not None)
    else:
        figures = sum(derivation.weight(ref) for ref in relation.refs())
    return rounding_limit(report, figures)


def rounding_limit(report: Report, figures: int) -> Decimal:
    """0.005 万元 per rounded figure; nothing in 元, where the arithmetic is exact."""
    return HALF_CENT * figures if report.amount_unit == WAN_YUAN else ZERO


def _expr(report: Report, relation: Relation) -> str:
    if relation.expr:
        prefix = {t.ref.table for t in relation.terms} - {relation.target.table}
        return (f"{prefix.pop()} " if len(prefix) == 1 and not relation.expr.startswith("公开") else "") + relation.expr
    term = relation.terms[0].ref
    where = "" if term.table == relation.target.table else f"{term.table} "
    return where + describe(report, term)


def check_relation(report: Report, relation: Relation, derivation: Derivation | None = None) -> Finding | None:
    cells = [report.cell(ref) for ref in relation.refs()]
    if any(c is not None and c.bad for c in cells):
        return None  # the unreadable cell is reported already; a sum over it means nothing
    actual = report.value(relation.target)
    terms = [(t.sign, report.value(t.ref)) for t in relation.terms]
    if actual is None and all(v is None for _, v in terms):
        return None
    expected = sum((s * v for s, v in terms if v is not None), ZERO)
    gap = (actual or ZERO) - expected
    limit = envelope(report, relation, derivation)
    if relation.op == "=":
        if gap == 0:
            return None
        rounding = abs(gap) <= limit
        shape = "rounding" if rounding else "="
    else:
        excess = gap if relation.op == "<=" else -gap
        if excess <= limit:
            return None
        rounding, shape = False, relation.op
    target_cell = report.cell(relation.target)
    others = [report.address(t.ref, relation.target.table) for t in relation.terms]
    table = relation.target.table
    address = target_cell.address if target_cell else None
    # a blank target reads "空" (what the clerk sees), not 0.00; the arithmetic treats it as 0
    return RULES[relation.rule].finding(
        table, address, shape, rounding=rounding, cells=tuple(a for a in others if a), expected=expected,
        actual=actual if actual is not None else ZERO, difference=gap,
        where=f"{table} {address}" if address else table, label=describe(report, relation.target),
        shown=fmt(actual), expr=_expr(report, relation), expected_shown=fmt(expected), gap=fmt_signed(gap))


# --- entry checks -------------------------------------------------------------------
def check_info(report: Report) -> list[Finding]:
    """E03, every check of 单位信息: name and year given, amount unit and report type among the choices."""
    out = []
    name = report.info.get("unit_name")
    if name is not None and not name.value:
        out.append(INFO_MISSING.finding(INFO_SHEET, name.address, "name_blank"))
    year = report.info.get("year")
    if year is not None:
        if year.value is None:
            out.append(INFO_MISSING.finding(INFO_SHEET, year.address, "year_blank"))
        elif not isinstance(year.value, int) or not 1990 <= year.value <= 2100:
            out.append(INFO_MISSING.finding(INFO_SHEET, year.address, "year_invalid", year=year.value,
                                            value=year.value))
    unit = report.info.get("amount_unit")
    if unit is not None and unit.value is None:
        out.append(INFO_MISSING.finding(INFO_SHEET, unit.address, "unit_blank", choices=_either(AMOUNT_UNITS),
                                        fallback=DEFAULT_AMOUNT_UNIT))
    elif unit is not None and unit.value not in AMOUNT_UNITS:
        out.append(INFO_MISSING.finding(INFO_SHEET, unit.address, "unit_invalid", choices=_either(AMOUNT_UNITS),
                                        unit=unit.value, fallback=DEFAULT_AMOUNT_UNIT, value=unit.value))
    kind = report.info.get("report_type")
    if kind is not None and kind.value is not None and kind.value not in REPORT_TYPES:
        out.append(INFO_MISSING.finding(INFO_SHEET, kind.address, "type_invalid", choices=_either(REPORT_TYPES),
                                        kind=kind.value, fallback=DEFAULT_REPORT_TYPE, value=kind.value))
    return out


def _either(choices) -> str:
    """("元", "万元") -> “元”或“万元”"""
    return "或".join(f"“{choice}”" for choice in choices)


def check_amounts(report: Report) -> list[Finding]:
    out = []
    for ref, cell in report.iter_cells():
        if cell.value is None:
            continue
        if decimals(cell.value) > 2:
            out.append(TOO_MANY_DECIMALS.finding(ref.table, cell.address, label=describe(report, ref),
                                                 amount=cell.value, unit=report.amount_unit, actual=cell.value))
        if cell.value < 0:
            out.append(NEGATIVE.finding(ref.table, cell.address, label=describe(report, ref),
                                        amount=fmt(cell.value), actual=cell.value))
    return out


def check_codes(report: Report, catalog: Catalog) -> list[Finding]:
    out = []
    first_name: dict[str, tuple[str, str, str]] = {}   # code -> (name, table, address)
    class_codes = {code for code, _ in catalog.classes}
    for table_id, spec in TABLES.items():
        table = report.tables.get(table_id)
        if spec.kind != CODE or table is None or not table.present:
            continue
        seen: dict[str, int] = {}
        previous = None
        codes = {r.code for r in table.code_rows()}
        _top, children = hierarchy(table)
        for row in table.code_rows():
            code, addr = row.code, f"A{row.row}"
            name_addr = f"B{row.row}"
            row_fields = {"row": row.row, "code": code}   # every message about this row names both
            if code in seen:
                out.append(DUPLICATE_CODE.finding(table_id, addr, **row_fields, first_row=seen[code], value=code))
                continue
            seen[code] = row.row
            if previous is not None and code < previous:
                out.append(CODE_ORDER.finding(table_id, addr, **row_fields, previous=previous, value=code))
            previous = code
            official = catalog.function_name(code)
            if official is None:
                out.append(UNKNOWN_CODE.finding(table_id, addr, **row_fields, value=code))
            elif row.name and normalize_name(row.name) != normalize_name(official):
                out.append(NAME_VS_CATALOG.finding(table_id, name_addr, **row_fields, name=row.name, official=official,
                                                   value=row.name))
            if row.name:
                if code in first_name and normalize_name(first_name[code][0]) != normalize_name(row.name):
                    other_name, other_table, other_addr = first_name[code]
                    out.append(NAME_ACROSS_TABLES.finding(table_id, name_addr, **row_fields, name=row.name,
                                                          other_table=other_table, other_name=other_name,
                                                          cells=(f"{other_table}!{other_addr}",), value=row.name))
                first_name.setdefault(code, (row.name, table_id, name_addr))
            parent = code[:len(code) - 2]
            if len(code) > 3 and parent not in codes:
                out.append(ORPHAN_ROW.finding(table_id, addr, **row_fields, parent=parent,
                                              parent_level=LEVEL_BY_LENGTH[len(parent)], value=code))
            if len(code) < 7 and code not in children:
                out.append(CHILDLESS_ROW.finding(table_id, addr, **row_fields, level=row.level,
                                                 child_level=LEVEL_BY_LENGTH[len(code) + 2], value=code))
            if len(code) == 3 and table_id != "公开02" and code not in class_codes:
                summary = "公开01" if table_id == "公开03" else "公开04"
                out.append(UNPLACED_CLASS.finding(table_id, addr, **row_fields, name=row.name, summary=summary,
                                                  value=code))
    return out


def audit(report: Report, catalog: Catalog) -> list[Finding]:
    findings = list(report.findings)
    findings += check_info(report)
    findings += check_codes(report, catalog)
    findings += check_amounts(report)
    relations = relations_for(report, catalog)
    derivation = Derivation(report, relations)
    for relation in relations:
        finding = check_relation(report, relation, derivation)
        if finding is not None:
            findings.append(finding)
    return sort_findings(findings)
