"""A small, pure expression layer: one rule, two readings.

Every guard, effect and property is written once as an :class:`Expr` tree. The search
evaluates it concretely (:func:`compile_py`, a closure over a value lookup), and the judge
translates the same tree to a Z3 term (:func:`to_z3`). Values are small non-negative
integers and booleans; integers become 16-bit bit-vectors in Z3 so that the key-term
encodings (shifts, masks) have exact meaning in both readings.

References name where a value comes from:

* ``local``  – a variable of the acting element (``V("key_gen")``)
* ``msg``    – a field of the message being handled (``M("seq")``)
* ``world``  – any variable of the world, by qualified name (ghost updates, properties)
* ``opt``    – a scenario option, folded to a constant when a scenario is compiled
* ``shared`` – a shared (global) variable of the system (``S("turn")``), for models that declare one
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import z3

Value = int | bool
BITS = 16

_ARITH = {"+", "-", "*", "&", "|", "^", "<<", ">>"}
MASK = (1 << BITS) - 1
_COMPARE = {"==", "!=", "<", "<=", ">", ">="}
_LOGIC = {"and", "or", "implies"}


class Expr:
    """Base class; operators build trees instead of computing values."""

    def __add__(self, other: ExprLike) -> Expr:
        return BinOp("+", self, lift(other))

    def __sub__(self, other: ExprLike) -> Expr:
        return BinOp("-", self, lift(other))

    def __mul__(self, other: ExprLike) -> Expr:
        return BinOp("*", self, lift(other))

    def __radd__(self, other: ExprLike) -> Expr:
        return BinOp("+", lift(other), self)

    def __rsub__(self, other: ExprLike) -> Expr:
        return BinOp("-", lift(other), self)

    def __rmul__(self, other: ExprLike) -> Expr:
        return BinOp("*", lift(other), self)

    def __invert__(self) -> Expr:
        """Bitwise complement in the 16-bit reading: ``x ^ 0xFFFF`` (one tree, so every reader
        of the expression layer, Python, Z3 and the Promela export, agrees without a new node)."""
        return BinOp("^", self, Const(MASK))

    def __lshift__(self, other: ExprLike) -> Expr:
        return BinOp("<<", self, lift(other))

    def __rshift__(self, other: ExprLike) -> Expr:
        return BinOp(">>", self, lift(other))

    def __and__(self, other: ExprLike) -> Expr:
        return BinOp("&", self, lift(other))

    def __or__(self, other: ExprLike) -> Expr:
        return BinOp("|", self, lift(other))

    def __xor__(self, other: ExprLike) -> Expr:
        return BinOp("^", self, lift(other))

    def __eq__(self, other: object) -> Expr:  # type: ignore[override]
        return BinOp("==", self, lift(other))  # type: ignore[arg-type]

    def __ne__(self, other: object) -> Expr:  # type: ignore[override]
        return BinOp("!=", self, lift(other))  # type: ignore[arg-type]

    def __lt__(self, other: ExprLike) -> Expr:
        return BinOp("<", self, lift(other))

    def __le__(self, other: ExprLike) -> Expr:
        return BinOp("<=", self, lift(other))

    def __gt__(self, other: ExprLike) -> Expr:
        return BinOp(">", self, lift(other))

    def __ge__(self, other: ExprLike) -> Expr:
        return BinOp(">=", self, lift(other))

    __hash__ = object.__hash__

    def bit(self, index: ExprLike) -> Expr:
        """True when bit ``index`` of this mask is set."""
        return BinOp("!=", BinOp("&", self, BinOp("<<", Const(1), lift(index))), Const(0))

    def with_bit(self, index: ExprLike) -> Expr:
        """This mask with bit ``index`` set."""
        return BinOp("|", self, BinOp("<<", Const(1), lift(index)))


ExprLike = Expr | int | bool


def lift(value: ExprLike) -> Expr:
    """Wrap a Python constant as an expression; leave expressions as they are."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, (bool, int)):
        return Const(value)
    raise TypeError(f"cannot use {value!r} in an expression")


@dataclass(frozen=True, eq=False)
class Const(Expr):
    value: Value


@dataclass(frozen=True, eq=False)
class Ref(Expr):
    scope: str  # "local" | "msg" | "world" | "opt"
    name: str


