"""Contradictions between the patent's normative statements, found by Z3.

Every statement (:class:`Statement`) is a constraint ``when -> then`` over the variables of
:mod:`.vocab`, kept with the paragraph id and the quoted words it encodes. The statements of a
method are checked in each **case** the text says can happen (a :class:`Case`: facts with their
own quotes, e.g. "[0263] success or failure" makes "the check fails" a case). In a case the
case facts and the background axioms are hard; every statement is tracked under its id with
``assert_and_track``-style selectors, and every **minimal unsatisfiable subset** (MUS) of the
statements is enumerated MARCO-style (a map solver proposes subsets; unsatisfiable ones are
shrunk to a MUS and blocked upwards, satisfiable ones grown to a maximal satisfiable subset and
blocked downwards), up to a cap and a time-out. A MUS names statements that cannot all hold in
that case. A statement whose condition (``when``) can never hold given the method's other
statements is reported as a **vacuous condition** (the text describes a case that cannot arise).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import z3

from prosecheck.analysis.vocab import AXIOMS


@dataclass(frozen=True)
class Statement:
    """One normative statement: ``when`` (None: always) implies ``then``."""

    sid: str  # paragraph id plus a letter when a paragraph holds several: "0263b"
    method: int
    quote: str  # the words of the text, as written (matched after normalisation)
    then: z3.BoolRef
    when: z3.BoolRef | None = None
    note: str = ""  # how the words were read, where a reading was needed
    reading: tuple[str, int] | None = None  # the model adopts it when this option has this value

    @property
    def paragraph(self) -> str:
        return self.sid[:4]

    def formula(self) -> z3.BoolRef:
        return self.then if self.when is None else z3.Implies(self.when, self.then)


@dataclass(frozen=True)
class Fact:
    paragraph: str
    quote: str
    formula: z3.BoolRef


@dataclass(frozen=True)
class Case:
    """A situation the text says can happen, and the model options that represent it."""

    name: str
    method: int
    facts: tuple[Fact, ...]
    options: tuple[tuple[str, int], ...] = ()


@dataclass
class Contradiction:
    case: str
    statements: list[str]  # statement ids, sorted
    scenarios: dict[str, str] = field(default_factory=dict)  # scenario -> how its reading resolves it ("" = not)


@dataclass
class Vacuous:
    statement: str
    because: list[str]  # statement ids whose conjunction rules the condition out


@dataclass
class MethodResult:
    method: int
    statements: int
    cases: list[str]
    muses: list[Contradiction]
    vacuous: list[Vacuous]
    complete: bool
    unsat_without_case: bool = False


def enumerate_muses(
    hard: Sequence[z3.BoolRef], tracked: dict[str, z3.BoolRef], cap: int = 50, seconds: float = 30.0
) -> tuple[list[list[str]], bool]:
    """Every minimal subset of ``tracked`` that is unsatisfiable with ``hard`` (MARCO); the flag
    says whether the enumeration finished (False: the cap or the time-out stopped it)."""
    deadline = time.perf_counter() + seconds
    names = sorted(tracked)
    selectors = {n: z3.Bool(f"track:{n}") for n in names}
    solver = z3.Solver()
    solver.set("timeout", max(1, int(seconds * 1000)))
    solver.add(*hard)
    for n in names:
        solver.add(z3.Implies(selectors[n], tracked[n]))
    mapper = z3.Solver()
    muses: list[list[str]] = []
    while True:
        if len(muses) >= cap or time.perf_counter() > deadline:
            return sorted(muses), False
        if mapper.check() != z3.sat:
            return sorted(muses), True
        model = mapper.model()
        seed = [n for n in names if not z3.is_false(model.eval(selectors[n]))]
        result = solver.check(*[selectors[n] for n in seed])
        if result == z3.unknown:
            return sorted(muses), False
        if result == z3.sat:
            grown = _grow(solver, selectors, seed, names)
            mapper.add(z3.Or([selectors[n] for n in names if n not in grown] or [z3.BoolVal(False)]))
        else:
            mus = _shrink(solver, selectors, seed)
            muses.append(mus)
            mapper.add(z3.Or([z3.Not(selectors[n]) for n in mus]))


def _grow(solver: z3.Solver, selectors: dict[str, z3.BoolRef], seed: list[str], names: list[str]) -> set[str]:
    grown = set(seed)
    for n in names:
        if n not in grown and solver.check(*[selectors[m] for m in sorted(grown | {n})]) == z3.sat:
            grown.add(n)
    return grown


def _shrink(solver: z3.Solver, selectors: dict[str, z3.BoolRef], seed: list[str]) -> list[str]:
    core_names = {str(c).removeprefix("track:") for c in solver.unsat_core()}
    mus = [n for n in seed if n in core_names]
    for n in list(mus):
        rest = [m for m in mus if m != n]
        if solver.check(*[selectors[m] for m in rest]) == z3.unsat:
            mus = rest
    return sorted(mus)


def check_method(
    method: int, statements: Sequence[Statement], cases: Sequence[Case], cap: int = 50, seconds: float = 30.0
) -> MethodResult:
    """Every MUS of the method's statements in each of its cases, and the vacuous conditions."""
    axioms = [f for _, f in AXIOMS]
    tracked = {s.sid: s.formula() for s in statements}
    muses: list[Contradiction] = []
    complete = True
    for case in cases:
        found, done = enumerate_muses(axioms + [f.formula for f in case.facts], tracked, cap, seconds)
        complete &= done
        muses += [Contradiction(case.name, mus) for mus in found]
    base, done = enumerate_muses(axioms, tracked, cap, seconds)
    complete &= done
    vacuous = []
    if not base:
        for s in statements:
            if s.when is None:
                continue
            others = {k: v for k, v in tracked.items() if k != s.sid}
            found, done = enumerate_muses(axioms + [s.when], others, cap, seconds)
            complete &= done
            # reasons that do not merely restate a contradiction found above; the smallest (then the first
            # by ids) is reported: unique, whatever the solver's state
            reasons = [mus for mus in found if not any(set(m.statements) <= set(mus) for m in muses)]
            if reasons:
                vacuous.append(Vacuous(s.sid, min(reasons, key=lambda mus: (len(mus), mus))))
    return MethodResult(method, len(statements), [c.name for c in cases], muses, vacuous, complete, bool(base))
