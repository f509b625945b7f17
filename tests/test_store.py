"""The compact search core: component keys, the visited store, and identical results to one-component search."""

from __future__ import annotations

import pytest
from toy import counters, ping_pong, ping_pong_pairs

from prosecheck.checker import store as store_module
from prosecheck.checker.search import explore
from prosecheck.checker.store import Encoder, VisitedStore, fingerprint
from prosecheck.model.build import build_system
from prosecheck.scenarios.catalog import SCENARIOS


def test_fingerprint_is_a_fixed_64_bit_function_of_the_key():
    assert fingerprint(0) == 0 and fingerprint(1) == fingerprint(1) < 2**64
    assert fingerprint(2**64 + 5) != fingerprint(5)  # every 64-bit chunk counts
    product = (12345 * 0x9E3779B97F4A7C15) % 2**64
    assert fingerprint(12345) == product ^ (product >> 29) == 11613906227481706999  # the same in every process


def test_visited_store_numbers_keys_in_order_and_grows():
    s = VisitedStore()
    keys = [(k * 7919) % 100003 for k in range(5000)]
    assert all(s.add(k) for k in keys) and not s.add(keys[17])
    assert [s.find(k) for k in keys[:50]] == list(range(50)) and s.find(100004) is None
    assert len(s) == 5000 and len(s.index) >= 10000
    s.truncate(10)
    assert len(s) == 10 and s.find(keys[9]) == 9 and s.find(keys[10]) is None


def test_visited_store_keeps_keys_wider_than_64_bits():
    s = VisitedStore()
    assert s.add(5) and s.add(2**70 + 5) and not s.add(2**70 + 5)
    assert s.find(2**70 + 5) == 1 and s.find(5) == 0


def test_one_group_is_one_component_and_groups_split():
    assert Encoder(ping_pong()).components == 1
    enc = Encoder(ping_pong_pairs(3))
    assert enc.components == 3 and enc.bits == 21
    world = ping_pong_pairs(3).initial()
    assert enc.decode(enc.encode(world)) == world


def _same(a, b):
    assert (a.states, a.transitions, a.max_depth) == (b.states, b.transitions, b.max_depth)
    assert list(a.worlds) == list(b.worlds) and list(a.parent) == list(b.parent)
    assert list(a.via) == list(b.via) and list(a.depth) == list(b.depth)
    assert a.deadlocks == b.deadlocks and a.unhandled == b.unhandled and a.fired == b.fired


@pytest.mark.parametrize("make", [lambda: ping_pong_pairs(2), lambda: ping_pong_pairs(3, 1),
                                  lambda: build_system(SCENARIOS["m300.panf_udm"].with_bounds(
                                      remote_ues=2, attempts=1, withdrawals=1, restores=0))])
def test_split_search_equals_one_component_search(make, monkeypatch):
    split = explore(make(), engine="python")  # the Python search's encoder (tests/test_native.py: the C one)
    assert split.encoder is not None and split.encoder.components > 1
    monkeypatch.setattr(store_module, "_groups", lambda system: [
        (list(range(len(system.initial()))), list(range(len(system.instances))))])
    whole = explore(make(), engine="python")
    assert whole.encoder is not None and whole.encoder.components == 1
    _same(split, whole)


def test_pairs_multiply_and_every_world_has_its_index():
    e = explore(ping_pong_pairs(2))
    assert (e.states, e.transitions) == (49, 84)  # 7 x 7 worlds; 6 steps per pair per line position
    assert all(e.index_of(w) == i for i, w in enumerate(e.worlds))
    assert e.index_of(counters().initial()) is None


def test_store_memory_is_counted():
    e = explore(ping_pong_pairs(3))
    assert e.states == 343 and 0 < e.store_bytes() < 343 * 400
