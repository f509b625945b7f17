"""Peterson's mutual exclusion for two processes, over shared variables ``flag0``, ``flag1`` and ``turn``.

Process ``i`` raises its flag, gives the turn to the other, and enters its critical section once
the other's flag is down or the turn is its own. The broken variant gives the turn away *before*
raising its flag, which lets both processes in (the classic mistake).
"""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.api import Model, at
from prosecheck.checker.expr import And, Not, Or, S
from prosecheck.checker.machine import Effect, ElementRules


def process(me: int, turn_first: bool = False) -> type:
    """The element class of process ``me`` (0 or 1); ``turn_first``: the broken order."""
    other = 1 - me
    raise_flag = Effect("raise my flag", share={f"flag{me}": 1})
    give_turn = Effect("give the turn away", share={"turn": other})

    class Process(ElementRules, StateMachine):
        idle = State("Idle", initial=True)
        wanting = State("Wanting")
        waiting = State("Waiting")
        critical = State("Critical section")
        want = idle.to(wanting, on="first")
        prepare = wanting.to(waiting, on="second")
        enter = waiting.to(critical, cond="may_enter", on="enter_cs")
        leave = critical.to(idle, on="lower_flag")
        LOCAL_EVENTS = frozenset({"want", "prepare", "enter", "leave"})
        REST_STATES = frozenset({"idle"})
        GUARDS = {"may_enter": Or(S(f"flag{other}") == 0, S("turn") == me)}
        EFFECTS = {
            "first": give_turn if turn_first else raise_flag,
            "second": raise_flag if turn_first else give_turn,
            "enter_cs": Effect(),
            "lower_flag": Effect("lower my flag", share={f"flag{me}": 0}),
        }

    return Process


def model(turn_first: bool = False) -> Model:
    """Two processes and the three shared variables, each with its writers."""
    m = Model(messages={})
    m.add("p0", process(0, turn_first)).add("p1", process(1, turn_first))
    m.share("flag0", writers=["p0"], range=(0, 1)).share("flag1", writers=["p1"], range=(0, 1))
    m.share("turn", writers=["p0", "p1"], range=(0, 1))
    return m


INVARIANTS = {"mutual_exclusion": Not(And(at("p0", "critical"), at("p1", "critical")))}
REACHABLE = {"p0_enters": at("p0", "critical"), "p1_enters": at("p1", "critical")}
