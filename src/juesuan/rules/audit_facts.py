"""The checks on the fact sheets (上年数, 其他公开事项): their figures against each other and
against the tables. Each check runs only when the figures it needs are filled, so a workbook
without the sheets, or with them blank, is checked exactly as before.

机关运行经费 is the 公用经费 of the basic spending of 行政单位 and 参照公务员法管理的事业单位 from
一般公共预算财政拨款, so: for a 单位 report of such a unit it equals 公开06 公用经费合计; for a
部门 report (which mixes units) and for a unit that did not say what it is it cannot exceed it; a
事业单位 normally has none (the Liaocheng office states none although its 公用经费 is 20.73).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from ..domain.facts import FactSheet
from ..domain.model import Ref, Report
from ..domain.money import fmt
from ..domain.schema import (
    AGENCY_KINDS,
    DEPARTMENT_REPORT,
    OTHER_FACTS_SHEET,
    PUBLIC_TOTAL,
    TOTAL_KEY,
    VEHICLE_KINDS,
)
from .findings import Finding
from .parse_facts import as_decimal
from .registry_narrative import (
    AGENCY_RUNNING_COST,
    BUDGET_ITEM_CODE,
    BUDGET_ITEM_MISSING,
    BUDGET_ITEMS_SUM,
    PURCHASE_PARTS,
    RECEPTION_SPLIT,
    SMALL_WITHIN_SME,
    SME_BY_CATEGORY,
    SME_WITHIN_TOTAL,
    VEHICLE_KINDS_SUM,
    VEHICLE_PURCHASE,
    within,
)

SHEET = OTHER_FACTS_SHEET
PURCHASE_CATEGORIES = (("货物", "采购货物", "货物中小企业"), ("工程", "采购工程", "工程中小企业"),
                       ("服务", "采购服务", "服务中小企业"))
SANGONG_CAR_PURCHASE = Ref("公开09", "1", 10)
SANGONG_RECEPTION = Ref("公开09", "1", 12)


def check_facts(report: Report, rounding_limit: Callable[[Report, int], Decimal]) -> list[Finding]:
    sheet: FactSheet | None = report.facts.get(SHEET)
    if sheet is None or not sheet.present:
        return []
    checks = _Checks(report, sheet, rounding_limit)
    checks.purchase()
    checks.vehicles()
    checks.reception()
    checks.agency_running_cost()
    checks.budget_items()
    return checks.out


class _Checks:
    def __init__(self, report: Report, sheet: FactSheet, rounding_limit):
        self.report, self.sheet, self.limit = report, sheet, rounding_limit
        self.out: list[Finding] = []

    def get(self, key: str) -> Decimal | None:
        return as_decimal(self.sheet.value(key))

    def at(self, key: str) -> str:
        return self.sheet.address(key)

    def _sum(self, rule, key: str, total: Decimal, parts: list[Decimal], cells: tuple[str, ...] = (), **fields) -> None:
        """`total` (actual) against the sum of `parts` (expected), as the relation rules report it:
        a gap within the rounding of the figures shown is 尾差 (info)."""
        expected = sum(parts, Decimal(0))
        gap = total - expected
        if gap:
            rounding = abs(gap) <= self.limit(self.report, len(parts) + 1)
            self.out.append(rule.finding(
                SHEET, self.at(key), rounding=rounding, cells=cells, expected=expected, actual=total, difference=gap,
                total=fmt(total), parts=fmt(expected), gap=fmt(gap), within=within(rounding), **fields))

    def purchase(self) -> None:
        total, sme, small = self.get("采购总额"), self.get("中小企业"), self.get("小微企业")
        amounts = [self.get(key) for _, key, _ in PURCHASE_CATEGORIES]
        if total is not None and None not in amounts:
            self._sum(PURCHASE_PARTS, "采购总额", total, amounts,
                      tuple(self.at(key) for _, key, _ in PURCHASE_CATEGORIES))
        if total is not None and sme is not None and sme > total:
            self.out.append(SME_WITHIN_TOTAL.finding(SHEET, self.at("中小企业"), sme=fmt(sme), total=fmt(total)))
        if sme is not None and small is not None and small > sme:
            self.out.append(SMALL_WITHIN_SME.finding(SHEET, self.at("小微企业"), small=fmt(small), sme=fmt(sme)))
        shares = [self.get(key) for _, _, key in PURCHASE_CATEGORIES]
        for (category, amount_key, sme_key), amount, share in zip(PURCHASE_CATEGORIES, amounts, shares):
            if amount is not None and share is not None and share > amount:
                self.out.append(SME_BY_CATEGORY.finding(SHEET, self.at(sme_key), "over", category=category,
                                                        sme=fmt(share), amount=fmt(amount)))
        if sme is not None and None not in shares:
            gap = sme - sum(shares, Decimal(0))
            if gap:
                rounding = abs(gap) <= self.limit(self.report, 4)
                self.out.append(SME_BY_CATEGORY.finding(
                    SHEET, self.at("中小企业"), "sum", rounding=rounding, within=within(rounding),
                    cells=tuple(self.at(key) for _, _, key in PURCHASE_CATEGORIES),
                    expected=sme - gap, actual=sme, difference=gap,
                    sme=fmt(sme), parts=fmt(sme - gap), gap=fmt(gap)))

    def vehicles(self) -> None:
        total = self.sheet.value("车辆总数")
        kinds = [self.sheet.value(f"车辆:{kind}") for kind in VEHICLE_KINDS]
        if total is not None and any(k is not None for k in kinds):
            parts = sum(k or 0 for k in kinds)
            if parts != total:
                self.out.append(VEHICLE_KINDS_SUM.finding(SHEET, self.at("车辆总数"), total=total, parts=parts,
                                                          expected=Decimal(total), actual=Decimal(parts)))
        bought = self.sheet.value("购置车辆数")
        paid = self.report.value(SANGONG_CAR_PURCHASE)
        if bought is None or not self.report.tables["公开09"].present:
            return
        if (paid or 0) > 0 and bought == 0:
            self.out.append(VEHICLE_PURCHASE.finding(SHEET, self.at("购置车辆数"), "bought_nothing", amount=fmt(paid)))
        elif bought > 0 and not (paid or 0) > 0:
            self.out.append(VEHICLE_PURCHASE.finding(SHEET, self.at("购置车辆数"), "paid_nothing", count=bought,
                                                     amount=fmt(paid or Decimal(0))))

    def reception(self) -> None:
        home, abroad = self.get("国内接待费"), self.get("国外接待费")
        spent = self.report.value(SANGONG_RECEPTION)
        if home is None or abroad is None or not self.report.tables["公开09"].present:
            return
        spent = spent or Decimal(0)
        gap = home + abroad - spent
        if gap:
            rounding = abs(gap) <= self.limit(self.report, 3)
            self.out.append(RECEPTION_SPLIT.finding(
                SHEET, self.at("国内接待费"), rounding=rounding, within=within(rounding), gap=fmt(gap),
                cells=(self.at("国外接待费"), f"公开09!{self.report.address(SANGONG_RECEPTION)}"),
                expected=spent, actual=home + abroad, difference=gap, parts=fmt(home + abroad), amount=fmt(spent)))

    def agency_running_cost(self) -> None:
        amount = self.get("机关运行经费")
        public = self.report.value(Ref("公开06", PUBLIC_TOTAL, 1))
        if amount is None or not self.report.tables["公开06"].present:
            return
        public = public or Decimal(0)
        kind = self.sheet.value("单位性质")
        at = self.at("机关运行经费")
        if self.report.entity != DEPARTMENT_REPORT and kind in AGENCY_KINDS[:2]:
            if amount != public:
                rounding = abs(amount - public) <= self.limit(self.report, 2)
                self.out.append(AGENCY_RUNNING_COST.finding(
                    SHEET, at, "equal", rounding=rounding, within=within(rounding), gap=fmt(amount - public),
                    expected=public, actual=amount, difference=amount - public, kind=kind,
                    public=fmt(public), amount=fmt(amount)))
        elif amount > public:
            self.out.append(AGENCY_RUNNING_COST.finding(SHEET, at, "over", expected=public, actual=amount,
                                                        difference=amount - public, public=fmt(public),
                                                        amount=fmt(amount)))
        elif self.report.entity != DEPARTMENT_REPORT and kind == AGENCY_KINDS[2] and amount > 0:
            self.out.append(AGENCY_RUNNING_COST.finding(SHEET, at, "institution", amount=fmt(amount)))

    def budget_items(self) -> None:
        items = self.sheet.items
        if not items:
            return
        total = self.get("年初预算")
        budgets = [item.budget for item in items]
        if total is not None and None not in budgets:
            self._sum(BUDGET_ITEMS_SUM, "年初预算", total, budgets, tuple(item.address for item in items))
        table05 = self.report.tables.get("公开05")
        if table05 is None or not table05.present:
            return
        items05 = {row.code: row for row in table05.rows
                   if row.key != TOTAL_KEY and row.code and row.level == "项"}
        listed = {item.code for item in items}
        for item in items:
            if item.code not in items05:
                self.out.append(BUDGET_ITEM_CODE.finding(SHEET, f"A{item.row}", "unknown", code=item.code,
                                                         value=item.code))
        for code, row in items05.items():
            if code not in listed:
                self.out.append(BUDGET_ITEM_MISSING.finding(SHEET, None, code=code, name=row.name))

