"""click's own messages and help labels in Chinese.

click marks its user-facing strings with gettext (`_()` / `ngettext()` bound in each
of its modules) and ships no Chinese catalogue. Rebinding those names to a lookup in
the table below gives a clerk "错误：缺少参数 …" instead of "Error: Missing argument …";
a string missing from the table stays as click wrote it, so a click upgrade can only
fall back to English, never break a command. tests/test_cli_chinese.py drives every
kind of usage error and fails on any English left in what a clerk sees.
"""
from __future__ import annotations

import importlib

CLICK_MODULES = ("click.core", "click.exceptions", "click.types", "click.decorators", "click.formatting",
                 "click.parser", "click.utils", "click.termui")

MESSAGES = {
    # usage and help
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "required": "必填",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    # errors
    "Error: {message}": "错误：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Did you mean {possibility}?": "您是否想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（您是否想用其中之一：{possibilities}？）",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选值 {choices} 之一。",
    "{value!r} is not {choice}.": "{value!r} 只能是 {choice}。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "integer": "整数",
    "float": "数字",
    "{value} is not in the range {range}.": "{value} 超出允许范围（{range}）。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的是/否值，可用：{states}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Aborted!": "已中断。",
    "unknown error": "未知错误",
}
PLURALS = {   # click's ngettext pairs: the plural form, when it reads differently from the singular
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面需要 {nargs} 个值。",
}


def translate(message: str) -> str:
    return MESSAGES.get(message, message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    return translate(singular) if n == 1 else PLURALS.get(plural, translate(plural))


def install() -> None:
    """Rebind click's gettext names to the Chinese table (idempotent)."""
    import click.exceptions
    import click.types
    click.types.IntParamType.name = "整数"        # shown in "不是有效的整数" and as a metavar
    click.types.FloatParamType.name = "数字"
    missing = click.exceptions.MissingParameter
    if not getattr(missing.format_message, "chinese", False):
        english = missing.format_message

        def format_message(self) -> str:
            # click joins "Missing argument 'X'" and its detail with an ASCII full stop outside gettext
            return english(self).replace(".", "。", 1)
        format_message.chinese = True
        missing.format_message = format_message
    for name in CLICK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:       # a module click no longer has: nothing to translate there
            continue
        if hasattr(module, "_"):
            module._ = translate
        if hasattr(module, "ngettext"):
            module.ngettext = translate_plural
