"""The false positives a spec editor found in `prosecheck analyze` (issue 24, "Precision") are gone,
each shown on the real text and the real model, and the true findings beside them remain."""

from __future__ import annotations

import pytest
import z3

from prosecheck.analysis.claims import PARTLY, claim_verdicts
from prosecheck.analysis.conformance import check_conformance, observe
from prosecheck.analysis.contradictions import check_method
from prosecheck.analysis.patent import load_patent
from prosecheck.analysis.readings import matrix
from prosecheck.analysis.run import Analysis, guards_of
from prosecheck.analysis.statements import METHODS, statement
from prosecheck.analysis.traceability import model_citations, trace
from prosecheck.analysis.vocab import AUTHENTICATION, AXIOMS, CHECK_OK, EAP_OK, KEY_QUERY, KNR, KQR_KEY, NEW_KEY
from prosecheck.checker.search import explore
from prosecheck.model.build import build_system, options_of
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import check_scenario

SUCCESS_PATH = [(200, "0140c"), (400, "0321c"), (500, "0440d"), (700, "0681"), (700, "0707b")]
"""Sentences that order the steps of the success path ("After the AUSF performs Manner 1 or Manner 2,
subsequent steps S425 to S431 are performed", [0321]) or say what the answer carries on it."""


def _muses() -> dict[int, list[list[str]]]:
    return {m: [c.statements for c in check_method(m, *METHODS[m]).muses] for m in METHODS}


def test_success_path_sentences_no_longer_contradict_a_failure_case():
    found = _muses()
    for method, sid in SUCCESS_PATH:
        assert not any(sid in mus for mus in found[method]), (method, sid)
    # the true contradictions stay: S3042 always sent vs only on success; Manner 2 required vs Manner 1 + 3
    # only; the generation each element stores after S722-S724
    assert found == {200: [], 300: [["0260", "0263b"]], 400: [], 500: [], 600: [["0558b", "0560"]],
                     700: [["0748", "0756", "0761"], ["0750", "0753"], ["0757", "0758"]]}


@pytest.mark.parametrize(("method", "sid"), SUCCESS_PATH[:3])
def test_a_success_path_sentence_still_binds_on_the_success_path(method, sid):
    """After a successful Manner the sentence still demands KNR_ProSe; after a failed check it does not.
    (Method 500's Manner 1 and Manner 2 are the key query and the AUSF's check; its authentication is
    Manner 3, which [0440d] does not name.)"""
    s = statement(method, sid)
    assert load_patent().has(s.paragraph, s.quote)
    solver = z3.Solver()
    solver.add(*[f for _, f in AXIOMS], s.formula(), z3.Not(KNR))
    authenticated = z3.And(AUTHENTICATION, z3.Not(KEY_QUERY), EAP_OK, NEW_KEY, CHECK_OK)
    queried = z3.And(KEY_QUERY, z3.Not(AUTHENTICATION), KQR_KEY, CHECK_OK)
    assert solver.check(authenticated) == (z3.sat if method == 500 else z3.unsat)
    assert solver.check(queried) == z3.unsat
    assert solver.check(z3.And(KEY_QUERY, KQR_KEY, z3.Not(CHECK_OK))) == z3.sat


def _conformance(sid: str):  # type: ignore[no-untyped-def]
    scenario = SCENARIOS[sid]
    exploration = explore(build_system(scenario))
    result = check_conformance(scenario, exploration, options_of(scenario))
    assert result is not None
    return result, exploration


@pytest.mark.parametrize("sid", ["m700.panf_local", "m700.panf_udm", "m700.ausf_udm",
                                 "m700.ausf_udm.s723_stores_key_1"])
def test_the_panf_update_branch_is_judged_against_its_own_statements(sid):
    """The PAnF's [0707a] branch (update decided, SUPI and no key) is no longer judged against [0707b]."""
    result, exploration = _conformance(sid)
    withheld = [d for d in result.deviations if "withhold_key_for_update" in d.step]
    assert withheld == []
    # the branch was observed, with the world's own decision: update
    steps = [dict(k) for k, step in observe(exploration).items() if "withhold_key_for_update" in step]
    assert steps and all(s["panf.decides_update"] and s["kqr.carries_supi"] and not s["kqr.carries_5gpruk_1"]
                         for s in steps)
    # and [0707a] (update -> the response carries the SUPI) would catch a response without it
    s707a = statement(700, "0707a").formula()
    broken = {**steps[0], "kqr.carries_supi": False}
    assert z3.Solver().check(*[z3.Bool(n) == v for n, v in broken.items()], s707a) == z3.unsat


def test_what_remains_not_followed_in_method_700():
    result, _ = _conformance("m700.panf_udm")
    # both after a refused check: [0704b] (no S711 after a failure) is the literal reading of finding 12, set
    # aside by the default panf_answers_failed_check=1, as [0263b] is by s3042_answers_failure=1; [0712a] reads
    # any answer without a key as "needs updating" (finding 19)
    assert sorted((d.statement, d.by_reading) for d in result.deviations) == [
        ("0704b", "panf_answers_failed_check=1"), ("0712a", "")]
    literal, _ = _conformance("m400.panf_udm.s411_success_only")
    assert literal.deviations == []


