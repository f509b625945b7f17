"""Houdini: an inductive strengthening mined from reachable worlds, then pruned by Z3.

Spacer has to invent the lemmas that make a property inductive; for the authorization
properties of the shipped model it does not within minutes. Houdini (Flanagan and Leino,
2001) instead starts from many **candidate** lemmas that hold on every sampled reachable state
(here: the explicit search's worlds of the scenario with small bounds, mapped into the
encoding), and repeatedly drops those that are not preserved:

1. drop every candidate that some initial state breaks;
2. while ``C(s) /\\ T(s, s') /\\ not C(s')`` is satisfiable (``C`` the conjunction of the alive
   candidates), drop every candidate that the model's ``s'`` breaks.

What survives is inductive relative to itself, and it contains the initial states: an inductive
invariant. If the property is among the survivors it is PROVED, for every run of the encoded
system (the samples only choose what to try; they play no part in the proof). If it is dropped,
the candidates were too weak: UNKNOWN, never VIOLATED.

The candidate templates, each under a *guard* (nothing, a control state, the message at a link
slot, or that message with one of its few-valued fields fixed):

* ``x == c``, ``x in {c1, .., c4}`` and ``x == y`` over the kept variables (the attempt index
  ``opt.index`` included);
* for the tracked bit ``g`` of an attempt mask: ``x == opt.index -> g == b`` (whatever carries
  the attempt's number decides the bit), and ``g == 1 -> h == 1`` between tracked bits.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import cast

import z3

from prosecheck.checker.expr import BITS
from prosecheck.checker.symbolic.encode import INDEX, Encoding
from prosecheck.checker.symbolic.render import describe_lemmas

FEW = 3  # a field with at most this many values in a guard's samples may refine the guard
PROGRESS_EVERY = 30.0  # seconds between Houdini's progress lines within a pass


@dataclass(frozen=True)
class Lemma:
    """``when`` (positions equal to constants) and, if set, ``when_same`` (two equal positions)
    imply ``cur[left]`` is one of ``values`` or, when ``right`` is set, ``cur[left] == cur[right]``."""

    when: tuple[tuple[int, int], ...]
    left: int
    right: int | None = None
    values: tuple[int, ...] = ()
    when_same: tuple[int, int] | None = None
    when_nonzero: tuple[int, ...] = ()  # positions that the guard also requires non-zero

    def formula(self, state: Sequence[z3.BitVecRef]) -> z3.BoolRef:
        guard = [state[p] == c for p, c in self.when] + [state[p] != 0 for p in self.when_nonzero]
        if self.when_same is not None:
            guard.append(state[self.when_same[0]] == state[self.when_same[1]])
        if self.right is not None:
            fact = state[self.left] == state[self.right]
        else:
            fact = z3.Or([state[self.left] == z3.BitVecVal(v, BITS) for v in self.values])
        return z3.Implies(z3.And(guard), fact) if guard else fact

    def holds(self, values: Sequence[int]) -> bool:
        if any(values[p] != c for p, c in self.when) or any(values[p] == 0 for p in self.when_nonzero):
            return True
        if self.when_same is not None and values[self.when_same[0]] != values[self.when_same[1]]:
            return True
        return values[self.left] == values[self.right] if self.right is not None else values[self.left] in self.values


def candidates(enc: Encoding, samples: Iterable[Sequence[int]]) -> list[Lemma]:  # noqa: C901 - predates the limit of 10 (issue 26)
    """Every template instance (module docstring) true on all ``samples`` (encoded states)."""
    kept = enc.kept
    rows = sorted({tuple(s[p] for p in kept) for s in samples})
    if not rows:
        return []
    column = {p: [r[k] for r in rows] for k, p in enumerate(kept)}
    rows_of: dict[int, dict[int, set[int]]] = {}
    for p in kept:
        by_value: dict[int, set[int]] = defaultdict(set)
        for r, v in enumerate(column[p]):
            by_value[v].add(r)
        rows_of[p] = by_value
    every = set(range(len(rows)))
    index = enc.param_pos.get(INDEX)
    bits = [p for p in kept if p in enc.indexed]
    carriers = [p for p in kept if p not in enc.indexed and p != index]
    same_as_index = ({x: {r for r in every if column[x][r] == column[index][r]} for x in carriers}
                     if index is not None and index in column else {})
    out: list[Lemma] = []
    top_const, top_group, top_few = _facts(kept, column, rows_of, every)
    top_group_of = {p: key for key, members in top_group.items() for p in members}
    out += [Lemma((), p, values=(c,)) for p, c in sorted(top_const.items())]
    out += [Lemma((), p, values=vs) for p, vs in sorted(top_few.items())]
    out += [Lemma((), group[0], group[k]) for group in top_group.values() for k in range(1, len(group))]
    for g in bits:
        for h in bits:
            if g != h and g not in top_const and h not in top_const and rows_of[g].get(1, set()) <= rows_of[h].get(1, set()):
                out.append(Lemma(((g, 1),), h, values=(1,)))
    for when, nonzero, chosen in _guards(enc, kept, rows_of):
        if not chosen:
            continue
        guarded = {p for p, _ in when} | set(nonzero)
        const, group, few = _facts([p for p in kept if p not in guarded], column, rows_of, chosen)
        found = [Lemma(when, p, values=(c,)) for p, c in sorted(const.items()) if p not in top_const]
        found += [Lemma(when, p, values=vs) for p, vs in sorted(few.items()) if top_few.get(p) != vs]
        for members in group.values():
            if len({top_group_of.get(p, p) for p in members}) > 1:
                found += [Lemma(when, members[0], members[k]) for k in range(1, len(members))]
        found += _attempt_facts(when, chosen, carriers, bits, const, guarded, same_as_index, rows_of, index)
        out += [dataclasses.replace(lemma, when_nonzero=nonzero) for lemma in found] if nonzero else found
    return list(dict.fromkeys(out))


def _attempt_facts(when: tuple[tuple[int, int], ...], chosen: set[int], carriers: Sequence[int], bits: Sequence[int],
                   const: dict[int, int], guarded: set[int], same_as_index: dict[int, set[int]],
                   rows_of: dict[int, dict[int, set[int]]], index: int | None) -> list[Lemma]:
    """``when /\\ x == opt.index -> g == b`` for the tracked bits ``g`` (module docstring)."""
    out = []
    for x in carriers:
        if x in guarded:
            continue
        hit = chosen & same_as_index.get(x, set())
        if not hit or index is None:
            continue
        for g in bits:
            if g in const:
                continue
            ones = rows_of[g].get(1, set())
            if hit <= ones:
                out.append(Lemma(when, g, values=(1,), when_same=(x, index)))
            elif not hit & ones:
                out.append(Lemma(when, g, values=(0,), when_same=(x, index)))
    return out


def _facts(positions: Sequence[int], column: dict[int, list[int]], rows_of: dict[int, dict[int, set[int]]],
           chosen: set[int]) -> tuple[dict[int, int], dict[tuple[int, ...], list[int]], dict[int, tuple[int, ...]]]:
    """The positions constant over the chosen rows, the groups of equal non-constant ones, and the
    few-valued ones (2 to ``FEW + 1`` values) with their values. To keep the candidate count
    down, few-valued facts are looked for only when the position has at most 64 values in all the
    samples or the rows are fewer than 64 (a heuristic: it decides which candidates exist, never
    whether a proof is sound)."""
    ordered = sorted(chosen)
    first = ordered[0]
    pick = itemgetter(*ordered) if len(ordered) > 1 else (lambda col: (col[first],))
    const: dict[int, int] = {}
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    few: dict[int, tuple[int, ...]] = {}
    for p in positions:
        value = column[p][first]
        if chosen <= rows_of[p][value]:
            const[p] = value
        else:
            picked = tuple(pick(column[p]))
            groups[picked].append(p)
            if len(rows_of[p]) <= 64 or len(chosen) < 64:
                values = set(picked)
                if len(values) <= FEW + 1:
                    few[p] = tuple(sorted(values))
    return const, {k: v for k, v in groups.items() if len(v) > 1}, few


def _guards(enc: Encoding, kept: Sequence[int], rows_of: dict[int, dict[int, set[int]]]  # noqa: C901 - predates the limit of 10 (issue 26)
            ) -> Iterable[tuple[tuple[tuple[int, int], ...], tuple[int, ...], set[int]]]:
    """(guard equalities, guard non-zero positions, the rows they select): control states, link
    slots' messages, and a message with one of its few-valued fields fixed or one of its fields
    non-zero."""
    kept_set = set(kept)
    for p in kept:
        name = enc.names[p]
        if name.endswith(".state"):
            for c, chosen in sorted(rows_of[p].items()):
                yield ((p, c),), (), chosen
        elif name.endswith(".msg"):
            fields = [q for q in range(p + 1, len(enc.names)) if enc.names[q].startswith(name[: -len("msg")] + "f")]
            for c, chosen in sorted(rows_of[p].items()):
                if c == 0:
                    continue
                yield ((p, c),), (), chosen
                for q in fields:
                    if q not in kept_set:
                        continue
                    values = [(d, chosen & rows) for d, rows in sorted(rows_of[q].items())]
                    values = [(d, rows) for d, rows in values if rows]
                    if 1 < len(values) <= FEW:
                        for d, rows in values:
                            yield ((p, c), (q, d)), (), rows
                    if len(values) > 2 and values[0][0] == 0:
                        yield ((p, c),), (q,), chosen - values[0][1]


@dataclass
class HoudiniResult:
    alive: list[int]  # indices into the candidate list that survived
    rounds: int
    seconds: float
    complete: bool  # False: a time-out or an unknown answer stopped the pruning
    detail: str = ""
    cti: Counterexample | None = None  # the step that dropped the goal, if it was dropped


@dataclass(frozen=True)
class Counterexample:
    """A counterexample to induction: a step of ``rule`` (None: an initial state) from a state
    ``before`` that satisfies the alive lemmas to a state ``after`` that breaks the goal."""

    rule: int | None
    before: list[int]
    after: list[int]


def houdini(enc: Encoding, lemmas: Sequence[z3.BoolRef], timeout: float,  # noqa: C901 - predates the limit of 10 (issue 26)
            progress: Callable[[str], None] | None = None, goal: int | None = None) -> HoudiniResult:
    """Prune ``lemmas`` (formulas over ``enc.cur``) to their largest inductive subset containing
    the initial states. Consecution is checked rule by rule, and only for the lemmas that read a
    variable the rule changes (the others keep their value); one incremental QF_BV solver per rule
    and pass holds the alive lemmas and the step, and each round asks it for a step that breaks
    one of the watched lemmas. ``progress`` hears about each pass and, within one, every
    ``PROGRESS_EVERY`` seconds. Once the ``goal`` lemma is dropped the search stops (incomplete)."""
    start = time.perf_counter()
    last_report = start
    alive = set(range(len(lemmas)))
    reads = [enc.reads(f) for f in lemmas]
    primed = _primed(enc, lemmas)
    rounds = 0
    cti: Counterexample | None = None

    def prune(base: list[z3.BoolRef], watched: Sequence[int], after: Sequence[z3.BoolRef]) -> str | None:
        """Drop the watched lemmas that ``base`` lets break, until none can; why it stopped early.
        ``base`` may assume lemmas dropped meanwhile: a state satisfying more lemmas still
        satisfies the alive ones, so every lemma dropped here is rightly dropped (the outer loop
        repeats until a whole pass drops nothing)."""
        nonlocal rounds, alive
        solver = z3.SolverFor("QF_BV")
        solver.add(*base)
        while True:
            targets = [k for k in watched if k in alive]
            if not targets:
                return None
            rounds += 1
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                return "time-out"
            solver.set("timeout", max(1, int(left * 1000)))
            solver.push()
            solver.add(z3.Or([z3.Not(after[k]) for k in targets]))
            answer = solver.check()
            model = solver.model() if answer == z3.sat else None
            solver.pop()
            if answer == z3.unsat:
                return None
            if model is None:
                return cast(str, solver.reason_unknown())  # z3 ships no types; this is Z3's reason, a str
            broken = {k for k in targets if z3.is_false(model.eval(after[k], model_completion=True))}
            if goal in broken:
                nonlocal cti
                cti = counterexample(enc, model, None if phase == "initiation" else rule_no - 1)
            alive -= broken
            report()

    def report(force: bool = False) -> None:
        nonlocal last_report
        now = time.perf_counter()
        if progress is not None and (force or now - last_report >= PROGRESS_EVERY):
            last_report = now
            where = f"pass {passes}, rule {rule_no} of {len(enc.rules)}" if phase == "consecution" else phase
            progress(f"Houdini {where}: {len(alive)} of {len(lemmas)} lemmas alive, {rounds} rounds, "
                     f"{now - start:.0f} s")

    phase, passes, rule_no = "initiation", 0, 0
    stopped = prune([enc.init(enc.cur)], list(range(len(lemmas))), lemmas)
    report(force=True)
    phase = "consecution"
    changed = True
    while stopped is None and changed:
        changed = False
        passes += 1
        for rule_no in range(1, len(enc.rules) + 1):  # (report() reads rule_no)
            rule = enc.rules[rule_no - 1]
            writes = set(rule.updates) & set(enc.kept)
            watched = [k for k in sorted(alive) if reads[k] & writes]
            before = len(alive)
            stopped = prune([*[lemmas[k] for k in sorted(alive)], enc.step(rule, enc.cur, enc.nxt)], watched, primed)
            if stopped is None and goal is not None and goal not in alive:
                stopped = "the goal was dropped"
            if stopped is not None:
                break
            changed = changed or len(alive) < before
        report(force=True)
    if stopped is not None:
        return HoudiniResult(sorted(alive), rounds, time.perf_counter() - start, False, f"{phase}: {stopped}", cti)
    return HoudiniResult(sorted(alive), rounds, time.perf_counter() - start, True, cti=cti)


def counterexample(enc: Encoding, model: z3.ModelRef, rule: int | None) -> Counterexample:
    """The model's states (the next one only for a step of rule number ``rule``; None: an initial state)."""
    before = [model.eval(v, model_completion=True).as_long() for v in enc.cur]
    after = before if rule is None else [model.eval(v, model_completion=True).as_long() for v in enc.nxt]
    return Counterexample(rule, before, after)


