"""Reading a published document (text, Word .docx, PDF) into a neutral Document.

Only this module touches the files; python-docx and pdfplumber are imported lazily, when
a .docx or .pdf is given, so the core runs without them (they are the ``[import]`` extra).
Tables become rows of cells, prose becomes one-cell lines, each with its position in the
original; everything a user can hand us that we cannot read ends in one UnusableWorkbook
with a Chinese message.
"""
from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from ..domain.document import DocLine, Document
from ..domain.errors import UnusableWorkbook
from .safety import BOMB_FLOOR, MAX_RATIO, MAX_UNCOMPRESSED, OLE_MAGIC, take_snapshot

DOCUMENT_SUFFIXES = (".txt", ".pdf", ".docx")
_MISSING_LIBRARY = "读取 {kind} 文件需要安装 {package}：pip install \"juesuan[import]\"（或 pip install {package}）"


def is_document(path) -> bool:
    """A file the importer reads (by its suffix): a published disclosure rather than a workbook."""
    return Path(path).suffix.lower() in DOCUMENT_SUFFIXES


def read_document(path) -> Document:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise UnusableWorkbook(f"不支持的文件类型“{suffix or '无扩展名'}”：可导入 .txt、.pdf、.docx", str(path))
    data = take_snapshot(path).data      # a regular file only (a FIFO would hang), read once
    if not data:
        raise UnusableWorkbook("文件是空的（0 字节）", str(path))
    if suffix == ".txt":
        return text_document(_decode(data, str(path)), str(path))
    if suffix == ".docx":
        return read_docx(path, data)
    return read_pdf(path, data)


# --- text -----------------------------------------------------------------------------------
def _decode(raw: bytes, where: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnusableWorkbook("文本文件编码无法识别（请保存为 UTF-8）", where)


def text_document(text: str, path: str = "") -> Document:
    """Lines of a text shaped like the seeds: a line with a tab is a table row."""
    lines = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        tabular = "\t" in line
        cells = tuple(line.split("\t")) if tabular else (line,)
        lines.append(DocLine(cells, f"第{number}行", tabular))
    return Document(path, lines, "text")


# --- Word -----------------------------------------------------------------------------------
def _refuse_unsafe_package(data: bytes, where: str) -> None:
    """An old .doc (or an encrypted file) renamed .docx, or a zip bomb, before python-docx sees it."""
    if data.startswith(OLE_MAGIC):
        raise UnusableWorkbook("这是旧版 Word（.doc）或设置了打开密码的文件：请在 Word 中另存为 .docx（不设密码）", where)
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UnusableWorkbook("文件不是 Word（.docx）文件或已损坏", where) from None
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNCOMPRESSED or any(m.file_size > BOMB_FLOOR and m.file_size > MAX_RATIO * max(1, m.compress_size)
                                          for m in members):
        raise UnusableWorkbook("文件解压后体积异常，疑似恶意文件（“zip 炸弹”），已拒绝打开", where)


def read_docx(path: Path, data: bytes) -> Document:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise UnusableWorkbook(_MISSING_LIBRARY.format(kind="Word", package="python-docx"), str(path)) from None
    _refuse_unsafe_package(data, str(path))
    try:
        book = docx.Document(BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a damaged or foreign file
        raise UnusableWorkbook(f"无法作为 Word（.docx）文件打开（{type(exc).__name__}）：请确认文件完好，"
                               "旧版 .doc 请先另存为 .docx", str(path)) from None
    lines: list[DocLine] = []
    counts = {"p": 0, "tbl": 0}

    def walk(parent) -> None:
        for child in parent.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                counts["p"] += 1
                lines.append(DocLine((Paragraph(child, book).text,), f"第{counts['p']}段"))
            elif tag == "tbl":
                counts["tbl"] += 1
                for number, row in enumerate(Table(child, book).rows, start=1):
                    lines.append(DocLine(_row_cells(row), f"第{counts['tbl']}个表格第{number}行", True))
            elif tag in ("sdt", "sdtContent", "customXml"):     # content controls wrap paragraphs and tables
                walk(child)

    walk(book.element.body)
    return Document(str(path), lines, "docx")


def _row_cells(row) -> tuple[str, ...]:
    """The text of each grid cell; a cell merged across columns counts once (the rest blank)."""
    cells, previous = [], None
    for cell in row.cells:
        same = previous is not None and cell._tc is previous
        cells.append("" if same else "\n".join(p.text for p in cell.paragraphs))
        previous = cell._tc
    return tuple(cells)


# --- PDF ------------------------------------------------------------------------------------
def read_pdf(path: Path, data: bytes) -> Document:
    try:
        import pdfplumber
    except ImportError:
        raise UnusableWorkbook(_MISSING_LIBRARY.format(kind="PDF", package="pdfplumber"), str(path)) from None
    try:
        pdf = pdfplumber.open(BytesIO(data))
    except Exception as exc:  # pdfminer raises many types for damaged or encrypted files
        raise UnusableWorkbook(f"无法作为 PDF 文件打开（{type(exc).__name__}）：文件可能已损坏或已加密", str(path)) from None
    lines: list[DocLine] = []
    try:
        with pdf:
            title = str((pdf.metadata or {}).get("Title") or "").strip()
            if title:       # e.g. "某某局2024年度单位决算公开表": the year a table page may not print
                lines.append(DocLine((title,), "文件属性（标题）"))
            for number, page in enumerate(pdf.pages, start=1):
                lines += _page_lines(page, f"第{number}页")
    except UnusableWorkbook:
        raise
    except Exception as exc:
        raise UnusableWorkbook(f"读取 PDF 内容时出错（{type(exc).__name__}）", str(path)) from None
    if not any(line.text.strip() for line in lines):
        raise UnusableWorkbook("PDF 中没有可读取的文字（可能是扫描件，需先做文字识别）", str(path))
    return Document(str(path), lines, "pdf")


def _page_lines(page, where: str) -> list[DocLine]:
    """Table rows and prose lines of one page, top to bottom."""
    found = page.find_tables()
    boxes = [table.bbox for table in found]
    placed: list[tuple[float, int, DocLine]] = []
    for order, table in enumerate(found):
        for row_no, row in enumerate(table.extract()):
            cells = tuple((c or "").strip() for c in row)
            placed.append((table.bbox[1] + row_no * 0.001, order, DocLine(cells, where, True)))

    def outside(obj) -> bool:
        x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
        y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    for text_line in page.filter(outside).extract_text_lines():
        placed.append((text_line["top"], -1, DocLine((text_line["text"],), where)))
    placed.sort(key=lambda item: (item[0], item[1]))
    return [line for _, _, line in placed]
