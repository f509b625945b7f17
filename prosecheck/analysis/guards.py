"""Guard analysis per element: where the rules (and so the text) are ambiguous or silent.

For every (element, state, event) of a scenario's compiled tables, Z3 decides

* **ambiguity**: can the guards of two transitions be true together? Two transitions that both
  stand for a nondeterministic environment or fault choice (``Effect.choice``, e.g. "EAP
  authentication succeeds" / "fails") overlap on purpose: they are listed as *intentional*
  and are not findings. Any other overlap means the rules do not say which branch applies.
* **gap** (received messages only): does some valuation of the element's variables and the
  message's fields enable no transition? A local decision that is not enabled is simply not
  taken, so local events have no gaps.

Each question is asked twice: over **any valuation** within the declared domains (booleans
0/1, message fields of an enumerated kind such as a result code within their named values,
other integers any 16-bit value) and over the **reachable valuations** the search met (the
distinct (variables, message) pairs seen when that event was enabled in that state). A
message that the search saw arrive in a state that neither handles nor ignores it is reported
with the scenario (``unhandled``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from operator import itemgetter

import z3

from prosecheck.checker.expr import BITS, Expr, Not, Or, refs, to_z3
from prosecheck.checker.machine import CompiledTransition, ElementTable
from prosecheck.checker.search import Exploration

Valuation = tuple[tuple[int, ...], tuple[int, ...]]  # (element variables, message fields)
Reachable = Mapping[tuple[str, int, str], set[Valuation]]


@dataclass
class GuardFinding:
    kind: str  # "ambiguity" | "intentional" | "gap"
    role: str
    state: str
    event: str
    transitions: list[str]  # edge and citation of each transition involved
    any_witness: dict[str, int] | None  # a valuation showing it, within the declared domains
    reachable_witness: dict[str, int] | None  # one among the reachable valuations, if any
    scenarios: list[str] = field(default_factory=list)
    reached_in: dict[str, dict[str, int]] = field(default_factory=dict)  # scenario -> its own reachable witness

    @property
    def key(self) -> tuple:
        return (self.kind, self.role, self.state, self.event, tuple(self.transitions))


@dataclass
class Unhandled:
    scenario: str
    role: str
    state: str
    message: str
    depth: int  # steps of the shortest trace to the world where it arrives


def reachable_valuations(exploration: Exploration) -> dict[tuple[str, int, str], set[Valuation]]:
    """(role, state, event) -> the distinct (variables, message) pairs met by the search. Each
    instance's part of the worlds (control state, variables, the heads of its incoming links) is
    collected once per distinct value, not once per world."""
    system = exploration.system
    out: dict[tuple[str, int, str], set[Valuation]] = {}
    for i, inst in enumerate(system.instances):
        own = system.instance_positions(i)
        links = [system.link_base + lk.index for lk in system.links if lk.dst == i]
        get = itemgetter(*own, *links) if len(own) + len(links) > 1 else (lambda w, p=own[0]: (w[p],))
        parts = set(map(get, exploration.worlds))
        for part in parts:
            state, local, queues = part[0], tuple(part[1:len(own)]), part[len(own):]
            for event in inst.table.local_events:
                out.setdefault((inst.role, state, event), set()).add((local, ()))
            for queue in queues:
                if queue:
                    out.setdefault((inst.role, state, queue[0][0]), set()).add((local, queue[0][1]))
    return out


class _Symbols:
    """Z3 bit-vectors for one (element, event): variables by name, fields as ``msg.<field>``."""

    def __init__(self, table: ElementTable, event: str, domains: Mapping[str, Sequence[int]]) -> None:
        self.table, self.fields = table, list(table.message_fields.get(event, ()))
        self.kinds = domains
        self.cache: dict[tuple[str, str], z3.BitVecRef] = {}

    def __call__(self, scope: str, name: str) -> z3.BitVecRef:
        key = (scope, name)
        if key not in self.cache:
            self.cache[key] = z3.BitVec(name if scope == "local" else f"msg.{name}", BITS)
        return self.cache[key]

    def domain(self, read: Iterable[tuple[str, str]]) -> z3.BoolRef:
        """The declared domains of the references ``read``."""
        parts = []
        for scope, name in sorted(read):
            sym = self(scope, name)
            if scope == "local" and self.table.var_sorts[self.table.var_names.index(name)] == "bool":
                parts.append(z3.ULE(sym, 1))
            elif scope == "msg" and name in self.kinds:
                parts.append(z3.Or([sym == v for v in self.kinds[name]]))
        return z3.And(parts) if parts else z3.BoolVal(True)

    def reachable(self, read: Iterable[tuple[str, str]], valuations: Iterable[Valuation]) -> z3.BoolRef:
        """One of the reachable valuations, projected on the references ``read``."""
        read = sorted(read)
        rows = set()
        for local, msg in valuations:
            row = []
            for scope, name in read:
                row.append(local[self.table.var_names.index(name)] if scope == "local" else msg[self.fields.index(name)])
            rows.add(tuple(row))
        return z3.Or([z3.And([self(s, n) == v for (s, n), v in zip(read, row)] or [z3.BoolVal(True)])
                      for row in sorted(rows)]) if rows else z3.BoolVal(False)


def _witness(formula: z3.BoolRef, symbols: _Symbols) -> dict[str, int] | None:
    """The lexicographically smallest valuation (by variable name) satisfying ``formula``: unique, so
    reports do not depend on the solver's state."""
    solver = z3.Optimize()
    solver.add(formula)
    for _, sym in sorted(symbols.cache.items()):
        solver.minimize(sym)
    if solver.check() != z3.sat:
        return None
    model = solver.model()
    return {str(sym): model.eval(sym, model_completion=True).as_long() for _, sym in sorted(symbols.cache.items())}


