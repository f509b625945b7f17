"""The compiled successor engine (issue 19) against the Python search: the same exploration, field by field.

Every toy system, random toy systems and a few real scenarios are explored by both engines; the
results must agree on everything downstream reads: states in the same order, parents, labels,
depths, edges, deadlocks, unhandled messages, fired transitions. The C reading of expressions is
checked against the Python reading on random expressions (Hypothesis).
"""

from __future__ import annotations

import numpy as np
import pytest
import toy
from hypothesis import given, settings
from hypothesis import strategies as st
from random_toys import random_system

from prosecheck.checker import search
from prosecheck.checker.exploration import Exploration, Limits
from prosecheck.checker.expr import (
    _COMPARE,
    C_PRELUDE,
    BinOp,
    Const,
    Expr,
    Ite,
    Not,
    Ref,
    evaluate,
    to_c,
)
from prosecheck.checker.native import build
from prosecheck.checker.native.engine import NativeExploration, explore_native
from prosecheck.checker.system import System

pytestmark = pytest.mark.skipif(build.compiler() is None, reason="no C compiler")


def _python(system: System, limits: Limits = Limits()) -> Exploration:
    return search.explore(system, limits, engine="python")


def assert_same(native: Exploration, python: Exploration) -> None:
    """Every field downstream reads is the same in both explorations."""
    assert isinstance(native, NativeExploration)
    assert native.states == python.states
    assert native.transitions == python.transitions
    assert native.stopped == python.stopped and native.expanded == python.expanded
    assert list(native.worlds) == list(python.worlds)
    assert [int(p) for p in native.parent] == list(python.parent)
    assert list(native.via) == list(python.via)
    assert [int(d) for d in native.depth] == list(python.depth)
    assert native.max_depth == python.max_depth
    assert native.deadlocks == python.deadlocks
    assert native.unhandled == python.unhandled
    assert native.fired == python.fired
    assert native.edges is not None and python.edges is not None
    for w in range(python.edges.expanded):
        (nt, nl), (pt, pl) = native.edges.successors(w), python.edges.successors(w)
        assert list(nt) == list(pt)
        assert [native.via.table[int(i)] for i in nl] == [python.via.table[i] for i in pl]
    for w in range(0, python.states, max(1, python.states // 50)):
        assert native.index_of(python.worlds[w]) == w


TOYS = {
    "ping_pong": toy.ping_pong, "ping_pong cap 2": lambda: toy.ping_pong(3, 2), "counters": toy.counters,
    "counters jump": lambda: toy.counters(3, 3, True), "waiter": toy.waiter, "pairs": toy.ping_pong_pairs,
    "looper": toy.looper_and_counter, "restless looper": lambda: toy.looper_and_counter(2, True),
    "lossy": toy.lossy_ping_pong, "lossy dup": lambda: toy.lossy_ping_pong(2, budget=2, duplication=True),
    "sleepers": toy.sleepers,
}


@pytest.mark.parametrize("name", sorted(TOYS))
def test_toys_explore_the_same_in_c(name: str) -> None:
    system = TOYS[name]()
    assert_same(explore_native(system, Limits(), None), _python(TOYS[name]()))


@pytest.mark.parametrize("seed", range(12))
def test_random_toys_explore_the_same_in_c(seed: int) -> None:
    assert_same(explore_native(random_system(seed), Limits(), None), _python(random_system(seed)))
