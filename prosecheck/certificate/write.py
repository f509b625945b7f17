"""Writing a certificate: the reachable set of a complete search, as a gzipped JSON file.

Each world is listed by value under names the checker resolves itself: ``role.state`` (a state
id), ``role.var`` and ``ghost.fact`` (``ueN.`` prefixed with several remote UEs), then one list of
``[message, [fields]]`` per link ``src->dst``. Only a complete (exhaustive) search has one."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from prosecheck.verify import ScenarioResult

FORMAT = "prosecheck-certificate/1"


def certificate_name(scenario_id: str) -> str:
    """The certificate's file name: the scenario id made safe and short (``safe_stem``)."""
    from prosecheck.filenames import safe_stem

    return safe_stem(scenario_id) + ".cert.json.gz"


def write_certificate(result: ScenarioResult, directory: str) -> Path:
    """Write ``result``'s reachable set into ``directory``; ValueError if the search was cut."""
    exploration = result.exploration
    if exploration is None or not result.complete:
        raise ValueError(f"{result.scenario.id}: the search was not exhaustive ({result.stopped}): no certificate")
    if getattr(exploration, "symmetry", False):
        raise ValueError(f"{result.scenario.id}: a symmetry-reduced search lists representatives only: no certificate")
    system = exploration.system
    names = sorted(system.slots, key=system.slots.__getitem__)
    states = {f"{inst.name}.state": inst.table.state_ids for inst in system.instances}
    links = [f"{system.sender_names(lk.index)}->{system.instances[lk.dst].name}" for lk in system.links]
    worlds = []
    for world in exploration.worlds:
        row: list[object] = [states[n][system.value(world, i)] if n in states else world[i] for i, n in enumerate(names)]
        row += [[[m, list(f)] for m, f in system.link(world, k)] for k in range(len(links))]
        worlds.append(row)
    s = result.scenario
    own = {q.id for q in s.properties}  # the independent checker knows the catalog's formulas only
    doc = {
        "format": FORMAT,
        "scenario": s.id, "procedure": s.procedure.id, "options": dict(sorted(s.procedure.options.items())),
        "mutants": list(s.mutants), "bounds": s.bounds.as_dict(), "threats": s.threats.as_dict(),
        "claims": {"states": result.states, "transitions": result.transitions,
                   "verdicts": {pid: p.verdict for pid, p in result.properties.items()
                                if p.kind == "always" and pid not in own}},  # a scenario file's own: not claimed
        "variables": names, "links": links, "worlds": worlds,
    }
    path = Path(directory) / certificate_name(s.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wb", compresslevel=6) as out:  # one string from json's C encoder (json.dump's is Python)
        out.write(json.dumps(doc, separators=(",", ":")).encode("utf-8"))
    tmp.replace(path)
    return path
