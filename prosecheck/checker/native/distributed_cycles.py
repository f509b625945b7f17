"""The cycle search of liveness in the partitions (issue 21): components taken apart one at a time.

Where peeling finds a real cycle (:mod:`.distributed_graph`), :class:`CycleSearch` answers the two
questions that need strongly connected components, without gathering the edges:

* the **fair cycle** of an ``eventually`` region: the smallest world of a fair cyclic component of the
  region, and a cycle through it (what :func:`~prosecheck.checker.liveness._bad_ends` and ``_cycle_in``
  find in the recorded graph);
* the **livelocks**: bottom components with a cycle and no final world.

A component is the set of worlds that a pivot reaches forward and that reach it backward (both
searches in rounds in the partitions, :mod:`.owned_cycles`). For the fair cycle the pivot is the
smallest world left among those that reach a cycle (peeling's survivors), so components come out in
order of their smallest world and the first fair cyclic one is the answer. For livelocks the pivot is the
largest world left (the deepest breadth first: likely in or near a bottom component) that can reach no
final world and reaches a cycle; its component is a livelock when
the pivot reaches nothing outside it, and every world that reaches the pivot is dropped (none of them can
lie in another bottom component). The driver's work is per component and per round. After
:data:`MAX_COMPONENTS` components the search gives up (:class:`GaveUp`) and the caller gathers the edges.
"""

from __future__ import annotations

from typing import Any, Protocol

from prosecheck.checker.liveness import AtWorlds, Marks
from prosecheck.checker.native.distributed import Remote
from prosecheck.checker.system import Label


class Rounds(Protocol):
    """What the cycle search asks of the driver's side of the graph (:class:`.distributed_graph.DistributedGraph`)."""

    remote: Remote
    parts: int

    def run(self, op: str, args: list[tuple[Any, ...]] | tuple[Any, ...] = (),
               before: list[list[Any]] | None = None) -> tuple[list[list[Any]], list[dict[str, Any]]]: ...

    def reach(self, key: str, marked: str, within: str = "") -> None: ...

    def search(self, key: str, trigger: str, goal: str, cycles: bool, levels: bool = False) -> None: ...

    def mark(self, name: str, test: Marks) -> None: ...

    def ask(self, index: int, op: str, *args: Any) -> Any: ...

    def tail(self, end: int, key: str) -> tuple[int, list[tuple[int, Label]]]: ...

    def label(self, source: int, target: int) -> Label: ...

MAX_COMPONENTS = 64
"""Components taken apart before the search gives up (each costs two reachability searches in rounds)."""


class GaveUp(Exception):
    """More than :data:`MAX_COMPONENTS` components taken apart: the caller gathers the edges instead."""


