"""A world of live python-statemachine machines that re-executes a trace step by step.

Independent of the search: no compiled table, no :class:`~prosecheck.checker.system.System`,
no cached step. The product's semantics (world layout, FIFO links of the scenario's capacity,
blocking sends, observers and ghost facts, lossy links and timers) is :mod:`.product`, shared with
the certificate checker; the element rules plugged into it are live machines
(:class:`~prosecheck.checker.live.LiveElement`: python-statemachine picks the transition and
evaluates the raw guards and effects). A step the live machines cannot take, or that does not
produce exactly what the trace records, raises :class:`ReplayFailure`."""

from __future__ import annotations

from collections.abc import Callable

from statemachine.exceptions import TransitionNotAllowed

from prosecheck.checker.expr import Expr, Value
from prosecheck.checker.live import LiveElement, LiveError
from prosecheck.checker.machine import TIMEOUT, ModelError
from prosecheck.model.build import elements_of, options_of, rewrites_of
from prosecheck.model.messages import field_names
from prosecheck.properties.catalog import Property, StateIs
from prosecheck.replay.product import Blocked, LiveSteps, Message, Move, Product, World, transitions_of
from prosecheck.scenarios.catalog import Scenario

__all__ = ["LiveWorld", "ReplayFailure", "Snapshot", "transitions_of"]

Snapshot = dict[str, int | str]


class ReplayFailure(Exception):
    """The trace does not re-execute, or its last world does not show what it claims."""


