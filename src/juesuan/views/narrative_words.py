"""How the 情况说明 words things (narrative.md §2), as pure functions; the figures' arithmetic is
rules/narrative_numbers, shared with the checker."""
from __future__ import annotations

from ..rules.narrative_numbers import CENT, HUNDRED, change, compare, num, pct, ratio, shares  # noqa: F401  (re-exported)


def sentence(text: str | None) -> str | None:
    """A clerk's text as a sentence of its own: ends with 。 (or another full stop it has)."""
    if not text:
        return None
    text = text.strip()
    return text if text.endswith(("。", "！", "；", ".")) else text + "。"


def clause(text: str | None) -> str | None:
    """A clerk's text as the end of our sentence: without its own full stop."""
    if not text:
        return None
    return text.strip().rstrip("。.；;")


def class_label(name: str) -> str:
    """一般公共服务支出 -> 一般公共服务（类）支出 (S0:453)."""
    return f"{name.removesuffix('支出')}（类）支出"
