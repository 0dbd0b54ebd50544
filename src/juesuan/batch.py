"""Batch validation: many workbooks in parallel, one summary a reviewer can work from.

``juesuan batch PATH…`` finds the workbooks under the given folders, checks each in
a worker process (``ops.check_book``, with the lean reader by default: the same
findings as ``juesuan check``), and reports them in path order whatever the
completion order. Nothing here writes to an input: files are read once, into
memory (a file with warnings a second time, for the 备注 of its 审核结果 sheet,
from a snapshot proven to be the version checked); the summary (views/summary.py,
io/summary_xlsx.py) is written elsewhere.

Robustness, per file: anything that goes wrong with one workbook (damaged, changed
while being read, a crash of the worker process that checks it) becomes an
"unusable" outcome for that file with a Chinese reason; the run goes on.
"""
from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .domain.catalog import Catalog
from .domain.errors import UnusableWorkbook
from .exit_codes import Exit
from .io.atomic import LOCK_PREFIXES, TEMP_PREFIX
from .io.documents import DOCUMENT_SUFFIXES, is_document
from .io.reader import SUPPORTED
from .io.reader import notes_of
from .io.safety import CHANGED, take_snapshot
from .ops import check_book
from .rules.findings import WARNING, note_for
from .views.summary import STATUS_ERRORS, STATUS_UNUSABLE, status_of

WORKER_CRASHED = "审核该文件时程序意外退出（可能是文件内容异常或内存不足），已跳过：请单独用 juesuan check 审核该文件"
SKIPPED_PREFIXES = (*LOCK_PREFIXES, TEMP_PREFIX)    # office programs' lock files, our own temporary files
# Spreadsheets we cannot check are still listed (as unusable, with the reason): a unit that
# sent an .xls must not pass unnoticed.
# Published documents (imported in memory): PDF and Word found in folders; a .txt only when named,
# since folders of returns hold plain-text notes too.
LISTED_SUFFIXES = SUPPORTED + (".xls", ".xlsb", ".et") + tuple(s for s in DOCUMENT_SUFFIXES if s != ".txt")


# --- finding the workbooks -------------------------------------------------------------------
def _is_candidate(name: str) -> bool:
    return name.lower().endswith(LISTED_SUFFIXES) and not name.startswith(SKIPPED_PREFIXES)


def _sort_key(path: Path) -> tuple:
    return tuple(part.casefold() for part in path.parts), str(path)


def find_workbooks(paths: Iterable, exclude: Iterable = ()) -> list[Path]:
    """Workbooks named or found (recursively) under `paths`, sorted by path.

    Folders contribute their .xlsx/.xlsm files (and .xls/.xlsb/.et, to be reported as
    unusable) except lock files, our temporary files and `exclude` (our own summary).
    A path named explicitly is always taken, even if it does not exist (checking it
    then explains why it is unusable). Symbolic links to folders are not followed; a
    file reached twice is taken once.
    """
    excluded = {key for key in (file_identity(Path(p)) for p in exclude) if key is not None}
    seen: set = set()
    found: list[Path] = []

    def add(path: Path) -> None:
        key = file_identity(path) or ("path", str(path))
        if key not in seen:
            seen.add(key)
            found.append(path)

    for raw in paths:
        root = Path(raw)
        if not root.is_dir():
            add(root)
            continue
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder) / name
                if _is_candidate(name) and file_identity(path) not in excluded:
                    add(path)
    found.sort(key=_sort_key)
    return found


