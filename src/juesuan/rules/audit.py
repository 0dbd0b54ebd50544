"""The audit: entry checks and every relation, judged with the rounding envelope."""
from __future__ import annotations

from decimal import Decimal

from ..domain.catalog import Catalog, normalize_name
from ..domain.labels import describe
from ..domain.layout import parse_a1
from ..domain.model import Ref, Report
from ..domain.money import ZERO, decimals, fmt, fmt_signed
from ..domain.schema import (
    AMOUNT_UNITS,
    CODE,
    DEFAULT_AMOUNT_UNIT,
    DEFAULT_REPORT_TYPE,
    DEPARTMENT_REPORT,
    INFO_SHEET,
    LEVEL_BY_LENGTH,
    REPORT_TYPES,
    SHEET_NAMES,
    TABLES,
    UNIT_REPORT,
    WAN_YUAN,
    YUAN,
)
from .findings import Finding, sort_findings
from .merged_report import check_merged
from .narrow import Narrowing
from .parents import PLACEHOLDER_NAME
from .registry import (
    CHILDLESS_ROW,
    CODE_ORDER,
    DUPLICATE_CODE,
    IMPLAUSIBLE_MAGNITUDE,
    INFO_MISSING,
    NAME_ACROSS_TABLES,
    NAME_VS_CATALOG,
    NARROWED,
    NEGATIVE,
    ORPHAN_ROW,
    RULES,
    TOO_MANY_DECIMALS,
    UNFILLED,
    UNKNOWN_CODE,
    UNNAMED_PARENT,
    UNPLACED_CLASS,
)
from .audit_facts import check_facts
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
    """0.005 万元 per rounded figure; nothing in 元, where the arithmetic is exact. A figure of a
    merged 部门 report sums the figures of its units (汇总单位数), each rounded once."""
    return HALF_CENT * figures * report.merged_units if report.amount_unit == WAN_YUAN else ZERO


def rounding_drift(report: Report, derivation: Derivation, ref: Ref) -> bool:
    """Whether the computed value of derived `ref` is rounding drift around zero rather than a
    figure: fill leaves such a cell blank (or 0.00) instead of writing a stray ±0.01 into it."""
    value = derivation.values.get(ref)
    return value is not None and value != 0 and abs(value) <= rounding_limit(report, derivation.leaves(ref))


def in_reading_order(report: Report, refs, first_sheet: str | None = None) -> list[Ref]:
    """Cells as a clerk reads them: `first_sheet` first, then sheet by sheet, row by row."""
    def position(ref: Ref):
        return ref.table != first_sheet, SHEET_NAMES.index(ref.table), parse_a1(report.cell(ref).address)
    return sorted(refs, key=position)


def unfilled(report: Report, derivation: Derivation) -> list[Ref]:
    """Derived cells still blank although what they are computed from is not: fill has not run
    (cells resting on an unreadable input or holding only drift fill would leave blank too)."""
    out = []
    cell_of = derivation.cell if derivation.report is report else report.cell
    for ref, value in derivation.values.items():
        if value in (None, 0):
            continue
        cell = cell_of(ref)
        if cell is None or cell.bad or cell.value is not None:
            continue
        if rounding_drift(report, derivation, ref) or derivation.unusable_inputs(ref):
            continue
        out.append(ref)
    return in_reading_order(report, out)


LISTED_CELLS = 8   # cells a message names; the finding's `cells` holds all of them


def listed(cells) -> str:
    return "、".join(cells[:LISTED_CELLS]) + ("等" if len(cells) > LISTED_CELLS else "")


def _unfilled_finding(report: Report, refs: list[Ref]) -> Finding:
    """One finding for every blank derived cell, at the first of them."""
    first = refs[0]
    others = tuple(report.address(ref, first.table) for ref in refs[1:])
    return UNFILLED.finding(first.table, report.cell(first).address, count=len(refs),
                            listed=listed((report.address(first),) + others), cells=others)


def _expr(report: Report, relation: Relation) -> str:
    if relation.expr:
        prefix = {t.ref.table for t in relation.terms} - {relation.target.table}
        return (f"{prefix.pop()} " if len(prefix) == 1 and not relation.expr.startswith("公开") else "") + relation.expr
    term = relation.terms[0].ref
    where = "" if term.table == relation.target.table else f"{term.table} "
    return where + describe(report, term)


