"""Element state diagrams, drawn from the compiled tables the checker runs on.

One diagram per element and per procedure variant where the compiled machine differs: each
procedure's option set compiles (and prunes) every element's table, and procedures whose
tables for an element have the same transitions (source, event, target, effect, guard) share
one diagram. States carry their spec names, the initial state has an entry arrow, final states
a double border, rest states a bold one; each edge reads ``event [guard] / output`` with the
steps its effect cites, and its tooltip gives the effect in spec words and the full citation.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import graphviz

from prosecheck.checker.expr import BinOp, Const, Expr, Not, Ref, lift, substitute
from prosecheck.checker.machine import CompiledTransition, ElementTable, parse_condition
from prosecheck.diagrams.msc_render import mermaid_title
from prosecheck.model.build import element_tables, options_of
from prosecheck.model.messages import MESSAGES
from prosecheck.model.procedures import PROCEDURES
from prosecheck.scenarios.catalog import Scenario


@dataclass
class Variant:
    """One element's machine as compiled for one or more procedures."""

    role: str
    key: str  # file stem: the role alone, or ``role--first-procedure`` when variants differ
    procedures: list[str]
    table: ElementTable
    options: dict[str, int]
    fired: frozenset[int] | None = None  # pruned to these transitions (those a scenario's search fires)
    scenario: str = ""  # the scenario whose search pruned it

    def transitions(self) -> list[CompiledTransition]:
        """The transitions drawn: all compiled ones, or those the scenario fires."""
        return [tr for i, tr in enumerate(self.table.transitions) if self.fired is None or i in self.fired]


MAX_LISTED = 2
"""A caption lists at most this many procedures; diagrams/README.md lists them all."""
PRUNE_LIMIT = 2_000_000
"""``--scenario`` explores at most this many states to find the transitions the scenario fires."""


def pruned(variants: Sequence[Variant], scenario: Scenario) -> list[Variant]:
    """The variants of ``scenario`` pruned to the transitions its exhaustive search fires (over every
    instance of the role), so a diagram shows what the scenario can do, not what its options allow."""
    from prosecheck.checker.search import Limits, explore
    from prosecheck.model.build import build_system

    system = build_system(scenario)
    exploration = explore(system, Limits(max_states=PRUNE_LIMIT))
    if not exploration.complete:
        raise ValueError(f"scenario {scenario.id}: more than {PRUNE_LIMIT:,} states, so the transitions it fires "
                         "are not known: draw it without --scenario")
    fired: dict[str, set[int]] = {}
    for instance, transition in exploration.fired:
        fired.setdefault(system.instances[instance].role, set()).add(transition)
    return [replace(v, fired=frozenset(fired.get(v.role, set())), scenario=scenario.id) for v in variants]


def _guard_words(table: ElementTable, tr: CompiledTransition, options: dict[str, int]) -> str:
    """The transition's condition in guard names, with guards that options fix folded away."""
    if tr.guard_text == "true":
        return ""
    rules = table.cls.GUARDS  # type: ignore[attr-defined]
    values = {**table.cls.OPTION_DEFAULTS, **options}  # type: ignore[attr-defined]
    named: dict[str, Expr] = {}
    for name, guard in rules.items():
        folded = substitute(lift(guard), lambda r: Const(values[r.name]) if r.scope == "opt" else None)
        named[name] = folded if isinstance(folded, Const) else Ref("guard", name)
    expr = substitute(parse_condition(tr.guard_text, named, table.role), lambda r: None)
    return "" if isinstance(expr, Const) else _words(expr)


def _words(expr: Expr) -> str:
    if isinstance(expr, Ref):
        return expr.name
    if isinstance(expr, Not):
        inner = _words(expr.arg)
        return f"not {inner}" if isinstance(expr.arg, Ref) else f"not ({inner})"
    if isinstance(expr, BinOp):
        def side(e: Expr) -> str:
            text = _words(e)
            return f"({text})" if isinstance(e, BinOp) and e.op != expr.op else text
        return f"{side(expr.left)} {expr.op} {side(expr.right)}"
    return str(getattr(expr, "value", expr))


