"""`juesuan import`: a published disclosure (text, PDF, Word) into a standard workbook."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..domain.errors import UnusableWorkbook, WriteRefused
from ..domain.labels import year_label
from ..exit_codes import Exit
from ..ops.imports import import_document, narrative_path, save_import
from ..rules.findings import ERROR, SEVERITY_LABELS, WARNING, summarize
from .options import catalog_option, command, output_option, resolve_catalog, say


@command()
@click.argument("document", type=click.Path(), metavar="公开文件")
@output_option("输出的标准工作簿（.xlsx）", required=True)
@click.option("--force", is_flag=True, help="输出文件已存在时也覆盖（默认拒绝）")
@catalog_option
def import_command(document, output, force, catalogs):
    """导入已公开的决算文件（.txt / .pdf / .docx），生成标准工作簿。

    \b
    从文件中识别单位名称、年度、部门或单位、金额单位和九张公开表（表号、表的顺序、
    “三公”表横排或竖排均可），空白仍为空白，0.00 仍为 0.00。第三部分“情况说明”
    另存为与工作簿同名的“…_情况说明.txt”（UTF-8 文本）。无法放入标准表的内容逐条
    列出并注明在原文中的位置。导入后可用 juesuan check 审核工作簿，也可直接
    juesuan check 公开文件。退出码：0 已导入，2 文件无法使用（如不是决算公开文件）。

    \b
    例：juesuan import 2024年度单位决算.pdf -o 单位2024.xlsx
    """
    target = Path(output)
    if target.suffix.lower() != ".xlsx":
        raise click.UsageError("输出文件名应以 .xlsx 结尾")
    if target.exists() and not force:
        raise click.UsageError(f"“{target}”已存在，未覆盖：请换一个文件名，确需覆盖请加 --force")
    if narrative_path(target).exists() and not force:
        raise click.UsageError(f"“{narrative_path(target)}”已存在，未覆盖：请换一个文件名，确需覆盖请加 --force")
    catalog = resolve_catalog(catalogs)
    try:
        imported = import_document(document, catalog)
        saved = save_import(imported, catalog, target)
    except (UnusableWorkbook, WriteRefused) as exc:
        message = exc.message if isinstance(exc, UnusableWorkbook) else str(exc)
        say(f"{document}：无法导入 —— {message}", err=True)
        sys.exit(Exit.UNUSABLE)
    report = imported.report
    say(f"已导入：{document} → {saved.book}")
    say(f"  {report.unit_name or '（未识别单位名称）'} {year_label(report.year)}（{report.entity}，{report.amount_unit}）")
    if saved.narrative:
        say(f"  情况说明（第三部分）已另存为：{saved.narrative}")
    else:
        say("  原文中没有找到情况说明（第三部分），未另存")
    counts = summarize(imported.findings)
    if imported.findings:
        say(f"  导入时发现 {len(imported.findings)} 条需要核对的情况（警告 {counts[WARNING]} 条）：")
        for f in imported.findings:
            say(f"  [{SEVERITY_LABELS[f.severity]}] {f.rule:<4} {f.message}")
    else:
        say("  原文的表格内容已全部放入标准表")
    say(f"  审核：juesuan check {saved.book}")
    sys.exit(Exit.ERRORS if counts[ERROR] else Exit.OK)
