"""The analyses on small hand-made inputs whose answers are known, so a silent analysis fails."""

from __future__ import annotations

import z3
from statemachine import State, StateMachine

from prosecheck.analysis.contradictions import Case, Fact, Statement, check_method, enumerate_muses
from prosecheck.analysis.guards import analyze_table
from prosecheck.analysis.patent import parse
from prosecheck.analysis.traceability import trace
from prosecheck.checker.expr import M, O, V
from prosecheck.checker.machine import Effect, ElementRules, Var, compile_element

X, Y, Z = z3.Bools("toy.x toy.y toy.z")


def test_a_contradictory_pair_is_the_only_minimal_unsatisfiable_set():
    tracked = {"A": X, "B": z3.Not(X), "C": Y}
    muses, complete = enumerate_muses([], tracked)
    assert muses == [["A", "B"]] and complete


def test_every_minimal_set_is_enumerated_and_the_cap_is_honest():
    tracked = {"A": X, "B": z3.Not(X), "C": Y, "D": z3.Implies(Y, z3.Not(X))}
    muses, complete = enumerate_muses([], tracked)
    assert muses == [["A", "B"], ["A", "C", "D"]] and complete
    capped, complete = enumerate_muses([], tracked, cap=1)
    assert len(capped) == 1 and not complete


def test_a_consistent_set_has_no_contradiction():
    assert enumerate_muses([], {"A": X, "B": z3.Implies(X, Y)}) == ([], True)


def test_a_case_makes_a_conditional_contradiction_appear_and_a_dead_condition_is_vacuous():
    statements = [
        Statement("0001a", 100, "when x then y", Y, X),
        Statement("0001b", 100, "when x, never y", z3.Not(Y), X),
        Statement("0002", 100, "z never holds", z3.Not(Z)),
        Statement("0003", 100, "when z then y", Y, Z),
    ]
    cases = [Case("x happens", 100, (Fact("0001", "x", X),)),
             Case("x does not happen", 100, (Fact("0001", "no x", z3.Not(X)),))]
    result = check_method(100, statements, cases)
    assert [(c.case, c.statements) for c in result.muses] == [("x happens", ["0001a", "0001b"])]
    vacuous = {v.statement: v.because for v in result.vacuous}
    assert vacuous["0003"] == ["0002"]  # "when z" can never apply
    assert "0001a" not in vacuous  # "when x" cannot apply either, but that only restates the contradiction


class Toy(ElementRules, StateMachine):
    """One state, one message with a result field: overlapping, intentional and missing cases."""

    ROLE, TITLE = "toy", "Toy"
    idle = State("Idle", initial=True)
    answer = (idle.to(idle, cond="ok", on="accept") | idle.to(idle, cond="not_refused", on="accept_again")
              | idle.to(idle, cond="refused", on="refuse"))
    poke = idle.to(idle, on="heads") | idle.to(idle, cond="may_fail", on="tails")
    REST_STATES = frozenset({"idle"})
    VARIABLES = (Var("flag", 0, sort="bool"),)
    GUARDS = {"ok": M("result") == 1, "not_refused": (M("result") != 2) & V("flag"), "refused": M("result") == 2,
              "may_fail": O("faults")}
    EFFECTS = {
        "accept": Effect("accept", "T1"), "accept_again": Effect("accept too", "T2"), "refuse": Effect("refuse", "T3"),
        "heads": Effect("heads", "T4", choice="coin lands heads"),
        "tails": Effect("tails", "T5", choice="coin lands tails"),
    }


def _toy_findings(reachable: dict) -> dict[tuple[str, str], object]:
    table = compile_element(Toy, {"faults": 1}, {"answer": ("result",), "poke": ()})
    found = analyze_table(table, reachable, {"answer": {"result": [0, 1, 2]}})
    return {(f.kind, f.event): f for f in found}


def test_an_overlapping_guard_a_missing_case_and_an_intentional_choice_are_told_apart():
    found = _toy_findings({})
    ambiguity = found[("ambiguity", "answer")]
    assert ambiguity.any_witness == {"flag": 1, "msg.result": 1}  # ok and not_refused both hold
    assert ambiguity.reachable_witness is None  # nothing reachable was given
    gap = found[("gap", "answer")]
    assert gap.any_witness is not None and gap.any_witness["msg.result"] == 0 and gap.any_witness["flag"] == 0
    assert ("intentional", "poke") in found and ("ambiguity", "poke") not in found


def test_reachable_valuations_decide_the_reachable_verdict():
    table_state = 0
    reachable = {("toy", table_state, "answer"): {((0,), (1,)), ((0,), (2,))}}  # flag never set, result 1 or 2
    found = _toy_findings(reachable)
    assert found[("ambiguity", "answer")].reachable_witness is None
    assert found[("gap", "answer")].reachable_witness is None
    reachable = {("toy", table_state, "answer"): {((1,), (1,)), ((0,), (0,))}}
    found = _toy_findings(reachable)
    assert found[("ambiguity", "answer")].reachable_witness == {"flag": 1, "msg.result": 1}
    assert found[("gap", "answer")].reachable_witness == {"flag": 0, "msg.result": 0}


TOY_PATENT = """
[0001] A method 100 and a method 800 are described.
[0002] S101: The UE sends a request.
[0003] S102: The network sends an answer message to the UE. Then step S105 is performed.
[0004] S1021: The network first looks up the key.
[0005] S1022: The network then checks it.
[0006] S801: The other method starts, as S102 says.
[0007] S802: It ends, as in step S101 of the foregoing method 100.
[0008] S803: The UE decides. The answer message in the step S803 is kept; the request message in S102 is not.
What is claimed is:
1. A method, comprising: sending.
2. The method according to claim 1, wherein the sending is secure.
"""


def test_traceability_finds_covered_missing_dangling_and_suspect_steps():
    patent = parse(TOY_PATENT)
    assert patent.claims[2].depends_on == 1 and patent.claims[1].depends_on is None
    t = trace(patent, {"S101": ["ue: send"], "S1021": ["nw: look up"], "S1022": ["nw: check"], "S999": ["x"]})
    assert list(t.defined) == ["S101", "S102", "S1021", "S1022", "S801", "S802", "S803"]
    assert set(t.covered) == {"S101", "S1021", "S1022"}
    assert t.covered_by_substeps == {"S102": ["S1021", "S1022"]}
    assert t.uncovered == ["S801", "S802", "S803"]
    assert [(r.step, r.paragraph) for r in t.dangling] == [("S105", "0003")]
    # [0007] names method 100: not suspect
    assert [(r.step, r.paragraph) for r in t.suspect] == [("S102", "0006"), ("S102", "0008")]
    assert t.cited_undefined == {"S999": ["x"]}
    assert [(r.step, r.paragraph, r.why) for r in t.mismatched] == [
        ("S803", "0008", "S803 [0008] sends no message"),
        ("S102", "0008", "S102 [0003] is the answer message"),
    ]
