"""An invariant found by Spacer, or a counterexample to induction, in the model's words.

The invariant is a Z3 formula over the encoding's state variables, which are already named
``instance.var``, ``ghost.fact``, ``a->b.len`` and ``a->b[j].msg``. Comparisons of a control
state or a message slot with a constant are printed with the state's id and the message's name;
anything else is Z3's own infix printing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import z3

from prosecheck.checker.expr import BITS
from prosecheck.checker.symbolic import tables
from prosecheck.checker.symbolic.encode import INDEX, Encoding

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


@dataclass(frozen=True)
class Vocabulary:
    """The model's words for some variables, for :func:`describe_support`.

    ``bits``: a variable that holds one bit (a tracked bit of an indexed mask) by name (or by its
    name without a ``group.`` prefix), with its reading when 1 and when 0. ``every``: how a lemma
    over the tracked index reads (it holds for every value of the index); ``index``: the index's
    name in the text; ``at``: appended to a tracked bit's reading."""

    bits: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    every: str = "for every tracked index i"
    index: str = "i"
    at: str = " at index i"


PLAIN = Vocabulary()
_FIELD = re.compile(r"^(?P<slot>.+\[\d+\])\.f(?P<k>\d+)$")


def describe_support(enc: Encoding, lemmas: Sequence[z3.ExprRef], words: Vocabulary = PLAIN) -> list[str]:
    """Every lemma in words, one line each, in order (no cap): control states and messages by name,
    a message slot's fields by the field's name where the lemma fixes the message, tracked bits and
    the tracked index in the ``words`` of the model, and a lemma that reads the index under its
    quantifier (``for every attempt n: ...``). Tracked bits are read as the bits they are (0 or 1)."""
    return [_Speaker(enc, words).lemma(f) for f in lemmas]


