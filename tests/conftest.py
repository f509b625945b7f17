"""Shared, cached results: each default scenario is checked once per test session."""

from __future__ import annotations

import functools
import os

import pytest

from prosecheck.checker.search import Exploration
from prosecheck.scenarios.catalog import DEFAULT_SCENARIOS, SCENARIOS
from prosecheck.verify import ScenarioResult, check_scenario

# ---- shared explorations (issue 26) -------------------------------------------------------------
# Each scenario a test reads is explored once per session: `check_once(sid)` is its full check
# (every property). A default scenario's result also keeps its exploration (the reachable set), which
# the tests that read the set use instead of exploring again: the certificates (tests/test_certificate.py),
# the guard analysis of docs/spec-analysis.md (tests/test_analysis_doc.py) and the Z3/Python agreement
# (tests/test_properties.py). All 37 default explorations together: about 1 GB, 861,260 worlds.
# Threat scenarios (tests/test_threats_doc.py checks them all) keep none: nothing reads their sets.
KEEPS_EXPLORATION = frozenset(s.id for s in DEFAULT_SCENARIOS)


@functools.cache
def checked(scenario_id: str) -> ScenarioResult:
    """The full check of a named scenario (every property), computed once; a default scenario's
    result keeps its exploration. A caller that lets go of or changes a part must copy first."""
    return check_scenario(SCENARIOS[scenario_id], keep_exploration=scenario_id in KEEPS_EXPLORATION)


def explored(scenario_id: str) -> Exploration:
    """The complete exploration of a default scenario, from its shared check (:func:`checked`)."""
    exploration = checked(scenario_id).exploration
    assert exploration is not None and exploration.complete, f"{scenario_id}: no complete exploration kept"
    return exploration


@pytest.fixture(scope="session")
def check_once():
    return checked


@pytest.fixture(scope="session")
def explore_once():
    return explored
# ---- end of shared explorations -----------------------------------------------------------------


# The result cache (prosecheck.cli.cache) stays off in tests, subprocesses included: every test checks for
# real. tests/test_post_search.py turns it on in a temporary folder to test it.
os.environ["PROSECHECK_CACHE"] = "off"


# ---- test tiers ---------------------------------------------------------------------------------
# `pytest -m "not slow"` is the fast tier for the edit loop (README); the README's test command runs
# everything; `pytest -m generated` runs exactly the tests that a committed generated file is current
# (tests/test_generated.py, one per artifact of `prosecheck regen`), which are slow too. A file is
# slow when it explores many scenarios, runs SPIN, Ray, Chromium or subprocesses, or regenerates a
# committed document; measured with `pytest --durations=50` (see the README).
SLOW_FILES = (
    "test_analysis_doc.py", "test_attacker.py", "test_certificate.py", "test_cli.py", "test_crosscheck.py",
    "test_golden.py", "test_houdini.py", "test_interrupts.py", "test_live_replay.py", "test_mermaid_render.py",
    "test_mutants.py", "test_parallel.py", "test_promela.py", "test_properties.py", "test_prove.py",
    "test_replay.py", "test_report.py", "test_scenarios.py", "test_spin_random.py",
    "test_threat_model.py", "test_fixes.py",
    "test_threats_doc.py", "test_ray_cluster.py",
    # each 9-14 s on an idle machine (pytest --durations=0 -m "not slow", summed per file): out of the
    # fast tier so that it stays near a minute
    "test_analysis_precision.py", "test_certify.py", "test_readers.py", "test_json_schemas.py",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: not in the fast tier (pytest -m 'not slow'); see tests/conftest.py")
    config.addinivalue_line("markers", "generated: a committed generated file is current (pytest -m generated, "
                            "the same as `prosecheck regen --check`); slow too")


# The README's test command runs the suite on every core (pytest-xdist, `-n auto --dist loadgroup`). The
# files that start Ray clusters or count processes machine-wide share one worker, one test at a time, so
# that no two Ray sessions overlap (a test that looks for leftover Ray processes would see the other's).
SERIAL_GROUPS = {
    "ray": ("test_parallel.py", "test_interrupts.py", "test_ray_cluster.py", "test_ray_partition_lost.py"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    group_of = {name: group for group, names in SERIAL_GROUPS.items() for name in names}
    for item in items:
        if item.path.name in SLOW_FILES or item.get_closest_marker("generated"):
            item.add_marker(pytest.mark.slow)
        if item.path.name in group_of:
            item.add_marker(pytest.mark.xdist_group(group_of[item.path.name]))
