"""The buttons inside Excel: 审核, 填充计算, 生成公开表, 清除标记 on the open workbook (xlwings).

The VBA macros (``macros/Juesuan.bas``, built into ``xlsx_templates/juesuan.xlam`` and
``xlsx_templates/standard.xlsm`` by ``python -m juesuan.build_excel``) each make one call::

    RunPython "import juesuan.excel as xl; xl.validate()"

Every entry point takes the calling book (``xw.Book.caller()``), reads each standard
sheet's used range in one read, runs the same core as the CLI (parse_grids -> audit ->
build_review, fill_report for 填充计算) and writes back in blocks, using only what
xlwings' VBA client (xlwings/addin/Remote.bas) implements: values, fill colours,
number formats, add sheet, clear range, hyperlinks, activate sheet and message boxes.
So the same code runs under RunPython (COM on Windows, AppleScript on macOS) and
against xlwings' remote engine, which the tests use on Linux (``--selftest``).

Per-cell calls are left only where xlwings has no block form: one hyperlink per
review row, and reading the fill of a cell marked for the first time (cells already
in the registry of 审核结果 are not read again). Colouring goes by rectangles of
equal colour; amounts written by 填充计算 go by rectangles of changed cells.
The registry columns N/O get the number format ";;;" instead of being hidden, as the
VBA client cannot hide columns; their content is the CLI's, so either tool reads
the other's marks and notes. A clerk's mistake or an unusable book ends in a Chinese message box, never in a
Python traceback; an unexpected error is logged to ``%TEMP%/juesuan-excel.log``.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .domain.catalog import load_catalog
from .domain.errors import UnusableWorkbook, WriteRefused
from .domain.layout import parse_a1
from .domain.schema import INFO_SHEET, REVIEW_COLUMNS, REVIEW_SHEET, TABLE_IDS
from .rules.audit import audit
from .rules.findings import ERROR, INFO, WARNING, sort_findings
from .rules.parse import parse_grids
from .views.review import (
    FIRST_ROW,
    HEADER_ROW,
    MARK_COLUMNS,
    Review,
    build_review,
    derived_cells,
)
from .views.styles import AMOUNT_FORMAT, DERIVED_FILL, HEADER_FILL, SEVERITY_FILLS

TITLE = "决算助手"
LAST_REVIEW_COLUMN = MARK_COLUMNS[1]          # O: the review sheet spans A..O
TEXT_FORMAT = "@"                              # review text stays text: "1,234.00" must not become a number
HIDDEN_FORMAT = ";;;"                          # shows nothing: the registry columns N/O (VBA client cannot hide columns)
LOG_NAME = "juesuan-excel.log"
XLWINGS_VERSION = "0.37.8"                     # the VBA modules built into the .xlam/.xlsm come from this release
ENTRY_POINTS = ("validate", "fill", "publish", "clear_marks")


# --- reading ---------------------------------------------------------------------------
def _xlwings():
    try:
        import xlwings
    except ImportError:   # pragma: no cover - the VBA only calls us when xlwings is there
        raise UnusableWorkbook("未安装 xlwings：请在命令行运行 pip install \"juesuan[excel]\"") from None
    return xlwings


def _caller(book):
    return book if book is not None else _xlwings().Book.caller()


def sheet_values(sheet) -> list[tuple]:
    """The sheet's values from A1 to the end of its used range, in one read."""
    last = sheet.used_range.last_cell
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value
    return [tuple(row) for row in values]


@dataclass
class LiveBook:
    """What one run read from the open book."""
    book: object
    names: list[str]
    grids: dict[str, list[tuple]]
    review_rows: list[tuple] | None            # 审核结果 values, None when the sheet is absent

    def sheet(self, name: str):
        return self.book.sheets[name]


def read_book(book) -> LiveBook:
    names = [sheet.name for sheet in book.sheets]
    grids: dict[str, list[tuple]] = {}
    review_rows = None
    for name in names:
        if name == INFO_SHEET or name in TABLE_IDS:
            grids[name] = sheet_values(book.sheets[name])
        elif name == REVIEW_SHEET:
            review_rows = sheet_values(book.sheets[name])
            grids[name] = []
        else:
            grids[name] = []          # other sheets: by name only, as the file reader does
    return LiveBook(book, names, grids, review_rows)


