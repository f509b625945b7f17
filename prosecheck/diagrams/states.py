"""Element state diagrams, drawn from the compiled tables the checker runs on.

One diagram per element and per procedure variant where the compiled machine differs: each
procedure's option set compiles (and prunes) every element's table, and procedures whose
tables for an element have the same transitions (source, event, target, effect, guard) share
one diagram. States carry their spec names, the initial state has an entry arrow, final states
a double border, rest states a bold one; each edge reads ``event [guard] / output`` with the
steps its effect cites, and its tooltip gives the effect in spec words and the full citation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import graphviz

from prosecheck.checker.expr import BinOp, Const, Expr, Not, Ref, lift, substitute
from prosecheck.checker.machine import CompiledTransition, ElementTable, parse_condition
from prosecheck.diagrams.msc_render import mermaid_title
from prosecheck.model.build import element_tables, options_of
from prosecheck.model.messages import MESSAGES
from prosecheck.model.procedures import PROCEDURES
from prosecheck.model.scenarios import Scenario


@dataclass
class Variant:
    """One element's machine as compiled for one or more procedures."""

    role: str
    key: str  # file stem: the role alone, or ``role--first-procedure`` when variants differ
    procedures: list[str]
    table: ElementTable
    options: dict[str, int]


def _guard_words(table: ElementTable, tr: CompiledTransition, options: dict[str, int]) -> str:
    """The transition's condition in guard names, with guards that options fix folded away."""
    if tr.guard_text == "true":
        return ""
    rules = table.cls.GUARDS  # type: ignore[attr-defined]
    named: dict[str, Expr] = {}
    for name, guard in rules.items():
        folded = substitute(lift(guard), lambda r: Const(options[r.name]) if r.scope == "opt" else None)
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
    for tr in t.transitions:
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


def shown_states(table: ElementTable) -> list[tuple[str, str]]:
    """(id, spec name) of the states the compiled machine can be in: the initial state and every
    end of a transition that survived option folding and pruning."""
    used = {table.initial_state} | {tr.source for tr in table.transitions} | {tr.target for tr in table.transitions}
    return [(table.state_ids[i], table.state_names[i]) for i in sorted(used)]


def _caption(variant: Variant) -> str:
    return f"{variant.table.title}: state machine for {', '.join(variant.procedures)}"


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
    for sid, name in shown_states(t):
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
    lines += [f'    state "{_mermaid_text(name)}" as {sid}' for sid, name in shown_states(t)]
    lines.append(f"    [*] --> {t.state_ids[t.initial_state]}")
    for e in edges(variant):
        lines.append(f"    {e.source} --> {e.target} : {_mermaid_text(e.label(' '))}")
    lines += [f"    {sid} --> [*]" for sid in t.state_ids if sid in final]
    return "\n".join(lines) + "\n"
