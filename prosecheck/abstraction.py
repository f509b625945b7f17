"""Counter and per-attempt abstraction of a scenario, explored by an explicit search (issue 22).

``prove`` lifts the bounds symbolically; this module tries the explicit alternative: a search of
an *abstract* system whose reachable set over-approximates the reachable sets of the scenario for
every budget, so that a HOLDS there is a proof for all those budgets and the abstract reachable
set (its size and a digest) is the certificate. The abstraction is a map ``alpha`` on worlds; the
abstract search explores ``alpha(w')`` for every successor ``w'`` (``System.successors``) of every
abstract world ``w``, starting from ``alpha(initial)``. Two parts, each checked before it is used:

* **Budget counters saturate** (``udm.withdrawals_left``, ``udm.restores_left``, ``*.policy_left``):
  ``alpha`` pins each to 1 ("many"). Checked on the compiled tables: the counter is read only as
  ``x > 0`` in guards and written only by ``x := x - 1``; nothing else (other assignments, sends,
  ghost updates, the property) reads it. Simulation: for any budget ``b``, a concrete world with
  counter ``c <= b`` and its abstraction differ only in the counter; a concrete step needs
  ``c > 0`` (true at 1 as well) and leads to ``c - 1`` or ``c``, whose abstraction pins it back
  to 1; every other slot changes identically because no other expression reads the counter. So
  every concrete run, for every budget, maps step by step onto an abstract run.
* **Attempt masks projected on one attempt** (``ghost.knr_derived`` and the other masks of
  :data:`prosecheck.prove.ATTEMPT_MASKS`, bit ``n`` for attempt ``n``): for a tracked attempt
  ``n``, ``alpha`` keeps only bit ``n`` of each mask. Checked: a mask is read only by its own
  ghost update, and that update is *bit-local* (bit ``n`` of the new mask depends only on bit
  ``n`` of the old one: Z3 proves ``f(m) & B == f(m & B) & B`` for ``B = 1 << n``, every ``n``).
  Then ``alpha`` commutes with the step (exact quotient: the projected reachable set *is* the
  projection of the concrete one), and the property, if *projectable*
  (:func:`prosecheck.checker.symbolic.masks.projectable`), holds on every concrete reachable
  world if it holds on every projected one, for every ``n``.

**Attempts bounds: one search at the largest bound, with an early stop.** The remote UE's counter
``attempts_left`` starts at the option ``attempts``; a request needs ``attempts_left > 0`` and
decrements it; Nonce_1 (and every mask bit it picks) is ``attempts - attempts_left + 1``, the attempt's
number counted up; the stop (``finish``) needs ``not attempts_left > 0`` and changes nothing else.
The system of bound ``k`` is simulated by the system of bound ``B >= k`` in which the stop's counter
test is left free (:func:`early_stop`: the UE may stop before its attempts are used up), via
"equal except ``attempts_left`` raised by ``B - k``": a positive test ``attempts_left > 0`` true at
``c`` is true at ``c + B - k``, ``attempts - attempts_left`` is unchanged (so Nonce_1, the KNR_ProSe
terms and the mask bits are the same), the decrement commutes with the shift, and the stop is
matched by the early stop. So every world of every bound ``k <= B``, shifted, is a world of the
early-stop system at ``B``, and a property that does not read the counter holds for every bound if
it holds there: one search per tracked bit at ``B = 14`` (15 searches) replaces one per bound and bit
(119). :func:`check_attempts` checks this on the tables compiled with the option kept symbolic
(counter and option read only in those two forms; the test under a negation only in transitions
that change nothing but the control state; the only write ``- 1``, under the test; the option read
nowhere else, e.g. not by the attacker's own Nonce_1 ``attempts + 1``; the properties read neither),
and :func:`shortcut` falls back to one search per bound when it refuses.

**One search instead of 15.** :mod:`prosecheck.abstraction_choice` explores the 15 searches of the
bound together, the tracked attempt chosen nondeterministically when it begins, and
:mod:`prosecheck.abstraction_retire` retires it once no attempt value holds its number;
:func:`decide_many` uses them when given them (``prove`` does) and their checks pass (their docstrings
give the simulation arguments), else the 15 searches.

What is **not** abstracted: key generations feed the PAnF's lookups and the ``superseded`` mask (one
bit per generation), and the Nonce_1 of an attempt that is not tracked enters the packed KNR_ProSe
term that MAC checks compare. Saturating them needs an over-approximation of those equality tests
(a nondeterministic branch) or a checked data-independence argument.
14 is the model's own attempts limit (4-bit Nonce_1; :class:`~prosecheck.model.environment.Bounds`
refuses more), the same range ``prove``'s symbolic lifting covers, so HOLDS at 14 with the early stop
is PROVED for every bound the model represents.

The abstraction is applied in two equivalent ways: :func:`search` (concrete successors, then
``alpha``; Python, the reference) and :func:`abstract_system` (the rules rewritten: budget tests
true, decrements dropped, mask updates ``& keep``; explored by the compiled engine).
``tests/test_abstraction.py`` checks that both reach the same abstract worlds, that every concrete
world of sampled bounds is abstracted into that set (and, shifted, into the early-stop system's of a
larger bound), and that the m200 violation, a seeded mutant's violation and a ``sometimes`` twin are
found in it.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import z3

from prosecheck.checker.exploration import Limits
from prosecheck.checker.expr import (
    BITS,
    BinOp,
    Const,
    Expr,
    ExprLike,
    Ite,
    Not,
    Ref,
    compile_py,
    lift,
    refs,
    substitute,
    to_z3,
)
from prosecheck.checker.machine import (
    Effect,
    ElementTable,
    ModelError,
    Rewrite,
    To,
    compile_element,
    prune_unreachable,
)
from prosecheck.checker.search import explore
from prosecheck.checker.symbolic.masks import projectable
from prosecheck.checker.system import FAULT_GHOST, Instance, Link, System, World
from prosecheck.model.build import bind_property, build_system, elements_of, options_of, rewrites_of
from prosecheck.model.environment import BOUND_LIMITS
from prosecheck.model.messages import field_names
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import Scenario

BUDGETS = ("withdrawals_left", "restores_left", "policy_left")
MASKS = ("authorized_in_attempt", "check_failed", "knr_derived", "knr_while_withdrawn", "begun_while_withdrawn",
         "pc5_secured", "rejected", "by_pruk_id", "relay_refused", "knr_from_superseded", "updated")
"""The attempt masks (the same list as :data:`prosecheck.prove.ATTEMPT_MASKS`)."""


def _reads(expr: Expr, scope: str, name: str, allowed: Callable[[Expr], bool]) -> bool:
    """Does ``expr`` read ``scope.name`` outside a sub-expression ``allowed`` accepts?"""
    if allowed(expr):
        return False
    if isinstance(expr, Ref):
        return (expr.scope, expr.name) == (scope, name)
    children: tuple[Expr, ...] = ()
    if isinstance(expr, BinOp):
        children = (expr.left, expr.right)
    elif isinstance(expr, Not):
        children = (expr.arg,)
    elif isinstance(expr, Ite):
        children = (expr.cond, expr.then, expr.orelse)
    return any(_reads(c, scope, name, allowed) for c in children)


def _is_positive_test(name: str) -> Callable[[Expr], bool]:
    def test(e: Expr) -> bool:
        return (isinstance(e, BinOp) and e.op == ">" and isinstance(e.left, Ref) and e.left.name == name
                and e.left.scope == "local" and isinstance(e.right, Const) and e.right.value == 0)
    return test


def _contains(expr: Expr, test: Callable[[Expr], bool]) -> bool:
    return test(expr) or any(_contains(c, test) for c in _children(expr))


def _children(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, BinOp):
        return (expr.left, expr.right)
    if isinstance(expr, Not):
        return (expr.arg,)
    if isinstance(expr, Ite):
        return (expr.cond, expr.then, expr.orelse)
    return ()


def _only_positive(expr: Expr, test: Callable[[Expr], bool], positive: bool = True) -> bool:
    """Does every sub-expression ``test`` accepts occur positively (under and/or/not only, an even
    number of negations)? Then making it true only enables more steps."""
    if test(expr):
        return positive
    if isinstance(expr, Not):
        return _only_positive(expr.arg, test, not positive)
    if isinstance(expr, BinOp) and expr.op in ("and", "or"):
        return _only_positive(expr.left, test, positive) and _only_positive(expr.right, test, positive)
    if isinstance(expr, BinOp) and expr.op == "implies":
        return _only_positive(expr.left, test, not positive) and _only_positive(expr.right, test, positive)
    return not _contains(expr, test)


def _is_decrement(name: str, expr: Expr) -> bool:
    return (isinstance(expr, BinOp) and expr.op == "-" and isinstance(expr.left, Ref) and expr.left.scope == "local"
            and expr.left.name == name and isinstance(expr.right, Const) and expr.right.value == 1)


def check_budget(system: System, instance: int, var: str) -> None:
    """Refuse a budget counter that is read other than ``x > 0`` or written other than ``x - 1``."""
    table = system.instances[instance].table
    index = table.var_names.index(var)
    where = f"{system.instances[instance].name}.{var}"
    positive = _is_positive_test(var)
    for tr in table.transitions:
        if _reads(tr.guard, "local", var, positive):
            raise ModelError(f"{where}: guard of {table.edge(tr)} reads it other than '{var} > 0'")
        if not _only_positive(tr.guard, positive):
            raise ModelError(f"{where}: guard of {table.edge(tr)} tests '{var} > 0' under a negation")
        exprs = [e for slot, e in tr.assign_exprs if slot != index] + [e for _, _, fs in tr.send_exprs for e in fs]
        exprs += [e for _, e in tr.ghost] + [e for _, e in tr.share_exprs]
        if any(_reads(e, "local", var, lambda _: False) for e in exprs):
            raise ModelError(f"{where}: {table.edge(tr)} reads it in an effect")
        own = [e for slot, e in tr.assign_exprs if slot == index]
        if own and not _is_decrement(var, own[0]):
            raise ModelError(f"{where}: {table.edge(tr)} writes it other than '{var} - 1'")


def _mask_update_is_local(name: str, update: Expr) -> bool:
    """Z3: bit n of ``update`` depends only on bit n of the mask ``ghost.name``, for every n."""
    symbols: dict[tuple[str, str], z3.BitVecRef] = {}

    def symbol(scope: str, ref: str) -> z3.ExprRef:
        return symbols.setdefault((scope, ref), z3.BitVec(f"{scope}.{ref}", BITS))

    term = to_z3(update, symbol)
    mask = symbol("world", f"ghost.{name}")
    solver = z3.SolverFor("QF_BV")
    n = z3.BitVec("n", BITS)
    bit = z3.BitVecVal(1, BITS) << n
    solver.add(z3.ULT(n, BITS))
    solver.add((term & bit) != (z3.substitute(term, (mask, mask & bit)) & bit))
    return bool(solver.check() == z3.unsat)


def check_mask(system: System, name: str) -> None:
    """Refuse a mask that something other than its own bit-local update reads."""
    ghost = ("world", f"ghost.{name}")
    for inst in system.instances:
        for tr in inst.table.transitions:
            exprs = [tr.guard] + [e for _, e in tr.assign_exprs] + [e for _, _, fs in tr.send_exprs for e in fs]
            exprs += [e for g, e in tr.ghost if g != name] + [e for _, e in tr.share_exprs]
            if any(ghost in refs(e) for e in exprs):
                raise ModelError(f"ghost.{name}: read by {inst.name} {inst.table.edge(tr)} outside its own update")
            for g, e in tr.ghost:
                if g == name and not _mask_update_is_local(name, e):
                    raise ModelError(f"ghost.{name}: the update of {inst.table.edge(tr)} is not bit-local")


@dataclass
class Abstraction:
    """``alpha``: budget slots pinned to 1, mask slots cut to the bits of ``keep`` (one attempt's bit,
    or every bit no attempt number uses)."""

    budgets: list[int]
    masks: list[int]
    keep: int

    def alpha(self, world: World) -> World:
        values = list(world)
        for slot in self.budgets:
            values[slot] = 1
        keep = self.keep
        for slot in self.masks:
            values[slot] = cast(int, values[slot]) & keep
        return tuple(values)


def build(system: System, prop: Expr, keep: int) -> Abstraction:
    """Check the system's budget counters and attempt masks (module docstring) and the property's
    projectability, and return the abstraction keeping the mask bits ``keep``."""
    budgets: list[int] = []
    for i, inst in enumerate(system.instances):
        for var in inst.table.var_names:
            if var in BUDGETS:
                check_budget(system, i, var)
                budgets.append(system.slots[f"{inst.name}.{var}"])
    read = system.slot_refs(prop)
    masks = [slot for name, slot in system.slots.items() if name.rsplit(".", 1)[-1] in MASKS
             and name.startswith("ghost")]
    for name in system.slots:
        if name.startswith("ghost") and name.rsplit(".", 1)[-1] in MASKS:
            check_mask(system, name.rsplit(".", 1)[-1])
    if any(slot in budgets for slot in read):
        raise ModelError("the property reads a budget counter")
    _check_projectable(system, prop, masks)
    return Abstraction(budgets, masks, keep)


def _check_projectable(system: System, prop: Expr, masks: list[int]) -> None:
    read = system.slot_refs(prop)
    state = [z3.BitVec(f"slot{slot}", BITS) for slot in read]
    by_slot = dict(zip(map(str, read), state))
    good = to_z3(prop, lambda scope, name: by_slot[name])
    if not projectable(good, state, [i for i, slot in enumerate(read) if slot in masks]):
        raise ModelError("the property is not projectable onto one attempt's bits")


@dataclass
class Search:
    """The abstract search's outcome for one tracked attempt."""

    states: int
    seconds: float
    violation: list[str] = field(default_factory=list)  # the labels of a path to a violating world
    digest: str = ""


