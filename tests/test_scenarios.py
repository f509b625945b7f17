"""Pinned state counts and verdicts for every scenario (a manifest, as in the TLA+ Examples).

If a model change moves a number here, the change must say why in its commit message."""

from __future__ import annotations

import pytest

from prosecheck.model.scenarios import DEFAULT_SCENARIOS, SCENARIOS
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.verify import check_scenario

# scenario: (distinct states, transitions, depth, properties whose verdict is not HOLDS)
MANIFEST = {
    "m200": (4809, 8620, 56, {"knr_only_after_authorization", "no_knr_after_withdrawal",
                              "reuse_rejected_after_withdrawal"}),
    "m200.s215b_with_nonce_1": (4809, 8620, 56, {"knr_only_after_authorization", "no_knr_after_withdrawal",
                                                 "reuse_rejected_after_withdrawal", "knr_agreement"}),
    "m300.panf_local": (4809, 8620, 56, {"no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"}),
    "m300.panf_udm": (5226, 9204, 56, set()),
    "m300.panf_udm.s3042_success_only": (4509, 7930, 56, {"reuse_rejected_after_withdrawal", "deadlock_free"}),
    "m300.ausf_udm": (5179, 9126, 56, set()),
    "m200.5attempts": (95577, 178134, 88, {"knr_only_after_authorization", "no_knr_after_withdrawal",
                                           "reuse_rejected_after_withdrawal"}),
}


@pytest.fixture(scope="module")
def results():
    return {sid: check_scenario(SCENARIOS[sid]) for sid in MANIFEST}


def test_the_manifest_covers_every_default_scenario():
    assert {s.id for s in DEFAULT_SCENARIOS} <= set(MANIFEST)


@pytest.mark.parametrize("sid", list(MANIFEST))
def test_state_counts_are_pinned(results, sid):
    r = results[sid]
    assert (r.states, r.transitions, r.depth) == MANIFEST[sid][:3]
    assert r.complete


@pytest.mark.parametrize("sid", list(MANIFEST))
def test_verdicts_are_pinned_and_as_the_scenario_declares(results, sid):
    r = results[sid]
    not_holding = {pid for pid, p in r.properties.items() if p.verdict != "HOLDS"}
    assert not_holding == MANIFEST[sid][3]
    assert all(p.as_expected for p in r.properties.values()), [p.id for p in r.properties.values() if not p.as_expected]
    assert r.exit_code == 0


@pytest.mark.parametrize("sid", [s.id for s in DEFAULT_SCENARIOS])
def test_every_reachability_twin_is_judged(results, sid):
    r = results[sid]
    for p in PROPERTIES.values():
        for twin in p.twins:
            assert twin in r.properties and PROPERTIES[twin].kind == "sometimes"


def test_method_200_honest_runs_reach_both_paths(results):
    r = results["m200"]
    assert r.properties["pc5_secured_by_suci"].verdict == "HOLDS"
    assert r.properties["pc5_secured_by_pruk_id"].verdict == "HOLDS"


def test_method_300_with_the_udm_check_rejects_reuse_after_withdrawal(results):
    for sid in ("m300.panf_udm", "m300.ausf_udm"):
        assert results[sid].properties["reuse_rejected_after_withdrawal"].verdict == "HOLDS"


def test_stale_local_authorization_info_never_refuses_a_key(results):
    """[0266]: the PAnF's info is written at registration, after S208 succeeded, and never
    refreshed, so its refusal branch ([0265], cause 403) can never fire."""
    never = results["m300.panf_local"].never_fired
    assert any("refuse_after_local_check" in t for t in never)


def test_deadlock_under_the_literal_reading_of_0263_is_the_pending_authorization_check(results):
    p = results["m300.panf_udm.s3042_success_only"].properties["deadlock_free"]
    assert "panf=checking_authorization" in p.detail and "ausf=querying_key" in p.detail
    assert any(step.action.startswith("reading of [0263]") for step in p.trace)


@pytest.mark.parametrize("sid", list(MANIFEST))
def test_every_trace_is_confirmed_by_independent_live_replay(results, sid):
    for p in results[sid].properties.values():
        if p.trace is not None:
            assert p.replay == [], (p.id, p.replay)
