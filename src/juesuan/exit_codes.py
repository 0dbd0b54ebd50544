"""The exit codes of every command and of batch, declared once (README: 退出码).

Kept apart from cli/ so that batch (which must not import click) uses the same table."""
from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0            # done; no errors found
    ERRORS = 1        # the audit found errors (publish: nothing generated)
    UNUSABLE = 2      # a file could not be used, read or written (batch: wins over ERRORS)
    INTERRUPTED = 130  # Ctrl-C
