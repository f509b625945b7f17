"""The driver's side of a partitioned search's result: it asks the partitions, it does not gather them (issue 21).

After the search every partition keeps the worlds it owns (:mod:`.owned`). Judging a property needs the
distinct valuations of its slots, each with its first (breadth-first) world: every partition projects
its own worlds (at once: threads, or Ray actors) and the driver merges their distinct valuations,
keeping for each the smallest global index (:func:`~.gather.global_index`, from the per-level counts):
that is the sequential search's first world, so the same valuations come in the same order with the same
first worlds (:class:`PartitionProjector`). A trace follows parent references across partitions, one
world at a time (:class:`Remote`). The driver's work is per distinct valuation and per trace step, not
per world; only a projection per world (liveness marks) and the edges (liveness) are assembled here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np

from prosecheck.checker.native.gather import Export, Numbering, global_index, locate, owned_global_indices
from prosecheck.checker.native.partition import Snapshot
from prosecheck.checker.projection import Projection
from prosecheck.checker.store import LazyWorlds
from prosecheck.checker.system import Label, World


class Partitions(Protocol):
    """What the driver needs of a pool of partitions after the search (:mod:`.partitioned`)."""

    def query(self, method: str, args: list[tuple[Any, ...]]) -> list[Any]: ...

    def query_one(self, part: int, method: str, *args: Any) -> Any: ...

    def export(self, snaps: list[Snapshot], groups: tuple[str, ...]) -> list[Export]: ...

    def graph(self, op: str, args: list[tuple[Any, ...]], before: list[list[Any]] | None) -> list[list[Any]]: ...

    def counters(self, stepped: list[list[Any]]) -> list[dict[str, Any]]: ...


class Remote:
    """The partitions after a search, settled at their last complete level (``snaps``), as the driver asks
    them; ``close`` ends them (called once, when the result is no longer needed)."""

    def __init__(self, pool: Partitions, snaps: list[Snapshot], num: Numbering, close: Callable[[], None]) -> None:
        self.pool, self.snaps, self.num = pool, snaps, num
        self.total = num.total
        self._labels: dict[int, list[Label | None]] = {}
        self._gidx: list[np.ndarray] | None = None
        self._close: Callable[[], None] | None = close

    def export(self, groups: tuple[str, ...]) -> list[Export]:
        """The partitions' exports of ``groups`` (:meth:`~.partition.NativePartition.export`)."""
        return self.pool.export(self.snaps, groups)

    def world(self, index: int) -> World:
        p, local = locate(self.num, index)
        return self.pool.query_one(p, "decode", [local])[0]  # type: ignore[no-any-return]

    def link(self, index: int) -> tuple[int, Label | None]:
        """World ``index``'s parent (global; -1 for the initial world) and the label of the step from it."""
        p, local = locate(self.num, index)
        source, parent, label = self.pool.query_one(p, "links", [local])[0]
        if parent < 0:
            return -1, None
        return int(global_index(self.num, source, np.array([parent]))[0]), self.labels(source)[label]

    def labels(self, part: int) -> list[Label | None]:
        if part not in self._labels:
            self._labels[part] = self.pool.query_one(part, "labels")
        return self._labels[part]

    def project(self, slots: Sequence[int], hint: Sequence[int], per_world: bool) -> Projection:
        """Every partition's projection onto ``slots``, merged: each distinct valuation once, with its first
        world (the smallest global index any partition has for it), in order of first appearance; with
        ``per_world`` also each world's valuation code in global order."""
        answers = self.pool.query("project", [(tuple(slots), tuple(hint), per_world)] * len(self.snaps))
        best: dict[tuple[Any, ...], int] = {}
        for p, (values, first, _) in enumerate(answers):
            for value, g in zip(values, global_index(self.num, p, first).tolist()):
                if g < best.get(value, self.total):
                    best[value] = g
        order = sorted(best.items(), key=lambda item: item[1])
        values = [value for value, _ in order]
        firsts = np.array([g for _, g in order], dtype=np.int64)
        codes = np.zeros(0 if slots else self.total, dtype=np.int32)  # no slots: one valuation, as the Projector
        if per_world and slots:
            rank = {value: k for k, value in enumerate(values)}
            codes = np.empty(self.total, dtype=np.int32)
            for gidx, (local_values, _, local_codes) in zip(self.global_indices(), answers):
                to_global = np.array([rank[v] for v in local_values], dtype=np.int32)
                codes[gidx] = to_global[local_codes] if len(local_codes) else local_codes
        return Projection(tuple(slots), codes, values, firsts)

    def marks(self, slots: Sequence[int], hint: Sequence[int], predicate: Callable[[dict[int, Any]], bool]) -> np.ndarray:
        """Per world (global order), whether ``predicate`` holds on its valuation of ``slots``: each partition
        marks its own worlds (in this process: the predicate need not travel), the driver places them."""
        if not getattr(self.pool, "in_process", False):  # Ray: the valuations per world travel, not the predicate
            return self.project(slots, hint, True).holds(predicate)
        answers = self.pool.query("marks", [(tuple(slots), tuple(hint), predicate)] * len(self.snaps))
        out = np.zeros(self.total, dtype=bool)
        for gidx, marked in zip(self.global_indices(), answers):
            out[gidx] = marked
        return out

    def global_indices(self) -> list[np.ndarray]:
        """Per partition, the global index of each owned world (computed once, from the counts)."""
        if self._gidx is None:
            self._gidx = owned_global_indices(self.num)
        return self._gidx

    def close(self) -> None:
        close = self._close
        self._close = None
        if close is not None:
            close()