def search(system: System, abstraction: Abstraction, prop: Expr, limit: int = 50_000_000,
           masks_zero: bool = False, collect: set[World] | None = None) -> Search:
    """Breadth-first search of the abstract system; stops at the first world breaking ``prop``
    (with ``masks_zero``, also at the first world with a kept mask bit set)."""
    start = time.perf_counter()
    judged = compile_py(prop)

    def holds(lookup: Callable[[str, str], int]) -> bool:
        return bool(judged(lookup)) and not (masks_zero and any(lookup("slot", str(m)) for m in abstraction.masks))

    first = abstraction.alpha(system.initial())
    parent: dict[World, tuple[World | None, str]] = {first: (None, "")}
    queue = deque([first])
    while queue:
        world = queue.popleft()
        if not holds(_lookup(system, world)):
            return Search(len(parent), time.perf_counter() - start, _path(parent, world))
        for label, succ in system.successors(world)[0]:
            succ = abstraction.alpha(succ)
            if succ not in parent:
                table = system.instances[label.instance].table
                parent[succ] = (world, f"{system.instances[label.instance].name}: "
                                       f"{table.edge(table.transitions[label.transition])}")
                queue.append(succ)
        if len(parent) > limit:
            raise ModelError(f"abstract search exceeded {limit} states")
    if collect is not None:
        collect.update(parent)
    return Search(len(parent), time.perf_counter() - start, digest=digest(parent))


