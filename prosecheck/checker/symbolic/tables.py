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

In a certificate's text a table is written compactly (:func:`text`: the variables concatenated
once, each row one hexadecimal constant; about a sixth of the ``or`` of ``and``s Z3 prints), and
read back as the ``or`` of ``and``s (:func:`expand`, called by ``certify.parse``).
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
    ``and``s, each equating the same variables of the encoding with constants; or the compact shape
    of :func:`text`), else None."""
    compact = expand(term)
    found = columns(term if compact is None else compact)
    if found is None:
        return None
    where = {name: p for p, name in enumerate(enc.names)}
    variables, rows = found
    if any(str(v) not in where for v in variables):
        return None
    return Table(tuple(where[str(v)] for v in variables), rows)


Columns = tuple[tuple[z3.BitVecRef, ...], tuple[tuple[int, ...], ...]]
"""A table lemma read without an encoding: its variables (constants) and its rows of values."""


def columns(term: z3.ExprRef) -> Columns | None:
    """The variables and rows of a formula of the shape :meth:`Table.formula` writes (an ``or`` of
    at least two ``and``s, each equating the same distinct variables, in the same order, with
    constants), else None."""
    if not z3.is_or(term) or term.num_args() < 2:
        return None
    variables: tuple[z3.BitVecRef, ...] | None = None
    rows = []
    for conj in term.children():
        if not z3.is_and(conj):
            return None
        pairs = [_var_value(eq) for eq in conj.children()]
        if any(p is None for p in pairs):
            return None
        these = tuple(p[0] for p in pairs if p is not None)
        if variables is None:
            variables = these
            if len({v.get_id() for v in these}) != len(these):
                return None
        if [v.get_id() for v in these] != [v.get_id() for v in variables]:
            return None
        rows.append(tuple(p[1] for p in pairs if p is not None))
    assert variables is not None
    return variables, tuple(rows)


def _var_value(eq: z3.ExprRef) -> tuple[z3.BitVecRef, int] | None:
    """``x = c`` (either way round) for a bit-vector variable ``x`` and a constant ``c``."""
    if not (z3.is_eq(eq) and eq.num_args() == 2):
        return None
    var, value = eq.arg(0), eq.arg(1)
    if z3.is_bv_value(var):
        var, value = value, var
    if not (z3.is_const(var) and not z3.is_bv_value(var) and z3.is_bv_value(value)
            and var.decl().kind() == z3.Z3_OP_UNINTERPRETED):
        return None
    assert isinstance(var, z3.BitVecRef) and isinstance(value, z3.BitVecNumRef)
    return var, value.as_long()


ROW = "row"
"""The name :func:`text` binds the concatenated variables to."""


def text(term: z3.ExprRef) -> str | None:
    """A table lemma (:func:`columns`) as compact SMT-LIB text, one line: its variables concatenated
    once, and each row one bit-vector constant of all its values (hexadecimal, the first variable
    in the highest digits)::

        (let ((row (concat a.state b.state l.len))) (or (= row #x000000000000) (= row #x000100000001)))

    Equivalent to the ``or`` of ``and``s: a concatenation equals a constant exactly when each part
    equals its digits. None for any other formula, or a table of one variable or of variables whose
    width is not a whole number of hexadecimal digits (written as they are)."""
    found = columns(term)
    if found is None:
        return None
    variables, rows = found
    if len(variables) < 2 or any(v.size() % 4 for v in variables):
        return None
    names = " ".join(v.sexpr() for v in variables)

    def constant(row: Sequence[int]) -> str:
        return "#x" + "".join(format(x, f"0{v.size() // 4}x") for v, x in zip(variables, row))

    return f"(let (({ROW} (concat {names}))) (or {' '.join(f'(= {ROW} {constant(r)})' for r in rows)}))"


def expand(term: z3.ExprRef) -> z3.BoolRef | None:
    """The compact shape of :func:`text` as Z3 reads it back (an ``or`` of at least two equalities
    of one concatenation of distinct variables with constants) written as :meth:`Table.formula`
    writes a table: an ``or`` of ``and``s of equalities, the variables in concatenation order.
    None for any other formula."""
    found = _compact(term)
    if found is None:
        return None
    variables, values = found
    sizes = [v.size() for v in variables]
    equal: dict[tuple[int, int], z3.BoolRef] = {}  # each (variable, value) built once: rows repeat them
    rows = []
    for number in values:
        conj, shift = [], sum(sizes)
        for k, (v, size) in enumerate(zip(variables, sizes)):
            shift -= size
            x = (number >> shift) & ((1 << size) - 1)
            if (k, x) not in equal:
                equal[k, x] = v == z3.BitVecVal(x, size)
            conj.append(equal[k, x])
        rows.append(z3.And(conj))
    return z3.Or(rows)


def _compact(term: z3.ExprRef) -> tuple[list[z3.BitVecRef], list[int]] | None:
    """The variables of the one concatenation and the constants it is equated with in the
    compact shape (:func:`expand`), else None."""
    if not z3.is_or(term) or term.num_args() < 2:
        return None
    concatenation, values = None, []
    for eq in term.children():
        if not (z3.is_eq(eq) and eq.num_args() == 2):
            return None
        joined, value = eq.arg(0), eq.arg(1)
        if z3.is_bv_value(joined):
            joined, value = value, joined
        if not (z3.is_app_of(joined, z3.Z3_OP_CONCAT) and z3.is_bv_value(value)):
            return None
        if concatenation is None:
            concatenation = joined
        if joined.get_id() != concatenation.get_id():  # Z3 shares equal terms: one concatenation, one id
            return None
        assert isinstance(value, z3.BitVecNumRef)
        values.append(value.as_long())
    assert concatenation is not None
    variables = _concatenated(concatenation)
    if variables is None or len({v.get_id() for v in variables}) != len(variables):
        return None
    return variables, values


def _concatenated(term: z3.ExprRef) -> list[z3.BitVecRef] | None:
    """The variables a concatenation joins, highest first (nested concatenations flattened); None
    when a part is not a variable."""
    if z3.is_app_of(term, z3.Z3_OP_CONCAT):
        out: list[z3.BitVecRef] = []
        for part in term.children():
            inner = _concatenated(part)
            if inner is None:
                return None
            out += inner
        return out
    if z3.is_const(term) and not z3.is_bv_value(term) and term.decl().kind() == z3.Z3_OP_UNINTERPRETED:
        assert isinstance(term, z3.BitVecRef)
        return [term]
    return None


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

__all__ = ["MAX_ROWS", "ROW", "SMALL", "Columns", "Shrunk", "Table", "columns", "control_positions", "defaults",
           "expand", "read", "sampled", "shrink", "text", "widen"]
