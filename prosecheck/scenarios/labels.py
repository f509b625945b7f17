"""Does a recorded scenario's label (its id) agree with what it records (procedure, options, threats, mutants)?

A scenario id is ``BASE[@THREATS][+MUTANT...]`` (:meth:`Scenario.with_threats`,
:meth:`Scenario.with_mutants`): ``BASE`` is a built-in scenario (whose procedure and options it
fixes) or a scenario file's own id (whose procedure's fixed options it keeps, with only the
check placement and readings set by the file); ``@THREATS`` is exactly the threat model's name;
the ``+MUTANT`` suffixes are exactly the recorded mutants, in order. Bounds are not part of the
label (``--attempts`` and the like keep the id). Readers of documents that record a scenario
(certificates, ``check --json`` traces for ``replay``) refuse a label that contradicts them."""

from __future__ import annotations

from prosecheck.model.procedures import PROCEDURES
from prosecheck.model.terms import CHECK_NAMES
from prosecheck.scenarios.catalog import SCENARIOS, Scenario
from prosecheck.scenarios.scenario_file import OPTIONS, SCENARIO_ID


def label_problem(scenario: Scenario) -> str | None:
    """Why ``scenario.id`` contradicts the scenario's recorded procedure, options, threats or mutants; None if not."""
    sid, threats = scenario.id, scenario.threats.name()
    suffix = "".join(f"+{m}" for m in scenario.mutants)
    if not sid.endswith(suffix):
        return f"the id {sid!r} does not end with the recorded mutants ({suffix})"
    base, at, named = sid[:len(sid) - len(suffix)].partition("@")
    if at and (named != threats or named == "honest"):
        return f"the id {sid!r} names threat model {named!r}, the recorded threats are {threats!r}"
    if not at and "+" in base:
        return f"the id {sid!r} names mutants that are not recorded"
    if base in SCENARIOS:
        return _builtin_problem(sid, SCENARIOS[base], scenario, named if at else "honest")
    if not SCENARIO_ID.fullmatch(base):
        return f"the id {sid!r} is neither a built-in scenario nor a scenario file's id"
    return _file_problem(sid, scenario)


def _builtin_problem(sid: str, builtin: Scenario, scenario: Scenario, named: str) -> str | None:
    procedure = scenario.procedure
    if procedure.id != builtin.procedure.id:
        return f"the id {sid!r} is procedure {builtin.procedure.id!r}, the recorded procedure is {procedure.id!r}"
    if procedure.options != builtin.procedure.options:
        return (f"the id {sid!r} has options {builtin.procedure.options}, the recorded options are "
                f"{procedure.options}")
    if named == "honest" and scenario.threats.name() != "honest":
        return f"the id {sid!r} names no threat model, the recorded threats are {scenario.threats.name()!r}"
    return None


def _file_problem(sid: str, scenario: Scenario) -> str | None:
    """A scenario file keeps its procedure's options and may set only the check placement and the readings."""
    fixed = PROCEDURES[scenario.procedure.id].options
    options = scenario.procedure.options
    if missing := sorted(set(fixed) - set(options)):
        return f"scenario {sid!r}: procedure {scenario.procedure.id!r} needs option(s) {missing}"
    for name, value in options.items():
        if name not in OPTIONS and value != fixed.get(name):
            return (f"scenario {sid!r}: option {name}={value} contradicts procedure {scenario.procedure.id!r}"
                    + (f" ({name}={fixed[name]})" if name in fixed else ""))
        if name == "check" and value not in CHECK_NAMES:
            return f"scenario {sid!r}: option check={value} is not a check placement"
        if name != "check" and name in OPTIONS and value not in (0, 1):
            return f"scenario {sid!r}: option {name}={value} is not a reading (0 or 1)"
    return None


__all__ = ["label_problem"]
