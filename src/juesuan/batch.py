"""Batch validation: many workbooks in parallel, one summary a reviewer can work from.

``juesuan batch PATH…`` finds the workbooks under the given folders, checks each in
a worker process (the same check as ``juesuan check``), and reports them in path
order whatever the completion order. Nothing here writes to an input: files are
read once, into memory, and the summary workbook is written elsewhere.

Robustness, per file: anything that goes wrong with one workbook (damaged, changed
while being read, a crash of the worker process that checks it) becomes an
"unusable" outcome for that file with a Chinese reason; the run goes on.

The lean reader (``read_grids_fast``) produces exactly the grids of
``workbook_io.read_grids`` (openpyxl, read-only, cached values), reading the sheet
XML with expat: about 3.5x less CPU than openpyxl, half of a whole check (see
bench/bench_batch.py). Rows are shaped by workbook_io's own ``_sheet_rows`` and
formulas without a value marked by its own ``_mark_uncalculated``; whatever the
lean reader does not reproduce exactly (dates, chartsheets, damaged or unusual
parts) it hands to ``read_grids``, so a file is never read differently from `check`.
"""
from __future__ import annotations

import io
import os
import posixpath
import zipfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable, Iterable, Iterator
from xml.parsers import expat

from .domain.catalog import Catalog
from .domain.errors import UnusableWorkbook
from .domain.layout import layout_of
from .domain.schema import TABLE_IDS
from .io import reader as workbook_io
from .io.reader import MAX_ROWS, SUPPORTED, _wanted, check_file, read_grids
from .io.safety import CHANGED, Snapshot, take_snapshot
from .ops import CheckResult
from .rules.audit import audit
from .rules.findings import ERROR, INFO, SEVERITY_LABELS, WARNING
from .rules.parse import parse_grids

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2      # same meaning as `juesuan check`
STATUS_PASS, STATUS_ERRORS, STATUS_UNUSABLE = "通过", "有错误", "无法使用"
WORKER_CRASHED = "审核该文件时程序意外退出（可能是文件内容异常或内存不足），已跳过：请单独用 juesuan check 审核该文件"
SKIPPED_PREFIXES = ("~$", ".~juesuan-")             # Excel/WPS lock files, our own temporary files
# Spreadsheets we cannot check are still listed (as unusable, with the reason): a unit that
# sent an .xls must not pass unnoticed.
LISTED_SUFFIXES = SUPPORTED + (".xls", ".xlsb", ".et")


# --- finding the workbooks -------------------------------------------------------------------
def _is_candidate(name: str) -> bool:
    return name.lower().endswith(LISTED_SUFFIXES) and not name.startswith(SKIPPED_PREFIXES)


def _sort_key(path: Path) -> tuple:
    return tuple(part.casefold() for part in path.parts), str(path)


def find_workbooks(paths: Iterable, exclude: Iterable = ()) -> list[Path]:
    """Workbooks named or found (recursively) under `paths`, sorted by path.

    Folders contribute their .xlsx/.xlsm files (and .xls/.xlsb/.et, to be reported as
    unusable) except lock files, our temporary files and `exclude` (our own summary).
    A path named explicitly is always taken, even if it does not exist (checking it
    then explains why it is unusable). Symbolic links to folders are not followed; a
    file reached twice is taken once.
    """
    excluded = {key for key in (_identity(Path(p)) for p in exclude) if key is not None}
    seen: set = set()
    found: list[Path] = []

    def add(path: Path) -> None:
        key = _identity(path) or ("path", str(path))
        if key not in seen:
            seen.add(key)
            found.append(path)

    for raw in paths:
        root = Path(raw)
        if not root.is_dir():
            add(root)
            continue
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder) / name
                if _is_candidate(name) and _identity(path) not in excluded:
                    add(path)
    found.sort(key=_sort_key)
    return found


