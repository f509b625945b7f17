"""The liveness algorithms as they were before the search recorded its edges: a slow, plain
reference (every world's successors computed again, networkx components, Python sets) that
``tests/test_post_search.py`` holds the array-based :mod:`prosecheck.checker.liveness` equal to."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import networkx as nx

from prosecheck.checker.search import Exploration
from prosecheck.checker.system import Label, World

WorldTest = Callable[[World], bool]


@dataclass
class StateGraph:
    """Every explored world's successors, by world index, with the label of each step."""

    exploration: Exploration
    edges: list[list[tuple[int, Label]]]

    def successors(self, node: int) -> list[tuple[int, Label]]:
        return self.edges[node]


@dataclass(frozen=True)
class Lasso:
    """A run that never reaches the goal: ``stem`` from an initial world (breadth-first, so
    shortest) to the trigger world, ``tail`` from there through not-goal worlds to a terminal
    world or into ``cycle`` (world indices, the cycle's first world repeated at its end)."""

    stem: list[int]
    tail: list[tuple[int, Label]]
    cycle: list[tuple[int, Label]]

    @property
    def ends_in_terminal(self) -> bool:
        return not self.cycle


def state_graph(exploration: Exploration) -> StateGraph:
    """Re-derive the successors of every explored world (the search must have been complete)."""
    system = exploration.system
    edges: list[list[tuple[int, Label]]] = []
    for world in exploration.worlds:
        succ, _ = system.successors(world)
        out = []
        for label, nxt in succ:
            target = exploration.index_of(nxt)
            if target is None:
                raise ValueError("a successor of an explored world was not stored: the search was not exhaustive")
            out.append((target, label))
        edges.append(out)
    return StateGraph(exploration, edges)


def _reach_within(graph: StateGraph, sources: Sequence[int], inside: Sequence[bool]) -> dict[int, tuple[int, Label] | None]:
    """Breadth-first reachability from ``sources`` through worlds where ``inside`` holds: parents."""
    parent: dict[int, tuple[int, Label] | None] = {s: None for s in sources}
    queue = deque(sources)
    while queue:
        node = queue.popleft()
        for nxt, label in graph.successors(node):
            if inside[nxt] and nxt not in parent:
                parent[nxt] = (node, label)
                queue.append(nxt)
    return parent


def _path_back(parent: dict[int, tuple[int, Label] | None], node: int) -> tuple[int, list[tuple[int, Label]]]:
    """The source a node was reached from, and the labelled steps from it to the node."""
    steps: list[tuple[int, Label]] = []
    while (entry := parent[node]) is not None:
        steps.append((node, entry[1]))
        node = entry[0]
    return node, steps[::-1]


def _fair(graph: StateGraph, component: set[int], instances: int) -> bool:
    """Weak fairness: every instance enabled in all of the component's worlds acts inside it."""
    acting = {label.instance for n in component for m, label in graph.successors(n) if m in component}
    for inst in range(instances):
        if inst in acting:
            continue
        if all(any(label.instance == inst for _, label in graph.successors(n)) for n in component):
            return False
    return True


