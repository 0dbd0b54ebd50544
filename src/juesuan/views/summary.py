"""The batch summary as data: the status of each checked workbook, and the two sheets a
reviewer works from ("汇总": a count line per status, then one row per file; "全部问题":
every finding with its 备注 and its file).

An *outcome* is what batch gives for one file: the `check --format json` object, whose
findings batch gives a "note" (the clerk's 备注 in 审核结果, or None), or ``{"file", "error"}``
for a workbook that could not be used. A warning is *explained* when its note is not blank.
io/summary_xlsx.py renders the sheets; nothing here touches a file.
"""
from __future__ import annotations

import os.path
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Callable, Iterable

from ..rules.findings import ERROR, INFO, SEVERITY_LABELS, WARNING
from .styles import SEVERITY_FILLS

# Worst first: the order of the count lines and of the rows
STATUS_UNUSABLE, STATUS_ERRORS, STATUS_WARNINGS, STATUS_PASS = "无法使用", "有错误", "有警告", "通过"
STATUSES = (STATUS_UNUSABLE, STATUS_ERRORS, STATUS_WARNINGS, STATUS_PASS)
STATUS_FILLS = {STATUS_UNUSABLE: "F8CBAD", STATUS_ERRORS: "FFC7CE", STATUS_WARNINGS: "FFEB9C", STATUS_PASS: "C6EFCE"}
STATUS_MEANINGS = {
    STATUS_UNUSABLE: "文件损坏、加密、格式不对等，未能审核：请单位重新报送",
    STATUS_ERRORS: "有必须改正的错误：请单位改正后重新报送",
    STATUS_WARNINGS: "没有错误，但有警告未在“审核结果”表“备注”栏说明原因",
    STATUS_PASS: "没有错误，警告（如有）均已在备注中说明",
}
SUMMARY_SHEET, FINDINGS_SHEET = "汇总", "全部问题"
MAIN_PROBLEMS = 3
# 级别 column: a finding's severity label, or 无法使用 for a file that could not be checked
LEVEL_FILLS = {**{SEVERITY_LABELS[s]: colour for s, colour in SEVERITY_FILLS.items()},
               STATUS_UNUSABLE: STATUS_FILLS[STATUS_UNUSABLE]}

# How a column's cells and its header are aligned (the same way: a count under its own header)
TEXT, CENTRED, AMOUNT = "text", "centred", "amount"


@dataclass(frozen=True)
class Column:
    header: str
    width: int                    # Excel character units; a sheet's columns add up to one A4 landscape width
    kind: str = TEXT              # TEXT: left, wrapped; CENTRED: short codes and counts; AMOUNT: right, #,##0.00


# The printed width of a column unit differs: Excel about 5.3 pt, LibreOffice about 6.8 pt. A sheet
# of about 130 units prints at 100 % from Excel (0.86 of A4 landscape less 1 cm margins) and at
# about 90 % from LibreOffice; a column for 元 amounts needs 12 (12,345,678.90).
SUMMARY_COLUMNS = (Column("状态", 16, CENTRED), Column("单位名称", 20), Column("年度", 6, CENTRED),
                   Column("金额\n单位", 5, CENTRED), Column("错误", 5, CENTRED), Column("警告\n未说明", 7, CENTRED),
                   Column("警告\n已说明", 7, CENTRED), Column("提示", 5, CENTRED), Column("主要问题", 38),
                   Column("文件", 20))
FINDINGS_COLUMNS = (Column("单位名称", 14), Column("级别", 5, CENTRED), Column("规则", 6, CENTRED),
                    Column("工作表", 7, CENTRED), Column("单元格", 6, CENTRED), Column("问题说明", 30),
                    Column("应为", 12, AMOUNT), Column("实为", 12, AMOUNT), Column("差额", 11, AMOUNT),
                    Column("备注", 15), Column("文件", 12))
SUMMARY_HEADERS = tuple(c.header for c in SUMMARY_COLUMNS)
FINDINGS_HEADERS = tuple(c.header for c in FINDINGS_COLUMNS)


# --- one workbook ----------------------------------------------------------------------------------
def note_text(note) -> str:
    """A 备注 as one line of text ('' when there is none)."""
    return " ".join(str(note).split()) if note is not None else ""


def warning_counts(outcome: dict) -> tuple[int, int]:
    """(explained, unexplained) warnings of a checked workbook."""
    notes = [note_text(f.get("note")) for f in outcome["findings"] if f["severity"] == WARNING]
    explained = sum(1 for n in notes if n)
    return explained, len(notes) - explained


def status_of(outcome: dict) -> str:
    """One of STATUSES: unusable, errors, unexplained warnings, pass."""
    if "error" in outcome:
        return STATUS_UNUSABLE
    if outcome["summary"][ERROR]:
        return STATUS_ERRORS
    return STATUS_WARNINGS if warning_counts(outcome)[1] else STATUS_PASS


