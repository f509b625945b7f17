"""SPIN cross-check on random toy systems: for each seed, SPIN (no partial-order reduction) finds
exactly the distinct states and transitions prosecheck's search finds."""

from __future__ import annotations

import pytest
from random_toys import random_system

from prosecheck.checker.search import explore
from prosecheck.export.promela import to_promela
from prosecheck.export.spin import available, run_spin

SEEDS = range(16)


@pytest.mark.skipif(not available(), reason="spin and gcc not installed (.ci/run installs them)")
@pytest.mark.parametrize("seed", SEEDS)
def test_spin_counts_random_toy_systems_like_prosecheck(seed: int) -> None:
    system = random_system(seed)
    ours = explore(system)
    spin = run_spin(to_promela(system), optimize=False)
    assert (spin.states, spin.edges) == (ours.states, ours.transitions), f"seed {seed}"


@pytest.mark.skipif(not available(), reason="spin and gcc not installed (.ci/run installs them)")
@pytest.mark.parametrize("seed", SEEDS)
def test_spin_counts_random_library_systems_like_prosecheck(seed: int) -> None:
    """Conditional sends (Send.when) and links with several senders (issue 20), on the same seeds."""
    system = random_system(seed, library=True)
    ours = explore(system)
    spin = run_spin(to_promela(system), optimize=False)
    assert (spin.states, spin.edges) == (ours.states, ours.transitions), f"seed {seed}"


def test_the_random_library_systems_use_both_features() -> None:
    systems = [random_system(seed, library=True) for seed in SEEDS]
    assert sum(any(lk.senders for lk in s.links) for s in systems) >= 4
    assert sum(any(tr.send_when for inst in s.instances for tr in inst.table.transitions) for s in systems) >= 8
    runs = [explore(s) for s in systems]
    assert sum(r.states >= 18 for r in runs) >= 5 and max(r.states for r in runs) >= 1000


def test_the_random_systems_are_varied() -> None:
    """Not all trivial: deadlocks, unhandled messages and hundreds of states occur among the seeds."""
    runs = [explore(random_system(seed)) for seed in SEEDS]
    assert sum(r.states >= 100 for r in runs) >= 3 and max(r.states for r in runs) >= 500
    assert sum(bool(r.deadlocks) for r in runs) >= 4 and sum(bool(r.unhandled) for r in runs) >= 4
    assert [r.states for r in runs] == [explore(random_system(seed)).states for seed in SEEDS]  # seeded: repeatable