def _identity(path: Path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


# --- one workbook ----------------------------------------------------------------------------
def check_one(path: str, catalog: Catalog, reader: str = "fast",
              between: Callable[[Path], None] | None = None) -> dict:
    """Check one workbook as `juesuan check` does; never raises for a bad file.

    Returns its `check --format json` object; an unusable workbook gives ``{"file", "error"}``.
    The file is read once (a snapshot); if it changed meanwhile it is reported, not half-read.
    `between` is called after reading, before that comparison (a seam for tests and tools).
    """
    p = Path(path)
    try:
        snapshot = check_file(p)
        grids = read_grids_fast(snapshot) if reader == "fast" else read_grids(snapshot)
        if between is not None:
            between(p)
        if not snapshot.unchanged():
            raise UnusableWorkbook(CHANGED, path)
        report = parse_grids(grids, str(p))
        report.stamp = snapshot.stamp
        return CheckResult(path, report, audit(report, catalog)).to_json()
    except UnusableWorkbook as exc:
        return {"file": path, "error": exc.message}
    except RecursionError:
        return {"file": path, "error": "工作簿结构嵌套过深，无法读取，文件可能已损坏"}
    except Exception as exc:               # a bug of ours must not end a run over 1,000 files
        return {"file": path, "error": f"审核时发生程序内部错误（{type(exc).__name__}），已跳过此文件：请将该文件提供给维护人员"}


_WORKER: dict = {}


def _init_worker(catalog: Catalog, reader: str) -> None:
    _WORKER["catalog"], _WORKER["reader"] = catalog, reader


def check_in_worker(path: str) -> dict:
    """The task a worker process runs (its catalog and reader come from the pool initializer)."""
    return check_one(path, _WORKER["catalog"], _WORKER["reader"])


# --- many workbooks --------------------------------------------------------------------------
def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def run_checks(paths: list[str], catalog: Catalog, jobs: int | None = None, reader: str = "fast",
               task: Callable[[str], dict] = check_in_worker,
               on_done: Callable[[], None] = lambda: None) -> Iterator[tuple[int, dict]]:
    """Yield (index into paths, outcome) as checks complete, in any order.

    jobs=1 checks in this process. Otherwise a process pool checks the files; if a
    worker process dies, the files it may have been checking are re-run one at a
    time, so that only the file that kills a worker is reported as crashed.
    """
    for item in _run(paths, catalog, default_jobs() if jobs is None else jobs, reader, task):
        on_done()
        yield item


def _run(paths, catalog, jobs, reader, task) -> Iterator[tuple[int, dict]]:
    if jobs <= 1 or len(paths) <= 1:
        _init_worker(catalog, reader)
        for index, path in enumerate(paths):
            yield index, task(path)
        return
    init = (catalog, reader)
    pending = list(range(len(paths)))
    while pending:
        done: set[int] = set()
        broken = False
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(pending)), initializer=_init_worker, initargs=init)
        try:
            futures = {pool.submit(task, paths[i]): i for i in pending}
            for future in as_completed(futures):
                index = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception as exc:       # e.g. an outcome that could not be sent back
                    outcome = {"file": paths[index], "error": f"审核时发生程序内部错误（{type(exc).__name__}），已跳过此文件"}
                done.add(index)
                yield index, outcome
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
        left = [i for i in pending if i not in done]
        if not broken or not left:
            break
        # Work is handed out in submission order, at most jobs running + jobs+1 queued:
        # the file that killed the worker is among the first 2*jobs+1 unfinished ones.
        suspects, pending = left[:2 * jobs + 1], left[2 * jobs + 1:]
        yield from _isolated(paths, suspects, init, task)


def _isolated(paths, indexes, init, task) -> Iterator[tuple[int, dict]]:
    pool = None
    try:
        for index in indexes:
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=1, initializer=_init_worker, initargs=init)
            try:
                outcome = pool.submit(task, paths[index]).result()
            except BrokenProcessPool:
                outcome = {"file": paths[index], "error": WORKER_CRASHED}
                pool.shutdown(wait=False)
                pool = None
            except Exception as exc:
                outcome = {"file": paths[index], "error": f"审核时发生程序内部错误（{type(exc).__name__}），已跳过此文件"}
            yield index, outcome
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def in_order(results: Iterable[tuple[int, dict]]) -> Iterator[dict]:
    """Release outcomes in index order as soon as each next one is available."""
    waiting: dict[int, dict] = {}
    following = 0
    for index, outcome in results:
        waiting[index] = outcome
        while following in waiting:
            yield waiting.pop(following)
            following += 1
    for index in sorted(waiting):          # only if some index never came (should not happen)
        yield waiting[index]


def status_of(outcome: dict) -> str:
    if "error" in outcome:
        return STATUS_UNUSABLE
    return STATUS_ERRORS if outcome["summary"][ERROR] else STATUS_PASS


