"""A world of live python-statemachine machines that re-executes a trace step by step.

Independent of the search: no compiled table, no :class:`~prosecheck.checker.system.System`,
no cached step. Each element instance is a :class:`~prosecheck.checker.live.LiveElement`
(python-statemachine picks the transition and evaluates the raw guards and effects); the links
are FIFO lists of the scenario's capacity; ghost facts are recomputed from each effect's raw
``ghost`` rules and the model's message observers. A step the live machines cannot take, or
that does not produce exactly what the trace records, raises :class:`ReplayFailure`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from statemachine.exceptions import TransitionNotAllowed

from prosecheck.checker.expr import Const, Expr, Value, W, lift
from prosecheck.checker.live import LiveElement, LiveError, evaluate_raw
from prosecheck.checker.machine import REPLY, TIMEOUT
from prosecheck.model.build import capacity_of, elements_of, links_of, options_of, rewrites_of
from prosecheck.model.ghosts import GHOSTS, OBSERVERS
from prosecheck.model.messages import field_kinds, field_names
from prosecheck.model.scenarios import Scenario
from prosecheck.properties.catalog import Property, StateIs

Message = tuple[str, tuple[int, ...]]
Snapshot = dict[str, int | str]


class ReplayFailure(Exception):
    """The trace does not re-execute, or its last world does not show what it claims."""


def transitions_of(cls: Any, state_id: str, event: str) -> list[str]:
    """The effect names of ``cls``'s transitions from ``state_id`` on ``event`` (introspection)."""
    return [str(spec.func) for state in cls.states if state.id == state_id for tr in state.transitions
            if event in {str(e.id) for e in tr.events} for spec in tr.on if not spec.is_convention]


