"""The reconciliation (勾稽关系) as data.

A Relation says ``target  op  Σ sign·term``. The audit evaluates it; filling uses
the same object to compute the one cell it ``solves`` (the target or a term).
Which cells are derived — shaded in the template, overwritten by fill — is simply
the set of cells some relation solves, so check, fill and template cannot drift.

A relation only ever solves a sum (a total from its parts). Balances — 年初/年末结转和结余,
结余分配, 使用非财政拨款结余, per fund and per row — come from the accounts: the clerk types
them and the relation that links them to income and spending is checked, never solved,
so a typo elsewhere shows up as an error at the balance instead of vanishing into it.
"""
from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from functools import cache
from itertools import chain

from ..domain.catalog import Catalog
from ..domain.model import Ref, Report, Row, Table
from ..domain.schema import (
    CODE,
    LEVEL_BY_LENGTH,
    PERSONNEL_TOTAL,
    PUBLIC_TOTAL,
    SINGLE_KEY,
    TABLES,
    TOTAL_KEY,
)
from .item_relations import item_appropriations
from .relation_plan import Plan, RelationCycle, Relations, plan_of  # noqa: F401 (RelationCycle: its home was here)
from .relation_types import Relation, Term

_make = tuple.__new__      # what Ref(…), Term(…) and Relation(…) do, without a Python call each


def _sum(rule: str, target: Ref, refs, *, solves="target", expr: str = "", op: str = "=") -> Relation:
    terms = tuple([r if isinstance(r, Term) else _make(Term, (1, r)) for r in refs])
    solved = target if solves == "target" else solves
    return _make(Relation, (rule, target, terms, op, solved, expr))


# --- code tables (02 03 05 07 08) ------------------------------------------------
# Per-row identities: (rule, target 栏次, [(sign, 栏次)], description, solved). A leaf row
# derives a solved target from these; a parent row takes every column from its children
# instead. 公开07's 年末结转和结余 is a balance: typed per row and checked, never solved.
ROW_IDENTITIES: dict[str, list[tuple[str, int, list[tuple[int, int]], str, bool]]] = {
    "公开02": [("R2.1", 1, [(1, c) for c in range(2, 8)], "栏次2至7之和", True)],
    "公开03": [("R3.1", 1, [(1, c) for c in range(2, 7)], "栏次2至6之和", True)],
    "公开05": [("R5.1", 1, [(1, 2), (1, 3)], "基本支出 + 项目支出", True)],
    "公开07": [("R7.1", 3, [(1, 4), (1, 5)], "基本支出 + 项目支出", True),
               ("R7.2", 6, [(1, 1), (1, 2), (-1, 3)], "年初结转和结余 + 本年收入 − 本年支出小计", False)],
    "公开08": [("R8.1", 1, [(1, 2), (1, 3)], "基本支出 + 项目支出", True)],
}
ROLLUP_RULES = {"公开02": ("R2.2", "R2.3"), "公开03": ("R3.2", "R3.3"), "公开05": ("R5.2", "R5.3"),
                "公开07": ("R7.3", "R7.4"), "公开08": ("R8.2", "R8.3")}


def row_derived_columns(table_id: str) -> set[int]:
    """栏次 a leaf row derives from its own other columns (shaded in every template row)."""
    return {target for _rule, target, _terms, _d, solved in ROW_IDENTITIES[table_id] if solved}


def parent_of(code: str, present: set[str]) -> str | None:
    """Nearest present ancestor: 项 -> 款 -> 类 (a missing 款 is skipped, reported elsewhere)."""
    for length in (5, 3):
        if len(code) > length and code[:length] in present:
            return code[:length]
    return None


def hierarchy(table: Table) -> tuple[list[Row], dict[str, list[Row]]]:
    """(top-level rows, children by parent code), first occurrence of each code only."""
    rows, seen = [], set()
    for row in table.code_rows():
        if row.code not in seen:
            seen.add(row.code)
            rows.append(row)
    top, children = [], {}
    for row in rows:
        parent = parent_of(row.code, seen)
        if parent is None:
            top.append(row)
        else:
            children.setdefault(parent, []).append(row)
    return top, children


