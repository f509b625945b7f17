"""Tiny systems with hand-computed state spaces, for the engine tests (no 5G inside)."""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.expr import M, O, V
from prosecheck.checker.machine import Effect, ElementRules, Send, Var, compile_element, prune_unreachable
from prosecheck.checker.system import Instance, Link, System

MESSAGES = {"ping": ("n",), "pong": (), "other": ()}
KINDS = {"ping": ("counter",), "pong": (), "other": ()}


class Pinger(ElementRules, StateMachine):
    ROLE, TITLE = "pinger", "Pinger"
    idle = State("Idle", initial=True)
    waiting = State("Waiting for pong")
    start = idle.to(waiting, cond="more", on="send_ping")
    pong = waiting.to(idle, on="got_pong")
    LOCAL_EVENTS = frozenset({"start"})
    REST_STATES = frozenset({"idle"})
    VARIABLES = (Var("count", 0),)
    GUARDS = {"more": V("count") < O("pings")}
    EFFECTS = {
        "send_ping": Effect("send ping", "T1", assign={"count": V("count") + 1},
                            send=[Send("ponger", "ping", {"n": V("count") + 1})],
                            ghost={"pings_sent": V("count") + 1}),
        "got_pong": Effect("pong received", "T2"),
    }


class Ponger(ElementRules, StateMachine):
    ROLE, TITLE = "ponger", "Ponger"
    ready = State("Ready", initial=True)
    ping = ready.to(ready, on="answer")
    other = ready.to(ready, on="ignore_other")
    REST_STATES = frozenset({"ready"})
    VARIABLES = (Var("last", 0),)
    GUARDS: dict = {}
    EFFECTS = {
        "answer": Effect("answer with pong", "T3", assign={"last": M("n")}, send=[Send("<reply>", "pong")]),
        "ignore_other": Effect("ignore", "T4", ignore=True),
    }


class Deaf(ElementRules, StateMachine):
    """Has no transition for ``ping``: every ping it receives is unhandled."""

    ROLE, TITLE = "ponger", "Deaf ponger"
    ready = State("Ready", initial=True)
    other = ready.to(ready, on="ignore_other")
    REST_STATES = frozenset({"ready"})
    GUARDS: dict = {}
    EFFECTS = {"ignore_other": Effect("ignore", "T4")}


class Counter(ElementRules, StateMachine):
    """Counts to ``limit`` by local steps, or chooses to jump straight to the limit."""

    ROLE, TITLE = "counter", "Counter"
    counting = State("Counting", initial=True)
    tick = counting.to(counting, cond="below", on="increment") | counting.to(counting, cond="below and may_jump",
                                                                             on="jump")
    LOCAL_EVENTS = frozenset({"tick"})
    REST_STATES = frozenset({"counting"})
    VARIABLES = (Var("n", 0),)
    GUARDS = {"below": V("n") < O("limit"), "may_jump": O("jump")}
    EFFECTS = {
        "increment": Effect("n + 1", "T5", assign={"n": V("n") + 1}, choice="step"),
        "jump": Effect("n := limit", "T6", assign={"n": O("limit")}, choice="jump"),
    }


class Waiter(ElementRules, StateMachine):
    """Starts waiting for a pong that nobody sends: a deadlock."""

    ROLE, TITLE = "pinger", "Waiter"
    idle = State("Idle", initial=True)
    waiting = State("Waiting forever")
    start = idle.to(waiting, on="begin")
    pong = waiting.to(idle, on="got_pong")
    LOCAL_EVENTS = frozenset({"start"})
    REST_STATES = frozenset({"idle"})
    GUARDS: dict = {}
    EFFECTS = {"begin": Effect("begin", "T7"), "got_pong": Effect("pong", "T8")}


def ping_pong(pings: int = 2, capacity: int = 1, ponger: type = Ponger) -> System:
    opts = {"pings": pings}
    a = compile_element(Pinger, opts, MESSAGES)
    b = compile_element(ponger, opts, MESSAGES)
    instances = [Instance("pinger", "pinger", 0, a), Instance("ponger", "ponger", 0, b)]
    links = [Link(0, 0, 1, "wire", capacity), Link(1, 1, 0, "wire", capacity)]
    return System(instances, links, ["pings_sent"], 1, MESSAGES, KINDS)


def counters(limit: int = 2, copies: int = 2, jump: bool = False) -> System:
    table = compile_element(Counter, {"limit": limit, "jump": int(jump)}, MESSAGES)
    instances = [Instance(f"counter{i}", f"counter{i}", 0, table) for i in range(copies)]
    return System(instances, [], [], 1, MESSAGES, KINDS)


