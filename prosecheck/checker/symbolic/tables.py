"""Table lemmas: the control part of a state is one of a few combinations.

Houdini's templates relate two variables at a time, so the lock-step of the elements' control
states and the links' contents takes dozens of pairwise lemmas ("if a is in s, then b is in t",
"if a is in s, then link l is empty"). One **table lemma** says it at once: the tuple of the
**control variables** (every element's control state, every link's length and slot messages) is
one of ``K`` combinations, the rows of the table::

    (a.state, b.state, l.len, l[0].msg, ...) in {(0, 0, 0, 0, ...), (1, 0, 1, 3, ...), ...}

The rows are taken from reachable worlds (the explicit search's samples), then **widened**: while a
step from a state that satisfies the certificate's lemmas and the table reaches a combination that
is not a row (or an initial state is not one), that combination is added. The rows only choose the
formula; whether it is part of a proof is decided by re-checking the certificate it joins
(:func:`~prosecheck.checker.symbolic.certify.validate`): a table without a reachable row is refused.
A table is one formula, so Houdini cannot prune its rows one by one: it is added after Houdini, to
a certificate, and :func:`shrink` then cuts the certificate to a minimal support, trying the old
lemmas before the table (deletion runs from the last lemma to the first, and the table is first);
then the lemmas that share a conclusion are written as one (:mod:`.grouping`) and the result is
minimised once more at that grain.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import z3

from prosecheck.checker.expr import BITS
from prosecheck.checker.symbolic import grouping, minimise
from prosecheck.checker.symbolic.encode import Encoding

MAX_ROWS = 400
"""A table that widening grows beyond this many rows is given up (it would not read as one lemma)."""
SMALL = 20
"""A certificate of at most this many lemmas reads without a table: :func:`shrink` leaves it to the plain minimisation."""


@dataclass(frozen=True)
class Table:
    """The control variables (positions of the encoding) and the combinations of their values."""

    positions: tuple[int, ...]
    rows: tuple[tuple[int, ...], ...]

    def formula(self, state: Sequence[z3.BitVecRef]) -> z3.BoolRef:
        """``state``'s control variables hold one of the rows (an ``or`` of ``and``s of equalities)."""
        return z3.Or([z3.And([state[p] == z3.BitVecVal(v, BITS) for p, v in zip(self.positions, row)])
                      for row in self.rows])


def control_positions(enc: Encoding) -> list[int]:
    """The kept control variables: control states (``x.state``) and link occupancy (``l.len``, ``l[j].msg``)."""
    return [p for p in enc.kept if enc.names[p].endswith((".state", ".len", ".msg"))]


def sampled(enc: Encoding, samples: Iterable[Sequence[int]]) -> Table:
    """The table of the control combinations in ``samples`` (encoded states)."""
    positions = tuple(control_positions(enc))
    return Table(positions, tuple(sorted({tuple(s[p] for p in positions) for s in samples})))


def widen(enc: Encoding, table: Table, lemmas: Sequence[z3.BoolRef], deadline: float) -> Table | None:
    """``table`` with every combination that an initial state has, or that a step reaches from a state
    satisfying ``lemmas`` and the table, added until none is new (module docstring); None when it
    grows past :data:`MAX_ROWS` or the CPU ``deadline`` (``time.process_time``) passes first."""
    rows = set(table.rows)
    initial = z3.SolverFor("QF_BV")
    initial.add(enc.init(enc.cur))
    if not _close(initial, enc.cur, table.positions, rows, deadline):
        return None
    changed = True
    while changed:
        current = Table(table.positions, tuple(sorted(rows)))
        changed = False
        for rule in enc.rules:
            if not set(rule.updates) & set(table.positions):
                continue  # the rule keeps the control variables: every row stays a row
            solver = z3.SolverFor("QF_BV")
            solver.add(*lemmas, current.formula(enc.cur),
                       rule.formula if rule.formula is not None else enc.step(rule, enc.cur, enc.nxt))
            before = len(rows)
            if not _close(solver, enc.nxt, table.positions, rows, deadline):
                return None
            changed = changed or len(rows) > before
    return Table(table.positions, tuple(sorted(rows)))


