"""What the review sheet 审核结果 says: pure content, rendered by an adapter.

Both the file writer (openpyxl) and the live-Excel entry points (xlwings) render
the same Review, so a clerk sees the same sheet whichever way they came in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..domain.model import Report
from ..domain.money import fmt
from ..rules.findings import SEVERITY_LABELS, SEVERITY_ORDER, Finding, summarize

HEADER_ROW = 5
FIRST_ROW = 6
NOTE_COLUMN = 10           # 备注 (J)
MARK_COLUMNS = (14, 15)    # N, O: hidden registry of cells we coloured and their original fill


@dataclass
class ReviewRow:
    values: tuple                   # 序号 级别 规则 表 单元格 说明 应为 实为 差额 备注
    severity: str
    link: tuple[str, str] | None    # (sheet, A1) the 单元格 column jumps to


@dataclass
class Review:
    title: str
    lines: list[str]
    rows: list[ReviewRow]
    marks: dict[tuple[str, str], str] = field(default_factory=dict)   # (sheet, A1) -> severity
    derived: set[tuple[str, str]] = field(default_factory=set)         # (sheet, A1) shaded grey by the template
    counts: dict[str, int] = field(default_factory=dict)


def note_key(rule: str, table: str, cell: str) -> tuple[str, str, str]:
    return (str(rule or ""), str(table or ""), str(cell or ""))


def build_review(report: Report, findings: list[Finding], notes: dict | None = None,
                 when: datetime | None = None) -> Review:
    """`notes` maps (rule, table, cell) to the clerk's 备注 from the previous run."""
    notes = notes or {}
    when = when or datetime.now()
    counts = summarize(findings)
    unit = report.unit_name or "（未填写）"
    lines = [
        f"单位：{unit}    年度：{report.year or '（未填写）'}    金额单位：{report.amount_unit}",
        f"审核时间：{when:%Y-%m-%d %H:%M:%S}    错误 {counts['error']} 条，警告 {counts['warning']} 条，提示 {counts['info']} 条",
        "错误必须改正后才能公开；警告须核实并在“备注”栏写明原因；提示（如尾差）供参考。点击“单元格”可跳转到该处。",
    ]
    rows, marks = [], {}
    for number, f in enumerate(findings, start=1):
        where = f"{f.table}!{f.cell}" if f.cell else f.table
        values = (number, SEVERITY_LABELS[f.severity], f.rule, f.table, where, f.message,
                  fmt(f.expected) if f.expected is not None else "",
                  fmt(f.actual) if f.actual is not None else "",
                  fmt(f.difference) if f.difference is not None else "",
                  notes.get(note_key(f.rule, f.table, f.cell), ""))
        rows.append(ReviewRow(values, f.severity, (f.table, f.cell) if f.cell else None))
        if f.cell and f.table:
            key = (f.table, f.cell)
            if key not in marks or SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[marks[key]]:
                marks[key] = f.severity
    if not rows:
        lines[1] += "    未发现问题。"   # the header block is rows 2–4; row 5 holds the column titles
    return Review("审核结果", lines, rows, marks=marks, counts=counts, derived=derived_cells(report))


def derived_cells(report: Report) -> set[tuple[str, str]]:
    """Where the template puts its grey shading: the fill a cell goes back to when our own
    record of its original fill is gone (a clerk deleted rows of 审核结果)."""
    from ..rules.relations import derived_refs, relations_for
    out = set()
    for ref in derived_refs(relations_for(report)):
        cell = report.cell(ref)
        if cell is not None:
            out.add((ref.table, cell.address))
    return out
