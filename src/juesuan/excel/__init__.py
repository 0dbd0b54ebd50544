"""The buttons inside Excel: 审核, 填充计算, 生成公开表, 生成情况说明, 清除标记 on the open workbook (xlwings),
and 汇总 (the add-in's ribbon only) over the workbooks of its folder.

The VBA macros (``macros/Juesuan.bas``, built into ``xlsx_templates/juesuan.xlam`` and
``xlsx_templates/standard.xlsm`` by ``python -m juesuan.excel.build``) each make one call::

    RunPython "import juesuan.excel as xl; xl.validate()"

Every entry point takes the calling book (``xw.Book.caller()``), reads each standard
sheet's used range in one read, runs the operations on the open book (``ops.open_book``:
the same audit, fill and publication gate as the CLI) and applies the edit list they return
(``views.edits``, the list the WPS add-in applies too) in blocks through ``excel.live``,
using only what xlwings' VBA client implements. So the same code runs
under RunPython (COM on Windows, AppleScript on macOS) and against xlwings' remote
engine, which the tests use on Linux (``tests/support/xlwings_replay.py``).

A clerk's mistake or an unusable book ends in a Chinese message box, never in a Python
traceback; an unexpected error is logged to ``%TEMP%/juesuan-excel.log``.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..batch import find_workbooks
from ..io.crash_log import append_crash_log
from ..domain.catalog import Catalog, load_catalog
from ..domain.errors import UnusableWorkbook, WriteRefused
from ..io.publication_xlsx import render_workbook
from ..io.reader import read_report
from ..io.workbook_file import save_new_workbook
from ..ops.merge import MergeRefused, merge_books
from ..ops.open_book import (
    check_open_book,
    clear_open_book,
    fill_open_book,
    narrate_open_book,
    publish_open_book,
    summary,
)
from .live import apply_edits, read_book

TITLE = "决算助手"
LOG_NAME = "juesuan-excel.log"
ENTRY_POINTS = ("validate", "fill", "publish", "narrate", "clear_marks", "merge")


def _xlwings():
    try:
        import xlwings  # only here: importing juesuan.excel (tests, the builder) must not need it
    except ImportError:   # pragma: no cover - the VBA only calls us when xlwings is there
        raise UnusableWorkbook("未安装 xlwings：请在命令行运行 pip install \"juesuan[excel]\"") from None
    return xlwings


def _caller(book):
    return book if book is not None else _xlwings().Book.caller()


def _alert(book, prompt: str, mode: str = "info") -> None:
    book.app.alert(prompt, title=TITLE, buttons="ok", mode=mode)


def _log(exc: BaseException) -> Path | None:
    """The traceback of an unexpected error, appended to %TEMP%/juesuan-excel.log."""
    return append_crash_log(exc, LOG_NAME)


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


def _resolve_catalog(catalog: Catalog | None) -> Catalog:
    """The catalogue passed in, else the built-in one (with JUESUAN_CATALOG): once per button press."""
    return catalog if catalog is not None else load_catalog()


# --- entry points ----------------------------------------------------------------------
def validate(book=None, *, catalog=None, when: datetime | None = None):
    """审核: audit the open workbook, write 审核结果 and colour the cells concerned."""
    def work(book):
        outcome = check_open_book(read_book(book), _resolve_catalog(catalog), when)
        apply_edits(book, outcome.edits)
        _alert(book, outcome.message, outcome.mode)
        return outcome.result.findings
    return _run("审核", work, book)


def fill(book=None, *, catalog=None, when: datetime | None = None):
    """填充计算: add missing 款/类 rows, compute every derived cell (合计、小计、类/款、跨表),
    then review as 审核 does."""
    def work(book):
        outcome = fill_open_book(read_book(book), _resolve_catalog(catalog), when)   # reads fills first
        apply_edits(book, outcome.edits)
        _alert(book, outcome.message, outcome.mode)
        return outcome.filled
    return _run("填充计算", work, book)


def clear_marks(book=None):
    """清除标记: put back the fills of every cell the last 审核 coloured."""
    def work(book):
        outcome = clear_open_book(read_book(book))
        apply_edits(book, outcome.edits)
        _alert(book, outcome.message)
        return outcome.restored
    return _run("清除标记", work, book)


def publish(book=None, output: str | os.PathLike | None = None, *, catalog=None):
    """生成公开表: the nine tables as published, from the open workbook as it is now (no save needed),
    written next to it as <name>-公开表.xlsx; refused while the audit finds errors, as juesuan publish does."""
    def work(book):
        target = Path(output) if output else _book_path(book).with_name(f"{_book_path(book).stem}-公开表.xlsx")
        outcome = publish_open_book(read_book(book), _resolve_catalog(catalog))
        if outcome.publication is None:
            _alert(book, outcome.message, outcome.mode)
            return None
        save_new_workbook(render_workbook(outcome.publication), target)
        _alert(book, f"公开表已生成：\n{target}{outcome.message}")
        return target
    return _run("生成公开表", work, book)


def narrate(book=None, *, catalog=None):
    """生成情况说明: the 情况说明 drafted from the open workbook as it is now (no save needed), written
    next to it as <name>-情况说明.docx (never over an earlier draft the clerk may have completed);
    refused while the audit finds errors, as 生成公开表 is."""
    def work(book):
        outcome = narrate_open_book(read_book(book), _resolve_catalog(catalog), _saved_path(book))
        _alert(book, outcome.message, outcome.mode)
        return outcome.output
    return _run("生成情况说明", work, book)


def _saved_path(book) -> Path | None:
    """The open workbook's file, None while it is not saved in a local folder."""
    full = str(book.fullname)
    return Path(full) if full and "://" not in full and os.path.isabs(full) else None


