"""The 情况说明 checked against the workbook (issue 18 part 3): each statement that restates a
figure is found by the words around it and compared with the figure of `narrative_facts`, the one
mapping the drafter (views/narrative*.py) words too, with the drafter's wording arithmetic
(`rules/narrative_numbers`: shares by largest remainder, changes, 完成率). Pure.

Precision first: a number no pattern places is not checked; a figure the workbook lacks gives an
info finding saying so. Sections 一 to 六 here, 七 to 十三 and the wording checks in
narrative_check_more.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..domain.model import Ref, Report
from ..domain.money import yuan_to_wanyuan
from ..domain.schema import YUAN
from . import registry_narrative_check as N
from .findings import Finding
from .narrative_check_more import later_sections, wording
from .narrative_checker import N_, TOLERANCE, Checker, _in, budget_outcome
from .narrative_facts import (
    INCOME_KINDS,
    SPENDING_PARTS,
    listed_economic_names,
    names_of_rows,
)
from .narrative_numbers import num, ratio, shares
from .narrative_text import Paragraph, paragraphs, to_decimal


def check_narrative(report: Report, lines: list[str], wheres: list[str] | None = None) -> list[Finding]:
    """Every disagreement between the 情况说明 `lines` and the workbook `report`, as findings;
    `wheres`: each line's position in an imported document, cited in the messages."""
    checker = Checker(report, paragraphs(lines, wheres))
    for section in (overall, income_spending, general_budget, basic_spending):
        section(checker)
    later_sections(checker)
    last_year_bases(checker)
    wording(checker)
    return checker.findings


def overall(c: Checker) -> None:
    """一 and 四: 收、支总计 and 财政拨款收、支总计 with their change."""
    for p in _in(c, "一", "四"):
        for m in re.finditer(r"(财政拨款)?收、?支总计均为" + N_ + r"(万?元)", p.text):
            fiscal = m.group(1) is not None
            name = "财政拨款收支总计" if fiscal else "收支总计"
            what = "财政拨款收、支总计" if fiscal else "收、支总计"
            this = c.amount(p, m, 2, name, what, m.group(3))
            c.year_change(p, m.end(), name, "上年:" + ("财政拨款收支总计" if fiscal else "总计"), what, this)


def income_spending(c: Checker) -> None:
    """二 and 三: the structure with shares, then each kind with its change."""
    for section, total_word, total_name, prefix, kinds in (
            ("二", "收入合计", "收入合计", "收入", INCOME_KINDS), ("三", "支出合计", "支出合计", "支出", SPENDING_PARTS)):
        for p in _in(c, section):
            head = re.search(total_word + N_ + r"(万?元)", p.text)
            if head is not None and "其中" in p.text:
                base = c.amount(p, head, 1, total_name, total_word, head.group(2))
                share_group(c, p, [(kind, f"{prefix}:{kind}") for kind in kinds], base, head.end(), total_name)
                continue
            item = re.match(r"\d+、(" + "|".join(kinds) + ")" + N_ + r"(万?元)", p.text)
            if item is not None:
                name = f"{prefix}:{item.group(1)}"
                this = c.amount(p, item, 2, name, item.group(1), item.group(3))
                c.year_change(p, item.end(), name, f"上年:{item.group(1)}", item.group(1), this)


def share_group(c: Checker, p: Paragraph, labels: list[tuple[str, str]], base: Decimal, start: int,
                workbook_base: str) -> None:
    """"A x 万元，占 p%；B …" after `start`: each amount against its figure (label, figure name), each share
    against part ÷ base as stated. The drafter's largest-remainder share of the workbook figures is
    right too; a share one hundredth off where the stated shares add up to 100 was forced (info)."""
    found = []
    for label, name in labels:
        m = re.compile(re.escape(label) + N_ + r"(万?元)(?:[，,]?占" + N_ + "(%)?)?").search(p.text, start)
        if m is not None:
            found.append((label, name, m, c.amount(p, m, 1, name, label, m.group(2))))
    workbook = [c.value(name) for _label, name in labels]
    total = c.value(workbook_base)
    drafted = dict(zip([name for _label, name in labels], shares(workbook, total) or [])) \
        if total is not None and None not in workbook else {}
    with_sign = [(label, name, m, part) for label, name, m, part in found if m.group(3) and m.group(4)]
    stated_sum = sum((to_decimal(m.group(3)) for _l, _n, m, _p in with_sign), Decimal(0))
    for label, name, m, part in with_sign:        # a share without its % sign: the wording check says so
        stated, computed = to_decimal(m.group(3)), ratio(part, base)
        if computed is None:
            if stated:
                c.add(N.ZERO_BASE, p, m.start(3), what=label, text=m.group(3), actual_value=stated)
            continue
        if stated == computed or stated == drafted.get(name):
            continue
        forced = abs(stated - computed) <= TOLERANCE and stated_sum == 100
        c.add(N.SHARE_FORCED if forced else N.SHARE_DIFFERS, p, m.start(3), what=label, text=m.group(3),
              part=num(part), base=num(base), want=num(computed), expected_value=computed, actual_value=stated)


