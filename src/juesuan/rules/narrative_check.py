"""The 情况说明 checked against the workbook (issue 18 part 3): each statement that restates a
figure is found by the words around it and compared with the figure of `narrative_facts`, the one
mapping the drafter (views/narrative*.py) words too, with the drafter's wording arithmetic
(`views/narrative_words`: shares by largest remainder, changes, 完成率). Pure.

Precision first: a number no pattern places is not checked; a figure the workbook lacks gives an
info finding saying so. Sections 一 to 六 here, 七 to 十三 and the wording checks in
narrative_check_more.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.model import Ref, Report
from ..domain.money import yuan_to_wanyuan
from ..domain.schema import YUAN
from .findings import Finding
from .narrative_facts import INCOME_KINDS, SPENDING_PARTS, Figure, names_of_rows, narrative_facts
from .narrative_text import NUMBER, Paragraph, paragraphs, sentence_at, to_decimal
from . import registry_narrative_check as N
from ..views.narrative_words import change, compare, num, ratio, shares

TOLERANCE = Decimal("0.01")         # one unit of the last printed digit: the rounding of 万元 and of a percentage
YUAN_PER_WANYUAN = Decimal(10000)
N_ = NUMBER


@dataclass
class Stated:
    value: Decimal
    text: str
    paragraph: Paragraph


@dataclass
class Checker:
    report: Report
    paras: list[Paragraph]
    figures: dict[str, Figure] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    stated: dict[str, Stated] = field(default_factory=dict)         # figure name -> first statement
    implied_last: dict[str, Stated] = field(default_factory=dict)    # 上年 figure -> this ∓ Δ as stated

    def __post_init__(self):
        self.figures = narrative_facts(self.report)

    def value(self, name: str):
        figure = self.figures.get(name)
        return figure.value if figure is not None else None

    def source(self, name: str) -> str:
        figure = self.figures.get(name)
        return "、".join(figure.sources) if figure and figure.sources else name

    def add(self, rule, p: Paragraph, pos: int, shape: str = "", **fields) -> None:
        fields.setdefault("sentence", sentence_at(p.text, pos))
        expected, actual = fields.pop("expected_value", None), fields.pop("actual_value", None)
        self.findings.append(rule.finding(N.NARRATIVE_TABLE, p.cell, shape, expected=expected, actual=actual,
                                          value=fields.get("text"), **fields))

    def missing(self, name: str) -> str:
        return "没有“上年数”" if name.startswith("上年:") else "没有“其他公开事项”的这项数据" \
            if name.startswith(("其他:", "项年初预算:")) else f"缺少{name}"

    # --- one stated figure ------------------------------------------------------------
    def amount(self, p: Paragraph, m: re.Match, group: int, name: str, what: str, unit: str = "万元") -> Decimal:
        """Compare the amount of `m.group(group)` (in `unit`) with figure `name`; return it in 万元."""
        text, pos = m.group(group), m.start(group)
        stated = to_decimal(text)
        expected = self.value(name)
        in_wan = stated / YUAN_PER_WANYUAN if unit == "元" else stated
        if expected is None:
            self.add(N.FACT_MISSING, p, pos, what=what, text=text, missing=self.missing(name), actual_value=stated)
            self._twice(p, pos, name, what, Stated(in_wan, text, p))
            return in_wan
        if unit == "元" and abs(in_wan - expected) <= TOLERANCE:
            self.add(N.YUAN_FOR_WANYUAN, p, pos, what=what, text=text, want=num(expected),
                     expected_value=expected, actual_value=stated)
        elif abs(in_wan - Decimal(expected)) > (TOLERANCE if unit == "万元" else Decimal(0)) or \
                (unit == "元" and abs(in_wan - expected) > TOLERANCE):
            rule = N.AMOUNT_DIFFERS if isinstance(expected, Decimal) else N.COUNT_DIFFERS
            self.add(rule, p, pos, what=what, text=text + ("元" if unit == "元" else ""), want=num(expected),
                     source=self.source(name), expected_value=Decimal(expected), actual_value=stated)
        self.stated.setdefault(name, Stated(in_wan, text, p))
        return in_wan

    def count(self, p: Paragraph, m: re.Match, group: int, name: str, what: str) -> Decimal:
        """A count (个, 人次, 辆, 批次, 台套) or a percentage fact, compared exactly."""
        text, pos = m.group(group), m.start(group)
        stated = to_decimal(text)
        expected = self.value(name)
        if expected is None:
            self.add(N.FACT_MISSING, p, pos, what=what, text=text, missing=self.missing(name), actual_value=stated)
            self._twice(p, pos, name, what, Stated(stated, text, p))
        elif stated != Decimal(expected):
            self.add(N.COUNT_DIFFERS, p, pos, what=what, text=text, want=num(expected), source=self.source(name),
                     expected_value=Decimal(expected), actual_value=stated)
        return stated

    def _twice(self, p: Paragraph, pos: int, name: str, what: str, now: Stated) -> None:
        """A figure the workbook lacks, stated twice with two values (N17)."""
        first = self.stated.setdefault(name, now)
        if first is not now and first.value != now.value:
            self.add(N.STATED_TWICE, p, pos, what=what, text=now.text, first_cell=first.paragraph.cell,
                     first_text=first.text, actual_value=now.value, expected_value=first.value)

    # --- derived wording ----------------------------------------------------------------
    def percent(self, p: Paragraph, m: re.Match, group: int, rule, computed: Decimal | None, what: str,
                **fields) -> None:
        """A stated percentage against the one computed from stated figures (None: a zero base)."""
        text, pos = m.group(group), m.start(group)
        stated = to_decimal(text)
        if computed is None:
            if stated:
                self.add(N.ZERO_BASE, p, pos, what=what, text=text, actual_value=stated)
            return
        if abs(stated - computed) > TOLERANCE:
            self.add(rule, p, pos, what=what, text=text, want=num(computed), expected_value=computed,
                     actual_value=stated, **fields)

    def year_change(self, p: Paragraph, start: int, this_name: str, last_name: str, what: str,
                    this: Decimal) -> None:
        """"与 Y 年度相比，…增加 Δ 万元，增长 p%" or "与…决算数相同" after `start`, against this year and 上年数."""
        rest = p.text[start:]
        same = re.search(r"与(?:\d{4}年度?|上年度?)(?:决算数)?(?:相同|一致|持平)", rest)
        moved = CHANGE.search(rest)
        last = self.value(last_name)
        if moved is None:
            if same is not None and last is not None and self.value(this_name) is not None \
                    and self.value(this_name) != last:
                up, _grow, delta, _rate = change(self.value(this_name), last)
                self.add(N.CHANGE_DIFFERS, p, start + same.start(), what=what, word="", text=same.group(0),
                         this=num(self.value(this_name)), last=num(last), expected_word=up, want=num(delta),
                         expected_value=Decimal(self.value(this_name)) - last)
            return
        word, delta_text, unit, grow, rate_text = moved.group("word", "delta", "unit", "grow", "rate")
        pos = start + moved.start("delta")
        delta = to_decimal(delta_text) / (YUAN_PER_WANYUAN if unit == "元" else 1)
        signed = delta if word == "增加" else -delta
        this_wb = self.value(this_name)
        if last is None:
            self.add(N.FACT_MISSING, p, pos, what=f"{what}的增减额", text=word + delta_text, missing=self.missing(last_name),
                     actual_value=signed)
        elif this_wb is not None:
            up, _grow, expected, _rate = change(this_wb, last)
            if abs(signed - (Decimal(this_wb) - last)) > TOLERANCE:
                self.add(N.CHANGE_DIFFERS, p, pos, what=what, word=word, text=delta_text, this=num(this_wb),
                         last=num(last), expected_word=up, want=num(expected),
                         expected_value=Decimal(this_wb) - last, actual_value=signed)
        implied = this - signed
        self.implied_last.setdefault(last_name, Stated(implied, delta_text, p))
        if rate_text is not None:
            rate_match = _Shifted(moved, start)
            self.percent(p, rate_match, "rate", N.RATE_DIFFERS, ratio(delta, implied) if implied > 0 else None,
                         what, word=grow, delta=num(delta), last=num(implied))


class _Shifted:
    """A match of a slice seen from the whole paragraph (positions moved by `offset`)."""

    def __init__(self, match: re.Match, offset: int):
        self.match, self.offset = match, offset

    def group(self, g):
        return self.match.group(g)

    def start(self, g=0):
        return self.match.start(g) + self.offset


CHANGE = re.compile(r"与(?:\d{4}年度?|上年度?)相比[，,]?[^。；]{0,30}?各?(?P<word>增加|减少)" + N_
                    .replace("(", "(?P<delta>", 1) + r"(?P<unit>万?元)(?:[，,](?P<grow>增长|下降)"
                    + N_.replace("(", "(?P<rate>", 1) + r"%?)?")


def check_narrative(report: Report, lines: list[str]) -> list[Finding]:
    """Every disagreement between the 情况说明 `lines` and the workbook `report`, as findings."""
    from .narrative_check_more import later_sections, wording
    checker = Checker(report, paragraphs(lines))
    for section in (overall, income_spending, general_budget, basic_spending):
        section(checker)
    later_sections(checker)
    last_year_bases(checker)
    wording(checker)
    return checker.findings


def _in(checker: Checker, *sections: str):
    return [p for p in checker.paras if p.section in sections]


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
                share_group(c, p, [(kind, f"{prefix}:{kind}") for kind in kinds], base, head.end())
                continue
            item = re.match(r"\d+、(" + "|".join(kinds) + ")" + N_ + r"(万?元)", p.text)
            if item is not None:
                name = f"{prefix}:{item.group(1)}"
                this = c.amount(p, item, 2, name, item.group(1), item.group(3))
                c.year_change(p, item.end(), name, f"上年:{item.group(1)}", item.group(1), this)


def share_group(c: Checker, p: Paragraph, labels: list[tuple[str, str]], base: Decimal, start: int,
                pattern: str = "{label}") -> None:
    """"A x 万元，占 p%；B …": each amount against its figure, each share against part ÷ base,
    accepting the drafter's largest-remainder shares and a share forced so the stated ones add to 100."""
    found = []
    for label, name in labels:
        m = re.compile(re.escape(pattern.format(label=label)) + N_ + r"(万?元)(?:[，,]?占" + N_ + "(%)?)?")\
            .search(p.text, start)
        if m is None:
            continue
        part = c.amount(p, m, 1, name, label, m.group(2))
        found.append((label, name, m, part))
    workbook = [c.value(name) for _label, name in labels]
    drafted = dict(zip([name for _l, name in labels],
                       shares([v or Decimal(0) for v in workbook], c.value(labels[0][1].split(":")[0] + "合计")
                              or base) or [])) if all(v is not None for v in workbook) else {}
    stated_sum = sum((to_decimal(m.group(3)) for *_x, m, _p in found if m.group(3)), Decimal(0))
    for label, name, m, part in found:
        if m.group(3) is None:
            continue
        if m.group(4) is None:
            continue                                     # the wording check reports a missing % sign
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
            classes = [(key, f) for key, f in c.figures.items() if key.startswith("类:")]
            class_shares(c, p, classes, spent, m.end())
            continue
        budget_sentence(c, p)


