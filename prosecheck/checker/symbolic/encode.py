"""The product transition relation of a :class:`~prosecheck.checker.system.System` in Z3.

Built from the same compiled element tables as the explicit search (guards, assignments,
sends and ghost updates are the same :class:`~prosecheck.checker.expr.Expr` trees, read by
:func:`~prosecheck.checker.expr.to_z3`), so nothing is written twice. One **rule** per element
transition and incoming link (or local decision): a counterexample reads as named steps.

A symbolic state is a vector of 16-bit bit-vectors: every world slot (control states, locals,
ghost facts), then per link its length and ``capacity`` message slots (message id, fields padded
to the link's widest message; empty slots are all zero, so a world has exactly one encoding),
then the kept options (rigid parameters). The step mirrors :meth:`System.successors` exactly:

* a message event fires only on the head of a non-empty incoming link; a local event any time;
* the handled message is popped first, then each send is appended in order, and a send to a
  full link disables the whole step (blocking send); a conditional send (``Send.when``, read on
  the state before the step) appends, and needs room, only where its condition holds;
* a link with several senders is one queue every sender appends to (``REPLY`` from it is refused);
* an observer sets its ghost to 1 when a sent message carries a matching non-zero field; the
  transition's own ghost updates are computed from the world *before* the step and win;
* the element's control state and locals take their new values; everything else is unchanged.
  (The explicit search's step cache is a memo of a pure function: it has no semantic effect.)

Two sound over-approximations, both opt-in, for proofs beyond the scenario's bounds:

* ``params``: options kept symbolic in the tables (``compile_element(keep=...)``) become rigid
  state variables, free within a range at the initial state: the system is the union of the
  systems for every option value in the range.
* ``havoc``: local variables (``role.var``) whose value is re-chosen freely before every step
  and kept at 0 in the state: a budget counter whose only use is its own guard ``x > 0`` and
  decrement then stops bounding anything. Every behaviour for every budget stays possible, so
  an invariant proved here holds for all budgets; a violation found here must be replayed on
  the explicit model before it counts.
* ``indexed``: ghost masks with one bit per connection attempt, kept as the single bit of a
  rigid parameter ``opt.index`` (free in 0..15); their other bits are free whenever read
  (:mod:`.masks`, which also says which properties this can judge).

And one exact reduction: :meth:`Encoding.sliced` keeps only the cone of influence of a property
(every variable a guard or the property reads, and what their updates read in turn); the
others never influence a step's enabledness or a kept variable, so the sliced system's
reachable states are exactly the projections of the full one's.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import z3

from prosecheck.checker.expr import BITS, Expr, Symbols, refs, to_z3
from prosecheck.checker.machine import REPLY, CompiledTransition, Message, ModelError, To
from prosecheck.checker.symbolic.masks import MASK_BITS, bit_of
from prosecheck.checker.system import Link, SlotValue, System, World

INDEX = "index"
"""The rigid parameter of the indexed encoding: the attempt whose bit the masks track."""


def bv(term: z3.ExprRef) -> z3.BitVecRef:
    """A term as a 16-bit value (booleans as 0/1, as ``int(True)`` in the concrete reading)."""
    if z3.is_bool(term):
        return z3.If(term, z3.BitVecVal(1, BITS), z3.BitVecVal(0, BITS))
    return term


def truth(term: z3.ExprRef) -> z3.BoolRef:
    return term if z3.is_bool(term) else term != z3.BitVecVal(0, BITS)


def equal(left: z3.ExprRef, right: z3.ExprRef) -> z3.BoolRef:
    """``left == right`` for two terms of one sort: the term ``==`` builds, without its coercions
    (building a rule's formula is most of an encoding's cost)."""
    return z3.BoolRef(z3.Z3_mk_eq(left.ctx_ref(), left.as_ast(), right.as_ast()), left.ctx)


def conjunction(terms: list[z3.BoolRef]) -> z3.BoolRef:
    """``z3.And(*terms)`` for Boolean terms (at least one), without its coercions."""
    args = (z3.Ast * len(terms))(*[t.as_ast() for t in terms])
    return z3.BoolRef(z3.Z3_mk_and(terms[0].ctx_ref(), len(terms), args), terms[0].ctx)


@dataclass
class Rule:
    """One element transition on one incoming link (or as a local decision)."""

    name: str
    instance: int
    transition: CompiledTransition
    link: int | None
    sends: list[tuple[Link, str, list[Expr]]]
    formula: z3.BoolRef | None = None  # over Encoding.cur, Encoding.nxt and this rule's havoc values
    havoc_vars: list[z3.BitVecRef] = field(default_factory=list)
    conds: list[z3.BoolRef] = field(default_factory=list)  # over Encoding.cur (and havoc values)
    updates: dict[int, z3.ExprRef] = field(default_factory=dict)  # position -> new value (others unchanged)


class Encoding:
    """State variables, initial condition and one formula per rule; see the module docstring."""

    def __init__(self, system: System, params: Mapping[str, tuple[int, int]] | None = None,
                 havoc: Collection[str] = (), indexed: Collection[str] = ()) -> None:
        self.system = system
        self.params = dict(params or {})
        self.indexed = {system.slot(name) for name in indexed}
        if self.indexed:
            self.params[INDEX] = (0, MASK_BITS - 1)
        self._tracked: dict[int, z3.BitVecRef] = {}  # id of a term reading an indexed mask -> its tracked bit
        self._reading: list[z3.ExprRef] = []  # those terms, kept alive while their ids are in use
        self.messages = sorted(system.message_fields)
        self.msg_id = {name: i + 1 for i, name in enumerate(self.messages)}
        slot_names = {pos: name for name, pos in system.slots.items()}
        self.names: list[str] = [slot_names[p] for p in range(system.link_base)]
        self.havoc_slots = {system.slot(h) for h in havoc}
        self.rules = self._steps()
        self.width = self._link_widths()
        self.link_pos: list[int] = []
        for lk in system.links:
            self.link_pos.append(len(self.names))
            tag = self.link_name(lk)
            self.names.append(f"{tag}.len")
            for j in range(lk.capacity):
                self.names.append(f"{tag}[{j}].msg")
                self.names += [f"{tag}[{j}].f{k}" for k in range(self.width[lk.index])]
        self.param_pos = {name: len(self.names) + k for k, name in enumerate(sorted(self.params))}
        self.names += [f"opt.{name}" for name in sorted(self.params)]
        self.cur = self.state("")
        self.nxt = self.state("'")
        self.kept: list[int] = list(range(len(self.names)))  # the positions the rules constrain
        self._position: dict[int, int] | None = None  # variable id -> position (built by reads)
        observed = {ghost for hits in system._observed.values() for ghost, _, _ in hits}
        if self.indexed & observed:
            raise ModelError("an observed ghost fact cannot be an indexed attempt mask")
        for rule in self.rules:
            self._build(rule)
            rule.formula = self._formula(rule)

    # -- layout -------------------------------------------------------------------------------
    def link_name(self, lk: Link) -> str:
        return f"{self.system.sender_names(lk.index)}->{self.system.instances[lk.dst].name}"

    def state(self, suffix: str) -> list[z3.BitVecRef]:
        return [z3.BitVec(f"{name}{suffix}", BITS) for name in self.names]

    def _steps(self) -> list[Rule]:
        sys, rules = self.system, []
        refused: dict[int, str] = {}  # id(rule) -> why it cannot be encoded, should it ever fire
        for i, inst in enumerate(sys.instances):
            in_links = [lk for lk in sys.links if lk.dst == i]
            for tr in inst.table.transitions:
                if tr.share_exprs:
                    raise ModelError(f"{inst.name}: {inst.table.edge(tr)} writes a shared variable, which is not "
                                     "encoded symbolically")
                local = tr.event in inst.table.local_events
                for lk in [None] if local else in_links:
                    sends, why = self._rule_sends(i, tr, lk)
                    where = "" if lk is None else f" from {sys.sender_names(lk.index)}"
                    rules.append(Rule(f"{inst.name}: {inst.table.edge(tr)}{where}", i, tr,
                                      None if lk is None else lk.index, sends))
                    if why:
                        refused[id(rules[-1])] = why
        alphabet = self._alphabets(rules)
        kept = [r for r in rules if r.link is None or r.transition.event in alphabet[r.link]]
        for rule in kept:
            if id(rule) in refused:
                raise ModelError(refused[id(rule)])
        return kept

    def _rule_sends(self, i: int, tr: CompiledTransition, lk: Link | None) -> tuple[list[tuple[Link, str, list[Expr]]], str]:
        """The rule's sends with their links; a reply to a message from a link with several senders
        has no link (System._resolve refuses it when it fires): the reason, and that send left out."""
        sends = []
        for to, name, exprs in tr.send_exprs:
            if to == REPLY and lk is not None and lk.senders:
                why = (f"{self.system.instances[i].name}: cannot reply to a message from link {lk.kind}, which has "
                       "several senders")
                return [], why
            sends.append((self._resolve(i, to, lk), name, exprs))
        return sends, ""

    def _resolve(self, i: int, to: str | To, lk: Link | None) -> Link:
        sys = self.system
        if isinstance(to, To):
            raise ModelError(f"{sys.instances[i].name}: a computed destination (To) is not encoded symbolically")
        if to == REPLY:
            if lk is None:
                raise ModelError(f"{sys.instances[i].name}: a local decision cannot reply")
            dst = lk.src
        else:
            dst = sys.instance_of(sys.instances[i].group, to)
        for link in sys.links:
            if i in link.sources and link.dst == dst:
                return link
        raise ModelError(f"{sys.instances[i].name} has no link to {to}")

    def _alphabets(self, rules: list[Rule]) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {lk.index: set() for lk in self.system.links}
        for rule in rules:
            for link, name, _ in rule.sends:
                out[link.index].add(name)
        return out

    def _link_widths(self) -> dict[int, int]:
        alphabet = self._alphabets(self.rules)
        return {k: max((len(self.system.message_fields[m]) for m in names), default=0)
                for k, names in alphabet.items()}

    # -- worlds <-> values ----------------------------------------------------------------------
    def values(self, world: World, params: Mapping[str, int] | None = None) -> list[int]:
        """The symbolic encoding of a concrete world (havocked slots read as 0)."""
        sys = self.system
        index = int((params or {}).get(INDEX, 0))
        out = [0 if p in self.havoc_slots else (int(sys.value(world, p)) >> index) & 1 if p in self.indexed
               else int(sys.value(world, p)) for p in range(sys.link_base)]
        for lk in sys.links:
            queue = sys.queue(world, sys.link_base + lk.index)
            out.append(len(queue))
            for j in range(lk.capacity):
                if j < len(queue):
                    name, fields = queue[j]
                    padded = list(fields) + [0] * (self.width[lk.index] - len(fields))
                    out += [self.msg_id[name], *padded]
                else:
                    out += [0] * (1 + self.width[lk.index])
        out += [int((params or {}).get(name, 0)) for name in sorted(self.params)]
        return out

    def world(self, values: list[int]) -> World:
        """The concrete world of a symbolic state (the inverse of :meth:`values`)."""
        sys = self.system
        index = values[self.param_pos[INDEX]] if self.indexed else 0
        items: list[SlotValue] = [v << index if p in self.indexed else v for p, v in enumerate(values[: sys.link_base])]
        for lk in sys.links:
            pos = self.link_pos[lk.index]
            queue: list[Message] = []
            for j in range(values[pos]):
                base = pos + 1 + j * (1 + self.width[lk.index])
                name = self.messages[values[base] - 1]
                queue.append((name, tuple(values[base + 1: base + 1 + len(sys.message_fields[name])])))
            items.append(tuple(queue))
        return tuple(items)

    def equals(self, state: list[z3.BitVecRef], values: list[int]) -> z3.BoolRef:
        """``state`` holds ``values`` at the kept positions."""
        return z3.And([state[p] == values[p] for p in self.kept])

    def key(self, state: list[z3.BitVecRef]) -> list[z3.BitVecRef]:
        """The kept variables of a state (the arguments of Spacer's invariant)."""
        return [state[p] for p in self.kept]

    # -- initial condition and property -----------------------------------------------------------
    def init(self, state: list[z3.BitVecRef]) -> z3.BoolRef:
        """The initial world (kept options free within their ranges)."""
        sys = self.system
        start: list[z3.ExprRef] = [z3.BitVecVal(0, BITS)] * len(state)
        for i, inst in enumerate(sys.instances):
            pos = sys.slots[f"{inst.name}.state"]
            start[pos] = z3.BitVecVal(inst.table.initial_state, BITS)
            symbols = self._symbols(state, None, i, None, [])
            for k, value in enumerate(inst.table.initial_locals):
                expr = inst.table.initial_exprs[k] if inst.table.kept else None
                start[pos + 1 + k] = bv(to_z3(expr, symbols)) if expr is not None else z3.BitVecVal(value, BITS)
        for p in self.havoc_slots:
            start[p] = z3.BitVecVal(0, BITS)
        params = set(self.param_pos.values())
        kept = set(self.kept)
        conds = [v == x for k, (v, x) in enumerate(zip(state, start)) if k not in params and k in kept]
        for name, (low, high) in self.params.items():
            if self.param_pos[name] not in kept:
                continue
            var = state[self.param_pos[name]]
            conds += [z3.UGE(var, low), z3.ULE(var, high)]
        return z3.And(conds)

    def prop(self, expr: Expr, state: list[z3.BitVecRef]) -> z3.BoolRef:
        """A bound formula (slot references) over a symbolic state."""
        for scope, name in refs(expr):
            if scope == "slot" and int(name) in self.havoc_slots:
                raise ModelError(f"the property reads {self.names[int(name)]}, which the encoding havocs")
        if not self.indexed:
            return truth(to_z3(expr, self._symbols(state, None, None, None, [])))
        index = state[self.param_pos[INDEX]]
        masks = [(state[p], state[p] << index) for p in self.indexed]  # the projection onto bit `index`
        return z3.substitute(truth(to_z3(expr, self._symbols(state, None, None, None, []))), *masks)

    # -- the step ---------------------------------------------------------------------------------
    def _symbols(self, state: list[z3.BitVecRef], head: list[z3.BitVecRef] | None, i: int | None,  # noqa: C901 - predates the limit of 10 (issue 26)
                 event: str | None, havoc: list[z3.BitVecRef]) -> Symbols:
        sys = self.system

        def slot_value(p: int) -> z3.ExprRef:
            if p in self.havoc_slots or (p in self.indexed and i is not None):
                var = z3.BitVec(f"havoc.{self.names[p]}.{len(havoc)}", BITS)
                havoc.append(var)
                if p not in self.indexed:
                    return var
                index = state[self.param_pos[INDEX]]
                read = (var & ~(z3.BitVecVal(1, BITS) << index)) | (state[p] << index)
                self._tracked[read.get_id()] = state[p]
                self._reading.append(read)
                return read
            return state[p]

        def symbol(scope: str, name: str) -> z3.ExprRef:
            if scope == "slot":
                return slot_value(int(name))
            if scope == "opt":
                if name not in self.param_pos:
                    raise ModelError(f"option {name!r} is neither folded nor a parameter of the encoding")
                return state[self.param_pos[name]]
            if i is None:
                raise ModelError(f"cannot read {scope}.{name} outside a step")
            inst = sys.instances[i]
            if scope == "local":
                return slot_value(sys.slots[f"{inst.name}.state"] + 1 + inst.table.var_names.index(name))
            if scope == "msg" and head is not None and event is not None:
                return head[1 + list(sys.message_fields[event]).index(name)]
            raise ModelError(f"{inst.name}: cannot read {scope}.{name}")

        return symbol

    def _build(self, rule: Rule) -> None:
        """The rule's enabling conditions and updates (``rule.conds``, ``rule.updates``)."""
        sys, cur = self.system, self.cur
        i, tr = rule.instance, rule.transition
        inst = sys.instances[i]
        ctrl = sys.slots[f"{inst.name}.state"]
        new: list[z3.ExprRef] = list(cur)
        conds: list[z3.BoolRef] = [cur[ctrl] == tr.source]
        queues = {lk.index: self._queue(cur, lk) for lk in sys.links}
        head = None
        if rule.link is not None:
            length, slots = queues[rule.link]
            head = slots[0]
            conds += [length != 0, head[0] == self.msg_id[tr.event]]
            queues[rule.link] = (length - 1, slots[1:] + [[z3.BitVecVal(0, BITS)] * len(head)])
        sym = self._symbols(cur, head, i, tr.event, rule.havoc_vars)
        conds.append(truth(to_z3(tr.guard, sym)))
        whens = {k: truth(to_z3(e, sym)) for k, e, _ in tr.send_when}  # Send.when, on the state before
        for k, (link, name, exprs) in enumerate(rule.sends):
            conds.append(self._send(queues, new, sym, link, name, exprs, whens.get(k)))
        bound_sym = self._symbols(cur, head, i, tr.event, rule.havoc_vars)
        for ghost_name, expr in tr.ghost:
            pos = sys.group_slot(inst.group, f"ghost.{ghost_name}")
            value = bv(to_z3(sys.bind(expr, inst.group), bound_sym))
            new[pos] = bit_of(value, cur[self.param_pos[INDEX]], self._tracked) if pos in self.indexed else value
        new[ctrl] = z3.BitVecVal(tr.target, BITS)
        for k, expr in tr.assign_exprs:
            new[ctrl + 1 + k] = bv(to_z3(expr, sym))
        for p in self.havoc_slots:
            new[p] = z3.BitVecVal(0, BITS)
        for lk in sys.links:
            length, slots = queues[lk.index]
            pos = self.link_pos[lk.index]
            new[pos] = length
            flat = [v for slot in slots for v in slot]
            new[pos + 1: pos + 1 + len(flat)] = flat
        rule.conds = conds
        rule.updates = {p: v for p, v in enumerate(new) if not z3.eq(v, cur[p])}

    def _send(self, queues: dict[int, tuple[z3.ExprRef, list[list[z3.ExprRef]]]], new: list[z3.ExprRef],
              sym: Symbols, link: Link, name: str, exprs: list[Expr], when: z3.BoolRef | None) -> z3.BoolRef:
        """Append one send to ``queues`` (observers into ``new``); its condition: room on the link.
        A conditional send (``when``) appends, and needs room, only where ``when`` holds."""
        length, slots = queues[link.index]
        fields = [bv(to_z3(e, sym)) for e in exprs]
        message = [z3.BitVecVal(self.msg_id[name], BITS), *fields]
        message += [z3.BitVecVal(0, BITS)] * (1 + self.width[link.index] - len(message))
        at = [length == j if when is None else z3.And(when, length == j) for j in range(len(slots))]
        slots = [[z3.If(at[j], m, old) for m, old in zip(message, slot)] for j, slot in enumerate(slots)]
        queues[link.index] = (length + 1 if when is None else z3.If(when, length + 1, length), slots)
        for ghost_slot, positions, values in self.system._observed.get((link.index, name), ()):
            hit = z3.Or([z3.And(fields[p] != 0, z3.Or([fields[p] == v for v in values]) if values else True)
                         for p in positions])
            new[ghost_slot] = z3.If(hit if when is None else z3.And(when, hit), z3.BitVecVal(1, BITS), new[ghost_slot])
        room = z3.ULT(length, link.capacity)
        return room if when is None else z3.Or(z3.Not(when), room)

    def _formula(self, rule: Rule) -> z3.BoolRef:
        """Conditions and, at every kept position, next = updated (or unchanged) value."""
        return conjunction([*rule.conds, *[equal(self.nxt[p], rule.updates.get(p, self.cur[p])) for p in self.kept]])

    # -- the cone of influence ----------------------------------------------------------------------
    def sliced(self, good: z3.BoolRef) -> Encoding:
        """This encoding restricted to the cone of influence of ``good`` (module docstring): the
        same rules (names, conditions), constraining only the kept positions."""
        wanted = self.reads(good)
        for rule in self.rules:
            for cond in rule.conds:
                wanted |= self.reads(cond)
        todo = list(wanted)
        while todo:
            p = todo.pop()
            for rule in self.rules:
                if p in rule.updates:
                    for q in self.reads(rule.updates[p]) - wanted:
                        wanted.add(q)
                        todo.append(q)
        out = copy.copy(self)
        out.kept = sorted(wanted)
        out.rules = [dataclasses.replace(rule) for rule in self.rules]
        for rule in out.rules:
            rule.formula = out._formula(rule)
        return out

    def _queue(self, state: list[z3.BitVecRef], lk: Link) -> tuple[z3.ExprRef, list[list[z3.ExprRef]]]:
        pos, width = self.link_pos[lk.index], 1 + self.width[lk.index]
        slots = [list(state[pos + 1 + j * width: pos + 1 + (j + 1) * width]) for j in range(lk.capacity)]
        return state[pos], slots

    def step(self, rule: Rule, cur: list[z3.BitVecRef], nxt: list[z3.BitVecRef], tag: str = "") -> z3.BoolRef:
        """The rule's formula between two given states; havoc values renamed by ``tag``."""
        assert rule.formula is not None
        pairs = list(zip(self.cur, cur)) + list(zip(self.nxt, nxt))
        pairs += [(h, z3.BitVec(f"{h}@{tag}", BITS)) for h in rule.havoc_vars]
        return z3.substitute(rule.formula, *pairs)

    def trans(self, cur: list[z3.BitVecRef], nxt: list[z3.BitVecRef], tag: str = "") -> z3.BoolRef:
        return z3.Or([self.step(r, cur, nxt, tag) for r in self.rules])

    def reads(self, term: z3.ExprRef) -> set[int]:
        """The positions of the current-state variables that ``term`` reads."""
        if self._position is None:
            self._position = {v.get_id(): p for p, v in enumerate(self.cur)}
        return _reads(term, self._position)


def _reads(term: z3.ExprRef, position: dict[int, int]) -> set[int]:
    """The state positions (by the ids of their variables) that ``term`` reads."""
    out: set[int] = set()
    seen: set[int] = set()
    todo = [term]
    while todo:
        t = todo.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if t.get_id() in position:
            out.add(position[t.get_id()])
        elif z3.is_app(t):
            todo.extend(t.children())
    return out


__all__ = ["INDEX", "Encoding", "Rule", "bv", "truth"]
