"""Scenarios written by users in TOML files (`prosecheck check --scenario-file FILE`).

A file names a procedure and may set its options (the readings of ambiguous text and the
check placement), the bounds, seeded mutants and the verdicts the user expects; see
docs/scenario-files.md and ``examples/``. Anything the loader cannot use is one
:class:`ScenarioFileError` naming the file, the line (when it can be found) and the field: never a
traceback, never a guess."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from prosecheck.checker.machine import ModelError
from prosecheck.inputs import InputFileError, parse_toml, read_text, validate
from prosecheck.model.environment import Bounds, ThreatModel
from prosecheck.model.mutants import MUTANTS
from prosecheck.model.procedures import PROCEDURES, READINGS, Procedure
from prosecheck.model.terms import CHECK_NAMES
from prosecheck.properties.catalog import PROPERTIES, Property
from prosecheck.properties.user import FormulaError, Vocabulary, user_property
from prosecheck.scenarios.catalog import HOLDS, SCENARIOS, VIOLATED, Scenario
from prosecheck.schemas import schema

KEYS = ("id", "procedure", "method", "note", "options", "bounds", "threats", "mutants", "properties", "expected")
NOT_SUPPORTED = {"threat_model": "the threat model is the [threats] table (pc5_attacker, malicious_relay, "
                                 "leaked_old_pruk, lossy_links, link_faults): rename it"}
CHECKS = {name: code for code, name in CHECK_NAMES.items()}
OPTIONS = ("check", *READINGS)
BUILTIN_PROPERTIES = ("deadlock_free", "messages_handled")
SCENARIO_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
"""What a scenario file's own id may look like (also what `model/labels` accepts as one)."""


class ScenarioFileError(Exception):
    """A scenario file the loader cannot use; the message is one line."""


class _Problem(Exception):
    """A problem with one field, before the file and line are known."""

    def __init__(self, field: tuple[str, ...], problem: str) -> None:
        super().__init__(problem)
        self.field, self.problem = field, problem


def load_scenario_file(path: str) -> Scenario:
    """The scenario the TOML file at ``path`` describes, or a :class:`ScenarioFileError`. The file is
    read safely (:mod:`prosecheck.inputs`: a regular file, size cap, UTF-8 with or without a byte-order
    mark, nesting cap), each field checked with its line, then the whole against ``scenario-file.schema.json``."""
    try:
        text = read_text(path)
        if not text.strip():
            raise ScenarioFileError(f"{path}: empty file: a scenario needs at least 'id' and 'procedure'")
        doc = parse_toml(path, text)
    except InputFileError as err:
        raise ScenarioFileError(str(err)) from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioFileError(_toml_message(path, str(err))) from None
    try:
        scenario = scenario_from(doc, Path(path).name)
        _schema_check(doc)
    except _Problem as p:
        line = line_of(text, p.field)
        where = f"{path}:{line}" if line else path
        raise ScenarioFileError(f"{where}: field {'.'.join(p.field) or '(file)'}: {p.problem}") from None
    return scenario


def _schema_check(doc: Mapping[str, Any]) -> None:
    """The published shape (``scenario-file.schema.json``), after the field checks above: a backstop
    that keeps the schema and this loader in agreement."""
    try:
        validate("", doc, schema("scenario-file"))
    except InputFileError as err:
        raise _Problem(tuple(str(k) for k in err.field if isinstance(k, str)), err.problem) from None


def _toml_message(path: str, message: str) -> str:
    """``FILE:LINE:COL: malformed TOML: ...`` from tomllib's ``... (at line L, column C)``."""
    at = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
    if at is None:
        return f"{path}: malformed TOML: {message.splitlines()[0] if message else 'parse error'}"
    return f"{path}:{at.group(1)}:{at.group(2)}: malformed TOML: {message[: at.start()]}"


def line_of(text: str, field: tuple[str, ...]) -> int | None:
    """The line that defines ``field`` (or the nearest enclosing key), best effort."""
    table: tuple[str, ...] = ()
    best: tuple[int, int] | None = None  # (matched length, line)
    arrays: dict[tuple[str, ...], int] = {}  # [[name]] headers seen so far: the n-th is table (name, "n-1")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith(("'", '"')) else raw.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?$", line)
        if header:
            table = _key_path(header.group(1))
            if line.startswith("[["):
                arrays[table] = arrays.get(table, -1) + 1
                table = (*table, str(arrays[table]))
            key = table
        else:
            assign = re.match(r"^((?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*'))*)"
                              r"\s*=", line)
            if not assign:
                continue
            key = table + _key_path(assign.group(1))
        if key and field[: len(key)] == key and (best is None or len(key) > best[0]):
            best = (len(key), number)
    return best[1] if best else None


def _key_path(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.split(r"\.(?=(?:[^\"']|\"[^\"]*\"|'[^']*')*$)", dotted))


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array",
            dict: "a table"}.get(type(value), type(value).__name__)


