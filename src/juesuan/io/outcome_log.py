"""The outcomes of a batch run kept on disk, not in memory.

A reviewer's run over 10,000 workbooks gives tens of findings per file; held as dicts they
would cost hundreds of megabytes. Each outcome goes instead into a private temporary SQLite
database (the standard library's, deleted when closed, its page cache capped), with the keys
the summary is ordered by, and is read back one at a time: in path order, or worst first
(views.summary.sort_key) for the screen summary and the summary workbook. What stays in
memory is the Tally (counts and the common folder).
"""
from __future__ import annotations

import json
import tempfile
from typing import Iterator

from ..domain.errors import WriteRefused
from ..views.summary import STATUSES, Tally, sort_key

_CACHE_KIB = 256           # SQLite's page cache; sorting spills to temporary files beyond it


class OutcomeLog:
    def __init__(self, kept: bool = True):
        """`kept`: whether the outcomes are read back (the screen summary, the summary workbook);
        without, only the tally is kept (batch --format json prints each outcome as it comes)."""
        self.tally = Tally()
        self._db = None
        if not kept:
            return
        import sqlite3        # (imported here: only batch needs it)
        self._errors = sqlite3.Error
        # "" opens a private temporary database on disk, removed when the connection closes
        try:
            self._db = sqlite3.connect("")
        except sqlite3.Error as exc:
            raise _refused(exc) from None
        for statement in (f"PRAGMA cache_size = -{_CACHE_KIB}", "PRAGMA temp_store = FILE",
                          "PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF",
                          "CREATE TABLE outcome (position INTEGER PRIMARY KEY, status INTEGER, no_unit INTEGER,"
                          " unit BLOB, file BLOB, body TEXT)"):
            self._execute(statement)

    def _execute(self, statement: str, values: tuple = ()):
        try:
            return self._db.execute(statement, values)
        except self._errors as exc:    # a full disk, an unwritable temporary folder
            raise _refused(exc) from None

    def add(self, outcome: dict, text: str | None = None) -> None:
        """Keep `outcome`; `text`: its JSON, when the caller has made it already."""
        status, no_unit, unit, file = sort_key(outcome)
        self.tally.add(outcome, STATUSES[status])
        if self._db is None:
            return
        if text is None or _has_surrogates(text):
            text = json.dumps(outcome)
        # a file name's undecodable bytes are lone surrogates (os.fsdecode): kept as UTF-8 bytes that
        # order as the str does, and in the JSON as \\udcXX escapes
        self._execute("INSERT INTO outcome (status, no_unit, unit, file, body) VALUES (?, ?, ?, ?, ?)",
                         (status, no_unit, _bytes(unit), _bytes(file), text))

    def in_path_order(self) -> Iterator[dict]:
        """The outcomes in the order they were added (batch adds them in path order)."""
        return self._select("ORDER BY position")

    def worst_first(self, statuses: tuple[str, ...] = STATUSES) -> Iterator[dict]:
        """The outcomes of the given statuses in views.summary.sort_key order."""
        wanted = ",".join(str(STATUSES.index(s)) for s in statuses)
        # SQLite compares BLOBs byte by byte: UTF-8 bytes order as Python orders str (by code point)
        return self._select(f"WHERE status IN ({wanted}) ORDER BY status, no_unit, unit, file, position")

    def _select(self, clause: str) -> Iterator[dict]:
        if self._db is None:
            raise RuntimeError("the outcomes were not kept (OutcomeLog(kept=False))")
        for (body,) in self._execute(f"SELECT body FROM outcome {clause}"):
            yield json.loads(body)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    def __enter__(self) -> OutcomeLog:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _refused(exc: Exception) -> WriteRefused:
    return WriteRefused(f"无法在临时文件夹中保存批量审核的中间结果（{exc}）：请检查临时文件夹"
                        f"（{tempfile.gettempdir()}）的剩余空间和写入权限后重试")


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