def _lookup(system: System, world: World) -> Callable[[str, str], int]:
    return lambda scope, name: cast(int, world[int(name)])


def _path(parent: dict[World, tuple[World | None, str]], world: World) -> list[str]:
    out: list[str] = []
    at: World | None = world
    while at is not None:
        prev, label = parent[at]
        if prev is not None:
            out.append(label)
        at = prev
    return out[::-1]


def digest(worlds: Iterable[World]) -> str:
    """SHA-256 of the sorted reachable abstract worlds (the certificate's fingerprint)."""
    h = hashlib.sha256()
    for text in sorted(repr(w) for w in worlds):
        h.update(text.encode())
    return h.hexdigest()


@dataclass
class Verdict:
    """The outcome over attempts bounds 1..``attempts`` (every budget, every tracked attempt)."""

    scenario: str
    property: str
    verdict: str  # HOLDS | VIOLATED-ABSTRACT | REFUSED | CUT-OFF (the time-out stopped the search)
    attempts: int
    states: int
    seconds: float
    searches: int
    digest: str = ""
    trace: list[str] = field(default_factory=list)
    where: str = ""
    how: str = ""  # how the attempts bounds were covered (:func:`shortcut`)


def decide(scenario: Scenario, property_id: str, attempts: int, progress: Callable[[str], None] | None = None) -> Verdict:
    """Search the abstraction for every attempts bound ``1..attempts``: per bound ``a``, one search per
    attempt ``n`` in ``1..a`` (mask bit ``n``) and one for the bits no attempt number uses (which
    must stay 0). HOLDS: the property holds for those attempts bounds and every budget."""
    start = time.perf_counter()
    total, count, digests = 0, 0, hashlib.sha256()
    for a in range(1, attempts + 1):
        system = build_system(scenario.with_bounds(attempts=a))
        prop = bind_property(system, PROPERTIES[property_id]).expr
        unused = 0xFFFF & ~((1 << (a + 1)) - 2)
        for keep, zero in [(1 << n, False) for n in range(1, a + 1)] + [(unused, True)]:
            found = search(system, build(system, prop, keep), prop, masks_zero=zero)
            total, count = total + found.states, count + 1
            if found.violation:
                return Verdict(scenario.id, property_id, "VIOLATED-ABSTRACT", a, total,
                               time.perf_counter() - start, count, trace=found.violation,
                               where=f"attempts={a}, mask bits {keep:#06x}")
            digests.update(found.digest.encode())
        if progress:
            progress(f"attempts={a}: {total} abstract states, {time.perf_counter() - start:.1f} s")
    return Verdict(scenario.id, property_id, "HOLDS", attempts, total, time.perf_counter() - start, count,
                   digests.hexdigest())


