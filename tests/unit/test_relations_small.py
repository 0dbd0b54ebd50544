"""rules.relations on a hand-built relation set: solving, leaves and weights.

The report is the blank standard report with a few figures typed into 公开09
(栏次 2 因公出国, 4 购置费, 5 运行维护费, 6 接待费); the two relations are the
09 identities written out here: 合计(1) = 2 + 3 + 6 and 小计(3) = 4 + 5.
"""
from decimal import Decimal as D

from juesuan.domain.model import Ref, blank_report
from juesuan.rules.relations import Derivation, Relation, Term


def r09(no: int) -> Ref:
    return Ref("公开09", "1", no)


TOTAL = Relation(rule="T1", target=r09(1), terms=(Term(1, r09(2)), Term(1, r09(3)), Term(1, r09(6))),
                 solves=r09(1))
SUBTOTAL = Relation(rule="T2", target=r09(3), terms=(Term(1, r09(4)), Term(1, r09(5))), solves=r09(3))


def values(**typed):
    table = {r09(int(k[1:])): None if v is None else D(v) for k, v in typed.items()}
    return lambda ref: table.get(ref)


def test_solve_for_the_target_adds_the_signed_terms():
    assert SUBTOTAL.solve(values(c4="1.25", c5="2.50")) == D("3.75")
    assert SUBTOTAL.solve(values(c4="1.25")) == D("1.25")             # a blank term counts as 0
    assert SUBTOTAL.solve(values()) is None                            # every input blank: nothing to write
    balance = Relation(rule="T3", target=r09(6), terms=(Term(1, r09(1)), Term(1, r09(2)), Term(-1, r09(3))),
                       solves=r09(6))
    assert balance.solve(values(c1="10", c2="5", c3="12")) == D("3")  # 年初 + 收入 − 支出


def test_solve_for_a_term_balances_the_relation():
    # 62 = 58 + 59 + 60, solved for 60 (年末结转和结余 is the balancing figure)
    year_end = Relation(rule="T4", target=r09(1), terms=(Term(1, r09(2)), Term(1, r09(3)), Term(1, r09(4))),
                        solves=r09(4))
    assert year_end.solve(values(c1="100.00", c2="60.00", c3="15.50")) == D("24.50")
    assert year_end.solve(values(c2="60.00")) == D("-60.00")
    negative = Relation(rule="T5", target=r09(1), terms=(Term(1, r09(2)), Term(-1, r09(3))), solves=r09(3))
    assert negative.solve(values(c1="7", c2="10")) == D("3")           # 1 = 2 − 3  ->  3 = 2 − 1
    assert negative.solve(values()) is None
    assert TOTAL.refs() == (r09(1), r09(2), r09(3), r09(6))


def test_derivation_values_leaves_and_weights():
    report = blank_report()
    cells = report.tables["公开09"].rows[0].cells
    cells[2].value, cells[4].value, cells[5].value, cells[6].value = D("1.00"), D("2.00"), D("3.00"), D("0")
    derivation = Derivation(report, [TOTAL, SUBTOTAL])
    assert derivation.values == {r09(1): D("6.00"), r09(3): D("5.00")}
    # leaves: the non-zero typed figures a computed value rests on (a typed 0 adds no drift)
    assert derivation.leaves(r09(3)) == 2
    assert derivation.leaves(r09(1)) == 3
    assert derivation.leaves(r09(2)) == 1 and derivation.leaves(r09(6)) == 0 and derivation.leaves(r09(7)) == 0
    # weight: rounded figures behind what the workbook holds
    assert derivation.weight(r09(1)) == 0                              # blank
    cells[1].value = D("6.00")                                         # the exact sum: carries its inputs' rounding
    assert derivation.weight(r09(1)) == 3
    cells[1].value = D("6.01")                                         # typed differently: one rounded figure
    assert derivation.weight(r09(1)) == 1
    assert derivation.weight(r09(2)) == 1
    cells[3].value = D("5.00")
    assert derivation.weight(r09(3)) == 2