def code_table_relations(table: Table) -> list[Relation]:
    tid = table.id
    columns = [c.no for c in TABLES[tid].columns]
    top, children = hierarchy(table)
    rollup_rule, total_rule = ROLLUP_RULES[tid]
    out = []
    # (_make: a book of 10,000 rows makes 150,000 of them here)
    make = _make
    for row in [r for r in table.rows if r.key == TOTAL_KEY] + top + [c for cs in children.values() for c in cs]:
        is_parent = row.key == TOTAL_KEY or row.code in children
        key = row.key
        for rule, target, terms, expr, solved in ROW_IDENTITIES[tid]:
            at = make(Ref, (tid, key, target))
            out.append(make(Relation, (rule, at, tuple([make(Term, (s, make(Ref, (tid, key, c)))) for s, c in terms]),
                                       "=", at if solved and not is_parent else None, expr)))
    for parent_code, kids in children.items():
        expr = f"所属{LEVEL_BY_LENGTH[len(parent_code) + 2]}之和"
        keys = [k.key for k in kids]
        for col in columns:
            at = make(Ref, (tid, parent_code, col))
            terms = tuple([make(Term, (1, make(Ref, (tid, k, col)))) for k in keys])
            out.append(make(Relation, (rollup_rule, at, terms, "=", at, expr)))
    for col in columns:
        out.append(_sum(total_rule, Ref(tid, TOTAL_KEY, col), [Ref(tid, r.key, col) for r in top], expr="各类之和"))
    return out


# --- fixed tables ----------------------------------------------------------------
def _r(table: str, key, col: int) -> Ref:
    return _make(Ref, (table, str(key), col))


def table01() -> list[Relation]:
    t = "公开01"
    return [
        _sum("R1.1", _r(t, 27, 1), [_r(t, i, 1) for i in range(1, 9)], expr="行次1至8之和"),
        _sum("R1.2", _r(t, 31, 1), [_r(t, i, 1) for i in (27, 28, 29)], expr="本年收入合计 + 使用非财政拨款结余 + 年初结转和结余"),
        _sum("R1.3", _r(t, 58, 2), [_r(t, i, 2) for i in range(32, 58)], expr="行次32至57之和"),
        # 结余分配 and 年末结转和结余 are typed: 支出总计 is their sum with spending, and must meet 收入总计
        _sum("R1.4", _r(t, 62, 2), [_r(t, i, 2) for i in (58, 59, 60)],
             expr="本年支出合计 + 结余分配 + 年末结转和结余"),
        _sum("R1.5", _r(t, 62, 2), [_r(t, 31, 1)], solves=None, expr="收入总计"),
    ]


def table04() -> list[Relation]:
    t = "公开04"
    out = [
        _sum("R4.1", _r(t, 27, 1), [_r(t, i, 1) for i in (1, 2, 3)], expr="行次1至3之和"),
        _sum("R4.2", _r(t, 28, 1), [_r(t, i, 1) for i in (29, 30, 31)], expr="行次29至31之和"),
        _sum("R4.3", _r(t, 32, 1), [_r(t, 27, 1), _r(t, 28, 1)], expr="本年收入合计 + 年初财政拨款结转和结余"),
    ]
    # 年末 is typed per fund; its 合计 (60, col 2) is their sum like every other row's,
    # while 59's and 64's 合计 come down their own column (R4.5, R4.6) and are checked here
    for line in [str(i) for i in range(33, 59)] + ["59", "60", "64"]:
        out.append(_sum("R4.4", _r(t, line, 2), [_r(t, line, c) for c in (3, 4, 5)],
                        solves="target" if line not in ("59", "64") else None, expr="三类资金之和"))
    for col in (2, 3, 4, 5):
        out.append(_sum("R4.5", _r(t, 59, col), [_r(t, i, col) for i in range(33, 59)], expr="行次33至58之和"))
        out.append(_sum("R4.6", _r(t, 64, col), [_r(t, 59, col), _r(t, 60, col)],
                        expr="本年支出合计 + 年末财政拨款结转和结余"))
    out.append(_sum("R4.7", _r(t, 64, 2), [_r(t, 32, 1)], solves=None, expr="收入总计"))
    for i, col in enumerate((3, 4, 5)):
        out.append(_sum("R4.8", _r(t, 60, col), [_r(t, 29 + i, 1), _r(t, 1 + i, 1), Term(-1, _r(t, 59, col))],
                        solves=None,
                        expr=f"行次{29 + i} 年初结转和结余 + 行次{1 + i} 本年收入 − 行次59 本年支出"))
    return out


