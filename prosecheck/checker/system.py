"""The product of element instances, bounded FIFO links and ghost facts, as one transition system.

A **world** is a flat tuple of integers (control states, local variables, ghost facts) and,
at the end, one tuple of messages per link. A **step** is one element instance handling the
message at the head of one of its incoming links, or taking one local decision. A send to a
full link blocks the step (as a Promela send on a full channel does). Every enabled
transition is its own successor.

Faults and timers, both off unless a scenario asks for them:

* A **lossy** link may lose the message at its head, or (with ``duplication``) deliver it while
  keeping a copy, as long as the group's fault counter (the ghost slot ``link_faults``) is below
  ``fault_budget``. Such a step's label carries ``fault`` = ``"lost"`` or ``"duplicated"``.
* A local event named :data:`~prosecheck.checker.machine.TIMEOUT` is a supervision timer. As
  SPIN's ``timeout``, it is enabled only when its group is quiet (every link of the group empty:
  nothing in flight can still arrive), and of the instances of a group whose timer could fire,
  only the last one in instance order does: the timers of the elements further from the first
  instance are the shorter ones.

This module is generic: it knows element tables, links and observers, no protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from prosecheck.checker.expr import Expr, Lookup, Ref, Value, compile_py, refs
from prosecheck.checker.machine import (
    REPLY,
    TIMEOUT,
    CompiledTransition,
    ElementTable,
    Message,
    ModelError,
    Outcome,
    RangeError,
    check_range,
)

Queue = tuple[Message, ...]
"""The messages in flight on one link, head first."""
SlotValue = int | Queue
World = tuple[SlotValue, ...]
"""Flat: ints for control states, variables and ghost facts (slots below ``link_base``), then one
:data:`Queue` per link. :meth:`System.value` and :meth:`System.queue` read a slot with its type."""


@dataclass(frozen=True)
class Instance:
    """One running copy of an element, in one group (one independent client's world)."""

    name: str
    role: str
    group: int
    table: ElementTable


@dataclass(frozen=True)
class Link:
    """A bounded FIFO from one instance to another; ``kind`` is the model's name for it.

    ``senders`` (issue 20): empty for a link with one sender (``src``); for a link several instances
    write to (a Promela ``chan`` shared by several senders), every one of them, ``src`` first. A send
    from any of them appends to the one FIFO. A message taken from such a link does not record who
    sent it, so ``REPLY`` there is a :class:`ModelError`: carry the sender in a field and answer with
    a computed destination (``Send(To("client", M("client")), ...)``), as a Promela model sends ``_pid``."""

    index: int
    src: int
    dst: int
    kind: str
    capacity: int
    lossy: bool = False
    senders: tuple[int, ...] = ()

    @property
    def sources(self) -> tuple[int, ...]:
        """Every instance that may send on the link (``src`` alone for an ordinary link)."""
        return self.senders or (self.src,)


@dataclass(frozen=True)
class Observer:
    """Sets ghost ``ghost`` when a message whose field of kind in ``field_kinds`` is non-zero
    (and, if ``values`` is given, one of them) is sent on a link of kind in ``link_kinds``
    towards a role in ``to_roles`` (empty: any role)."""

    ghost: str
    link_kinds: frozenset[str]
    field_kinds: frozenset[str]
    to_roles: frozenset[str] = frozenset()
    values: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Label:
    """How a world was reached: which instance fired which transition on which message."""

    instance: int
    transition: int
    link: int | None  # the link the handled message came from; None for a local decision
    message: Message | None
    sends: tuple[tuple[int, Message], ...] = ()
    fault: str = ""  # "lost" (transition -1: nobody handles it) or "duplicated" (handled, a copy stays)


LOST, DUPLICATED = "lost", "duplicated"
FAULT_GHOST = "link_faults"


@dataclass(frozen=True)
class Unhandled:
    """A message that reached an instance in a state that neither handles nor ignores it.

    ``blocked``: the state has transitions for the message, but every guard is false (with
    :attr:`System.block_on_guards` such a message is not reported at all: it waits)."""

    instance: int
    link: int
    message: Message
    blocked: bool = False


@dataclass(frozen=True)
class Shared:
    """A shared (global) variable, one per group: every element of the group may read it in guards
    and effects (``S(name)``); only the roles in ``writers`` may write it (``Effect(share=...)``).
    ``range``: declared inclusive bounds, checked on every write as :attr:`~prosecheck.checker.machine.Var.range`."""

    name: str
    initial: int = 0
    writers: frozenset[str] = frozenset()
    range: tuple[int, int] | None = None


@dataclass
class System:
    """A finite transition system built from element tables; see the module docstring."""

    instances: list[Instance]
    links: list[Link]
    ghost_names: list[str]  # per group
    groups: int
    message_fields: Mapping[str, Sequence[str]]
    message_field_kinds: Mapping[str, Sequence[str]] = field(default_factory=dict)  # only observers read them
    observers: Sequence[Observer] = ()
    fault_budget: int = 0
    duplication: bool = False  # lossy links may also deliver a message and keep a copy
    shared: Sequence[Shared] = ()  # shared variables, one copy per group, after the ghost facts
    block_on_guards: bool = False
    """Semantic switch (issue 20): when True, a message whose transitions in the current state all
    have false guards waits at the head of its link, as a Promela receive guarded by a false
    condition blocks; it is not an :class:`Unhandled` finding (its world may still be a deadlock).
    When False (the default, the shipped model's reading of DESIGN.md: a message the spec gives no enabled answer to
    is a finding), it is reported as Unhandled with ``blocked=True``."""
    slots: dict[str, int] = field(default_factory=dict)
    slot_sorts: dict[int, str] = field(default_factory=dict)
    _layout: list[tuple[int, int, int]] = field(default_factory=list)
    _cache: dict[tuple[int, int, tuple[int, ...], str, tuple[int, ...] | None], list[Outcome]] = field(
        default_factory=dict)

    def __post_init__(self) -> None:
        pos = 0
        for inst in self.instances:
            self.slots[f"{inst.name}.state"] = pos
            self.slot_sorts[pos] = "int"
            for name, sort in zip(inst.table.var_names, inst.table.var_sorts):
                self.slots[f"{inst.name}.{name}"] = pos + 1 + inst.table.var_names.index(name)
                self.slot_sorts[self.slots[f"{inst.name}.{name}"]] = sort
            n = len(inst.table.var_names)
            self._layout.append((pos, pos + 1, pos + 1 + n))
            pos += 1 + n
        for g in range(self.groups):
            for name in self.ghost_names:
                self.slots[f"{self.group_prefix(g)}ghost.{name}"] = pos
                self.slot_sorts[pos] = "int"
                pos += 1
        for g in range(self.groups):
            for var in self.shared:
                self.slots[f"{self.group_prefix(g)}shared.{var.name}"] = pos
                self.slot_sorts[pos] = "int"
                pos += 1
        self.link_base = pos
        self._in_links = [[lk for lk in self.links if lk.dst == i] for i in range(len(self.instances))]
        self._link_of = self._index_links()
        self._shared_fns: dict[tuple[int, int], list[tuple[int, Shared, Callable[[Lookup], Value]]]] = {}
        self._read_slots: dict[int, list[int]] = {}  # instance -> slots of the shared variables it reads
        self._check_shared()
        self._by_role = {(inst.group, inst.role): i for i, inst in enumerate(self.instances)}
        self._ghost_fns: dict[tuple[int, int], list[tuple[int, Callable[[Lookup], Value]]]] = {}
        self._observed = self._compile_observers()
        self._group_links = [[self.link_base + lk.index for lk in self.links if self.instances[lk.src].group == g]
                             for g in range(self.groups)]
        self._fault_slot: list[int] = []
        if any(lk.lossy for lk in self.links):
            if FAULT_GHOST not in self.ghost_names or self.fault_budget < 1:
                raise ModelError(f"lossy links need a ghost fact {FAULT_GHOST!r} and a fault budget of at least 1")
            self._fault_slot = [self.group_slot(g, f"ghost.{FAULT_GHOST}") for g in range(self.groups)]

    def _index_links(self) -> dict[tuple[int, int], Link]:
        """(sender, receiver) -> link, for every sender of every link (several for a multi-sender link)."""
        out: dict[tuple[int, int], Link] = {}
        twice: set[tuple[str, str]] = set()
        for lk in self.links:
            if lk.senders and lk.senders[0] != lk.src:
                raise ModelError(f"link {lk.kind}: its first sender must be its src")
            for s in lk.sources:
                if self.instances[s].group != self.instances[lk.dst].group:
                    raise ModelError(f"link {lk.kind}: {self.instances[s].name} and {self.instances[lk.dst].name} "
                                     "are in different groups")
                if (s, lk.dst) in out:
                    twice.add((self.instances[s].name, self.instances[lk.dst].name))
                out[(s, lk.dst)] = out.get((s, lk.dst), lk)
        if twice:
            raise ModelError(f"two links from the same sender to the same receiver {sorted(twice)}: a send names "
                             "its destination by role, so the second would never be used")
        return out

    def sender_names(self, link: int) -> str:
        """Who writes to a link: the sender's name, or every sender's joined by ``|`` (multi-sender link)."""
        return "|".join(self.instances[s].name for s in self.links[link].sources)

    # -- naming -----------------------------------------------------------------------------
    def group_prefix(self, group: int) -> str:
        return "" if self.groups == 1 else f"ue{group + 1}."

    def slot(self, qualified: str) -> int:
        try:
            return self.slots[qualified]
        except KeyError:
            raise ModelError(f"no world variable {qualified!r}") from None

    def group_slot(self, group: int, name: str) -> int:
        """Resolve ``role.var`` / ``role.state`` / ``ghost.name`` / ``shared.name`` within a group."""
        if name.startswith(("ghost.", "shared.")):
            return self.slot(f"{self.group_prefix(group)}{name}")
        role, _, rest = name.partition(".")
        inst = self._by_role.get((group, role))
        if inst is None:
            raise ModelError(f"no element {role!r} in group {group + 1}")
        return self.slot(f"{self.instances[inst].name}.{rest}")

    def instance_of(self, group: int, role: str) -> int:
        return self._by_role[(group, role)]

    # -- worlds -----------------------------------------------------------------------------
    def initial(self) -> World:
        values: list[SlotValue] = []
        for inst in self.instances:
            values.append(inst.table.initial_state)
            values.extend(inst.table.initial_locals)
        values.extend([0] * (len(self.ghost_names) * self.groups))
        values.extend([var.initial for _ in range(self.groups) for var in self.shared])
        values.extend([()] * len(self.links))
        return tuple(values)

    @staticmethod
    def value(world: World, slot: int) -> int:
        """The integer in a slot below ``link_base`` (a control state, variable or ghost fact)."""
        return cast(int, world[slot])

    @staticmethod
    def queue(world: World, slot: int) -> Queue:
        """The messages in a link's slot (``link_base + link index``)."""
        return cast(Queue, world[slot])

    def control(self, world: World, instance: int) -> int:
        return cast(int, world[self._layout[instance][0]])

    def locals_of(self, world: World, instance: int) -> tuple[int, ...]:
        _, a, b = self._layout[instance]
        return cast(tuple[int, ...], world[a:b])

    def instance_positions(self, instance: int) -> list[int]:
        """The world slots of an instance: its control state, then its local variables in order."""
        pos, _, end = self._layout[instance]
        return list(range(pos, end))

    def link(self, world: World, link: int) -> Queue:
        return cast(Queue, world[self.link_base + link])

    def is_final(self, world: World) -> bool:
        """Every instance at rest and every link empty."""
        if any(world[self.link_base + i] for i in range(len(self.links))):
            return False
        return all(self.control(world, i) in inst.table.rest_states for i, inst in enumerate(self.instances))

    def final_slots(self) -> tuple[int, ...]:
        """The slots :meth:`is_final` reads: every instance's control state, then every link."""
        return (*(self._layout[i][0] for i in range(len(self.instances))),
                *(self.link_base + k for k in range(len(self.links))))

    def is_final_valuation(self, values: Mapping[int, Any]) -> bool:
        """:meth:`is_final` given the values of :meth:`final_slots` (slot -> value): a projection's test."""
        if any(values[self.link_base + k] for k in range(len(self.links))):
            return False
        return all(values[self._layout[i][0]] in inst.table.rest_states for i, inst in enumerate(self.instances))

    # -- successors -------------------------------------------------------------------------
    def successors(  # noqa: C901 - predates the limit of 10 (issue 26)
        self, world: World, instances: Sequence[int] | None = None
    ) -> tuple[list[tuple[Label, World]], list[Unhandled]]:
        """All (label, successor) pairs in a fixed order, and the unhandled messages seen
        (steps of every instance, or of ``instances`` only, in that order)."""
        out: list[tuple[Label, World]] = []
        unhandled: list[Unhandled] = []
        timers: dict[int, tuple[int, list[Outcome]]] = {}  # group -> (last instance whose timer can fire, outcomes)
        for i in range(len(self.instances)) if instances is None else instances:
            inst = self.instances[i]
            state = self.control(world, i)
            local = self.locals_of(world, i)
            for event in inst.table.local_events:
                outcomes = self._step(inst.table, state, local, event, None, world, i)
                if event == TIMEOUT:
                    if outcomes and self.quiet(world, inst.group):
                        timers[inst.group] = (i, outcomes)
                    continue
                for outcome in outcomes:
                    self._apply(world, i, None, None, outcome, out)
            for lk in self._in_links[i]:
                queue = cast(Queue, world[self.link_base + lk.index])
                if not queue:
                    continue
                head = queue[0]
                outcomes = self._step(inst.table, state, local, head[0], head[1], world, i)
                if not outcomes:
                    # issue 20: "blocked" (transitions exist, every guard false) vs truly unhandled
                    blocked = (state, head[0]) in inst.table.by_state_event
                    if not (blocked and self.block_on_guards):
                        unhandled.append(Unhandled(i, lk.index, head, blocked))
                for outcome in outcomes:
                    self._apply(world, i, lk, head, outcome, out)
                if lk.lossy and cast(int, world[self._fault_slot[inst.group]]) < self.fault_budget:
                    self._faults(world, i, lk, head, outcomes, out)
        for i, outcomes in timers.values():
            for outcome in outcomes:
                self._apply(world, i, None, None, outcome, out)
        return out, unhandled

    def quiet(self, world: World, group: int) -> bool:
        """Nothing in flight in the group: every link of it is empty (a timer may fire)."""
        return not any(world[p] for p in self._group_links[group])

    def _faults(self, world: World, i: int, lk: Link, head: Message, outcomes: list[Outcome],
                out: list[tuple[Label, World]]) -> None:
        """The lossy link loses its head message, or delivers it and keeps a copy (one more fault each)."""
        counter = self._fault_slot[self.instances[i].group]
        lost = list(world)
        lost[self.link_base + lk.index] = cast(Queue, world[self.link_base + lk.index])[1:]
        lost[counter] = cast(int, lost[counter]) + 1
        out.append((Label(i, -1, lk.index, head, (), LOST), tuple(lost)))
        for outcome in outcomes if self.duplication else ():
            before = len(out)
            self._apply(world, i, None, head, outcome, out, source=lk)
            if len(out) > before:
                label, nxt = out[-1]
                dup = list(nxt)
                dup[counter] = cast(int, dup[counter]) + 1
                out[-1] = (Label(label.instance, label.transition, lk.index, head, label.sends, DUPLICATED), tuple(dup))

    def _step(self, table: ElementTable, state: int, local: tuple[int, ...], event: str,
              msg: tuple[int, ...] | None, world: World, i: int) -> list[Outcome]:
        """The table's step, cached; a table that reads shared variables adds their values to the key."""
        if not table.shared_reads:
            key: tuple[object, ...] = (id(table), state, local, event, msg)
            shared = None
        else:
            slots = self._read_slots.get(i)
            if slots is None:
                group = self.instances[i].group
                slots = self._read_slots[i] = [self.group_slot(group, f"shared.{n}") for n in table.shared_reads]
            values = tuple(cast(int, world[p]) for p in slots)
            key = (id(table), state, local, event, msg, values)
            shared = dict(zip(table.shared_reads, values))
        hit = self._cache.get(key)  # type: ignore[arg-type]
        if hit is None:
            try:
                hit = table.step(state, local, event, msg, shared)
            except RangeError as error:
                raise RangeError(f"{self.instances[i].name}: {error}") from None
            self._cache[key] = hit  # type: ignore[index]
        return hit

    def _apply(self, world: World, i: int, lk: Link | None, head: Message | None, outcome: Outcome,
               out: list[tuple[Label, World]], source: Link | None = None) -> None:
        """Apply one step; ``lk`` is the link whose head is consumed (``source``: handled but kept).

        Issue 20, for engines that mirror this one: ``sends`` holds only the sends that happen (the
        table's step already dropped those whose ``Send.when`` is false, so they neither append nor
        block); a send from any sender of a multi-sender link resolves to that link (``_link_of``)."""
        tr, target, new_local, sends = outcome
        new = list(world)
        if lk is not None:
            new[self.link_base + lk.index] = cast(Queue, world[self.link_base + lk.index])[1:]
        resolved: list[tuple[int, Message]] = []
        for to, message in sends:
            link = self._resolve(i, to, lk or source)
            slot = self.link_base + link.index
            queue = cast(Queue, new[slot])
            if len(queue) >= link.capacity:
                return  # blocking send: the step is not enabled
            new[slot] = queue + (message,)
            resolved.append((link.index, message))
            for ghost_slot, positions, values in self._observed.get((link.index, message[0]), ()):
                if any(message[1][p] and (not values or message[1][p] in values) for p in positions):
                    new[ghost_slot] = 1
        ghosts = self._ghosts(i, tr)
        if ghosts:
            lookup = self._lookup(world, i, head)
            for ghost_slot, fn in ghosts:
                new[ghost_slot] = int(fn(lookup))
        if tr.share_exprs:
            self._write_shared(world, new, i, tr, head)
        pos, a, b = self._layout[i]
        new[pos] = target
        new[a:b] = new_local
        out.append((Label(i, tr.index, None if lk is None else lk.index, head, tuple(resolved)), tuple(new)))

    def _resolve(self, i: int, to: str, lk: Link | None) -> Link:
        if to == REPLY:
            if lk is None:
                raise ModelError(f"{self.instances[i].name}: a local decision cannot reply")
            if lk.senders:
                raise ModelError(f"{self.instances[i].name}: cannot reply to a message from link {lk.kind}, which "
                                 "has several senders (carry the sender in a field and send To(prefix, that field))")
            dst = lk.src
        else:
            dst = self._by_role.get((self.instances[i].group, to), -1)
        link = self._link_of.get((i, dst))
        if link is None:
            raise ModelError(f"{self.instances[i].name} has no link to {to}")
        return link

    def _lookup(self, world: World, i: int, head: Message | None) -> Callable[[str, str], Value]:
        table = self.instances[i].table
        local = self.locals_of(world, i)

        def lookup(scope: str, name: str) -> Value:
            if scope == "slot":
                return cast(int, world[int(name)])
            if scope == "local":
                return local[table.var_names.index(name)]
            if scope == "msg" and head is not None:
                return head[1][table.message_fields[head[0]].index(name)]
            if scope == "shared":
                return cast(int, world[self.group_slot(self.instances[i].group, f"shared.{name}")])
            raise ModelError(f"{self.instances[i].name}: ghost update cannot read {scope}.{name}")

        return lookup

    def _ghosts(self, i: int, tr: CompiledTransition) -> list[tuple[int, Callable[[Lookup], Value]]]:
        key = (i, tr.index)
        if key not in self._ghost_fns:
            group = self.instances[i].group
            self._ghost_fns[key] = [
                (self.group_slot(group, f"ghost.{name}"), compile_py(self.bind(expr, group)))
                for name, expr in tr.ghost
            ]
        return self._ghost_fns[key]

    def _check_shared(self) -> None:
        """Every shared variable an element reads exists; every one it writes lists it as a writer."""
        declared = {var.name: var for var in self.shared}
        for inst in self.instances:
            for name in inst.table.shared_reads:
                if name not in declared:
                    raise ModelError(f"{inst.name} reads shared variable {name!r}, which the system does not declare")
            for tr in inst.table.transitions:
                for name, _ in tr.share_exprs:
                    if name not in declared:
                        raise ModelError(f"{inst.name}: {inst.table.edge(tr)} writes undeclared shared variable {name!r}")
                    if inst.role not in declared[name].writers:
                        raise ModelError(f"{inst.name}: {inst.table.edge(tr)} writes shared variable {name!r}, "
                                         f"whose declared writers are {sorted(declared[name].writers)}")
            for v, value in zip(declared.values(), [var.initial for var in declared.values()]):
                check_range("initial value", f"shared {v.name}", value, v.range)

    def _write_shared(self, world: World, new: list[SlotValue], i: int, tr: CompiledTransition,
                      head: Message | None) -> None:
        """Apply a transition's shared-variable writes (values read from the world before the step)."""
        key = (i, tr.index)
        if key not in self._shared_fns:
            group, declared = self.instances[i].group, {var.name: var for var in self.shared}
            self._shared_fns[key] = [(self.group_slot(group, f"shared.{name}"), declared[name], compile_py(expr))
                                     for name, expr in tr.share_exprs]
        lookup = self._lookup(world, i, head)
        for slot, var, fn in self._shared_fns[key]:
            value = int(fn(lookup))
            check_range(f"{self.instances[i].name}: {self.instances[i].table.edge(tr)}", f"shared {var.name}",
                        value, var.range)
            new[slot] = value

    def bind(self, expr: Expr, group: int) -> Expr:
        """Replace world references (``W("server.issued")``) by slot references of a group."""
        from prosecheck.checker.expr import substitute

        def replace(ref: Ref) -> Expr | None:
            if ref.scope == "world":
                return Ref("slot", str(self.group_slot(group, ref.name)))
            return None

        return substitute(expr, replace)

    def _compile_observers(self) -> dict[tuple[int, str], list[tuple[int, list[int], frozenset[int]]]]:
        table: dict[tuple[int, str], list[tuple[int, list[int], frozenset[int]]]] = {}
        for ob in self.observers:
            for lk in self.links:
                dst_role = self.instances[lk.dst].role
                if lk.kind not in ob.link_kinds or (ob.to_roles and dst_role not in ob.to_roles):
                    continue
                ghost_slot = self.group_slot(self.instances[lk.src].group, f"ghost.{ob.ghost}")
                for msg, kinds in self.message_field_kinds.items():
                    positions = [p for p, k in enumerate(kinds) if k in ob.field_kinds]
                    if positions:
                        table.setdefault((lk.index, msg), []).append((ghost_slot, positions, ob.values))
        return table

    def slot_refs(self, expr: Expr) -> list[int]:
        """The world slots a bound expression reads, in ascending order."""
        return sorted({int(name) for scope, name in refs(expr) if scope == "slot"})
