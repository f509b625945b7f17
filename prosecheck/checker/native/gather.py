"""The end of a partitioned search: every partition's store gathered into one exploration (issue 21).

This is the remaining serial term of the partitioned compiled search, done on first read
(:mod:`.lazy`) in two stages, the worlds (:func:`gather_worlds`) then the edges (:func:`gather_edges`),
with vectorised NumPy (no Python loop per world or per edge); :func:`gather` does both at once. In a
context of the driver (the same compiled library) it interns every partition's chunk, component and
label tables (small: distinct values), numbers the worlds level by level (level, then partition, then
owned order: breadth first, so depths and shortest traces have the sequential search's lengths),
loads the world table in that order without compares (partitions own disjoint worlds), and maps
parents, labels and edge targets to global indices: a partition's edge leads to a world it owns (its
owned index), or to a foreign world whose row its owner absorbed (the owner's ``inmap``). The result
is the :class:`~.engine.NativeExploration` the sequential search returns, edges and labels held as
NumPy arrays.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from prosecheck.checker.native import cgen
from prosecheck.checker.native.engine import (
    ChunkEncoder,
    Levels,
    Native,
    NativeEdges,
    NativeExploration,
    NativeLabels,
    NativeStore,
    NativeWorlds,
)
from prosecheck.checker.native.engine import _unhandled as unhandled_of
from prosecheck.checker.native.engine import labels as label_table
from prosecheck.checker.native.owned import Numbering, partition_global_indices
from prosecheck.checker.native.partition import UNSEEN, Widen

Export = dict[str, Any]
"""What :meth:`~.partition.NativePartition.export` returns."""


def _intern(native: Native, kind: int, k: int, rows: np.ndarray) -> np.ndarray:
    """Intern records (one per row of ``rows``, the table's own width) in the driver's table; their ids."""
    rows = np.ascontiguousarray(rows)
    ids = np.empty(len(rows), dtype=np.uint32)
    if len(rows):
        ffi = native.ffi
        rc = native.lib.pc_intern_rows(native.ctx, kind, k, ffi.from_buffer("uint8_t[]", rows.view(np.uint8).ravel()),
                                       len(rows), ffi.from_buffer("uint32_t[]", ids))
        if rc != 0:
            raise MemoryError("the gather ran out of memory")
    return ids


def _load(native: Native, kind: int, k: int, rows: np.ndarray) -> None:
    """Table (kind, k) of the driver becomes ``rows`` (distinct: no compare), its index built when needed."""
    rows = np.ascontiguousarray(rows)
    data = native.ffi.from_buffer("uint8_t[]", rows.view(np.uint8).ravel())
    if native.lib.pc_load_table(native.ctx, kind, k, data, len(rows)) != 0:
        raise MemoryError("the gather ran out of memory")


def _set(native: Native, which: int, values: np.ndarray) -> None:
    a = np.ascontiguousarray(values.astype(np.uint32, copy=False))
    if native.lib.pc_set_vec(native.ctx, which, native.ffi.from_buffer("uint32_t[]", a), len(a)) != 0:
        raise MemoryError("the gather ran out of memory")


def global_index(num: Numbering, p: int, local: np.ndarray) -> np.ndarray:
    """The global indices of partition ``p``'s owned worlds ``local`` (int64), from the per-level counts
    alone (no per-world table): a world's level is the last one its partition started at or before it."""
    local = np.asarray(local, dtype=np.int64)
    level = np.searchsorted(num.levels[p], local, side="right") - 1
    return num.starts[level, p] + local - num.levels[p][level]  # type: ignore[no-any-return]


def counts(parts: list[Export]) -> Numbering:
    """:func:`numbering` without the per-world indices (``gidx``, ``allg`` empty): the global numbering's
    counts per level and partition, enough for :func:`global_index` and the depths."""
    owned = [int(part["owned"]) for part in parts]
    levels = [part["levels"].astype(np.int64) for part in parts]
    sizes = np.stack([np.diff(np.append(lv, n)) for lv, n in zip(levels, owned)], axis=1)
    starts = (np.cumsum(sizes.ravel()) - sizes.ravel()).reshape(sizes.shape)
    return Numbering(owned, levels, sizes, starts, [], np.cumsum([0, *owned]), np.zeros(0, dtype=np.int64))


def numbering(parts: list[Export]) -> Numbering:
    """The global numbering with every owned world's global index (``gidx``, ``allg``)."""
    num = counts(parts)
    num.gidx = owned_global_indices(num)
    num.allg = np.concatenate(num.gidx)
    return num


def owned_global_indices(num: Numbering) -> list[np.ndarray]:
    """Per partition, the global index of each owned world (uint32), from the counts: level by level, the
    start of the partition's block plus the offset in it."""
    return [partition_global_indices(num, p) for p in range(len(num.counts))]


def locate(num: Numbering, index: int) -> tuple[int, int]:
    """The partition owning global index ``index`` and its owned index there: the inverse of
    :func:`global_index`, from the counts alone (the last non-empty block starting at or before it)."""
    if not 0 <= index < num.total:
        raise IndexError(index)
    block = int(np.searchsorted(num.starts.ravel(), index, side="right")) - 1  # empty blocks come before it
    level, p = divmod(block, num.sizes.shape[1])
    return p, int(num.levels[p][level] + index - num.starts[level, p])


def _worlds(native: Native, parts: list[Export], num: Numbering) -> None:
    """The driver's chunk, component and world tables; worlds in global order (ids 0 .. total - 1)."""
    lay = native.layout
    cmap = [[_intern(native, 0, k, part["chunks"][k]) for k in range(len(lay.chunk_pos))] for part in parts]
    if native.cid == np.uint16 and any(len(m) and int(m.max()) > cgen.NARROW_MAX for ms in cmap for m in ms):
        raise Widen()

    def comp_rows(p: int, c: int, rows: np.ndarray) -> np.ndarray:
        out = np.empty(rows.shape, dtype=native.cid)
        for j, k in enumerate(lay.comps[c]):
            out[:, j] = cmap[p][k][rows[:, j]]
        return out

    if len(lay.comps) == 1:  # a world is its component value: the component table in global order
        rows = np.empty((num.total, len(lay.comps[0])), dtype=native.cid)
        for p, part in enumerate(parts):
            rows[num.gidx[p]] = comp_rows(p, 0, part["comps"][0][part["own_kid"]])
        _load(native, 1, 0, rows)
        return
    cm = [[_intern(native, 1, c, comp_rows(p, c, part["comps"][c])) for c in range(len(lay.comps))]
          for p, part in enumerate(parts)]
    rows = np.empty((num.total, len(lay.comps)), dtype=np.uint32)
    for p, part in enumerate(parts):
        local = part["worlds"][part["own_kid"]]
        for c in range(len(lay.comps)):
            rows[num.gidx[p], c] = cm[p][c][local[:, c]]
    _load(native, 2, 0, rows)


def _parents(parts: list[Export], num: Numbering, lmap: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Parents (global; UNSEEN for the initial world) and label ids (the driver's) in global order."""
    lbase = np.cumsum([0, *(len(m) for m in lmap)])
    lcat = np.concatenate(lmap)
    parent = np.full(num.total, UNSEEN, dtype=np.uint32)
    via = np.zeros(num.total, dtype=np.uint32)
    for p, part in enumerate(parts):
        par, src = part["parent"].astype(np.int64), part["psrc"].astype(np.int64)
        has = par != UNSEEN
        g = np.full(len(par), UNSEEN, dtype=np.int64)
        g[has] = num.allg[num.base[src[has]] + par[has]]
        parent[num.gidx[p]] = g
        via[num.gidx[p]] = lcat[lbase[src] + part["via"]]  # a label id is its firing partition's: the parent's
    return parent, via


def _lut(native: Native, parts: list[Export], gidx: list[np.ndarray], p: int) -> tuple[np.ndarray, int]:
    """Partition ``p``'s table of the global index of every edge target it may record (its kids, then its
    foreign ordinals: a foreign world's owner names its owned index in its ``inmap`` of ``p``) and where the
    foreign ordinals start in it; one compiled pass (``pc_lut``), which releases the GIL."""
    ffi, part = native.ffi, parts[p]
    kslot = np.ascontiguousarray(part["kslot"], dtype=np.uint32)
    fdest = np.ascontiguousarray(part["fdest"], dtype=np.uint32)
    frow = np.ascontiguousarray(part["frow"], dtype=np.uint32)
    inmaps = [np.ascontiguousarray(owner["inmap"][p], dtype=np.uint32) for owner in parts]
    out = np.empty(len(kslot) + len(fdest), dtype=np.uint32)
    keep = [ffi.from_buffer("uint32_t[]", a) for a in (*gidx, *inmaps)]  # alive during the call
    rc = native.lib.pc_lut(
        ffi.from_buffer("uint32_t[]", kslot), len(kslot), ffi.from_buffer("uint32_t[]", fdest),
        ffi.from_buffer("uint32_t[]", frow), len(fdest), ffi.new("uint32_t *[]", keep[:len(gidx)]),
        ffi.new("uint64_t[]", [len(g) for g in gidx]), ffi.new("uint32_t *[]", keep[len(gidx):]),
        ffi.new("uint64_t[]", [len(m) for m in inmaps]), len(parts), p, ffi.from_buffer("uint32_t[]", out))
    if rc != 0:
        raise RuntimeError(f"partition {p}: a foreign world names a row its owner did not absorb")
    return out, len(kslot)


def _spans(parts: list[Export], num: Numbering) -> list[tuple[int, int, int]]:
    """(partition, first and end owned index) of each level's expanded worlds of each partition, in global
    order: together a breadth-first prefix."""
    heads = [int(part["head"]) for part in parts]
    depth_count = len(num.sizes)
    spans = []
    for d in range(depth_count):
        for p in range(len(parts)):
            a = int(num.levels[p][d])
            b = min(int(num.levels[p][d + 1]) if d + 1 < depth_count else num.counts[p], heads[p])
            if b > a:
                spans.append((p, a, b))
    if sum(b - a for _, a, b in spans) != sum(heads):
        raise RuntimeError("the gather's expanded worlds are not a breadth-first prefix")
    return spans


def _map_partition(native: Native, parts: list[Export], gidx: list[np.ndarray], lmap: np.ndarray,
                   jobs: list[tuple[int, int, int]], out: tuple[Any, Any], p: int) -> None:
    """Partition ``p``'s slices of edges (``jobs``: its first and end edge, and where they go), targets and
    labels mapped in C (through :func:`_lut`) straight into their place in ``out``: disjoint from every other
    partition's, so the partitions' run at once (the calls release the GIL). One pass, no index conversion
    (np.take would widen every index to 64 bits)."""
    lut = _lut(native, parts, gidx, p)
    ffi, lib, part = native.ffi, native.lib, parts[p]
    table, lm = ffi.from_buffer("uint32_t[]", lut[0]), ffi.from_buffer("uint32_t[]", lmap)
    targets = ffi.from_buffer("uint32_t[]", np.ascontiguousarray(part["etarget"], dtype=np.uint32))
    labels = ffi.from_buffer("uint32_t[]", np.ascontiguousarray(part["elabel"], dtype=np.uint32))
    for ea, eb, to in jobs:
        if lib.pc_map_edges(table, len(lut[0]), lut[1], targets + ea, lm, len(lmap), labels + ea, eb - ea,
                            out[0] + to, out[1] + to) != 0:
            raise RuntimeError(f"partition {p}: an edge names a world or label the gather does not know")


def _edges(native: Native, parts: list[Export], num: Numbering, lmap: list[np.ndarray]) -> NativeEdges:
    """The edges in CSR form over global indices (expanded worlds: a breadth-first prefix): each level's
    slice of each partition's edges, its targets (a kid, or FOREIGN | a foreign ordinal) and labels
    mapped straight into their place, the partitions at once."""
    spans = _spans(parts, num)
    start = np.zeros(sum(b - a for _, a, b in spans) + 1, dtype=np.uint32)
    total = sum(int(parts[p]["estart"][b]) - int(parts[p]["estart"][a]) for p, a, b in spans)
    target = np.empty(total, dtype=np.uint32)
    label = np.empty(total, dtype=np.uint32)
    jobs: list[list[tuple[int, int, int]]] = [[] for _ in parts]  # per partition: (first edge, end, where to)
    w = e = 0
    for p, a, b in spans:
        es = parts[p]["estart"]
        ea, eb = int(es[a]), int(es[b])
        start[w + 1:w + 1 + b - a] = es[a + 1:b + 1] - es[a] + np.uint32(e)
        if eb > ea:
            jobs[p].append((ea, eb, e))
        w, e = w + b - a, e + eb - ea
    out = (native.ffi.from_buffer("uint32_t[]", target), native.ffi.from_buffer("uint32_t[]", label))
    gidx = [np.ascontiguousarray(g, dtype=np.uint32) for g in num.gidx]
    with ThreadPoolExecutor(max_workers=len(parts), thread_name_prefix="gather") as pool:
        for done in [pool.submit(_map_partition, native, parts, gidx, lmap[p], jobs[p], out, p)
                     for p in range(len(parts))]:
            done.result()
    if total and int(target.max()) >= num.total:
        raise RuntimeError("an edge of the gather leads to a world no partition stored")
    return NativeEdges(start, target, label)


def unhandled_rows(parts: list[Export], num: Numbering, stride: int) -> np.ndarray:
    """The first world (global order) of each (instance, message) some partition could not handle: the
    flat rows the C search records (world, instance, link, message, blocked)."""
    found = []
    for p, part in enumerate(parts):
        rows = part["unhandled"].reshape(-1, stride).astype(np.int64)  # one per (instance, message), partition
        for g, r in zip(global_index(num, p, rows[:, 0]).tolist(), rows):
            found.append((g, p, r))
    found.sort(key=lambda t: (t[0], t[1]))
    seen: set[tuple[int, int]] = set()
    out = []
    for g, _, r in found:
        if (int(r[1]), int(r[3])) not in seen:
            seen.add((int(r[1]), int(r[3])))
            out.append(np.concatenate([[g], r[1:]]))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def deadlock_rows(parts: list[Export], num: Numbering) -> np.ndarray:
    """Every partition's deadlocked worlds, as global indices in order."""
    return np.sort(np.concatenate([global_index(num, p, part["deadlocks"]) for p, part in enumerate(parts)]))


def fired(parts: list[Export]) -> list[tuple[int, int]]:
    """The (instance, transition) pairs some partition fired."""
    return sorted({f for part in parts for f in part["fired"]})


def label_maps(native: Native, parts: list[Export]) -> list[np.ndarray]:
    """Per partition: its label ids (0: none) in ``native``'s label table, the partitions' labels interned
    there in partition order (the same ids whichever stage interns them first)."""
    return [np.concatenate([[0], _intern(native, 3, 0, part["labels"]) + 1]).astype(np.uint32) for part in parts]


def gather_worlds(native: Native, parts: list[Export], num: Numbering, lmap: list[np.ndarray]) -> np.ndarray:
    """The first stage of a gather, into ``native`` (fresh but for its labels: ``lmap``, :func:`label_maps`):
    its world tables in global order, parents, depths, deadlocks, unhandled messages, counters and fired
    transitions; the worlds' label ids."""
    _worlds(native, parts, num)
    parent, via = _parents(parts, num, lmap)
    _set(native, 0, parent)
    _set(native, 2, num.starts[:num.depths, 0])
    _set(native, 6, deadlock_rows(parts, num))
    _set(native, 7, unhandled_rows(parts, num, 5 + native.layout.nfields))
    lib, ctx = native.lib, native.ctx
    lib.pc_set(ctx, 0, sum(int(part["transitions"]) for part in parts), 0, 0)
    lib.pc_set(ctx, 1, sum(int(part["head"]) for part in parts), 0, 0)
    lib.pc_set(ctx, 2, max(num.depths - 1, 0), 0, 0)
    for i, tr in fired(parts):
        lib.pc_set(ctx, 3, 0, i, tr)
    return via


def gather_edges(native: Native, parts: list[Export], num: Numbering, lmap: list[np.ndarray]) -> NativeEdges:
    """The second stage of a gather: the edges over global indices (CSR), labels in the driver's ids."""
    return _edges(native, parts, num, lmap)


def gather(native: Native, parts: list[Export], stopped: str | None, start: float) -> NativeExploration:
    """One exploration from the partitions' exports, in the driver's context ``native`` (fresh): both stages."""
    num = numbering(parts)
    lmap = label_maps(native, parts)
    via = gather_worlds(native, parts, num, lmap)
    return _exploration(native, stopped, start, via, gather_edges(native, parts, num, lmap))


def _exploration(native: Native, stopped: str | None, start: float, via: np.ndarray,
                 edges: NativeEdges) -> NativeExploration:
    """:func:`~.engine._result` for a gathered search: labels and edges are NumPy arrays of the driver."""
    system = native.system
    count, head = native.stat(0), native.stat(1)
    parent: Any = native.vec(0, count, np.int32)
    depth: Any = Levels(native.vec(2, native.stat(10)).astype(np.int64), count)
    result = NativeExploration(
        system, NativeWorlds(native, count), parent, NativeLabels(via, label_table(native)), depth, native.stat(2),
        0.0, stopped, expanded=head, deadlocks=native.vec(6, native.stat(5)).tolist(), unhandled=unhandled_of(native),
        encoder=ChunkEncoder(native, count), store=NativeStore(native, count), edges=edges)  # type: ignore[arg-type]
    result.native = native
    result.fired = {(i, tr) for i, inst in enumerate(system.instances)
                    for tr in range(-1, len(inst.table.transitions)) if native.lib.pc_fired(native.ctx, i, tr)}
    result.seconds = time.perf_counter() - start
    return result


__all__ = ["Numbering", "counts", "deadlock_rows", "fired", "gather", "gather_edges", "gather_worlds", "global_index",
           "label_maps", "locate", "numbering", "owned_global_indices", "unhandled_rows"]