class CycleSearch:
    """The cycle search over the partitions of ``graph``."""

    def __init__(self, graph: Rounds) -> None:
        self.graph = graph
        self.components = 0  # components taken apart so far

    def _sum(self, op: str, args: tuple[Any, ...], key: str = "marked") -> int:
        _, counters = self.graph.run(op, args)
        return sum(int(c[key]) for c in counters)

    def _first(self, name: str, last: bool = False) -> int | None:
        """The smallest (``last``: the largest) world marked ``name``; None: none."""
        _, counters = self.graph.run("first", (name,))
        found = [c["last" if last else "first"] for c in counters if c["first"] >= 0]
        return (max(found) if last else min(found)) if found else None

    def _forward(self, key: str, within: str, levels: bool = False) -> None:
        """Breadth first from the world marked ``pivot`` through the worlds marked ``within``, kept as ``key``."""
        self.graph.run("combine", ("beyond", within, "not"))
        self.graph.search(key, "pivot", "beyond", False, levels)

    def _component(self, pivot: int, within: str, forward_within: str) -> tuple[int, int, bool]:
        """Marks ``component``: the pivot's strongly connected component (forward through ``forward_within``,
        backward through ``within``), and marks ``reaching``: the worlds that reach the pivot through
        ``within``. (Worlds reached forward, the component's size, whether it has a cycle.)"""
        g = self.graph
        self.components += 1
        g.mark("pivot", AtWorlds((pivot,)))
        self._forward("ahead", forward_within)
        reached = self._sum("keep", ("ahead", "ahead", "reached"))
        g.reach("behind", "pivot", within)  # the worlds that reach the pivot through ``within``
        self._sum("keep", ("reaching", "behind", "can"))
        size = self._sum("combine", ("component", "ahead", "and", "reaching"))
        return reached, size, size > 1 or bool(g.ask(pivot, "has_edge", pivot))

    def _fair(self) -> bool:
        """Whether the component is fair: no instance enabled in every world of it without a step inside it."""
        g = self.graph
        answers, sent = g.run("fair_send", ("component",))
        _, got = g.run("fair_absorb", ("component",), answers)
        kinds = len(sent[0]["enabled"])
        enabled = [all(c["enabled"][i] for c in sent if c["members"]) for i in range(kinds)]
        acting = [any(c["acting"][i] for c in [*sent, *got]) for i in range(kinds)]
        return not any(e and not a for e, a in zip(enabled, acting))

    def fair_cycle(self, core: str) -> tuple[int, list[tuple[int, Label]]] | None:
        """The smallest world of a fair cyclic component among the worlds marked ``core`` (a region's worlds that
        reach a cycle in it), and a cycle through it; None: no fair cycle (:class:`GaveUp`: too many components)."""
        g = self.graph
        g.run("combine", ("left", core, "and", core))
        for _ in range(MAX_COMPONENTS):
            pivot = self._first("left")
            if pivot is None:
                return None
            _, _, cyclic = self._component(pivot, "left", "left")
            if cyclic and self._fair():
                return pivot, self._cycle(pivot)
            g.run("combine", ("left", "left", "andnot", "component"))
        raise GaveUp()

    def _cycle(self, pivot: int) -> list[tuple[int, Label]]:
        """A cycle through ``pivot`` inside its component: breadth first from it, the first world (by level,
        then number) with an edge back to it closes the cycle (:func:`~prosecheck.checker.liveness._cycle_in`)."""
        g = self.graph
        self._forward("cycle", "component", levels=True)
        _, found = g.run("closing", ("cycle", pivot))
        _, closing = min((c["level"], c["world"]) for c in found if c["level"] >= 0)
        start, steps = g.tail(closing, "cycle")
        assert start == pivot, "a cycle search that does not start at its pivot"
        return [*steps, (pivot, g.label(closing, pivot))]

    def livelocks(self, final: str) -> list[set[int]]:
        """Bottom components with a cycle and no world marked ``final`` reachable (backward reachability from
        the final worlds kept as ``final``; :class:`GaveUp`: too many components)."""
        g = self.graph
        g.run("keep", ("candidates", final, "can"))
        g.run("combine", ("candidates", "candidates", "not"))
        g.run("combine", ("candidates", "candidates", "and", "cyclic"))  # peeling's survivors: reach a cycle
        g.run("combine", ("anywhere", "", "all"))
        found: list[set[int]] = []
        for _ in range(MAX_COMPONENTS):
            pivot = self._first("candidates", last=True)  # the deepest: likely in or near a bottom component
            if pivot is None:
                return sorted(found, key=min)
            reached, size, cyclic = self._component(pivot, "", "anywhere")
            if cyclic and reached == size:  # the pivot reaches nothing outside its component: a bottom one
                members = g.remote.pool.query("graph", [("members", ("component",))] * g.parts)
                found.append({int(w) for part in members for w in part})
            g.run("combine", ("candidates", "candidates", "andnot", "reaching"))
        raise GaveUp()


__all__ = ["MAX_COMPONENTS", "CycleSearch", "GaveUp", "Rounds"]
