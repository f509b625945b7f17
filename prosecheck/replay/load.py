"""Reading trace documents for `prosecheck replay`, with one clear message per malformed input.

Accepted: the whole document ``prosecheck check --json`` prints (every trace in it is replayed),
or one entry of its ``results`` list (one scenario with its properties). A trace is a
property's ``trace`` list; each step carries its raw part (``effect``, ``source``,
``message``, ``sends``, ``after``), see :class:`prosecheck.trace_steps.TraceStep`."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from prosecheck.checker.machine import ModelError
from prosecheck.inputs import InputFileError, parse_json, read_text, validate
from prosecheck.model.build import rewrites_of
from prosecheck.model.environment import Bounds, ThreatModel
from prosecheck.model.fixes import is_fix_scenario
from prosecheck.model.messages import every_field_name
from prosecheck.model.mutants import MUTANTS
from prosecheck.model.procedures import PROCEDURES, READINGS, Procedure
from prosecheck.model.terms import CHECK_NAMES
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import SCENARIOS, Scenario
from prosecheck.scenarios.labels import label_problem
from prosecheck.schemas import check_format, part
from prosecheck.verify import BUILTIN

Message = tuple[str, tuple[int, ...]]


class TraceInputError(Exception):
    """The input is not a trace document this tool wrote (exit code 2)."""


@dataclass(frozen=True)
class Step:
    number: int
    element: str
    event: str
    effect: str
    source: str | None
    message: Message | None
    sends: list[dict[str, Any]]
    after: dict[str, Any]
    fault: str = ""  # "lost" / "duplicated" (threat model lossy_links)


@dataclass(frozen=True)
class Claim:
    """One trace and what it claims: ``verdict`` of ``property`` in ``scenario``."""

    where: str
    scenario: Scenario
    property: str
    verdict: str
    steps: list[Step]
    value: int | None = None  # a measure's claimed figure


def read_document(path: str) -> Any:
    """The ``check --json`` document (or one of its results) in ``path``, read safely
    (:mod:`prosecheck.inputs`) and checked against ``check.schema.json``; else a one-line
    :class:`TraceInputError` naming the file, the field and the problem."""
    try:
        doc = parse_json(path, read_text(path))
        check_shape(path, doc)
    except InputFileError as err:
        raise TraceInputError(str(err)) from None
    return doc


def check_shape(path: str, doc: Any) -> None:
    """:class:`InputFileError` unless ``doc`` is a whole ``check --json`` document (it has ``results``)
    or one of its results, as ``check.schema.json`` describes them; a whole document of another
    ``format`` or ``format_version`` is refused first (:func:`prosecheck.schemas.check_format`)."""
    check_format(path, doc, "check")
    whole = isinstance(doc, dict) and "results" in doc
    validate(path, doc, part("check", "document" if whole else "result"))


def claims_of(doc: Any, path: str) -> list[Claim]:
    """Every trace in a ``check --json`` document or in one of its results."""
    if isinstance(doc, dict) and "results" in doc:
        results = _get(doc, "results", list, path)
        claims = [c for i, r in enumerate(results) for c in _result_claims(r, f"{path}: results[{i}]")]
    else:
        claims = _result_claims(doc, path)
    if not claims:
        raise TraceInputError(f"{path}: no trace to replay (no property has a trace)")
    return claims


def _get(obj: Any, key: str, kind: type | tuple[type, ...], where: str, *, optional: bool = False) -> Any:
    if not isinstance(obj, dict):
        raise TraceInputError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    if key not in obj:
        if optional:
            return None
        raise TraceInputError(f"{where}: missing field {key!r}")
    value = obj[key]
    if optional and value is None:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int,))):
        raise TraceInputError(f"{where}: field {key!r} has the wrong type ({type(value).__name__})")
    return value


def _result_claims(result: Any, where: str) -> list[Claim]:
    scenario = scenario_of(result, where)
    props = _get(result, "properties", dict, where)
    claims = []
    for pid, entry in props.items():
        at = f"{where}: properties.{pid}"
        trace = _get(entry, "trace", list, at, optional=True)
        if trace is None:
            continue
        if pid not in PROPERTIES and pid not in BUILTIN:
            raise TraceInputError(f"{at}: unknown property {pid!r}")
        verdict = _get(entry, "verdict", str, at)
        steps = [_step(s, f"{at}: trace[{n}]", n + 1) for n, s in enumerate(trace)]
        value = _get(entry, "value", int, at, optional=True)
        claims.append(Claim(f"{scenario.id} {pid}", scenario, pid, verdict, steps, value))
    return claims


KNOWN_PROCEDURES = {**PROCEDURES, **{s.procedure.id: s.procedure for s in SCENARIOS.values() if is_fix_scenario(s.id)}}
"""The procedures a saved result may name: the text's and those of the proposed fixes (prosecheck/model/fixes.py)."""


