"""Safety checks on the bytes of a workbook file, before any spreadsheet library sees them.

A file is read once into memory (a *snapshot*); every check and the parse then
work on those same bytes, so what was checked is what is parsed even if the file
is replaced meanwhile. The checks:

* OLE compound files: password-protected workbooks (EncryptionInfo stream) and
  legacy .xls are told apart by reading the compound file's directory;
* zip structure: not a zip, truncated, corrupt (CRC), too many members;
* zip bombs: refused by declared sizes before inflating, and then every member
  is stream-inflated with a cap, so a zip whose declared sizes lie is refused
  after a few megabytes, never after gigabytes;
* XML with a DOCTYPE or entity declaration (external entities, billion laughs):
  Excel never writes one, so any is refused (openpyxl's defusedxml is the
  second line of defence).

Messages are Chinese and complete; they end as UnusableWorkbook.
"""
from __future__ import annotations

import errno
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from io import BytesIO
from itertools import pairwise
from pathlib import Path

from ..domain.errors import UnusableWorkbook

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_FILE_SIZE = 64 * 2**20          # on disk; real disclosure workbooks are well under 5 MB
MAX_UNCOMPRESSED = 256 * 2**20      # all members inflated
MAX_MEMBERS = 5000
BOMB_FLOOR = 16 * 2**20             # a member is judged by its ratio once it inflated this much
MAX_RATIO = 200                     # XML compresses ~10:1; 200:1 at that size is a bomb
CHUNK = 64 * 1024
OUT_CHUNK = 2**20
XML_SUFFIXES = (".xml", ".rels", ".vml")
WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
EXTENSION_LIST = re.compile(rb"<(?:\w+:)?extLst\b")
# Excel 2010 extension content of a worksheet (<extLst>), which openpyxl drops on saving
EXTENSION_LABEL = "Excel 2010 扩展内容（跨表下拉列表、新式条件格式、迷你图）"
EXTENSION_MARKERS = (b":dataValidations", b":conditionalFormattings", b":sparklineGroups")
DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_DTD = re.compile(b"|".join(re.escape(m) for m in DTD_MARKERS))     # any of them, in one scan

CHANGED = "文件在读取过程中被修改，请稍后重试"
CORRUPT = "文件已损坏（不是完整的 xlsx 压缩包），请从备份恢复或在 Excel 中重新保存"


def _corrupt(detail: str) -> str:
    return f"文件已损坏（{detail}），请从备份恢复或在 Excel 中重新保存"
ENCRYPTED = "工作簿设置了打开密码（已加密），无法读取：请在 Excel 中“文件→信息→保护工作簿”取消密码后另存"
LEGACY_XLS = "这是旧版 Excel 97-2003 工作簿（.xls），请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再处理"
XML_ENTITIES = ("文件中含有 XML 实体声明（DOCTYPE/ENTITY），Excel 不会生成这样的内容，"
                "疑似恶意文件（外部实体或“十亿笑”攻击），已拒绝打开")


# --- the snapshot ---------------------------------------------------------------------
def file_stamp(path) -> tuple:
    """Identity of the file's current version: a replace changes the inode, a rewrite size or mtime."""
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _stamp_of(st) -> tuple:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class Inflated:
    """What the checks inflated, handed on so that the reader does not inflate it again: the
    package's member names (as zipfile lists them) and the bytes of its XML members, each
    CRC-checked and read exactly as zipfile would read it (a member zipfile would refuse or
    read differently is left out, and read through zipfile)."""
    names: frozenset
    members: dict


@dataclass(frozen=True)
class Snapshot:
    path: Path
    data: bytes
    stamp: tuple
    inflated: Inflated | None = field(default=None, compare=False, repr=False)
    # what the fast reader opened of these bytes (fast_reader.lean_grids' `keep`), for a later read
    opened: dict = field(default_factory=dict, compare=False, repr=False)

    def stream(self) -> BytesIO:
        return BytesIO(self.data)

    def unchanged(self) -> bool:
        try:
            return file_stamp(self.path) == self.stamp
        except OSError:
            return False