def event_words(table: ElementTable, event: str) -> str:
    """A received message by its spec title; a local decision by its name in words."""
    return MESSAGES[event].title if event in MESSAGES else event.replace("_", " ")


def steps_of(tr: CompiledTransition) -> str:
    steps = getattr(tr.effect.ref, "steps", ())
    return " ".join(steps) if steps else str(tr.effect.ref)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    event: str
    guard: str
    outputs: tuple[str, ...]
    steps: str
    tooltip: str

    def label(self, sep: str = "\n") -> str:
        parts = [self.event]
        if self.guard:
            parts.append(f"[{self.guard}]")
        if self.outputs:
            parts.append("/ " + ", ".join(self.outputs))
        parts.append(f"({self.steps})")
        return sep.join(parts)


def edges(variant: Variant) -> list[Edge]:
    t = variant.table
    out = []
    for tr in variant.transitions():
        outputs = tuple(MESSAGES[name].title for _, name, _ in tr.sends)
        out.append(Edge(t.state_ids[tr.source], t.state_ids[tr.target], event_words(t, tr.event),
                        _guard_words(t, tr, variant.options), outputs, steps_of(tr),
                        f"{tr.effect.label} [{tr.effect.ref}]"))
    return out


def _signature(table: ElementTable, options: dict[str, int]) -> tuple:
    return tuple(
        (table.state_ids[tr.source], tr.event, table.state_ids[tr.target], tr.effect_name,
         _guard_words(table, tr, options))
        for tr in table.transitions
    )


def variants(scenarios: Sequence[Scenario] | None = None, roles: Iterable[str] | None = None) -> list[Variant]:
    """Every element's distinct compiled machines over ``scenarios`` (default: one scenario per
    procedure, with default bounds), in element order, then in procedure order."""
    chosen = list(scenarios) if scenarios else [Scenario(p.id, p) for p in PROCEDURES.values()]
    groups: dict[str, dict[tuple, Variant]] = {}
    for scenario in chosen:
        options = {k: int(v) for k, v in options_of(scenario).items()}
        for role, table in element_tables(scenario).items():
            if roles is not None and role not in roles:
                continue
            sig = _signature(table, options)
            by_sig = groups.setdefault(role, {})
            if sig in by_sig:
                by_sig[sig].procedures.append(scenario.procedure.id)
            else:
                by_sig[sig] = Variant(role, role, [scenario.procedure.id], table, options)
    out = []
    for role, by_sig in groups.items():
        several = len(by_sig) > 1
        for v in by_sig.values():
            v.key = f"{role}--{v.procedures[0]}" if several else role
            out.append(v)
    return out


def _state_flags(table: ElementTable) -> tuple[set[str], set[str]]:
    final = {s.id for s in table.cls.states if s.final}  # type: ignore[attr-defined]
    final |= set(getattr(table.cls, "END_STATES", ()))  # final in meaning; only discards leave it (pc5.py)
    rest = {table.state_ids[i] for i in table.rest_states} - final
    return final, rest


def shown_states(table: ElementTable, transitions: Sequence[CompiledTransition] | None = None) -> list[tuple[str, str]]:
    """(id, spec name) of the states the machine can be in: the initial state and every end of a
    transition drawn (those that survived option folding and pruning, or ``transitions``)."""
    drawn = table.transitions if transitions is None else transitions
    used = {table.initial_state} | {tr.source for tr in drawn} | {tr.target for tr in drawn}
    return [(table.state_ids[i], table.state_names[i]) for i in sorted(used)]


def _caption(variant: Variant) -> str:
    """A short title: the element and where its machine comes from (at most :data:`MAX_LISTED` procedures)."""
    if variant.fired is not None:
        return (f"{variant.table.title} in scenario {variant.scenario}: the {len(variant.fired)} of "
                f"{len(variant.table.transitions)} compiled transitions its search fires")
    listed = variant.procedures
    if len(listed) == len(PROCEDURES):
        return f"{variant.table.title}: state machine (every procedure)"
    if len(listed) > MAX_LISTED:
        more = len(listed) - MAX_LISTED
        return (f"{variant.table.title}: state machine for {', '.join(listed[:MAX_LISTED])} and {more} more "
                f"procedure{'s' if more > 1 else ''}")
    return f"{variant.table.title}: state machine for {', '.join(listed)}"


