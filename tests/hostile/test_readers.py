"""Hostile inputs to the file readers (issue 23, items 6 and 9): scenario TOML files
(``--scenario-file``), ``check --json`` documents read by ``replay``, ``diagram msc``, ``report``
and ``threats``, and the proof ledger (``--ledger``). Each case gives the exit code and a fragment
of the one-line message; none may end in a traceback or a hang (a FIFO, ``/dev/zero``)."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from prosecheck.checker.machine import ModelError
from prosecheck.inputs import MAX_BYTES
from prosecheck.report.json_out import results_json
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import check_scenario
from tests.hostile.harness import Case, run_case

BOM = b"\xef\xbb\xbf"
DEEP_ARRAY = b"[" * 500 + b"]" * 500
DEEP_OBJECT = b'{"a":' * 500 + b"1" + b"}" * 500
NESTED = "nested more than 64 levels deep"

# one small real document: m200 with a counterexample (no_knr_after_withdrawal), a witness
# (pc5_secured_by_suci) and a HOLDS without trace (knr_agreement), plus the built-ins
BASE: dict[str, Any] = json.loads(results_json([check_scenario(
    SCENARIOS["m200"], ["no_knr_after_withdrawal", "pc5_secured_by_suci", "knr_agreement"])]))
BAD = "no_knr_after_withdrawal"  # the property with a counterexample
WIT = "pc5_secured_by_suci"

# -- the readers of a check --json document ------------------------------------------------------

REPLAY = ("replay", "{tmp}/t.json")
MSC = ("diagram", "msc", "{tmp}/t.json", "--out", "{tmp}/out", "--format", "mermaid")
REPORT = ("report", "{tmp}/t.json", "--out", "{tmp}/out", "--quiet")
THREATS = ("threats", "{tmp}/t.json", "--quiet")
DOC_READERS = {"replay": REPLAY, "msc": MSC, "report": REPORT, "threats": THREATS}


def _dump(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def _edit(change: Callable[[dict[str, Any]], Any]) -> bytes:
    """The base document with ``change`` applied to its first result."""
    doc = copy.deepcopy(BASE)
    change(doc["results"][0])
    return _dump(doc)


def _put(*path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set ``path`` (keys and indices inside a result) to ``value``."""
    def change(result: dict[str, Any]) -> None:
        target: Any = result
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _drop(*path: Any) -> Callable[[dict[str, Any]], None]:
    def change(result: dict[str, Any]) -> None:
        target: Any = result
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


