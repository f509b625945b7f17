"""The independent semantics of a scenario's product, written once for the two independent checkers.

The certificate checker (:mod:`prosecheck.certificate`) and replay (:mod:`prosecheck.replay`) decide
their claims on this product, never on the search's: it imports no ``System``, no ``explore``, no
judge. It owns what connects the elements:

* the world layout: ``role.state``, ``role.var`` per element instance (``role.N`` with several remote
  UEs), then ``ghost.fact`` per remote UE (``ueN.`` prefixed), then one FIFO queue per link ``src->dst``;
* the links: both directions of every link of :func:`~prosecheck.model.build.links_of`, per remote UE,
  of the scenario's capacity; a send to a full link blocks the whole step; a reply goes back on the
  link the handled message came from;
* the message observers (who learns which kind of value from what is sent where) and each
  transition's own ghost updates, evaluated on the world before the step;
* the threat model's lossy links: a lossy link may lose the message at its head or, with
  duplication, deliver it and keep a copy, while the remote UE's ``link_faults`` is below the
  fault budget; and the supervision timer (event ``timeout``): "as SPIN's ``timeout``", it fires
  only when the remote UE's links are all empty, and only the last element (in lifeline order)
  whose timer could fire does;
* reading world variables for properties (a control state reads as its index).

What one element does on one event is pluggable (:class:`Steps`): the certificate checker plugs in
the compiled tables (:class:`TableSteps`, ``ElementTable.step``), replay the live python-statemachine
machines (:class:`LiveSteps`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from statemachine.exceptions import TransitionNotAllowed

from prosecheck.checker.expr import Const, Expr, Value, W, lift
from prosecheck.checker.live import LiveElement, LiveError, evaluate_raw
from prosecheck.checker.machine import REPLY, TIMEOUT, ElementTable, ModelError
from prosecheck.model.build import capacity_of, elements_of, links_of, options_of
from prosecheck.model.ghosts import GHOSTS, OBSERVERS
from prosecheck.model.messages import field_kinds, field_names
from prosecheck.properties.catalog import PROPERTIES, StateIs
from prosecheck.scenarios.catalog import Scenario

World = tuple  # (values..., link queues...) in the layout of :class:`Product`
Message = tuple[str, tuple[int, ...]]
FAULTS = "link_faults"
"""The ghost fact counting a remote UE's lost or duplicated messages."""


class Move(NamedTuple):
    """One transition an element can take: its effect, target state, new locals, sends, ghost rules."""

    effect: str
    target: int
    local: tuple[int, ...]
    sends: tuple[tuple[str, Message], ...]  # (to: a role or REPLY, message)
    ghost: Sequence[tuple[str, Expr]]


class Steps(Protocol):
    """One element's rules, as the product asks for them (states by their index in ``state_ids``)."""

    @property
    def role(self) -> str: ...

    @property
    def state_ids(self) -> Sequence[str]: ...

    @property
    def var_names(self) -> Sequence[str]: ...

    @property
    def local_events(self) -> Sequence[str]: ...

    @property
    def rest_states(self) -> Collection[int]: ...

    def initial(self) -> tuple[int, tuple[int, ...]]: ...

    def moves(self, state: int, local: tuple[int, ...], event: str, fields: tuple[int, ...] | None) -> list[Move]: ...


class TableSteps:
    """An element's compiled table (the certificate checker's rules)."""

    def __init__(self, table: ElementTable) -> None:
        self.table, self.role, self.state_ids = table, table.role, table.state_ids
        self.var_names, self.local_events, self.rest_states = table.var_names, table.local_events, table.rest_states

    def initial(self) -> tuple[int, tuple[int, ...]]:
        return self.table.initial_state, self.table.initial_locals

    def moves(self, state: int, local: tuple[int, ...], event: str, fields: tuple[int, ...] | None) -> list[Move]:
        return [Move(tr.effect_name, target, new_local, sends, tr.ghost)
                for tr, target, new_local, sends in self.table.step(state, local, event, fields)]


