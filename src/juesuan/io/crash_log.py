"""Where an unexpected error of ours goes when there is no terminal to show it (the Excel
buttons, the local service): a traceback appended to a log in the temporary folder."""
from __future__ import annotations

import tempfile
import traceback
from datetime import datetime
from pathlib import Path


def append_crash_log(exc: BaseException, name: str) -> Path | None:
    """Append `exc`'s traceback to %TEMP%/`name`; the log's path, or None if it cannot be written."""
    try:
        path = Path(tempfile.gettempdir()) / name
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S}\n")
            handle.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return path
    except OSError:
        return None
