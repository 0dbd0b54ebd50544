"""Printing and wording rules of the 情况说明 (narrative.md §2), on the seeds' own figures."""
from decimal import Decimal as D

from juesuan.views.narrative_words import change, class_label, compare, num, pct, ratio, shares


def test_numbers_print_as_the_seeds_print_them():
    # §2.7: "140.4" (S0:412), "190" (S0:465), "4,739" (S2:488), "1,305.9" (S2:456), "0"
    assert [num(D("140.40")), num(D("190.00")), num(D("4739.00")), num(D("1305.90")), num(D("0.00")), num(3)] == \
           ["140.4", "190", "4,739", "1,305.9", "0", "3"]
    assert pct(D("28.40")) == "28.4%" and pct(D("100.00")) == "100%"


def test_shares_add_up_to_100_by_largest_remainder():
    # S0:455 93.46 + 3.34 + 1.13 + 2.07; S2:419 99.97 + 0.03 over the stated total 5,066.83
    assert shares([D("467.38"), D("16.71"), D("5.65"), D("10.33")], D("500.07")) == \
           [D("93.46"), D("3.34"), D("1.13"), D("2.07")]
    assert shares([D("5065.48"), D("1.36")], D("5066.83")) == [D("99.97"), D("0.03")]
    # S1:476 over 1,225.21: 78.6371, 10.0105, 5.1159, 6.2365; floors 99.98, the two largest remainders
    # (.71 and .65) get the last hundredths: 78.64, 10.01, 5.11, 6.24 = 100.00
    assert shares([D("963.47"), D("122.65"), D("62.68"), D("76.41")], D("1225.21")) == \
           [D("78.64"), D("10.01"), D("5.11"), D("6.24")]
    assert shares([D("1")], D("0")) is None


def test_changes_and_comparisons():
    # S0:379 500.07 against 403.22: 增加 96.85, 增长 24.02%; S0:420 140.4 against 143.11: 减少 2.71, 下降 1.89%
    assert change(D("500.07"), D("403.22")) == ("增加", "增长", D("96.85"), D("24.02"))
    assert change(D("140.40"), D("143.11")) == ("减少", "下降", D("2.71"), D("1.89"))
    assert change(D("1.36"), D("0")) == ("增加", "增长", D("1.36"), None)        # S2:437: no percentage
    assert ratio(D("500.07"), D("386.03")) == D("129.54")                           # S0:461
    assert [compare(D("759.8"), D("757.1")), compare(D("62.68"), D("63.11")), compare(D("60"), D("60"))] == \
           ["大于", "小于", "基本持平"]
    assert class_label("一般公共服务支出") == "一般公共服务（类）支出"
