"""E22: per-项 financial appropriations across 公开02, 05, 07 and 08 — a relation that reads
figures (公开04's balances), so it is built for each report, never cached by table shape."""
from __future__ import annotations

from ..domain.model import Ref, Report
from .relation_types import Relation, Term


# 公开04 balances of the funds whose per-项 income is not published: 年初 (行次29, 31) and 年末 (行次60 栏次3, 5)
UNPUBLISHED_ITEM_BALANCES = (("29", 1), ("31", 1), ("60", 3), ("60", 5))


def item_appropriations(report: Report) -> list[Relation]:
    """E22: without any 一般公共预算 or 国有资本经营预算 carry-over (公开04 年初 and 年末 blank or 0),
    each 项's financial appropriation is spent where it came in: 公开02 财政拨款收入 (栏次2) =
    公开05 小计 + 公开07 本年收入 + 公开08 小计 of the same 项. It follows from the note's per-fund
    balance (relation 4) taken per 项 (as 公开07 publishes it, relation 7): a balance is never
    negative, so a total of zero is zero in every 项. It holds in every 项 of the three seeds.
    At the 公开05 row (its 小计 is what a typo in 基本/项目支出 changes), else at the 公开02 row."""
    if any(report.value(Ref("公开04", line, col)) not in (None, 0) for line, col in UNPUBLISHED_ITEM_BALANCES):
        return []
    tables = {t: report.tables.get(t) for t in ("公开02", "公开05", "公开07", "公开08")}
    if any(t is None or not t.present for t in tables.values()):
        return []
    # a 项 listed in 公开02 only, or in the spending tables only, is a wrong or missing code that
    # other findings (E04, E05, E14, the totals) name: comparing it with nothing would only echo them
    out = []
    for row in tables["公开02"].code_rows():
        code = row.code
        if len(code) != 7:
            continue
        others = [(Ref(t, code, no), name) for t, no, name in (("公开07", 2, "本年收入"), ("公开08", 1, "小计"))
                  if tables[t].row(code) is not None]
        income = Ref("公开02", code, 2)
        if tables["公开05"].row(code) is not None:
            terms = [Term(1, income)] + [Term(-1, ref) for ref, _ in others]
            expr = "公开02 财政拨款收入" + "".join(f" − {ref.table} {name}" for ref, name in others)
            out.append(Relation("E22", Ref("公开05", code, 1), tuple(terms), "=", None, expr))
        elif others:
            expr = " + ".join(f"{ref.table} {name}" for ref, name in others)
            out.append(Relation("E22", income, tuple(Term(1, ref) for ref, _ in others), "=", None, expr))
    return out
