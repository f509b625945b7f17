"""System -> C source: the successor function of :meth:`System.successors`, written out per instance.

The generated half of the engine defines the world layout (the working vector ``w``: every slot
below ``link_base``, then per link its length and ``capacity`` entries of message id + fields), the
chunks and components of the collapsed store (see ``runtime.c``) and one C function per transition.
It mirrors the Python semantics step for step and in the same order: instances in order, local
events then incoming links in ``_in_links`` order, candidates in ``by_state_event`` order, blocking
sends, observers, ghost updates reading the world before the step, lost and duplicated messages
after the handled ones, timers last (per call, the last instance of each group whose timer can fire,
groups in order of first appearance). The library's semantics (issue 20) are mirrored as well:
shared variables (one chunk per group, read in guards, effects and ghosts, written after the ghost
updates from the world before the step, range checked), conditional sends (read before the step; a
false one neither appends nor blocks), links with several senders, computed destinations (a switch
on the index), :attr:`System.block_on_guards` and :attr:`Unhandled.blocked`, declared variable
ranges. Where the Python search raises a ModelError while a step fires, the C search stops with an
error code (``fail`` in ``runtime.c``) and :func:`.engine.model_error` raises the same error. A
system this module cannot mirror exactly is declined (:class:`Declined`) and the Python search runs
instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from prosecheck.checker import store
from prosecheck.checker.expr import C_PRELUDE, constants, lift, refs, to_c
from prosecheck.checker.machine import REPLY, TIMEOUT, CompiledTransition, ElementTable, To
from prosecheck.checker.system import Link, System

NARROW_MAX = 0xFFFF
"""The largest chunk id of a narrow (16-bit) component record: past it the search is rerun wide."""
MAX_VALUE = 0xFFFF
"""Stored values are uint16: every arithmetic result is masked to 16 bits, so constants must be too."""


class Declined(Exception):
    """The system uses something the compiled engine does not mirror; the reason says what."""


@dataclass
class Layout:
    """Where each world slot lives in the C working vector and in the collapsed store."""

    system: System
    nfields: int
    messages: list[str]
    loff: list[int] = field(default_factory=list)  # per link: offset of its length word in w
    wlen: int = 0
    chunk_pos: list[list[int]] = field(default_factory=list)  # per chunk: offsets in w
    chunk_slots: list[list[int]] = field(default_factory=list)  # per chunk: world slots (Python's)
    comps: list[list[int]] = field(default_factory=list)  # per component: its chunks
    comp_instances: list[list[int]] = field(default_factory=list)
    max_sends: int = 0
    field_counts: dict[str, int] = field(default_factory=dict)  # per message name: its number of fields

    @property
    def entry(self) -> int:
        return 1 + self.nfields

    def msg_id(self, name: str) -> int:
        return self.messages.index(name)

    @property
    def label_width(self) -> int:
        return 6 + self.nfields + self.max_sends * (2 + self.nfields)



def _group_chunks(system: System, lay: Layout, names: list[str]) -> dict[int, int]:
    """One chunk per group holding the slots ``names`` (group-qualified), appended to ``lay``; its
    index by group (no chunk when ``names`` is empty)."""
    chunks: dict[int, int] = {}
    for g in range(system.groups if names else 0):
        chunks[g] = len(lay.chunk_pos)
        slots = [system.group_slot(g, name) for name in names]
        lay.chunk_pos.append(slots)
        lay.chunk_slots.append(slots)
    return chunks

def layout(system: System) -> Layout:
    """The world layout, chunks and components of a system."""
    names = sorted(set(system.message_fields) | {m for i in system.instances for m in i.table.message_fields})
    fields = [len(_fields(system, m)) for m in names]
    lay = Layout(system, max(fields, default=0), names, field_counts=dict(zip(names, fields)))
    pos = system.link_base
    for lk in system.links:
        lay.loff.append(pos)
        pos += 1 + lk.capacity * lay.entry
    lay.wlen = pos
    chunk_of_instance = []
    for i in range(len(system.instances)):
        offs, slots = list(system.instance_positions(i)), list(system.instance_positions(i))
        for lk in system._in_links[i]:
            offs += range(lay.loff[lk.index], lay.loff[lk.index] + 1 + lk.capacity * lay.entry)
            slots.append(system.link_base + lk.index)
        chunk_of_instance.append(len(lay.chunk_pos))
        lay.chunk_pos.append(offs)
        lay.chunk_slots.append(slots)
    ghost_chunk = _group_chunks(system, lay, [f"ghost.{n}" for n in system.ghost_names])
    shared_chunk = _group_chunks(system, lay, [f"shared.{var.name}" for var in system.shared])
    groups = store._groups(system)  # the Python search's components (read at call time: tests may patch it)
    for _, members in groups:
        gs = sorted({system.instances[i].group for i in members})
        lay.comps.append([chunk_of_instance[i] for i in members] + [ghost_chunk[g] for g in gs if g in ghost_chunk]
                         + [shared_chunk[g] for g in gs if g in shared_chunk])
        lay.comp_instances.append(list(members))
    lay.max_sends = max((len(tr.sends) for i in system.instances for tr in i.table.transitions), default=0)
    return lay


def _fields(system: System, message: str) -> list[str]:
    for inst in system.instances:
        if message in inst.table.message_fields:
            return list(inst.table.message_fields[message])
    return list(system.message_fields.get(message, ()))


def check(system: System) -> None:
    """Raise :class:`Declined` when the compiled engine cannot mirror the system exactly."""
    if system.fault_budget > MAX_VALUE:
        raise Declined("fault budget above 65535")
    if any(not 0 <= var.initial <= MAX_VALUE for var in system.shared):
        raise Declined("a shared variable's initial value outside 0..65535")
    for i, inst in enumerate(system.instances):
        table = inst.table
        if table.kept:
            raise Declined(f"{inst.name}: options kept symbolic")
        if any(not 0 <= v <= MAX_VALUE for v in table.initial_locals):
            raise Declined(f"{inst.name}: an initial value outside 0..65535")
        for tr in table.transitions:
            _check_transition(system, i, table, tr)


def _check_transition(system: System, i: int, table: ElementTable, tr: CompiledTransition) -> None:
    where = f"{system.instances[i].name}: {table.edge(tr)}"
    if len(tr.assign) != len(tr.assign_exprs) or len(tr.sends) != len(tr.send_exprs):
        raise Declined(f"{where}: compiled without its expressions")
    exprs = [tr.guard, *(e for _, e in tr.assign_exprs), *(e for _, _, es in tr.send_exprs for e in es),
             *(e for _, e in tr.ghost), *(e for _, e in tr.share_exprs), *(e for _, e, _ in tr.send_when),
             *(lift(to.index) for to, _, _ in tr.send_exprs if isinstance(to, To))]
    for expr in exprs:
        if any(not 0 <= int(v) <= MAX_VALUE for v in constants(expr)):
            raise Declined(f"{where}: a constant outside 0..65535")
    local = tr.event in table.local_events
    _check_sends(system, i, tr, local, where)
    group = system.instances[i].group
    for _, expr in tr.ghost:
        for scope, name in refs(system.bind(expr, group)):
            if scope == "slot" and int(name) >= system.link_base:
                raise Declined(f"{where}: a ghost update reads a link")
            if scope not in ("slot", "local", "msg", "shared") or (scope == "msg" and local):
                raise Declined(f"{where}: a ghost update reads {scope}.{name}")


def _check_sends(system: System, i: int, tr: CompiledTransition, local: bool, where: str) -> None:
    """Every send to a role, and every reply on a link with one sender, resolves to a link (Python
    raises a ModelError when one that fires does not). A computed destination and a reply to a message
    from a link with several senders are resolved when the step fires; the C search stops with an
    error code there and :mod:`.engine` raises the Python search's ModelError."""
    for to, _, _ in tr.send_exprs:
        if not isinstance(to, str):
            continue
        if to == REPLY and local:
            raise Declined(f"{where}: a local decision replies")
        replies: list[Link | None] = [lk for lk in system._in_links[i] if not lk.senders]
        for lk in [None] if to != REPLY else replies:
            dst = lk.src if lk is not None else system._by_role.get((system.instances[i].group, to), -1)
            if (i, dst) not in system._link_of:
                raise Declined(f"{where}: a send without a link")


