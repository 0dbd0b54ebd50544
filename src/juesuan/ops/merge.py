"""汇总: merge unit workbooks into the department's, the one operation every edge calls.

Every input is read and checked first; nothing is written unless all of them can be merged:
same year, no errors (or `force`), each a standard workbook. The department's workbook is a
new standard workbook (the template's layout, derived cells shaded) holding the merged figures,
its 审核结果, and the sheet 单位构成 (views/composition.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..domain.catalog import Catalog
from ..domain.errors import UnusableWorkbook
from ..domain.labels import year_label
from ..domain.schema import COMPOSITION_SHEET, INFO_SHEET, MERGED_UNITS
from ..exit_codes import Exit
from ..io.reader import read_notes, read_report
from ..rules.findings import ERROR, sort_findings
from ..rules.merge import Merged, Unit, merge_reports
from ..rules.registry_merge import FORCED_UNIT, SAME_FILE_TWICE
from ..views.composition import composition_grid
from ..views.review import build_review
from . import CheckResult, check_book, check_report, finding_lines


class MergeRefused(Exception):
    """Nothing was written: the Chinese `message` says why; `code` is the exit code."""

    def __init__(self, message: str, code: Exit):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class MergeOutcome:
    target: Path
    merged: Merged
    result: CheckResult                    # the audit of the department's report, merge's own findings included
    inputs: list[CheckResult]
    notes_kept: int = 0                    # 备注 carried over from the 审核结果 of the file replaced
    replaced: bool = False                 # `target` existed and was replaced
    forced: list[CheckResult] = field(default_factory=list)   # units merged despite their errors


def merge_books(paths, name: str, catalog: Catalog, target, offset: bool = False, force: bool = False,
                when: datetime | None = None) -> MergeOutcome:
    """Merge the workbooks at `paths` into a new workbook at `target` named `name` (单位名称)."""
    paths = [Path(p) for p in paths]
    target = Path(target)
    _refuse_arguments(paths, name, target)
    inputs = [_checked(path, catalog) for path in paths]
    _refuse_years(inputs)
    forced = [c for c in inputs if c.has_errors]
    if forced and not force:
        lines = []
        for c in forced:
            errors = [f for f in c.findings if f.severity == ERROR]
            lines.append(f"{c.path}（{c.report.unit_name or '单位名称未填写'}）：审核有 {len(errors)} 条错误")
            lines += finding_lines(errors, limit=5)
        raise MergeRefused("以下单位审核有错误，未汇总（请改正后再汇总；确需汇总请加 --force）：\n" + "\n".join(lines),
                           Exit.ERRORS)
    units = [Unit(str(path), c.report) for path, c in zip(paths, inputs)]
    merged = merge_reports(units, name.strip(), catalog, offset)
    merged.findings += [FORCED_UNIT.finding(COMPOSITION_SHEET, None, unit=u.name, file=u.label,
                                            count=c.summary[ERROR])
                        for u, c in zip(units, inputs) if c.has_errors]
    merged.findings += _repeated(paths)
    result = check_report(merged.report, catalog, str(target))
    result.findings = sort_findings(result.findings + merged.findings)
    replaced = target.exists()
    notes = read_notes(target) if replaced else {}     # a department merged before: its 备注 stay
    from ..io.composition_xlsx import render_composition   # openpyxl: only when a department is written
    from ..io.review_xlsx import write_review
    from ..io.template_xlsx import build_workbook
    from ..io.workbook_file import save_new_workbook
    workbook = build_workbook(catalog, merged.report)
    sheet = workbook.create_sheet(COMPOSITION_SHEET, workbook.sheetnames.index(INFO_SHEET) + 1)
    render_composition(sheet, composition_grid(merged, [str(p) for p in paths], [c.summary[ERROR] for c in inputs]))
    review = build_review(merged.report, result.findings, catalog, notes, when)
    write_review(workbook, review, [])
    save_new_workbook(workbook, target)
    kept = sum(1 for row in review.rows if row.values[-1])
    return MergeOutcome(target, merged, result, inputs, kept, replaced, forced)


def _refuse_arguments(paths: list[Path], name: str, target: Path) -> None:
    if not paths:
        raise MergeRefused("请指定要汇总的单位工作簿", Exit.UNUSABLE)
    if not name or not name.strip():
        raise MergeRefused("请用 --name 指定汇总后的部门名称（单位信息中的单位名称）", Exit.UNUSABLE)
    for path in paths:
        if target.exists() and path.exists() and os.path.samefile(path, target):
            raise MergeRefused(f"输出文件“{target}”就是要汇总的单位工作簿“{path}”：会覆盖该单位的工作簿，请换一个输出文件名",
                               Exit.UNUSABLE)
    for path in paths:
        if not path.exists():
            raise MergeRefused(f"{path}：文件不存在，未汇总", Exit.UNUSABLE)
    if target.exists() and not _merged_before(target):
        raise MergeRefused(f"“{target}”已存在，且不是汇总生成的部门决算工作簿（可能是已填写的工作簿），未覆盖："
                           "请换一个输出文件名", Exit.UNUSABLE)


def _merged_before(path: Path) -> bool:
    """Whether `path` is a workbook merge wrote (its 单位信息 declares 汇总单位数): only such a file is replaced."""
    try:
        return read_report(path).info.get(MERGED_UNITS.key) is not None
    except UnusableWorkbook:
        return False


def _repeated(paths: list[Path]) -> list:
    """M09 for a file given more than once (by any name): allowed, as a way to test, but said."""
    by_file: dict[tuple, list[Path]] = {}
    for path in paths:
        status = path.stat()
        by_file.setdefault((status.st_dev, status.st_ino), []).append(path)
    return [SAME_FILE_TWICE.finding(COMPOSITION_SHEET, None, file=str(names[0]), times=len(names))
            for names in by_file.values() if len(names) > 1]


def _checked(path: Path, catalog: Catalog) -> CheckResult:
    try:
        return check_book(path, catalog)
    except UnusableWorkbook as exc:
        raise MergeRefused(f"{path}：无法汇总 —— {exc.message}", Exit.UNUSABLE) from None


def _refuse_years(inputs: list[CheckResult]) -> None:
    years = [c.report.year for c in inputs]
    if any(not isinstance(y, int) for y in years):
        missing = [f"{c.path}（{INFO_SHEET} 年度为“{c.report.year or '空'}”）" for c in inputs
                   if not isinstance(c.report.year, int)]
        raise MergeRefused("年度未填写或不是四位年份，无法确定汇总年度，未汇总：" + "；".join(missing), Exit.UNUSABLE)
    if len(set(years)) > 1:
        listed = "；".join(f"{c.path}：{year_label(c.report.year)}" for c in inputs)
        raise MergeRefused(f"各单位的年度不同，不能汇总到同一部门决算（{listed}），未写入任何文件", Exit.UNUSABLE)
