"""Publication: the nine disclosure tables laid out as published (公开01–公开09).

The layout is derived from ``schema`` (titles, header paths, lines, notes) through
``layout`` (column roles and the merged-header algorithm). This module is pure:
it turns a Report into PublishedTable objects (printed cells plus the figures
they show) and open-data records. ``io.publication_xlsx`` writes the workbook and
``io.pdf`` converts it with LibreOffice.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from ..domain.layout import HEADER_TOP, HeaderCell, layout_of, merged_headers
from ..domain.model import Report
from ..domain.money import ZERO, plain, round_cents, yuan_to_wanyuan
from ..domain.schema import (
    CODE,
    ECONOMIC,
    SINGLE_KEY,
    SINGLE_ROW,
    TABLE_IDS,
    TABLES,
    TOTAL_KEY,
    TWO_SIDED,
    WAN_YUAN,
    YUAN,
    TableSpec,
)
from .styles import MAX_COLUMN_WIDTH

ZERO_BLANK = "blank"      # zero and blank both print as an empty cell (seeds 000, 002)
ZERO_DECIMAL = "0.00"     # every amount cell prints a figure, blank ones as 0.00 (seed 001)
ZERO_STYLES = (ZERO_BLANK, ZERO_DECIMAL)
ROUNDING_NOTE = "本套报表金额单位转换时可能存在尾数误差。"
PUBLISHED_UNIT = WAN_YUAN


# --- what a printed table is made of -------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One published amount, as the open-data export writes it."""
    table: str          # 公开01
    title: str
    row_label: str
    lineno: str         # 行次 (01, 04, 09) or ""
    code: str           # 科目编码 (02 03 05 06 07 08) or ""
    column: str         # header path joined by "/"
    no: int             # 栏次
    value: Decimal | None
    order: int = 0      # position of its line in the table's declaration (records follow it)


@dataclass
class PrintedCell:
    """One printed body cell; `span` merges it over the next columns of its row."""
    value: object = None
    kind: str = "text"            # text | center | code | lineno | amount
    bold: bool = False
    span: int = 1
    figure: Figure | None = None


@dataclass
class PublishedTable:
    spec: TableSpec
    widths: list[float]                    # column widths (Excel units)
    header_cells: list[HeaderCell]         # rows counted from 0 (first header row)
    header_rows: int                       # header rows including the 栏次 row
    body: list[list[tuple[int, PrintedCell]]]    # per printed row: (1-based column, cell)
    notes: list[str]
    entity: str
    unit_name: str

    @property
    def columns(self) -> int:
        return len(self.widths)

    def figures(self) -> list[Figure]:
        return [cell.figure for row in self.body for _, cell in row if cell.figure is not None]

    def has_data(self) -> bool:
        """Any figure other than blank or zero (a table of zeros is a table without data)."""
        return any(f.value not in (None, ZERO) for f in self.figures())


@dataclass
class Publication:
    report: Report
    tables: list[PublishedTable]
    converted: bool                         # the workbook was kept in 元
    zero: str = ZERO_BLANK

    def figures(self) -> list[Figure]:
        """In the order of the declaration: 行次 order, rows of the code tables, 06 by catalogue."""
        return [f for t in self.tables for f in sorted(t.figures(), key=lambda f: (f.order, f.no))]


