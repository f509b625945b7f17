"""Element rules and their compilation from python-statemachine classes into step tables.

An element is a python-statemachine ``StateMachine`` subclass that also inherits
:class:`ElementRules`. The state machine gives the structure (states, events, transitions,
the guard names in ``cond=`` and the effect name in ``on=``); the rules give each guard name
an :class:`~prosecheck.checker.expr.Expr` and each effect name an :class:`Effect`. The
checker never drives a live machine per product state: :func:`compile_element` reads the
class once, through its introspection, into an :class:`ElementTable`, and
:meth:`ElementTable.step` is what the search calls (and caches).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from prosecheck.checker.expr import (
    And,
    Const,
    Expr,
    ExprLike,
    Not,
    Or,
    Ref,
    Value,
    compile_py,
    lift,
    refs,
    render,
    substitute,
)

REPLY = "<reply>"
"""Send destination meaning "whoever sent the message being handled"."""
TIMEOUT = "timeout"
"""A local event the product enables only when its group is quiet (see :class:`~prosecheck.checker.system.System`)."""


class ModelError(Exception):
    """The model itself is malformed (a name that does not resolve, a field that does not exist)."""


@dataclass(frozen=True)
class Var:
    """A local variable of an element: name, initial value (may read options), sort, meaning.
    ``when`` (may read options only): the variable exists only in scenarios where it holds, so a
    variable that only an optional procedure needs leaves every other scenario's table as it was
    (assignments to it are dropped with it; a kept guard or effect that reads it is an error)."""

    name: str
    initial: ExprLike
    sort: str = "int"  # "int" | "bool"
    doc: str = ""
    when: ExprLike = True
    range: tuple[int, int] | None = None
    """Declared inclusive bounds ``(low, high)``: a step that would store a value outside them (a
    16-bit wrap-around included) stops the search with a :class:`RangeError` naming the element, the
    variable and the value, instead of wrapping silently. None: no check (the 16-bit reading)."""


class RangeError(ModelError):
    """A value left its variable's declared range during the search (a modelling error)."""


def check_range(where: str, name: str, value: int, bounds: tuple[int, int] | None) -> None:
    """Raise :class:`RangeError` when ``value`` lies outside ``bounds`` (None: any value is in range)."""
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        raise RangeError(f"{where}: variable {name} would become {value}, outside its declared range "
                         f"{bounds[0]}..{bounds[1]}")


@dataclass(frozen=True)
class To:
    """A destination computed when the step fires: the instance whose role is ``prefix`` followed by
    the value of ``index`` (``Send(To("worker", V("next")), ...)``: an array of links). The value is
    read before the step, as every expression of an effect is."""

    prefix: str
    index: ExprLike


@dataclass(frozen=True)
class Send:
    """One message emitted by an effect: destination role (or :data:`REPLY`, or a computed
    :class:`To`), name, fields.

    ``when`` (issue 20): the send happens only where this condition holds, read on the world before
    the step as every expression of an effect is (locals, message fields, options, ``S(name)``).
    A send whose condition is false is skipped: it neither appends nor blocks on a full link, and
    its destination is not computed. So one transition can send or not, as a Promela
    ``if :: cond -> ch!msg :: else -> skip fi`` inside one atomic step."""

    to: str | To
    message: str
    fields: Mapping[str, ExprLike] = field(default_factory=dict)
    when: ExprLike = True


Target = str | tuple[str, Callable[..., Value]]
"""A compiled destination: a role, or a prefix and the function computing the index."""


def destination(to: Target, lookup: Callable[[str, str], Value]) -> str:
    """The role a compiled send goes to (a computed :class:`To` evaluated with ``lookup``)."""
    return to if isinstance(to, str) else f"{to[0]}{int(to[1](lookup))}"


