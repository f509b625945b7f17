"""Attempt masks seen through one tracked bit (the *indexed* abstraction of :mod:`.encode`).

The ghost masks indexed by the connection attempt (bit ``n`` set when something happened in
attempt ``n``, e.g. ``ghost.key_derived``) grow with the attempts. The indexed encoding keeps,
for a rigid index ``n`` chosen freely at the initial state, only bit ``n`` of each such mask;
every other bit is re-chosen freely whenever the mask is read. Every concrete run is matched,
for every ``n``, by an abstract run that tracks bit ``n`` (choose the free bits equal to the
concrete ones), so the abstraction only adds behaviours.

A property ``P`` can be judged this way when it is **projectable**: ``P`` holds of a state as
soon as it holds of every projection of the state onto one bit of the masks (``m & (1 << n)``
for every mask ``m``, the same ``n`` for all). ``(derived | allowed) == allowed`` is; ``derived == 7`` is not.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import cast

import z3

from prosecheck.checker.expr import BITS

MASK_BITS = BITS


def one(value: int) -> z3.BitVecRef:
    return z3.BitVecVal(value, BITS)


def bit_of(term: z3.ExprRef, index: z3.BitVecRef, tracked: Mapping[int, z3.BitVecRef]) -> z3.BitVecRef:
    """Bit ``index`` of a 16-bit term, as 0 or 1. ``tracked`` maps the ids of the terms that read an
    indexed mask to the mask's tracked bit (their other bits are free, so only that one is known).

    Bitwise or/and/xor, ``1 << x``, if-then-else and constants are taken apart structurally (no
    free bits appear in the result); anything else is ``(term >> index) & 1``, which is exact too."""
    if term.get_id() in tracked:
        return tracked[term.get_id()]
    kind = term.decl().kind() if z3.is_app(term) else None
    if kind in (z3.Z3_OP_BOR, z3.Z3_OP_BAND, z3.Z3_OP_BXOR):
        parts = [bit_of(c, index, tracked) for c in term.children()]
        combine: Callable[[z3.BitVecRef, z3.BitVecRef], z3.BitVecRef] = {
            z3.Z3_OP_BOR: lambda a, b: a | b, z3.Z3_OP_BAND: lambda a, b: a & b,
            z3.Z3_OP_BXOR: lambda a, b: a ^ b}[kind]
        out = parts[0]
        for part in parts[1:]:
            out = combine(out, part)
        return out
    if kind == z3.Z3_OP_BSHL and z3.is_bv_value(term.arg(0)) and term.arg(0).as_long() == 1:
        return z3.If(term.arg(1) == index, one(1), one(0))
    if kind == z3.Z3_OP_ITE:
        return z3.If(term.arg(0), bit_of(term.arg(1), index, tracked), bit_of(term.arg(2), index, tracked))
    return z3.LShR(term, index) & one(1)


def projection(state: list[z3.BitVecRef], indexed: Collection[int], index: z3.ExprRef) -> list[z3.ExprRef]:
    """The state with every indexed mask cut down to bit ``index``."""
    return [v & (one(1) << index) if p in indexed else v for p, v in enumerate(state)]


def projectable(good: z3.BoolRef, state: list[z3.BitVecRef], indexed: Collection[int], timeout: float = 30.0) -> bool:
    """Is ``good`` (over ``state``) implied by its truth on every one-bit projection of the masks?
    (A Z3 validity check; ``False`` also when Z3 cannot tell within ``timeout`` seconds.)"""
    if not indexed:
        return True
    solver = z3.SolverFor("QF_BV")
    solver.set("timeout", max(1, int(timeout * 1000)))
    for n in range(MASK_BITS):
        solver.add(z3.substitute(good, *zip(state, projection(state, indexed, one(n)))))
    solver.add(z3.Not(good))
    return cast(bool, solver.check() == z3.unsat)  # z3 ships no types; CheckSatResult.__eq__ returns a bool


__all__ = ["MASK_BITS", "bit_of", "projectable", "projection"]
