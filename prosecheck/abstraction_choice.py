"""One abstract search instead of one per tracked attempt: the tracked attempt chosen nondeterministically
when it begins (issue 22; the abstraction itself is :mod:`prosecheck.abstraction`).

The early-stop system at the attempts bound ``B`` (``abstraction.abstract_system(..., stop_early=True)``)
is searched once per kept mask bit set: ``{n}`` for each attempt ``n`` in ``1..B`` and the bits no
attempt number uses (which must stay 0). Those ``B + 1`` searches share every world before the tracked
attempt begins, except for the kept bit. The **choice system** explores them together. Two ghost facts
are added: ``tracked_attempt`` (0: no attempt chosen yet) and ``untracked_bits`` (the mask bits not
kept). Write ``made(w) = B - attempts_left`` (the attempts begun; ``check_attempts`` makes the counter
start at ``B`` and change only by ``- 1``) and ``K(w)`` for the kept bits:

* while ``tracked_attempt = 0``: ``K(w) = {0} ∪ {n : n > made(w)}`` (bit 0, bit 15 and the attempts
  that have not begun), i.e. ``untracked_bits`` holds the bits ``1..made(w)``;
* once ``tracked_attempt = n``: ``K(w) = {n}``.

Every transition that decrements the counter (an attempt begins; its number is ``n = made(w) + 1``,
read before the step) comes in two copies, both enabled whenever the original is: *not chosen*
(``untracked_bits |= 1 << n`` if nothing is tracked yet) and *chosen* (``tracked_attempt := n`` and
``untracked_bits := ~(1 << n)`` if nothing is tracked yet; otherwise the same as not chosen). Every
mask update of every transition becomes ``update & ~untracked_bits'`` (``'``: the value after the
step), and the decrementing copies also cut the masks they do not update. So every world of the
choice system is ``(alpha_K(w), t)`` for a world ``w`` of the unprojected early-stop system (masks
cut to ``K(w)``): ``K`` only shrinks along a step, so by bit-locality (``check_mask``: a mask is read
only by its own update, and bit ``i`` of the update depends only on bit ``i`` of the old mask, hence
for any bit set ``K' ⊆ K``: ``f(m & K) & K' = f(m) & K'``) the cut commutes with the step, and the
new ghost facts are read by nothing but these cuts (they are added here; the model cannot name them:
refused if it has ghost facts of those names). The choice changes no other slot.

**Simulation, both ways.** Let ``R`` be the reachable worlds of the unprojected early-stop system.
Search ``n`` reaches exactly ``{alpha_n(w) : w in R}`` (masks cut to bit ``n``), the unused-bits search
``{alpha_U(w) : w in R}`` (``U = {0, 15}``). The choice system reaches exactly
``{(alpha_K(w), 0) : w in R}`` (never choose) and ``{(alpha_n(w), n) : w in R, made(w) >= n}``
(choose at the step where attempt ``n`` began on the run to ``w``; afterwards ``K = {n}``).
The choice system additionally requires (judged on every world) that **a world with nothing tracked
has every mask zero**: every bit of ``K(w)`` is 0 there. Given that:

* every world of search ``n`` is a world of the choice system with the ghost facts removed: if
  ``made(w) >= n``, it is ``(alpha_n(w), n)``; otherwise ``n`` is in ``K(w)``, so bit ``n`` of every
  mask is 0 and ``alpha_n(w)`` is ``alpha_K(w)`` (every mask 0); likewise every world of the
  unused-bits search (``U ⊆ K(w)``), whose kept bits are therefore 0 as that search requires;
* conversely every world of the choice system is a world of search ``n`` (``t = n``) or, all masks
  being 0, of the unused-bits search.

So a property holds on every world of every one of the ``B + 1`` searches (and the unused bits stay 0)
iff it holds on every world of the choice system and the worlds with nothing tracked have every mask
0. When that last condition fails (a bit of an attempt that has not begun, or bit 0 or 15, set),
:func:`decide` gives up and the ``B + 1`` searches decide. Preconditions, checked on the compiled
tables (else refused with the reason, and the searches run): the early-stop shortcut's checks
(``check_attempts``), exactly one instance holds the counter, no ghost fact of the two names exists.
``tests/test_abstraction.py`` checks the verdicts against the separate searches, that every world of
search ``n`` maps into the choice system's worlds (small bounds), a seeded violation and a ``sometimes``
twin.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import cast

from prosecheck.abstraction import (
    COUNTER,
    MASKS,
    SearchCutOff,
    Verdict,
    _is_decrement,
    abstract_tables,
    attempts_used,
    build,
    compiled_search,
    early_stop,
    reads_only_masks,
    unread_ghosts,
)
from prosecheck.abstraction_retire import (
    INFLIGHT,
    Merge,
    attempt_values,
    position_blind,
    retire,
    truth_kept,
)
from prosecheck.checker.expr import And, BinOp, Const, Expr, If, Or, V, W
from prosecheck.checker.machine import (
    CompiledTransition,
    ElementTable,
    ModelError,
    prune_unreachable,
)
from prosecheck.checker.system import Instance, Link, System, World
from prosecheck.model.build import bind_property, build_system
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import Scenario

TRACKED, UNTRACKED = "tracked_attempt", "untracked_bits"
"""The two ghost facts of the choice system."""
CHOSEN = "track this attempt (abstraction)"
UNTRACKED_ZERO = "untracked masks zero"
"""The pseudo-property judged with the properties: a world with nothing tracked has every mask 0."""
FULL = 0xFFFF
ONE_SEARCH = "one search, the tracked attempt chosen when it begins"
RETIRES = "the tracked attempt retired once no attempt value holds its number"


def _keep(untracked: Expr) -> Expr:
    return BinOp("^", untracked, Const(FULL))


def _cut(tr: CompiledTransition, keep: Expr, masks: Sequence[str], all_masks: bool) -> list[tuple[str, Expr]]:
    """``tr``'s ghost updates with every mask update cut to ``keep`` (with ``all_masks``, every mask of
    ``masks`` cut, updated or not)."""
    updated = {g for g, _ in tr.ghost}
    out = [(g, BinOp("&", e, keep) if g in MASKS else e) for g, e in tr.ghost]
    if all_masks:
        out += [(g, BinOp("&", W(f"ghost.{g}"), keep)) for g in masks if g not in updated]
    return out


def _decrements(table: ElementTable, tr: CompiledTransition) -> bool:
    index = table.var_names.index(COUNTER) if COUNTER in table.var_names else -1
    return any(slot == index and _is_decrement(COUNTER, e) for slot, e in tr.assign_exprs)


def add_choice(table: ElementTable, bound: int, masks: Sequence[str]) -> None:
    """Rewrite the counter's table in place: each decrementing transition gets a *chosen* copy right
    after it (module docstring); every mask update of every other transition is cut by
    :func:`cut_masks`."""
    tracked, untracked = W(f"ghost.{TRACKED}"), W(f"ghost.{UNTRACKED}")
    nxt = Const(bound) - V(COUNTER) + 1  # the attempt that begins: made + 1, read before the step
    bit = BinOp("<<", Const(1), nxt)
    out: list[CompiledTransition] = []
    for tr in table.transitions:
        if not _decrements(table, tr):
            tr.ghost = _cut(tr, _keep(untracked), masks, False)
            out.append(tr)
            continue
        after = If(tracked == 0, untracked | bit, untracked)
        chosen_after = If(tracked == 0, Const(FULL) ^ bit, untracked)
        plain = _cut(tr, _keep(after), masks, True) + [(UNTRACKED, after)]
        chosen = _cut(tr, _keep(chosen_after), masks, True) + [(UNTRACKED, chosen_after),
                                                                (TRACKED, If(tracked == 0, nxt, tracked))]
        tr.ghost = plain
        out.append(tr)
        out.append(replace(tr, ghost=chosen, effect_name=f"{tr.effect_name}; {CHOSEN}",
                           effect=replace(tr.effect, label=f"{tr.effect.label}; {CHOSEN}")))
    table.transitions = out


def _begun(holder: str, table: ElementTable, bound: int) -> Merge:
    """The untracked bits of the world after a step: bits ``1..made``, ``made = bound - attempts_left``
    after the step (one less counter on a decrementing transition of the counter's ``table``)."""

    def after(of: ElementTable, tr: CompiledTransition) -> Expr:
        left: Expr = W(f"{holder}.{COUNTER}")
        if of is table and _decrements(of, tr):
            left = left - 1
        return BinOp("&", BinOp("<<", Const(1), Const(bound + 1) - left) - 2, Const(FULL))

    return after


def cut_masks(table: ElementTable) -> None:
    """Every mask update of a table without the counter cut to ``~untracked_bits``."""
    for tr in table.transitions:
        tr.ghost = _cut(tr, _keep(W(f"ghost.{UNTRACKED}")), (), False)


def check_choice(system: System) -> int:
    """Refuse the choice system unless exactly one instance holds the counter and the two ghost fact
    names are free; the instance's index."""
    holders = [i for i, inst in enumerate(system.instances) if COUNTER in inst.table.var_names]
    if len(holders) != 1:
        raise ModelError(f"{len(holders)} instances hold '{COUNTER}' (the tracked attempt needs exactly one)")
    taken = {TRACKED, UNTRACKED} & set(system.ghost_names)
    if taken:
        raise ModelError(f"ghost facts {sorted(taken)} exist already")
    if not any(_decrements(system.instances[holders[0]].table, tr)
               for tr in system.instances[holders[0]].table.transitions):
        raise ModelError(f"no transition decrements '{COUNTER}'")
    return holders[0]


def choice_system(scenario: Scenario, dropped: frozenset[str] = frozenset(), retired: bool = False,
                  props: Sequence[Expr] = ()) -> System:
    """The early-stop abstract system at the scenario's attempts bound with the tracked attempt chosen
    when it begins (module docstring). :func:`prosecheck.abstraction.check_attempts` must have accepted
    the scenario. With ``retired``, the tracked attempt is retired once frozen
    (:mod:`prosecheck.abstraction_retire`; only for properties that read masks alone): into the
    untracked world of the same run when ``props`` (bound to ``build_system(scenario)``) are non-empty
    and :func:`~prosecheck.abstraction_retire.truth_kept` accepts them, else its bits moved to bit 15."""
    concrete = build_system(scenario)
    holder = check_choice(concrete)
    tables = abstract_tables(scenario, concrete, None, dropped)
    masks = [g for g in concrete.ghost_names if g in MASKS and g not in dropped]
    role = concrete.instances[holder].role
    values = attempt_values(tables.values(), masks, scenario.bounds.attempts) if retired else set()
    names = {slot: name for name, slot in concrete.slots.items()}
    zero = retired and bool(props) and truth_kept(tables.values(), masks, props, names)
    for name, table in tables.items():
        early_stop(table)
        if name == role:
            add_choice(table, scenario.bounds.attempts, masks)
        else:
            cut_masks(table)
    prune_unreachable(list(tables.values()))
    instances = [Instance(inst.name, inst.role, inst.group, tables[inst.role]) for inst in concrete.instances]
    links = [Link(lk.index, lk.src, lk.dst, lk.kind, lk.capacity, lossy=lk.lossy) for lk in concrete.links]
    ghosts = list(concrete.ghost_names) + [TRACKED, UNTRACKED]
    if retired:
        if INFLIGHT in ghosts:
            raise ModelError(f"ghost fact {INFLIGHT!r} exists already")
        retire(list(tables.values()), instances, links, masks, values, TRACKED, UNTRACKED, FULL,
               _begun(concrete.instances[holder].name, tables[role], scenario.bounds.attempts) if zero else None)
        ghosts.append(INFLIGHT)
    return System(instances, links, ghosts, concrete.groups,
                  concrete.message_fields, concrete.message_field_kinds, concrete.observers,
                  fault_budget=concrete.fault_budget, duplication=concrete.duplication)


def untracked_zero(system: System) -> Expr:
    """Nothing tracked -> every mask 0 (bound to the system's slots)."""
    masks = [W(name) for name in system.slots if name.startswith("ghost.") and name.split(".", 1)[1] in MASKS]
    return system.bind(Or(W(f"ghost.{TRACKED}") != 0, And(*(m == 0 for m in masks))), 0)


def retirement_refused(system: System, props: Sequence[Expr]) -> str:
    """Why the properties do not allow retiring the tracked attempt ('' if they do): each must read only
    attempt masks and not tell bit ``i`` from bit 15 (:func:`prosecheck.abstraction_retire.position_blind`)."""
    names = {slot: name for name, slot in system.slots.items()}
    for prop in props:
        slots = system.slot_refs(prop)
        if not reads_only_masks(names[slot] for slot in slots):
            return "a property reads more than the attempt masks"
        if not position_blind(prop, slots):
            return "a property tells an attempt's bit from bit 15"
    return ""


def _system(bounded: Scenario, concrete: System, props: Sequence[Expr]) -> tuple[System, str]:
    """The choice system for these properties, with retirement unless refused ('' or why not)."""
    dropped = unread_ghosts(concrete, props)
    why = retirement_refused(concrete, props)
    if not why:
        try:
            return choice_system(bounded, dropped, retired=True, props=props), ""
        except ModelError as err:
            why = str(err)
    return choice_system(bounded, dropped), why


def decide(scenario: Scenario, property_ids: Sequence[str], attempts: int, how: str,
           progress: Callable[[str], None] | None = None) -> dict[str, Verdict] | None:
    """The verdicts of ``abstraction.decide_many``'s early-stop searches at ``attempts``, from one search
    of the choice system; None when a world with nothing tracked has a mask bit set (the separate
    searches decide then). Raises ModelError when the choice system is refused."""
    start = time.perf_counter()
    bounded = scenario.with_bounds(attempts=attempts)
    concrete = build_system(bounded)
    out: dict[str, Verdict] = {}
    pending = list(property_ids)
    for pid in property_ids:
        try:
            build(concrete, bind_property(concrete, PROPERTIES[pid]).expr, 1 << 1)
        except ModelError as err:
            out[pid] = Verdict(scenario.id, pid, "REFUSED", attempts, 0, 0.0, 0, where=str(err))
            pending.remove(pid)
    if not pending:
        return out
    system, why = _system(bounded, concrete, [bind_property(concrete, PROPERTIES[pid]).expr for pid in pending])
    how = f"{how}; {RETIRES if not why else f'no retirement of the tracked attempt ({why})'}"
    props = {pid: bind_property(system, PROPERTIES[pid]).expr for pid in pending}
    at: dict[str, World] = {}
    states, bad, digest = compiled_search(system, {**props, UNTRACKED_ZERO: untracked_zero(system)}, at=at)
    seconds = time.perf_counter() - start
    if progress:
        progress(f"attempts={attempts}, tracked attempt chosen when it begins: {states} abstract states, "
                 f"{seconds:.1f} s")
    if UNTRACKED_ZERO in bad:
        return None
    slot = system.slots[f"ghost.{TRACKED}"]
    for pid in pending:
        if pid in bad:
            tracked = cast(int, at[pid][slot])
            used = attempts_used(system, at[pid], attempts)
            out[pid] = Verdict(scenario.id, pid, "VIOLATED-ABSTRACT", used, states, seconds, 1, trace=bad[pid],
                               where=f"attempts={used}, tracked attempt {tracked or 'none yet'}", how=how)
        else:
            out[pid] = Verdict(scenario.id, pid, "HOLDS", attempts, states, seconds, 1,
                               hashlib.sha256(digest.encode()).hexdigest(), how=how)
    return out


def decide_or_why(scenario: Scenario, property_ids: Sequence[str], attempts: int, how: str,
                  progress: Callable[[str], None] | None = None) -> tuple[dict[str, Verdict] | None, str]:
    """:func:`decide`, and ``how`` with what it did: the verdicts, or None and why the separate searches
    must decide (refused, or gave up)."""
    try:
        chosen = decide(scenario, property_ids, attempts, f"{how}; {ONE_SEARCH}", progress)
    except SearchCutOff:
        raise  # out of time: no verdict, and no time for the separate searches either
    except ModelError as err:
        return None, f"{how}; one search per tracked attempt (the tracked-attempt choice refused: {err})"
    if chosen is None:
        return None, (f"{how}; one search per tracked attempt (the tracked-attempt choice gave up: a mask bit of "
                      "an attempt not begun, or of no attempt, was set)")
    return chosen, f"{how}; {ONE_SEARCH}"


__all__ = ["CHOSEN", "TRACKED", "UNTRACKED", "add_choice", "check_choice", "choice_system", "decide", "decide_or_why",
           "untracked_zero"]