def _cycle_in(graph: StateGraph, component: set[int], start: int) -> list[tuple[int, Label]]:
    """A cycle through ``start`` inside ``component``, as labelled steps back to ``start``."""
    parent: dict[int, tuple[int, Label] | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt, label in graph.successors(node):
            if nxt == start:
                _, steps = _path_back(parent, node)
                return [*steps, (start, label)]
            if nxt in component and nxt not in parent:
                parent[nxt] = (node, label)
                queue.append(nxt)
    raise AssertionError("a strongly connected component without a cycle through its member")


def leads_to(graph: StateGraph, trigger: WorldTest, goal: WorldTest) -> Lasso | None:
    """A fair run from a reachable trigger world that never reaches a goal world, or None.

    Trigger worlds are tried in breadth-first order, so the stem of the answer is shortest."""
    worlds = graph.exploration.worlds
    outside = [not goal(w) for w in worlds]
    sources = [i for i, w in enumerate(worlds) if outside[i] and trigger(w)]
    if not sources:
        return None
    parent = _reach_within(graph, sources, outside)
    bad = _bad_ends(graph, set(parent))
    if bad is None:
        return None
    end, cycle = bad
    source, tail = _path_back(parent, end)
    return Lasso(graph.exploration.path_to(source), tail, cycle)


def _reaching_cycles(graph: StateGraph, region: set[int]) -> set[int]:
    """The worlds of ``region`` from which a cycle inside ``region`` can be reached: peel off,
    repeatedly, every world whose successors inside the region are all peeled (Kahn's order)."""
    inside = {n: [m for m, _ in graph.successors(n) if m in region] for n in region}
    preds: dict[int, list[int]] = {n: [] for n in region}
    for n, out in inside.items():
        for m in out:
            preds[m].append(n)
    left = {n: len(out) for n, out in inside.items()}
    queue = deque(n for n, k in left.items() if k == 0)
    peeled = set()
    while queue:
        node = queue.popleft()
        peeled.add(node)
        for p in preds[node]:
            left[p] -= 1
            if left[p] == 0:
                queue.append(p)
    return region - peeled


def _bad_ends(graph: StateGraph, region: set[int]) -> tuple[int, list[tuple[int, Label]]] | None:
    """The first (by world index) terminal world or fair-cycle entry inside ``region``."""
    instances = len(graph.exploration.system.instances)
    candidates: list[tuple[int, list[tuple[int, Label]]]] = []
    terminal = [n for n in region if not graph.successors(n)]
    if terminal:
        candidates.append((min(terminal), []))
    cyclic = _reaching_cycles(graph, region)
    sub = nx.DiGraph()
    sub.add_nodes_from(cyclic)
    sub.add_edges_from((n, m) for n in cyclic for m, _ in graph.successors(n) if m in cyclic)
    for component in nx.strongly_connected_components(sub):
        looped = len(component) > 1 or sub.has_edge(next(iter(component)), next(iter(component)))
        if looped and _fair(graph, component, instances):
            entry = min(component)
            candidates.append((entry, _cycle_in(graph, component, entry)))
    return min(candidates, key=lambda c: c[0]) if candidates else None


def _predecessors(graph: StateGraph) -> list[list[int]]:
    preds: list[list[int]] = [[] for _ in graph.edges]
    for n, out in enumerate(graph.edges):
        for m, _ in out:
            preds[m].append(n)
    return preds


def _backward(preds: list[list[int]], marked: list[bool]) -> list[bool]:
    """``marked`` closed under predecessors: the worlds from which some marked world is reachable."""
    queue = deque(n for n, hit in enumerate(marked) if hit)
    while queue:
        node = queue.popleft()
        for p in preds[node]:
            if not marked[p]:
                marked[p] = True
                queue.append(p)
    return marked


def stuck(graph: StateGraph, trigger: WorldTest, goal: WorldTest) -> int | None:
    """``AG (trigger -> EF goal)``: the first trigger world (in breadth-first order, so the path to it
    is a shortest one) from which no run reaches a goal world; None when every trigger world can."""
    worlds = graph.exploration.worlds
    can = _backward(_predecessors(graph), [goal(w) for w in worlds])
    return next((n for n, w in enumerate(worlds) if not can[n] and trigger(w)), None)


def livelocks(graph: StateGraph, is_final: WorldTest) -> list[set[int]]:
    """Bottom strongly connected components with a cycle and no final world in them.

    Only worlds that cannot reach a world without successors can lie in one (every maximal
    path either stops or ends in a bottom component), so the components are looked for there."""
    preds = _predecessors(graph)
    can_stop = _backward(preds, [not out for out in graph.edges])
    doomed = [n for n, stops in enumerate(can_stop) if not stops]
    full = nx.DiGraph()
    full.add_nodes_from(doomed)
    full.add_edges_from((n, m) for n in doomed for m, _ in graph.edges[n])
    condensed = nx.condensation(full)
    found = []
    for c in nx.topological_sort(condensed):
        if condensed.out_degree(c):
            continue
        members = set(condensed.nodes[c]["members"])
        node = next(iter(members))
        looped = len(members) > 1 or full.has_edge(node, node)
        if looped and not any(is_final(graph.exploration.worlds[n]) for n in members):
            found.append(members)
    return sorted(found, key=min)