def transitions_of(cls: Any, state_id: str, event: str) -> list[str]:
    """The effect names of ``cls``'s transitions from ``state_id`` on ``event`` (introspection)."""
    return [str(spec.func) for state in cls.states if state.id == state_id for tr in state.transitions
            if event in {str(e.id) for e in tr.events} for spec in tr.on if not spec.is_convention]


class LiveSteps:
    """An element's live python-statemachine machine (replay's rules): restored to the asked state,
    then sent the event with one effect forced at a time."""

    def __init__(self, live: LiveElement) -> None:
        self.live, self.role, cls = live, live.role, live.cls
        self.state_ids = [str(s.id) for s in cls.states]
        self.var_names = live.var_names
        self.local_events = sorted(cls.LOCAL_EVENTS)
        self.rest_states = frozenset(i for i, s in enumerate(cls.states) if s.final or s.id in cls.REST_STATES)
        self._initial = (self.state_ids.index(live.state), tuple(live.local[v] for v in self.var_names))

    def initial(self) -> tuple[int, tuple[int, ...]]:
        return self._initial

    def forced(self, state: int, local: tuple[int, ...], event: str, fields: tuple[int, ...] | None,
               effect: str) -> Move:
        """The move of effect ``effect``; LiveError or TransitionNotAllowed if the machine cannot take it."""
        self.live.restore(self.state_ids[state], local)
        got = self.live.step(event, fields, forced=effect)
        sends = tuple((to, (name, values)) for to, name, values in got.sends)
        ghost = tuple((fact, lift(expr)) for fact, expr in self.live.effects[effect].ghost.items())
        return Move(effect, self.state_ids.index(got.state), got.local, sends, ghost)

    def moves(self, state: int, local: tuple[int, ...], event: str, fields: tuple[int, ...] | None) -> list[Move]:
        out = []
        for effect in transitions_of(self.live.cls, self.state_ids[state], event):
            try:
                out.append(self.forced(state, local, event, fields, effect))
            except (LiveError, TransitionNotAllowed):
                continue
        return out


class Instance(NamedTuple):
    name: str
    group: int
    steps: Steps


class Blocked(NamedTuple):
    """A step that cannot be taken: its send of ``message`` finds link ``link`` full."""

    message: str
    link: int


