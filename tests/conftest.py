"""Shared, cached results: each default scenario is checked once per test session."""

from __future__ import annotations

import functools

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
