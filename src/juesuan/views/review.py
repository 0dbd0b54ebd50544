"""What the review sheet 审核结果 says, and where: pure content laid out as a grid.

Every position of the sheet is declared here, once. Both renderers — the file writer
(openpyxl, ``io/review_xlsx``) and the live-Excel adapter (xlwings, ``excel/live``) —
only map the grid's cells to their library's calls, so a clerk sees the same sheet
whichever way they came in, and either tool reads the other's notes and marks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from ..domain.catalog import Catalog
from ..domain.model import Ref, Report
from ..domain.schema import REVIEW_COLUMNS, REVIEW_SHEET
from ..rules.findings import (
    A1_ADDRESS,
    SEVERITY_LABELS,
    SEVERITY_ORDER,
    Finding,
    finding_key,
    identify,
    note_for,
    summarize,
)
from ..rules.relations import derived_refs, relations_for

# --- the sheet's geometry (1-based rows and columns) ------------------------------------
TITLE_ROW = 1
LINES_ROW = 2                   # the header lines: unit and year, counts, what to do (rows 2-4)
COUNTS_ROW = LINES_ROW + 1      # the line with the counts, set in bold
HEADER_ROW = 5                  # the column titles
FIRST_ROW = 6                   # the first finding; also the first row of the registry
NUMBER_COLUMN = 1               # 序号: a number; the columns after it are text but for AMOUNT_COLUMNS
SEVERITY_COLUMN = 2             # 级别: coloured by severity
RULE_COLUMN = 3
TABLE_COLUMN = 4
LINK_COLUMN = 5                 # 单元格: jumps to the cell concerned
MESSAGE_COLUMN = 6              # 说明
AMOUNT_COLUMNS = (7, 8, 9)      # 应为 实为 差额: numbers, shown with the amount format
NOTE_COLUMN = 10                # 备注: the clerk's, kept across runs
LAST_VISIBLE_COLUMN = len(REVIEW_COLUMNS)     # J: 备注; the registry beyond is hidden
WRAPPED_COLUMNS = (MESSAGE_COLUMN, NOTE_COLUMN)
COLUMN_WIDTHS = (6, 6, 7, 8, 12, 70, 14, 14, 12, 30)
SUBJECT_COLUMN = 13             # M: hidden, each finding's subject (Finding.subject): its 备注 follows it
MARK_COLUMNS = (14, 15)         # N, O: hidden registry of the cells we coloured and their original fill
FILL_RECORD_COLUMN = 16         # P: hidden record of every figure fill left, "公开05!合计:1=228.56" (see views.fill_record)
REGISTRY_COLUMNS = (SUBJECT_COLUMN, *MARK_COLUMNS, FILL_RECORD_COLUMN)
REGISTRY_TITLES = ("问题所指", "标记单元格", "原填充", "填充记录")
LAST_COLUMN = FILL_RECORD_COLUMN   # the sheet spans A..P
CARRIED_SUFFIX = "（上次填充）"   # an overwrite reported by an earlier fill, kept until the clerk acts on it

NOT_YET_REVIEWED = "尚未审核：请运行“审核”（juesuan check --write）。"


def is_address(text) -> bool:
    """An A1 address as the registry records it (uppercase, no sheet, no $)."""
    return isinstance(text, str) and bool(A1_ADDRESS.fullmatch(text))


def link_location(sheet: str, address: str) -> str:
    """Where a hyperlink inside the workbook points: 'sheet'!A1, quotes doubled."""
    return f"'{sheet.replace(chr(39), chr(39) * 2)}'!{address}"


# --- the content ------------------------------------------------------------------------
@dataclass
class ReviewRow:
    values: tuple                   # 序号 级别 规则 表 单元格 说明 应为 实为 差额 备注
    severity: str
    link: tuple[str, str] | None    # (sheet, A1) the 单元格 column jumps to
    subject: str = ""               # Finding.subject, kept in the hidden SUBJECT_COLUMN


@dataclass
class Review:
    title: str
    lines: list[str]
    rows: list[ReviewRow]
    marks: dict[tuple[str, str], str] = field(default_factory=dict)   # (sheet, A1) -> severity
    derived: set[tuple[str, str]] = field(default_factory=set)         # (sheet, A1) shaded grey by the template
    counts: dict[str, int] = field(default_factory=dict)
    checked: bool = True            # False: the template's sheet, before the first check
    filled: dict[Ref, object] = field(default_factory=dict)   # cell -> Decimal | None fill left there

    def marks_on(self, sheets: Iterable[str]) -> dict[tuple[str, str], str]:
        """The marks a book with these sheets can carry (never on 审核结果 itself)."""
        present = set(sheets) - {REVIEW_SHEET}
        return {key: severity for key, severity in self.marks.items() if key[0] in present}


def build_review(report: Report, findings: list[Finding], catalog: Catalog, notes: dict | None = None,
                 when: datetime | None = None, filled: Mapping | None = None) -> Review:
    """`notes` maps a finding's key to the clerk's 备注 from the previous run; `filled` is the
    record of the figures fill left Ref -> value, kept in the hidden FILL_RECORD_COLUMN."""
    notes = notes or {}
    when = when or datetime.now()
    identify(report, findings)          # fill's own findings come without a subject
    counts = summarize(findings)
    unit = report.unit_name or "（未填写）"
    lines = [
        f"单位：{unit}    年度：{report.year or '（未填写）'}    金额单位：{report.amount_unit}",
        f"审核时间：{when:%Y-%m-%d %H:%M:%S}    错误 {counts['error']} 条，警告 {counts['warning']} 条，提示 {counts['info']} 条",
        "错误必须改正后才能公开；警告须核实并在“备注”栏写明原因；提示（如尾差）供参考。点击“单元格”可跳转到该处。",
    ]
    rows, marks = [], {}
    for number, f in enumerate(findings, start=1):
        values = (number, SEVERITY_LABELS[f.severity], f.rule, f.table, f.where, f.message,
                  *(amount if amount is not None else "" for amount in (f.expected, f.actual, f.difference)),
                  note_for(notes, f) or "")
        rows.append(ReviewRow(values, f.severity, (f.table, f.cell) if f.cell else None, f.subject or ""))
        if f.cell and f.table:
            key = (f.table, f.cell)
            if key not in marks or SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[marks[key]]:
                marks[key] = f.severity
    if not rows:
        lines[1] += "    未发现问题。"
    return Review(REVIEW_SHEET, lines, rows, marks=marks, counts=counts, derived=derived_cells(report, catalog),
                  filled=dict(filled or {}))


def blank_review() -> Review:
    """审核结果 as the template has it: title, column titles and a hint to run 审核."""
    return Review(REVIEW_SHEET, [NOT_YET_REVIEWED], [], checked=False)


def derived_cells(report: Report, catalog: Catalog) -> set[tuple[str, str]]:
    """Where the template puts its grey shading: the fill a cell goes back to when our own
    record of its original fill is gone (a clerk deleted rows of 审核结果)."""
    out = set()
    for ref in derived_refs(relations_for(report, catalog)):
        cell = report.cell(ref)
        if cell is not None:
            out.add((ref.table, cell.address))
    return out


# --- the grid ---------------------------------------------------------------------------
@dataclass
class ReviewGrid:
    """审核结果 as cells: every value at its (row, column), and what goes with them."""
    title: str                                     # at (TITLE_ROW, 1)
    cells: dict[tuple[int, int], object]           # (row, column) -> value, rows LINES_ROW and below
    severities: dict[int, str]                     # row -> severity of the finding on it
    links: dict[int, tuple[str, str]]              # row -> (sheet, A1) its LINK_COLUMN cell jumps to
    marks: dict[tuple[str, str], str]              # (sheet, A1) -> severity: the cells to colour
    checked: bool                                  # False: no registry, no filter (the template)

    @property
    def last_row(self) -> int:
        return max([HEADER_ROW, *(row for row, _col in self.cells)])

    @property
    def last_finding_row(self) -> int:
        """The last row of findings (HEADER_ROW when there are none)."""
        return max([HEADER_ROW, *self.severities])

    def block(self) -> list[list]:
        """Rows LINES_ROW..last_row, columns A..LAST_COLUMN, None where nothing is written."""
        return [[self.cells.get((row, col)) for col in range(1, LAST_COLUMN + 1)]
                for row in range(LINES_ROW, self.last_row + 1)]


def review_grid(review: Review, sheets: Iterable[str],
                originals: Mapping[tuple[str, str], str] | None = None) -> ReviewGrid:
    """Lay `review` out for a book with these sheets. `originals`: the registry text of the
    fill each marked cell had before we coloured it (adapters read fills their own way)."""
    sheets, originals = set(sheets), originals or {}
    cells: dict[tuple[int, int], object] = {}
    for col, label in enumerate(REVIEW_COLUMNS, start=1):
        cells[HEADER_ROW, col] = label
    for row, line in enumerate(review.lines, start=LINES_ROW):
        cells[row, 1] = line
    severities, links = {}, {}
    for row, item in enumerate(review.rows, start=FIRST_ROW):
        for col, value in enumerate(item.values, start=1):
            cells[row, col] = value
        severities[row] = item.severity
        if review.checked and item.subject:
            cells[row, SUBJECT_COLUMN] = item.subject
        if item.link and item.link[0] in sheets:
            links[row] = item.link
    marks = review.marks_on(sheets) if review.checked else {}
    if review.checked:
        for col, label in zip(REGISTRY_COLUMNS, REGISTRY_TITLES):
            cells[HEADER_ROW, col] = label
        for row, key in enumerate(sorted(review.marks), start=FIRST_ROW):   # a row per mark, kept in place
            if key in marks:
                cells[row, MARK_COLUMNS[0]] = f"{key[0]}!{key[1]}"
                cells[row, MARK_COLUMNS[1]] = originals.get(key) or ""
        for row, key in enumerate(sorted(review.filled), start=FIRST_ROW):
            cells[row, FILL_RECORD_COLUMN] = record_text(key, review.filled[key])
    return ReviewGrid(review.title, cells, severities, links, marks, review.checked)


# --- reading back what the last run left ------------------------------------------------
def parse_registry(rows: Iterable[Sequence], first_row: int = 1) -> tuple[dict, list[tuple[str, str, str]]]:
    """(notes by finding key, [(sheet, A1, original fill text)]) from 审核结果's values.

    A note is keyed by its finding's subject; by its cell where the row has none (a sheet
    written before subjects were recorded), which `note_for` falls back to.
    `rows`: the sheet's rows as value tuples, the first being row `first_row`."""
    notes, marks = {}, []
    mark_col, fill_col = MARK_COLUMNS
    for number, row in enumerate(rows, start=first_row):
        if number < FIRST_ROW:
            continue
        if len(row) >= NOTE_COLUMN and row[RULE_COLUMN - 1] and row[NOTE_COLUMN - 1] not in (None, ""):
            where = str(row[LINK_COLUMN - 1] or "")
            cell = where.split("!", 1)[-1] if "!" in where else ""
            subject = row[SUBJECT_COLUMN - 1] if len(row) >= SUBJECT_COLUMN else None
            notes[finding_key(row[RULE_COLUMN - 1], row[TABLE_COLUMN - 1], subject or cell)] = row[NOTE_COLUMN - 1]
        if len(row) >= mark_col and row[mark_col - 1]:
            sheet, _, address = str(row[mark_col - 1]).rpartition("!")
            original = row[fill_col - 1] if len(row) >= fill_col else ""
            if sheet and is_address(address):
                marks.append((sheet, address, original or ""))
    return notes, marks