def waiter() -> System:
    table = compile_element(Waiter, {}, MESSAGES)
    return System([Instance("pinger", "pinger", 0, table)], [], [], 1, MESSAGES, KINDS)


def ping_pong_pairs(pairs: int = 2, pings: int = 2) -> System:
    """``pairs`` independent pinger/ponger pairs, one group each (like identical remote UEs)."""
    opts = {"pings": pings}
    a, b = compile_element(Pinger, opts, MESSAGES), compile_element(Ponger, opts, MESSAGES)
    instances, links = [], []
    for g in range(pairs):
        instances += [Instance(f"pinger.{g + 1}", "pinger", g, a), Instance(f"ponger.{g + 1}", "ponger", g, b)]
        links += [Link(2 * g, 2 * g, 2 * g + 1, "wire", 1), Link(2 * g + 1, 2 * g + 1, 2 * g, "wire", 1)]
    return System(instances, links, ["pings_sent"], pairs, MESSAGES, KINDS)




class Looper(ElementRules, StateMachine):
    """Toggles between on and off forever; at rest in both, so it never blocks a final world
    unless ``rest`` is false, when it is a livelock."""

    ROLE, TITLE = "looper", "Looper"
    on = State("On", initial=True)
    off = State("Off")
    toggle = on.to(off, on="switch_off") | off.to(on, on="switch_on")
    LOCAL_EVENTS = frozenset({"toggle"})
    REST_STATES = frozenset({"on", "off"})
    GUARDS: dict = {}
    EFFECTS = {"switch_off": Effect("off", "T9"), "switch_on": Effect("on", "T10")}


class RestlessLooper(Looper):
    REST_STATES = frozenset()


def looper_and_counter(limit: int = 2, restless: bool = False) -> System:
    """A looper that never stops beside a counter that counts to ``limit``."""
    loop = compile_element(RestlessLooper if restless else Looper, {}, MESSAGES)
    count = compile_element(Counter, {"limit": limit, "jump": 0}, MESSAGES)
    return System([Instance("looper", "looper", 0, loop), Instance("counter", "counter", 0, count)], [], [], 1,
                  MESSAGES, KINDS)


__all__ = ["counters", "looper_and_counter", "ping_pong", "ping_pong_pairs", "prune_unreachable", "waiter"]


class TimedPinger(ElementRules, StateMachine):
    """A pinger whose supervision timer gives up waiting (fires only when nothing is in flight)."""

    ROLE, TITLE = "pinger", "Timed pinger"
    idle = State("Idle", initial=True)
    waiting = State("Waiting for pong")
    start = idle.to(waiting, cond="more", on="send_ping")
    pong = waiting.to(idle, on="got_pong")
    timeout = waiting.to(idle, on="give_up")
    LOCAL_EVENTS = frozenset({"start", "timeout"})
    REST_STATES = frozenset({"idle"})
    VARIABLES = Pinger.VARIABLES
    GUARDS = Pinger.GUARDS
    EFFECTS = {**Pinger.EFFECTS, "give_up": Effect("timer expires: give up", "T11")}


class Sleeper(ElementRules, StateMachine):
    """Busy until its timer fires."""

    ROLE, TITLE = "sleeper", "Sleeper"
    busy = State("Busy", initial=True)
    rest = State("At rest", final=True)
    timeout = busy.to(rest, on="wake")
    LOCAL_EVENTS = frozenset({"timeout"})
    REST_STATES = frozenset()
    GUARDS: dict = {}
    EFFECTS = {"wake": Effect("timer expires", "T12")}


def lossy_ping_pong(pings: int = 1, pinger: type = TimedPinger, budget: int = 1, duplication: bool = False) -> System:
    """Ping-pong whose ping link may lose (or duplicate) ``budget`` messages in all."""
    opts = {"pings": pings}
    a, b = compile_element(pinger, opts, MESSAGES), compile_element(Ponger, opts, MESSAGES)
    instances = [Instance("pinger", "pinger", 0, a), Instance("ponger", "ponger", 0, b)]
    links = [Link(0, 0, 1, "wire", 1, lossy=True), Link(1, 1, 0, "wire", 1)]
    return System(instances, links, ["pings_sent", "link_faults"], 1, MESSAGES, KINDS, fault_budget=budget,
                  duplication=duplication)


def sleepers(copies: int = 2) -> System:
    table = compile_element(Sleeper, {}, MESSAGES)
    return System([Instance(f"sleeper{i}", "sleeper", 0, table) for i in range(copies)], [], [], 1, MESSAGES, KINDS)
