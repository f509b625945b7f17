"""``prosecheck threats --json``: the violations found under threat models as one JSON document
(``prosecheck/schemas/threats.schema.json``), the same scenarios and violations as the text and
the Markdown document (:mod:`prosecheck.report.threats_doc`), without their traces (``check
--json`` has those)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prosecheck.report.text import outcome
from prosecheck.report.threats_doc import DOS, UNREACHED_BY_BOUNDS
from prosecheck.schemas import document
from prosecheck.verify import PropertyResult, ScenarioResult, worst

INHERITED, DENIAL_OF_SERVICE, BY_BOUNDS, FOUND = "inherited", "dos", "unreached by bounds", "found"
"""A violation's standing, as docs/threats.md explains them: declared by the honest scenario the threat
scenario extends; the denial of service every attacked scenario shares; a reachability twin the
threat scenarios' bounds switch off; else found under this threat model."""


def _inherited(r: ScenarioResult) -> set[str]:
    """The violations the honest built-in scenario of the same id declares (none for another scenario)."""
    from prosecheck.scenarios.catalog import SCENARIOS

    base = SCENARIOS.get(r.scenario.id.split("@")[0])
    return set() if base is None else {pid for pid, v in base.expected.items() if v == "VIOLATED"}


def _attacked(r: ScenarioResult) -> bool:
    """An attacker sits on PC5 (the shared denial of service is its doing, not a lost message's)."""
    t = r.scenario.threats
    return bool(t.pc5_attacker or t.malicious_relay or t.leaked_old_pruk)


def _standing(r: ScenarioResult, p: PropertyResult, inherited: set[str]) -> str:
    """Why the violation is there, in the order the Markdown document decides it."""
    if p.id in UNREACHED_BY_BOUNDS:
        return BY_BOUNDS
    if p.id in inherited:
        return INHERITED
    return DENIAL_OF_SERVICE if p.id in DOS and _attacked(r) else FOUND


def _violation(r: ScenarioResult, p: PropertyResult, inherited: set[str]) -> dict[str, Any]:
    return {"property": p.id, "kind": p.kind, "verdict": p.verdict, "outcome": outcome(p), "expected": p.expected,
            "as_expected": p.as_expected, "statement": p.statement, "ref": p.ref,
            "trace_steps": None if p.trace is None else len(p.trace), "standing": _standing(r, p, inherited)}


def scenario_json(r: ScenarioResult) -> dict[str, Any]:
    """One threat scenario: its threat model, bounds, search counts and violations (VIOLATED or UNREACHED)."""
    inherited = _inherited(r)
    return {"scenario": r.scenario.id, "title": r.scenario.procedure.title, "threat_model": r.scenario.threats.name(),
            "threats": r.scenario.threats.as_dict(), "bounds": r.scenario.bounds.as_dict(),
            "states": r.states, "transitions": r.transitions, "depth": r.depth, "complete": r.complete,
            "stopped": r.stopped, "exit_code": r.exit_code,
            "violations": [_violation(r, p, inherited) for p in r.properties.values() if p.verdict == "VIOLATED"]}


def threats_json(results: Sequence[ScenarioResult]) -> dict[str, Any]:
    """The document ``prosecheck threats --json`` prints."""
    return document("threats", {"scenarios": [scenario_json(r) for r in results],
                                "exit_code": worst(r.exit_code for r in results)})


__all__ = ["threats_json"]