class PartitionProjector:
    """The :class:`~prosecheck.checker.projection.Projector` of a partitioned search's worlds: the
    partitions project, the driver merges (:meth:`Remote.project`)."""

    def __init__(self, remote: Remote, hint: Iterable[int] = ()) -> None:
        self.remote, self.count = remote, remote.total
        self.hint = sorted(set(hint))

    def widen(self, hint: Iterable[int]) -> None:
        self.hint = sorted(set(self.hint) | set(hint))

    def project(self, slots: Sequence[int], per_world: bool = True) -> Projection:
        return self.remote.project(slots, self.hint, per_world)

    def marks(self, slots: Sequence[int], predicate: Callable[[dict[int, Any]], bool]) -> np.ndarray:
        """Per world (global order), whether ``predicate`` holds on its valuation of ``slots``."""
        return self.remote.marks(slots, self.hint, predicate)


class PartitionWorlds(LazyWorlds):
    """Worlds by global index, each decoded by its partition; a pass over all of them reads ``everything()``
    (the gathered worlds) instead."""

    def __init__(self, remote: Remote, everything: Callable[[], Sequence[World]]) -> None:
        self.remote, self.everything = remote, everything

    def __len__(self) -> int:
        return self.remote.total

    def world_at(self, index: int) -> World:
        return self.remote.world(index)

    def __iter__(self) -> Iterator[World]:
        return iter(self.everything())


class PartitionParents(Sequence[int]):
    """Parents by global index (-1 for the initial world), each asked of the world's partition."""

    def __init__(self, remote: Remote, everything: Callable[[], Sequence[int]]) -> None:
        self.remote, self.everything = remote, everything

    def __len__(self) -> int:
        return self.remote.total

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self.everything()[index]
        return self.remote.link(int(index))[0]

    def __iter__(self) -> Iterator[int]:
        return iter(self.everything())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self.everything(), dtype=dtype)


class PartitionLabels(Sequence[Label | None]):
    """The label of the step into each world, by global index, asked of the world's partition; ``table``:
    the driver's label table (what the gathered edges' label ids index)."""

    def __init__(self, remote: Remote, table: Callable[[], list[Label | None]],
                 everything: Callable[[], Sequence[Label | None]]) -> None:
        self.remote, self._table, self.everything = remote, table, everything

    @property
    def table(self) -> list[Label | None]:
        return self._table()

    @property
    def ids(self) -> Any:
        return self.everything().ids  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return self.remote.total

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self.everything()[index]
        return self.remote.link(int(index))[1]

    def __iter__(self) -> Iterator[Label | None]:
        return iter(self.everything())


__all__ = ["PartitionLabels", "PartitionParents", "PartitionProjector", "PartitionWorlds", "Partitions", "Remote"]
