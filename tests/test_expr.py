"""One rule, two readings: the concrete evaluation and the Z3 term of an expression agree."""

from __future__ import annotations

import itertools

import pytest
import z3

from prosecheck.checker.expr import BITS, And, Const, If, Implies, Not, Or, W, evaluate, render, substitute, to_z3

X, Y = W("x"), W("y")
EXPRESSIONS = [
    X + Y, X - Y, X & Y, X | Y, X ^ Y, X << 2, (X << 4) >> 2, X == Y, X != Y, X < Y, X <= Y, X > Y, X >= Y,
    And(X > 0, Y > 0), Or(X == 0, Y == 3), Not(X == Y), Implies(X > 1, Y > 1), If(X > Y, X, Y),
    X.bit(Y), X.with_bit(Y), ((X | Y) == Y),
    X * Y, X * 3 + Y, 2 * X, 1 - X, ~X, ~X & Y, (X - Y) * (X + 1), X * 20000,
]


def _z3_value(expr, values):
    symbols = {name: z3.BitVecVal(v, BITS) for name, v in values.items()}
    term = z3.simplify(to_z3(expr, lambda scope, name: symbols[name]))
    return z3.is_true(term) if z3.is_bool(term) else term.as_long()


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=[render(e) for e in EXPRESSIONS])
def test_python_and_z3_readings_agree_on_small_values(expr):
    for x, y in itertools.product(range(6), repeat=2):
        py = evaluate(expr, {("world", "x"): x, ("world", "y"): y})
        assert _z3_value(expr, {"x": x, "y": y}) == (py if isinstance(py, bool) else int(py)), (x, y)


def test_constants_fold_when_references_are_substituted():
    expr = And(W("opt") == 1, X > 2)
    assert isinstance(substitute(expr, lambda r: Const(0) if r.name == "opt" else None), Const)
    kept = substitute(expr, lambda r: Const(1) if r.name == "opt" else None)
    assert render(kept) == "(x > 2)"


def test_comparing_expressions_builds_trees_not_booleans():
    assert not isinstance(X == Y, bool)
    with pytest.raises(TypeError):
        X + "text"  # type: ignore[operator]
