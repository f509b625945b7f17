"""Retiring the tracked attempt in the choice system once no attempt value holds its number (issue 22).

In the choice system (:mod:`prosecheck.abstraction_choice`) most worlds come after the tracked attempt
``n``: the later attempts, their key generations and nonces, each with attempt ``n``'s mask bits carried
along, once per ``n``. This module finds, on the compiled tables, the **attempt values**: the local
variables and message fields whose values pick the mask bit an update sets. A world in which ``n`` is
tracked, no attempt-value variable holds ``n`` and no message in flight carries ``n`` in an
attempt-value field is **frozen**. Every step out of a frozen world moves bit ``n`` of every mask to
bit 15 (no attempt's number) and sets ``tracked_attempt`` to 15 (*retired*): the later attempts of all
tracked attempts share one copy per valuation of the moved bits.

**Checked** (else refused with the reason; the choice system then runs without retirement):

* each mask update ``f`` has a set ``A`` of *bit arguments* (sub-terms ``1 << a``; a minimal set found
  greedily) away from which it is *uniform*, by Z3: for every ``i`` in ``1..14``, if no ``a`` in ``A``
  equals ``i`` or 15 and bits ``i`` and 15 of ``m`` agree, bits ``i`` and 15 of ``f(m)`` agree (setting
  bit ``a``, under any condition, and a reset to 0 are uniform away from ``a``);
* every bit argument, and every value written into an attempt-value variable or field (assignments,
  sends, initial values; closed to a fixpoint), is a copy of an attempt-value variable or field (under
  if-then-else), the constant 0 or one above 15, or the next attempt's number ``B - attempts_left + 1``
  (``= made + 1``) on a transition that begins an attempt (decrements the counter under the conjunct
  ``attempts_left > 0``: so in ``1..14``, larger than every attempt begun before, and first written on
  the very step where the choice of that attempt is made, whose sends the in-flight count sees);
  nothing else (a shared variable, arithmetic) is accepted;
* no lossy link (a lost or duplicated message would break the in-flight count); the properties read
  only mask slots and do not tell bit ``i`` from bit 15 (Z3: the property of masks with one bit at
  ``i`` equals that of the same masks with the bit at 15, ``i`` in ``1..14``;
  :func:`position_blind`).

**Simulation.** Let ``w`` be reachable with ``tracked_attempt = n`` (so ``made(w) >= n``) and frozen.
Along any run from ``w``, every attempt-value variable and in-flight field stays different from ``n``
and from 15: each new value is a copy of one (by induction), 0 or a constant above 15, or
``made + 1`` in ``n+1..14``. So no bit argument equals ``n`` or 15 on any step after ``w``, and by
uniformity and bit-locality (``check_mask``: bit ``n`` of ``f(m)`` is bit ``n`` of ``f(m & (1 << n))``;
apply uniformity to ``m`` with bits ``n`` and 15 both equal to the tracked bit) bit ``n`` of each mask
(the concrete run) and bit 15 (the retired copy) change alike. Map
each world ``x`` after ``w`` to ``r(x)``: masks' bit ``n`` moved to bit 15, ``tracked_attempt`` 15,
everything else equal; then the retired system's step from ``r(x)`` is ``r`` of the concrete step, and
conversely every retired world is ``r(x)`` of such an ``x``. The property has the same value at ``x``
and ``r(x)`` (position-blind), so the verdicts are those of the choice system without retirement.
**Retired into the untracked worlds.** When moreover no step after the freeze can turn a property
from true to false (:func:`truth_kept`, Z3 per transition: masks of one bit at ``i``, no bit argument
equal to ``i``; the restoration's reset of ``begun_while_withdrawn`` only makes
``no_knr_after_withdrawal`` true), the step out of a frozen world instead sets every mask to 0,
``tracked_attempt`` to 0 and ``untracked_bits`` to the bits ``1..made`` of the world after the step:
that is the world of the same run in which no attempt was chosen, provided its masks are 0 (which the
choice system requires of every untracked world, and checks: the never-choosing run is explored, so
its worlds are there to check). Sound: if the property is false at the frozen world ``w`` the search
reports it there; if it is true, it stays true on every world after ``w`` (each step keeps it, no
argument equals ``n`` after ``w``); the worlds after ``w`` are replaced by untracked worlds that are
reachable anyway. No verdict is lost and no world is added: the later attempts of a tracked one cost
nothing.

The in-flight count (ghost ``tracked_in_flight``) is maintained by the rules: plus one per message
sent with an attempt-value field equal to the tracked number, minus one per such message handled
(every transition on a message pops it); it is a function of the world (the number of such messages
in the links), so it adds no worlds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import z3

from prosecheck.abstraction import COUNTER, _children, _conjuncts, _is_decrement, _is_positive_test
from prosecheck.checker.expr import BITS, And, BinOp, Const, Expr, If, Ite, M, Or, Ref, W, lift, render, to_z3
from prosecheck.checker.machine import CompiledTransition, ElementTable, ModelError
from prosecheck.checker.system import Instance, Link

INFLIGHT = "tracked_in_flight"
RETIRED = 15
"""``tracked_attempt`` once the tracked attempt is retired, and the bit its mask bits move to (attempt
numbers are 1..14)."""

Merge = Callable[[ElementTable, CompiledTransition], Expr]
"""The untracked bits after a step of a table's transition (:func:`retire`)."""

