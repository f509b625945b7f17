"""Run the compiled search and present its result as an :class:`Exploration`.

The C search (:mod:`.cgen`, ``runtime.c``) runs in slices of :data:`SLICE` worlds; between slices
Python checks the limits, reports progress and lets a KeyboardInterrupt stop the search (the C
state is consistent after every slice: every stored world has its parent, label and depth). The
result's arrays (parents, labels, depths, edges, the chunk and component tables) are NumPy views of
the C memory, which lives as long as the exploration (:class:`Native` frees it). Worlds decode to
the same tuples as the Python search's; projections work per chunk value (:class:`ChunkEncoder`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any, cast, overload

import numpy as np

from prosecheck.checker.edges import Edges
from prosecheck.checker.exploration import Exploration, LabelView, Limits, Progress, peak_rss_mb
from prosecheck.checker.machine import REPLY, Message, ModelError, RangeError, To, check_range
from prosecheck.checker.native.build import load
from prosecheck.checker.native.cgen import Layout, generate
from prosecheck.checker.store import LazyWorlds
from prosecheck.checker.system import Label, Queue, SlotValue, System, Unhandled, World

SLICE = 4096
"""Worlds expanded per call into C between two checks of the limits."""
FAULTS = {0: "", 1: "lost", 2: "duplicated"}

CDEF = """
void *pc_new(void);
void pc_free(void *);
int pc_run(void *, uint32_t, uint64_t);
uint64_t pc_stat(void *, int);
uint32_t *pc_vec(void *, int);
void *pc_table(void *, int, int, uint32_t *);
int pc_fired(void *, int, int);
int64_t pc_find(void *, const int32_t *);
void pc_decode(void *, uint32_t, int32_t *);
int64_t pc_err(void *, int);
int pc_part(void *, uint32_t, uint32_t, uint32_t);
int pc_pexpand(void *);
int pc_pfired(void *, int, int, uint64_t);
int pc_map_edges(const uint32_t *, uint64_t, uint32_t, const uint32_t *, const uint32_t *, uint64_t, const uint32_t *,
                 uint64_t, uint32_t *, uint32_t *);
void *pc_out(void *, uint32_t, int, uint64_t *);
int pc_owned_targets(const uint32_t *, const uint32_t *, uint64_t, const uint32_t *, const uint32_t *, uint64_t,
                     const uint32_t *, const uint32_t *, uint64_t, const uint32_t **, const uint64_t *, uint32_t,
                     uint32_t, uint32_t, uint32_t, uint16_t *, uint32_t *, uint64_t *);
int pc_region_count(const uint32_t *, uint64_t, const uint32_t *, const uint16_t *, const uint32_t *, uint32_t, uint32_t,
                    const uint8_t *, const uint32_t *, int32_t, uint64_t *);
int pc_region_fill(const uint32_t *, uint64_t, const uint32_t *, const uint16_t *, const uint32_t *, uint32_t, uint32_t,
                   const uint8_t *, const uint32_t *, int32_t, const uint32_t *, uint32_t **);
int64_t pc_region_absorb(const uint32_t *, uint64_t, const uint8_t *, uint32_t *, uint8_t *, const uint32_t *, uint64_t,
                         uint32_t *, int32_t *);
int pc_pabsorb(void *, uint32_t, const uint32_t *, uint64_t, const uint16_t *, uint64_t);
int pc_pabsorb_peers(void *, void **, uint32_t);
void pc_psent(void *, uint64_t *);
int pc_lut(const uint32_t *, uint64_t, const uint32_t *, const uint32_t *, uint64_t, const uint32_t **,
           const uint64_t *, const uint32_t **, const uint64_t *, uint32_t, uint32_t, uint32_t *);
void pc_codes(void *, const uint32_t *, uint64_t, uint64_t, int, const int32_t *, const int32_t *, const int32_t **,
              const int64_t *, int64_t *, int64_t *);
