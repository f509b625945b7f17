"""Turn a scenario into a :class:`~prosecheck.checker.system.System` and bound properties."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from prosecheck.checker.expr import And, Expr, If, Or, W
from prosecheck.checker.live import LiveElement
from prosecheck.checker.machine import ElementTable, ModelError, Rewrite, compile_element, prune_unreachable
from prosecheck.checker.system import Instance, Link, System
from prosecheck.model.elements import ELEMENTS
from prosecheck.model.elements.attacker import Pc5Attacker
from prosecheck.model.environment import Bounds, ThreatModel, attacker_on_pc5
from prosecheck.model.ghosts import GHOSTS, OBSERVERS
from prosecheck.model.messages import MESSAGES, field_kinds, field_names
from prosecheck.model.mutants import MUTANTS
from prosecheck.model.pc5 import ATTACKER, PC5_PEERS, redirect
from prosecheck.model.procedures import Procedure
from prosecheck.properties.catalog import Property, StateIs


class Configuration(Protocol):
    """What the model is built from: a procedure under bounds, a threat model and seeded mutants.
    A :class:`prosecheck.scenarios.scenario.Scenario` is one; the model does not import the
    configuration layer above it, it is handed a value."""

    @property
    def procedure(self) -> Procedure: ...

    @property
    def bounds(self) -> Bounds: ...

    @property
    def threats(self) -> ThreatModel: ...

    @property
    def mutants(self) -> tuple[str, ...]: ...


LINKS = (
    ("remote_ue", "relay_ue", "pc5"),
    ("relay_ue", "amf", "nas"),
    ("amf", "ausf", "sbi"),
    ("ausf", "udm", "sbi"),
    ("ausf", "panf", "sbi"),
    ("panf", "udm", "sbi"),
)
"""Who talks to whom (both directions), and over which kind of link."""

ATTACKED_LINKS = (("remote_ue", ATTACKER, "pc5"), (ATTACKER, "relay_ue", "pc5"), *LINKS[1:])
"""The links with an attacker on PC5: the remote UE and the relay UE each talk only to it."""

NOTIFIED = frozenset({"ausf", "panf"})
"""The elements the UDM notifies under the proposed fix ``udm_notifies_authorization``."""


def capacity_of(scenario: Configuration, src: str, dst: str) -> int:
    """The capacity of the link from role ``src`` to role ``dst``: the scenario's ``link_capacity``; under the
    proposed fix ``udm_notifies_authorization`` one more between the UDM and the AUSF or PAnF, because a
    notification is a request of its own to the subscriber's callback URI (TS 29.503), not queued behind the
    exchange in progress (with one place the notification and a pending answer would block each other)."""
    extra = options_of(scenario).get("udm_notifies_authorization", 0) and {src, dst} in (
        {"udm", role} for role in NOTIFIED)
    return scenario.bounds.link_capacity + (1 if extra else 0)


def _element_classes(options: Mapping[str, int]) -> tuple[Any, ...]:
    if not attacker_on_pc5(options):
        return ELEMENTS
    return (ELEMENTS[0], Pc5Attacker, *ELEMENTS[1:])


def elements_of(scenario: Configuration) -> tuple[Any, ...]:
    """The element classes of a scenario in lifeline order (the attacker, if any, between the UEs)."""
    return _element_classes(options_of(scenario))


def links_of(scenario: Configuration) -> tuple[tuple[str, str, str], ...]:
    """:data:`LINKS`, or :data:`ATTACKED_LINKS` when a threat model puts an attacker on PC5."""
    return ATTACKED_LINKS if attacker_on_pc5(options_of(scenario)) else LINKS


@dataclass(frozen=True)
class BoundProperty:
    """A property instantiated for every remote UE of a scenario, over world slots."""

    prop: Property
    expr: Expr
    slots: list[int]


@lru_cache(maxsize=64)
def _tables(options: tuple[tuple[str, int], ...], mutant_ids: tuple[str, ...],
            keep: frozenset[str] = frozenset()) -> dict[str, ElementTable]:
    fields = field_names(dict(options))
    rewrites = rewrites_of(mutant_ids, dict(options))
    tables = {cls.ROLE: compile_element(cls, dict(options), fields, rewrites.get(cls.ROLE), keep)
              for cls in _element_classes(dict(options))}
    prune_unreachable(list(tables.values()))
    return tables


def element_tables(scenario: Configuration) -> dict[str, ElementTable]:
    """Each element's compiled (and pruned) table under the scenario's options, by role (compiled
    once per option set and mutants)."""
    return _tables(tuple(sorted(options_of(scenario).items())), scenario.mutants)


def rewrites_of(mutant_ids: tuple[str, ...], options: Mapping[str, int] | None = None) -> dict[str, Rewrite]:
    """The rule rewrites of a scenario's seeded mutants, by element role; with an attacker on PC5
    (``options``) the PC5 end points' sends are also addressed to the attacker."""
    rewrites: dict[str, Rewrite] = {}
    for mid in mutant_ids:
        if mid not in MUTANTS:
            raise ModelError(f"unknown mutant {mid!r}; known: {', '.join(MUTANTS)}")
        mutant = MUTANTS[mid]
        if mutant.role in rewrites:
            raise ModelError(f"mutants {mid!r} and another both rewrite {mutant.role}; use one per element")
        rewrites[mutant.role] = mutant.rewrite
    if options is not None and attacker_on_pc5(options):
        for cls in ELEMENTS:
            if cls.ROLE in PC5_PEERS:
                rewrites[cls.ROLE] = redirect(cls, rewrites.get(cls.ROLE))
    return rewrites