def support(enc: Encoding, lemmas: Sequence[z3.BoolRef], alive: Sequence[int], goal: int, timeout: float) -> list[int]:
    """A subset of the inductive ``alive`` lemmas that is inductive too and contains ``goal``.

    Starting from ``{goal}``, each rule's solver (the alive lemmas behind switch literals, and the
    step) is asked for a step that breaks one of the needed lemmas the rule can change; the
    answer is unsat (``alive`` is inductive), and its unsat core names the lemmas that were
    needed for it, which join the set. At the fixpoint every needed lemma that a rule can change
    follows from needed lemmas, and the others keep their value: the set is inductive, and it
    holds initially because all of ``alive`` does. The whole of ``alive`` when time runs out."""
    start = time.perf_counter()
    reads = {k: enc.reads(lemmas[k]) for k in alive}
    primed = dict(zip(alive, _primed(enc, [lemmas[k] for k in alive])))
    switches = {k: z3.Bool(f"support!{k}") for k in alive}
    by_switch = {str(s): k for k, s in switches.items()}
    kept = set(enc.kept)
    checked: list[set[int]] = [set() for _ in enc.rules]
    needed = {goal}
    grew = True
    while grew:
        grew = False
        for r, rule in enumerate(enc.rules):
            writes = set(rule.updates) & kept
            solver = None
            while targets := sorted(k for k in needed - checked[r] if reads[k] & writes):
                left = timeout - (time.perf_counter() - start)
                if left <= 0:
                    return list(alive)
                if solver is None:
                    solver = z3.SolverFor("QF_BV")
                    solver.add(*[z3.Implies(switches[k], lemmas[k]) for k in alive])
                    solver.add(enc.step(rule, enc.cur, enc.nxt))
                solver.set("timeout", max(1, int(left * 1000)))
                solver.push()
                solver.add(z3.Or([z3.Not(primed[k]) for k in targets]))
                answer = solver.check(list(switches.values()))
                core = {by_switch[str(s)] for s in solver.unsat_core()} if answer == z3.unsat else None
                solver.pop()
                if core is None:
                    return list(alive)
                checked[r] |= set(targets)
                if core - needed:
                    needed |= core
                    grew = True
    return sorted(needed)


def _primed(enc: Encoding, lemmas: Sequence[z3.BoolRef]) -> list[z3.BoolRef]:
    """The lemmas over the next state."""
    return [z3.substitute(f, *zip(enc.cur, enc.nxt)) for f in lemmas]


def describe(enc: Encoding, lemmas: Sequence[z3.BoolRef], chosen: Sequence[int]) -> list[str]:
    """The chosen lemmas in the model's words, one line each (property first)."""
    return describe_lemmas(enc, [lemmas[k] for k in chosen])


__all__ = ["Counterexample", "HoudiniResult", "Lemma", "candidates", "counterexample", "describe", "houdini", "support"]
