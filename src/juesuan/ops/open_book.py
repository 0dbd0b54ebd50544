"""The buttons' operations on a workbook open in a spreadsheet program: grids in, edits out.

What a client read from the open book (``OpenBook``: the standard sheets' values, which are
hidden, the values of 审核结果, a way to read a cell's current fill) goes through the same
operations as a file (``ops.check_grids``, ``fill_and_recheck``, ``publication_gate``) and
comes back as findings, a message for the clerk and an edit list (``views.edits``) that the
client applies: the xlwings adapter in Excel (``excel/``) and the WPS add-in through the local
service (``service/``). Either way the book ends as ``check --write`` / ``fill`` leave a file.
生成情况说明 (``narrate_open_book``) changes nothing in the book: it writes a Word document beside it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..domain.catalog import Catalog
from ..domain.layout import column_letter, layout_of, parse_a1
from ..domain.model import Ref
from ..domain.money import fmt
from ..domain.schema import CODE, DATA_SHEETS, FACT_SHEETS, REVIEW_SHEET, TABLES
from ..io.fill_colours import fill_hex, fill_text
from ..rules.findings import ERROR, INFO, WARNING, Finding, sort_findings
from ..rules.parse import SheetGrids, parse_grids
from ..rules.registry import MERGED_DERIVED_CELL
from ..views.edits import DERIVED_COLOUR, Edits, forget_marks, print_areas, review_edits
from ..views.fill_record import parse_overwrites, still_left, with_carried
from ..views.publication import Publication, build_publication
from ..views.review import Review, build_review, parse_fill_record, parse_registry, review_grid
from . import CheckResult, Gate, check_grids, fill_and_recheck, finding_lines, publication_gate
from .narrate import missing_narrate_packages

Key = tuple[str, str]
FillReader = Callable[[list[Key]], Mapping[Key, "str | None"]]   # '#RRGGBB' or None (no fill) per cell


class FillsUnreadable(Exception):
    """The client cannot read cell fills: the standard workbook's own shading stands in."""


@dataclass
class OpenBook:
    """What one button press read from the open book."""
    name: str
    names: list[str]                         # every sheet, in order
    grids: SheetGrids                        # the standard sheets' values (others by name, empty); which are hidden
    review_rows: list[tuple] | None          # 审核结果 from A1, None when the book has no such sheet
    read_fills: FillReader                   # raises FillsUnreadable when the client cannot
    merged: Mapping[str, Sequence[str]] = field(default_factory=dict)   # merged ranges ("C7:C8") by sheet, where known

    @classmethod
    def from_sheets(cls, name: str, sheets: Sequence[tuple[str, list, str | None]],
                    read_fills: FillReader, merged: Mapping[str, Sequence[str]] | None = None) -> OpenBook:
        """sheets: (name, values from A1, visibility "hidden" / "veryHidden" / None) in book order;
        `merged`: the merged ranges of the standard sheets, by sheet (none when the client cannot say)."""
        grids, review_rows = SheetGrids(), None
        for sheet, values, hidden in sheets:
            if sheet == REVIEW_SHEET:
                review_rows, grids[sheet] = [tuple(row) for row in values], []
            elif sheet in DATA_SHEETS:
                grids[sheet] = [tuple(row) for row in values]
                if hidden:
                    grids.hidden[sheet] = hidden
            else:
                grids[sheet] = []            # other sheets: by name only, as the file reader does
        return cls(name, [sheet for sheet, _values, _hidden in sheets], grids, review_rows, read_fills,
                   {sheet: list(ranges) for sheet, ranges in (merged or {}).items() if ranges})

    def previous_registry(self) -> tuple[dict, list[tuple[str, str, str]]]:
        """(notes by finding key, [(sheet, A1, original fill text)]) left by the last run, CLI or button."""
        notes, marks = parse_registry(self.review_rows or [])
        return {key: _plain(value) for key, value in notes.items()}, marks

    def previous_fill(self) -> tuple[dict, list]:
        """(the record of the figures fill left, the overwrites it reported) from the last run."""
        rows = self.review_rows or []
        return parse_fill_record(rows), parse_overwrites(rows)


