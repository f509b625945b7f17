"""The checker as a library for any message-passing protocol: build a :class:`Model`, :func:`check` it.

A model is element classes (python-statemachine machines with :class:`~prosecheck.checker.machine.ElementRules`),
named instances of them, bounded FIFO links between instances and, optionally, shared variables
(:class:`~prosecheck.checker.system.Shared`). An instance's name is also its role: a ``Send(to=...)``
names the receiving instance, a shared variable names its writing instances.

Library semantics differ from those of models built from element tables in one place: a message whose transitions are all
disabled by their guards waits at the head of its link (``System.block_on_guards``), as a Promela
receive guarded by a false condition does; it is reported only through the deadlock it may cause.

Properties are expressions over the world (:func:`at` for a control state, ``W("p0.flag")`` for
a variable, ``W("shared.turn")`` for a shared variable), checked on every reached world without
adding any variable to it, so the state count is the model's own:

* ``invariants``: must hold in every reachable world (a Promela ``assert`` at a state ``s`` of
  ``p`` is :func:`assertion`, that is ``Implies(at("p", "s"), condition)``);
* ``reachable``: must hold in some reachable world (so that no verdict is vacuous).

Deadlocks (a world, not at rest, without a successor) and unhandled messages are always checked.
Every counterexample is a shortest one (breadth-first search).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from prosecheck.checker.expr import BinOp, Const, Expr, ExprLike, Ref, Value, lift, substitute
from prosecheck.checker.judge import judge
from prosecheck.checker.machine import Rewrite, compile_element
from prosecheck.checker.search import Exploration, Limits, explore
from prosecheck.checker.system import FAULT_GHOST, Instance, Link, Shared, System, World

HOLDS, VIOLATED, INCONCLUSIVE = "HOLDS", "VIOLATED", "INCONCLUSIVE"


def at(instance: str, state: str) -> Ref:
    """True in the worlds where ``instance`` is in control state ``state`` (resolved by :func:`check`)."""
    return Ref("world", f"{instance}@{state}")


def assertion(instance: str, state: str, condition: ExprLike) -> Expr:
    """A Promela-style ``assert(condition)`` at ``state`` of ``instance``, as an invariant: wherever the
    instance is in that state, the condition holds."""
    return BinOp("implies", at(instance, state), lift(condition))


@dataclass
class Model:
    """Instances, links and shared variables of a message-passing model (see the module docstring).

    ``messages``: each message's field names, in order; ``options``: values for ``O(name)`` in every
    element; ``fault_budget``: how many messages the lossy links may lose in all."""

    messages: Mapping[str, Sequence[str]]
    options: Mapping[str, Value] = field(default_factory=dict)
    shared: list[Shared] = field(default_factory=list)
    fault_budget: int = 0
    _instances: list[tuple[str, type, Mapping[str, Value], Rewrite | None]] = field(default_factory=list)
    _links: list[tuple[tuple[str, ...], str, int, bool]] = field(default_factory=list)

    def add(self, name: str, cls: type, options: Mapping[str, Value] | None = None,
            rewrite: Rewrite | None = None) -> Model:
        """An instance of element class ``cls`` named ``name`` (its role in sends and shared writers)."""
        if any(name == n for n, *_ in self._instances):
            raise ValueError(f"two instances named {name!r}")
        self._instances.append((name, cls, dict(options or {}), rewrite))
        return self

    def link(self, src: str | Sequence[str], dst: str, capacity: int = 1, lossy: bool = False) -> Model:
        """A FIFO of ``capacity`` messages from ``src`` to ``dst``; a ``lossy`` one may lose its head
        message while the model's ``fault_budget`` lasts. ``src`` may name several senders: one FIFO
        they all append to, as a Promela ``chan`` several processes send on (a message taken from it
        cannot be answered with ``REPLY``: see :class:`~prosecheck.checker.system.Link`)."""
        senders = (src,) if isinstance(src, str) else tuple(src)
        if not senders or len(set(senders)) != len(senders):
            raise ValueError(f"link to {dst}: senders {list(senders)} must be one or more distinct instances")
        self._links.append((senders, dst, capacity, lossy))
        return self

    def share(self, name: str, initial: int = 0, writers: Sequence[str] = (),
              range: tuple[int, int] | None = None) -> Model:  # noqa: A002 - reads like the declaration
        """A shared variable every instance may read (``S(name)``) and only ``writers`` may write."""
        self.shared.append(Shared(name, initial, frozenset(writers), range))
        return self

    def system(self) -> System:
        """The compiled transition system (each class compiled once per distinct options)."""
        names = [n for n, *_ in self._instances]
        instances = []
        for name, cls, options, rewrite in self._instances:
            table = compile_element(cls, {**self.options, **options}, self.messages, rewrite)
            instances.append(Instance(name, name, 0, table))
        links = []
        for index, (senders, dst, capacity, lossy) in enumerate(self._links):
            src = "|".join(senders)
            for end in (*senders, dst):
                if end not in names:
                    raise ValueError(f"link {src} -> {dst}: no instance named {end!r}")
            several = tuple(names.index(s) for s in senders) if len(senders) > 1 else ()
            links.append(Link(index, names.index(senders[0]), names.index(dst), f"{src}->{dst}", capacity, lossy,
                              several))
        ghosts = [FAULT_GHOST] if any(lk.lossy for lk in links) else []
        return System(instances, links, ghosts, 1, self.messages, fault_budget=self.fault_budget,
                      shared=tuple(self.shared), block_on_guards=True)


@dataclass(frozen=True)
class Step:
    """One step of a trace: who did what, and the variables it changed (name -> new value)."""

    actor: str
    action: str
    changes: Mapping[str, int]

    def __str__(self) -> str:
        changed = ", ".join(f"{k}={v}" for k, v in self.changes.items())
        return f"{self.actor}: {self.action}" + (f"  [{changed}]" if changed else "")


@dataclass(frozen=True)
class Verdict:
    """A property's verdict and, when a world decided it, the shortest trace to that world."""

    name: str
    kind: str  # "always" | "sometimes" | "deadlock_free" | "messages_handled"
    verdict: str
    trace: tuple[Step, ...] = ()
    detail: str = ""