class _GridSheet:
    def __init__(self, rows):
        self._rows = rows

    def iter_rows(self, min_row=1, values_only=True):
        for row in self._rows[min_row - 1:]:
            yield tuple(row)


class _GridBook:
    """The 审核结果 values in the shape writeback.previous_review reads, so both adapters share one parser."""

    def __init__(self, live: LiveBook):
        self.sheetnames = list(live.names)
        self._review = live.review_rows or []

    def __getitem__(self, name):
        if name != REVIEW_SHEET:
            raise KeyError(name)
        return _GridSheet(self._review)


def previous_registry(live: LiveBook) -> tuple[dict, list[tuple[str, str, str]]]:
    """(notes by finding key, [(sheet, A1, original fill text)]) left by the last run, CLI or Excel."""
    from .io.review_xlsx import previous_review
    notes, marks = previous_review(_GridBook(live))
    return {key: _plain(value) for key, value in notes.items()}, marks


def _plain(value):
    """Excel hands every number over as a float; a note typed as 12 is 12."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- colours ---------------------------------------------------------------------------
def fill_hex(original: str) -> str | None:
    """The colour a registry entry restores, as '#RRGGBB'; None for no fill.

    xlwings sets plain RGB fills only: theme colours and gradients come back as
    their RGB where the file says it, else as no fill.
    """
    from openpyxl.styles import GradientFill
    from openpyxl.styles.colors import COLOR_INDEX

    from .io.review_xlsx import _text_to_fill
    fill = _text_to_fill(original)
    if isinstance(fill, GradientFill):
        color = fill.stop[0].color if fill.stop else None
    elif getattr(fill, "fill_type", None) is None:
        color = None
    else:
        color = fill.fgColor
    if color is None:
        return None
    if color.type == "rgb" and isinstance(color.rgb, str) and re.fullmatch(r"[0-9A-Fa-f]{6,8}", color.rgb):
        return "#" + color.rgb[-6:].upper()
    if color.type == "indexed" and isinstance(color.indexed, int) and color.indexed < len(COLOR_INDEX):
        return "#" + COLOR_INDEX[color.indexed][-6:]
    return None


def fill_text(rgb: str | None) -> str:
    """Registry text for a fill read from Excel ('#RRGGBB' or None), as the file writer spells it."""
    from openpyxl.styles import PatternFill

    from .io.review_xlsx import _fill_to_text
    if rgb is None:
        return ""
    return _fill_to_text(PatternFill("solid", fgColor="00" + rgb.lstrip("#").upper()))


def rectangles(cells) -> list[tuple[int, int, int, int]]:
    """Group (row, col) cells into few rectangles (r1, c1, r2, c2): runs along rows, stacked when aligned."""
    rows: dict[int, list[int]] = {}
    for row, col in set(cells):
        rows.setdefault(row, []).append(col)
    runs = []
    for row in sorted(rows):
        cols = sorted(rows[row])
        start = prev = cols[0]
        for col in cols[1:] + [None]:
            if col is not None and col == prev + 1:
                prev = col
                continue
            runs.append((row, start, prev))
            if col is not None:
                start = prev = col
    open_rects: dict[tuple[int, int], list[int]] = {}
    out = []
    for row, c1, c2 in runs:
        rect = open_rects.get((c1, c2))
        if rect is not None and rect[2] == row - 1:
            rect[2] = row
        else:
            if rect is not None:
                out.append(rect)
            open_rects[(c1, c2)] = [row, c1, row, c2]
    out.extend(open_rects.values())
    return sorted((r1, c1, r2, c2) for r1, c1, r2, c2 in out)


def _paint(book, colours: dict[tuple[str, str], str | None]) -> int:
    """Colour {(sheet, A1): '#RRGGBB' | None}, one call per rectangle of equal colour. Returns the call count."""
    groups: dict[tuple[str, str | None], list[tuple[int, int]]] = {}
    for (sheet, address), colour in colours.items():
        groups.setdefault((sheet, colour), []).append(parse_a1(address))
    calls = 0
    for (sheet, colour), cells in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        target = book.sheets[sheet]
        for r1, c1, r2, c2 in rectangles(cells):
            target.range((r1, c1), (r2, c2)).color = colour
            calls += 1
    return calls


def _read_fills(live: LiveBook, cells: list[tuple[str, str]], report) -> dict[tuple[str, str], str]:
    """Registry text of the current fill of each newly marked cell.

    Desktop Excel: one read per cell, as xlwings has no block read of fills (only cells
    not already in the registry are read, so a re-run reads few). The remote engine
    cannot read fills at all; there the standard workbook's own shading stands in
    (derived cells grey, the rest unfilled), which is what ``juesuan template`` books have.
    """
    out: dict[tuple[str, str], str] = {}
    try:
        for sheet, address in cells:
            out[(sheet, address)] = fill_text(_rgb(live.sheet(sheet).range(address).color))
    except NotImplementedError:
        return _standard_fills(cells, report)
    return out


def _rgb(colour) -> str | None:
    if colour is None:
        return None
    if isinstance(colour, str):
        return "#" + colour.lstrip("#")[-6:].upper()
    red, green, blue = (int(round(float(part))) for part in colour)
    return f"#{red:02X}{green:02X}{blue:02X}"


def _standard_fills(cells, report) -> dict[tuple[str, str], str]:
    derived = derived_cells(report)
    grey = fill_text("#" + DERIVED_FILL)
    return {key: grey if key in derived else "" for key in cells}


# --- the review sheet ------------------------------------------------------------------
@dataclass
class ReviewPlan:
    """Everything one run writes, computed before the first write."""
    restore: dict[tuple[str, str], str | None]     # old marks going back to their original colour
    marks: dict[tuple[str, str], str]              # new marks -> severity colour
    block: list[list]                              # 审核结果 rows 2.. , columns A..O
    severity_runs: list[tuple[int, int, str]]      # (first row, last row, colour) in column B
    links: list[tuple[int, str, str]]              # (row, '#'sheet'!A1', text) in column E
    body_last: int                                 # last row of the review rows (>= HEADER_ROW)
    counts: dict[str, int] = field(default_factory=dict)


def plan_review(live: LiveBook, review: Review, report, old_marks) -> ReviewPlan:
    from .io.review_xlsx import safe_text
    sheets = set(live.names) | {REVIEW_SHEET}
    old = {(sheet, address): original for sheet, address, original in old_marks
           if sheet in sheets and sheet != REVIEW_SHEET and _valid_address(address)}
    new = {key: severity for key, severity in review.marks.items() if key[0] in sheets and key[0] != REVIEW_SHEET}
    restore = {key: fill_hex(original) for key, original in old.items() if key not in new}
    unknown = [key for key in sorted(new) if key not in old]
    originals = dict(old)
    originals.update(_read_fills(live, unknown, report) if unknown else {})

    registry_rows = {}
    for offset, (key, _severity) in enumerate(sorted(review.marks.items())):
        if key in new:
            registry_rows[FIRST_ROW + offset] = (f"{key[0]}!{key[1]}", safe_text(originals.get(key) or ""))
    last = max([HEADER_ROW, FIRST_ROW + len(review.rows) - 1, *registry_rows])
    width = LAST_REVIEW_COLUMN
    block = [[None] * width for _ in range(2, last + 1)]

    def put(row, col, value):
        block[row - 2][col - 1] = safe_text(value) if isinstance(value, str) else value

    for col, label in enumerate(REVIEW_COLUMNS, start=1):          # review_header, then the lines over it
        put(HEADER_ROW, col, label)
    for row, line in enumerate(review.lines, start=2):
        put(row, 1, line)
    put(HEADER_ROW, MARK_COLUMNS[0], "标记单元格")
    put(HEADER_ROW, MARK_COLUMNS[1], "原填充")
    runs, links = [], []
    for offset, item in enumerate(review.rows):
        row = FIRST_ROW + offset
        for col, value in enumerate(item.values, start=1):
            put(row, col, value)
        colour = "#" + SEVERITY_FILLS[item.severity]
        if runs and runs[-1][2] == colour and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row, colour)
        else:
            runs.append((row, row, colour))
        if item.link and item.link[0] in sheets:
            sheet_name = item.link[0].replace("'", "''")
            links.append((row, f"#'{sheet_name}'!{item.link[1]}", safe_text(str(item.values[4]))))
    for row, (where, original) in registry_rows.items():
        put(row, MARK_COLUMNS[0], where)
        put(row, MARK_COLUMNS[1], original)
    return ReviewPlan(restore, {key: "#" + SEVERITY_FILLS[sev] for key, sev in new.items()}, block, runs, links,
                      last, dict(review.counts))


def _valid_address(address: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{1,3}[1-9][0-9]{0,6}", address or ""))


def apply_review(live: LiveBook, plan: ReviewPlan) -> None:
    book = live.book
    _paint(book, plan.restore)
    _paint(book, plan.marks)
    width = LAST_REVIEW_COLUMN
    if live.review_rows is not None:
        sheet = book.sheets[REVIEW_SHEET]
        old_rows = len(live.review_rows)
        old_cols = max([len(r) for r in live.review_rows] + [width])
        sheet.range((2, 1), (HEADER_ROW, old_cols)).clear_contents()      # keeps the header's formatting
        if old_rows >= FIRST_ROW:
            sheet.range((FIRST_ROW, 1), (old_rows, old_cols)).clear()    # values, colours, links of old rows
    else:
        sheet = book.sheets.add(name=REVIEW_SHEET, after=book.sheets[-1])
        sheet.range((HEADER_ROW, 1), (HEADER_ROW, len(REVIEW_COLUMNS))).color = "#" + HEADER_FILL
    sheet.range((1, 1)).value = "审核结果"
    if plan.body_last >= FIRST_ROW:
        sheet.range((FIRST_ROW, 2), (plan.body_last, len(REVIEW_COLUMNS))).number_format = TEXT_FORMAT
    sheet.range((HEADER_ROW, MARK_COLUMNS[0]), (plan.body_last, MARK_COLUMNS[1])).number_format = HIDDEN_FORMAT
    sheet.range((2, 1), (plan.body_last, width)).value = plan.block
    for first, last, colour in plan.severity_runs:
        sheet.range((first, 2), (last, 2)).color = colour
    for row, address, text in plan.links:
        sheet.range((row, 5)).add_hyperlink(address, text, f"跳转到 {text}")
    sheet.activate()


def _summary(counts: dict[str, int]) -> str:
    return f"错误 {counts.get(ERROR, 0)} 条，警告 {counts.get(WARNING, 0)} 条，提示 {counts.get(INFO, 0)} 条"


# --- entry points ----------------------------------------------------------------------
def _alert(book, prompt: str, mode: str = "info") -> None:
    book.app.alert(prompt, title=TITLE, buttons="ok", mode=mode)


def _log(exc: BaseException) -> Path | None:
    try:
        path = Path(tempfile.gettempdir()) / LOG_NAME
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S}\n")
            handle.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return path
    except OSError:
        return None


def _run(action: str, work, book):
    """Run `work(book)`; whatever goes wrong ends in one Chinese message box."""
    book = _caller(book)
    try:
        return work(book)
    except (UnusableWorkbook, WriteRefused) as exc:
        message = exc.message if isinstance(exc, UnusableWorkbook) else str(exc)
        _alert(book, f"{action}未完成：{message}", "critical")
    except Exception as exc:   # noqa: BLE001 - the clerk gets a message box, the details go to the log
        log = _log(exc)
        where = f"\n详细信息已记入：{log}" if log else ""
        _alert(book, f"{action}未完成：程序出错（{type(exc).__name__}：{exc}）。\n"
                     f"请把这条信息和工作簿一并发给技术支持。{where}", "critical")
    return None


def _parse(live: LiveBook):
    return parse_grids(live.grids, live.book.name)


def validate(book=None, *, catalog=None, when: datetime | None = None):
    """审核: audit the open workbook, write 审核结果 and colour the cells concerned."""
    def work(book):
        live = read_book(book)
        report = _parse(live)
        findings = audit(report, catalog or load_catalog())
        notes, old_marks = previous_registry(live)
        review = build_review(report, findings, notes, when)
        plan = plan_review(live, review, report, old_marks)
        apply_review(live, plan)
        verdict = "有错误，须改正后才能公开。" if plan.counts.get(ERROR) else "未发现错误。"
        _alert(book, f"审核完成：{_summary(plan.counts)}。{verdict}\n详见“审核结果”表，问题单元格已按级别着色。",
               "critical" if plan.counts.get(ERROR) else "info")
        return findings
    return _run("审核", work, book)


def fill(book=None, *, catalog=None, when: datetime | None = None):
    """填充计算: compute every derived cell (合计、小计、类/款、跨表), then review as 审核 does."""
    def work(book):
        from .rules.fill import fill_report
        live = read_book(book)
        report = _parse(live)
        cat = catalog or load_catalog()
        filled = fill_report(report, cat)
        findings = sort_findings(audit(report, cat) + filled.findings)
        notes, old_marks = previous_registry(live)
        review = build_review(report, findings, notes, when)
        values = {(c.table, c.address): c.new for c in filled.changes}
        plan = plan_review(live, review, report, old_marks)
        write_amounts(book, values)
        apply_review(live, plan)
        overwritten = len([c for c in filled.changes if c.overwrote])
        _alert(book, f"填充计算完成：更新了 {len(filled.changes)} 个自动计算单元格"
                     f"（其中覆盖原有数字 {overwritten} 个，已列入“审核结果”）。\n审核：{_summary(plan.counts)}。",
               "critical" if plan.counts.get(ERROR) else "info")
        return filled
    return _run("填充计算", work, book)


def write_amounts(book, values: dict[tuple[str, str], object]) -> None:
    """Write {(sheet, A1): Decimal | None} in blocks: one value write and one format per rectangle."""
    by_sheet: dict[str, dict[tuple[int, int], object]] = {}
    for (sheet, address), value in values.items():
        by_sheet.setdefault(sheet, {})[parse_a1(address)] = value
    for sheet, cells in sorted(by_sheet.items()):
        target = book.sheets[sheet]
        for r1, c1, r2, c2 in rectangles(cells):
            block = [[_number(cells[(r, c)]) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
            rng = target.range((r1, c1), (r2, c2))
            rng.number_format = AMOUNT_FORMAT
            rng.value = block


def _number(value):
    return None if value is None else float(value)


def clear_marks(book=None):
    """清除标记: put back the fills of every cell the last 审核 coloured."""
    def work(book):
        live = read_book(book)
        _notes, marks = previous_registry(live)
        names = set(live.names)
        restore = {(sheet, address): fill_hex(original) for sheet, address, original in marks
                   if sheet in names and sheet != REVIEW_SHEET and _valid_address(address)}
        if not restore:
            _alert(book, "没有需要清除的标记。")
            return 0
        _paint(book, restore)
        last = len(live.review_rows or [])
        if last >= FIRST_ROW:     # forget them, so a later run does not restore them again
            book.sheets[REVIEW_SHEET].range((FIRST_ROW, MARK_COLUMNS[0]), (last, MARK_COLUMNS[1])).clear_contents()
        _alert(book, f"已清除 {len(restore)} 个单元格的审核标记，恢复为原来的底色。")
        return len(restore)
    return _run("清除标记", work, book)


def publish(book=None, output: str | os.PathLike | None = None, *, catalog=None):
    """生成公开表: the nine tables as published, from the open workbook as it is now (no save needed),
    written next to it as <name>-公开表.xlsx; refused while the audit finds errors, as juesuan publish does."""
    def work(book):
        from .io.publication_xlsx import render_workbook
        from .io.writeback import save_atomically
        from .ops import finding_lines, publication_gate
        from .views.publication import build_publication
        target = Path(output) if output else _book_path(book).with_name(f"{_book_path(book).stem}-公开表.xlsx")
        live = read_book(book)
        report = _parse(live)
        notes, _marks = previous_registry(live)
        checked = publication_gate(audit(report, catalog or load_catalog()), notes)
        if checked.errors:
            lines = "\n".join(line.strip() for line in finding_lines(checked.errors, limit=8))
            _alert(book, f"审核发现 {len(checked.errors)} 条错误，不能生成公开表：\n{lines}\n"
                         "请改正后再生成（点“审核”查看详情）。", "critical")
            return None
        publication = build_publication(report)
        save_atomically(render_workbook(publication), target)
        extra = ""
        if publication.converted:
            extra += "\n金额单位为元，已换算为万元（四舍五入保留两位小数）。"
        if checked.unexplained:
            extra += f"\n另有 {len(checked.unexplained)} 条警告尚未在“审核结果”的“备注”栏说明原因，公开前请核实。"
        _alert(book, f"公开表已生成：\n{target}{extra}")
        return target
    return _run("生成公开表", work, book)


def _book_path(book) -> Path:
    """Where the open workbook lives; the output goes next to it."""
    full = str(book.fullname)
    if not full or "://" in full or not os.path.isabs(full):
        raise UnusableWorkbook("工作簿还没有保存到本机文件夹（或在网盘上）：请先“另存为”到本机文件夹，再生成公开表")
    return Path(full)


# --- the remote engine: payloads in, actions out (tests and --selftest) ----------------
def vba_client_actions() -> set[str]:
    """Action names xlwings' VBA client can replay: the Subs (wb As Workbook, action As Dictionary) of Remote.bas."""
    import xlwings
    text = (Path(xlwings.__file__).parent / "addin" / "Remote.bas").read_text(encoding="utf-8", errors="replace")
    return set(re.findall(r"^Sub (\w+)\(wb As Workbook, action As Dictionary\)", text, re.M))


