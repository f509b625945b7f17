"""Deciding a certificate's claims with the independent product (:mod:`.check`).

A closed set that contains the initial world contains every reachable world, so it can show
that an invariant HOLDS; it can never, by itself, show a violation (a forged world outside the
reachable part would). So the set is first checked for closure, then walked breadth-first from
the initial world over the product's own successors: that walk is the reachable set, and every
claim is decided on it. A claimed VIOLATED is confirmed only by a violating world the walk
reaches (a shortest path from the initial world); ``deadlock_free``, ``messages_handled`` and
``livelock_free`` (a bottom strongly connected component with a cycle and no final world) the same
way. Listed worlds the walk does not reach, and counts other than the walk's, refute the
certificate: the checker writes exactly the reachable set."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from prosecheck.certificate.check import Product, World
from prosecheck.checker.live import LiveError
from prosecheck.checker.machine import ModelError
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import HOLDS, VIOLATED

NOT_APPLICABLE = "n/a"
EVALUATION_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, ModelError, LiveError)
"""What evaluating the rules on a hostile world can raise (a negative shift, a missing name, ...)."""


@dataclass
class Verdict:
    confirmed: bool
    worlds: int
    transitions: int
    problems: list[str] = field(default_factory=list)
    paths: dict[str, int] = field(default_factory=dict)  # a confirmed VIOLATED: the length of its path


class UnusableWorld(Exception):
    """World ``index`` of the set cannot be evaluated by the rules (a malformed value)."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.index = index


@dataclass
class _Graph:
    """The set as a graph: successor indices, successor counts, and the deadlocked / unhandled worlds."""

    succ: list[list[int]]
    counts: list[int]
    dead: list[bool]
    lost: list[bool]


def confirm(product: Product, worlds: Sequence[World], verdicts: dict[str, str], applies: Callable[[str], bool],  # noqa: C901 - predates the limit of 10 (issue 26)
            states: int, transitions: int) -> Verdict:
    """Decide every claim of a certificate listing ``worlds`` (see the module docstring)."""
    index: dict[World, int] = {}
    for i, w in enumerate(worlds):
        index.setdefault(w, i)
    problems = []
    if len(index) != len(worlds):
        problems.append(f"the set lists {len(worlds) - len(index)} world(s) twice")
    start = index.get(product.initial())
    if start is None:
        problems.append("the initial world is not in the set")
    graph, outside, first = _graph(product, worlds, index)
    if outside:
        problems.append(f"not closed: {outside} successor(s) outside the set (the first of world #{first})")
    if problems or start is None:
        return Verdict(False, len(worlds), sum(graph.counts), problems)
    parent = _walk(start, graph.succ)
    order = list(parent)
    reached = sum(graph.counts[i] for i in order)
    if len(order) != len(worlds):
        problems.append(f"{len(worlds) - len(order)} listed world(s) not reachable from the initial world")
    if states != len(order) or transitions != reached:
        problems.append(f"counts: claimed {states} states / {transitions} transitions, the reachable part of the set "
                        f"has {len(order)} / {reached}")
    paths: dict[str, int] = {}
    for pid, claimed in verdicts.items():
        if pid in PROPERTIES and (claimed == NOT_APPLICABLE) == applies(pid):
            problems.append(f"{pid}: claimed {claimed}, but it {'applies' if applies(pid) else 'does not apply'} "
                            "to this procedure")
            continue
        if claimed == NOT_APPLICABLE:
            continue
        bad = _first_bad(pid, product, worlds, order, graph)
        if claimed == HOLDS and bad is not None:
            problems.append(f"{pid}: claimed HOLDS, but world #{bad}, {_depth(bad, parent)} step(s) from the initial "
                            "world, violates it")
        elif claimed == VIOLATED and bad is None:
            problems.append(f"{pid}: claimed VIOLATED, but no world reachable from the initial world violates it")
        elif claimed == VIOLATED and bad is not None:
            paths[pid] = _depth(bad, parent)
    return Verdict(not problems, len(order), reached, problems, paths)


def _graph(product: Product, worlds: Sequence[World], index: dict[World, int]) -> tuple[_Graph, int, int | None]:
    """Every world's successors (by index), and how many successors fall outside the set (the first's source)."""
    graph = _Graph([], [], [], [])
    outside, first = 0, None
    for i, world in enumerate(worlds):
        try:
            succ, lost = product.successors(world)
            dead = not succ and not product.is_final(world)
        except EVALUATION_ERRORS as err:
            raise UnusableWorld(i, err) from None
        inside = [index.get(s) for s in succ]
        missing = inside.count(None)
        if missing and first is None:
            first = i
        outside += missing
        graph.succ.append([j for j in inside if j is not None])
        graph.counts.append(len(succ))
        graph.dead.append(dead)
        graph.lost.append(bool(lost))
    return graph, outside, first


def _walk(start: int, succ: list[list[int]]) -> dict[int, int]:
    """Breadth-first from ``start``: each reached world's parent (-1 for ``start``), in the order reached."""
    parent = {start: -1}
    frontier = [start]
    while frontier:
        nxt = []
        for i in frontier:
            for j in succ[i]:
                if j not in parent:
                    parent[j] = i
                    nxt.append(j)
        frontier = nxt
    return parent


def _depth(i: int, parent: dict[int, int]) -> int:
    steps = 0
    while parent[i] >= 0:
        i, steps = parent[i], steps + 1
    return steps


def _first_bad(pid: str, product: Product, worlds: Sequence[World], order: list[int], graph: _Graph) -> int | None:
    """The first reachable world (breadth-first order: a shortest path) that violates ``pid``; None if none does."""
    if pid == "deadlock_free":
        return next((i for i in order if graph.dead[i]), None)
    if pid == "messages_handled":
        return next((i for i in order if graph.lost[i]), None)
    if pid == "livelock_free":
        return _first_livelock(order, graph.succ, lambda i: product.is_final(worlds[i]))
    for i in order:
        try:
            ok = product.holds(pid, worlds[i])
        except EVALUATION_ERRORS as err:
            raise UnusableWorld(i, err) from None
        if not ok:
            return i
    return None


def _first_livelock(order: list[int], succ: list[list[int]], final: Callable[[int], bool]) -> int | None:
    """The first-reached world of a bottom strongly connected component with a cycle and no final world."""
    rank = {i: r for r, i in enumerate(order)}
    found = [min(comp, key=rank.__getitem__) for comp in _components(order, succ)
             if _bottom(comp, succ) and (len(comp) > 1 or comp[0] in succ[comp[0]]) and not any(map(final, comp))]
    return min(found, key=rank.__getitem__) if found else None


def _bottom(comp: list[int], succ: list[list[int]]) -> bool:
    members = set(comp)
    return all(j in members for i in comp for j in succ[i])


def _components(order: list[int], succ: list[list[int]]) -> list[list[int]]:  # noqa: C901 - predates the limit of 10 (issue 26)
    """Tarjan's strongly connected components of the part reachable from ``order`` (iterative)."""
    number: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    comps: list[list[int]] = []
    for root in order:
        if root in number:
            continue
        number[root] = low[root] = len(number)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ[root]))]
        while work:
            v, successors = work[-1]
            for w in successors:
                if w not in number:
                    number[w] = low[w] = len(number)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ[w])))
                    break
                if w in on_stack:
                    low[v] = min(low[v], number[w])
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    low[u] = min(low[u], low[v])
                if low[v] == number[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    comps.append(comp)
    return comps


__all__ = ["EVALUATION_ERRORS", "NOT_APPLICABLE", "UnusableWorld", "Verdict", "confirm"]
