"""Counterexamples and witnesses in the Informal Trace Format (ITF) of Apalache and Quint
(https://apalache-mc.org/docs/adr/015adr-trace.html), for tools that step through traces.

One file per trace: ``vars`` are the element instances (a record of the control state, by state
id, and the local variables), the ghost facts of each remote UE's group (a record) and ``links``
(a record of FIFO queues, each message a tagged union ``{"tag": NAME, "value": {FIELD: int}}``).
``states`` is the whole world at each step of the shortest trace, not only what changed; a
liveness counterexample is a lasso and carries ``loop``, the index of the state its cycle returns to."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from prosecheck import __version__
from prosecheck.checker.search import Exploration
from prosecheck.checker.system import Message, System, World
from prosecheck.filenames import safe_stem
from prosecheck.model.messages import MESSAGES
from prosecheck.verify import PropertyResult, ScenarioResult

FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"
Json = dict[str, object]


def identifier(name: str) -> str:
    """An ITF (TLA+/Quint) identifier for a model name: ``remote_ue.1`` -> ``remote_ue_1``."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def _message(message: Message) -> Json:
    name, values = message
    fields = [f for f, kind in MESSAGES[name].fields]
    return {"tag": name, "value": dict(zip(fields, values))}


def _state(system: System, world: World) -> Json:
    """The whole world as ITF variables: instances, ghost facts per group, link queues."""
    out: Json = {}
    for i, inst in enumerate(system.instances):
        record: dict[str, object] = {"state": inst.table.state_ids[system.control(world, i)]}
        record.update(zip(inst.table.var_names, system.locals_of(world, i)))
        out[identifier(inst.name)] = record
    for g in range(system.groups):
        prefix = system.group_prefix(g)
        out[identifier(f"{prefix}ghost")] = {name: system.value(world, system.slot(f"{prefix}ghost.{name}"))
                                             for name in system.ghost_names}
    out["links"] = {identifier(f"{system.sender_names(lk.index)}_to_{system.instances[lk.dst].name}"):
                    [_message(m) for m in system.link(world, lk.index)] for lk in system.links}
    return out


def world_path(exploration: Exploration, p: PropertyResult) -> tuple[list[int], int | None]:
    """The world indices of a trace (the shortest path, then a lasso's tail) and the loop's start."""
    assert p.world is not None
    path = exploration.path_to(p.world) + [target for target, _ in p.tail]
    if p.tail and path[-1] in path[:-1]:  # the cycle closes on an earlier world: ITF's loop
        return path[:-1], path.index(path[-1])
    return path, None


def itf_trace(result: ScenarioResult, exploration: Exploration, p: PropertyResult) -> Json:
    """One property's trace as an ITF document."""
    system = exploration.system
    indices, loop = world_path(exploration, p)
    steps = p.trace or []
    states = []
    for n, index in enumerate(indices):
        meta: Json = {"index": n}
        if n > 0 and n - 1 < len(steps):
            meta.update(element=steps[n - 1].element, action=steps[n - 1].action, ref=steps[n - 1].ref)
        states.append({"#meta": meta, **_state(system, exploration.worlds[index])})
    kind = "witness" if p.kind == "sometimes" else "counterexample"
    doc: Json = {
        "#meta": {"format": "ITF", "format-description": FORMAT_DESCRIPTION, "source": f"prosecheck {__version__}",
                  "description": f"{kind} for {p.id} ({p.kind}, {p.verdict}) in scenario {result.scenario.id}: "
                                 f"{p.statement}",
                  "scenario": result.scenario.id, "property": p.id, "verdict": p.verdict},
        "vars": [k for k in states[0] if k != "#meta"],
        "states": states,
    }
    if loop is not None:
        doc["loop"] = loop
    return doc


def traced(result: ScenarioResult) -> list[PropertyResult]:
    """The properties of a result that have a trace leading to a stored world."""
    return [p for p in result.properties.values() if p.trace is not None and p.world is not None]


def write_itf(results: Sequence[ScenarioResult], directory: str) -> list[Path]:
    """Every trace of every result (each kept its exploration) as ``SCENARIO.PROPERTY.itf.json``."""
    written = []
    for r in results:
        if r.exploration is None:
            continue
        for p in traced(r):
            path = Path(directory) / f"{safe_stem(f'{r.scenario.id}.{p.id}')}.itf.json"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(itf_trace(r, r.exploration, p), indent=1, allow_nan=False) + "\n")
            tmp.replace(path)
            written.append(path)
    return written
