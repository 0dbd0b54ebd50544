"""The operations every entry point offers, written once.

The CLI, batch, the Excel buttons (and any later service) call these and nothing
below them: check a book or sheet grids, fill and check again, the publication
gate. Each is a few lines over the pure core (rules/, views/) and the file
adapters (io/). The catalogue is resolved once, at the edge, and passed in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from ..domain.catalog import Catalog
from ..domain.errors import UnusableWorkbook
from ..domain.model import Report
from ..domain.money import fmt
from ..domain.schema import LAST_YEAR_SHEET
from ..io.reader import notes_of, open_report, read_report
from ..rules.audit import audit, listed
from ..rules.fill import FillResult, fill_report, record_by_ref
from ..rules.last_year import copy_last_year
from ..rules.findings import ERROR, WARNING, Finding, identify, note_for, sort_findings, summarize
from ..rules.parents import Insertion, insert_parents, parents_missing
from ..rules.parse import parse_grids
from ..rules.registry import MERGED_DERIVED_CELL
from ..rules.registry_trust import INSERTION_BLOCKED
from ..rules.registry_narrative import LAST_YEAR_OVERWRITTEN
from ..views.fill_record import still_left, with_carried
from ..views.review import build_review

if TYPE_CHECKING:
    from ..io.workbook_file import EditableBook

# The modules that write workbooks (openpyxl, and numpy through it: a third of a second to
# import) are imported by the operations that write, so that a check never loads them.


@dataclass
class CheckResult:
    path: str
    report: Report
    findings: list[Finding]
    catalog: Catalog              # what it was checked against: the review shades by it
    inserted: list[Insertion] = field(default_factory=list)   # 款/类 rows fill added (rules/parents.py)
    source: object = field(default=None, repr=False)   # the file's snapshot (io.safety) when read from a file

    def notes(self) -> dict:
        """The clerk's 备注 in 审核结果, of the very version checked (read only when asked: they
        matter only beside warnings); none for what was not read from a workbook file."""
        return notes_of(self.source) if self.source is not None else {}

    @property
    def summary(self) -> dict[str, int]:
        return summarize(self.findings)

    @property
    def has_errors(self) -> bool:
        return self.summary[ERROR] > 0

    def to_json(self) -> dict:
        return {
            "file": self.path,
            "unit": self.report.unit_name,
            "year": self.report.year,
            "amount_unit": self.report.amount_unit,
            "summary": self.summary,
            "findings": [f.to_json() for f in self.findings],
        }


# --- check ------------------------------------------------------------------------------
def check_report(report: Report, catalog: Catalog, path: str | None = None, derivation=None) -> CheckResult:
    """The audit of a report already read (from a file, a live book or sheet grids);
    `derivation`: fill's, for the audit right after it (rules.audit.audit)."""
    findings = identify(report, audit(report, catalog, derivation))   # subjects: the 备注 follow them, not cell addresses
    return CheckResult(str(path if path is not None else report.source or ""), report, findings, catalog)


def check_grids(grids: Mapping[str, Sequence[Sequence[object]]], catalog: Catalog,
                source: str | None = None) -> CheckResult:
    """Check sheet grids (what a live workbook or a service request hands over)."""
    return check_report(parse_grids(grids, source), catalog)


def check_book(path, catalog: Catalog, reader: str = "fast", between=None) -> CheckResult:
    """Read and check one workbook file; `reader` is "fast" or "openpyxl" (io.reader), `between` see read_report."""
    report, snapshot = open_report(path, reader=reader, between=between)
    result = check_report(report, catalog, str(path))
    result.source = snapshot
    return result


# --- fill -------------------------------------------------------------------------------
def fill_and_recheck(report: Report, catalog: Catalog, path: str | None = None,
                     add_parents: bool = False, written_before=None) -> tuple[FillResult, CheckResult]:
    """Fill every derived cell of `report` in memory, then audit the filled report.

    The findings are the audit's plus fill's own (what it overwrote). `add_parents`: first add
    the missing 款/类 rows (result.inserted), which moves rows down: only for a writer that
    inserts the same sheet rows before writing the values."""
    written_before = record_by_ref(written_before or {}, report)   # addresses of older records: before rows move
    inserted = insert_parents(report, catalog) if add_parents else []
    filled = fill_report(report, catalog, written_before)     # the figures fill left last time are its own
    result = check_report(report, catalog, path, filled.derivation)
    result.inserted = inserted
    result.findings = sort_findings(result.findings + filled.findings)
    return filled, result


# --- the publication gate ----------------------------------------------------------------
@dataclass
class Gate:
    errors: list[Finding] = field(default_factory=list)
    unexplained: list[Finding] = field(default_factory=list)   # warnings without a 备注

    @property
    def closed(self) -> bool:
        return bool(self.errors)


def publication_gate(findings: list[Finding], notes: dict) -> Gate:
    """Errors stop a publication; warnings without the clerk's 备注 are listed.

    `notes`: the clerk's 备注 by finding key, as the review sheet keeps them."""
    gate = Gate()
    for f in findings:
        if f.severity == ERROR:
            gate.errors.append(f)
        elif f.severity == WARNING and not str(note_for(notes, f) or "").strip():
            gate.unexplained.append(f)
    return gate


