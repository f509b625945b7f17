"""Turn a scenario into a :class:`~prosecheck.checker.system.System` and bound properties."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from prosecheck.checker.expr import And, Expr, Or, W
from prosecheck.checker.live import LiveElement
from prosecheck.checker.machine import ElementTable, ModelError, Rewrite, compile_element, prune_unreachable
from prosecheck.checker.system import Instance, Link, System
from prosecheck.model.elements import ELEMENTS
from prosecheck.model.ghosts import GHOSTS, OBSERVERS
from prosecheck.model.messages import MESSAGES, field_kinds, field_names
from prosecheck.model.mutants import MUTANTS
from prosecheck.model.scenarios import Scenario
from prosecheck.properties.catalog import Property, StateIs

LINKS = (
    ("remote_ue", "relay_ue", "pc5"),
    ("relay_ue", "amf", "nas"),
    ("amf", "ausf", "sbi"),
    ("ausf", "udm", "sbi"),
    ("ausf", "panf", "sbi"),
    ("panf", "udm", "sbi"),
)
"""Who talks to whom (both directions), and over which kind of link."""


@dataclass(frozen=True)
class BoundProperty:
    """A property instantiated for every remote UE of a scenario, over world slots."""

    prop: Property
    expr: Expr
    slots: list[int]


@lru_cache(maxsize=64)
def _tables(options: tuple[tuple[str, int], ...], mutant_ids: tuple[str, ...],
            keep: frozenset[str] = frozenset()) -> dict[str, ElementTable]:
    fields = field_names()
    rewrites = rewrites_of(mutant_ids)
    tables = {cls.ROLE: compile_element(cls, dict(options), fields, rewrites.get(cls.ROLE), keep) for cls in ELEMENTS}
    prune_unreachable(list(tables.values()))
    return tables


def element_tables(scenario: Scenario) -> dict[str, ElementTable]:
    """Each element's compiled (and pruned) table under the scenario's options, by role."""
    return _tables(tuple(sorted(options_of(scenario).items())), scenario.mutants)


def compiled_tables(scenario: Scenario) -> dict[str, ElementTable]:
    """The element tables of a scenario by role (compiled once per option set and mutants)."""
    return _tables(tuple(sorted(options_of(scenario).items())), scenario.mutants)


def rewrites_of(mutant_ids: tuple[str, ...]) -> dict[str, Rewrite]:
    """The rule rewrites of a scenario's seeded mutants, by element role."""
    rewrites: dict[str, Rewrite] = {}
    for mid in mutant_ids:
        if mid not in MUTANTS:
            raise ModelError(f"unknown mutant {mid!r}; known: {', '.join(MUTANTS)}")
        mutant = MUTANTS[mid]
        if mutant.role in rewrites:
            raise ModelError(f"mutants {mid!r} and another both rewrite {mutant.role}; use one per element")
        rewrites[mutant.role] = mutant.rewrite
    return rewrites


def live_elements(scenario: Scenario) -> dict[str, LiveElement]:
    """One live python-statemachine machine per element role, for independent replay."""
    rewrites = rewrites_of(scenario.mutants)
    return {cls.ROLE: LiveElement(cls, options_of(scenario), field_names(), rewrites.get(cls.ROLE)) for cls in ELEMENTS}


def options_of(scenario: Scenario) -> dict[str, int]:
    return {**scenario.procedure.all_options(), **scenario.bounds.options(), **scenario.threats.options()}


def build_system(scenario: Scenario, keep: frozenset[str] = frozenset()) -> System:
    """Instances of every element for every remote UE, linked as in :data:`LINKS`; options in
    ``keep`` stay symbolic (a system for the symbolic engine only, :mod:`prosecheck.prove`)."""
    scenario.bounds.validate()
    scenario.threats.validate()
    tables = _tables(tuple(sorted(options_of(scenario).items())), scenario.mutants, keep) if keep \
        else element_tables(scenario)
    groups = scenario.bounds.remote_ues
    instances: list[Instance] = []
    for g in range(groups):
        for cls in ELEMENTS:
            name = cls.ROLE if groups == 1 else f"{cls.ROLE}.{g + 1}"
            instances.append(Instance(name, cls.ROLE, g, tables[cls.ROLE]))
    index = {(inst.group, inst.role): i for i, inst in enumerate(instances)}
    links: list[Link] = []
    for g in range(groups):
        for a, b, kind in LINKS:
            for src, dst in ((a, b), (b, a)):
                links.append(Link(len(links), index[(g, src)], index[(g, dst)], kind, scenario.bounds.link_capacity))
    return System(instances, links, list(GHOSTS), groups, field_names(), field_kinds(), OBSERVERS)


def bind_formula(system: System, formula: Callable[[StateIs], Expr], combine: str) -> Expr:
    """``formula`` for every remote UE, over world slots, joined by ``combine`` ("and" / "or")."""
    per_group = []
    for g in range(system.groups):
        def state_is(role: str, state_id: str, g: int = g) -> Expr:
            table = system.instances[system.instance_of(g, role)].table
            return W(f"{role}.state") == table.state_index(state_id)

        per_group.append(system.bind(formula(state_is), g))
    return And(*per_group) if combine == "and" else Or(*per_group)


def bind_property(system: System, prop: Property) -> BoundProperty:
    """The property for every remote UE: a conjunction (always) or disjunction (sometimes)."""
    expr = bind_formula(system, prop.formula, "and" if prop.kind == "always" else "or")
    return BoundProperty(prop, expr, system.slot_refs(expr))


def message_title(name: str) -> str:
    return MESSAGES[name].title
