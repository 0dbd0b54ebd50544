"""Narrowing a disagreement between two tables down to the input rows to look at.

A relation such as 公开04 本年支出合计 = 公开05 合计 compares two totals that are sums
of rows. Where both sides are sums in one column (合计 of 类, 类 of 款, 款 of 项) and
their rows are paired by a relation of their own (公开04 类 ↔ 公开05 类 by R13.2,
公开05 项 ↔ 公开03 项 by R17.1, …), the gap lies in the pairs that disagree: descend
into those, down to rows that are not sums on both sides, and name them.
"""
from __future__ import annotations

from decimal import Decimal

from ..domain.model import Ref, Report
from .relations import Relation


class Narrowing:
    def __init__(self, report: Report, relations: list[Relation]):
        self.report = report
        self.children: dict[Ref, tuple[Ref, ...]] = {}     # a same-column sum's rows
        self.partners: dict[Ref, set[Ref]] = {}           # the same row in another table
        for r in relations:
            refs = [t.ref for t in r.terms]
            if (r.op == "=" and r.target not in self.children and len(refs) > 1
                    and all(t.sign == 1 for t in r.terms)
                    and all(x.table == r.target.table and x.no == r.target.no for x in refs)):
                self.children[r.target] = tuple(refs)
            if len(refs) == 1 and r.terms[0].sign == 1 and refs[0].table != r.target.table:
                self.partners.setdefault(r.target, set()).add(refs[0])
                self.partners.setdefault(refs[0], set()).add(r.target)

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
        out: list[str] = []
        for pair in pairs:
            for ref in pair:
                address = self.report.address(ref)
                if address and address not in out:
                    out.append(address)
        return out
