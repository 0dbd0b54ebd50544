"""Command line: juesuan template | check | rules | fill | publish | batch.

Each command lives in its own module and is a few lines over ``juesuan.ops``."""
from __future__ import annotations

import importlib

import click

from .. import __version__
from .options import CONTEXT, OPTIONS_METAVAR
from .zh import install as use_chinese_messages

use_chinese_messages()

# name -> (module, function): a command's module is imported only when it runs (or for --help),
# so that `juesuan batch` does not load publish's, import's or serve's code in every process
COMMANDS = {"template": ("check", "template"), "check": ("check", "check"), "rules": ("check", "rules"),
            "fill": ("fill", "fill"), "publish": ("publish", "publish_command"), "batch": ("batch", "batch_command"),
            "serve": ("serve", "serve"), "narrate": ("narrate", "narrate"), "merge": ("merge", "merge"),
            "import": ("import_doc", "import_command")}


class _Commands(click.Group):
    def list_commands(self, ctx) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, function = COMMANDS[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), function)


@click.group(cls=_Commands, context_settings=CONTEXT, options_metavar=OPTIONS_METAVAR, subcommand_metavar="命令 [参数]…")
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


if __name__ == "__main__":  # pragma: no cover
    main()
