"""Symmetry reduction over identical groups (remote UEs): reduced counts, and the same verdicts as the full search."""

from __future__ import annotations

import pytest
from toy import counters, ping_pong, ping_pong_pairs

from prosecheck.checker.search import explore
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import check_scenario


@pytest.mark.parametrize(("pairs", "full", "reduced"), [(2, (49, 84), (28, 48)), (3, (343, 882), (84, 216))])
def test_identical_pairs_reduce_to_multisets(pairs, full, reduced):
    # 7 worlds per pair: k pairs give 7^k worlds, and C(7 + k - 1, k) multisets of pair worlds
    a, b = explore(ping_pong_pairs(pairs)), explore(ping_pong_pairs(pairs), symmetry=True)
    assert (a.states, a.transitions) == full and (b.states, b.transitions) == reduced
    assert b.symmetry and b.notes and not a.notes


def test_one_group_is_not_reduced_and_says_so():
    for system in (ping_pong(), counters()):
        e = explore(system, symmetry=True)
        assert not e.symmetry and e.states == explore(system).states and "not reduced" in e.notes[0]


def test_every_kept_world_is_a_real_successor_of_its_parent():
    e = explore(ping_pong_pairs(3), symmetry=True)
    for i in range(1, e.states):
        succ, _ = e.system.successors(e.worlds[e.parent[i]])
        assert (e.via[i], e.worlds[i]) in succ
    assert e.index_of(e.worlds[17]) == 17


def test_coverage_counts_a_step_for_every_identical_group():
    assert explore(ping_pong_pairs(2), symmetry=True).fired == explore(ping_pong_pairs(2)).fired


@pytest.mark.parametrize("sid", ["m200", "m300.panf_udm.s3042_success_only", "m300.ausf_udm"])
def test_two_remote_ues_same_verdicts_with_and_without_symmetry(sid):
    scenario = SCENARIOS[sid].with_bounds(remote_ues=2, attempts=1, withdrawals=1, restores=0)
    one = check_scenario(SCENARIOS[sid].with_bounds(attempts=1, withdrawals=1, restores=0), replay=False)
    full, reduced = check_scenario(scenario), check_scenario(scenario, symmetry=True)
    n = one.states  # the two UEs' worlds are independent: n^2 worlds, n(n+1)/2 up to swapping the UEs
    assert (full.states, reduced.states) == (n * n, n * (n + 1) // 2)
    # liveness needs concrete edges: under symmetry reduction it is INCONCLUSIVE, never a guess
    liveness = {p for p, r in full.properties.items() if r.kind == "eventually"} | {"livelock_free"}
    assert all(reduced.properties[p].verdict in ("INCONCLUSIVE", "n/a") for p in liveness)
    assert ({p: r.verdict for p, r in full.properties.items() if p not in liveness}
            == {p: r.verdict for p, r in reduced.properties.items() if p not in liveness})
    for p, r in reduced.properties.items():
        if p in liveness:
            continue
        assert r.replay in (None, []), p  # every reduced trace replays on live machines
        if r.trace is not None:
            assert len(r.trace) == len(full.properties[p].trace or [])  # shortest traces, same length
    assert full.never_fired == reduced.never_fired
