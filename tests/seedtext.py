"""Minimal reader for the seed documents (PDF converted to text, tables tab-separated).

Used by tests/test_seed_transcription.py to check the curated JSON in samples/data/
against the published text independently of the engine in src/juesuan/.
Only what the three seeds need; not a general parser.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# Amounts in the seeds always carry exactly two decimals, possibly thousands separators.
# 行次/栏次 numbers are plain integers and never match.
AMOUNT_CELL = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}")
AMOUNT_IN_TEXT = re.compile(r"(?<![\d.,])-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}(?![\d])")
FUNCTION_CODE = re.compile(r"\d{3}|\d{5}|\d{7}")
ECONOMIC_CODE = re.compile(r"3\d{2}|3\d{4}")

TITLES = {
    1: "收入支出决算总表",
    2: "收入决算表",
    3: "支出决算表",
    4: "财政拨款收入支出决算总表",
    5: "一般公共预算财政拨款支出决算表",
    6: "一般公共预算财政拨款基本支出决算明细表",
    7: "政府性基金预算财政拨款收入支出决算表",
    8: "国有资本经营预算财政拨款支出决算表",
    9: "财政拨款“三公”经费支出决算表",
}


def seeds_dir() -> Path | None:
    """The shared seeds folder: $JUESUAN_SEEDS, else shared/seeds beside the repo."""
    candidates = []
    if os.environ.get("JUESUAN_SEEDS"):
        candidates.append(Path(os.environ["JUESUAN_SEEDS"]))
    candidates += [REPO_ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds")]
    for c in candidates:
        if c.is_dir():
            return c
    return None


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def strip_markup(s: str) -> str:
    """Drop HTML tags (<b>) and markdown emphasis/heading marks left by the conversion."""
    s = re.sub(r"<[^>]+>", "", s)
    return s.replace("*", "").lstrip("#")


def squeeze(s: str) -> str:
    """Markup and all whitespace removed (for comparing labels such as '合 计')."""
    return re.sub(r"\s", "", strip_markup(s))


def cells(line: str) -> list[str]:
    return [strip_markup(c).strip() for c in line.split("\t")]


def is_amount(cell: str) -> bool:
    return AMOUNT_CELL.fullmatch(cell.strip()) is not None


def amount(cell: str) -> str | None:
    """A cell as the JSON stores it: None when blank, else the figure without separators."""
    c = cell.strip()
    if c == "":
        return None
    if not is_amount(c):
        raise ValueError(f"not an amount: {cell!r}")
    return c.replace(",", "")


def figures(line: str) -> list[str]:
    """The amounts of one table line, in order, without thousands separators."""
    return [c.replace(",", "") for c in cells(line) if is_amount(c)]


def _marker_index(lines: list[str], nn: int) -> int:
    pat = re.compile(rf"公开\s*0?{nn}\s*表")
    for i, ln in enumerate(lines):
        if pat.search(ln):
            return i
    raise LookupError(f"公开{nn:02d}表 not found")


def _title_index(lines: list[str], nn: int) -> int:
    """Index of the title line of table nn: searched backwards from its 公开NN表 marker."""
    m = _marker_index(lines, nn)
    floor = _marker_index(lines, nn - 1) if nn > 1 else 0
    for i in range(m, floor, -1):
        if squeeze(lines[i]) == TITLES[nn]:
            return i
    raise LookupError(f"title of 公开{nn:02d}表 not found above its marker")


def section(lines: list[str], nn: int) -> list[str]:
    """The lines of table nn: from its title to the next table's title (or the next 第X部分)."""
    start = _title_index(lines, nn)
    if nn < 9:
        end = _title_index(lines, nn + 1)
    else:
        end = len(lines)
        for i in range(_marker_index(lines, nn) + 1, len(lines)):
            if re.match(r"第[一二三四五六七八九十]+部分", squeeze(lines[i])):
                end = i
                break
    return lines[start:end]


def table_lines(sec: list[str]) -> list[str]:
    """Only the tab-separated lines of a section (prose notes have no tab)."""
    return [ln for ln in sec if "\t" in ln]


def section_figures(sec: list[str]) -> list[str]:
    """All amount cells of a section, in reading order."""
    out: list[str] = []
    for ln in table_lines(sec):
        out += figures(ln)
    return out


def section_figures_by_regex(sec: list[str]) -> list[str]:
    """All two-decimal numbers anywhere in the section text (cross-check of section_figures)."""
    return [m.replace(",", "") for m in AMOUNT_IN_TEXT.findall("\n".join(sec))]


def is_colnum_line(c: list[str]) -> bool:
    return any(squeeze(x) == "栏次" for x in c)


def total_row_line(sec: list[str]) -> str:
    """The 合计 row of a code table: the first table line after the first 栏次 line."""
    seen = False
    for ln in table_lines(sec):
        c = cells(ln)
        if is_colnum_line(c):
            seen = True
            continue
        if seen:
            return ln
    raise LookupError("no row after the 栏次 line")


def code_lines(sec: list[str]) -> list[tuple[str, str]]:
    """(code, line) of every line whose first cell is a 3/5/7-digit function code."""
    out = []
    for ln in table_lines(sec):
        c = cells(ln)
        if FUNCTION_CODE.fullmatch(c[0]):
            out.append((c[0], ln))
    return out


def economic_values(line: str) -> list[tuple[str, str, str | None]]:
    """(code, name, value) for each economic code printed on a 公开06 line.

    The value is the first non-blank cell after the code and its name, before the
    next code on the line; blank if there is none. This tolerates shifted cells
    (seed 001 prints its 399 rows one cell to the left).
    """
    c = cells(line)
    out = []
    i = 0
    while i < len(c):
        if ECONOMIC_CODE.fullmatch(c[i]) and i + 1 < len(c):
            code, name, value = c[i], c[i + 1], None
            k = i + 2
            while k < len(c) and not ECONOMIC_CODE.fullmatch(c[k]):
                if c[k] != "":
                    value = amount(c[k])
                    break
                k += 1
            out.append((code, name, value))
            i += 2
        else:
            i += 1
    return out