def exit_code(outcomes: Iterable[dict]) -> int:
    """2 if any workbook was unusable (it wins: an unchecked file may hide errors), 1 if any had errors, else 0."""
    statuses = {status_of(o) for o in outcomes}
    if STATUS_UNUSABLE in statuses:
        return EXIT_UNUSABLE
    return EXIT_ERRORS if STATUS_ERRORS in statuses else EXIT_OK


# --- the summary workbook ------------------------------------------------------------------------
SUMMARY_SHEET, FINDINGS_SHEET = "汇总", "全部问题"
SUMMARY_HEADERS = ("文件", "单位名称", "年度", "金额单位", "错误", "警告", "提示", "状态", "主要问题")
SUMMARY_WIDTHS = (44, 34, 8, 10, 8, 8, 8, 10, 90)
FINDINGS_HEADERS = ("文件", "单位名称", "级别", "规则", "工作表", "单元格", "问题说明", "应为", "实为", "差额")
FINDINGS_WIDTHS = (44, 30, 10, 8, 10, 10, 90, 16, 16, 16)
STATUS_FILLS = {STATUS_PASS: "C6EFCE", STATUS_ERRORS: "FFC7CE", STATUS_UNUSABLE: "F8CBAD"}
MAIN_PROBLEMS = 3


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


def _link_target(file: str, report_folder: Path) -> str:
    """Relative to the summary when possible, so that the folder can be moved with it."""
    target = Path(file).resolve()
    try:
        text = Path(os.path.relpath(target, report_folder.resolve())).as_posix()
    except ValueError:                      # another drive on Windows
        return target.as_uri()
    return text.replace("%", "%25").replace("#", "%23").replace("?", "%3F")


