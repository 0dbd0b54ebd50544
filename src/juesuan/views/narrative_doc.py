"""The 情况说明 as a document model: paragraphs of runs (a run may be a placeholder the clerk must
fill, shown highlighted) and chart specifications. Renderers in io/ turn it into .md or .docx."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

TITLE, HEADING, SUBHEADING, BODY, CAPTION, NOTE = "title", "heading", "subheading", "body", "caption", "note"
BARS, PIE = "bars", "pie"


@dataclass(frozen=True)
class Run:
    text: str
    placeholder: bool = False


@dataclass
class Paragraph:
    runs: list[Run]
    style: str = BODY

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Chart:
    """A chart the text refers to: bars over years (变动情况图) or a pie of parts (结构图), 万元."""
    kind: str
    caption: str
    labels: list[str]
    values: list[Decimal]


@dataclass
class Narrative:
    title: str
    blocks: list = field(default_factory=list)          # Paragraph | Chart, in order
    missing: list[str] = field(default_factory=list)    # what the workbook lacks, said once each

    @property
    def placeholders(self) -> list[str]:
        return [r.text for b in self.blocks if isinstance(b, Paragraph) for r in b.runs if r.placeholder]

    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks if isinstance(b, Paragraph))


def placeholder(what: str) -> Run:
    return Run(f"【待填写：{what}】", placeholder=True)


class Writer:
    """Builds a Narrative paragraph by paragraph; str parts are text, Run parts keep their flag."""

    def __init__(self, title: str):
        self.doc = Narrative(title, [Paragraph([Run(title)], TITLE)])

    def add(self, *parts, style: str = BODY) -> None:
        runs = [p if isinstance(p, Run) else Run(p) for p in parts if p]
        self.doc.blocks.append(Paragraph(runs, style))

    def heading(self, text: str) -> None:
        self.add(text, style=HEADING)

    def subheading(self, text: str) -> None:
        self.add(text, style=SUBHEADING)

    def chart(self, kind: str, caption: str, labels: list[str], values: list[Decimal]) -> None:
        self.doc.blocks.append(Chart(kind, caption, labels, values))
        self.add(caption, style=CAPTION)

    def missing(self, what: str) -> None:
        if what not in self.doc.missing:
            self.doc.missing.append(what)
