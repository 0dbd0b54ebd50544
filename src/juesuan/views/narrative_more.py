"""Sections 七 to 十三 of the drafted 情况说明 (see narrative.py)."""
from __future__ import annotations

from decimal import Decimal

from ..domain.model import Ref
from ..domain.schema import VEHICLE_KINDS
from .narrative_doc import NOTE, placeholder
from .narrative_words import clause, num, pct, ratio


def later_sections(ctx) -> None:
    for section in (fund_budget, state_capital, sangong, agency_running_cost, purchase, assets, performance):
        section(ctx)


def _table_sum(ctx, table_id: str) -> dict[int, Decimal]:
    table = ctx.report.tables.get(table_id)
    row = table.row("合计") if table is not None and table.present else None
    return {no: ctx.report.value(Ref(table_id, "合计", no)) or Decimal(0) for no in (row.cells if row else ())}


def fund_budget(ctx) -> None:
    w = ctx.writer
    w.heading("七、政府性基金预算财政拨款收入支出决算情况说明")
    total = _table_sum(ctx, "公开07")
    if not any(total.values()):
        w.add(f"本{ctx.entity}没有政府性基金财政拨款收支。")
        return
    # no seed shows the wording of a nonempty 公开07 (narrative.md §1 七): the figures, and the clerk words it
    w.add(f"{ctx.y}年度政府性基金预算财政拨款本年收入{num(total.get(2, 0))}万元，本年支出{num(total.get(3, 0))}万元。",
          placeholder("政府性基金预算财政拨款收支的具体情况和增减原因"))


def state_capital(ctx) -> None:
    w = ctx.writer
    w.heading("八、国有资本经营预算财政拨款支出决算情况说明")
    total = _table_sum(ctx, "公开08")
    if not total.get(1):
        w.add(f"本{ctx.entity}没有国有资本经营预算财政拨款支出。")
        return
    w.add(f"{ctx.y}年度国有资本经营预算财政拨款支出{num(total[1])}万元。",
          placeholder("国有资本经营预算财政拨款支出的具体情况和增减原因"))


def _against_plan(ctx, budget: Decimal, spent: Decimal) -> list:
    """三公 against its own year's budget (never last year's): 基本持平 / 全年无预算 (S0:501, 505)."""
    if not budget:
        return [f"与{ctx.y}年预算基本持平，全年无预算。"] if not spent else \
               ["全年无预算。决算数大于预算数的主要原因是", placeholder("主要原因"), "。"]
    done = f"完成全年预算的{pct(ratio(spent, budget))}。"
    if spent == budget:
        return [f"与{ctx.y}年预算基本持平，{done}"]
    word = "大于" if spent > budget else "小于"
    return [done, f"决算数{word}预算数的主要原因是", placeholder("主要原因"), "。"]


def _count(ctx, key: str, what: str):
    value = ctx.value(f"其他:{key}")
    if value is None:
        ctx.writer.missing("其他公开事项")
        return placeholder(what)
    return num(value)


def sangong(ctx) -> None:
    w = ctx.writer
    plan = {item: ctx.value(f"三公预算:{item}") or Decimal(0) for item in
            ("合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务接待费")}
    spent = {item: ctx.value(f"三公决算:{item}") or Decimal(0) for item in
             ("合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费", "公务接待费")}
    w.heading("九、财政拨款“三公”经费支出决算情况说明")
    w.subheading("（一）“三公”经费支出决算总体情况说明")
    w.add(f"{ctx.y}年度财政拨款“三公”经费支出全年预算为{num(plan['合计'])}万元，支出决算为{num(spent['合计'])}万元，",
          *_against_plan(ctx, plan["合计"], spent["合计"]))
    w.subheading("（二）“三公”经费支出决算具体情况")
    item = "因公出国（境）费"
    content = clause(ctx.value("其他:出国开支内容"))
    w.add(f"1、{item}全年预算为{num(plan[item])}万元，支出决算为{num(spent[item])}万元，",
          *_against_plan(ctx, plan[item], spent[item]), "全年支出涉及因公出国（境）团组",
          _count(ctx, "出国团组数", "团组数"), "个，累计", _count(ctx, "出国人次", "人次"), "人次。",
          f"开支内容包括：{content}。" if content else "")
    item = "公务用车购置及运行维护费"
    w.add(f"2、{item}全年预算为{num(plan[item])}万元，支出决算为{num(spent[item])}万元，",
          *_against_plan(ctx, plan[item], spent[item]), "其中：")
    who = ctx.unit_name + ("等单位" if ctx.entity == "部门" else "")
    w.add(f"公务用车购置费支出{num(spent['公务用车购置费'])}万元，{ctx.y}年{who}使用财政拨款购置公务用车",
          _count(ctx, "购置车辆数", "购置车辆数"), "辆。")
    running = spent["公务用车运行维护费"]
    w.add(f"公务用车运行维护费{num(running)}万元，",
          "主要是按规定保留的公务用车的日常维护、维修、燃油费等支出。" if running else "",
          f"截至{ctx.y}年12月31日，{who}财政拨款开支运行维护费的公务用车保有量为",
          _count(ctx, "公务用车保有量", "保有量"), "辆。")
    item = "公务接待费"
    w.add(f"3、{item}全年预算为{num(plan[item])}万元，支出决算为{num(spent[item])}万元，",
          *_against_plan(ctx, plan[item], spent[item]), "其中：")
    home = ctx.value("其他:国内接待费")
    purpose = clause(ctx.value("其他:国内接待内容"))
    w.add("国内接待费", num(home) if home is not None else placeholder("国内接待费"), "万元，",
          f"主要用于{purpose}，" if purpose else "", "共计接待", _count(ctx, "国内接待批次", "批次"), "批次、",
          _count(ctx, "国内接待人次", "人次"), "人次（含外事接待", _count(ctx, "外事接待批次", "外事批次"), "批次、",
          _count(ctx, "外事接待人次", "外事人次"), "人次）；")
    abroad = ctx.value("其他:国外接待费")
    w.add("国（境）外接待费", num(abroad) if abroad is not None else placeholder("国（境）外接待费"), "万元，共计接待",
          _count(ctx, "国外接待批次", "批次"), "批次、", _count(ctx, "国外接待人次", "人次"), "人次。")