def _plain(value):
    """A spreadsheet hands every number over as a float; a note typed as 12 is 12."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class Outcome:
    """What a button press did: the findings, the clerk's message, and the edits to apply."""
    message: str
    mode: str = "info"                       # "info" | "critical": how the message box looks
    edits: Edits = field(default_factory=Edits)
    result: CheckResult | None = None
    review: Review | None = None
    filled: object = None                    # rules.fill.FillResult after 填充计算
    publication: Publication | None = None   # after 生成公开表, when the gate is open
    gate: Gate | None = None
    restored: int = 0                        # after 清除标记
    output: Path | None = None               # the file written (生成情况说明)
    placeholders: int = 0                    # 【待填写】 left in it for the clerk

    @property
    def findings(self) -> list[Finding]:
        return self.result.findings if self.result else []


def summary(counts: Mapping[str, int]) -> str:
    return f"错误 {counts.get(ERROR, 0)} 条，警告 {counts.get(WARNING, 0)} 条，提示 {counts.get(INFO, 0)} 条"


# --- planning the review ----------------------------------------------------------------
def _original_fills(book: OpenBook, keys: list[Key], derived: set[Key], moved: Callable[[Key], Key]) -> dict[Key, str]:
    """Registry text of the current fill of each newly marked cell (read where it sits before rows
    are inserted). A client that cannot read fills gets the standard workbook's own shading:
    derived cells grey, the rest unfilled, which is what ``juesuan template`` books have."""
    try:
        colours = book.read_fills([moved(key) for key in keys])
        return {key: fill_text(colours.get(moved(key))) for key in keys}
    except FillsUnreadable:
        grey = fill_text(DERIVED_COLOUR)
        return {key: grey if key in derived else "" for key in keys}


def plan_review(book: OpenBook, review: Review, old_marks, edits: Edits, shade=(), moved=None,
                covered=None) -> Edits:
    """Append the review to `edits`. `shade` (after fill): cells that wear the derived grey from
    now on; a mark on one remembers grey as its original fill, as the file writer does.
    `moved(key)`: where a cell of the report sat before this run inserted rows. A cell a merged
    range covers (`covered(key)`, not its top-left) is listed but never coloured, as in a file."""
    moved = moved or (lambda key: key)
    covered = covered or _covered(book)
    sheets = set(book.names) | {REVIEW_SHEET}
    old = {(sheet, address): original for sheet, address, original in old_marks
           if sheet in sheets and sheet != REVIEW_SHEET}
    new = review.marks_on(sheets)
    inside = {key for key in set(old) | set(new) | set(shade) if key[0] != REVIEW_SHEET and covered(key)}
    grey_text = fill_text(DERIVED_COLOUR)
    shade = {key for key in shade if key[0] in sheets and key[0] != REVIEW_SHEET and key not in inside}
    old.update({key: grey_text for key in shade if key in old})
    restore = {key: fill_hex(original) for key, original in old.items() if key not in new and key not in inside}
    unknown = [key for key in sorted(new) if key not in old and key not in inside]
    originals = dict(old)
    originals.update({key: "" for key in new if key in inside and key not in old})   # no fill of its own
    originals.update(_original_fills(book, unknown, review.derived, moved) if unknown else {})
    originals.update({key: grey_text for key in shade if key in new})
    grey = {key: DERIVED_COLOUR for key in shade if key not in new and key not in restore}
    grid = review_grid(review, sheets, originals)
    return review_edits(edits, grid, book.review_rows, restore, grey, uncoloured=inside)