def _step(n: int, *path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    return _put("properties", BAD, "trace", n, *path, value=value)


# file-level problems: every reader of a check --json document, the same message
FILE_LEVEL: list[tuple[str, bytes, str]] = [
    ("not-json", b"{", "t.json:1:2: not JSON"),
    ("empty", b"", "t.json:1:1: not JSON"),
    ("latin1", b'{"results": ["\xe9"]}', "t.json: not UTF-8 text (byte 14)"),
    ("binary", bytes(range(256)), "not UTF-8 text"),
    ("nul-bytes", b"\x00" * 16, "not JSON"),
    ("deep-array", DEEP_ARRAY, NESTED),
    ("deep-object", DEEP_OBJECT, NESTED),
    ("nan", b'{"results": [NaN]}', "NaN is not a JSON number"),
    ("infinity", b"[-Infinity]", "-Infinity is not a JSON number"),
    ("overflow", b"[1e400]", "1e400 is too large for a number"),
    ("huge-integer", b"[" + b"9" * 5000 + b"]", "not JSON"),
    ("truncated", _dump(BASE)[:5000], "not JSON"),
]
SHAPES: list[tuple[str, bytes, str, str]] = [  # name, content, message (replay/report/threats), message (msc)
    ("top-string", b'"hello"', "field (document): 'hello' is not of type 'object'", "expected the output of"),
    ("top-null", b"null", "field (document): None is not of type 'object'", "expected the output of"),
    ("top-number", b"3", "field (document): 3 is not of type 'object'", "expected the output of"),
    ("top-object", b'{"foo": 1}', "field (document): 'bounds' is a required property", "expected the output of"),
]
# a first result the schema refuses: the same message from every reader
SCHEMA_LEVEL: list[tuple[str, Callable[[dict[str, Any]], Any] | None, bytes | None, str]] = [
    ("issue-eap-can-fail-no", _put("bounds", "eap_can_fail", value="no"), None,
     "field results[0].bounds.eap_can_fail: 'no' is not of type 'boolean'"),
    ("issue-mutants-nested", _put("mutants", value=[[1]]), None, "field results[0].mutants[0]: [1] is not of type 'string'"),
    ("issue-result-integer", None, _dump({**BASE, "results": [1]}), "field results[0]: 1 is not of type 'object'"),
    ("results-not-list", None, _dump({**BASE, "results": 3}), "field results: 3 is not of type 'array'"),
    ("tool-list", None, _dump({**BASE, "tool": []}), "field tool: [] is not of type 'object'"),
    ("exit-code-string", None, _dump({**BASE, "exit_code": "0"}), "field exit_code: '0' is not of type 'integer'"),
    ("attempts-string", _put("bounds", "attempts", value="3"), None, "bounds.attempts: '3' is not of type 'integer'"),
    ("attempts-float", _put("bounds", "attempts", value=3.0), None, "bounds.attempts: 3.0 is not of type 'integer'"),
    ("attempts-bool", _put("bounds", "attempts", value=True), None, "bounds.attempts: True is not of type 'integer'"),
    ("bounds-unknown", _put("bounds", "colour", value=1), None, "('colour' was unexpected)"),
    ("bounds-list", _put("bounds", value=[]), None, "field results[0].bounds: [] is not of type 'object'"),
    ("options-string", _put("options", "check", value="x"), None, "options.check: 'x' is not of type 'integer'"),
    ("options-negative", _put("options", "check", value=-1), None, "options.check: -1 is less than the minimum of 0"),
    ("scenario-int", _put("scenario", value=5), None, "field results[0].scenario: 5 is not of type 'string'"),
    ("scenario-empty", _put("scenario", value=""), None, "field results[0].scenario: '' should be non-empty"),
    ("procedure-null", _put("procedure", value=None), None, "procedure: None is not of type 'string'"),
    ("procedure-missing", _drop("procedure"), None, "field results[0]: 'procedure' is a required property"),
    ("properties-list", _put("properties", value=[]), None, "properties: [] is not of type 'object'"),
    ("property-int", _put("properties", "knr_agreement", value=1), None, "knr_agreement: 1 is not of type 'object'"),
    ("verdict-proved", _put("properties", "knr_agreement", "verdict", value="PROVED"), None, "'PROVED' is not one of"),
    ("kind-unknown", _put("properties", BAD, "kind", value="never"), None, "'never' is not one of"),
    ("trace-string", _put("properties", BAD, "trace", value="x"), None, "trace: 'x' is not of type 'array', 'null'"),
    ("trace-ints", _put("properties", BAD, "trace", value=[1]), None, "trace[0]: 1 is not of type 'object'"),
    ("step-number-zero", _step(0, "number", value=0), None, "trace[0].number: 0 is less than the minimum of 1"),
    ("step-number-string", _step(0, "number", value="1"), None, "trace[0].number: '1' is not of type 'integer'"),
    ("step-effect-missing", lambda r: r["properties"][BAD]["trace"][0].pop("effect"), None,
     "trace[0]: 'effect' is a required property"),
    ("step-field-string", _step(1, "message", "fields", "suci", value="1"), None,
     "trace[1].message.fields.suci: '1' is not of type 'integer'"),
    ("step-sends-string", _step(0, "sends", value="x"), None, "trace[0].sends: 'x' is not of type 'array'"),
    ("step-after-list", _step(0, "after", value=[]), None, "trace[0].after: [] is not of type 'object'"),
    ("step-fault-unknown", _step(0, "fault", value="eaten"), None, "trace[0].fault: 'eaten' is not one of"),
    ("step-changes-string", _step(0, "changes", value={"a": "x"}), None, "trace[0].changes.a: 'x' is not of type 'array'"),
    ("step-outputs-to-int", _step(0, "outputs", 0, "to", value=1), None, "trace[0].outputs[0].to: 1 is not of type"),
    ("threat-string", _put("threats", "pc5_attacker", value="1"), None, "pc5_attacker: '1' is not of type 'integer'"),
    ("lossy-string", _put("threats", "lossy_links", value="pc5"), None, "lossy_links: 'pc5' is not of type 'array'"),
    ("threat-unknown", _put("threats", "spy", value=True), None, "('spy' was unexpected)"),
    ("elements-int", _put("elements", value=5), None, "field results[0].elements: 5 is not of type 'array'"),
    ("element-name-int", _put("elements", 0, "name", value=5), None, "elements[0].name: 5 is not of type 'string'"),
    ("states-negative", _put("stats", "states", value=-1), None, "stats.states: -1 is less than the minimum of 0"),
    ("model-hash-int", _put("assumptions", "model_sha256", value=5), None, "assumptions.model_sha256: 5 is not of type"),
    ("value-string", _put("properties", WIT, "value", value="2"), None, "value: '2' is not of type 'integer', 'null'"),
    ("replay-word", _put("properties", WIT, "replay", value="yes"), None, "replay: 'yes' is not valid under any"),
]


def _doc_cases() -> list[Case]:
    cases = []
    for reader, argv in DOC_READERS.items():
        for name, content, message in FILE_LEVEL:
            cases.append(Case(f"{reader}-{name}", argv, 2, message, {"t.json": content}))
        for name, content, message, msc_message in SHAPES:
            cases.append(Case(f"{reader}-{name}", argv, 2, msc_message if reader == "msc" else message, {"t.json": content}))
        # report and threats read an argument as a saved document only when it ends in .json
        by_name = reader in ("report", "threats")
        cases += [
            Case(f"{reader}-directory", tuple(a.replace("{tmp}/t.json", "{tmp}") for a in argv), 2,
                 "unknown scenario" if by_name else "is a directory"),
            Case(f"{reader}-missing", argv, 2, "t.json: no such file"),
            Case(f"{reader}-dev-zero", tuple(a.replace("{tmp}/t.json", "/dev/zero") for a in argv), 2,
                 "unknown scenario '/dev/zero'" if by_name else "/dev/zero: not a regular file"),
            Case(f"{reader}-dev-null", tuple(a.replace("{tmp}/t.json", "/dev/null") for a in argv), 2,
                 "unknown scenario '/dev/null'" if by_name else "/dev/null: not a regular file"),
        ]
    for reader in ("replay", "msc", "report"):
        for name, change, content, message in SCHEMA_LEVEL:
            data = content if content is not None else _edit(change) if change else b""
            cases.append(Case(f"{reader}-{name}", DOC_READERS[reader], 2, message, {"t.json": data}))
    for name, change, content, message in SCHEMA_LEVEL[:8]:
        data = content if content is not None else _edit(change) if change else b""
        cases.append(Case(f"threats-{name}", THREATS, 2, message, {"t.json": data}))
    return cases


# the schema accepts these; the model refuses them (replay, report) or the chart does not need them (msc)
SEMANTIC: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    ("procedure-unknown", _put("procedure", value="m999"), "unknown procedure 'm999'"),
    ("mutant-unknown", _put("mutants", value=["nope"]), "field mutants: unknown mutant 'nope'"),
    ("mutants-same-element", _put("mutants", value=["udm_omits_supi", "udm_silent_on_denial"]), "both rewrite udm"),
    ("check-out-of-range", _put("options", "check", value=99), "options.check: procedure m200 does not take the value 99"),
    ("option-unknown", _put("options", "colour", value=1), "options.colour: not an option of procedure m200"),
    ("reading-two", _put("options", "s3042_answers_failure", value=2), "does not take the value 2"),
    ("attempts-zero", _put("bounds", "attempts", value=0), "bound attempts must be an integer in 1..14, got 0"),
    ("remote-ues-99", _put("bounds", "remote_ues", value=99), "bound remote_ues must be an integer in 1..4"),
    ("lossy-unknown", _put("threats", "lossy_links", value=["air"]), "unknown link kind 'air'"),
    ("duplication-alone", _put("threats", "duplication", value=True), "duplication needs lossy_links"),
]