def test_statements_not_followed_are_counted_once_each():
    results = [_conformance(s)[0] for s in ("m600.after.panf_local", "m600.after.panf_local.no_supi")]
    analysis = Analysis([], [], [], trace(load_patent(), model_citations()), [], [], [], results, True)
    assert analysis.not_followed() == {(600, "0560"): ["m600.after.panf_local"] * 2
                                       + ["m600.after.panf_local.no_supi"] * 2}
    assert analysis.counts()["statements_the_model_does_not_follow"] == 1


def test_a_claim_is_judged_through_its_own_embodiments():
    results = {s: check_scenario(SCENARIOS[s]) for s in ("m300.panf_local", "m300.panf_udm", "m300.ausf_udm")}
    patent = load_patent()
    verdicts = {c.number: c for c in claim_verdicts({n: (c.text, c.depends_on) for n, c in patent.claims.items()},
                                                    results)}
    one = verdicts[1]  # m300.panf_local fails no_knr_after_withdrawal, the other two embodiments hold
    assert one.verdict == PARTLY and one.holds_in == ["m300.panf_udm", "m300.ausf_udm"]
    assert one.failures == ["m300.panf_local: no_knr_after_withdrawal VIOLATED"]
    six = verdicts[6]  # an unreached reachability twin is listed, not counted
    assert six.verdict == PARTLY and "m300.panf_local: reuse_rejected_after_withdrawal" in six.unreached
    assert all("reuse_rejected" not in f for f in six.failures)
    # the embodiment that fails is judged by its own claims: 9 and 10 (the PAnF's stored information)
    assert verdicts[9].verdict == "VIOLATED" and verdicts[10].verdict == "VIOLATED"
    assert {n for n, c in verdicts.items() if c.verdict == "VIOLATED"} == {9, 10, 19, 20}


def test_a_guard_witness_stays_with_the_scenario_it_comes_from():
    """The gap on the AUSF's key query response is reached only in the unflagged-query reading."""
    ids = ["m200", "m500.indication.panf_udm.unflagged_query"]
    findings, _, _, _ = guards_of([SCENARIOS[s] for s in ids])
    gap = next(f for f in findings if f.kind == "gap" and f.role == "ausf" and f.event == "key_query_response"
               and f.scenarios == ids)
    assert list(gap.reached_in) == ["m500.indication.panf_udm.unflagged_query"]
    assert gap.reachable_witness is None  # the first scenario's own: m200 never reached it


def test_each_reading_is_compared_with_its_own_baseline():
    ids = ["m400.ausf_udm", "m400.ausf_udm.keep_old_keys", "m600.after.panf_local", "m600.after.panf_local.no_supi",
           "m500.indication.panf_udm", "m500.indication.panf_udm.unflagged_query"]
    found = matrix({s: check_scenario(SCENARIOS[s]) for s in ids})
    readings = {r.option: r for r in found}
    for option in ("replace_at_ue", "replace_at_panf"):
        (c,) = readings[option].comparisons
        assert c.baseline is not None and c.baseline.scenario == "m400.ausf_udm"
        assert set(c.also) == {"replace_at_ue", "replace_at_panf"} - {option}
    pairs = [(c.baseline.scenario if c.baseline else None, c.variant.scenario)
             for c in readings["supi_with_checked_key"].comparisons]
    # each variant beside the scenario of its own method and check placement, never another's
    assert pairs == [("m600.after.panf_local", "m600.after.panf_local.no_supi"),
                     ("m500.indication.panf_udm", "m500.indication.panf_udm.unflagged_query")] or pairs == [
        ("m500.indication.panf_udm", "m500.indication.panf_udm.unflagged_query"),
        ("m600.after.panf_local", "m600.after.panf_local.no_supi")]
    (flagged,) = readings["update_query_flagged"].comparisons
    assert flagged.baseline is not None and flagged.baseline.scenario == "m500.indication.panf_udm"
    # counted per set of readings a scenario sets together: keep_old_keys' two readings once, the
    # unflagged query's pair once, no_supi's single reading once
    analysis = Analysis([], [], [], trace(load_patent(), model_citations()), [], [], found, [], True)
    assert analysis.counts()["readings_that_change_verdicts"] == 3


def test_analyze_on_two_processes_gives_the_one_process_result():
    """analyze checks the scenarios on several processes by default: the same analysis, in the same order."""
    import json

    from prosecheck.analysis.report_json import as_json
    from prosecheck.analysis.run import analyze

    chosen = [SCENARIOS[i] for i in ("m300.panf_local", "m200", "m300.panf_udm")]
    docs = []
    for workers in (2, 1):
        doc = as_json(analyze(chosen, workers=workers), 0)
        doc.pop("seconds", None)
        docs.append(json.dumps(doc, sort_keys=True))
    assert docs[0] == docs[1]
