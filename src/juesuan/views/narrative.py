"""The 情况说明 drafted from the workbook: sections 一 to 六 here, 七 to 十三 in narrative_more.

Every figure comes from rules.narrative_facts; wording follows the seeds (narrative.md §1–§3):
单位 or 部门 from 报表类型, 增加/减少 and 增长/下降 by sign, no percentage on a zero base,
完成年初预算的 x% or 年初无预算, 大于/小于/基本持平, the clerk's reason or a visible placeholder.
"""
from __future__ import annotations

from decimal import Decimal

from ..domain.model import Report
from ..rules.narrative_facts import INCOME_KINDS, SPENDING_PARTS, Figure, names_of_rows, narrative_facts
from .narrative_doc import BARS, PIE, Narrative, Run, Writer, placeholder
from .narrative_words import change, class_label, clause, compare, num, pct, ratio, sentence, shares

CHINESE = "一二三四五六七八九十"


class Context:
    """What every section needs: the figures, the year, the wording of the entity."""

    def __init__(self, report: Report):
        self.report = report
        self.figures: dict[str, Figure] = narrative_facts(report)
        year = report.year
        self.year = year if isinstance(year, int) else None
        self.entity = report.entity                        # 单位 / 部门
        self.unit_name = report.unit_name or "本" + self.entity
        self.writer = Writer(f"{self.y}年度{self.entity}决算情况说明")

    @property
    def y(self) -> str:
        return str(self.year) if self.year else "【待填写：年度】"    # 单位信息 年度 blank: the audit says E03

    @property
    def last(self) -> str:
        return str(self.year - 1) if self.year else "上"          # "与上年度相比", "与上年决算数相同"

    def value(self, name: str) -> Decimal | int | None:
        figure = self.figures.get(name)
        return figure.value if figure else None

    def reason(self, name: str) -> str | None:
        figure = self.figures.get(name)
        return figure.reason if figure else None

    def amount(self, name: str, what: str) -> str | Run:
        value = self.value(name)
        if value is None:
            self.writer.missing(what)
            return placeholder(what)
        return num(value)

    def change_parts(self, this_name: str, last_name: str, subject: str = "", each: bool = False) -> list:
        """"与 Y-1 年度相比，{subject}{各}增加 Δ 万元，增长 p%。{reason}" or the equal/zero forms."""
        this, last = self.value(this_name), self.value(last_name)
        if last is None:
            self.writer.missing("上年数")
            return [f"与{self.last}年度相比，", placeholder("上年数（“上年数”表）"), "。"]
        if this == last:
            return [f"与{self.last}年决算数相同。"]
        up, grow, delta, rate = change(this, last)
        parts = [f"与{self.last}年度相比，{subject}{'各' if each else ''}{up}{num(delta)}万元"]
        parts.append(f"，{grow}{pct(rate)}。" if rate is not None else "。")
        reason = sentence(self.reason(last_name))
        parts.append(reason or placeholder("增减变化的主要原因"))
        return parts

    def share_list(self, items: list[tuple[str, Decimal]], base: Decimal | None) -> str:
        """"A x 万元，占 p%；B …" with largest-remainder shares of `base`."""
        pieces = shares([v for _, v in items], base) if base else None
        out = []
        for i, (label, value) in enumerate(items):
            share = f"，占{pct(pieces[i])}" if pieces is not None else ""
            out.append(f"{label}{num(value)}万元{share}")
        return "；".join(out)


def draft(report: Report) -> Narrative:
    from .narrative_more import later_sections
    ctx = Context(report)
    for section in (overall, income, spending, fiscal_overall, general_budget, basic_spending):
        section(ctx)
    later_sections(ctx)
    return ctx.writer.doc


def overall(ctx: Context) -> None:
    w = ctx.writer
    w.heading("一、收入支出决算总体情况说明")
    w.add(f"{ctx.y}年度收、支总计均为", ctx.amount("收支总计", "收支总计"), "万元。",
          *ctx.change_parts("收支总计", "上年:总计", "收、支总计", each=True))
    _years_chart(ctx, "收、支决算总计变动情况图", "收支总计", "上年:总计")


def _years_chart(ctx: Context, caption: str, this_name: str, last_name: str) -> None:
    this, last = ctx.value(this_name), ctx.value(last_name)
    if this is not None and last is not None:
        ctx.writer.chart(BARS, caption, [f"{ctx.last}年度", f"{ctx.y}年度"], [last, this])


def _kinds(ctx: Context, prefix: str, kinds: tuple[str, ...]) -> list[tuple[str, Decimal]]:
    return [(kind, ctx.value(f"{prefix}:{kind}") or Decimal(0)) for kind in kinds]


def income(ctx: Context) -> None:
    _composition(ctx, "二", "收入", INCOME_KINDS)


def spending(ctx: Context) -> None:
    _composition(ctx, "三", "支出", SPENDING_PARTS)