def _semantic_cases() -> list[Case]:
    cases = []
    for name, change, message in SEMANTIC:
        data = _edit(change)
        cases.append(Case(f"replay-{name}", REPLAY, 2, message, {"t.json": data}))
        cases.append(Case(f"report-{name}", REPORT, 2, message, {"t.json": data}))
    cases += [
        Case("msc-procedure-unknown-is-drawn", MSC, 0, "", {"t.json": _edit(_put("procedure", value="m999"))}),
        Case("replay-unknown-property", REPLAY, 2, "unknown property 'nope'", {"t.json": _edit(_put(
            "properties", "nope", value={"kind": "always", "verdict": "VIOLATED", "trace": []}))}),
        Case("report-unknown-property", REPORT, 2, "unknown property 'nope'", {"t.json": _edit(_put(
            "properties", "nope", value={"kind": "always", "verdict": "VIOLATED", "trace": []}))}),
        Case("msc-empty-counterexample", MSC, 2, "the trace must be a non-empty list of steps", {"t.json": _edit(_put(
            "properties", "nope", value={"kind": "always", "verdict": "VIOLATED", "trace": []}))}),
        Case("replay-unknown-message", REPLAY, 2, "unknown message 'hello'",
             {"t.json": _edit(_step(1, "message", "name", value="hello"))}),
        Case("report-stale-model", REPORT, 2, "was checked with another model",
             {"t.json": _edit(_put("assumptions", "model_sha256", value="0" * 64))}),
        Case("report-stats-missing", REPORT, 2, "missing or malformed field 'stats'", {"t.json": _edit(_drop("stats"))}),
    ]
    return cases