# -- the attempts bound: one search at the largest bound, with an early stop ----------------------------------

COUNTER, BOUND = "attempts_left", "attempts"
"""The attempt counter (a local variable) and the option that sets its initial value."""
EARLY_STOP = "stop_early"
EARLY_STOP_LABEL = "stop early (abstraction: covers every smaller attempts bound)"


def _is_difference(e: Expr) -> bool:
    """``O(attempts) - attempts_left``: the number of attempts made, the same for every bound."""
    return (isinstance(e, BinOp) and e.op == "-" and isinstance(e.left, Ref) and (e.left.scope, e.left.name)
            == ("opt", BOUND) and isinstance(e.right, Ref) and (e.right.scope, e.right.name) == ("local", COUNTER))


def _reads_any(expr: Expr, targets: set[tuple[str, str]], allowed: Callable[[Expr], bool]) -> bool:
    """Does ``expr`` read one of ``targets`` outside a sub-expression ``allowed`` accepts?"""
    if allowed(expr):
        return False
    if isinstance(expr, Ref):
        return (expr.scope, expr.name) in targets
    return any(_reads_any(c, targets, allowed) for c in _children(expr))


def _conjuncts(expr: Expr) -> list[Expr]:
    if isinstance(expr, BinOp) and expr.op == "and":
        return _conjuncts(expr.left) + _conjuncts(expr.right)
    return [expr]


def _inert(tr: Any) -> bool:
    """A transition that changes nothing but its element's control state."""
    return not (tr.assign_exprs or tr.send_exprs or tr.ghost or tr.share_exprs)


def check_attempts(system: System, props: Iterable[Expr] = ()) -> list[str]:
    """Refuse the early-stop shortcut unless the attempts bound shifts away (module docstring).

    ``system`` is built with the option ``attempts`` kept symbolic (``build_system(s, {"attempts"})``).
    Checked on every instance's compiled table: the counter's initial value is the option; the counter
    and the option are read only in ``attempts_left > 0`` and in ``O(attempts) - attempts_left``; the
    test occurs in guards positively, except in transitions that change nothing but the control state
    (the ones the early stop over-approximates); the only write is ``attempts_left - 1``, on transitions
    whose guard has the test as a conjunct; nothing else (initial values, effects, sends, ghost updates,
    shared writes, the properties) reads the option. Returns the edges the early stop replaces."""
    freed: list[str] = []
    for inst in system.instances:
        freed += _check_attempts_in(inst)
    if not any(COUNTER in inst.table.var_names for inst in system.instances):
        raise ModelError(f"no element has the counter '{COUNTER}'")
    slots = {slot for name, slot in system.slots.items() if name.rsplit(".", 1)[-1] == COUNTER}
    for prop in props:
        if set(system.slot_refs(prop)) & slots or ("opt", BOUND) in refs(prop):
            raise ModelError(f"the property reads '{COUNTER}' or '{BOUND}'")
    return freed


def _check_attempts_in(inst: Instance) -> list[str]:
    """:func:`check_attempts` on one instance's table: the edges the early stop replaces."""
    table, option, positive = inst.table, ("opt", BOUND), _is_positive_test(COUNTER)
    has = COUNTER in table.var_names
    targets = {option} | ({("local", COUNTER)} if has else set())
    _check_initial_values(inst)

    def allowed(e: Expr) -> bool:
        return has and (positive(e) or _is_difference(e))

    index = table.var_names.index(COUNTER) if has else -1
    freed: list[str] = []
    for tr in table.transitions:
        edge = f"{inst.name} {table.edge(tr)}"
        exprs = [tr.guard] + [e for slot, e in tr.assign_exprs if slot != index]
        exprs += [e for _, _, fs in tr.send_exprs for e in fs] + [e for _, e, _ in tr.send_when]
        exprs += [e for _, e in tr.ghost] + [e for _, e in tr.share_exprs]
        exprs += [lift(to.index) for to, _, _ in tr.send_exprs if isinstance(to, To)]
        if any(_reads_any(e, targets, allowed) for e in exprs):
            raise ModelError(f"{edge} reads '{BOUND}' or '{COUNTER}' other than as '{COUNTER} > 0' or "
                             f"'{BOUND} - {COUNTER}'")
        if not has:
            continue
        if not _only_positive(tr.guard, positive):
            if not _inert(tr):
                raise ModelError(f"{edge} tests '{COUNTER} > 0' under a negation and has an effect")
            freed.append(edge)
        own = [e for slot, e in tr.assign_exprs if slot == index]
        if own and not _is_decrement(COUNTER, own[0]):
            raise ModelError(f"{edge} writes '{COUNTER}' other than '{COUNTER} - 1'")
        if own and not any(positive(c) for c in _conjuncts(tr.guard)):
            raise ModelError(f"{edge} decrements '{COUNTER}' without the conjunct '{COUNTER} > 0'")
    return freed