@dataclass(frozen=True, eq=False)
class BinOp(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, eq=False)
class Not(Expr):
    arg: Expr


@dataclass(frozen=True, eq=False)
class Ite(Expr):
    cond: Expr
    then: Expr
    orelse: Expr


def V(name: str) -> Ref:
    """A variable of the acting element."""
    return Ref("local", name)


def M(name: str) -> Ref:
    """A field of the message being handled."""
    return Ref("msg", name)


def W(name: str) -> Ref:
    """A world variable by qualified name (``"server.issued"``, ``"ghost.key_derived"``)."""
    return Ref("world", name)


def S(name: str) -> Ref:
    """A shared variable of the system (:class:`~prosecheck.checker.system.Shared`), readable by every
    element of its group and written only by its declared writers."""
    return Ref("shared", name)


def O(name: str) -> Ref:  # noqa: E743 - reads like the spec's "option"
    """A scenario option (constant once a scenario is chosen)."""
    return Ref("opt", name)


def And(*args: ExprLike) -> Expr:
    items = [lift(a) for a in args]
    if not items:
        return Const(True)
    out = items[0]
    for item in items[1:]:
        out = BinOp("and", out, item)
    return out


def Or(*args: ExprLike) -> Expr:
    items = [lift(a) for a in args]
    if not items:
        return Const(False)
    out = items[0]
    for item in items[1:]:
        out = BinOp("or", out, item)
    return out


def Implies(a: ExprLike, b: ExprLike) -> Expr:
    return BinOp("implies", lift(a), lift(b))


def If(cond: ExprLike, then: ExprLike, orelse: ExprLike) -> Expr:
    return Ite(lift(cond), lift(then), lift(orelse))


def refs(expr: Expr) -> set[tuple[str, str]]:
    """Every (scope, name) the expression reads."""
    if isinstance(expr, Ref):
        return {(expr.scope, expr.name)}
    if isinstance(expr, BinOp):
        return refs(expr.left) | refs(expr.right)
    if isinstance(expr, Not):
        return refs(expr.arg)
    if isinstance(expr, Ite):
        return refs(expr.cond) | refs(expr.then) | refs(expr.orelse)
    return set()


def substitute(expr: Expr, mapping: Callable[[Ref], Expr | None]) -> Expr:
    """Replace references for which ``mapping`` returns an expression; fold constants."""
    if isinstance(expr, Ref):
        replaced = mapping(expr)
        return expr if replaced is None else replaced
    if isinstance(expr, BinOp):
        return _fold(BinOp(expr.op, substitute(expr.left, mapping), substitute(expr.right, mapping)))
    if isinstance(expr, Not):
        arg = substitute(expr.arg, mapping)
        return Const(not arg.value) if isinstance(arg, Const) else Not(arg)
    if isinstance(expr, Ite):
        cond = substitute(expr.cond, mapping)
        then, orelse = substitute(expr.then, mapping), substitute(expr.orelse, mapping)
        if isinstance(cond, Const):
            return then if cond.value else orelse
        return Ite(cond, then, orelse)
    return expr


def _fold(expr: BinOp) -> Expr:
    left, right = expr.left, expr.right
    if isinstance(left, Const) and isinstance(right, Const):
        return Const(_apply(expr.op, left.value, right.value))
    if expr.op == "and":
        for a, b in ((left, right), (right, left)):
            if isinstance(a, Const):
                return b if a.value else Const(False)
    if expr.op == "or":
        for a, b in ((left, right), (right, left)):
            if isinstance(a, Const):
                return Const(True) if a.value else b
    return expr


_CONCRETE: dict[str, Callable[[Value, Value], Value]] = {
    "+": lambda a, b: (a + b) & 0xFFFF,
    "-": lambda a, b: (a - b) & 0xFFFF,
    "*": lambda a, b: (int(a) * int(b)) & 0xFFFF,
    "&": lambda a, b: int(a) & int(b),
    "|": lambda a, b: int(a) | int(b),
    "^": lambda a, b: int(a) ^ int(b),
    "<<": lambda a, b: (int(a) << int(b)) & 0xFFFF,
    ">>": lambda a, b: int(a) >> int(b),
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "and": lambda a, b: bool(a) and bool(b),
    "or": lambda a, b: bool(a) or bool(b),
    "implies": lambda a, b: (not a) or bool(b),
}
"""The concrete reading of each operator: 16-bit wrap-around, as in the Z3 reading."""