def table06(catalog: Catalog) -> list[Relation]:
    t = "公开06"
    out = []
    classes = [e for e in catalog.economic if len(e.code) == 3]
    for cls in classes:
        kids = [e.code for e in catalog.economic if len(e.code) == 5 and e.code.startswith(cls.code)]
        out.append(_sum("R6.1", _r(t, cls.code, 1), [_r(t, k, 1) for k in kids], expr="所属款之和"))
    personnel = [c.code for c in classes if c.group == "人员经费"]
    public = [c.code for c in classes if c.group == "公用经费"]
    out.append(_sum("R6.2", _r(t, PERSONNEL_TOTAL, 1), [_r(t, c, 1) for c in personnel], expr=" + ".join(personnel)))
    out.append(_sum("R6.3", _r(t, PUBLIC_TOTAL, 1), [_r(t, c, 1) for c in public], expr=" + ".join(public)))
    return out


def table09() -> list[Relation]:
    t = "公开09"
    out = []
    for base in (0, 6):
        out.append(_sum("R9.1", _r(t, SINGLE_KEY, base + 1), [_r(t, SINGLE_KEY, base + c) for c in (2, 3, 6)],
                        expr="因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费"))
        out.append(_sum("R9.2", _r(t, SINGLE_KEY, base + 3), [_r(t, SINGLE_KEY, base + c) for c in (4, 5)],
                        expr="公务用车购置费 + 公务用车运行维护费"))
    return out


# --- across tables ---------------------------------------------------------------
def cross_tables(report: Report, catalog: Catalog) -> list[Relation]:
    """Every relation across tables, in their order: those of the catalogue, 公开05's rows' (R17.1), the rest."""
    return cross_by_catalog(catalog) + cross_by_rows(report) + cross_after_rows(catalog)


def cross_by_catalog(catalog: Catalog) -> list[Relation]:
    """(Built once per catalogue: read nothing of a report.)"""
    out = [
        _sum("R10.1", _r("公开01", 27, 1), [_r("公开02", TOTAL_KEY, 1)], solves=None),
        _sum("R10.2", _r("公开02", TOTAL_KEY, 2), [_r("公开01", i, 1) for i in (1, 2, 3)], solves=None,
             expr="公开01 行次1至3之和"),
    ]
    out += [_sum("R10.3", _r("公开01", i, 1), [_r("公开02", TOTAL_KEY, i - 1)]) for i in range(4, 9)]
    out.append(_sum("R11.1", _r("公开01", 58, 2), [_r("公开03", TOTAL_KEY, 1)], solves=None))
    for i, (code, _name) in enumerate(catalog.classes):
        out.append(_sum("R11.2", _r("公开01", 32 + i, 2), [_r("公开03", code, 1)]))
    out += [_sum("R12.1", _r("公开01", i, 1), [_r("公开04", i, 1)]) for i in (1, 2, 3)]
    out.append(_sum("R12.2", _r("公开04", 27, 1), [_r("公开02", TOTAL_KEY, 2)], solves=None))
    # 04 expenditure by fund comes from 05 / 07 / 08
    for rule_total, rule_class, col, source, source_col in (("R13.1", "R13.2", 3, "公开05", 1),
                                                           ("R14.1", "R14.2", 4, "公开07", 3),
                                                           ("R15.1", "R15.2", 5, "公开08", 1)):
        out.append(_sum(rule_total, _r("公开04", 59, col), [_r(source, TOTAL_KEY, source_col)], solves=None))
        for i, (code, _name) in enumerate(catalog.classes):
            out.append(_sum(rule_class, _r("公开04", 33 + i, col), [_r(source, code, source_col)]))
    out += [
        _sum("R14.3", _r("公开04", 2, 1), [_r("公开07", TOTAL_KEY, 2)], solves=None),
        _sum("R14.4", _r("公开04", 30, 1), [_r("公开07", TOTAL_KEY, 1)], solves=None),
        _sum("R14.5", _r("公开04", 60, 4), [_r("公开07", TOTAL_KEY, 6)], solves=None),
        _sum("R16.1", _r("公开05", TOTAL_KEY, 2), [_r("公开06", PERSONNEL_TOTAL, 1), _r("公开06", PUBLIC_TOTAL, 1)],
             solves=None, expr="公开06 人员经费合计 + 公用经费合计"),
    ]
    return out


def cross_by_rows(report: Report) -> list[Relation]:
    """17: warnings, a reason may exist. (Built once per 公开05's rows: read nothing else of `report`.)"""
    out = []
    for row in [r for r in report.tables["公开05"].rows if r.key == TOTAL_KEY or r.code]:
        for col05, col03 in ((1, 1), (2, 2), (3, 3)):
            out.append(_sum("R17.1", _r("公开05", row.key, col05), [_r("公开03", row.key, col03)],
                            solves=None, op="<="))
    return out


