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


# The result cache (prosecheck.cache) stays off in tests, subprocesses included: every test checks for
# real. tests/test_post_search.py turns it on in a temporary folder to test it.
os.environ["PROSECHECK_CACHE"] = "off"