def _check_initial_values(inst: Instance) -> None:
    """The counter starts at the option; no other variable's initial value reads it."""
    for var, init in zip(inst.table.var_names, inst.table.initial_exprs):
        if var == COUNTER and not (isinstance(init, Ref) and (init.scope, init.name) == ("opt", BOUND)):
            raise ModelError(f"{inst.name}.{COUNTER}: its initial value is not the option '{BOUND}'")
        if var != COUNTER and ("opt", BOUND) in refs(init):
            raise ModelError(f"{inst.name}.{var}: its initial value reads the option '{BOUND}'")


def _free(guard: Expr, test: Callable[[Expr], bool]) -> Expr:
    """``g[t := true] or g[t := false]``: the guard with the test ``t`` left to a free choice."""
    either = BinOp("or", _map(guard, lambda e: Const(True) if test(e) else None),
                   _map(guard, lambda e: Const(False) if test(e) else None))
    return substitute(either, lambda _: None)


def early_stop(table: ElementTable) -> None:
    """Rewrite the counter's element in place: every transition that tests ``attempts_left > 0`` under a
    negation (checked inert by :func:`check_attempts`: the stop once the attempts are used up) fires with
    the test left free, i.e. the element may stop early, whatever its counter says."""
    if COUNTER not in table.var_names:
        return
    positive = _is_positive_test(COUNTER)
    for tr in table.transitions:
        if not _only_positive(tr.guard, positive):
            tr.guard = _free(tr.guard, positive)
            tr.guard_fn = compile_py(tr.guard)
            tr.guard_text = f"free choice ({tr.guard_text})"
            tr.effect_name, tr.effect = EARLY_STOP, replace(tr.effect, label=EARLY_STOP_LABEL)


def attempts_used(system: System, world: World, bound: int) -> int:
    """The attempts made in ``world`` of the early-stop system at ``bound`` (the most by any remote UE)."""
    left = [cast(int, world[slot]) for name, slot in system.slots.items() if name.rsplit(".", 1)[-1] == COUNTER]
    return max(1, bound - min(left, default=bound))


# -- the same abstraction as rewritten rules, for the compiled engines ---------------------------------------


def _map(expr: Expr, f: Callable[[Expr], Expr | None]) -> Expr:
    """Rebuild ``expr`` bottom-up, replacing each sub-expression for which ``f`` returns one."""
    hit = f(expr)
    if hit is not None:
        return hit
    if isinstance(expr, BinOp):
        return BinOp(expr.op, _map(expr.left, f), _map(expr.right, f))
    if isinstance(expr, Not):
        return Not(_map(expr.arg, f))
    if isinstance(expr, Ite):
        return Ite(_map(expr.cond, f), _map(expr.then, f), _map(expr.orelse, f))
    return expr


def _saturate(expr: ExprLike) -> Expr:
    """Every budget test ``x > 0`` becomes true."""
    tests = [_is_positive_test(name) for name in BUDGETS]
    return _map(lift(expr), lambda e: Const(True) if any(t(e) for t in tests) else None)


def _abstract_effect(effect: Effect, keep: int | None, dropped: frozenset[str]) -> Effect:
    """Budget decrements dropped (the counter is read nowhere else), mask updates cut to ``keep`` (None:
    left whole, for :mod:`prosecheck.abstraction_choice`, which cuts them), updates of the ghost facts in
    ``dropped`` removed (nothing that matters reads them)."""
    assign = {k: v for k, v in effect.assign.items() if k not in BUDGETS}
    ghost = {k: (lift(v) & keep) if k in MASKS and keep is not None else v for k, v in effect.ghost.items()
             if k not in dropped}
    return replace(effect, assign=assign, ghost=ghost)


def abstract_rewrite(cls: Any, base: Rewrite | None, keep: int | None, dropped: frozenset[str] = frozenset()) -> Rewrite:
    """The element's rules (with a mutant's or the attacker's rewrite ``base`` applied) abstracted."""
    base = base or Rewrite()
    guards = {**cls.GUARDS, **base.guards}
    effects = {**cls.EFFECTS, **base.effects}
    return Rewrite(guards={k: _saturate(v) for k, v in guards.items()},
                   effects={k: _abstract_effect(v, keep, dropped) for k, v in effects.items()}, disabled=base.disabled)


def unread_ghosts(system: System, props: Iterable[Expr]) -> frozenset[str]:
    """The ghost facts outside the cone of influence of ``props``: no guard, assignment or send reads
    them, nor the properties, nor the update of a ghost fact in the cone (observers' ghosts are kept).
    Leaving their updates out is exact on every other slot: nothing else ever reads them."""
    ghosts = {name.split(".", 1)[1] for name in system.slots if name.startswith("ghost.")}
    reads: set[str] = {ob.ghost for ob in system.observers} | {FAULT_GHOST}  # the system reads the fault count
    updates: dict[str, set[str]] = {}
    slot_name = {slot: name for name, slot in system.slots.items()}
    for prop in props:
        reads |= {slot_name[slot].split(".", 1)[1] for slot in system.slot_refs(prop)
                  if slot_name[slot].startswith("ghost.")}
    for inst in system.instances:
        for tr in inst.table.transitions:
            exprs = [tr.guard] + [e for _, e in tr.assign_exprs] + [e for _, _, fs in tr.send_exprs for e in fs]
            exprs += [e for _, e in tr.share_exprs]
            reads |= {n.split(".", 1)[1] for e in exprs for sc, n in refs(e) if sc == "world" and n.startswith("ghost.")}
            for g, e in tr.ghost:
                updates.setdefault(g, set()).update(n.split(".", 1)[1] for sc, n in refs(e)
                                                    if sc == "world" and n.startswith("ghost."))
    frontier = list(reads)
    while frontier:
        for read in updates.get(frontier.pop(), set()) - reads:
            reads.add(read)
            frontier.append(read)
    return frozenset(ghosts - reads)


