"""The one way this tool puts a file on disk: complete, or not at all.

Every output goes through ``write_atomically``: the clerk's workbook, a review
copy, the template, the publication (.xlsx, .pdf, .csv, .json) and the batch
summary. Its guarantees:

* refused before anything is written: a folder where the file should be, a
  read-only target (the mode bits too, which root's os.access ignores), a target
  open in Excel/WPS (their lock file ``~$name`` lies next to it);
* a symbolic link is written through: its real file is replaced, the link stays;
* the content goes to a temporary file ``TEMP_PREFIX…`` in the target's own
  folder (so the final move is one rename on one file system), is optionally
  verified, flushed to disk, given the mode of the file it replaces (a new file
  gets 0666 minus the umask, like any program's), and then moved over the
  target in one step; the folder is flushed afterwards so the rename survives
  a power cut;
* with ``unchanged_since``, a target changed by someone else while we wrote is
  kept and ours is dropped;
* on any failure, KeyboardInterrupt included, the temporary file is removed and
  the target is exactly as it was.

Refusals are ``WriteRefused`` with a complete Chinese message.
"""
from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..domain.errors import WriteRefused
from .safety import file_stamp

TEMP_PREFIX = ".~juesuan-"       # our temporary files; batch skips them when it lists a folder
LOCK_PREFIX = "~$"               # Excel/WPS owner file of an open workbook: ~$name next to it

Content = bytes | Callable[[Path], None]    # the bytes, or a function that writes them to the given path


def real_target(target) -> Path:
    """The file a write to `target` replaces: a symbolic link's real file, so the link survives."""
    target = Path(target)
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def _read_only(path: Path) -> bool:
    """Read-only attribute (also for root, whom os.access always lets write) or no permission."""
    mode = path.stat().st_mode
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


def _lock_file(target: Path) -> Path | None:
    candidate = target.with_name(f"{LOCK_PREFIX}{target.name}")
    return candidate if candidate.exists() else None


def _refuse_unwritable(target: Path) -> None:
    if not target.exists():
        return
    if target.is_dir():
        raise WriteRefused(f"{target}：这是一个文件夹，请指定输出文件名")
    if _read_only(target):
        raise WriteRefused(f"{target}：文件是只读的（或没有写入权限），未做任何修改。请取消只读属性，或用 -o 另存一份")
    lock = _lock_file(target)
    if lock is not None:
        raise WriteRefused(f"{target}：该工作簿正在 Excel 或 WPS 中打开（发现锁文件 {lock.name}），未做任何修改。"
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


class _ChangedMeanwhile(Exception):
    pass


def write_atomically(target, content: Content, *, verify: Callable[[Path], None] | None = None,
                     unchanged_since: tuple | None = None) -> Path:
    """Put `content` at `target` in one step; returns the path written (a link's real file).

    `verify(temp)` may raise to stop before the move (the file is then as it was);
    `unchanged_since`: the target's file_stamp when it was read, for an in-place write."""
    target = real_target(target)
    folder = target.parent if str(target.parent) else Path(".")
    _refuse_unwritable(target)
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
        os.chmod(temp, target.stat().st_mode & 0o777 if target.exists() else _new_file_mode())
        if unchanged_since is not None and _stamp_or_none(target) != unchanged_since:
            raise _ChangedMeanwhile()
        os.replace(temp, target)
    except BaseException as exc:
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
