"""A partition's part of the state graph, judged where it lives (issue 21): liveness without a gather.

After a partitioned search every partition keeps the edges of the worlds it owns (:mod:`.partition`:
``estart``, ``etarget``, ``elabel``; a target is one of its own worlds, or a foreign world named by the
row it sent that world's owner). :class:`OwnedGraph` turns every target into (owner, owned index there)
in one compiled pass (each owner first names the rows it absorbed: one exchange), 6 bytes per edge, and
then answers in rounds, one breadth-first level per round. A round is one call per partition, which
returns one outbox per partition and its counters (:meth:`~.partition.NativePartition.graph`); the driver
reads the counters only (:mod:`.distributed_graph`):

* **marks**: one boolean per owned world, a slot test judged once per distinct valuation;
* **backward reachability** (``reach``): the worlds from which a marked world can be reached (for
  ``possibly`` and the step that made a deadlock unavoidable); each edge is sent once to its target's
  owner, which keeps its predecessors;
* **a region search** (``region``): breadth first from some worlds through the worlds outside a goal, in
  compiled passes. A world's predecessor is the smallest world of the level before with an edge to it, the
  rule of :func:`~prosecheck.checker.liveness._bfs`, so the predecessors do not depend on the partitions.
  It finds the region's terminal worlds, and whether an edge inside it leads to a world numbered no
  higher than its source: worlds are numbered breadth first, so without such an edge there is no cycle;
* **peeling** (``peel``): the worlds of a region (or all) without a successor among them removed round
  after round; some world stays exactly when they hold a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.sparse import coo_array

from prosecheck.checker.liveness import row_positions
from prosecheck.checker.native.engine import Native
from prosecheck.checker.native.owned import Numbering, partition_global_indices

NONE = 0xFFFFFFFF  # no world (an unreached world's predecessor; a target no partition stored)
ROOT = 0xFFFFFFFE  # the predecessor of a region search's first worlds
_CHUNK = 1 << 20  # global indices located at once (bounds the temporary arrays)
_FRONTIER = 1 << 16  # frontier worlds expanded at once (bounds the temporary arrays)
FOREIGN = 0x80000000  # an edge target's flag: a foreign ordinal, not one of this partition's worlds
Answer = list[Any]
"""A round's answer: one outbox per partition (NumPy arrays), then the counters (a dict)."""


