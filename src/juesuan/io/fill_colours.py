"""Registry fill text (openpyxl's XML of a fill, see review_xlsx) and plain '#RRGGBB' colours.

The live adapters (xlwings, the WPS add-in through the service) set and read plain RGB
fills only; these two functions translate between what they see and what the file writer
remembers in 审核结果, so either tool restores the other's marks.
"""
from __future__ import annotations

import re

from openpyxl.styles import GradientFill, PatternFill
from openpyxl.styles.colors import COLOR_INDEX

from .review_xlsx import fill_to_text, text_to_fill


def fill_hex(original: str) -> str | None:
    """The colour a registry entry restores, as '#RRGGBB'; None for no fill.

    Theme colours and gradients come back as their RGB where the file says it, else as no fill.
    """
    fill = text_to_fill(original)
    if isinstance(fill, GradientFill):
        color = fill.stop[0].color if fill.stop else None
    elif getattr(fill, "fill_type", None) is None:
        color = None
    else:
        color = fill.fgColor
    if color is None:
        return None
    if color.type == "rgb" and isinstance(color.rgb, str) and re.fullmatch(r"[0-9A-Fa-f]{6,8}", color.rgb):
        return "#" + color.rgb[-6:].upper()
    if color.type == "indexed" and isinstance(color.indexed, int) and color.indexed < len(COLOR_INDEX):
        return "#" + COLOR_INDEX[color.indexed][-6:]
    return None


def fill_text(rgb: str | None) -> str:
    """Registry text for a fill read from a live book ('#RRGGBB' or None), as the file writer spells it."""
    if rgb is None:
        return ""
    return fill_to_text(PatternFill("solid", fgColor="00" + rgb.lstrip("#").upper()))
