"""The one breadth-first loop of the sequential searches, over a pluggable visited store.

The exact search (:mod:`prosecheck.checker.search`: interned component keys, with or without
symmetry reduction) and hash compaction (:mod:`prosecheck.checker.compact`: 64-bit fingerprints)
differ only in what they store for a world and how they get it back for its expansion. Each is a
:class:`Store`; the expansion of a world (:class:`Stepper`: a world's steps, cached per component
value when the world splits) and everything the search records (parents, labels, depths, edges,
deadlocks, unhandled messages, fired transitions, limits, progress, a consistent state after an
interrupt) are written once, in :func:`breadth_first`.

A store hands out **handles**: what the stepper expands (a component key, or a whole world).
The stepper returns a world's successors as handles, in the system's fixed order; the store
numbers them in one call (:meth:`Store.admit`: the index of each, new ones appended in order of
first occurrence), so each store keeps its probe loop inlined and the loop pays one call per
world, not per transition. The partitioned search (:mod:`prosecheck.checker.partition`) shares
the stepper and the exact store; its levels are split between an expansion and a merge in other
processes, so it drives them itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from prosecheck.checker.exploration import (
    Exploration,
    LabelView,
    Limits,
    Progress,
    hit_limit,
    note_unhandled,
)
from prosecheck.checker.machine import ModelError
from prosecheck.checker.store import Encoder
from prosecheck.checker.system import Label, System, Unhandled, World

if TYPE_CHECKING:
    from array import array

H = TypeVar("H")

Expansion = tuple[list[Any], list[int], bool, list[Unhandled] | None]
"""A world's successors (handles), their label ids, whether it is a deadlock, what it could not handle."""


class Store(Protocol[H]):
    """A visited set that numbers what it keeps in order of discovery (index 0: the initial world)."""

    handle: Callable[[int], H]
    """What the stepper expands for world ``index`` (asked once per world, in index order): where it
    can, a bound look-up such as ``keys.__getitem__``, so that the loop pays no Python call for it."""

    def __len__(self) -> int: ...

    def admit(self, items: list[H]) -> list[int]:
        """The index of each item; an item not seen before is stored (the next index) first."""
        ...

    def truncate(self, size: int) -> None:
        """Keep the first ``size`` worlds (an interrupted search drops a half-stored one)."""
        ...


@dataclass(slots=True)
class Entry:
    """The steps of one component value: (label id, new component id) pairs, and what they saw;
    ``deltas``/``lids``: each step as a key difference and its label id (what the loop adds)."""

    succ: list[tuple[int, int]]
    unhandled: list[Unhandled]
    final: bool
    deltas: list[int]
    lids: list[int]


class WorldSteps:
    """Successors of whole worlds, with their labels interned and the transitions that fired recorded."""

    def __init__(self, system: System, via: LabelView, fired: set[tuple[int, int]]) -> None:
        self.system, self.via, self.fired = system, via, fired

    def whole_steps(self, world: World) -> Expansion:
        """The successor worlds of a world that is one component (labels interned by value)."""
        system, fired = self.system, self.fired
        succ, unhandled = system.successors(world)
        items: list[World] = []
        lids: list[int] = []
        for label, nxt in succ:
            fired.add((label.instance, label.transition))
            items.append(nxt)
            lids.append(self.label_id(label))
        return items, lids, not succ and not system.is_final(world), unhandled

    def label_id(self, label: Label) -> int:
        """The id of ``label`` in the label table (interned: one id per distinct label)."""
        ids = self.via.interned
        found = ids.get(label)
        if found is None:
            found = ids[label] = len(self.via.table)
            self.via.table.append(label)
        return found


class Stepper(WorldSteps):
    """Successors of worlds, per component, cached when the world has several components."""

    def __init__(self, system: System, encoder: Encoder, via: LabelView, fired: set[tuple[int, int]]) -> None:
        super().__init__(system, via, fired)
        self.encoder = encoder
        self.cache: list[dict[int, Entry]] = [{} for _ in range(encoder.components)]
        self.layout = [(c, shift, self.cache[c].get) for c, shift in enumerate(encoder.shifts)]
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

    def entry(self, c: int, bid: int, key: int) -> Entry:
        """The steps of component ``c`` at value ``bid`` (in world ``key``), computed once per value."""
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
        if not self.split:
            return Entry(out, unhandled, system.is_final(world), [new - bid for _, new in out], [lid for lid, _ in out])
        final = all(system.control(world, i) in system.instances[i].table.rest_states for i in enc.instances[c]) \
            and not any(world[p] for p in self.own_links[c])
        shift = enc.shifts[c]
        entry = Entry(out, unhandled, final, [(new - bid) << shift for _, new in out], [lid for lid, _ in out])
        self.cache[c][bid] = entry
        return entry

    def split_steps(self, key: int) -> Expansion:
        """The successor keys of the world of ``key`` (several components): each component's cached
        steps, in component order, recombined by key arithmetic."""
        mask = self.encoder.mask
        items: list[int] = []
        lids: list[int] = []
        unhandled: list[Unhandled] | None = None
        final = True
        for c, shift, cached in self.layout:
            bid = (key >> shift) & mask
            entry = cached(bid) or self.entry(c, bid, key)
            if entry.unhandled:
                unhandled = (unhandled or []) + entry.unhandled
            final = final and entry.final
            if entry.deltas:
                items.extend(map(key.__add__, entry.deltas))
                lids += entry.lids
        return items, lids, not items and not final, unhandled