def abstract_tables(scenario: Scenario, concrete: System, keep: int | None,
                    dropped: frozenset[str]) -> dict[str, ElementTable]:
    """Every element's table compiled with :func:`abstract_rewrite` (``keep``: the mask bits kept, None:
    masks left whole), by role; refused when an observer of ``concrete`` sets an attempt mask."""
    for ob in concrete.observers:
        if ob.ghost in MASKS:
            raise ModelError(f"ghost.{ob.ghost}: set by an observer, cannot be projected")
    options = options_of(scenario)
    fields = field_names(options)
    rewrites = rewrites_of(scenario.mutants, options)
    return {cls.ROLE: compile_element(cls, options, fields, abstract_rewrite(cls, rewrites.get(cls.ROLE), keep, dropped))
            for cls in elements_of(scenario)}


def abstract_system(scenario: Scenario, keep: int, dropped: frozenset[str] = frozenset(),
                    stop_early: bool = False) -> System:
    """The scenario's system with the abstraction compiled into its rules: ``alpha`` of every world the
    successor-and-alpha search of :func:`search` reaches is reachable here and conversely (the budget
    counters keep their initial values instead of 1; nothing reads them), so the compiled engines
    explore it. With ``stop_early`` the remote UE may also stop before its attempts are used up
    (:func:`early_stop`; :func:`check_attempts` must have accepted the scenario)."""
    concrete = build_system(scenario)
    tables = abstract_tables(scenario, concrete, keep, dropped)
    if stop_early:
        for table in tables.values():
            early_stop(table)
    prune_unreachable(list(tables.values()))
    instances = [Instance(inst.name, inst.role, inst.group, tables[inst.role]) for inst in concrete.instances]
    links = [Link(lk.index, lk.src, lk.dst, lk.kind, lk.capacity, lossy=lk.lossy) for lk in concrete.links]
    return System(instances, links, list(concrete.ghost_names), concrete.groups, concrete.message_fields,
                  concrete.message_field_kinds, concrete.observers, fault_budget=concrete.fault_budget,
                  duplication=concrete.duplication)


class SearchCutOff(ModelError):
    """An abstract search stopped by the time left to its ``prove`` call: no verdict (UNKNOWN)."""


_deadline: list[float | None] = [None]
"""``time.monotonic()`` by which the searches of the current :func:`fill` must end (None: no limit)."""


def compiled_search(system: System, props: dict[str, Expr], masks: Sequence[int] = (),
                    masks_zero: bool = False, at: dict[str, World] | None = None) -> tuple[int, dict[str, list[str]], str]:
    """Explore the abstract system of :func:`abstract_system` once with the default engine (the compiled
    one when it can) and judge each property once per distinct valuation of the slots it reads: the
    state count, a trace per violated property, and the digest of what was judged (``at``: filled with
    the violating world of each violated property)."""
    left = None if _deadline[0] is None else max(0.0, _deadline[0] - time.monotonic())
    exploration = explore(system, Limits(max_seconds=left))
    if exploration.stopped:
        raise SearchCutOff(f"abstract search stopped after {exploration.states:,} states: {exploration.stopped}")
    h = hashlib.sha256(f"{exploration.states} {exploration.transitions}".encode())
    bad: dict[str, list[str]] = {}
    for pid, prop in props.items():
        judged = compile_py(prop)
        slots = sorted(set(system.slot_refs(prop)) | (set(masks) if masks_zero else set()))
        projection = exploration.projector(slots).project(slots, per_world=False)
        for values, first in zip(projection.values, projection.first.tolist()):
            h.update(repr(values).encode())
            valuation = dict(zip(slots, values))
            if not judged(_reader(valuation)) or (masks_zero and any(valuation[m] for m in masks)):
                bad[pid] = [_words(system, lb) for lb in (exploration.via[i] for i in exploration.path_to(first))
                            if lb is not None]
                if at is not None:
                    at[pid] = tuple(exploration.worlds[first])
                break
    return exploration.states, bad, h.hexdigest()


def _reader(valuation: dict[int, Any]) -> Callable[[str, str], int]:
    return lambda scope, name: cast(int, valuation[int(name)])


def decide_compiled(scenario: Scenario, property_id: str, attempts: int,
                    progress: Callable[[str], None] | None = None) -> Verdict:
    """:func:`decide` on the rewritten rules (:func:`abstract_system`), explored by the compiled engine."""
    return decide_many(scenario, [property_id], attempts, progress)[property_id]


def _masks_checked(concrete: System, pending: list[str], keep: int, out: dict[str, Verdict],
                   scenario: Scenario, a: int) -> list[int]:
    """Run :func:`build`'s checks for each pending property; a refused one leaves ``pending``."""
    masks: list[int] = []
    for pid in list(pending):
        try:
            masks = build(concrete, bind_property(concrete, PROPERTIES[pid]).expr, keep).masks
        except ModelError as err:
            out[pid] = Verdict(scenario.id, pid, "REFUSED", a, 0, 0.0, 0, where=str(err))
            pending.remove(pid)
    return masks


