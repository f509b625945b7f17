"""One partition of the compiled search (issue 21), and the gather of all partitions into one exploration.

:class:`NativePartition` wraps a C context in partition mode (``pc_part`` in ``runtime.c``): it owns
the worlds whose value hash maps to it, for good. A level is :meth:`NativePartition.expand` (the owned
frontier: one outbox per destination, as NumPy arrays) then :meth:`NativePartition.absorb` (the
outboxes addressed here, in source order). Rows are fixed width: ``uint32`` (the sender's component
ids, the parent's owned index, the label id) and ``uint16`` component values, each sent once per
destination. Labels stay local to the partition that fired them; the gather maps them.

:func:`gather` is the end-of-search serial term: it interns every partition's chunk, component and
label tables in a context of the driver, numbers the worlds level by level (level, then partition,
then owned order: breadth first, so depths and shortest traces are the sequential search's), maps
parents, labels and edge targets with vectorised NumPy, and hands the result to the engine's
:func:`~.engine._result`: the same :class:`~.engine.NativeExploration` the sequential search returns.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from prosecheck.checker.exploration import peak_rss_mb
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
    model_error,
)
from prosecheck.checker.native.engine import _unhandled as _unhandled_of
from prosecheck.checker.native.engine import labels as label_table
from prosecheck.checker.system import System

UNSEEN = 0xFFFFFFFF
FOREIGN = 0x80000000
Snapshot = dict[str, int]
"""A partition's counters after a complete level (what the gather may read)."""


class Widen(Exception):
    """A chunk id does not fit 16 bits: the whole partitioned search reruns with 32-bit ids."""