@dataclass(frozen=True)
class Effect:
    """What a transition does, in spec words, with its citation.

    ``assign`` writes the element's own variables (expressions read the values *before* the
    step); ``send`` emits messages; ``ghost`` records facts for properties only (never read by
    a guard); ``choice`` names a nondeterministic environment or fault choice this branch
    stands for; ``ignore`` marks a transition that explicitly discards the message. ``share``
    writes shared variables of the system (:class:`~prosecheck.checker.system.Shared`, read with
    ``S(name)``); the element must be one of the variable's declared writers.

    ``label`` and ``ref`` are optional (models that cite no specification leave them out): an
    empty label reads as the effect's name, an empty ref as no citation.
    """

    label: str = ""
    ref: Any = ""
    assign: Mapping[str, ExprLike] = field(default_factory=dict)
    send: Sequence[Send] = ()
    ghost: Mapping[str, ExprLike] = field(default_factory=dict)
    choice: str | None = None
    ignore: bool = False
    share: Mapping[str, ExprLike] = field(default_factory=dict)


class ElementRules:
    """Mixin for element classes: the semantic half of an element."""

    ROLE: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    VARIABLES: ClassVar[Sequence[Var]] = ()
    GUARDS: ClassVar[Mapping[str, ExprLike]] = {}
    EFFECTS: ClassVar[Mapping[str, Effect]] = {}
    LOCAL_EVENTS: ClassVar[frozenset[str]] = frozenset()
    REST_STATES: ClassVar[frozenset[str]] = frozenset()
    OPTION_DEFAULTS: ClassVar[Mapping[str, Value]] = {}
    """Options the rules read that a scenario need not set (their value when it does not): the
    additive options of proposed fixes, so that scenarios written before them are unchanged."""


@dataclass
class CompiledTransition:
    """One transition of one element, with its guard and effect folded for a scenario."""

    index: int
    source: int
    target: int
    event: str
    guard: Expr
    guard_text: str
    effect_name: str
    effect: Effect
    assign: list[tuple[int, Callable[..., Value]]]
    sends: list[tuple[Target, str, list[Callable[..., Value]]]]
    ghost: list[tuple[str, Expr]]
    guard_fn: Callable[..., Value]
    assign_exprs: list[tuple[int, Expr]] = field(default_factory=list)  # folded, for exporters
    send_exprs: list[tuple[str | To, str, list[Expr]]] = field(default_factory=list)  # To folded
    share_exprs: list[tuple[str, Expr]] = field(default_factory=list)  # shared variable writes, folded
    send_when: list[tuple[int, Expr, Callable[..., Value]]] = field(default_factory=list)
    """Conditional sends (:attr:`Send.when`): (position in ``sends``/``send_exprs``, folded condition,
    compiled). Empty when every send is unconditional (a condition the options make true is
    dropped; a send whose condition they make false is dropped with it)."""


Message = tuple[str, tuple[int, ...]]
"""A message: its name and its field values in catalogue order."""

Outcome = tuple["CompiledTransition", int, tuple[int, ...], tuple[tuple[str, Message], ...]]
"""(transition, target state, new locals, sends as (destination, message)) — a message is
``(message name, field values in catalogue order)``."""


