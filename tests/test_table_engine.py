"""The table engine (checker/symbolic/relative.py, ``prove --engine table``) and the fallback that gives
every UNKNOWN a counterexample to induction (prove.py): proofs re-check, CTIs are checked by Z3 on their values."""

from __future__ import annotations

import json

import pytest
import z3

from prosecheck.checker.expr import BITS
from prosecheck.checker.search import explore
from prosecheck.checker.symbolic import certify, relative, tables
from prosecheck.checker.symbolic.encode import Encoding
from prosecheck.cli import main
from prosecheck.ledger import record
from prosecheck.prove import prove_scenario
from prosecheck.scenarios.catalog import SCENARIOS
from tests import toy


def _toy() -> tuple[Encoding, list[list[int]]]:
    """Ping-pong with 3 pings, and its reachable worlds as samples."""
    system = toy.ping_pong(3)
    enc = Encoding(system)
    exploration = explore(system)
    return enc, [enc.values(exploration.worlds[k]) for k in range(exploration.states)]


def _var(enc: Encoding, name: str) -> z3.BitVecRef:
    return enc.cur[enc.names.index(name)]


def _holds(enc: Encoding, formula: z3.BoolRef, values: list[int], nxt: list[int] | None = None) -> bool:
    """``formula`` (over cur, and nxt when given) evaluated by Z3 on concrete values."""
    pairs = [(v, z3.BitVecVal(x, BITS)) for v, x in zip(enc.cur, values)]
    pairs += [] if nxt is None else [(v, z3.BitVecVal(x, BITS)) for v, x in zip(enc.nxt, nxt)]
    return z3.is_true(z3.simplify(z3.substitute(formula, *pairs)))


def test_a_property_inductive_relative_to_the_table_is_proved_with_a_certificate() -> None:
    enc, samples = _toy()
    idle = enc.system.instances[0].table.state_ids.index("idle")
    good = z3.Implies(_var(enc, "pinger.state") == idle, _var(enc, "ponger->pinger.len") == 0)
    assert not certify.validate(enc, good, [good]).ok  # alone it is not inductive: a pong may be on its way
    found = relative.check(enc, good, samples, 60)
    assert found.verdict == relative.PROVED and found.cti is None and found.rows > 0
    assert tables.read(enc, found.lemmas[0]) == found.table and found.lemmas[1:] == [good]
    assert certify.validate(enc, good, found.lemmas).ok


def test_a_property_that_is_not_inductive_relative_to_the_table_gets_a_true_cti() -> None:
    enc, samples = _toy()
    good = z3.ULE(_var(enc, "ponger.last"), _var(enc, "pinger.count"))  # needs a fact of the ping's field
    found = relative.check(enc, good, samples, 60)
    assert found.verdict == relative.UNKNOWN and found.cti is not None and found.table is not None
    cti = found.cti
    assert cti.rule is not None and found.relative_to_table
    rule = enc.rules[cti.rule]
    assert _holds(enc, good, cti.before) and _holds(enc, found.table.formula(enc.cur), cti.before)
    assert rule.formula is not None and _holds(enc, rule.formula, cti.before, cti.after)
    assert not _holds(enc, good, cti.after)
    data = relative.as_json(enc, good, cti)
    assert data["rule"] == rule.name
    before, after = data["before"], data["after"]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert {"ponger.last", "pinger.count"} <= set(before) and after
    assert all(cti.before[enc.names.index(n)] == v for n, v in before.items())
    assert all(cti.after[enc.names.index(n)] == v != cti.before[enc.names.index(n)] for n, v in after.items())
    # the first failing rule in rule order: no earlier rule that changes the property's variables fails
    for k in range(cti.rule):
        step = enc.rules[k].formula
        assert step is not None
        solver = z3.Solver()
        solver.add(found.table.formula(enc.cur), good, step, z3.Not(z3.substitute(good, *zip(enc.cur, enc.nxt))))
        assert solver.check() == z3.unsat


def test_without_time_widening_gives_up_and_the_cti_is_relative_to_the_property() -> None:
    enc, samples = _toy()
    good = z3.ULE(_var(enc, "ponger.last"), _var(enc, "pinger.count"))
    found = relative.check(enc, good, samples, 0.0)
    assert found.verdict == relative.UNKNOWN and found.table is None and "gave up" in found.detail
    assert found.cti is None and "no answer within the time budget" in found.detail


def test_a_table_past_its_row_limit_is_given_up_and_the_cti_is_relative_to_the_property(
        monkeypatch: pytest.MonkeyPatch) -> None:
    enc, samples = _toy()
    good = z3.ULE(_var(enc, "ponger.last"), _var(enc, "pinger.count"))
    monkeypatch.setattr(tables, "MAX_ROWS", 1)  # the toy has more reachable control combinations than that
    found = relative.check(enc, good, samples, 60)
    assert found.verdict == relative.UNKNOWN and found.table is None and not found.relative_to_table
    assert "gave up" in found.detail and "not inductive on its own" in found.detail
    cti = found.cti
    assert cti is not None and cti.rule is not None
    assert _holds(enc, good, cti.before) and not _holds(enc, good, cti.after)
    step = enc.rules[cti.rule].formula
    assert step is not None and _holds(enc, step, cti.before, cti.after)


def test_the_table_engine_cli_gives_the_cti_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["prove", "m300.panf_udm", "--engine", "table", "--property", "knr_agreement", "--json"]
    assert main(argv) == 22  # knr_agreement needs more than the table: UNKNOWN
    [unknown] = json.loads(capsys.readouterr().out)["results"]
    assert (unknown["verdict"], unknown["engine"]) == ("UNKNOWN", "table")
    assert "counterexample to induction: the step" in unknown["detail"]
    cti = unknown["cti"]
    assert cti["rule"] in unknown["detail"] and cti["before"] and cti["after"]


def test_an_unknown_of_another_engine_is_proved_by_the_table_fallback_and_recorded() -> None:
    scenario = SCENARIOS["m300.panf_udm"]
    [result] = prove_scenario(scenario, ["pruk_stays_home"], engine="bmc", depth=2)
    assert (result.verdict, result.engine) == ("PROVED", "table")
    assert result.detail.startswith("no violation within 2 steps") and "; proved by the table engine" in result.detail
    assert result.certificate and result.cti is None and any("combinations" in line for line in result.invariant)
    update = record({}, scenario, [result])  # the ledger re-checks the certificate before it keeps it
    assert update.recorded == [("m300.panf_udm", "pruk_stays_home")] and not update.refused


def test_an_abstract_cut_off_gets_a_counterexample_to_induction() -> None:
    """m400.panf_udm's abstract search takes minutes: cut off at 6 s, then the table engine (6 s at most)."""
    [result] = prove_scenario(SCENARIOS["m400.panf_udm"], ["knr_agreement"], engine="abstract", timeout=6.0)
    assert result.verdict == "UNKNOWN" and result.detail.startswith("abstract search stopped after")
    assert "then the table engine" in result.detail and "counterexample to induction: the step" in result.detail
    assert result.cti is not None and result.cti["rule"] in result.detail