def finding_lines(findings: list[Finding], limit: int = 12) -> list[str]:
    """Findings as indented lines for a message, at most `limit` of them."""
    lines = []
    for f in findings[:limit]:
        lines.append(f"  {f.where}：{f.message}")
    if len(findings) > limit:
        lines.append(f"  ……另有 {len(findings) - limit} 条，运行 juesuan check 查看全部")
    return lines


# --- files -------------------------------------------------------------------------------
def save_review(result: CheckResult, source, target=None, when: datetime | None = None) -> Path:
    """Write the review of `result` into `target` (default: the source itself)."""
    from ..io.workbook_file import EditableBook
    book = EditableBook.open(Path(source), result.report.stamp)   # refuses a file changed since it was checked
    _review_and_save(book, result, target, when)
    return Path(target) if target else Path(source)


def fill_book(path, catalog: Catalog, target=None, when: datetime | None = None,
              dry_run: bool = False, last_year=None) -> tuple[FillResult, CheckResult]:
    """Fill every derived cell of the workbook at `path`, review it, save to `target`
    (default: in place; nothing is written when dry_run). `last_year`: last year's workbook,
    whose figures go into 上年数 (listed in filled.last_year)."""
    from ..io.review_xlsx import previous_fill
    from ..io.workbook_file import EditableBook
    report = read_report(path)
    copied = copy_last_year(report, _read_last_year(last_year)) if last_year is not None else []
    book = EditableBook.open(Path(path), report.stamp)         # the figures are computed from this version
    blockers = book.insertion_blockers
    missing = parents_missing(report) if blockers else []
    filled, result = fill_and_recheck(report, catalog, str(path), add_parents=not blockers,
                                      written_before=previous_fill(book.workbook)[0])
    if missing:                     # E08 stays: say why fill did not add the rows
        blocked = _insertion_blocked(missing, blockers)
        filled.findings.append(blocked)
        result.findings = sort_findings(result.findings + [blocked])
    filled.last_year = copied
    result.findings = sort_findings(result.findings + [
        LAST_YEAR_OVERWRITTEN.finding(LAST_YEAR_SHEET, c.address, label=c.label, old=fmt(c.old), new=fmt(c.new),
                                      expected=c.new, actual=c.old) for c in copied if c.overwrote])
    if not dry_run:
        book.write_values([(LAST_YEAR_SHEET, c.address, c.new) for c in copied if c.new != c.old])
        book.insert_code_rows(result.inserted)                  # before the values: their addresses count them
        new_values = {(c.table, c.address): c.new for c in filled.changes}
        changed = {(c.table, c.address): c.ref for c in filled.changes}
        for sheet, address, merged in book.write_values([(*key, value) for key, value in new_values.items()]):
            filled.record.pop(changed[sheet, address], None)    # not written: the cell holds no figure of ours
            result.findings.append(MERGED_DERIVED_CELL.finding(sheet, address, merged=merged,
                                                               amount=fmt(new_values[(sheet, address)])))
        result.findings = sort_findings(result.findings)
        _review_and_save(book, result, target, when, shade=True, record=filled.record)
    return filled, result


def _insertion_blocked(missing: list[tuple[str, str]], blockers: list[str]) -> Finding:
    where = next((b for b in blockers if "!" in b), None)
    sheet, _, cell = where.rpartition("!") if where else (missing[0][0], "", None)
    return INSERTION_BLOCKED.finding(sheet, cell or None, missing=listed([f"{t} {code}" for t, code in missing]),
                                     listed=listed(blockers), cells=tuple(blockers))


def _read_last_year(path) -> Report:
    """Last year's workbook, its problems said to be its own (not the book being filled)."""
    try:
        return read_report(path)
    except UnusableWorkbook as exc:
        raise UnusableWorkbook(f"上年工作簿“{path}”无法使用：{exc.message}") from None


def _review_and_save(book: EditableBook, result: CheckResult, target, when: datetime | None,
                     shade: bool = False, record=None) -> None:
    """Replace 审核结果 (keeping the clerk's 备注, undoing our old marks), then save atomically.
    `shade` (after fill): every derived cell and every cell fill wrote wears the derived grey.
    `record` (after fill): the figures fill left; otherwise the last record, where still true.
    Overwrites reported by an earlier fill stay listed while their cell holds fill's figure."""
    from ..io.review_xlsx import previous_fill, previous_review, write_review
    from ..io.template_xlsx import print_code_tables_in_use
    notes, marks = previous_review(book.workbook)
    before, overwrites = previous_fill(book.workbook)
    record = still_left(before, result.report) if record is None else record
    findings = with_carried(result.findings, overwrites, record, result.report)
    review = build_review(result.report, findings, result.catalog, notes, when, filled=record)
    write_review(book.workbook, review, marks, shade=review.derived | book.written if shade else ())
    print_code_tables_in_use(book.workbook, result.report)
    book.save(Path(target) if target else None)
