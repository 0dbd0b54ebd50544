"""Reading workbook files (openpyxl adapter): safety checks, then sheet grids.

Everything a clerk can hand us that is not a usable .xlsx/.xlsm ends here with
one UnusableWorkbook carrying a Chinese message; nothing leaks a traceback.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from .errors import UnusableWorkbook
from .model import Report
from .parse import parse_grids
from .schema import INFO_SHEET, TABLE_IDS

SUPPORTED = (".xlsx", ".xlsm")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNCOMPRESSED = 256 * 1024 * 1024      # a real disclosure workbook is well under 5 MB inflated
MAX_RATIO = 200                            # and its XML compresses ~10:1, never 200:1 at size


def check_file(path: Path) -> None:
    """Refuse what openpyxl must not be given, before it touches the file."""
    if not path.exists():
        raise UnusableWorkbook("文件不存在", str(path))
    if path.is_dir():
        raise UnusableWorkbook("这是一个文件夹，不是工作簿（批量审核请用 juesuan batch）", str(path))
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise UnusableWorkbook(f"无法打开文件：{exc.strerror or exc}", str(path)) from None
    if size == 0:
        raise UnusableWorkbook("文件是空的（0 字节），可能保存时中断，请从备份恢复", str(path))
    if head.startswith(OLE_MAGIC):
        with path.open("rb") as handle:
            blob = handle.read(min(size, 4 * 1024 * 1024))
        if "EncryptionInfo".encode("utf-16-le") in blob:
            raise UnusableWorkbook("工作簿设置了打开密码（已加密），无法读取：请在 Excel 中“文件→信息→保护工作簿”取消密码后另存", str(path))
        raise UnusableWorkbook("这是旧版 Excel 97-2003 工作簿（.xls），请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再处理", str(path))
    if suffix == ".xls":
        raise UnusableWorkbook("扩展名为 .xls，但本工具只处理 .xlsx / .xlsm：请另存为 .xlsx", str(path))
    if suffix not in SUPPORTED:
        raise UnusableWorkbook(f"不支持的文件类型“{suffix or '无扩展名'}”：请提供 .xlsx 或 .xlsm 工作簿", str(path))
    if not head.startswith(b"PK"):
        raise UnusableWorkbook("文件内容不是 Excel 工作簿（可能是改了扩展名的 CSV、文本或网页文件），请在 Excel 中另存为 .xlsx", str(path))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnusableWorkbook("文件已损坏（不是完整的 xlsx 压缩包），请从备份恢复或在 Excel 中重新保存", str(path)) from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UnusableWorkbook("文件不是 Excel 工作簿（压缩包内没有工作簿内容）", str(path))
    total = sum(m.file_size for m in members)
    for m in members:
        if m.file_size > 20 * 1024 * 1024 and m.compress_size and m.file_size / m.compress_size > MAX_RATIO:
            raise UnusableWorkbook(f"文件解压后体积异常（{m.filename} 约 {m.file_size // 2**20} MB，压缩比超过 {MAX_RATIO}:1），"
                                   "疑似恶意文件，已拒绝打开", str(path))
    if total > MAX_UNCOMPRESSED:
        raise UnusableWorkbook(f"文件解压后超过 {MAX_UNCOMPRESSED // 2**20} MB，不像决算公开工作簿，已拒绝打开", str(path))


def _wanted(name: str) -> bool:
    return name == INFO_SHEET or name in TABLE_IDS


def read_grids(path: Path) -> dict[str, list[tuple]]:
    """Values of the standard sheets; other sheets appear by name with no rows."""
    import openpyxl
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for damaged parts
        raise UnusableWorkbook(f"无法读取工作簿内容（{type(exc).__name__}），文件可能已损坏：请在 Excel 中打开并另存后重试",
                               str(path)) from None
    try:
        grids: dict[str, list[tuple]] = {}
        for sheet in workbook.worksheets:
            if _wanted(sheet.title):
                grids[sheet.title] = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            else:
                grids[sheet.title] = []
        for name in workbook.sheetnames:   # chartsheets and the like: names only
            grids.setdefault(name, [])
        return grids
    except UnusableWorkbook:
        raise
    except Exception as exc:
        raise UnusableWorkbook(f"读取工作表时出错（{type(exc).__name__}），文件可能已损坏", str(path)) from None
    finally:
        workbook.close()


def read_report(path) -> Report:
    path = Path(path)
    check_file(path)
    grids = read_grids(path)
    return parse_grids(grids, str(path))
