"""``prove --engine abstract`` with no ``--property``: the abstraction gets only the properties that apply,
one search per group of properties that keep the same ghost facts.

A property that does not apply to the scenario's procedure (the attacker's secrecy properties in an
honest scenario) cannot be bound to its system; handing it to the early-stop check made that check
refuse ("no element 'attacker'") and fall back to one search per attempts bound (119 searches
instead of 15, about 8x the time).
"""

from __future__ import annotations

from typing import Any

import prosecheck.abstraction as abstraction
from prosecheck.model.build import options_of
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.prove import chosen_properties, prove_scenario
from prosecheck.scenarios.catalog import SCENARIOS


def test_every_always_property_goes_to_one_early_stop_search_per_ghost_group(monkeypatch: Any) -> None:
    scenario = SCENARIOS["m300.panf_udm"]
    asked: list[list[str]] = []

    def decide_many(scenario_: Any, property_ids: list[str], attempts: int, progress: Any = None,
                    **_: Any) -> dict[str, Any]:
        asked.append(list(property_ids))
        return {pid: abstraction.Verdict(scenario_.id, pid, "HOLDS", attempts, 1, 0.0, 1, "0" * 16)
                for pid in property_ids}

    monkeypatch.setattr(abstraction, "decide_many", decide_many)
    results = prove_scenario(scenario, None, engine="abstract")
    applicable = [p for p in chosen_properties(None) if PROPERTIES[p].applies(options_of(scenario))]
    assert asked == abstraction.ghost_groups(scenario, applicable)
    assert sorted(p for group in asked for p in group) == sorted(applicable)
    assert {r.property for r in results if r.verdict == "PROVED"} == set(applicable)
    assert {r.verdict for r in results if r.property not in applicable} == {"n/a"}
    for group in asked:
        early, how = abstraction.shortcut(scenario, group, abstraction.MAX_ATTEMPTS)
        assert early, how


def test_properties_that_keep_different_ghosts_are_searched_apart() -> None:
    """The six key properties of m400.ausf_udm in one search held more than 4.8 GB; one at a time they
    end. The ones that read attempt masks only share a search (the retirement keeps it small)."""
    scenario = SCENARIOS["m400.ausf_udm"]
    ids = [p for p in chosen_properties(None) if PROPERTIES[p].kind == "always" and
           PROPERTIES[p].applies(options_of(scenario))]
    groups = abstraction.ghost_groups(scenario, ids)
    assert sorted(p for group in groups for p in group) == sorted(ids)
    masks_only = next(g for g in groups if "knr_only_after_authorization" in g)
    assert "no_knr_after_withdrawal" in masks_only
    for key in ("old_pruk_replaced", "update_agreement", "fresh_pruk_on_update"):
        assert [key] in groups, (key, groups)


def test_a_group_cut_off_leaves_the_next_its_own_time(monkeypatch: Any) -> None:
    scenario = SCENARIOS["m400.ausf_udm"]
    ids = ["knr_only_after_authorization", "fresh_pruk_on_update"]

    def decide_many(scenario_: Any, property_ids: list[str], attempts: int, progress: Any = None,
                    **_: Any) -> dict[str, Any]:
        assert abstraction._deadline[0] is not None
        if "fresh_pruk_on_update" in property_ids:
            raise abstraction.SearchCutOff("abstract search stopped after 7 states: max-seconds")
        return {pid: abstraction.Verdict(scenario_.id, pid, "HOLDS", attempts, 1, 0.0, 1, "0" * 16)
                for pid in property_ids}

    monkeypatch.setattr(abstraction, "decide_many", decide_many)
    results = {r.property: r for r in prove_scenario(scenario, ids, engine="abstract", timeout=5.0)}
    assert results["knr_only_after_authorization"].verdict == "PROVED"
    assert results["fresh_pruk_on_update"].verdict == "UNKNOWN"
    assert "stopped after 7 states" in results["fresh_pruk_on_update"].detail
    assert abstraction._deadline == [None]


def test_the_time_out_stops_the_abstract_search_with_unknown() -> None:
    """``--timeout`` bounds the abstract searches (m400.panf_udm's takes about a minute): past it each
    property is UNKNOWN, with the states explored, never PROVED."""
    properties = ["knr_only_after_authorization", "no_knr_after_withdrawal"]
    results = prove_scenario(SCENARIOS["m400.panf_udm"], properties, engine="abstract", timeout=1.0)
    assert [r.verdict for r in results] == ["UNKNOWN", "UNKNOWN"]
    assert all("abstract search stopped after" in r.detail and "--timeout 1 s" in r.detail for r in results)
    assert abstraction._deadline == [None]  # the next prove call is not limited by this one