def payload_from_file(path, book_name: str | None = None) -> dict:
    """The request xlwings' VBA client (RunRemotePython) would send for the workbook at `path`.

    Values come as Excel shows them (data_only: a formula's last calculated value),
    from A1 to the end of each sheet's used range; empty cells are "".
    """
    import openpyxl
    import xlwings
    workbook = openpyxl.load_workbook(path, data_only=True, read_only=True)
    try:
        sheets = []
        for ws in workbook.worksheets:
            rows = [["" if v is None else _json_value(v) for v in row] for row in ws.iter_rows(values_only=True)]
            while rows and all(v == "" for v in rows[-1]):
                rows.pop()
            width = max((len(r) for r in rows), default=0)
            rows = [r + [""] * (width - len(r)) for r in rows]
            sheets.append({"name": ws.title, "pictures": [], "tables": [], "values": rows or [[]]})
        active = workbook.worksheets.index(workbook.active) if workbook.active in workbook.worksheets else 0
    finally:
        workbook.close()
    return {"client": "VBA", "version": xlwings.__version__,
            "book": {"name": book_name or Path(path).name, "active_sheet_index": active, "selection": "A1"},
            "names": [], "sheets": sheets}


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def remote_book(payload: dict):
    """An xlwings Book on the remote engine (needs XLWINGS_LICENSE_KEY, e.g. 'noncommercial')."""
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    import xlwings
    if "remote" not in [engine.name for engine in xlwings.engines]:
        from xlwings.pro import _xlremote  # xlwings was imported before the key was set
        xlwings.engines.add(xlwings.main.Engine(impl=_xlremote.engine))
    return xlwings.Book(json=payload)