@dataclass
class ElementTable:
    """The compiled form of one element class under one scenario's options."""

    role: str
    title: str
    cls: type
    state_ids: list[str]
    state_names: list[str]
    initial_state: int
    rest_states: frozenset[int]
    var_names: list[str]
    var_sorts: list[str]
    initial_locals: tuple[int, ...]
    transitions: list[CompiledTransition]
    by_state_event: dict[tuple[int, str], list[CompiledTransition]]
    local_events: list[str]
    message_fields: Mapping[str, Sequence[str]]
    pruned: list[str] = field(default_factory=list)
    initial_exprs: tuple[Expr, ...] = ()  # folded initial values; non-constant only for kept options
    kept: frozenset[str] = frozenset()  # options left symbolic (``compile_element(keep=...)``)
    var_ranges: list[tuple[int, int] | None] = field(default_factory=list)  # per variable (:attr:`Var.range`)
    shared_reads: tuple[str, ...] = ()  # shared variables any guard or effect reads, sorted

    def state_index(self, state_id: str) -> int:
        try:
            return self.state_ids.index(state_id)
        except ValueError:
            raise ModelError(f"{self.role} has no state {state_id!r}") from None

    def edge(self, tr: CompiledTransition) -> str:
        """``source --event--> target [effect]``: how reports name a transition."""
        return f"{self.state_ids[tr.source]} --{tr.event}--> {self.state_ids[tr.target]} [{tr.effect_name}]"

    def step(
        self, state: int, local: tuple[int, ...], event: str, message: tuple[int, ...] | None,
        shared: Mapping[str, int] | None = None,
    ) -> list[Outcome]:
        """Every enabled transition for ``event`` in ``state`` with these locals and message;
        ``shared``: the values of the shared variables in :attr:`shared_reads` (None when none are read)."""
        candidates = self.by_state_event.get((state, event))
        if not candidates:
            return []
        names = self.var_names
        fields = self.message_fields.get(event, ())

        def lookup(scope: str, name: str) -> Value:
            if scope == "local":
                return local[names.index(name)]
            if scope == "msg" and message is not None:
                return message[fields.index(name)]
            if scope == "shared" and shared is not None:
                return shared[name]
            raise ModelError(f"{self.role}: cannot read {scope}.{name} while handling {event}")

        out: list[Outcome] = []
        for tr in candidates:
            if not tr.guard_fn(lookup):
                continue
            new_local = list(local)
            for slot, fn in tr.assign:
                new_local[slot] = int(fn(lookup))
                if self.var_ranges and self.var_ranges[slot] is not None:
                    check_range(self.edge(tr), names[slot], new_local[slot], self.var_ranges[slot])
            skipped = {k for k, _, fn in tr.send_when if not fn(lookup)} if tr.send_when else ()  # Send.when
            sends = tuple((destination(to, lookup), (name, tuple(int(f(lookup)) for f in fns)))
                          for k, (to, name, fns) in enumerate(tr.sends) if k not in skipped)
            out.append((tr, tr.target, tuple(new_local), sends))
        return out


_TOKEN = re.compile(r"\s*(\(|\)|!|\bnot\b|\band\b|\bor\b|[A-Za-z_][A-Za-z0-9_]*)")


def parse_condition(text: str, guards: Mapping[str, ExprLike], where: str) -> Expr:  # noqa: C901 - predates the limit of 10 (issue 26)
    """Parse a python-statemachine condition string (``a and not b``, ``!a``) into an Expr."""
    tokens: list[str] = [t for t in _TOKEN.findall(text) if t.strip()]
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise ModelError(f"{where}: condition {text!r} ends too early (unbalanced parentheses?)")
        pos += 1
        return tokens[pos - 1]

    def expr_or() -> Expr:
        out = expr_and()
        while peek() == "or":
            take()
            out = Or(out, expr_and())
        return out

    def expr_and() -> Expr:
        out = expr_not()
        while peek() == "and":
            take()
            out = And(out, expr_not())
        return out

    def expr_not() -> Expr:
        if peek() in ("not", "!"):
            take()
            return Not(expr_not())
        if peek() == "(":
            take()
            inner = expr_or()
            if take() != ")":
                raise ModelError(f"{where}: unbalanced parentheses in condition {text!r}")
            return inner
        name = take()
        if name not in guards:
            raise ModelError(f"{where}: condition {text!r} names unknown guard {name!r}")
        return lift(guards[name])

    result = expr_or()
    if pos != len(tokens):
        raise ModelError(f"{where}: cannot parse condition {text!r}")
    return result


def _condition_text(transition: Any) -> str:
    """The transition's guard as one condition string: ``cond=`` specs as written, ``unless=``
    specs (stored with ``expected_value`` False) negated."""
    parts = []
    for spec in transition.cond:
        if spec.is_convention:
            continue
        text = str(spec.func)
        text = f"({text})" if " " in text else text
        parts.append(f"not {text}" if spec.expected_value is False else text)
    return " and ".join(parts)


def _effect_name(transition: Any, where: str) -> str:
    names = [str(spec.func) for spec in transition.on if not spec.is_convention]
    if len(names) != 1:
        raise ModelError(f"{where}: every transition names exactly one effect with on=, found {names}")
    return names[0]


