"""What every command shares, declared once: exit codes, options, the catalogue, messages."""
from __future__ import annotations

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


def output_option(help_text: str, required: bool = False):
    return click.option("-o", "--output", required=required, type=click.Path(dir_okay=False), metavar="文件",
                        help=help_text)


def _at_least_one(_ctx, _param, value):
    if value is not None and value < 1:
        raise click.BadParameter(f"进程数至少为 1，实为 {value}")
    return value


jobs_option = click.option(
    "-j", "--jobs", type=int, default=None, metavar="进程数", callback=_at_least_one,
    help="同时审核的进程数（默认：全部 CPU 核心；1 表示在本进程内逐个审核）")


def fail(message: str, code: Exit = Exit.UNUSABLE) -> None:
    """One Chinese line on stderr, then the exit code."""
    click.echo(message, err=True)
    raise SystemExit(int(code))
