"""A published document as plain lines, whatever file it came from.

The document readers (io/documents.py: text, Word, PDF) all hand over this shape and the
recognisers (rules/document_*.py) read only this: a list of lines, each either a row of a
table (its cells) or a line of prose (one cell), with where it stands in the original so
that every finding can point the reader back to it ("第 112 行", "第 3 页").
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocLine:
    cells: tuple[str, ...]
    where: str                 # Chinese position in the original: 第112行 / 第3页 / 第2个表格第5行
    tabular: bool = False      # a table row (tab-separated text, a Word or PDF table row)

    @property
    def text(self) -> str:
        return "\t".join(self.cells)


@dataclass
class Document:
    path: str
    lines: list[DocLine] = field(default_factory=list)
    kind: str = "text"         # text / docx / pdf
