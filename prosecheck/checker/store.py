"""Compact world storage: component interning, one integer key per world, an exact visited store.

A world is split into **components**, one per group of instances that only talk among
themselves (in a protocol with several independent clients: one per client, with the sessions and
records the servers keep for it, its ghost facts and its links). Each component's values are interned
once in a small table; a world is then the tuple of its component ids, packed into one integer
**key** (``bits`` bits per component; one component: the key is the world's id). This is SPIN's
``-DCOLLAPSE`` idea: 3 groups with 145 distinct blocks each make 3 million worlds that each
cost 8 bytes of key. When the system does not split (a link between groups, or instances not
ordered by group), the whole world is one component.

With ``symmetry`` (all groups built from the same tables in the same shape: identical
clients), the components share one table and the visited store holds canonical keys (group ids
sorted): one world per orbit under permutations of the groups. The world kept for an orbit is
the concrete one first reached (a real successor of its parent's kept world), so traces replay.

:class:`VisitedStore` keeps the keys in insertion order (``array('Q')``, 8 bytes each) and an
open-addressing index of 4-byte slots probed from a deterministic 64-bit multiplicative
fingerprint of the key (never Python's ``hash()`` of a str).
"""

from __future__ import annotations

import hashlib
import marshal
from array import array
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any, overload

from prosecheck.checker.machine import ModelError
from prosecheck.checker.system import SlotValue, System, World

Block = tuple[SlotValue, ...]
"""One component's value: the world's values at the component's positions, in order."""
M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15  # 2^64 / golden ratio: Fibonacci hashing


def fingerprint(key: int) -> int:
    """A deterministic 64-bit fingerprint of a non-negative integer key (every 64-bit chunk mixed)."""
    h = 0
    while True:
        h = ((h ^ (key & M64)) * GOLDEN) & M64
        h ^= h >> 29
        key >>= 64
        if not key:
            return h



def world_fingerprint(world: World) -> int:
    """A deterministic 64-bit fingerprint of a world (BLAKE2b-64 of its repr): what hash compaction
    (:mod:`prosecheck.checker.compact`) stores instead of the world."""
    return int.from_bytes(hashlib.blake2b(repr(world).encode(), digest_size=8).digest(), "little")

MIX = [(GOLDEN * (2 * c + 1)) & M64 for c in range(64)]
"""One odd multiplier per component: a world's fingerprint from its components' (and a route)."""


def value_fingerprint(value: World | tuple[int, Block]) -> int:
    """A deterministic 64-bit fingerprint of a world or component value (tuples of ints and strings):
    BLAKE2b of its marshal format 0 (no references, no interning flags: equal values, equal bytes)."""
    return int.from_bytes(hashlib.blake2b(marshal.dumps(value, 0), digest_size=8).digest(), "little")