class LiveWorld:
    """One live machine per element instance, the links between them and the ghost facts."""

    def __init__(self, scenario: Scenario) -> None:
        self.options: dict[str, Value] = dict(options_of(scenario))
        rewrites = rewrites_of(scenario.mutants, self.options)
        self.groups = scenario.bounds.remote_ues
        self.fields, self.kinds = field_names(self.options), field_kinds(self.options)
        self.machines: dict[str, LiveElement] = {}
        self.group: dict[str, int] = {}
        self.by_role: dict[tuple[int, str], str] = {}
        for g in range(self.groups):
            for cls in elements_of(scenario):
                name = cls.ROLE if self.groups == 1 else f"{cls.ROLE}.{g + 1}"
                self.machines[name] = LiveElement(cls, self.options, self.fields, rewrites.get(cls.ROLE))
                self.group[name], self.by_role[(g, cls.ROLE)] = g, name
        self.links: dict[tuple[str, str], list[Message]] = {}
        self.link_kind: dict[tuple[str, str], str] = {}
        self.capacity: dict[tuple[str, str], int] = {}
        for g in range(self.groups):
            for a, b, kind in links_of(scenario):
                for src, dst in ((a, b), (b, a)):
                    key = (self.by_role[(g, src)], self.by_role[(g, dst)])
                    self.links[key], self.link_kind[key] = [], kind
                    self.capacity[key] = capacity_of(scenario, src, dst)
        self.ghosts = [dict.fromkeys(GHOSTS, 0) for _ in range(self.groups)]
        self.threats = scenario.threats

    # -- reading the world ----------------------------------------------------------------------
    def prefix(self, group: int) -> str:
        return "" if self.groups == 1 else f"ue{group + 1}."

    def snapshot(self) -> Snapshot:
        """Every world variable by its report name: ``role.state`` (a state id), ``role.var``, ``ghost.fact``."""
        out: Snapshot = {}
        for name, live in self.machines.items():
            out[f"{name}.state"] = live.state
            out.update({f"{name}.{var}": value for var, value in live.local.items()})
        for g, ghosts in enumerate(self.ghosts):
            out.update({f"{self.prefix(g)}ghost.{fact}": value for fact, value in ghosts.items()})
        return out

    def world_reader(self, snap: Snapshot, group: int) -> Callable[[str], Value]:
        """``W(name)`` of one group in a snapshot; a control state reads as its index in the class."""
        def read(name: str) -> Value:
            if name.startswith("ghost."):
                return int(snap[f"{self.prefix(group)}{name}"])
            role, _, rest = name.partition(".")
            inst = self.by_role.get((group, role))
            if inst is None or f"{inst}.{rest}" not in snap:
                raise ReplayFailure(f"the model reads an unknown world variable {name!r}")
            value = snap[f"{inst}.{rest}"]
            if rest == "state":
                return [s.id for s in self.machines[inst].cls.states].index(value)
            return int(value)

        return read

    def evaluate(self, expr: Expr, snap: Snapshot, group: int, local: Mapping[str, Value] | None = None,
                 message: Mapping[str, Value] | None = None) -> Value:
        world = self.world_reader(snap, group)
        scopes: dict[str, Mapping[str, Value]] = {"local": local or {}, "msg": message or {}, "opt": self.options}

        def read(scope: str, name: str) -> Value:
            if scope == "world":
                return world(name)
            try:
                return scopes[scope][name]
            except KeyError:
                raise ReplayFailure(f"cannot read {scope}.{name} here") from None

        return evaluate_raw(expr, read)

    def state_is(self, role: str, state_id: str) -> Expr:
        """The expression "role is in state_id", by the state's position in the class."""
        ids = [s.id for s in self.machines[self.by_role[(0, role)]].cls.states]
        if state_id not in ids:
            raise ReplayFailure(f"{role} has no state {state_id!r}")
        return W(f"{role}.state") == Const(ids.index(state_id))

    # -- one step -------------------------------------------------------------------------------
    def take_head(self, source: str | None, inst: str, event: str, claimed: Message | None,
                  keep: bool = False) -> Message | None:
        """The message the step handles: the head of ``source -> inst``, which must be ``claimed``
        (``keep``: a duplicated delivery, the message stays)."""
        live = self.machines[inst]
        if source is None:
            if event not in live.cls.LOCAL_EVENTS or claimed is not None:
                raise ReplayFailure(f"{inst}: {event} is not a local decision of the {live.role}")
            return None
        queue = self.links.get((source, inst))
        if queue is None:
            raise ReplayFailure(f"there is no link {source} -> {inst}")
        if not queue:
            raise ReplayFailure(f"the link {source} -> {inst} is empty: no message to handle")
        if queue[0] != claimed or event != queue[0][0]:
            raise ReplayFailure(f"the message at the head of {source} -> {inst} is {self.show(queue[0])}, "
                                f"the trace has {inst} handle {event} {self.show(claimed)}")
        return queue[0] if keep else queue.pop(0)

    def _fault(self, source: str | None, inst: str, fault: str) -> None:
        """A loss or duplication must happen on a lossy link, within the fault budget; count it."""
        kind = self.link_kind.get((source or "", inst))
        if kind not in self.threats.lossy_links:
            raise ReplayFailure(f"the link {source} -> {inst} is not lossy in this scenario: no message can be {fault}")
        if fault == "duplicated" and not self.threats.duplication:
            raise ReplayFailure("the scenario's lossy links do not duplicate messages")
        counts = self.ghosts[self.group[inst]]
        if counts["link_faults"] >= self.threats.link_faults:
            raise ReplayFailure(f"the scenario allows {self.threats.link_faults} lost or duplicated message(s) per UE")
        counts["link_faults"] += 1

    def quiet(self, group: int) -> bool:
        """Nothing in flight in the group (a supervision timer may fire)."""
        return not any(queue for (src, _), queue in self.links.items() if self.group[src] == group)

    def _timer_may_fire(self, inst: str) -> bool:
        """SPIN-like ``timeout``: the group is quiet, and no element after ``inst`` (in lifeline order) has a
        timer that could fire."""
        group = self.group[inst]
        if not self.quiet(group):
            return False
        names = [n for n in self.machines if self.group[n] == group]
        return not any(self.enabled(n, TIMEOUT, None, timers=True) for n in names[names.index(inst) + 1:])

    def step(self, inst: str, event: str, effect: str, source: str | None, claimed: Message | None,
             fault: str = "") -> list[dict]:
        """Re-execute one step on the live machine; the sends as ``{"to", "name", "fields"}``. A ``lost``
        message is removed from its link and handled by nobody."""
        if inst not in self.machines:
            raise ReplayFailure(f"the scenario has no element {inst!r}")
        live, group = self.machines[inst], self.group[inst]
        if fault:
            self._fault(source, inst, fault)
        if fault == "lost":
            self.take_head(source, inst, event, claimed)
            return []
        if event == TIMEOUT and source is None and not self._timer_may_fire(inst):
            raise ReplayFailure(f"{inst}'s timer cannot fire: a message is in flight or a later element's timer fires "
                                "first")
        before, local = self.snapshot(), dict(live.local)
        head = self.take_head(source, inst, event, claimed, keep=fault == "duplicated")
        try:
            got = live.step(event, None if head is None else head[1], forced=effect)
        except (LiveError, TransitionNotAllowed) as err:
            raise ReplayFailure(str(err)) from None
        message = {} if head is None else dict(zip(self.fields[head[0]], head[1], strict=True))
        sends = []
        for to, name, values in got.sends:
            dst = source if to == REPLY and source is not None else self.by_role.get((group, to))
            queue = self.links.get((inst, dst or ""))
            if dst is None or queue is None:
                raise ReplayFailure(f"{inst} sends {name} to {to}, which it has no link to")
            if len(queue) >= self.capacity[(inst, dst)]:
                raise ReplayFailure(f"{inst} cannot send {name}: the link {inst} -> {dst} is full (the step is blocked)")
            queue.append((name, values))
            self.observe(inst, dst, (name, values))
            sends.append({"to": dst, "name": name, "fields": dict(zip(self.fields[name], values, strict=True))})
        for fact, expr in live.effects[effect].ghost.items():
            self.ghosts[group][fact] = int(self.evaluate(lift(expr), before, group, local, message))
        return sends

    def observe(self, src: str, dst: str, message: Message) -> None:
        """The model's observers: who learns which kind of value, from what is sent where."""
        kind, dst_role = self.link_kind[(src, dst)], self.machines[dst].role
        kinds = self.kinds[message[0]]
        for ob in OBSERVERS:
            if kind not in ob.link_kinds or (ob.to_roles and dst_role not in ob.to_roles):
                continue
            if any(v and k in ob.field_kinds and (not ob.values or v in ob.values) for k, v in zip(kinds, message[1])):
                self.ghosts[self.group[src]][ob.ghost] = 1

    # -- claims about the last world ----------------------------------------------------------------
    def satisfied(self, prop: Property, formula: Callable[[StateIs], Expr] | None = None) -> list[bool]:
        """The property's formula (or ``formula``, e.g. its trigger) on the current world, per remote UE."""
        snap = self.snapshot()
        chosen = formula or prop.formula
        return [bool(self.evaluate(chosen(self.state_is), snap, g)) for g in range(self.groups)]

    def value(self, prop: Property) -> list[int]:
        """A measure's expression on the current world, per remote UE."""
        snap = self.snapshot()
        return [int(self.evaluate(prop.formula(self.state_is), snap, g)) for g in range(self.groups)]

    def is_final(self) -> bool:
        """Every element at rest (a final or declared rest state) and every link empty."""
        if any(self.links.values()):
            return False
        return all(live.state in live.cls.REST_STATES | {s.id for s in live.cls.states if s.final}
                   for live in self.machines.values())

    def enabled(self, inst: str, event: str, fields: tuple[int, ...] | None, *, ignore_full: bool = False,
                timers: bool = False) -> bool:
        """Could ``inst`` take ``event`` now (its sends not blocked, unless ``ignore_full``)? A timer only
        when it may fire (``timers``: ignore that rule)."""
        if event == TIMEOUT and not timers and not self._timer_may_fire(inst):
            return False
        live = self.machines[inst]
        state, local = live.state, [live.local[v] for v in live.var_names]
        for effect in transitions_of(live.cls, state, event):
            try:
                got = live.step(event, fields, forced=effect)
            except (LiveError, TransitionNotAllowed):
                continue
            finally:
                live.restore(state, local)
            if ignore_full or all(self._room(inst, to) for to, _, _ in got.sends):
                return True
        return False

    def _room(self, inst: str, to: str) -> bool:
        dst = self.by_role.get((self.group[inst], to))
        return to == REPLY or (dst is not None and len(self.links[(inst, dst)]) < self.capacity[(inst, dst)])

    def deadlocked(self) -> bool:
        """Not final, and no element can take a step (standard "no successor")."""
        return not self.is_final() and not self.has_successor()

    def has_successor(self) -> bool:
        """Some element can take a step: a local decision or the message at the head of a link (or a lossy
        link can lose its head message)."""
        for (src, dst), queue in self.links.items():
            if queue and self.link_kind[(src, dst)] in self.threats.lossy_links \
                    and self.ghosts[self.group[src]]["link_faults"] < self.threats.link_faults:
                return True
        for inst, live in self.machines.items():
            if any(self.enabled(inst, event, None) for event in sorted(live.cls.LOCAL_EVENTS)):
                return True
            for (_, dst), queue in self.links.items():
                if dst == inst and queue and self.enabled(inst, queue[0][0], queue[0][1]):
                    return True
        return False

    def full_snapshot(self) -> tuple:
        """The world variables and the link contents: equal exactly when the worlds are equal."""
        links = tuple(sorted((src, dst, tuple(queue)) for (src, dst), queue in self.links.items()))
        return tuple(sorted(self.snapshot().items())), links

    def unhandled(self) -> list[str]:
        """Messages at the head of a link whose destination has no transition for them."""
        return [f"{dst} cannot handle {self.show(queue[0])} from {src}" for (src, dst), queue in self.links.items()
                if queue and not self.enabled(dst, queue[0][0], queue[0][1], ignore_full=True)]

    def show(self, message: Message | None) -> str:
        if message is None:
            return "no message"
        fields = ", ".join(f"{f}={v}" for f, v in zip(self.fields.get(message[0], ()), message[1]))
        return f"{message[0]}({fields})"
