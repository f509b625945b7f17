"""A partition's own worlds, asked where they live (issue 21): projections, decoded worlds, parent links.

After the search every partition (:class:`~.partition.NativePartition`) keeps the worlds it owns, and
the driver asks it instead of gathering them (:mod:`.distributed`): the distinct valuations of a few
slots over its owned worlds, with the first (owned) world of each (:meth:`Owned.project`: the sequential
:class:`~prosecheck.checker.projection.Projector` over this partition's own tables), a few worlds
decoded, and the parent link of a few worlds (the parent's partition and owned index, and the id of the
step's label in the partition that fired it: the parent's). Owned indices grow with the global,
breadth-first order, so a partition's first world of a valuation is also its earliest globally.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from prosecheck.checker.native.engine import ChunkEncoder, Native
from prosecheck.checker.native.engine import labels as label_table
from prosecheck.checker.projection import Projector
from prosecheck.checker.store import LazyWorlds
from prosecheck.checker.system import Label, World

Valuations = tuple[list[tuple[Any, ...]], np.ndarray, np.ndarray]
"""A partition's projection: the distinct valuations, the first owned world of each (increasing), and
the valuation of each owned world (empty unless asked for)."""


def partition_vector(native: Native, which: int, count: int | None = None) -> np.ndarray:
    """The first ``count`` entries (None: all) of one of the partition-mode arrays (``pc_pvec``), a view."""
    n = native.ffi.new("uint64_t *")
    ptr = native.lib.pc_pvec(native.ctx, which, n)
    count = int(n[0]) if count is None else min(count, int(n[0]))
    if count == 0:
        return np.zeros(0, dtype=np.uint32)
    return np.frombuffer(native.ffi.buffer(ptr, 4 * count), dtype=np.uint32)


@dataclass
class Numbering:
    """Global indices: level by level, partitions in order, owned order within."""

    counts: list[int]  # owned worlds per partition
    levels: list[np.ndarray]  # per partition: the first owned index of each level
    sizes: np.ndarray  # (levels, partitions): worlds per level and partition
    starts: np.ndarray  # (levels, partitions): the global index of each block's first world
    gidx: list[np.ndarray]  # per partition: the global index of each owned world
    base: np.ndarray  # offset of each partition's worlds in ``allg``
    allg: np.ndarray  # every partition's gidx, concatenated

    @property
    def total(self) -> int:
        return int(self.base[-1])

    @property
    def depths(self) -> int:
        """Levels holding a world (the last ones may be empty: a complete search's last round)."""
        used = len(self.sizes)
        while used > 1 and self.sizes[used - 1].sum() == 0:
            used -= 1
        return used


def partition_global_indices(num: Numbering, p: int) -> np.ndarray:
    """The global index of each of partition ``p``'s owned worlds (uint32, increasing), from the counts."""
    if num.total >= 2**32:
        raise ValueError("more than 2^32 worlds: too many for the gather's 32-bit indices")
    return np.repeat((num.starts[:, p] - num.levels[p]).astype(np.uint32), num.sizes[:, p]) \
        + np.arange(num.counts[p], dtype=np.uint32)


class OwnedEncoder(ChunkEncoder):
    """:class:`~.engine.ChunkEncoder` over a partition's owned worlds: owned world ``i`` is the world
    record ``own_kid[i]`` of the partition's table (which also holds foreign worlds it has seen)."""

    def __init__(self, native: Native, own_kid: np.ndarray) -> None:
        super().__init__(native, len(own_kid))
        self.own_kid = own_kid
        self._comps: dict[int, np.ndarray] = {}  # component -> its record of each owned world (read once)

    def component_ids(self, k: int, start: int, stop: int) -> np.ndarray:
        c, j = self.where[k]
        if self.world_records is None:
            comp = self.own_kid[start:stop]
        else:
            if c not in self._comps:
                self._comps[c] = self.world_records[self.own_kid, c]
            comp = self._comps[c][start:stop]
        ids: np.ndarray = self.comp_records[c][comp, j].astype(np.int32)
        return ids

    def first_codes(self, parts: list[tuple[int, np.ndarray]], strides: list[int], firsts: np.ndarray) -> None:
        """:meth:`.engine.ChunkEncoder.first_codes` over the owned worlds."""
        self._codes(self._kids(), parts, strides, 0, self.count, firsts, None)

    def world_codes(self, parts: list[tuple[int, np.ndarray]], strides: list[int], start: int, stop: int) -> np.ndarray:
        """:meth:`.engine.ChunkEncoder.world_codes` of the owned worlds ``start`` .. ``stop - 1``."""
        out = np.empty(max(stop - start, 0), dtype=np.int64)
        self._codes(self._kids(), parts, strides, start, stop, None, out)
        return out

    def _kids(self) -> np.ndarray:
        return np.ascontiguousarray(self.own_kid, dtype=np.uint32)

    def lookup(self, world: World) -> int | None:
        return None  # an owned world is found through its owner's hash, not here (the gather does it)


class OwnedWorlds(LazyWorlds):
    """A partition's owned worlds by owned index, decoded on demand."""

    def __init__(self, native: Native, own_kid: np.ndarray) -> None:
        self.native, self.own_kid = native, own_kid

    def __len__(self) -> int:
        return len(self.own_kid)

    def world_at(self, index: int) -> World:
        return self.native.world(int(self.own_kid[index]))


class Owned:
    """The owned worlds of one partition after its search, cut at ``owned`` (its last complete level's
    count: worlds absorbed after that snapshot are left out, as the gather leaves them out)."""

    def __init__(self, native: Native, owned: int) -> None:
        self.native = native
        own_kid = partition_vector(native, 1, owned)
        self.worlds = OwnedWorlds(native, own_kid)
        self.parent = native.vec(0, owned)
        self.via = native.vec(1, owned)
        self.source = partition_vector(native, 0, owned)
        self.projector = Projector(native.system, self.worlds, OwnedEncoder(native, own_kid),  # type: ignore[arg-type]
                                   range(owned))

    def project(self, slots: Sequence[int], hint: Sequence[int], per_world: bool) -> Valuations:
        """The projection of the owned worlds onto ``slots`` (``hint``: every slot judging will ask for)."""
        self.projector.widen(hint)
        found = self.projector.project(slots, per_world)
        return found.values, found.first, found.codes

    def marks(self, slots: Sequence[int], hint: Sequence[int], predicate: Callable[[dict[int, Any]], bool]) -> np.ndarray:
        """Per owned world, whether ``predicate`` holds on its valuation of ``slots`` (run once per valuation)."""
        self.projector.widen(hint)
        return self.projector.marks(slots, predicate)

    def decode(self, local: Sequence[int]) -> list[World]:
        return [self.worlds[int(i)] for i in local]

    def links(self, local: Sequence[int]) -> list[tuple[int, int, int]]:
        """Per owned world: (its parent's partition, the parent's owned index there, or -1 for the initial
        world, the id of its label in the parent's partition)."""
        out = []
        for i in local:
            parent = int(self.parent[int(i)])
            out.append((int(self.source[int(i)]), -1 if parent == 0xFFFFFFFF else parent, int(self.via[int(i)])))
        return out

    def labels(self) -> list[Label | None]:
        """This partition's label table by id (id 0: none)."""
        return label_table(self.native)


__all__ = ["Numbering", "OwnedEncoder", "OwnedWorlds", "Owned", "Valuations", "partition_global_indices", "partition_vector"]
