"""Three dining philosophers and three forks (shared variables ``fork0..2``, 1 while held).

Philosopher ``i`` takes fork ``i`` (its left), then fork ``i+1 mod 3`` (its right), eats, and puts
both down. When all three hold their left fork, nobody can go on: the classic deadlock. The
asymmetric variant (the last philosopher takes its right fork first) is deadlock-free; the careless
variant takes its second fork without looking, so two neighbours eat with the same fork.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.api import Model, at
from prosecheck.checker.expr import And, Not, S
from prosecheck.checker.machine import Effect, ElementRules

N = 3


def philosopher(first: int, second: int, careless: bool = False) -> type:
    """A philosopher who takes fork ``first``, then fork ``second`` (unchecked when ``careless``)."""

    class Philosopher(ElementRules, StateMachine):
        thinking = State("Thinking", initial=True)
        one_fork = State("Holding one fork")
        eating = State("Eating")
        take_first = thinking.to(one_fork, cond="first_free", on="grab_first")
        take_second = one_fork.to(eating, cond="second_free", on="grab_second")
        put_down = eating.to(thinking, on="release")
        LOCAL_EVENTS = frozenset({"take_first", "take_second", "put_down"})
        REST_STATES = frozenset({"thinking"})
        GUARDS = {"first_free": S(f"fork{first}") == 0,
                  "second_free": True if careless else S(f"fork{second}") == 0}
        EFFECTS = {
            "grab_first": Effect(share={f"fork{first}": 1}),
            "grab_second": Effect(share={f"fork{second}": 1}),
            "release": Effect(share={f"fork{first}": 0, f"fork{second}": 0}),
        }

    return Philosopher


def model(asymmetric: bool = False, careless: bool = False) -> Model:
    """``phil0..2`` around the table; fork ``i`` is written by the two philosophers beside it."""
    m = Model(messages={})
    for i in range(N):
        left, right = i, (i + 1) % N
        first, second = (right, left) if asymmetric and i == N - 1 else (left, right)
        m.add(f"phil{i}", philosopher(first, second, careless and i == 0))
    for j in range(N):
        m.share(f"fork{j}", writers=[f"phil{j}", f"phil{(j - 1) % N}"])
    return m


INVARIANTS = {
    "neighbours_never_eat_together": And(*(Not(And(at(f"phil{i}", "eating"), at(f"phil{(i + 1) % N}", "eating")))
                                          for i in range(N))),
}
REACHABLE = {f"phil{i}_eats": at(f"phil{i}", "eating") for i in range(N)}