def _amount(text):
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def build_summary(outcomes: list[dict], report_folder: Path):
    """The reviewer's workbook: one row per file, and every finding with its file."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .io.template_xlsx import set_text
    from .views.styles import AMOUNT_FORMAT, BODY_FONT, HEADER_FILL, SEVERITY_FILLS

    body = Font(name=BODY_FONT, size=10)
    bold = Font(name=BODY_FONT, size=10, bold=True)
    link = Font(name=BODY_FONT, size=10, color="0563C1", underline="single")
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    top = Alignment(vertical="top", wrap_text=False)
    severity_fills = {SEVERITY_LABELS[s]: PatternFill("solid", fgColor=c) for s, c in SEVERITY_FILLS.items()}
    severity_fills[STATUS_UNUSABLE] = PatternFill("solid", fgColor=STATUS_FILLS[STATUS_UNUSABLE])
    status_fills = {s: PatternFill("solid", fgColor=c) for s, c in STATUS_FILLS.items()}

    def text(ws, row, col, value, font=body):
        cell = ws.cell(row=row, column=col)
        if value is not None:
            set_text(cell, ILLEGAL_CHARACTERS_RE.sub("", str(value)))
        cell.font = font
        cell.alignment = top
        return cell

    def number(ws, row, col, value, fmt=None):
        if isinstance(value, str):            # e.g. a year typed as text: still never a formula
            return text(ws, row, col, value)
        cell = ws.cell(row=row, column=col, value=value)
        cell.font = body
        cell.alignment = top
        if fmt:
            cell.number_format = fmt
        return cell

    def file_cell(ws, row, file, linked=True):
        if not linked:                        # Excel allows ~65,000 links a sheet: one per file
            return text(ws, row, 1, file)
        cell = text(ws, row, 1, file, link)
        cell.hyperlink = _link_target(file, report_folder)
        cell.font = link

    def sheet(ws, headers, widths, rows):
        for col, (title, width) in enumerate(zip(headers, widths), start=1):
            cell = text(ws, 1, col, title, bold)
            cell.fill = header_fill
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(rows, 1) + 1}"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0

    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    findings = workbook.create_sheet(FINDINGS_SHEET)
    row = finding_row = 1
    for outcome in outcomes:
        row += 1
        status = status_of(outcome)
        file_cell(summary, row, outcome["file"])
        if status != STATUS_UNUSABLE:
            counts = outcome["summary"]
            text(summary, row, 2, outcome["unit"])
            number(summary, row, 3, outcome["year"])
            text(summary, row, 4, outcome["amount_unit"])
            for col, severity in zip((5, 6, 7), (ERROR, WARNING, INFO)):
                number(summary, row, col, counts[severity])
        text(summary, row, 8, status).fill = status_fills[status]
        text(summary, row, 9, main_problems(outcome))

        if status == STATUS_UNUSABLE:
            finding_row += 1
            file_cell(findings, finding_row, outcome["file"])
            text(findings, finding_row, 3, STATUS_UNUSABLE).fill = severity_fills[STATUS_UNUSABLE]
            text(findings, finding_row, 7, outcome["error"])
            continue
        for number_in_file, f in enumerate(outcome["findings"]):
            finding_row += 1
            file_cell(findings, finding_row, outcome["file"], linked=number_in_file == 0)
            text(findings, finding_row, 2, outcome["unit"])
            label = SEVERITY_LABELS.get(f["severity"], f["severity"])
            text(findings, finding_row, 3, label).fill = severity_fills.get(label, PatternFill())
            text(findings, finding_row, 4, f["rule"])
            text(findings, finding_row, 5, f["table"])
            text(findings, finding_row, 6, f["cell"])
            text(findings, finding_row, 7, f["message"])
            for col, key in zip((8, 9, 10), ("expected", "actual", "difference")):
                number(findings, finding_row, col, _amount(f[key]), AMOUNT_FORMAT)
    sheet(summary, SUMMARY_HEADERS, SUMMARY_WIDTHS, row - 1)
    sheet(findings, FINDINGS_HEADERS, FINDINGS_WIDTHS, finding_row - 1)
    return workbook


def write_summary(outcomes: list[dict], target: Path) -> Path:
    from .io.writeback import save_atomically
    target = Path(target)
    save_atomically(build_summary(outcomes, target.parent if str(target.parent) else Path(".")), target)
    return target


# --- the lean reader -------------------------------------------------------------------------------
class _Unsupported(Exception):
    """Something the lean reader does not reproduce exactly: openpyxl reads this file instead."""


class _Stop(Exception):
    """Enough has been read."""


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"
_CONTENT_TYPES = "[Content_Types].xml"
_WORKBOOK_TYPES = (   # openpyxl's order of preference
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
)
_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_STYLES, _CORE, _CUSTOM, _THEME = "xl/styles.xml", "docProps/core.xml", "docProps/custom.xml", "xl/theme/theme1.xml"
_CHUNK = 16 * 1024                     # what ElementTree.iterparse reads at a time
_COLUMNS: dict[str, tuple] = {}        # cell reference -> (row, column), shared by the sheets of a process
# read_grids marks formulas without a cached value from the first data row (单位信息: row 3) on;
# headings above carry such formulas in every workbook we generate, and need no marking.
_MARKED_FROM_ROW = min([3] + [layout_of(t).first_data_row for t in TABLE_IDS])


def _refuse(*_):
    raise _Unsupported("DTD")


def _parser(start=None, end=None, chars=None):
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse     # defusedxml (used by openpyxl) refuses entities
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if chars:
        parser.CharacterDataHandler = chars
    return parser


def _elements(data: bytes) -> list[tuple[str, dict, str]]:
    """(name, attributes, parent name) of every element of a small part."""
    found: list = []
    stack = [""]

    def start(name, attrs):
        found.append((name, attrs, stack[-1]))
        stack.append(name)

    def end(name):
        stack.pop()

    _parser(start, end).Parse(data, True)
    return found


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _cast_number(value: str):
    """As openpyxl: '12' -> 12, '1.5' / '1E3' -> float."""
    if "." in value or "E" in value or "e" in value:
        return float(value)
    return int(value)


def _shared_strings(data: bytes) -> list[str]:
    """As openpyxl's read_string_table: plain text of each <si>, rich runs joined, phonetic runs left out."""
    si, t, r = f"{_MAIN} si", f"{_MAIN} t", f"{_MAIN} r"
    strings: list[str] = []
    stack = [""]
    state = {"plain": None, "runs": [], "run": None, "buf": None}

    def start(name, attrs):
        parent = stack[-1]
        stack.append(name)
        if name == si:
            state.update(plain=None, runs=[], buf=None)
        elif name == r and parent == si:
            state["run"] = None
        elif name == t and (parent == si or (parent == r and len(stack) >= 3 and stack[-3] == si)):
            state["buf"] = []
        elif state["buf"] is not None:
            raise _Unsupported("markup inside text")

    def chars(data):
        if state["buf"] is not None:
            state["buf"].append(data)

    def end(name):
        stack.pop()
        parent = stack[-1]
        if name == t and state["buf"] is not None:
            value = "".join(state["buf"]) or None
            state["buf"] = None
            if parent == si:
                state["plain"] = value
            else:
                state["run"] = value
        elif name == r and parent == si:
            state["runs"].append(state["run"])
        elif name == si:
            pieces = [state["plain"]] if state["plain"] is not None else []
            pieces += [run for run in state["runs"] if run is not None]
            strings.append("".join(pieces).replace("x005F_", ""))

    _parser(start, end, chars).Parse(data, True)
    return strings