class NativePartition:
    """Partition ``part`` of ``parts``: a C context in partition mode (the unit a Ray actor wraps)."""

    def __init__(self, factory: Callable[[], System], part: int, parts: int, wide: bool = False) -> None:
        cpu = self.process_start = time.process_time()
        self.part, self.parts = part, parts
        self.native = Native(factory(), wide)
        if self.native.lib.pc_part(self.native.ctx, part, parts) != 0:
            raise MemoryError("the compiled search could not allocate its partition")
        self.cpu = time.process_time() - cpu  # CPU seconds of this partition's calls (startup included)
        self.startup_cpu = self.cpu

    def _check(self, rc: int) -> None:
        if rc == -2:
            raise Widen()
        if rc == -3:
            raise model_error(self.native)
        if rc == -4:
            raise RuntimeError(f"partition {self.part}: a row names a world another partition owns")
        if rc < 0:
            raise MemoryError("the compiled search ran out of memory")

    def _out(self, q: int, which: int) -> np.ndarray:
        n = self.native.ffi.new("uint64_t *")
        ptr = self.native.lib.pc_out(self.native.ctx, q, which, n)
        lay = self.native.layout
        if which == 0:
            width, dtype = len(lay.comps) + 2, np.uint32
        else:
            width, dtype = 3 + max(sum(len(lay.chunk_pos[k]) for k in c) for c in lay.comps), np.uint16
        if n[0] == 0:
            return np.zeros((0, width), dtype=dtype)
        size = np.dtype(dtype).itemsize
        return np.frombuffer(self.native.ffi.buffer(ptr, n[0] * size), dtype=dtype).reshape(-1, width).copy()

    def expand(self) -> list[Any]:
        """Expand the owned frontier: ``parts`` row arrays, ``parts`` value arrays, then counters."""
        cpu = time.process_time()
        self._check(self.native.lib.pc_pexpand(self.native.ctx))
        out: list[Any] = [self._out(q, 0) for q in range(self.parts)] + [self._out(q, 1) for q in range(self.parts)]
        sent = sum(int(a.nbytes) for q, a in enumerate(out) if q % self.parts != self.part)
        rows = sum(len(a) for a in out[:self.parts])
        self.cpu += time.process_time() - cpu
        return [*out, {"bytes": sent, "rows": rows}]

    def absorb(self, *arrays: np.ndarray) -> Snapshot:
        """Absorb the outboxes addressed here (rows of each source, then values of each source)."""
        cpu = time.process_time()
        lib, ffi, ctx = self.native.lib, self.native.ffi, self.native.ctx
        for s in range(self.parts):
            rows, vals = np.ascontiguousarray(arrays[s]), np.ascontiguousarray(arrays[self.parts + s])
            if len(rows) or len(vals):
                self._check(lib.pc_pabsorb(ctx, s, ffi.from_buffer("uint32_t[]", rows), len(rows),
                                           ffi.from_buffer("uint16_t[]", vals), len(vals)))
        self.cpu += time.process_time() - cpu
        return self.snapshot()

    def snapshot(self) -> Snapshot:
        """The counters a gather may read, and this process's peak memory and CPU so far."""
        n = self.native
        levels = n.stat(10)
        starts = n.vec(2, levels)
        return {"owned": n.stat(0), "head": n.stat(1), "levels": levels, "edges": n.stat(7), "deadlocks": n.stat(5),
                "unhandled": n.stat(6), "transitions": n.stat(2), "foreign": n.stat(11), "frontier": n.stat(0) - int(starts[-1]),
                "peak_mb": round(peak_rss_mb(), 1), "cpu": round(self.cpu, 4)}  # type: ignore[dict-item]

    def _pvec(self, which: int) -> np.ndarray:
        n = self.native.ffi.new("uint64_t *")
        ptr = self.native.lib.pc_pvec(self.native.ctx, which, n)
        if n[0] == 0:
            return np.zeros(0, dtype=np.uint32)
        return np.frombuffer(self.native.ffi.buffer(ptr, 4 * n[0]), dtype=np.uint32).copy()

    def export(self, snap: Snapshot) -> dict[str, Any]:
        """Everything the gather needs, up to the snapshot ``snap`` (copies: they travel)."""
        cpu = time.process_time()
        n, lay = self.native, self.native.layout
        owned, head = snap["owned"], snap["head"]
        estart = n.vec(3, head + 1).copy()
        out = {
            "chunks": [n.table(0, k, len(pos), np.uint16).copy() for k, pos in enumerate(lay.chunk_pos)],
            "comps": [n.table(1, c, len(ch), n.cid).copy() for c, ch in enumerate(lay.comps)],
            "worlds": n.table(2, 0, len(lay.comps), np.uint32).copy() if len(lay.comps) > 1 else None,
            "labels": n.table(3, 0, lay.label_width, np.int32).copy(),
            "parent": n.vec(0, owned).copy(), "via": n.vec(1, owned).copy(), "levels": n.vec(2, snap["levels"]).copy(),
            "psrc": self._pvec(0)[:owned], "own_kid": self._pvec(1)[:owned], "kslot": self._pvec(2),
            "fdest": self._pvec(3)[:snap["foreign"]], "frow": self._pvec(4)[:snap["foreign"]], "inmap": [self._pvec(5 + s) for s in range(self.parts)],
            "estart": estart, "etarget": n.vec(4, int(estart[-1])).copy(), "elabel": n.vec(5, int(estart[-1])).copy(),
            "deadlocks": n.vec(6, snap["deadlocks"]).copy(), "unhandled": n.vec(7, snap["unhandled"]).copy(),
            "fired": [(i, tr) for i, inst in enumerate(n.system.instances)
                      for tr in range(-1, len(inst.table.transitions)) if n.lib.pc_fired(n.ctx, i, tr)],
            "transitions": snap["transitions"], "head": head,
        }
        self.cpu += time.process_time() - cpu
        return out

    def stats(self) -> dict[str, float]:
        """CPU seconds in this partition's calls (``cpu``, creation included: ``startup_cpu``), of its whole
        process since it was created (``process_cpu``: with Ray, the actor's own threads too), its pid and
        its process's peak memory."""
        return {"cpu": self.cpu, "startup_cpu": self.startup_cpu, "process_cpu": time.process_time() - self.process_start,
                "pid": os.getpid(), "peak_mb": peak_rss_mb()}

    def close(self) -> None:
        del self.native


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
    """Table (kind, k) of the driver becomes ``rows`` (distinct: each partition stores a world once and
    partitions own disjoint worlds, so no compare is needed), index rebuilt."""
    rows = np.ascontiguousarray(rows)
    if native.lib.pc_load_table(native.ctx, kind, k, native.ffi.from_buffer("uint8_t[]", rows.view(np.uint8).ravel()),
                                len(rows)) != 0:
        raise MemoryError("the gather ran out of memory")


def _set(native: Native, which: int, values: np.ndarray) -> None:
    a = np.ascontiguousarray(values.astype(np.uint32, copy=False))
    if native.lib.pc_set_vec(native.ctx, which, native.ffi.from_buffer("uint32_t[]", a), len(a)) != 0:
        raise MemoryError("the gather ran out of memory")


