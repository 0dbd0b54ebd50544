"""What a clerk sees from the command line is Chinese: usage errors, help texts, usage lines."""
import re

import pytest
from click.testing import CliRunner

from juesuan.cli import main

# words click writes when a message is not translated
ENGLISH = re.compile(r"\b(Error|Usage|Missing|argument|option|Options|Commands|Show this message|required|default|"
                     r"No such|Invalid|is not|range|Try|Aborted)\b")


def run(*args):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("args", [
    ("check",),                                  # missing argument
    ("check", "--bogus", "x.xlsx"),              # unknown option
    ("check", "--format", "xml", "x.xlsx"),      # not one of the choices
    ("batch", "-j", "0", "x"),                   # out of range
    ("fill",),
    ("publish",),
    ("nosuch",),                                 # unknown command
    ("check", "--catalog"),                      # option without its value
])
def test_usage_errors_are_chinese(args):
    code, text = run(*args)
    assert code == 2, text
    assert "错误：" in text, text
    assert not ENGLISH.search(text), text


@pytest.mark.parametrize("command", ["", "check", "fill", "publish", "batch", "template", "rules", "serve"])
def test_help_is_chinese(command):
    code, text = run(*([command] if command else []), "--help")
    assert code == 0, text
    assert text.startswith("用法："), text
    assert "[选项]" in text and "显示本帮助并退出" in text
    # option names and file-name placeholders are the only Latin words left
    leftovers = ENGLISH.findall(text)
    assert leftovers == [], (leftovers, text)
    # PATH, TEXT, INTEGER…: click's English placeholders (PDF/CSV/JSON are names of formats, WPS of a program)
    placeholders = [w for w in re.findall(r"\b[A-Z]{3,}\b", text) if w not in ("PDF", "CSV", "JSON", "CPU", "WPS")]
    assert placeholders == [], (placeholders, text)