def _date_styles(data: bytes | None) -> set[int]:
    """Indexes of the cell styles whose number format is a date or time (openpyxl turns those numbers into dates)."""
    from openpyxl.styles.numbers import builtin_format_code, is_date_format
    if data is None:
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    for name, attrs, parent in _elements(data):
        local = _local(name)
        if local == "numFmt" and _local(parent) == "numFmts":
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode")
        elif local == "xf" and _local(parent) == "cellXfs":
            formats.append(int(attrs.get("numFmtId", 0)))
    return {index for index, fmt_id in enumerate(formats)
            if is_date_format(custom[fmt_id] if fmt_id in custom else builtin_format_code(fmt_id))}


class _SheetReader:
    """One worksheet's cached values as openpyxl's read-only iter_rows(values_only=True) gives them."""

    def __init__(self, strings: list[str], date_styles: set[int]):
        self.strings = strings
        self.date_styles = date_styles
        self.uncalculated = False       # a cell with a formula and no cached value was seen

    # dimension only, as openpyxl does for every sheet when it opens a workbook read-only
    def dimension(self, read: Callable[[int], bytes]) -> tuple | None:
        """The <dimension> before the end of <sheetData>, read in the chunks iterparse reads."""
        from openpyxl.utils.cell import range_boundaries
        found: list = []
        dimension, sheet_data = f"{_MAIN} dimension", f"{_MAIN} sheetData"

        def end(name):
            if name in (dimension, sheet_data):
                raise _Stop

        def start(name, attrs):
            if name == dimension:
                found.append(attrs.get("ref"))

        parser = _parser(start, end)
        try:
            while True:
                chunk = read(_CHUNK)
                parser.Parse(chunk, not chunk)
                if not chunk:
                    break
        except _Stop:
            pass
        if found:
            ref = found[0]
            if ref is None:
                raise _Unsupported("dimension without ref")
            return range_boundaries(ref)
        return None

    def rows(self, data: bytes) -> list[tuple[int, list]]:
        """The <row> elements in file order: (row number, [(column, value), ...]), as openpyxl parses them."""
        from openpyxl.utils.cell import coordinate_to_tuple
        c_tag, v_tag, is_tag, t_tag, r_tag, row_tag, f_tag = (
            f"{_MAIN} {x}" for x in ("c", "v", "is", "t", "r", "row", "f"))
        strings, date_styles, columns = self.strings, self.date_styles, _COLUMNS
        raw: list[tuple[int, list]] = []
        row_counter = [0]
        col_counter = [0]
        cells: list = []
        cell: list = []   # [column, type, style, value text, seen v, seen is, plain, runs, run, seen f, row]
        stack = [""]
        buf: list = []
        capture = [None]        # which text is being collected: "v", "t", "rt"

        def start(name, attrs):
            parent = stack[-1]
            stack.append(name)
            if capture[0] is not None:
                raise _Unsupported("markup inside a value")
            if name == c_tag:
                if parent != row_tag:
                    raise _Unsupported("cell outside a row")
                coordinate = attrs.get("r")
                style = attrs.get("s", 0)
                if style:
                    style = int(style)
                if coordinate:
                    where = columns.get(coordinate)
                    if where is None:
                        where = coordinate_to_tuple(coordinate)
                        if len(columns) < 100_000:
                            columns[coordinate] = where
                    row, column = where
                    col_counter[0] = column
                else:
                    col_counter[0] += 1
                    row, column = 0, col_counter[0]      # (read_grids marks no formula without a reference)
                cell[:] = [column, attrs.get("t", "n"), style, None, False, False, None, [], None, False, row]
            elif name == row_tag:
                r = attrs.get("r")
                if r is not None:
                    try:
                        row_counter[0] = int(r)
                    except ValueError:
                        value = float(r)
                        if not value.is_integer():
                            raise _Unsupported("row number")
                        row_counter[0] = int(value)
                else:
                    row_counter[0] += 1
                col_counter[0] = 0
                del cells[:]
            elif parent == c_tag:
                if name == v_tag and not cell[4]:
                    cell[4] = True
                    capture[0] = "v"
                    buf.clear()
                elif name == is_tag and not cell[5]:
                    cell[5] = True
                elif name == f_tag:
                    cell[9] = True
            elif len(stack) >= 3 and stack[-3] == c_tag and parent == is_tag and cell[5] == 1:
                if name == t_tag:
                    capture[0] = "t"
                    buf.clear()
                elif name == r_tag:
                    cell[8] = None
            elif (len(stack) >= 4 and stack[-4] == c_tag and stack[-3] == is_tag and parent == r_tag
                  and name == t_tag and cell[5] == 1):
                capture[0] = "rt"
                buf.clear()

        def chars(data):
            if capture[0] is not None:
                buf.append(data)

        def end(name):
            stack.pop()
            kind = capture[0]
            if kind is not None:
                text = "".join(buf) or None
                capture[0] = None
                if kind == "v":
                    cell[3] = text
                elif kind == "t":
                    cell[6] = text
                else:
                    cell[8] = text
            elif name == r_tag and stack[-1] == is_tag and len(stack) >= 2 and stack[-2] == c_tag and cell[5] == 1:
                cell[7].append(cell[8])
            elif name == is_tag and stack[-1] == c_tag:
                cell[5] = 2             # only the first <is> counts
            elif name == c_tag:
                if cell[9] and not cell[3] and cell[10] >= _MARKED_FROM_ROW:
                    self.uncalculated = True
                cells.append((cell[0], value_of(cell)))
            elif name == row_tag:
                if row_counter[0] > MAX_ROWS or len(raw) >= MAX_ROWS:
                    raise _Unsupported("too many rows")     # read_grids refuses the file, with its message
                raw.append((row_counter[0], cells[:]))

        def value_of(cell):
            kind, value = cell[1], cell[3]
            if kind == "inlineStr":
                if not cell[5]:
                    return None
                pieces = [cell[6]] if cell[6] is not None else []
                return "".join(pieces + [run for run in cell[7] if run is not None])
            if value is None:
                return None
            if kind == "n":
                number = _cast_number(value)
                if cell[2] in date_styles:
                    raise _Unsupported("date")
                return number
            if kind == "s":
                return strings[int(value)]
            if kind == "b":
                return bool(int(value))
            if kind == "d":
                raise _Unsupported("ISO date")
            return value                # str, e (error codes) and unknown types keep the text

        _parser(start, end, chars).Parse(data, True)
        return raw