class ComponentFingerprints:
    """64-bit fingerprints of worlds that split into components, for hash compaction: the sum of
    each component's :func:`value_fingerprint` times its odd multiplier (``MIX``), modulo 2^64.

    A component value's fingerprint is computed once (by its interned id), so a successor's costs a
    few list look-ups instead of hashing the whole world. Two worlds that differ in one component
    collide only when BLAKE2b does on that component (an odd multiplier is invertible); in several,
    when a sum of pseudo-random differences is 0: the birthday bound of the compaction stands."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.fps: list[list[int]] = [[] for _ in range(encoder.components)]

    def of_key(self, key: int) -> int:
        """The fingerprint of the world of ``key`` (its components interned by the encoder)."""
        enc, fps, s = self.encoder, self.fps, 0
        for c, shift in enumerate(enc.shifts):
            bid = (key >> shift) & enc.mask
            known = fps[c]
            while bid >= len(known):
                known.append(value_fingerprint((c, enc.blocks[c][len(known)])))
            s += known[bid] * MIX[c]
        return s & M64

    def of_world(self, world: World) -> int:
        """The same fingerprint from the world itself (nothing interned)."""
        if len(world) != self.encoder.size:
            return -1  # no stored fingerprint is negative
        return sum(value_fingerprint((c, get(world))) * MIX[c] for c, get in enumerate(self.encoder.getters)) & M64


class Encoder:
    """World <-> integer key, through per-component interning tables."""

    def __init__(self, system: System, symmetry: bool = False) -> None:
        self.system = system
        self.groups = _groups(system)
        self.symmetric = symmetry and len(self.groups) > 1 and _identical(system, self.groups)
        self.positions = [g[0] for g in self.groups]
        self.instances = [g[1] for g in self.groups]
        n = len(self.groups)
        self.bits = 64 if n == 1 else max(16, 64 // n)
        self.mask = (1 << self.bits) - 1
        self.shifts = [k * self.bits for k in range(n)]
        shared: dict[Block, int] = {}
        shared_blocks: list[Block] = []
        self.tables = [shared if self.symmetric else {} for _ in range(n)]
        self.blocks = [shared_blocks if self.symmetric else [] for _ in range(n)]
        self.getters = [itemgetter(*p) if len(p) > 1 else (lambda w, q=p[0]: (w[q],)) for p in self.positions]
        self.size = len(system.initial())

    @property
    def components(self) -> int:
        return len(self.groups)

    def block_id(self, component: int, block: Block) -> int:
        table = self.tables[component]
        bid = table.get(block)
        if bid is None:
            bid = len(table)
            if bid > self.mask:
                raise ModelError(f"component {component} has more than 2^{self.bits} distinct values")
            table[block] = bid
            self.blocks[component].append(block)
        return bid

    def pack(self, ids: list[int]) -> int:
        """The key of these component ids, in this order."""
        key = 0
        for bid, shift in zip(ids, self.shifts):
            key |= bid << shift
        return key

    def canonical(self, key: int) -> int:
        """The key of the world's orbit: its group ids sorted under symmetry, else the key itself."""
        return self.pack(sorted(self.ids(key))) if self.symmetric else key

    def ids(self, key: int) -> list[int]:
        return [(key >> shift) & self.mask for shift in self.shifts]

    def encode(self, world: World) -> int:
        return self.pack([self.block_id(c, get(world)) for c, get in enumerate(self.getters)])

    def lookup(self, world: World) -> int | None:
        """The (canonical) key of a world whose components are all known, else None (interns nothing)."""
        if len(world) != self.size:
            return None
        ids = [self.tables[c].get(get(world)) for c, get in enumerate(self.getters)]
        known = [bid for bid in ids if bid is not None]
        return None if len(known) < len(ids) else self.canonical(self.pack(known))

    def decode(self, key: int) -> World:
        if len(self.groups) == 1:
            return self.blocks[0][key]
        world: list[SlotValue] = [0] * self.size  # every position is in exactly one component
        for c, bid in enumerate(self.ids(key)):
            for p, v in zip(self.positions[c], self.blocks[c][bid]):
                world[p] = v
        return tuple(world)

    def bytes(self) -> int:
        """Approximate memory of the interning tables (dict slots, tuples, their small ints)."""
        import sys
        seen = {id(t): t for t in self.tables}
        total = 0
        for table in seen.values():
            total += sys.getsizeof(table) + sum(sys.getsizeof(b) for b in table) + 8 * len(table)
        return total


def _groups(system: System) -> list[tuple[list[int], list[int]]]:
    """(world positions, instance indices) per component; one component if the system does not split."""
    everything = [(list(range(len(system.initial()))), list(range(len(system.instances))))]
    groups = sorted({inst.group for inst in system.instances})
    order = [inst.group for inst in system.instances]
    if len(groups) < 2 or order != sorted(order):
        return everything
    if any(system.instances[lk.src].group != system.instances[lk.dst].group for lk in system.links):
        return everything
    out = []
    for g in groups:
        positions: list[int] = []
        members: list[int] = []
        for i, inst in enumerate(system.instances):
            if inst.group == g:
                pos, _, end = system._layout[i]
                positions += range(pos, end)
                members.append(i)
        positions += [system.slot(f"{system.group_prefix(g)}ghost.{name}") for name in system.ghost_names]
        positions += [system.slot(f"{system.group_prefix(g)}shared.{v.name}") for v in system.shared]
        positions += [system.link_base + lk.index for lk in system.links if system.instances[lk.src].group == g]
        out.append((positions, members))
    if sorted(p for ps, _ in out for p in ps) != list(range(len(system.initial()))):
        return everything
    return out