def _table(doc: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise _Problem((key,), f"must be a table, got {_type_name(value)}")
    return value


def scenario_from(doc: Mapping[str, Any], source: str = "file") -> Scenario:
    """Validate a parsed TOML document into a scenario; :class:`_Problem` on the first bad field."""
    for key in doc:
        if key in NOT_SUPPORTED:
            raise _Problem((key,), NOT_SUPPORTED[key])
        if key not in KEYS:
            raise _Problem((key,), f"unknown key{_suggest(key, KEYS)}; known: {', '.join(KEYS)}")
    sid = _identifier(doc)
    base = _procedure(doc)
    options = _options(_table(doc, "options"))
    bounds = _bounds(_table(doc, "bounds"))
    threats = _threats(_table(doc, "threats"))
    mutants = _mutants(doc.get("mutants", []))
    entries = _property_entries(doc.get("properties", []))
    expected = _expected(_table(doc, "expected"), [e["id"] for e in entries])
    note = doc.get("note", f"from {source}")
    if not isinstance(note, str):
        raise _Problem(("note",), f"must be a string, got {_type_name(note)}")
    title = base.title + (f" (options set in {source}: " + ", ".join(f"{k}={v}" for k, v in options.items()) + ")"
                          if options else "")
    procedure = Procedure(base.id, title, {**base.options, **options}, base.ref)
    scenario = Scenario(
        sid, procedure, bounds, {p: v for p, v in expected.items() if p != "deadlock_free"},
        expect_deadlock=expected.get("deadlock_free") == VIOLATED, default=False, note=note, threats=threats,
    )
    scenario = scenario.with_mutants(*mutants) if mutants else scenario
    return replace(scenario, properties=_user_properties(entries, scenario)) if entries else scenario


PROPERTY_KEYS = ("id", "kind", "formula", "trigger", "statement", "code")


def _property_entries(value: object) -> list[dict[str, str]]:
    """The ``[[properties]]`` entries, each a table of strings with a new, unique id (formulas are read later)."""
    if not isinstance(value, list):
        raise _Problem(("properties",), f"must be an array of tables ([[properties]]), got {_type_name(value)}")
    taken = {*PROPERTIES, *BUILTIN_PROPERTIES, "livelock_free"}
    for n, entry in enumerate(value):
        taken.add(_property_entry(str(n), entry, taken))
    return list(value)


def _property_entry(n: str, entry: object, taken: set[str]) -> str:
    """One ``[[properties]]`` entry checked (keys, string values, required keys, a new id); its id."""
    if not isinstance(entry, dict):
        raise _Problem(("properties", n), f"must be a table, got {_type_name(entry)}")
    for key, item in entry.items():
        if key not in PROPERTY_KEYS:
            raise _Problem(("properties", n, key), f"unknown key{_suggest(key, PROPERTY_KEYS)}; known: "
                           f"{', '.join(PROPERTY_KEYS)}")
        if not isinstance(item, str):
            raise _Problem(("properties", n, key), f"must be a string, got {_type_name(item)}")
    missing = [key for key in ("id", "kind", "formula") if key not in entry]
    if missing:
        raise _Problem(("properties", n), f"needs '{missing[0]}' (id, kind and formula are required)")
    pid: str = entry["id"]
    if not re.fullmatch(r"[a-z][a-z0-9_]*", pid):
        raise _Problem(("properties", n, "id"), f"{pid!r}: lower-case letters, digits and _ only")
    if pid in taken:
        raise _Problem(("properties", n, "id"), f"{pid!r} is taken (a built-in property or an earlier entry)")
    return pid


def _user_properties(entries: list[dict[str, str]], scenario: Scenario) -> tuple[Property, ...]:
    """The entries as properties, their formulas read against the scenario's compiled machines."""
    from prosecheck.model.build import element_tables

    tables = element_tables(scenario)
    vocabulary = Vocabulary({role: t.var_names for role, t in tables.items()},
                            {role: t.state_ids for role, t in tables.items()})
    out = []
    for n, e in enumerate(entries):
        try:
            out.append(user_property(e["id"], e["kind"], e["formula"], vocabulary, e.get("trigger"),
                                     e.get("statement"), e.get("code")))
        except FormulaError as err:
            key = str(err).split(":", 1)[0]
            field = key if key in ("formula", "trigger") else "kind"
            raise _Problem(("properties", str(n), field), str(err).removeprefix(f"{field}: ")) from None
    return tuple(out)


def _identifier(doc: Mapping[str, Any]) -> str:
    if "id" not in doc:
        raise _Problem(("id",), "missing: every scenario needs an id")
    sid = doc["id"]
    if not isinstance(sid, str):
        raise _Problem(("id",), f"must be a string, got {_type_name(sid)}")
    if not SCENARIO_ID.fullmatch(sid):
        raise _Problem(("id",), f"{sid!r} is not an id (letters, digits, '_', '.', '-'; no spaces or '+')")
    if sid in SCENARIOS:
        raise _Problem(("id",), f"{sid!r} is a built-in scenario; choose another id")
    return sid


def _procedure(doc: Mapping[str, Any]) -> Procedure:
    if "procedure" in doc and "method" in doc:
        raise _Problem(("method",), "give 'procedure' or its alias 'method', not both")
    key = "procedure" if "procedure" in doc else "method"
    if key not in doc:
        raise _Problem(("procedure",), f"missing: one of {', '.join(PROCEDURES)}")
    value = doc[key]
    if not isinstance(value, str):
        raise _Problem((key,), f"must be a string, got {_type_name(value)}")
    if value not in PROCEDURES:
        raise _Problem((key,), f"unknown procedure {value!r}{_suggest(value, PROCEDURES)}; known: {', '.join(PROCEDURES)}")
    return PROCEDURES[value]


def _options(table: Mapping[str, Any]) -> dict[str, int]:
    out = {}
    for name, value in table.items():
        field = ("options", name)
        if name not in OPTIONS:
            raise _Problem(field, f"unknown option{_suggest(name, OPTIONS)}; known: {', '.join(OPTIONS)}")
        if name == "check":
            if not isinstance(value, str) or value not in CHECKS:
                raise _Problem(field, f"must be one of {', '.join(map(repr, CHECKS))}, got {value!r}")
            out[name] = CHECKS[value]
        elif isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
            out[name] = int(value)
        else:
            raise _Problem(field, f"a reading is true or false (or 1/0), got {_type_name(value)} {value!r}")
    return out


def _bounds(table: Mapping[str, Any]) -> Bounds:
    kinds: dict[str, Callable[[object], bool]] = {
        f.name: (lambda v: isinstance(v, bool)) if isinstance(f.default, bool)
        else (lambda v: isinstance(v, int) and not isinstance(v, bool)) for f in fields(Bounds)
    }
    for name, value in table.items():
        field = ("bounds", name)
        if name not in kinds:
            raise _Problem(field, f"unknown bound{_suggest(name, kinds)}; known: {', '.join(kinds)}")
        if not kinds[name](value):
            want = "a boolean" if isinstance(getattr(Bounds(), name), bool) else "an integer"
            raise _Problem(field, f"must be {want}, got {_type_name(value)} {value!r}")
        try:
            Bounds(**{name: value}).validate()
        except ModelError as err:
            raise _Problem(field, str(err)) from None
    return Bounds(**table)


def _threats(table: Mapping[str, Any]) -> ThreatModel:
    """The ``[threats]`` table: ``pc5_attacker = N``, ``malicious_relay = true``, ``leaked_old_pruk = true``,
    ``lossy_links = ["pc5", "nas"]``, ``link_faults = N``."""
    known = [f.name for f in fields(ThreatModel)]
    values: dict[str, Any] = {}
    for name, value in table.items():
        field = ("threats", name)
        if name not in known:
            raise _Problem(field, f"unknown threat model{_suggest(name, known)}; known: {', '.join(known)}")
        default = getattr(ThreatModel(), name)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
            want = "a boolean"
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
            want = "an integer"
        else:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            want = "a list of link kinds"
            value = tuple(value) if ok else value
        if not ok:
            raise _Problem(field, f"must be {want}, got {_type_name(value)} {value!r}")
        try:
            ThreatModel(**{name: value}).validate()
        except ModelError as err:
            raise _Problem(field, str(err)) from None
        values[name] = value
    return ThreatModel(**values)


def _mutants(value: object) -> list[str]:
    if not isinstance(value, list):
        raise _Problem(("mutants",), f"must be an array of mutant ids, got {_type_name(value)}")
    roles: dict[str, str] = {}
    for mid in value:
        if not isinstance(mid, str):
            raise _Problem(("mutants",), f"must hold strings, got {_type_name(mid)} {mid!r}")
        if mid not in MUTANTS:
            raise _Problem(("mutants",), f"unknown mutant {mid!r}{_suggest(mid, MUTANTS)}; see 'prosecheck list'")
        role = MUTANTS[mid].role
        if role in roles:
            raise _Problem(("mutants",), f"{roles[role]!r} and {mid!r} both rewrite the {role}; use one per element")
        roles[role] = mid
    return list(value)


def _expected(table: Mapping[str, Any], own: list[str]) -> dict[str, str]:
    known = (*PROPERTIES, *BUILTIN_PROPERTIES, *own)
    for pid, verdict in table.items():
        field = ("expected", pid)
        if pid not in known:
            raise _Problem(field, f"unknown property{_suggest(pid, known)}; see 'prosecheck list'")
        if verdict not in (HOLDS, VIOLATED):
            raise _Problem(field, f"must be \"HOLDS\" or \"VIOLATED\", got {verdict!r}")
        if pid == "messages_handled" and verdict != HOLDS:
            raise _Problem(field, "an unhandled message cannot be declared expected; only HOLDS")
    return dict(table)