def gather(native: Native, parts: list[dict[str, Any]], stopped: str | None, start: float) -> NativeExploration:
    """One exploration from the partitions' exports, in the driver's context ``native`` (fresh)."""
    lay = native.layout
    ncomp, nparts = len(lay.comps), len(parts)
    wide = native.cid == np.uint32
    # chunk, component and label tables: local id -> the driver's id
    cmap = [[_intern(native, 0, k, part["chunks"][k]) for k in range(len(lay.chunk_pos))] for part in parts]
    if not wide and any(len(m) and int(m.max()) > cgen.NARROW_MAX for ms in cmap for m in ms):
        raise Widen()

    def comp_rows(p: int, c: int, rows: np.ndarray) -> np.ndarray:
        out = np.empty(rows.shape, dtype=native.cid)
        for j, k in enumerate(lay.comps[c]):
            out[:, j] = cmap[p][k][rows[:, j]]
        return out

    lmap = [np.concatenate([[0], _intern(native, 3, 0, part["labels"]) + 1]).astype(np.uint32) for part in parts]
    # global numbering: level by level, partitions in order, owned order within
    counts = [len(part["parent"]) for part in parts]
    levels = [part["levels"].astype(np.int64) for part in parts]
    depth_count = len(levels[0])
    sizes = np.stack([np.diff(np.append(lv, n)) for lv, n in zip(levels, counts)], axis=1)  # (levels, parts)
    starts = (np.cumsum(sizes.ravel()) - sizes.ravel()).reshape(sizes.shape)
    gidx = [np.repeat(starts[:, p] - levels[p], sizes[:, p]) + np.arange(counts[p]) for p in range(nparts)]
    base = np.cumsum([0, *counts])
    allg = np.concatenate(gidx) if gidx else np.zeros(0, dtype=np.int64)
    total = int(base[-1])
    # the worlds in the driver's tables, in global order (their ids must be 0 .. total - 1)
    if ncomp == 1:
        rows = np.empty((total, len(lay.comps[0])), dtype=native.cid)
        for p, part in enumerate(parts):
            rows[gidx[p]] = comp_rows(p, 0, part["comps"][0][part["own_kid"]])
        _load(native, 1, 0, rows)
    else:
        cm = [[_intern(native, 1, c, comp_rows(p, c, part["comps"][c])) for c in range(ncomp)]
              for p, part in enumerate(parts)]
        rows = np.empty((total, ncomp), dtype=np.uint32)
        for p, part in enumerate(parts):
            local = part["worlds"][part["own_kid"]]
            for c in range(ncomp):
                rows[gidx[p], c] = cm[p][c][local[:, c]]
        _load(native, 2, 0, rows)
    # parents and labels
    lbase = np.cumsum([0, *(len(m) for m in lmap)])
    lcat = np.concatenate(lmap)
    parent = np.full(total, UNSEEN, dtype=np.uint32)
    via = np.zeros(total, dtype=np.uint32)
    for p, part in enumerate(parts):
        par, src = part["parent"].astype(np.int64), part["psrc"].astype(np.int64)
        has = par != UNSEEN
        g = np.full(len(par), UNSEEN, dtype=np.int64)
        g[has] = allg[base[src[has]] + par[has]]
        parent[gidx[p]] = g
        via[gidx[p]] = lcat[lbase[src] + part["via"]]
    # edge targets: a kid is owned here, or foreign (its owner's inmap row says which owned world it became)
    ibase = np.zeros((nparts, nparts), dtype=np.int64)  # [owner q, source p]: offset of inmap rows in icat
    icat = []
    at = 0
    for q, part in enumerate(parts):
        for p in range(nparts):
            ibase[q, p] = at
            icat.append(part["inmap"][p])
            at += len(part["inmap"][p])
    inmap = np.concatenate(icat).astype(np.int64) if icat else np.zeros(0, dtype=np.int64)
    heads = [int(part["head"]) for part in parts]
    mapped = []
    for p, part in enumerate(parts):
        q, j = part["fdest"].astype(np.int64), part["frow"].astype(np.int64)
        fg = np.zeros(len(q), dtype=np.int64)  # per foreign ordinal; the initial world (never sent): index 0
        sent = q != UNSEEN
        fg[sent] = allg[base[q[sent]] + inmap[ibase[q[sent], p] + j[sent]]]
        ks = part["kslot"].astype(np.int64)
        kg = np.full(len(ks), UNSEEN, dtype=np.int64)
        own = (ks < FOREIGN) & (ks < counts[p])
        kg[own] = allg[base[p] + ks[own]]
        far = (ks >= FOREIGN) & (ks != UNSEEN) & (ks - FOREIGN < len(fg))
        kg[far] = fg[ks[far] - FOREIGN]
        lut = np.concatenate([kg, fg]).astype(np.uint32)
        t = part["etarget"]
        at32 = t & np.uint32(FOREIGN - 1)
        at32 += (t >> np.uint32(31)) * np.uint32(len(kg))
        mapped.append((lut[at32], lmap[p][part["elabel"]]))  # every recorded edge's target and label, global
    depth_used = depth_count
    while depth_used > 1 and sizes[depth_used - 1].sum() == 0:
        depth_used -= 1
    targets, labels, degrees = [], [], []
    for d in range(depth_count):
        for p, part in enumerate(parts):
            a = int(levels[p][d])
            b = min(int(levels[p][d + 1]) if d + 1 < depth_count else counts[p], heads[p])
            if b <= a:
                continue
            es = part["estart"]
            s, e = int(es[a]), int(es[b])
            targets.append(mapped[p][0][s:e])
            labels.append(mapped[p][1][s:e])
            degrees.append(np.diff(es[a:b + 1]))
    expanded = sum(heads)
    deg = np.concatenate(degrees) if degrees else np.zeros(0, dtype=np.uint32)
    if len(deg) != expanded:
        raise RuntimeError("the gather's expanded worlds are not a breadth-first prefix")
    tg = np.concatenate(targets) if targets else np.zeros(0, dtype=np.uint32)
    if len(tg) and int(tg.max()) >= total:
        raise RuntimeError("an edge of the gather leads to a world no partition stored")
    estart = np.zeros(expanded + 1, dtype=np.uint32)
    np.cumsum(deg, out=estart[1:])
    _set(native, 0, parent)
    _set(native, 2, starts[:depth_used, 0])
    _set(native, 6, np.sort(np.concatenate([allg[base[p] + part["deadlocks"].astype(np.int64)]
                                            for p, part in enumerate(parts)])))
    _set(native, 7, _unhandled(parts, allg, base, 5 + lay.nfields))
    lib, ctx = native.lib, native.ctx
    lib.pc_set(ctx, 0, sum(int(part["transitions"]) for part in parts), 0, 0)
    lib.pc_set(ctx, 1, expanded, 0, 0)
    lib.pc_set(ctx, 2, max(depth_used - 1, 0), 0, 0)
    for i, tr in sorted({f for part in parts for f in part["fired"]}):
        lib.pc_set(ctx, 3, 0, i, tr)
    edges = NativeEdges(estart, tg, np.concatenate(labels) if labels else np.zeros(0, dtype=np.uint32))
    return _exploration(native, stopped, start, via, edges)


