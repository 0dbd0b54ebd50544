"""Reading the rows of one recognised table section into standard cells.

Pure. Each reader takes the section's lines (``document_parts.Section``) and puts every
figure it can place through a ``Placer``, which keeps the value (Decimal, blank stays
None and 0.00 stays 0.00), where in the document it came from, and the findings. A
table row that cannot be placed is a finding (I01), never a silent skip.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.catalog import Catalog, normalize_name
from ..domain.document import DocLine
from ..domain.money import AmountError, parse_amount
from ..domain.schema import PERSONNEL_TOTAL, PUBLIC_TOTAL, SINGLE_KEY, TABLES, TOTAL_KEY
from .document_parts import clean, squeeze
from .findings import Finding
from .registry_import import (
    BAD_DOCUMENT_AMOUNT,
    CODE_NOT_RECOVERED,
    CODE_RECOVERED,
    REPEATED_ROW,
    UNPLACED_LINE,
    VERTICAL_SANGONG,
)

WHOLE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d{1,15})$")
FIGURE = re.compile(r"^[(（]?[+-]?(\d{1,3}(,\d{3})+|\d+)\.\d+[)）]?$")
DASHES = {"-", "—", "－", "--", "——", "/"}
FUNCTION_CODE = re.compile(r"^\d{3,7}$")
ECONOMIC_CODE = re.compile(r"^3\d{2,4}$")
CODE_AND_NAME = re.compile(r"^(\d{3,7})([^\d.,].*)$")
HEADER_WORDS = {"项目", "金额", "收入", "支出", "预算数", "决算数", "人员经费", "公用经费", "本年支出"}
HEADER_PARTS = ("栏次", "行次", "科目编码", "科目代码", "科目名称")
TOTAL_WORDS = ("合计", "总计")


def is_figure(cell: str) -> bool:
    return FIGURE.match(re.sub(r"\s+", "", cell)) is not None


def is_value(cell: str) -> bool:
    """A cell that can stand in an amount column: a figure (also a whole number: some units
    print 190 for 190.00), a dash or blank."""
    text = squeeze(cell)
    return text == "" or text in DASHES or is_figure(text) or WHOLE.match(text) is not None


def _short(cells) -> str:
    text = " | ".join(c for c in (clean(x) for x in cells) if c)
    return text if len(text) <= 60 else text[:60] + "…"


@dataclass
class Placer:
    """Collects what the readers place: values by (table, key, 栏次), code rows, findings."""
    catalog: Catalog
    values: dict[tuple[str, str, int], Decimal | None] = field(default_factory=dict)
    positions: dict[tuple[str, str, int], str] = field(default_factory=dict)
    code_rows: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)   # table -> (code, name, where)
    findings: list[Finding] = field(default_factory=list)

    def amount(self, table: str, raw: str, where: str, label: str) -> Decimal | None:
        text = re.sub(r"\s+", "", clean(raw)).replace("（", "(").replace("）", ")")
        try:
            return parse_amount(text)
        except AmountError:
            self.findings.append(BAD_DOCUMENT_AMOUNT.finding(table, None, where=where, label=label, raw=clean(raw)))
            return None

    def put(self, table: str, key: str, no: int, raw: str, where: str, label: str) -> None:
        value = self.amount(table, raw, where, label)
        ref = (table, key, no)
        if ref in self.positions:
            if self.values[ref] != value:
                self.findings.append(REPEATED_ROW.finding(table, None, where=where, key=label,
                                                          first=f"原文{self.positions[ref]}"))
            return
        self.values[ref] = value
        self.positions[ref] = where

    def unplaced(self, table: str, line: DocLine, cells=None) -> None:
        self.findings.append(UNPLACED_LINE.finding(table, None, where=line.where,
                                                   text=_short(cells if cells is not None else line.cells)))


def _cells(line: DocLine) -> list[str]:
    return [clean(c) for c in line.cells]


def _figure_rows(lines: list[DocLine]):
    """(line, its cleaned cells) of the table's lines that are neither text nor a heading/栏次 line."""
    for line in lines:
        if line.tabular:
            cells = _cells(line)
            if not _header_like(cells):
                yield line, cells


