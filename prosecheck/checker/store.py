"""Compact world storage: component interning, one integer key per world, an exact visited store.

A world is split into **components**, one per group of instances that only talk among
themselves (in the ProSe model: one per remote UE, with its relay session, AMF transaction,
AUSF, PAnF and UDM records, its ghost facts and its links). Each component's values are interned
once in a small table; a world is then the tuple of its component ids, packed into one integer
**key** (``bits`` bits per component; one component: the key is the world's id). This is SPIN's
``-DCOLLAPSE`` idea: 3 remote UEs with 145 distinct blocks each make 3 million worlds that each
cost 8 bytes of key. When the system does not split (a link between groups, or instances not
ordered by group), the whole world is one component.

With ``symmetry`` (all groups built from the same tables in the same shape: identical remote
UEs), the components share one table and the visited store holds canonical keys (group ids
sorted): one world per orbit under permutations of the groups. The world kept for an orbit is
the concrete one first reached (a real successor of its parent's kept world), so traces replay.

:class:`VisitedStore` keeps the keys in insertion order (``array('Q')``, 8 bytes each) and an
open-addressing index of 4-byte slots probed from a deterministic 64-bit multiplicative
fingerprint of the key (never Python's ``hash()`` of a str).
"""

from __future__ import annotations

import hashlib
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
    The search inlines :meth:`find_or_add`'s loop for speed; both read the same fields."""

    def __init__(self, identity: bool = False) -> None:
        self.keys: Any = array("Q")
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
        self.index[h] = len(self.keys)
        if 2 * len(self.keys) > len(self.index):
            self._rebuild(self.bits + 1)

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


class WorldView(Sequence[World]):
    """The stored worlds by index, decoded on demand from their keys (``keys``: the visited
    store's, or under symmetry the concrete representatives')."""

    def __init__(self, encoder: Encoder, keys: Callable[[], Any]) -> None:
        self.encoder, self.keys = encoder, keys

    def __len__(self) -> int:
        return len(self.keys())

    @overload
    def __getitem__(self, index: int) -> World: ...

    @overload
    def __getitem__(self, index: slice) -> list[World]: ...

    def __getitem__(self, index: int | slice) -> World | list[World]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self.encoder.decode(self.keys()[index])

    def __iter__(self) -> Iterator[World]:
        keys = self.keys()
        if self.encoder.components == 1:  # a world is its component's value: no decoding
            return map(self.encoder.blocks[0].__getitem__, keys)
        return map(self.encoder.decode, keys)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]


__all__ = ["Encoder", "VisitedStore", "WorldView", "fingerprint", "world_fingerprint"]