class LiveWorld:
    """The shared product over one live machine per element, and the current world of the replay."""

    def __init__(self, scenario: Scenario) -> None:
        options: dict[str, Value] = dict(options_of(scenario))
        rewrites = rewrites_of(scenario.mutants, options)
        self.fields = field_names(options)
        self.steps = {cls.ROLE: LiveSteps(LiveElement(cls, options, self.fields, rewrites.get(cls.ROLE)))
                      for cls in elements_of(scenario)}
        self.product = Product(scenario, self.steps, options)
        self.world: World = self.product.initial()

    # -- reading the world ----------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """Every world variable by its report name: ``role.state`` (a state id), ``role.var``, ``ghost.fact``."""
        return self.product.snapshot(self.world)

    def full_snapshot(self) -> World:
        """The world variables and the link contents: equal exactly when the worlds are equal."""
        return self.world

    def _values(self, formula: Callable[[StateIs], Expr]) -> list[Value]:
        try:
            return self.product.values(formula, self.world)
        except ModelError as err:
            raise ReplayFailure(str(err)) from None

    def satisfied(self, prop: Property, formula: Callable[[StateIs], Expr] | None = None) -> list[bool]:
        """The property's formula (or ``formula``, e.g. its trigger) on the current world, per remote UE."""
        return [bool(v) for v in self._values(formula or prop.formula)]

    def value(self, prop: Property) -> list[int]:
        """A measure's expression on the current world, per remote UE."""
        return [int(v) for v in self._values(prop.formula)]

    # -- one step -------------------------------------------------------------------------------
    def _link(self, source: str | None, inst: str) -> int | None:
        if source is None:
            return None
        link = self.product.link_at.get((source, inst))
        if link is None:
            raise ReplayFailure(f"there is no link {source} -> {inst}")
        return link

    def _check_head(self, link: int | None, i: int, event: str, claimed: Message | None) -> None:
        """The message the step handles is the head of its link, and it is ``claimed``."""
        inst, rules = self.product.elements[i].name, self.product.elements[i].steps
        if link is None:
            if event not in rules.local_events or claimed is not None:
                raise ReplayFailure(f"{inst}: {event} is not a local decision of the {rules.role}")
            return
        source = self.product.links[link][0]
        queue = self.product.queue(self.world, link)
        if not queue:
            raise ReplayFailure(f"the link {source} -> {inst} is empty: no message to handle")
        if queue[0] != claimed or event != queue[0][0]:
            raise ReplayFailure(f"the message at the head of {source} -> {inst} is {self.show(queue[0])}, "
                                f"the trace has {inst} handle {event} {self.show(claimed)}")

    def step(self, inst: str, event: str, effect: str, source: str | None, claimed: Message | None,
             fault: str = "") -> list[dict]:
        """Re-execute one step on the live machine; the sends as ``{"to", "name", "fields"}``. A ``lost``
        message is removed from its link and handled by nobody."""
        i = self.product.index.get(inst)
        if i is None:
            raise ReplayFailure(f"the scenario has no element {inst!r}")
        if fault:
            lossy = self.product.link_at.get((source or "", inst))
            refused = self.product.fault_refused(self.world, lossy, fault) if lossy is not None else \
                f"the link {source} -> {inst} is not lossy in this scenario: no message can be {fault}"
            if refused:
                raise ReplayFailure(refused)
        link = self._link(source, inst)
        if fault == "lost":
            self._check_head(link, i, event, claimed)
            self.world = self.product.lose(self.world, link)  # type: ignore[arg-type]  # a fault has a link
            return []
        if event == TIMEOUT and link is None and not self.product.timer_may_fire(self.world, i):
            raise ReplayFailure(f"{inst}'s timer cannot fire: a message is in flight or a later element's timer fires "
                                "first")
        self._check_head(link, i, event, claimed)
        move = self._forced(i, event, effect, link)
        try:
            after = self.product.apply(self.world, i, link, move, keep=fault == "duplicated")
        except ModelError as err:
            raise ReplayFailure(str(err)) from None
        if isinstance(after, Blocked):
            src, dst, _ = self.product.links[after.link]
            raise ReplayFailure(f"{inst} cannot send {after.message}: the link {src} -> {dst} is full (the step is "
                                "blocked)")
        self.world = self.product.counted(after, link) if fault and link is not None else after
        return [{"to": self.product.links[self.product.destination(i, to, link, name)][1], "name": name,
                 "fields": dict(zip(self.fields[name], values, strict=True))} for to, (name, values) in move.sends]

    def _forced(self, i: int, event: str, effect: str, link: int | None) -> Move:
        """The live machine's move with effect ``effect`` on the step's event and message."""
        state, local = self.product.state_of(self.world, i)
        fields = None if link is None else self.product.queue(self.world, link)[0][1]
        steps = self.steps[self.product.elements[i].steps.role]
        try:
            return steps.forced(state, local, event, fields, effect)
        except (LiveError, TransitionNotAllowed) as err:
            raise ReplayFailure(str(err)) from None

    # -- claims about the last world ----------------------------------------------------------------
    def is_final(self) -> bool:
        """Every element at rest (a final or declared rest state) and every link empty."""
        return self.product.is_final(self.world)

    def _successors(self) -> tuple[list[World], list[int]]:
        try:
            return self.product.successors(self.world)
        except ModelError as err:
            raise ReplayFailure(str(err)) from None

    def has_successor(self) -> bool:
        """Some element can take a step: a local decision or the message at the head of a link (or a lossy
        link can lose its head message)."""
        return bool(self._successors()[0])

    def deadlocked(self) -> bool:
        """Not final, and no element can take a step (standard "no successor")."""
        return not self.is_final() and not self.has_successor()

    def unhandled(self) -> list[str]:
        """Messages at the head of a link whose destination has no transition for them."""
        out = []
        for k in self._successors()[1]:
            src, dst, _ = self.product.links[k]
            out.append(f"{dst} cannot handle {self.show(self.product.queue(self.world, k)[0])} from {src}")
        return out

    def show(self, message: Message | None) -> str:
        if message is None:
            return "no message"
        fields = ", ".join(f"{f}={v}" for f, v in zip(self.fields.get(message[0], ()), message[1]))
        return f"{message[0]}({fields})"
