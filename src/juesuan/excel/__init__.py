"""The buttons inside Excel: 审核, 填充计算, 生成公开表, 清除标记 on the open workbook (xlwings),
and 汇总 (the add-in's ribbon only) over the workbooks of its folder.

The VBA macros (``macros/Juesuan.bas``, built into ``xlsx_templates/juesuan.xlam`` and
``xlsx_templates/standard.xlsm`` by ``python -m juesuan.excel.build``) each make one call::

    RunPython "import juesuan.excel as xl; xl.validate()"

Every entry point takes the calling book (``xw.Book.caller()``), reads each standard
sheet's used range in one read, runs the operations the CLI runs (``ops``: check the
grids, fill and check again, the publication gate) and writes back in blocks through
``excel.live``, using only what xlwings' VBA client implements. So the same code runs
under RunPython (COM on Windows, AppleScript on macOS) and against xlwings' remote
engine, which the tests use on Linux (``tests/support/xlwings_replay.py``).

A clerk's mistake or an unusable book ends in a Chinese message box, never in a Python
traceback; an unexpected error is logged to ``%TEMP%/juesuan-excel.log``.
"""
from __future__ import annotations

import os
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

from .. import ops
from ..batch import find_workbooks
from ..domain.catalog import Catalog, load_catalog
from ..domain.errors import UnusableWorkbook, WriteRefused
from ..io.publication_xlsx import render_workbook
from ..io.reader import read_report
from ..io.workbook_file import save_new_workbook
from ..ops.merge import MergeRefused, merge_books
from ..rules.findings import ERROR, INFO, WARNING
from ..rules.parse import parse_grids
from ..views.publication import build_publication
from ..views.fill_record import still_left, with_carried
from ..views.review import build_review
from .live import (
    apply_review,
    plan_review,
    previous_fill,
    previous_registry,
    read_book,
    restore_marks,
    write_amounts,
)

TITLE = "决算助手"
LOG_NAME = "juesuan-excel.log"
ENTRY_POINTS = ("validate", "fill", "publish", "clear_marks", "merge")


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


def _resolve_catalog(catalog: Catalog | None) -> Catalog:
    """The catalogue passed in, else the built-in one (with JUESUAN_CATALOG): once per button press."""
    return catalog if catalog is not None else load_catalog()


def _summary(counts: dict[str, int]) -> str:
    return f"错误 {counts.get(ERROR, 0)} 条，警告 {counts.get(WARNING, 0)} 条，提示 {counts.get(INFO, 0)} 条"


# --- entry points ----------------------------------------------------------------------
def validate(book=None, *, catalog=None, when: datetime | None = None):
    """审核: audit the open workbook, write 审核结果 and colour the cells concerned."""
    def work(book):
        live = read_book(book)
        result = ops.check_grids(live.grids, _resolve_catalog(catalog), book.name)
        notes, old_marks = previous_registry(live)
        before, overwrites = previous_fill(live)
        record = still_left(before, result.report)          # what fill left and still stands
        findings = with_carried(result.findings, overwrites, record, result.report)
        review = build_review(result.report, findings, result.catalog, notes, when, filled=record)
        apply_review(live, plan_review(live, review, old_marks))
        errors = review.counts.get(ERROR)
        verdict = "有错误，须改正后才能公开。" if errors else "未发现错误。"
        _alert(book, f"审核完成：{_summary(review.counts)}。{verdict}\n详见“审核结果”表，问题单元格已按级别着色。",
               "critical" if errors else "info")
        return result.findings
    return _run("审核", work, book)


def fill(book=None, *, catalog=None, when: datetime | None = None):
    """填充计算: compute every derived cell (合计、小计、类/款、跨表), then review as 审核 does."""
    def work(book):
        live = read_book(book)
        report = parse_grids(live.grids, book.name)
        before, overwrites = previous_fill(live)
        filled, result = ops.fill_and_recheck(report, _resolve_catalog(catalog), written_before=before)
        notes, old_marks = previous_registry(live)
        findings = with_carried(result.findings, overwrites, filled.record, report)
        review = build_review(report, findings, result.catalog, notes, when, filled=filled.record)
        amounts = {(c.table, c.address): c.new for c in filled.changes}
        plan = plan_review(live, review, old_marks, shade=review.derived | set(amounts))   # reads fills first
        write_amounts(book, amounts)
        apply_review(live, plan)
        overwritten = len([c for c in filled.changes if c.overwrote])
        _alert(book, f"填充计算完成：更新了 {len(filled.changes)} 个自动计算单元格"
                     f"（其中覆盖原有数字 {overwritten} 个，已列入“审核结果”）。\n审核：{_summary(review.counts)}。",
               "critical" if review.counts.get(ERROR) else "info")
        return filled
    return _run("填充计算", work, book)


def clear_marks(book=None):
    """清除标记: put back the fills of every cell the last 审核 coloured."""
    def work(book):
        restored = restore_marks(read_book(book))
        if not restored:
            _alert(book, "没有需要清除的标记。")
            return 0
        _alert(book, f"已清除 {restored} 个单元格的审核标记，恢复为原来的底色。")
        return restored
    return _run("清除标记", work, book)


def publish(book=None, output: str | os.PathLike | None = None, *, catalog=None):
    """生成公开表: the nine tables as published, from the open workbook as it is now (no save needed),
    written next to it as <name>-公开表.xlsx; refused while the audit finds errors, as juesuan publish does."""
    def work(book):
        target = Path(output) if output else _book_path(book).with_name(f"{_book_path(book).stem}-公开表.xlsx")
        live = read_book(book)
        result = ops.check_grids(live.grids, _resolve_catalog(catalog), book.name)
        notes, _marks = previous_registry(live)
        gate = ops.publication_gate(result.findings, notes)
        if gate.closed:
            lines = "\n".join(line.strip() for line in ops.finding_lines(gate.errors, limit=8))
            _alert(book, f"审核发现 {len(gate.errors)} 条错误，不能生成公开表：\n{lines}\n"
                         "请改正后再生成（点“审核”查看详情）。", "critical")
            return None
        publication = build_publication(result.report)
        save_new_workbook(render_workbook(publication), target)
        extra = ""
        if publication.converted:
            extra += "\n金额单位为元，已换算为万元（四舍五入保留两位小数）。"
        if gate.unexplained:
            extra += f"\n另有 {len(gate.unexplained)} 条警告尚未在“审核结果”的“备注”栏说明原因，公开前请核实。"
        _alert(book, f"公开表已生成：\n{target}{extra}")
        return target
    return _run("生成公开表", work, book)


def _book_path(book, action: str = "生成公开表") -> Path:
    """Where the open workbook lives; the output goes next to it."""
    full = str(book.fullname)
    if not full or "://" in full or not os.path.isabs(full):
        raise UnusableWorkbook(f"工作簿还没有保存到本机文件夹（或在网盘上）：请先“另存为”到本机文件夹，再{action}")
    return Path(full)


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
                     f"汇总结果审核：{_summary(outcome.result.summary)}。{extra}",
               "critical" if outcome.result.has_errors else "info")
        return target
    return _run("汇总", work, book)
