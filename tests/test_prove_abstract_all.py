"""``prove --engine abstract`` with no ``--property``: the abstraction gets only the properties that apply.

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


def test_every_always_property_goes_to_one_early_stop_search(monkeypatch: Any) -> None:
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
    assert len(asked) == 1 and asked[0] == applicable
    assert {r.property for r in results if r.verdict == "PROVED"} == set(applicable)
    assert {r.verdict for r in results if r.property not in applicable} == {"n/a"}
    early, how = abstraction.shortcut(scenario, applicable, abstraction.MAX_ATTEMPTS)
    assert early, how


def test_the_time_out_stops_the_abstract_search_with_unknown() -> None:
    """``--timeout`` bounds the abstract searches (m400.panf_udm's takes about a minute): past it each
    property is UNKNOWN, with the states explored, never PROVED."""
    properties = ["knr_only_after_authorization", "no_knr_after_withdrawal"]
    results = prove_scenario(SCENARIOS["m400.panf_udm"], properties, engine="abstract", timeout=1.0)
    assert [r.verdict for r in results] == ["UNKNOWN", "UNKNOWN"]
    assert all("abstract search stopped after" in r.detail and "--timeout 1 s" in r.detail for r in results)
    assert abstraction._deadline == [None]  # the next prove call is not limited by this one