class Product:
    """The scenario's product over pluggable element rules (``steps``: by role); see the module docstring."""

    def __init__(self, scenario: Scenario, steps: Mapping[str, Steps], options: Mapping[str, Value] | None = None) -> None:
        groups = scenario.bounds.remote_ues
        self.groups, self.threats = groups, scenario.threats
        self.options: dict[str, Value] = dict(options or {})
        chosen = options_of(scenario)  # the messages' fields follow the options (a proposed fix adds some)
        self.fields, self.kinds = field_names(chosen), field_kinds(chosen)
        self.prefix = [("" if groups == 1 else f"ue{g + 1}.") for g in range(groups)]
        self.elements = [Instance(cls.ROLE if groups == 1 else f"{cls.ROLE}.{g + 1}", g, steps[cls.ROLE])
                         for g in range(groups) for cls in elements_of(scenario)]
        self.names: list[str] = []
        self.starts: list[int] = []
        for name, _, rules in self.elements:
            self.starts.append(len(self.names))
            self.names += [f"{name}.state", *(f"{name}.{v}" for v in rules.var_names)]
        self.names += [f"{prefix}ghost.{fact}" for prefix in self.prefix for fact in GHOSTS]
        self.at = {n: i for i, n in enumerate(self.names)}
        self.base = len(self.names)
        self.index = {inst.name: i for i, inst in enumerate(self.elements)}
        self.by_role = {(inst.group, inst.steps.role): inst.name for inst in self.elements}
        self.links = [(self.by_role[(g, a)], self.by_role[(g, b)], kind) for g in range(groups)
                      for x, y, kind in links_of(scenario) for a, b in ((x, y), (y, x))]
        self.capacity = [capacity_of(scenario, a, b) for g in range(groups)
                         for x, y, _ in links_of(scenario) for a, b in ((x, y), (y, x))]  # per link, as self.links
        self.link_at = {(a, b): k for k, (a, b, _) in enumerate(self.links)}
        self.in_links = [[k for k, (_, dst, _) in enumerate(self.links) if dst == inst.name] for inst in self.elements]
        self.lossy = [kind in self.threats.lossy_links for _, _, kind in self.links]
        self._formulas: dict[str, Expr] = {}
        self._where: list[dict[str, int]] = [{} for _ in range(groups)]  # per remote UE: a name's position

    # -- the world ------------------------------------------------------------------------------
    def initial(self) -> World:
        values: list[object] = []
        for inst in self.elements:
            state, local = inst.steps.initial()
            values += [state, *local]
        return tuple(values + [0] * (self.base - len(values)) + [()] * len(self.links))

    def state_of(self, world: World, i: int) -> tuple[int, tuple[int, ...]]:
        """Instance ``i``'s control state and locals."""
        start = self.starts[i]
        return world[start], world[start + 1: start + 1 + len(self.elements[i].steps.var_names)]

    def queue(self, world: World, link: int) -> tuple[Message, ...]:
        return world[self.base + link]  # type: ignore[no-any-return]

    def snapshot(self, world: World) -> dict[str, int | str]:
        """Every world variable by its report name, a control state as its state id."""
        out: dict[str, int | str] = dict(zip(self.names, world[:self.base], strict=True))
        for i, inst in enumerate(self.elements):
            out[f"{inst.name}.state"] = inst.steps.state_ids[world[self.starts[i]]]
        return out

    def is_final(self, world: World) -> bool:
        """Every element at rest (a final or declared rest state) and every link empty."""
        if any(world[self.base:]):
            return False
        return all(world[self.starts[i]] in inst.steps.rest_states for i, inst in enumerate(self.elements))

    # -- reading world variables ------------------------------------------------------------------
    def reader(self, world: World, group: int) -> Callable[[str], Value]:
        """``W(name)`` of one remote UE: ``role.var``, ``role.state`` (its index) or ``ghost.fact``."""
        where = self._where[group]

        def read(name: str) -> Value:
            at = where.get(name)
            if at is None:  # first asked: resolve the rules' name to the world's position, once per group
                at = where[name] = self._position(name, group)
            return world[at]  # type: ignore[no-any-return]

        return read

    def _position(self, name: str, group: int) -> int:
        role, _, rest = name.partition(".")
        full = f"{self.prefix[group]}{name}" if role == "ghost" else f"{self.by_role.get((group, role))}.{rest}"
        if full not in self.at:
            raise ModelError(f"the model reads an unknown world variable {name!r}")
        return self.at[full]

    def evaluate(self, expr: Expr, world: World, group: int, local: Mapping[str, Value] | None = None,
                 msg: Mapping[str, Value] | None = None) -> Value:
        """``expr`` on ``world`` for one remote UE, with the step's locals and message."""
        world_read = self.reader(world, group)
        scopes: dict[str, Mapping[str, Value]] = {"local": local or {}, "msg": msg or {}, "opt": self.options}

        def read(scope: str, name: str) -> Value:
            if scope == "world":
                return world_read(name)
            try:
                return scopes[scope][name]
            except KeyError:
                raise ModelError(f"cannot read {scope}.{name} here") from None

        return evaluate_raw(expr, read)

    def state_is(self, role: str, state_id: str) -> Expr:
        """The expression "role is in state_id", by the state's index."""
        ids = self.elements[self.index[self.by_role[(0, role)]]].steps.state_ids
        if state_id not in ids:
            raise ModelError(f"{role} has no state {state_id!r}")
        return W(f"{role}.state") == Const(list(ids).index(state_id))

    def values(self, formula: Callable[[StateIs], Expr], world: World) -> list[Value]:
        """A property's formula (or trigger, or measure) on ``world``, per remote UE."""
        expr = formula(self.state_is)
        return [self.evaluate(expr, world, g) for g in range(self.groups)]

    def formula(self, pid: str) -> Expr:
        """Invariant ``pid``'s formula over state indices, built once (asked of every world)."""
        if pid not in self._formulas:
            self._formulas[pid] = PROPERTIES[pid].formula(self.state_is)
        return self._formulas[pid]

    def holds(self, pid: str, world: World) -> bool:
        """An invariant on one world, for every remote UE."""
        formula = self.formula(pid)
        return all(bool(self.evaluate(formula, world, g)) for g in range(self.groups))

    # -- one step ---------------------------------------------------------------------------------
    def moves(self, world: World, i: int, event: str, link: int | None) -> list[Move]:
        """Instance ``i``'s moves on a local ``event`` (``link`` None) or on the head of ``link``."""
        state, local = self.state_of(world, i)
        fields = None if link is None else self.queue(world, link)[0][1]
        return self.elements[i].steps.moves(state, local, event, fields)

    def destination(self, i: int, to: str, link: int | None, message: str) -> int:
        """The link a send of instance ``i`` to ``to`` goes on (a reply: back on ``link``)."""
        name, group = self.elements[i].name, self.elements[i].group
        dst = self.links[link][0] if to == REPLY and link is not None else self.by_role.get((group, to))
        k = self.link_at.get((name, dst or ""))
        if k is None:
            raise ModelError(f"{name} sends {message} to {to}, which it has no link to")
        return k

    def apply(self, world: World, i: int, link: int | None, move: Move, keep: bool = False) -> World | Blocked:
        """The world after instance ``i`` takes ``move`` (on the head of ``link``, which stays if ``keep``)."""
        new = list(world)
        if link is not None and not keep:
            new[self.base + link] = self.queue(world, link)[1:]
        for to, message in move.sends:
            k = self.destination(i, to, link, message[0])
            if len(new[self.base + k]) >= self.capacity[k]:
                return Blocked(message[0], k)
            new[self.base + k] = new[self.base + k] + (message,)
            self._observe(new, k, message)
        if move.ghost:
            self._ghosts(new, world, i, link, move)
        start = self.starts[i]
        new[start] = move.target
        new[start + 1: start + 1 + len(move.local)] = move.local
        return tuple(new)

    def _ghosts(self, new: list[object], world: World, i: int, link: int | None, move: Move) -> None:
        """The move's own ghost updates, read on the world before the step."""
        group, rules = self.elements[i].group, self.elements[i].steps
        local = dict(zip(rules.var_names, self.state_of(world, i)[1], strict=True))
        head = None if link is None else self.queue(world, link)[0]
        msg = {} if head is None else dict(zip(self.fields[head[0]], head[1], strict=True))
        for fact, expr in move.ghost:
            new[self.at[f"{self.prefix[group]}ghost.{fact}"]] = int(self.evaluate(expr, world, group, local, msg))

    def _observe(self, new: list[object], link: int, message: Message) -> None:
        """The model's observers: who learns which kind of value, from what is sent where."""
        src, dst, kind = self.links[link]
        role, group = self.elements[self.index[dst]].steps.role, self.elements[self.index[src]].group
        for ob in OBSERVERS:
            if kind in ob.link_kinds and (not ob.to_roles or role in ob.to_roles) and any(
                    v and k in ob.field_kinds and (not ob.values or v in ob.values)
                    for k, v in zip(self.kinds[message[0]], message[1])):
                new[self.at[f"{self.prefix[group]}ghost.{ob.ghost}"]] = 1

    # -- faults and timers --------------------------------------------------------------------------
    def fault_refused(self, world: World, link: int, fault: str) -> str:
        """Why the head of ``link`` cannot be ``fault`` ("lost" or "duplicated") now ("" if it can)."""
        src, dst, _ = self.links[link]
        if not self.lossy[link]:
            return f"the link {src} -> {dst} is not lossy in this scenario: no message can be {fault}"
        if fault == "duplicated" and not self.threats.duplication:
            return "the scenario's lossy links do not duplicate messages"
        if world[self._faults_at(link)] >= self.threats.link_faults:
            return f"the scenario allows {self.threats.link_faults} lost or duplicated message(s) per UE"
        return ""

    def _faults_at(self, link: int) -> int:
        return self.at[f"{self.prefix[self.elements[self.index[self.links[link][0]]].group]}ghost.{FAULTS}"]

    def counted(self, world: World, link: int) -> World:
        """``world`` with one more fault for the remote UE of ``link``."""
        new = list(world)
        new[self._faults_at(link)] += 1
        return tuple(new)

    def lose(self, world: World, link: int) -> World:
        """The head of ``link`` is lost: handled by nobody, one more fault."""
        new = list(self.counted(world, link))
        new[self.base + link] = self.queue(world, link)[1:]
        return tuple(new)

    def quiet(self, world: World, group: int) -> bool:
        """Nothing in flight for the remote UE: every link of it is empty (a timer may fire)."""
        return not any(self.queue(world, k) for k, (src, _, _) in enumerate(self.links)
                       if self.elements[self.index[src]].group == group)

    def timer_may_fire(self, world: World, i: int) -> bool:
        """The remote UE is quiet and no later instance of it (lifeline order) has a timer that could fire."""
        group = self.elements[i].group
        if not self.quiet(world, group):
            return False
        return not any(self.moves(world, j, TIMEOUT, None) for j in range(i + 1, len(self.elements))
                       if self.elements[j].group == group and TIMEOUT in self.elements[j].steps.local_events)

    # -- every successor ----------------------------------------------------------------------------
    def successors(self, world: World) -> tuple[list[World], list[int]]:
        """Every successor (one per enabled move or fault), and the links whose head message nobody handles."""
        out: list[World] = []
        unhandled: list[int] = []
        timers: dict[int, tuple[int, list[Move]]] = {}  # remote UE -> (last instance whose timer can fire, moves)
        for i, inst in enumerate(self.elements):
            for event in inst.steps.local_events:
                moves = self.moves(world, i, event, None)
                if event == TIMEOUT:
                    if moves and self.quiet(world, inst.group):
                        timers[inst.group] = (i, moves)
                    continue
                self._add(out, world, i, None, moves)
            for k in self.in_links[i]:
                if self.queue(world, k):
                    self._deliver(out, unhandled, world, i, k)
        for i, moves in timers.values():
            self._add(out, world, i, None, moves)
        return out, unhandled

    def _deliver(self, out: list[World], unhandled: list[int], world: World, i: int, link: int) -> None:
        """Instance ``i`` handles the head of ``link``; a lossy link may also lose or duplicate it."""
        moves = self.moves(world, i, self.queue(world, link)[0][0], link)
        if not moves:
            unhandled.append(link)
        self._add(out, world, i, link, moves)
        if not self.lossy[link] or self.fault_refused(world, link, "lost"):
            return
        out.append(self.lose(world, link))
        if self.threats.duplication:
            for move in moves:
                nxt = self.apply(world, i, link, move, keep=True)
                if not isinstance(nxt, Blocked):
                    out.append(self.counted(nxt, link))

    def _add(self, out: list[World], world: World, i: int, link: int | None, moves: list[Move]) -> None:
        for move in moves:
            nxt = self.apply(world, i, link, move)
            if not isinstance(nxt, Blocked):
                out.append(nxt)
