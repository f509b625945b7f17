"""Live python-statemachine machines that replay steps from the raw rules, independently.

DESIGN.md: "use live machines only to replay a trace independently". A :class:`LiveElement`
instantiates the element class itself (python-statemachine parses the ``cond=`` strings, picks
the transition and calls the ``on=`` effect) over a model whose attributes are the guard and
effect names, evaluating the raw ``GUARDS`` and ``EFFECTS`` with :func:`evaluate_raw` (not the
closures or tables of :mod:`machine`). Message fields are the event's keyword arguments. Ghost
facts are world-level and not replayed. Generic: knows no protocol."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from statemachine.callbacks import CallbackGroup, CallbackPriority, CallbackSpec
from statemachine.exceptions import TransitionNotAllowed

from prosecheck.checker.expr import BITS, BinOp, Const, Expr, ExprLike, Ite, Not, Ref, Value, lift
from prosecheck.checker.machine import REPLY, Effect, ElementRules, Rewrite
from prosecheck.checker.search import Exploration
from prosecheck.checker.system import FAULT_GHOST, LOST, Label, System, World

Sent = tuple[str, str, tuple[int, ...]]
"""A message an effect emitted: (destination role or ``REPLY``, message name, fields in catalogue order)."""

_MASK = (1 << BITS) - 1
_OPS: dict[str, Callable[[Any, Any], Value]] = {
    "+": lambda a, b: (a + b) & _MASK, "-": lambda a, b: (a - b) & _MASK,
    "*": lambda a, b: (a * b) & _MASK, "<<": lambda a, b: (a << b) & _MASK,
    ">>": operator.rshift, "&": operator.and_, "|": operator.or_, "^": operator.xor, "==": operator.eq,
    "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
_RESERVED = {"event", "event_data", "machine", "model", "transition", "state", "source", "target"}


class LiveError(Exception):
    """The live machine cannot take the step asked of it, or the rules cannot be evaluated."""


def evaluate_raw(expr: Expr, read: Callable[[str, str], Value]) -> Value:
    """Evaluate an expression tree directly; ``read(scope, name)`` supplies references."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Ref):
        return read(expr.scope, expr.name)
    if isinstance(expr, Not):
        return not evaluate_raw(expr.arg, read)
    if isinstance(expr, Ite):
        return evaluate_raw(expr.then if evaluate_raw(expr.cond, read) else expr.orelse, read)
    if isinstance(expr, BinOp):
        left = evaluate_raw(expr.left, read)
        if expr.op in ("and", "or", "implies"):
            if {"and": not left, "or": bool(left), "implies": not left}[expr.op]:
                return expr.op != "and"
            return bool(evaluate_raw(expr.right, read))
        return _OPS[expr.op](left, evaluate_raw(expr.right, read))
    raise LiveError(f"not an expression: {expr!r}")


@dataclass(frozen=True)
class LiveStep:
    """What the live machine did: the effect that fired, its target state, locals and sends."""

    effect: str
    state: str
    local: tuple[int, ...]
    sends: tuple[Sent, ...]


