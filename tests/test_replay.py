"""`prosecheck replay`: real counterexamples and witnesses replay on live machines; corrupted
traces are rejected (exit 23) and malformed files are input errors (exit 2)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from prosecheck.cli import main
from prosecheck.cli.replay_cmd import EXIT_NOT_REPLAYED


def _check_json(capsys, *argv: str) -> dict:
    main(["check", *argv, "--json", "--quiet"])
    out, _ = capsys.readouterr()
    return json.loads(out)


@pytest.fixture(scope="module")
def m200_doc() -> dict:
    from prosecheck.report.json_out import results_json
    from prosecheck.scenarios.catalog import SCENARIOS
    from prosecheck.verify import check_scenario

    return json.loads(results_json([check_scenario(SCENARIOS["m200"])]))


def _replay(capsys, tmp_path: Path, doc: object) -> tuple[int, str, str]:
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    code = main(["replay", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def _only(doc: dict, pid: str) -> dict:
    """One result of the document, keeping only property ``pid``."""
    result = copy.deepcopy(doc["results"][0])
    result["properties"] = {pid: result["properties"][pid]}
    return result


def test_every_trace_of_the_default_run_replays(capsys, tmp_path, check_once):
    from prosecheck.report.json_out import results_json
    from prosecheck.scenarios.catalog import DEFAULT_SCENARIOS

    doc = json.loads(results_json([check_once(s.id) for s in DEFAULT_SCENARIOS]))  # what `check --json` prints
    code, out, _ = _replay(capsys, tmp_path, doc)
    traces = sum(1 for r in doc["results"] for p in r["properties"].values() if p["trace"] is not None)
    assert code == 0 and out.count("confirmed ") == traces > 40
    assert "the last world violates the invariant no_knr_after_withdrawal: confirmed" in out
    assert "the last world is a deadlock: confirmed" in out  # m300.panf_udm.s3042_success_only


def test_mutant_deadlock_and_unhandled_traces_replay(capsys, tmp_path):
    doc = _check_json(capsys, "m200", "--mutant", "ue_ignores_eap_request")
    code, out, _ = _replay(capsys, tmp_path, doc)
    assert code == 0
    assert "remote_ue cannot handle eap_request(eap_av=1) from relay_ue: confirmed" in out


def test_two_remote_ues_replay(capsys, tmp_path):
    doc = _check_json(capsys, "m300.ausf_udm", "--remote-ues", "2", "--attempts", "1", "--withdrawals", "1",
                      "--restores", "0")
    assert _replay(capsys, tmp_path, doc)[0] == 0


def test_one_result_is_a_trace_file_too(capsys, tmp_path, m200_doc):
    code, out, _ = _replay(capsys, tmp_path, _only(m200_doc, "no_knr_after_withdrawal"))
    assert code == 0 and out.count("\n") == 1 and "28 steps re-executed" in out


def _steps(result: dict) -> list[dict]:
    return next(iter(result["properties"].values()))["trace"]


def _causal_pair(steps: list[dict]) -> int:
    """An index i where step i+1 handles a message step i sent."""
    return next(i for i in range(len(steps) - 1) if steps[i + 1]["source"] == steps[i]["element"])


def _drop_middle(r: dict) -> None:
    del _steps(r)[len(_steps(r)) // 2]


def _drop_last(r: dict) -> None:
    _steps(r).pop()


def _drop_first(r: dict) -> None:
    _steps(r).pop(0)


def _swap(r: dict) -> None:
    steps = _steps(r)
    i = _causal_pair(steps)
    steps[i], steps[i + 1] = steps[i + 1], steps[i]


def _swap_late(r: dict) -> None:
    steps = _steps(r)
    i = _causal_pair(steps[10:]) + 10
    steps[i], steps[i + 1] = steps[i + 1], steps[i]


def _duplicate(r: dict) -> None:
    steps = _steps(r)
    steps.insert(5, copy.deepcopy(steps[4]))


def _message_field(r: dict) -> None:
    step = next(s for s in _steps(r) if s["message"] and s["message"]["fields"].get("nonce_1"))
    step["message"]["fields"]["nonce_1"] += 1


def _sent_field(r: dict) -> None:
    step = next(s for s in _steps(r) if s["sends"] and s["sends"][0]["fields"])
    field = next(iter(step["sends"][0]["fields"]))
    step["sends"][0]["fields"][field] += 1


def _after_value(r: dict) -> None:
    step = next(s for s in _steps(r) if "remote_ue.nonce_1" in s["after"])
    step["after"]["remote_ue.nonce_1"] += 1


def _after_state(r: dict) -> None:
    _steps(r)[0]["after"]["remote_ue.state"] = "secured"


def _after_ghost_dropped(r: dict) -> None:
    step = next(s for s in _steps(r) if any(k.startswith("ghost.") for k in s["after"]))
    del step["after"][next(k for k in step["after"] if k.startswith("ghost."))]


def _other_effect(r: dict) -> None:
    step = next(s for s in _steps(r) if s["effect"] == "request_with_suci")
    step["effect"] = "request_with_pruk_id"


def _other_element(r: dict) -> None:
    _steps(r)[0]["element"] = "relay_ue"


def _wrong_source(r: dict) -> None:
    step = next(s for s in _steps(r) if s["source"] == "relay_ue")
    step["source"] = "amf"


def _scenario_id(r: dict) -> None:
    r["scenario"] = "m300.panf_udm"


def _scenario_whole(r: dict) -> None:
    r["scenario"], r["procedure"], r["options"] = "m300.panf_udm", "m300.panf_udm", {"check": 2}


def _bounds(r: dict) -> None:
    r["bounds"]["withdrawals"] = 0


def _mutant(r: dict) -> None:
    r["mutants"] = ["panf_skips_udm_check"]


def _mutant_named(r: dict) -> None:
    r["scenario"], r["mutants"] = "m200+udm_never_answers_av", ["udm_never_answers_av"]


def _verdict(r: dict) -> None:
    next(iter(r["properties"].values()))["verdict"] = "HOLDS"


CORRUPTIONS = [_drop_middle, _drop_last, _drop_first, _swap, _swap_late, _duplicate, _message_field, _sent_field,
               _after_value, _after_state, _after_ghost_dropped, _other_effect, _other_element, _wrong_source,
               _scenario_whole, _bounds, _mutant_named, _verdict]
MISLABELLED = [_scenario_id, _mutant]
"""A scenario id that contradicts the recorded procedure or mutants: refused before replaying (issue 23)."""


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=[c.__name__.strip("_") for c in CORRUPTIONS])
def test_a_corrupted_counterexample_is_rejected(capsys, tmp_path, m200_doc, corrupt):
    result = _only(m200_doc, "no_knr_after_withdrawal")
    corrupt(result)
    code, out, err = _replay(capsys, tmp_path, result)
    assert code == EXIT_NOT_REPLAYED, out + err
    assert out.startswith("REJECTED") and out.count("\n") == 1 and err == ""


@pytest.mark.parametrize("corrupt", MISLABELLED, ids=[c.__name__.strip("_") for c in MISLABELLED])
def test_a_label_that_contradicts_the_recorded_scenario_is_an_input_error(capsys, tmp_path, m200_doc, corrupt):
    result = _only(m200_doc, "no_knr_after_withdrawal")
    corrupt(result)
    code, out, err = _replay(capsys, tmp_path, result)
    assert code == 2 and "field scenario" in err and err.count("\n") == 1 and not out


def test_a_witness_cut_short_is_rejected(capsys, tmp_path, m200_doc):
    result = _only(m200_doc, "pc5_secured_by_pruk_id")
    _drop_last(result)
    code, out, _ = _replay(capsys, tmp_path, result)
    assert code == EXIT_NOT_REPLAYED and "not a witness" in out


def test_the_rejection_names_the_step_and_the_difference(capsys, tmp_path, m200_doc):
    result = _only(m200_doc, "no_knr_after_withdrawal")
    _after_value(result)
    _, out, _ = _replay(capsys, tmp_path, result)
    assert "step 1 (remote_ue [request_with_suci]): the world differs: remote_ue.nonce_1: live 1, trace 2" in out


@pytest.mark.parametrize(
    "content, message",
    [
        ("{", "trace.json:1:2: not JSON"),
        ("[]", "field (document): [] is not of type 'object'"),
        ("{}", "field (document): 'bounds' is a required property"),
        ('{"results": 3}', "field results: 3 is not of type 'array'"),
        ('{"results": []}', "no trace to replay"),
    ],
)
def test_malformed_files_are_input_errors(capsys, tmp_path, content, message):
    code, out, err = _replay(capsys, tmp_path, content)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def _set(path: list, value: object):
    def change(r: dict) -> None:
        target = r
        for key in path[:-1]:
            target = target[key] if not callable(key) else key(target)
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    "change, message",
    [
        (_set(["procedure"], "m999"), "unknown procedure 'm999'"),
        (_set(["mutants"], ["nope"]), "unknown mutant 'nope'"),
        (_set(["bounds", "attempts"], 0), "attempts must be an integer in 1..14"),
        (_set(["bounds", "colour"], 1), "field bounds: Additional properties are not allowed ('colour' was unexpected)"),
        (_set(["options", "check"], "x"), "field options.check: 'x' is not of type 'integer'"),
        (_set(["properties", "nope"], {"kind": "always", "verdict": "VIOLATED", "trace": []}), "unknown property 'nope'"),
        (_set(["properties", "no_knr_after_withdrawal", "trace", 0, "effect"], 3), "effect: 3 is not of type 'string'"),
        (_set(["properties", "no_knr_after_withdrawal", "trace", 1, "message", "name"], "hello"), "unknown message"),
        (_set(["properties", "no_knr_after_withdrawal", "trace", 1, "message", "fields"], {}), "must carry exactly"),
    ],
)
def test_malformed_traces_are_input_errors(capsys, tmp_path, m200_doc, change, message):
    result = _only(m200_doc, "no_knr_after_withdrawal")
    change(result)
    code, out, err = _replay(capsys, tmp_path, result)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_missing_file_and_directory_are_input_errors(capsys, tmp_path):
    assert main(["replay", str(tmp_path / "none.json")]) == 2
    assert main(["replay", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "is a directory" in err
