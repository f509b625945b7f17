"""Hypothesis fuzzing of the file readers (issue 23): scenario TOML text, ``check --json`` documents
for ``replay``, ``diagram msc`` and ``report``, and the proof ledger. Arbitrary or mutated input must
give success or a one-line input error (exit 2), never an exception."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prosecheck.ledger import LedgerError, load
from prosecheck.scenarios.catalog import Scenario
from prosecheck.scenarios.scenario_file import ScenarioFileError, load_scenario_file
from tests.hostile.harness import run_cli
from tests.hostile.test_readers import BAD, BASE, ENTRY, GOOD

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
SLOW = settings(FUZZ, max_examples=20)  # each example replays or renders a trace

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12) | st.sampled_from(["m200", "m999", "HOLDS", "VIOLATED", "always", "remote_ue", "", "lost"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = (), depth: int = 0) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``value`` (the trace steps' insides included), root first."""
    out = [prefix]
    if depth < 8 and isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k), depth + 1)
    elif depth < 8 and isinstance(value, list):
        for i, v in enumerate(value[:3]):  # the first steps of a trace are enough
            out += _paths(v, (*prefix, i), depth + 1)
    return out


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one to three values replaced, removed or added."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths[1:] or paths))
        if not path:
            return draw(JSON)
        parent: Any = doc
        for key in path[:-1]:
            parent = parent[key]
        op = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if op == "replace":
            parent[path[-1]] = draw(JSON)
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(JSON)
        else:
            parent.append(draw(JSON))
    return doc


def _one_line(code: int, err: str) -> None:
    if code == 2:
        assert err.startswith("prosecheck: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def _write(path: Path, doc: Any) -> None:
    path.write_bytes(doc if isinstance(doc, bytes) else json.dumps(doc).encode())


# -- check --json documents -----------------------------------------------------------------------

ONE = BASE["results"][0]
STEPS = ONE["properties"][BAD]["trace"]


@pytest.mark.slow
@SLOW
@given(doc=st.one_of(mutated(BASE), mutated(ONE)))
def test_replay_never_crashes(doc: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "t.json", doc)
    code, _, err = run_cli(capsys, ["replay", str(tmp_path / "t.json")])
    assert code in (0, 2, 23), err
    _one_line(code, err)


@SLOW
@given(doc=st.one_of(mutated(BASE), mutated(ONE), mutated({"trace": STEPS[:4], "property": "p"}), mutated(STEPS[:4])))
def test_diagram_msc_never_crashes(doc: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "t.json", doc)
    code, _, err = run_cli(capsys, ["diagram", "msc", str(tmp_path / "t.json"), "--out", str(tmp_path / "out"),
                                    "--format", "mermaid"])
    assert code in (0, 2), err
    _one_line(code, err)


@SLOW
@given(doc=st.one_of(mutated(BASE), mutated(ONE)))
def test_report_never_crashes(doc: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "t.json", doc)
    code, _, err = run_cli(capsys, ["report", str(tmp_path / "t.json"), "--out", str(tmp_path / "out"), "--quiet"])
    assert code in (0, 2, 11, 12, 13, 21, 22), err
    _one_line(code, err)


@FUZZ
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode),
       reader=st.sampled_from(["replay", "msc", "report"]))
def test_arbitrary_bytes_are_an_input_error(data: bytes, reader: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "t.json").write_bytes(data)
    argv = {"replay": ["replay"], "msc": ["diagram", "msc"], "report": ["report"]}[reader] + [str(tmp_path / "t.json")]
    code, _, err = run_cli(capsys, argv + (["--out", str(tmp_path / "out")] if reader == "report" else []))
    assert code in (0, 2, 23), err
    _one_line(code, err)


# -- the ledger -----------------------------------------------------------------------------------

LEDGER_DOC = {"format": 2, "about": "x", "proofs": [ENTRY, {**ENTRY, "property": "pruk_stays_home", "invariant": ["a"]}]}


@FUZZ
@given(doc=mutated(LEDGER_DOC) | st.binary(max_size=100))
def test_the_ledger_loads_or_is_one_line(doc: Any, tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    _write(path, doc)
    try:
        ledger = load(path, missing_ok=False)
    except LedgerError as err:
        assert str(err).startswith(f"ledger {path}") and "\n" not in str(err)
        return
    for entry in ledger.values():  # what loads is what the schema promises
        assert isinstance(entry.fingerprint, str) and math.isfinite(entry.seconds) and entry.seconds >= 0
        assert all(isinstance(s, str) for s in (*entry.invariant, *entry.assumptions, entry.z3, *entry.certificate))
        assert entry.certificate  # a certificate of at least one lemma


# -- scenario files -------------------------------------------------------------------------------

def _toml_value(value: Any) -> str:
    """A TOML rendering of a JSON-like value (best effort: what it cannot say makes a malformed file)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return "nil"


KEYS = st.sampled_from(["id", "procedure", "method", "note", "options", "bounds", "threats", "mutants", "expected",
                        "colour"])
INNER = st.sampled_from(["attempts", "remote_ues", "eap_can_fail", "check", "replace_at_ue", "pc5_attacker",
                         "lossy_links", "duplication", "knr_agreement", "deadlock_free", "messages_handled", "x"])
VALUES = JSON | st.sampled_from([0, 1, 3, 15, True, "pc5", ["pc5", "nas"], "HOLDS", "VIOLATED", "panf_udm",
                                 "m300.panf_udm", "mine", ["udm_omits_supi"]])


@st.composite
def toml_files(draw: st.DrawFn) -> str:
    """A scenario file built from the loader's own keys, with values of every type."""
    lines = [] if draw(st.booleans()) else ['id = "mine"', 'procedure = "m300.panf_udm"']
    for key in draw(st.lists(KEYS, max_size=4, unique=True)):
        if key in ("options", "bounds", "threats", "expected") and draw(st.booleans()):
            lines.append(f"[{key}]")
            lines += [f"{k} = {_toml_value(draw(VALUES))}" for k in draw(st.lists(INNER, max_size=3, unique=True))]
        else:
            lines.insert(0, f"{key} = {_toml_value(draw(VALUES))}")
    return "\n".join(lines) + "\n"


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few characters inserted, deleted or replaced."""
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from(["[", "]", "{", "}", "=", '"', "'", "\n", ".", "#", "\\", "\ufeff", "\x00", "x"]))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        text = text[:i] + (piece if op != "delete" else "") + text[i + (op != "insert"):]
    return text


EXAMPLE = (Path(__file__).parents[2] / "examples" / "panf_udm_quick.toml").read_text(encoding="utf-8")


@FUZZ
@given(text=st.text(max_size=300) | toml_files() | edited(GOOD + "[bounds]\nattempts = 1\n") | edited(EXAMPLE),
       bom=st.booleans())
def test_a_scenario_file_loads_or_is_one_line(text: str, bom: bool, tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass"))
    try:
        scenario = load_scenario_file(str(path))
    except ScenarioFileError as err:
        assert str(err).startswith(str(path)) and "\n" not in str(err), str(err)
        return
    assert isinstance(scenario, Scenario)
    scenario.bounds.validate()
    scenario.threats.validate()
