"""Importing published disclosures: a document (text, PDF, Word) read and recognised as a
standard report, saved as a standard workbook (with its 情况说明 beside it as UTF-8 text),
or checked in memory like a workbook, each finding citing the document as well.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..domain.catalog import Catalog
from ..io.atomic import write_atomically
from ..io.documents import read_document
from ..rules.findings import sort_findings
from ..rules.recognize import Imported, cite_positions, recognize
from . import CheckResult, check_report

NARRATIVE_SUFFIX = "_情况说明.txt"


def import_document(path, catalog: Catalog) -> Imported:
    """Read and recognise one published document (raises UnusableWorkbook with a Chinese message)."""
    return recognize(read_document(path), catalog)


def narrative_path(book) -> Path:
    """Where the 情况说明 of an imported book is written: BOOK_情况说明.txt beside it."""
    book = Path(book)
    return book.with_name(book.stem + NARRATIVE_SUFFIX)


@dataclass
class Saved:
    book: Path
    narrative: Path | None


def save_import(imported: Imported, catalog: Catalog, target) -> Saved:
    """The standard workbook at `target`, and the narrative part beside it when the document has one."""
    # (imported here: they load openpyxl, which check and batch, importing this module, never need)
    from ..io.template_xlsx import build_workbook
    from ..io.workbook_file import save_new_workbook
    book = save_new_workbook(build_workbook(catalog, imported.report), Path(target))
    narrative = None
    if imported.narrative:
        narrative = write_atomically(narrative_path(target), (imported.narrative_text + "\n").encode("utf-8"))
    return Saved(Path(book), narrative)


def check_imported(imported: Imported, catalog: Catalog, path: str) -> CheckResult:
    """The audit of an imported report, with the import findings; cells cite the document."""
    result = check_report(imported.report, catalog, path)
    result.findings = sort_findings(imported.findings + cite_positions(result.findings, imported))
    return result


def check_document(path, catalog: Catalog) -> CheckResult:
    return check_imported(import_document(path, catalog), catalog, str(path))
