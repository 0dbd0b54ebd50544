"""Exact money: parsing clerk input into Decimal, formatting for Chinese messages.

Amounts never pass through float. A float that openpyxl hands us (Excel stores
numbers as IEEE doubles) is converted through its shortest repr, which is what
the clerk typed for any amount with at most 15 significant digits.
"""
from __future__ import annotations

import datetime
import math
import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")

# Strings a clerk (or a published document) uses for "no amount".
BLANK_MARKERS = {"", "-", "—", "－", "--", "——", "/"}

# Excel keeps 15 significant digits: an amount with more integer digits than that is no
# figure a clerk typed, and past 28 digits Decimal's context cannot even round it to cents.
MAX_INTEGER_DIGITS = 15

# U+2212 (the typographic minus sign that Word and PDF conversion put in) is taken as a minus:
# no reading of "−5" other than -5 exists, and refusing it would only make the clerk retype.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋\u2212", "0123456789.,-+-")
_NUMBER = re.compile(r"^[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$")   # ASCII digits only: \d takes ٣ and ३
_SPACES = re.compile(r"[\s\u00a0\u3000]+")
# A space between digits is read as a thousands separator ("1 225.21", as PDF conversion
# leaves it) and then must group by three like a comma; "10 7.71" or "12 34" is refused.
_SPACE_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[\s\u00a0\u3000]+(?=[0-9])")


class AmountError(ValueError):
    """A cell value that is not an amount; the message is Chinese and clerk-facing."""


def parse_amount(raw: object) -> Decimal | None:
    """Turn a raw cell value into a Decimal, None for blank; raise AmountError otherwise."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise AmountError(f"逻辑值 {raw} 不是金额")
    if isinstance(raw, int):
        return _within_precision(Decimal(raw))
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            raise AmountError("不是有效数字")
        return _within_precision(Decimal(repr(raw)))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise AmountError("不是有效数字")
        return _within_precision(raw)
    if isinstance(raw, str):
        text = raw.translate(_FULLWIDTH).strip()
        spaced = _SPACE_BETWEEN_DIGITS.search(text) is not None
        text = _SPACES.sub("", _SPACE_BETWEEN_DIGITS.sub(",", text))
        if text in BLANK_MARKERS:
            return None
        negative = False
        if text.startswith("(") and text.endswith(")"):
            # accounting style negative: (1,234.00)
            negative, text = True, text[1:-1]
            if text[:1] in ("+", "-"):
                raise AmountError(f"“{_shorten(raw)}”不是金额（括号表示负数，括号内不能再带正负号）")
        if text.startswith("#"):
            raise AmountError(f"单元格显示错误值 {raw.strip()}，不是金额")
        if not _NUMBER.match(text):
            if spaced:
                raise AmountError(f"“{_shorten(raw)}”数字中间有空格，无法确定是哪个数（请删除空格后重新填写）")
            raise AmountError(f"“{_shorten(raw)}”不是金额")
        value = _within_precision(Decimal(text.replace(",", "")))
        return -value if negative else value
    if isinstance(raw, (datetime.date, datetime.time, datetime.timedelta)):
        raise AmountError(f"日期或时间“{_shorten(str(raw))}”不是金额（单元格可能被设成了日期格式，请改为数值格式后重新填写）")
    raise AmountError(f"“{_shorten(str(raw))}”（{type(raw).__name__}）不是金额")


def _within_precision(value: Decimal) -> Decimal:
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        raise AmountError(f"金额过大（整数部分超过 {MAX_INTEGER_DIGITS} 位，Excel 无法准确保存）")
    return value


def _shorten(text: str, limit: int = 30) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[:limit] + "…"


def fmt(value: Decimal | None) -> str:
    """1234.5 -> '1,234.50'; None -> '空'. Used in clerk-facing messages."""
    if value is None:
        return "空"
    exponent = value.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{value:,.{places}f}"


def fmt_signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + fmt(value)


def plain(value: Decimal | None) -> str | None:
    """Machine form for JSON: '1234.50', None stays None."""
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{value:.{places}f}"


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def yuan_to_wanyuan(value: Decimal) -> Decimal:
    return round_cents(value / Decimal(10000))


def decimals(value: Decimal) -> int:
    """Number of significant decimal places: 1.50 -> 1, 1.005 -> 3."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0