def general_budget(c: Checker) -> None:
    """五: the total with its share and change, the 类 shares, 年初预算 against 决算 in total and per 项."""
    for p in _in(c, "五"):
        m = re.search(r"一般公共预算财政拨款支出" + N_ + r"(万?元)[，,]占本年支出合计的" + N_ + "(%)?", p.text)
        if m is not None:
            spent = c.amount(p, m, 1, "一般公共预算支出", "一般公共预算财政拨款支出", m.group(2))
            if m.group(4):
                c.percent(p, m, 3, N.SHARE_DIFFERS, ratio(spent, c.value("支出合计") or Decimal(0)),
                          "一般公共预算财政拨款支出占本年支出合计", part=num(spent), base=num(c.value("支出合计") or 0))
            c.year_change(p, m.end(), "一般公共预算支出", "上年:一般公共预算财政拨款支出", "一般公共预算财政拨款支出", spent)
            continue
        m = re.search(r"一般公共预算财政拨款支出" + N_ + r"(万?元)[，,]主要用于以下方面", p.text)
        if m is not None:
            spent = c.amount(p, m, 1, "一般公共预算支出", "一般公共预算财政拨款支出", m.group(2))
            class_shares(c, p, spent, m.end())
            continue
        budget_sentence(c, p)


def class_shares(c: Checker, p: Paragraph, spent: Decimal, start: int) -> None:
    """"一般公共服务（类）支出 467.38 万元，占 93.46%" (S0) or "一般公共服务支出（类）支出…" (S1)."""
    labels = []
    for key, figure in c.figures.items():
        if not key.startswith("类:"):
            continue
        stem = figure.name.removesuffix("支出")
        label = next((x for x in (f"{stem}（类）支出", f"{stem}支出（类）支出", f"{stem}（类）", f"{stem}支出（类）")
                      if x in p.text[start:]), None)
        if label is not None:
            labels.append((label, key))
    if labels:
        share_group(c, p, labels, spent, start, "一般公共预算支出")


BUDGET = re.compile(r"年初预算数?为" + N_ + r"(万?元)[，,]支出决算数?为" + N_ + r"(万?元)[，,]?"
                    r"(?:完成年初预算数?的" + N_.replace("(", "(?P<rate>", 1) + r"(?P<sign>%)?|(?P<none>年初无预算))")
ITEM_PATH = re.compile(r"^\d+、(.+?)（类）(.+?)（款）(.+?)（项）")


def budget_sentence(c: Checker, p: Paragraph) -> None:
    m = BUDGET.search(p.text)
    if m is None:
        return
    path = ITEM_PATH.match(p.text)
    if path is None and "一般公共预算财政拨款支出年初预算" in p.text:
        budget_name, actual_name, what = "其他:年初预算", "一般公共预算支出", "一般公共预算财政拨款支出"
    elif path is not None:
        code = place_item(c, p, path, to_decimal(m.group(3)))
        if code is None:
            return
        budget_name, actual_name, what = f"项年初预算:{code}", f"项:{code}", path.group(3) + "（项）"
    else:
        return
    budget = c.amount(p, m, 1, budget_name, f"{what}年初预算", m.group(2))
    actual = c.amount(p, m, 3, actual_name, f"{what}支出决算", m.group(4))
    budget_outcome(c, p, m, budget, actual, what, word_from=m.end())


def _name(text: str) -> str:
    return text.replace("(", "（").replace(")", "）")


