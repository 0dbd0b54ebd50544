"""`juesuan batch`: check a folder of workbooks in parallel and write the reviewer's summary."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from ..batch import (
    EXIT_UNUSABLE,
    STATUS_ERRORS,
    STATUS_FILLS,
    STATUS_PASS,
    STATUS_UNUSABLE,
    _identity,
    exit_code,
    find_workbooks,
    in_order,
    main_problems,
    run_checks,
    status_of,
    write_summary,
)
from ..domain.catalog import CatalogError, load_catalog
from ..domain.errors import UnusableWorkbook, WriteRefused
from ..rules.findings import ERROR, WARNING


def _text_line(outcome: dict) -> str:
    status = status_of(outcome)
    if status == STATUS_UNUSABLE:
        return f"{STATUS_UNUSABLE}  {outcome['file']} —— {outcome['error']}"
    counts = outcome["summary"]
    who = f"{outcome['unit'] or '（未填单位名称）'} {outcome['year'] or '？'}年度"
    first = main_problems(outcome)
    return (f"{status}    {outcome['file']}：{who}，错误 {counts[ERROR]} 条，警告 {counts[WARNING]} 条"
            + (f" —— {first}" if first else ""))


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="同时审核的进程数（默认：全部 CPU 核心；1 表示在本进程内逐个审核）")
@click.option("--report", type=click.Path(dir_okay=False), help="把汇总表写到此 .xlsx 文件（每个工作簿一行，另附全部问题清单）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式：text 中文摘要；json 每个工作簿一行 JSON（与 check --format json 相同）")
@click.option("--catalog", "catalogs", multiple=True, type=click.Path(dir_okay=False),
              help="补充的功能分类科目目录 CSV（表头 code,name），可多次指定")
@click.option("--reader", type=click.Choice(["fast", "openpyxl"]), default="fast", hidden=True,
              help="读取方式：fast 快速读取（默认）；openpyxl 与 check 完全相同的读取方式")
def batch_command(paths, jobs, report, fmt, catalogs, reader):
    """批量审核：审核文件夹（含子文件夹）中的全部 .xlsx / .xlsm 工作簿。

    \b
    多个工作簿同时审核，任何一个文件损坏都不影响其他文件；不修改任何被审核的文件。
    跳过 Excel 临时锁定文件（~$ 开头）。结果按文件路径排序。
    屏幕上只列出有错误和无法使用的工作簿；完整清单请用 --report 汇总表或 --format json。
    退出码：0 全部没有错误；1 有工作簿有错误；2 有工作簿无法使用（优先于 1）。

    \b
    例：juesuan batch 收件/2024 --report 汇总.xlsx
    """
    if report and Path(report).suffix.lower() != ".xlsx":
        raise click.UsageError("汇总表文件名应以 .xlsx 结尾")
    try:
        catalog = load_catalog(catalogs)
    except CatalogError as exc:
        raise click.UsageError(str(exc))
    files = find_workbooks(paths, exclude=[report] if report else [])
    if report and _identity(Path(report)) in {_identity(f) for f in files} - {None}:
        raise click.UsageError("汇总表不能写到被审核的工作簿上，请换一个文件名")
    if not files:
        click.echo("在指定的文件夹中没有找到 .xlsx / .xlsm 工作簿", err=True)
        sys.exit(EXIT_UNUSABLE)

    names = [str(f) for f in files]
    outcomes: list[dict] = []
    try:
        with _progress(fmt == "text" and len(names) > 1, len(names)) as advance:
            for outcome in in_order(run_checks(names, catalog, jobs, reader, on_done=advance)):
                outcomes.append(outcome)
                if fmt == "json":
                    click.echo(json.dumps(outcome, ensure_ascii=False))
    except KeyboardInterrupt:
        click.echo("\n已中断：未完成全部审核。", err=True)
        sys.exit(130)
    except BrokenPipeError:               # e.g. `juesuan batch … --format json | head`
        sys.stderr.close()
        sys.exit(EXIT_UNUSABLE)

    if fmt == "text":
        for outcome in outcomes:
            if status_of(outcome) != STATUS_PASS:
                click.echo(_text_line(outcome))
        counts = {s: 0 for s in STATUS_FILLS}
        for outcome in outcomes:
            counts[status_of(outcome)] += 1
        click.echo(f"共审核 {len(outcomes)} 个工作簿：通过 {counts[STATUS_PASS]} 个，"
                   f"有错误 {counts[STATUS_ERRORS]} 个，无法使用 {counts[STATUS_UNUSABLE]} 个。")
    code = exit_code(outcomes)
    if report:
        try:
            target = write_summary(outcomes, Path(report))
        except (WriteRefused, UnusableWorkbook) as exc:
            click.echo(f"错误：{exc}", err=True)
            sys.exit(EXIT_UNUSABLE)
        click.echo(f"汇总表已写入：{target}", err=fmt == "json")
    sys.exit(code)


@contextmanager
def _progress(wanted: bool, length: int):
    """A progress bar on stderr when it is a terminal; yields the function that advances it."""
    if not (wanted and sys.stderr.isatty()):
        yield lambda: None
        return
    with click.progressbar(length=length, label="审核中", file=sys.stderr, show_pos=True, show_eta=True) as bar:
        yield lambda: bar.update(1)


