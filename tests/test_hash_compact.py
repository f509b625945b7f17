"""Hash compaction: fingerprints only, same search on small systems, verdicts marked probabilistic."""

from __future__ import annotations

from toy import ping_pong, ping_pong_pairs, waiter

from prosecheck.checker.compact import omission_bound
from prosecheck.checker.search import explore
from prosecheck.checker.store import world_fingerprint
from prosecheck.cli import main
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import check_scenario


def test_fingerprints_are_fixed_across_processes():
    assert world_fingerprint((0, 1, ())) == world_fingerprint((0, 1, ()))
    assert world_fingerprint((0, 1, ())) == 0x29665d90ec887d8e  # BLAKE2b-64 of '(0, 1, ())', the same in every process
    assert omission_bound(1) == 0 and 0 < omission_bound(10**6) < 3e-8


def test_compacted_search_matches_the_exact_one_when_nothing_collides():
    for system in (ping_pong(), ping_pong_pairs(2), waiter()):
        a, b = explore(system), explore(system, hash_compact=True)
        assert (a.states, a.transitions, a.deadlocks, a.unhandled, a.fired) == \
            (b.states, b.transitions, b.deadlocks, b.unhandled, b.fired)
        assert list(a.parent) == list(b.parent) and list(a.via) == list(b.via)
        assert list(a.worlds) == list(b.worlds)  # re-derived from the stored steps
        assert b.worlds[b.states - 1] == a.worlds[a.states - 1] and b.index_of(a.worlds[1]) == 1
        assert b.probabilistic and "omitted" in b.notes[0]


def test_holds_is_probabilistic_and_violations_are_not():
    r = check_scenario(SCENARIOS["m200"], ["no_knr_after_withdrawal", "knr_agreement"], hash_compact=True)
    exact = check_scenario(SCENARIOS["m200"], ["no_knr_after_withdrawal", "knr_agreement"])
    assert r.states == exact.states and "hash compaction" in r.notes[0]
    violated, holds = r.properties["no_knr_after_withdrawal"], r.properties["knr_agreement"]
    assert violated.verdict == "VIOLATED" and not violated.probabilistic and violated.replay == []
    assert violated.trace == exact.properties["no_knr_after_withdrawal"].trace
    assert holds.verdict == "HOLDS" and holds.probabilistic


def test_hash_compact_and_symmetry_are_exclusive(capsys):
    assert main(["check", "m200", "--hash-compact", "--symmetry"]) == 2
    assert "cannot be combined" in capsys.readouterr().err
