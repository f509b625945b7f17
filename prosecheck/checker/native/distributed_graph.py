"""Liveness judged in the partitions of a partitioned search, its edges never gathered (issue 21).

:class:`DistributedGraph` is the :class:`~prosecheck.checker.liveness.LivenessGraph` of a
:class:`~.lazy.PartitionedExploration` whose partitions are alive: every partition keeps its worlds' edges
(:class:`~.owned_graph.OwnedGraph`), and the driver runs rounds (one breadth-first level each: every
partition one call, the outboxes going from partition to partition) and reads their counters. Its work is
per round and per distinct valuation, not per world or edge:

* ``possibly`` (:meth:`DistributedGraph.stuck`) and the decisive step of a deadlock
  (:meth:`DistributedGraph.no_return`): backward reachability from the goal's worlds;
* ``eventually`` (:meth:`DistributedGraph.leads_to`): the region search of the sequential
  :func:`~prosecheck.checker.liveness.leads_to`, its first terminal world, and the tail back to its start;
* cycles: none in a graph without an edge to a world numbered no higher than its source (worlds are
  numbered breadth first); else peeling tells (the worlds without a successor in the graph or region
  removed round after round: some stay exactly when it has a cycle), and where there is one the strongly
  connected components are taken apart in the partitions (:mod:`.distributed_cycles`): the fair cycle of
  an ``eventually`` region, the livelocks.

Where the cycle search gives up (too many components) the recorded graph answers (``fallback``: the edges
gathered into this process), counted in ``gathered``. The answers equal the recorded graph's
(``tests/test_distributed_graph.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prosecheck.checker.liveness import AtWorlds, Lasso, Marks, SlotTest, StateGraph
from prosecheck.checker.native.distributed import Remote
from prosecheck.checker.native.distributed_cycles import CycleSearch, GaveUp
from prosecheck.checker.native.gather import locate
from prosecheck.checker.native.owned_graph import NONE, ROOT
from prosecheck.checker.search import Exploration
from prosecheck.checker.system import Label


class DistributedGraph:
    """The state graph of a partitioned search, kept in its partitions (``remote``); ``exploration`` gives the
    search's result (called when needed: no reference cycle keeps the result alive), ``fallback`` the recorded
    (gathered) graph, for the questions the cycle search gives up on."""

    def __init__(self, remote: Remote, exploration: Callable[[], Exploration],
                 fallback: Callable[[], StateGraph]) -> None:
        self.remote, self.exploration, self._fallback = remote, exploration, fallback
        self.parts = len(remote.snaps)
        self.rounds = 0  # rounds run so far (every partition one call each)
        self.gathered = 0  # questions answered by the gathered graph (the cycle search gave up)
        self._backward: bool | None = None  # some edge leads to a world numbered no higher than its source
        self._reversed = False
        self._final: Marks | None = None  # the marks of the last backward reachability kept as "final"
        self._whole_cyclic: bool | None = None  # whether the whole graph has a cycle (peeled once)
        self.cycles = CycleSearch(self)

    # -- rounds -----------------------------------------------------------------------------------
    def run(self, op: str, args: list[tuple[Any, ...]] | tuple[Any, ...] = (),
               before: list[list[Any]] | None = None) -> tuple[list[list[Any]], list[dict[str, Any]]]:
        """One call per partition (``args``: a tuple for all, or a list of one tuple per partition); the
        answers and their counters."""
        per_part = args if isinstance(args, list) else [args] * self.parts
        pool = self.remote.pool
        answers = pool.graph(op, per_part, before)
        self.rounds += 1
        return answers, pool.counters(answers)

    def run_until_quiet(self, op: str, key: str, answers: list[list[Any]], counters: list[dict[str, Any]]) -> None:
        """Rounds of ``op`` until no partition has a frontier or an outbox left."""
        while any(c["active"] for c in counters):
            answers, counters = self.run(op, (key,), answers)

    def _open(self) -> None:
        if self._backward is None:
            answers, _ = self.run("start", (self.remote.num,))
            _, counters = self.run("targets", (), answers)
            self._backward = any(c["backward"] for c in counters)

    def ask(self, index: int, op: str, *args: Any) -> Any:
        """``op`` of the partition owning global index ``index``, given its owned index first."""
        part, local = locate(self.remote.num, index)
        return self.remote.pool.query_one(part, "graph", op, (local, *args))

    # -- marks ------------------------------------------------------------------------------------
    def mark(self, name: str, test: Marks) -> None:
        """Marks ``name`` in every partition: a slot test judged per distinct valuation, or given worlds."""
        self._open()
        if isinstance(test, AtWorlds):
            local: list[list[int]] = [[] for _ in range(self.parts)]
            for index in test.indices:
                p, i = locate(self.remote.num, index)
                local[p].append(i)
            self.run("mark_at", [(name, at) for at in local])
            return
        if not isinstance(test, SlotTest):
            raise TypeError("a partitioned search's liveness takes slot tests (SlotTest) or AtWorlds")
        hint = tuple(self.exploration().projector(test.slots).hint)
        if getattr(self.remote.pool, "in_process", False):
            self.run("mark", (name, test.slots, hint, test.predicate))
            return
        answers = self.remote.pool.query("project", [(test.slots, hint, False)] * self.parts)
        holds = [frozenset(v for v in values if test.predicate(dict(zip(test.slots, v)))) for values, _, _ in answers]
        self.run("mark", [(name, test.slots, hint, h) for h in holds])

    # -- LivenessGraph ---------------------------------------------------------------------------
    def keep_predecessors(self) -> None:
        """Every partition keeps the predecessors of its worlds (once)."""
        if not self._reversed:
            answers, _ = self.run("reverse_send")
            self.run("reverse_build", (), answers)
            self._reversed = True

    def reach(self, key: str, marked: str, within: str = "") -> None:
        """Backward reachability from the worlds marked ``marked`` through the worlds marked ``within`` ("":
        any), kept in the partitions as ``key``."""
        self.keep_predecessors()
        answers, counters = self.run("reach_start", (key, marked, within))
        self.run_until_quiet("reach_step", key, answers, counters)

    def search(self, key: str, trigger: str, goal: str, cycles: bool, levels: bool = False) -> None:
        """A region search kept in the partitions as ``key``: breadth first from the worlds marked ``trigger``
        through the worlds not marked ``goal`` (:meth:`.owned_graph.OwnedGraph.region_start`)."""
        answers, counters = self.run("region_start", (key, trigger, goal, cycles, levels))
        self.run_until_quiet("region_step", key, answers, counters)

    def stuck(self, trigger: Marks, goal: Marks) -> int | None:
        """:func:`~prosecheck.checker.liveness.stuck`, in the partitions."""
        self.mark("goal", goal)
        self.mark("trigger", trigger)
        self.reach("can", "goal")
        _, counters = self.run("reach_first", ("can", "trigger"))
        found = [c["first"] for c in counters if c["first"] >= 0]
        return min(found) if found else None

    def _final_reach(self, is_final: Marks) -> None:
        """Backward reachability from the final worlds, kept as ``can_final`` (once per ``is_final``)."""
        if self._final is None or self._final != is_final:
            self.mark("final", is_final)
            self.reach("can_final", "final")
            self._final = is_final

    def no_return(self, is_final: Marks, path: list[int]) -> int | None:
        """:func:`~prosecheck.checker.liveness.no_return`, in the partitions."""
        self._final_reach(is_final)
        return next((i for i, world in enumerate(path) if not self.ask(world, "reach_at", "can_final")), None)

    def leads_to(self, trigger: Marks, goal: Marks) -> Lasso | None:
        """:func:`~prosecheck.checker.liveness.leads_to`, in the partitions: the region search, its first terminal
        world and, where the region holds a cycle, its first fair cycle (:mod:`.distributed_cycles`)."""
        self.mark("goal", goal)
        self.mark("trigger", trigger)
        self.search("region", "trigger", "goal", bool(self._backward))
        _, ends = self.run("region_end", ("region",))
        terminals = [c["terminal"] for c in ends if c["terminal"] >= 0]
        candidates: list[tuple[int, list[tuple[int, Label]]]] = [(min(terminals), [])] if terminals else []
        if any(c["backward"] for c in ends) and self._cyclic("region"):
            try:
                found = self.cycles.fair_cycle("core")
            except GaveUp:  # too many components: the recorded graph answers
                self.gathered += 1
                return self._fallback().leads_to(trigger, goal)
            if found is not None:
                candidates.append(found)
        if not candidates:
            return None
        end, cycle = min(candidates, key=lambda c: c[0])
        start, tail = self.tail(end, "region")
        return Lasso(self.exploration().path_to(start), tail, cycle)

    def tail(self, end: int, key: str) -> tuple[int, list[tuple[int, Label]]]:
        """Region search ``key``'s path to ``end``: its first world and the labelled steps from it."""
        steps: list[tuple[int, Label]] = []
        node = end
        while (before := self.ask(node, "region_pred", key)) != ROOT:
            if before == NONE:
                raise RuntimeError(f"world {node} was not reached by the region search")
            steps.append((node, self.label(before, node)))
            node = before
        return node, steps[::-1]

    def label(self, source: int, target: int) -> Label:
        part, _ = locate(self.remote.num, source)
        label: Label | None = self.remote.labels(part)[self.ask(source, "edge_label", target)]
        assert label is not None
        return label

    def livelocks(self, is_final: Marks) -> list[set[int]]:
        """:func:`~prosecheck.checker.liveness.livelocks`: none in a graph without a cycle (peeled); else the
        cycle search's (:mod:`.distributed_cycles`)."""
        self._open()
        if not self._backward or not self._cyclic(""):
            return []
        self._final_reach(is_final)
        try:
            return self.cycles.livelocks("can_final")
        except GaveUp:  # too many components: the recorded graph answers
            self.gathered += 1
            return self._fallback().livelocks(is_final)

    def _cyclic(self, region: str) -> bool:
        """Whether the worlds of region search ``region`` ("": every world) hold a cycle: peeled in the
        partitions, the worlds without a successor among them removed round after round (a graph with an edge
        to a world numbered no higher than its source may still have no cycle)."""
        if not region and self._whole_cyclic is not None:
            return self._whole_cyclic
        self._open()
        self.keep_predecessors()
        answers, _ = self.run("peel_start", ("peel", region))
        answers, counters = self.run("peel_count", ("peel",), answers)
        self.run_until_quiet("peel_step", "peel", answers, counters)
        _, left = self.run("peel_end", ("peel", "core" if region else "cyclic"))  # keep the survivors
        cyclic = any(c["left"] for c in left)
        if not region:
            self._whole_cyclic = cyclic
        return cyclic


__all__ = ["DistributedGraph"]
