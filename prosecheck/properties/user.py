"""Properties written by users in scenario files (``[[properties]]``), as TLC users write
invariants in a ``.cfg``: an id, a kind and a formula over the model's world variables.

A formula is a Python-syntax expression read by :mod:`ast` (never evaluated):

* names: ``ROLE.VAR`` (``ausf.pruk_gen``, ``remote_ue.knr``), ``ROLE.state`` compared with a
  state id (``remote_ue.state == "secured"``), and ``ghost.NAME`` (the ghost facts of
  :data:`prosecheck.model.ghosts.GHOSTS`, e.g. ``ghost.knr_derived``);
* integers and ``true``/``false``; ``+ - & | ^ << >>``; ``== != < <= > >=`` (chains too);
  ``and or not``; ``implies(a, b)`` and ``has_bit(mask, n)`` (bit ``n`` of a mask is set).

Kinds: ``always`` (an invariant), ``sometimes`` (reachability) and ``eventually`` (``trigger ~>
formula`` under fairness, with a ``trigger`` formula). Each formula is bound to every remote UE as
the built-in properties are (:func:`prosecheck.model.build.bind_property`)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from prosecheck.checker.expr import And, Expr, Implies, Not, Or, W, lift
from prosecheck.model.ghosts import GHOSTS
from prosecheck.model.lifecycle import has_bit
from prosecheck.model.spec import SpecRef
from prosecheck.names import did_you_mean
from prosecheck.properties.catalog import Property, StateIs

KINDS = ("always", "sometimes", "eventually")
MAX_FORMULA = 2_000
"""The longest formula text accepted (characters)."""

_BINARY: dict[type[ast.operator], Callable[[Expr, Expr], Expr]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.BitAnd: lambda a, b: a & b,
    ast.BitOr: lambda a, b: a | b, ast.BitXor: lambda a, b: a ^ b, ast.LShift: lambda a, b: a << b,
    ast.RShift: lambda a, b: a >> b,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Expr, Expr], Expr]] = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
}
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
            ast.MatMult: "@", ast.Invert: "~", ast.UAdd: "unary +", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
            ast.NotIn: "not in"}


class FormulaError(ValueError):
    """A formula that cannot be read: one line saying where and why."""


@dataclass(frozen=True)
class Vocabulary:
    """The names a formula may use: each role's variables and states, and the ghost facts."""

    variables: Mapping[str, Sequence[str]]  # role -> variable names
    states: Mapping[str, Sequence[str]]  # role -> state ids

    def names(self) -> list[str]:
        return [*(f"{r}.{v}" for r, vs in self.variables.items() for v in (*vs, "state")),
                *(f"ghost.{g}" for g in GHOSTS)]


def user_property(pid: str, kind: str, formula: str, vocabulary: Vocabulary, trigger: str | None = None,
                  statement: str | None = None, code: str | None = None) -> Property:
    """A :class:`Property` from a scenario file's entry, its formulas read and checked now (not at bind time)."""
    if kind not in KINDS:
        raise FormulaError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if (trigger is None) != (kind != "eventually"):
        raise FormulaError("an 'eventually' property needs a trigger (trigger ~> formula); the others take none")
    goal = _reader(formula, vocabulary, "formula")
    start = _reader(trigger, vocabulary, "trigger") if trigger is not None else None
    text = formula if trigger is None else f"{trigger} ~> {formula}"
    return Property(pid, kind, code or pid, statement or text, SpecRef(), goal, trigger=start, source=f"{kind}: {text}")


