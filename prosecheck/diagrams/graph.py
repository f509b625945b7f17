"""The reachable product graph of a small scenario, with a counterexample (or witness) path
highlighted, as a networkx graph, DOT text for Graphviz ``sfdp``, and SVG.

The search's parent pointers keep one edge per world; the picture needs every transition, so
each explored world's successors are generated once more and mapped to their indices. A node
cap keeps this to small scenarios: beyond it the search stops and :class:`GraphTooLarge` says
how many states there were and how to make the scenario smaller.
"""

from __future__ import annotations

from dataclasses import dataclass

import graphviz
import networkx as nx

from prosecheck.checker.judge import judge
from prosecheck.checker.search import Exploration, Limits, explore
from prosecheck.model.build import bind_property, build_system, options_of
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import Scenario
from prosecheck.trace_steps import describe_world

DEFAULT_MAX_NODES = 5000
TOOLTIP_LIMIT = 2000
"""Above this many nodes the DOT leaves out per-node world descriptions (they dominate its size)."""


class GraphError(Exception):
    """A graph that cannot be drawn as asked (reported as bad input)."""


class GraphTooLarge(GraphError):
    """The scenario has more reachable states than the node cap."""


@dataclass
class StateGraph:
    scenario: Scenario
    exploration: Exploration
    graph: nx.DiGraph
    path: list[int]  # world indices from the initial world to the highlighted world
    property_id: str | None
    kind: str  # "counterexample" | "witness" | ""


def _highlight(scenario: Scenario, exploration: Exploration,
               property_id: str | None) -> tuple[list[int], str | None, str]:
    """The path to the first violating world of ``property_id`` (a witness for a reachability
    property); with no id, of the first invariant that is violated, if any. Properties that do not
    apply to the scenario (e.g. the attacker's in an honest one) are skipped; naming one is a GraphError."""
    system = exploration.system
    options = options_of(scenario)
    if property_id and PROPERTIES[property_id].kind not in ("always", "sometimes"):
        raise GraphError(f"property {property_id} is of kind {PROPERTIES[property_id].kind!r}: the graph "
                         "highlights a counterexample of an 'always' or a witness of a 'sometimes' property only")
    if property_id and not PROPERTIES[property_id].applies(options):
        raise GraphError(f"property {property_id} does not apply to scenario {scenario.id}: nothing to highlight")
    candidates = [property_id] if property_id else \
        [p for p, prop in PROPERTIES.items() if prop.kind == "always" and prop.applies(options)]
    for pid in candidates:
        prop = PROPERTIES[pid]
        bound = bind_property(system, prop)
        found = judge(bound.expr, bound.slots, exploration, prop.kind == "sometimes")
        if found.world is not None:
            kind = "witness" if prop.kind == "sometimes" else "counterexample"
            return exploration.path_to(found.world), pid, kind
    return [], property_id, ""


def build_graph(scenario: Scenario, max_nodes: int = DEFAULT_MAX_NODES, property_id: str | None = None) -> StateGraph:
    """Explore ``scenario`` (at most ``max_nodes`` states) and build its full transition graph."""
    system = build_system(scenario)
    exploration = explore(system, Limits(max_states=max_nodes + 1))
    if not exploration.complete or exploration.states > max_nodes:
        raise GraphTooLarge(
            f"scenario {scenario.id} has more than {max_nodes} reachable states (bounds: {scenario.bounds.summary()}); "
            f"a picture that size is unreadable and slow to lay out: lower the bounds (e.g. --attempts 1 "
            f"--withdrawals 0 --restores 0) or raise --max-nodes")
    index = {w: i for i, w in enumerate(exploration.worlds)}
    g = nx.DiGraph()
    for i, world in enumerate(exploration.worlds):
        succ, _ = system.successors(world)
        g.add_node(i, depth=exploration.depth[i], final=system.is_final(world))
        for label, nxt in succ:
            inst = system.instances[label.instance]
            text = f"{inst.name}: {inst.table.transitions[label.transition].event}"
            j = index[nxt]
            if g.has_edge(i, j):
                g.edges[i, j]["label"] += f"; {text}"
            else:
                g.add_edge(i, j, label=text)
    for d in exploration.deadlocks:
        g.nodes[d]["deadlock"] = True
    path, pid, kind = _highlight(scenario, exploration, property_id)
    return StateGraph(scenario, exploration, g, path, pid, kind)


def to_dot(sg: StateGraph) -> str:
    """DOT for ``sfdp``: small grey points, the initial world green, deadlocks black, the path red."""
    g = sg.graph
    on_path = set(sg.path)
    path_edges = set(zip(sg.path, sg.path[1:]))
    system, worlds = sg.exploration.system, sg.exploration.worlds
    what = f"; red: the {sg.kind} for {sg.property_id} ({len(sg.path) - 1} steps)" if sg.path else ""
    dot = graphviz.Digraph(f"{sg.scenario.id}-states", engine="sfdp")
    dot.attr("graph", label=f"{sg.scenario.id}: {g.number_of_nodes()} states, {g.number_of_edges()} edges; "
             f"green: initial, black: deadlock, double: final{what}", labelloc="t", fontname="Helvetica",
             overlap="prism", outputorder="edgesfirst", splines="false", K="0.6")
    dot.attr("node", shape="point", width="0.06", color="#7a8da6", label="")
    dot.attr("edge", color="#c5cedb", arrowsize="0.3", penwidth="0.6")
    tooltips = g.number_of_nodes() <= TOOLTIP_LIMIT
    for n, data in g.nodes(data=True):
        attrs: dict[str, str] = {}
        if tooltips:
            attrs["tooltip"] = f"world {n} (depth {data['depth']}): {describe_world(system, worlds[n])}"
        if data.get("final"):
            attrs.update(peripheries="2")
        if data.get("deadlock"):
            attrs.update(color="black", width="0.14", shape="square")
        if n in on_path:
            attrs.update(color="#c0001a", width="0.12")
        if n == 0:
            attrs.update(color="#1a9c3a", width="0.2")
        dot.node(str(n), **attrs)
    for a, b, data in g.edges(data=True):
        attrs = {"tooltip": data["label"]}
        if (a, b) in path_edges:
            attrs.update(color="#c0001a", penwidth="2.5", arrowsize="0.6")
        dot.edge(str(a), str(b), **attrs)
    return dot.source