def shortcut(scenario: Scenario, property_ids: Sequence[str], attempts: int) -> tuple[bool, str]:
    """May one early-stop search at ``attempts`` stand for every bound ``1..attempts``? (the checks of
    :func:`check_attempts`, on the system with the option kept symbolic) and the reason in words."""
    try:
        system = build_system(scenario.with_bounds(attempts=attempts), frozenset({BOUND}))
        freed = check_attempts(system, [bind_property(system, PROPERTIES[pid]).expr for pid in property_ids])
    except ModelError as err:
        return False, f"one search per attempts bound 1..{attempts} (early-stop shortcut refused: {err})"
    return True, (f"one search at attempts={attempts} with an early stop (replacing {'; '.join(freed) or 'nothing'})"
                  f" covers every attempts bound 1..{attempts}")


OneSearch = Callable[[Scenario, Sequence[str], int, str, "Callable[[str], None] | None"],
                     tuple["dict[str, Verdict] | None", str]]
"""The one search standing for the early-stop searches of a bound: verdicts or None, and the ``how``
(:func:`prosecheck.abstraction_choice.decide_or_why`, which builds on this module)."""


def decide_many(scenario: Scenario, property_ids: Sequence[str], attempts: int,
                progress: Callable[[str], None] | None = None, allow_shortcut: bool = True,
                one_search: OneSearch | None = None) -> dict[str, Verdict]:
    """:func:`decide` for several properties at once, on the rewritten rules explored by the compiled
    engine: one exploration per attempts bound and kept bit set judges every property still open.
    The checks of :func:`build` run on the concrete system first. When :func:`shortcut` accepts the
    scenario, the bounds ``1..attempts`` are covered by the single bound ``attempts`` with the early
    stop (module docstring); otherwise each bound is searched. With the shortcut and ``one_search``
    (``prove`` passes :func:`prosecheck.abstraction_choice.decide_or_why`), the searches of that bound
    are that one search unless it is refused or gives up (the reason joins ``how``)."""
    start = time.perf_counter()
    total, count, digests = 0, 0, hashlib.sha256()
    out: dict[str, Verdict] = {}
    pending = list(property_ids)
    early, how = shortcut(scenario, property_ids, attempts) if allow_shortcut else \
        (False, f"one search per attempts bound 1..{attempts}")
    if early and one_search is not None:
        chosen, how = one_search(scenario, property_ids, attempts, how, progress)
        if chosen is not None:
            return chosen
    for a in [attempts] if early else range(1, attempts + 1):
        bounded = scenario.with_bounds(attempts=a)
        concrete = build_system(bounded)
        unused = 0xFFFF & ~((1 << (a + 1)) - 2)
        for keep, zero in [(1 << n, False) for n in range(1, a + 1)] + [(unused, True)]:
            masks = _masks_checked(concrete, pending, keep, out, scenario, a)
            if not pending:
                return out
            dropped = unread_ghosts(concrete, [bind_property(concrete, PROPERTIES[pid]).expr for pid in pending])
            system = abstract_system(bounded, keep, dropped, stop_early=early)
            props = {pid: bind_property(system, PROPERTIES[pid]).expr for pid in pending}
            at: dict[str, World] = {}
            states, bad, digest_ = compiled_search(system, props, masks, zero, at)
            total, count = total + states, count + 1
            digests.update(digest_.encode())
            for pid, trace in bad.items():
                used = attempts_used(system, at[pid], a) if early else a
                out[pid] = Verdict(scenario.id, pid, "VIOLATED-ABSTRACT", used, total, time.perf_counter() - start,
                                   count, trace=trace, where=f"attempts={used}, mask bits {keep:#06x}", how=how)
                pending.remove(pid)
            if progress and early:
                progress(f"attempts={a}, mask bits {keep:#06x}: {total} abstract states, "
                         f"{time.perf_counter() - start:.1f} s")
        if progress and not early:
            progress(f"attempts={a}: {total} abstract states, {time.perf_counter() - start:.1f} s")
    for pid in pending:
        out[pid] = Verdict(scenario.id, pid, "HOLDS", attempts, total, time.perf_counter() - start, count,
                           digests.hexdigest(), how=how)
    return out


MAX_ATTEMPTS = BOUND_LIMITS["attempts"][1]
REPLAY_STATES = 5_000_000
ASSUMPTIONS = [f"attempts: every bound 1..{MAX_ATTEMPTS} (the model's limit: 4-bit Nonce_1): one search at "
               f"{MAX_ATTEMPTS} where the remote UE may also stop early (simulates every smaller bound: the counter "
               "shifted by the difference; checked on the tables), else one search per bound",
               "withdrawals, restores, update-policy firings: unbounded (budget tests true, decrements dropped)",
               "attempt masks: projected on one attempt at a time (exact: bit-local updates, read by nothing else; "
               "the property is projectable: checked by Z3), plus the bits no attempt number uses (must stay 0)",
               "remote UEs and link capacity: the scenario's"]


def reads_only_masks(slot_names: Iterable[str]) -> bool:
    """Do these slot names (a property's) name attempt masks only?"""
    return all(name.startswith("ghost.") and name.split(".", 1)[1] in MASKS for name in slot_names)


