"""The audit: entry checks and every relation, judged with the rounding envelope."""
from __future__ import annotations

from decimal import Decimal

from ..domain.catalog import Catalog, load_catalog, normalize_name
from ..domain.model import Ref, Report
from ..domain.money import ZERO, decimals, fmt, fmt_signed
from ..domain.schema import CODE, INFO_SHEET, TABLES
from . import registry as R
from .findings import INFO, Finding, sort_findings
from .parse import cell_label, column_label
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
    return HALF_CENT * figures if report.amount_unit == "万元" else ZERO


def describe(report: Report, ref: Ref) -> str:
    table = report.tables.get(ref.table)
    row = table.row(ref.key) if table else None
    if row is None:
        if TABLES[ref.table].kind == CODE:
            return f"{ref.key}（本表未列此科目） {column_label(TABLES[ref.table].column(ref.col))}"
        return ref.key
    label = cell_label(ref.table, row, ref.col)
    if TABLES[ref.table].kind == CODE and row.level:
        label = label.replace(row.name, f"{row.name}（{row.level}）", 1) if row.name else label
    return label


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
    rule = R.RULES[relation.rule]
    if relation.op == "=":
        if gap == 0:
            return None
        rounding = abs(gap) <= limit
        severity = INFO if rounding else rule.severity
        note = "，在尾差范围内" if rounding else ""
        verb = "≠"
    else:
        excess = gap if relation.op == "<=" else -gap
        if excess <= limit:
            return None
        severity, rounding = rule.severity, False
        verb = "大于" if relation.op == "<=" else "小于"
        note = "，请核实或在备注中说明原因"
    target_cell = report.cell(relation.target)
    others = [report.address(t.ref, relation.target.table) for t in relation.terms]
    others = tuple(a for a in others if a)
    table = relation.target.table
    address = target_cell.address if target_cell else None
    where = f"{table} {address}" if address else table
    # a blank target reads "空" (what the clerk sees), not 0.00; the arithmetic treats it as 0
    message = (f"{where} {describe(report, relation.target)} {fmt(actual)} "
               f"{verb} {_expr(report, relation)} {fmt(expected)}（差 {fmt_signed(gap)}{note}）")
    return Finding(relation.rule, severity, table, address, message, others, expected,
                   actual if actual is not None else ZERO, gap)


# --- entry checks -------------------------------------------------------------------
def check_info(report: Report) -> list[Finding]:
    out = []
    name = report.info.get("unit_name")
    if name is not None and not name.value:
        out.append(Finding(R.INFO_MISSING, R.severity(R.INFO_MISSING), INFO_SHEET, name.address,
                           "单位信息：单位名称未填写（B3）"))
    year = report.info.get("year")
    if year is not None:
        if year.value is None:
            out.append(Finding(R.INFO_MISSING, R.severity(R.INFO_MISSING), INFO_SHEET, year.address,
                               "单位信息：年度未填写（B4），应为四位数字，如 2024"))
        elif not isinstance(year.value, int) or not 1990 <= year.value <= 2100:
            out.append(Finding(R.INFO_MISSING, R.severity(R.INFO_MISSING), INFO_SHEET, year.address,
                               f"单位信息：年度“{year.value}”不是四位年份（B4）", value=year.value))
    unit = report.info.get("amount_unit")
    if unit is not None and unit.value is None:
        out.append(Finding(R.INFO_MISSING, R.severity(R.INFO_MISSING), INFO_SHEET, unit.address,
                           "单位信息：金额单位未填写（B5），请选择“元”或“万元”；暂按万元审核"))
    return out


def _entry(rule: str, table: str, address: str, message: str, **kw) -> Finding:
    return Finding(rule, R.severity(rule), table, address, message, **kw)


def check_amounts(report: Report) -> list[Finding]:
    out = []
    for ref, cell in report.iter_cells():
        if cell.value is None:
            continue
        if decimals(cell.value) > 2:
            out.append(_entry(R.TOO_MANY_DECIMALS, ref.table, cell.address,
                              f"{ref.table} {cell.address} {describe(report, ref)} {cell.value} 超过两位小数"
                              f"（{report.amount_unit}金额应精确到0.01）", actual=cell.value))
        if cell.value < 0:
            out.append(_entry(R.NEGATIVE, ref.table, cell.address,
                              f"{ref.table} {cell.address} {describe(report, ref)} 为负数 {fmt(cell.value)}，请核实或在备注中说明",
                              actual=cell.value))
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
        top, children = hierarchy(table)
        for row in table.code_rows():
            code, addr = row.code, f"A{row.row}"
            name_addr = f"B{row.row}"
            if code in seen:
                out.append(_entry(R.DUPLICATE_CODE, table_id, addr,
                                  f"{table_id} 第{row.row}行 科目 {code} 与第{seen[code]}行重复", value=code))
                continue
            seen[code] = row.row
            if previous is not None and code < previous:
                out.append(_entry(R.CODE_ORDER, table_id, addr,
                                  f"{table_id} 第{row.row}行 科目 {code} 排在 {previous} 之后，应按科目编码顺序排列",
                                  value=code))
            previous = code
            official = catalog.function_name(code)
            if official is None:
                out.append(_entry(R.UNKNOWN_CODE, table_id, addr,
                                  f"{table_id} 第{row.row}行 科目编码 {code} 不在科目目录中，请核对（可用 --catalog 补充本地科目）",
                                  value=code))
            elif row.name and normalize_name(row.name) != normalize_name(official):
                out.append(_entry(R.NAME_VS_CATALOG, table_id, name_addr,
                                  f"{table_id} 第{row.row}行 {code} 名称“{row.name}”与科目目录“{official}”不一致",
                                  value=row.name))
            if row.name:
                if code in first_name and normalize_name(first_name[code][0]) != normalize_name(row.name):
                    other_name, other_table, other_addr = first_name[code]
                    out.append(_entry(R.NAME_ACROSS_TABLES, table_id, name_addr,
                                      f"{table_id} 第{row.row}行 {code} 名称“{row.name}”与{other_table}“{other_name}”不一致",
                                      cells=(f"{other_table}!{other_addr}",), value=row.name))
                first_name.setdefault(code, (row.name, table_id, name_addr))
            if len(code) > 3 and code[: len(code) - 2] not in codes:
                parent_level = "款" if len(code) == 7 else "类"
                out.append(_entry(R.ORPHAN_ROW, table_id, addr,
                                  f"{table_id} 第{row.row}行 {code} 缺少所属{parent_level}（{code[:len(code) - 2]}）行，"
                                  f"合计无法逐级汇总", value=code))
            if len(code) < 7 and code not in children:
                out.append(_entry(R.CHILDLESS_ROW, table_id, addr,
                                  f"{table_id} 第{row.row}行 {code}（{row.level}）下没有列出所属{'款' if len(code) == 3 else '项'}",
                                  value=code))
            if len(code) == 3 and table_id != "公开02" and code not in class_codes:
                summary = "公开01" if table_id == "公开03" else "公开04"
                out.append(_entry(R.UNPLACED_CLASS, table_id, addr,
                                  f"{table_id} 第{row.row}行 类 {code} {row.name} 在{summary}的支出类别中没有对应行，"
                                  "请核对科目编码", value=code))
    return out


def audit(report: Report, catalog: Catalog | None = None) -> list[Finding]:
    catalog = catalog or load_catalog()
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