class _Writer:
    """Accumulates the generated C, one function per transition and instance."""

    def __init__(self, lay: Layout) -> None:
        self.lay, self.system = lay, lay.system
        self.lines: list[str] = []

    def emit(self, text: str) -> None:
        self.lines.append(text)

    def ref(self, i: int, event: str) -> Callable[[str, str], str]:
        """The C text of a reference read while instance ``i`` handles ``event`` (old world ``w``,
        head message fields at ``m``)."""
        table, system = self.system.instances[i].table, self.system
        base, group = system.instance_positions(i)[0] + 1, system.instances[i].group

        def ref(scope: str, name: str) -> str:
            if scope == "local":
                return f"w[{base + table.var_names.index(name)}]"
            if scope == "msg":
                return f"m[{list(table.message_fields[event]).index(name)}]"
            if scope == "slot":
                return f"w[{int(name)}]"
            if scope == "shared":
                return f"w[{system.group_slot(group, f'shared.{name}')}]"
            raise Declined(f"cannot read {scope}.{name}")

        return ref

    def transition(self, i: int, tr: CompiledTransition) -> None:
        """``t_I_K(x, w, L, mode)``: 0 when the guard is false; else apply (mode 0 local, 1 consume
        the head of link L, 2 duplicate it) and return 1, emitting the successor unless a send blocks.
        The order is :meth:`ElementTable.step`'s then :meth:`System._apply`'s: new locals (range
        checked) and send conditions read the world before the step, then the sends (a false
        condition skips one; a full link blocks the step), ghosts, shared writes (range checked)."""
        lay, system = self.lay, self.system
        inst = system.instances[i]
        ref = self.ref(i, tr.event)
        e = self.emit
        if _ranged(inst.table, tr):
            self.range_check(i, tr)
        e(f"static int t_{i}_{tr.index}(ctx_t *x, const int32_t *w, int L, int mode) {{")
        e("  const int32_t *m = L >= 0 ? w + LOFF[L] + 2 : w; (void)m;")
        e(f"  if (!{to_c(tr.guard, ref)}) return 0;")
        for v, expr in tr.assign_exprs:
            e(f"  int64_t a{v} = {to_c(expr, ref)};")
            bounds = inst.table.var_ranges[v] if inst.table.var_ranges else None
            if bounds is not None:
                e(f"  if (a{v} < {bounds[0]} || a{v} > {bounds[1]}) {{ fail(x, 1, {i}, {tr.index}, {v}, a{v}); return 1; }}")
        for k, expr, _ in tr.send_when:
            e(f"  int c{k} = {to_c(expr, ref)} != 0;")
        e("  int32_t n[WLEN]; int32_t lab[LW]; int lk; int32_t *q; int ns = 0, b; (void)lk; (void)q; (void)b;")
        e("  memcpy(n, w, sizeof n); memset(lab, 0, sizeof lab);")
        e("  if (mode == 1) pop(n, L);")
        conditional = {k for k, _, _ in tr.send_when}
        for s, (to, message, exprs) in enumerate(tr.send_exprs):
            e(f"  if (c{s}) {{" if s in conditional else "  {")
            self.resolve(i, tr, s, to)
            e("  if (n[LOFF[lk]] >= LCAP[lk]) return 1;")
            e("  q = n + LOFF[lk] + 1 + n[LOFF[lk]] * ENTRY; n[LOFF[lk]]++;")
            e(f"  q[0] = {lay.msg_id(message)};")
            for f, expr in enumerate(exprs):
                e(f"  q[{1 + f}] = (int32_t){to_c(expr, ref)};")
            e("  b = 6 + NFIELDS + ns * (2 + NFIELDS); ns++;")
            e("  lab[b] = lk; memcpy(lab + b + 1, q, ENTRY * 4);")
            self.observers(message)
            e("  }")
        group = inst.group
        for name, expr in tr.ghost:
            slot = system.group_slot(group, f"ghost.{name}")
            e(f"  n[{slot}] = (int32_t){to_c(system.bind(expr, group), ref)};")
        self.share(i, tr)
        pos = system.instance_positions(i)[0]
        e(f"  n[{pos}] = {tr.target};")
        for v, _ in tr.assign_exprs:
            e(f"  n[{pos + 1 + v}] = (int32_t)a{v};")
        fault = system._fault_slot[group] if system._fault_slot else -1
        if fault >= 0:
            e(f"  if (mode == 2) n[{fault}] += 1;")
        e(f"  lab[0] = {i}; lab[1] = {tr.index}; lab[2] = mode ? L : -1; lab[3] = -1;")
        e("  if (mode) memcpy(lab + 3, w + LOFF[L] + 1, ENTRY * 4);")
        e(f"  lab[{4 + lay.nfields}] = mode == 2 ? 2 : 0; lab[{5 + lay.nfields}] = ns;")
        e("  emit(x, lab, n);")
        e("  return 1;\n}")

    def range_check(self, i: int, tr: CompiledTransition) -> None:
        """``r_I_K(x, w, L)``: the range checks of the new locals alone. :meth:`ElementTable.step`
        computes every candidate's locals before :meth:`System._apply` applies the first one (and
        computes a timeout's even when the timer does not fire): the C search checks every candidate
        first, so that the first error it meets is the one the Python search raises."""
        table = self.system.instances[i].table
        ref = self.ref(i, tr.event)
        e = self.emit
        e(f"static void r_{i}_{tr.index}(ctx_t *x, const int32_t *w, int L) {{")
        e("  const int32_t *m = L >= 0 ? w + LOFF[L] + 2 : w; (void)m;")
        e(f"  if (!{to_c(tr.guard, ref)}) return;")
        for v, expr in tr.assign_exprs:
            bounds = table.var_ranges[v]
            if bounds is not None:
                e(f"  {{ int64_t a = {to_c(expr, ref)}; "
                  f"if (a < {bounds[0]} || a > {bounds[1]}) {{ fail(x, 1, {i}, {tr.index}, {v}, a); return; }} }}")
        e("}")

    def resolve(self, i: int, tr: CompiledTransition, s: int, to: str | To) -> None:
        """Set ``lk`` to the link send ``s`` goes on, as :meth:`System._resolve` (a reply on a link with
        several senders, or a computed destination with no link, stops the search with an error code)."""
        system = self.system
        inst = system.instances[i]
        if to == REPLY:
            if any(lk.senders for lk in system._in_links[i]):
                self.emit(f"  if (LMULTI[L]) {{ fail(x, 4, {i}, L, 0, 0); return 1; }}")
            self.emit("  lk = LINK_TO[{i}][LSRC[L]];".replace("{i}", str(i)))
        elif isinstance(to, str):
            self.emit(f"  lk = {system._link_of[(i, system._by_role[(inst.group, to)])].index};")
        else:
            cases = []
            for j, other in enumerate(system.instances):
                rest = other.role[len(to.prefix):]
                if other.group == inst.group and other.role.startswith(to.prefix) and rest.isdigit() \
                        and str(int(rest)) == rest and (i, j) in system._link_of:
                    cases.append(f"case {int(rest)}: lk = {system._link_of[(i, j)].index}; break;")
            self.emit(f"  {{ int64_t d = {to_c(lift(to.index), self.ref(i, tr.event))}; switch (d) {{ {' '.join(cases)} "
                      f"default: fail(x, 3, {i}, {tr.index}, {s}, d); return 1; }} }}")

    def share(self, i: int, tr: CompiledTransition) -> None:
        """The transition's shared-variable writes (read before the step, range checked, in order)."""
        system = self.system
        group = system.instances[i].group
        ref = self.ref(i, tr.event)
        declared = [var.name for var in system.shared]
        for name, expr in tr.share_exprs:
            k = declared.index(name)
            bounds = system.shared[k].range
            self.emit(f"  {{ int64_t v = {to_c(expr, ref)};")
            if bounds is not None:
                self.emit(f"  if (v < {bounds[0]} || v > {bounds[1]}) {{ fail(x, 2, {i}, {tr.index}, {k}, v); return 1; }}")
            self.emit(f"  n[{system.group_slot(group, f'shared.{name}')}] = (int32_t)v; }}")

    def observers(self, message: str) -> None:
        """Set the ghosts that observe ``message`` on the link ``lk`` just sent on (fields at ``q + 1``)."""
        cases = []
        for (link, name), entries in self.system._observed.items():
            if name != message:
                continue
            tests = []
            for ghost_slot, positions, values in entries:
                cond = " || ".join(
                    f"(q[{1 + p}]" + (f" && ({' || '.join(f'q[{1 + p}] == {v}' for v in sorted(values))})" if values else "")
                    + ")" for p in positions)
                tests.append(f"if ({cond}) n[{ghost_slot}] = 1;")
            cases.append(f"    case {link}: " + " ".join(tests) + " break;")
        if cases:
            self.emit("  switch (lk) {\n" + "\n".join(cases) + "\n  }")


