"""A partition's part of the cycle search (issue 21): sets of worlds, weak fairness, the world closing a cycle.

Where peeling (:mod:`.owned_graph`) finds a real cycle, the driver (:mod:`.distributed_cycles`) takes the
strongly connected components apart one at a time, smallest world first: forward and backward
reachability from a pivot inside a set of worlds, their intersection its component. This module adds
what that needs to :class:`~.owned_graph.OwnedGraph`: marks made from a search's result and combined,
the first and the members of a set, whether a world has an edge to itself, a component's weak fairness
(per instance: enabled in every world of it, taking a step inside it), and the first world of a
breadth-first search with an edge back to its start (the one that closes the cycle the sequential
:func:`~prosecheck.checker.liveness._cycle_in` finds).
"""

from __future__ import annotations

import numpy as np

from prosecheck.checker.liveness import row_positions
from prosecheck.checker.native.engine import labels as label_table
from prosecheck.checker.native.owned_graph import NONE, Answer, OwnedGraph


class OwnedCycles(OwnedGraph):
    """:class:`~.owned_graph.OwnedGraph` with the operations of the cycle search."""

    # -- sets of worlds ------------------------------------------------------------------------------
    def keep(self, name: str, key: str, what: str) -> Answer:
        """Marks ``name``: the worlds a search ``key`` reached (``reached``: a region search) or marked
        (``can``: backward reachability)."""
        st = self.state[key]
        return self.set_marks(name, st["pred"] != NONE if what == "reached" else st["can"].copy())

    def combine(self, name: str, a: str, how: str, b: str = "") -> Answer:
        """Marks ``name``: ``not a``, ``a and b``, ``a and not b``, or every world (``all``) or none (``none``)."""
        if how in ("all", "none"):
            return self.set_marks(name, np.full(self.count, how == "all", dtype=bool))
        x = self.marks[a]
        if how == "not":
            return self.set_marks(name, ~x)
        y = self.marks[b]
        return self.set_marks(name, x & y if how == "and" else x & ~y)

    def first(self, name: str) -> Answer:
        """Counters: ``first`` and ``last``, the smallest and the largest world marked ``name`` (global; -1: none)."""
        found = np.flatnonzero(self.marks[name])
        return self._answer(first=int(self.gidx[found[0]]) if len(found) else -1,
                            last=int(self.gidx[found[-1]]) if len(found) else -1)

    def members(self, name: str) -> list[int]:
        """The worlds marked ``name``, as global indices."""
        return [int(g) for g in self.gidx[self.marks[name]]]

    def has_edge(self, local: int, target: int) -> bool:
        """Whether owned world ``local`` has an edge to global index ``target``."""
        return len(self.edges_to(local, target)) > 0

    # -- weak fairness of a component --------------------------------------------------------------
    def fair_send(self, name: str) -> Answer:
        """The worlds marked ``name`` (a component, or this partition's part of it): per instance, whether
        each of them has an edge of it (``enabled``: it is enabled in all of them), and whether one of their
        edges of it leads to a world of the component here (``acting``); their edges into other partitions
        are sent to the targets' owners as (owned index, instance), to tell there (:meth:`fair_absorb`)."""
        member = self.marks[name]
        worlds = np.flatnonzero(member)
        at, lengths = row_positions(self.estart, worlds)
        instance = self._instances()[np.asarray(self.raw["elabel"])[at]]
        kinds = self._kinds()
        pairs = np.unique(np.repeat(np.arange(len(worlds), dtype=np.int64), lengths) * kinds + instance)
        enabled = np.bincount(pairs % kinds, minlength=kinds) == len(worlds)
        owner, local = self.owner[at], self.local[at]
        own = owner == self.part
        acting = np.zeros(kinds, dtype=bool)
        acting[instance[own][member[local[own]]]] = True
        out = self._split(owner, local, instance.astype(np.uint32))
        return self._answer(out, members=len(worlds), enabled=enabled.tolist(), acting=acting.tolist())

    def fair_absorb(self, name: str, *inbox: np.ndarray) -> Answer:
        """Counters: ``acting``, per instance, whether an edge another partition sent leads into the worlds
        marked ``name`` here."""
        acting = np.zeros(self._kinds(), dtype=bool)
        for rows in inbox:
            rows = np.asarray(rows, dtype=np.int64).reshape(-1, 2)
            acting[rows[self.marks[name][rows[:, 0]], 1]] = True
        return self._answer(acting=acting.tolist())

    def _kinds(self) -> int:
        """Instances, plus one for a step without one."""
        return len(self.native.system.instances) + 1

    def _instances(self) -> np.ndarray:
        """The acting instance of each of this partition's label ids (the last kind: none)."""
        none = self._kinds() - 1
        return np.array([none if lb is None else lb.instance for lb in label_table(self.native)], dtype=np.int64)

    # -- the world that closes a cycle ---------------------------------------------------------------
    def closing(self, key: str, start: int) -> Answer:
        """Counters of region search ``key`` (kept with its levels): the first level with a world that has an
        edge to global index ``start``, and the smallest such world in it (global); -1, -1: none."""
        owner, there = self.owners(np.array([start], dtype=np.uint32))
        for level, frontier in enumerate(self.state[key]["levels"]):
            at, lengths = row_positions(self.estart, frontier)
            hit = (self.owner[at] == owner[0]) & (self.local[at] == there[0])
            if hit.any():
                sources = np.repeat(frontier, lengths)[hit]
                return self._answer(level=level, world=int(self.gidx[sources].min()))
        return self._answer(level=-1, world=-1)

    def forget(self, *keys: str) -> Answer:
        """Drop the searches and marks of these names."""
        for key in keys:
            self.state.pop(key, None)
            self.marks.pop(key, None)
        return self._answer()


__all__ = ["OwnedCycles"]