def _identical(system: System, groups: list[tuple[list[int], list[int]]]) -> bool:
    """True when every group has the same tables, links and initial block: the groups are interchangeable."""
    def shape(members: list[int]) -> tuple[tuple[int, ...], tuple[tuple[tuple[int, ...], int, str, int], ...]]:
        base = members[0]
        tables = tuple(id(system.instances[i].table) for i in members)
        links = tuple((tuple(s - base for s in lk.sources), lk.dst - base, lk.kind, lk.capacity)  # every sender
                      for lk in system.links if lk.src in members)
        return tables, links

    initial = system.initial()
    blocks = {tuple(initial[p] for p in positions) for positions, _ in groups}
    return len({shape(m) for _, m in groups}) == 1 and len(blocks) == 1


class VisitedStore:
    """Exact set of world keys with their insertion indices (index = order of discovery).

    Keys are kept in insertion order in ``array('Q')`` (8 bytes each; a Python list if a key is
    wider than 64 bits) and indexed by an open-addressing table of 4-byte slots (``index + 1``,
    0 = empty; linear probing; load at most 1/2) probed from the top bits of a deterministic
    64-bit multiplicative fingerprint of the key. No Python objects per stored world.
    :meth:`admit` inlines :meth:`slot`'s loop for speed; both read the same fields."""

    def __init__(self, identity: bool = False) -> None:
        self.keys: Any = array("Q")
        self.handle: Callable[[int], int] = self.keys.__getitem__  # the key of world i: what the search expands
        self.identity = identity  # keys are 0, 1, 2, ... (one component: the interning table is the set)
        self.bits = 10
        self.index = array("I", bytes(4 << self.bits))
        self.shift, self.mask = 64 - self.bits, (1 << self.bits) - 1

    def __len__(self) -> int:
        return len(self.keys)

    def slot(self, key: int) -> int:
        """Where ``key`` is, or the empty slot where it would go."""
        index, keys, mask = self.index, self.keys, self.mask
        h = (((key if key <= M64 else fingerprint(key)) * GOLDEN) & M64) >> self.shift
        while True:
            at = index[h]
            if at == 0 or keys[at - 1] == key:
                return h
            h = (h + 1) & mask

    def add(self, key: int) -> bool:
        """Store ``key``; True when it is new."""
        if self.identity:
            if key < len(self.keys):
                return False
            self.keys.append(key)
            return True
        h = self.slot(key)
        if self.index[h]:
            return False
        self.put(h, key)
        return True

    def put(self, h: int, key: int) -> None:
        """Append a new key whose empty slot is ``h``; grow the table past load 1/2."""
        try:
            self.keys.append(key)
        except OverflowError:  # keys wider than 64 bits: keep them as Python ints
            self.keys = list(self.keys) + [key]
            self.handle = self.keys.__getitem__
        self.index[h] = len(self.keys)
        if 2 * len(self.keys) > len(self.index):
            self._rebuild(self.bits + 1)

    def admit(self, items: list[int]) -> list[int]:
        """The index of each key, new keys stored first (the :class:`~prosecheck.checker.bfs.Store`
        protocol). :meth:`slot`'s probe is inlined here: this is the exact search's inner loop."""
        keys, index, shift, mask = self.keys, self.index, self.shift, self.mask
        out: list[int] = []
        found = out.append
        for key in items:
            h = (((key if key <= M64 else fingerprint(key)) * GOLDEN) & M64) >> shift
            while True:
                at = index[h]
                if at == 0 or keys[at - 1] == key:
                    break
                h = (h + 1) & mask
            if at:
                found(at - 1)
                continue
            self.put(h, key)
            if self.index is not index or self.keys is not keys:  # grown (or widened past 64 bits)
                keys, index, shift, mask = self.keys, self.index, self.shift, self.mask
            found(len(keys) - 1)
        return out

    def find(self, key: int) -> int | None:
        """The key's index, or None when it was never added."""
        if self.identity:
            return key if 0 <= key < len(self.keys) else None
        at = self.index[self.slot(key)]
        return at - 1 if at else None

    def _rebuild(self, bits: int) -> None:
        self.bits, self.shift, self.mask = bits, 64 - bits, (1 << bits) - 1
        self.index = index = array("I", bytes(4 << bits))
        shift, mask = self.shift, self.mask
        for n, key in enumerate(self.keys):
            h = (((key if key <= M64 else fingerprint(key)) * GOLDEN) & M64) >> shift
            while index[h]:
                h = (h + 1) & mask
            index[h] = n + 1

    def truncate(self, size: int) -> None:
        """Keep the first ``size`` keys (an interrupted search drops a half-stored world). An identity
        store has no index to rebuild (its keys are their own indices)."""
        del self.keys[size:]
        if not self.identity:
            self._rebuild(self.bits)

    def bytes(self) -> int:
        """Memory of the keys and the index table."""
        import sys
        keys = sys.getsizeof(self.keys)
        if not isinstance(self.keys, array):
            keys += sum(sys.getsizeof(k) for k in self.keys)
        return keys + sys.getsizeof(self.index)


