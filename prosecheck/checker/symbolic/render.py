"""An invariant found by Spacer, or a counterexample to induction, in the model's words.

The invariant is a Z3 formula over the encoding's state variables, which are already named
``instance.var``, ``ghost.fact``, ``a->b.len`` and ``a->b[j].msg``. Comparisons of a control
state or a message slot with a constant are printed with the state's id and the message's name;
anything else is Z3's own infix printing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import z3

from prosecheck.checker.expr import BITS
from prosecheck.checker.symbolic.encode import Encoding

MAX_LINES = 40
MAX_STATE_ITEMS = 24


def describe_invariant(enc: Encoding, formula: z3.ExprRef) -> list[str]:
    """One line per top-level conjunct, with states and messages by name (at most ``MAX_LINES``)."""
    simple = z3.simplify(formula)
    parts = list(simple.children()) if z3.is_and(simple) else [simple]
    return _capped([_render(enc, p) for p in parts], "conjuncts")


def describe_lemmas(enc: Encoding, formulas: list[z3.ExprRef]) -> list[str]:
    """One line per formula, unsimplified (at most ``MAX_LINES``)."""
    return _capped([_render(enc, f) for f in formulas], "lemmas")


def _capped(lines: list[str], noun: str) -> list[str]:
    """The first ``MAX_LINES`` lines and a count of the rest."""
    if len(lines) <= MAX_LINES:
        return lines
    return lines[:MAX_LINES] + [f"... and {len(lines) - MAX_LINES} more {noun}"]


def _render(enc: Encoding, term: z3.ExprRef) -> str:
    if z3.is_not(term):
        return f"not ({_render(enc, term.arg(0))})"
    if z3.is_and(term) or z3.is_or(term):
        word = " and " if z3.is_and(term) else " or "
        return "(" + word.join(_render(enc, c) for c in term.children()) + ")"
    if z3.is_implies(term):
        return f"({_render(enc, term.arg(0))} implies {_render(enc, term.arg(1))})"
    if z3.is_eq(term) and term.num_args() == 2:
        named = _named(enc, term.arg(0), term.arg(1)) or _named(enc, term.arg(1), term.arg(0))
        if named:
            return named
    return str(term).replace("\n", " ")


def _named(enc: Encoding, var: z3.ExprRef, value: z3.ExprRef) -> str | None:
    if not (z3.is_const(var) and z3.is_bv_value(value)):
        return None
    name, number = str(var), value.as_long()
    if name.endswith(".state"):
        inst_name = name[: -len(".state")]
        for inst in enc.system.instances:
            if inst.name == inst_name and number < len(inst.table.state_ids):
                return f"{inst_name} in {inst.table.state_ids[number]}"
    if name.endswith(".msg"):
        if number == 0:
            return f"{name[: -len('.msg')]} empty"
        if number <= len(enc.messages):
            return f"{name[: -len('.msg')]} holds {enc.messages[number - 1]}"
    return None


def describe_state(enc: Encoding, values: Sequence[int], positions: Iterable[int], zeros: bool = False,
                   limit: int = MAX_STATE_ITEMS) -> str:
    """The chosen positions of an encoded state in the model's words ("server in Key requested",
    "server.seq = 3"), zero-valued data left out unless ``zeros``, at most ``limit`` items."""
    items = []
    for p in sorted(set(positions)):
        name, value = enc.names[p], values[p]
        named = _named(enc, z3.BitVec(name, BITS), z3.BitVecVal(value, BITS))
        if named is not None:
            items.append(named)
        elif value != 0 or zeros:
            items.append(f"{name} = {value}")
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


__all__ = ["describe_invariant", "describe_lemmas", "describe_state"]
