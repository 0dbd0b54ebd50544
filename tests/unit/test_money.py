"""domain.money: parsing what clerks type, formatting for messages, rounding to 万元."""
import datetime
from decimal import Decimal as D

import pytest

from juesuan.domain.money import (
    AmountError,
    decimals,
    fmt,
    parse_amount,
    plain,
    round_cents,
    yuan_to_wanyuan,
)


@pytest.mark.parametrize("raw, expected", [
    (None, None),
    ("", None), ("-", None), ("—", None), ("－", None), ("--", None), ("——", None), ("/", None),
    ("  ", None), ("\u3000", None),
    (0, D("0")), (12, D("12")), (-3, D("-3")),
    (1.1, D("1.1")), (0.1 + 0.2, D("0.30000000000000004")), (1225.21, D("1225.21")),
    (D("7.50"), D("7.50")),
    ("12", D("12")), ("+12", D("12")), ("-12.5", D("-12.5")), ("0.00", D("0.00")),
    ("1,225.21", D("1225.21")), ("1,234,567", D("1234567")),
    (" 1 225.21 ", D("1225.21")),                      # spaces inside, as PDF conversion leaves them
    ("1\u00a0000", D("1000")),                         # no-break space
    ("１２３．４５", D("123.45")), ("－１，０００", D("-1000")),   # full-width digits and signs
    ("(1,234.00)", D("-1234.00")),                     # accounting-style negative
])
def test_parse_amount_accepts(raw, expected):
    got = parse_amount(raw)
    assert got == expected and (got is None) == (expected is None)
    if expected is not None:
        assert str(got) == str(expected)                 # exact: the digits typed, no float on the way


@pytest.mark.parametrize("raw, message", [
    (True, "逻辑值 True 不是金额"),
    (float("nan"), "不是有效数字"),
    (float("inf"), "不是有效数字"),
    (D("NaN"), "不是有效数字"),
    ("abc", "“abc”不是金额"),
    ("12,34", "“12,34”不是金额"),                        # thousands groups of three only
    ("1.2.3", "“1.2.3”不是金额"),
    ("٣", "“٣”不是金额"),                                # Arabic-Indic digit: \d would take it
    ("３٣", "“３٣”不是金额"),
    ("(-5)", "“(-5)”不是金额（括号表示负数，括号内不能再带正负号）"),
    ("#DIV/0!", "单元格显示错误值 #DIV/0!，不是金额"),
    ("#REF!", "单元格显示错误值 #REF!，不是金额"),
    (datetime.date(2024, 1, 2), "日期或时间“2024-01-02”不是金额（单元格可能被设成了日期格式，请改为数值格式后重新填写）"),
    ([1], "“[1]”（list）不是金额"),
    ("x" * 40, "“" + "x" * 30 + "…”不是金额"),            # long text is shortened
])
def test_parse_amount_refuses_with_a_chinese_message(raw, message):
    with pytest.raises(AmountError) as caught:
        parse_amount(raw)
    assert str(caught.value) == message


@pytest.mark.parametrize("value, text", [
    (None, "空"), (D("0"), "0.00"), (D("1234.5"), "1,234.50"), (D("-1234.5"), "-1,234.50"),
    (D("1.005"), "1.005"), (D("1234567.891"), "1,234,567.891"), (D("1E+3"), "1,000.00"), (D("0.1"), "0.10"),
])
def test_fmt(value, text):
    assert fmt(value) == text


@pytest.mark.parametrize("value, text", [
    (None, None), (D("0"), "0.00"), (D("1234.5"), "1234.50"), (D("-0.5"), "-0.50"), (D("1.005"), "1.005"),
    (D("1E+3"), "1000.00"),
])
def test_plain(value, text):
    assert plain(value) == text


@pytest.mark.parametrize("value, cents", [
    ("1.005", "1.01"), ("-1.005", "-1.01"), ("2.675", "2.68"), ("2.674", "2.67"), ("3", "3.00"), ("0.004", "0.00"),
])
def test_round_cents_is_half_up(value, cents):
    got = round_cents(D(value))
    assert got == D(cents) and str(got) == cents


# 元 -> 万元, half-up (half-even would print 50 元 as 0.00 and 12250 元 as 1.22)
@pytest.mark.parametrize("yuan, wan", [
    ("37600", "3.76"), ("50", "0.01"), ("49", "0.00"), ("12345", "1.23"), ("12350", "1.24"),
    ("-12350", "-1.24"), ("0", "0.00"), ("12250", "1.23"), ("1192500", "119.25"), ("-50", "-0.01"),
])
def test_yuan_to_wanyuan_rounds_half_up(yuan, wan):
    got = yuan_to_wanyuan(D(yuan))
    assert got == D(wan) and str(got) == wan


@pytest.mark.parametrize("value, places", [
    ("1.50", 1), ("1.005", 3), ("100", 0), ("1E+2", 0), ("0.10", 1), ("-2.25", 2), ("0", 0),
])
def test_decimals_counts_significant_places(value, places):
    assert decimals(D(value)) == places
