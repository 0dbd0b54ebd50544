"""`juesuan batch`: check a folder of workbooks in parallel and write the reviewer's summary."""
from __future__ import annotations

import itertools
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

from ..batch import exit_code, file_identity, in_order, iter_workbooks, run_checks
from ..domain.errors import UnusableWorkbook, WriteRefused
from ..domain.labels import visible_text, year_label
from ..exit_codes import Exit
from ..io.outcome_log import OutcomeLog
from ..io.reader import READERS
from ..rules.findings import ERROR, WARNING
from ..views.summary import (
    STATUS_UNUSABLE,
    STATUSES,
    count_line,
    main_problems,
    status_label,
    status_of,
    warning_counts,
)
from .merge import merge_into, merge_options
from .options import (
    catalog_option,
    command,
    fail,
    format_option,
    jobs_option,
    resolve_catalog,
    say,
)


def _text_line(outcome: dict) -> str:
    status = status_of(outcome)
    file = visible_text(outcome["file"])      # a name's undecodable bytes as \xNN: a terminal cannot print them
    if status == STATUS_UNUSABLE:
        return f"{STATUS_UNUSABLE}  {file} —— {outcome['error']}"
    counts = outcome["summary"]
    explained, _unexplained = warning_counts(outcome)
    who = f"{outcome['unit'] or '（未填单位名称）'} {year_label(outcome['year'])}"
    noted = f"（已说明 {explained} 条）" if explained else ""
    first = main_problems(outcome)
    return (f"{status_label(outcome)}    {file}：{who}，错误 {counts[ERROR]} 条，"
            f"警告 {counts[WARNING]} 条{noted}" + (f" —— {first}" if first else ""))


@command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="文件夹或工作簿…")
@jobs_option
@click.option("--report", type=click.Path(dir_okay=False), metavar="汇总表.xlsx", help="把汇总表写到此 .xlsx 文件（每个工作簿一行，另附全部问题清单）")
@click.option("--all", "with_info", is_flag=True, help="汇总表“全部问题”也列出“提示”（默认只列错误和警告）")
@format_option(help_text="输出格式：text 中文摘要；json 每个工作簿一行 JSON（同 check --format json，每条问题另附备注 note）")
@catalog_option
@click.option("--reader", type=click.Choice(READERS), default="fast", hidden=True,
              help="读取方式：fast 快速读取（默认）；openpyxl 参照读取方式（较慢，结果相同）")
@merge_options
def batch_command(paths, jobs, report, with_info, fmt, catalogs, reader, merge_target=None, name=None, offset=False):
    """批量审核：审核文件夹（含子文件夹）中的全部 .xlsx / .xlsm 工作簿。

    \b
    多个工作簿同时审核，任何一个文件损坏都不影响其他文件；不修改任何被审核的文件。
    跳过 Excel 临时锁定文件（~$ 开头）。
    状态：通过 / 有警告（未说明 N 条）/ 有错误 / 无法使用。警告在“审核结果”表“备注”栏
    写明了原因的算“已说明”；警告都已说明的工作簿算“通过”。
    屏幕上列出通过以外的工作簿（无法使用、有错误、有警告在前，同一状态按单位名称排序）；
    完整清单请用 --report 汇总表或 --format json（按文件路径排序）。
    退出码：0 全部没有错误；1 有工作簿有错误；2 有工作簿无法使用（优先于 1）。

    \b
    例：juesuan batch 收件/2024 --report 汇总.xlsx
    """
    if report and Path(report).suffix.lower() != ".xlsx":
        raise click.UsageError("汇总表文件名应以 .xlsx 结尾")
    catalog = resolve_catalog(catalogs)
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:     # a mistyped folder is the reviewer's typo, not a workbook to list as unusable
        fail("没有这个文件夹或文件：" + "、".join(missing) + "（请检查路径是否写错）")
    if merge_target and not (name or "").strip():
        raise click.UsageError("--merge 需要同时用 --name 指定部门名称")
    excluded = [p for p in (report, merge_target) if p]
    if report and file_identity(Path(report)) in {file_identity(Path(p)) for p in paths} - {None}:
        raise click.UsageError("汇总表不能写到被审核的工作簿上，请换一个文件名")
    found = (str(f) for f in iter_workbooks(paths, exclude=excluded))
    first = next(found, None)
    if first is None:
        fail("在指定的文件夹中没有找到 .xlsx / .xlsm 工作簿")
    # the files are found as they are checked (nothing listed ahead: a run over 10,000 workbooks
    # holds neither every path nor every outcome); the progress bar's length is counted first
    names: list[str] | None = [] if merge_target else None
    found = _noted(itertools.chain([first], found), names)
    counted = _count(paths, excluded) if fmt == "text" and sys.stderr.isatty() else 0
    try:
        log = OutcomeLog(kept=fmt == "text" or bool(report))     # (JSON lines are printed as they come)
    except WriteRefused as exc:
        fail(f"错误：{exc}")
    try:
        with _progress(counted > 1, counted) as advance:
            for outcome in in_order(run_checks(found, catalog, jobs, reader, on_done=advance)):
                text = json.dumps(outcome, ensure_ascii=False)
                log.add(outcome, text)
                if fmt == "json":
                    say(text)
        if fmt == "text":
            for outcome in log.worst_first(STATUSES[:-1]):
                say(_text_line(outcome))
            say(count_line(log.tally).replace("共", "共审核", 1) + "。")
        code = exit_code(log.tally)
        if report:
            try:
                from ..io.summary_xlsx import write_summary      # openpyxl: loaded only for --report
                target = write_summary(log, Path(report), with_info)
            except (WriteRefused, UnusableWorkbook) as exc:
                fail(f"错误：{exc}")
            say(f"汇总表已写入：{target}", err=fmt == "json")
    except WriteRefused as exc:           # the outcome log's temporary file (a full disk…)
        fail(f"错误：{exc}")
    except KeyboardInterrupt:
        fail("\n已中断：未完成全部审核。", Exit.INTERRUPTED)
    except BrokenPipeError:               # e.g. `juesuan batch … --format json | head`
        sys.stderr.close()
        sys.exit(Exit.UNUSABLE)
    finally:
        log.close()
    if merge_target:
        code = max(code, merge_into(names, merge_target, name, catalog, offset, err=fmt == "json"))
    sys.exit(code)


def _noted(files: Iterator[str], names: list[str] | None) -> Iterator[str]:
    """`files`, each also kept in `names` when there is such a list (汇总 merges them afterwards)."""
    for file in files:
        if names is not None:
            names.append(file)
        yield file


def _count(paths, excluded) -> int:
    """How many workbooks a run will check (a walk over the folders that keeps nothing)."""
    return sum(1 for _ in iter_workbooks(paths, exclude=excluded))


@contextmanager
def _progress(wanted: bool, length: int):
    """A progress bar on stderr when it is a terminal; yields the function that advances it."""
    if not (wanted and sys.stderr.isatty()):
        yield lambda: None
        return
    with click.progressbar(length=length, label="审核中", file=sys.stderr, show_pos=True, show_eta=True) as bar:
        yield lambda: bar.update(1)