_NUMBER_TEXT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?([eE][+-]?\d+)?%?|[+-]?\.\d+")


def _as_excel_stores(text: str, number_format: str):
    """What Excel keeps when VBA assigns this string to Range.Value (setValues)."""
    if text == "":
        return None                   # Range.Value = "" leaves the cell empty
    if number_format == TEXT_FORMAT or not isinstance(text, str):
        return text
    if _NUMBER_TEXT.fullmatch(text.strip()):
        plain = text.strip().replace(",", "")
        return float(plain[:-1]) / 100 if plain.endswith("%") else float(plain)
    return text


def replay_actions(workbook, actions: list[dict], client_actions: set[str] | None = None) -> list[list]:
    """Apply the actions the VBA client would run, to an openpyxl workbook, as Remote.bas does.

    Returns the message boxes (alert args). An action the VBA client lacks raises ValueError.
    """
    from openpyxl.styles import PatternFill
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.worksheet.hyperlink import Hyperlink
    client_actions = client_actions if client_actions is not None else vba_client_actions()
    alerts = []
    for action in actions:
        func, args = action["func"], action.get("args") or []
        if func not in client_actions:
            raise ValueError(f"xlwings' VBA client has no action {func!r}")
        position = action.get("sheet_position")
        ws = workbook.worksheets[position] if position is not None else None
        cells = []
        if action.get("start_row") is not None:
            r0, c0 = action["start_row"] + 1, action["start_column"] + 1
            cells = [[ws.cell(row=r0 + i, column=c0 + j) for j in range(action["column_count"])]
                     for i in range(action["row_count"])]
        flat = [cell for row in cells for cell in row]
        if func == "setValues":
            for row, values in zip(cells, action["values"]):
                for cell, value in zip(row, values):
                    cell.value = _as_excel_stores(value, cell.number_format)
        elif func == "setRangeColor":
            colour = args[0]
            for cell in flat:
                cell.fill = PatternFill("solid", fgColor="00" + colour.lstrip("#").upper()) if colour \
                    else PatternFill(fill_type=None)
        elif func == "setNumberFormat":
            for cell in flat:
                cell.number_format = args[0]
        elif func == "addHyperlink":
            cell = flat[0]
            address, text = args[0], args[1]
            cell.value = text
            if address.startswith("#"):
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=address[1:], display=text, tooltip=args[2])
            else:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, target=address, display=text, tooltip=args[2])
        elif func == "rangeClearContents":
            for cell in flat:
                cell.value = None
        elif func == "rangeClear":
            for cell in flat:
                cell.value = None
                cell.hyperlink = None
                cell._style = StyleArray()
        elif func == "addSheet":
            workbook.create_sheet(args[1], index=args[0])
        elif func == "activateSheet":
            workbook.active = args[0]
        elif func == "alert":
            alerts.append(list(args))
        else:
            raise ValueError(f"replay of {func!r} is not implemented")
    return alerts


