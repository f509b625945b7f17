"""``prosecheck prove``: invariants beyond the scenario's bounds, from the same rules as the search.

The symbolic system (:mod:`prosecheck.checker.symbolic`) is built from the scenario's compiled
tables with two over-approximations that lift the explicit search's bounds:

* **attempts**: the option stays symbolic (``compile_element(keep={"attempts"})``), a rigid
  parameter free in ``1..14`` at the initial world. The system is the union of the scenario's
  systems for every attempts bound the model can represent (Nonce_1 is the attempt's number and
  has 4 bits in the KNR_ProSe term and the attempt masks are 16 bits, so 15 or more attempts
  would wrap: :class:`~prosecheck.model.environment.Bounds` rejects them, and so does prove).
  Key generations follow the attempts (one per successful ProSe authentication), so they are
  covered up to the same limit.
* **withdrawals, restores, update-policy firings**: their budget counters (``udm.withdrawals_left``,
  ``udm.restores_left``, ``*.policy_left``) are read only by their own guard ``x > 0`` and written
  only by their own decrement; the encoding re-chooses them freely before every step, so the
  environment may withdraw, restore and fire the update policy any number of times.

Both only add behaviours, so an invariant PROVED here holds for every bound of these counters;
a violation found here is replayed on the explicit model (:meth:`System.successors`) first with
the scenario's bounds, then with the largest bounds the model accepts, and counts only if the
replay reaches a world that breaks the property (else the verdict is UNKNOWN).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import z3

from prosecheck.checker.expr import compile_py
from prosecheck.checker.machine import ModelError
from prosecheck.checker.symbolic import engines
from prosecheck.checker.symbolic.encode import Encoding, Rule
from prosecheck.checker.symbolic.render import describe_invariant
from prosecheck.checker.system import System, World
from prosecheck.model.build import bind_property, build_system, options_of
from prosecheck.model.scenarios import Scenario
from prosecheck.properties.catalog import PROPERTIES, Property

ATTEMPTS_RANGE = (1, 14)
HAVOC_COUNTERS = ("withdrawals_left", "restores_left", "policy_left")
MAX_BOUNDS = {"attempts": 14, "withdrawals": 14, "restores": 14, "policy_triggers": 14}
NOT_SUPPORTED = "not supported"


@dataclass
class ProofResult:
    scenario: str
    property: str
    verdict: str  # PROVED | VIOLATED | UNKNOWN | n/a | not supported
    engine: str
    seconds: float
    bounds: str
    assumptions: list[str] = field(default_factory=list)
    invariant: list[str] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in ("scenario", "property", "verdict", "engine", "seconds", "bounds",
                                              "assumptions", "invariant", "trace", "detail")}


def lifted_system(scenario: Scenario) -> tuple[System, dict[str, tuple[int, int]], list[str]]:
    """The compiled system with the counters lifted (module docstring), its free parameters and
    havocked counters: what :func:`symbolic_system` encodes (and :mod:`prosecheck.ledger` fingerprints)."""
    system = build_system(scenario, frozenset({"attempts"}))
    havoc = [name for name in system.slots if name.rsplit(".", 1)[-1] in HAVOC_COUNTERS]
    return system, {"attempts": ATTEMPTS_RANGE}, havoc


def symbolic_system(scenario: Scenario, unbounded: bool = True) -> tuple[System, Encoding]:
    """The scenario's encoding: with its own bounds, or with the counters lifted (module docstring)."""
    if not unbounded:
        system = build_system(scenario)
        return system, Encoding(system)
    system, params, havoc = lifted_system(scenario)
    return system, Encoding(system, params, havoc)


def assumptions(unbounded: bool) -> list[str]:
    if not unbounded:
        return ["the scenario's own bounds (exact encoding of the explicit model)"]
    return [f"attempts: any bound {ATTEMPTS_RANGE[0]}..{ATTEMPTS_RANGE[1]} (4-bit Nonce_1, 16-bit attempt masks)",
            "key generations: as many as the attempts make",
            "withdrawals, restores, update-policy firings: unbounded (budget counters havocked)",
            "remote UEs and link capacity: the scenario's",
            "16-bit arithmetic as in the explicit model"]