def live_elements(scenario: Configuration) -> dict[str, LiveElement]:
    """One live python-statemachine machine per element role, for independent replay."""
    options = options_of(scenario)
    rewrites = rewrites_of(scenario.mutants, options)
    fields = field_names(options)
    return {cls.ROLE: LiveElement(cls, options, fields, rewrites.get(cls.ROLE)) for cls in elements_of(scenario)}


def options_of(scenario: Configuration) -> dict[str, int]:
    return {**scenario.procedure.all_options(), **scenario.bounds.options(), **scenario.threats.options()}


def build_system(scenario: Configuration, keep: frozenset[str] = frozenset()) -> System:
    """Instances of every element for every remote UE, linked as in :func:`links_of`; options in
    ``keep`` stay symbolic (a system for the symbolic engine only, :mod:`prosecheck.prove`)."""
    scenario.bounds.validate()
    scenario.threats.validate()
    tables = _tables(tuple(sorted(options_of(scenario).items())), scenario.mutants, keep) if keep \
        else element_tables(scenario)
    groups = scenario.bounds.remote_ues
    instances: list[Instance] = []
    for g in range(groups):
        for cls in elements_of(scenario):
            name = cls.ROLE if groups == 1 else f"{cls.ROLE}.{g + 1}"
            instances.append(Instance(name, cls.ROLE, g, tables[cls.ROLE]))
    index = {(inst.group, inst.role): i for i, inst in enumerate(instances)}
    links: list[Link] = []
    for g in range(groups):
        for a, b, kind in links_of(scenario):
            for src, dst in ((a, b), (b, a)):
                links.append(Link(len(links), index[(g, src)], index[(g, dst)], kind, capacity_of(scenario, src, dst),
                                  lossy=kind in scenario.threats.lossy_links))
    options = options_of(scenario)
    return System(instances, links, list(GHOSTS), groups, field_names(options), field_kinds(options), OBSERVERS,
                  fault_budget=scenario.threats.link_faults if scenario.threats.lossy_links else 0,
                  duplication=scenario.threats.duplication)


def bind_formula(system: System, formula: Callable[[StateIs], Expr], combine: str) -> Expr:
    """``formula`` for every remote UE, over world slots, joined by ``combine`` ("and" / "or" / "max")."""
    per_group = []
    for g in range(system.groups):
        def state_is(role: str, state_id: str, g: int = g) -> Expr:
            table = system.instances[system.instance_of(g, role)].table
            return W(f"{role}.state") == table.state_index(state_id)

        per_group.append(system.bind(formula(state_is), g))
    if combine == "max":
        out = per_group[0]
        for e in per_group[1:]:
            out = If(e > out, e, out)
        return out
    return And(*per_group) if combine == "and" else Or(*per_group)


def bind_property(system: System, prop: Property) -> BoundProperty:
    """The property for every remote UE: a conjunction (always), disjunction (sometimes) or maximum (measure)."""
    combine = {"always": "and", "measure": "max"}.get(prop.kind, "or")
    expr = bind_formula(system, prop.formula, combine)
    return BoundProperty(prop, expr, system.slot_refs(expr))


def message_title(name: str) -> str:
    return MESSAGES[name].title