# --- self-test: the xlwings object model against the CLI --------------------------------
def compare_reviews(cli_path, excel_workbook) -> list[str]:
    """Differences between the CLI's result file and a replayed workbook: review rows (except the
    run-time line), registry, links, severity colours and every highlight fill."""
    import openpyxl
    cli = openpyxl.load_workbook(cli_path)
    return workbook_differences(cli, excel_workbook)


def _fill_key(cell):
    fill = cell.fill
    if fill is None or fill.fill_type is None:
        return None
    colour = fill.fgColor
    return (fill.fill_type, colour.rgb[-6:].upper() if colour.type == "rgb" else (colour.type, colour.value))


def review_content(workbook) -> list[tuple]:
    ws = workbook[REVIEW_SHEET]
    rows = []
    for row in ws.iter_rows(min_row=1, max_row=max(ws.max_row, HEADER_ROW), max_col=LAST_REVIEW_COLUMN):
        values = tuple(None if c.value == "" else c.value for c in row)
        if row[0].row == 3:
            values = (re.sub(r"审核时间：\S+ \S+", "审核时间：*", values[0] or ""),) + values[1:]
        links = tuple((c.hyperlink.location if c.hyperlink else None) for c in row[4:5])
        rows.append(values + links + (_fill_key(row[1]),))
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def workbook_differences(cli, excel) -> list[str]:
    out = []
    if cli.sheetnames != excel.sheetnames:
        out.append(f"sheets: {cli.sheetnames} != {excel.sheetnames}")
        return out
    a, b = review_content(cli), review_content(excel)
    for i in range(max(len(a), len(b))):
        left = a[i] if i < len(a) else None
        right = b[i] if i < len(b) else None
        if left != right:
            out.append(f"{REVIEW_SHEET} row {i + 1}: CLI {left} != Excel {right}")
    for name in cli.sheetnames:
        if name == REVIEW_SHEET:
            continue
        ws_a, ws_b = cli[name], excel[name]
        for row in ws_a.iter_rows():
            for cell in row:
                other = ws_b[cell.coordinate]
                if _fill_key(cell) != _fill_key(other):
                    out.append(f"{name}!{cell.coordinate} fill: CLI {_fill_key(cell)} != Excel {_fill_key(other)}")
                if cell.value != other.value and not (_num(cell.value) is not None
                                                      and _num(cell.value) == _num(other.value)):
                    out.append(f"{name}!{cell.coordinate} value: CLI {cell.value!r} != Excel {other.value!r}")
    return out