def _exploration(native: Native, stopped: str | None, start: float, via: np.ndarray,
                 edges: NativeEdges) -> NativeExploration:
    """:func:`~.engine._result` for a gathered search: labels and edges are NumPy arrays of the driver."""
    system = native.system
    count, head = native.stat(0), native.stat(1)
    result = NativeExploration(
        system, NativeWorlds(native, count), native.vec(0, count, np.int32), NativeLabels(via, label_table(native)),
        Levels(native.vec(2, native.stat(10)).astype(np.int64), count), native.stat(2), 0.0, stopped,  # type: ignore[arg-type]
        expanded=head, deadlocks=native.vec(6, native.stat(5)).tolist(), unhandled=_unhandled_of(native),
        encoder=ChunkEncoder(native, count), store=NativeStore(native, count), edges=edges)  # type: ignore[arg-type]
    result.native = native
    result.fired = {(i, tr) for i, inst in enumerate(system.instances)
                    for tr in range(-1, len(inst.table.transitions)) if native.lib.pc_fired(native.ctx, i, tr)}
    result.seconds = time.perf_counter() - start
    return result


def _unhandled(parts: list[dict[str, Any]], allg: np.ndarray, base: np.ndarray, stride: int) -> np.ndarray:
    """The first world (global order) of each (instance, message) some partition could not handle."""
    found = []
    for p, part in enumerate(parts):
        rows = part["unhandled"].reshape(-1, stride).astype(np.int64)
        for r in rows:  # at most one per (instance, message) and partition
            found.append((int(allg[base[p] + r[0]]), p, r))
    found.sort(key=lambda t: (t[0], t[1]))
    seen: set[tuple[int, int]] = set()
    out = []
    for g, _, r in found:
        if (int(r[1]), int(r[3])) not in seen:
            seen.add((int(r[1]), int(r[3])))
            out.append(np.concatenate([[g], r[1:]]))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


__all__ = ["NativePartition", "Snapshot", "Widen", "gather"]