@dataclass(frozen=True)
class Rewrite:
    """A deliberate change to an element's rules (a seeded mutant): replaced guards and
    effects by name, and effects whose transitions are removed."""

    guards: Mapping[str, ExprLike] = field(default_factory=dict)
    effects: Mapping[str, Effect] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()


class _RulesView:
    """The rules of a class with a :class:`Rewrite` applied."""

    def __init__(self, cls: Any, rewrite: Rewrite) -> None:
        self.ROLE, self.TITLE, self.VARIABLES = cls.ROLE, cls.TITLE, cls.VARIABLES
        self.LOCAL_EVENTS, self.REST_STATES = cls.LOCAL_EVENTS, cls.REST_STATES
        self.OPTION_DEFAULTS = cls.OPTION_DEFAULTS
        unknown = (set(rewrite.guards) - set(cls.GUARDS)) | (set(rewrite.effects) | rewrite.disabled) - set(cls.EFFECTS)
        if unknown:
            raise ModelError(f"{cls.ROLE}: rewrite names unknown guards/effects {sorted(unknown)}")
        self.GUARDS = {**cls.GUARDS, **rewrite.guards}
        self.EFFECTS = {**cls.EFFECTS, **rewrite.effects}
        self.DISABLED = rewrite.disabled


def compile_element(
    cls: type,
    options: Mapping[str, Value],
    message_fields: Mapping[str, Sequence[str]],
    rewrite: Rewrite | None = None,
    keep: frozenset[str] = frozenset(),
) -> ElementTable:
    """Compile an element class once for a scenario: options folded, dead transitions pruned.

    Options named in ``keep`` stay symbolic (``Ref("opt", name)``) in guards, effects and
    initial values: such a table is for the symbolic engine only (its concrete ``step`` and
    ``initial_locals`` cannot evaluate a kept option)."""
    rules: Any = _RulesView(cls, rewrite or Rewrite())
    states = list(cls.states)  # type: ignore[attr-defined]
    state_ids = [s.id for s in states]
    fold = _folder({**rules.OPTION_DEFAULTS, **options}, rules.ROLE, keep)
    variables = present_variables(rules.VARIABLES, fold)
    var_names = [v.name for v in variables]
    initial_exprs = tuple(fold(lift(v.initial)) for v in variables)
    initial_locals = tuple(
        0 if keep and not isinstance(e, Const) else int(_constant(e, f"{rules.ROLE}.{v.name}"))
        for v, e in zip(variables, initial_exprs)
    )
    table = ElementTable(
        role=rules.ROLE,
        title=rules.TITLE,
        cls=cls,
        state_ids=state_ids,
        state_names=[s.name for s in states],
        initial_state=next(i for i, s in enumerate(states) if s.initial),
        rest_states=frozenset(i for i, s in enumerate(states) if s.final or s.id in rules.REST_STATES),
        var_names=var_names,
        var_sorts=[v.sort for v in variables],
        initial_locals=initial_locals,
        transitions=[],
        by_state_event={},
        local_events=sorted(rules.LOCAL_EVENTS),
        message_fields=message_fields,
        initial_exprs=initial_exprs,
        kept=keep,
        var_ranges=[v.range for v in variables],
    )
    for v, value in zip(variables, initial_locals):
        check_range(f"{rules.ROLE}: initial value", v.name, value, v.range)
    absent = frozenset(v.name for v in rules.VARIABLES) - set(var_names)
    for state in states:
        for tr in state.transitions:
            for event in tr.events:
                _add_transition(table, rules, tr, str(event.id), fold, absent)
    table.shared_reads = _shared_reads(table)
    return table


def _shared_reads(table: ElementTable) -> tuple[str, ...]:
    """The shared variables the table's guards and effects read (the key the successor cache adds)."""
    exprs: list[Expr] = []
    for tr in table.transitions:
        exprs += [tr.guard, *(e for _, e in tr.assign_exprs), *(e for _, e in tr.share_exprs)]
        exprs += [e for _, _, es in tr.send_exprs for e in es] + [e for _, e, _ in tr.send_when]
    return tuple(sorted({name for e in exprs for scope, name in refs(e) if scope == "shared"}))