# --- the operations ----------------------------------------------------------------------
def check_open_book(book: OpenBook, catalog: Catalog, when: datetime | None = None) -> Outcome:
    """审核: the audit of the open book, 审核结果 rewritten and the cells concerned coloured."""
    result = check_grids(book.grids, catalog, book.name)
    notes, old_marks = book.previous_registry()
    before, overwrites = book.previous_fill()
    record = still_left(before, result.report)          # what fill left and still stands
    findings = with_carried(result.findings, overwrites, record, result.report)
    review = build_review(result.report, findings, result.catalog, notes, when, filled=record)
    edits = plan_review(book, review, old_marks, print_areas(Edits(), result.report, book.names))
    errors = review.counts.get(ERROR)
    verdict = "有错误，须改正后才能公开。" if errors else "未发现错误。"
    return Outcome(f"审核完成：{summary(review.counts)}。{verdict}\n详见“审核结果”表，问题单元格已按级别着色。",
                   "critical" if errors else "info", edits, result, review)


def fill_open_book(book: OpenBook, catalog: Catalog, when: datetime | None = None) -> Outcome:
    """填充计算: every derived cell computed (missing 款/类 rows added first, as ``fill`` does in a
    file), then reviewed as 审核 does."""
    report = parse_grids(book.grids, book.name)
    before, overwrites = book.previous_fill()
    notes, old_marks = book.previous_registry()
    kept = ([(s, a) for s, a, _ in old_marks] + [key for key in before if not isinstance(key, Ref)]
            + [(f.table, f.cell) for f in overwrites])     # a record kept by identity (Ref) moves with its row
    filled, result = fill_and_recheck(report, catalog, add_parents=not _kept_rows_move(kept),
                                      written_before=before)
    amounts = {(c.table, c.address): c.new for c in filled.changes}
    changed = {(c.table, c.address): c.ref for c in filled.changes}
    for (sheet, address), merged in _merged_over(book, amounts, result.inserted).items():
        filled.record.pop(changed[sheet, address], None)    # not written: the cell holds no figure of ours
        result.findings.append(MERGED_DERIVED_CELL.finding(sheet, address, merged=merged,
                                                           amount=fmt(amounts.pop((sheet, address)))))
    result.findings = sort_findings(result.findings)
    findings = with_carried(result.findings, overwrites, filled.record, report)
    review = build_review(report, findings, result.catalog, notes, when, filled=filled.record)
    typed = {(ins.table, f"{col}{ins.row}") for ins in result.inserted for col in "AB"}
    edits = Edits()
    edits.inserted_rows(result.inserted)
    edits.amounts(amounts)
    print_areas(edits, report, book.names)
    plan_review(book, review, old_marks, edits, shade=review.derived | set(amounts) | typed,
                moved=_before_insertion(result.inserted), covered=_covered(book, result.inserted))
    overwritten = len([c for c in filled.changes if c.overwrote])
    added = f"插入了 {len(result.inserted)} 行缺少的类/款，" if result.inserted else ""
    message = (f"填充计算完成：{added}更新了 {len(filled.changes)} 个自动计算单元格"
               f"（其中覆盖原有数字 {overwritten} 个，已列入“审核结果”）。\n审核：{summary(review.counts)}。")
    return Outcome(message, "critical" if review.counts.get(ERROR) else "info", edits, result, review, filled)


def clear_open_book(book: OpenBook) -> Outcome:
    """清除标记: put back the fill of every cell the registry lists, then empty the registry."""
    _notes, marks = book.previous_registry()
    names = set(book.names) - {REVIEW_SHEET}
    restore = {(sheet, address): fill_hex(original) for sheet, address, original in marks
               if sheet in names and not _merge_of(book, (sheet, address))}
    if not restore:
        return Outcome("没有需要清除的标记。")
    edits = forget_marks(Edits(), book.review_rows, restore)
    return Outcome(f"已清除 {len(restore)} 个单元格的审核标记，恢复为原来的底色。", edits=edits, restored=len(restore))