class InternedWorlds:
    """The exact store of a world that is one component: the interning table is the visited set,
    a world's id is its index (the identity :class:`VisitedStore` ``keys`` lists them, 0, 1, 2, ...),
    and the handle the search expands is the world itself."""

    def __init__(self, encoder: Encoder, keys: VisitedStore) -> None:
        self.table, self.blocks, self.keys = encoder.tables[0], encoder.blocks[0], keys
        self.handle: Callable[[int], World] = self.blocks.__getitem__

    def __len__(self) -> int:
        return len(self.keys.keys)

    def admit(self, items: list[World]) -> list[int]:
        """Each world's id, new worlds interned (and listed) first."""
        table, blocks, keys = self.table, self.blocks, self.keys.keys
        out: list[int] = []
        for world in items:
            known = table.get(world)
            if known is None:
                table[world] = known = len(blocks)
                blocks.append(world)
                keys.append(known)
            out.append(known)
        return out

    def truncate(self, size: int) -> None:
        self.keys.truncate(size)


class CanonicalStore:
    """The exact store under symmetry: the visited set holds each orbit's canonical key, ``concrete``
    the concrete key first reached for it (a real successor of its parent's), which is the handle
    the search expands: traces replay through real steps."""

    def __init__(self, encoder: Encoder, keys: VisitedStore, concrete: array[int]) -> None:
        self.encoder, self.keys, self.concrete = encoder, keys, concrete
        self.handle: Callable[[int], int] = concrete.__getitem__

    def __len__(self) -> int:
        return len(self.keys)

    def admit(self, items: list[int]) -> list[int]:
        """Each concrete key's orbit index; an orbit met for the first time keeps this key."""
        canonical, keys, concrete = self.encoder.canonical, self.keys, self.concrete
        out = keys.admit([canonical(key) for key in items])
        n = len(concrete)
        for at, key in zip(out, items):
            if at == n:
                concrete.append(key)
                n += 1
        return out

    def truncate(self, size: int) -> None:
        self.keys.truncate(size)
        del self.concrete[size:]


class LazyWorlds(Sequence[World]):
    """Stored worlds by index, each rebuilt on demand by :meth:`world_at` (indexing, negative
    indices and slices are handled here once for every kind of store)."""

    def world_at(self, index: int) -> World:
        """World ``index``, with ``0 <= index < len(self)``."""
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> World: ...

    @overload
    def __getitem__(self, index: slice) -> list[World]: ...

    def __getitem__(self, index: int | slice) -> World | list[World]:
        if isinstance(index, slice):
            return [self.world_at(i) for i in range(*index.indices(len(self)))]
        size = len(self)
        if not -size <= index < size:
            raise IndexError(index)
        return self.world_at(index % size)


class WorldView(LazyWorlds):
    """The stored worlds by index, decoded on demand from their keys (``keys``: the visited
    store's, or under symmetry the concrete representatives')."""

    def __init__(self, encoder: Encoder, keys: Callable[[], Any]) -> None:
        self.encoder, self.keys = encoder, keys

    def __len__(self) -> int:
        return len(self.keys())

    def world_at(self, index: int) -> World:
        return self.encoder.decode(self.keys()[index])

    def __iter__(self) -> Iterator[World]:
        keys = self.keys()
        if self.encoder.components == 1:  # a world is its component's value: no decoding
            return map(self.encoder.blocks[0].__getitem__, keys)
        return map(self.encoder.decode, keys)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]


__all__ = ["MIX", "CanonicalStore", "ComponentFingerprints", "Encoder", "InternedWorlds", "LazyWorlds", "VisitedStore",
           "WorldView", "fingerprint", "value_fingerprint", "world_fingerprint"]
