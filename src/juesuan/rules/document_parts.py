"""Recognising the parts of a published document: its unit, year and amount unit, the
nine tables (by title, whatever number they are printed with) and the narrative part.

Pure: reads a ``domain.document.Document``; the tables' rows are read by
``document_tables``. Markup left by conversions (``#``, ``-``, ``<b>``, ``**``) is ignored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..domain.document import DocLine, Document
from ..domain.schema import AMOUNT_UNITS, DEPARTMENT_REPORT, TABLES, UNIT_REPORT

_MARKUP = re.compile(r"<[^>]+>|\*\*|__")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")
PART_HEADING = re.compile(r"^第([一二三四五六七八九十]+)部分")
MARKER = re.compile(r"公开\s*0?(\d{1,2})\s*表")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?")
UNIT_LINE = re.compile(r"^(单位|部门|单位名称|部门名称|编制单位)\s*[:：]\s*(.+)$")
AMOUNT_UNIT = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|元)\s*$")
NARRATIVE_PART = "三"
# a title may carry a short prefix: an ordinal (一、 （一）), the year (2024年度), a list mark
_TITLE_PREFIX_MAX = 12


def clean(text: str) -> str:
    """A cell or line without conversion markup, surrounding blanks and list marks."""
    text = _MARKUP.sub("", text or "").replace("\u3000", " ").strip()
    text = text.lstrip("#").strip()
    if text.startswith("- "):
        text = text[2:].strip()
    return text


def squeeze(text: str) -> str:
    """Cleaned and without any whitespace: labels compare this way ('合 计' is 合计)."""
    return re.sub(r"\s+", "", clean(text))


_TITLES = sorted(((squeeze(spec.title).translate(_QUOTES), table_id) for table_id, spec in TABLES.items()),
                 key=lambda item: -len(item[0]))


def title_of(line: DocLine) -> str | None:
    """The standard table whose title this line is (longest title the line ends with), or None."""
    if line.tabular and sum(1 for c in line.cells if c.strip()) > 1:
        return None
    text = squeeze(line.text).translate(_QUOTES)
    text = MARKER.sub("", text)
    for title, table_id in _TITLES:
        if text.endswith(title) and len(text) - len(title) <= _TITLE_PREFIX_MAX:
            return table_id
    return None


def part_of(line: DocLine) -> str | None:
    match = PART_HEADING.match(squeeze(line.text))
    return match.group(1) if match else None


@dataclass
class Section:
    table_id: str
    where: str                                  # the title's position
    lines: list[DocLine] = field(default_factory=list)
    printed: list[tuple[str, str]] = field(default_factory=list)   # (公开NN表 as printed, where)


@dataclass
class Parts:
    sections: dict[str, Section]
    narrative: list[DocLine]
    unit_name: tuple[str, str] | None = None     # (value, where)
    year: tuple[int, str] | None = None
    amount_unit: tuple[str, str] | None = None
    report_type: tuple[str, str] | None = None     # from the 单位：/部门： label of the tables
    report_phrase: tuple[str, str] | None = None   # from 单位决算 / 部门决算 in a heading
    looks_like_disclosure: bool = False


def narrative_span(lines: list[DocLine]) -> tuple[int, int] | None:
    """[start, end) of the narrative part (情况说明): from the last 第三部分 heading (the first is
    the table of contents) to the next part heading; else from a 情况说明 heading after the tables."""
    heads = [(i, part_of(line)) for i, line in enumerate(lines)]
    starts = [i for i, part in heads if part == NARRATIVE_PART]
    if not starts:
        candidates = [i for i, line in enumerate(lines)
                      if not line.tabular and squeeze(line.text).endswith("决算情况说明")
                      and len(squeeze(line.text)) <= 30]
        if not candidates:
            return None
        starts = candidates
    start = starts[-1]
    end = next((i for i, part in heads[start + 1:] if part and part != NARRATIVE_PART), len(lines))
    return start, end


def split_parts(document: Document) -> Parts:
    lines = document.lines
    span = narrative_span(lines)
    narrative = lines[span[0]:span[1]] if span else []
    skip = range(*span) if span else range(0)
    sections: dict[str, Section] = {}
    current: Section | None = None
    parts = Parts(sections, narrative)
    for index, line in enumerate(lines):
        if index in skip:
            current = None
            continue
        _read_info(line, parts)
        if part_of(line):
            current = None
            continue
        table_id = title_of(line)
        if table_id:
            current = sections.setdefault(table_id, Section(table_id, line.where))
            continue
        marker = MARKER.search(squeeze(line.text)) if not line.tabular else _marker_cell(line)
        if marker:
            if current is None:         # a table printed without its title: known by its number
                number = int(marker.group(1))
                table_id = f"公开{number:02d}" if 1 <= number <= 9 else None
                if table_id:
                    current = sections.setdefault(table_id, Section(table_id, line.where))
            if current is not None:
                current.printed.append((f"公开{int(marker.group(1)):02d}表", line.where))
            continue
        if current is not None:
            current.lines.append(line)
    parts.looks_like_disclosure = bool(sections)
    return parts


def _marker_cell(line: DocLine):
    """公开NN表 printed in a cell of a table's top row (Word tables often carry it so)."""
    for cell in line.cells:
        match = MARKER.fullmatch(re.sub(r"（续）|\(续\)", "", squeeze(cell)))
        if match:
            return match
    return None


def _read_info(line: DocLine, parts: Parts) -> None:
    """Unit name, year, 部门/单位 and amount unit from the first line that states each; in a
    table row (a Word table's top rows), from each cell."""
    if line.tabular:
        for cell in line.cells:
            if "：" in cell or ":" in cell:
                _read_info(DocLine((cell,), line.where), parts)
        return
    text = clean(line.text)
    compact = squeeze(text)
    if parts.amount_unit is None:
        unit = AMOUNT_UNIT.search(compact)
        if unit and unit.group(1) in AMOUNT_UNITS and "金额" in compact:
            parts.amount_unit = (unit.group(1), line.where)
    # "单位：某某局  金额单位：万元" on one line (our own publication prints it so)
    before_unit = re.split(r"\s*金额单位", text)[0]
    named = UNIT_LINE.match(re.sub(r"\s*[:：]\s*", "：", before_unit, count=1))
    if named and parts.unit_name is None and not AMOUNT_UNIT.search(squeeze(before_unit)):
        label, value = named.group(1), re.sub(r"\s+", "", named.group(2))
        value = value.replace("(", "（").replace(")", "）")
        if value and value not in AMOUNT_UNITS:
            parts.unit_name = (value, line.where)
            parts.report_type = (DEPARTMENT_REPORT if label.startswith("部门") else UNIT_REPORT, line.where)
    if parts.year is None and "决算" in compact:
        year = YEAR.search(compact)
        if year:
            parts.year = (int(year.group(1)), line.where)
    if parts.report_phrase is None:
        for phrase in (DEPARTMENT_REPORT, UNIT_REPORT):
            if f"{phrase}决算" in compact:
                parts.report_phrase = (phrase, line.where)
                break
