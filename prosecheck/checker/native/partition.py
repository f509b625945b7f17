"""One partition of the compiled search (issue 21).

:class:`NativePartition` wraps a C context in partition mode (``pc_part`` in ``runtime.c``): it owns
the worlds whose value hash maps to it, for good. A level is :meth:`NativePartition.expand` (the owned
frontier: one outbox per destination, as NumPy arrays) then :meth:`NativePartition.absorb` (the
outboxes addressed here, in source order); :meth:`NativePartition.step` fuses the absorb of one level
and the expand of the next (one call per level). Rows are fixed width: ``uint32`` (the sender's component
ids, the parent's owned index, the label id) and ``uint16`` component values, each sent once per
destination. Labels stay local to the partition that fired them; the gather maps them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from prosecheck.checker.exploration import peak_rss_mb
from prosecheck.checker.native.engine import Native, model_error
from prosecheck.checker.native.owned import Owned, Valuations, partition_vector
from prosecheck.checker.native.owned_cycles import OwnedCycles
from prosecheck.checker.system import Label, System, World

UNSEEN = 0xFFFFFFFF
FOREIGN = 0x80000000
OWNER_COMPONENTS = 1
"""A world's owner is the hash of its first component's values (0: of all its components). A system that
splits into components (groups of instances that talk only among themselves) then keeps every step of
its other components at home: for ``bench large`` (3 components) 1 sends 0.96 million rows per partition
instead of 1.6 million and takes 20 % less CPU; the counts are the same for any choice, the balance
between partitions depends on how many values the first component takes (``Overhead.peak_mb``,
``busy`` show it)."""
GROUPS = ("counts", "worlds", "edges")
"""The parts of a partition's export (:meth:`NativePartition.export`)."""
Snapshot = dict[str, Any]
"""A partition's counters after a complete level (what the gather may read)."""


class Widen(Exception):
    """A chunk id does not fit 16 bits: the whole partitioned search reruns with 32-bit ids."""