def _ranged(table: ElementTable, tr: CompiledTransition) -> bool:
    """True when the transition assigns a variable with a declared range."""
    return bool(table.var_ranges) and any(table.var_ranges[v] is not None for v, _ in tr.assign_exprs)


def _prechecks(table: ElementTable, i: int, candidates: list[CompiledTransition], link: str) -> str:
    """The calls of the candidates' range checks (``r_I_K``), in order, before any of them fires."""
    return "".join(f"r_{i}_{tr.index}(x, w, {link}); " for tr in candidates if _ranged(table, tr))


def _rest(table: ElementTable, pos: int) -> str:
    if not table.rest_states:
        return "0"
    return "(" + " || ".join(f"w[{pos}] == {s}" for s in sorted(table.rest_states)) + ")"


def _instance(wr: _Writer, i: int) -> None:
    """``inst_I``: the steps of instance ``i`` in :meth:`System.successors`' order."""
    system, lay = wr.system, wr.lay
    inst = system.instances[i]
    table = inst.table
    pos = system.instance_positions(i)[0]
    e = wr.emit
    e(f"static void inst_{i}(ctx_t *x, const int32_t *w) {{\n  int32_t st = w[{pos}]; (void)st;")
    for event in table.local_events:
        if event == TIMEOUT:
            checks = [f"case {state}: {_prechecks(table, i, candidates, '-1')}break;"
                      for (state, ev), candidates in sorted(table.by_state_event.items())
                      if ev == TIMEOUT and _prechecks(table, i, candidates, "-1")]
            if checks:  # the Python search steps every timeout, firing or not
                e("  switch (st) { " + " ".join(checks) + " }")
            e(f"  if (timeout_on_{i}(w) && quiet_{inst.group}(w)) set_timer(x, {inst.group}, {i});")
            continue
        e("  switch (st) {")
        for (state, ev), candidates in sorted(table.by_state_event.items()):
            if ev == event:
                e(f"  case {state}: " + _prechecks(table, i, candidates, "-1")
                  + " ".join(f"t_{i}_{tr.index}(x, w, -1, 0);" for tr in candidates) + " break;")
        e("  }")
    for lk in system._in_links[i]:
        _handle(wr, i, lk)
    e("}")
    del lay


