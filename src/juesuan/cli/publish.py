"""`juesuan publish`: the nine tables as published (xlsx, PDF) or as open data (CSV, JSON)."""
from __future__ import annotations

from pathlib import Path

import click

from ..domain.errors import UnusableWorkbook, WriteRefused
from ..exit_codes import Exit
from ..io.atomic import write_atomically
from ..io.reader import read_notes, read_report
from ..ops import check_report, finding_lines, publication_gate
from ..views.publication import (
    ZERO_BLANK,
    ZERO_STYLES,
    build_publication,
    records,
    records_csv,
    records_json,
)
from .options import (
    catalog_option,
    command,
    format_option,
    output_option,
    refuse_overwriting_source,
    resolve_catalog,
    say,
)


@command()
@click.argument("book", type=click.Path(), metavar="工作簿")
@output_option("输出文件：公开表 .xlsx；配合 --format csv/json 时为数据文件")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False), metavar="文件.pdf", help="同时生成 PDF（需安装 LibreOffice）")
@format_option(("xlsx", "csv", "json"), None, "输出格式：xlsx 公开表（默认）；csv / json 开放数据（每个数字一条记录）")
@click.option("--zero", type=click.Choice(list(ZERO_STYLES)), default=ZERO_BLANK, show_default=True,
              help="零怎样显示：blank 零和空栏都留空；0.00 零和空栏都显示 0.00（开放数据不受影响：零记为 0.00，空栏不输出）")
@click.option("--force", is_flag=True, help="审核有错误时仍然生成（不建议）")
@catalog_option
def publish_command(book, output, pdf, fmt, zero, force, catalogs):
    """生成公开用的九张表（每表一个工作表，可打印为 PDF）：标题、表号、单位、多行表头、注释齐全，金额为万元、两位小数。

    \b
    例：
      juesuan publish 单位.xlsx -o 公开表.xlsx --pdf 公开表.pdf
      juesuan publish 单位.xlsx -o 数据.csv --format csv
    金额单位为“元”的工作簿自动换算为万元（四舍五入到分）。审核有错误时拒绝生成（可用 --force）。
    退出码：0 已生成；1 审核有错误未生成；2 文件无法使用或无法写出。
    """
    source = Path(book)
    if output is None and pdf is None:
        raise click.UsageError("请用 -o 指定输出文件（.xlsx / .csv / .json），或用 --pdf 指定 PDF 文件")
    fmt = fmt or (Path(output).suffix.lower().lstrip(".") if output else "xlsx")
    if fmt not in ("xlsx", "csv", "json"):
        raise click.UsageError(f"无法从文件名判断输出格式“{Path(output).suffix}”：请用 --format 指定 xlsx、csv 或 json")
    if output and Path(output).suffix.lower() != f".{fmt}":
        raise click.UsageError(f"输出格式为 {fmt}，文件名应以 .{fmt} 结尾")
    if pdf and Path(pdf).suffix.lower() != ".pdf":
        raise click.UsageError("PDF 文件名应以 .pdf 结尾")
    refuse_overwriting_source(source, output, pdf)
    catalog = resolve_catalog(catalogs)
    try:
        report = read_report(source)
    except UnusableWorkbook as exc:
        say(f"{book}：无法使用 —— {exc.message}", err=True)
        raise SystemExit(Exit.UNUSABLE)
    result = publication_gate(check_report(report, catalog).findings, read_notes(source))
    if result.errors:
        head = f"{book}：审核发现 {len(result.errors)} 条错误"
        if not force:
            say(f"{head}，不能生成公开表：", err=True)
            for line in finding_lines(result.errors):
                say(line, err=True)
            say("请改正后再生成（juesuan check 查看详情）；确需生成请加 --force。", err=True)
            raise SystemExit(Exit.ERRORS)
        say(f"注意：{head}，因指定 --force 仍然生成，公开前务必改正：", err=True)
        for line in finding_lines(result.errors):
            say(line, err=True)
    if result.unexplained:
        say(f"以下 {len(result.unexplained)} 条警告尚未在“审核结果”表的“备注”栏说明原因（请核实）：")
        for line in finding_lines(result.unexplained):
            say(line)
    publication = build_publication(report, zero)
    if publication.converted:
        say("工作簿金额单位为元，已换算为万元（四舍五入保留两位小数），注明“本套报表金额单位转换时可能存在尾数误差”。")
    try:
        if output and fmt in ("csv", "json"):
            data = records_csv(publication) if fmt == "csv" else records_json(publication)
            write_atomically(Path(output), data)
            say(f"已生成开放数据：{output}（{len(records(publication))} 条记录）")
        from ..io.publication_xlsx import render_workbook   # openpyxl: loaded only when an xlsx is written
        from ..io.workbook_file import save_new_workbook
        workbook = render_workbook(publication)
        if output and fmt == "xlsx":
            save_new_workbook(workbook, Path(output))
            say(f"已生成公开表：{output}")
        if pdf:
            from ..io.pdf import PdfUnavailable, workbook_to_pdf
            try:
                pages = workbook_to_pdf(workbook, Path(pdf))
            except PdfUnavailable as exc:
                say(f"未生成 PDF：{exc}", err=True)
                raise SystemExit(Exit.UNUSABLE)
            say(f"已生成 PDF：{pdf}" + (f"（共 {pages} 页）" if pages else ""))
    except WriteRefused as exc:
        say(f"错误：{exc}", err=True)
        raise SystemExit(Exit.UNUSABLE)
