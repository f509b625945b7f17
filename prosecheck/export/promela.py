"""Promela export of a :class:`~prosecheck.checker.system.System`, for SPIN to explore the same state space.

The mapping (one prosecheck step = one SPIN transition, so both count the same states):

* every world slot (each instance's control state and local variables, every ghost fact) is a
  global variable, so ghost updates may read any element's variables as prosecheck's do;
* every link is a ``chan`` of the link's capacity carrying ``{mtype, int, ...}``; messages with
  fewer fields than the widest message on that link are padded with zeros;
* every instance is one ``active proctype`` whose body is a single ``do`` loop; every option is
  one ``d_step`` for one compiled transition (one local decision, or one transition handling
  the head of one incoming link). The option's first statement is the whole enabling
  condition (control state, head message, guard, room on every link it sends to), so every
  nondeterministic choice is its own top-level option and no ``d_step`` resolves a choice;
* Promela cannot read a field of a channel's head in a condition, so each channel has a
  *head mirror* (``h<link>_m``, ``h<link>_f<j>``): global copies of its first message (zeros when
  empty), refreshed at the end of every step that touches the channel. A mirror is a function
  of the channel's contents, so it adds bytes to SPIN's state vector but no states;
* each process's program counter is the loop head in every stored state (a ``d_step`` is one
  transition), so it adds no states either;
* a shared variable (:class:`~prosecheck.checker.system.Shared`) is a global like any other slot;
* a lossy link's loss is one more option of the receiving process (head removed, the group's
  fault counter incremented while below the budget); a timer option (event ``timeout``) adds the
  quiet-network condition (every link of the group empty) and that no later instance of the group
  could fire its own timer, as :meth:`System.successors` does.

Hence SPIN's "states, stored" equals prosecheck's distinct states, and SPIN's
"transitions (= stored+matched)" equals prosecheck's transitions plus one (SPIN counts the
initial state as a stored transition). Values follow prosecheck's 16-bit reading: ``+``, ``-``
and ``<<`` are masked with 65535.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from prosecheck.checker.expr import And, BinOp, Const, Expr, Ite, Not, Ref, lift
from prosecheck.checker.machine import REPLY, TIMEOUT, CompiledTransition, ModelError, To
from prosecheck.checker.system import FAULT_GHOST, Link, System

_C_OPS = {"+": "+", "-": "-", "*": "*", "&": "&", "|": "|", "^": "^", "<<": "<<", ">>": ">>", "==": "==", "!=": "!=",
          "<": "<", "<=": "<=", ">": ">", ">=": ">=", "and": "&&", "or": "||"}
_MASKED = {"+", "-", "*", "<<"}


def ident(text: str) -> str:
    """A Promela identifier from a qualified name (``remote_ue.1.pruk_gen`` -> ``remote_ue_1_pruk_gen``)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


@dataclass
class _Names:
    """Promela names of world slots, links and message types."""

    system: System
    slot: dict[int, str] = field(default_factory=dict)
    width: dict[int, int] = field(default_factory=dict)  # fields per link

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for qualified, index in sorted(self.system.slots.items(), key=lambda kv: kv[1]):
            name = "w_" + ident(qualified)
            if name in seen:
                raise ModelError(f"Promela export: two world variables map to {name}")
            seen.add(name)
            self.slot[index] = name

    def state(self, instance: int) -> str:
        return self.slot[self.system._layout[instance][0]]

    def local(self, instance: int, var: int) -> str:
        return self.slot[self.system._layout[instance][1] + var]


def render(expr: Expr, ref: dict[tuple[str, str], str]) -> str:
    """``expr`` as a Promela (C-like) expression; ``ref`` names each (scope, name) it reads."""
    if isinstance(expr, Const):
        return str(int(expr.value))
    if isinstance(expr, Ref):
        try:
            return ref[(expr.scope, expr.name)]
        except KeyError:
            raise ModelError(f"Promela export: cannot read {expr.scope}.{expr.name} here") from None
    if isinstance(expr, Not):
        return f"!({render(expr.arg, ref)})"
    if isinstance(expr, Ite):
        return f"(({render(expr.cond, ref)}) -> ({render(expr.then, ref)}) : ({render(expr.orelse, ref)}))"
    if isinstance(expr, BinOp):
        a, b = render(expr.left, ref), render(expr.right, ref)
        if expr.op == "implies":
            return f"(!({a}) || ({b}))"
        text = f"({a} {_C_OPS[expr.op]} {b})"
        return f"({text} & 65535)" if expr.op in _MASKED else text
    raise TypeError(f"not an expression: {expr!r}")


