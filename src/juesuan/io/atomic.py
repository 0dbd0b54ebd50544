"""The one way this tool puts a file on disk: complete, or not at all.

Every output goes through ``write_atomically``: the clerk's workbook, a review
copy, the template, the publication (.xlsx, .pdf, .csv, .json) and the batch
summary. Its guarantees:

* refused before anything is written: a folder where the file should be, a
  read-only target (the mode bits too, which root's os.access ignores), a target
  open in Excel/WPS (lock file ``~$name``) or LibreOffice (``.~lock.name#``), or
  WPS on Linux (``.~name``, as some versions name it), all in the target's folder;
* a symbolic link is written through: its real file is replaced, the link stays;
* the content goes to a temporary file ``TEMP_PREFIX…`` in the target's own
  folder (so the final move is one rename on one file system), is optionally
  verified, flushed to disk, given the owner, group and mode of the file it
  replaces (owner and group as far as we may: root can, others keep their own;
  a new file gets 0666 minus the umask, like any program's), and then moved over the
  target in one step; the folder is flushed afterwards so the rename survives
  a power cut;
* with ``unchanged_since``, a target changed by someone else while we wrote is
  kept and ours is dropped;
* on any failure, KeyboardInterrupt included, the temporary file is removed and
  the target is exactly as it was (KeyboardInterrupt is then raised again);
* temporary files of ours that a killed run left behind (SIGKILL, power cut) are
  removed by the next write into that folder once they are older than
  ``STALE_TEMP_SECONDS``: no write of ours takes that long, and the age alone
  (not a process id) is safe on a folder shared by several machines.

Refusals are ``WriteRefused`` with a complete Chinese message.
"""
from __future__ import annotations

import gc
import os
import stat
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from ..domain.errors import WriteRefused
from .safety import file_stamp

TEMP_PREFIX = ".~juesuan-"       # our temporary files; batch skips them when it lists a folder
STALE_TEMP_SECONDS = 3600        # a temporary file of ours this old was left by a run that died

# Lock files an office program keeps next to an open workbook: (prefix, suffix) around its name, and
# the program. ".~lock." must come before ".~", which it also starts with.
LOCK_FILE_NAMES = (("~$", "", "Excel 或 WPS"), (".~lock.", "#", "LibreOffice"), (".~", "", "WPS"))
LOCK_PREFIXES = tuple(prefix for prefix, _, _ in LOCK_FILE_NAMES)   # batch skips these when it lists a folder

Content = bytes | Callable[[Path], None]    # the bytes, or a function that writes them to the given path


def real_target(target) -> Path:
    """The file a write to `target` replaces: a symbolic link's real file, so the link survives."""
    target = Path(target)
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def _read_only(path: Path) -> bool:
    """Read-only attribute (also for root, whom os.access always lets write) or no permission."""
    mode = path.stat().st_mode
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


def _lock_file(target: Path) -> tuple[Path, str] | None:
    """The lock file next to `target` and the program that keeps it, if any."""
    for prefix, suffix, program in LOCK_FILE_NAMES:
        candidate = target.with_name(f"{prefix}{target.name}{suffix}")
        if os.path.lexists(candidate):
            return candidate, program
    return None


def refuse_unwritable(target: Path) -> None:
    """Raise WriteRefused when `target` may not be replaced (see the module's list); nothing is written."""
    if not target.exists():
        return
    if target.is_dir():
        raise WriteRefused(f"{target}：这是一个文件夹，请指定输出文件名")
    if _read_only(target):
        raise WriteRefused(f"{target}：文件是只读的（或没有写入权限），未做任何修改。请取消只读属性，或用 -o 另存一份")
    found = _lock_file(target)
    if found is not None:
        lock, program = found
        raise WriteRefused(f"{target}：该文件正在 {program} 中打开（发现锁文件 {lock.name}），未做任何修改。"
                           "请先关闭工作簿再运行；如果并没有打开，可删除该锁文件")


def _new_file_mode() -> int:
    """What open() gives a new file; mkstemp makes 0600, which would hide the output from colleagues."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_stale_temps(folder: Path) -> None:
    """Remove temporary files of ours that a killed run left in `folder` (only ours, only old ones)."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(TEMP_PREFIX)]
    except OSError:
        return
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and time.time() - st.st_mtime > STALE_TEMP_SECONDS:
                os.unlink(entry.path)
        except OSError:
            pass


def _take_over_identity(temp: Path, target: Path) -> None:
    """Give `temp` the owner, group and mode of the `target` it replaces (a new target: the umask's mode)."""
    if not target.exists():
        os.chmod(temp, _new_file_mode())
        return
    st = target.stat()
    try:
        os.chown(temp, st.st_uid, st.st_gid)
    except PermissionError:      # not root: the file becomes ours, as with any program that saves
        pass
    os.chmod(temp, st.st_mode & 0o7777)      # after chown, which clears set-id bits


def _release(failure: BaseException) -> None:
    """Close now whatever the failed write still holds open (zip archives, openpyxl's sheet streams).

    They are reachable only from the failure's traceback; left there, they would be closed at
    exit by the garbage collector, fail again on the full disk, and print "Exception ignored in
    ZipFile.__del__" after our message. Their errors here are the failure already reported."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        traceback.clear_frames(failure.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = hook


class _ChangedMeanwhile(Exception):
    pass


def write_atomically(target, content: Content, *, verify: Callable[[Path], None] | None = None,
                     unchanged_since: tuple | None = None) -> Path:
    """Put `content` at `target` in one step; returns the path written (a link's real file).

    `verify(temp)` may raise to stop before the move (the file is then as it was);
    `unchanged_since`: the target's file_stamp when it was read, for an in-place write."""
    target = real_target(target)
    folder = target.parent if str(target.parent) else Path(".")
    refuse_unwritable(target)
    _remove_stale_temps(folder)
    try:
        handle, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=folder)
    except OSError as exc:
        raise WriteRefused(f"{target}：无法在该文件夹中写入（{exc.strerror or exc}），未做任何修改") from None
    os.close(handle)
    temp = Path(temp_name)
    try:
        if isinstance(content, bytes):
            temp.write_bytes(content)
        else:
            content(temp)
        if verify is not None:
            verify(temp)
        with open(temp, "rb+") as flushed:
            os.fsync(flushed.fileno())
        _take_over_identity(temp, target)
        if unchanged_since is not None and _stamp_or_none(target) != unchanged_since:
            raise _ChangedMeanwhile()
        os.replace(temp, target)
    except BaseException as exc:
        _release(exc)
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        if isinstance(exc, _ChangedMeanwhile):
            raise WriteRefused(f"{target}：写入期间文件被其他程序修改（可能刚在 Excel 中保存），为免覆盖这些修改未写入，"
                               "原文件保持原样，请重新运行") from None
        if isinstance(exc, PermissionError):
            raise WriteRefused(f"{target}：没有写入权限，或文件正被其他程序（如 Excel、WPS）占用，原文件未被修改。"
                               "请关闭该文件后重试，或用 -o 另存一份") from None
        raise WriteRefused(f"{target}：保存失败（{type(exc).__name__}: {exc}），原文件未被修改") from None
    _fsync_folder(folder)
    return target


def _stamp_or_none(path: Path) -> tuple | None:
    try:
        return file_stamp(path)
    except OSError:      # gone meanwhile: changed as well
        return None
