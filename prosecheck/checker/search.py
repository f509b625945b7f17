"""Breadth-first exhaustive search with parent pointers, limits, deadlocks and coverage.

Breadth-first order makes the first world found with any fact a shortest witness to it, so
every counterexample reconstructed from the parent pointers is a shortest one. The search is
deterministic: successors come in a fixed order and worlds are numbered in order of discovery.

Storage is compact (:mod:`prosecheck.checker.store`): each world is one integer key made of
interned component ids, kept in a :class:`~prosecheck.checker.store.VisitedStore`; parents,
depths and labels are machine arrays (4 bytes each per world); labels are interned. The
successors of a component are computed once per distinct component value and reused
(``_Entry``): a step of one remote UE's elements changes only that UE's component, so the
successors of a world are the cached steps of each of its components, recombined by key
arithmetic. With ``symmetry`` the keys are canonical (see the store) and counts are those of
the quotient by permutations of identical groups.

What a search returns and how it stops (:class:`Exploration`, :class:`Limits`) is in
:mod:`prosecheck.checker.exploration`, shared with hash compaction (:mod:`prosecheck.checker.compact`)
and the partitioned searches; this module re-exports it (``from prosecheck.checker.search import Limits``).
"""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass, field
from typing import Any

from prosecheck.checker.compact import explore_compact
from prosecheck.checker.edges import Edges
from prosecheck.checker.exploration import (
    Exploration,
    LabelView,
    Limits,
    Progress,
    hit_limit,
    note_unhandled,
    peak_rss_mb,
)
from prosecheck.checker.machine import ModelError
from prosecheck.checker.store import GOLDEN, M64, Encoder, VisitedStore, WorldView, fingerprint
from prosecheck.checker.system import Label, System, Unhandled, World

UNLIMITED = Limits()
"""No bound: the default of :func:`explore`."""


@dataclass
class _Entry:
    """The steps of one component value: (label id, new component id) pairs, and what they saw."""

    succ: list[tuple[int, int]]
    unhandled: list[Unhandled]
    final: bool
    moves: list[tuple[int, int, int]] = field(default_factory=list)  # (key delta, label id, 0)


class _Stepper:
    """Successors of worlds by key, per component, cached when the world has several components."""

    def __init__(self, system: System, encoder: Encoder, via: LabelView, fired: set[tuple[int, int]]) -> None:
        self.system, self.encoder, self.via, self.fired = system, encoder, via, fired
        self.cache: list[dict[int, _Entry]] = [{} for _ in range(encoder.components)]
        self.split = encoder.components > 1
        # Under symmetry a step of one group's instance stands for the same step of its twin in
        # every other group (the permuted world is reachable), so coverage counts it for all.
        position = {i: (c, members.index(i)) for c, members in enumerate(encoder.instances) for i in members}
        self.twins = [[m[position[i][1]] for m in encoder.instances] if encoder.symmetric else [i]
                      for i in range(len(system.instances))]
        sys_links = system.links
        self.own_links = [
            [system.link_base + lk.index for lk in sys_links if lk.src in members] for members in encoder.instances
        ]

    def entry(self, c: int, bid: int, key: int) -> _Entry:
        hit = self.cache[c].get(bid)
        if hit is not None:
            return hit
        system, enc = self.system, self.encoder
        world = enc.decode(key)
        succ, unhandled = system.successors(world, enc.instances[c]) if self.split else system.successors(world)
        out = []
        get = enc.getters[c]
        for label, nxt in succ:
            for twin in self.twins[label.instance]:
                self.fired.add((twin, label.transition))
            if self.split and _changed_outside(world, nxt, enc.positions[c]):
                raise ModelError(f"{system.instances[label.instance].name}: a step changed another component")
            self.via.table.append(label)
            out.append((len(self.via.table) - 1, enc.block_id(c, get(nxt))))
        if self.split:
            final = all(system.control(world, i) in system.instances[i].table.rest_states for i in enc.instances[c]) \
                and not any(world[p] for p in self.own_links[c])
            shift = enc.shifts[c]
            entry = _Entry(out, unhandled, final, [((new - bid) << shift, lid, 0) for lid, new in out])
            self.cache[c][bid] = entry
            return entry
        return _Entry(out, unhandled, system.is_final(world), [(new - bid, lid, 0) for lid, new in out])