def _dispatch(table: ElementTable, i: int, lay: Layout, mode: int, lk: Link, counted: bool) -> str:
    """A switch on (control state, head message id) calling each candidate transition in order."""
    cases = []
    states = sorted({s for s, ev in table.by_state_event if ev in lay.messages})
    for state in states:
        inner = []
        for (s, ev), candidates in sorted(table.by_state_event.items()):
            if s == state and ev in lay.messages:
                calls = ("has = 1; " + _prechecks(table, i, candidates, str(lk.index)) if counted else "") + " ".join(
                    ("cnt += " if counted else "") + f"t_{i}_{tr.index}(x, w, {lk.index}, {mode});" for tr in candidates)
                inner.append(f"case {lay.msg_id(ev)}: {calls} break;")
        if inner:
            cases.append(f"case {state}: switch (mid) {{ {' '.join(inner)} }} break;")
    return "switch (st) { " + " ".join(cases) + " }"


def _handle(wr: _Writer, i: int, lk: Link) -> None:
    """The message at the head of link ``lk``: handled, unhandled, and (lossy) lost or duplicated."""
    system, lay = wr.system, wr.lay
    table = system.instances[i].table
    e = wr.emit
    e(f"  if (w[{lay.loff[lk.index]}]) {{\n    int32_t mid = w[{lay.loff[lk.index] + 1}]; int cnt = 0, has = 0;")
    e("    " + _dispatch(table, i, lay, 1, lk, True))
    # issue 20: "blocked" (transitions for the message, every guard false) waits with block_on_guards
    e(f"    if (!cnt && !(has && {int(system.block_on_guards)})) "
      f"note_unhandled(x, {i}, {lk.index}, w + {lay.loff[lk.index] + 1}, has);")
    if lk.lossy:
        fault = system._fault_slot[system.instances[i].group]
        e(f"    if (w[{fault}] < {system.fault_budget}) {{")
        e(f"      lost(x, w, {i}, {lk.index}, {fault});")
        if system.duplication:
            e("      " + _dispatch(table, i, lay, 2, lk, False))
        e("    }")
    e("  }")