def scenario_of(result: Any, where: str) -> Scenario:
    """The scenario a result records: id, procedure, its options, bounds and mutants."""
    sid = _get(result, "scenario", str, where)
    pid = _get(result, "procedure", str, where)
    if pid not in KNOWN_PROCEDURES:
        raise TraceInputError(f"{where}: unknown procedure {pid!r}")
    options = _options(pid, _get(result, "options", dict, where), where)
    mutants = _get(result, "mutants", list, where)
    for m in mutants:
        if not isinstance(m, str) or m not in MUTANTS:
            raise TraceInputError(f"{where}: field mutants: unknown mutant {m!r}")
    try:
        rewrites_of(tuple(mutants))
    except ModelError as err:
        raise TraceInputError(f"{where}: field mutants: {err}") from None
    raw_bounds = _get(result, "bounds", dict, where)
    known = {f.name for f in fields(Bounds)}
    if unknown := set(raw_bounds) - known:
        raise TraceInputError(f"{where}: unknown bound(s) {sorted(unknown)}")
    bounds = Bounds(**raw_bounds)
    try:
        bounds.validate()
    except ModelError as err:
        raise TraceInputError(f"{where}: {err}") from None
    base = KNOWN_PROCEDURES[pid]
    scenario = Scenario(sid, Procedure(pid, base.title, options, base.ref), bounds, mutants=tuple(mutants),
                        threats=_threats_of(result, where))
    if problem := label_problem(scenario):
        raise TraceInputError(f"{where}: field scenario: {problem}")
    return scenario


def _options(pid: str, options: dict[str, Any], where: str) -> dict[str, int]:
    """The recorded options of procedure ``pid``: its own, with the check placement and the readings
    a scenario file may set (``prosecheck.scenarios.scenario_file``); anything else is refused."""
    if any(not isinstance(v, int) or isinstance(v, bool) for v in options.values()):
        raise TraceInputError(f"{where}: field 'options' must map option names to integers")
    base = KNOWN_PROCEDURES[pid].options
    for name, value in options.items():
        if name == "check":
            ok = value in CHECK_NAMES
        elif name in READINGS:
            ok = value in (0, 1)
        elif name in base:
            ok = value == base[name]
        else:
            raise TraceInputError(f"{where}: field options.{name}: not an option of procedure {pid}")
        if not ok:
            raise TraceInputError(f"{where}: field options.{name}: procedure {pid} does not take the value {value!r}")
    return dict(options)


def _threats_of(result: Any, where: str) -> ThreatModel:
    """The recorded threat model (documents written before threat models existed have none: honest)."""
    raw = result.get("threats", {})
    if not isinstance(raw, dict):
        raise TraceInputError(f"{where}: field 'threats' must be an object")
    known = {f.name for f in fields(ThreatModel)}
    if unknown := set(raw) - known:
        raise TraceInputError(f"{where}: unknown threat model field(s) {sorted(unknown)}")
    if not isinstance(raw.get("lossy_links", []), list):
        raise TraceInputError(f"{where}: field 'threats.lossy_links' must be a list")
    values: dict[str, Any] = {k: tuple(v) if k == "lossy_links" else v for k, v in raw.items()}
    threats = ThreatModel(**values)
    try:
        threats.validate()
    except ModelError as err:
        raise TraceInputError(f"{where}: {err}") from None
    return threats


def _message(raw: Any, where: str) -> Message:
    name = _get(raw, "name", str, where)
    values = _get(raw, "fields", dict, where)
    catalogue = every_field_name().get(name)
    if catalogue is None:
        raise TraceInputError(f"{where}: unknown message {name!r}")
    if set(values) != set(catalogue) or any(not isinstance(v, int) or isinstance(v, bool) for v in values.values()):
        raise TraceInputError(f"{where}: message {name} must carry exactly the integer fields {list(catalogue)}")
    return name, tuple(values[f] for f in catalogue)


def _step(raw: Any, where: str, number: int) -> Step:
    message = _get(raw, "message", dict, where, optional=True)
    return Step(
        number=number,
        element=_get(raw, "element", str, where),
        event=_get(raw, "event", str, where),
        effect=_get(raw, "effect", str, where),
        source=_get(raw, "source", str, where, optional=True),
        message=None if message is None else _message(message, f"{where}: message"),
        sends=_get(raw, "sends", list, where),
        after=_get(raw, "after", dict, where),
        fault=_fault(raw, where),
    )


def _fault(raw: Any, where: str) -> str:
    fault = raw.get("fault", "") if isinstance(raw, dict) else ""
    if fault not in ("", "lost", "duplicated"):
        raise TraceInputError(f"{where}: field 'fault' must be \"lost\", \"duplicated\" or empty, got {fault!r}")
    return str(fault)