class NativePartition:
    """Partition ``part`` of ``parts``: a C context in partition mode (the unit a Ray actor wraps)."""

    def __init__(self, factory: Callable[[], System], part: int, parts: int, wide: bool = False,
                 owner_components: int = OWNER_COMPONENTS) -> None:
        cpu = self.process_start = time.process_time()
        self.clock = time.process_time  # CPU of this partition's calls: its process (Ray), its thread (threads)
        self.part, self.parts = part, parts
        self.native = Native(factory(), wide)
        if self.native.lib.pc_part(self.native.ctx, part, parts, owner_components) != 0:
            raise MemoryError("the compiled search could not allocate its partition")
        self.cpu = time.process_time() - cpu  # CPU seconds of this partition's calls (startup included)
        self.startup_cpu = self.cpu
        self.c_seconds = {"expand": 0.0, "absorb": 0.0}  # CPU seconds (of the calling thread) in pc_pexpand / pc_pabsorb
        self.step_seconds = 0.0  # wall seconds inside step (C, NumPy and Python of the calls)
        self.owned: Owned | None = None  # the owned worlds, kept by settle() after the search
        self.settled: Snapshot | None = None  # the snapshot settle() was given
        self.owned_graph: OwnedCycles | None = None  # their edges, for liveness (graph("start", ...) opens it)
        self._peers: Any = None  # absorb_peers: the partitions' contexts

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
        dtype: Any
        if which == 0:
            width, dtype = len(lay.comps) + 2, np.uint32
        else:
            width, dtype = 3 + max(sum(len(lay.chunk_pos[k]) for k in c) for c in lay.comps), np.uint16
        if n[0] == 0:
            return np.zeros((0, width), dtype=dtype)
        size = np.dtype(dtype).itemsize
        # a view, valid until the next expand: the absorbs of this level read it (Ray copies it as the call returns)
        return np.frombuffer(self.native.ffi.buffer(ptr, n[0] * size), dtype=dtype).reshape(-1, width)

    def expand(self) -> list[Any]:
        """Expand the owned frontier: one outbox per partition, ``(rows, values)``, then counters."""
        counters = self.expand_here()
        cpu = self.clock()
        out: list[Any] = [(self._out(q, 0), self._out(q, 1)) for q in range(self.parts)]
        self.cpu += self.clock() - cpu
        return [*out, counters]

    def absorb(self, *outboxes: tuple[np.ndarray, np.ndarray]) -> Snapshot:
        """Absorb the outboxes addressed here, one per source partition, in partition order."""
        cpu = self.clock()
        lib, ffi, ctx = self.native.lib, self.native.ffi, self.native.ctx
        for s, (rows, vals) in enumerate(outboxes):
            rows, vals = np.ascontiguousarray(rows), np.ascontiguousarray(vals)
            if len(rows) or len(vals):
                t0 = time.thread_time()
                self._check(lib.pc_pabsorb(ctx, s, ffi.from_buffer("uint32_t[]", rows), len(rows),
                                           ffi.from_buffer("uint16_t[]", vals), len(vals)))
                self.c_seconds["absorb"] += time.thread_time() - t0
        self.cpu += self.clock() - cpu
        return self.snapshot()

    def expand_here(self) -> dict[str, Any]:
        """:meth:`expand` for partitions that read each other's outboxes in place (threads of one process,
        :meth:`absorb_peers`): no view per destination, only the counters."""
        cpu, t0 = self.clock(), time.thread_time()
        self._check(self.native.lib.pc_pexpand(self.native.ctx))
        self.c_seconds["expand"] += time.thread_time() - t0
        sent = self.native.ffi.new("uint64_t[2]")
        self.native.lib.pc_psent(self.native.ctx, sent)
        self.cpu += self.clock() - cpu
        return {"bytes": int(sent[1]), "rows": int(sent[0])}

    def absorb_peers(self, peers: list[NativePartition]) -> Snapshot:
        """Absorb the outboxes addressed here straight from the peers' C memory (``peers``: every partition,
        this one included, in partition order; each expanded last with :meth:`expand_here`): one call."""
        cpu = self.clock()
        if self._peers is None:  # the peers' contexts, as pointers this library accepts
            ffi = self.native.ffi
            self._peers = ffi.new("void *[]", [ffi.cast("void *", int(p.native.ffi.cast("uintptr_t", p.native.ctx)))
                                               for p in peers])
        t0 = time.thread_time()
        self._check(self.native.lib.pc_pabsorb_peers(self.native.ctx, self._peers, len(peers)))
        self.c_seconds["absorb"] += time.thread_time() - t0
        self.cpu += self.clock() - cpu
        return self.snapshot()

    def step(self, *inbox: tuple[np.ndarray, np.ndarray]) -> list[Any]:
        """One call per level: absorb ``inbox`` (the outboxes of the level before, one per source in partition
        order; none before the first level), then expand the new frontier. Returns one outbox per partition,
        then counters: ``snap``, the snapshot of the complete level before this expand (what :meth:`export`
        may be given: it ignores this expand), and the expand's ``rows`` and ``bytes`` sent."""
        t0 = time.perf_counter()
        snap = self.absorb(*inbox) if inbox else self.snapshot()
        out = self.expand()
        self.step_seconds += time.perf_counter() - t0
        counters = out[-1]
        counters["snap"] = snap
        return out

    def snapshot(self) -> Snapshot:
        """The counters a gather may read, and this process's peak memory and CPU so far."""
        n = self.native
        levels = n.stat(10)
        starts = n.vec(2, levels)
        return {"owned": n.stat(0), "head": n.stat(1), "levels": levels, "edges": n.stat(7), "deadlocks": n.stat(5),
                "unhandled": n.stat(6), "transitions": n.stat(2), "foreign": n.stat(11),
                "frontier": n.stat(0) - int(starts[-1]), "peak_mb": round(peak_rss_mb(), 1), "cpu": round(self.cpu, 4)}

    def _pvec(self, which: int) -> np.ndarray:
        return partition_vector(self.native, which)

    def export(self, snap: Snapshot, groups: tuple[str, ...] = GROUPS) -> dict[str, Any]:
        """What the gather needs, up to the snapshot ``snap``: views of this partition's memory, valid
        until its next call (Ray copies them into its object store as the call returns; in process, the
        gather reads them before the pool closes). Expands and absorbs run after ``snap`` (a fused
        :meth:`step`, a pipelined driver) are left out: every part is cut at the snapshot's counts.
        ``groups``: ``counts`` (per level and partition, a few lists: what a result answers at once),
        ``worlds`` (the tables per world: the first gather stage), ``edges`` (the second)."""
        cpu = self.clock()
        n, lay = self.native, self.native.layout
        owned, head = snap["owned"], snap["head"]
        out: dict[str, Any] = {}
        if "counts" in groups:
            out.update({
                "owned": owned, "levels": n.vec(2, snap["levels"]),
                "deadlocks": n.vec(6, snap["deadlocks"]), "unhandled": n.vec(7, snap["unhandled"]),
                "fired": [(i, tr) for i, inst in enumerate(n.system.instances)
                          for tr in range(-1, len(inst.table.transitions)) if n.lib.pc_pfired(n.ctx, i, tr, snap["levels"])],
                "transitions": snap["transitions"], "head": head})
        if "worlds" in groups or "edges" in groups:
            out["labels"] = n.table(3, 0, lay.label_width, np.int32)
        if "worlds" in groups:
            out.update({
                "chunks": [n.table(0, k, len(pos), np.uint16) for k, pos in enumerate(lay.chunk_pos)],
                "comps": [n.table(1, c, len(ch), n.cid) for c, ch in enumerate(lay.comps)],
                "worlds": n.table(2, 0, len(lay.comps), np.uint32) if len(lay.comps) > 1 else None,
                "parent": n.vec(0, owned), "via": n.vec(1, owned),
                "psrc": self._pvec(0)[:owned], "own_kid": self._pvec(1)[:owned]})
        if "edges" in groups:
            estart = n.vec(3, head + 1)
            out.update({
                "kslot": self._pvec(2), "fdest": self._pvec(3)[:snap["foreign"]], "frow": self._pvec(4)[:snap["foreign"]],
                "inmap": [self._pvec(5 + s) for s in range(self.parts)],
                "estart": estart, "etarget": n.vec(4, int(estart[-1])), "elabel": n.vec(5, int(estart[-1]))})
        self.cpu += self.clock() - cpu
        return out

    def stats(self) -> dict[str, float]:
        """CPU seconds of the calling thread in C (``c_expand``, ``c_absorb``), wall seconds in :meth:`step`
        calls (``step_seconds``); CPU seconds in this partition's calls (``cpu``, creation included:
        ``startup_cpu``), of its whole process since it was created (``process_cpu``: with Ray, the actor's
        own threads too), its pid and its process's peak memory."""
        return {"cpu": self.cpu, "startup_cpu": self.startup_cpu, "process_cpu": time.process_time() - self.process_start,
                "pid": os.getpid(), "peak_mb": peak_rss_mb(), "c_expand": self.c_seconds["expand"],
                "c_absorb": self.c_seconds["absorb"], "step_seconds": self.step_seconds}

    # After the search: the owned worlds answered here (issue 21, :mod:`.owned`, :mod:`.distributed`)

    def settle(self, snap: Snapshot) -> int:
        """Keep the owned worlds up to the snapshot ``snap`` for the queries below; their number."""
        self.owned = Owned(self.native, snap["owned"])
        self.settled = snap
        return int(snap["owned"])

    def project(self, slots: Sequence[int], hint: Sequence[int], per_world: bool) -> Valuations:
        """:meth:`.owned.Owned.project` (after :meth:`settle`)."""
        cpu = self.clock()
        try:
            return self._owned().project(slots, hint, per_world)
        finally:
            self.cpu += self.clock() - cpu

    def marks(self, slots: Sequence[int], hint: Sequence[int], predicate: Callable[[dict[int, Any]], bool]) -> np.ndarray:
        """:meth:`.owned.Owned.marks` (after :meth:`settle`)."""
        cpu = self.clock()
        try:
            return self._owned().marks(slots, hint, predicate)
        finally:
            self.cpu += self.clock() - cpu

    def graph(self, op: str, args: tuple[Any, ...], *inbox: Any) -> Any:
        """Operation ``op`` of this partition's part of the state graph (:class:`.owned_cycles.OwnedCycles`)
        with ``args`` and the outboxes addressed here (a round); ``start`` (``args``: the numbering's counts)
        opens it. A round's answer is one outbox per partition, then counters."""
        cpu = self.clock()
        try:
            if op == "start":
                self._owned()
                assert self.settled is not None
                edges = self.export(self.settled, ("edges",))
                self.owned_graph = OwnedCycles(self.native, self.part, self.parts, edges, args[0])
                return self.owned_graph.start()
            if op == "mark":
                name, slots, hint, test = args
                return self._graph().set_marks(name, self._owned().marks(slots, hint, _predicate(slots, test)))
            return getattr(self._graph(), op)(*args, *inbox)
        finally:
            self.cpu += self.clock() - cpu

    def _graph(self) -> OwnedCycles:
        if self.owned_graph is None:
            raise RuntimeError(f"partition {self.part}: asked about its graph before graph('start')")
        return self.owned_graph

    def decode(self, local: Sequence[int]) -> list[World]:
        return self._owned().decode(local)

    def links(self, local: Sequence[int]) -> list[tuple[int, int, int]]:
        return self._owned().links(local)

    def labels(self) -> list[Label | None]:
        return self._owned().labels()

    def _owned(self) -> Owned:
        if self.owned is None:
            raise RuntimeError(f"partition {self.part}: asked about its worlds before settle()")
        return self.owned

    def close(self) -> None:
        self.owned = self.owned_graph = None
        del self.native


def _predicate(slots: Sequence[int], test: Any) -> Callable[[dict[int, Any]], bool]:
    """A mark's test: a predicate over a valuation (in process), or the set of valuations it holds on
    (what travels to a Ray actor: the driver judged each distinct valuation)."""
    if callable(test):
        return test  # type: ignore[no-any-return]
    holds = frozenset(test)
    return lambda valuation: tuple(valuation[s] for s in slots) in holds


__all__ = ["GROUPS", "NativePartition", "Snapshot", "Widen"]