def _apply(op: str, a: Value, b: Value) -> Value:
    try:
        return _CONCRETE[op](a, b)
    except KeyError:
        raise ValueError(f"unknown operator {op}") from None


Lookup = Callable[[str, str], Value]


def compile_py(expr: Expr) -> Callable[[Lookup], Value]:
    """A Python closure computing ``expr``; ``lookup(scope, name)`` supplies references."""
    if isinstance(expr, Const):
        value = expr.value
        return lambda lookup: value
    if isinstance(expr, Ref):
        scope, name = expr.scope, expr.name
        return lambda lookup: lookup(scope, name)
    if isinstance(expr, Not):
        arg = compile_py(expr.arg)
        return lambda lookup: not arg(lookup)
    if isinstance(expr, Ite):
        c, t, e = compile_py(expr.cond), compile_py(expr.then), compile_py(expr.orelse)
        return lambda lookup: t(lookup) if c(lookup) else e(lookup)
    if isinstance(expr, BinOp):
        left, right, op = compile_py(expr.left), compile_py(expr.right), expr.op
        if op == "and":
            return lambda lookup: bool(left(lookup)) and bool(right(lookup))
        if op == "or":
            return lambda lookup: bool(left(lookup)) or bool(right(lookup))
        if op == "implies":
            return lambda lookup: (not left(lookup)) or bool(right(lookup))
        fn = _CONCRETE[op]
        return lambda lookup: fn(left(lookup), right(lookup))
    raise TypeError(f"not an expression: {expr!r}")


_C_BINOP = {"+": "(({a} + {b}) & 0xFFFF)", "-": "(({a} - {b}) & 0xFFFF)", "*": "(({a} * {b}) & 0xFFFF)",
            "&": "({a} & {b})", "|": "({a} | {b})",
            "^": "({a} ^ {b})", "<<": "pc_shl({a}, {b})", ">>": "pc_shr({a}, {b})", "and": "({a} && {b})",
            "or": "({a} || {b})", "implies": "(!{a} || {b})", **{op: f"({{a}} {op} {{b}})" for op in _COMPARE}}
"""The C reading of each operator over ``int64_t``: the same 16-bit wrap-around as :data:`_CONCRETE`
(``pc_shl``/``pc_shr`` are defined by :data:`C_PRELUDE`: shifts past the width give what Python gives)."""

C_PRELUDE = """
static inline int64_t pc_shl(int64_t a, int64_t b) { return b >= 64 ? 0 : (int64_t)(((uint64_t)a << b) & 0xFFFF); }
static inline int64_t pc_shr(int64_t a, int64_t b) { return b >= 63 ? (a < 0 ? -1 : 0) : (a >> b); }
"""
"""The helpers :func:`to_c`'s output calls (needs ``<stdint.h>``)."""

CRef = Callable[[str, str], str]


def to_c(expr: Expr, ref: CRef) -> str:
    """The same expression as a C ``int64_t`` expression; ``ref(scope, name)`` gives the C text of a
    reference. Booleans are 0/1, as Python's ``int(True)``; values are assumed non-negative (the
    search's values are 16-bit: every arithmetic result is masked and constants are checked)."""
    if isinstance(expr, Const):
        return f"((int64_t){int(expr.value)})"
    if isinstance(expr, Ref):
        return f"((int64_t){ref(expr.scope, expr.name)})"
    if isinstance(expr, Not):
        return f"(!{to_c(expr.arg, ref)})"
    if isinstance(expr, Ite):
        return f"({to_c(expr.cond, ref)} ? {to_c(expr.then, ref)} : {to_c(expr.orelse, ref)})"
    if isinstance(expr, BinOp):
        if expr.op not in _C_BINOP:
            raise ValueError(f"unknown operator {expr.op}")
        return "((int64_t)" + _C_BINOP[expr.op].format(a=to_c(expr.left, ref), b=to_c(expr.right, ref)) + ")"
    raise TypeError(f"not an expression: {expr!r}")