def publish_open_book(book: OpenBook, catalog: Catalog) -> Outcome:
    """生成公开表: the publication of the book as it is now, refused while the audit finds errors.
    The caller renders and saves it (``io.publication_xlsx``) and completes the message."""
    result = check_grids(book.grids, catalog, book.name)
    notes, _marks = book.previous_registry()
    gate = publication_gate(result.findings, notes)
    if gate.closed:
        lines = "\n".join(line.strip() for line in finding_lines(gate.errors, limit=8))
        return Outcome(f"审核发现 {len(gate.errors)} 条错误，不能生成公开表：\n{lines}\n请改正后再生成（点“审核”查看详情）。",
                       "critical", result=result, gate=gate)
    publication = build_publication(result.report)
    extra = ""
    if publication.converted:
        extra += "\n金额单位为元，已换算为万元（四舍五入保留两位小数）。"
    if gate.unexplained:
        extra += f"\n另有 {len(gate.unexplained)} 条警告尚未在“审核结果”的“备注”栏说明原因，公开前请核实。"
    return Outcome(extra, result=result, gate=gate, publication=publication)


NARRATIVE_SUFFIX = "-情况说明"      # <workbook>-情况说明.docx, beside the workbook


def narrative_target(workbook: Path) -> tuple[Path, Path | None]:
    """(where the 情况说明 goes, the earlier one kept when it exists). The clerk completes the
    【待填写】 of a drafted 情况说明 in Word, so a second press never overwrites the first
    draft: it writes <name>-情况说明(2).docx, (3), … instead."""
    first = workbook.with_name(f"{workbook.stem}{NARRATIVE_SUFFIX}.docx")
    target, number = first, 1
    while target.exists():
        number += 1
        target = workbook.with_name(f"{workbook.stem}{NARRATIVE_SUFFIX}({number}).docx")
    return target, (first if target != first else None)


def narrate_open_book(book: OpenBook, catalog: Catalog, workbook: Path | None) -> Outcome:
    """生成情况说明: draft the 情况说明 of the book as it is now and write it as a Word document
    beside the workbook (`workbook`: its saved path; None while it has none), as ``juesuan narrate``
    writes it. Refused while the workbook has no folder, without python-docx/matplotlib, and
    while the audit finds errors (as 生成公开表 is): figures that do not reconcile would be
    restated in sentences, shares and percentages that look final."""
    result = check_grids(book.grids, catalog, book.name)     # a book that is not standard is told so first
    if workbook is None or not workbook.is_absolute() or not workbook.parent.is_dir():
        return Outcome("工作簿还没有保存到本机文件夹（或在网盘上）：请先“另存为”到本机文件夹，再生成情况说明。", "critical")
    missing = missing_narrate_packages()
    if missing:
        return Outcome(f"生成情况说明需要 {'、'.join(missing)}，本机的 Python 还没有安装。\n"
                       "请在命令行运行：pip install \"juesuan[narrate]\"\n"
                       "没有网络时，用最新的“决算助手离线安装包”重新运行其中的 安装.bat（统信、麒麟为 安装.sh）。",
                       "critical")
    notes, _marks = book.previous_registry()
    gate = publication_gate(result.findings, notes)
    if gate.closed:
        lines = "\n".join(line.strip() for line in finding_lines(gate.errors, limit=8))
        return Outcome(f"审核发现 {len(gate.errors)} 条错误，不能生成情况说明（说明中的金额、占比和增减都从表中计算，"
                       f"表有错误时它们也是错的）：\n{lines}\n请改正后再生成（点“审核”查看详情）。",
                       "critical", result=result, gate=gate)
    from ..io.narrative_files import write_docx      # the drafting, loaded only for this button
    from ..views.narrative import draft
    narrative = draft(result.report)
    target, kept = narrative_target(workbook)
    written, problems = write_docx(narrative, target)
    count = len(narrative.placeholders)
    lines = [f"情况说明已生成：\n{written}"]
    if kept:
        lines.append(f"（已有的“{kept.name}”可能已补充过内容，未覆盖。）")
    lines.append(f"有 {count} 处【待填写】（Word 中黄色突出显示），请补充后再公开。" if count
                 else "没有【待填写】的内容；公开前请通读核对。")
    absent = [name for name in FACT_SHEETS if not result.report.facts[name].present]
    if absent:
        lines.append(f"工作簿没有“{'”“'.join(absent)}”表（旧版模板）：可用 juesuan template 生成新模板，"
                     "把两张表复制到本工作簿（表名不变）后填写。")
    elif narrative.missing:
        lines.append(f"工作簿缺少：{'、'.join(narrative.missing)}（填在“上年数”“其他公开事项”表中）。")
    lines += [f"注意：{problem}" for problem in problems]
    if gate.unexplained:
        lines.append(f"另有 {len(gate.unexplained)} 条警告尚未在“审核结果”的“备注”栏说明原因，公开前请核实。")
    return Outcome("\n".join(lines), result=result, gate=gate, output=written, placeholders=count)