def prove_scenario(scenario: Scenario, property_ids: Sequence[str] | None = None, engine: str = "spacer",
                   depth: int = 40, timeout: float = 60.0, unbounded: bool = True) -> list[ProofResult]:
    """Every chosen ``always`` property of the scenario, decided by ``engine``."""
    ids = list(property_ids) if property_ids else [p for p in PROPERTIES if PROPERTIES[p].kind == "always"]
    system, enc = symbolic_system(scenario, unbounded)
    bounds = "unbounded (see assumptions)" if unbounded else scenario.bounds.summary()
    out = []
    for pid in ids:
        prop = PROPERTIES[pid]
        base = ProofResult(scenario.id, pid, NOT_SUPPORTED, engine, 0.0, bounds, assumptions(unbounded))
        if prop.kind != "always":
            base.detail = f"prove decides 'always' properties only ({pid} is '{prop.kind}'): use check"
        elif scenario.threats.lossy_links:
            base.detail = ("the encoding has no lost messages and no quiet-network timers (threat model lossy_links): "
                           "use check")
        elif not prop.applies(options_of(scenario)):
            base.verdict, base.detail = "n/a", "the property does not apply to this procedure"
        else:
            base = _prove(scenario, system, enc, prop, engine, depth, timeout, base)
        out.append(base)
    return out


def _prove(scenario: Scenario, system: System, enc: Encoding, prop: Property, engine: str, depth: int,
           timeout: float, result: ProofResult) -> ProofResult:
    start = time.perf_counter()
    bound = bind_property(system, prop)
    try:
        good = enc.prop(bound.expr, enc.cur)
    except ModelError as exc:
        result.detail = str(exc)
        return result
    if engine == "spacer":
        found = engines.spacer(enc, good, timeout)
        if found.verdict == engines.VIOLATED:
            trace = engines.bmc(enc, z3.Not(good), depth, max(1.0, timeout - found.seconds))
            found = trace if trace.verdict == engines.VIOLATED else found
    elif engine == "kind":
        found = engines.kind(enc, good, depth, timeout)
    else:
        found = engines.bmc(enc, z3.Not(good), depth, timeout)
    result.verdict, result.detail = found.verdict, found.detail
    if found.verdict == engines.PROVED and found.invariant is not None:
        result.invariant = describe_invariant(enc, found.invariant)
    if found.verdict == engines.VIOLATED:
        result.trace = [enc.rules[k].name for k in found.rules]
        result.verdict, result.detail = confirm(scenario, prop, [enc.rules[k] for k in found.rules], enc.system)
    elif found.verdict == engines.UNKNOWN and engine == "bmc":
        result.detail = found.detail
    result.seconds = time.perf_counter() - start
    return result


def confirm(scenario: Scenario, prop: Property, rules: Sequence[Rule], symbolic: System) -> tuple[str, str]:
    """Replay a symbolic trace on the explicit model: the scenario's bounds, then the largest."""
    if not rules:
        return engines.VIOLATED, "the initial world breaks the property"
    for label, candidate in (("the scenario's bounds", scenario),
                             ("raised bounds", scenario.with_bounds(**MAX_BOUNDS))):
        system = build_system(candidate)
        world = replay(system, symbolic, rules)
        if world is None:
            continue
        check = compile_py(bind_property(system, prop).expr)
        if not check(lambda scope, name, world=world: world[int(name)]):  # type: ignore[misc]
            steps = f"{len(rules)} steps"
            if label == "raised bounds":
                return engines.VIOLATED, (f"{steps}; beyond the scenario's bounds: confirmed on the explicit model "
                                          f"with {candidate.bounds.summary()}")
            return engines.VIOLATED, f"{steps}; confirmed on the explicit model within the scenario's bounds"
    return engines.UNKNOWN, "a symbolic counterexample that the explicit model does not confirm (over-approximation)"


def replay(system: System, symbolic: System, rules: Sequence[Rule]) -> World | None:
    """Follow the rules' steps (instance, transition, link) through ``System.successors``."""
    world = system.initial()
    for rule in rules:
        inst = symbolic.instances[rule.instance]
        edge = inst.table.edge(rule.transition)
        nxt = [w for label, w in system.successors(world)[0]
               if label.instance == rule.instance and label.link == rule.link
               and system.instances[label.instance].table.edge(
                   system.instances[label.instance].table.transitions[label.transition]) == edge]
        if not nxt:
            return None
        world = nxt[0]
    return world


__all__ = ["ProofResult", "confirm", "lifted_system", "prove_scenario", "replay", "symbolic_system"]
