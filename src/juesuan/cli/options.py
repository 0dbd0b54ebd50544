"""What every command shares, declared once: exit codes, options, the catalogue, messages."""
from __future__ import annotations

import os
import re
from pathlib import Path

import click

from ..domain.catalog import Catalog, CatalogError, load_catalog
from ..exit_codes import Exit

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
OPTIONS_METAVAR = "[选项]"


def command(**settings):
    """click.command with our context and the Chinese usage line."""
    return click.command(context_settings=CONTEXT, options_metavar=OPTIONS_METAVAR, **settings)


def resolve_catalog(paths) -> Catalog:
    """The catalogue for this run: built-in, JUESUAN_CATALOG, then --catalog files."""
    try:
        return load_catalog(paths)
    except CatalogError as exc:
        raise click.UsageError(str(exc)) from None


catalog_option = click.option(
    "--catalog", "catalogs", multiple=True, type=click.Path(dir_okay=False), metavar="目录.csv",
    help="补充的功能分类科目目录 CSV（表头 code,name），可多次指定")


def format_option(choices=("text", "json"), default="text", help_text=None):
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=default, show_default=default is not None,
        help=help_text or "输出格式：text 中文摘要；json 每个工作簿一行 JSON")


def _named_file(_ctx, _param, value):
    if value is not None and not value.strip():
        raise click.BadParameter("输出文件名不能为空")
    return value


def output_option(help_text: str, required: bool = False):
    return click.option("-o", "--output", required=required, type=click.Path(dir_okay=False), metavar="文件",
                        callback=_named_file, help=help_text)


def refuse_overwriting_source(source, *targets) -> None:
    """-o promises that the clerk's workbook stays as it is: an output naming it is refused."""
    for target in targets:
        if target and Path(source).exists() and Path(target).exists() and os.path.samefile(source, target):
            raise click.UsageError(f"输出文件“{target}”就是原工作簿：输出文件不能与原工作簿相同（会覆盖您填写的工作簿），"
                                   "请换一个输出文件名（要直接写回原工作簿，审核用 --write，填充计算用 --in-place）")


def _at_least_one(_ctx, _param, value):
    if value is not None and value < 1:
        raise click.BadParameter(f"进程数至少为 1，实为 {value}")
    return value


jobs_option = click.option(
    "-j", "--jobs", type=int, default=None, metavar="进程数", callback=_at_least_one,
    help="同时审核的进程数（默认：全部 CPU 核心；1 表示在本进程内逐个审核）")


# What a terminal would obey instead of print: C0/C1 controls (ESC, CSI U+009B…) and the
# bidirectional overrides that reorder a line (U+202E); newline and tab stay.
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text) -> str:
    """Show control characters from file and unit names as \\uXXXX (also valid inside JSON strings)."""
    return _TERMINAL_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", str(text))


def say(message="", err: bool = False) -> None:
    """Every line a command prints goes through here."""
    click.echo(terminal_safe(message), err=err)


def say_what_the_copy_lacks(source) -> None:
    """After writing a copy with -o: name what the original holds that the copy does not."""
    from ..io.workbook_file import unsupported_content     # (a copy was written: openpyxl is loaded anyway)
    lost = unsupported_content(source)
    if lost:
        say(f"  注意：副本中不含原文件的{'、'.join(lost)}（本工具无法原样保存这些内容），原文件保持不变", err=True)


def fail(message: str, code: Exit = Exit.UNUSABLE) -> None:
    """One Chinese line on stderr, then the exit code."""
    say(message, err=True)
    raise SystemExit(int(code))