def status_label(outcome: dict) -> str:
    """The status as shown: 有警告 says how many warnings are unexplained."""
    status = status_of(outcome)
    if status == STATUS_WARNINGS:
        return f"{STATUS_WARNINGS}（未说明 {warning_counts(outcome)[1]} 条）"
    return status


def status_counts(outcomes: Iterable[dict]) -> dict[str, int]:
    """How many workbooks have each status (every status present, worst first)."""
    counts = {s: 0 for s in STATUSES}
    for outcome in outcomes:
        counts[status_of(outcome)] += 1
    return counts


def sort_key(outcome: dict) -> tuple:
    """Worst status first, then by unit name (a workbook without one last), then by file."""
    unit = "" if "error" in outcome else str(outcome.get("unit") or "")
    return STATUSES.index(status_of(outcome)), unit == "", unit.casefold(), outcome["file"]


def sorted_outcomes(outcomes: Iterable[dict]) -> list[dict]:
    return sorted(outcomes, key=sort_key)


def main_problems(outcome: dict) -> str:
    """The reason a file is unusable, or its first errors (else its first unexplained warnings), for one cell."""
    if "error" in outcome:
        return outcome["error"]
    errors = [f["message"] for f in outcome["findings"] if f["severity"] == ERROR]
    if errors:
        return _first(errors, "错误")
    unexplained = [f["message"] for f in outcome["findings"]
                   if f["severity"] == WARNING and not note_text(f.get("note"))]
    return "（未说明的警告）" + _first(unexplained, "未说明的警告") if unexplained else ""


def _first(messages: list[str], what: str) -> str:
    more = len(messages) - MAIN_PROBLEMS
    return "；".join(messages[:MAIN_PROBLEMS]) + (f"；……另有 {more} 条{what}" if more > 0 else "")


def count_line(outcomes: Iterable[dict] | Tally) -> str:
    """"共 N 个工作簿：无法使用 a 个，有错误 b 个，有警告 c 个（未说明的警告共 w 条），通过 d 个". """
    tally = outcomes if isinstance(outcomes, Tally) else Tally.of(outcomes)
    parts = [f"{s} {tally.counts[s]} 个" +
             (f"（未说明的警告共 {tally.unexplained} 条）" if s == STATUS_WARNINGS and tally.unexplained else "")
             for s in STATUSES]
    return f"共 {tally.files} 个工作簿：" + "，".join(parts)


class Tally:
    """What the count lines and the 文件 column need of a run, gathered one outcome at a time (a
    batch over 10,000 workbooks keeps this, not the outcomes): the counts per status, the
    unexplained warnings of 有警告 workbooks, and the folder all files are in."""

    def __init__(self):
        self.files = 0
        self.counts = {s: 0 for s in STATUSES}
        self.unexplained = 0
        self.common = CommonFolder()
        self.worst: str | None = None        # the worst status seen (STATUSES order)

    @classmethod
    def of(cls, outcomes: Iterable[dict]) -> Tally:
        tally = cls()
        for outcome in outcomes:
            tally.add(outcome)
        return tally

    def add(self, outcome: dict, status: str | None = None) -> None:
        """Count `outcome`; `status`: its status_of, when the caller has it already."""
        status = status or status_of(outcome)
        self.files += 1
        self.counts[status] += 1
        if status == STATUS_WARNINGS:
            self.unexplained += warning_counts(outcome)[1]
        if self.worst is None or STATUSES.index(status) < STATUSES.index(self.worst):
            self.worst = status
        self.common.add(outcome["file"])


# --- the two sheets ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    value: object = None          # a str is written as text (never a formula); numbers as numbers
    fill: str | None = None       # background colour, RGB hex
    amount: bool = False          # shown with the amount format


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell | None, ...]   # one per column; None leaves the cell empty
    link: str | None = None          # the file its 文件 cell links to (Excel allows ~65,000 links a sheet)


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple[Column, ...]
    rows: Iterable[Row]              # a list, or made while written (streamed_sheets)
    preamble: list[tuple[Cell | None, ...]] = field(default_factory=list)   # lines above the header row

    @property
    def header_row(self) -> int:
        """The 1-based row of the column headers (the rows follow it)."""
        return len(self.preamble) + 1

    @property
    def file_column(self) -> int:
        """The 1-based column of 文件."""
        return [c.header for c in self.columns].index("文件") + 1


def summary_sheets(outcomes: list[dict], with_info: bool = False) -> list[Sheet]:
    """汇总 and 全部问题, in that order, the files worst first (sort_key). 全部问题 lists errors
    and warnings, and the 提示 too when `with_info` (as `check --all`): a 万元 workbook has
    dozens of 尾差 提示, which would bury what a reviewer must act on."""
    ordered = sorted_outcomes(outcomes)
    return [replace(sheet, rows=list(sheet.rows))
            for sheet in streamed_sheets(Tally.of(ordered), lambda: iter(ordered), with_info)]


