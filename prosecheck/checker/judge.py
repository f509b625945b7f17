"""Z3 as the judge of properties over the reachable worlds.

A property is an :class:`~prosecheck.checker.expr.Expr` over world slots. The judge gathers
the distinct values those slots take across the explored worlds (each with the first,
breadth-first, world that shows it) and asks Z3 for a valuation that violates an ``always``
formula, or satisfies a ``sometimes`` formula, minimising the index of its first world so the
evidence is a shortest trace. Z3 is called once per property, never once per world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from prosecheck.checker.expr import BITS, Expr, compile_py, to_z3
from prosecheck.checker.search import Exploration


@dataclass(frozen=True)
class Judgement:
    """Z3's answer: the first world (breadth-first) with a matching valuation, or none."""

    found: bool
    world: int | None
    valuation: dict[int, int]
    distinct: int  # how many distinct valuations Z3 was given


def valuations(expr_slots: list[int], exploration: Exploration) -> dict[tuple[int, ...], int]:
    """Each distinct tuple of slot values, mapped to the first world index showing it (projected once
    per component value, :mod:`prosecheck.checker.projection`; no world is decoded)."""
    return exploration.projector().project(expr_slots, per_world=False).table()


def _symbols(slots: list[int], sorts: dict[int, str]) -> dict[int, z3.ExprRef]:
    return {s: (z3.Bool(f"s{s}") if sorts.get(s) == "bool" else z3.BitVec(f"s{s}", BITS)) for s in slots}


def _value(sym: z3.ExprRef, v: int) -> z3.ExprRef:
    return z3.BoolVal(bool(v)) if z3.is_bool(sym) else z3.BitVecVal(v, BITS)


def z3_formula(expr: Expr, symbols: dict[int, z3.ExprRef]) -> z3.BoolRef:
    term = to_z3(expr, lambda scope, name: symbols[int(name)])
    return term if z3.is_bool(term) else term != z3.BitVecVal(0, BITS)


def _table(slots: list[int], symbols: dict[int, z3.ExprRef], table: dict[tuple[int, ...], int],
           choice: z3.ArithRef) -> z3.BoolRef:
    """"The slots take one of the table's valuations, and ``choice`` is its first world", as one Z3
    term. The disjunction is written as SMT-LIB text and parsed by Z3 in one call: building
    thousands of small terms through the Python API costs about a second per property."""
    def literal(sym: z3.ExprRef, v: int) -> str:
        return ("true" if v else "false") if z3.is_bool(sym) else f"(_ bv{v % (1 << BITS)} {BITS})"

    names = [symbols[s].sexpr() for s in slots]
    rows = " ".join(
        "(and (= first_world {}) {})".format(first, " ".join(f"(= {n} {literal(symbols[s], v)})"
                                                             for n, s, v in zip(names, slots, key)))
        for key, first in table.items())
    decls = {n: symbols[s] for n, s in zip(names, slots)} | {"first_world": choice}
    return z3.And(*z3.parse_smt2_string(f"(assert (or false {rows}))", decls=decls))


ROWS_PER_QUERY = 500
"""Valuations per Z3 query when looking for the earliest one satisfying a goal: Z3 decides a few hundred
rows far faster than thousands at once (the largest property of ``bench large``, 4,913 rows: 2.3 s in one
query, 0.6 s in chunks of 500)."""


