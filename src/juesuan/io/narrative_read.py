"""Reading a clerk's 情况说明 for the check: Word (.docx, through python-docx, imported only when
needed), Markdown (.md) or plain text (.txt), as a list of paragraphs (lines)."""
from __future__ import annotations

from pathlib import Path

from ..domain.errors import UnusableWorkbook

NARRATIVE_SUFFIXES = (".docx", ".md", ".txt")


def read_narrative(path) -> list[str]:
    """The paragraphs of the text at `path`; raises UnusableWorkbook with a Chinese message."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in NARRATIVE_SUFFIXES:
        raise UnusableWorkbook(f"情况说明“{path.name}”应为 .docx、.md 或 .txt 文件（.doc 请先在 Word 中另存为 .docx）")
    if not path.is_file():
        raise UnusableWorkbook(f"找不到情况说明文件“{path}”")
    lines = _docx_paragraphs(path) if suffix == ".docx" else _text_lines(path)
    if not any(line.strip() for line in lines):
        raise UnusableWorkbook(f"情况说明“{path.name}”中没有文字，无法核对")
    return lines


def _text_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).splitlines()
        except UnicodeDecodeError:
            continue
    raise UnusableWorkbook(f"情况说明“{path.name}”不是 UTF-8 或 GBK 编码的文本，无法读取")


def _docx_paragraphs(path: Path) -> list[str]:
    try:
        import docx
    except ImportError:
        raise UnusableWorkbook("读取 .docx 需要 python-docx：请运行 pip install python-docx，"
                               "或把情况说明另存为 .txt 后再审核") from None
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001  (python-docx raises several kinds for a damaged or foreign file)
        raise UnusableWorkbook(f"情况说明“{path.name}”不是有效的 .docx 文件（{type(exc).__name__}）") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:      # a clerk may put a sentence in a table cell: read those too
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return lines
