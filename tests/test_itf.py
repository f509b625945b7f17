"""`check --itf DIR`: each trace in the Informal Trace Format, read back by the ITF library
(itf-py) and checked against the trace it came from, state by state."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from itf_py import trace_from_json

from prosecheck.cli import main
from prosecheck.report.itf import identifier, world_path


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("itf")
    assert main(["check", "m200", "m200@pc5_attacker", "--itf", str(folder), "--quiet", "--json"]) == 0
    return folder


def _load(folder, name):
    doc = json.loads((folder / f"{name}.itf.json").read_text())
    return doc, trace_from_json(doc)


def test_every_trace_is_a_file_the_itf_library_reads(written):
    files = sorted(written.glob("*.itf.json"))
    assert any(f.name == "m200.knr_only_after_authorization.itf.json" for f in files)
    assert any(f.name.startswith("m200@pc5_attacker.") for f in files)
    for f in files:
        trace = trace_from_json(json.loads(f.read_text()))
        assert trace.vars and len(trace.states) >= 2
        assert all(set(s.values) == set(trace.vars) for s in trace.states)  # the whole state, every step


def test_the_counterexample_holds_until_its_last_state_and_then_violates(written):
    doc, trace = _load(written, "m200.knr_only_after_authorization")
    assert doc["#meta"]["format"] == "ITF" and doc["#meta"]["verdict"] == "VIOLATED"
    assert [s.meta["index"] for s in trace.states] == list(range(len(trace.states)))
    assert len(trace.states) == 28  # the 27 steps of the shortest counterexample, and the initial state

    def knr_without_check(state) -> bool:
        ghost = state.values["ghost"]
        return (ghost.knr_derived | ghost.authorized_in_attempt) != ghost.authorized_in_attempt

    assert knr_without_check(trace.states[-1])
    assert not any(knr_without_check(s) for s in trace.states[:-1])
    assert trace.states[0].values["remote_ue"].state == "idle"
    assert trace.states[-1].meta["element"] == "ausf"


def test_messages_are_tagged_records_on_their_links(written):
    _, trace = _load(written, "m200.knr_only_after_authorization")
    first_send = trace.states[1].values["links"].remote_ue_to_relay_ue
    assert len(first_send) == 1 and type(first_send[0]).__name__ == "direct_communication_request"
    assert first_send[0].nonce_1 == 1


def test_a_lasso_closes_on_the_state_its_cycle_returns_to():
    exploration = SimpleNamespace(path_to=lambda w: [0, 3, 5])
    lasso = SimpleNamespace(world=5, tail=[(7, None), (9, None), (5, None)])
    assert world_path(exploration, lasso) == ([0, 3, 5, 7, 9], 2)  # type: ignore[arg-type]
    stem = SimpleNamespace(world=5, tail=[(7, None)])
    assert world_path(exploration, stem) == ([0, 3, 5, 7], None)  # type: ignore[arg-type]


def test_names_become_identifiers():
    assert identifier("remote_ue.1") == "remote_ue_1" and identifier("ue2.ghost") == "ue2_ghost"


def test_an_unwritable_folder_is_one_line_before_the_search(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["check", "m200", "--itf", str(blocker / "sub"), "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "--itf" in err
