"""Sections 七 to 十三 of the 情况说明 check, and the checks of wording (see narrative_check)."""
from __future__ import annotations

import re
from decimal import Decimal

from ..domain.schema import VEHICLE_KINDS
from . import registry_narrative_check as N
from .narrative_checker import _in, budget_outcome
from .narrative_numbers import num, ratio
from .narrative_text import NUMBER as N_
from .narrative_text import SECTIONS, to_decimal


def later_sections(c) -> None:
    for section, check in (("七", fund_budget), ("八", state_capital), ("九", sangong), ("十", running_cost),
                           ("十一", purchase), ("十二", assets), ("十三", performance)):
        for p in _in(c, section):
            check(c, p)


def _table_total(c, table_id: str, nos) -> tuple[Decimal, str]:
    from ..domain.model import Ref
    table = c.report.tables.get(table_id)
    if table is None or not table.present or table.row("合计") is None:
        return Decimal(0), table_id
    values = [c.report.value(Ref(table_id, "合计", no)) or Decimal(0) for no in nos]
    return max(values, key=abs), f"{table_id} 合计"


def _nothing(c, p, pattern: str, amount: Decimal, what: str, source: str) -> None:
    m = re.search(pattern, p.text)
    if m is not None and amount:
        c.add(N.NOTHING_CLAIM_WRONG, p, m.start(), text=m.group(0), what=what, want=num(amount), source=source,
              expected_value=amount)


def fund_budget(c, p) -> None:
    amount, source = _table_total(c, "公开07", range(1, 7))
    _nothing(c, p, r"本(?:单位|部门)没有政府性基金[^。]*", amount, "公开07", source)


def state_capital(c, p) -> None:
    amount, source = _table_total(c, "公开08", (1,))
    _nothing(c, p, r"本(?:单位|部门)没有国有资本经营预算[^。]*", amount, "公开08 小计", source)


SANGONG_ITEMS = (("“三公”经费支出", "合计"), ("因公出国（境）费", "因公出国（境）费"),
                 ("公务用车购置及运行维护费", "公务用车购置及运行维护费"), ("公务接待费", "公务接待费"))
PLAN = re.compile(r"全年预算数?为" + N_ + r"(万?元)[，,]支出决算数?为" + N_ + r"(万?元)")
DONE = re.compile(r"完成全年预算数?的" + N_.replace("(", "(?P<rate>", 1) + r"(?P<sign>%)?|(?P<none>全年无预算)")


def sangong(c, p) -> None:
    text = p.text
    for label, item in SANGONG_ITEMS:
        m = re.search(re.escape(label) + PLAN.pattern, text)
        if m is None:
            continue
        what = "“三公”经费" if item == "合计" else f"“三公”{item}"
        budget = c.amount(p, m, 1, f"三公预算:{item}", f"{what}预算数", m.group(2))
        spent = c.amount(p, m, 3, f"三公决算:{item}", f"{what}决算数", m.group(4))
        budget_outcome(c, p, DONE.search(text, m.end()), budget, spent, what, word_from=m.end())
        break
    for pattern, name, what, amount in (
            (r"团组" + N_ + "个", "其他:出国团组数", "因公出国（境）团组数", False),
            (r"团组\d+个[，,]累计" + N_ + "人次", "其他:出国人次", "因公出国（境）人次", False),
            (r"公务用车购置费(?:支出)?" + N_ + r"(万?元)", "三公决算:公务用车购置费", "公务用车购置费", True),
            (r"购置公务用车" + N_ + "辆", "其他:购置车辆数", "购置公务用车数", False),
            (r"(?<!及)运行维护费(?:支出)?" + N_ + r"(万?元)", "三公决算:公务用车运行维护费", "公务用车运行维护费", True),
            (r"保有量为?" + N_ + "辆", "其他:公务用车保有量", "公务用车保有量", False),
            (r"国内接待费" + N_ + r"(万?元)", "其他:国内接待费", "国内接待费", True),
            (r"国内接待费[^；]*?接待" + N_ + "批次", "其他:国内接待批次", "国内接待批次", False),
            (r"国内接待费[^；]*?接待\d+批次、" + N_ + "人次", "其他:国内接待人次", "国内接待人次", False),
            (r"外事接待" + N_ + "批次", "其他:外事接待批次", "外事接待批次", False),
            (r"外事接待\d+批次、" + N_ + "人次", "其他:外事接待人次", "外事接待人次", False),
            (r"国（境）外接待费" + N_ + r"(万?元)", "其他:国外接待费", "国（境）外接待费", True),
            (r"国（境）外接待费[^；。]*?接待" + N_ + "批次", "其他:国外接待批次", "国（境）外接待批次", False),
            (r"国（境）外接待费[^；。]*?接待\d+批次、" + N_ + "人次", "其他:国外接待人次", "国（境）外接待人次", False)):
        m = re.search(pattern, text)
        if m is None or (pattern.startswith("(?<!及)运行维护费") and "全年预算" in text):
            continue
        if amount:
            c.amount(p, m, 1, name, what, m.group(2))
        else:
            c.count(p, m, 1, name, what)


