"""Command line: juesuan template | check | rules | fill | publish | batch.

Each command lives in its own module and is a few lines over ``juesuan.ops``."""
from __future__ import annotations

import click

from .. import __version__
from .batch import batch_command
from .check import check, rules, template
from .fill import fill
from .merge import merge
from .import_doc import import_command
from .narrate import narrate
from .options import CONTEXT, OPTIONS_METAVAR
from .publish import publish_command
from .serve import serve
from .zh import install as use_chinese_messages

use_chinese_messages()


@click.group(context_settings=CONTEXT, options_metavar=OPTIONS_METAVAR, subcommand_metavar="命令 [参数]…")
@click.version_option(__version__, "-V", "--version", message="juesuan %(version)s", help="显示版本号并退出。")
def main():
    """决算公开九张表工具：生成标准工作簿、审核勾稽关系、填充计算、生成公开表。

    \b
    常用：
      juesuan template -o 模板.xlsx        生成空白标准工作簿
      juesuan check 单位.xlsx              审核并在屏幕上列出问题
      juesuan check 单位.xlsx --write      审核并把结果写入工作簿的“审核结果”表
      juesuan rules                        查看全部审核规则
    """




for command, name in ((template, "template"), (check, "check"), (rules, "rules"), (fill, "fill"),
                      (publish_command, "publish"), (batch_command, "batch"), (serve, "serve"),
                      (narrate, "narrate")):
    main.add_command(command, name)
main.add_command(merge, "merge")
main.add_command(import_command, "import")


if __name__ == "__main__":  # pragma: no cover
    main()
