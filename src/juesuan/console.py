"""The `juesuan` command's entry point: Ctrl-C handled before anything heavy is imported.

An interrupt at any moment — while modules load, while a workbook is read, while a
file is written — ends with one Chinese line and exit code 130. The handler raises
SystemExit, which no `except Exception` swallows; the atomic writer removes its
temporary file on any BaseException, so an interrupted write leaves nothing behind.
"""
from __future__ import annotations

import signal
import sys

INTERRUPTED = 130
INTERRUPTED_MESSAGE = "已中断：操作未完成，未写入的文件保持原样。"


def _interrupted(_signum, _frame) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # a second Ctrl-C must not interrupt the clean-up
    sys.stderr.write("\n" + INTERRUPTED_MESSAGE + "\n")
    raise SystemExit(INTERRUPTED)


def run() -> None:
    signal.signal(signal.SIGINT, _interrupted)
    from .cli import main
    main()


if __name__ == "__main__":  # pragma: no cover
    run()