def running_cost(c, p) -> None:
    m = re.search(r"机关运行经费支出" + N_ + r"(万?元)", p.text)
    if m is None:
        _nothing(c, p, r"(?:本(?:单位|部门))?(?:无|没有)[^。]*机关运行经费[^。]*", c.value("其他:机关运行经费") or Decimal(0),
                 "“其他公开事项”机关运行经费", c.source("其他:机关运行经费"))
        return
    amount = c.amount(p, m, 1, "其他:机关运行经费", "机关运行经费", m.group(2))
    moved = re.compile(r"比年初预算数?(增加|减少)" + N_ + r"(万?元)(?:[，,](增长|下降)" + N_ + "(%)?)?").search(p.text, m.end())
    if moved is None:
        return
    budget = c.value("其他:机关运行经费年初预算")
    delta = to_decimal(moved.group(2))
    signed = delta if moved.group(1) == "增加" else -delta
    if budget is None:
        c.add(N.FACT_MISSING, p, moved.start(2), what="机关运行经费比年初预算的增减额", text=moved.group(2),
              missing=c.missing("其他:机关运行经费年初预算"), actual_value=signed)
    elif abs(signed - (c.value("其他:机关运行经费") - budget)) > Decimal("0.01"):
        diff = c.value("其他:机关运行经费") - budget
        c.add(N.CHANGE_DIFFERS, p, moved.start(2), what="机关运行经费比年初预算", word=moved.group(1), text=moved.group(2),
              this=num(c.value("其他:机关运行经费")), last=num(budget), expected_word="增加" if diff >= 0 else "减少",
              want=num(abs(diff)), expected_value=diff, actual_value=signed)
    if moved.group(5) and moved.group(6):
        base = amount - signed
        c.percent(p, moved, 5, N.RATE_DIFFERS, ratio(delta, base) if base > 0 else None, "机关运行经费比年初预算",
                  word=moved.group(4), delta=num(delta), last=num(base))


def purchase(c, p) -> None:
    found = {}
    for pattern, key, what in ((r"政府采购支出总额" + N_ + r"(万?元)", "采购总额", "政府采购支出总额"),
                               (r"货物支出" + N_ + r"(万?元)", "采购货物", "政府采购货物支出"),
                               (r"工程支出" + N_ + r"(万?元)", "采购工程", "政府采购工程支出"),
                               (r"服务支出" + N_ + r"(万?元)", "采购服务", "政府采购服务支出"),
                               (r"授予中小企业合同金额" + N_ + r"(万?元)", "中小企业", "授予中小企业合同金额"),
                               (r"授予小微企业合同金额" + N_ + r"(万?元)", "小微企业", "授予小微企业合同金额")):
        m = re.search(pattern, p.text)
        if m is not None:
            found[key] = c.amount(p, m, 1, f"其他:{key}", what, m.group(2))
            share = re.compile(r"[，,]?占政府采购支出总额的" + N_ + "(%)?").match(p.text, m.end())
            if share is not None and share.group(2):
                total = found.get("采购总额", c.value("其他:采购总额"))
                c.percent(p, share, 1, N.SHARE_DIFFERS, ratio(found[key], total) if total is not None else None,
                          what, part=num(found[key]), base=num(total or 0))
    for category in ("货物", "工程", "服务"):
        m = re.search(category + r"采购授予中小企业合同金额占" + category + "支出金额的" + N_ + "(%)?", p.text)
        if m is None or not m.group(2):
            continue
        part, base = c.value(f"其他:{category}中小企业"), found.get(f"采购{category}", c.value(f"其他:采购{category}"))
        if part is None or base is None:
            c.add(N.FACT_MISSING, p, m.start(1), what=f"{category}采购授予中小企业的占比", text=m.group(1),
                  missing=c.missing("其他:"), actual_value=to_decimal(m.group(1)))
            continue
        c.percent(p, m, 1, N.SHARE_DIFFERS, ratio(part, base) if base else (Decimal(0) if not part else None),
                  f"{category}采购授予中小企业合同金额", part=num(part), base=num(base))


