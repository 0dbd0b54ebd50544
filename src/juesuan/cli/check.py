"""`juesuan template`, `juesuan check` and `juesuan rules`."""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from ..domain.catalog import builtin_catalog
from ..domain.errors import UnusableWorkbook, WriteRefused
from ..domain.labels import year_label
from ..exit_codes import Exit
from ..io.documents import is_document
from ..ops import check_book, save_review
from ..ops.imports import check_document
from ..ops.narrative_check import add_narrative_check
from ..rules.findings import ERROR, INFO, SEVERITY_LABELS, WARNING, note_for
from ..rules.registry import RULES, rule_sort_key
from .options import (
    catalog_option,
    command,
    format_option,
    output_option,
    refuse_overwriting_source,
    resolve_catalog,
    say,
    say_what_the_copy_lacks,
)


@command()
@output_option("输出文件（.xlsx）", required=True)
@click.option("--force", is_flag=True, help="输出文件已存在时也覆盖（默认拒绝，以免覆盖已填写的工作簿）")
def template(output, force):
    """生成空白的决算公开标准工作簿。"""
    target = Path(output)
    if target.suffix.lower() != ".xlsx":
        raise click.UsageError("模板文件名应以 .xlsx 结尾")
    if target.exists() and not force:
        raise click.UsageError(f"“{target}”已存在（可能是已填写的工作簿），未覆盖：请换一个文件名，确需覆盖请加 --force")
    try:
        from ..io.template_xlsx import build_workbook       # openpyxl: only the commands that write load it
        from ..io.workbook_file import save_new_workbook
        save_new_workbook(build_workbook(builtin_catalog()), target)
    except WriteRefused as exc:
        say(f"错误：{exc}", err=True)
        sys.exit(Exit.UNUSABLE)
    say(f"已生成标准工作簿：{target}")


@command()
def rules():
    """列出全部审核规则（编号、级别、内容）。"""
    for rule_id in sorted(RULES, key=rule_sort_key):
        rule = RULES[rule_id]
        say(f"{rule.id:<6} {SEVERITY_LABELS[rule.severity]}  [{rule.family}] {rule.title}")
    say("\n说明：金额单位为万元时，勾稽差额不超过尾差范围（0.005 × 参与计算的非空数字个数）的，按“提示”报告尾差，不算错误。")


NOTE_SHOWN = 30     # characters of a clerk's 备注 shown after its warning


def _shown_note(note) -> str:
    text = " ".join(str(note).split())
    return text if len(text) <= NOTE_SHOWN else text[:NOTE_SHOWN] + "…"


def _print_text(result, show_info: bool, notes: dict) -> None:
    report = result.report
    s = result.summary
    head = f"{result.path}：{report.unit_name or '（未填单位名称）'} {year_label(report.year)}（{report.amount_unit}）"
    say(head)
    verdict = "未发现错误" if s[ERROR] == 0 else "有错误，须改正"
    explained = {id(f): note for f in result.findings if f.severity == WARNING
                 for note in [note_for(notes, f)] if str(note or "").strip()}
    noted = f"（其中 {len(explained)} 条已说明）" if explained else ""
    say(f"  错误 {s[ERROR]} 条，警告 {s[WARNING]} 条{noted}，提示 {s[INFO]} 条 —— {verdict}")
    for f in result.findings:
        if f.severity == INFO and not show_info:
            continue
        note = f"（已说明：{_shown_note(explained[id(f)])}）" if id(f) in explained else ""
        say(f"  [{SEVERITY_LABELS[f.severity]}] {f.rule:<6} {f.where:<12} {f.message}{note}")
    if s[INFO] and not show_info:
        say(f"  （另有 {s[INFO]} 条提示：{_kinds(f for f in result.findings if f.severity == INFO)}；加 --all 显示）")


def _kinds(findings) -> str:
    """What the hidden findings are, by rule, most frequent first: "尾差 25 条、科目编码不在科目目录中 9 条"."""
    counts = Counter(f.rule for f in findings)
    names = {rule_id: "尾差" if rule_id.startswith("R") else RULES[rule_id].title.split("（")[0] for rule_id in counts}
    merged = Counter()
    for rule_id, n in counts.items():
        merged[names[rule_id]] += n
    return "、".join(f"{name} {n} 条" for name, n in merged.most_common())


@command()
@click.argument("books", nargs=-1, required=True, type=click.Path(), metavar="工作簿…")
@format_option()
@click.option("--write", is_flag=True, help="把审核结果写入工作簿本身的“审核结果”表并标记问题单元格")
@output_option("把带审核结果的副本写到此文件（原文件不变）")
@click.option("--all", "show_info", is_flag=True, help="文本输出时也列出“提示”级问题（如尾差）")
@click.option("--narrative", type=click.Path(), metavar="情况说明",
              help="同时按工作簿核对情况说明（.docx/.md/.txt）中的数字和表述")
@catalog_option
def check(books, fmt, write, output, show_info, narrative, catalogs):
    """审核工作簿：检查录入和全部勾稽关系。

    默认只读不改文件。已公开的文件（.txt/.pdf/.docx）连同其中的情况说明一起审核。
    退出码：0 无错误，1 有错误，2 文件无法使用。
    """
    if output and len(books) > 1:
        raise click.UsageError("-o 只能用于单个工作簿；多个工作簿请用 --write")
    if narrative and len(books) > 1:
        raise click.UsageError("--narrative 只能用于单个工作簿")
    if output:
        refuse_overwriting_source(books[0], output)
    if output and write:
        raise click.UsageError("--write 与 -o 只能选一个")
    if (write or output) and any(is_document(book) for book in books):
        raise click.UsageError("已公开的文件（.txt/.pdf/.docx）只能审核、不能写入审核结果：请先用 juesuan import 生成工作簿")
    catalog = resolve_catalog(catalogs)
    worst = Exit.OK
    for book in books:
        try:
            result = check_document(book, catalog) if is_document(book) else check_book(book, catalog)
        except UnusableWorkbook as exc:
            worst = Exit.UNUSABLE
            if fmt == "json":
                say(json.dumps({"file": book, "error": exc.message}, ensure_ascii=False))
            else:
                say(f"{book}：无法使用 —— {exc.message}", err=True)
            continue
        if narrative:
            try:
                add_narrative_check(result, narrative)
            except UnusableWorkbook as exc:
                if fmt == "json":
                    say(json.dumps({"file": narrative, "error": exc.message}, ensure_ascii=False))
                else:
                    say(f"{narrative}：无法使用 —— {exc.message}", err=True)
                sys.exit(Exit.UNUSABLE)
        if fmt == "json":
            say(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            # the 备注 only matter beside warnings: read (from the version checked) only for those
            notes = result.notes() if result.summary[WARNING] and not is_document(book) else {}
            _print_text(result, show_info, notes)
        if write or output:
            try:
                target = save_review(result, book, output)
                if fmt == "text":
                    say(f"  审核结果已写入：{target}（“审核结果”表）")
                if output:
                    say_what_the_copy_lacks(book)
            except (WriteRefused, UnusableWorkbook) as exc:
                say(f"错误：{exc}", err=True)
                worst = Exit.UNUSABLE
                continue
        if result.has_errors and worst == Exit.OK:
            worst = Exit.ERRORS
    sys.exit(worst)
