"""One partition of the parallel breadth-first search (:mod:`prosecheck.checker.parallel`).

Partition ``p`` of ``P`` owns the worlds whose deterministic fingerprint routes to ``p``: it
keeps them in its own compact visited store and expands them. A world travels between
partitions as one 64-bit fingerprint per component (BLAKE2b of the component's value, the same
in every process); the component's value itself travels once per destination, the first time
its fingerprint is sent there. With one component a world's value always travels with it (the
sender interns nothing it does not own).

A level is two calls. :meth:`Partition.expand` generates the successors of the owned frontier
worlds (in global index order) and returns one batch per destination: rows ``(parent index,
successor ordinal, label id, fingerprints...)``, already sorted by ``(parent, ordinal)``, plus
the facts seen (transitions, deadlocks, unhandled messages, new labels, fired transitions).
:meth:`Partition.absorb` merges the batches addressed to it in ``(parent, ordinal)`` order,
which is the order the sequential search meets them in, and keeps the first occurrence of each
world not yet visited: the new worlds of the next level that this partition owns.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable
from itertools import repeat
from typing import TypedDict, cast

from prosecheck.checker.bfs import Stepper
from prosecheck.checker.machine import ModelError
from prosecheck.checker.search import LabelView, peak_rss_mb
from prosecheck.checker.store import GOLDEN, M64, MIX, Block, Encoder, VisitedStore
from prosecheck.checker.store import value_fingerprint as value_fingerprint  # re-exported: its home was here
from prosecheck.checker.system import Label, System, Unhandled, World

Shipment = tuple[int, Block] | World
"""A value sent with its fingerprint: ``(component, value)`` when the world splits into several
components, else the whole world."""
Batch = tuple[bytes, dict[int, Shipment]]
"""Rows (``array('Q')`` bytes) and the values first sent with them, by fingerprint."""
Absorbed = tuple[bytes, dict[int, Shipment], str | None, float]
"""What :meth:`Partition.absorb` returns: new-world rows, values for the driver, why full, seconds."""


class Facts(TypedDict):
    """What :meth:`Partition.expand` saw in one level, besides the batches."""

    transitions: int
    deadlocks: list[int]  # global indices
    unhandled: list[tuple[int, int, Unhandled]]  # (global index, position among its unhandled, message)
    candidates: int  # successor rows sent
    labels: list[Label]  # labels interned since the last level, in id order
    fired: list[tuple[int, int]]  # (instance, transition index)
    bytes: int  # bytes of the rows
    seconds: float


def _component(shipment: Shipment) -> tuple[int, Block]:
    """A shipment of a split world: ``(component, value)``."""
    return cast(tuple[int, Block], shipment)


def _world(shipment: Shipment) -> World:
    """A shipment of a world that does not split: the world itself."""
    return cast(World, shipment)
def route(fps: list[int] | tuple[int, ...], parts: int) -> int:
    """The partition owning a world, from its component fingerprints (deterministic everywhere)."""
    s = 0
    for fp, m in zip(fps, MIX):
        s = (s + fp * m) & M64
    return _owner(s, parts)


def _owner(s: int, parts: int) -> int:
    s = (s ^ (s >> 31)) * GOLDEN & M64
    return (s >> 32) % parts


class Partition:
    """The visited set and frontier of one partition; the unit a Ray actor wraps."""

    def __init__(self, index: int, parts: int, factory: Callable[[], System], max_memory_mb: float | None) -> None:
        self.index, self.parts, self.max_memory_mb = index, parts, max_memory_mb
        self.system = system = factory()
        self.encoder = enc = Encoder(system)
        self.split = enc.components > 1
        self.width = 3 + enc.components  # row: parent, ordinal, label id, one fingerprint per component
        self.store = VisitedStore()
        self.via = LabelView()
        self.fired: set[tuple[int, int]] = set()
        self.stepper = Stepper(system, enc, self.via, self.fired)
        self.fps: list[list[int]] = [[] for _ in range(enc.components)]  # fingerprint of each local block id
        self.bids: list[dict[int, int]] = [{} for _ in range(enc.components)]  # fingerprint -> local block id
        self.sent: list[set[int]] = [set() for _ in range(parts + 1)]  # fingerprints each partition (+ driver) has
        self.labels_sent = 1
        self.seen_unhandled: set[tuple[int, str]] = set()
        self.frontier: list[int] = []  # local keys (one component: local ids) of owned new worlds, in global order
        initial = system.initial()
        key = enc.encode(initial)
        if route(self._fingerprints(key), parts) == index:
            self.store.add(key)
            self.frontier.append(key)
        self.busy = 0.0  # CPU seconds of this thread in expand + absorb (time.thread_time: load-independent)

    # --- fingerprints of local component values -------------------------------------------------
    def _sync(self, c: int) -> None:
        """Fingerprint the component values interned since the last call (the stepper interns too)."""
        fps, bids, blocks = self.fps[c], self.bids[c], self.encoder.blocks[c]
        while len(fps) < len(blocks):
            fp = value_fingerprint((c, blocks[len(fps)]))
            if fp in bids:
                raise ModelError(f"component {c}: two values share the 64-bit fingerprint {fp:#x}")
            bids[fp] = len(fps)
            fps.append(fp)

    def _fp(self, c: int, bid: int) -> int:
        if bid >= len(self.fps[c]):
            self._sync(c)
        return self.fps[c][bid]

    def _fingerprints(self, key: int) -> list[int]:
        if not self.split:
            return [value_fingerprint(self.encoder.blocks[0][key])]
        return [self._fp(c, b) for c, b in enumerate(self.encoder.ids(key))]

    def _bid(self, c: int, fp: int, shipped: dict[int, Shipment]) -> int:
        bid = self.bids[c].get(fp)
        if bid is None:
            self._sync(c)
            bid = self.bids[c].get(fp)
        if bid is None:
            bid = self.encoder.block_id(c, _component(shipped[fp])[1])
            self._sync(c)
            self.bids[c][fp] = bid
        elif fp in shipped and self.encoder.blocks[c][bid] != _component(shipped[fp])[1]:
            raise ModelError(f"component {c}: two values share the 64-bit fingerprint {fp:#x}")
        return bid

    # --- one level --------------------------------------------------------------------------------
    def expand(self, indices: bytes) -> list[Batch | Facts]:
        """Successors of the owned frontier worlds (global indices ``indices``, in order): one batch per
        partition, then the facts seen (a dict)."""
        start, cpu = time.perf_counter(), time.thread_time()
        glob = array("Q")
        glob.frombytes(indices)
        if len(glob) != len(self.frontier):
            raise ModelError(f"partition {self.index}: {len(glob)} indices for {len(self.frontier)} frontier worlds")
        rows = [array("Q") for _ in range(self.parts)]
        shipped: list[dict[int, Shipment]] = [{} for _ in range(self.parts)]
        facts: Facts = {"transitions": 0, "deadlocks": [], "unhandled": [], "candidates": 0,
                        "labels": [], "fired": [], "bytes": 0, "seconds": 0.0}  # the last four set below
        level_sent: set[int | World] = set()  # local keys sent this level: a later copy can never come first
        expand_one = self._expand_split if self.split else self._expand_whole
        for g, key in zip(glob, self.frontier):
            expand_one(g, key, rows, shipped, facts, level_sent)
        self.frontier = []
        facts["labels"] = [label for label in self.via.table[self.labels_sent:] if label is not None]  # id 0: None
        self.labels_sent = len(self.via.table)
        facts["fired"] = list(self.fired)
        facts["bytes"] = sum(len(r) * 8 for r in rows)
        facts["seconds"] = time.perf_counter() - start
        self.busy += time.thread_time() - cpu
        out: list[Batch | Facts] = [(rows[q].tobytes(), shipped[q]) for q in range(self.parts)]
        return out + [facts]

    def _note(self, g: int, found: list[Unhandled], facts: Facts, pos: int) -> int:
        for u in found:
            if (u.instance, u.message[0]) not in self.seen_unhandled:
                self.seen_unhandled.add((u.instance, u.message[0]))
                facts["unhandled"].append((g, pos, u))
            pos += 1
        return pos

    def _expand_split(self, g: int, key: int, rows: list[array[int]], shipped: list[dict[int, Shipment]],
                      facts: Facts, level_sent: set[int | World]) -> None:
        """Route the successors of world ``g`` (several components: the sequential search's
        :meth:`~prosecheck.checker.bfs.Stepper.split_steps`, so the same steps in the same order)."""
        items, lids, dead, unhandled = self.stepper.split_steps(key)
        self._facts(g, len(items), dead, unhandled, facts)
        enc, parts, sent = self.encoder, self.parts, self.sent
        for ordinal, (nxt, label_id) in enumerate(zip(items, lids)):
            if nxt in level_sent:
                continue
            level_sent.add(nxt)
            ids = enc.ids(nxt)
            fps = [self._fp(c, b) for c, b in enumerate(ids)]
            q = route(fps, parts)
            to_q = sent[q]
            for j, fp in enumerate(fps):
                if fp not in to_q:
                    to_q.add(fp)
                    shipped[q][fp] = (j, enc.blocks[j][ids[j]])
            rows[q].extend((g, ordinal, label_id, *fps))
            facts["candidates"] += 1

    def _expand_whole(self, g: int, key: int, rows: list[array[int]], shipped: list[dict[int, Shipment]],
                      facts: Facts, level_sent: set[int | World]) -> None:
        """Route the successors of world ``g`` (one component: the sequential search's
        :meth:`~prosecheck.checker.bfs.WorldSteps.whole_steps`)."""
        items, lids, dead, unhandled = self.stepper.whole_steps(self.encoder.blocks[0][key])
        self._facts(g, len(items), dead, unhandled, facts)
        for ordinal, (nxt, lid) in enumerate(zip(items, lids)):
            if nxt in level_sent:
                continue
            level_sent.add(nxt)
            fp = value_fingerprint(nxt)
            q = _owner((fp * MIX[0]) & M64, self.parts)
            if shipped[q].setdefault(fp, nxt) != nxt:
                raise ModelError(f"two worlds share the 64-bit fingerprint {fp:#x}")
            rows[q].extend((g, ordinal, lid, fp))
            facts["candidates"] += 1

    def _facts(self, g: int, transitions: int, dead: bool, unhandled: list[Unhandled] | None, facts: Facts) -> None:
        """What expanding world ``g`` saw besides its successors."""
        if unhandled:
            self._note(g, unhandled, facts, 0)
        if dead:
            facts["deadlocks"].append(g)
        facts["transitions"] += transitions

    def absorb(self, *batches: Batch) -> Absorbed:
        """Keep the first occurrence of each unvisited world among the batches addressed here; return
        the new worlds as rows ``(parent, ordinal, sender, label id, fingerprints...)`` in that order,
        the component values the driver has not seen, and why the partition is full (or None)."""
        start, cpu = time.perf_counter(), time.thread_time()
        out = array("Q")
        to_driver: dict[int, Shipment] = {}
        full: str | None = None
        shipments = [shipped for _, shipped in batches]
        for n, row in enumerate(self._merged(batches)):
            shipped = shipments[row[-1]]
            if self._add(row, shipped):
                out.extend(row[:2])
                out.append(row[-1])
                out.extend(row[2:-1])
                self._ship_to_driver(row, shipped, to_driver)
            if n % 4096 == 4095 and (full := self._full()):
                break
        full = full or self._full()
        seconds = time.perf_counter() - start
        self.busy += time.thread_time() - cpu
        return out.tobytes(), to_driver, full, seconds

    def _full(self) -> str | None:
        """Why this partition must stop: its process reached the memory limit (checked every 4096 rows)."""
        if self.max_memory_mb is None or peak_rss_mb() < self.max_memory_mb:
            return None
        return f"max-memory {self.max_memory_mb:g} MB (partition {self.index} of {self.parts})"

    def _merged(self, batches: tuple[Batch, ...]) -> list[tuple[int, ...]]:
        """All rows addressed here, each with its sender last, in (parent, ordinal) order (each batch is
        already in that order and parents are disjoint between senders: one sort merges the runs)."""
        w = self.width
        merged: list[tuple[int, ...]] = []
        for sender, (data, _) in enumerate(batches):
            flat = array("Q")
            flat.frombytes(data)
            merged += zip(*(flat[i::w] for i in range(w)), repeat(sender))
        merged.sort()
        return merged

    def _add(self, row: tuple[int, ...], shipped: dict[int, Shipment]) -> bool:
        """Store the world of ``row`` (parent, ordinal, label, fingerprints..., sender) if it is new."""
        if not self.split:
            table = self.encoder.tables[0]
            world = _world(shipped[row[3]])
            if world in table:
                return False
            self.frontier.append(self.encoder.block_id(0, world))
            return True
        key, bids = 0, self.bids
        for c, shift in enumerate(self.encoder.shifts):
            fp = row[3 + c]
            bid = bids[c].get(fp)
            if bid is None or fp in shipped:
                bid = self._bid(c, fp, shipped)
            key |= bid << shift
        if not self.store.add(key):
            return False
        self.frontier.append(key)
        return True

    def _ship_to_driver(self, row: tuple[int, ...], shipped: dict[int, Shipment],
                        to_driver: dict[int, Shipment]) -> None:
        if not self.split:
            to_driver[row[3]] = shipped[row[3]]
            return
        sent = self.sent[self.parts]
        for c, fp in enumerate(row[3:-1]):
            if fp not in sent:
                sent.add(fp)
                to_driver[fp] = (c, self.encoder.blocks[c][self.bids[c][fp]])

    def memory_mb(self) -> float:
        return peak_rss_mb()

    def stats(self) -> tuple[float, float]:
        """CPU seconds spent expanding and absorbing, and the peak resident memory of this process (MB)."""
        return self.busy, peak_rss_mb()
