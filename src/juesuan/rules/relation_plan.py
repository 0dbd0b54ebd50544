"""What a list of relations implies whatever the figures: which relation solves which cell, the
order the derived cells are computed in, which cells a derived cell reads, which sums and row
pairings a disagreement can be narrowed through (rules/narrow.py).

All of it depends on the relations only, so relations_for keeps one Plan per shape of workbook
(with the relations it compiled) and every report of that shape shares it: a batch of books
made from one template works it out once. A Plan holds no figure.
"""
from __future__ import annotations

from operator import itemgetter

from ..domain.model import Ref
from .relation_types import Relation


class RelationCycle(RuntimeError):
    """Two relations solve for each other's cells: a bug in rules/relations.py, never user input."""


_TERM_REF = itemgetter(1)


def reads(relation: Relation):
    """The cells `relation.solve` reads, in the order it reads them (an iterator)."""
    if relation.solves == relation.target:
        return map(_TERM_REF, relation.terms)
    return iter([relation.target] + [t.ref for t in relation.terms if t.ref != relation.solves])


class Plan:
    def __init__(self, relations):
        self.relations = relations
        self.solver: dict[Ref, Relation] = {r.solves: r for r in relations if r.solves is not None}
        self.order: tuple[Ref, ...] = self._order()
        self.inputs: dict[Ref, tuple[list[Ref], list[Ref]]] = {}    # Derivation._inputs_of, filled on demand
        self.typed_inputs: dict[Ref, tuple[Ref, ...]] = {}            # Narrowing.inputs, filled on demand
        self._pairing = None

    def _order(self) -> tuple[Ref, ...]:
        """The solved cells, each after the solved cells it reads: the order in which a recursive
        evaluation from `solver`'s first cell onwards finishes them (depth first, inputs in the
        order `solve` reads them). Raises RelationCycle where relations solve in a cycle."""
        solver, order = self.solver, []
        todo = set(solver)                  # solved cells not finished yet
        visiting: set[Ref] = set()
        for start in solver:
            if start not in todo:
                continue
            # an explicit stack of (cell, its unread inputs): deep chains need no recursion limit
            visiting.add(start)
            stack = [(start, reads(solver[start]))]
            while stack:
                ref, pending = stack[-1]
                for nxt in pending:
                    if nxt in todo:
                        if nxt in visiting:
                            raise RelationCycle(f"relations solve in a cycle through {nxt}")
                        visiting.add(nxt)
                        stack.append((nxt, reads(solver[nxt])))
                        break
                else:
                    stack.pop()
                    visiting.discard(ref)
                    todo.discard(ref)
                    order.append(ref)
        return tuple(order)

    def pairing(self) -> tuple[dict[Ref, tuple[Ref, ...]], dict[Ref, set[Ref]]]:
        """(children, partners) for narrowing: a same-column sum's rows, and the same row in another
        table (relations of one positive term across two tables)."""
        if self._pairing is None:
            children: dict[Ref, tuple[Ref, ...]] = {}
            partners: dict[Ref, set[Ref]] = {}
            for r in self.relations:
                terms, target = r.terms, r.target
                if len(terms) == 1:
                    sign, ref = terms[0]
                    if sign == 1 and ref[0] != target[0]:         # (Ref's fields by index: table, key, no)
                        partners.setdefault(target, set()).add(ref)
                        partners.setdefault(ref, set()).add(target)
                elif terms and r.op == "=" and target not in children:
                    table, no = target[0], target[2]
                    for sign, ref in terms:
                        if sign != 1 or ref[2] != no or ref[0] != table:
                            break
                    else:
                        children[target] = tuple([ref for _sign, ref in terms])
            self._pairing = (children, partners)
        return self._pairing


class Relations(list):
    """relations_for's list, with the Plan of its shape (`plan`): Derivation and Narrowing use it
    instead of working the structure out again. Not to be changed in place (a copy, list(…),
    is a plain list whose Plan is made afresh)."""

    plan: Plan | None = None


def plan_of(relations) -> Plan:
    plan = getattr(relations, "plan", None)
    if plan is not None and len(plan.relations) == len(relations):
        return plan
    return Plan(relations)
