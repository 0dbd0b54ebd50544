"""rules.audit: the rounding envelope (尾差) — 0.005 万元 per rounded figure, nothing in 元."""
from decimal import Decimal as D

from juesuan.domain.model import Ref, blank_report
from juesuan.rules.audit import envelope, rounding_limit
from juesuan.rules.relations import Derivation, Relation, Term


def r09(no: int) -> Ref:
    return Ref("公开09", "1", no)


SUBTOTAL = Relation(rule="T2", target=r09(3), terms=(Term(1, r09(4)), Term(1, r09(5))), solves=r09(3))
TOTAL = Relation(rule="T1", target=r09(1), terms=(Term(1, r09(2)), Term(1, r09(3)), Term(1, r09(6))), solves=r09(1))


def test_rounding_limit_per_unit():
    report = blank_report()                       # no unit given: treated as 万元
    assert rounding_limit(report, 0) == D("0")
    assert rounding_limit(report, 1) == D("0.005")
    assert rounding_limit(report, 3) == D("0.015")
    assert rounding_limit(report, 27) == D("0.135")
    report.info["amount_unit"].value = "元"
    assert rounding_limit(report, 27) == D("0")   # in 元 the arithmetic is exact


def test_envelope_counts_the_figures_present():
    report = blank_report()
    cells = report.tables["公开09"].rows[0].cells
    cells[3].value, cells[4].value = D("3.01"), D("1.00")         # 小计 and one addend typed, one blank
    assert envelope(report, SUBTOTAL) == D("0.010")
    cells[5].value = D("2.00")
    assert envelope(report, SUBTOTAL) == D("0.015")


def test_envelope_with_a_derivation_weighs_exact_sums_by_their_inputs():
    """A total that is the exact sum of n rounded figures carries n × 0.005, not 0.005."""
    report = blank_report()
    cells = report.tables["公开09"].rows[0].cells
    cells[2].value, cells[4].value, cells[5].value, cells[6].value = D("1.00"), D("2.00"), D("3.00"), D("4.00")
    cells[3].value = D("5.00")                    # 小计 is the exact sum of 4 and 5: weight 2
    cells[1].value = D("10.01")                   # 合计 typed, 0.01 off the exact 10.00: weight 1
    derivation = Derivation(report, [TOTAL, SUBTOTAL])
    # 合计 (1) + 因公出国 (1) + 小计 (2) + 接待费 (1) = 5 figures
    assert envelope(report, TOTAL, derivation) == D("0.025")
    assert envelope(report, TOTAL) == D("0.020")  # without a derivation: 4 figures present
    report.info["amount_unit"].value = "元"
    assert envelope(report, TOTAL, derivation) == D("0")