def present_variables(variables: Sequence[Var], fold: Callable[[Expr], Expr]) -> list[Var]:
    """The variables whose ``when`` holds once the options are folded (:attr:`Var.when`)."""
    out = []
    for v in variables:
        when = fold(lift(v.when))
        if not isinstance(when, Const):
            raise ModelError(f"variable {v.name}: 'when' must read options only, got {render(when)}")
        if when.value:
            out.append(v)
    return out


def _add_transition(table: ElementTable, rules: Any, tr: Any, event: str, fold: Callable[[Expr], Expr],
                    absent: frozenset[str] = frozenset()) -> None:
    """Compile one transition. One whose guard the options make false is pruned (its event may then be a
    message of an option the scenario does not enable); assignments to ``absent`` variables are dropped."""
    where = f"{table.role}: {tr.source.id} --{event}--> {tr.target.id}"
    cond_text = _condition_text(tr)
    guard = fold(parse_condition(cond_text, rules.GUARDS, where)) if cond_text else Const(True)
    name = _effect_name(tr, where)
    if name not in rules.EFFECTS:
        raise ModelError(f"{where}: unknown effect {name!r}")
    effect: Effect = rules.EFFECTS[name]
    if not effect.label:
        effect = replace(effect, label=name)
    if (isinstance(guard, Const) and not guard.value) or name in rules.DISABLED:
        table.pruned.append(f"{tr.source.id} --{event}--> {tr.target.id} [{name}]")
        return
    if event not in rules.LOCAL_EVENTS and event not in table.message_fields:
        raise ModelError(f"{where}: event is neither a local decision nor a known message")
    fields = table.message_fields.get(event, ())
    _check_refs(guard, table.var_names, fields, where)
    assign_exprs = _assignments(table, effect, fold, absent, fields, f"{where}: effect {name}")
    assign = [(index, compile_py(expr)) for index, expr in assign_exprs]
    sends, send_exprs, send_when = _sends(table, effect, fold, fields, f"{where}: effect {name}")
    ghost = [(g, fold(lift(e))) for g, e in effect.ghost.items()]
    share_exprs = [(v, fold(lift(e))) for v, e in effect.share.items()]
    for _, expr in share_exprs:
        _check_refs(expr, table.var_names, fields, where)
    table.transitions.append(
        CompiledTransition(
            index=len(table.transitions),
            source=table.state_index(tr.source.id),
            target=table.state_index(tr.target.id),
            event=event,
            guard=guard,
            guard_text=cond_text or "true",
            effect_name=name,
            effect=effect,
            assign=assign,
            sends=sends,
            ghost=ghost,
            guard_fn=compile_py(guard),
            assign_exprs=assign_exprs,
            send_exprs=send_exprs,
            share_exprs=share_exprs,
            send_when=send_when,
        )
    )
    table.by_state_event.setdefault((table.state_index(tr.source.id), event), []).append(table.transitions[-1])


SendLists = tuple[list[tuple[Target, str, list[Callable[..., Value]]]], list[tuple[str | To, str, list[Expr]]],
                  list[tuple[int, Expr, Callable[..., Value]]]]


def _sends(table: ElementTable, effect: Effect, fold: Callable[[Expr], Expr], fields: Sequence[str],
           where: str) -> SendLists:
    """An effect's sends compiled: (compiled, folded, conditions); a send whose :attr:`Send.when` the
    options make false is dropped, one they make true is unconditional."""
    out: SendLists = ([], [], [])
    sends, send_exprs, send_when = out
    for send in effect.send:
        catalogue = table.message_fields.get(send.message)
        if catalogue is None:
            raise ModelError(f"{where} sends unknown message {send.message!r}")
        unknown = set(send.fields) - set(catalogue)
        if unknown:
            raise ModelError(f"{where}: {send.message} has no field(s) {sorted(unknown)}")
        when = fold(lift(send.when))
        if isinstance(when, Const) and not when.value:
            continue
        if not isinstance(when, Const):
            _check_refs(when, table.var_names, fields, where)
            send_when.append((len(sends), when, compile_py(when)))
        exprs = [fold(lift(send.fields.get(f, 0))) for f in catalogue]
        for expr in exprs:
            _check_refs(expr, table.var_names, fields, where)
        target, target_expr = _target(send.to, fold, table.var_names, fields, where)
        sends.append((target, send.message, [compile_py(e) for e in exprs]))
        send_exprs.append((target_expr, send.message, exprs))
    return out