uint32_t *pc_pvec(void *, int, uint64_t *);
int pc_intern_rows(void *, int, int, const uint8_t *, uint64_t, uint32_t *);
int pc_set_vec(void *, int, const uint32_t *, uint64_t);
void pc_set(void *, int, uint64_t, int, int);
int pc_load_table(void *, int, int, const uint8_t *, uint32_t);
"""


class Native:
    """One C search context: owns its memory (freed when the last reference goes)."""

    def __init__(self, system: System, wide: bool = False) -> None:
        source, self.layout = generate(system, wide)
        self.cid = np.uint32 if wide else np.uint16  # the type of a chunk id in a component record
        self.ffi, self.lib = load(source, CDEF)
        ctx = self.lib.pc_new()
        if ctx == self.ffi.NULL:
            raise MemoryError("the compiled search could not allocate its tables")
        self.ctx = self.ffi.gc(ctx, self.lib.pc_free)
        self.system = system

    def stat(self, what: int) -> int:
        return int(self.lib.pc_stat(self.ctx, what))

    def vec(self, which: int, count: int, dtype: Any = np.uint32) -> np.ndarray:
        """A NumPy view of one of the C search's uint32 arrays (``pc_vec``)."""
        if count == 0:
            return np.zeros(0, dtype=dtype)
        return np.frombuffer(self.ffi.buffer(self.lib.pc_vec(self.ctx, which), 4 * count), dtype=dtype)

    def table(self, kind: int, k: int, width: int, dtype: Any) -> np.ndarray:
        """A table's records as a (count x width) NumPy view."""
        count = self.ffi.new("uint32_t *")
        data = self.lib.pc_table(self.ctx, kind, k, count)
        if count[0] == 0 or width == 0:
            return np.zeros((count[0], width), dtype=dtype)
        size = np.dtype(dtype).itemsize
        raw = np.frombuffer(self.ffi.buffer(data, count[0] * width * size), dtype=dtype)
        return raw.reshape(count[0], width)

    def vector(self, world: World) -> Any:
        """A world as the C working vector (``int32_t[WLEN]``)."""
        lay = self.layout
        w = self.ffi.new(f"int32_t[{lay.wlen}]")
        base = self.system.link_base
        for s in range(base):
            w[s] = int(world[s])  # type: ignore[arg-type]
        for lk, off in zip(self.system.links, lay.loff):
            queue: Queue = world[base + lk.index]  # type: ignore[assignment]
            w[off] = len(queue)
            for n, (name, fields) in enumerate(queue):
                at = off + 1 + n * lay.entry
                w[at] = lay.msg_id(name)
                for f, v in enumerate(fields):
                    w[at + 1 + f] = v
        return w

    def world(self, index: int) -> World:
        """World ``index`` decoded to the Python search's tuple."""
        w = self.ffi.new(f"int32_t[{self.layout.wlen}]")
        self.lib.pc_decode(self.ctx, index, w)
        values = list(self.ffi.unpack(w, self.layout.wlen))
        return world_of(self.layout, values)


def world_of(lay: Layout, values: list[int]) -> World:
    """A C working vector as the Python search's world tuple."""
    system = lay.system
    base = system.link_base
    out: list[SlotValue] = list(values[:base])
    for off in lay.loff:
        out.append(queue_of(lay, values, off))
    return tuple(out)


def queue_of(lay: Layout, values: Sequence[int], off: int) -> Queue:
    """The messages of the link area at ``off`` of a working vector (or chunk record)."""
    return tuple(message_of(lay, values, off + 1 + n * lay.entry) for n in range(int(values[off])))


def message_of(lay: Layout, values: Sequence[int], at: int) -> Message:
    name = lay.messages[int(values[at])]
    return name, tuple(int(v) for v in values[at + 1: at + 1 + lay.field_counts[name]])