def constants(expr: Expr) -> list[Value]:
    """Every constant in the expression (the C reading checks they are 16-bit)."""
    if isinstance(expr, Const):
        return [expr.value]
    if isinstance(expr, BinOp):
        return constants(expr.left) + constants(expr.right)
    if isinstance(expr, Not):
        return constants(expr.arg)
    if isinstance(expr, Ite):
        return constants(expr.cond) + constants(expr.then) + constants(expr.orelse)
    return []


def evaluate(expr: Expr, values: Mapping[tuple[str, str], Value]) -> Value:
    """Evaluate with a plain mapping (tests, one-off uses)."""
    return compile_py(expr)(lambda scope, name: values[(scope, name)])


Symbols = Callable[[str, str], "z3.ExprRef"]


def to_z3(expr: Expr, symbol: Symbols) -> z3.ExprRef:
    """The same expression as a Z3 term; ``symbol(scope, name)`` supplies references."""
    if isinstance(expr, Const):
        if isinstance(expr.value, bool):
            return z3.BoolVal(expr.value)
        return z3.BitVecVal(expr.value, BITS)
    if isinstance(expr, Ref):
        return symbol(expr.scope, expr.name)
    if isinstance(expr, Not):
        return z3.Not(_as_bool(to_z3(expr.arg, symbol)))
    if isinstance(expr, Ite):
        return z3.If(_as_bool(to_z3(expr.cond, symbol)), to_z3(expr.then, symbol), to_z3(expr.orelse, symbol))
    if isinstance(expr, BinOp):
        a, b = to_z3(expr.left, symbol), to_z3(expr.right, symbol)
        return _z3_binop(expr.op, a, b)
    raise TypeError(f"not an expression: {expr!r}")


def _as_bool(term: z3.ExprRef) -> z3.BoolRef:
    if z3.is_bool(term):
        return term
    return term != z3.BitVecVal(0, BITS)


def _as_bv(term: z3.ExprRef) -> z3.BitVecRef:
    if z3.is_bool(term):
        return z3.If(term, z3.BitVecVal(1, BITS), z3.BitVecVal(0, BITS))
    return term


def _z3_binop(op: str, a: z3.ExprRef, b: z3.ExprRef) -> z3.ExprRef:
    if op in _LOGIC:
        x, y = _as_bool(a), _as_bool(b)
        return {"and": z3.And, "or": z3.Or, "implies": z3.Implies}[op](x, y)
    if op in ("==", "!=") and z3.is_bool(a) and z3.is_bool(b):
        return a == b if op == "==" else a != b
    x, y = _as_bv(a), _as_bv(b)
    table: dict[str, Callable[[z3.BitVecRef, z3.BitVecRef], z3.ExprRef]] = {
        "+": lambda p, q: p + q,
        "-": lambda p, q: p - q,
        "*": lambda p, q: p * q,
        "&": lambda p, q: p & q,
        "|": lambda p, q: p | q,
        "^": lambda p, q: p ^ q,
        "<<": lambda p, q: p << q,
        ">>": z3.LShR,
        "==": lambda p, q: p == q,
        "!=": lambda p, q: p != q,
        "<": z3.ULT,
        "<=": z3.ULE,
        ">": z3.UGT,
        ">=": z3.UGE,
    }
    return table[op](x, y)


def render(expr: Expr) -> str:
    """A readable infix rendering (diagram labels, reports)."""
    if isinstance(expr, Const):
        return str(expr.value).lower() if isinstance(expr.value, bool) else str(expr.value)
    if isinstance(expr, Ref):
        return expr.name if expr.scope in ("local", "world", "shared") else f"{expr.scope}.{expr.name}"
    if isinstance(expr, Not):
        return f"not ({render(expr.arg)})"
    if isinstance(expr, Ite):
        return f"({render(expr.then)} if {render(expr.cond)} else {render(expr.orelse)})"
    if isinstance(expr, BinOp):
        return f"({render(expr.left)} {expr.op} {render(expr.right)})"
    return repr(expr)


__all__ = [
    "And", "BinOp", "Const", "Expr", "ExprLike", "If", "Implies", "Ite", "M", "Not", "O", "Or",
    "MASK", "Ref", "S", "V", "Value", "W", "compile_py", "constants", "evaluate", "lift", "refs", "render",
    "substitute", "to_c", "to_z3", "_COMPARE", "_ARITH",
]