class OwnedGraph:
    """Partition ``part``'s worlds (owned indices ``0 .. count - 1``, global indices ``gidx``) and their edges."""

    def __init__(self, native: Native, part: int, parts: int, edges: dict[str, Any], num: Numbering) -> None:
        """``edges``: the partition's export of its edges (views of its memory); ``num``: the global
        numbering's counts (per level and partition)."""
        self.native, self.part, self.parts, self.num = native, part, parts, num
        self.gidx = partition_global_indices(num, part)
        self.count = len(self.gidx)
        self.estart = np.asarray(edges["estart"], dtype=np.uint32)
        if len(self.estart) != self.count + 1:
            raise ValueError(f"partition {part}: the liveness graph needs every owned world expanded")
        self.raw = edges
        self._blocks = num.starts.ravel()
        self._first = np.stack(num.levels, axis=1).astype(np.int64)  # (level, partition): first owned index
        # per edge (after ``targets``): its target's owner and owned index there
        self.owner = np.zeros(0, dtype=np.uint16)
        self.local = np.zeros(0, dtype=np.uint32)
        self._fresh = np.zeros(0, dtype=np.uint8)  # pc_region_absorb's scratch: reached in this round
        self._stamp = np.zeros(0, dtype=np.int64)  # _dedupe's scratch, one entry per owned world
        self.marks: dict[str, np.ndarray] = {}
        self.reverse: tuple[np.ndarray, np.ndarray] | None = None  # by target: (row start, source: owned index
        # times the number of partitions plus its owner)
        self.state: dict[str, dict[str, Any]] = {}  # per search (its key): what its rounds keep
        self._own_pairs = np.zeros((0, 2), dtype=np.uint32)  # reverse_send's edges into this partition's worlds

    # -- addressing -----------------------------------------------------------------------------
    def owners(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(owning partition, owned index there) of global indices ``g``: from the counts alone (the last
        block of the numbering that starts at or before each); a slice of ``_CHUNK`` at a time."""
        owner = np.empty(len(g), dtype=np.uint16)
        local = np.empty(len(g), dtype=np.uint32)
        for a in range(0, len(g), _CHUNK):
            chunk = g[a:a + _CHUNK]
            block = np.searchsorted(self._blocks, chunk, side="right") - 1
            level, who = np.divmod(block, self.parts)
            owner[a:a + _CHUNK] = who
            local[a:a + _CHUNK] = self._first[level, who] + chunk - self.num.starts[level, who]
        return owner, local

    def _split(self, owner: np.ndarray, *columns: np.ndarray) -> list[np.ndarray]:
        """The rows (one per entry of ``owner``, one value of each of ``columns``: uint32) cut into one outbox
        per partition, each an array of shape (rows, columns); this partition's own rows are left out."""
        out = []
        for q in range(self.parts):
            mask = owner == q if q != self.part else np.zeros(0, dtype=bool)
            rows = np.empty((int(mask.sum()), len(columns)), dtype=np.uint32)
            for j, column in enumerate(columns):
                rows[:, j] = column[mask] if len(rows) else 0
            out.append(rows)
        return out

    def _answer(self, out: list[np.ndarray] | None = None, **counters: Any) -> Answer:
        return [*(out if out is not None else [np.zeros(0, dtype=np.uint32)] * self.parts), counters]

    # -- the targets: owner, owned index there, global index -------------------------------------
    def start(self) -> Answer:
        """Round 1: to each partition, for each row it sent here (in its order), the owned index and the
        global index of its world (NONE: a row absorbed after the search's last complete level)."""
        out = []
        for q in range(self.parts):
            rows = np.asarray(self.raw["inmap"][q], dtype=np.int64)
            known = rows < self.count
            named = np.full((len(rows), 2), NONE, dtype=np.uint32)
            named[known, 0] = rows[known]
            named[known, 1] = self.gidx[rows[known]]
            out.append(named if q != self.part else named[:0])
        return self._answer(out)

    def targets(self, *named: np.ndarray) -> Answer:
        """Round 2: every edge's target as (owner, owned index there), in one compiled pass
        (``pc_owned_targets``; ``named``: each owner's answer to :meth:`start`). Counters: ``backward``, whether
        some edge leads to a world numbered no higher than its source (without one the graph has no cycle)."""
        ffi, lib = self.native.ffi, self.native.lib
        arrays = {k: np.ascontiguousarray(self.raw[k], dtype=np.uint32) for k in ("etarget", "kslot", "fdest", "frow")}
        rows = [np.ascontiguousarray(a, dtype=np.uint32).reshape(-1) for a in named]
        edges = int(self.estart[-1])
        self.owner = np.empty(edges, dtype=np.uint16)
        self.local = np.empty(edges, dtype=np.uint32)
        first_owner, first_local = self.owners(np.zeros(1, dtype=np.uint32))
        backward = ffi.new("uint64_t *")
        buffers = [ffi.from_buffer("uint32_t[]", r) for r in rows]  # alive during the call
        rc = lib.pc_owned_targets(
            ffi.from_buffer("uint32_t[]", arrays["etarget"]), ffi.from_buffer("uint32_t[]", self.estart), self.count,
            ffi.from_buffer("uint32_t[]", self.gidx), ffi.from_buffer("uint32_t[]", arrays["kslot"]), len(arrays["kslot"]),
            ffi.from_buffer("uint32_t[]", arrays["fdest"]), ffi.from_buffer("uint32_t[]", arrays["frow"]),
            len(arrays["fdest"]), ffi.new("uint32_t *[]", buffers), ffi.new("uint64_t[]", [len(r) // 2 for r in rows]),
            self.parts, self.part, int(first_owner[0]), int(first_local[0]),
            ffi.from_buffer("uint16_t[]", self.owner), ffi.from_buffer("uint32_t[]", self.local), backward)
        if rc != 0:
            raise RuntimeError(f"partition {self.part}: an edge leads to a world no partition stored")
        del self.raw["kslot"], self.raw["fdest"], self.raw["frow"], self.raw["inmap"]
        return self._answer(backward=int(backward[0]) > 0, edges=edges)

    # -- marks ----------------------------------------------------------------------------------
    def set_marks(self, name: str, marks: np.ndarray) -> Answer:
        self.marks[name] = np.asarray(marks, dtype=bool)
        return self._answer(marked=int(self.marks[name].sum()))

    def mark_at(self, name: str, local: list[int]) -> Answer:
        """Marks ``name``: exactly the owned worlds ``local``."""
        marks = np.zeros(self.count, dtype=bool)
        marks[local] = True
        return self.set_marks(name, marks)

    # -- backward reachability ------------------------------------------------------------------
    def reverse_send(self) -> Answer:
        """Each edge into another partition's world, sent to that owner: (the target's owned index there,
        the source's owned index here); the edges into this partition's own worlds are kept."""
        sources = np.repeat(np.arange(self.count, dtype=np.uint32), np.diff(self.estart))
        mine = self.owner == self.part
        self._own_pairs = np.stack([self.local[mine], sources[mine]], axis=1)
        return self._answer(self._split(self.owner, self.local, sources), sent=int((~mine).sum()))

    def reverse_build(self, *pairs: np.ndarray) -> Answer:
        """Every edge into this partition's worlds, by target: its source as owned index times the number
        of partitions plus owner (SciPy's compressed sparse rows: a counting sort; repeated edges merged)."""
        rows = [self._own_pairs, *(np.asarray(p, dtype=np.uint32).reshape(-1, 2) for p in pairs)]
        owners = [self.part, *range(len(pairs))]  # pairs[q]: from partition q (its own: empty)
        target = np.concatenate([r[:, 0] for r in rows])
        source = np.concatenate([r[:, 1].astype(np.int64) * self.parts + q for r, q in zip(rows, owners)])
        self._own_pairs = self._own_pairs[:0]
        width = max(self.num.counts) * self.parts
        matrix = coo_array((np.ones(len(target), dtype=np.int8), (target, source)), shape=(self.count, width)).tocsr()
        self.reverse = (matrix.indptr, matrix.indices)
        return self._answer(edges=len(matrix.indices))

    def reach_start(self, key: str, marked: str, member: str = "") -> Answer:
        """Backward reachability from the worlds marked ``marked``, through the worlds marked ``member`` ("":
        every world), kept as ``key``: its first round."""
        can = self.marks[marked].copy()
        self.state[key] = {"can": can, "member": self.marks[member] if member else None}
        return self._reach_expand(key, np.flatnonzero(can))

    def reach_step(self, key: str, *inbox: np.ndarray) -> Answer:
        """A round: the worlds named by the other partitions join, then this level's predecessors are sent."""
        st = self.state[key]
        can, got = st["can"], self._dedupe(_joined(inbox))
        got = got[~can[got] if st["member"] is None else ~can[got] & st["member"][got]]
        can[got] = True
        return self._reach_expand(key, np.concatenate([st["next"], got]))

    def _reach_expand(self, key: str, frontier: np.ndarray) -> Answer:
        """The predecessors of ``frontier``: this partition's own join the next level, the others are sent to
        their owners (repeats are dropped where they arrive)."""
        can, member = self.state[key]["can"], self.state[key]["member"]
        here: list[np.ndarray] = []

        def join(mine: np.ndarray) -> None:
            mine = self._dedupe(mine)
            mine = mine[~can[mine] if member is None else ~can[mine] & member[mine]]
            can[mine] = True
            here.append(mine)

        sent = self._predecessors(frontier, join)
        self.state[key]["next"] = np.concatenate(here) if here else np.zeros(0, dtype=np.int64)
        return self._answer(sent, active=len(self.state[key]["next"]) + sum(len(a) for a in sent))

    def _predecessors(self, worlds: np.ndarray, own: Callable[[np.ndarray], None]) -> list[np.ndarray]:
        """The predecessors of ``worlds``, one entry per edge, ``_FRONTIER`` worlds at a time: this partition's
        own given to ``own`` (owned indices), the others' collected into one outbox per owner."""
        assert self.reverse is not None, "reverse_build first"
        start, column = self.reverse
        out: list[list[np.ndarray]] = [[] for _ in range(self.parts)]
        for a in range(0, len(worlds), _FRONTIER):
            at, _ = row_positions(start, worlds[a:a + _FRONTIER])
            where, who = np.divmod(column[at], self.parts)  # owned index, owner
            own(where[who == self.part])
            for q, rows in enumerate(self._split(who, where)):
                out[q].append(rows[:, 0])
        return [np.concatenate(o) if o else np.zeros(0, dtype=np.uint32) for o in out]

    def _dedupe(self, values: np.ndarray) -> np.ndarray:
        """Each of ``values`` (owned indices) once, in no particular order: the last position written for each
        value keeps it (no sort)."""
        if len(self._stamp) != self.count:
            self._stamp = np.zeros(self.count, dtype=np.int64)
        positions = np.arange(len(values), dtype=np.int64)
        self._stamp[values] = positions
        kept: np.ndarray = values[self._stamp[values] == positions]
        return kept

    def reach_first(self, key: str, marked: str) -> Answer:
        """The first world marked ``marked`` from which no world of search ``key`` can be reached (global; -1)."""
        found = np.flatnonzero(self.marks[marked] & ~self.state[key]["can"])
        return self._answer(first=int(self.gidx[found[0]]) if len(found) else -1)

    def reach_at(self, local: int, key: str) -> bool:
        """Whether a world of search ``key`` can be reached from owned world ``local``."""
        return bool(self.state[key]["can"][local])

    # -- a region search ------------------------------------------------------------------------
    def region_start(self, key: str, trigger: str, goal: str, cycles: bool, levels: bool = False) -> Answer:
        """A breadth-first search from the worlds marked ``trigger`` and not ``goal``, through worlds not
        marked ``goal``, kept as ``key``: its first round. ``cycles``: whether the graph has an edge to a world
        numbered no higher than its source (else no region has one, and none is looked for); ``levels``: keep
        each level's worlds."""
        outside = ~self.marks[goal]
        first = outside & self.marks[trigger]
        pred = np.full(self.count, NONE, dtype=np.uint32)
        pred[first] = ROOT
        if len(self._fresh) != self.count:
            self._fresh = np.zeros(self.count, dtype=np.uint8)
        self.state[key] = {"outside": outside.view(np.uint8), "pred": pred, "backward": np.zeros(1, dtype=np.int32),
                           "cycles": cycles, "levels": [] if levels else None}
        return self._region_expand(key, np.flatnonzero(first))

    def region_step(self, key: str, *inbox: np.ndarray) -> Answer:
        """A round: of every edge from the level before into a world outside the goal (this partition's
        own, and those the others sent), the one from the smallest source into each world not reached yet
        (``pc_region_absorb``, one compiled pass per sender)."""
        st = self.state[key]
        ffi, lib = self.native.ffi, self.native.lib
        reached = []
        for pairs in [st["edges"], *inbox]:
            pairs = np.ascontiguousarray(pairs, dtype=np.uint32).reshape(-1, 2)
            out = np.empty(len(pairs), dtype=np.uint32)
            found = lib.pc_region_absorb(
                ffi.from_buffer("uint32_t[]", pairs), len(pairs), ffi.from_buffer("uint8_t[]", st["outside"]),
                ffi.from_buffer("uint32_t[]", st["pred"]), ffi.from_buffer("uint8_t[]", self._fresh),
                ffi.from_buffer("uint32_t[]", self.gidx) if st["cycles"] else ffi.NULL, self.count,
                ffi.from_buffer("uint32_t[]", out), ffi.from_buffer("int32_t[]", st["backward"]))
            if found < 0:
                self._fresh[:] = 0
                raise RuntimeError(f"partition {self.part}: a region search names a world this partition does not own")
            reached.append(out[:found])
        frontier = np.concatenate(reached)
        self._fresh[frontier] = 0  # the round's marks, cleared once every sender's edges are absorbed
        return self._region_expand(key, frontier)

    def _region_expand(self, key: str, frontier: np.ndarray) -> Answer:
        """Every edge of ``frontier`` as (target's owned index, source's global index), one array per owner of
        the targets (``pc_region_count``, ``pc_region_fill``): this partition's own kept (but those into the goal,
        and, unless cycles are looked for, into a world reached in an earlier round), the others sent."""
        ffi, lib = self.native.ffi, self.native.lib
        st = self.state[key]
        frontier = np.ascontiguousarray(frontier, dtype=np.uint32)
        if st["levels"] is not None and len(frontier):
            st["levels"].append(frontier)
        counts = ffi.new("uint64_t[]", self.parts)
        args = (ffi.from_buffer("uint32_t[]", frontier), len(frontier), ffi.from_buffer("uint32_t[]", self.estart),
                ffi.from_buffer("uint16_t[]", self.owner), ffi.from_buffer("uint32_t[]", self.local), self.parts,
                self.part, ffi.from_buffer("uint8_t[]", st["outside"]), ffi.from_buffer("uint32_t[]", st["pred"]),
                int(st["cycles"]))
        if lib.pc_region_count(*args, counts) != 0:
            raise RuntimeError(f"partition {self.part}: an edge names a partition that does not exist")
        out = [np.empty((int(counts[q]), 2), dtype=np.uint32) for q in range(self.parts)]
        buffers = [ffi.from_buffer("uint32_t[]", o) for o in out]  # alive during the call
        if lib.pc_region_fill(*args, ffi.from_buffer("uint32_t[]", self.gidx), ffi.new("uint32_t *[]", buffers)) != 0:
            raise MemoryError("the region search ran out of memory")
        st["edges"] = out[self.part]
        out[self.part] = out[self.part][:0]
        return self._answer(out, active=len(frontier) + sum(len(a) for a in out))

    # -- peeling: whether a subgraph has a cycle --------------------------------------------------
    def peel_start(self, key: str, region: str) -> Answer:
        """The first round of peeling the worlds of region search ``region`` ("": every world), kept as ``key``:
        every edge between two of them announced to its source's owner, which counts each source's successors
        among them. Repeatedly removing the worlds without such a successor removes every world exactly when
        the subgraph has no cycle (a world that stays has an infinite path inside it)."""
        member = self.state[region]["pred"] != NONE if region else np.ones(self.count, dtype=bool)
        count = np.zeros(self.count, dtype=np.int64)
        self.state[key] = {"member": member, "count": count}
        out = self._predecessors(np.flatnonzero(member), lambda mine: np.add.at(count, mine, 1))
        return self._answer(out, active=1)

    def peel_count(self, key: str, *inbox: np.ndarray) -> Answer:
        """Round 2: the announcements of the other partitions counted; the worlds without a successor in the
        subgraph are removed, and their predecessors told."""
        st = self.state[key]
        np.add.at(st["count"], _joined(inbox), 1)
        st["alive"] = st["member"].copy()
        sinks = np.flatnonzero(st["member"] & (st["count"] == 0))
        st["alive"][sinks] = False
        return self._answer(self._tell(key, sinks), active=len(sinks))

    def peel_step(self, key: str, *inbox: np.ndarray) -> Answer:
        """A round: a removed successor is one successor less (the other partitions' and this one's own); the
        worlds left without one are removed, and their predecessors told."""
        st = self.state[key]
        removed = np.concatenate([st["next"], self._lose(st, _joined(inbox))])
        return self._answer(self._tell(key, removed), active=len(removed))

    def _lose(self, st: dict[str, Any], sources: np.ndarray) -> np.ndarray:
        """Each of ``sources`` (owned indices, repeated as often as it lost a successor) loses them; those of the
        subgraph still in it left without one: removed now, returned."""
        sources = sources[st["alive"][sources]]
        np.subtract.at(st["count"], sources, 1)
        sources = self._dedupe(sources)
        gone: np.ndarray = sources[st["count"][sources] == 0]
        st["alive"][gone] = False
        return gone

    def _tell(self, key: str, removed: np.ndarray) -> list[np.ndarray]:
        """The predecessors of the ``removed`` worlds lose a successor: this partition's own at once (those
        left without one go to ``next``), the others' sent to their owners."""
        st = self.state[key]
        here: list[np.ndarray] = []
        sent = self._predecessors(removed, lambda mine: here.append(self._lose(st, mine)))
        st["next"] = np.concatenate(here) if here else np.zeros(0, dtype=np.int64)
        return sent

    def peel_end(self, key: str, keep: str = "") -> Answer:
        """Counters of a finished peeling: ``left``, the worlds of the subgraph not removed (0: no cycle); with
        ``keep``, those worlds kept as marks of that name (they reach a cycle)."""
        st = self.state.pop(key)
        if keep:
            self.marks[keep] = st["alive"]
        return self._answer(left=int(st["alive"].sum()))

    def region_end(self, key: str) -> Answer:
        """Counters of a finished region search: its first terminal world (no successor at all; global, -1),
        whether an edge inside it may close a cycle (``backward``), its size."""
        st = self.state[key]
        reached = st["pred"] != NONE
        terminal = np.flatnonzero(reached & (np.diff(self.estart) == 0))
        return self._answer(terminal=int(self.gidx[terminal[0]]) if len(terminal) else -1,
                            backward=bool(st["backward"][0]), reached=int(reached.sum()))

    def region_pred(self, local: int, key: str) -> int:
        """The predecessor of owned world ``local`` in region search ``key`` (global; ROOT, NONE)."""
        return int(self.state[key]["pred"][local])

    def edges_to(self, local: int, target: int) -> np.ndarray:
        """The positions of owned world ``local``'s edges to global index ``target``, in edge order."""
        a, b = int(self.estart[local]), int(self.estart[local + 1])
        owner, there = self.owners(np.array([target], dtype=np.uint32))
        return a + np.flatnonzero((self.owner[a:b] == owner[0]) & (self.local[a:b] == there[0]))

    def edge_label(self, local: int, target: int) -> int:
        """The label id (this partition's) of owned world ``local``'s first edge to global index ``target``."""
        hits = self.edges_to(local, target)
        if not len(hits):
            raise RuntimeError(f"partition {self.part}: no edge from owned world {local} to world {target}")
        return int(self.raw["elabel"][int(hits[0])])


def _joined(inbox: tuple[np.ndarray, ...]) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=np.int64) for a in inbox]) if inbox else np.zeros(0, dtype=np.int64)


__all__ = ["NONE", "ROOT", "Answer", "OwnedGraph"]