@dataclass
class _Option:
    """One ``do`` option: one compiled transition of one instance, from one source link."""

    instance: int
    tr: CompiledTransition
    link: Link | None
    sends: list[tuple[Link, str, list[Expr]]]
    picks: list[Expr] = field(default_factory=list)  # computed destinations: index == value (and Send.when)
    when: dict[int, Expr] = field(default_factory=dict)  # position in sends -> its condition (Send.when)


def _options(system: System) -> list[_Option]:
    """Every (instance, transition, source link) that could fire: a message option only for a
    link that carries that message (iterated to a fixpoint, as dropping options drops sends)."""
    out = _all_options(system)
    while True:
        carried = {(lk.index, m) for o in out for lk, m, _ in o.sends}
        kept = [o for o in out if o.link is None or (o.link.index, o.tr.event) in carried]
        if len(kept) == len(out):
            return out
        out = kept


def _all_options(system: System) -> list[_Option]:
    out = []
    for i, inst in enumerate(system.instances):
        for tr in inst.table.transitions:
            sources = [None] if tr.event in inst.table.local_events else system._in_links[i]
            for lk in sources:
                out += [_Option(i, tr, lk, *alternative) for alternative in _resolve_sends(system, i, tr, lk)]
    return out


Resolved = tuple[list[tuple[Link, str, list[Expr]]], list[Expr], dict[int, Expr]]


def _resolve_sends(system: System, i: int, tr: CompiledTransition, lk: Link | None) -> list[Resolved]:
    """The transition's sends with their links: one alternative per choice of the computed destinations
    (:class:`To`), each with the condition (index == value) that selects it. A conditional send
    (:attr:`Send.when`) to a role stays one send guarded in the body (``if :: c -> ch!m :: else -> skip fi``);
    one to a computed destination adds the alternative "not sent" (``!c``) and ANDs ``c`` into each pick,
    so exactly one alternative is enabled in any world, as exactly one step is in prosecheck."""
    conditions = {k: e for k, e, _ in tr.send_when}
    alternatives: list[Resolved] = [([], [], {})]
    for k, (to, message, exprs) in enumerate(tr.send_exprs):
        if to == REPLY and lk is None:
            raise ModelError(f"{system.instances[i].name}: a local decision cannot reply")
        choices, when = _destinations(system, i, to, lk), conditions.get(k)
        extended: list[Resolved] = []
        for sends, picks, whens in alternatives:
            if when is not None and isinstance(to, To):
                extended.append((sends, picks + [Not(when)], whens))
                extended += [(sends + [(link, message, exprs)], picks + [And(when, pick or Const(True))], whens)
                             for link, pick in choices]
                continue
            guarded = whens if when is None else {**whens, len(sends): when}
            extended += [(sends + [(link, message, exprs)], picks + ([] if pick is None else [pick]), guarded)
                         for link, pick in choices]
        alternatives = extended
    return alternatives


def _destinations(system: System, i: int, to: str | To, lk: Link | None) -> list[tuple[Link, Expr | None]]:
    """The links a send may take: one for a role, one per instance ``prefix<k>`` linked from ``i`` for a
    :class:`To`, with its condition ``index == k``."""
    if isinstance(to, str):
        return [(system._resolve(i, to, lk), None)]
    pattern = re.compile(re.escape(to.prefix) + r"(\d+)")
    out: list[tuple[Link, Expr | None]] = []
    for link in system.links:
        match = pattern.fullmatch(system.instances[link.dst].role)
        if i in link.sources and match:
            out.append((link, BinOp("==", lift(to.index), Const(int(match.group(1))))))
    return out