def _target(to: str | To, fold: Callable[[Expr], Expr], var_names: Sequence[str], fields: Sequence[str],
            where: str) -> tuple[Target, str | To]:
    """A send's destination compiled (and, for a computed :class:`To`, folded and checked)."""
    if isinstance(to, str):
        return to, to
    index = fold(lift(to.index))
    _check_refs(index, var_names, fields, where)
    return (to.prefix, compile_py(index)), To(to.prefix, index)


def _assignments(table: ElementTable, effect: Effect, fold: Callable[[Expr], Expr], absent: frozenset[str],
                 fields: Sequence[str], where: str) -> list[tuple[int, Expr]]:
    """The effect's assignments folded, by variable index; those to ``absent`` variables (:attr:`Var.when`)
    are dropped with their variable."""
    out = []
    for var, value in effect.assign.items():
        if var in absent:
            continue
        if var not in table.var_names:
            raise ModelError(f"{where} assigns unknown variable {var!r}")
        expr = fold(lift(value))
        _check_refs(expr, table.var_names, fields, where)
        out.append((table.var_names.index(var), expr))
    return out


def _folder(options: Mapping[str, Value], role: str, keep: frozenset[str] = frozenset()) -> Callable[[Expr], Expr]:
    def replace(ref: Ref) -> Expr | None:
        if ref.scope != "opt" or ref.name in keep:
            return None
        if ref.name not in options:
            raise ModelError(f"{role}: option {ref.name!r} is not set by the scenario")
        return Const(options[ref.name])

    return lambda expr: substitute(expr, replace)


def _constant(expr: Expr, where: str) -> Value:
    if not isinstance(expr, Const):
        raise ModelError(f"{where}: initial value must be a constant once options are set, got {render(expr)}")
    return expr.value


def _check_refs(expr: Expr, var_names: Sequence[str], fields: Sequence[str], where: str) -> None:
    for scope, name in refs(expr):
        if scope == "local" and name not in var_names:
            raise ModelError(f"{where}: unknown variable {name!r}")
        if scope == "msg" and name not in fields:
            raise ModelError(f"{where}: the message has no field {name!r}")
        if scope == "world":
            raise ModelError(f"{where}: guards and effects may read only their own variables and the message")


def prune_unreachable(tables: Sequence[ElementTable]) -> None:
    """Drop transitions that can never fire in any product of these tables.

    A transition is dead when its source state cannot be reached in its own element's graph,
    or when its event is a message that no live transition of any table sends. Iterate to a
    fixpoint; record what was dropped in ``table.pruned`` (a sound, static over-approximation:
    nothing that could fire is ever dropped).
    """
    while True:
        sendable = {name for t in tables for tr in t.transitions for _, name, _ in tr.sends}
        changed = False
        for t in tables:
            possible = [tr for tr in t.transitions if tr.event in t.local_events or tr.event in sendable]
            reach = {t.initial_state}
            frontier = [t.initial_state]
            while frontier:
                s = frontier.pop()
                for tr in possible:
                    if tr.source == s and tr.target not in reach:
                        reach.add(tr.target)
                        frontier.append(tr.target)
            live = [tr for tr in possible if tr.source in reach]
            if len(live) != len(t.transitions):
                changed = True
                kept = {id(tr) for tr in live}
                t.pruned += [t.edge(tr) for tr in t.transitions if id(tr) not in kept]
                t.transitions = live
        if not changed:
            break
    for t in tables:
        t.by_state_event = {}
        for position, tr in enumerate(t.transitions):
            tr.index = position
            t.by_state_event.setdefault((tr.source, tr.event), []).append(tr)