def _optimum(slots: list[int], exploration: Exploration, goal: Callable[[dict[int, z3.ExprRef]], z3.BoolRef],
             maximise: Callable[[dict[int, z3.ExprRef]], z3.ExprRef] | None = None
             ) -> tuple[dict[tuple[int, ...], int], z3.ModelRef | None, z3.ArithRef, dict[int, z3.ExprRef]]:
    """Z3 over the distinct valuations: one satisfying ``goal`` (and maximising ``maximise``, if given)
    whose first world is the earliest. Without ``maximise`` the valuations go to Z3 in chunks of
    :data:`ROWS_PER_QUERY`, in order of first world: the first chunk with a satisfying valuation holds the
    earliest, which an Optimize query over that chunk alone finds."""
    table = valuations(slots, exploration)
    symbols = _symbols(slots, exploration.system.slot_sorts)
    choice = z3.Int("first_world")
    wanted = goal(symbols)
    if maximise is not None:
        return table, _earliest(_table(slots, symbols, table, choice), wanted, choice, maximise(symbols)), choice, symbols
    rows = sorted(table.items(), key=lambda item: item[1])
    for k in range(0, len(rows), ROWS_PER_QUERY):
        rows_term = _table(slots, symbols, dict(rows[k:k + ROWS_PER_QUERY]), choice)
        solver = z3.Solver()
        solver.add(rows_term, wanted)
        if solver.check() == z3.sat:
            return table, _earliest(rows_term, wanted, choice, None), choice, symbols
    return table, None, choice, symbols


def _earliest(rows_term: z3.BoolRef, wanted: z3.BoolRef, choice: z3.ArithRef,
              value: z3.ExprRef | None) -> z3.ModelRef | None:
    """One Optimize query: a row satisfying ``wanted`` (with the largest ``value``, if given) whose first
    world is the earliest."""
    opt = z3.Optimize()
    opt.add(rows_term, wanted)
    if value is not None:
        opt.maximize(value)
    opt.minimize(choice)
    return opt.model() if opt.check() == z3.sat else None


def judge(expr: Expr, slots: list[int], exploration: Exploration, want: bool) -> Judgement:
    """Find the first world whose valuation makes ``expr`` equal ``want``.

    ``want=False`` looks for a violation of an invariant; ``want=True`` for a witness.
    """
    def goal(symbols: dict[int, z3.ExprRef]) -> z3.BoolRef:
        formula = z3_formula(expr, symbols)
        return formula if want else z3.Not(formula)

    table, model, choice, _ = _optimum(slots, exploration, goal)
    if model is None:
        return Judgement(False, None, {}, len(table))
    first = model[choice].as_long()
    valuation = next(key for key, world in table.items() if world == first)
    return Judgement(True, first, dict(zip(slots, valuation)), len(table))


def maximum(expr: Expr, slots: list[int], exploration: Exploration) -> tuple[int, int]:
    """The largest value the numeric ``expr`` takes over the explored worlds, and the first world
    (breadth-first, so a shortest trace) where it does: Z3 maximises the value, then minimises the
    world's index, over the distinct valuations."""
    def value(symbols: dict[int, z3.ExprRef]) -> z3.ExprRef:
        return z3.BV2Int(to_z3(expr, lambda scope, name: symbols[int(name)]))

    _, model, choice, symbols = _optimum(slots, exploration, lambda symbols: z3.BoolVal(True), value)
    if model is None:
        raise ValueError("no explored world to measure")
    return model.eval(value(symbols)).as_long(), model[choice].as_long()


def _slot_lookup(values: dict[int, int]) -> Callable[[str, str], int]:
    return lambda scope, name: values[int(name)]


def disagreements(expr: Expr, slots: list[int], exploration: Exploration) -> list[tuple[int, ...]]:
    """Valuations on which the Python predicate and Z3's evaluation of ``expr`` differ."""
    table = valuations(slots, exploration)
    symbols = _symbols(slots, exploration.system.slot_sorts)
    formula = z3_formula(expr, symbols)
    predicate = compile_py(expr)
    out = []
    for key in table:
        by_slot = dict(zip(slots, key))
        py = bool(predicate(_slot_lookup(by_slot)))
        subst = [(symbols[s], _value(symbols[s], v)) for s, v in by_slot.items()]
        zv = z3.is_true(z3.simplify(z3.substitute(formula, *subst))) if subst else z3.is_true(z3.simplify(formula))
        if py != zv:
            out.append(key)
    return out