def streamed_sheets(tally: Tally, worst_first: Callable[[], Iterable[dict]], with_info: bool = False) -> list[Sheet]:
    """The sheets of summary_sheets with rows made as they are written: `worst_first()` gives the
    outcomes in sort_key order (called once per sheet), `tally` counts them all."""
    summary_rows = (_summary_row(o, tally.common.shown) for o in worst_first())
    finding_rows = (row for o in worst_first() for row in _finding_rows(o, tally.common.shown, with_info))
    return [Sheet(SUMMARY_SHEET, SUMMARY_COLUMNS, summary_rows, _count_lines(tally)),
            Sheet(FINDINGS_SHEET, FINDINGS_COLUMNS, finding_rows)]


def shown_names(files: list[str]) -> tuple[str, dict[str, str]]:
    """(the folder all `files` are in, each file as a path from there): the 文件 column shows
    收件/2024/区县/甲.xlsx as 区县/甲.xlsx under the line "文件夹：收件/2024". Paths are
    compared as text (nothing is looked up on disk); no common folder leaves them as they are."""
    common = CommonFolder()
    for file in files:
        common.add(file)
    return common.folder, {f: common.shown(f) for f in files}


class CommonFolder:
    """The folder all files added so far are in, found one file at a time."""

    def __init__(self):
        self._folder: str | None = None      # None before the first file; "" when there is none

    def add(self, file: str) -> None:
        parent = str(PurePath(file).parent)
        if self._folder is None:
            self._folder = parent
        elif self._folder:
            try:
                self._folder = os.path.commonpath([self._folder, parent])
            except ValueError:               # absolute and relative paths, or different drives
                self._folder = ""

    @property
    def folder(self) -> str:
        """'' when there is none (then the files are shown as they are)."""
        return "" if self._folder in (None, "", ".") else self._folder

    def shown(self, file: str) -> str:
        """A file as the 文件 column shows it: a path from `folder`."""
        folder = self.folder
        if not folder:
            return file
        prefix = folder if folder.endswith(os.sep) else folder + os.sep
        if file.startswith(prefix):     # (the usual case, as text: pathlib interns every part it parses)
            return file[len(prefix):]
        return str(PurePath(file).relative_to(folder))


def _count_lines(tally: Tally) -> list[tuple[Cell | None, ...]]:
    """The title with the totals, the folder, a line per status (its count and what it asks of
    the reviewer), a blank line."""
    lines: list[tuple[Cell | None, ...]] = [(Cell("批量审核汇总：" + count_line(tally)),)]
    if tally.common.folder:
        lines.append((Cell(f"文件夹：{tally.common.folder}"),))
    for status in STATUSES:
        lines.append((Cell(status, STATUS_FILLS[status]), Cell(f"{tally.counts[status]} 个"),
                      Cell(STATUS_MEANINGS[status])))
    return lines + [()]


def _summary_row(outcome: dict, shown: Callable[[str], str]) -> Row:
    status = status_of(outcome)
    state = Cell(status_label(outcome), STATUS_FILLS[status])
    file = Cell(shown(outcome["file"]))
    if status == STATUS_UNUSABLE:
        return Row((state, None, None, None, None, None, None, None, Cell(outcome["error"]), file), outcome["file"])
    counts = outcome["summary"]
    explained, unexplained = warning_counts(outcome)
    return Row((state, Cell(outcome["unit"]), Cell(outcome["year"]), Cell(outcome["amount_unit"]),
                Cell(counts[ERROR]), Cell(unexplained), Cell(explained), Cell(counts[INFO]),
                Cell(main_problems(outcome)), file), outcome["file"])


def _finding_rows(outcome: dict, shown: Callable[[str], str], with_info: bool) -> list[Row]:
    file = Cell(shown(outcome["file"]))
    if status_of(outcome) == STATUS_UNUSABLE:
        return [Row((None, Cell(STATUS_UNUSABLE, LEVEL_FILLS[STATUS_UNUSABLE]), None, None, None,
                     Cell(outcome["error"]), None, None, None, None, file), outcome["file"])]
    rows = []
    listed = [f for f in outcome["findings"] if with_info or f["severity"] != INFO]
    for number_in_file, f in enumerate(listed):
        label = SEVERITY_LABELS.get(f["severity"], f["severity"])
        rows.append(Row((
            Cell(outcome["unit"]), Cell(label, LEVEL_FILLS.get(label)), Cell(f["rule"]), Cell(f["table"]),
            Cell(f["cell"]), Cell(f["message"]),
            *(Cell(_amount(f[key]), amount=True) for key in ("expected", "actual", "difference")),
            Cell(note_text(f.get("note")) or None), file), outcome["file"] if number_in_file == 0 else None))
    return rows


def _amount(text):
    """An amount of the JSON outcome (a decimal string) as a number; anything else as it is."""
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return text