def check_relation(report: Report, relation: Relation, derivation: Derivation | None = None,
                   narrowing: Narrowing | None = None) -> Finding | None:
    """The relation's finding, if it does not hold. `narrowing`: names the input rows behind a
    disagreement between two tables (in `cells` and as "请检查：…" after the message)."""
    cell_of = derivation.cell if derivation is not None else report.cell    # (the derivation remembers cells)
    target = cell_of(relation.target)
    if target is not None and target.bad:
        return None  # the unreadable cell is reported already; a sum over it means nothing
    actual = target.value if target is not None else None
    # Σ sign·term over the terms that hold a figure, in order (one pass: most relations hold exactly)
    expected, blank = ZERO, actual is None
    for sign, ref in relation.terms:
        cell = cell_of(ref)
        if cell is None:
            continue
        if cell.bad:
            return None
        if cell.value is not None:
            expected += sign * cell.value
            blank = False
    if blank:
        return None
    gap = (actual or ZERO) - expected
    op = relation.op
    if op == "=":
        if gap == 0:
            return None           # (before the envelope: most relations hold exactly, and it costs)
        rounding = abs(gap) <= envelope(report, relation, derivation)
        shape = "rounding" if rounding else "="
    else:
        excess = gap if op == "<=" else -gap
        # (the envelope is never negative: an excess of 0 or less holds whatever it is)
        if excess <= 0 or excess <= envelope(report, relation, derivation):
            return None
        rounding, shape = False, op
    table = relation.target.table
    others = []               # report.address(ref, table) of every term that has a cell
    for _sign, ref in relation.terms:
        cell = cell_of(ref)
        if cell is not None:
            others.append(cell.address if ref.table == table else f"{ref.table}!{cell.address}")
    address = target.address if target else None
    look_at = (narrowing.cells(relation) or narrowing.sources(relation)) if narrowing is not None and not rounding else []
    # a blank target reads "空" (what the clerk sees), not 0.00; the arithmetic treats it as 0
    finding = RULES[relation.rule].finding(
        table, address, shape, rounding=rounding, cells=tuple(others), expected=expected,
        actual=actual if actual is not None else ZERO, difference=gap,
        where=f"{table} {address}" if address else table, label=describe(report, relation.target),
        shown=fmt(actual), expr=_expr(report, relation), expected_shown=fmt(expected), gap=fmt_signed(gap))
    if look_at:
        finding.cells = tuple(dict.fromkeys(finding.cells + tuple(look_at)))
        finding.message += NARROWED.format(listed=narrowing.listed(look_at))
    return finding


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
    judged: dict[int, tuple[bool, bool]] = {}   # id of a value -> (too many decimals, negative): parse
    for table in report.tables.values():       # shares one Decimal among a book's equal figures
        for row in table.rows:
            for no, cell in row.cells.items():
                value = cell.value
                if value is None:
                    continue
                flags = judged.get(id(value))     # (every value stays alive in its cell meanwhile)
                if flags is None:
                    # (decimals() only past two places: normalising can only shorten them)
                    exponent = value.as_tuple().exponent
                    flags = judged[id(value)] = (
                        bool((not isinstance(exponent, int) or exponent < -2) and decimals(value) > 2), value < 0)
                too_many, negative = flags
                if too_many:
                    out.append(TOO_MANY_DECIMALS.finding(table.id, cell.address,
                                                         label=describe(report, Ref(table.id, row.key, no)),
                                                         amount=value, unit=report.amount_unit, actual=value))
                if negative:
                    out.append(NEGATIVE.finding(table.id, cell.address, label=describe(report, Ref(table.id, row.key, no)),
                                                amount=fmt(value), actual=value))
    return out


# The seeds' 支出总计 are 500–5,077 万元. A figure of 100亿元 (1,000,000 万元) is beyond any 单位
# we expect, 1000亿元 beyond any 部门 that publishes these tables; a 元 book whose largest figure,
# its total, stays under 1万元 pays not even one salary. Both bounds are far from real books, so
# the warning fires only on a unit error of ×10000 (all figures typed in the other unit).
LARGEST_PLAUSIBLE_WAN_YUAN = {UNIT_REPORT: Decimal(1_000_000), DEPARTMENT_REPORT: Decimal(10_000_000)}
SMALLEST_PLAUSIBLE_TOTAL_YUAN = Decimal(10_000)


