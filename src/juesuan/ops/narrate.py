"""Draft the 情况说明 of a workbook (issue 18): read, draft from the figures, write .docx or .md."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..io.narrative_files import write_docx, write_markdown
from ..domain.schema import FACT_SHEETS
from ..io.reader import read_report
from ..views.narrative import draft
from ..views.narrative_doc import Narrative

FORMATS = ("docx", "md")


@dataclass
class NarrateResult:
    path: Path
    narrative: Narrative
    problems: list[str] = field(default_factory=list)     # what could not be drawn or written
    absent_sheets: list[str] = field(default_factory=list)   # fact sheets the workbook lacks (an older template)

    @property
    def placeholders(self) -> list[str]:
        return self.narrative.placeholders


def narrate_book(book, target, fmt: str = "docx", charts: bool = True) -> NarrateResult:
    report = read_report(book)
    narrative = draft(report)
    absent = [name for name in FACT_SHEETS if not report.facts[name].present]
    if fmt == "md":
        return NarrateResult(write_markdown(narrative, target), narrative, absent_sheets=absent)
    path, problems = write_docx(narrative, target, charts)
    return NarrateResult(path, narrative, problems, absent)


# --- what the Word document needs (the 生成情况说明 buttons ask before they draft) --------------
NARRATE_PACKAGES = (("docx", "python-docx"), ("matplotlib", "matplotlib"))   # (import name, distribution)


def missing_narrate_packages() -> list[str]:
    """The distributions of the [narrate] extra that cannot be imported here (empty: all there)."""
    import importlib
    missing = []
    for module, distribution in NARRATE_PACKAGES:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(distribution)
    return missing
