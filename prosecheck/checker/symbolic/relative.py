"""The table engine: the property made inductive by a table lemma alone, or its counterexample to induction.

A cheap candidate invariant for a property ``P``: ``P`` and a table lemma ``T``
(:mod:`.tables`) of the control variables, the rows sampled from reachable worlds and widened
relative to ``P`` (a step from a state satisfying ``P /\\ T`` reaches a row). Then

1. **initiation**: every initial state satisfies ``P`` (widening already added the initial rows);
2. **consecution**: for every rule that writes a variable ``P`` reads, in rule order,
   ``P /\\ T /\\ step /\\ not P'`` is unsatisfiable (``T'`` holds by widening).

All unsat: PROVED with the certificate ``[T, P]``, re-checked by
:func:`~prosecheck.checker.symbolic.certify.validate` before it is returned (nothing of widening
is trusted). Otherwise UNKNOWN with the first failing obligation's **counterexample to
induction** (CTI): the rule and a state satisfying ``P /\\ T`` whose successor breaks ``P`` (an
initial state that breaks ``P`` is a violation, reported with no rule). When widening gives up
(:data:`~.tables.MAX_ROWS` or its share of the time budget, :data:`WIDENING_SHARE`) the CTI is
taken relative to ``P`` alone (and a ``P`` inductive on its own is PROVED with ``[P]``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import z3

from prosecheck.checker.symbolic import certify, tables
from prosecheck.checker.symbolic.encode import Encoding
from prosecheck.checker.symbolic.houdini import Counterexample, counterexample

PROVED, UNKNOWN = "PROVED", "UNKNOWN"
WIDENING_SHARE = 2 / 3
"""The share of the time budget widening may use: the rest is left for the obligations (and a CTI)."""


@dataclass
class Outcome:
    """The table engine's answer; ``lemmas`` (PROVED) is the re-checked certificate, ``cti`` (UNKNOWN) the
    counterexample to induction when one was found, relative to ``P /\\ T`` (``relative_to_table``) or ``P``."""

    verdict: str
    seconds: float  # CPU seconds
    rows: int = 0  # rows of the widened table (0: no table)
    widened: int = 0  # rows widening added to the sampled ones
    lemmas: list[z3.BoolRef] = field(default_factory=list)
    cti: Counterexample | None = None
    detail: str = ""
    table: tables.Table | None = None  # the widened table (None: widening gave up)

    @property
    def relative_to_table(self) -> bool:
        """Is the CTI relative to ``P /\\ T`` (else to ``P`` alone: widening gave up)?"""
        return self.table is not None


def check(enc: Encoding, good: z3.BoolRef, samples: Iterable[Sequence[int]], timeout: float) -> Outcome:
    """Decide ``good`` with a table lemma (module docstring) within ``timeout`` CPU seconds."""
    start = time.process_time()
    deadline = start + timeout
    first = tables.sampled(enc, samples)
    table = tables.widen(enc, first, [good], start + timeout * WIDENING_SHARE) if first.rows else None
    context = [table.formula(enc.cur)] if table is not None else []
    rows = len(table.rows) if table is not None else 0
    widened = rows - len(first.rows) if table is not None else 0
    failed = _first_failure(enc, good, context, deadline)
    if isinstance(failed, str):
        why = failed if table is not None else f"{_no_table(first)}; then {failed}"
        return Outcome(UNKNOWN, time.process_time() - start, rows, widened, detail=why, table=table)
    if failed is not None:
        why = (f"not inductive relative to a table of {rows} control combinations ({widened} added by widening)"
               if table is not None else f"{_no_table(first)}; not inductive on its own")
        return Outcome(UNKNOWN, time.process_time() - start, rows, widened, cti=failed, detail=why, table=table)
    lemmas = [*context, good]
    left = max(1.0, deadline - time.process_time())
    checked = certify.validate(enc, good, lemmas, timeout=left)
    seconds = time.process_time() - start
    if not checked.ok:
        return Outcome(UNKNOWN, seconds, rows, widened, detail=f"the certificate does not re-check: {checked.reason}",
                       table=table)
    return Outcome(PROVED, seconds, rows, widened, lemmas,
                   detail=(f"inductive relative to a table of {rows} control combinations ({widened} added by "
                           f"widening)" if table is not None else f"inductive on its own ({_no_table(first)})")
                   + "; certificate re-checked", table=table)


def _no_table(first: tables.Table) -> str:
    return ("no sampled control combination" if not first.rows
            else f"widening the table of {len(first.rows)} sampled control combinations gave up (more than "
                 f"{tables.MAX_ROWS} rows, or the time budget)")


def _first_failure(enc: Encoding, good: z3.BoolRef, context: Sequence[z3.BoolRef],
                   deadline: float) -> Counterexample | str | None:
    """The first obligation (initiation, then each rule in order) that fails: its counterexample;
    why when Z3 gives no answer in time; None when all hold."""
    initial = _model([enc.init(enc.cur), z3.Not(good)], deadline)
    if initial is not None:
        return initial if isinstance(initial, str) else counterexample(enc, initial, None)
    reads = enc.reads(good)
    primed = z3.substitute(good, *zip(enc.cur, enc.nxt))
    kept = set(enc.kept)
    for k, rule in enumerate(enc.rules):
        if not set(rule.updates) & kept & reads:
            continue  # the rule keeps every variable the property reads
        step = rule.formula if rule.formula is not None else enc.step(rule, enc.cur, enc.nxt)
        found = _model([*context, good, step, z3.Not(primed)], deadline)
        if found is not None:
            return found if isinstance(found, str) else counterexample(enc, found, k)
    return None


def _model(facts: Sequence[z3.BoolRef], deadline: float) -> z3.ModelRef | str | None:
    """A model of ``facts``; None when they are unsatisfiable; why when Z3 cannot tell in time."""
    left = deadline - time.process_time()
    if left <= 0:
        return "no answer within the time budget"
    found = certify.satisfying(facts, left)
    return f"Z3 gave no answer ({found})" if isinstance(found, str) else found


def shown(enc: Encoding, good: z3.BoolRef, cti: Counterexample) -> set[int]:
    """The positions of a CTI's state before the step worth showing: what the property reads, what
    the rule's conditions read, and what the rule's new values of the property's variables read."""
    reads = enc.reads(good)
    if cti.rule is None:
        return reads
    rule = enc.rules[cti.rule]
    return reads.union(*(enc.reads(c) for c in rule.conds),
                       *(enc.reads(term) for p, term in rule.updates.items() if p in reads))


def as_json(enc: Encoding, good: z3.BoolRef, cti: Counterexample) -> dict[str, object]:
    """A counterexample to induction as data: the rule (None: an initial state), the values before the
    step of the variables :func:`shown` names, and the variables the step changed with their new values."""
    before = {enc.names[p]: cti.before[p] for p in sorted(shown(enc, good, cti))}
    if cti.rule is None:
        return {"rule": None, "before": before, "after": {}}
    return {"rule": enc.rules[cti.rule].name, "before": before,
            "after": {enc.names[p]: cti.after[p] for p in enc.kept if cti.before[p] != cti.after[p]}}


__all__ = ["PROVED", "UNKNOWN", "WIDENING_SHARE", "Outcome", "as_json", "check", "shown"]
