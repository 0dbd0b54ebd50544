"""The figures the 情况说明 states, as one pure mapping: name -> Figure (value in 万元, the cells it
comes from, the clerk's reason where one goes with it).

The narrator (views/narrative*.py) words them; a checker of hand-written text can compare against
the same mapping. Names: "收支总计", "上年:收支总计", "收入:财政拨款收入", "支出:基本支出",
"类:201", "项:2010301", "项年初预算:2010301", "三公决算:公务接待费", "其他:采购总额", ...
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..domain.facts import FactSheet
from ..domain.model import Ref, Report
from ..domain.money import round_cents, yuan_to_wanyuan
from ..domain.schema import (
    AMOUNT,
    LAST_YEAR,
    LAST_YEAR_SHEET,
    OTHER_FACTS,
    OTHER_FACTS_SHEET,
    PERCENT,
    PERSONNEL_TOTAL,
    PUBLIC_TOTAL,
    SINGLE_KEY,
    TABLES,
    TOTAL_KEY,
    YUAN,
)

INCOME_KINDS = tuple(c.label for c in TABLES["公开02"].columns[1:])     # 财政拨款收入 … 其他收入
SPENDING_PARTS = tuple(c.label for c in TABLES["公开03"].columns[1:])   # 基本支出 … 对附属单位补助支出
SANGONG_ITEMS = ("合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费", "公务接待费")


@dataclass(frozen=True)
class Figure:
    value: Decimal | int | None          # amounts in 万元; counts as int; None: not in the workbook
    sources: tuple[str, ...] = ()        # "公开01!C36", "上年数!B4"
    reason: str | None = None            # the clerk's reason text that goes with it
    name: str = ""                       # the 科目 name for 类/项 figures

    @property
    def known(self) -> bool:
        return self.value is not None


def _wan(report: Report, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return yuan_to_wanyuan(value) if report.amount_unit == YUAN else round_cents(value)


class _Collector:
    def __init__(self, report: Report):
        self.report = report
        self.figures: dict[str, Figure] = {}

    def cell(self, name: str, ref: Ref, blank_is_zero: bool = True, label: str = "") -> None:
        table = self.report.tables.get(ref.table)
        present = table is not None and table.present
        value = self.report.value(ref) if present else None
        if value is None and present and blank_is_zero:
            value = Decimal(0)                      # a blank amount in a table means none
        address = self.report.address(ref)
        self.figures[name] = Figure(_wan(self.report, value), (address,) if address else (),
                                    name=label)

    def fact(self, name: str, sheet: FactSheet | None, key: str, kind: str) -> None:
        if sheet is None or not sheet.present:
            self.figures[name] = Figure(None)
            return
        value = sheet.value(key)
        if kind == AMOUNT:
            value = _wan(self.report, value)
        elif kind == PERCENT and value is not None:
            value = Decimal(value)
        self.figures[name] = Figure(value, (f"{sheet.name}!{sheet.address(key)}",), sheet.reason(key))


def narrative_facts(report: Report) -> dict[str, Figure]:
    c = _Collector(report)
    c.cell("收支总计", Ref("公开01", "31", 1))
    c.cell("收入合计", Ref("公开01", "27", 1))
    c.cell("支出合计", Ref("公开01", "58", 2))
    for no, kind in enumerate(INCOME_KINDS, start=2):
        c.cell(f"收入:{kind}", Ref("公开02", TOTAL_KEY, no))
    for no, part in enumerate(SPENDING_PARTS, start=2):
        c.cell(f"支出:{part}", Ref("公开03", TOTAL_KEY, no))
    c.cell("财政拨款收支总计", Ref("公开04", "32", 1))
    c.cell("一般公共预算支出", Ref("公开05", TOTAL_KEY, 1))
    c.cell("一般公共预算基本支出", Ref("公开05", TOTAL_KEY, 2))
    c.cell("人员经费", Ref("公开06", PERSONNEL_TOTAL, 1))
    c.cell("公用经费", Ref("公开06", PUBLIC_TOTAL, 1))
    for row in _code_rows(report, "公开05"):
        if row.level in ("类", "项"):
            c.cell(f"{row.level}:{row.code}", Ref("公开05", row.key, 1), label=row.name)
    for offset, group in ((0, "三公预算"), (6, "三公决算")):
        for no, item in enumerate(SANGONG_ITEMS, start=1):
            c.cell(f"{group}:{item}", Ref("公开09", SINGLE_KEY, offset + no))
    last = report.facts.get(LAST_YEAR_SHEET)
    for fact in LAST_YEAR.facts():
        c.fact(f"上年:{fact.key}", last, fact.key, fact.kind)
    other = report.facts.get(OTHER_FACTS_SHEET)
    for fact in OTHER_FACTS.facts():
        c.fact(f"其他:{fact.key}", other, fact.key, fact.kind)
    if other is not None and other.present:
        for item in other.items:
            c.figures[f"项年初预算:{item.code}"] = Figure(_wan(report, item.budget), (f"{other.name}!{item.address}",),
                                                        item.reason, item.name)
    return c.figures


def _code_rows(report: Report, table_id: str):
    table = report.tables.get(table_id)
    return table.code_rows() if table is not None and table.present else []


def names_of_rows(report: Report, table_id: str) -> dict[str, str]:
    """code -> name of every code row of a table (the 类 and 款 names a 项 sentence spells out)."""
    return {row.code: row.name for row in _code_rows(report, table_id)}


def listed_economic_names(report: Report, group: str) -> list[str]:
    """The 款 of 公开06 with a nonzero amount in `group` (人员经费 / 公用经费), in table order (S0:485)."""
    from ..domain.catalog import builtin_catalog
    groups = {e.code: e.group for e in builtin_catalog().economic}
    table = report.tables.get("公开06")
    if table is None or not table.present:
        return []
    return [row.name for row in table.rows
            if row.code and len(row.code) == 5 and groups.get(row.code) == group
            and (row.cells.get(1) and row.cells[1].value)]
