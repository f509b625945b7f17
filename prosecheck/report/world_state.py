"""The whole state along a trace, in words: the scenario's initial world (built from the model in
milliseconds) and, after each step, that world with every step's changes applied in order. Trace
steps carry only what changed (``TraceStep.changes``); ``check --json`` carries the initial state
once per scenario, the HTML report's trace explorer shows the full state at every step."""

from __future__ import annotations

from collections.abc import Sequence

from prosecheck.scenarios.catalog import Scenario
from prosecheck.trace_steps import TraceStep


def initial_state(scenario: Scenario) -> dict[str, str] | None:
    """Every world variable of the scenario's initial world, in words (state ids, KNR_ProSe terms,
    attempt sets), in model order; None when the model cannot be built for the scenario (a saved
    result of a scenario this version does not know)."""
    from prosecheck.model.build import build_system
    from prosecheck.trace_steps import describe_slot

    try:
        system = build_system(scenario)
    except Exception:  # noqa: BLE001 - the callers still show each step's changes
        return None
    world = system.initial()
    names = sorted(system.slots.items(), key=lambda item: item[1])
    return {name: describe_slot(system, name, system.value(world, slot)) for name, slot in names
            if slot < system.link_base}


def trace_states(initial: dict[str, str], steps: Sequence[TraceStep]) -> list[dict[str, str]]:
    """The full state after each step: ``initial`` with every step's changes applied in order."""
    state = dict(initial)
    out = []
    for st in steps:
        for name, (_, new) in st.changes.items():
            state[name] = new
        out.append(dict(state))
    return out