class ChunkBlocks(Sequence[tuple[SlotValue, ...]]):
    """The distinct values of one chunk, decoded (once) to tuples of the chunk's world slots."""

    def __init__(self, native: Native, k: int) -> None:
        self.native, self.k = native, k
        self.records = native.table(0, k, len(native.layout.chunk_pos[k]), np.uint16)
        self._decoded: list[tuple[SlotValue, ...]] | None = None

    def __len__(self) -> int:
        return len(self.records)

    def _decode(self) -> list[tuple[SlotValue, ...]]:
        if self._decoded is None:
            lay, k = self.native.layout, self.k
            system = lay.system
            kinds: list[tuple[int, int]] = []  # (0, column) for an int slot, (1, column of the length word)
            column = 0
            for slot in lay.chunk_slots[k]:
                if slot < system.link_base:
                    kinds.append((0, column))
                    column += 1
                else:
                    kinds.append((1, column))
                    column += 1 + system.links[slot - system.link_base].capacity * lay.entry
            rows = self.records.tolist()
            self._decoded = [tuple(row[c] if kind == 0 else queue_of(lay, row, c) for kind, c in kinds) for row in rows]
        return self._decoded

    @overload
    def __getitem__(self, index: int) -> tuple[SlotValue, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[SlotValue, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[SlotValue, ...] | list[tuple[SlotValue, ...]]:
        return self._decode()[index]

    def __iter__(self) -> Iterator[tuple[SlotValue, ...]]:
        return iter(self._decode())


class ChunkEncoder:
    """What the projector and ``index_of`` need of an encoder, over the C search's chunks: a
    "component" here is a chunk (an instance with its incoming links, or a group's ghost facts)."""

    symmetric = False

    def __init__(self, native: Native, count: int) -> None:
        lay = native.layout
        self.native, self.count = native, count
        self.positions = lay.chunk_slots
        self.blocks = [ChunkBlocks(native, k) for k in range(len(lay.chunk_pos))]
        self.shifts = [0] * len(self.positions)
        self.mask = 0
        self.where = {k: (c, j) for c, chunks in enumerate(lay.comps) for j, k in enumerate(chunks)}
        self.comp_records = [native.table(1, c, len(chunks), native.cid) for c, chunks in enumerate(lay.comps)]
        self.world_records = native.table(2, 0, len(lay.comps), np.uint32) if len(lay.comps) > 1 else None

    @property
    def components(self) -> int:
        return len(self.positions)

    def component_ids(self, k: int, start: int, stop: int) -> np.ndarray:
        """Chunk ``k``'s id in the worlds ``start`` .. ``stop - 1`` (int32)."""
        c, j = self.where[k]
        if self.world_records is None:
            comp = np.arange(start, stop)
        else:
            comp = self.world_records[start:stop, c]
        ids: np.ndarray = self.comp_records[c][comp, j].astype(np.int32)
        return ids

    def first_codes(self, parts: list[tuple[int, np.ndarray]], strides: list[int], firsts: np.ndarray) -> None:
        """For every stored world, its code (the sum over ``parts``, (chunk, code per chunk id), of the
        world's chunk code times its stride): ``firsts[code]`` becomes the first world with it, where it
        was ``count`` or more. One compiled pass (``pc_codes``), which releases the GIL."""
        self._codes(None, parts, strides, 0, self.count, firsts, None)

    def world_codes(self, parts: list[tuple[int, np.ndarray]], strides: list[int], start: int, stop: int) -> np.ndarray:
        """The code (as in :meth:`first_codes`) of the worlds ``start`` .. ``stop - 1`` (int64)."""
        out = np.empty(max(stop - start, 0), dtype=np.int64)
        self._codes(None, parts, strides, start, stop, None, out)
        return out

    def _codes(self, kids: np.ndarray | None, parts: list[tuple[int, np.ndarray]], strides: list[int], start: int,
               stop: int, firsts: np.ndarray | None, out: np.ndarray | None) -> None:
        ffi, lib = self.native.ffi, self.native.lib
        where = [self.where[k] for k, _ in parts]
        codes = [np.ascontiguousarray(c, dtype=np.int32) for _, c in parts]
        comp = np.array([c for c, _ in where], dtype=np.int32)
        pos = np.array([j for _, j in where], dtype=np.int32)
        stride = np.array(strides, dtype=np.int64)
        for a in (firsts, out):
            assert a is None or (a.dtype == np.int64 and a.flags.c_contiguous)
        tables = ffi.new("int32_t *[]", [ffi.from_buffer("int32_t[]", c) for c in codes])
        kid = ffi.NULL if kids is None else ffi.from_buffer("uint32_t[]", kids)
        lib.pc_codes(self.native.ctx, kid, start, stop, len(parts), ffi.from_buffer("int32_t[]", comp),
                     ffi.from_buffer("int32_t[]", pos), tables, ffi.from_buffer("int64_t[]", stride),
                     ffi.NULL if firsts is None else ffi.from_buffer("int64_t[]", firsts),
                     ffi.NULL if out is None else ffi.from_buffer("int64_t[]", out))

    def lookup(self, world: World) -> int | None:
        """The index of a stored world, or None (the "key" of a world is its index here)."""
        if len(world) != self.native.system.link_base + len(self.native.system.links):
            return None
        found = int(self.native.lib.pc_find(self.native.ctx, self.native.vector(world)))
        return found if 0 <= found < self.count else None

    def decode(self, key: int) -> World:
        return self.native.world(key)

    def bytes(self) -> int:
        return 0  # the chunk tables are counted by the store (NativeStore.bytes)


class NativeStore:
    """The visited set as the exploration sees it: world ``i``'s key is ``i``."""

    def __init__(self, native: Native, count: int) -> None:
        self.native, self.keys = native, range(count)

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, key: int) -> int | None:
        return key if 0 <= key < len(self.keys) else None

    def bytes(self) -> int:
        """Every table and array the C search holds, except the edges (counted by :class:`NativeEdges`)."""
        return self.native.stat(8) - self.native.stat(9)


class NativeWorlds(LazyWorlds):
    """The stored worlds by index, decoded on demand."""

    def __init__(self, native: Native, count: int) -> None:
        self.native, self.size = native, count

    def __len__(self) -> int:
        return self.size

    def world_at(self, index: int) -> World:
        return self.native.world(index)

    def __iter__(self) -> Iterator[World]:
        return (self.native.world(i) for i in range(self.size))


class NativeLabels(LabelView):
    """Labels by world index: the C search's label ids into the table of distinct labels."""

    def __init__(self, ids: np.ndarray, table: list[Label | None]) -> None:
        self.ids = ids  # type: ignore[assignment]
        self.table = table
        self.interned = {}


class NativeEdges(Edges):
    """The C search's edges (CSR), as NumPy views."""

    def __init__(self, start: np.ndarray, target: np.ndarray, label: np.ndarray) -> None:
        self.start, self.target, self.label = start, target, label  # type: ignore[assignment]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.start, self.target, self.label  # type: ignore[return-value]

    def successors(self, world: int) -> tuple[Any, Any]:
        """World ``world``'s successor indices and label ids (Python ints, as the Python search's)."""
        a, b = int(self.start[world]), int(self.start[world + 1])
        return self.target[a:b].tolist(), self.label[a:b].tolist()

    def bytes(self) -> int:
        return int(self.start.nbytes + self.target.nbytes + self.label.nbytes)  # type: ignore[attr-defined]


class Levels(Sequence[int]):
    """Depths by world index, from the first world of each breadth-first level (worlds are stored
    level by level, so a world's depth is the number of levels that start at or before it, minus one)."""

    def __init__(self, starts: np.ndarray, count: int) -> None:
        self.starts, self.size = starts, count

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return self.array()[index].tolist()  # type: ignore[no-any-return]
        if not -self.size <= index < self.size:
            raise IndexError(index)
        return int(np.searchsorted(self.starts, index % self.size, side="right")) - 1

    def array(self) -> np.ndarray:
        """Every world's depth (int64)."""
        sizes = np.diff(np.append(self.starts, self.size))
        return np.repeat(np.arange(len(self.starts), dtype=np.int64), sizes)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.array() if dtype is None else self.array().astype(dtype)

    def __iter__(self) -> Iterator[int]:
        return iter(self.array().tolist())

    def max(self) -> int:
        return len(self.starts) - 1 if self.size else 0


class NativeExploration(Exploration):
    """An exploration whose arrays are views of a C search's memory (kept alive by ``native``)."""

    native: Native | None = None

    def path_to(self, index: int) -> list[int]:
        """World indices (Python ints) from the initial world to ``index``."""
        path = [int(index)]
        parent = self.parent
        while parent[path[-1]] >= 0:
            path.append(int(parent[path[-1]]))
        return path[::-1]

    @property
    def max_depth(self) -> int:
        return self.depth.max() if isinstance(self.depth, Levels) else super().max_depth


def labels(native: Native) -> list[Label | None]:
    """The C label table as :class:`Label` objects (id 0 is the initial world's None)."""
    lay = native.layout
    nf = lay.nfields
    rows = native.table(3, 0, lay.label_width, np.int32).tolist()
    out: list[Label | None] = [None]
    for r in rows:
        message = message_of(lay, r, 3) if r[3] >= 0 else None
        sends = tuple((r[b], message_of(lay, r, b + 1))
                      for b in (6 + nf + s * (2 + nf) for s in range(r[5 + nf])))
        out.append(Label(r[0], r[1], r[2] if r[2] >= 0 else None, message, sends, FAULTS[r[4 + nf]]))
    return out


def _unhandled(native: Native) -> list[tuple[int, Unhandled]]:
    """The unhandled messages (world, instance, link, message, blocked) the C search recorded."""
    return unhandled_of_rows(native.layout, native.vec(7, native.stat(6)).astype(np.int64).tolist())


def unhandled_of_rows(lay: Layout, flat: list[int]) -> list[tuple[int, Unhandled]]:
    """Unhandled messages from the C search's flat rows (world, instance, link, message, blocked)."""
    stride = 5 + lay.nfields
    return [(flat[a], Unhandled(flat[a + 1], flat[a + 2], message_of(lay, flat, a + 3), bool(flat[a + 4 + lay.nfields])))
            for a in range(0, len(flat), stride)]


def model_error(native: Native) -> ModelError:
    """The error the Python search raises where the C search stopped with an error code (``fail`` in
    ``runtime.c``): the same class and text, made by the same functions."""
    system = native.system
    code, a, b, c, d = (int(native.lib.pc_err(native.ctx, k)) for k in range(5))
    inst = system.instances[a]
    table = inst.table
    try:
        if code == 1:  # a local variable leaves its declared range (ElementTable.step, System._step)
            tr = table.transitions[b]
            try:
                check_range(table.edge(tr), table.var_names[c], d, table.var_ranges[c])
            except RangeError as error:
                raise RangeError(f"{inst.name}: {error}") from None
        elif code == 2:  # a shared variable leaves its declared range (System._write_shared)
            var = system.shared[c]
            check_range(f"{inst.name}: {table.edge(table.transitions[b])}", f"shared {var.name}", d, var.range)
        elif code == 3:  # a computed destination names no linked instance (System._resolve)
            to = table.transitions[b].send_exprs[c][0]
            system._resolve(a, f"{cast(To, to).prefix}{d}", None)
        elif code == 4:  # a reply to a message from a link with several senders (System._resolve)
            system._resolve(a, REPLY, system.links[b])
    except ModelError as error:
        return error
    return ModelError(f"the compiled search stopped with error code {code}")


def _stop_reason(limits: Limits, stored: int, start: float) -> str | None:
    """The limit that stops the search now, as :func:`~prosecheck.checker.exploration.hit_limit` names it."""
    if limits.max_states is not None and stored >= limits.max_states:
        return f"max-states {limits.max_states}"
    if limits.max_seconds is not None and time.perf_counter() - start >= limits.max_seconds:
        return f"max-seconds {limits.max_seconds:g}"
    if limits.max_memory_mb is not None and peak_rss_mb() >= limits.max_memory_mb:
        return f"max-memory {limits.max_memory_mb:g} MB"
    return None


def _search(native: Native, limits: Limits, progress: Progress | None, start: float) -> str | None:
    """Run the C search in slices; the reason it stopped early, or None when it is complete."""
    lib, ctx = native.lib, native.ctx
    next_report = start + 2.0
    try:
        while True:
            rc = lib.pc_run(ctx, SLICE, limits.max_states or 0)
            if rc == -2:
                raise _Widen()
            if rc == -3:
                raise model_error(native)
            if rc < 0:
                raise MemoryError("the compiled search ran out of memory")
            if rc == 0:
                return None
            reason = _stop_reason(limits, native.stat(0), start)
            if reason is not None:
                return reason
            now = time.perf_counter()
            if progress is not None and now >= next_report:
                progress(native.stat(0), native.stat(2), native.stat(3), now - start)
                next_report = now + 2.0
    except KeyboardInterrupt:
        return "interrupted"


def explore_native(system: System, limits: Limits, progress: Progress | None) -> NativeExploration:
    """Explore ``system`` with the compiled engine (raises :class:`~.cgen.Declined` or
    :class:`~.build.NativeUnavailable` when it cannot)."""
    start = time.perf_counter()
    try:
        native = Native(system)
        stopped = _search(native, limits, progress, start)
    except _Widen:  # a chunk with more than 65535 distinct values: again with 32-bit chunk ids
        native = Native(system, wide=True)
        stopped = _search(native, limits, progress, start)
    return _result(native, stopped, start)


class _Widen(Exception):
    """The search met a chunk value whose id does not fit the component records' 16 bits."""


def _result(native: Native, stopped: str | None, start: float) -> NativeExploration:
    system = native.system
    count, head = native.stat(0), native.stat(1)
    via = NativeLabels(native.vec(1, count), labels(native))
    depth = Levels(native.vec(2, native.stat(10)).astype(np.int64), count)
    edges = NativeEdges(native.vec(3, head + 1), native.vec(4, native.stat(7)), native.vec(5, native.stat(7)))
    encoder = ChunkEncoder(native, count)
    result = NativeExploration(
        system, NativeWorlds(native, count), native.vec(0, count, np.int32), via, depth,  # type: ignore[arg-type]
        native.stat(2), 0.0, stopped, expanded=head, deadlocks=native.vec(6, native.stat(5)).tolist(),
        unhandled=_unhandled(native), encoder=encoder, store=NativeStore(native, count),  # type: ignore[arg-type]
        edges=edges)
    result.native = native
    result.fired = {(i, tr) for i, inst in enumerate(system.instances)
                    for tr in range(-1, len(inst.table.transitions)) if native.lib.pc_fired(native.ctx, i, tr)}
    result.seconds = time.perf_counter() - start
    return result


__all__ = ["NativeExploration", "explore_native"]
