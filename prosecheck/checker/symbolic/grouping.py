"""Lemmas with the same conclusion merged into one: ``(g1 -> f) /\\ (g2 -> f)`` is ``(g1 \\/ g2) -> f``.

A minimal support often says one fact under several guards ("if a is in s, then x = y", "if link
l holds m, then x = y"). :func:`merge` writes each such group as one lemma whose guard is the
conjuncts every member's guard has, and the disjunction of what is left of each::

    (c /\\ r1 -> f) /\\ (c /\\ r2 -> f)   ==   (c /\\ (r1 \\/ r2)) -> f

The merged set is equivalent to the input (a member whose guard is only the common part implies
the others, and is kept alone), so it is a certificate exactly when the input is one.
"""

from __future__ import annotations

from collections.abc import Sequence

import z3


def merge(lemmas: Sequence[z3.BoolRef]) -> list[z3.BoolRef]:
    """``lemmas`` with each group of implications that share a conclusion written as one (module
    docstring), at the place of the group's first member; every other lemma as it is."""
    groups: dict[int, list[int]] = {}
    for k, lemma in enumerate(lemmas):
        if z3.is_implies(lemma):
            groups.setdefault(lemma.arg(1).get_id(), []).append(k)
    first = {members[0]: members for members in groups.values() if len(members) > 1}
    merged = {k for members in first.values() for k in members}
    out = []
    for k, lemma in enumerate(lemmas):
        if k in first:
            out.append(_one([lemmas[j] for j in first[k]]))
        elif k not in merged:
            out.append(lemma)
    return out


def _one(members: Sequence[z3.BoolRef]) -> z3.BoolRef:
    """Implications with one conclusion as one implication."""
    guards = [_conjuncts(m.arg(0)) for m in members]
    ids = [[g.get_id() for g in guard] for guard in guards]
    common = [g for g in guards[0] if all(g.get_id() in these for these in ids[1:])]
    shared = {g.get_id() for g in common}
    rests = [[g for g in guard if g.get_id() not in shared] for guard in guards]
    conclusion = members[0].arg(1)
    if any(not rest for rest in rests):
        return z3.Implies(z3.And(common), conclusion) if common else conclusion
    either = z3.Or([rest[0] if len(rest) == 1 else z3.And(rest) for rest in rests])
    return z3.Implies(z3.And([*common, either]) if common else either, conclusion)


def _conjuncts(term: z3.BoolRef) -> list[z3.BoolRef]:
    return list(term.children()) if z3.is_and(term) else [term]


__all__ = ["merge"]