Source = tuple[str, str, str]
"""An attempt-value variable ``("local", role, var)`` or message field ``("msg", message, field)``."""


def _shifts(expr: Expr) -> list[Expr]:
    """The ``a`` of every sub-term ``1 << a``."""
    own = [expr.right] if isinstance(expr, BinOp) and expr.op == "<<" and isinstance(expr.left, Const) \
        and expr.left.value == 1 else []
    return own + [a for c in _children(expr) for a in _shifts(c)]


def _uniform(name: str, update: Expr, args: Sequence[Expr]) -> bool:
    """Z3: for ``i`` in 1..14, if no ``args`` equals ``i`` or 15 and bits ``i`` and 15 of the mask agree,
    so do bits ``i`` and 15 of ``update``."""
    symbols: dict[tuple[str, str], z3.BitVecRef] = {}

    def symbol(scope: str, ref: str) -> z3.ExprRef:
        return symbols.setdefault((scope, ref), z3.BitVec(f"{scope}.{ref}", BITS))

    term = to_z3(update, symbol)
    mask = symbol("world", f"ghost.{name}")
    i, top = z3.BitVec("i", BITS), z3.BitVecVal(RETIRED, BITS)
    one = z3.BitVecVal(1, BITS)
    solver = z3.SolverFor("QF_BV")
    solver.add(z3.UGE(i, 1), z3.ULE(i, RETIRED - 1), (z3.LShR(mask, i) & one) == (z3.LShR(mask, top) & one))
    solver.add(*[z3.And(to_z3(a, symbol) != i, to_z3(a, symbol) != top) for a in args])
    solver.add((z3.LShR(term, i) & one) != (z3.LShR(term, top) & one))
    return bool(solver.check() == z3.unsat)


def bit_arguments(name: str, update: Expr) -> list[Expr]:
    """A minimal set (found greedily) of ``update``'s shift arguments away from which it is uniform
    (module docstring); refused when even all of them do not make it so."""
    args = _shifts(update)
    if not _uniform(name, update, args):
        raise ModelError(f"ghost.{name}: the update {render(update)} treats bit 15 otherwise than an attempt's bit")
    for a in list(args):
        rest = [b for b in args if b is not a]
        if _uniform(name, update, rest):
            args = rest
    return args


def position_blind(prop: Expr, mask_slots: Sequence[int]) -> bool:
    """Z3: ``prop`` (bound, reading only ``mask_slots``) has the same value on masks holding one bit at
    ``i`` (each mask 0 or ``1 << i``) as on the same masks with the bit at 15, for ``i`` in 1..14."""
    i = z3.BitVec("i", BITS)
    bits = {slot: z3.BitVec(f"b{slot}", BITS) for slot in mask_slots}
    top = z3.BitVecVal(RETIRED, BITS)
    at_i = to_z3(prop, lambda scope, name: bits[int(name)] << i)
    at_top = to_z3(prop, lambda scope, name: bits[int(name)] << top)
    solver = z3.SolverFor("QF_BV")
    solver.add(z3.UGE(i, 1), z3.ULE(i, RETIRED - 1), *[z3.ULE(b, 1) for b in bits.values()])
    solver.add(z3.Xor(_as_bool(at_i), _as_bool(at_top)))
    return bool(solver.check() == z3.unsat)


def truth_kept(tables: Iterable[ElementTable], masks: Sequence[str], props: Sequence[Expr],
               slot_names: dict[int, str]) -> bool:
    """Z3, per transition of the model's tables: with every mask holding one bit at ``i`` (``i`` in 1..14)
    and no bit argument of the transition's mask updates equal to ``i``, a step never turns a property
    from true to false (reading the masks cut to bit ``i`` after the step). Then a retired world's
    masks can be 0 (module docstring)."""
    return all(_keeps_truth([(g, e) for g, e in tr.ghost if g in masks], masks, props, slot_names)
               for table in tables for tr in table.transitions)


