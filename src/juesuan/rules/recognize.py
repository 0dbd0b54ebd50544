"""A published document recognised as a standard report: the one entry of the importer's
pure part. ``recognize(document, catalog)`` finds the unit information, the nine tables
(by title, in any order or numbering) and the narrative, and returns the report with
the import findings and where every cell came from in the document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..domain.catalog import Catalog
from ..domain.document import DocLine, Document
from ..domain.errors import UnusableWorkbook
from ..domain.layout import parse_a1
from ..domain.model import Ref, Report, add_code_row, blank_report
from ..domain.schema import CODE, DEFAULT_AMOUNT_UNIT, ECONOMIC, INFO_SHEET, SINGLE_ROW, TABLES, TWO_SIDED
from .document_parts import Parts, split_parts
from .document_tables import Placer, read_code_table, read_economic, read_sangong, read_two_sided
from .findings import Finding
from .registry_import import INFO_NOT_FOUND, RENUMBERED_TABLE, TABLE_NOT_FOUND

NOT_A_DISCLOSURE = ("不是部门（单位）决算公开文件：没有找到九张公开表中的任何一张（如“收入支出决算总表”“公开01表”）。"
                    "请确认选对了文件；扫描件须先做文字识别")
PRINTED_FIGURE = re.compile(r"(?<![\d.])(\d{1,3}(,\d{3})+|\d+)\.\d{2}(?![\d%])")
EMPTY_TABLE_WORDS = ("无数据", "没有", "本表为空", "空表")
READERS = {TWO_SIDED: read_two_sided, CODE: read_code_table, ECONOMIC: read_economic, SINGLE_ROW: read_sangong}


@dataclass
class Imported:
    report: Report
    findings: list[Finding]
    positions: dict[Ref, str] = field(default_factory=dict)     # cell -> position in the document
    narrative: list[DocLine] = field(default_factory=list)       # the 情况说明 part, as printed

    @property
    def narrative_text(self) -> str:
        return "\n".join(line.text for line in self.narrative)


def recognize(document: Document, catalog: Catalog) -> Imported:
    parts = split_parts(document)
    if not parts.looks_like_disclosure:
        raise UnusableWorkbook(NOT_A_DISCLOSURE, document.path)
    placer = Placer(catalog)
    findings: list[Finding] = []
    for table_id, spec in TABLES.items():
        section = parts.sections.get(table_id)
        if section is not None and not any(line.tabular for line in section.lines) and not any(
                word in line.text for line in section.lines for word in EMPTY_TABLE_WORDS):
            section = None      # only its title, e.g. in the table of contents: the table itself is missing
        if section is None:
            findings.append(TABLE_NOT_FOUND.finding(table_id, None, title=spec.title))
            continue
        for printed, where in section.printed:
            if printed != f"{table_id}表":
                findings.append(RENUMBERED_TABLE.finding(table_id, None, where=where, printed=printed,
                                                         title=spec.title))
                break
        READERS[spec.kind](table_id, section.lines, placer)
        for line in section.lines:      # figures outside table rows (e.g. a PDF table without rules)
            if not line.tabular and PRINTED_FIGURE.search(line.text) and not line.text.lstrip().startswith("注"):
                placer.unplaced(table_id, line)
    report = _report(parts, placer, findings)
    report.source = document.path
    positions = {Ref(*key): where for key, where in placer.positions.items()}
    return Imported(report, findings + placer.findings, positions, parts.narrative)


def _report(parts: Parts, placer: Placer, findings: list[Finding]) -> Report:
    report = blank_report()
    for table_id, rows in placer.code_rows.items():
        for code, name, _where in rows:
            add_code_row(report, table_id, code, name)
    for (table_id, key, no), value in placer.values.items():
        row = report.tables[table_id].row(key)
        if row is not None and no in row.cells:
            row.cells[no].value = value
    report_type = parts.report_type or parts.report_phrase
    amount_unit = parts.amount_unit
    for key, label, found, fallback in (
            ("unit_name", "单位名称", parts.unit_name, ""),
            ("year", "年度", parts.year, ""),
            ("amount_unit", "金额单位", amount_unit, f"，按{DEFAULT_AMOUNT_UNIT}导入"),
            ("report_type", "报表类型（部门或单位）", report_type, "，按单位导入")):
        if found is None:
            findings.append(INFO_NOT_FOUND.finding(INFO_SHEET, None, label=label, fallback=fallback))
    report.info["unit_name"].value = parts.unit_name[0] if parts.unit_name else None
    report.info["year"].value = parts.year[0] if parts.year else None
    report.info["amount_unit"].value = amount_unit[0] if amount_unit else DEFAULT_AMOUNT_UNIT
    report.info["report_type"].value = report_type[0] if report_type else "单位"
    return report


def cite_positions(findings: list[Finding], imported: Imported) -> list[Finding]:
    """Add the document position of each finding's cell to its message: "（原文第112行）"."""
    by_address: dict[tuple[str, int, int], str] = {}
    by_row: dict[tuple[str, int], str] = {}         # a code or name cell: where its row was printed
    for ref, where in imported.positions.items():
        cell = imported.report.cell(ref)
        if cell is not None:
            by_address[(ref.table, cell.row, cell.col)] = where
            by_row.setdefault((ref.table, cell.row), where)
    for finding in findings:
        if not finding.cell or finding.table not in TABLES:
            continue
        try:
            row, col = parse_a1(finding.cell)
        except (ValueError, IndexError):
            continue
        where = by_address.get((finding.table, row, col)) or by_row.get((finding.table, row))
        if where and "原文" not in finding.message:
            finding.message = f"{finding.message}（原文{where}）"
    return findings