def _header_like(cells: list[str]) -> bool:
    """A heading or 栏次 line: no figure, and header words or only column numbers."""
    if any(is_figure(c) for c in cells):
        return False
    words = [squeeze(c) for c in cells if squeeze(c)]
    if not words:
        return True
    if all(w.isdigit() and len(w) <= 2 for w in words):
        return True
    if FUNCTION_CODE.match(words[0]) or words[0] in TOTAL_WORDS:
        return False
    return any(w in HEADER_WORDS or any(h in w for h in HEADER_PARTS) for w in words)


# --- 01 / 04: rows by 行次 ---------------------------------------------------------------------
def read_two_sided(table_id: str, lines: list[DocLine], placer: Placer) -> None:
    spec_lines = {line.key: line for line in TABLES[table_id].all_lines()}
    for line, cells in _figure_rows(lines):
        used: set[int] = set()
        i = 0
        while i < len(cells):
            number = squeeze(cells[i])
            spec_line = spec_lines.get(number) if number.isdigit() else None
            if spec_line is not None and not (i > 0 and is_figure(cells[i - 1])):
                label = squeeze(cells[i - 1]) if i > 0 else ""
                used.update(range(max(i - 1, 0), i + 1 + len(spec_line.columns)))
                for offset, no in enumerate(spec_line.columns, start=1):
                    raw = cells[i + offset] if i + offset < len(cells) else ""
                    placer.put(table_id, spec_line.key, no, raw, line.where, f"行次{number}{label and '（' + label + '）'}")
                i += 1 + len(spec_line.columns)
                continue
            i += 1
        if not used:
            used = _place_by_label(table_id, cells, line, placer)
        left = [c for k, c in enumerate(cells) if k not in used and squeeze(c)]
        if any(is_figure(c) for c in left):
            placer.unplaced(table_id, line, left)


_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|\d+[、.．])")
_ASIDE = re.compile(r"[（(][^）)]*[）)]$")


def _bare(label: str) -> str:
    """A 01/04 line label without its ordinal and a trailing aside: 使用非财政拨款结余（含专用结余） → 使用非财政拨款结余."""
    return _ASIDE.sub("", _ORDINAL.sub("", squeeze(label)))


def _place_by_label(table_id: str, cells: list[str], line: DocLine, placer: Placer) -> set[int]:
    """A 01/04 row printed without 行次: each label names its line (in the order the sides list
    them; a label both sides carry, such as 总计, is the income side's first)."""
    sides = TABLES[table_id].sides
    used: set[int] = set()
    side_seen = -1
    for i, cell in enumerate(cells):
        if not squeeze(cell) or is_value(cell):
            continue
        label = _bare(cell)
        for side in range(max(side_seen, 0), len(sides)):
            spec_line = next((x for x in sides[side].lines if x.columns and x.label and _bare(x.label) == label
                              and (table_id, x.key, x.columns[0]) not in placer.positions), None)
            if spec_line is None:
                continue
            side_seen = side + 1
            used.update(range(i, i + 1 + len(spec_line.columns)))
            for offset, no in enumerate(spec_line.columns, start=1):
                raw = cells[i + offset] if i + offset < len(cells) else ""
                placer.put(table_id, spec_line.key, no, raw, line.where, f"行次{spec_line.key}（{label}）")
            break
    return used


# --- 02 03 05 07 08: rows by function code -----------------------------------------------------
def _split_row(cells: list[str], width: int) -> tuple[list[str], list[str]]:
    """(label cells, the `width` value cells) of a code-table row."""
    cells = list(cells)
    while len(cells) > width + 2 and cells[-1] == "" and any(is_figure(c) for c in cells[:-width]):
        cells.pop()
    if len(cells) >= width + 2 and all(not is_figure(c) for c in cells[:-width]) \
            and all(is_value(c) for c in cells[-width:]):
        return cells[:-width], cells[-width:]
    # a short row (trailing blanks dropped): the leading text cells, then the values
    k = 0
    while k < len(cells) and squeeze(cells[k]) == "":
        k += 1
    first = k
    # the code, then name cells; a cell with digits after the code is a (mistyped) figure, not a name
    while k < len(cells) and squeeze(cells[k]) and (
            (k == first and not is_figure(cells[k]))
            or (not is_value(cells[k]) and not re.search(r"[0-9]", cells[k]))):
        k += 1
    values = cells[k:]
    return cells[:k], values + [""] * (width - len(values))


