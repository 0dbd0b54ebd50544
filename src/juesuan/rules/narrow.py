"""Narrowing a disagreement between two tables down to the input rows to look at.

A relation such as 公开04 本年支出合计 = 公开05 合计 compares two totals that are sums
of rows. Where both sides are sums in one column (合计 of 类, 类 of 款, 款 of 项) and
their rows are paired by a relation of their own (公开04 类 ↔ 公开05 类 by R13.2,
公开05 项 ↔ 公开03 项 by R17.1, …), the gap lies in the pairs that disagree: descend
into those, down to rows that are not sums on both sides, and name them.

Where no pairing exists (公开05 基本支出 by function against 公开06 by economic class, R16.1),
the finding names the typed cells its totals are computed from (`sources`), so the clerk is
not sent to a grey total. And where a typed row fails a relation of its own (a 项 whose
financial appropriation disagrees between 公开05 and 公开02, E22), the totals built on that
row (公开04's per-fund balance R4.8, 收入总计 R4.7…) name it as the cell to look at first
(`name_suspects`).
"""
from __future__ import annotations

from decimal import Decimal

from ..domain.model import Ref, Report
from .findings import Finding
from .registry import NARROWED
from .relation_plan import plan_of
from .relations import Relation

LEAF_RULES = ("E22",)        # relations between typed rows: a failure there is where a typo sits
FEW_SOURCES = 4              # a relation over so few typed cells names them all


class Narrowing:
    def __init__(self, report: Report, relations: list[Relation]):
        self.report = report
        self.plan = plan = plan_of(relations)       # (the structure is the shape's, shared by its reports)
        self.solver = plan.solver
        self._inputs = plan.typed_inputs

    @property
    def children(self) -> dict[Ref, tuple[Ref, ...]]:
        """A same-column sum's rows (made on first use: only a failure between two tables needs them)."""
        return self.plan.pairing()[0]

    @property
    def partners(self) -> dict[Ref, set[Ref]]:
        """The same row in another table."""
        return self.plan.pairing()[1]

    def _value(self, ref: Ref) -> Decimal:
        return self.report.value(ref) or Decimal(0)

    def _differ(self, a: Ref, b: Ref, op: str) -> bool:
        gap = self._value(a) - self._value(b)
        return gap != 0 if op == "=" else gap > 0 if op == "<=" else gap < 0

    def _pairs(self, a: Ref, b: Ref, op: str) -> list[tuple[Ref, Ref]]:
        """The narrowest pairs under (a, b) that disagree; [(a, b)] when it cannot go lower."""
        under_b = set(self.children.get(b, ()))
        out = []
        for child in self.children.get(a, ()):
            for partner in self.partners.get(child, ()):
                if partner in under_b and self._differ(child, partner, op):
                    out += self._pairs(child, partner, op)
        return out or [(a, b)]

    def cells(self, relation: Relation) -> list[str]:
        """Addresses (sheet-qualified) of the rows to look at, [] when the relation
        does not pair two tables or cannot be narrowed below itself."""
        if len(relation.terms) != 1 or relation.terms[0].sign != 1:
            return []
        a, b = relation.target, relation.terms[0].ref
        if a.table == b.table:
            return []
        pairs = self._pairs(a, b, relation.op)
        if pairs == [(a, b)]:
            return []
        return self._addresses(ref for pair in pairs for ref in pair)

    # --- the typed cells behind computed ones -------------------------------------------------
    def inputs(self, ref: Ref) -> tuple[Ref, ...]:
        """The typed cells the computed value of derived `ref` rests on; (ref,) for a typed cell.

        In the order a depth-first walk of the terms meets them, each once. (A walk with a stack,
        not recursion with a set per level: 合计 of a 10,000-row book rests on 10,000 cells.)"""
        solver = self.solver
        if ref not in solver:
            return (ref,)
        found = self._inputs.get(ref)       # (the Plan's: shared by every report of the shape, so only
        if found is not None:                # finished answers go in, never a placeholder)
            return found
        out: dict[Ref, None] = {}
        expanded = {ref}                    # a derived cell met again adds nothing (nor does a cycle:
        stack = [iter(solver[ref].refs())]  # the relations' bug, RelationCycle, not ours to loop on)
        while stack:
            other = next(stack[-1], None)
            if other is None:
                stack.pop()
            elif other not in solver:
                out[other] = None
            elif other not in expanded:
                expanded.add(other)
                stack.append(iter(solver[other].refs()))
        found = self._inputs[ref] = tuple(out)
        return found

    def _behind(self, relation: Relation) -> list[Ref]:
        """The typed cells behind the relation's computed cells (its own typed cells left out)."""
        own = set(relation.refs())
        out: dict[Ref, None] = {}
        for ref in relation.refs():
            if ref in self.solver:
                out.update(dict.fromkeys(r for r in self.inputs(ref) if r not in own))
        return list(out)

    def sources(self, relation: Relation) -> list[str]:
        """Addresses of the typed cells to look at for a relation that compares computed totals
        only across two tables (R16.1) or rests on a few typed cells (E22's 小计); [] otherwise."""
        computed = [ref for ref in relation.refs() if ref in self.solver]
        if not computed:
            return []
        behind = self._behind(relation)
        if not behind:
            return []       # every typed cell it rests on is in the message already
        # totals of two tables that no row pairing can narrow (a single-term relation is a pairing: cells())
        across = (len({ref.table for ref in relation.refs()}) > 1 and len(computed) == len(relation.refs())
                  and len(relation.terms) > 1)
        if not across and len(behind) > FEW_SOURCES:
            return []
        held = [ref for ref in behind if self.report.value(ref) is not None] or behind
        typed_here = [ref for ref in relation.refs() if ref not in self.solver]
        return self._addresses(held + typed_here)

    def _addresses(self, refs) -> list[str]:
        """Each ref's address once, in order (a dict: R16.1 of a large book rests on thousands)."""
        out: dict[str, None] = {}
        for ref in refs:
            address = self.report.address(ref)
            if address:
                out[address] = None
        return list(out)

    @staticmethod
    def listed(addresses, per_table: int = 8) -> str:
        """Sheet-qualified addresses grouped by sheet: "公开05!D9、D16；公开06!C8、C9…等 14 个"."""
        groups: dict[str, list[str]] = {}
        for address in addresses:
            sheet, _, cell = address.rpartition("!")
            groups.setdefault(sheet, []).append(cell)
        parts = []
        for sheet, cells in groups.items():
            shown = "、".join(cells[:per_table]) + (f"等 {len(cells)} 个" if len(cells) > per_table else "")
            parts.append(f"{sheet}!{shown}" if sheet else shown)
        return "；".join(parts)

    def name_suspects(self, checked: list[tuple[Relation, Finding]]) -> None:
        """Findings of relations over totals built on a typed row that fails a leaf relation
        (LEAF_RULES) name that row's typed cells ("请检查：…") when they do not name cells yet."""
        suspects: dict[Ref, None] = {}
        for relation, finding in checked:
            if relation.rule in LEAF_RULES and finding.severity != "info":
                typed = [r for ref in relation.refs() for r in self.inputs(ref)]
                suspects.update(dict.fromkeys([r for r in typed if self.report.value(r) is not None] or typed))
        if not suspects:
            return
        for relation, finding in checked:
            if relation.rule in LEAF_RULES or finding.severity == "info" or "；请检查：" in finding.message:
                continue
            hits = self._addresses(ref for ref in self._behind(relation) if ref in suspects)
            if hits:
                finding.cells = tuple(dict.fromkeys(finding.cells + tuple(hits)))
                finding.message += NARROWED.format(listed=self.listed(hits))
