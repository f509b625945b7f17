"""Shared, cached results: each default scenario is checked once per test session."""

from __future__ import annotations

import functools
import os

import pytest

from prosecheck.model.scenarios import SCENARIOS
from prosecheck.verify import ScenarioResult, check_scenario


@functools.cache
def checked(scenario_id: str) -> ScenarioResult:
    """The full check of a named scenario (every property), computed once."""
    return check_scenario(SCENARIOS[scenario_id])


@pytest.fixture(scope="session")
def check_once():
    return checked


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
    "test_threat_model.py",
    "test_threats_doc.py",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: not in the fast tier (pytest -m 'not slow'); see tests/conftest.py")
    config.addinivalue_line("markers", "generated: a committed generated file is current (pytest -m generated, "
                            "the same as `prosecheck regen --check`); slow too")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_FILES or item.get_closest_marker("generated"):
            item.add_marker(pytest.mark.slow)
