"""Three symbolic engines over an :class:`~prosecheck.checker.symbolic.encode.Encoding`.

* ``bmc``: bounded model checking. Unroll the rules step by step from the initial condition and
  ask, at each depth ``d <= depth``, for a state that breaks the invariant: the first ``sat`` is
  a shortest counterexample (the same length as the explicit breadth-first search's). Finding
  none proves nothing beyond ``depth`` (UNKNOWN).
* ``kind``: k-induction. Base case as BMC; step case: ``k`` consecutive steps through states
  that satisfy the invariant, ending in one that does not, is unsatisfiable -> PROVED. A true
  but non-inductive invariant keeps the step case satisfiable (a strengthening is needed).
* ``spacer``: constrained Horn clauses, one clause per rule,
  ``Inv(s) /\\ rule(s, s') -> Inv(s')``, ``Init(s) -> Inv(s)`` and ``Inv(s) /\\ not P(s) -> Err``,
  solved by Z3's Spacer engine; ``unsat`` comes with the inductive invariant it found.

Every engine answers with a :class:`SymbolicResult`: PROVED (with an invariant for Spacer and
k-induction), VIOLATED (with the states and rule names of the trace), UNKNOWN (with why).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import z3

from prosecheck.checker.symbolic.encode import Encoding

PROVED, VIOLATED, UNKNOWN = "PROVED", "VIOLATED", "UNKNOWN"
ENGINES = ("spacer", "kind", "bmc")


@dataclass
class SymbolicResult:
    engine: str
    verdict: str
    seconds: float
    depth: int | None = None  # BMC/k-induction: the depth reached; VIOLATED: the trace's steps
    states: list[list[int]] = field(default_factory=list)  # VIOLATED: state values, initial first
    rules: list[int] = field(default_factory=list)  # VIOLATED: index of the rule of each step
    invariant: z3.BoolRef | None = None  # PROVED (spacer): over Encoding.cur
    detail: str = ""
    lines: list[str] = field(default_factory=list)  # PROVED (houdini): the invariant, already in words
    lemmas: list[z3.BoolRef] = field(default_factory=list)  # PROVED: the inductive invariant's lemmas (certify.py)
    cti: dict[str, object] | None = None  # UNKNOWN: a counterexample to induction as data (relative.as_json)


def _model_values(model: z3.ModelRef, state: list[z3.BitVecRef]) -> list[int]:
    return [model.eval(v, model_completion=True).as_long() for v in state]


def _which_rule(enc: Encoding, before: list[int], after: list[int]) -> int:
    """The first rule that takes ``before`` to ``after`` (each step is checked, not assumed)."""
    solver = z3.Solver()
    solver.add(enc.equals(enc.cur, before), enc.equals(enc.nxt, after))
    for k, rule in enumerate(enc.rules):
        solver.push()
        assert rule.formula is not None
        solver.add(rule.formula)
        if solver.check() == z3.sat:
            return k
        solver.pop()
    raise AssertionError("a symbolic step that no rule explains")


def _trace(enc: Encoding, model: z3.ModelRef, states: list[list[z3.BitVecRef]]) -> tuple[list[list[int]], list[int]]:
    values: list[list[int]] = []
    for state in states:
        value = _model_values(model, state)
        if not values or [value[p] for p in enc.kept] != [values[-1][p] for p in enc.kept]:  # drop stutters
            values.append(value)
    return values, [_which_rule(enc, a, b) for a, b in zip(values, values[1:])]


def _within(enc: Encoding, bad: z3.BoolRef, d: int,
            timeout: float) -> tuple[z3.CheckSatResult, list[list[z3.BitVecRef]], z3.ModelRef | str]:
    """Is a state breaking the invariant reachable within ``d`` steps? (a fresh QF_BV solver; a step
    may also stutter, so that a run that stops early still fits)"""
    solver = z3.SolverFor("QF_BV")
    solver.set("timeout", max(1, int(timeout * 1000)))
    states = [enc.state(f"@{k}") for k in range(d + 1)]
    solver.add(enc.init(states[0]))
    for k in range(d):
        stutter = z3.And([states[k][p] == states[k + 1][p] for p in enc.kept])
        solver.add(z3.Or(enc.trans(states[k], states[k + 1], str(k)), stutter))
    solver.add(z3.Or([z3.substitute(bad, *zip(enc.cur, s)) for s in states]))
    answer = solver.check()
    return answer, states, solver.model() if answer == z3.sat else solver.reason_unknown()


def bmc(enc: Encoding, bad: z3.BoolRef, depth: int, timeout: float) -> SymbolicResult:
    """The shortest violation within ``depth`` steps; ``bad`` is over ``enc.cur``.

    One query "within ``depth`` steps", then a binary search on the depth for the shortest
    (each query a fresh bit-blasting solver: faster here than one incremental solver)."""
    start = time.perf_counter()

    def left() -> float:
        return timeout - (time.perf_counter() - start)

    answer, states, model = _within(enc, bad, depth, left())
    if answer != z3.sat:
        detail = (f"no violation within {depth} steps (bounded: proves nothing beyond)" if answer == z3.unsat
                  else f"solver gave up within {depth} steps: {model}")
        return SymbolicResult("bmc", UNKNOWN, time.perf_counter() - start, depth if answer == z3.unsat else None,
                              detail=detail)
    low, high = -1, depth  # no violation within `low` steps; one within `high`
    while high - low > 1:
        mid = (low + high) // 2
        if left() <= 0:
            break
        found, mid_states, mid_model = _within(enc, bad, mid, left())
        if found == z3.sat:
            high, states, model = mid, mid_states, mid_model
        elif found == z3.unsat:
            low = mid
        else:
            break
    assert isinstance(model, z3.ModelRef)
    values, rules = _trace(enc, model, states)
    cut = next(k for k, v in enumerate(values)
               if z3.is_true(z3.simplify(z3.substitute(bad, *zip(enc.cur, [z3.BitVecVal(x, 16) for x in v])))))
    shortest = "" if high - low == 1 else f" (the shortest has more than {low} steps; not minimised: time-out)"
    return SymbolicResult("bmc", VIOLATED, time.perf_counter() - start, cut, values[: cut + 1], rules[:cut],
                          detail=f"violation after {cut} steps{shortest}")


def kind(enc: Encoding, good: z3.BoolRef, depth: int, timeout: float) -> SymbolicResult:
    """k-induction for k = 1..depth (without a simple-path constraint)."""
    start = time.perf_counter()
    base = bmc(enc, z3.Not(good), 0, timeout)
    if base.verdict == VIOLATED:
        base.engine = "kind"
        return base
    step = z3.Solver()
    states = [enc.state("#0")]
    for k in range(1, depth + 1):
        left = timeout - (time.perf_counter() - start)
        if left <= 0:
            break
        states.append(enc.state(f"#{k}"))
        step.add(z3.substitute(good, *zip(enc.cur, states[k - 1])))
        step.add(enc.trans(states[k - 1], states[k], f"k{k}"))
        step.set("timeout", max(1, int(left * 1000)))
        step.push()
        step.add(z3.Not(z3.substitute(good, *zip(enc.cur, states[k]))))
        answer = step.check()
        step.pop()
        if answer == z3.unsat:
            base = bmc(enc, z3.Not(good), k - 1, timeout - (time.perf_counter() - start))
            if base.verdict == VIOLATED:
                base.engine = "kind"
                return base
            if base.depth is None:  # the base case timed out
                break
            return SymbolicResult("kind", PROVED, time.perf_counter() - start, k, invariant=good, lemmas=[good],
                                  detail=f"{k}-inductive: the property itself, over {k} step(s)")
        if answer == z3.unknown:
            break
    found = bmc(enc, z3.Not(good), min(depth, 12), max(0.0, timeout - (time.perf_counter() - start)))
    if found.verdict == VIOLATED:
        found.engine = "kind"
        return found
    return SymbolicResult("kind", UNKNOWN, time.perf_counter() - start, len(states) - 1,
                          detail=f"not k-inductive for k <= {len(states) - 1} (a strengthening is needed; "
                                 "try --engine spacer)")


def spacer(enc: Encoding, good: z3.BoolRef, timeout: float) -> SymbolicResult:
    """Constrained Horn clauses solved by Spacer; the invariant of ``Inv`` on success."""
    start = time.perf_counter()
    fp = z3.Fixedpoint()
    fp.set(engine="spacer")
    fp.set("timeout", max(1, int(timeout * 1000)))
    sort = z3.BitVecSort(16)
    key = enc.key(enc.cur)
    inv = z3.Function("Inv", *([sort] * len(key)), z3.BoolSort())
    err = z3.Function("Err", z3.BoolSort())
    havoc = [h for rule in enc.rules for h in rule.havoc_vars]
    fp.declare_var(*enc.cur, *enc.nxt, *havoc)
    fp.register_relation(inv, err)
    fp.rule(inv(*key), enc.init(enc.cur), name="initial world")
    for rule in enc.rules:
        fp.rule(inv(*enc.key(enc.nxt)), [inv(*key), rule.formula], name=rule.name)
    fp.rule(err(), [inv(*key), z3.Not(good)], name="property broken")
    try:
        answer = fp.query(err())
    except z3.Z3Exception as exc:  # a time-out cancels the query
        reason = "time-out" if "canceled" in str(exc) else str(exc)
        return SymbolicResult("spacer", UNKNOWN, time.perf_counter() - start,
                              detail=f"Spacer: no answer within {timeout:g} s ({reason})")
    seconds = time.perf_counter() - start
    if answer == z3.unsat:
        cover = fp.get_cover_delta(-1, inv)
        invariant = z3.substitute_vars(cover, *key)
        return SymbolicResult("spacer", PROVED, seconds, invariant=invariant, lemmas=[invariant],
                              detail="Spacer found an inductive invariant")
    if answer == z3.sat:
        return SymbolicResult("spacer", VIOLATED, seconds, detail="Spacer: the error is reachable")
    return SymbolicResult("spacer", UNKNOWN, seconds, detail=f"Spacer: {fp.reason_unknown()}")


__all__ = ["ENGINES", "PROVED", "SymbolicResult", "UNKNOWN", "VIOLATED", "bmc", "kind", "spacer"]
