"""Batch validation: many workbooks in parallel, one summary a reviewer can work from.

``juesuan batch PATH…`` finds the workbooks under the given folders, checks each in
a worker process (``ops.check_book``, with the lean reader by default: the same
findings as ``juesuan check``), and reports them in path order whatever the
completion order. Nothing here writes to an input: files are read once, into
memory (the 备注 of its 审核结果 sheet, for a file with warnings, from that same
snapshot); the summary (views/summary.py,
io/summary_xlsx.py) is written elsewhere.

Robustness, per file: anything that goes wrong with one workbook (damaged, changed
while being read, a crash of the worker process that checks it) becomes an
"unusable" outcome for that file with a Chinese reason; the run goes on.
"""
from __future__ import annotations

import heapq
import itertools
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
from .ops import check_book
from .rules.findings import WARNING, note_for
from .views.summary import STATUS_ERRORS, STATUS_UNUSABLE, Tally

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
    """iter_workbooks as a list."""
    return list(iter_workbooks(paths, exclude))


def iter_workbooks(paths: Iterable, exclude: Iterable = ()) -> Iterator[Path]:
    """Workbooks named or found (recursively) under `paths`, in path order, one at a time.

    Folders contribute their .xlsx/.xlsm files (and .xls/.xlsb/.et, to be reported as
    unusable) except lock files, our temporary files and `exclude` (our own summary).
    A path named explicitly is always taken, even if it does not exist (checking it
    then explains why it is unusable). Symbolic links to folders are not followed; a
    file reached twice is taken once.

    Nothing is listed ahead: a run over 10,000 workbooks holds one folder's names at a time,
    not every path. Files that can be reached twice (named ones, links, hard links) are
    the only ones remembered; a folder inside another named folder is walked once.
    """
    excluded = {key for key in (file_identity(Path(p)) for p in exclude) if key is not None}
    files: list[Path] = []
    folders: list[Path] = []
    for raw in paths:
        root = Path(raw)
        (folders if root.is_dir() else files).append(root)
    named = [(path, file_identity(path) or ("path", str(path))) for path in sorted(files, key=_sort_key)]
    named_keys = {key for _, key in named}
    streams = [iter(named)]
    streams += [_walk(folder, excluded, named_keys) for folder in _outermost(folders)]
    seen: set = set()
    for path, key in heapq.merge(*streams, key=lambda item: _sort_key(item[0])):
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        yield path


def _outermost(folders: list[Path]) -> list[Path]:
    """The folders not inside another one (by their real paths; the first of equals). A folder's
    walk reaches everything below it through real folders, so one inside it adds nothing."""
    real = sorted(((os.path.realpath(f), f) for f in folders), key=lambda item: (len(item[0]), _sort_key(item[1])))
    kept: list[tuple[str, Path]] = []
    for path, folder in real:
        if not any(path == outer or path.startswith(outer.rstrip(os.sep) + os.sep) for outer, _ in kept):
            kept.append((path, folder))
    return sorted((folder for _, folder in kept), key=_sort_key)


def _walk(folder: Path, excluded: set, named_keys: set) -> Iterator[tuple[Path, tuple | None]]:
    """(path, identity to remember or None) of the candidates under `folder`, in path order.
    Only a file that may be reached again (a link, a hard link, a file also named) is remembered."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(((entry.name.casefold(), entry.name, _kind(entry)) for entry in scan))
    except OSError:                       # as os.walk: an unreadable folder contributes nothing
        return
    for _, name, kind in entries:
        path = folder / name
        if kind == "folder":
            yield from _walk(path, excluded, named_keys)
        elif kind != "linked folder" and _is_candidate(name):
            try:
                st = os.stat(path)
            except OSError:
                yield path, ("path", str(path))
                continue
            key = (st.st_dev, st.st_ino)
            if key in excluded:
                continue
            yield path, key if (kind == "link" or st.st_nlink > 1 or key in named_keys) else None


def _kind(entry: os.DirEntry) -> str:
    try:
        if entry.is_dir():
            return "linked folder" if entry.is_symlink() else "folder"
        return "link" if entry.is_symlink() else "file"
    except OSError:
        return "file"


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
        # the 备注 decide whether warnings are explained: read (from the snapshot checked) only where there are some
        notes = result.notes() if result.summary[WARNING] else {}
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


def run_checks(paths: Iterable[str], catalog: Catalog, jobs: int | None = None, reader: str = "fast",
               task: Callable[[str], dict] = check_in_worker,
               on_done: Callable[[], None] = lambda: None) -> Iterator[tuple[int, dict]]:
    """Yield (position in paths, outcome) as checks complete, in any order.

    `paths` may be a stream (iter_workbooks): it is read as work is handed out, a few files
    ahead of the workers, so that neither the paths nor the pending work pile up in memory.
    jobs=1 (or a single file) checks in this process. Otherwise a process pool checks the
    files; if a worker process dies, the files that were in hand are re-run one at a time,
    so that only the file that kills a worker is reported as crashed.
    """
    for item in _run(enumerate(paths), catalog, default_jobs() if jobs is None else jobs, reader, task):
        on_done()
        yield item


def _run(numbered: Iterator[tuple[int, str]], catalog, jobs, reader, task) -> Iterator[tuple[int, dict]]:
    ahead = list(itertools.islice(numbered, 2))
    if jobs <= 1 or len(ahead) <= 1:
        _init_worker(catalog, reader)
        for index, path in itertools.chain(ahead, numbered):
            yield index, task(path)
        return
    # (imported here: multiprocessing costs a check of one file 40 ms it does not need)
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool
    init = (catalog, reader)
    numbered = itertools.chain(ahead, numbered)
    in_hand = 4 * jobs                      # enough to keep every worker busy between two hand-outs
    running: dict = {}
    while True:
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_pool_worker, initargs=init)
        broken = False
        try:
            while not broken:
                running.update((pool.submit(task, path), (index, path))
                               for index, path in itertools.islice(numbered, in_hand - len(running)))
                if not running:
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    except Exception as exc:       # e.g. an outcome that could not be sent back
                        outcome = _not_returned(running[future][1], exc)
                    yield running.pop(future)[0], outcome
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
        # a worker died: every file still in hand is a suspect; each is re-run alone
        wait(running)
        suspects = []
        for future, (index, path) in running.items():
            try:
                yield index, future.result()
            except BrokenProcessPool:
                suspects.append((index, path))
            except Exception as exc:
                yield index, _not_returned(path, exc)
        running = {}
        yield from _isolated(suspects, init, task)


def _isolated(suspects, init, task) -> Iterator[tuple[int, dict]]:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    pool = None
    try:
        for index, path in suspects:
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=1, initializer=_init_pool_worker, initargs=init)
            try:
                outcome = pool.submit(task, path).result()
            except BrokenProcessPool:
                outcome = {"file": path, "error": WORKER_CRASHED}
                pool.shutdown(wait=False)
                pool = None
            except Exception as exc:
                outcome = _not_returned(path, exc)
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


def exit_code(outcomes: Iterable[dict] | Tally) -> Exit:
    """UNUSABLE if any workbook was unusable (it wins: an unchecked file may hide errors), ERRORS if any had errors."""
    worst = (outcomes if isinstance(outcomes, Tally) else Tally.of(outcomes)).worst
    return {STATUS_UNUSABLE: Exit.UNUSABLE, STATUS_ERRORS: Exit.ERRORS}.get(worst, Exit.OK)
