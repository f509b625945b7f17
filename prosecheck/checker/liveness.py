"""Liveness over the explored state graph: ``trigger ~> goal`` under weak fairness, and livelocks.

The graph is the one the search recorded while it expanded each world
(:class:`~prosecheck.checker.edges.Edges`: compact arrays, never a second successor
computation); reachability and strongly connected components come from
:mod:`scipy.sparse.csgraph`, whose breadth-first order visits successors in the search's order,
so every path below is the one a breadth-first search over the stored edges finds. A run that
never reaches the goal has one of two shapes:

* a **terminal** world (no successor at all) reached from a trigger world through worlds where
  the goal does not hold, and
* a **fair cycle** through such worlds: a strongly connected component of the not-goal
  subgraph in which every instance that is enabled in all of its worlds also takes a step
  inside it (weak fairness per instance: a cycle on which some element could always act but
  never does is not a run the scheduler may produce).

A **possibility** ``AG (trigger -> EF goal)`` ("from every trigger world some run still reaches
the goal", kind ``possibly``) fails at a trigger world from which no path leads to a goal world;
fairness plays no part (one finite path is enough).

A **livelock** is a bottom strongly connected component of the whole graph (no way out) with a
cycle and no final world in it: the system keeps moving but can never finish.

Trigger, goal and finality are given per world, as boolean arrays (computed from projections,
:mod:`prosecheck.checker.projection`) or as Python predicates over decoded worlds (small graphs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import breadth_first_order, connected_components

from prosecheck.checker.edges import Edges
from prosecheck.checker.search import Exploration
from prosecheck.checker.system import Label, World

WorldTest = Callable[[World], bool]


@dataclass(frozen=True)
class SlotTest:
    """A world test given by the slots it reads and a predicate over their valuation (slot -> value): it
    runs once per distinct valuation (:mod:`prosecheck.checker.projection`), wherever the worlds are kept."""

    slots: tuple[int, ...]
    predicate: Callable[[dict[int, Any]], bool]


@dataclass(frozen=True)
class AtWorlds:
    """The worlds with these indices, and no other (``AtWorlds((0,))``: the initial world)."""

    indices: tuple[int, ...]


Marks = WorldTest | SlotTest | AtWorlds | np.ndarray | Sequence[bool]


class LivenessGraph(Protocol):
    """What judging asks of a state graph: the recorded one (:class:`StateGraph`), or one kept in the
    partitions of a partitioned search (``checker.native.distributed_graph``)."""

    def stuck(self, trigger: Marks, goal: Marks) -> int | None: ...

    def leads_to(self, trigger: Marks, goal: Marks) -> Lasso | None: ...

    def livelocks(self, is_final: Marks) -> list[set[int]]: ...

    def no_return(self, is_final: Marks, path: list[int]) -> int | None: ...


@dataclass
class StateGraph:
    """Every explored world's successors, by world index, with the label of each step: the
    recorded arrays (:class:`~prosecheck.checker.edges.Edges`) and what the algorithms below derive
    from them once (the acting instance per edge, one byte each)."""

    exploration: Exploration
    edges: Edges
    _derived: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _instance: np.ndarray | None = field(default=None, repr=False)

    @property
    def size(self) -> int:
        return len(self.exploration.worlds)

    def successors(self, node: int) -> list[tuple[int, Label]]:
        targets, labels = self.edges.successors(node)
        table = self.exploration.via.table  # type: ignore[attr-defined]
        return [(t, table[lb]) for t, lb in zip(targets, labels)]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row start per world and one past the last, target per edge, acting instance per edge):
        int32, int32 (the recorded array itself) and int16 (derived on first use: only fairness
        needs it)."""
        indptr, target = self._rows()
        if self._instance is None:
            _, _, label = self.edges.arrays()
            table = self.exploration.via.table  # type: ignore[attr-defined]
            instance_of = np.array([-1 if lb is None else lb.instance for lb in table], dtype=np.int16)
            self._instance = instance_of[label]
        return indptr, target, self._instance

    def _rows(self) -> tuple[np.ndarray, np.ndarray]:
        if self._derived is None:
            start, target, _ = self.edges.arrays()
            if len(target) >= 2**31 - 1:
                raise ValueError("more than 2^31 edges: too many for the liveness arrays")
            indptr = np.full(self.size + 1, len(target), dtype=np.int32)
            indptr[: len(start)] = start
            self._derived = (indptr, target.view(np.int32))
        return self._derived

    def rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(row start per world and one past the last, target per edge), without the instances."""
        return self._rows()

    def chunks(self, edges: int = 1 << 20) -> Iterator[tuple[int, int, np.ndarray]]:
        """The edges in slices of about ``edges``, whole worlds each: (first edge, end, source of each)."""
        indptr, _ = self._rows()
        world = 0
        while world < self.size:
            last = int(np.searchsorted(indptr, indptr[world] + edges, side="right")) - 1
            last = min(max(last, world + 1), self.size)
            a, b = int(indptr[world]), int(indptr[last])
            yield a, b, np.repeat(np.arange(world, last, dtype=np.int32), np.diff(indptr[world:last + 1]))
            world = last

    def at_source(self, per_world: np.ndarray) -> np.ndarray:
        """A per-world array read at each edge's source (the rows are sorted by source)."""
        indptr, _ = self.rows()
        return np.repeat(per_world, np.diff(indptr))

    def between(self, source_in: np.ndarray, target_in: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
        """Per edge: its source is in ``source_in`` and its target in ``target_in`` (and ``keep``
        holds for it), built a slice of edges at a time: one byte per edge is all that is allocated."""
        _, target = self.rows()
        out = np.empty(len(target), dtype=bool)
        for a, b, source in self.chunks():
            np.logical_and(source_in[source], target_in[target[a:b]], out=out[a:b])
            if keep is not None:
                out[a:b] &= keep[a:b]
        return out

    def sources(self, edges: np.ndarray) -> np.ndarray:
        """The source world of each of these edge indices."""
        indptr, _ = self.rows()
        return np.searchsorted(indptr, edges, side="right").astype(np.int64) - 1

    def marks(self, test: Marks) -> np.ndarray:
        """A world test as one boolean per world."""
        if isinstance(test, SlotTest):
            return self.exploration.projector().marks(test.slots, test.predicate)
        if isinstance(test, AtWorlds):
            out = np.zeros(self.size, dtype=bool)
            out[list(test.indices)] = True
            return out
        if callable(test):
            return np.fromiter((bool(test(w)) for w in self.exploration.worlds), dtype=bool, count=self.size)
        return np.asarray(test, dtype=bool)

    # :class:`LivenessGraph`
    def stuck(self, trigger: Marks, goal: Marks) -> int | None:
        return stuck(self, trigger, goal)

    def leads_to(self, trigger: Marks, goal: Marks) -> Lasso | None:
        return leads_to(self, trigger, goal)

    def livelocks(self, is_final: Marks) -> list[set[int]]:
        return livelocks(self, is_final)

    def no_return(self, is_final: Marks, path: list[int]) -> int | None:
        return no_return(self, is_final, path)


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


def state_graph(exploration: Exploration) -> LivenessGraph:
    """The graph the search recorded (the search must have been complete): the exploration's own
    (``liveness_graph()``: a partitioned search keeps it in its partitions) if it offers one."""
    own = getattr(exploration, "liveness_graph", None)
    found = own() if callable(own) and exploration.complete else None
    return found if found is not None else recorded_graph(exploration)


def recorded_graph(exploration: Exploration) -> StateGraph:
    """The graph the search recorded, as arrays in this process (the search must have been complete)."""
    if not exploration.complete:
        raise ValueError("liveness needs an exhaustive search")
    edges = exploration.edges if exploration.edges is not None else _derived_edges(exploration)
    if edges.expanded != len(exploration.worlds):
        raise ValueError("the search recorded the edges of only some worlds")
    return StateGraph(exploration, edges)


def _derived_edges(exploration: Exploration) -> Edges:
    """Edges for a search that recorded none (the parallel search's driver keeps parents only):
    each stored world's successors computed once more and looked up."""
    edges, labels = Edges(), exploration.via.interned  # type: ignore[attr-defined]
    table = exploration.via.table  # type: ignore[attr-defined]
    for n, world in enumerate(exploration.worlds):
        for label, nxt in exploration.system.successors(world)[0]:
            target = exploration.index_of(nxt)
            if target is None:
                raise ValueError("a successor of an explored world was not stored: the search was not exhaustive")
            if label not in labels:
                labels[label] = len(table)
                table.append(label)
            edges.target.append(target)
            edges.label.append(labels[label])
        edges.close(n)
    return edges


def _subgraph(graph: StateGraph, keep_edge: np.ndarray | None) -> csr_array:
    """The recorded graph with only the edges in ``keep_edge`` (all: None; order kept), for
    :mod:`scipy.sparse.csgraph` (an extra node, index ``size``, without edges)."""
    indptr, target = graph.rows()
    n = graph.size
    if keep_edge is None:
        ptr, kept = indptr, target
    else:
        lengths = np.diff(indptr)
        rows = np.flatnonzero(lengths)
        counts = np.zeros(n, dtype=np.int32)
        if len(rows):
            counts[rows] = np.add.reduceat(keep_edge, indptr[rows], dtype=np.int32)
        ptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(counts, out=ptr[1:])
        kept = target[keep_edge]
    ptr = np.concatenate([ptr, ptr[-1:]]).astype(np.int32)
    return csr_array((_ones(len(kept)), kept, ptr), shape=(n + 1, n + 1))


def _components(graph: StateGraph, keep_edge: np.ndarray | None) -> np.ndarray:
    """The strongly connected component of each world over the kept edges (all: None). Parallel
    edges (two steps between the same worlds) are merged first: SciPy 1.17's strong components
    never return on a graph with a repeated edge (seen here: 0->1 twice)."""
    matrix = _subgraph(graph, keep_edge)
    if keep_edge is None:
        matrix.indices = matrix.indices.copy()  # never sort the recorded edges in place
    matrix.sum_duplicates()
    _, labels = connected_components(matrix, directed=True, connection="strong")
    return np.asarray(labels[: graph.size])


def _ones(count: int) -> np.ndarray:
    """``count`` ones in SciPy's graph dtype (float64), so :mod:`scipy.sparse.csgraph` converts nothing."""
    return np.ones(count, dtype=np.float64)


_CHUNK = 1 << 15  # frontier worlds expanded at once by the breadth-first search (bounds its memory)


def _bfs(graph: StateGraph, keep_edge: np.ndarray, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Breadth-first from ``sources`` (distinct, in world order) over the kept edges, a level at a time, each
    level in world order:
    (visit order, predecessor); a source's predecessor is ``size`` (a virtual root), an unreached
    world's is -1. A world's predecessor is the smallest world of the level before with a kept edge to
    it: a rule that does not depend on how the worlds are stored (the partitions of a partitioned search
    follow it too, ``checker.native.owned_graph``). A level is expanded in chunks of frontier worlds,
    each taking its edges in (world, edge) order and keeping the first edge into each world not seen yet."""
    pred = np.full(graph.size, -1, dtype=np.int32)
    frontier = np.asarray(sources, dtype=np.int64)  # distinct, in world order
    pred[frontier] = graph.size
    levels = [frontier.astype(np.int32)]
    while len(frontier):
        found = [_expand_chunk(graph, keep_edge, frontier[i:i + _CHUNK], pred)
                 for i in range(0, len(frontier), _CHUNK)]
        frontier = np.sort(np.concatenate(found))
        levels.append(frontier.astype(np.int32))
    return np.concatenate(levels), pred


def _expand_chunk(graph: StateGraph, keep_edge: np.ndarray, chunk: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """The worlds first reached from ``chunk`` (in discovery order); their predecessors set in ``pred``."""
    indptr, target = graph.rows()
    at, lengths = row_positions(indptr, chunk)
    src = np.repeat(chunk, lengths)
    keep = keep_edge[at]
    dst = target[at[keep]].astype(np.int64)
    src = src[keep]
    new = pred[dst] < 0
    dst, src = dst[new], src[new]
    _, first = np.unique(dst, return_index=True)
    first.sort()
    reached: np.ndarray = dst[first]
    pred[reached] = src[first]
    return reached


def row_positions(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the entries of ``rows`` in a CSR array (``indptr``), row after row, and each row's
    length (int64 both)."""
    lengths = (indptr[rows + 1] - indptr[rows]).astype(np.int64)
    at = np.repeat(indptr[rows].astype(np.int64) - np.cumsum(lengths) + lengths, lengths) \
        + np.arange(int(lengths.sum()), dtype=np.int64)
    return at, lengths


def _label_between(graph: StateGraph, a: int, b: int) -> Label:
    """The label of the first recorded edge from ``a`` to ``b`` (the one a breadth-first search takes)."""
    return next(label for t, label in graph.successors(a) if t == b)


def _path_back(graph: StateGraph, pred: np.ndarray, node: int, root: int) -> tuple[int, list[tuple[int, Label]]]:
    """The source ``node`` was reached from (its predecessor is ``root``), and the steps from it."""
    steps: list[tuple[int, Label]] = []
    while (p := int(pred[node])) != root:
        steps.append((node, _label_between(graph, p, node)))
        node = p
    return node, steps[::-1]


def leads_to(graph: StateGraph, trigger: Marks, goal: Marks) -> Lasso | None:
    """A fair run from a reachable trigger world that never reaches a goal world, or None.

    Trigger worlds are tried in breadth-first order, so the stem of the answer is shortest."""
    outside = ~graph.marks(goal)
    sources = np.flatnonzero(outside & graph.marks(trigger)).astype(np.int32)
    if not len(sources):
        return None
    _, target = graph.rows()
    inside_edge = graph.between(outside, outside)
    order, pred = _bfs(graph, inside_edge, sources)
    region = np.zeros(graph.size, dtype=bool)
    region[order] = True
    del order
    inside_edge = graph.between(region, region, inside_edge)
    bad = _bad_ends(graph, region, inside_edge)
    if bad is None:
        return None
    end, cycle = bad
    start, tail = _path_back(graph, pred, end, graph.size)
    return Lasso(graph.exploration.path_to(start), tail, cycle)


def _looped(graph: StateGraph, labels: np.ndarray, keep_edge: np.ndarray | None) -> np.ndarray:
    """Per component id of ``labels``: whether it has a cycle (two or more worlds, or a self-loop
    among the kept edges)."""
    _, target = graph.rows()
    looped = np.bincount(labels) > 1
    for a, b, source in graph.chunks():
        selfloop = target[a:b] == source
        if keep_edge is not None:
            selfloop &= keep_edge[a:b]
        looped[labels[source[selfloop]]] = True
    return looped


def _unfair(graph: StateGraph, labels: np.ndarray, members: np.ndarray, keep_edge: np.ndarray) -> np.ndarray:
    """Per component id: True when some instance is enabled in every world of the component (an
    outgoing edge of it in the whole graph) but takes no step inside it (weak fairness). Only the
    components with a world in ``members`` are looked at. One pass over the edges per instance."""
    _, target, instance = graph.arrays()
    comps = int(labels.max()) + 1 if len(labels) else 0
    sizes = np.bincount(labels[members], minlength=comps)
    source_label = graph.at_source(labels)
    inner = keep_edge & (source_label == labels[target]) & graph.at_source(members)
    unfair = np.zeros(comps, dtype=bool)
    for inst in np.unique(instance):
        of_instance = instance == inst
        acting = np.zeros(comps, dtype=bool)
        acting[source_label[inner & of_instance]] = True
        enabled = np.zeros(graph.size, dtype=bool)
        enabled[graph.sources(np.flatnonzero(of_instance))] = True
        in_every_world = np.bincount(labels[members & enabled], minlength=comps) == sizes
        unfair |= in_every_world & (sizes > 0) & ~acting
    return unfair


def _may_cycle(graph: StateGraph, keep_edge: np.ndarray | None) -> bool:
    """Whether the kept edges may close a cycle. Worlds are numbered in discovery order, so a cycle
    needs an edge to a world numbered no higher than its source; without one the graph is acyclic
    (the usual case here: counters bound every run) and no component needs computing."""
    _, target = graph.rows()
    for a, b, source in graph.chunks():
        backward = target[a:b] <= source
        if keep_edge is not None:
            backward &= keep_edge[a:b]
        if backward.any():
            return True
    return False


def _bad_ends(graph: StateGraph, region: np.ndarray, region_edge: np.ndarray
              ) -> tuple[int, list[tuple[int, Label]]] | None:
    """The first (by world index) terminal world or fair-cycle entry inside ``region``."""
    indptr, _ = graph.rows()
    candidates: list[tuple[int, list[tuple[int, Label]]]] = []
    terminal = np.flatnonzero(region & (np.diff(indptr) == 0))
    if len(terminal):
        candidates.append((int(terminal[0]), []))
    if not _may_cycle(graph, region_edge):
        return candidates[0] if candidates else None
    labels = _components(graph, region_edge)
    cyclic = _looped(graph, labels, region_edge)
    looping = region & cyclic[labels]
    cyclic &= ~_unfair(graph, labels, looping, region_edge)
    entries = np.flatnonzero(region & cyclic[labels])
    if len(entries):
        entry = int(entries[0])  # the smallest world of any fair cycle: its component's minimum
        candidates.append((entry, _cycle_in(graph, labels == labels[entry], region_edge, entry)))
    return min(candidates, key=lambda c: c[0]) if candidates else None


def _cycle_in(graph: StateGraph, component: np.ndarray, keep_edge: np.ndarray, start: int) -> list[tuple[int, Label]]:
    """A cycle through ``start`` inside ``component``, as labelled steps back to ``start``: the first
    world in breadth-first order from ``start`` with an edge back to it closes the cycle."""
    _, target = graph.rows()
    inner = graph.between(component, component, keep_edge)
    order, pred = _bfs(graph, inner, np.array([start]))
    back = np.zeros(graph.size, dtype=bool)
    back[graph.sources(np.flatnonzero(inner & (target == start)))] = True
    closing = next((int(n) for n in order if back[n]), None)
    if closing is None:
        raise AssertionError("a strongly connected component without a cycle through its member")
    root = graph.size
    steps: list[tuple[int, Label]] = []
    node = closing
    while node != start:
        p = int(pred[node])
        p = start if p == root else p
        steps.append((node, _label_between(graph, p, node)))
        node = p
    return [*steps[::-1], (start, _label_between(graph, closing, start))]


def _reaching(graph: StateGraph, marked: np.ndarray) -> np.ndarray:
    """The worlds from which some marked world is reachable (``marked`` closed under predecessors):
    breadth-first over the reversed edges from a virtual node whose successors are the marked worlds."""
    indptr, target = graph.rows()
    n = graph.size
    reverse = csr_array((_ones(len(target)), target, indptr), shape=(n, n)).T.tocsr()
    extra = np.flatnonzero(marked).astype(reverse.indices.dtype)
    ptr = np.concatenate([reverse.indptr, [reverse.indptr[-1] + len(extra)]]).astype(reverse.indices.dtype)
    indices = np.concatenate([reverse.indices, extra])
    del reverse
    matrix = csr_array((_ones(len(indices)), indices, ptr), shape=(n + 1, n + 1))
    reached = breadth_first_order(matrix, n, directed=True, return_predecessors=False)
    out = np.zeros(n, dtype=bool)
    out[reached[1:]] = True
    return out


def stuck(graph: StateGraph, trigger: Marks, goal: Marks) -> int | None:
    """``AG (trigger -> EF goal)``: the first trigger world (in breadth-first order, so the path to it
    is a shortest one) from which no run reaches a goal world; None when every trigger world can."""
    can = _reaching(graph, graph.marks(goal))
    found = np.flatnonzero(~can & graph.marks(trigger))
    return int(found[0]) if len(found) else None


def no_return(graph: StateGraph, is_final: Marks, path: list[int]) -> int | None:
    """The first position on ``path`` (world indices) whose world can reach no final world any more:
    the step into it is the one that made a later deadlock or livelock unavoidable (None: every world
    of the path can still end well)."""
    can = _reaching(graph, graph.marks(is_final))
    return next((i for i, world in enumerate(path) if not can[world]), None)


def livelocks(graph: StateGraph, is_final: Marks) -> list[set[int]]:
    """Bottom strongly connected components with a cycle and no final world in them (finality is
    asked only of the worlds of such components)."""
    _, target = graph.rows()
    if not _may_cycle(graph, None):
        return []
    labels = _components(graph, None)
    comps = int(labels.max()) + 1 if len(labels) else 0
    leaves = np.zeros(comps, dtype=bool)
    source_label = graph.at_source(labels)
    leaves[source_label[source_label != labels[target]]] = True
    del source_label
    bottom = ~leaves & _looped(graph, labels, None)[:comps]
    found = []
    worlds = graph.exploration.worlds
    marked = None if callable(is_final) else graph.marks(is_final)
    for c in np.flatnonzero(bottom):
        members = np.flatnonzero(labels == c)
        finals = (bool(marked[n]) for n in members) if marked is not None else \
            (is_final(worlds[int(n)]) for n in members)  # type: ignore[operator]
        if not any(finals):
            found.append({int(n) for n in members})
    return sorted(found, key=min)


__all__ = ["AtWorlds", "Lasso", "LivenessGraph", "SlotTest", "StateGraph", "leads_to", "livelocks", "no_return",
           "recorded_graph", "row_positions", "state_graph", "stuck"]