# --- the record of what fill left ---------------------------------------------------------
def record_text(ref: Ref, value) -> str:
    """One entry of the fill record, by the cell's identity (table, row key, 栏次), not its address:
    "公开05!合计:1=228.56"; "公开05!2010301:2=" when fill left it blank. Text, not a number, so
    neither openpyxl nor Excel turns it into something else."""
    return f"{ref.table}!{ref.key}:{ref.no}={'' if value is None else value}"


def parse_record_text(text) -> tuple[Ref | tuple[str, str], object] | None:
    """(Ref, Decimal | None) of one entry; ((sheet, A1), value) for an entry of a review sheet
    written when the record was kept by address (the caller resolves it against the report);
    None for anything else (a damaged entry)."""
    if not isinstance(text, str) or "=" not in text:
        return None
    where, _, value = text.rpartition("=")
    sheet, _, cell = where.partition("!")
    key, colon, no = cell.rpartition(":")
    if sheet and colon and key and no.isdigit():
        place: Ref | tuple[str, str] = Ref(sheet, key, int(no))
    elif sheet and is_address(cell):
        place = (sheet, cell)
    else:
        return None
    try:
        return place, (Decimal(value.strip()) if value.strip() else None)
    except ArithmeticError:
        return None


def parse_fill_record(rows: Iterable[Sequence], first_row: int = 1) -> dict:
    """The fill record Ref -> Decimal | None (or (sheet, A1) -> … from older sheets) from
    审核结果's values (see parse_registry)."""
    record = {}
    for number, row in enumerate(rows, start=first_row):
        if number >= FIRST_ROW and len(row) >= FILL_RECORD_COLUMN:
            entry = parse_record_text(row[FILL_RECORD_COLUMN - 1])
            if entry:
                record[entry[0]] = entry[1]
    return record