class _Speaker:
    """One lemma in words (:func:`describe_support`)."""

    def __init__(self, enc: Encoding, words: Vocabulary) -> None:
        self.enc = enc
        self.words = words
        self.tracked = {enc.names[p] for p in enc.indexed}
        self.index = f"opt.{INDEX}" if enc.indexed else None
        self.slots: dict[str, str] = {}  # a link slot the lemma's guard fixes -> its message

    def lemma(self, term: z3.ExprRef) -> str:
        self.slots = {}
        table = tables.read(self.enc, term)
        if table is not None:
            return describe_table(self.enc, table)
        text = self.say(term)
        names = {str(v) for v in _constants(term)}
        if self.index is not None and (self.index in names or names & self.tracked):
            return f"{self.words.every}: {text}"
        return text

    def say(self, term: z3.ExprRef) -> str:  # noqa: C901 - one case per connective
        parts = _flat(term)
        if z3.is_implies(term):
            guard = _flat(term.arg(0)) if z3.is_and(term.arg(0)) else [term.arg(0)]
            self._note_messages(term.arg(0))  # the guard's messages name the fields of their slots
            conditions = [self._wrapped(g) if len(guard) > 1 else self.say(g) for g in guard]
            return f"if {' and '.join(conditions)}, then {self.say(term.arg(1))}"
        if z3.is_and(term) or z3.is_or(term):
            if len(parts) == 1:
                return self.say(parts[0])
            if z3.is_and(term):  # a conjunction inside a disjunction: its messages name its fields
                outer = dict(self.slots)
                self._note_messages(term)
                text = " and ".join(self._wrapped(p) for p in parts)
                self.slots = outer
                return text
            if z3.is_or(term) and (same := self._one_of(parts)):
                return same
            word = " and " if z3.is_and(term) else " or "
            return word.join(self._wrapped(p) for p in parts)
        if z3.is_not(term):
            return f"not ({self.say(term.arg(0))})"
        if z3.is_eq(term) and term.num_args() == 2:
            return self._equal(term.arg(0), term.arg(1))
        if z3.is_distinct(term) and term.num_args() == 2:
            return f"{self._value(term.arg(0))} is not {self._value(term.arg(1))}"
        return self._value(term)

    def _wrapped(self, term: z3.ExprRef) -> str:
        text = self.say(term)
        return f"({text})" if (z3.is_and(term) or z3.is_or(term) or z3.is_implies(term)) and len(_flat(term)) > 1 \
            else text

    def _note_messages(self, guard: z3.ExprRef) -> None:
        """The messages that the conjuncts of ``guard`` fix at link slots: their fields are named by
        the message's field names wherever the conjunction reaches (its other conjuncts, the conclusion)."""
        for term in _flat(guard) if z3.is_and(guard) else [guard]:
            if z3.is_eq(term) and term.num_args() == 2:
                for var, value in ((term.arg(0), term.arg(1)), (term.arg(1), term.arg(0))):
                    name = str(var)
                    if z3.is_const(var) and z3.is_bv_value(value) and name.endswith(".msg"):
                        number = value.as_long()
                        if 0 < number <= len(self.enc.messages):
                            self.slots[name[: -len(".msg")]] = self.enc.messages[number - 1]

    def _one_of(self, parts: Sequence[z3.ExprRef]) -> str | None:
        """``x == c1 or x == c2 ...`` over one variable, as one phrase."""
        pairs = [_var_const(p) for p in parts]
        if any(p is None for p in pairs) or len({str(p[0]) for p in pairs if p is not None}) != 1:
            return None
        var = pairs[0][0] if pairs[0] is not None else None
        assert var is not None
        values = [p[1] for p in pairs if p is not None]
        named = [_named(self.enc, var, z3.BitVecVal(v, BITS)) for v in values]
        if all(n is not None for n in named):
            return " or ".join(n for n in named if n is not None)
        return f"{self._value(var)} is {' or '.join(str(v) for v in values)}"

    def _equal(self, left: z3.ExprRef, right: z3.ExprRef) -> str:
        subset = self._subset(left, right)
        if subset is not None:
            return subset
        for var, value in ((left, right), (right, left)):
            if z3.is_bv_value(value) and z3.is_app_of(var, z3.Z3_OP_EXTRACT):
                return f"{self._value(var)} = {value.as_long()}"
            if z3.is_const(var) and z3.is_bv_value(value):
                named = _named(self.enc, var, value)
                if named is not None:
                    return named
                bit = self._bit(str(var), value.as_long())
                if bit is not None:
                    return bit
                return f"{self._value(var)} = {value.as_long()}"
        return f"{self._value(left)} = {self._value(right)}"

    def _bit(self, name: str, value: int) -> str | None:
        if name not in self.tracked or value not in (0, 1):
            return None
        said = self.words.bits.get(name) or self.words.bits.get(name.split(".", 1)[-1])
        if said is None:
            return None
        return said[1 - value] + self.words.at

    def _subset(self, left: z3.ExprRef, right: z3.ExprRef) -> str | None:
        """``(x << i) | (y << i) == y << i`` for tracked bits ``x``, ``y`` and the index ``i``: x implies y."""
        if not (z3.is_app_of(left, z3.Z3_OP_BOR) and left.num_args() == 2):
            return None
        shifted = [_shifted(c, self.index) for c in (*left.children(), right)]
        if any(s is None or s not in self.tracked for s in shifted):
            return None
        x, y, z = shifted
        if y != z or x == y:
            return None
        assert x is not None and y is not None
        return f"{self._bit(x, 1) or x + ' = 1'} implies {self._bit(y, 1) or y + ' = 1'}"

    def _value(self, term: z3.ExprRef) -> str:
        name = str(term)
        if z3.is_const(term) and not z3.is_bv_value(term):
            if name == self.index:
                return self.words.index
            match = _FIELD.match(name)
            if match and match["slot"] in self.slots:
                message = self.slots[match["slot"]]
                fields = self.enc.system.message_fields.get(message, ())
                k = int(match["k"])
                if k < len(fields):
                    return f"{match['slot']}.{fields[k]}"
            return name
        if z3.is_bv_value(term):
            return str(term.as_long())
        if z3.is_app_of(term, z3.Z3_OP_EXTRACT):
            high, low = term.params()
            bits = f"bit {low}" if high == low else f"bits {low}..{high}"
            return f"{bits} of {self._value(term.arg(0))}"
        return name.replace("\n", " ")