def ghost_groups(scenario: Scenario, property_ids: Sequence[str]) -> list[list[str]]:
    """``property_ids`` grouped by the ghost facts their abstract search keeps (:func:`unread_ghosts`),
    in their given order: one search per group. A search judges several properties at once, but it
    keeps every ghost fact any of them reads, and a ghost kept for one property multiplies the worlds
    of all (on m400.ausf_udm the six key properties together held more than 4.8 GB; one at a time they
    end in 4-115 s), and a property that reads more than the attempt masks would stop the retirement of
    the tracked attempt (:mod:`prosecheck.abstraction_retire`) for the whole group. The properties that
    read attempt masks only form one group, since the retirement keeps their search small."""
    concrete = build_system(scenario)
    names = {slot: name for name, slot in concrete.slots.items()}
    groups: dict[frozenset[str] | str, list[str]] = {}
    for pid in property_ids:
        prop = bind_property(concrete, PROPERTIES[pid]).expr
        masks_only = reads_only_masks(names[slot] for slot in concrete.slot_refs(prop))
        groups.setdefault("attempt masks" if masks_only else unread_ghosts(concrete, [prop]), []).append(pid)
    return list(groups.values())


def _decide_group(scenario: Scenario, group: list[str], progress: Callable[[str], None] | None,
                  one_search: OneSearch | None, timeout: float | None) -> dict[str, Verdict]:
    """:func:`decide_many` for one group of :func:`ghost_groups` within ``timeout`` seconds: a search
    cut off makes its properties CUT-OFF, a refusal REFUSED (both UNKNOWN to :func:`fill`)."""
    _deadline[0] = None if timeout is None else time.monotonic() + timeout
    try:
        return decide_many(scenario, group, MAX_ATTEMPTS, progress, one_search=one_search)
    except SearchCutOff as err:
        return {pid: Verdict(scenario.id, pid, "CUT-OFF", MAX_ATTEMPTS, 0, timeout or 0.0, 0,
                             where=f"{err} (--timeout {timeout:g} s)") for pid in group}
    except ModelError as err:
        return {pid: Verdict(scenario.id, pid, "REFUSED", MAX_ATTEMPTS, 0, 0.0, 0, where=str(err)) for pid in group}
    finally:
        _deadline[0] = None


def fill(result: Any, scenario: Scenario, property_ids: Sequence[str], cache: dict[str, Verdict],
         progress: Callable[[str], None] | None = None, one_search: OneSearch | None = None,
         timeout: float | None = None) -> Any:
    """``prove --engine abstract``: set verdict, seconds, detail and trace of the ``ProofResult`` of
    ``result.property``; the first call decides every property of ``property_ids``, one exploration
    per group of :func:`ghost_groups` judging the group's properties, and keeps the verdicts in
    ``cache``. HOLDS for every attempts bound is PROVED; an abstract violation is searched for on the
    concrete model (its attempts bound, the largest budgets) and is VIOLATED only if found there. With
    the early-stop shortcut (one search at the largest bound), that attempts bound is the number of
    attempts the abstract trace makes. Each group's searches get ``timeout`` seconds (``prove
    --timeout``); past it the group's properties are UNKNOWN."""
    if not cache:
        groups = ghost_groups(scenario, property_ids)
        for number, group in enumerate(groups, 1):
            if progress is not None and len(groups) > 1:
                progress(f"abstract search {number} of {len(groups)}: {', '.join(group)}")
            cache.update(_decide_group(scenario, group, progress, one_search, timeout))
    found = cache[result.property]
    if found.verdict == "CUT-OFF":
        result.verdict, result.detail, result.seconds = "UNKNOWN", found.where, found.seconds
        return result
    if found.verdict == "REFUSED":
        result.verdict, result.detail = "UNKNOWN", f"abstraction refused: {found.where}"
        return result
    result.seconds, result.assumptions = found.seconds, list(ASSUMPTIONS)
    if found.verdict == "HOLDS":
        result.verdict = "PROVED"
        searches = f"{found.searches} search{'es' if found.searches != 1 else ''}"
        result.detail = (f"abstract explicit search: {found.states:,} states in {searches}, digest "
                         f"{found.digest[:16]} (re-validated by re-running it); {found.how}")
        return result
    result.trace = found.trace
    concrete = scenario.with_bounds(attempts=found.attempts, withdrawals=BOUND_LIMITS["withdrawals"][1],
                                    restores=BOUND_LIMITS["restores"][1],
                                    policy_triggers=BOUND_LIMITS["policy_triggers"][1])
    system = build_system(concrete)
    exploration = explore(system, Limits(max_states=REPLAY_STATES))
    replay = _judge(system, exploration, bind_property(system, PROPERTIES[result.property]).expr)
    result.seconds = found.seconds
    if replay:
        result.verdict, result.trace = "VIOLATED", replay
        result.detail = (f"abstract violation ({found.where}) found again by the explicit search of "
                         f"{concrete.bounds.summary()}")
    else:
        result.verdict = "UNKNOWN"
        result.detail = (f"abstract violation ({found.where}) not found by the explicit search of "
                         f"{concrete.bounds.summary()} ({exploration.states:,} states"
                         f"{', stopped: ' + exploration.stopped if exploration.stopped else ''})")
    return result


def _judge(system: System, exploration: Any, prop: Expr) -> list[str]:
    """The labels of a path to the first world (breadth first) that breaks ``prop``, or []."""
    judged = compile_py(prop)
    slots = sorted(system.slot_refs(prop))
    projection = exploration.projector(slots).project(slots, per_world=False)
    for values, first in zip(projection.values, projection.first.tolist()):
        if not judged(_reader(dict(zip(slots, values)))):
            return [_words(system, lb) for lb in (exploration.via[i] for i in exploration.path_to(first))
                    if lb is not None]
    return []


def _words(system: System, label: Any) -> str:
    table = system.instances[label.instance].table
    return f"{system.instances[label.instance].name}: {table.edge(table.transitions[label.transition])}"


__all__ = ["Abstraction", "Search", "Verdict", "abstract_system", "abstract_tables", "build", "check_budget", "check_mask",
           "decide", "decide_compiled", "decide_many", "digest", "fill", "search"]