def _kind_of(mode: int) -> str:
    for test, label in ((stat.S_ISFIFO, "命名管道 FIFO"), (stat.S_ISCHR, "字符设备"), (stat.S_ISBLK, "块设备"),
                        (stat.S_ISSOCK, "套接字")):
        if test(mode):
            return label
    return "特殊文件"


def _refuse_missing(path: Path) -> None:
    """A path we cannot stat: say whether it is missing, a dangling link or a link loop."""
    try:
        os.stat(path)
        return
    except OSError as exc:
        error = exc
    if error.errno == errno.ELOOP:
        raise UnusableWorkbook("链接循环：这个符号链接（直接或间接）指向它自己，找不到真正的文件", str(path))
    if os.path.islink(path):
        raise UnusableWorkbook(f"链接指向的文件不存在（链接指向 {os.readlink(path)}）", str(path))
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        raise UnusableWorkbook("文件不存在", str(path))
    raise UnusableWorkbook(f"无法打开文件：{error.strerror or error}", str(path))


def take_snapshot(path) -> Snapshot:
    """The file's bytes, read once, with proof that nobody changed it while we read.

    Only a regular file (or a link to one) is read: a FIFO or a device would block or never
    end, so it is refused by its type before it is opened, and opened without blocking in
    case it was swapped in meanwhile."""
    path = Path(path)
    _refuse_missing(path)
    if path.is_dir():
        raise UnusableWorkbook("这是一个文件夹，不是工作簿（批量审核请用 juesuan batch）", str(path))
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise UnusableWorkbook(f"这不是普通文件（是{_kind_of(mode)}），不是工作簿，未读取", str(path))
        before = file_stamp(path)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            opened_stat = os.fstat(handle.fileno())
            if not stat.S_ISREG(opened_stat.st_mode):
                raise UnusableWorkbook(f"这不是普通文件（是{_kind_of(opened_stat.st_mode)}），不是工作簿，未读取", str(path))
            opened = _stamp_of(opened_stat)
            size = opened[2]
            if size > MAX_FILE_SIZE:
                raise UnusableWorkbook(f"文件有 {size // 2**20} MB，远大于决算公开工作簿（通常不足 5 MB），已拒绝打开",
                                       str(path))
            data = handle.read(MAX_FILE_SIZE + 1)
        after = file_stamp(path)
    except OSError as exc:
        raise UnusableWorkbook(f"无法打开文件：{exc.strerror or exc}", str(path)) from None
    if not (before == opened == after) or len(data) != size:
        raise UnusableWorkbook(CHANGED, str(path))
    return Snapshot(path, data, before)


# --- OLE compound files ---------------------------------------------------------------
def cfb_stream_names(data: bytes) -> list[str] | None:
    """Names in an OLE compound file's directory; None when the directory cannot be read."""
    try:
        if len(data) < 512 or not data.startswith(OLE_MAGIC):
            return None
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12):
            return None
        sector = 1 << shift
        first_dir = struct.unpack_from("<I", data, 48)[0]
        difat = list(struct.unpack_from("<109I", data, 76))
        next_difat, difat_count = struct.unpack_from("<II", data, 68)
        per_sector = sector // 4
        for _ in range(min(difat_count, 1024)):
            if next_difat >= 0xFFFFFFFA:
                break
            base = (next_difat + 1) * sector
            entries = struct.unpack_from(f"<{per_sector}I", data, base)
            difat.extend(entries[:-1])
            next_difat = entries[-1]
        fat: list[int] = []
        for fat_sector in difat:
            if fat_sector >= 0xFFFFFFFA:
                continue
            fat.extend(struct.unpack_from(f"<{per_sector}I", data, (fat_sector + 1) * sector))
        names, current, seen = [], first_dir, set()
        while current < 0xFFFFFFFA and current not in seen and len(seen) < 100_000:
            seen.add(current)
            base = (current + 1) * sector
            for offset in range(base, base + sector, 128):
                length = struct.unpack_from("<H", data, offset + 64)[0]
                if 2 <= length <= 64 and data[offset + 66] in (1, 2, 5):
                    names.append(data[offset:offset + length - 2].decode("utf-16-le", "replace"))
            current = fat[current] if current < len(fat) else 0xFFFFFFFE
        return names
    except (struct.error, IndexError):
        return None