def agency_running_cost(ctx) -> None:
    w = ctx.writer
    w.heading("十、机关运行经费支出说明")
    amount, budget = ctx.value("其他:机关运行经费"), ctx.value("其他:机关运行经费年初预算")
    if amount is None:
        ctx.writer.missing("其他公开事项")
        w.add(placeholder("机关运行经费支出情况（“其他公开事项”表）"))
        return
    if not amount:
        w.add(f"本{ctx.entity}无财政拨款安排的机关运行经费支出。")
        return
    parts = [f"{ctx.y}年度机关运行经费支出{num(amount)}万元"]
    if budget is None:
        parts += ["，", placeholder("与年初预算的比较"), "。"]
    elif amount == budget:
        parts.append("，与年初预算数持平。")
    else:
        up = amount > budget
        rate = ratio(abs(amount - budget), budget)
        parts.append(f"，比年初预算数{'增加' if up else '减少'}{num(abs(amount - budget))}万元"
                     + (f"，{'增长' if up else '下降'}{pct(rate)}" if rate is not None else "") + "，主要原因是")
        parts += [clause(ctx.reason("其他:机关运行经费")) or placeholder("主要原因"), "。"]
    w.add(*parts)


def purchase(ctx) -> None:
    w = ctx.writer
    w.heading("十一、政府采购支出说明")
    v = {k: ctx.value(f"其他:{k}") for k in ("采购总额", "采购货物", "采购工程", "采购服务", "中小企业", "小微企业",
                                             "货物中小企业", "工程中小企业", "服务中小企业")}
    if v["采购总额"] is None:
        ctx.writer.missing("其他公开事项")
        w.add(placeholder("政府采购支出情况（“其他公开事项”表）"))
        return
    z = {k: (x if x is not None else Decimal(0)) for k, x in v.items()}
    total = z["采购总额"]
    text = (f"{ctx.y}年度政府采购支出总额{num(total)}万元，其中：政府采购货物支出{num(z['采购货物'])}万元、"
            f"政府采购工程支出{num(z['采购工程'])}万元、政府采购服务支出{num(z['采购服务'])}万元。")
    sme, small = ratio(z["中小企业"], total), ratio(z["小微企业"], total)
    text += f"授予中小企业合同金额{num(z['中小企业'])}万元" + (f"，占政府采购支出总额的{pct(sme)}" if sme is not None else "")
    text += f"，其中：授予小微企业合同金额{num(z['小微企业'])}万元" + \
            (f"，占政府采购支出总额的{pct(small)}" if small is not None else "") + "。"
    shares = []
    for category in ("货物", "工程", "服务"):
        share = ratio(z[f"{category}中小企业"], z[f"采购{category}"])
        if share is not None:          # no share of a category with nothing bought
            shares.append(f"{category}采购授予中小企业合同金额占{category}支出金额的{pct(share)}")
    w.add(text + ("，".join(shares) + "。" if shares else ""))


def assets(ctx) -> None:
    w = ctx.writer
    w.heading("十二、国有资产占用情况说明")
    kinds = "、".join(f"{'符合规定' if i == 0 else ''}{kind}{num(ctx.value(f'其他:车辆:{kind}') or 0)}辆"
                      for i, kind in enumerate(VEHICLE_KINDS))
    purpose = clause(ctx.value("其他:其他用车用途"))
    w.add(f"截至{ctx.y}年12月31日，本{ctx.entity}共有车辆", _count(ctx, "车辆总数", "车辆总数"), f"辆，其中，{kinds}",
          f"，其他用车主要是用于{purpose}" if purpose else "", "；单价100万元（含）以上设备（不含车辆）",
          _count(ctx, "大型设备", "设备台套数"), "台（套）。")
    w.add("*以上情况说明部分因金额单位转换，可能与决算表金额存在尾数误差。", style=NOTE)


def performance(ctx) -> None:
    w = ctx.writer
    w.heading("十三、预算绩效情况说明")
    coverage = ctx.value("其他:自评覆盖率")
    funds = ctx.value("其他:自评资金")
    who = "我单位" if ctx.entity == "单位" else ctx.unit_name        # a 部门 names itself (S2:578)
    w.add(f"（一）预算绩效管理工作开展情况。根据预算绩效管理要求，{who}组织对{ctx.y}年度预算项目全面开展绩效自评，"
          "涵盖项目", _count(ctx, "自评项目数", "项目数"), "个，涉及预算资金",
          num(funds) if funds is not None else placeholder("涉及预算资金"), f"万元，占{ctx.entity}预算项目支出总额的",
          pct(coverage) if coverage is not None else placeholder("百分比"), "。")
    key = ctx.value("其他:重点评价")
    w.add(key if key else f"本{ctx.entity}无重点绩效评价项目。")
    result = ctx.value("其他:自评结果")
    w.add(f"（二）预算项目绩效自评结果。{ctx.unit_name}{ctx.y}年度预算绩效自评的",
          _count(ctx, "自评项目数", "项目数"), "个项目中，", result or placeholder("自评结果"))
