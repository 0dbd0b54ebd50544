"""`fill --last-year`: 上年数 from last year's report. Pure.

Each 上年数 fact names the cell of this year's tables it is last year's value of (schema: Fact.source);
机关运行经费 comes from last year's 其他公开事项. Amounts are converted to this workbook's unit.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..domain.errors import UnusableWorkbook
from ..domain.model import Ref, Report
from ..domain.money import round_cents, yuan_to_wanyuan
from ..domain.schema import LAST_YEAR, LAST_YEAR_SHEET, OTHER_FACTS_SHEET, WAN_YUAN, YUAN

FROM_OTHER_FACTS = {"机关运行经费": "机关运行经费"}     # 上年数 key -> last year's 其他公开事项 key


@dataclass(frozen=True)
class LastYearValue:
    key: str
    label: str
    address: str              # on 上年数
    old: Decimal | None
    new: Decimal | None

    @property
    def overwrote(self) -> bool:
        return self.old is not None and self.old != self.new


def _convert(value: Decimal | None, from_unit: str, to_unit: str) -> Decimal | None:
    if value is None or from_unit == to_unit:
        return value
    if from_unit == YUAN and to_unit == WAN_YUAN:
        return yuan_to_wanyuan(value)
    return round_cents(value * 10000)


def _year(value) -> int | None:
    return value if isinstance(value, int) else None


def copy_last_year(report: Report, last: Report) -> list[LastYearValue]:
    """Put last year's figures into `report`'s 上年数; returns every value set (old and new).
    Refuses (UnusableWorkbook) a book without 上年数 or a last-year book of the wrong year."""
    sheet = report.facts.get(LAST_YEAR_SHEET)
    if sheet is None or not sheet.present:
        raise UnusableWorkbook(f"工作簿没有“{LAST_YEAR_SHEET}”表（用旧版模板制作）：请用 juesuan template 生成新的标准工作簿，"
                               "把本年数据复制过去后再填充上年数", report.source)
    this_year, last_year = _year(report.year), _year(last.year)
    if this_year is not None and last_year is not None and last_year != this_year - 1:
        raise UnusableWorkbook(f"上年工作簿的年度为 {last_year}，本工作簿为 {this_year}：上年数应取自 {this_year - 1} 年度的工作簿",
                               last.source)
    copied = []
    for fact in LAST_YEAR.facts():
        if fact.source is not None:
            table = last.tables.get(fact.source[0])
            if table is None or not table.present:
                continue
            value = last.value(Ref(*fact.source)) or Decimal(0)     # a blank table cell: nothing of that kind
        elif fact.key in FROM_OTHER_FACTS:
            facts = last.facts.get(OTHER_FACTS_SHEET)
            value = facts.value(FROM_OTHER_FACTS[fact.key]) if facts is not None and facts.present else None
        else:
            continue
        value = _convert(value, last.amount_unit, report.amount_unit)
        held = sheet.values[fact.key]
        if value is None:
            continue               # last year does not say: what the clerk typed stays
        copied.append(LastYearValue(fact.key, fact.label, held.address, held.value, value))
        held.value = value
    return copied
