"""The two types the reconciliation is made of: a Term (sign · cell) and a Relation
(``target op Σ sign·term``, solving at most one cell). See rules/relations.py."""
from __future__ import annotations

from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from ..domain.model import Ref

_TERM_REF = itemgetter(1)       # Term.ref, at C speed


class Term(NamedTuple):         # (tuples: a large book has a hundred thousand of them)
    sign: int
    ref: Ref


class Relation(NamedTuple):
    rule: str
    target: Ref
    terms: tuple[Term, ...]
    op: str = "="                 # "=", "<=" or ">="
    solves: Ref | None = None     # the cell filling derives from this relation
    expr: str = ""                # Chinese description of the right-hand side

    def refs(self) -> tuple[Ref, ...]:
        return (self.target, *map(_TERM_REF, self.terms))

    def solve(self, value) -> Decimal | None:
        """The value of ``solves`` that makes the relation hold; None if every input is blank.

        target = Σ sign·term, so a term k is sign_k · (target − Σ_{i≠k} sign_i·term_i).
        """
        if self.solves == self.target:      # (a sum: the same arithmetic as below, in one pass)
            total, blank = Decimal(0), True
            for sign, ref in self.terms:
                held = value(ref)
                if held is not None:
                    total += sign * held
                    blank = False
            return None if blank else total
        inputs = [(1, value(self.target))] + [(-t.sign, value(t.ref)) for t in self.terms if t.ref != self.solves]
        if all(v is None for _, v in inputs):
            return None
        total = sum((s * v for s, v in inputs if v is not None), Decimal(0))
        return next(t.sign for t in self.terms if t.ref == self.solves) * total