class _LeanSheet:
    """Stands in for openpyxl's ReadOnlyWorksheet over already parsed rows.

    It replays openpyxl's read-only iteration (dimension, gaps, rows out of order, short
    rows) so that workbook_io._sheet_rows shapes the grid exactly as it shapes openpyxl's.
    """

    def __init__(self, title: str, dims: tuple | None, rows: list[tuple[int, list]]):
        self.title = title
        self._rows = rows
        self._min_column, self._min_row, self._max_column, self._max_row = dims or (1, 1, None, None)

    min_row = property(lambda self: self._min_row)
    min_column = property(lambda self: self._min_column)
    max_row = property(lambda self: self._max_row)
    max_column = property(lambda self: self._max_column)

    def reset_dimensions(self) -> None:
        self._max_row = self._max_column = None

    def iter_rows(self, min_row=None, max_row=None, min_col=None, max_col=None, values_only=False):
        if not values_only or any(v is not None for v in (min_row, max_row, min_col, max_col)):
            raise _Unsupported("iteration not replayed")
        return self._cells_by_row(self._max_column, self._max_row)

    def _cells_by_row(self, max_col, max_row):
        """openpyxl's ReadOnlyWorksheet._cells_by_row(1, 1, max_col, max_row, values_only=True)."""
        empty_row = (None,) * max_col if max_col is not None else []
        counter = idx = 1
        for idx, row in self._rows:
            if max_row is not None and idx > max_row:
                break
            for _ in range(counter, idx):
                counter += 1
                yield empty_row
            if counter <= idx:
                yield self._row(row, max_col)
                counter += 1
        if max_row is not None and max_row < idx:
            for _ in range(counter, max_row + 1):
                yield empty_row

    @staticmethod
    def _row(cells, max_col) -> tuple:
        if not cells and not max_col:
            return ()
        width = max_col or cells[-1][0]
        row = [None] * width
        for column, value in cells:
            if 1 <= column <= width:
                row[column - 1] = value
        return tuple(row)