class LiveElement:
    """One live machine of an element class, its local variables held in a dict."""

    def __init__(self, cls: type[ElementRules], options: Mapping[str, Value], catalogue: Mapping[str, Sequence[str]],
                 rewrite: Rewrite | None = None) -> None:
        """``cls`` is an element class (a ``StateMachine`` that inherits ``ElementRules``)."""
        rw = rewrite or Rewrite()
        self.cls: Any = cls
        self.role = cls.ROLE
        self.guards: dict[str, ExprLike] = {**cls.GUARDS, **rw.guards}
        self.effects: dict[str, Effect] = {**cls.EFFECTS, **rw.effects}
        self.disabled, self.options, self.catalogue = rw.disabled, {**cls.OPTION_DEFAULTS, **options}, catalogue
        variables = [v for v in cls.VARIABLES if evaluate_raw(lift(v.when), self._reader({}, {}))]
        self.var_names = [v.name for v in variables]
        clash = (set(self.guards) | set(self.effects)) & (set(dir(cls)) | {"state"})
        if clash or set(rw.guards) - set(cls.GUARDS) or set(rw.effects) - set(cls.EFFECTS):
            raise LiveError(f"{self.role}: guard/effect names clash with the machine or are unknown: {sorted(clash)}")
        self.forced: str | None = None
        self.local = {v.name: int(evaluate_raw(lift(v.initial), self._reader({}, {}))) for v in variables}
        self.absent = {v.name for v in cls.VARIABLES} - set(self.var_names)  # Var.when: not in this scenario
        self.outbox: list[Sent] = []
        self.fired: list[str] = []
        self.machine: Any = self._build(None)

    def _build(self, state_value: Any) -> Any:
        """A fresh machine over a model holding ``state_value`` (None: enter the initial state)."""
        model = _Model()
        model.state = state_value
        for name, expr in self.guards.items():
            setattr(model, name, partial(self._guard, lift(expr)))
        for name in self.effects:
            setattr(model, name, partial(self._effect, name))
        machine = self.cls(model=model)
        for state in self.cls.states:
            for tr in state.transitions:
                _add_condition(machine, tr, partial(self._allowed, [str(s.func) for s in tr.on if not s.is_convention]))
        return machine

    # -- the callbacks python-statemachine calls ---------------------------------------------
    def _allowed(self, effect_names: list[str], *_: Any, **__: Any) -> bool:
        """Extra condition of every transition: not disabled by the rewrite, and the forced one."""
        return not set(effect_names) & self.disabled and (self.forced is None or effect_names == [self.forced])

    def _guard(self, expr: Expr, *_: Any, **kwargs: Any) -> bool:
        """A guard name in a ``cond=`` expression: its raw rule over the locals and message."""
        return bool(evaluate_raw(expr, self._reader(self.local, self._message(kwargs))))

    def _effect(self, name: str, *_: Any, **kwargs: Any) -> None:
        """Assign and send, every expression reading the values from before the step."""
        effect, read = self.effects[name], self._reader(dict(self.local), self._message(kwargs))
        if unknown := set(effect.assign) - set(self.local) - self.absent:
            raise LiveError(f"{self.role}: effect {name} assigns unknown variables {sorted(unknown)}")
        new = {var: int(evaluate_raw(lift(value), read)) for var, value in effect.assign.items()
               if var not in self.absent}
        for send in effect.send:
            fields = self.catalogue.get(send.message)
            if fields is None or set(send.fields) - set(fields):
                raise LiveError(f"{self.role}: effect {name} sends an unknown message or field: {send.message}")
            if not evaluate_raw(lift(send.when), read):
                continue  # a conditional send (Send.when) whose condition is false: not sent
            values = tuple(int(evaluate_raw(lift(send.fields.get(f, 0)), read)) for f in fields)
            to = send.to if isinstance(send.to, str) else \
                f"{send.to.prefix}{int(evaluate_raw(lift(send.to.index), read))}"
            self.outbox.append((to, send.message, values))
        self.local.update(new)
        self.fired.append(name)

    def _message(self, kwargs: Mapping[str, Any]) -> dict[str, Value]:
        event = str(getattr(kwargs["event"], "id", kwargs["event"]))
        return {f: kwargs[f] for f in self.catalogue.get(event, ()) if f in kwargs}

    def _reader(self, local: Mapping[str, Value], message: Mapping[str, Value]) -> Callable[[str, str], Value]:
        scopes = {"local": local, "msg": message, "opt": self.options}

        def read(scope: str, name: str) -> Value:
            try:
                return scopes[scope][name]
            except KeyError:
                raise LiveError(f"{self.role}: cannot read {scope}.{name} here") from None

        return read

    # -- driving --------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return str(next(iter(self.machine.configuration)).id)

    def restore(self, state_id: str, local: Sequence[int]) -> None:
        """A machine restored in ``state_id`` (python-statemachine's persisted-model path; a
        machine that reached a final state has stopped), with these locals in ``VARIABLES`` order."""
        values = [(value, state) for value, state in self.cls.states_map.items() if state.id == state_id]
        if not values:
            raise LiveError(f"{self.role} has no state {state_id!r}")
        value, state = values[0]
        if self.machine.is_terminated or state.final:
            self.machine = self._build(value)  # a stopped machine (or one restored stopped) is built anew
        else:  # python-statemachine's low-level setter: the state, bypassing every hook
            self.machine.current_state_value = value
        self.local = dict(zip(self.var_names, (int(v) for v in local), strict=True))

    def step(self, event: str, fields: Sequence[int] | None = None, forced: str | None = None) -> LiveStep:
        """Send ``event`` carrying ``fields`` (catalogue order); only effect ``forced`` may fire."""
        names = self.catalogue.get(event, ()) if fields is not None else ()
        kwargs = dict(zip(names, fields or (), strict=True))
        if set(kwargs) & _RESERVED:
            raise LiveError(f"{event}: fields {sorted(set(kwargs) & _RESERVED)} clash with python-statemachine")
        self.outbox, self.fired, self.forced = [], [], forced
        try:
            self.machine.send(event, **kwargs)
        except TransitionNotAllowed as err:
            raise LiveError(f"{self.role} in {self.state}: {event} {kwargs} enables no transition"
                            f"{'' if forced is None else ' with effect ' + forced} ({err})") from None
        if len(self.fired) != 1:
            raise LiveError(f"{self.role}: {event} ran effects {self.fired}, expected exactly one")
        return LiveStep(self.fired[0], self.state, tuple(self.local[n] for n in self.var_names), tuple(self.outbox))


