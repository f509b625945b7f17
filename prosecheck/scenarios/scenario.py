"""The scenario record: a named configuration (procedure x bounds x threat model x mutants) with the
verdicts it should give. The scenarios themselves are in :mod:`prosecheck.scenarios.catalog`.

A scenario declares its expected verdicts, so a known flaw (method 200's, [0219]) is an
expected VIOLATED and the exit code stays 0 while the model says what the text says. Every
property not listed is expected to HOLD (for ``sometimes``: to be reached). Its own module, below
:mod:`~prosecheck.scenarios.catalog` and :mod:`~prosecheck.scenarios.threat_scenarios`, which both use it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from prosecheck.model.environment import Bounds, ThreatModel
from prosecheck.model.procedures import Procedure

if TYPE_CHECKING:
    from prosecheck.properties.catalog import Property

HOLDS, VIOLATED = "HOLDS", "VIOLATED"


@dataclass(frozen=True)
class Scenario:
    """A named configuration and the verdicts it should give (see the module docstring)."""

    id: str
    procedure: Procedure
    bounds: Bounds = Bounds()
    expected: dict[str, str] = field(default_factory=dict)
    expect_deadlock: bool = False
    default: bool = True
    note: str = ""
    mutants: tuple[str, ...] = ()
    threats: ThreatModel = ThreatModel()
    properties: tuple[Property, ...] = ()  # written in a scenario file ([[properties]]), judged beside the catalog's

    def expected_verdict(self, property_id: str) -> str:
        return self.expected.get(property_id, HOLDS)

    def with_bounds(self, **changes: object) -> Scenario:
        return replace(self, bounds=replace(self.bounds, **changes))  # type: ignore[arg-type]

    def with_threats(self, **changes: object) -> Scenario:
        """The same scenario under a threat model; its id becomes ``<id>@<threat name>``."""
        threats = replace(self.threats, **changes)  # type: ignore[arg-type]
        base = self.id.split("@", 1)[0]
        return replace(self, id=base if threats.name() == "honest" else f"{base}@{threats.name()}", threats=threats)

    def with_mutants(self, *mutant_ids: str) -> Scenario:
        """The same scenario with seeded mistakes (see :mod:`prosecheck.model.mutants`)."""
        suffix = "".join(f"+{m}" for m in mutant_ids)
        return replace(self, id=self.id + suffix, mutants=self.mutants + tuple(mutant_ids))


__all__ = ["HOLDS", "VIOLATED", "Scenario"]
