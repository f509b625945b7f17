"""The verdict report states its assumptions: versions, model and formula hashes, bounds,
threat model, limits (and whether one was hit), counts, depth and coverage."""

from __future__ import annotations

import json

from prosecheck.cli import main
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.report.assumptions import model_hash, property_hashes, tool_versions
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import BUILTIN


def _json(capsys, *argv: str) -> dict:
    main(["check", *argv, "--json", "--quiet"])
    return json.loads(capsys.readouterr().out)


def test_tool_versions_are_the_pinned_ones():
    versions = tool_versions()
    assert versions["python-statemachine"] == "3.2.2" and versions["z3-solver"] == "4.15.4.0"
    assert versions["prosecheck"] and versions["python"].count(".") == 2


def test_the_model_hash_tells_scenarios_options_bounds_and_mutants_apart():
    m200, panf = SCENARIOS["m200"], SCENARIOS["m300.panf_udm"]
    hashes = {model_hash(m200), model_hash(panf), model_hash(m200.with_bounds(attempts=2)),
              model_hash(m200.with_mutants("panf_keeps_old_key")), model_hash(SCENARIOS["m200.s215b_with_nonce_1"])}
    assert len(hashes) == 5
    assert model_hash(m200) == model_hash(SCENARIOS["m200"]) and len(model_hash(m200)) == 64


def test_every_property_has_its_own_formula_hash():
    hashes = property_hashes()
    assert set(hashes) == set(PROPERTIES) | set(BUILTIN) and len(set(hashes.values())) == len(hashes)


def test_the_json_states_the_assumptions(capsys):
    doc = _json(capsys, "m300.panf_local", "--max-seconds", "600")
    assert doc["tool"] == tool_versions()
    a = doc["results"][0]["assumptions"]
    assert a["model_sha256"] == model_hash(SCENARIOS["m300.panf_local"])
    assert set(a["property_sha256"]) == set(doc["results"][0]["properties"])
    assert a["bounds"]["attempts"] == 3 and a["threat_model"].startswith("none")
    assert a["limits"] == {"max_states": None, "max_seconds": 600.0, "max_memory_mb": None} and a["limit_hit"] is None
    assert a["reductions"] == []
    assert a["states"] == doc["results"][0]["stats"]["states"] and a["depth"] > 0
    cov = a["coverage"]  # the refusal branch of [0265] never fires in m300.panf_local
    assert cov["never_fired"] >= 1 and cov["transitions_fired"] + cov["never_fired"] == cov["transitions_total"]


def test_a_reduction_is_stated(capsys):
    a = _json(capsys, "m200", "--hash-compact")["results"][0]["assumptions"]
    assert len(a["reductions"]) == 1 and "hash compaction" in a["reductions"][0]


def test_a_limit_hit_is_stated(capsys):
    a = _json(capsys, "m200", "--max-states", "100")["results"][0]["assumptions"]
    assert a["limit_hit"] == "max-states 100" and a["limits"]["max_states"] == 100


def test_the_text_report_states_them_too(capsys):
    main(["check", "m200", "--quiet"])
    out = capsys.readouterr().out
    assert f"model: sha256 {model_hash(SCENARIOS['m200'])}" in out
    assert "threat model: none" in out and "limits: none; hit: none; reductions: none; coverage:" in out
    assert "tools: prosecheck" in out and "python-statemachine 3.2.2" in out
    assert f"formula sha256 {property_hashes()['knr_agreement'][:12]}" in out