def cross_after_rows(catalog: Catalog) -> list[Relation]:
    """(Built once per catalogue: read nothing of a report.)"""
    out = [_sum("R17.2", _r("公开01", 29, 1), [_r("公开04", 28, 1)], solves=None, op=">="),
           _sum("R17.3", _r("公开01", 60, 2), [_r("公开04", 60, 2)], solves=None, op=">=")]
    for c in range(1, 7):
        out.append(_sum("R17.4", _r("公开09", SINGLE_KEY, c + 6), [_r("公开09", SINGLE_KEY, c)], solves=None, op="<="))
    for col09, econ in ((8, "30212"), (10, "31013"), (11, "30231"), (12, "30217")):
        out.append(_sum("R17.5", _r("公开09", SINGLE_KEY, col09), [_r("公开06", econ, 1)], solves=None, op=">="))
    return out


def relations_for(report: Report, catalog: Catalog) -> Relations:
    """Every relation that applies to this report, fixed and data-dependent, with their Plan.

    Built once per shape (which rows a code table lists, which catalogue): fill, the audit
    and the review each ask for the same report's relations, and a table's relations depend
    on its rows' keys and codes only, never on the figures."""
    pieces = [_fixed_tables(), _compiled(("06", id(catalog)), catalog, lambda: table06(catalog))]
    shapes = []
    for table_id, spec in TABLES.items():
        if spec.kind == CODE and table_id in report.tables:
            table = report.tables[table_id]
            shapes.append((table_id, _shape(table)))
            pieces.append(_compiled(shapes[-1], None, lambda: code_table_relations(table)))  # noqa: B023
    # across tables: in cross_tables' order, each part keyed by what it reads
    pieces.append(_compiled(("cross", id(catalog)), catalog, lambda: cross_by_catalog(catalog)))
    rows05 = dict(shapes).get("公开05")
    pieces.append(_compiled(("cross05", rows05), None, lambda: cross_by_rows(report)))
    pieces.append(_compiled(("cross after", id(catalog)), catalog, lambda: cross_after_rows(catalog)))
    items = tuple(item_appropriations(report))      # reads 公开04's balances: never cached by shape
    present = frozenset(tid for tid, t in report.tables.items() if t.present)
    missing = None if present.issuperset(TABLES) else present
    # one Plan per (compiled pieces, items, missing sheets): the pieces are held with it, so
    # their ids in the key cannot be reused by others while it is kept
    key = (*map(id, pieces), items, missing)
    hit = _PLANS.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], pieces)):
        _PLANS.move_to_end(key)
        out = Relations(hit[1])
        out.plan = hit[1].plan
        return out
    out = Relations(chain.from_iterable(pieces))
    out += items
    if missing is not None:
        # a missing sheet is already an error of its own; comparing against it would only echo it
        out = Relations(r for r in out if all(ref.table in present for ref in r.refs()))
    out.plan = Plan(out)
    _PLANS[key] = (pieces, out)
    if len(_PLANS) > _COMPILED_KEPT:
        _PLANS.popitem(last=False)
    copy = Relations(out)
    copy.plan = out.plan
    return copy


@cache
def _fixed_tables() -> tuple[Relation, ...]:
    return tuple(table01() + table04() + table09())


def _shape(table: Table) -> tuple:
    """What a code table's relations depend on: its rows' keys and codes, in order."""
    return tuple((row.key, row.code) for row in table.rows)


_COMPILED: OrderedDict = OrderedDict()
_COMPILED_KEPT = 32          # shapes kept (a few tables of a few workbooks): memory stays flat in batch
_PLANS: OrderedDict = OrderedDict()


def _compiled(key: tuple, catalog, build) -> tuple[Relation, ...]:
    """`build()`'s relations, built once per `key` (which holds id(catalog): the catalogue
    itself is kept with them so that the id cannot be reused by another)."""
    hit = _COMPILED.get(key)
    if hit is not None and hit[0] is catalog:
        _COMPILED.move_to_end(key)
        return hit[1]
    relations = tuple(build())
    _COMPILED[key] = (catalog, relations)
    if len(_COMPILED) > _COMPILED_KEPT:
        _COMPILED.popitem(last=False)
    return relations


def derived_refs(relations) -> set[Ref]:
    return {r.solves for r in relations if r.solves is not None}


