"""What a verdict assumes: tool and dependency versions, hashes of the model and of each
property's formula, bounds, threat model, limits, counts, depth and coverage.

The model hash is a SHA-256 over the scenario's compiled element tables (states, variables,
initial values, every transition with its guard, assignments, sends and ghost updates rendered
as text), the links, ghost facts, observers and message catalogue: two runs with equal hashes
checked the same transition system. Nothing here depends on ``PYTHONHASHSEED``."""

from __future__ import annotations

import hashlib
import json
import platform
from functools import lru_cache
from importlib import metadata

from prosecheck import __version__
from prosecheck.checker.expr import Expr, W, lift, render
from prosecheck.model.build import element_tables, links_of, options_of
from prosecheck.model.ghosts import GHOSTS, OBSERVERS
from prosecheck.model.messages import field_kinds
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import Scenario
from prosecheck.verify import BUILTIN, ScenarioResult

DEPENDENCIES = ("python-statemachine", "z3-solver", "networkx", "graphviz")


def _sha(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@lru_cache(maxsize=1)
def tool_versions() -> dict[str, str]:
    versions = {"prosecheck": __version__, "python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def model_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's compiled transition system (see the module docstring)."""
    tables = []
    for role, t in sorted(element_tables(scenario).items()):
        tables.append({
            "role": role, "states": t.state_ids, "initial": t.initial_state, "rest": sorted(t.rest_states),
            "vars": list(zip(t.var_names, t.var_sorts, t.initial_locals)), "local_events": t.local_events,
            "transitions": [{
                "from": tr.source, "to": tr.target, "event": tr.event, "guard": render(tr.guard),
                "effect": tr.effect_name, "assign": {k: render(lift(v)) for k, v in tr.effect.assign.items()},
                "send": [[s.to, s.message, {f: render(lift(v)) for f, v in s.fields.items()}] for s in tr.effect.send],
                "ghost": [[g, render(e)] for g, e in tr.ghost],
            } for tr in t.transitions],
        })
    observers = [[o.ghost, sorted(o.link_kinds), sorted(o.field_kinds), sorted(o.to_roles), sorted(o.values)]
                 for o in OBSERVERS]
    options = options_of(scenario)
    return _sha({"options": options, "bounds": scenario.bounds.as_dict(),
                 **({"threats": scenario.threats.as_dict()} if scenario.threats.active() else {}), "tables": tables,
                 "links": links_of(scenario), "ghosts": GHOSTS, "observers": observers, "messages": field_kinds(options)})


def _symbolic_state(role: str, state_id: str) -> Expr:
    return W(f"{role}.state") == W(f"{role}.state#{state_id}")


@lru_cache(maxsize=1)
def property_hashes() -> dict[str, str]:
    """SHA-256 of each property's kind, formula and trigger (as text) and the procedures it applies
    to, and of each built-in's statement."""
    from prosecheck.model.procedures import PROCEDURES

    out = {
        pid: _sha([p.kind, render(p.formula(_symbolic_state)),
                   render(p.trigger(_symbolic_state)) if p.trigger else "",
                   [q for q, proc in PROCEDURES.items() if p.applies(proc.all_options())]])
        for pid, p in PROPERTIES.items()
    }
    out.update({pid: _sha(["always", text]) for pid, text in BUILTIN.items()})
    return out


def scenario_property_hashes(scenario: Scenario) -> dict[str, str]:
    """:func:`property_hashes` and those of the scenario's own properties (a scenario file's), over
    their kind and formula text."""
    return {**property_hashes(), **{p.id: _sha(["user", p.source]) for p in scenario.properties}}


def assumptions(r: ScenarioResult) -> dict[str, object]:
    """The assumptions of one scenario's verdicts, for the JSON and text reports."""
    hashes = scenario_property_hashes(r.scenario)
    fired = r.coverage_total - len(r.never_fired)
    return {
        "model_sha256": model_hash(r.scenario),
        "property_sha256": {pid: hashes[pid] for pid in r.properties},
        "bounds": r.scenario.bounds.as_dict(),
        "mutants": list(r.scenario.mutants),
        "threat_model": r.scenario.threats.summary(),
        "threats": r.scenario.threats.as_dict(),
        "limits": r.limits,
        "limit_hit": r.limit_hit,
        "reductions": list(r.notes),  # symmetry, hash compaction (then HOLDS/UNREACHED are probabilistic)
        "states": r.states, "transitions": r.transitions, "depth": r.depth,
        "coverage": {"transitions_fired": fired, "transitions_total": r.coverage_total,
                     "never_fired": len(r.never_fired)},
    }


def assumptions_lines(r: ScenarioResult) -> list[str]:
    """The same, as the text report's lines."""
    a = assumptions(r)
    cov = a["coverage"]
    assert isinstance(cov, dict)
    limits = ", ".join(f"{k}={v}" for k, v in r.limits.items() if v is not None) or "none"
    return [
        f"   model: sha256 {a['model_sha256']} (compiled tables; each property's formula hash is on its line)",
        f"   threat model: {r.scenario.threats.summary()}",
        f"   limits: {limits}; hit: {r.limit_hit or 'none'}; reductions: {'; '.join(r.notes) or 'none'}; coverage: "
        f"{cov['transitions_fired']} of {cov['transitions_total']} compiled transitions fired",
        "   tools: " + ", ".join(f"{k} {v}" for k, v in tool_versions().items()),
    ]