def read_grids_fast(source) -> dict[str, list[tuple]]:
    """Same result as workbook_io.read_grids(source) (a path or a Snapshot), several times faster."""
    snapshot = source if isinstance(source, Snapshot) else take_snapshot(source)
    try:
        grids, uncalculated = _lean_grids(snapshot.data)
    except MemoryError:
        raise
    except Exception:
        # anything unusual or damaged: openpyxl decides (and explains) exactly as `check` does
        return read_grids(snapshot)
    if uncalculated:        # formulas without a cached value: marked exactly as read_grids marks them
        mark = getattr(workbook_io, "_mark_uncalculated", None)
        if mark is None:
            return read_grids(snapshot)
        try:
            mark(snapshot, grids)
        except (KeyError, ValueError, zipfile.BadZipFile, SyntaxError):
            pass
    return grids


def _lean_grids(data: bytes) -> tuple[dict[str, list[tuple]], bool]:
    """The grids, and whether a standard sheet has a formula without a cached value."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    overrides = {}
    for name, attrs, _ in _elements(archive.read(_CONTENT_TYPES)):
        if _local(name) == "Override":
            overrides.setdefault(attrs["ContentType"], attrs["PartName"])
    workbook_part = next((overrides[t] for t in _WORKBOOK_TYPES if t in overrides), None)
    if workbook_part is None:
        raise _Unsupported("workbook part")
    workbook_part = workbook_part[1:]
    strings: list[str] = []
    if _SHARED_STRINGS in overrides:
        strings = _shared_strings(archive.read(overrides[_SHARED_STRINGS][1:]))
    sheets = [(attrs.get("name"), attrs.get(_DOC_REL_ID)) for name, attrs, parent in _elements(archive.read(workbook_part))
              if _local(name) == "sheet" and _local(parent) == "sheets"]
    folder, file = posixpath.split(workbook_part)
    rels = _relationships(archive, posixpath.join(folder, "_rels", f"{file}.rels"))
    for part in (_CORE, _CUSTOM):                 # openpyxl parses these; damage there makes it refuse
        if part in names:
            _elements(archive.read(part))
    if _THEME in names:
        archive.read(_THEME)                      # (checks the member's CRC, as openpyxl's read does)
    date_styles = _date_styles(archive.read(_STYLES) if _STYLES in names else None)

    reader = _SheetReader(strings, date_styles)
    shape = getattr(workbook_io, "_sheet_rows", None)
    if shape is None:
        raise _Unsupported("read_grids shapes rows differently")
    grids: dict[str, list[tuple]] = {}
    for name, rel_id in sheets:
        if not rel_id:
            raise _Unsupported("sheet without relationship")
        kind, target = rels[rel_id]
        if target not in names:
            continue
        if name in grids or name is None:
            raise _Unsupported("duplicate sheet name")
        if "chartsheet" in kind:
            raise _Unsupported("chartsheet")      # rare here; openpyxl reads them in full
        sheet_folder, sheet_file = posixpath.split(target)
        sheet_rels = posixpath.join(sheet_folder, "_rels", f"{sheet_file}.rels")
        if sheet_rels in names:
            _elements(archive.read(sheet_rels))
        if _wanted(name):
            content = archive.read(target)
            sheet = _LeanSheet(name, reader.dimension(io.BytesIO(content).read), reader.rows(content))
            grids[name] = shape(sheet, name)
        else:
            with archive.open(target) as source:      # openpyxl reads the start of every sheet
                reader.dimension(source.read)
            grids[name] = []
    return grids, reader.uncalculated


def _relationships(archive, rels_path: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, target as a path inside the archive), normalised as openpyxl does."""
    parent = posixpath.split(posixpath.dirname(rels_path))[0]
    found = {}
    for name, attrs, _ in _elements(archive.read(rels_path)):
        if _local(name) != "Relationship":
            continue
        target = attrs["Target"]
        if attrs.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
        found[attrs["Id"]] = (attrs.get("Type", ""), target)
    return found