def _num(value):
    from decimal import Decimal, InvalidOperation
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None


def run_through_excel_model(path, entry=validate, when=None, save: bool = True):
    """Run an entry point on the workbook at `path` through xlwings' remote engine and replay its
    actions onto that workbook with openpyxl (saved in place unless save=False).
    Returns (actions, message boxes, the replayed openpyxl workbook)."""
    import openpyxl
    book = remote_book(payload_from_file(path))
    if entry is clear_marks:
        entry(book)
    else:
        entry(book, when=when)
    actions = book.json()["actions"]
    workbook = openpyxl.load_workbook(path)
    alerts = replay_actions(workbook, actions)
    if save:
        workbook.save(path)
    return actions, alerts, workbook


def selftest(paths=None, out=sys.stdout) -> bool:
    """Validate sample books through xlwings' object model and through the CLI; report any difference."""
    import shutil

    from .ops import check_book, save_review
    paths = [Path(p) for p in paths] if paths else _default_samples()
    when = datetime(2024, 1, 1, 9, 0, 0)
    ok = True
    with tempfile.TemporaryDirectory(prefix="juesuan-selftest-") as folder:
        for source in paths:
            cli_copy = Path(folder) / f"cli-{source.name}"
            xl_copy = Path(folder) / f"excel-{source.name}"
            shutil.copy(source, cli_copy)
            shutil.copy(source, xl_copy)
            save_review(check_book(cli_copy, load_catalog()), cli_copy, when=when)
            actions, alerts, replayed = run_through_excel_model(xl_copy, validate, when, save=False)
            diffs = compare_reviews(cli_copy, replayed)
            unknown = sorted({a["func"] for a in actions} - vba_client_actions())
            status = "OK" if not diffs and not unknown else "DIFFERENT"
            ok = ok and status == "OK"
            kinds = sorted({a["func"] for a in actions})
            print(f"{status}  {source.name}: {len(actions)} actions ({', '.join(kinds)}); "
                  f"message: {alerts[-1][0].splitlines()[0] if alerts else '-'}", file=out)
            for line in diffs[:20] + [f"action not in the VBA client: {u}" for u in unknown]:
                print(f"    {line}", file=out)
    return ok


def _default_samples() -> list[Path]:
    root = Path(__file__).resolve().parents[2] / "samples"
    found = sorted(root.glob("*.xlsx")) + sorted((root / "broken").glob("*.xlsx"))
    if found:
        return found
    from .io.template_xlsx import (
        build_workbook,  # installed without the repository: a blank standard book
    )
    target = Path(tempfile.mkdtemp(prefix="juesuan-selftest-")) / "blank.xlsx"
    build_workbook().save(target)
    return [target]


def main(argv=None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m juesuan.excel",
                                     description="决算助手 Excel 按钮的 Python 端（由 Excel 中的宏调用）。")
    parser.add_argument("--selftest", nargs="*", metavar="BOOK",
                        help="用 xlwings 对象模型审核示例工作簿，并与命令行 juesuan check --write 的结果逐项比对")
    args = parser.parse_args(argv)
    if args.selftest is not None:
        return 0 if selftest(args.selftest) else 1
    parser.print_help()
    return 0


if __name__ == "__main__":   # pragma: no cover
    sys.exit(main())