def _reader(text: str, vocabulary: Vocabulary, field: str) -> Callable[[StateIs], Expr]:
    """The formula as a function of ``state_is`` (as the catalog's formulas are); errors now."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError(f"{field}: must be a non-empty string")
    if len(text) > MAX_FORMULA:
        raise FormulaError(f"{field}: longer than {MAX_FORMULA} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"{field}: not a formula ({exc.msg} at column {exc.offset or 1})") from None
    _Translate(vocabulary, field, lambda role, state: W(f"{role}.state") == 0).visit(tree.body)  # names checked now

    def formula(state_is: StateIs) -> Expr:
        return lift(_Translate(vocabulary, field, state_is).visit(tree.body))

    return formula


class _Translate:
    """An :mod:`ast` expression to an :class:`Expr`, refusing anything outside the formula language."""

    def __init__(self, vocabulary: Vocabulary, field: str, state_is: StateIs) -> None:
        self.vocabulary, self.field, self.state_is = vocabulary, field, state_is

    def fail(self, node: ast.AST, problem: str) -> FormulaError:
        return FormulaError(f"{self.field}: column {getattr(node, 'col_offset', 0) + 1}: {problem}")

    def visit(self, node: ast.AST) -> Expr:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise self.fail(node, f"{_describe(node)} is not part of the formula language (see docs/scenario-files.md)")
        result: Expr = method(node)
        return result

    def visit_Constant(self, node: ast.Constant) -> Expr:
        if isinstance(node.value, bool) or not isinstance(node.value, int):
            raise self.fail(node, f"{node.value!r}: only integers (and true/false) are values")
        return lift(node.value)

    def visit_Name(self, node: ast.Name) -> Expr:
        if node.id in ("true", "false"):
            return lift(int(node.id == "true"))
        raise self.fail(node, f"unknown name {node.id!r}: write ROLE.VAR, ROLE.state or ghost.NAME")

    def visit_Attribute(self, node: ast.Attribute) -> Expr:
        name = _dotted(node)
        role, _, var = name.partition(".")
        if role == "ghost" and var in GHOSTS:
            return W(name)
        if var != "state" and var in self.vocabulary.variables.get(role, ()):
            return W(name)
        if var == "state" and role in self.vocabulary.states:
            raise self.fail(node, f"{name} is compared with a state id: {name} == \"STATE\"")
        raise self.fail(node, f"unknown variable {name!r}{did_you_mean(name, self.vocabulary.names())}")

    def visit_BinOp(self, node: ast.BinOp) -> Expr:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise self.fail(node, f"operator {_SYMBOLS.get(type(node.op), type(node.op).__name__)} is not supported")
        return op(self.visit(node.left), self.visit(node.right))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Expr:
        if isinstance(node.op, ast.Not):
            return Not(self.visit(node.operand))
        if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            raise self.fail(node, "values are unsigned: no negative numbers")
        raise self.fail(node, f"operator {_SYMBOLS.get(type(node.op), type(node.op).__name__)} is not supported")

    def visit_BoolOp(self, node: ast.BoolOp) -> Expr:
        parts = [self.visit(v) for v in node.values]
        return And(*parts) if isinstance(node.op, ast.And) else Or(*parts)

    def visit_Compare(self, node: ast.Compare) -> Expr:
        left, parts = node.left, []
        for op, right in zip(node.ops, node.comparators):
            parts.append(self._compare(left, op, right))
            left = right
        return And(*parts) if len(parts) > 1 else parts[0]

    def _compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> Expr:
        state = _state_test(left, right)
        if state is not None:
            return self._state(left, op, state) if isinstance(left, ast.Attribute) else self._state(right, op, state)
        compare = _COMPARE.get(type(op))
        if compare is None:
            raise self.fail(left, f"comparison {_SYMBOLS.get(type(op), type(op).__name__)} is not supported")
        return compare(self.visit(left), self.visit(right))

    def _state(self, attribute: ast.expr, op: ast.cmpop, state: str) -> Expr:
        role = _dotted(attribute).partition(".")[0]
        if role not in self.vocabulary.states:
            raise self.fail(attribute, f"unknown role {role!r}{did_you_mean(role, list(self.vocabulary.states))}")
        if state not in self.vocabulary.states[role]:
            raise self.fail(attribute, f"{role} has no state {state!r}; its states: "
                            f"{', '.join(self.vocabulary.states[role])}")
        if not isinstance(op, ast.Eq | ast.NotEq):
            raise self.fail(attribute, "a state is compared with == or != only")
        test = self.state_is(role, state)
        return test if isinstance(op, ast.Eq) else Not(test)

    def visit_Call(self, node: ast.Call) -> Expr:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name not in ("implies", "has_bit") or node.keywords or len(node.args) != 2:
            raise self.fail(node, "the only functions are implies(a, b) and has_bit(mask, n)")
        a, b = (self.visit(arg) for arg in node.args)
        return Implies(a, b) if name == "implies" else has_bit(a, b)


def _state_test(left: ast.expr, right: ast.expr) -> str | None:
    """The state id of ``ROLE.state == "id"`` (either side), else None."""
    for attribute, other in ((left, right), (right, left)):
        if isinstance(attribute, ast.Attribute) and attribute.attr == "state" \
                and isinstance(other, ast.Constant) and isinstance(other.value, str):
            return other.value
    return None


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return ast.unparse(node)


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return f"the string {node.value!r} (a string is only a state id compared with ROLE.state)"
    return f"{type(node).__name__.lower()} {ast.unparse(node)!r}" if isinstance(node, ast.expr) else type(node).__name__
