"""Writing into a clerk's workbook file without losing anything.

Only cells we own change: 审核结果, our highlight fills (with the original fill
remembered so the next run restores it), and derived cells when filling.

Guarantees of ``load_for_update`` + ``save_atomically``:

* the workbook is loaded from a checked snapshot of the file (safety.py);
* a workbook holding content openpyxl cannot write back (charts, pictures,
  pivot tables, slicers, external links, form controls…) is never written over
  itself: the clerk is told to write a copy with ``-o`` instead;
* a read-only file, a file open in Excel/WPS (lock file ``~$name``) and a file
  changed by someone else since we read it are not written;
* the file is saved to a temporary file in the same folder, verified, flushed
  to disk and only then moved over the target in one step; on any failure the
  temporary file is removed and the original is untouched;
* .xlsm keeps its VBA project; text from the workbook is written as text.
"""
from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import weakref
import zipfile
from dataclasses import dataclass
from pathlib import Path


from ..domain.errors import UnusableWorkbook, WriteRefused
from ..domain.schema import REVIEW_SHEET
from ..views.styles import AMOUNT_FORMAT
from .reader import (
    CELL_RE,
    FORMULA_RE,
    REF_RE,
    TYPE_RE,
    VALUE_RE,
    cached_formula_values,
    sheet_parts,
)
from .safety import (
    Snapshot,
    check_bytes,
    content_openpyxl_drops,
    file_stamp,
    take_snapshot,
)

TEMP_PREFIX = ".~juesuan-"


@dataclass(frozen=True)
class Origin:
    path: Path
    stamp: tuple
    dropped: tuple[str, ...]      # Chinese labels of content openpyxl would not write back
    data: bytes = b""             # the bytes loaded: formula results are taken back from them


_ORIGINS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_VALUES_WRITTEN: "weakref.WeakSet" = weakref.WeakSet()     # workbooks whose cell values we changed (fill)


def origin_of(workbook) -> Origin | None:
    return _ORIGINS.get(workbook)


def unsupported_content(path) -> list[str]:
    """What a copy written by this tool would lack (Chinese labels); [] when nothing."""
    try:
        with zipfile.ZipFile(path) as archive:
            return content_openpyxl_drops(archive.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return []


def load_for_update(path: Path, expect_stamp: tuple | None = None):
    """Open a workbook for writing back. `expect_stamp`: the version that was checked;
    a file changed since then is refused, so a review never lands on other data."""
    import openpyxl
    path = Path(path)
    snapshot: Snapshot = take_snapshot(path)
    if expect_stamp is not None and snapshot.stamp != expect_stamp:
        raise WriteRefused(f"{path}：文件在审核之后又被修改过（可能刚在 Excel 中保存），为免写错未写入，请重新运行审核")
    package = check_bytes(snapshot.data, path.suffix, str(path))
    macros = path.suffix.lower() == ".xlsm" or "xl/vbaProject.bin" in package.names
    try:
        workbook = openpyxl.load_workbook(snapshot.stream(), keep_vba=macros, keep_links=True)
    except Exception as exc:
        raise UnusableWorkbook(f"无法打开工作簿进行写入（{type(exc).__name__}）", str(path)) from None
    _ORIGINS[workbook] = Origin(path, snapshot.stamp, tuple(content_openpyxl_drops(package.names)), snapshot.data)
    return workbook


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _read_only(path: Path) -> bool:
    """Read-only attribute (also for root, whom os.access always lets write) or no permission."""
    mode = path.stat().st_mode
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


def _lock_file(target: Path) -> Path | None:
    """Excel and WPS keep the owner file '~$name' next to a workbook they have open."""
    candidate = target.with_name(f"~${target.name}")
    return candidate if candidate.exists() else None


def _refuse_before_writing(workbook, target: Path) -> None:
    origin = _ORIGINS.get(workbook)
    in_place = origin is not None and target.exists() and _same_file(origin.path, target)
    if in_place and origin.dropped:
        parts = "、".join(origin.dropped)
        raise WriteRefused(
            f"{target}：工作簿中含有本工具无法原样保存的内容（{parts}），直接写入会丢失这些内容，因此未做任何修改。"
            f"请用 -o 把结果写到一份副本（如 -o 副本.xlsx）；副本由本工具重新生成，其中不含上述内容，原文件保持不变")
    macros = getattr(workbook, "vba_archive", None) is not None
    suffix = target.suffix.lower()
    if macros and suffix != ".xlsm":
        raise WriteRefused(f"{target}：工作簿含宏（VBA），只能保存为 .xlsm 文件，请把输出文件名改为以 .xlsm 结尾")
    if not macros and suffix == ".xlsm":
        raise WriteRefused(f"{target}：工作簿不含宏，应保存为 .xlsx 文件（以 .xlsm 结尾 Excel 会拒绝打开）")
    if suffix not in (".xlsx", ".xlsm"):
        raise WriteRefused(f"{target}：输出文件名应以 .xlsx 或 .xlsm 结尾")
    if target.exists():
        if target.is_dir():
            raise WriteRefused(f"{target}：这是一个文件夹，请指定输出文件名")
        if _read_only(target):
            raise WriteRefused(f"{target}：文件是只读的（或没有写入权限），未做任何修改。请取消只读属性，或用 -o 另存一份")
        lock = _lock_file(target)
        if lock is not None:
            raise WriteRefused(f"{target}：该工作簿正在 Excel 或 WPS 中打开（发现锁文件 {lock.name}），未做任何修改。"
                               "请先关闭工作簿再运行；如果并没有打开，可删除该锁文件")


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


def save_atomically(workbook, target: Path) -> None:
    """Save next to the target, then replace it in one step; the original survives any failure."""
    target = Path(os.path.realpath(target)) if Path(target).is_symlink() else Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    _refuse_before_writing(workbook, target)
    origin = _ORIGINS.get(workbook)
    watch = origin.stamp if origin is not None and target.exists() and _same_file(origin.path, target) else None
    try:
        handle, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=target.suffix, dir=folder)
    except OSError as exc:
        raise WriteRefused(f"{target}：无法在该文件夹中写入（{exc.strerror or exc}），未做任何修改") from None
    os.close(handle)
    try:
        workbook.save(temp_name)
        if origin is not None and origin.data and workbook not in _VALUES_WRITTEN:
            _restore_formula_results(temp_name, origin.data)
        with zipfile.ZipFile(temp_name) as written:     # complete and readable, or we stop here
            bad = written.testzip()
        if bad is not None:
            raise zipfile.BadZipFile(f"{bad} 校验失败")
        with open(temp_name, "rb+") as flushed:
            os.fsync(flushed.fileno())
        if target.exists():
            os.chmod(temp_name, target.stat().st_mode & 0o777)
        else:   # mkstemp makes 0600; a new workbook gets the permissions any program would give it
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp_name, 0o666 & ~umask)
        if watch is not None and file_stamp(target) != watch:
            raise _Changed()
        os.replace(temp_name, target)
    except BaseException as exc:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        if isinstance(exc, _Changed):
            raise WriteRefused(f"{target}：写入期间文件被其他程序修改（可能刚在 Excel 中保存），为免覆盖这些修改未写入，"
                               "原文件保持原样，请重新运行") from None
        if isinstance(exc, PermissionError):
            raise WriteRefused(f"{target}：没有写入权限，或文件正被其他程序（如 Excel、WPS）占用，原文件未被修改。"
                               "请关闭该文件后重试，或用 -o 另存一份") from None
        raise WriteRefused(f"{target}：保存失败（{type(exc).__name__}: {exc}），原文件未被修改") from None
    _fsync_folder(folder)
    if origin is not None and watch is not None:
        _ORIGINS[workbook] = Origin(origin.path, file_stamp(target), origin.dropped, origin.data)