def place_item(c: Checker, p: Paragraph, path: re.Match, stated_actual: Decimal) -> str | None:
    """The 项 code a "n、类（类）款（款）项（项）" sentence is about: by name, then 款 name, then amount."""
    class_name, section_name, item_name = (_name(g) for g in path.groups())
    names = names_of_rows(c.report, "公开05")
    items = [key.split(":", 1)[1] for key in c.figures if key.startswith("项:")]
    candidates = [code for code in items if _name(names.get(code, "")) == item_name]
    if len(candidates) > 1:
        candidates = [code for code in candidates if _name(names.get(code[:5], "")) == section_name] or candidates
    if len(candidates) != 1:
        by_amount = [code for code in (candidates or items) if c.value(f"项:{code}") == stated_actual]
        candidates = by_amount if len(by_amount) == 1 else []
    if not candidates:
        c.add(N.ITEM_UNPLACED, p, 0, text=path.group(0))
        return None
    code = candidates[0]
    for text, level in ((class_name, code[:3]), (section_name, code[:5]), (item_name, code)):
        official = names.get(level)
        if official and _name(official) != text:
            c.add(N.NAME_DIFFERS, p, path.start(), text=text, expected_text=official, code=level)
    return code


def basic_spending(c: Checker) -> None:
    """六: 基本支出决算, 人员经费, 公用经费."""
    for p in _in(c, "六"):
        for pattern, name, what in ((r"基本支出决算", "一般公共预算基本支出", "一般公共预算财政拨款基本支出"),
                                    (r"^人员经费", "人员经费", "人员经费"), (r"^公用经费", "公用经费", "公用经费")):
            m = re.search(pattern + N_ + r"(万?元)", p.text)
            if m is not None:
                c.amount(p, m, 1, name, what, m.group(2))
                if name in ("人员经费", "公用经费"):
                    economic_list(c, p, name, m.end())


def economic_list(c: Checker, p: Paragraph, group: str, start: int) -> None:
    """"人员经费 119.67 万元，主要包括：基本工资、…" names the 款 of 公开06 with an amount, in table
    order (narrative.md §1 六, exactly so in all three seeds); a list ending with 等 may leave some out."""
    listed = re.compile(r"主要包括[：:](.+?)(等)?[。；]?$").search(p.text, start)
    if listed is None:
        return
    present = listed_economic_names(c.report, group)
    names = [name for name in re.split(r"[、，,]", listed.group(1)) if name]
    for name in names:
        if _name(name) not in {_name(x) for x in present}:
            c.add(N.ECONOMIC_LIST, p, listed.start(1), group=group, text=name)
    if listed.group(2) is None:
        for name in present:
            if _name(name) not in {_name(x) for x in names}:
                c.add(N.ECONOMIC_UNLISTED, p, listed.start(1), group=group, text=name)


def last_year_bases(c: Checker) -> None:
    """The 上年数 the stated changes imply must be possible together (narrative.md §4 S2.2)."""
    implied = c.implied_last
    fiscal, income = implied.get("上年:财政拨款收支总计"), implied.get("上年:财政拨款收入")
    if fiscal and income and fiscal.value < income.value - TOLERANCE:
        c.add(N.LAST_YEAR_CONTRADICTS, fiscal.paragraph, fiscal.paragraph.text.find(fiscal.text), "fiscal",
              fiscal_total=num(fiscal.value), fiscal_income=num(income.value),
              income_paragraph=income.paragraph.number, text=fiscal.text, actual_value=fiscal.value,
              expected_value=income.value)
    total = implied.get("上年:总计")
    known = [s for s in (implied.get(f"上年:{part}") for part in SPENDING_PARTS) if s is not None]
    if len(known) < len(SPENDING_PARTS):
        return                  # a part whose change the text does not state: last year's 支出合计 is unknown
    carried = c.report.value(Ref("公开01", "29", 1))
    if total is None or not known or carried is None and not c.report.tables["公开01"].present:
        return
    carried = Decimal(carried or 0)
    if c.report.amount_unit == YUAN:
        carried = yuan_to_wanyuan(carried)
    spent = sum((s.value for s in known), Decimal(0))
    gap = total.value - spent        # last year's 结余分配 and 年末结转和结余: this year's 年初结转和结余, give or take
    if gap - carried > total.value / 100:
        c.add(N.LAST_YEAR_CONTRADICTS, total.paragraph, total.paragraph.text.find(total.text), "carry",
              total=num(total.value), spent=num(spent), spent_paragraph=known[0].paragraph.number,
              gap=num(gap), carried=num(carried), text=total.text, actual_value=total.value)