def refuse_ole(data: bytes, source: str | None) -> None:
    names = cfb_stream_names(data)
    if names is None:   # unreadable directory: fall back to looking for the stream name anywhere
        encrypted = "EncryptionInfo".encode("utf-16-le") in data
    else:
        encrypted = any(n in ("EncryptionInfo", "EncryptedPackage") for n in names)
    if encrypted:
        raise UnusableWorkbook(ENCRYPTED, source)
    if names is not None and not any(n.lower() in ("workbook", "book") for n in names):
        raise UnusableWorkbook("这是 Office 97-2003 格式的其他文档（不是 Excel 工作簿），请提供 .xlsx 工作簿", source)
    raise UnusableWorkbook(LEGACY_XLS, source)


# --- zip ------------------------------------------------------------------------------
@dataclass
class Package:
    """What the checks learnt about a workbook package."""
    names: list[str] = field(default_factory=list)
    inflated: int = 0
    extensions: list[str] = field(default_factory=list)   # worksheet extension content openpyxl drops (labels)
    members: dict[str, bytes] = field(default_factory=dict)   # XML members kept (inspect_package(keep=True))


def _bomb(name: str, source) -> UnusableWorkbook:
    return UnusableWorkbook(f"文件解压后体积异常（{name} 解压后超过限度，压缩比远超正常工作簿），疑似恶意文件（“zip 炸弹”），"
                            "已拒绝打开", source)


MAX_KEPT = 64 * 2**20               # inflated XML handed on to the reader; beyond, it reads through zipfile
_ZIPFILE_REFUSES = 0x20 | 0x40       # flag bits zipfile will not read (patched data, strong encryption)


def _read_alike(view: memoryview, info: zipfile.ZipInfo, start: int, name_len: int) -> bool:
    """Whether zipfile reads this member from the same bytes: its local header names it as the
    central directory does (zipfile refuses it otherwise) and no flag makes zipfile refuse it."""
    flags = struct.unpack_from("<H", view, start + 6)[0]
    local = view[start + 30:start + 30 + name_len].tobytes()
    try:
        local_name = local.decode("utf-8" if flags & 0x800 else "cp437")
    except UnicodeDecodeError:
        return False
    return local_name == info.orig_filename and not info.flag_bits & _ZIPFILE_REFUSES