def class_shares(c: Checker, p: Paragraph, classes, spent: Decimal, start: int) -> None:
    """"一般公共服务（类）支出 467.38 万元，占 93.46%" (S0) or "一般公共服务支出（类）支出…" (S1)."""
    labels = []
    for key, figure in classes:
        stem = figure.name.removesuffix("支出")
        for label in (f"{stem}（类）支出", f"{stem}支出（类）支出", f"{stem}（类）", f"{stem}支出（类）"):
            if label in p.text[start:]:
                labels.append((label, key))
                break
    if labels:
        group_total = {"类": spent}
        _shares_of(c, p, labels, spent, start, group_total)


def _shares_of(c, p, labels, base, start, _total) -> None:
    found = []
    for label, name in labels:
        m = re.compile(re.escape(label) + N_ + r"(万?元)(?:[，,]?占" + N_ + "(%)?)?").search(p.text, start)
        if m is None:
            continue
        found.append((label, name, m, c.amount(p, m, 1, name, label, m.group(2))))
    keys = [key for key in c.figures if key.startswith("类:")]
    drafted = dict(zip(keys, shares([c.value(k) for k in keys], c.value("一般公共预算支出") or base) or []))
    stated_sum = sum((to_decimal(m.group(3)) for *_x, m, _p in found if m.group(3) and m.group(4)), Decimal(0))
    for label, name, m, part in found:
        if not (m.group(3) and m.group(4)):
            continue
        stated, computed = to_decimal(m.group(3)), ratio(part, base)
        if computed is None or stated == computed or stated == drafted.get(name):
            continue
        forced = abs(stated - computed) <= TOLERANCE and stated_sum == 100
        c.add(N.SHARE_FORCED if forced else N.SHARE_DIFFERS, p, m.start(3), what=label, text=m.group(3),
              part=num(part), base=num(base), want=num(computed), expected_value=computed, actual_value=stated)