def is_single_state(variant: Variant) -> bool:
    """A machine with one state (the PAnF, the UDM): drawn as a table of its transitions, not as a
    strip of self-loops."""
    return len(shown_states(variant.table, variant.transitions())) == 1


def _table_label(variant: Variant, state: str) -> str:
    """A Graphviz HTML-like label: the state's name, then one row per transition."""
    rows = [f'<TR><TD COLSPAN="4" BGCOLOR="#eeeeee"><B>{html.escape(state)}</B> (every transition stays in it)</TD></TR>',
            "<TR><TD><B>event</B></TD><TD><B>guard</B></TD><TD><B>output</B></TD><TD><B>steps</B></TD></TR>"]
    for e in edges(variant):
        cells = (e.event, e.guard or "-", ", ".join(e.outputs) or "-", e.steps)
        rows.append("<TR>" + "".join(f'<TD ALIGN="LEFT">{html.escape(c)}</TD>' for c in cells) + "</TR>")
    return '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">' + "".join(rows) + "</TABLE>>"


def to_dot(variant: Variant) -> str:
    """The variant as DOT text (states in spec words, edges ``event [guard] / output (steps)``)."""
    t = variant.table
    final, rest = _state_flags(t)
    g = graphviz.Digraph(variant.key)
    g.attr("graph", label=_caption(variant) + "\\n(entry arrow: initial state; double border: final; "
           "bold: at rest)", labelloc="t", fontname="Helvetica", fontsize="12", rankdir="TB")
    g.attr("node", shape="box", style="rounded", fontname="Helvetica", fontsize="10")
    g.attr("edge", fontname="Helvetica", fontsize="8")
    g.node("__initial", label="", shape="point", width="0.15")
    if is_single_state(variant):
        sid, name = shown_states(t, variant.transitions())[0]
        g.node(sid, label=_table_label(variant, f"{name} ({sid})"), shape="plaintext", style="")
        g.edge("__initial", sid)
        return g.source
    for sid, name in shown_states(t, variant.transitions()):
        attrs = {"peripheries": "2"} if sid in final else ({"style": "rounded,bold"} if sid in rest else {})
        g.node(sid, label=f"{name}\\n({sid})", tooltip=name, **attrs)
    g.edge("__initial", t.state_ids[t.initial_state])
    for e in edges(variant):
        g.edge(e.source, e.target, label=e.label(), tooltip=e.tooltip)
    return g.source


def _mermaid_text(text: str) -> str:
    return text.replace(";", ",").replace(":", " -").replace('"', "'").replace("#", "#35;")


def to_mermaid(variant: Variant) -> str:
    """The variant as a Mermaid ``stateDiagram-v2``."""
    t = variant.table
    final, _ = _state_flags(t)
    lines = [*mermaid_title(_caption(variant)), "stateDiagram-v2"]
    lines += [f'    state "{_mermaid_text(name)}" as {sid}' for sid, name in shown_states(t, variant.transitions())]
    lines.append(f"    [*] --> {t.state_ids[t.initial_state]}")
    if is_single_state(variant):  # one state: its transitions as a note, not a strip of self-loops
        sid = t.state_ids[t.initial_state]
        lines.append(f"    note right of {sid}")
        lines += [f"        {_mermaid_text(e.label(' '))}" for e in edges(variant)]
        lines.append("    end note")
        return "\n".join(lines) + "\n"
    for e in edges(variant):
        lines.append(f"    {e.source} --> {e.target} : {_mermaid_text(e.label(' '))}")
    lines += [f"    {sid} --> [*]" for sid in t.state_ids if sid in final]
    return "\n".join(lines) + "\n"