def _inflate_member(view: memoryview, info: zipfile.ZipInfo, budget: int, source, extensions: set[str],
                    keep_to: int | None = None) -> tuple[int, bytes | None]:
    """Stream-inflate one member with a cap; check its CRC and size. Returns (bytes inflated, the
    member's bytes if `keep_to` (where its data must end) is given and zipfile would read these
    very bytes, else None); adds to `extensions` the labels of worksheet extension content found on the way."""
    name = info.filename
    start = info.header_offset
    if view[start:start + 4].tobytes() != b"PK\x03\x04":
        raise UnusableWorkbook(_corrupt(f"压缩包内 {name} 的位置不对"), source)
    name_len, extra_len = struct.unpack_from("<HH", view, start + 26)
    pos = start + 30 + name_len + extra_len
    keep = keep_to is not None and pos + info.compress_size <= keep_to and _read_alike(view, info, start, name_len)
    pieces: list[bytes] = []
    scan = name.lower().endswith(XML_SUFFIXES)
    worksheet = WORKSHEET_PART.match(name) is not None
    in_extensions = False
    tail = b""
    crc = 0
    out = 0

    def look(piece: bytes) -> None:
        nonlocal tail, in_extensions
        if scan:
            window = tail + piece
            if _DTD.search(window):
                raise UnusableWorkbook(XML_ENTITIES, source)
            if worksheet:     # (the regex only where its name stands: the usual sheet has none)
                in_extensions = in_extensions or (b"extLst" in window and EXTENSION_LIST.search(window) is not None)
                # <extLst> is a worksheet's last child: what follows it is extension content
                if in_extensions and any(marker in window for marker in EXTENSION_MARKERS):
                    extensions.add(EXTENSION_LABEL)
            tail = window[-40:]

    if info.flag_bits & 0x1:
        raise UnusableWorkbook("压缩包内的文件设置了 zip 密码，这不是 Excel 的加密方式，无法读取", source)
    if info.compress_type == zipfile.ZIP_STORED:
        end = pos + info.compress_size
        if end > len(view):
            raise UnusableWorkbook(_corrupt(f"压缩包内 {name} 不完整"), source)
        if info.compress_size > budget:
            raise _bomb(name, source)
        for at in range(pos, end, OUT_CHUNK):
            piece = view[at:min(end, at + OUT_CHUNK)].tobytes()
            crc = zlib.crc32(piece, crc)
            look(piece)
            if keep:
                pieces.append(piece)
        out = info.compress_size
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        fed = 0
        pending = b""
        while not inflater.eof:
            if not pending and pos < len(view):
                pending = view[pos:pos + CHUNK].tobytes()
                pos += len(pending)
                fed += len(pending)
            try:
                piece = inflater.decompress(pending, OUT_CHUNK)
            except zlib.error:
                raise UnusableWorkbook(_corrupt(f"压缩包内 {name} 无法解压"), source) from None
            if not piece and not pending and pos >= len(view) and not inflater.eof:
                raise UnusableWorkbook(_corrupt(f"压缩包内 {name} 不完整"), source)
            pending = inflater.unconsumed_tail
            out += len(piece)
            consumed = max(1, fed - len(pending))
            if out > budget or (out > BOMB_FLOOR and out > MAX_RATIO * consumed):
                raise _bomb(name, source)
            crc = zlib.crc32(piece, crc)
            look(piece)
            if keep and out > info.file_size:     # a member larger than it says is refused below:
                keep, pieces = False, []          # nothing more is held for it (at most MAX_KEPT in all)
            if keep:
                pieces.append(piece)
        if fed - len(inflater.unused_data) - len(inflater.unconsumed_tail) > info.compress_size:
            keep = False     # zipfile reads no further than the declared compressed size
    else:
        raise UnusableWorkbook(f"压缩包使用了 Excel 不使用的压缩方式（{name}），不是 Excel 保存的工作簿", source)
    if out != info.file_size or crc != info.CRC:
        raise UnusableWorkbook(_corrupt(f"压缩包内 {name} 校验不符"), source)
    return out, (b"".join(pieces) if keep else None)


