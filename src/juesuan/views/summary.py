"""The batch summary as data: the status of each checked workbook, and the two sheets a
reviewer works from ("汇总": one row per file; "全部问题": every finding with its file).

An *outcome* is what batch gives for one file: the `check --format json` object, or
``{"file", "error"}`` for a workbook that could not be used. io/summary_xlsx.py renders
the sheets; nothing here touches a file.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable

from ..rules.findings import ERROR, INFO, SEVERITY_LABELS, WARNING
from .styles import SEVERITY_FILLS

STATUS_PASS, STATUS_ERRORS, STATUS_UNUSABLE = "通过", "有错误", "无法使用"
STATUS_FILLS = {STATUS_PASS: "C6EFCE", STATUS_ERRORS: "FFC7CE", STATUS_UNUSABLE: "F8CBAD"}
SUMMARY_SHEET, FINDINGS_SHEET = "汇总", "全部问题"
SUMMARY_HEADERS = ("文件", "单位名称", "年度", "金额单位", "错误", "警告", "提示", "状态", "主要问题")
SUMMARY_WIDTHS = (44, 34, 8, 10, 8, 8, 8, 10, 90)
FINDINGS_HEADERS = ("文件", "单位名称", "级别", "规则", "工作表", "单元格", "问题说明", "应为", "实为", "差额")
FINDINGS_WIDTHS = (44, 30, 10, 8, 10, 10, 90, 16, 16, 16)
MAIN_PROBLEMS = 3
# 级别 column: a finding's severity label, or 无法使用 for a file that could not be checked
LEVEL_FILLS = {**{SEVERITY_LABELS[s]: colour for s, colour in SEVERITY_FILLS.items()},
               STATUS_UNUSABLE: STATUS_FILLS[STATUS_UNUSABLE]}


def status_of(outcome: dict) -> str:
    if "error" in outcome:
        return STATUS_UNUSABLE
    return STATUS_ERRORS if outcome["summary"][ERROR] else STATUS_PASS


def status_counts(outcomes: Iterable[dict]) -> dict[str, int]:
    """How many workbooks have each status (every status present, in display order)."""
    counts = {s: 0 for s in STATUS_FILLS}
    for outcome in outcomes:
        counts[status_of(outcome)] += 1
    return counts


def main_problems(outcome: dict) -> str:
    """The reason a file is unusable, or its first errors (else first warnings), for one cell."""
    if "error" in outcome:
        return outcome["error"]
    for severity in (ERROR, WARNING):
        messages = [f["message"] for f in outcome["findings"] if f["severity"] == severity]
        if messages:
            text = "；".join(messages[:MAIN_PROBLEMS])
            more = len(messages) - MAIN_PROBLEMS
            label = "" if severity == ERROR else "（警告）"
            return label + text + (f"；……另有 {more} 条{SEVERITY_LABELS[severity]}" if more > 0 else "")
    return ""


# --- the two sheets ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    value: object = None          # a str is written as text (never a formula); numbers as numbers
    fill: str | None = None       # background colour, RGB hex
    amount: bool = False          # shown with the amount format


@dataclass(frozen=True)
class Row:
    file: str                     # column 1
    linked: bool                  # whether column 1 links to the file (Excel allows ~65,000 links a sheet)
    cells: tuple[Cell | None, ...] = ()   # columns 2…; None leaves a cell untouched


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: tuple[str, ...]
    widths: tuple[int, ...]
    rows: list[Row]


def summary_sheets(outcomes: list[dict]) -> list[Sheet]:
    """汇总 and 全部问题, in that order."""
    return [Sheet(SUMMARY_SHEET, SUMMARY_HEADERS, SUMMARY_WIDTHS, [_summary_row(o) for o in outcomes]),
            Sheet(FINDINGS_SHEET, FINDINGS_HEADERS, FINDINGS_WIDTHS, [r for o in outcomes for r in _finding_rows(o)])]


def _summary_row(outcome: dict) -> Row:
    status = status_of(outcome)
    if status == STATUS_UNUSABLE:
        who: tuple[Cell | None, ...] = (None,) * 6
    else:
        counts = outcome["summary"]
        who = (Cell(outcome["unit"]), Cell(outcome["year"]), Cell(outcome["amount_unit"]),
               *(Cell(counts[s]) for s in (ERROR, WARNING, INFO)))
    return Row(outcome["file"], True, who + (Cell(status, STATUS_FILLS[status]), Cell(main_problems(outcome))))


def _finding_rows(outcome: dict) -> list[Row]:
    if status_of(outcome) == STATUS_UNUSABLE:
        return [Row(outcome["file"], True, (None, Cell(STATUS_UNUSABLE, LEVEL_FILLS[STATUS_UNUSABLE]),
                                            None, None, None, Cell(outcome["error"])))]
    rows = []
    for number_in_file, f in enumerate(outcome["findings"]):
        label = SEVERITY_LABELS.get(f["severity"], f["severity"])
        rows.append(Row(outcome["file"], number_in_file == 0, (
            Cell(outcome["unit"]), Cell(label, LEVEL_FILLS.get(label)), Cell(f["rule"]), Cell(f["table"]),
            Cell(f["cell"]), Cell(f["message"]),
            *(Cell(_amount(f[key]), amount=True) for key in ("expected", "actual", "difference")))))
    return rows


def _amount(text):
    """An amount of the JSON outcome (a decimal string) as a number; anything else as it is."""
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return text