def _book_path(book, action: str = "生成公开表") -> Path:
    """Where the open workbook lives; the output goes next to it."""
    path = _saved_path(book)
    if path is None:
        raise UnusableWorkbook(f"工作簿还没有保存到本机文件夹（或在网盘上）：请先“另存为”到本机文件夹，再{action}")
    return path


# --- 汇总 (add-in ribbon) ---------------------------------------------------------------------
MERGED_SUFFIX = "-部门汇总"      # <folder>/<folder name>-部门汇总.xlsx
PUBLISHED_SUFFIX = "-公开表"     # what 生成公开表 writes next to a workbook: never a unit to merge


def merge(book=None, folder: str | os.PathLike | None = None, *, catalog=None):
    """汇总: merge the saved workbooks of the open book's folder (as juesuan merge does) into
    <folder>/<folder name>-部门汇总.xlsx. The department's name is the folder's, or the 单位名称
    of the department workbook a previous 汇总 left there (so a clerk's correction stays)."""
    def work(book):
        where = Path(folder) if folder else _book_path(book, "汇总").parent
        target = where / f"{where.name}{MERGED_SUFFIX}.xlsx"
        name = where.name
        if target.exists():
            try:
                name = read_report(target).unit_name or name
            except UnusableWorkbook:
                pass                     # merge_books refuses to replace it and says why
        books = [p for p in find_workbooks([where], exclude=[target]) if not p.stem.endswith(PUBLISHED_SUFFIX)]
        try:
            outcome = merge_books(books, name, _resolve_catalog(catalog), target)
        except MergeRefused as exc:
            _alert(book, f"汇总未完成：{exc.message}", "critical")
            return None
        transfers = any(f.rule == "M02" for f in outcome.result.findings)
        extra = ("\n汇总结果含单位之间的内部往来（见“审核结果”M02）；抵销请用命令行 juesuan merge --offset。"
                 if transfers else "")
        _alert(book, f"汇总完成：{len(books)} 个工作簿（按各文件已保存的内容）汇总为\n{target}\n"
                     f"部门名称：{name}（可在汇总工作簿的“单位信息”中修改，再次汇总时沿用）。\n"
                     f"汇总结果审核：{summary(outcome.result.summary)}。{extra}",
               "critical" if outcome.result.has_errors else "info")
        return target
    return _run("汇总", work, book)
