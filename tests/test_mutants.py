"""The kill matrix: at least 30 realistic seeded mutants, each killed by some property."""

from __future__ import annotations

import json

from prosecheck.checker.machine import Rewrite
from prosecheck.cli import main
from prosecheck.cli.mutants_cmd import EXIT_SURVIVOR
from prosecheck.model.elements import ELEMENTS
from prosecheck.model.mutants import MUTANTS, Mutant
from prosecheck.scenarios.catalog import SCENARIOS


def test_there_are_at_least_thirty_named_mutants_with_their_target_scenarios():
    assert len(MUTANTS) >= 30
    roles = {cls.ROLE for cls in ELEMENTS}
    for m in MUTANTS.values():
        assert m.role in roles and m.description and m.scenarios, m.id
        assert set(m.scenarios) <= set(SCENARIOS), m.id
    assert roles == {m.role for m in MUTANTS.values()}, "every element has mutants"


def test_the_fast_kill_matrix_kills_every_mutant(capsys):
    code = main(["mutants", "--fast", "--json", "--quiet"])
    doc = json.loads(capsys.readouterr().out)
    survivors = [m["id"] for m in doc["mutants"] if not m["killed"]]
    assert code == 0 and survivors == [] and doc["killed"] == doc["total"] == len(MUTANTS)
    assert all(m["killed_by"] for m in doc["mutants"])


def test_the_text_matrix_has_one_row_per_mutant_and_the_count(capsys):
    ids = ["panf_skips_udm_check", "amf_never_refuses_relay"]
    assert main(["mutants", "--fast", "--quiet", *[a for i in ids for a in ("--mutant", i)]]) == 0
    out = capsys.readouterr().out
    assert "2 of 2 mutants killed" in out and "relay-rej = relay_refused_by_amf" in out
    assert all(any(line.startswith(i) for line in out.splitlines()) for i in ids)


def test_an_equivalent_mutant_survives_and_fails_the_run(capsys, monkeypatch):
    monkeypatch.setitem(MUTANTS, "no_change", Mutant("no_change", "udm", "rewrites nothing", Rewrite(), ("m200",)))
    code = main(["mutants", "--fast", "--quiet", "--mutant", "no_change"])
    assert code == EXIT_SURVIVOR and "SURVIVED" in capsys.readouterr().out


def test_an_unknown_mutant_is_an_input_error(capsys):
    assert main(["mutants", "--mutant", "nope"]) == 2
    assert "unknown mutant 'nope'" in capsys.readouterr().err
