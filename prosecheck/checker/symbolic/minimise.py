"""A minimal inductive support: the fewest lemmas of a certificate that are still a certificate.

Given lemmas ``L`` that pass :func:`~prosecheck.checker.symbolic.certify.validate` for a property
(initiation, consecution rule by rule, implication), :func:`minimise` returns a subset ``S`` that
passes too and is **minimal**: dropping any one lemma of ``S`` breaks consecution or implication.
Initiation needs no search: every lemma of a valid certificate holds initially, so every subset does.

Each lemma ``k`` sits behind a switch literal ``a_k`` (``a_k -> L_k``). One incremental solver
holds the switched lemmas and the property's negation (implication); one per rule holds them and
the rule's step (consecution: asked for a step that breaks one of the subset's lemmas the rule can
change). A check of a subset ``S`` assumes its switches; when every answer is unsat, the union of
the unsat cores names the lemmas those answers used, and that union ``U`` is a certificate on its
own: it implies the property, and every lemma of ``U`` that a rule can change is among those the
rule's step was shown to keep from ``U`` alone.

1. **Cores.** ``S := U`` until it no longer shrinks.
2. **Deletion.** For each lemma ``k``: if ``S - {k}`` is a certificate, ``S := U`` of that check
   (often smaller still). A lemma needed in a larger set may not be needed in a smaller one
   (induction is not monotone), so passes repeat until one drops nothing: then every lemma of
   ``S`` was found needed in ``S`` itself.

The last rule that failed a check is asked first next time (a failing subset usually fails there).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import z3

from prosecheck.checker.symbolic.encode import Encoding

TIMEOUT = 600.0
"""CPU seconds for one minimisation; when they run out the current (valid, perhaps not minimal) subset is returned."""


@dataclass(frozen=True)
class Minimised:
    """The subset kept (indices into the input, in input order) and what it cost."""

    kept: list[int]
    minimal: bool  # False: time ran out (``kept`` is still a certificate) or the input was not one
    seconds: float  # CPU seconds (``time.process_time``)
    checks: int  # subset checks (each up to one solver call per rule, plus implication)
    detail: str = ""


class _Undecided(Exception):
    """Z3 gave no answer within the time left."""


class _Oracle:
    """Incremental solvers that tell whether a subset of the lemmas is a certificate."""

    def __init__(self, enc: Encoding, good: z3.BoolRef, lemmas: Sequence[z3.BoolRef], deadline: float) -> None:
        self.deadline = deadline
        self.switch = [z3.Bool(f"minimise!{k}") for k in range(len(lemmas))]
        self.index = {str(s): k for k, s in enumerate(self.switch)}
        guarded = [z3.Implies(s, f) for s, f in zip(self.switch, lemmas)]
        self.implication = z3.SolverFor("QF_BV")
        self.implication.add(*guarded, z3.Not(good))
        reads = [enc.reads(f) for f in lemmas]
        kept = set(enc.kept)
        self.primed = [z3.substitute(f, *zip(enc.cur, enc.nxt)) for f in lemmas]
        self.rules: list[tuple[z3.Solver, set[int]]] = []
        for rule in enc.rules:
            writes = set(rule.updates) & kept
            watched = {k for k, r in enumerate(reads) if r & writes}
            if not watched:
                continue
            solver = z3.SolverFor("QF_BV")
            solver.add(*guarded, rule.formula if rule.formula is not None else enc.step(rule, enc.cur, enc.nxt))
            self.rules.append((solver, watched))
        self.checks = 0

    def core(self, subset: Collection[int]) -> set[int] | None:
        """The lemmas the unsat answers used when ``subset`` is a certificate (initiation aside), else None."""
        self.checks += 1
        assumed = [self.switch[k] for k in sorted(subset)]
        used = self._unsat_core(self.implication, assumed)
        if used is None:
            return None
        for position, (solver, watched) in enumerate(self.rules):
            targets = [k for k in sorted(subset) if k in watched]
            if not targets:
                continue
            solver.push()
            solver.add(z3.Or([z3.Not(self.primed[k]) for k in targets]))
            found = self._unsat_core(solver, assumed)
            solver.pop()
            if found is None:
                self.rules.insert(0, self.rules.pop(position))  # ask it first next time
                return None
            used |= found
        return used

    def _unsat_core(self, solver: z3.Solver, assumed: list[z3.BoolRef]) -> set[int] | None:
        left = self.deadline - time.process_time()
        if left <= 0:
            raise _Undecided("no answer within the time limit")
        solver.set("timeout", max(1, int(left * 1000)))
        answer = solver.check(*assumed)
        if answer == z3.unknown:
            raise _Undecided(f"Z3 gave no answer ({solver.reason_unknown()})")
        if answer == z3.sat:
            return None
        return {self.index[str(s)] for s in solver.unsat_core()}


def minimise(enc: Encoding, good: z3.BoolRef, lemmas: Sequence[z3.BoolRef], keep: Collection[int] = (),
             timeout: float = TIMEOUT) -> Minimised:
    """A minimal subset of ``lemmas`` (a certificate for ``enc`` and ``good``) that is still one
    (module docstring); the lemmas ``keep`` are kept whether needed or not. The input's own
    initiation is not re-checked here: validate the input first (``certify.validate``)."""
    start = time.process_time()
    oracle = _Oracle(enc, good, lemmas, start + timeout)
    pinned = set(keep)
    current = set(range(len(lemmas)))
    try:
        used = oracle.core(current)
        if used is None:
            return Minimised(sorted(current), False, time.process_time() - start, oracle.checks,
                             "the lemmas are not a certificate (consecution or implication fails)")
        while (smaller := used | pinned) < current:  # 1. cores
            current = smaller
            again = oracle.core(current)
            if again is None:  # cannot happen (module docstring); keep what is known to work
                break
            used = again
        dropped = True
        while dropped:  # 2. deletion, until a whole pass drops nothing
            dropped = False
            for k in sorted(current, reverse=True):
                if k not in current or k in pinned:
                    continue
                used = oracle.core(current - {k})
                if used is not None:
                    current = (used | pinned) & (current - {k})
                    dropped = True
    except _Undecided as why:
        return Minimised(sorted(current), False, time.process_time() - start, oracle.checks, str(why))
    return Minimised(sorted(current), True, time.process_time() - start, oracle.checks)


__all__ = ["TIMEOUT", "Minimised", "minimise"]
