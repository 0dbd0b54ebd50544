"""The operations every entry point offers (CLI, Excel button, batch), over files.

Each is a few lines over the pure core: read -> audit/fill -> render -> save safely.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .domain.catalog import Catalog, load_catalog
from .domain.model import Report
from .io.reader import read_report
from .io.writeback import (
    load_for_update,
    previous_review,
    save_atomically,
    write_review,
    write_values,
)
from .rules.audit import audit
from .rules.findings import Finding, sort_findings, summarize
from .views.review import build_review


@dataclass
class CheckResult:
    path: str
    report: Report
    findings: list[Finding]
    extra: list = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        return summarize(self.findings)

    @property
    def has_errors(self) -> bool:
        return self.summary["error"] > 0

    def to_json(self) -> dict:
        return {
            "file": self.path,
            "unit": self.report.unit_name,
            "year": self.report.year,
            "amount_unit": self.report.amount_unit,
            "summary": self.summary,
            "findings": [f.to_json() for f in self.findings],
        }


def check_book(path, catalog: Catalog | None = None) -> CheckResult:
    report = read_report(path)
    return CheckResult(str(path), report, audit(report, catalog or load_catalog()))


def save_review(result: CheckResult, source, target=None, when: datetime | None = None) -> Path:
    """Write the review of `result` into `target` (default: the source itself)."""
    source = Path(source)
    target = Path(target) if target else source
    workbook = load_for_update(source, result.report.stamp)   # refuses a file changed since it was checked
    notes, marks = previous_review(workbook)
    write_review(workbook, build_review(result.report, result.findings, notes, when), marks)
    save_atomically(workbook, target)
    return target


def fill_book(path, target=None, catalog: Catalog | None = None, when: datetime | None = None,
              dry_run: bool = False):
    """Fill every derived cell of the workbook at `path`, review it, save to `target`
    (default: in place). Returns (FillResult, CheckResult of the filled report)."""
    from .rules.fill import fill_report
    catalog = catalog or load_catalog()
    report = read_report(path)
    filled = fill_report(report, catalog)
    result = CheckResult(str(path), report, sort_findings(audit(report, catalog) + filled.findings))
    if not dry_run:
        workbook = load_for_update(Path(path))
        write_values(workbook, [(c.table, c.address, c.new) for c in filled.changes])
        notes, marks = previous_review(workbook)
        write_review(workbook, build_review(report, result.findings, notes, when), marks)
        save_atomically(workbook, Path(target) if target else Path(path))
    return filled, result