_NONE: frozenset = frozenset()


def _union(sets: list[frozenset]) -> frozenset:
    found = [s for s in sets if s]
    return _NONE if not found else found[0] if len(found) == 1 else frozenset().union(*found)


class Derivation:
    """Every derived cell computed from the input cells, and how many rounded inputs it rests on.

    In a 万元 workbook each typed figure was rounded once (±0.005); a figure computed by
    summing n of them can drift by n × 0.005. `weight` gives that n for any cell, so the
    audit's envelope stays tight for published totals and honest for recomputed ones.
    """

    def __init__(self, report: Report, relations: list[Relation]):
        self.report = report
        self.relations = relations
        self.plan = plan = plan_of(relations)     # raises RelationCycle on a cycle
        self.solver = plan.solver
        self.values: dict[Ref, Decimal | None] = {}
        self._leaves: dict[Ref, int] = {}
        self._unusable: dict[Ref, frozenset[Ref]] = {}
        self._cells = cells = {}                  # every cell of the report by its Ref, the first of a key
        # the value a relation reads: the computed one of a derived cell, else what the cell holds;
        # `plan.order` computes every derived cell after those it reads, so one dict answers both
        known: dict[Ref, Decimal | None] = {}
        unreadable = False
        for table in report.tables.values():     # (keys as plain tuples: a Ref finds them, and is slower to make)
            tid = table.id
            for row in reversed(table.rows):
                key = row.key
                for no, found in row.cells.items():
                    at = (tid, key, no)
                    cells[at] = found
                    known[at] = found.value
                    unreadable = unreadable or found.bad
        self.cell = cells.get                     # report.cell(ref), without walking tables and rows
        self._any_unreadable = unreadable
        self._inputs = plan.inputs                # a derived cell -> the cells its relation reads (shape only)
        values, solver = self.values, self.solver
        for ref in plan.order:
            known[ref] = values[ref] = solver[ref].solve(known.get)

    def _inputs_of(self, ref: Ref) -> tuple[list[Ref], list[Ref]]:
        """(the derived cells, the input cells) the relation solving `ref` reads."""
        inputs = self._inputs.get(ref)
        if inputs is None:
            read = [r for r in self.solver[ref].refs() if r != ref]
            inputs = self._inputs[ref] = ([r for r in read if r in self.solver], [r for r in read if r not in self.solver])
        return inputs

    def _over_inputs(self, ref: Ref, memo: dict, at_input, combine):
        """`at_input` of every input cell the computed value of `ref` rests on, folded by `combine`
        (the constructor has ruled out cycles, so the recursion ends)."""
        if ref not in self.solver:
            return at_input(ref)
        found = memo.get(ref)
        if found is None:
            derived, plain = self._inputs_of(ref)
            found = memo[ref] = combine([self._over_inputs(r, memo, at_input, combine) for r in derived]
                                        + [at_input(r) for r in plain])
        return found

    def _figure(self, ref: Ref) -> int:
        # a typed 0.00 means "nothing happened": it adds no rounding drift to a sum
        cell = self.cell(ref)
        return 0 if cell is None or cell.value is None or cell.value == 0 else 1

    def _unreadable(self, ref: Ref) -> frozenset[Ref]:
        cell = self.cell(ref)
        return frozenset((ref,)) if cell is not None and cell.bad else _NONE

    def leaves(self, ref: Ref) -> int:
        """Non-zero input figures the computed value of `ref` is built from."""
        return self._over_inputs(ref, self._leaves, self._figure, sum)

    def unusable_inputs(self, ref: Ref) -> frozenset[Ref]:
        """The unreadable input cells (E01: text, error value, uncalculated formula) the computed
        value of `ref` rests on. The computation reads them as blank, so unless this is empty
        the computed value is not a figure anyone should write."""
        if not self._any_unreadable:
            return _NONE
        return self._over_inputs(ref, self._unusable, self._unreadable, _union)

    def weight(self, ref: Ref) -> int:
        """Rounded figures behind the value the workbook holds at `ref` (0 when blank)."""
        cell = self.cell(ref)
        held = cell.value if cell is not None else None
        if held is None:
            return 0
        # held value is the exact sum: it carries its inputs' rounding; so does any total of a merged
        # report, a sum of the units' totals, some of which were exact sums of their own inputs
        if ref in self.solver and (self.values.get(ref) == held or self.report.merged_units > 1):
            return max(1, self.leaves(ref))
        return 1