def _composition(ctx: Context, number: str, side: str, names) -> None:
    """二、收入 / 三、支出: the structure (shares of the total, a pie) then each kind against last year."""
    w = ctx.writer
    w.heading(f"{number}、{side}决算情况说明")
    w.subheading(f"（一）{side}决算结构情况")
    kinds = _kinds(ctx, side, names)
    total = f"{side}合计"
    w.add(f"{ctx.y}年度{total}", ctx.amount(total, total), "万元，其中：", ctx.share_list(kinds, ctx.value(total)), "。")
    nonzero = [(k, v) for k, v in kinds if v]
    if nonzero:
        w.chart(PIE, f"本年{side}决算结构图", [k for k, _ in nonzero], [v for _, v in nonzero])
    w.subheading(f"（二）{side}决算具体情况")
    for n, (kind, value) in enumerate(kinds, start=1):
        w.add(f"{n}、{kind}{num(value)}万元。", *ctx.change_parts(f"{side}:{kind}", f"上年:{kind}"))


def fiscal_overall(ctx: Context) -> None:
    w = ctx.writer
    w.heading("四、财政拨款收入支出决算总体情况说明")
    w.add(f"{ctx.y}年度财政拨款收、支总计均为", ctx.amount("财政拨款收支总计", "财政拨款收支总计"), "万元。",
          *ctx.change_parts("财政拨款收支总计", "上年:财政拨款收支总计", "财政拨款收、支总计", each=True))
    _years_chart(ctx, "财政拨款收、支决算总计变动情况图", "财政拨款收支总计", "上年:财政拨款收支总计")


def general_budget(ctx: Context) -> None:
    w = ctx.writer
    spent = ctx.value("一般公共预算支出") or Decimal(0)
    w.heading("五、一般公共预算财政拨款支出决算情况说明")
    w.subheading("（一）一般公共预算财政拨款支出决算总体情况")
    share = ratio(spent, ctx.value("支出合计") or Decimal(0))
    w.add(f"{ctx.y}年度一般公共预算财政拨款支出{num(spent)}万元",
          f"，占本年支出合计的{pct(share)}。" if share is not None else "。",
          *ctx.change_parts("一般公共预算支出", "上年:一般公共预算财政拨款支出", "一般公共预算财政拨款支出"))
    _years_chart(ctx, "一般公共预算财政拨款支出决算变动情况图", "一般公共预算支出", "上年:一般公共预算财政拨款支出")
    w.subheading("（二）一般公共预算财政拨款支出决算结构情况")
    classes = [(class_label(f.name), f.value) for key, f in ctx.figures.items() if key.startswith("类:")]
    w.add(f"{ctx.y}年度一般公共预算财政拨款支出{num(spent)}万元，主要用于以下方面：",
          ctx.share_list(classes, spent), "。")
    if classes:
        w.chart(PIE, "一般公共预算财政拨款支出决算结构图", [c.removesuffix("（类）支出") for c, _ in classes],
                [v for _, v in classes])
    w.subheading("（三）一般公共预算财政拨款支出决算具体情况")
    budget = ctx.value("其他:年初预算")
    w.add(f"{ctx.y}年度一般公共预算财政拨款支出年初预算为", ctx.amount("其他:年初预算", "年初预算"),
          f"万元，支出决算为{num(spent)}万元，", *_against_budget(ctx, spent, budget, ctx.reason("其他:年初预算")),
          "其中：")
    names = names_of_rows(ctx.report, "公开05")
    items = [(key.split(":", 1)[1], f) for key, f in ctx.figures.items() if key.startswith("项:")]
    for n, (code, figure) in enumerate(items, start=1):
        path = f"{names.get(code[:3], '')}（类）{names.get(code[:5], '')}（款）{figure.name}（项）。"
        item = ctx.figures.get(f"项年初预算:{code}")
        if item is None or item.value is None:
            ctx.writer.missing("各项年初预算")
            w.add(f"{n}、{path}年初预算为", placeholder("年初预算"), f"万元，支出决算为{num(figure.value)}万元。")
            continue
        w.add(f"{n}、{path}年初预算为{num(item.value)}万元，支出决算为{num(figure.value)}万元，",
              *_against_budget(ctx, figure.value, item.value, item.reason))


def _against_budget(ctx: Context, actual: Decimal, budget: Decimal | None, reason: str | None) -> list:
    """完成年初预算的 r%（or 年初无预算）。决算数大于/小于年初预算数的主要原因是…／基本持平。"""
    if budget is None:
        return [placeholder("完成年初预算的百分比"), "。"]
    done = "年初无预算。" if not budget else f"完成年初预算的{pct(ratio(actual, budget))}。"
    word = compare(actual, budget)
    if word == "基本持平":
        return [done, "决算数与年初预算数基本持平。"]
    because = clause(reason)
    return [done, f"决算数{word}年初预算数的主要原因是", because or placeholder("主要原因"), "。"]


def basic_spending(ctx: Context) -> None:
    from ..rules.narrative_facts import listed_economic_names
    w = ctx.writer
    w.heading("六、一般公共预算财政拨款基本支出决算情况说明")
    w.add(f"{ctx.y}年度一般公共预算财政拨款基本支出决算{num(ctx.value('一般公共预算基本支出') or 0)}万元，"
          "包括人员经费和公用经费，支出具体情况如下：")
    for label, group in (("人员经费", "人员经费"), ("公用经费", "公用经费")):
        names = listed_economic_names(ctx.report, group)
        listed = f"，主要包括：{'、'.join(names)}。" if names else "。"
        w.add(f"{label}{num(ctx.value(label) or 0)}万元{listed}")