def _changed_outside(world: World, nxt: World, positions: list[int]) -> bool:
    inside = set(positions)
    return any(a != b and p not in inside for p, (a, b) in enumerate(zip(world, nxt)))


def explore(  # noqa: C901 - predates the limit of 10 (issue 26)
    system: System, limits: Limits = UNLIMITED, progress: Progress | None = None, *, symmetry: bool = False,
    hash_compact: bool = False, engine: str | None = None,
) -> Exploration:
    """Explore every world reachable from the initial one, breadth first (``hash_compact``:
    store fingerprints only, see :mod:`prosecheck.checker.compact`; not with ``symmetry``).
    ``engine``: "auto" (the compiled search of :mod:`prosecheck.checker.native` when it can run this
    system, else this module's), "native" or "python"; None reads ``$PROSECHECK_ENGINE`` (default auto)."""
    if hash_compact:
        if symmetry:
            raise ModelError("hash compaction and symmetry reduction cannot be combined")
        return explore_compact(system, limits, progress)
    if not symmetry:
        from prosecheck.checker.native.dispatch import try_native

        found = try_native(system, limits, progress, engine,
                           lambda probe: explore(system, probe, progress, engine="python"))
        if found is not None:
            return found
    start = time.perf_counter()
    encoder = Encoder(system, symmetry)
    store = VisitedStore(identity=encoder.components == 1)
    parent, depth, via = array("i", [-1]), array("I", [0]), LabelView()
    first = encoder.encode(system.initial())
    store.add(encoder.canonical(first))  # index 0
    concrete = array("Q", [first]) if encoder.symmetric else None
    worlds = WorldView(encoder, (lambda: store.keys) if concrete is None else (lambda: concrete))
    result = Exploration(system, worlds, parent, via, depth, 0, 0.0, None,
                         encoder=encoder, store=store, symmetry=encoder.symmetric, concrete=concrete,
                         edges=None if encoder.symmetric else Edges())
    if encoder.symmetric:
        result.notes.append(f"symmetry reduction over {encoder.components} identical groups: "
                            "states and transitions count one world per permutation class")
    elif symmetry:
        result.notes.append("symmetry requested but the groups are not identical (or only one): not reduced")
    stepper = _Stepper(system, encoder, via, result.fired)
    seen_unhandled: set[tuple[int, str]] = set()
    head = 0
    next_report = start + 2.0
    try:
        while head < len(store):
            _expand(head, stepper, store, parent, depth, via, result, seen_unhandled)
            head += 1
            if hit_limit(result, limits, head, len(store), start):
                break
            now = time.perf_counter()
            if progress is not None and now >= next_report:
                progress(len(store), result.transitions, depth[head - 1], now - start)
                next_report = now + 2.0
    except KeyboardInterrupt:
        # Keep what is consistent: every stored world has its parent and label; the world being
        # expanded when the interrupt came counts as not expanded.
        stored = min(len(store), len(parent), len(via), len(depth))
        store.truncate(stored)
        del parent[stored:], via.ids[stored:], depth[stored:]
        if concrete is not None:
            del concrete[stored:]
        if result.edges is not None:
            result.edges.truncate(head, stored)
        result.stopped = "interrupted"
    result.expanded = head
    result.seconds = time.perf_counter() - start
    return result


class _Discard:
    """Where a search that records no edges (symmetry reduction: quotient edges) sends them."""

    class _Nowhere:
        def append(self, value: int) -> None:
            pass

    target = label = _Nowhere()

    def close(self, world: int) -> None:
        pass


_DISCARD: Any = _Discard()


