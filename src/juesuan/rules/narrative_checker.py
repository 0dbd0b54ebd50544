"""The checker of the 情况说明 (see narrative_check): the figures of `narrative_facts`, how one
stated number is compared with its figure, and the arithmetic shared by the sections. Pure."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.model import Report
from . import registry_narrative_check as N
from .findings import Finding
from .narrative_facts import Figure, narrative_facts
from .narrative_numbers import change, compare, num, ratio
from .narrative_text import NUMBER, Paragraph, sentence_at, to_decimal

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
    project_list: tuple[Paragraph, list[str]] | None = None        # 十三: "以及A、B等N个项目的绩效自评表"

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
        fields.setdefault("within", "")
        expected, actual = fields.pop("expected_value", None), fields.pop("actual_value", None)
        finding = rule.finding(N.NARRATIVE_TABLE, p.cell, shape, expected=expected, actual=actual,
                               value=fields.get("text"), **fields)
        if p.where:                       # an imported document: where the paragraph was printed
            finding.message += f"（原文{p.where}）"
        self.findings.append(finding)

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
        gap = abs(in_wan - Decimal(expected))
        if unit == "元" and gap <= TOLERANCE:
            self.add(N.YUAN_FOR_WANYUAN, p, pos, what=what, text=text, want=num(expected),
                     expected_value=expected, actual_value=stated)
        elif gap:
            rounding = unit == "万元" and gap <= TOLERANCE
            self.add(N.AMOUNT_DIFFERS, p, pos, what=what, text=text + ("元" if unit == "元" else ""), want=num(expected),
                     source=self.source(name), within=N.WITHIN_ROUNDING if rounding else "", rounding=rounding,
                     expected_value=Decimal(expected), actual_value=stated)
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
            if same is not None:              # "与上年决算数相同": last year's figure is this year's, as stated
                self.implied_last.setdefault(last_name, Stated(this, same.group(0), p))
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
            gap = abs(signed - (Decimal(this_wb) - last))
            if gap:
                self.add(N.CHANGE_DIFFERS, p, pos, what=what, word=word, text=delta_text, this=num(this_wb),
                         last=num(last), expected_word=up, want=num(expected), rounding=gap <= TOLERANCE,
                         within=N.WITHIN_ROUNDING if gap <= TOLERANCE else "",
                         expected_value=Decimal(this_wb) - last, actual_value=signed)
        implied = this - signed
        self.implied_last.setdefault(last_name, Stated(implied, delta_text, p))
        if rate_text is not None:       # the rate of the change as written, over 上年数 (or what the text implies)
            base = Decimal(last) if last is not None else implied
            rate_match = _Shifted(moved, start)
            self.percent(p, rate_match, "rate", N.RATE_DIFFERS, ratio(delta, base) if base > 0 else None,
                         what, word=grow, delta=num(delta), last=num(base))


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


def _in(checker: Checker, *sections: str):
    return [p for p in checker.paras if p.section in sections]


def budget_outcome(c: Checker, p: Paragraph, done: re.Match | None, budget: Decimal, actual: Decimal, what: str,
                   word_from: int) -> None:
    """完成…预算的 r% (group "rate", its % sign "sign") or 无预算 ("none") of `done`, and the 大于/小于/持平
    after `word_from`, against the stated amounts."""
    if done is not None and done.group("rate") is not None and done.group("sign"):
        c.percent(p, done, "rate", N.COMPLETION_DIFFERS, ratio(actual, budget), what,
                  actual_amount=num(actual), budget=num(budget))
    if done is not None and done.group("none") is not None and budget:
        c.add(N.COMPLETION_DIFFERS, p, done.start("none"), "no_budget", what=what, budget=num(budget),
              text=done.group("none"), expected_value=budget)
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


