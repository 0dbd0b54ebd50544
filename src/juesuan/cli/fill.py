"""`juesuan fill`: compute every derived cell, list what was overwritten, review the result."""
from __future__ import annotations

import sys

import click

from ..domain.errors import UnusableWorkbook, WriteRefused
from ..domain.money import fmt
from ..exit_codes import Exit
from ..ops import fill_book
from ..rules.findings import ERROR, INFO, SEVERITY_LABELS, WARNING
from .options import (
    catalog_option,
    command,
    output_option,
    refuse_overwriting_source,
    resolve_catalog,
    say,
    say_what_the_copy_lacks,
)

OVERWRITE_RULES = ("F01", "F02", "E34")      # each overwrite is printed as an 改写 line instead


@command()
@click.argument("book", type=click.Path(), metavar="工作簿")
@output_option("把填充后的工作簿写到此文件（原文件不变）")
@click.option("--in-place", is_flag=True, help="直接写回原工作簿")
@click.option("--last-year", "last_year", type=click.Path(), metavar="上年工作簿",
              help="同时按上年的标准工作簿填写“上年数”表（改写的原有数值逐一列出）")
@catalog_option
def fill(book, output, in_place, catalogs, last_year):
    """填充计算：由填写的明细算出全部合计、汇总和跨表数字。

    原有数值被改写的单元格会逐一列出（表、单元格、原值 → 新值），并写入“审核结果”表。
    不加 -o 或 --in-place 时只显示将会修改什么，不写文件。
    """
    if output and in_place:
        raise click.UsageError("-o 与 --in-place 只能选一个")
    refuse_overwriting_source(book, output)
    dry_run = not (output or in_place)
    try:
        filled, result = fill_book(book, resolve_catalog(catalogs), output, dry_run=dry_run, last_year=last_year)
    except (UnusableWorkbook, WriteRefused) as exc:
        say(f"{book}：无法处理 —— {getattr(exc, 'message', exc)}", err=True)
        sys.exit(Exit.UNUSABLE)
    overwritten = filled.overwritten
    say(f"{book}：计算了 {len(filled.changes)} 个单元格，其中改写原有数值 {len(overwritten)} 个"
               f"（尾差 {sum(c.rounding for c in overwritten)} 个）")
    if last_year:
        say(f"  上年数：按 {last_year} 填写 {len(filled.last_year)} 项，"
            f"其中改写原有数值 {sum(c.overwrote for c in filled.last_year)} 项")
    for c in filled.last_year:
        if c.overwrote:
            say(f"  改写 上年数!{c.address}（{c.label}）：{fmt(c.old)} → {fmt(c.new)}")
    for ins in result.inserted:     # the 款/类 rows the clerk left to fill (单位信息: 只填'项')
        say(f"  插入 {ins.table} 第{ins.row}行 {ins.code} {ins.name}（{ins.level}）")
    for change in overwritten:
        note = "（尾差）" if change.rounding else ""
        say(f"  改写 {change.table}!{change.address}：{fmt(change.old)} → {fmt(change.new)}{note}")
    for f in filled.findings:       # what fill could not compute, and why (its overwrites are listed above)
        if f.rule not in OVERWRITE_RULES:
            say(f"  [{SEVERITY_LABELS[f.severity]}] {f.rule:<6} {f.where} {f.message}")
    s = result.summary
    say(f"  填充后审核：错误 {s[ERROR]} 条，警告 {s[WARNING]} 条，提示 {s[INFO]} 条")
    for f in result.findings:
        if f.severity == ERROR:
            say(f"  [错误] {f.rule:<6} {f.where} {f.message}")
    if dry_run:
        say("  （未写入文件：加 -o 输出文件 另存，或加 --in-place 写回原文件）")
    else:
        say(f"  已写入：{output or book}")
        if output:
            say_what_the_copy_lacks(book)
    sys.exit(Exit.ERRORS if result.has_errors else Exit.OK)