def _timer(wr: _Writer, i: int) -> None:
    """``timeout_on_I`` (some timeout transition is enabled) and ``fire_timeout_I`` (take them all)."""
    table = wr.system.instances[i].table
    pos = wr.system.instance_positions(i)[0]
    ref = wr.ref(i, TIMEOUT)
    guards, fires = [], []
    for (state, ev), candidates in sorted(table.by_state_event.items()):
        if ev == TIMEOUT:
            guards.append(f"case {state}: " + " ".join(f"if ({to_c(tr.guard, ref)}) return 1;" for tr in candidates)
                          + " break;")
            fires.append(f"case {state}: " + " ".join(f"t_{i}_{tr.index}(x, w, -1, 0);" for tr in candidates)
                         + " break;")
    wr.emit(f"static int timeout_on_{i}(const int32_t *w) {{ switch (w[{pos}]) {{ {' '.join(guards)} }} return 0; }}")
    wr.emit(f"static void fire_timeout_{i}(ctx_t *x, const int32_t *w) {{ switch (w[{pos}]) {{ {' '.join(fires)} }} }}")


def _array(name: str, ctype: str, values: list[int]) -> str:
    return f"static const {ctype} {name}[{max(len(values), 1)}] = {{{', '.join(map(str, values or [0]))}}};"