BUDGET = re.compile(r"年初预算数?为" + N_ + r"(万?元)[，,]支出决算数?为" + N_ + r"(万?元)[，,]?"
                    r"(?:完成年初预算数?的" + N_ + r"(%)?|(年初无预算))")
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
    budget_outcome(c, p, m, budget, actual, what, rate_group=5, none_group=7, word_from=m.end())


def budget_outcome(c: Checker, p: Paragraph, m, budget: Decimal, actual: Decimal, what: str,
                   rate_group: int, none_group: int, word_from: int) -> None:
    """完成…预算的 r% (or 无预算) and the 大于/小于/持平 that follows, against the stated amounts."""
    if m.group(rate_group) is not None and m.group(rate_group + 1):
        c.percent(p, m, rate_group, N.COMPLETION_DIFFERS, ratio(actual, budget), what,
                  actual_amount=num(actual), budget=num(budget))
    if m.group(none_group) is not None and budget:
        c.add(N.COMPLETION_DIFFERS, p, m.start(none_group), "no_budget", what=what, budget=num(budget),
              text=m.group(none_group), expected_value=budget)
    rest = p.text[word_from:]
    said = re.search(r"决算数?(大于|小于)(?:年初|全年)?预算数?|(?:决算数与(?:年初|全年)预算数|与(?:年初|\d{4}年)?预算)基本?持平",
                     rest)
    if said is None:
        return
    word = said.group(1) or "持平"
    expected_word = compare(actual, budget)
    if (word if word != "持平" else "基本持平") != expected_word:
        c.add(N.COMPARISON_WRONG, p, word_from + said.start(), what=what, word=said.group(0), text=said.group(0),
              actual_amount=num(actual), budget=num(budget), expected_word=expected_word)
    reason = re.search(r"原因[是为：:]?[^。]*?" + N_ + r"万元", rest[said.end():])
    if reason is not None and word in ("大于", "小于"):
        gap = abs(actual - budget)
        if to_decimal(reason.group(1)) > gap + TOLERANCE:
            c.add(N.REASON_EXCEEDS_GAP, p, word_from + said.end() + reason.start(1), what=what, text=reason.group(1),
                  actual_amount=num(actual), budget=num(budget), gap=num(gap), actual_value=to_decimal(reason.group(1)),
                  expected_value=gap)


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


def last_year_bases(c: Checker) -> None:
    """The 上年数 the stated changes imply must be possible together (narrative.md §4 S2.2)."""
    implied = c.implied_last
    fiscal, income = implied.get("上年:财政拨款收支总计"), implied.get("上年:财政拨款收入")
    if fiscal and income and fiscal.value < income.value:
        c.add(N.LAST_YEAR_CONTRADICTS, fiscal.paragraph, fiscal.paragraph.text.find(fiscal.text), "fiscal",
              fiscal_total=num(fiscal.value), fiscal_income=num(income.value),
              income_paragraph=income.paragraph.number, text=fiscal.text, actual_value=fiscal.value,
              expected_value=income.value)
    total = implied.get("上年:总计")
    known = [s for s in (implied.get(f"上年:{part}") for part in SPENDING_PARTS) if s is not None]
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