def file_identity(path: Path) -> tuple | None:
    """(device, inode): the same file whatever path reaches it; None if there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


# --- one workbook ----------------------------------------------------------------------------
def check_one(path: str, catalog: Catalog, reader: str = "fast",
              between: Callable[[Path], None] | None = None) -> dict:
    """Check one workbook as `juesuan check` does; never raises for a bad file.

    Returns its `check --format json` object, each finding with the clerk's 备注 for it as
    "note" (None when there is none); an unusable workbook gives ``{"file", "error"}``.
    The file is read once (a snapshot); if it changed meanwhile it is reported, not half-read.
    `between` is called after reading, before that comparison (a seam for tests and tools).
    """
    try:
        if is_document(path):
            # (imported here: importing documents loads openpyxl, a quarter of a second a batch of
            # workbooks does not need)
            from .ops.imports import check_document
            outcome = check_document(path, catalog).to_json()
            for shown in outcome.get("findings", ()):
                shown["note"] = None          # a published document has no 审核结果 to explain warnings in
            return outcome
        result = check_book(path, catalog, reader, between)
        outcome = result.to_json()
        # the 备注 decide whether warnings are explained; read (a second time, as check does: about
        # a third more work for such a file) only where there are warnings to explain
        notes = _notes(path, result.report.stamp) if result.summary[WARNING] else {}
        for finding, shown in zip(result.findings, outcome["findings"]):
            note = note_for(notes, finding)
            shown["note"] = str(note) if note is not None and str(note).strip() else None
        return outcome
    except UnusableWorkbook as exc:
        return {"file": path, "error": exc.message}
    except RecursionError:
        return {"file": path, "error": "工作簿结构嵌套过深，无法读取，文件可能已损坏"}
    except Exception as exc:               # a bug of ours must not end a run over 1,000 files
        return {"file": path, "error": f"审核时发生程序内部错误（{type(exc).__name__}），已跳过此文件：请将该文件提供给维护人员"}


def _notes(path: str, stamp: tuple) -> dict:
    """The 备注 of 审核结果, from the same version of the file that was checked."""
    snapshot = take_snapshot(Path(path))
    if snapshot.stamp != stamp:
        raise UnusableWorkbook(CHANGED, path)
    return notes_of(snapshot)


_WORKER: dict = {}


def _init_worker(catalog: Catalog, reader: str) -> None:
    _WORKER["catalog"], _WORKER["reader"] = catalog, reader


def _init_pool_worker(catalog: Catalog, reader: str) -> None:
    # Ctrl-C reaches the whole process group: the parent reports it once and stops the pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(catalog, reader)


def check_in_worker(path: str) -> dict:
    """The task a worker process runs (its catalog and reader come from the pool initializer)."""
    return check_one(path, _WORKER["catalog"], _WORKER["reader"])


# --- many workbooks --------------------------------------------------------------------------
def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def run_checks(paths: list[str], catalog: Catalog, jobs: int | None = None, reader: str = "fast",
               task: Callable[[str], dict] = check_in_worker,
               on_done: Callable[[], None] = lambda: None) -> Iterator[tuple[int, dict]]:
    """Yield (index into paths, outcome) as checks complete, in any order.

    jobs=1 checks in this process. Otherwise a process pool checks the files; if a
    worker process dies, the files it may have been checking are re-run one at a
    time, so that only the file that kills a worker is reported as crashed.
    """
    for item in _run(paths, catalog, default_jobs() if jobs is None else jobs, reader, task):
        on_done()
        yield item


def _run(paths, catalog, jobs, reader, task) -> Iterator[tuple[int, dict]]:
    if jobs <= 1 or len(paths) <= 1:
        _init_worker(catalog, reader)
        for index, path in enumerate(paths):
            yield index, task(path)
        return
    # (imported here: multiprocessing costs a check of one file 40 ms it does not need)
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool
    init = (catalog, reader)
    pending = list(range(len(paths)))
    while pending:
        done: set[int] = set()
        broken = False
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(pending)), initializer=_init_pool_worker, initargs=init)
        try:
            futures = {pool.submit(task, paths[i]): i for i in pending}
            for future in as_completed(futures):
                index = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception as exc:       # e.g. an outcome that could not be sent back
                    outcome = _not_returned(paths[index], exc)
                done.add(index)
                yield index, outcome
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
        left = [i for i in pending if i not in done]
        if not broken or not left:
            break
        # Work is handed out in submission order, at most jobs running + jobs+1 queued:
        # the file that killed the worker is among the first 2*jobs+1 unfinished ones.
        suspects, pending = left[:2 * jobs + 1], left[2 * jobs + 1:]
        yield from _isolated(paths, suspects, init, task)


def _isolated(paths, indexes, init, task) -> Iterator[tuple[int, dict]]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    pool = None
    try:
        for index in indexes:
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=1, initializer=_init_pool_worker, initargs=init)
            try:
                outcome = pool.submit(task, paths[index]).result()
            except BrokenProcessPool:
                outcome = {"file": paths[index], "error": WORKER_CRASHED}
                pool.shutdown(wait=False)
                pool = None
            except Exception as exc:
                outcome = _not_returned(paths[index], exc)
            yield index, outcome
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _not_returned(path: str, exc: Exception) -> dict:
    """The outcome of a file whose worker raised instead of returning one."""
    return {"file": path, "error": f"审核时发生程序内部错误（{type(exc).__name__}），已跳过此文件"}


def in_order(results: Iterable[tuple[int, dict]]) -> Iterator[dict]:
    """Release outcomes in index order as soon as each next one is available."""
    waiting: dict[int, dict] = {}
    following = 0
    for index, outcome in results:
        waiting[index] = outcome
        while following in waiting:
            yield waiting.pop(following)
            following += 1
    for index in sorted(waiting):          # only if some index never came (should not happen)
        yield waiting[index]


def exit_code(outcomes: Iterable[dict]) -> Exit:
    """UNUSABLE if any workbook was unusable (it wins: an unchecked file may hide errors), ERRORS if any had errors."""
    statuses = {status_of(o) for o in outcomes}
    if STATUS_UNUSABLE in statuses:
        return Exit.UNUSABLE
    return Exit.ERRORS if STATUS_ERRORS in statuses else Exit.OK
