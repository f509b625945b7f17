"""Results read back from a saved ``check --json`` document, so that ``report``, ``threats`` and the
result cache reuse a check instead of running it again.

A saved result is used only when it was computed from the model and properties of today: its
recorded model hash (the compiled tables) and every property's formula hash must equal what this
code computes for the same scenario, else the document is refused as stale (exit code 2, one
line naming the file, the scenario and what changed). Search internals (the stored worlds) are
not saved: what needs them (certificates, state graphs) must check again.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from prosecheck.results import PropertyResult, ScenarioResult
from prosecheck.scenarios.catalog import SCENARIOS, Scenario
from prosecheck.trace_steps import TraceStep

STEP_FIELDS = {f.name for f in fields(TraceStep)}


class SavedResultsError(Exception):
    """The document is not usable as saved results (malformed, or stale for this model)."""


def load_results(path: str) -> list[ScenarioResult]:
    """Every result of a ``check --json`` document (or of one of its ``results`` entries)."""
    from prosecheck.replay.load import TraceInputError, read_document

    try:
        doc = read_document(path)
    except TraceInputError as err:
        raise SavedResultsError(str(err)) from None
    entries = doc.get("results") if isinstance(doc, dict) and "results" in doc else [doc]
    if not isinstance(entries, list) or not entries:
        raise SavedResultsError(f"{path}: no results in it (expected the output of 'prosecheck check --json')")
    return [result_of(entry, f"{path}: results[{i}]") for i, entry in enumerate(entries)]


def result_of(entry: Any, where: str) -> ScenarioResult:
    """One saved scenario result, checked to be current for this model and these properties."""
    from prosecheck.replay.load import TraceInputError, scenario_of

    try:
        scenario = _known(scenario_of(entry, where))
        stats, assumed, props = _obj(entry, "stats", where), _obj(entry, "assumptions", where), \
            _obj(entry, "properties", where)
    except TraceInputError as err:
        raise SavedResultsError(str(err)) from None
    _current(scenario, assumed, props, where)
    try:
        coverage = assumed.get("coverage") or {}
        result = ScenarioResult(
            scenario, stats["states"], stats["transitions"], stats["depth"], stats["seconds"], stats["complete"],
            stats["stopped"], never_fired=list(entry.get("never_fired") or []),
            elements=list(entry.get("elements") or []), notes=list(stats.get("notes") or []),
            limits=dict(assumed.get("limits") or {}), coverage_total=int(coverage.get("transitions_total", 0)),
            cut=stats.get("cut"), phases=dict(stats.get("phases") or {}), peak_mb=dict(stats.get("peak_mb") or {}))
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise SavedResultsError(f"{where}: malformed stats or assumptions ({err})") from None
    for pid, p in props.items():
        result.properties[pid] = _property(pid, p, f"{where}: properties.{pid}")
    return result


def _known(saved: Scenario) -> Scenario:
    """The built-in scenario of that id (its declared verdicts and note) when the saved one is it,
    with the bounds, threats and mutants it was checked under."""
    base = SCENARIOS.get(saved.id)
    if base is None or base.procedure.options != saved.procedure.options:
        return saved
    return replace(base, bounds=saved.bounds, threats=saved.threats, mutants=saved.mutants)


def _current(scenario: Scenario, assumed: dict[str, Any], props: dict[str, Any], where: str) -> None:
    from prosecheck.report.assumptions import model_hash, property_hashes

    if assumed.get("model_sha256") != model_hash(scenario):
        raise SavedResultsError(f"{where}: scenario {scenario.id} was checked with another model "
                                f"(model sha256 {str(assumed.get('model_sha256'))[:12]}, today "
                                f"{model_hash(scenario)[:12]}): check it again")
    hashes, saved = property_hashes(), assumed.get("property_sha256") or {}
    for pid in props:
        if pid not in hashes:
            raise SavedResultsError(f"{where}: unknown property {pid!r} (a saved run is read back for the catalog's "
                                    "properties only, not for a scenario file's own)")
        if saved.get(pid) != hashes[pid]:
            raise SavedResultsError(f"{where}: property {pid} of {scenario.id} was judged with another formula: "
                                    "check it again")


def _property(pid: str, p: Any, where: str) -> PropertyResult:
    if not isinstance(p, dict):
        raise SavedResultsError(f"{where}: expected a JSON object")
    try:
        trace = None if p.get("trace") is None else [TraceStep(**{k: v for k, v in s.items() if k in STEP_FIELDS})
                                                     for s in p["trace"]]
        for number, step in enumerate(trace or [], 1):
            _check_changes(step.changes, f"{where}: trace step {number}")
        replay = p.get("replay")
        return PropertyResult(pid, p["kind"], p["verdict"], p["expected"], p["statement"], p["ref"], trace,
                              detail=p.get("detail") or "", probabilistic=bool(p.get("probabilistic")),
                              replay=None if replay is None else ([] if replay == "confirmed" else list(replay)),
                              value=p.get("value"),
                              decisive_step=p.get("decisive_step") if isinstance(p.get("decisive_step"), int) else None)
    except (KeyError, TypeError, AttributeError) as err:
        raise SavedResultsError(f"{where}: malformed ({err})") from None


def _check_changes(changes: Any, where: str) -> None:
    """A step's ``changes`` map each variable to its [old, new] values in words (the HTML explorer
    reads the new one of every pair)."""
    if not isinstance(changes, dict):
        raise SavedResultsError(f"{where}: 'changes' is not an object")
    for name, pair in changes.items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)):
            raise SavedResultsError(f"{where}: change of {name!r} is not an [old, new] pair of strings")


def _obj(entry: Any, key: str, where: str) -> dict[str, Any]:
    value = entry.get(key) if isinstance(entry, dict) else None
    if not isinstance(value, dict):
        raise SavedResultsError(f"{where}: missing or malformed field {key!r}")
    return value


__all__ = ["SavedResultsError", "load_results", "result_of"]
