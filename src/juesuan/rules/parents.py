"""Missing 款 and 类 rows of the code tables, added so a clerk may type only the 项.

单位信息 tells the clerk "只填'项'的金额，类、款和合计自动汇总". A code table (公开02 03
05 07 08) holding a 项 without its 款 (or a 款 without its 类) cannot be summed level by
level (E08). Before fill, `insert_parents` adds each missing parent row to the report:
immediately before its first descendant in sheet order, a 类 before its 款, named from the
catalogue, or with `PLACEHOLDER_NAME` where the catalogue lacks the code (the audit then
asks the clerk for the name, E21). Rows below move down and every address follows, so the
writer inserts the same sheet rows (`Insertion.row`, ascending) and fill's addresses hold.

A table with entry findings of its own (unreadable amounts, malformed codes…) is left as
it is: those findings name sheet rows, and the audit's E08 stays until they are put right.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.catalog import CODE_PATTERN, Catalog
from ..domain.model import Report, Table, code_row
from ..domain.schema import CODE, LEVEL_BY_LENGTH, TABLES

PLACEHOLDER_NAME = "（请填写科目名称）"


@dataclass(frozen=True)
class Insertion:
    table: str
    row: int          # the sheet row it takes after insertion (rows from here down move one down)
    code: str
    name: str
    named: bool       # False: the catalogue lacks the code, `name` is the placeholder

    @property
    def level(self) -> str:
        return LEVEL_BY_LENGTH[len(self.code)]


def missing_parents(table: Table) -> list[tuple[int, str]]:
    """(sheet row of its first descendant, code) of every missing 类/款, in insertion order."""
    rows = [r for r in table.code_rows() if CODE_PATTERN.fullmatch(r.code or "")]
    present = {r.code for r in rows}
    first_below: dict[str, int] = {}
    for row in rows:
        code = row.code
        while len(code) > 3:
            code = code[:-2]
            if code not in present:
                first_below[code] = min(first_below.get(code, row.row), row.row)
    return sorted(((at, code) for code, at in first_below.items()), key=lambda item: (item[0], len(item[1])))


def parents_missing(report: Report) -> list[tuple[str, str]]:
    """(table, code) of every 类/款 row `insert_parents` would add, in table and sheet order."""
    out = []
    busy = {f.table for f in report.findings}
    for table_id, spec in TABLES.items():
        table = report.tables.get(table_id)
        if spec.kind == CODE and table is not None and table.present and table_id not in busy:
            out += [(table_id, code) for _at, code in missing_parents(table)]
    return out


def _shift(table: Table, at: int) -> None:
    """Every row from sheet row `at` down moves one row down, with its cells."""
    for row in table.rows:
        if row.row >= at:
            row.row += 1
            for cell in row.cells.values():
                cell.row += 1


def insert_parents(report: Report, catalog: Catalog) -> list[Insertion]:
    """Add the missing 款/类 rows to every code table of `report`; returns them by table and
    ascending sheet row (the order a writer inserts them in)."""
    done: list[Insertion] = []
    busy = {f.table for f in report.findings}
    for table_id, spec in TABLES.items():
        table = report.tables.get(table_id)
        if spec.kind != CODE or table is None or not table.present or table_id in busy:
            continue
        added = 0
        for at, code in missing_parents(table):
            row_no = at + added            # rows above have already moved down by `added`
            _shift(table, row_no)
            name = catalog.function_name(code)
            table.rows.append(code_row(table_id, code, row_no, code, name or PLACEHOLDER_NAME))
            done.append(Insertion(table_id, row_no, code, name or PLACEHOLDER_NAME, name is not None))
            added += 1
        if added:
            table.rows.sort(key=lambda r: r.row)
            table.reindex()
    return done
