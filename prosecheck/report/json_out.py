"""Machine-readable results: one JSON document for a whole run."""

from __future__ import annotations

import json
from collections.abc import Sequence

from prosecheck.report.assumptions import assumptions, tool_versions
from prosecheck.report.text import outcome
from prosecheck.report.world_state import initial_state
from prosecheck.scenarios.catalog import HOLDS
from prosecheck.schemas import document
from prosecheck.verify import NOT_APPLICABLE, PropertyResult, ScenarioResult, worst


def proof_json(p: PropertyResult) -> dict[str, object]:
    """``proof``: ``unbounded`` (a HOLDS the proof ledger proves without bounds, with ``proved_by``),
    ``bounded`` (decided within the scenario's bounds only), or None where the property does not apply."""
    if p.verdict == NOT_APPLICABLE:
        return {"proof": None}
    if p.verdict == HOLDS and p.proved_by is not None:
        e = p.proved_by
        return {"proof": "unbounded", "proved_by": {"engine": e.engine, "seconds": round(e.seconds, 2),
                                                    "fingerprint": e.fingerprint, "invariant": list(e.invariant)}}
    return {"proof": "bounded"}


def scenario_json(r: ScenarioResult) -> dict[str, object]:
    return {
        "scenario": r.scenario.id,
        "title": r.scenario.procedure.title,
        "procedure": r.scenario.procedure.id,
        "options": dict(sorted(r.scenario.procedure.options.items())),
        "mutants": list(r.scenario.mutants),
        "bounds": r.scenario.bounds.as_dict(),
        "threats": r.scenario.threats.as_dict(),
        "elements": r.elements,
        "stats": {
            "states": r.states, "transitions": r.transitions, "depth": r.depth,
            "seconds": round(r.seconds, 3), "complete": r.complete, "stopped": r.stopped, "notes": r.notes,
            "cut": r.cut, "phases": r.phases, "peak_mb": r.peak_mb, "cached": r.cached is not None,
        },
        "exit_code": r.exit_code,
        "properties": {
            p.id: {
                "kind": p.kind, "verdict": p.verdict, "outcome": outcome(p), "expected": p.expected,
                "as_expected": p.as_expected,
                "statement": p.statement, "ref": p.ref, "detail": p.detail or None,
                "trace": None if p.trace is None else [s.as_dict() for s in p.trace],
                "replay": None if p.replay is None else ("confirmed" if not p.replay else p.replay),
                "probabilistic": p.probabilistic,
                **({"value": p.value} if p.kind == "measure" else {}),
                **({"decisive_step": p.decisive_step} if p.decisive_step is not None else {}),
                **proof_json(p),
            }
            for p in r.properties.values()
        },
        "never_fired": r.never_fired,
        "initial_state": initial_state(r.scenario) if any(p.trace for p in r.properties.values()) else None,
        "assumptions": assumptions(r),
    }


def results_json(results: Sequence[ScenarioResult]) -> str:
    """The document ``prosecheck check --json`` prints (``prosecheck/schemas/check.schema.json``)."""
    doc = document("check", {"tool": tool_versions(), "results": [scenario_json(r) for r in results],
                             "exit_code": worst(r.exit_code for r in results)})
    return json.dumps(doc, indent=2, allow_nan=False)  # NaN/Infinity are not JSON: never printed