# --- merged ranges -----------------------------------------------------------------------
def _merge_of(book: OpenBook, key: Key) -> tuple[int, int, int, int] | None:
    """(r1, c1, r2, c2) of the merged range that covers the cell (sheet, A1) of the book as read,
    when the cell is not its top-left: such a cell holds no value and no fill of its own."""
    sheet, address = key
    ranges = book.merged.get(sheet)
    if not ranges:
        return None
    row, col = parse_a1(address)
    for text in ranges:
        first, _, last = str(text).replace("$", "").partition(":")
        (r1, c1), (r2, c2) = parse_a1(first), parse_a1(last or first)
        if r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1):
            return r1, c1, r2, c2
    return None


def _covered(book: OpenBook, insertions=()) -> Callable[[Key], tuple | None]:
    """_merge_of for a cell addressed after the inserted rows (an inserted row is never covered),
    the range given where it sits after them."""
    moved, inserted = _before_insertion(insertions), {(ins.table, ins.row) for ins in insertions}

    def covered(key: Key):
        if key[0] not in book.merged or (key[0], parse_a1(key[1])[0]) in inserted:
            return None
        merge = _merge_of(book, moved(key))
        if merge is None:
            return None
        shift = parse_a1(key[1])[0] - parse_a1(moved(key)[1])[0]
        r1, c1, r2, c2 = merge
        return r1 + shift, c1, r2 + shift, c2
    return covered


def _merged_over(book: OpenBook, amounts: Mapping[Key, object], insertions) -> dict[Key, str]:
    """{(sheet, A1): merged range} of the cells fill would write that a merged range covers:
    fill leaves them alone and says so (F05), as ``fill`` does in a file."""
    covered = _covered(book, insertions)
    over = {}
    for key in amounts:
        merge = covered(key)
        if merge is not None:
            r1, c1, r2, c2 = merge
            over[key] = f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"
    return over


# --- inserted rows -----------------------------------------------------------------------
def _kept_rows_move(kept) -> bool:
    """Whether an address the last 审核结果 keeps (a mark, a fill record, an overwrite) sits where
    an inserted 款/类 row would move it: those are kept by address, so fill then inserts nothing
    (and the audit's E08 stays for the clerk), as ``fill`` does for a file."""
    moving = {name: layout_of(name).first_data_row + 1 for name, spec in TABLES.items() if spec.kind == CODE}
    for sheet, address in kept:
        if sheet in moving:
            digits = "".join(ch for ch in str(address or "") if ch.isdigit())
            if not digits or int(digits) >= moving[sheet]:
                return True
    return False


def _before_insertion(insertions) -> Callable[[Key], Key]:
    """Where a cell (sheet, A1) of the report after insertion sat before: rows below an inserted
    row came from one row up; an inserted row reads as the row below it (it takes its format)."""
    inserted: dict[str, list[int]] = {}
    for ins in insertions:
        inserted.setdefault(ins.table, []).append(ins.row)

    def moved(key: Key) -> Key:
        sheet, address = key
        rows = inserted.get(sheet)
        if not rows:
            return key
        row, col = parse_a1(address)
        while row in rows:                    # an inserted row: look at the first original row below it
            row += 1
        letters = address.rstrip("0123456789")
        return sheet, f"{letters}{row - sum(1 for r in rows if r < row)}"
    return moved
