"""Every violation of an invariant or liveness property in the default scenarios has a golden
shortest trace under ``tests/golden/``; a change to a trace must be a deliberate one.

``prosecheck regen golden`` writes them (:func:`prosecheck.report.generated.golden_text`) and
tests/test_generated.py keeps them current; here: the traces kept are exactly the violations the
manifest (tests/test_scenarios.py) pins, and the attacks found under a threat model."""

from __future__ import annotations

from pathlib import Path

from test_scenarios import MANIFEST

from prosecheck.properties.catalog import PROPERTIES
from prosecheck.report.generated import GOLDEN, GOLDEN_ATTACKS, golden_name, golden_pairs
from prosecheck.scenarios.catalog import DEFAULT_SCENARIOS

FOLDER = Path(__file__).parent.parent / GOLDEN
PAIRS = [
    (s.id, pid) for s in DEFAULT_SCENARIOS for pid in sorted(MANIFEST[s.id][3])
    if pid not in PROPERTIES or PROPERTIES[pid].kind != "sometimes"
] + [(GOLDEN_ATTACKS[0], pid) for pid in GOLDEN_ATTACKS[1]]
"""Every violation of the default set, and the attacks found under threat models (opt-in scenarios)."""


def test_the_golden_traces_are_the_manifests_violations_and_the_attacks(check_once):
    attacked, pids = GOLDEN_ATTACKS
    assert golden_pairs([check_once(s.id) for s in DEFAULT_SCENARIOS]) + [(attacked, p) for p in pids] == PAIRS
    assert sorted(p.name for p in FOLDER.iterdir()) == sorted(golden_name(sid, pid) for sid, pid in PAIRS)