def inspect_package(data: bytes, source: str | None = None, keep: bool = False) -> Package:
    """All structural checks of an .xlsx/.xlsm package held in memory. `keep`: hand on the
    inflated XML members (Package.members), up to MAX_KEPT in all."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
            directory = archive.start_dir
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
        raise UnusableWorkbook(CORRUPT, source) from None
    names = [m.filename for m in members]
    if len(members) > MAX_MEMBERS:
        raise UnusableWorkbook(f"压缩包内有 {len(members)} 个文件，不像 Excel 工作簿，已拒绝打开", source)
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UnusableWorkbook("文件不是 Excel 工作簿（压缩包内没有工作簿内容）", source)
    # refuse honest bombs by their declared sizes, before inflating anything
    for m in members:
        if m.file_size > BOMB_FLOOR and m.file_size > MAX_RATIO * max(1, m.compress_size):
            raise UnusableWorkbook(f"文件解压后体积异常（{m.filename} 约 {m.file_size // 2**20} MB，压缩比超过 {MAX_RATIO}:1），"
                                   "疑似恶意文件（“zip 炸弹”），已拒绝打开", source)
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNCOMPRESSED:
        raise UnusableWorkbook(f"文件解压后超过 {MAX_UNCOMPRESSED // 2**20} MB，不像决算公开工作簿，已拒绝打开", source)
    # then trust nothing declared: inflate every member with a cap
    view = memoryview(data)
    total = 0
    extensions: set[str] = set()
    kept: dict[str, bytes] = {}
    room = MAX_KEPT if keep else 0
    # where each member's data must end: newer zipfile refuses a member that runs into the next
    # one ("overlapped entries"), so such a member is not handed on
    offsets = [m.header_offset for m in members]
    starts = sorted(set(offsets) | {directory})
    ends = dict(pairwise(starts))
    for offset in {o for o in offsets if offsets.count(o) > 1} if len(set(offsets)) < len(offsets) else ():
        ends[offset] = -1     # two members at one place: newer zipfile refuses the second
    try:
        for m in members:
            if m.is_dir():
                continue
            wanted = m.file_size <= room and m.filename.lower().endswith(XML_SUFFIXES)
            out, content = _inflate_member(view, m, MAX_UNCOMPRESSED - total, source, extensions,
                                           ends.get(m.header_offset, -1) if wanted else None)
            total += out
            kept.pop(m.filename, None)         # (zipfile reads the last member of a name)
            if content is not None:
                kept[m.filename] = content
                room -= len(content)
    except (struct.error, IndexError, ValueError):
        raise UnusableWorkbook(CORRUPT, source) from None
    finally:
        view.release()
    return Package(names, total, sorted(extensions), kept)


def check_bytes(data: bytes, suffix: str, source: str | None = None, keep: bool = False) -> Package:
    """Refuse what openpyxl must not be given: wrong format, damage, bombs, DTDs. `keep`: see inspect_package."""
    suffix = suffix.lower()
    if not data:
        raise UnusableWorkbook("文件是空的（0 字节），可能保存时中断，请从备份恢复", source)
    if data.startswith(OLE_MAGIC):
        refuse_ole(data, source)
    if suffix == ".xls":
        raise UnusableWorkbook("扩展名为 .xls，但本工具只处理 .xlsx / .xlsm：请另存为 .xlsx", source)
    if suffix not in (".xlsx", ".xlsm"):
        raise UnusableWorkbook(f"不支持的文件类型“{suffix or '无扩展名'}”：请提供 .xlsx 或 .xlsm 工作簿", source)
    if not data.startswith(b"PK"):
        raise UnusableWorkbook("文件内容不是 Excel 工作簿（可能是改了扩展名的 CSV、文本或网页文件），请在 Excel 中另存为 .xlsx",
                               source)
    return inspect_package(data, source, keep)


# --- content openpyxl would not write back ----------------------------------------------
_DROPPED = (
    (r"xl/charts/|xl/chartsheets/", "图表"),
    (r"xl/drawings/drawing\d*\.xml$|xl/media/", "图片、形状或绘图"),
    (r"xl/pivotTables/|xl/pivotCache/", "数据透视表"),
    (r"xl/slicers/|xl/slicerCaches/|xl/timelines/|xl/timelineCaches/", "切片器或日程表"),
    (r"xl/externalLinks/", "外部链接（引用其他工作簿）"),
    (r"xl/ctrlProps/|xl/activeX/", "表单控件或 ActiveX 控件"),
    (r"xl/embeddings/", "嵌入的对象"),
    (r"xl/threadedComments/", "新版（线程式）批注"),
    (r"xl/diagrams/", "SmartArt 图形"),
    (r"xl/richData/", "单元格中的图片"),
    (r"xl/model/|xl/connections\.xml$|xl/queryTables/", "数据模型、查询或数据连接"),
    (r"customUI/", "自定义功能区"),
    (r"xl/webextensions/", "Office 加载项"),
)


def content_openpyxl_drops(names) -> list[str]:
    """Chinese labels of the parts of a package that a load-and-save with openpyxl would lose."""
    found = []
    for pattern, label in _DROPPED:
        rx = re.compile(pattern, re.IGNORECASE)
        if any(rx.match(n) for n in names) and label not in found:
            found.append(label)
    return found


__all__ = ["Snapshot", "Inflated", "Package", "take_snapshot", "file_stamp", "check_bytes", "inspect_package",
           "cfb_stream_names", "content_openpyxl_drops", "CHANGED", "MAX_UNCOMPRESSED", "MAX_RATIO"]
