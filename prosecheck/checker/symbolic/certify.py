"""Proof certificates: an inductive invariant stored as SMT-LIB text and re-checked by Z3 alone.

A PROVED result of any engine comes down to a set of lemmas ``I`` over the encoding's state
variables (by name) such that

1. **initiation**: every initial state satisfies ``I``;
2. **consecution**: for every rule, a step from a state satisfying ``I`` reaches a state
   satisfying ``I`` (checked rule by rule, and per rule only for the lemmas that read a variable
   the rule writes: the others read unchanged variables, so they keep their value);
3. **implication**: ``I`` implies the property.

Three unsat answers make ``I`` a proof for every run of the encoded system, whatever engine (or
person) wrote it: nothing of the engine is trusted. The lemmas are stored as SMT-LIB terms
(``z3.ExprRef.sexpr()``; a table lemma in the compact form of :func:`.tables.text`, one
concatenation of its variables and one constant per row, read back as the ``or`` of ``and``s
it stands for) and read back against the variables of a freshly built encoding, so a
lemma over a variable the encoding no longer has is refused, and an invariant that is not
inductive for the encoding as it is today is refused with the obligation that failed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import z3

from prosecheck.checker.expr import BITS
from prosecheck.checker.symbolic import tables
from prosecheck.checker.symbolic.encode import Encoding

TIMEOUT = 60.0
"""Seconds for all the obligations of one certificate; an unknown answer is a failure."""


class CertificateError(ValueError):
    """A stored lemma that does not read back as a formula over the encoding's variables."""


@dataclass(frozen=True)
class Validity:
    """The outcome of re-checking a certificate: ``ok``, or the obligation that failed."""

    ok: bool
    reason: str = ""
    seconds: float = 0.0
    undecided: bool = False  # Z3 gave no answer in time: not an outcome, it may go either way next time


class Failure(NamedTuple):
    """An obligation that did not come out unsat: why, and whether Z3 simply gave no answer."""

    reason: str
    undecided: bool = False


def to_text(lemmas: Sequence[z3.BoolRef]) -> list[str]:
    """The lemmas as SMT-LIB terms, one per lemma (top-level conjunctions split), on one line each
    (Z3's line breaks and indentation folded into single spaces, quoted symbols left as they are);
    a table lemma in its compact form (:func:`.tables.text`)."""
    out: list[str] = []
    for lemma in lemmas:
        for part in lemma.children() if z3.is_and(lemma) else [lemma]:
            compact = tables.text(part)
            out.append(_one_line(part.sexpr()) if compact is None else compact)
    return out


def _one_line(text: str) -> str:
    """``text`` with every run of white space outside ``|quoted symbols|`` folded into one space."""
    parts = re.split(r"(\|[^|]*\|)", text)
    return "".join(p if p.startswith("|") else re.sub(r"\s+", " ", p) for p in parts)


def parse(enc: Encoding, texts: Sequence[str]) -> list[z3.BoolRef]:
    """The stored lemmas as formulas over ``enc.cur``; :class:`CertificateError` names the first
    that is not a Boolean term over the encoding's variables. A table lemma in the compact form
    (:func:`.tables.text`) comes back as the ``or`` of ``and``s it stands for (:func:`.tables.expand`):
    the formula a table was written from, re-checked as fast as before."""
    decls = {name: z3.BitVec(name, BITS) for name in enc.names}
    out = []
    for k, text in enumerate(texts):
        try:
            parsed = z3.parse_smt2_string(f"(assert {text})", decls=decls)
        except z3.Z3Exception as exc:
            raise CertificateError(f"lemma {k + 1} does not read as a formula over the encoding's variables: "
                                   f"{_first_line(exc)}") from None
        if len(parsed) != 1:
            raise CertificateError(f"lemma {k + 1} is not one term")
        table = tables.expand(parsed[0])
        out.append(parsed[0] if table is None else table)
    return out


def validate(enc: Encoding, good: z3.BoolRef, lemmas: Sequence[z3.BoolRef], timeout: float = TIMEOUT) -> Validity:
    """Initiation, implication and consecution (module docstring) of ``lemmas`` for ``enc`` and
    the property ``good``."""
    start = time.perf_counter()
    if not lemmas:
        return Validity(False, "the certificate has no lemmas", 0.0)
    deadline = start + timeout
    invariant = z3.And(*lemmas)
    failed = (_unsat([enc.init(enc.cur), z3.Not(invariant)], deadline, "initiation: an initial state breaks it")
              or _unsat([invariant, z3.Not(good)], deadline, "implication: it does not imply the property")
              or _consecution(enc, lemmas, deadline))
    seconds = time.perf_counter() - start
    return Validity(True, "", seconds) if failed is None else Validity(False, failed.reason, seconds, failed.undecided)


def _consecution(enc: Encoding, lemmas: Sequence[z3.BoolRef], deadline: float) -> Failure | None:
    """The first rule whose step can break a lemma it may change (None: every rule keeps them)."""
    reads = [enc.reads(f) for f in lemmas]
    primed = [z3.substitute(f, *zip(enc.cur, enc.nxt)) for f in lemmas]
    kept = set(enc.kept)
    for rule in enc.rules:
        writes = set(rule.updates) & kept
        watched = [k for k, r in enumerate(reads) if r & writes]
        if not watched:
            continue
        step = rule.formula if rule.formula is not None else enc.step(rule, enc.cur, enc.nxt)
        failed = _unsat([*lemmas, step, z3.Or([z3.Not(primed[k]) for k in watched])],
                        deadline, f"consecution: rule {rule.name} can break it")
        if failed is not None:
            return failed
    return None


def _unsat(facts: Sequence[z3.BoolRef], deadline: float, failure: str) -> Failure | None:
    """None when ``facts`` are unsatisfiable, else ``failure`` (or why Z3 could not tell)."""
    left = deadline - time.perf_counter()
    if left <= 0:
        return Failure(f"{failure.split(':')[0]}: no answer within the time limit", undecided=True)
    found = satisfying(facts, left)
    if found is None:
        return None
    if isinstance(found, str):
        return Failure(f"{failure.split(':')[0]}: Z3 gave no answer ({found})", undecided=True)
    return Failure(failure)


def satisfying(facts: Sequence[z3.BoolRef], seconds: float) -> z3.ModelRef | str | None:
    """A model of ``facts`` (one fresh QF_BV solver, ``seconds`` at most); None when they are
    unsatisfiable; Z3's reason when it gives no answer."""
    solver = z3.SolverFor("QF_BV")
    solver.set("timeout", max(1, int(seconds * 1000)))
    solver.add(*facts)
    answer = solver.check()
    if answer == z3.unsat:
        return None
    if answer == z3.sat:
        return solver.model()
    return str(solver.reason_unknown())


def _first_line(exc: Exception) -> str:
    text = str(exc.args[0] if exc.args else exc)
    text = text.decode() if isinstance(text, bytes) else text
    return text.strip().splitlines()[0][:200] if text.strip() else type(exc).__name__


__all__ = ["TIMEOUT", "CertificateError", "Failure", "Validity", "parse", "satisfying", "to_text", "validate"]