# diagram msc's other inputs: a saved trace object, a bare list of steps
STEP = {"number": 1, "element": "remote_ue", "event": "start", "action": "send", "outputs": []}
MSC_CASES = [
    Case("msc-saved-trace-empty", MSC, 2, "field trace: [] should be non-empty", {"t.json": b'{"trace": []}'}),
    Case("msc-saved-trace-int", MSC, 2, "field trace[0]: 1 is not of type 'object'", {"t.json": b'{"trace": [1]}'}),
    Case("msc-saved-trace-fields", MSC, 2, "field trace[0]: 'action' is a required property",
         {"t.json": b'{"trace": [{"number": 1}]}'}),
    Case("msc-saved-trace-elements", MSC, 2, "field elements: 5 is not of type 'array', 'null'",
         {"t.json": _dump({"trace": [STEP], "elements": 5})}),
    Case("msc-saved-trace-title", MSC, 2, "field title: [] is not of type 'string', 'null'",
         {"t.json": _dump({"trace": [STEP], "title": []})}),
    Case("msc-saved-trace-received", MSC, 2, "trace[0].received: {'from': 'x'} is not valid under any",
         {"t.json": _dump({"trace": [{**STEP, "received": {"from": "x"}}]})}),
    Case("msc-saved-trace-ok", MSC, 0, "", {"t.json": _dump({"trace": [STEP], "property": "p"})}),
    Case("msc-list-empty", MSC, 2, "field (document): [] should be non-empty", {"t.json": b"[]"}),
    Case("msc-list-ints", MSC, 2, "is not of type 'object'", {"t.json": b"[1, 2]"}),
    Case("msc-list-ok", MSC, 0, "", {"t.json": _dump([STEP, {**STEP, "number": 2}])}),
    Case("msc-one-result-ok", MSC, 0, "", {"t.json": _dump(BASE["results"][0])}),
    Case("msc-one-result-bad", MSC, 2, "field bounds.eap_can_fail: 'no' is not of type 'boolean'",
         {"t.json": _dump({**BASE["results"][0], "bounds": {"eap_can_fail": "no"}})}),
    Case("msc-bom-ok", MSC, 0, "", {"t.json": BOM + _dump(BASE)}),
    Case("msc-unknown-property", ("diagram", "msc", "{tmp}/t.json", "--property", "nope"), 2,
         "no property 'nope' trace", {"t.json": _dump(BASE)}),
    Case("msc-outputs-missing", MSC, 2, "has no 'outputs' field", {"t.json": _edit(
        lambda r: r["properties"][BAD]["trace"][3].pop("outputs"))}),
]
REPLAY_CASES = [
    Case("replay-bom-ok", REPLAY, 0, "confirmed", {"t.json": BOM + _dump(BASE)}),
    Case("replay-one-result-ok", REPLAY, 0, "confirmed", {"t.json": _dump(BASE["results"][0])}),
    Case("replay-one-result-bad", REPLAY, 2, "t.json: field mutants[0]: [1] is not of type 'string'",
         {"t.json": _dump({**BASE["results"][0], "mutants": [[1]]})}),
    Case("replay-no-trace", REPLAY, 2, "no trace to replay", {"t.json": b'{"results": []}'}),
    Case("replay-a-wrong-value-is-rejected", REPLAY, 23, "REJECTED",
         {"t.json": _edit(_step(0, "after", "remote_ue.nonce_1", value=2))}),
]
REPORT_CASES = [
    Case("report-bom-ok", REPORT, 0, "", {"t.json": BOM + _dump(BASE)}),
    Case("report-no-results", REPORT, 2, "no results in it", {"t.json": b'{"results": []}'}),
]

# -- the proof ledger -----------------------------------------------------------------------------

LEDGER = ("check", "m200", "--quiet", "--max-states", "1", "--ledger", "{tmp}/l.json")
ENTRY = {"scenario": "m200", "property": "knr_agreement", "engine": "spacer", "seconds": 1.5, "fingerprint": "ab" * 32,
         "certificate": ["true"]}


