"""`juesuan merge`: consolidate unit workbooks into the department's (汇总)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..domain.errors import WriteRefused
from ..exit_codes import Exit
from ..ops import finding_lines
from ..rules.findings import ERROR, INFO, SEVERITY_LABELS, WARNING
from .options import catalog_option, command, fail, output_option, resolve_catalog, say


@command()
@click.argument("books", nargs=-1, required=True, type=click.Path(), metavar="单位工作簿…")
@output_option("汇总后的部门决算工作簿（.xlsx）", required=True)
@click.option("--name", required=True, metavar="部门名称", help="部门名称，写入汇总工作簿“单位信息”的单位名称")
@click.option("--offset", is_flag=True,
              help="抵销单位之间的内部往来（上级补助收入与对附属单位补助支出、附属单位上缴收入与上缴上级支出，按科目逐行对应）")
@click.option("--force", is_flag=True, help="单位审核有错误时仍然汇总（不建议）")
@catalog_option
def merge(books, output, name, offset, force, catalogs):
    """汇总：把同一年度的各单位工作簿汇总为部门决算工作簿。

    \b
    例：
      juesuan merge 本级.xlsx 下属单位*.xlsx -o 部门.xlsx --name 某某市某某局
      juesuan merge 本级.xlsx 下属单位.xlsx -o 部门.xlsx --name 某某市某某局 --offset
    功能分类科目表（公开02、03、05、07、08）按科目编码合并，公开06 按经济分类科目，公开01、04、09 逐格相加；
    金额全部换算为元相加，结果除各单位都是元外均为万元（只四舍五入一次）。
    汇总前逐个审核：年度不同、文件不是标准工作簿时不汇总；单位审核有错误时不汇总（可用 --force）。
    汇总工作簿中“单位构成”表列出各单位及其占比、每个汇总数由哪些单位构成，以及抵销的内部往来。
    退出码：0 已汇总且汇总结果无错误；1 单位有错误未汇总，或汇总结果审核有错误；2 文件无法使用或无法写出。
    """
    if Path(output).suffix.lower() != ".xlsx":
        raise click.UsageError("汇总工作簿的文件名应以 .xlsx 结尾")
    from ..ops.merge import MergeRefused, merge_books     # (here: it loads openpyxl, which check and batch never need)
    try:
        outcome = merge_books(books, name, resolve_catalog(catalogs), output, offset=offset, force=force)
    except MergeRefused as exc:
        fail(exc.message, exc.code)
    except WriteRefused as exc:
        fail(f"错误：{exc}", Exit.UNUSABLE)
    for unit in outcome.forced:
        say(f"注意：{unit.path} 审核有 {unit.summary[ERROR]} 条错误，因指定 --force 仍然汇总：", err=True)
        for line in finding_lines([f for f in unit.findings if f.severity == ERROR], limit=5):
            say(line, err=True)
    report = outcome.merged.report
    say(f"已汇总 {len(outcome.inputs)} 个单位 → {outcome.target}：{report.unit_name} {report.year}年度（{report.amount_unit}）"
        + ("，已抵销内部往来" if offset else ""))
    for unit, check in zip(outcome.merged.units, outcome.inputs):
        say(f"  {unit.name}（{check.path}，{unit.report.amount_unit}）")
    if outcome.replaced:
        say(f"  已替换原有的“{outcome.target}”" + (f"，保留了其审核结果中的 {outcome.notes_kept} 条备注"
                                                 if outcome.notes_kept else ""))
    for f in outcome.merged.findings:
        say(f"  [{SEVERITY_LABELS[f.severity]}] {f.rule:<6} {f.message}")
    s = outcome.result.summary
    say(f"  汇总结果审核：错误 {s[ERROR]} 条，警告 {s[WARNING]} 条，提示 {s[INFO]} 条（详见汇总工作簿的“审核结果”表）")
    for f in outcome.result.findings:
        if f.severity == ERROR:
            say(f"  [错误] {f.rule:<6} {f.where} {f.message}")
    sys.exit(Exit.ERRORS if outcome.result.has_errors else Exit.OK)


def merge_options(function):
    """batch --merge 部门.xlsx --name … [--offset]: the folder's workbooks merged after they are checked."""
    for option in reversed((
            click.option("--merge", "merge_target", type=click.Path(dir_okay=False), metavar="部门.xlsx",
                         help="审核后把全部工作簿汇总为部门决算工作簿（同 juesuan merge；需 --name）"),
            click.option("--name", metavar="部门名称", help="与 --merge 同用：汇总后的部门名称"),
            click.option("--offset", is_flag=True, help="与 --merge 同用：抵销单位之间的内部往来"))):
        function = option(function)
    return function


def merge_into(books, target, name, catalog, offset: bool, err: bool = False) -> Exit:
    """batch's merge: say what happened in one or a few lines; the exit code of the merge."""
    from ..ops.merge import MergeRefused, merge_books     # (here: it loads openpyxl)
    try:
        outcome = merge_books(books, name, catalog, target, offset=offset)
    except MergeRefused as exc:
        say(f"未汇总：{exc.message}", err=True)
        return exc.code
    except WriteRefused as exc:
        say(f"未汇总：{exc}", err=True)
        return Exit.UNUSABLE
    s = outcome.result.summary
    say(f"部门汇总已写入：{outcome.target}（{len(outcome.inputs)} 个工作簿；汇总结果审核：错误 {s[ERROR]} 条，"
        f"警告 {s[WARNING]} 条，提示 {s[INFO]} 条）", err=err)
    return Exit.ERRORS if outcome.result.has_errors else Exit.OK