def _keeps_truth(updates: Sequence[tuple[str, Expr]], masks: Sequence[str], props: Sequence[Expr],
                 slot_names: dict[int, str]) -> bool:
    if not updates:
        return True
    i = z3.BitVec("i", BITS)
    bits = {g: z3.BitVec(f"b.{g}", BITS) for g in masks}
    before = {g: bits[g] << i for g in masks}
    symbols: dict[tuple[str, str], z3.BitVecRef] = {}

    def symbol(scope: str, ref: str) -> z3.ExprRef:
        if scope == "world" and ref.startswith("ghost.") and ref.split(".", 1)[1] in before:
            return before[ref.split(".", 1)[1]]
        return symbols.setdefault((scope, ref), z3.BitVec(f"{scope}.{ref}", BITS))

    def value(world: dict[str, z3.BitVecRef], prop: Expr) -> z3.BoolRef:
        return _as_bool(to_z3(prop, lambda scope, name: world[slot_names[int(name)].split(".", 1)[1]]))

    after = dict(before)
    solver = z3.SolverFor("QF_BV")
    for g, e in updates:
        after[g] = to_z3(e, symbol) & (z3.BitVecVal(1, BITS) << i)
        solver.add(*[to_z3(a, symbol) != i for a in bit_arguments(g, e)])
    solver.add(z3.UGE(i, 1), z3.ULE(i, RETIRED - 1), *[z3.ULE(b, 1) for b in bits.values()])
    solver.add(z3.Or(*[z3.And(value(before, p), z3.Not(value(after, p))) for p in props]))
    return bool(solver.check() == z3.unsat)


def _as_bool(term: z3.ExprRef) -> z3.BoolRef:
    return term if z3.is_bool(term) else term != 0  # type: ignore[return-value]


def _is_next_attempt(expr: Expr, bound: int) -> bool:
    """``expr`` reads only the counter and equals ``bound - attempts_left + 1``."""
    reads: set[tuple[str, str]] = set()

    def collect(e: Expr) -> None:
        if isinstance(e, Ref):
            reads.add((e.scope, e.name))
        for c in _children(e):
            collect(c)

    collect(expr)
    if reads != {("local", COUNTER)}:
        return False
    c = z3.BitVec("c", BITS)
    solver = z3.SolverFor("QF_BV")
    solver.add(to_z3(expr, lambda scope, name: c) != z3.BitVecVal(bound + 1, BITS) - c)
    return bool(solver.check() == z3.unsat)


def sources(expr: Expr, role: str, event: str, bound: int, fresh: bool, where: str) -> list[Source]:
    """The attempt-value variables and fields ``expr`` copies; refused unless it is such a copy (under
    if-then-else), 0 or a constant above 15, or (``fresh``: on a transition that begins an attempt) the
    next attempt's number."""
    if isinstance(expr, Const):
        if 1 <= int(expr.value) <= RETIRED:
            raise ModelError(f"{where}: writes the constant {expr.value}, which may be an attempt's number or 15")
        return []
    if isinstance(expr, Ref) and expr.scope == "local":
        return [("local", role, expr.name)]
    if isinstance(expr, Ref) and expr.scope == "msg":
        return [("msg", event, expr.name)]
    if isinstance(expr, Ite):
        return (sources(expr.then, role, event, bound, fresh, where)
                + sources(expr.orelse, role, event, bound, fresh, where))
    if fresh and bound < RETIRED and _is_next_attempt(expr, bound):
        return []
    raise ModelError(f"{where}: an attempt value computed as {render(expr)}, not copied")


def _fresh(table: ElementTable, tr: CompiledTransition) -> bool:
    """Does ``tr`` begin an attempt (decrement the counter; ``check_attempts``: only under the conjunct
    ``attempts_left > 0``)? Only there may the next attempt's number be written."""
    if COUNTER not in table.var_names:
        return False
    index = table.var_names.index(COUNTER)
    return any(slot == index and _is_decrement(COUNTER, e) for slot, e in tr.assign_exprs) and \
        any(_is_positive_test(COUNTER)(c) for c in _conjuncts(tr.guard))


def attempt_values(tables: Iterable[ElementTable], masks: Sequence[str], bound: int) -> set[Source]:
    """The attempt-value variables and fields of these tables (module docstring), checked."""
    tables = list(tables)
    found: set[Source] = set()
    work: list[Source] = []

    def add(items: Iterable[Source]) -> None:
        for item in items:
            if item not in found:
                found.add(item)
                work.append(item)

    for table in tables:
        for tr in table.transitions:
            for g, update in tr.ghost:
                if g in masks:
                    where = f"{table.role} {table.edge(tr)}: ghost.{g}"
                    add(s for a in bit_arguments(g, update)
                        for s in sources(a, table.role, tr.event, bound, _fresh(table, tr), where))
    while work:
        item = work.pop()
        for table in tables:
            add(_writes(table, item, bound))
    return found