def _ledger(*entries: Any, **top: Any) -> bytes:
    return _dump({"format": 2, "proofs": list(entries), **top})


LEDGER_CASES = [
    Case("ledger-issue-binary", LEDGER, 2, "ledger {tmp}/l.json: not UTF-8 text (byte 0)",
         {"l.json": b"\x80\x81\xff\x00binary"}),
    Case("ledger-not-json", LEDGER, 2, "l.json:1:2: not JSON", {"l.json": b"{"}),
    Case("ledger-empty", LEDGER, 2, "l.json:1:1: not JSON", {"l.json": b""}),
    Case("ledger-list", LEDGER, 2, "field (document): [] is not of type 'object'", {"l.json": b"[]"}),
    Case("ledger-format-0", LEDGER, 2, "field format: 2 was expected", {"l.json": b'{"format": 0, "proofs": []}'}),
    Case("ledger-format-string", LEDGER, 2, "field format: 2 was expected", {"l.json": b'{"format": "2", "proofs": []}'}),
    Case("ledger-no-proofs", LEDGER, 2, "'proofs' is a required property", {"l.json": b'{"format": 2}'}),
    Case("ledger-proofs-object", LEDGER, 2, "field proofs: {} is not of type 'array'",
         {"l.json": b'{"format": 2, "proofs": {}}'}),
    Case("ledger-entry-int", LEDGER, 2, "field proofs[0]: 1 is not of type 'object'", {"l.json": _ledger(1)}),
    Case("ledger-entry-no-engine", LEDGER, 2, "field proofs[0]: 'engine' is a required property",
         {"l.json": _ledger({k: v for k, v in ENTRY.items() if k != "engine"})}),
    Case("ledger-seconds-string", LEDGER, 2, "proofs[0].seconds: '1' is not of type 'number'",
         {"l.json": _ledger({**ENTRY, "seconds": "1"})}),
    Case("ledger-seconds-negative", LEDGER, 2, "proofs[0].seconds: -1 is less than the minimum of 0",
         {"l.json": _ledger({**ENTRY, "seconds": -1})}),
    Case("ledger-seconds-nan", LEDGER, 2, "NaN is not a JSON number",
         {"l.json": _ledger(ENTRY).replace(b"1.5", b"NaN")}),
    Case("ledger-seconds-overflow", LEDGER, 2, "1e999 is too large for a number",
         {"l.json": _ledger(ENTRY).replace(b"1.5", b"1e999")}),
    Case("ledger-invariant-ints", LEDGER, 2, "proofs[0].invariant[0]: 1 is not of type 'string'",
         {"l.json": _ledger({**ENTRY, "invariant": [1]})}),
    Case("ledger-fingerprint-empty", LEDGER, 2, "proofs[0].fingerprint: '' should be non-empty",
         {"l.json": _ledger({**ENTRY, "fingerprint": ""})}),
    Case("ledger-scenario-int", LEDGER, 2, "proofs[0].scenario: 5 is not of type 'string'",
         {"l.json": _ledger({**ENTRY, "scenario": 5})}),
    Case("ledger-z3-list", LEDGER, 2, "proofs[0].z3: [] is not of type 'string'", {"l.json": _ledger({**ENTRY, "z3": []})}),
    Case("ledger-deep", LEDGER, 2, NESTED, {"l.json": DEEP_OBJECT}),
    Case("ledger-directory", LEDGER[:-1] + ("{tmp}",), 2, "is a directory"),
    Case("ledger-missing", LEDGER, 2, "ledger {tmp}/l.json: no such file"),
    Case("ledger-dev-zero", LEDGER[:-1] + ("/dev/zero",), 2, "ledger /dev/zero: not a regular file"),
    Case("ledger-no-certificate", LEDGER, 2, "field proofs[0]: 'certificate' is a required property",
         {"l.json": _ledger({k: v for k, v in ENTRY.items() if k != "certificate"})}),
    Case("ledger-certificate-empty", LEDGER, 2, "proofs[0].certificate: [] should be non-empty",
         {"l.json": _ledger({**ENTRY, "certificate": []})}),
    Case("ledger-bom-ok", LEDGER, 22, "", {"l.json": BOM + _ledger(ENTRY)}),
    Case("ledger-empty-ok", LEDGER, 22, "", {"l.json": _ledger()}),
]

# -- scenario files (TOML) ------------------------------------------------------------------------

SCEN = ("check", "--scenario-file", "{tmp}/s.toml", "--quiet", "--max-states", "20")
GOOD = 'id = "mine"\nprocedure = "m300.panf_udm"\n'