def _changed_outside(world: World, nxt: World, positions: list[int]) -> bool:
    inside = set(positions)
    return any(a != b and p not in inside for p, (a, b) in enumerate(zip(world, nxt)))


def breadth_first(store: Store[Any], steps: Callable[[Any], Expansion], result: Exploration, limits: Limits,
                  progress: Progress | None, start: float) -> None:
    """Expand every stored world in order of discovery until none is left or a limit stops it;
    ``steps``: :meth:`Stepper.split_steps` or :meth:`WorldSteps.whole_steps`; ``start``: when the
    search began (``perf_counter``). Fills ``result``."""
    try:
        head = _levels(store, steps, result, limits, progress, start)
    except KeyboardInterrupt:
        head = result.expanded
        # Keep what is consistent: every stored world has its parent and label; the world being
        # expanded when the interrupt came counts as not expanded.
        parent, via, depth = result.parent, result.via, result.depth
        stored = min(len(store), len(parent), len(via), len(depth))
        store.truncate(stored)
        del parent[stored:], via.ids[stored:], depth[stored:]  # type: ignore[attr-defined]
        if result.edges is not None:
            result.edges.truncate(head, stored)
        result.stopped = "interrupted"
    result.expanded = head
    result.seconds = time.perf_counter() - start


def _levels(store: Store[Any], steps: Callable[[Any], Expansion], result: Exploration, limits: Limits,
            progress: Progress | None, start: float) -> int:
    """The loop itself; returns how many worlds were expanded (``result.expanded`` and ``transitions``
    are written back on the way out, also by an interrupt). The parent array's length is the number of
    worlds stored whole (key, parent, label, depth)."""
    parent, depth = cast("array[int]", result.parent), cast("array[int]", result.depth)
    via_ids = cast(LabelView, result.via).ids
    edges, deadlocks, seen_unhandled = result.edges, result.deadlocks, set[tuple[int, str]]()
    admit, bounded = store.admit, limits != Limits()
    target, label, close = (edges.target, edges.label, edges.start) if edges is not None else _NOWHERE
    head, next_report, transitions = 0, start + 2.0, result.transitions
    try:
        while head < len(parent):
            items, lids, dead, unhandled = steps(store.handle(head))  # (the store may rebind its handle)
            if unhandled:
                note_unhandled(head, unhandled, result, seen_unhandled)
            if dead:
                deadlocks.append(head)
            transitions += len(items)
            n = len(parent)
            found = admit(items)
            if found and max(found) >= n:  # new worlds: each first occurrence has the next index
                next_depth = depth[head] + 1
                for at, lid in zip(found, lids):
                    if at == n:
                        parent.append(head)
                        via_ids.append(lid)
                        depth.append(next_depth)
                        n += 1
            target.extend(found)  # Edges: this world's row (nowhere when the search keeps no edges)
            label.extend(lids)
            close.append(len(target))
            head += 1
            if bounded and hit_limit(result, limits, head, n, start):
                break
            if progress is not None and (now := time.perf_counter()) >= next_report:
                progress(n, transitions, depth[head - 1], now - start)
                next_report = now + 2.0
    finally:  # also when interrupted: the world being expanded then counts as not expanded
        result.transitions, result.expanded = transitions, head
    return head


class _Nowhere:
    """Where a search that records no edges (symmetry reduction: quotient edges) sends them."""

    def extend(self, values: list[int]) -> None:
        pass

    def append(self, value: int) -> None:
        pass

    def __len__(self) -> int:
        return 0


_NOWHERE: tuple[Any, Any, Any] = (_Nowhere(),) * 3


__all__ = ["Entry", "Expansion", "Stepper", "Store", "WorldSteps", "breadth_first"]