def _expand(  # noqa: C901 - predates the limit of 10 (issue 26)
    head: int, stepper: _Stepper, store: VisitedStore, parent: array[int], depth: array[int], via: LabelView,
    result: Exploration, seen_unhandled: set[tuple[int, str]],
) -> None:
    """Generate the successors of world ``head``: new worlds are appended with their parent."""
    if not stepper.split:
        _expand_whole(head, stepper, store, parent, depth, via, result, seen_unhandled)
        return
    encoder = stepper.encoder
    concrete = result.concrete
    key = store.keys[head] if concrete is None else concrete[head]
    symmetric = encoder.symmetric
    ids = encoder.ids(key)
    next_depth = depth[head] + 1
    keys, index, shift, mask = store.keys, store.index, store.shift, store.mask
    edges = result.edges if result.edges is not None else _DISCARD
    to_target, to_label = edges.target.append, edges.label.append
    moved, final = False, True
    for c, bid in enumerate(ids):
        entry = stepper.cache[c].get(bid) or stepper.entry(c, bid, key)
        if entry.unhandled:
            note_unhandled(head, entry.unhandled, result, seen_unhandled)
        final = final and entry.final
        if not entry.succ:
            continue
        moved = True
        result.transitions += len(entry.succ)
        moves = entry.moves if not symmetric else _symmetric_moves(encoder, key, ids, c, entry)
        for delta, label_id, real in moves:
            nxt = key + delta if not symmetric else delta
            # VisitedStore.slot, inlined: linear probing from the key's fingerprint
            h = (((nxt if nxt <= M64 else fingerprint(nxt)) * GOLDEN) & M64) >> shift
            while True:
                at = index[h]
                if at == 0 or keys[at - 1] == nxt:
                    break
                h = (h + 1) & mask
            if at:
                to_target(at - 1)
                to_label(label_id)
                continue
            store.put(h, nxt)
            if concrete is not None:
                concrete.append(real)
            if store.index is not index or store.keys is not keys:
                keys, index, shift, mask = store.keys, store.index, store.shift, store.mask
            parent.append(head)
            via.ids.append(label_id)
            depth.append(next_depth)
            to_target(len(keys) - 1)
            to_label(label_id)
    edges.close(head)
    if not moved and not final:
        result.deadlocks.append(head)


def _expand_whole(
    head: int, stepper: _Stepper, store: VisitedStore, parent: array[int], depth: array[int], via: LabelView,
    result: Exploration, seen_unhandled: set[tuple[int, str]],
) -> None:
    """One component: the interning table is the visited set and a world's id is its index."""
    system, table, blocks = stepper.system, stepper.encoder.tables[0], stepper.encoder.blocks[0]
    world = blocks[head]
    succ, unhandled = system.successors(world)
    if unhandled:
        note_unhandled(head, unhandled, result, seen_unhandled)
    if not succ and not system.is_final(world):
        result.deadlocks.append(head)
    result.transitions += len(succ)
    fired, keys, next_depth, edges = result.fired, store.keys, depth[head] + 1, result.edges
    for label, nxt in succ:
        fired.add((label.instance, label.transition))
        known = table.get(nxt)
        label_id = _label_id(via, label)
        if known is None:
            table[nxt] = known = len(blocks)
            blocks.append(nxt)
            keys.append(known)
            parent.append(head)
            via.ids.append(label_id)
            depth.append(next_depth)
        if edges is not None:
            edges.target.append(known)
            edges.label.append(label_id)
    if edges is not None:
        edges.close(head)


def _label_id(via: LabelView, label: Label) -> int:
    """The id of ``label`` in the label table (interned: one id per distinct label)."""
    ids = via.interned
    found = ids.get(label)
    if found is None:
        found = ids[label] = len(via.table)
        via.table.append(label)
    return found


def _symmetric_moves(encoder: Encoder, key: int, ids: list[int], c: int, entry: _Entry) -> list[tuple[int, int, int]]:
    """(canonical successor key, label id, concrete successor key) for each step of component ``c``."""
    out = []
    shifts, shift, bid = encoder.shifts, encoder.shifts[c], ids[c]
    for label_id, new_bid in entry.succ:
        others = ids.copy()
        others[c] = new_bid
        others.sort()
        canonical = 0
        for b, sh in zip(others, shifts):
            canonical |= b << sh
        out.append((canonical, label_id, key + ((new_bid - bid) << shift)))
    return out


__all__ = ["Exploration", "LabelView", "Limits", "Progress", "explore", "peak_rss_mb"]
