"""How a clerk names an amount cell in a message: the reader, the audit and filling all say it this way."""
from __future__ import annotations

import re

from .model import Ref, Report, Row
from .schema import CODE, ECONOMIC, SINGLE_ROW, TABLES, TOTAL_KEY, TWO_SIDED, Column


def column_label(col: Column) -> str:
    """A column as a clerk names it: a bare 小计 takes its group (本年支出小计, 公务用车购置及运行维护费小计)."""
    return f"{col.path[-1]}{col.label}" if col.label == "小计" and col.path else col.label


def cell_label(table_id: str, row: Row, no: int) -> str:
    """Amount 栏次 `no` of `row`: 行次27 本年收入合计 / 20103 政府办公厅… 基本支出 / 决算数 公务接待费."""
    spec = TABLES[table_id]
    if spec.kind == SINGLE_ROW:
        col = spec.column(no)
        return f"{col.path[0]} {column_label(col)}"
    if spec.kind == TWO_SIDED:
        label = f"行次{row.key} {row.name}"
        return label + (f" {spec.column(no).label}" if len(row.cells) > 1 else "")
    if spec.kind == ECONOMIC:
        return f"{row.code or ''} {row.name}".strip()
    name = "合计" if row.key == TOTAL_KEY else f"{row.code or ''} {row.name}".strip()
    return f"{name} {column_label(spec.column(no))}"


def describe(report: Report, ref: Ref) -> str:
    """The cell at `ref` as a message names it; a code row the table lacks is said to be missing,
    and a code row's level (类 / 款 / 项) follows its name."""
    table = report.tables.get(ref.table)
    row = table.row(ref.key) if table else None
    if row is None:
        if TABLES[ref.table].kind == CODE:
            return f"{ref.key}（本表未列此科目） {column_label(TABLES[ref.table].column(ref.no))}"
        return ref.key
    label = cell_label(ref.table, row, ref.no)
    if TABLES[ref.table].kind == CODE and row.level:
        label = label.replace(row.name, f"{row.name}（{row.level}）", 1) if row.name else label
    return label


def year_label(year) -> str:
    """2024 -> "2024年度"; a year typed as "2024年" or "2024年度" is not doubled; unknown -> "？年度"."""
    text = str(year).strip() if year not in (None, "") else "？"
    return text.removesuffix("度").removesuffix("年") + "年度"


_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _escape(match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:         # a byte os.fsdecode could not decode (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_text(text: str) -> str:
    """`text` as a cell can show it faithfully: a file name's undecodable bytes and control
    characters become visible escapes ("\\xd5", "\\x01", "\\x1b"), so the workbook stays valid
    and a reader sees which name it is."""
    return _INVISIBLE.sub(_escape, text)