class _Writer:
    def __init__(self, system: System) -> None:
        self.system = system
        self.names = _Names(system)
        self.options = _options(system)
        self.mtypes = sorted({o.tr.event for o in self.options if o.link is not None}
                             | {m for o in self.options for _, m, _ in o.sends})
        fields = system.message_fields
        for lk in system.links:
            carried = [m for o in self.options for link, m, _ in o.sends if link.index == lk.index]
            self.names.width[lk.index] = max((len(fields[m]) for m in carried), default=0)
        self.temps = 0

    def text(self) -> str:
        lines = ["/* Generated by prosecheck (prosecheck/export/promela.py); see its docstring for the mapping. */"]
        if self.mtypes:
            lines.append("mtype = { " + ", ".join(f"m_{ident(m)}" for m in self.mtypes) + " };")
        lines += self._globals()
        for i, inst in enumerate(self.system.instances):
            body = [self._option(o) for o in self.options if o.instance == i] + self._losses(i)
            if not body:
                continue
            lines.append(f"\nactive proctype p_{ident(inst.name)}() {{\n  do")
            lines += body
            lines.append("  od\n}")
        return "\n".join(lines) + "\n"

    def _globals(self) -> list[str]:
        system, names = self.system, self.names
        initial = system.initial()
        lines = []
        for index, name in names.slot.items():
            value = system.value(initial, index)
            if not 0 <= value <= 65535:
                raise ModelError(f"Promela export: initial value {value} of {name} is not a 16-bit value")
            lines.append(f"unsigned {name} : 16 = {value};")
        for lk in system.links:
            width = names.width[lk.index]
            kinds = ", ".join(["mtype"] + ["int"] * width)
            lines.append(f"chan l{lk.index} = [{lk.capacity}] of {{ {kinds} }}; "
                         f"/* {system.sender_names(lk.index)} -> {system.instances[lk.dst].name} ({lk.kind}) */")
            lines.append(f"mtype h{lk.index}_m;" + "".join(f" unsigned h{lk.index}_f{j} : 16;" for j in range(width)))
        temps = max([self._temps_needed(o) for o in self.options] + [0])
        lines += [f"hidden int t{k};" for k in range(temps)]
        return lines

    def _temps_needed(self, o: _Option) -> int:
        return (len(o.tr.assign_exprs) + sum(len(e) for _, _, e in o.sends) + len(o.tr.ghost)
                + len(o.tr.share_exprs) + len(o.when))

    def _timer_conditions(self, i: int) -> list[str]:
        """A timer fires only when its group is quiet (every link of the group empty) and no later
        instance of the group could fire its own timer (System.successors: the last one does)."""
        system, group = self.system, self.system.instances[i].group
        cond = [f"len(l{lk.index}) == 0" for lk in system.links if system.instances[lk.src].group == group]
        for j in range(i + 1, len(system.instances)):
            if system.instances[j].group != group:
                continue
            for tr in system.instances[j].table.transitions:
                if tr.event == TIMEOUT:
                    enabled = [f"{self.names.state(j)} == {tr.source}"]
                    if not (isinstance(tr.guard, Const) and tr.guard.value):
                        enabled.append(render(tr.guard, self._refs(_Option(j, tr, None, []))))
                    cond.append(f"!({' && '.join(enabled)})")
        return cond

    def _losses(self, i: int) -> list[str]:
        """One option per lossy incoming link of instance ``i``: lose the head message while the group's
        fault counter is below the budget (System._faults)."""
        system, out = self.system, []
        for lk in system._in_links[i]:
            if not lk.lossy:
                continue
            counter = self.names.slot[system.group_slot(system.instances[i].group, f"ghost.{FAULT_GHOST}")]
            width = self.names.width[lk.index]
            out.append(f"    :: d_step {{ /* the link l{lk.index} loses its head message */\n"
                       f"         (len(l{lk.index}) > 0 && {counter} < {system.fault_budget}) ->\n"
                       f"         l{lk.index}?{','.join(['_'] * (1 + width))};\n"
                       f"         {counter} = {counter} + 1;\n"
                       f"         {self._refresh(lk.index)};\n       }}")
        return out

    def _refs(self, o: _Option) -> dict[tuple[str, str], str]:
        table = self.system.instances[o.instance].table
        ref = {("local", v): self.names.local(o.instance, k) for k, v in enumerate(table.var_names)}
        ref.update({("slot", str(k)): v for k, v in self.names.slot.items()})
        group = self.system.instances[o.instance].group
        ref.update({("shared", var.name): self.names.slot[self.system.group_slot(group, f"shared.{var.name}")]
                    for var in self.system.shared})
        if o.link is not None:
            for j, f in enumerate(self.system.message_fields[o.tr.event]):
                ref[("msg", f)] = f"h{o.link.index}_f{j}"
        return ref

    def _option(self, o: _Option) -> str:
        system, names = self.system, self.names
        inst = system.instances[o.instance]
        ref = self._refs(o)
        cond = [f"{names.state(o.instance)} == {o.tr.source}"]
        if o.link is not None:
            cond.append(f"h{o.link.index}_m == m_{ident(o.tr.event)}")
        if not (isinstance(o.tr.guard, Const) and o.tr.guard.value):
            cond.append(render(o.tr.guard, ref))
        cond += [render(pick, ref) for pick in o.picks]
        cond += self._room(o, ref)
        if o.link is None and o.tr.event == TIMEOUT:
            cond += self._timer_conditions(o.instance)
        body: list[str] = []
        temp = iter(range(10**6))
        assigns = [(var, f"t{next(temp)}", expr) for var, expr in o.tr.assign_exprs]
        sends = [(lk, m, [(f"t{next(temp)}", e) for e in exprs]) for lk, m, exprs in o.sends]
        ghosts = [(name, f"t{next(temp)}", expr) for name, expr in o.tr.ghost]
        shares = [(name, f"t{next(temp)}", expr) for name, expr in o.tr.share_exprs]
        whens = {k: (f"t{next(temp)}", expr) for k, expr in o.when.items()}
        # 1. every new value from the old world
        body += [f"{t} = {render(e, ref)}" for t, e in whens.values()]
        body += [f"{t} = {render(e, ref)}" for _, t, e in assigns]
        body += [f"{t} = {render(e, ref)}" for _, _, fs in sends for t, e in fs]
        body += [f"{t} = {render(system.bind(e, inst.group), ref)}" for _, t, e in ghosts]
        body += [f"{t} = {render(e, ref)}" for _, t, e in shares]
        # 2. the step: consume, send (with observers), ghosts, own variables, control state
        touched = []
        if o.link is not None:
            width = names.width[o.link.index]
            body.append(f"l{o.link.index}?" + ",".join(["_"] * (1 + width)))
            touched.append(o.link.index)
        for k, (lk, m, fs) in enumerate(sends):
            pad = ["0"] * (names.width[lk.index] - len(fs))
            send = [f"l{lk.index}!" + ",".join([f"m_{ident(m)}"] + [t for t, _ in fs] + pad)]
            send += self._observers(lk, m, [t for t, _ in fs])
            body += send if k not in whens else [f"if :: {whens[k][0]} -> {'; '.join(send)} :: else -> skip fi"]
            touched.append(lk.index)
        body += [f"{names.slot[system.group_slot(inst.group, 'ghost.' + name)]} = {t}" for name, t, _ in ghosts]
        body += [f"{names.slot[system.group_slot(inst.group, 'shared.' + name)]} = {t}" for name, t, _ in shares]
        body += [f"{names.local(o.instance, var)} = {t}" for var, t, _ in assigns]
        body.append(f"{names.state(o.instance)} = {o.tr.target}")
        body += [self._refresh(index) for index in dict.fromkeys(touched)]
        src = "local" if o.link is None else f"l{o.link.index}"
        head = f"    :: d_step {{ /* {inst.name}: {inst.table.edge(o.tr)} from {src} */\n"
        return head + f"         ({' && '.join(cond)}) ->\n" + "".join(f"         {s};\n" for s in body) + "       }"

    def _room(self, o: _Option, ref: dict[tuple[str, str], str]) -> list[str]:
        """Room on every link the option sends to: one place per send, a conditional one (Send.when)
        only where its condition holds (a skipped send does not block)."""
        always: dict[int, int] = {}
        maybe: dict[int, list[str]] = {}
        for k, (lk, _, _) in enumerate(o.sends):
            if k in o.when:
                maybe.setdefault(lk.index, []).append(f"(({render(o.when[k], ref)}) -> 1 : 0)")
            else:
                always[lk.index] = always.get(lk.index, 0) + 1
        out = []
        for index in sorted(set(always) | set(maybe)):
            capacity, count = self.system.links[index].capacity, always.get(index, 0)
            if index not in maybe:
                out.append(f"len(l{index}) <= {capacity - count}")
            else:
                out.append(f"len(l{index}) + {' + '.join([str(count), *maybe[index]])} <= {capacity}")
        return out

    def _observers(self, lk: Link, message: str, temps: list[str]) -> list[str]:
        out = []
        for ghost_slot, positions, values in self.system._observed.get((lk.index, message), ()):
            tests = []
            for p in positions:
                allowed = " || ".join(f"{temps[p]} == {v}" for v in sorted(values))
                tests.append(f"({temps[p]} != 0 && ({allowed}))" if values else f"{temps[p]} != 0")
            out.append(f"if :: ({' || '.join(tests)}) -> {self.names.slot[ghost_slot]} = 1 :: else -> skip fi")
        return out

    def _refresh(self, index: int) -> str:
        width = self.names.width[index]
        fields = [f"h{index}_m"] + [f"h{index}_f{j}" for j in range(width)]
        zero = "; ".join(f"{f} = 0" for f in fields)
        return f"if :: nempty(l{index}) -> l{index}?<{','.join(fields)}> :: empty(l{index}) -> {zero} fi"


def to_promela(system: System) -> str:
    """The Promela model of ``system`` (see the module docstring for the mapping); duplicating links
    are not encoded (ModelError)."""
    if system.duplication and any(lk.lossy for lk in system.links):
        raise ModelError("the Promela export does not encode duplicating links yet")
    return _Writer(system).text()


__all__ = ["ident", "render", "to_promela"]