def _header(lay: Layout, wide: bool) -> list[str]:
    system = lay.system
    n = len(system.instances)
    chunk_start = [0]
    for offs in lay.chunk_pos:
        chunk_start.append(chunk_start[-1] + len(offs))
    comp_start = [0]
    for chunks in lay.comps:
        comp_start.append(comp_start[-1] + len(chunks))
    initial = system.initial()
    w0 = [system.value(initial, s) for s in range(system.link_base)] + [0] * (lay.wlen - system.link_base)
    link_to = [[-1] * n for _ in range(n)]
    for (src, dst), lk in system._link_of.items():
        link_to[src][dst] = lk.index
    ntr = max((len(i.table.transitions) for i in system.instances), default=0)
    defs = {"NINST": n, "NCHUNK": len(lay.chunk_pos), "NCOMP": len(lay.comps), "WLEN": lay.wlen,
            "LW": lay.label_width, "NFIELDS": lay.nfields, "ENTRY": lay.entry, "UW": 4 + lay.nfields,
            "NMSG": max(len(lay.messages), 1), "NTRSLOT": ntr + 1, "NGROUPS": system.groups,
            "MAXCHUNKW": max((len(c) for c in lay.chunk_pos), default=1),
            "MAXCOMPW": max((len(c) for c in lay.comps), default=1),
            "COMPVW": max((sum(len(lay.chunk_pos[k]) for k in c) for c in lay.comps), default=1)}
    out = ["#define _DEFAULT_SOURCE", "#include <stdint.h>", "#include <stdlib.h>", "#include <string.h>"]  # madvise
    out += [f"#define {k} {v}" for k, v in defs.items()]
    out += ["typedef uint32_t CID_T;", "#define CID_MAX 0xFFFFFFFEu"] if wide else \
        ["typedef uint16_t CID_T;", f"#define CID_MAX {NARROW_MAX}u"]
    out += [_array("chunk_start", "int", chunk_start), _array("chunk_pos", "int", [p for c in lay.chunk_pos for p in c]),
            _array("comp_start", "int", comp_start), _array("comp_chunk", "int", [k for c in lay.comps for k in c]),
            _array("W0", "int32_t", w0), _array("LOFF", "int", lay.loff),
            _array("LCAP", "int", [lk.capacity for lk in system.links]),
            _array("LSRC", "int", [lk.src for lk in system.links]),
            _array("LMULTI", "int", [int(bool(lk.senders)) for lk in system.links])]
    out.append(f"static const int LINK_TO[{max(n, 1)}][{max(n, 1)}] = {{"
               + ", ".join("{" + ", ".join(map(str, row)) + "}" for row in link_to) + "};" if n else "")
    return out