def recover_code(raw: str, name: str, known: dict[str, str], lengths: tuple[int, ...]) -> str | None:
    """The one catalogue code of a standard length that begins with the truncated `raw` and
    carries `name` (compared without spaces and bracket widths); None when not exactly one."""
    wanted = normalize_name(name)
    hits = [code for code, official in known.items()
            if len(code) in lengths and code.startswith(raw[:3]) and normalize_name(official) == wanted]
    if len(hits) > 1:
        hits = [code for code in hits if code.startswith(raw)]
    return hits[0] if len(hits) == 1 else None


def read_code_table(table_id: str, lines: list[DocLine], placer: Placer) -> None:
    columns = [c.no for c in TABLES[table_id].columns]
    rows = placer.code_rows.setdefault(table_id, [])
    last_blank_row: str | None = None      # a row printed with its name but no figures, just before
    previous_row: str | None = None        # the code of the table row just before (no heading between)
    for line in lines:
        if not line.tabular:
            continue
        cells = _cells(line)
        if _header_like(cells):
            previous_row = last_blank_row = None
            continue
        labels, values = _split_row(cells, len(columns))
        words = [squeeze(c) for c in labels if squeeze(c)]
        joined = CODE_AND_NAME.match(words[0]) if words else None
        if joined:                                  # "201 一般公共服务支出" in one cell
            words[:1] = [joined.group(1), joined.group(2)]
        code = words[0] if words and FUNCTION_CODE.match(words[0]) else None
        name = "".join(words[1:] if code else words)
        extra = [v for v in values[len(columns):] if squeeze(v)]
        values = values[:len(columns)]
        has_figures = any(squeeze(v) for v in values)
        if extra or (not code and any(not is_value(v) for v in values)):   # a code row's bad figure: I02
            placer.unplaced(table_id, line)
            previous_row = last_blank_row = None
            continue
        if code and len(code) not in (3, 5, 7):
            recovered = recover_code(code, name, placer.catalog.function, (3, 5, 7))
            if recovered is None:
                placer.findings.append(CODE_NOT_RECOVERED.finding(table_id, None, where=line.where, raw=code, name=name))
                previous_row = last_blank_row = None
                continue
            placer.findings.append(CODE_RECOVERED.finding(table_id, None, where=line.where, raw=code,
                                                          name=name, code=recovered))
            code = recovered
        if code:
            key = code
            if all(existing != code for existing, _, _ in rows):   # printed twice: Placer compares the figures
                rows.append((code, name, line.where))
        elif name in TOTAL_WORDS or (not name and has_figures and not rows and
                                     (table_id, TOTAL_KEY, columns[0]) not in placer.positions):
            key = TOTAL_KEY
        elif name and not has_figures and rows and previous_row == rows[-1][0]:
            code0, name0, where0 = rows[-1]         # a name continued on the next line
            rows[-1] = (code0, name0 + name, where0)
            continue
        elif name and has_figures and last_blank_row is not None and rows and rows[-1][0] == last_blank_row:
            code0, name0, where0 = rows[-1]         # the name's first part came with the code, the figures here
            rows[-1] = (code0, name0 + name, where0)
            key = code0
            for no in columns:
                placer.positions.pop((table_id, key, no), None)
                placer.values.pop((table_id, key, no), None)
        else:
            if has_figures or name:
                placer.unplaced(table_id, line)
            previous_row = last_blank_row = None
            continue
        for no, raw in zip(columns, values):
            placer.put(table_id, key, no, raw, line.where, f"{key} 第{no}栏")
        last_blank_row = key if code and not has_figures else None
        previous_row = key