def _describe(table: ElementTable, tr: CompiledTransition) -> str:
    return f"{table.edge(tr)} when {tr.guard_text} ({tr.effect.ref})"


def analyze_table(
    table: ElementTable, reachable: Reachable, field_domains: Mapping[str, Mapping[str, Sequence[int]]]
) -> list[GuardFinding]:
    """Ambiguities, intentional overlaps and gaps of one compiled element table."""
    findings = []
    for (state, event), candidates in sorted(table.by_state_event.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        symbols = _Symbols(table, event, field_domains.get(event, {}))
        valuations = reachable.get((table.role, state, event), set())
        guards: list[Expr] = [tr.guard for tr in candidates]
        read = set().union(*(refs(g) for g in guards))
        domain = symbols.domain(read)
        within = symbols.reachable(read, valuations)
        terms = [to_z3(g, symbols) for g in guards]
        for (a, ta), (b, tb) in combinations(zip(candidates, terms), 2):
            both = z3.And(_bool(ta), _bool(tb))
            found = _witness(z3.And(both, domain), symbols)
            if found is None:
                continue
            kind = "intentional" if a.effect.choice and b.effect.choice else "ambiguity"
            findings.append(GuardFinding(kind, table.role, table.state_ids[state], event,
                                         [_describe(table, a), _describe(table, b)], found,
                                         _witness(z3.And(both, within), symbols)))
        if event in table.local_events:
            continue
        none = to_z3(Not(Or(*guards)), symbols)
        found = _witness(z3.And(_bool(none), domain), symbols)
        if found is not None:
            findings.append(GuardFinding("gap", table.role, table.state_ids[state], event,
                                         [_describe(table, tr) for tr in candidates], found,
                                         _witness(z3.And(_bool(none), within), symbols)))
    return findings


def _bool(term: z3.ExprRef) -> z3.BoolRef:
    return term if z3.is_bool(term) else term != z3.BitVecVal(0, BITS)


def unhandled_of(scenario_id: str, exploration: Exploration) -> list[Unhandled]:
    """The messages the search saw arrive where no transition handles or ignores them."""
    system = exploration.system
    out = []
    for world, u in exploration.unhandled:
        inst = system.instances[u.instance]
        state = inst.table.state_ids[system.control(exploration.worlds[world], u.instance)]
        out.append(Unhandled(scenario_id, inst.role, state, u.message[0], exploration.depth[world]))
    return out


def merge(findings: Iterable[tuple[str, GuardFinding]]) -> list[GuardFinding]:
    """One finding per (kind, element, state, event, transitions), listing the scenarios that have it.
    A reachable witness belongs to the search of one scenario: each scenario's is kept under its id
    (``reached_in``), and ``reachable_witness`` is the first scenario's own (None when that scenario
    never reached the valuation, even if another did), so no witness is shown for a scenario it is not from."""
    merged: dict[tuple, GuardFinding] = {}
    for scenario_id, f in findings:
        kept = merged.setdefault(f.key, f)
        if scenario_id not in kept.scenarios:
            kept.scenarios.append(scenario_id)
        if f.reachable_witness is not None:
            kept.reached_in.setdefault(scenario_id, f.reachable_witness)
    return list(merged.values())