def describe_table(enc: Encoding, table: tables.Table) -> str:
    """A table lemma in words: the columns' usual values (:func:`tables.defaults`), then each row as
    what differs from them. Columns are grouped into items: a control state ("a in s"), a link's
    length and slot messages ("l empty", "l holds m", "l holds m, then n"), any other variable
    ("x = 3")."""
    items = _table_items(enc, table.positions)
    usual = tables.defaults(table)
    column = {p: k for k, p in enumerate(table.positions)}

    def said(item: list[int], row: Sequence[int]) -> str:
        return _item_words(enc, item, [row[column[p]] for p in item])

    base = [said(item, usual) for item in items]
    links = [k for k, item in enumerate(items) if enc.names[item[0]].endswith(".len")]
    empty = {k for k in links if base[k].endswith(" empty")}
    every_link = len(empty) == len(enc.system.links) and empty == set(links)
    shown = [b for k, b in enumerate(base) if not (every_link and k in empty)] + (["every link empty"] if every_link else [])
    rows = []
    for n, row in enumerate(table.rows, 1):
        differs = [said(item, row) for k, item in enumerate(items) if said(item, row) != base[k]]
        rows.append(f"({n}) {' and '.join(differs) if differs else 'as said'}")
    control = all(enc.names[p].endswith((".state", ".len", ".msg")) for p in table.positions)
    subject = "the control states and link contents are" if control else \
        f"({', '.join(enc.names[p] for p in table.positions)}) is"
    return (f"{subject} one of {len(table.rows)} combinations, each given by what differs from {', '.join(shown)}: "
            f"{'; '.join(rows)}")


def _table_items(enc: Encoding, positions: Sequence[int]) -> list[list[int]]:
    """The table's columns grouped: a link's length with its slot messages, every other column alone."""
    items: dict[str, list[int]] = {}
    for p in positions:
        name = enc.names[p]
        link = name[: -len(".len")] if name.endswith(".len") else (name.split("[", 1)[0] if name.endswith("].msg")
                                                                     else None)
        items.setdefault(f"link {link}" if link is not None else name, []).append(p)
    return list(items.values())


def _item_words(enc: Encoding, item: Sequence[int], values: Sequence[int]) -> str:
    """One item of a table row in words (:func:`describe_table`)."""
    names = [enc.names[p] for p in item]
    if names[0].endswith(".len") and all(n.endswith("].msg") for n in names[1:]):
        length, slots = values[0], list(values[1:])
        link = names[0][: -len(".len")]
        if (all(0 < m <= len(enc.messages) for m in slots[:length]) and not any(slots[length:])
                and length <= len(slots)):
            if length == 0:
                return f"{link} empty"
            return f"{link} holds " + ", then ".join(enc.messages[m - 1] for m in slots[:length])
    out = []
    for p, v in zip(item, values):
        named = _named(enc, z3.BitVec(enc.names[p], BITS), z3.BitVecVal(v, BITS))
        out.append(named if named is not None else f"{enc.names[p]} = {v}")
    return " and ".join(out)


def _flat(term: z3.ExprRef) -> list[z3.ExprRef]:
    return list(term.children()) if z3.is_and(term) or z3.is_or(term) else [term]


def _var_const(term: z3.ExprRef) -> tuple[z3.ExprRef, int] | None:
    if z3.is_eq(term) and term.num_args() == 2:
        for var, value in ((term.arg(0), term.arg(1)), (term.arg(1), term.arg(0))):
            if z3.is_const(var) and not z3.is_bv_value(var) and z3.is_bv_value(value):
                return var, value.as_long()
    return None


def _shifted(term: z3.ExprRef, index: str | None) -> str | None:
    """The variable ``x`` of ``x << index``."""
    if index is None or not (z3.is_app_of(term, z3.Z3_OP_BSHL) and str(term.arg(1)) == index):
        return None
    return str(term.arg(0)) if z3.is_const(term.arg(0)) else None


def _constants(term: z3.ExprRef) -> set[z3.ExprRef]:
    out: set[z3.ExprRef] = set()
    todo = [term]
    while todo:
        t = todo.pop()
        if z3.is_const(t) and not z3.is_bv_value(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out.add(t)
        elif z3.is_app(t):
            todo += t.children()
    return out


__all__ = ["PLAIN", "Vocabulary", "describe_invariant", "describe_lemmas", "describe_state", "describe_support",
           "describe_table"]