def _toml(name: str, text: str | bytes, code: int, message: str) -> Case:
    data = text.encode() if isinstance(text, str) else text
    return Case(f"toml-{name}", SCEN, code, message, {"s.toml": data})


SCENARIO_CASES = [
    _toml("issue-bom", BOM + GOOD.encode(), 22, "mine"),
    _toml("bom-crlf", BOM + GOOD.replace("\n", "\r\n").encode(), 22, "mine"),
    _toml("bom-then-error", BOM + b'id = "mine"\nprocedure = 5\n', 2, "s.toml:2: field procedure: must be a string"),
    _toml("issue-deep-array", GOOD + "note = " + "[" * 500 + "]" * 500 + "\n", 2, NESTED),
    _toml("deep-inline-table", GOOD + "[bounds]\nx = " + "{a = " * 500 + "1" + "}" * 500 + "\n", 2, NESTED),
    _toml("deep-dotted-key", GOOD + "[bounds]\n" + "a." * 500 + "a = 1\n", 2, "field bounds.a: unknown bound"),
    _toml("non-utf8", b'id = "caf\xe9"\n', 2, "s.toml: not UTF-8 text (byte 9)"),
    _toml("binary", bytes(range(1, 256)), 2, "not UTF-8 text"),
    _toml("nul-bytes", b"\x00" * 32, 2, "malformed TOML"),
    _toml("empty", b"", 2, "empty file"),
    _toml("blank", b" \n\t\n", 2, "empty file"),
    _toml("bom-only", BOM, 2, "empty file"),
    _toml("syntax-no-value", "id = \n", 2, "s.toml:1:6: malformed TOML"),
    _toml("syntax-unterminated", 'id = "mine\n', 2, "s.toml:1:11: malformed TOML"),
    _toml("syntax-duplicate-key", GOOD + 'id = "again"\n', 2, "malformed TOML: Cannot overwrite a value"),
    _toml("syntax-table-twice", GOOD + "[bounds]\n[bounds]\n", 2, "malformed TOML"),
    _toml("syntax-bad-escape", 'id = "\\q"\n', 2, "malformed TOML"),
    _toml("json-not-toml", '{"id": "mine"}', 2, "malformed TOML"),
    _toml("id-missing", 'procedure = "m200"\n', 2, "field id: missing"),
    _toml("id-int", 'id = 5\nprocedure = "m200"\n', 2, "s.toml:1: field id: must be a string, got an integer"),
    _toml("id-space", 'id = "a b"\nprocedure = "m200"\n', 2, "is not an id"),
    _toml("id-builtin", 'id = "m200"\nprocedure = "m200"\n', 2, "is a built-in scenario"),
    _toml("id-date", 'id = 1979-05-27\nprocedure = "m200"\n', 2, "field id: must be a string, got date"),
    _toml("procedure-missing", 'id = "mine"\n', 2, "field procedure: missing"),
    _toml("procedure-unknown", 'id = "mine"\nprocedure = "m201"\n', 2, "unknown procedure 'm201' (did you mean 'm200'?)"),
    _toml("procedure-and-method", GOOD + 'method = "m200"\n', 2, "give 'procedure' or its alias 'method', not both"),
    _toml("unknown-key", GOOD + "colour = 1\n", 2, "s.toml:3: field colour: unknown key"),
    _toml("threat-model-key", GOOD + 'threat_model = "x"\n', 2, "the threat model is the [threats] table"),
    _toml("note-int", GOOD + "note = 5\n", 2, "field note: must be a string, got an integer"),
    _toml("options-string", GOOD + 'options = "x"\n', 2, "field options: must be a table, got a string"),
    _toml("option-unknown", GOOD + "[options]\ncolour = 1\n", 2, "s.toml:4: field options.colour: unknown option"),
    _toml("option-check-bad", GOOD + '[options]\ncheck = "udm"\n', 2, "field options.check: must be one of"),
    _toml("reading-two", GOOD + "[options]\nreplace_at_ue = 2\n", 2, "(or 1/0), got an integer 2"),
    _toml("reading-string", GOOD + '[options]\nreplace_at_ue = "yes"\n', 2, "a reading is true or false"),
    _toml("bounds-array", GOOD + "bounds = [1]\n", 2, "field bounds: must be a table, got an array"),
    _toml("bound-unknown", GOOD + "[bounds]\nattempt = 1\n", 2, "unknown bound (did you mean 'attempts'?)"),
    _toml("bound-zero", GOOD + "[bounds]\nattempts = 0\n", 2, "s.toml:4: field bounds.attempts: bound attempts must be"),
    _toml("bound-huge", GOOD + "[bounds]\nattempts = 99999999999999999999\n", 2, "must be an integer in 1..14"),
    _toml("bound-string", GOOD + '[bounds]\nattempts = "3"\n', 2, "field bounds.attempts: must be an integer, got a string"),
    _toml("bound-float", GOOD + "[bounds]\nattempts = 3.0\n", 2, "must be an integer, got a float 3.0"),
    _toml("bound-nan", GOOD + "[bounds]\nattempts = nan\n", 2, "must be an integer, got a float nan"),
    _toml("bound-bool", GOOD + "[bounds]\nattempts = true\n", 2, "must be an integer, got a boolean"),
    _toml("bound-eap-no", GOOD + '[bounds]\neap_can_fail = "no"\n', 2, "field bounds.eap_can_fail: must be a boolean"),
    _toml("remote-ues-5", GOOD + "[bounds]\nremote_ues = 5\n", 2, "remote_ues must be an integer in 1..4"),
    _toml("threat-unknown", GOOD + "[threats]\nspy = true\n", 2, "field threats.spy: unknown threat model"),
    _toml("pc5-too-many", GOOD + "[threats]\npc5_attacker = 15\n", 2, "pc5_attacker must be an integer in 0..14"),
    _toml("pc5-bool", GOOD + "[threats]\npc5_attacker = true\n", 2, "must be an integer, got a boolean"),
    _toml("lossy-string", GOOD + '[threats]\nlossy_links = "pc5"\n', 2, "must be a list of link kinds"),
    _toml("lossy-unknown", GOOD + '[threats]\nlossy_links = ["air"]\n', 2, "unknown link kind 'air'"),
    _toml("duplication-alone", GOOD + "[threats]\nduplication = true\n", 2, "duplication needs lossy_links"),
    _toml("mutants-string", GOOD + 'mutants = "x"\n', 2, "field mutants: must be an array of mutant ids"),
    _toml("mutants-ints", GOOD + "mutants = [1]\n", 2, "field mutants: must hold strings"),
    _toml("mutants-nested", GOOD + "mutants = [[1]]\n", 2, "field mutants: must hold strings, got an array"),
    _toml("mutant-unknown", GOOD + 'mutants = ["nope"]\n', 2, "unknown mutant 'nope'"),
    _toml("mutants-same-element", GOOD + 'mutants = ["udm_omits_supi", "udm_silent_on_denial"]\n', 2,
          "both rewrite the udm"),
    _toml("expected-unknown", GOOD + "[expected]\nnope = \"HOLDS\"\n", 2, "field expected.nope: unknown property"),
    _toml("expected-maybe", GOOD + "[expected]\nknr_agreement = \"MAYBE\"\n", 2, "must be \"HOLDS\" or \"VIOLATED\""),
    _toml("expected-unhandled", GOOD + "[expected]\nmessages_handled = \"VIOLATED\"\n", 2, "only HOLDS"),
    Case("toml-directory", SCEN[:2] + ("{tmp}",) + SCEN[3:], 2, "is a directory"),
    Case("toml-missing", SCEN, 2, "s.toml: no such file"),
    Case("toml-issue-dev-zero", SCEN[:2] + ("/dev/zero",) + SCEN[3:], 2, "/dev/zero: not a regular file"),
    Case("toml-dev-null", SCEN[:2] + ("/dev/null",) + SCEN[3:], 2, "/dev/null: not a regular file"),
]

