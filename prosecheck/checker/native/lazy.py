"""A partitioned search's exploration that asks its partitions, and gathers them only when it must (issue 21).

:class:`PartitionedExploration` answers from the partitions' per-level counts alone what every reader
of a search's result asks first: the number of worlds, transitions and expanded worlds, the depth of
each world (levels), the deadlocks, unhandled messages and fired transitions (a few global indices,
computed from the counts: :func:`~.gather.global_index`). While the partitions live (threads, local, or
Ray actors in a caller's session: ``remote``), projections, single worlds, parents and labels are asked
of them (:mod:`.distributed`): judging and traces gather nothing. What needs a table per world is
gathered into the driver's context on first use, in two independent stages (:mod:`.gather`): the worlds
(their tables in global order, parents and labels: a pass over every world, ``encoder``, ``index_of``),
and the edges (liveness). The time of each stage is added to the search's
:class:`~.partitioned.Overhead` (``gather``, ``gather_cpu``). Without ``remote`` (Ray actors ended with
the search) the exports are copies, released once both stages are gathered. When the partitions' chunk
values together need wider ids than each partition's, the worlds are gathered into a fresh wide context
of the driver (the partitions' search is not run again).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from prosecheck.checker.liveness import recorded_graph
from prosecheck.checker.native.distributed import (
    PartitionLabels,
    PartitionParents,
    PartitionProjector,
    PartitionWorlds,
    Remote,
)
from prosecheck.checker.native.distributed_graph import DistributedGraph
from prosecheck.checker.native.engine import (
    ChunkEncoder,
    Levels,
    Native,
    NativeExploration,
    NativeLabels,
    NativeStore,
    NativeWorlds,
    unhandled_of_rows,
)
from prosecheck.checker.native.engine import labels as label_table
from prosecheck.checker.native.gather import (
    Export,
    Numbering,
    counts,
    deadlock_rows,
    fired,
    gather_edges,
    gather_worlds,
    label_maps,
    numbering,
    unhandled_rows,
)
from prosecheck.checker.native.partition import Widen
from prosecheck.checker.system import Label

UNSET: Any = object()
WORLDS, EDGES = 1, 2  # the gather's stages


class _Gathered:
    """A field of :class:`PartitionedExploration` that gathers its stage on first read."""

    def __init__(self, stage: int) -> None:
        self.stage = stage

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = "_" + name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__.get(self.name, UNSET)
        if value is UNSET:
            obj.gather(self.stage)
            value = obj.__dict__[self.name]
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value


class PartitionedExploration(NativeExploration):
    """The result of a partitioned search: counts now, world and edge tables when first read; with
    ``remote`` (the partitions, still alive), projections, worlds, parents and labels asked of them."""

    worlds = _Gathered(WORLDS)
    parent = _Gathered(WORLDS)
    via = _Gathered(WORLDS)
    encoder = _Gathered(WORLDS)
    store = _Gathered(WORLDS)
    native = _Gathered(WORLDS)
    edges = _Gathered(EDGES)

    def __init__(self, driver: Native, parts: list[Export], stopped: str | None, overhead: Any,
                 release: Callable[[], None] = lambda: None, remote: Remote | None = None) -> None:
        """``driver``: a fresh context of the same library, which the gather fills; ``parts``: the
        partitions' exports (with ``remote``, maybe their counts only: the rest is fetched when needed);
        ``release``: called once the exports are no longer needed (without ``remote``); ``remote``: the
        partitions, asked instead of gathered, closed when this result is dropped."""
        num = counts(parts)
        total = num.total
        super().__init__(
            driver.system, UNSET, UNSET, UNSET, Levels(num.starts[:num.depths, 0].astype(np.int64), total),
            sum(int(part["transitions"]) for part in parts), 0.0, stopped,
            expanded=sum(int(part["head"]) for part in parts), deadlocks=deadlock_rows(parts, num).tolist(),
            unhandled=unhandled_of_rows(driver.layout, unhandled_rows(parts, num, 5 + driver.layout.nfields).tolist()),
            encoder=UNSET, store=UNSET, edges=UNSET)
        self.fired = set(fired(parts))
        self.parallel = overhead
        self._driver, self._parts, self._release, self._total = driver, parts, release, total
        self._done: set[int] = set()
        self._lmap: list[np.ndarray] = []
        self._full: Numbering | None = None
        self._graph: DistributedGraph | None = None
        self.remote = remote
        if remote is not None:  # the views call back through a weak reference: no cycle keeps the partitions alive
            me = weakref.ref(self)
            self.worlds = PartitionWorlds(remote, lambda: _alive(me)._gathered("worlds"))
            self.parent = PartitionParents(remote, lambda: _alive(me)._gathered("parent"))
            self.via = PartitionLabels(remote, lambda: _alive(me)._label_table(), lambda: _alive(me)._gathered("via"))
            self._remote_projector = PartitionProjector(remote)
            weakref.finalize(self, remote.close)  # the partitions end with this result

    @property
    def states(self) -> int:
        return int(self._total)

    @property
    def gathered(self) -> int:
        """The stages gathered so far: 0 (none), 1 (the worlds), 2 (the edges; the worlds maybe not), 3 (both)."""
        return sum(self._done)

    def projector(self, hint: Iterable[int] = ()) -> Any:
        """With the partitions at hand and the worlds not gathered, they project (:mod:`.distributed`)."""
        if self.remote is None or WORLDS in self._done:
            return super().projector(hint)
        self._remote_projector.widen(hint)
        return self._remote_projector

    def liveness_graph(self) -> DistributedGraph | None:
        """With the partitions at hand and the edges not gathered, the state graph they keep (one per result:
        what its rounds built, the targets and predecessors, serves every property)."""
        if self.remote is None or EDGES in self._done:
            return None
        if self._graph is None:
            me = weakref.ref(self)
            self._graph = DistributedGraph(self.remote, lambda: _alive(me), lambda: recorded_graph(_alive(me)))
        return self._graph

    def gather(self, stage: int) -> None:
        """Gather ``stage`` (:data:`WORLDS`, :data:`EDGES`) if not done yet."""
        if stage in self._done:
            return
        t0, c0 = time.perf_counter(), time.process_time()
        if stage == WORLDS:
            self._gather_worlds()
        else:
            self._gather_edges()
        self._done.add(stage)
        if self.parallel is not None:
            self.parallel.gather += time.perf_counter() - t0
            self.parallel.gather_cpu += time.process_time() - c0
        if self._done == {WORLDS, EDGES} and self.remote is None:
            self._parts, self._lmap = [], []
            self._release()

    def _gathered(self, name: str) -> Any:
        self.gather(WORLDS)
        return self.__dict__["_" + name]

    def _need(self, group: str) -> list[Export]:
        """The exports with ``group`` (fetched from the partitions if the search kept only the counts)."""
        if self._parts and _GROUP_KEY[group] not in self._parts[0]:
            assert self.remote is not None, "the partitions' exports lack " + group
            self._parts = [{**old, **new} for old, new in zip(self._parts, self.remote.export((group,)))]
        return self._parts

    def _numbering(self) -> Numbering:
        if self._full is None:
            self._full = numbering(self._parts)
        return self._full

    def _label_maps(self) -> list[np.ndarray]:
        """Per partition: its label ids in the driver's label table (interned once)."""
        if not self._lmap:
            self._lmap = label_maps(self._driver, self._parts)
        return self._lmap

    def _label_table(self) -> list[Label | None]:
        self._need("edges")
        self._label_maps()
        return label_table(self._driver)

    def _gather_worlds(self) -> None:
        count = self._total
        parts = self._need("worlds")
        try:
            via = gather_worlds(self._driver, parts, self._numbering(), self._label_maps())
        except Widen:  # the partitions' chunk values together outnumber 16-bit ids: gather into a wide context
            self._driver = Native(self._driver.system, wide=True)
            self._lmap = []
            via = gather_worlds(self._driver, parts, self._numbering(), self._label_maps())
        native = self._driver
        self.native = native
        self.worlds = NativeWorlds(native, count)
        self.parent = native.vec(0, count, np.int32)
        self.via = NativeLabels(via, label_table(native))
        self.encoder = ChunkEncoder(native, count)
        self.store = NativeStore(native, count)

    def _gather_edges(self) -> None:
        parts = self._need("edges")
        self.edges = gather_edges(self._driver, parts, self._numbering(), self._label_maps())


def _alive(ref: weakref.ReferenceType[PartitionedExploration]) -> PartitionedExploration:
    found = ref()
    if found is None:
        raise RuntimeError("the partitioned exploration these views belong to is gone")
    return found


_GROUP_KEY = {"worlds": "own_kid", "edges": "estart"}  # a key each export group brings


__all__ = ["EDGES", "WORLDS", "PartitionedExploration"]
