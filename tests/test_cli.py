"""The command line: exit codes, JSON shape, bad input, limits, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from prosecheck.cli import main
from prosecheck.schemas import schema
from tests.test_scenarios import MANIFEST


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_default_check_prints_the_verdict_table_and_exits_zero(capsys, monkeypatch):
    # the whole default set is checked by tests/test_docs_verdicts.py; two scenarios show the same printing path
    from prosecheck.scenarios.catalog import SCENARIOS

    monkeypatch.setattr("prosecheck.cli.common.DEFAULT_SCENARIOS", (SCENARIOS["m200"], SCENARIOS["m300.ausf_udm"]))
    code, out, _ = run(capsys, "check", "--quiet")  # the attention view: m300.ausf_udm holds everywhere
    assert code == 0
    assert "KNR-AUTH" in out and "m300.ausf_udm" not in out and "m200" in out
    code, out, _ = run(capsys, "check", "--quiet", "--table", "full")  # the whole matrix
    assert code == 0
    assert "KNR-AUTH" in out and "m300.ausf_udm" in out and "m200" in out


def test_named_scenario_prints_stats_verdicts_and_the_marked_counterexample(capsys):
    code, out, _ = run(capsys, "check", "m200", "--quiet")
    assert code == 0  # m200's violations are declared
    assert "4809 states, 8620 transitions, depth 56" in out
    assert "<-- violates no_knr_after_withdrawal" in out
    assert "coverage:" in out


def test_json_document_has_the_documented_shape(capsys):
    code, out, _ = run(capsys, "check", "m200", "m300.panf_udm", "--json", "--quiet")
    doc = json.loads(out)
    assert code == 0 and doc["exit_code"] == 0
    first = doc["results"][0]
    assert first["scenario"] == "m200"
    assert set(first["stats"]) >= {"states", "transitions", "depth", "seconds"}
    prop = first["properties"]["no_knr_after_withdrawal"]
    assert prop["verdict"] == "VIOLATED" and prop["expected"] == "VIOLATED"
    step = prop["trace"][-1]
    assert step["element"] == "ausf" and step["ref"] and step["event"] == "key_query_response"


@pytest.mark.parametrize(
    "argv, code",
    [
        (["check", "m300.panf_udm", "--mutant", "panf_skips_udm_check"], 12),  # unexpected violation
        (["check", "m200", "--withdrawals", "0"], 12),  # a declared violation that did not happen
        (["check", "m300.ausf_udm", "--mutant", "udm_silent_on_denial", "--property", "knr_agreement"],
         11),  # unexpected deadlock (attempt_ends, left out, would add a liveness violation: 13)
        (["check", "m300.panf_udm", "--attempts", "1"], 21),  # the reuse path cannot be reached
        (["check", "m300.panf_udm", "--max-states", "50"], 22),  # limit hit: INCONCLUSIVE
        (["check", "m300.panf_udm", "--max-memory", "1"], 22),  # the process is bigger than 1 MB at once
    ],
)
def test_exit_codes_say_what_happened(capsys, argv, code):
    assert run(capsys, *argv, "--quiet")[0] == code


@pytest.mark.parametrize("limit, stopped", [(["--max-states", "200"], "max-states 200"),
                                           (["--max-memory", "1"], "max-memory 1 MB")])
def test_a_limit_makes_undecided_verdicts_inconclusive_and_keeps_found_ones(capsys, limit, stopped):
    code, out, _ = run(capsys, "check", "m200", *limit, "--json", "--quiet")
    doc = json.loads(out)["results"][0]
    assert code == 22 and doc["stats"]["complete"] is False and doc["stats"]["stopped"] == stopped
    assert 0 < doc["stats"]["states"] < MANIFEST["m200"][0] and doc["stats"]["transitions"] > 0
    verdicts = {pid: p["verdict"] for pid, p in doc["properties"].items()}
    assert verdicts["knr_agreement"] == "INCONCLUSIVE"
    assert "HOLDS" not in {v for pid, v in verdicts.items() if doc["properties"][pid]["kind"] == "always"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["check", "m999"], "unknown scenario 'm999'"),
        (["check", "m200", "--property", "nope"], "unknown property 'nope'"),
        (["check", "m200", "--attempts", "0"], "--attempts: must be an integer in 1..14"),
        (["check", "m200", "--max-states", "0"], "--max-states: must be a positive integer"),
        (["check", "m200", "--max-memory", "-5"], "--max-memory: must be a finite number of megabytes above 0"),
        (["check", "m200", "--mutant", "nope"], "unknown mutant 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_two(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_argparse_errors_also_exit_two_in_one_line(capsys):
    code, out, err = run(capsys, "check", "--max-states", "many")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "--max-states: must be a positive integer, got 'many'" in err


def test_list_names_scenarios_properties_and_mutants(capsys):
    code, out, _ = run(capsys, "list", "--json")
    doc = json.loads(out)
    assert code == 0
    assert {"m200", "m300.panf_local", "m300.panf_udm", "m300.ausf_udm"} <= {s["id"] for s in doc["scenarios"]}
    assert "knr_only_after_authorization" in {p["id"] for p in doc["properties"]}
    assert doc["mutants"]


def test_only_the_requested_properties_are_judged(capsys):
    code, out, _ = run(capsys, "check", "m200", "--property", "knr_agreement", "--json", "--quiet")
    props = json.loads(out)["results"][0]["properties"]
    assert set(props) == {"knr_agreement", "deadlock_free", "messages_handled", "livelock_free"}


EXAMPLE = str(Path(__file__).parent.parent / "examples" / "panf_udm_quick.toml")
DETERMINISM_RUNS = {
    # what: argv; every run's JSON must be identical under every seed (timings and sizes removed)
    # a sample of the default set (every method, a literal reading, a liveness violation): the
    # whole set takes minutes per run
    "default sample": ["check", "m200", "m300.panf_udm", "m400.ausf_udm", "m600.after.ausf_udm",
                       "m700.ausf_udm.s723_stores_key_1", "--json", "--quiet"],
    "mutant, two UEs and a file scenario": [
        "check", "m300.ausf_udm", "--mutant", "ausf_ignores_check_result", "--remote-ues", "2", "--attempts", "1",
        "--withdrawals", "1", "--restores", "0", "--scenario-file", EXAMPLE, "--json", "--quiet"],
    "kill matrix": ["mutants", "--fast", "--json", "--quiet"],
}
SEEDS = ("0", "12345", "4294967295")
_BASELINE: dict[str, dict] = {}


def _strip_timings(value: object) -> object:
    """The document without wall-clock figures (the only values allowed to differ between runs)."""
    if isinstance(value, dict):
        return {k: _strip_timings(v) for k, v in value.items()
                if k not in {"seconds", "peak_rss_mb", "states_per_second", "generated", "phases", "peak_mb"}}
    if isinstance(value, list):
        return [_strip_timings(v) for v in value]
    return value


def _json_run(what: str, seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([sys.executable, "-m", "prosecheck", *DETERMINISM_RUNS[what]],
                          capture_output=True, text=True, env=env, check=False)
    assert proc.returncode != 2 and proc.stdout, proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.Draft202012Validator(schema(doc["format"].removeprefix("prosecheck-"))).validate(doc)  # docs/json.md
    return _strip_timings(doc)  # type: ignore[return-value]


@pytest.mark.parametrize("seed", SEEDS[1:])
@pytest.mark.parametrize("what", list(DETERMINISM_RUNS))
def test_results_are_identical_across_hash_seeds(what, seed):
    """Counts, verdicts, traces, kill matrix: the same whatever PYTHONHASHSEED."""
    if what not in _BASELINE:
        _BASELINE[what] = _json_run(what, SEEDS[0])
    assert _json_run(what, seed) == _BASELINE[what]