def display_width(text: str) -> int:
    """Width in Excel character units: CJK and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


# --- building ---------------------------------------------------------------------------------
class _Builder:
    def __init__(self, report: Report):
        self.report = report
        self.converted = report.amount_unit == YUAN

    def published(self, value: Decimal | None) -> Decimal | None:
        """The printed figure: 元 converted to 万元, everything at two decimals (half-up)."""
        if value is None:
            return None
        return yuan_to_wanyuan(value) if self.converted else round_cents(value)

    def amount(self, spec: TableSpec, key: str, no: int, row_label: str, *, lineno: str = "",
               code: str = "", order: int = 0) -> PrintedCell:
        table = self.report.tables.get(spec.id)
        row = table.row(key) if table is not None else None
        cell = row.cells.get(no) if row is not None else None
        value = self.published(cell.value) if cell is not None else None
        column = "/".join(spec.column(no).header)
        figure = Figure(spec.id, spec.title, row_label, lineno, code, column, no, value, order)
        return PrintedCell(value, "amount", figure=figure)

    # -- shared pieces
    @staticmethod
    def header_part(table_id: str):
        lay = layout_of(table_id)
        cells = [HeaderCell(h.row - HEADER_TOP, h.col, h.text, h.rowspan, h.colspan) for h in lay.headers]
        for col, value, span in lay.lineno_cells:
            cells.append(HeaderCell(lay.depth, col, str(value), 1, span))
        return cells, lay.depth + 1

    def build(self, table_id: str) -> PublishedTable:
        spec = TABLES[table_id]
        kind = {CODE: self.code_table, TWO_SIDED: self.two_sided, ECONOMIC: self.economic,
                SINGLE_ROW: self.single_row}[spec.kind]
        widths, headers, depth, body = kind(spec)
        entity = self.report.entity
        notes = [spec.note.format(entity=entity)]
        table = PublishedTable(spec, widths, headers, depth, body, notes, entity,
                               str(self.report.unit_name or ""))
        if spec.empty_note and not table.has_data():
            table.notes.append(spec.empty_note.format(entity=entity))
        return table

    # -- 02 03 05 07 08
    def code_table(self, spec: TableSpec):
        lay = layout_of(spec.id)
        headers, depth = self.header_part(spec.id)
        amount_cols = [(c.no, lay.amount_column(c.no).index) for c in spec.columns]
        body = []
        table = self.report.tables.get(spec.id)
        total = [(1, PrintedCell("合计", "center", bold=True, span=2))]
        total += [(col, self.amount(spec, TOTAL_KEY, no, "合计")) for no, col in amount_cols]
        body.append(total)
        for order, row in enumerate(table.rows if table is not None else [], start=1):
            if row.key == TOTAL_KEY:
                continue
            code = row.code or ""
            cells = [(1, PrintedCell(code, "code")), (2, PrintedCell(row.name or ""))]
            cells += [(col, self.amount(spec, row.key, no, row.name or "", code=code, order=order))
                      for no, col in amount_cols]
            body.append(cells)
        return self.widths(lay.columns, headers, body), headers, depth, body

    # -- 01 04
    def two_sided(self, spec: TableSpec):
        lay = layout_of(spec.id)
        headers, depth = self.header_part(spec.id)
        body = []
        order = {line.key: i for i, line in enumerate(spec.all_lines())}
        for i in range(max(len(side.lines) for side in spec.sides)):
            cells = []
            for s, side in enumerate(spec.sides):
                cols = lay.side_columns(s)
                label_col = next(c.index for c in cols if c.role == "label")
                lineno_col = next(c.index for c in cols if c.role == "lineno")
                if i >= len(side.lines):
                    continue
                line = side.lines[i]
                bold = line.label in ("本年收入合计", "本年支出合计", "总计")
                cells.append((label_col, PrintedCell(line.label, bold=bold)))
                cells.append((lineno_col, PrintedCell(int(line.key), "lineno")))
                for no in line.columns:
                    cells.append((lay.amount_column(no).index,
                                  self.amount(spec, line.key, no, line.label, lineno=line.key,
                                              order=order[line.key])))
            body.append(cells)
        return self.widths(lay.columns, headers, body), headers, depth, body

    # -- 06: 人员经费 | 公用经费 (first 类) | 公用经费 (the other 类), side by side
    def economic(self, spec: TableSpec):
        lay = layout_of(spec.id)
        groups: list[tuple[str, list]] = []     # (heading, [line])
        totals = []
        for line in spec.lines:
            if line.heading:
                groups.append((line.label, []))
            elif line.code:
                groups[-1][1].append(line)
            else:
                totals.append((groups[-1][0], line))     # a total closes the group it follows
        blocks: list[tuple[str, list]] = []
        for heading, lines in groups:
            classes = [i for i, line in enumerate(lines) if len(line.code) == 3]
            if heading == groups[0][0] or len(classes) < 2:
                blocks.append((heading, lines))
            else:   # the seeds print the first 类 of 公用经费 in its own column group
                blocks.append((heading, lines[:classes[1]]))
                blocks.append((heading, lines[classes[1]:]))
        order = {line.key: i for i, line in enumerate(spec.lines)}
        base = lay.columns            # 科目编码, 科目名称, 金额
        sheet_columns = []
        for b, (heading, _) in enumerate(blocks):
            for c in base:
                sheet_columns.append(type(c)(b * len(base) + c.index, (heading, *c.header), c.role, c.no, b, c.width))
        depth = max(len(c.header) for c in sheet_columns)
        headers = [HeaderCell(h.row - HEADER_TOP, h.col, h.text, h.rowspan, h.colspan)
                   for h in merged_headers(sheet_columns, depth)]
        body = []
        width = len(base)
        for i in range(max(len(lines) for _, lines in blocks)):
            cells = []
            for b, (_, lines) in enumerate(blocks):
                if i < len(lines):
                    line = lines[i]
                    first = b * width + 1
                    cells.append((first, PrintedCell(line.code, "code", bold=len(line.code) == 3)))
                    cells.append((first + 1, PrintedCell(line.label, bold=len(line.code) == 3)))
                    cells.append((first + 2, self.amount(spec, line.key, 1, line.label, code=line.code,
                                                         order=order[line.key])))
            body.append(cells)
        # closing row: each total under the column groups of its heading, figure in the last column
        closing = []
        for heading, line in totals:
            members = [b for b, (h, _) in enumerate(blocks) if h == heading]
            first = members[0] * width + 1
            last = (members[-1] + 1) * width
            closing.append((first, PrintedCell(line.label, "center", bold=True, span=last - first)))
            closing.append((last, self.amount(spec, line.key, 1, line.label, order=order[line.key])))
        body.append(closing)
        return self.widths(sheet_columns, headers, body), headers, depth, body

    # -- 09
    def single_row(self, spec: TableSpec):
        lay = layout_of(spec.id)
        headers, depth = self.header_part(spec.id)
        label = spec.title.removesuffix("决算表")
        body = [[(lay.amount_column(c.no).index, self.amount(spec, SINGLE_KEY, c.no, label, lineno=SINGLE_KEY))
                  for c in spec.columns]]
        return self.widths(lay.columns, headers, body), headers, depth, body

    # -- column widths from what the columns hold
    @staticmethod
    def widths(columns, headers, body) -> list[float]:
        widths = []
        for col in columns:
            texts = [cell.value for row in body for c, cell in row if c == col.index and cell.span == 1]
            if col.role == "amount":
                longest = max([len(f"{v:,.2f}") for v in texts if isinstance(v, Decimal)] + [8])
                leaf = display_width(col.header[-1])
                width = max(13.0, longest + 3.0, min(leaf + 2.0, leaf / 2 + 3.0))
            elif col.role in ("lineno",):
                width = 6.0
            elif col.role == "code":
                width = max(9.0, max([len(str(v)) for v in texts if v] + [0]) + 3.0)
            else:
                width = max(10.0, max([display_width(v) for v in texts if isinstance(v, str)] + [0]) + 3.0)
            widths.append(min(width, MAX_COLUMN_WIDTH))
        return widths


def build_publication(report: Report, zero: str = ZERO_BLANK) -> Publication:
    if zero not in ZERO_STYLES:
        raise ValueError(zero)
    builder = _Builder(report)
    tables = [builder.build(table_id) for table_id in TABLE_IDS]
    if not any(ROUNDING_NOTE.rstrip("。") in note for t in tables for note in t.notes):
        tables[0].notes.append(ROUNDING_NOTE)
    return Publication(report, tables, builder.converted, zero)


def printed(value: Decimal | None, zero: str):
    """What an amount cell holds in the published workbook: a Decimal or None (empty)."""
    if value is None or value == ZERO:
        return ZERO.quantize(Decimal("0.01")) if zero == ZERO_DECIMAL else None
    return value


# --- open data ------------------------------------------------------------------------------
RECORD_FIELDS = ("单位名称", "年度", "金额单位", "表号", "表名", "项目", "行次", "科目编码", "栏目", "栏次", "金额")


def records(publication: Publication) -> list[dict[str, str]]:
    """Every figure the workbook gives (zeros included, blanks left out), as flat records."""
    report = publication.report
    unit, year = str(report.unit_name or ""), str(report.year or "")
    out = []
    for f in publication.figures():
        if f.value is None:
            continue
        out.append(dict(zip(RECORD_FIELDS, (unit, year, PUBLISHED_UNIT, f.table, f.title, f.row_label, f.lineno,
                                             f.code, f.column, str(f.no), plain(f.value)))))
    return out


# Where a spreadsheet starts a formula (OWASP, CSV injection); a plain number is not one
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def csv_safe(text: str) -> str:
    """A CSV field a spreadsheet shows as text: one that could start a formula gets a leading
    single quote (OWASP's advice), numbers such as "-12.30" stay numbers. The JSON export
    keeps the raw text."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def records_csv(publication: Publication) -> bytes:
    """UTF-8 with BOM so that Excel opens it correctly; amounts as exact strings; no field a formula."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=RECORD_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: csv_safe(value) for key, value in record.items()} for record in records(publication))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def records_json(publication: Publication) -> bytes:
    report = publication.report
    doc = {
        "单位名称": report.unit_name, "年度": report.year, "金额单位": PUBLISHED_UNIT,
        "报表类型": report.entity, "原金额单位": report.amount_unit, "说明": ROUNDING_NOTE,
        "记录": records(publication),
    }
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