def _writes(table: ElementTable, item: Source, bound: int) -> list[Source]:
    """The sources of every value ``table`` writes into the attempt value ``item`` (its initial value
    checked too)."""
    kind, owner, name = item
    out: list[Source] = []
    for tr in table.transitions:
        where = f"{table.role} {table.edge(tr)}: {owner}.{name}"
        if kind == "local" and table.role == owner:
            out += [s for slot, e in tr.assign_exprs if table.var_names[slot] == name
                    for s in sources(e, owner, tr.event, bound, _fresh(table, tr), where)]
        if kind == "msg":
            out += [s for _, message, fields in tr.send_exprs if message == owner
                    for s in sources(fields[table.message_fields[message].index(name)], table.role, tr.event, bound,
                                     _fresh(table, tr), where)]
    if kind == "local" and table.role == owner:
        index = table.var_names.index(name)
        init = table.initial_exprs[index] if table.initial_exprs else Const(table.initial_locals[index])
        sources(init, owner, "", bound, False, f"{owner}.{name}: initial value")
    return out


def retire(tables: Sequence[ElementTable], instances: Sequence[Instance], links: Sequence[Link], masks: Sequence[str],
           values: set[Source], tracked: str, untracked: str, full: int, merge: Merge | None = None) -> None:
    """Rewrite every transition's ghost updates in place: out of a frozen world (module docstring) the
    tracked bit of every mask moves to bit 15 and the tracked attempt is retired; the in-flight count is
    maintained. ``values``: the attempt values, from :func:`attempt_values` on the tables before the
    choice cut the masks. With ``merge`` (:func:`truth_kept` accepted the properties) the masks become 0
    instead, nothing is tracked, and ``untracked`` becomes ``merge(table, tr)`` (the untracked bits of the
    world after the step: the attempts begun): the world of the same run in which no attempt was chosen."""
    if any(lk.lossy for lk in links):
        raise ModelError("a lossy link loses or duplicates messages outside the rules (the in-flight count)")
    t, inflight = W(f"ghost.{tracked}"), W(f"ghost.{INFLIGHT}")
    held = [W(f"{inst.name}.{var}") for inst in instances for kind, role, var in sorted(values)
            if kind == "local" and role == inst.role]
    frozen = And(t != 0, t != RETIRED, inflight == 0, *(x != t for x in held))
    for table in tables:
        for tr in table.transitions:
            _retire_transition(tr, table, values, masks, frozen, (tracked, untracked), full, merge)


def _carries(message: str, fields: Sequence[str], exprs: Sequence[Expr], values: set[Source], t: Expr) -> Expr:
    hits = [e == t for f, e in zip(fields, exprs) if ("msg", message, f) in values]
    return Or(*hits) if hits else Const(False)


def _retire_transition(tr: CompiledTransition, table: ElementTable, values: set[Source], masks: Sequence[str],
                       frozen: Expr, names: tuple[str, str], full: int, merge: Merge | None) -> None:
    tracked, untracked = names
    t, u, inflight = W(f"ghost.{tracked}"), W(f"ghost.{untracked}"), W(f"ghost.{INFLIGHT}")
    d: dict[str, Expr] = {g: lift(e) for g, e in tr.ghost}
    t_new = d.get(tracked, t)
    fields = table.message_fields.get(tr.event, ())
    received = _carries(tr.event, fields, [M(f) for f in fields], values, t_new)
    when = {k: e for k, e, _ in tr.send_when}
    sent: Expr = Const(0)
    for k, (_, message, exprs) in enumerate(tr.send_exprs):
        carries = _carries(message, table.message_fields[message], exprs, values, t_new)
        if k in when:
            carries = And(when[k], carries)
        sent = sent + If(carries, 1, 0)
    counted = If(Or(t_new == 0, t_new == RETIRED), 0, inflight - If(received, 1, 0) + sent)
    for g in masks:
        update = d.get(g, W(f"ghost.{g}"))
        d[g] = If(frozen, 0 if merge else ((update >> t) & 1) << RETIRED, update)
    d[tracked] = If(frozen, 0 if merge else RETIRED, t_new)
    d[untracked] = If(frozen, merge(table, tr) if merge else full ^ (1 << RETIRED), d.get(untracked, u))
    d[INFLIGHT] = If(frozen, 0, counted)
    tr.ghost = list(d.items())


__all__ = ["INFLIGHT", "RETIRED", "attempt_values", "bit_arguments", "position_blind", "retire",
           "sources", "truth_kept"]
