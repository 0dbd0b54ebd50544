"""How the 情况说明 prints and computes its figures (narrative.md §2), as pure functions: the one
arithmetic of the drafter (views/narrative*.py, through views/narrative_words) and of the checker
(rules/narrative_check*.py), so the two agree on every figure by construction."""
from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def num(value: Decimal | int) -> str:
    """A 万元 figure as the text prints it: two decimals with trailing zeros dropped, thousands
    separated: 140.40 -> "140.4", 190.00 -> "190", 4739.00 -> "4,739", 0 -> "0"."""
    if isinstance(value, int):
        return f"{value:,}"
    text = f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pct(value: Decimal) -> str:
    return num(value) + "%"


def ratio(part: Decimal, base: Decimal) -> Decimal | None:
    """part ÷ base × 100, half-up to two decimals; None on a zero base (no percentage is stated)."""
    if not base:
        return None
    return (Decimal(part) * HUNDRED / Decimal(base)).quantize(CENT, rounding=ROUND_HALF_UP)


def shares(parts: list[Decimal], base: Decimal) -> list[Decimal] | None:
    """Each part's share of `base` in percent to two decimals, by largest remainder: when the
    parts make up the base the shares add up to exactly 100.00. None on a zero base."""
    if not base:
        return None
    exact = [Decimal(p) * 10000 / Decimal(base) for p in parts]       # in hundredths of a percent
    floors = [e.to_integral_value(rounding=ROUND_FLOOR) for e in exact]
    target = sum(exact, Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    order = sorted(range(len(parts)), key=lambda i: (floors[i] - exact[i], i))   # largest remainder first
    for i in order[: max(0, int(target - sum(floors, Decimal(0))))]:
        floors[i] += 1
    return [f / 100 for f in floors]


def change(this: Decimal, last: Decimal) -> tuple[str, str, Decimal, Decimal | None]:
    """(增加|减少, 增长|下降, |Δ|, p or None on a zero base) of this year against last."""
    delta = Decimal(this) - Decimal(last)
    up = delta >= 0
    return ("增加" if up else "减少", "增长" if up else "下降", abs(delta), ratio(abs(delta), last))


def compare(actual: Decimal, budget: Decimal) -> str:
    """大于 / 小于 / 基本持平 by exact comparison (narrative.md §2.4)."""
    return "大于" if actual > budget else "小于" if actual < budget else "基本持平"