@dataclass
class Result:
    """What :func:`check` found: the counts, and one verdict per property (built-in ones included)."""

    system: System
    exploration: Exploration
    verdicts: dict[str, Verdict]

    @property
    def states(self) -> int:
        return self.exploration.states

    @property
    def transitions(self) -> int:
        return self.exploration.transitions

    def __getitem__(self, name: str) -> Verdict:
        return self.verdicts[name]

    def text(self) -> str:
        """A plain report: the counts, each verdict, and each counterexample or witness, numbered."""
        lines = [f"{self.states} states, {self.transitions} transitions"
                 + ("" if self.exploration.complete else f" (stopped: {self.exploration.stopped})")]
        for v in self.verdicts.values():
            lines.append(f"{v.name} ({v.kind}): {v.verdict}" + (f" - {v.detail}" if v.detail else ""))
            lines += [f"  {k}. {step}" for k, step in enumerate(v.trace, 1)]
        return "\n".join(lines)


def bind(system: System, expr: ExprLike) -> Expr:
    """A property as an expression over world slots: ``at(p, s)`` becomes ``p.state == index of s``,
    ``W(name)`` the slot of ``name`` (``p.var``, ``p.state``, ``shared.var``)."""
    def replace(ref: Ref) -> Expr | None:
        if ref.scope != "world":
            return None
        name, sep, state = ref.name.partition("@")
        if sep:
            inst = system.instances[system.instance_of(0, name)]
            return BinOp("==", Ref("slot", str(system.group_slot(0, f"{name}.state"))),
                         Const(inst.table.state_index(state)))
        return Ref("slot", str(system.group_slot(0, ref.name)))

    return substitute(lift(expr), replace)


def trace(system: System, exploration: Exploration, world: int) -> tuple[Step, ...]:
    """The shortest path to ``world``, one :class:`Step` per transition."""
    path = exploration.path_to(world)
    names = {slot: name for name, slot in system.slots.items()}
    steps = []
    for before, after in zip(path, path[1:]):
        label = exploration.via[after]
        assert label is not None
        inst = system.instances[label.instance]
        if label.transition < 0:
            action = f"link {system.links[label.link].kind} loses {_message(label.message)}"  # type: ignore[index]
        else:
            action = inst.table.edge(inst.table.transitions[label.transition])
            action += f" on {_message(label.message)}" if label.message is not None else ""
        steps.append(Step(inst.name, action, _changes(exploration.worlds[before], exploration.worlds[after], names)))
    return tuple(steps)


def _message(message: tuple[str, tuple[int, ...]] | None) -> str:
    if message is None:
        return ""
    name, values = message
    return f"{name}({', '.join(map(str, values))})"


def _changes(before: World, after: World, names: Mapping[int, str]) -> dict[str, int]:
    """The slots (below the links) whose value changed; control states are shown by the action."""
    return {names[s]: int(after[s])  # type: ignore[arg-type]
            for s in sorted(names) if before[s] != after[s] and not names[s].endswith(".state")}


def check(model: Model | System, invariants: Mapping[str, ExprLike] | None = None,
          reachable: Mapping[str, ExprLike] | None = None, limits: Limits | None = None) -> Result:
    """Explore every interleaving of ``model`` breadth-first and judge each property (module docstring)."""
    system = model.system() if isinstance(model, Model) else model
    exploration = explore(system, limits or Limits())
    complete = exploration.complete
    verdicts: dict[str, Verdict] = {}
    for kind, props in (("always", invariants or {}), ("sometimes", reachable or {})):
        for name, expr in props.items():
            bound = bind(system, expr)
            found = judge(bound, system.slot_refs(bound), exploration, want=(kind == "sometimes"))
            verdicts[name] = _verdict(system, exploration, name, kind, found.world, complete)
    first_deadlock = exploration.deadlocks[0] if exploration.deadlocks else None
    verdicts["deadlock_free"] = _verdict(system, exploration, "deadlock_free", "deadlock_free", first_deadlock,
                                         complete, f"{len(exploration.deadlocks)} deadlocked world(s)")
    first_unhandled = exploration.unhandled[0] if exploration.unhandled else None
    detail = "" if first_unhandled is None else (
        f"{system.instances[first_unhandled[1].instance].name} has no transition for "
        f"{_message(first_unhandled[1].message)}")
    verdicts["messages_handled"] = _verdict(system, exploration, "messages_handled", "messages_handled",
                                            None if first_unhandled is None else first_unhandled[0], complete, detail)
    return Result(system, exploration, verdicts)


def _verdict(system: System, exploration: Exploration, name: str, kind: str, world: int | None, complete: bool,
             detail: str = "") -> Verdict:
    """A world found refutes an invariant (and the built-ins) and proves a reachability property."""
    if world is None:
        good = kind != "sometimes"
        verdict = (HOLDS if good else VIOLATED) if complete else INCONCLUSIVE
        return Verdict(name, kind, verdict)
    verdict = HOLDS if kind == "sometimes" else VIOLATED
    return Verdict(name, kind, verdict, trace(system, exploration, world), detail if kind != "sometimes" else "")


__all__ = ["HOLDS", "INCONCLUSIVE", "VIOLATED", "Model", "Result", "Step", "Verdict", "assertion", "at", "bind", "check",
           "trace"]