_HELPERS = """
static void pop(int32_t *n, int L) {
  int32_t *a = n + LOFF[L]; int len = a[0];
  memmove(a + 1, a + 1 + ENTRY, (size_t)(len - 1) * ENTRY * 4);
  memset(a + 1 + (len - 1) * ENTRY, 0, ENTRY * 4);
  a[0] = len - 1;
}
static void lost(ctx_t *x, const int32_t *w, int i, int L, int fault) {
  int32_t n[WLEN]; int32_t lab[LW];
  memcpy(n, w, sizeof n); memset(lab, 0, sizeof lab);
  pop(n, L); n[fault] += 1;
  lab[0] = i; lab[1] = -1; lab[2] = L; memcpy(lab + 3, w + LOFF[L] + 1, ENTRY * 4); lab[4 + NFIELDS] = 1;
  emit(x, lab, n);
}
static void set_timer(ctx_t *x, int g, int i) {
  if (x->timer[g] < 0) x->timer_order[x->ntimers++] = g;
  x->timer[g] = i;
}
"""


def _quiet(lay: Layout) -> list[str]:
    system = lay.system
    out = []
    for g in range(system.groups):
        tests = [f"w[{lay.loff[lk.index]}]" for lk in system.links if system.instances[lk.src].group == g]
        out.append(f"static int quiet_{g}(const int32_t *w) {{ return !({' || '.join(tests) or '0'}); }}")
    return out


def _top(lay: Layout) -> list[str]:
    """``gen_successors`` (one component's steps, timers last) and ``gen_final``."""
    system = lay.system
    out = ["static void fire_timer(ctx_t *x, const int32_t *w, int i) { switch (i) { "
           + " ".join(f"case {i}: fire_timeout_{i}(x, w); break;" for i, inst in enumerate(system.instances)
                      if TIMEOUT in inst.table.local_events) + " } }",
           "static void gen_successors(ctx_t *x, int c, const int32_t *w) {",
           "  x->ntimers = 0; for (int g = 0; g <= NGROUPS; g++) x->timer[g] = -1;",
           "  switch (c) {"]
    for c, members in enumerate(lay.comp_instances):
        out.append(f"  case {c}: " + " ".join(f"inst_{i}(x, w);" for i in members) + " break;")
    out += ["  }", "  for (int t = 0; t < x->ntimers; t++) fire_timer(x, w, x->timer[x->timer_order[t]]);", "}"]
    out.append("static int gen_final(int c, const int32_t *w) {\n  switch (c) {")
    for c, members in enumerate(lay.comp_instances):
        own = [lk for lk in system.links if lk.src in members]
        tests = [f"!w[{lay.loff[lk.index]}]" for lk in own]
        tests += [_rest(system.instances[i].table, system.instance_positions(i)[0]) for i in members]
        out.append(f"  case {c}: return {' && '.join(tests) or '1'};")
    out.append("  }\n  return 1;\n}")
    return out


RUNTIME = Path(__file__).with_name("runtime.c")


def generate(system: System, wide: bool = False) -> tuple[str, Layout]:
    """The C source of the engine for ``system`` and its layout (raises :class:`Declined`); ``wide``:
    chunk ids of 32 bits in the component records (else 16, 2 bytes per chunk per stored world)."""
    check(system)
    lay = layout(system)
    wr = _Writer(lay)
    for i in range(len(system.instances)):
        for tr in system.instances[i].table.transitions:
            wr.transition(i, tr)
        if TIMEOUT in system.instances[i].table.local_events:
            _timer(wr, i)
        _instance(wr, i)
    parts = [*_header(lay, wide), RUNTIME.read_text(), C_PRELUDE, _HELPERS, *_quiet(lay), *wr.lines, *_top(lay)]
    return "\n".join(parts) + "\n", lay


__all__ = ["Declined", "Layout", "check", "generate", "layout"]