# --- 06: economic codes in three side-by-side groups ---------------------------------------------
def read_economic(table_id: str, lines: list[DocLine], placer: Placer) -> None:
    keys = {line.key for line in TABLES[table_id].all_lines() if line.columns}
    known = {item.code: item.name for item in placer.catalog.economic}
    for line, cells in _figure_rows(lines):
        used: set[int] = set()
        i = 0
        while i < len(cells):
            word = squeeze(cells[i])
            is_code = ECONOMIC_CODE.match(word) and i + 1 < len(cells) and squeeze(cells[i + 1]) \
                and not is_figure(cells[i + 1])
            is_total = word in (PERSONNEL_TOTAL, PUBLIC_TOTAL)
            if not (is_code or is_total):
                i += 1
                continue
            key, name, start = word, (squeeze(cells[i + 1]) if is_code else word), i + (2 if is_code else 1)
            used.update(range(i, start))
            value, k = "", start
            while k < len(cells):
                here = squeeze(cells[k])
                if here:
                    next_code = ECONOMIC_CODE.match(here) and k + 1 < len(cells) \
                        and squeeze(cells[k + 1]) and not is_value(cells[k + 1])
                    if is_value(here) and not next_code:
                        value = cells[k]
                        used.add(k)
                    break
                k += 1
            if is_code and len(key) not in (3, 5):
                recovered = recover_code(key, name, known, (3, 5))
                if recovered is None:
                    placer.findings.append(CODE_NOT_RECOVERED.finding(table_id, None, where=line.where,
                                                                      raw=key, name=name))
                    i = k + 1 if value else start
                    continue
                placer.findings.append(CODE_RECOVERED.finding(table_id, None, where=line.where, raw=key,
                                                              name=name, code=recovered))
                key = recovered
            if key in keys:
                placer.put(table_id, key, 1, value, line.where, f"{key}（{name}）")
            else:
                placer.unplaced(table_id, line, [key, name, value])
            i = k + 1 if value else start
        left = [c for k, c in enumerate(cells) if k not in used and is_figure(c)]
        if left:
            placer.unplaced(table_id, line, left)


# --- 09: one row of 12, or printed vertically ----------------------------------------------------
def _sangong_item(label: str) -> int | None:
    """The 栏次 (1–6, 预算数 side) of a vertical 三公 row label."""
    if label in TOTAL_WORDS:
        return 1
    if "出国" in label:
        return 2
    if "购置及运行" in label or ("购置" in label and "运行" in label):
        return 3
    if "运行" in label:
        return 5
    if "购置" in label:
        return 4
    if "接待" in label:
        return 6
    return None


def read_sangong(table_id: str, lines: list[DocLine], placer: Placer) -> None:
    rows = [(line, _cells(line)) for line in lines if line.tabular]
    vertical = any(_sangong_item(squeeze(next((c for c in cells if squeeze(c)), ""))) in (2, 6)
                   and any(is_figure(c) for c in cells) for _, cells in rows)
    if vertical:
        _read_vertical_sangong(table_id, rows, placer)
        return
    for line, cells in rows:
        if _header_like(cells) or not any(is_figure(c) for c in cells):
            continue
        if cells and squeeze(cells[0]) and not is_value(cells[0]):
            cells = cells[1:]                       # a leading label such as 金额
        values = cells[:12] + [""] * (12 - len(cells[:12]))
        if any(squeeze(c) for c in cells[12:]) or any(not is_value(v) for v in values) \
                or (table_id, SINGLE_KEY, 1) in placer.positions:
            placer.unplaced(table_id, line)
            continue
        for no, raw in enumerate(values, start=1):
            placer.put(table_id, SINGLE_KEY, no, raw, line.where, f"第{no}栏")


def _read_vertical_sangong(table_id: str, rows, placer: Placer) -> None:
    budget_first, noted = True, False
    for line, cells in rows:
        words = [squeeze(c) for c in cells if squeeze(c)]
        if _header_like(cells):
            joined = "".join(words)
            if "预算" in joined and "决算" in joined:
                budget_first = joined.index("预算") < joined.index("决算")
            continue
        label = words[0] if words else ""
        no = _sangong_item(label.replace("其中", "").lstrip("：:"))
        values = [c for c in cells[1:]] if cells and squeeze(cells[0]) == label else cells
        values = [c for c in values if is_value(c)]
        if no is None or len(values) < 1 or any(not is_value(c) for c in cells[1:]):
            placer.unplaced(table_id, line)
            continue
        values = (values + [""])[:2]
        if not budget_first:
            values.reverse()
        if not noted:
            placer.findings.append(VERTICAL_SANGONG.finding(table_id, None, where=line.where))
            noted = True
        placer.put(table_id, SINGLE_KEY, no, values[0], line.where, f"预算数 {label}")
        placer.put(table_id, SINGLE_KEY, no + 6, values[1], line.where, f"决算数 {label}")
