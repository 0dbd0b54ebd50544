"""`juesuan narrate`: draft the 情况说明 from a workbook, as .docx (with charts) or .md."""
from __future__ import annotations

from pathlib import Path

import click

from ..domain.errors import UnusableWorkbook, WriteRefused
from ..exit_codes import Exit
from ..ops.narrate import FORMATS, narrate_book
from .options import command, fail, format_option, output_option, refuse_overwriting_source, say

SUFFIX = {"docx": ".docx", "md": ".md"}


@command()
@click.argument("book", type=click.Path(), metavar="工作簿")
@output_option("情况说明输出文件（.docx 或 .md）", required=True)
@format_option(FORMATS, default=None, help_text="输出格式：docx Word 文档（含图表）；md Markdown 文本。默认按输出文件扩展名")
@click.option("--no-charts", is_flag=True, help="Word 文档中不插入图表")
def narrate(book, output, fmt, no_charts):
    """按工作簿中的数字起草“情况说明”（第三部分的十三节）。

    \b
    每个数字、占比和增减百分比都由工作簿计算；需要的上年数和九张表以外的事项
    填在“上年数”“其他公开事项”两张表中。缺少的内容和未填写的原因以【待填写：…】标出
    （Word 中黄色突出显示），请补充后再公开。
    """
    fmt = fmt or ("md" if Path(output).suffix.lower() == ".md" else "docx")
    if Path(output).suffix.lower() != SUFFIX[fmt]:
        raise click.UsageError(f"{fmt} 格式的输出文件名应以 {SUFFIX[fmt]} 结尾")
    refuse_overwriting_source(book, output)
    try:
        result = narrate_book(book, output, fmt, charts=not no_charts)
    except (UnusableWorkbook, WriteRefused) as exc:
        fail(f"{book}：无法处理 —— {getattr(exc, 'message', exc)}")
    say(f"已生成情况说明：{result.path}")
    for problem in result.problems:
        say(f"  注意：{problem}")
    if result.absent_sheets:
        say(f"  工作簿没有“{'”“'.join(result.absent_sheets)}”表（旧版模板）：可用 juesuan template 生成新模板，"
            "把两张表复制到本工作簿（表名不变）后填写")
    if result.narrative.missing:
        say(f"  工作簿缺少：{'、'.join(result.narrative.missing)}（填在“上年数”“其他公开事项”表中）")
    if result.placeholders:
        say(f"  有 {len(result.placeholders)} 处【待填写】，请补充后再公开：")
        for text in sorted(set(result.placeholders)):
            say(f"    {text}")
    raise SystemExit(int(Exit.OK))