def assets(c, p) -> None:
    for pattern, name, what in ((r"共有车辆" + N_ + "辆", "其他:车辆总数", "车辆总数"),
                                *((re.escape(kind) + N_ + "辆", f"其他:车辆:{kind}", kind) for kind in VEHICLE_KINDS),
                                (r"设备（不含车辆）" + N_ + "台", "其他:大型设备", "单价100万元以上设备")):
        m = re.search(pattern, p.text)
        if m is not None:
            c.count(p, m, 1, name, what)


def performance(c, p) -> None:
    m = re.search(r"涵盖项目" + N_ + r"个[，,]涉及预算资金" + N_ + r"(万?元)[，,]占[^，。]*?的" + N_ + "(%)?", p.text)
    if m is not None:
        c.count(p, m, 1, "其他:自评项目数", "绩效自评项目数")
        c.amount(p, m, 2, "其他:自评资金", "绩效自评涉及预算资金", m.group(3))
        if m.group(5):
            c.count(p, m, 4, "其他:自评覆盖率", "绩效自评资金占项目支出总额的百分比")
    for pattern in (r"自评的" + N_ + "个项目", r"等" + N_ + "个项目的绩效自评表"):
        for counted in re.finditer(pattern, p.text):
            c.count(p, counted, 1, "其他:自评项目数", "绩效自评项目数")
    graded = re.search(N_ + r"个项目自评等级为", p.text)
    if graded is not None:
        in_text(c, p, graded, "其他:自评结果", "自评等级的项目数", "个项目")
    key = re.search(r"等" + N_ + r"个项目开展了重点绩效评价", p.text)
    if key is not None:
        in_text(c, p, key, "其他:重点评价", "重点绩效评价项目数", "个项目")
    key = re.search(r"重点绩效评价[^。]*?涉及预算资金" + N_ + r"万元", p.text)
    if key is not None and m is None:
        in_text(c, p, key, "其他:重点评价", "重点绩效评价涉及的预算资金", "万元")
    for m in re.finditer(r"全年预算数?为" + N_ + r"万元[，,]执行数为" + N_ + r"万元[，,]完成预算的" + N_ + "(%)?", p.text):
        budget, spent = to_decimal(m.group(1)), to_decimal(m.group(2))
        if m.group(4):
            c.percent(p, m, 3, N.COMPLETION_DIFFERS, ratio(spent, budget), "项目", actual_amount=num(spent),
                      budget=num(budget))
    listed = re.search(r"以及[“\"]?(.+?)[”\"]?等(\d+)个项目的绩效自评表", p.text)
    if listed is not None:
        c.project_list = (p, listed.group(1).split("、"))
    header = re.match(r"(\d+)[.．、]?(.+?)项目绩效自评综述", p.text)
    listing = c.project_list
    if header is not None and listing is not None:
        n, name = int(header.group(1)), header.group(2).strip("“”\"")
        names = [x.strip("“”\"") for x in listing[1]]
        if len(names) > 1 and n <= len(names) and names[n - 1] != name:
            c.add(N.PROJECT_NAME_DIFFERS, p, 0, n=n, text=name, first_cell=listing[0].cell, expected_text=names[n - 1])


