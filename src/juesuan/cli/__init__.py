"""Command line: juesuan template | check | rules | fill | publish | batch."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import __version__
from ..domain.catalog import CatalogError, load_catalog
from ..domain.errors import UnusableWorkbook, WriteRefused
from ..rules.findings import ERROR, INFO, SEVERITY_LABELS, WARNING

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _catalog(paths):
    try:
        return load_catalog(paths)
    except CatalogError as exc:
        raise click.UsageError(str(exc))


catalog_option = click.option("--catalog", "catalogs", multiple=True, type=click.Path(dir_okay=False),
                              help="补充的功能分类科目目录 CSV（表头 code,name），可多次指定")


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message="juesuan %(version)s")
def main():
    """决算公开九张表工具：生成标准工作簿、审核勾稽关系、填充计算、生成公开表。

    \b
    常用：
      juesuan template -o 模板.xlsx        生成空白标准工作簿
      juesuan check 单位.xlsx              审核并在屏幕上列出问题
      juesuan check 单位.xlsx --write      审核并把结果写入工作簿的“审核结果”表
      juesuan rules                        查看全部审核规则
    """


@main.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="输出文件（.xlsx）")
def template(output):
    """生成空白的决算公开标准工作簿。"""
    from ..io.template_xlsx import build_workbook
    from ..io.writeback import save_atomically
    target = Path(output)
    if target.suffix.lower() != ".xlsx":
        raise click.UsageError("模板文件名应以 .xlsx 结尾")
    try:
        save_atomically(build_workbook(), target)
    except WriteRefused as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
    click.echo(f"已生成标准工作簿：{target}")


@main.command()
def rules():
    """列出全部审核规则（编号、级别、内容）。"""
    from ..rules.registry import RULES, rule_sort_key
    for rule_id in sorted(RULES, key=rule_sort_key):
        rule = RULES[rule_id]
        click.echo(f"{rule.id:<6} {SEVERITY_LABELS[rule.severity]}  [{rule.family}] {rule.title}")
    click.echo("\n说明：金额单位为万元时，勾稽差额不超过尾差范围（0.005 × 参与计算的非空数字个数）的，按“提示”报告尾差，不算错误。")


def _print_text(result, show_info: bool) -> None:
    report = result.report
    s = result.summary
    head = f"{result.path}：{report.unit_name or '（未填单位名称）'} {report.year or '？'}年度（{report.amount_unit}）"
    click.echo(head)
    verdict = "未发现错误" if s[ERROR] == 0 else "有错误，须改正"
    click.echo(f"  错误 {s[ERROR]} 条，警告 {s[WARNING]} 条，提示 {s[INFO]} 条 —— {verdict}")
    for f in result.findings:
        if f.severity == INFO and not show_info:
            continue
        where = f"{f.table}!{f.cell}" if f.cell else f.table
        click.echo(f"  [{SEVERITY_LABELS[f.severity]}] {f.rule:<6} {where:<12} {f.message}")
    if s[INFO] and not show_info:
        click.echo(f"  （另有 {s[INFO]} 条提示，多为尾差；加 --all 显示）")


@main.command()
@click.argument("books", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式：text 中文摘要；json 每个工作簿一行 JSON")
@click.option("--write", is_flag=True, help="把审核结果写入工作簿本身的“审核结果”表并标记问题单元格")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="把带审核结果的副本写到此文件（原文件不变）")
@click.option("--all", "show_info", is_flag=True, help="文本输出时也列出“提示”级问题（如尾差）")
@catalog_option
def check(books, fmt, write, output, show_info, catalogs):
    """审核工作簿：检查录入和全部勾稽关系。

    默认只读不改文件。退出码：0 无错误，1 有错误，2 文件无法使用。
    """
    from ..ops import check_book, save_review
    if output and len(books) > 1:
        raise click.UsageError("-o 只能用于单个工作簿；多个工作簿请用 --write")
    if output and write:
        raise click.UsageError("--write 与 -o 只能选一个")
    catalog = _catalog(catalogs)
    worst = EXIT_OK
    for book in books:
        try:
            result = check_book(book, catalog)
        except UnusableWorkbook as exc:
            worst = EXIT_UNUSABLE
            if fmt == "json":
                click.echo(json.dumps({"file": book, "error": exc.message}, ensure_ascii=False))
            else:
                click.echo(f"{book}：无法使用 —— {exc.message}", err=True)
            continue
        if fmt == "json":
            click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            _print_text(result, show_info)
        if write or output:
            try:
                target = save_review(result, book, output)
                if fmt == "text":
                    click.echo(f"  审核结果已写入：{target}（“审核结果”表）")
                from ..io.writeback import unsupported_content
                lost = unsupported_content(book) if output else []
                if lost:
                    click.echo(f"  注意：副本中不含原文件的{'、'.join(lost)}（本工具无法原样保存这些内容），原文件保持不变", err=True)
            except (WriteRefused, UnusableWorkbook) as exc:
                click.echo(f"错误：{exc}", err=True)
                worst = EXIT_UNUSABLE
                continue
        if result.has_errors and worst == EXIT_OK:
            worst = EXIT_ERRORS
    sys.exit(worst)


@main.command()
@click.argument("book", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="把填充后的工作簿写到此文件（原文件不变）")
@click.option("--in-place", is_flag=True, help="直接写回原工作簿")
@catalog_option
def fill(book, output, in_place, catalogs):
    """填充计算：由填写的明细算出全部合计、汇总和跨表数字。

    原有数值被改写的单元格会逐一列出（表、单元格、原值 → 新值），并写入“审核结果”表。
    不加 -o 或 --in-place 时只显示将会修改什么，不写文件。
    """
    from ..domain.money import fmt
    from ..ops import fill_book
    if output and in_place:
        raise click.UsageError("-o 与 --in-place 只能选一个")
    dry_run = not (output or in_place)
    try:
        filled, result = fill_book(book, _catalog(catalogs), output, dry_run=dry_run)
    except (UnusableWorkbook, WriteRefused) as exc:
        click.echo(f"{book}：无法处理 —— {getattr(exc, 'message', exc)}", err=True)
        sys.exit(EXIT_UNUSABLE)
    overwritten = filled.overwritten
    click.echo(f"{book}：计算了 {len(filled.changes)} 个单元格，其中改写原有数值 {len(overwritten)} 个"
               f"（尾差 {sum(c.rounding for c in overwritten)} 个）")
    for change in overwritten:
        note = "（尾差）" if change.rounding else ""
        click.echo(f"  改写 {change.table}!{change.address}：{fmt(change.old)} → {fmt(change.new)}{note}")
    s = result.summary
    click.echo(f"  填充后审核：错误 {s[ERROR]} 条，警告 {s[WARNING]} 条，提示 {s[INFO]} 条")
    for f in result.findings:
        if f.severity == ERROR:
            click.echo(f"  [错误] {f.rule:<6} {f.table}!{f.cell or ''} {f.message}")
    if dry_run:
        click.echo("  （未写入文件：加 -o 输出文件 另存，或加 --in-place 写回原文件）")
    else:
        click.echo(f"  已写入：{output or book}")
    sys.exit(EXIT_ERRORS if result.has_errors else EXIT_OK)


from .batch import batch_command; main.add_command(batch_command, "batch")  # noqa: E402
from .publish import publish_command; main.add_command(publish_command, "publish")  # noqa: E402


if __name__ == "__main__":  # pragma: no cover
    main()