CASES = [*_doc_cases(), *_semantic_cases(), *MSC_CASES, *REPLAY_CASES, *REPORT_CASES, *LEDGER_CASES, *SCENARIO_CASES]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_hostile_file_gives_its_exit_code_and_one_line(case: Case, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    case = Case(case.name, case.argv, case.code, case.message.replace("{tmp}", str(tmp_path)), case.files)
    code, _, _ = run_case(case, tmp_path, capsys)
    if code == 2:  # nothing written when the input is refused
        assert not (tmp_path / "out").exists()


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 140 and len({c.name for c in CASES}) == len(CASES)


# -- a FIFO (would block at open or read) and a file over the size cap, for every reader ---------

SPECIAL_READERS = {
    "toml": SCEN, "replay": REPLAY, "msc": MSC, "report": REPORT, "threats": THREATS, "ledger": LEDGER,
}


def _target(argv: tuple[str, ...], tmp_path: Path, name: str) -> list[str]:
    return [a.replace("{tmp}/t.json", str(tmp_path / name)).replace("{tmp}/s.toml", str(tmp_path / name))
            .replace("{tmp}/l.json", str(tmp_path / name)).replace("{tmp}", str(tmp_path)) for a in argv]


def _special(reader: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, message: str) -> None:
    case = Case(f"{reader}-{name}", tuple(_target(SPECIAL_READERS[reader], tmp_path, name)), 2, message)
    run_case(case, tmp_path, capsys)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("reader", sorted(SPECIAL_READERS))
def test_a_fifo_is_refused_at_once(reader: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 23 item 6: ``--scenario-file FIFO`` hung; every reader refuses it without opening it."""
    os.mkfifo(tmp_path / "fifo.json")
    _special(reader, tmp_path, capsys, "fifo.json", f"{tmp_path / 'fifo.json'}: not a regular file")


@pytest.mark.parametrize("reader", sorted(SPECIAL_READERS))
def test_a_device_is_refused_at_once(reader: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 23 item 6: ``--scenario-file /dev/zero`` ran out of memory; here behind a ``.json`` name."""
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    _special(reader, tmp_path, capsys, "zero.json", f"{tmp_path / 'zero.json'}: not a regular file")


@pytest.mark.parametrize("reader", sorted(SPECIAL_READERS))
def test_a_directory_is_refused(reader: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "d.json").mkdir()
    _special(reader, tmp_path, capsys, "d.json", f"{tmp_path / 'd.json'}: is a directory")


@pytest.mark.parametrize("reader", sorted(SPECIAL_READERS))
def test_a_file_over_the_size_cap_is_refused(reader: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open(tmp_path / "big.json", "wb") as f:  # sparse: no disk used
        f.truncate(MAX_BYTES + 1)
    _special(reader, tmp_path, capsys, "big.json", f"too large (over {MAX_BYTES:,} bytes)")


# -- the schemas against what the tool writes and what the model takes ----------------------------

@pytest.mark.slow
@pytest.mark.parametrize("scenarios", [["m200", "m300.panf_udm"], ["m200@pc5_attacker"]])
def test_what_check_json_writes_fits_the_schema_and_every_reader_takes_it(
        scenarios: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from prosecheck.cli import main
    from prosecheck.diagrams.traces import charts_from_file
    from prosecheck.inputs import validate
    from prosecheck.replay.load import claims_of, read_document
    from prosecheck.report.saved import load_results
    from prosecheck.schemas import part, schema

    assert main(["check", *scenarios, "--json", "--quiet"]) == 0
    text = capsys.readouterr().out
    doc = json.loads(text)
    validate("out", doc, schema("check"))
    for r in doc["results"]:
        validate("out", r, part("check", "result"))
    assert any(p["verdict"] == "VIOLATED" and p["trace"] for r in doc["results"] for p in r["properties"].values())
    path = tmp_path / "run.json"
    path.write_text(text)
    assert claims_of(read_document(str(path)), str(path))
    assert [r.scenario.id for r in load_results(str(path))] == scenarios
    assert charts_from_file(str(path))


def test_the_schemas_name_what_the_model_takes() -> None:
    from dataclasses import fields

    from prosecheck.model.environment import LINK_KINDS, Bounds, ThreatModel
    from prosecheck.model.procedures import READINGS
    from prosecheck.model.terms import CHECK_NAMES
    from prosecheck.scenarios.scenario_file import KEYS
    from prosecheck.schemas import schema

    defs = schema("check")["$defs"]
    scenario_file = schema("scenario-file")["properties"]
    for section, cls in (("bounds", Bounds), ("threats", ThreatModel)):
        names = {f.name for f in fields(cls)}
        assert set(defs[section]["properties"]) == names == set(scenario_file[section]["properties"]), section
    assert set(schema("scenario-file")["properties"]) == set(KEYS)
    assert scenario_file["options"]["propertyNames"]["enum"] == ["check", *READINGS]
    assert set(scenario_file["options"]["properties"]["check"]["enum"]) == set(CHECK_NAMES.values())
    assert scenario_file["threats"]["properties"]["lossy_links"]["items"]["enum"] == list(LINK_KINDS)
    for name, spec in scenario_file["bounds"]["properties"].items():  # the ranges are Bounds.validate's
        if spec["type"] == "integer":
            low, high = spec["minimum"], spec["maximum"]
            Bounds(**{name: low}).validate()
            Bounds(**{name: high}).validate()
            for outside in (low - 1, high + 1):
                with pytest.raises(ModelError):
                    Bounds(**{name: outside}).validate()
