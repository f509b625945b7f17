"""Random toy systems from a seed, for cross-checking the search against SPIN.

Each system has two or three elements built as real python-statemachine classes at run time:
a few control states, one bounded counter, local decisions and message handlers with random
guards, assignments (modulo 3, so the space stays finite), sends to random peers and a ghost
fact, over FIFO links of capacity 1 or 2. Nothing about them is hand-counted: SPIN counts them.

With ``library=True`` (issue 20) sends may also be conditional (``Send(..., when=...)``, up to two per
effect) and every element's incoming messages share one link written by all its peers (one place
more, capacity 2 or 3); the random
draws of the default systems are unchanged."""

from __future__ import annotations

import random

from statemachine import State, StateMachine

from prosecheck.checker.expr import If, M, V, W
from prosecheck.checker.machine import Effect, ElementRules, Send, Var, compile_element
from prosecheck.checker.system import Instance, Link, System

MESSAGES = {"m0": ("x",), "m1": ("x",), "m2": ()}
KINDS = {"m0": ("value",), "m1": ("value",), "m2": ()}
GUARDS = {"low": V("v") < 2, "high": V("v") >= 1, "zero": V("v") == 0, "odd": (V("v") & 1) == 1,
          "big_x": M("x") >= 1}
_NEXT = If(V("v") < 2, V("v") + 1, 0)


def _conditional(rng: random.Random, peers: list[str], reads_x: bool) -> list[Send]:
    """Up to two sends, each with a random condition (one that may read the handled message's field)."""
    conditions = [V("v") < 2, V("v") == 0, (V("v") & 1) == 1] + ([M("x") >= 1] if reads_x else [])
    out = []
    for _ in range(rng.randint(1, 2)):
        message = rng.choice(sorted(MESSAGES))
        fields = {"x": rng.choice([V("v"), _NEXT])} if MESSAGES[message] else {}
        out.append(Send(rng.choice(peers), message, fields, when=rng.choice(conditions)))
    return out


def _effect(rng: random.Random, name: str, role: str, peers: list[str], reads_x: bool,
            library: bool = False) -> Effect:
    assign = rng.choice([{}, {"v": _NEXT}, {"v": 0}] + ([{"v": M("x")}] if reads_x else []))
    send = []
    if peers and rng.random() < 0.6:
        message = rng.choice(sorted(MESSAGES))
        fields = {"x": rng.choice([V("v"), _NEXT])} if MESSAGES[message] else {}
        send = [Send(rng.choice(peers), message, fields)]
    if library and peers and rng.random() < 0.5:
        send += _conditional(rng, peers, reads_x)
    ghost = {"seen": W("ghost.seen") | (V("v") + 1)} if rng.random() < 0.2 else {}
    return Effect(f"{role} {name}", f"R-{role}-{name}", assign=assign, send=send, ghost=ghost)


def _element(rng: random.Random, role: str, peers: list[str], library: bool = False) -> type:
    """One element class: states s0..sk, a chain of local steps so every state is reachable, plus
    random local decisions and message handlers."""
    states = [State(f"{role} s{i}", initial=(i == 0)) for i in range(rng.randint(2, 3))]
    namespace: dict[str, object] = {f"s{i}": s for i, s in enumerate(states)}
    effects: dict[str, Effect] = {}
    events: dict[str, list] = {}

    def add(event: str, source: State, target: State, reads_x: bool, guard: str | None = None) -> None:
        name = f"e{len(effects)}"
        effects[name] = _effect(rng, name, role, peers, reads_x, library)
        transition = source.to(target, on=name, **({"cond": guard} if guard else {}))
        events.setdefault(event, []).append(transition)

    for i in range(len(states)):  # the chain: s0 -> s1 -> ... -> s0, guarded by the counter
        add("step", states[i], states[(i + 1) % len(states)], False, rng.choice([None, "low", "high", "not zero"]))
    for _ in range(rng.randint(0, 2)):
        add("decide", rng.choice(states), rng.choice(states), False, rng.choice([None, "odd", "not odd"]))
    for message in sorted(MESSAGES):
        for _ in range(rng.randint(0, 2)):
            guard = rng.choice([None, "low", "big_x" if MESSAGES[message] else "zero"])
            add(message, rng.choice(states), rng.choice(states), bool(MESSAGES[message]), guard)
    for event, transitions in events.items():
        combined = transitions[0]
        for t in transitions[1:]:
            combined = combined | t
        namespace[event] = combined
    namespace.update(ROLE=role, TITLE=role, LOCAL_EVENTS=frozenset({"step", "decide"} & set(events)),
                     REST_STATES=frozenset({states[0].id or "s0"}), VARIABLES=(Var("v", 0),), GUARDS=dict(GUARDS),
                     EFFECTS=effects)
    return type(f"Random_{role}", (ElementRules, StateMachine), namespace)


def random_system(seed: int, library: bool = False) -> System:
    """A random system; ``library``: conditional sends and one shared incoming link per element."""
    rng = random.Random(seed)
    roles = [f"r{i}" for i in range(rng.randint(2, 3))]
    tables = []
    for role in roles:
        cls = _element(rng, role, [r for r in roles if r != role], library)
        tables.append(compile_element(cls, {}, MESSAGES))
    instances = [Instance(role, role, 0, table) for role, table in zip(roles, tables)]
    capacity = rng.randint(1, 2)
    links = []
    for b in range(len(roles)) if library else ():
        peers = tuple(a for a in range(len(roles)) if a != b)
        links.append(Link(len(links), peers[0], b, "wire", capacity + 1, senders=peers if len(peers) > 1 else ()))
    for a in range(len(roles)) if not library else ():
        for b in range(len(roles)):
            if a != b:
                links.append(Link(len(links), a, b, "wire", capacity))
    return System(instances, links, ["seen"], 1, MESSAGES, KINDS)