def check_magnitude(report: Report) -> list[Finding]:
    """E20: figures implausible for the declared 金额单位, judged by the largest amount of the
    workbook (the 总计 when filled): in a 万元 book above LARGEST_PLAUSIBLE_WAN_YUAN of its report
    type, in a 元 book below SMALLEST_PLAUSIBLE_TOTAL_YUAN. One warning, at 单位信息's 金额单位."""
    unit = report.info.get("amount_unit")
    if unit is None or unit.value not in AMOUNT_UNITS:
        return []
    best = None        # (the first largest, as max() would pick it; a Ref made for that one only)
    for table in report.tables.values():
        for row in table.rows:
            for no, cell in row.cells.items():
                if cell.value is not None and (best is None or abs(cell.value) > best[0]):
                    best = (abs(cell.value), table.id, row.key, no)
    if best is None:
        return []
    largest, ref = best[0], Ref(*best[1:])
    where = f"{ref.table}!{report.cell(ref).address}"
    if report.amount_unit == WAN_YUAN and largest > LARGEST_PLAUSIBLE_WAN_YUAN[report.entity]:
        return [IMPLAUSIBLE_MAGNITUDE.finding(INFO_SHEET, unit.address, "too_large", where=where, amount=fmt(largest),
                                              billions=fmt(largest / 10000), entity=report.entity,
                                              cells=(where,), actual=largest)]
    if report.amount_unit == YUAN and 0 < largest < SMALLEST_PLAUSIBLE_TOTAL_YUAN:
        return [IMPLAUSIBLE_MAGNITUDE.finding(INFO_SHEET, unit.address, "too_small", where=where, amount=fmt(largest),
                                              floor=fmt(SMALLEST_PLAUSIBLE_TOTAL_YUAN), cells=(where,), actual=largest)]
    return []


def check_codes(report: Report, catalog: Catalog) -> list[Finding]:
    out = []
    first_name: dict[str, tuple[str, str, str]] = {}   # code -> (name, table, address)
    unknown: dict[str, list[tuple[str, str, int]]] = {}   # code -> every (table, address, row) it is on
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
            if row.name == PLACEHOLDER_NAME:      # a parent fill added without a catalogue name
                out.append(UNNAMED_PARENT.finding(table_id, name_addr, **row_fields, level=row.level,
                                                  name=row.name, value=row.name))
            elif official is None:
                unknown.setdefault(code, []).append((table_id, addr, row.row))
            elif row.name and normalize_name(row.name) != normalize_name(official):
                out.append(NAME_VS_CATALOG.finding(table_id, name_addr, **row_fields, name=row.name, official=official,
                                                   value=row.name))
            if row.name and row.name != PLACEHOLDER_NAME:
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
    return out + [_unknown_code(catalog, code, places) for code, places in unknown.items()]


def _unknown_code(catalog: Catalog, code: str, places: list[tuple[str, str, int]]) -> Finding:
    """One hint per code the built-in catalogue lacks, at its first row, naming the others."""
    (table_id, addr, row), others = places[0], tuple(f"{t}!{a}" for t, a, _r in places[1:])
    elsewhere = f"（另见 {'、'.join(others)}）" if others else ""
    return UNKNOWN_CODE.finding(table_id, addr, row=row, code=code, elsewhere=elsewhere, classes=len(catalog.classes),
                                size=len(catalog.function), cells=others, value=code)


class _WhenNeeded:
    """The audit's Narrowing, made on first use: only a relation that fails needs it, and most
    workbooks' relations all hold (making it for each was a tenth of an audit)."""

    def __init__(self, report: Report, relations):
        self._args, self._made = (report, relations), None

    def __getattr__(self, name):
        if self._made is None:
            self._made = Narrowing(*self._args)
        return getattr(self._made, name)


def audit(report: Report, catalog: Catalog, derivation: Derivation | None = None) -> list[Finding]:
    """Every finding about `report`. `derivation`: one already made for this report with the
    same relations (fill's, which still holds after fill wrote its figures), not made again."""
    findings = list(report.findings)
    findings += check_info(report)
    findings += check_codes(report, catalog)
    findings += check_amounts(report)
    findings += check_magnitude(report)
    findings += check_merged(report)
    findings += check_facts(report, rounding_limit)
    if derivation is None or derivation.report is not report:
        derivation = Derivation(report, relations_for(report, catalog))
    relations = derivation.relations
    blank_derived = unfilled(report, derivation)
    if blank_derived:
        findings.append(_unfilled_finding(report, blank_derived))
    waiting = set(blank_derived)
    narrowing = _WhenNeeded(report, relations)
    checked = []
    for relation in relations:
        if waiting and waiting.intersection(relation.refs()):
            continue   # a relation over a blank the next fill computes: the one F03 says so
        finding = check_relation(report, relation, derivation, narrowing)
        if finding is not None:
            findings.append(finding)
            checked.append((relation, finding))
    if checked:
        narrowing.name_suspects(checked)     # totals over a typed row that fails its own check name it
    return sort_findings(findings)