class _Changed(Exception):
    pass


# --- formula results -------------------------------------------------------------------
_EMPTY_V = re.compile(rb"<v\s*/>|<v>\s*</v>")


def _with_results(xml: bytes, results: dict) -> bytes:
    """openpyxl writes a formula cell as <c r="C7"><f>…</f><v /></c>: put back the result the
    original file carried for that cell (and its type), as the spreadsheet that computed it wrote it."""
    def put(match):
        attrs, body = match.group(1), match.group(2)
        if not body:
            return match.group(0)
        formula = FORMULA_RE.search(body)
        ref = REF_RE.search(attrs)
        if formula is None or ref is None or VALUE_RE.search(body) is not None or b"dataTable" in formula.group(0):
            return match.group(0)
        hit = results.get(ref.group(1) + ref.group(2))
        if hit is None:
            return match.group(0)
        kind, value = hit
        attrs = TYPE_RE.sub(b"", attrs).rstrip()
        if kind and kind != b"n":
            attrs += b' t="' + kind + b'"'
        body = _EMPTY_V.sub(b"", body)
        end = FORMULA_RE.search(body).end()
        return b"<c" + attrs + b">" + body[:end] + b"<v>" + value + b"</v>" + body[end:] + b"</c>"
    return CELL_RE.sub(put, xml)


def _restore_formula_results(temp_name: str, original: bytes) -> None:
    """Formulas keep the results the file had (openpyxl drops them), so the next read sees numbers,
    not uncalculated formulas. Only when no cell value was changed: then every result still holds."""
    results = cached_formula_values(original)
    if not results:
        return
    with zipfile.ZipFile(temp_name) as written:
        parts = sheet_parts(written)
        members = [(info, written.read(info)) for info in written.infolist()]
    targets = {parts[name]: cells for name, cells in results.items() if name in parts and name != REVIEW_SHEET}
    if not targets:
        return
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename in targets:
                data = _with_results(data, targets[info.filename])
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    with open(temp_name, "wb") as handle:
        handle.write(buffer.getvalue())


def write_values(workbook, changes) -> None:
    """changes: [(sheet, A1, Decimal | None)] for derived cells."""
    _VALUES_WRITTEN.add(workbook)     # formula results may depend on these: do not restore stale ones
    for sheet, address, value in changes:
        cell = workbook[sheet][address]
        cell.value = value
        cell.number_format = AMOUNT_FORMAT


def write_bytes_atomically(target: Path, data: bytes) -> None:
    """Write next to the target and move it into place, like save_atomically."""
    import os
    import tempfile

    folder = target.parent if str(target.parent) else Path(".")
    if target.exists() and not os.access(target, os.W_OK):
        raise WriteRefused(f"{target}：文件是只读的（或正被其他程序占用），未做任何修改")
    existed = target.exists()
    try:
        handle, temp = tempfile.mkstemp(prefix=".~juesuan-", suffix=target.suffix, dir=folder)
    except OSError as exc:
        raise WriteRefused(f"{target}：无法在该文件夹中写入（{exc.strerror or exc}）") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        if existed:
            os.chmod(temp, target.stat().st_mode & 0o777)
        os.replace(temp, target)
        if not existed:
            ordinary_mode(target)
    except OSError as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise WriteRefused(f"{target}：保存失败（{exc.strerror or exc}）") from None


def ordinary_mode(path: Path) -> None:
    """A new output file gets the permissions of any new file (temporary files are created 0600)."""
    import os
    mask = os.umask(0)
    os.umask(mask)
    try:
        os.chmod(path, 0o666 & ~mask)
    except OSError:
        pass
