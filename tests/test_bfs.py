"""The one breadth-first loop (checker/bfs.py): its stores number what they admit alike, and every
store gives the exploration an independent naive breadth-first search gives."""

from __future__ import annotations

from array import array
from collections import deque

import pytest
from random_toys import random_system
from toy import counters, lossy_ping_pong, ping_pong, ping_pong_pairs, waiter

from prosecheck.bench import BENCHMARKS, DEFAULT, GROWTH
from prosecheck.checker.compact import FingerprintStore
from prosecheck.checker.search import Limits, explore
from prosecheck.checker.store import CanonicalStore, ComponentFingerprints, Encoder, InternedWorlds, VisitedStore
from prosecheck.model.build import build_system
from prosecheck.scenarios.catalog import SCENARIOS


def _numbering(items, first):
    """What admit must return: each item's index by first occurrence (``first`` is stored as index 0)."""
    seen: dict[object, int] = {first: 0}
    return [seen.setdefault(item, len(seen)) for item in items]


def test_the_key_store_numbers_a_batch_with_repeats_by_first_occurrence():
    s = VisitedStore()
    s.add(99)
    batch = [(k * 7919) % 3001 for k in range(3000)] * 2 + [2**70 + 1, 99, 2**70 + 1]
    assert s.admit(batch) == _numbering(batch, 99)
    assert len(s) == len(set(batch)) and s.handle(1) == batch[0] and s.find(2**70 + 1) == len(s) - 1


def test_the_whole_world_store_is_the_interning_table():
    system = ping_pong()
    enc = Encoder(system)
    keys = VisitedStore(identity=True)
    keys.add(enc.encode(system.initial()))
    store = InternedWorlds(enc, keys)
    worlds = [w for _, w in system.successors(system.initial())[0]]
    worlds = worlds + worlds + [system.initial()]
    assert store.admit(worlds) == _numbering(worlds, system.initial())
    assert [store.handle(i) for i in range(len(store))] == enc.blocks[0] and list(keys.keys) == list(range(len(store)))


def test_the_symmetric_store_keeps_one_concrete_world_per_orbit():
    system = ping_pong_pairs(2)
    enc = Encoder(system, symmetry=True)
    first = enc.encode(system.initial())
    keys, concrete = VisitedStore(), array("Q", [first])
    keys.add(enc.canonical(first))
    store = CanonicalStore(enc, keys, concrete)
    moved = enc.block_id(0, tuple(-1 for _ in enc.positions[0]))  # a value only the test makes
    a, b = enc.pack([moved, 0]), enc.pack([0, moved])  # the same orbit, twice
    assert store.admit([a, b, first, a]) == [1, 1, 0, 1]
    assert len(store) == 2 and store.handle(1) == a and list(concrete) == [first, a]
    store.truncate(1)
    assert len(store) == 1 and list(concrete) == [first]


def test_the_fingerprint_store_hands_out_its_frontier_in_order():
    system = ping_pong()
    store = FingerprintStore(system.initial())
    worlds = [w for _, w in system.successors(system.initial())[0]]
    assert store.admit(worlds + worlds) == _numbering(worlds + worlds, system.initial())
    assert [store.handle(i) for i in range(len(store))] == [system.initial(), *dict.fromkeys(worlds)]


def _naive(system):
    """Breadth-first search the plain way: a dict of worlds, the system's successors in order."""
    index, worlds, parent, labels, depth = {system.initial(): 0}, [system.initial()], [-1], [None], [0]
    deadlocks, transitions, queue = [], 0, deque([0])
    while queue:
        i = queue.popleft()
        succ, _ = system.successors(worlds[i])
        transitions += len(succ)
        if not succ and not system.is_final(worlds[i]):
            deadlocks.append(i)
        for label, nxt in succ:
            if nxt not in index:
                index[nxt] = len(worlds)
                worlds.append(nxt)
                parent.append(i)
                labels.append(label)
                depth.append(depth[i] + 1)
                queue.append(index[nxt])
    return worlds, parent, labels, depth, deadlocks, transitions


def _systems():
    yield "ping-pong", ping_pong
    yield "waiter", waiter
    yield "lossy ping-pong", lambda: lossy_ping_pong(pings=2, duplication=True)
    yield "ping-pong pairs (split)", lambda: ping_pong_pairs(3, 1)
    yield "counters (split)", lambda: counters(limit=3, copies=3)
    yield "m300.ausf_udm, 2 remote UEs (split)", lambda: build_system(SCENARIOS["m300.ausf_udm"].with_bounds(
        remote_ues=2, attempts=1, withdrawals=1, restores=0))
    for seed in range(8):
        yield f"random toy {seed}", lambda seed=seed: random_system(seed)


@pytest.mark.parametrize("make", [pytest.param(m, id=n) for n, m in _systems()])
def test_every_store_gives_the_naive_search(make):
    worlds, parent, labels, depth, deadlocks, transitions = _naive(make())
    exact, compact = explore(make()), explore(make(), hash_compact=True)
    for e in (exact, compact):
        assert (e.states, e.transitions, e.expanded, e.complete) == (len(worlds), transitions, len(worlds), True)
        assert list(e.worlds) == worlds and list(e.parent) == parent and list(e.via) == labels
        assert list(e.depth) == depth and e.deadlocks == deadlocks
    assert (exact.unhandled, exact.fired) == (compact.unhandled, compact.fired)
    assert exact.edges is not None and exact.edges.expanded == exact.states


def test_a_state_limit_stops_every_store_at_the_same_world():
    runs = [explore(counters(limit=4, copies=3), Limits(max_states=50), hash_compact=h) for h in (False, True)]
    assert [(e.stopped, e.states, e.expanded) for e in runs] == [("max-states 50", runs[0].states, runs[0].expanded)] * 2
    assert runs[0].states >= 50 > runs[0].expanded and list(runs[0].parent) == list(runs[1].parent)


def test_the_ten_million_state_benchmark_is_listed_and_described_but_never_a_default():
    huge = BENCHMARKS["huge"]
    assert huge.scenario == "m300.ausf_udm" and huge.bounds["remote_ues"] == 3 and "10 million" in huge.note
    assert "huge" not in DEFAULT and "huge" not in GROWTH


def test_component_fingerprints_are_the_same_from_keys_and_from_worlds():
    exact = explore(ping_pong_pairs(3, 1))
    fingerprints = ComponentFingerprints(exact.encoder)
    by_key = [fingerprints.of_key(exact.encoder.encode(w)) for w in exact.worlds]
    assert by_key == [fingerprints.of_world(w) for w in exact.worlds] and len(set(by_key)) == exact.states
    compact = explore(ping_pong_pairs(3, 1), hash_compact=True)
    assert [compact.index_of(w) for w in exact.worlds] == list(range(exact.states))
    assert compact.index_of(exact.worlds[0][:-1]) is None


@pytest.mark.parametrize("options", [{}, {"hash_compact": True}, {"symmetry": True}])
def test_an_interrupt_leaves_every_store_consistent(options, monkeypatch):
    system = ping_pong_pairs(3, 1)
    calls, original = {"n": 0}, system.successors

    def interrupting(*args):
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(system, "successors", interrupting)
    e = explore(system, **options)
    assert e.stopped == "interrupted" and 0 < e.expanded < e.states
    assert len(e.worlds) == len(e.parent) == len(e.via) == len(e.depth) == len(e.store) == e.states
    assert all(e.parent[i] < e.expanded for i in range(1, e.states))