def in_text(c, p, m, name: str, what: str, unit: str) -> None:
    """A number the clerk's text fact of 其他公开事项 (重点评价, 自评结果) states too: the numbers before
    `unit` in that text must include the one written here (S1:561)."""
    text, stated = m.group(1), to_decimal(m.group(1))
    fact = c.value(name)
    if not fact:
        c.add(N.FACT_MISSING, p, m.start(1), what=what, text=text, missing=f"“其他公开事项”没有填写{name[3:]}",
              actual_value=stated)
        return
    numbers = [to_decimal(x) for x in re.findall(N_ + r"\s*" + unit, str(fact))]
    if numbers and stated not in numbers:
        rule = N.AMOUNT_DIFFERS if unit == "万元" else N.COUNT_DIFFERS
        c.add(rule, p, m.start(1), what=what, text=text, want=num(numbers[0]), source=c.source(name),
              expected_value=numbers[0], actual_value=stated)


# --- wording --------------------------------------------------------------------------------
# XX / ×× / 【…】 left for a figure; not "xx" inside a web address ("/xxgk/")
PLACEHOLDER = re.compile(r"(?<![A-Za-z])[XxＸｘ×]{2,}(?![A-Za-z])|待填写|待补充|【[^】]*】|\[\s*\]")
REPEATABLE = set("、，。；：")
# a share, a 完成率 or a rate whose % sign is missing; not "增长3个百分点", "1.04倍", "占地面积500平方米"
PERCENT_WORDS = re.compile(r"(?:占(?:[^，。；\d]{0,12}的)?|完成[^，。；\d]{0,8}?预算数?的|增长|下降)" + N_
                           + r"(?![\d.,%])(?!\s*(?:个|倍|分|万|元|人|辆|台|批|平方|亩|名|项|家|次))")


def wording(c) -> None:
    entity, other = c.report.entity, "部门" if c.report.entity == "单位" else "单位"
    seen_sections = {p.section for p in c.paras}
    for p in c.paras:
        for m in PLACEHOLDER.finditer(p.text):
            c.add(N.PLACEHOLDER_LEFT, p, m.start(), text=m.group(0))
        for m in re.finditer(r"([\u4e00-\u9fff]{2,4})\1|([的是在和为与及])\2", p.text):
            if not _natural_repeat(m.group(1) or m.group(2)):
                c.add(N.REPEATED_WORD, p, m.start(), text=m.group(0))
        for m in PERCENT_WORDS.finditer(p.text):
            c.add(N.PERCENT_SIGN_MISSING, p, m.start(1), text=m.group(0), actual_value=to_decimal(m.group(1)))
        for m in re.finditer(r"(本|我)" + other + r"(?!所属)|" + other + "决算情况说明", p.text):
            c.add(N.ENTITY_WORDING, p, m.start(), entity=entity, text=m.group(0),
                  expected_text=m.group(0).replace(other, entity))
    first = c.paras[0] if c.paras else None
    if first is None:
        return
    for number, words in SECTIONS:
        if number not in seen_sections:
            c.add(N.SECTION_MISSING, first, 0, section=f"{number}、{words}", sentence="")
    sangong_text = "".join(p.text for p in c.paras if p.section == "九")
    if "九" in seen_sections:
        for needle, detail in ((r"团组\d+个", "因公出国（境）团组数"), (r"累计\d+人次", "因公出国（境）人次"),
                               (r"购置公务用车\d+辆", "购置公务用车的数量"), (r"保有量为?\d+辆", "公务用车保有量"),
                               (r"接待\d+批次", "公务接待批次"), (r"批次、\d+人次", "公务接待人次")):
            if re.search(needle, sangong_text) is None:
                c.add(N.SANGONG_DETAIL_MISSING, first, 0, detail=detail, sentence="")


NATURAL_REPEATS = {"人人", "年年", "天天", "常常", "渐渐", "切切实实", "认认真真"}


def _natural_repeat(word: str) -> bool:
    """"人人", "年年" are words; "的的", "年度年度" are slips."""
    return word * 2 in NATURAL_REPEATS or (len(word) > 1 and len(set(word)) == 1)