def _close(solver: z3.Solver, state: Sequence[z3.BitVecRef], positions: Sequence[int], rows: set[tuple[int, ...]],
           deadline: float) -> bool:
    """Add to ``rows`` every combination of ``state`` that ``solver`` allows outside them; False
    when the rows grow past :data:`MAX_ROWS`, Z3 gives no answer, or the deadline passes."""
    for row in rows:
        solver.add(z3.Not(z3.And([state[p] == v for p, v in zip(positions, row)])))
    while True:
        left = deadline - time.process_time()
        if left <= 0 or len(rows) > MAX_ROWS:
            return False
        solver.set("timeout", max(1, int(left * 1000)))
        answer = solver.check()
        if answer == z3.unsat:
            return True
        if answer != z3.sat:
            return False
        model = solver.model()
        row = tuple(model.eval(state[p], model_completion=True).as_long() for p in positions)
        rows.add(row)
        solver.add(z3.Not(z3.And([state[p] == v for p, v in zip(positions, row)])))


def read(enc: Encoding, term: z3.ExprRef) -> Table | None:
    """The table a formula states (the shape :meth:`Table.formula` writes: an ``or`` of at least two
    ``and``s, each equating the same variables of the encoding with constants), else None."""
    if not z3.is_or(term) or term.num_args() < 2:
        return None
    where = {name: p for p, name in enumerate(enc.names)}
    positions: tuple[int, ...] | None = None
    rows = []
    for conj in term.children():
        if not z3.is_and(conj):
            return None
        pairs = []
        for eq in conj.children():
            if not (z3.is_eq(eq) and eq.num_args() == 2):
                return None
            var, value = eq.arg(0), eq.arg(1)
            if z3.is_bv_value(var):
                var, value = value, var
            if not (z3.is_const(var) and not z3.is_bv_value(var) and z3.is_bv_value(value) and str(var) in where):
                return None
            pairs.append((where[str(var)], value.as_long()))
        these = tuple(p for p, _ in pairs)
        if positions is None:
            positions = these
        if these != positions or len(set(these)) != len(these):
            return None
        rows.append(tuple(v for _, v in pairs))
    assert positions is not None
    return Table(positions, tuple(rows))


def defaults(table: Table) -> tuple[int, ...]:
    """Per column, the value of most rows (the smallest on a tie): what the words of a row leave out."""
    out = []
    for k in range(len(table.positions)):
        counts = Counter(row[k] for row in table.rows)
        out.append(min(counts, key=lambda v: (-counts[v], v)))
    return tuple(out)


@dataclass(frozen=True)
class Shrunk:
    """:func:`shrink`'s outcome: the lemmas kept (table last, if kept), the table's rows, and the cost."""

    lemmas: list[z3.BoolRef]
    minimal: bool
    rows: int  # rows of the table tried (0: none tried)
    widened: int  # rows widening added to the sampled ones
    table_kept: bool
    seconds: float  # CPU seconds, widening and minimisation
    checks: int
    detail: str = ""
    merged: int = 0  # lemmas saved by writing those with one conclusion as one (:func:`grouping.merge`)


def shrink(enc: Encoding, good: z3.BoolRef, lemmas: Sequence[z3.BoolRef],
           samples: Callable[[], Iterable[Sequence[int]]], timeout: float = minimise.TIMEOUT) -> Shrunk:
    """A minimal support of the certificate ``lemmas`` with a table lemma tried (module docstring):
    the table from ``samples()`` (called only when a table is tried), widened against ``lemmas``,
    put first so that minimisation tries to drop the old lemmas before it; the table ends last in the
    result. A certificate of at most :data:`SMALL` lemmas, or a table that widening gives up on, is minimised without one."""
    start = time.process_time()
    table, widened = None, 0
    if len(lemmas) > SMALL:
        first = sampled(enc, samples())
        table = widen(enc, first, lemmas, start + timeout / 4) if first.rows else None
        widened = len(table.rows) - len(first.rows) if table is not None else 0
    tried = [table.formula(enc.cur)] if table is not None else []
    whole = [*tried, *lemmas]
    found = minimise.minimise(enc, good, whole, timeout=max(1.0, timeout - (time.process_time() - start)))
    kept_table = bool(tried) and 0 in found.kept
    kept = [whole[k] for k in found.kept if not (tried and k == 0)] + (tried if kept_table else [])
    minimal, checks, detail, merged = found.minimal, found.checks, found.detail, 0
    if found.minimal and len(grouped := grouping.merge(kept)) < len(kept):
        again = minimise.minimise(enc, good, grouped, timeout=max(1.0, timeout - (time.process_time() - start)))
        merged = len(kept) - len(grouped)
        kept = [grouped[k] for k in again.kept]
        minimal, checks, detail = again.minimal, checks + again.checks, again.detail
    return Shrunk(kept, minimal, len(table.rows) if table is not None else 0, widened, kept_table,
                  time.process_time() - start, checks, detail, merged)

__all__ = ["MAX_ROWS", "SMALL", "Shrunk", "Table", "control_positions", "defaults", "read", "sampled", "shrink",
           "widen"]