class _Model:
    """The domain model python-statemachine resolves guard and effect names against."""

    state: Any = None


def _add_condition(machine: Any, transition: Any, check: Callable[..., bool]) -> None:
    """AND ``check`` into one transition's conditions, on this machine instance only.

    python-statemachine 3.2 has no public per-instance condition (class ``cond`` lists are shared
    with the compiler; a name in a ``cond`` expression may be negated, and some transitions have
    no guard), so add to the executor ``cond=``/``unless=`` resolved into; it runs before them."""
    spec = CallbackSpec(check, CallbackGroup.COND, priority=CallbackPriority.GENERIC, expected_value=True)
    machine._callbacks[transition.cond.key].add(f"live-choice@{id(transition)}", spec, lambda: check)


def check_step(system: System, live: LiveElement, parent: World, label: Label, child: World) -> list[str]:
    """Replay one compiled step on a live machine; the differences, empty when they agree. A lost
    message involves no element: the child must be the parent without the link's head."""
    i, link = label.instance, label.link
    if label.fault == LOST:
        return _check_loss(system, parent, label, child)
    table = system.instances[i].table
    tr = table.transitions[label.transition]
    live.restore(table.state_ids[system.control(parent, i)], system.locals_of(parent, i))
    event, fields = label.message if label.message is not None else (tr.event, None)
    try:
        got = live.step(event, fields, forced=tr.effect_name)
    except LiveError as err:
        return [str(err)]
    group = system.instances[i].group
    try:
        sends = [(system.links[link].src if to == REPLY and link is not None else system.instance_of(group, to), (m, f))
                 for to, m, f in got.sends]
    except KeyError as err:
        return [f"{system.instances[i].name}: live send to {err} has no destination"]
    expected = {
        "state": table.state_ids[system.control(child, i)],
        "locals": tuple(system.locals_of(child, i)),
        "sends": [(system.links[li].dst, msg) for li, msg in label.sends],
    }
    actual = {"state": got.state, "locals": got.local, "sends": sends}
    return [f"{system.instances[i].name} {event} [{tr.effect_name}]: {key} compiled {expected[key]} live {actual[key]}"
            for key in expected if expected[key] != actual[key]]


def _check_loss(system: System, parent: World, label: Label, child: World) -> list[str]:
    if label.link is None or not system.links[label.link].lossy:
        return [f"a message is lost on link {label.link}, which is not lossy"]
    slot = system.link_base + label.link
    expected = list(parent)
    queue = system.queue(parent, slot)
    expected[slot] = queue[1:]
    lost_count = system.group_slot(system.instances[label.instance].group, f"ghost.{FAULT_GHOST}")
    expected[lost_count] = system.value(parent, lost_count) + 1
    if not queue or queue[0] != label.message or tuple(expected) != tuple(child):
        return [f"link {label.link}: losing {label.message} does not give the recorded world"]
    return []


StepCheck = Callable[[int, Label, int], list[str]]
"""Checks one step (world index before, label, world index after); returns the differences."""


def replay_path(exploration: Exploration, world: int, live: Mapping[str, LiveElement],
                step: StepCheck | None = None) -> list[str]:
    """Replay the breadth-first path to ``world`` step by step on live machines (one per role);
    the differences found, empty when every step agrees with the compiled tables. ``step``
    replaces the per-step check (a caller checking many traces passes one that remembers steps)."""
    system = exploration.system

    def fresh(a: int, label: Label, b: int) -> list[str]:
        role = system.instances[label.instance].role
        return check_step(system, live[role], exploration.worlds[a], label, exploration.worlds[b])

    check = step or fresh
    path = exploration.path_to(world)
    problems: list[str] = []
    for number, (a, b) in enumerate(zip(path, path[1:], strict=False), start=1):
        label = exploration.via[b]
        if label is None:
            return [f"step {number}: no label"]
        problems += [f"step {number}: {p}" for p in check(a, label, b)]
    return problems
