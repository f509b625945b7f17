"""Pinned state counts and verdicts for every scenario (a manifest, as in the TLA+ Examples).

If a model change moves a number here, the change must say why in its commit message."""

from __future__ import annotations

import pytest

from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import DEFAULT_SCENARIOS

# scenario: (distinct states, transitions, depth, properties whose verdict is not HOLDS)
MANIFEST = {
    "m200": (4809, 8620, 56, {
        "knr_only_after_authorization", "no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"}),
    "m200.s215b_with_nonce_1": (4809, 8620, 56, {
        "knr_agreement", "knr_only_after_authorization", "no_knr_after_withdrawal",
        "reuse_rejected_after_withdrawal"}),
    "m300.panf_local": (4809, 8620, 56, {"no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"}),
    "m300.panf_udm": (5226, 9204, 56, set()),
    "m300.panf_udm.s3042_success_only": (4509, 7930, 56, {
        "attempt_ends", "deadlock_free", "reuse_rejected_after_withdrawal"}),
    "m300.ausf_udm": (5179, 9126, 56, set()),
    "m400.panf_local": (26798, 49226, 63, {"no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"}),
    "m500.indication.panf_local": (25508, 47238, 67, {"no_knr_after_withdrawal"}),
    "m500.suci.panf_local": (26798, 49226, 63, {"no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"}),
    "m600.before.panf_local": (22598, 48366, 67, {"no_knr_after_withdrawal"}),
    "m600.after.panf_local": (22274, 47774, 67, {"no_knr_after_withdrawal"}),
    "m700.panf_local": (20274, 44216, 67, {"no_knr_after_withdrawal"}),
    "m400.panf_udm": (28506, 51431, 63, set()),
    "m500.indication.panf_udm": (27216, 49471, 67, set()),
    "m500.suci.panf_udm": (28506, 51431, 63, set()),
    "m600.before.panf_udm": (24620, 52066, 67, set()),
    "m600.after.panf_udm": (23570, 50076, 71, set()),
    "m700.panf_udm": (21717, 46607, 67, set()),
    "m400.ausf_udm": (28439, 51321, 63, set()),
    "m500.indication.ausf_udm": (26155, 47685, 67, set()),
    "m500.suci.ausf_udm": (28439, 51321, 63, set()),
    "m600.before.ausf_udm": (23920, 50352, 67, set()),
    "m600.after.ausf_udm": (23122, 48916, 67, set()),
    "m700.ausf_udm": (21497, 46832, 67, set()),
    "m400.panf_udm.s411_success_only": (24992, 45145, 63, {
        "attempt_ends", "deadlock_free", "reuse_rejected_after_withdrawal"}),
    "m400.ausf_udm.keep_old_keys": (28439, 51321, 63, {"old_pruk_replaced"}),
    "m500.indication.panf_udm.unflagged_query": (20046, 37027, 63, {
        "attempt_ends", "deadlock_free", "keys_disagree_for_a_while", "messages_handled",
        "ue_update_completes"}),
    "m600.after.panf_local.no_supi": (17212, 38920, 57, {
        "attempt_ends", "ausf_update_completes", "deadlock_free", "keys_disagree_for_a_while",
        "messages_handled", "no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"}),
    "m700.ausf_udm.s723_stores_key_1": (21261, 46440, 67, {
        "fresh_pruk_on_update", "keys_converge", "knr_agreement", "old_pruk_replaced", "update_agreement"}),
    # lossy_links on PC5 (one loss per UE, one withdrawal and restore): the timers recover every loss, except
    # where an update's lost Direct Security Mode Command leaves the UE with a key the PAnF has replaced
    "m200@lossy_links_pc5": (12035, 20387, 58, {
        "knr_only_after_authorization", "no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"}),
    "m300.panf_udm@lossy_links_pc5": (12188, 20071, 58, set()),
    "m400.panf_udm@lossy_links_pc5": (67649, 113868, 65, {"keys_converge", "old_pruk_replaced"}),
    "m500.indication.panf_udm@lossy_links_pc5": (62937, 107221, 67, {
        "keys_converge", "old_pruk_replaced", "recovers_after_loss"}),
    "m600.before.ausf_udm@lossy_links_pc5": (55887, 111633, 67, {
        "keys_converge", "old_pruk_replaced", "recovers_after_loss"}),
    "m700.ausf_udm@lossy_links_pc5": (52182, 109282, 67, {"keys_converge", "old_pruk_replaced", "recovers_after_loss"}),
    "m200.5attempts": (95577, 178134, 88, {
        "knr_only_after_authorization", "no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"}),
    # threat models (scenarios/threat_scenarios.py): smaller bounds, an attacker on PC5
    "m200@pc5_attacker": (3169, 6600, 59, {
        "attempt_ends", "deadlock_free", "knr_only_after_authorization", "no_knr_after_withdrawal",
        "relay_refused_by_amf", "reuse_rejected_after_withdrawal"}),
    "m300.panf_udm@pc5_attacker": (3482, 7236, 63, {
        "attempt_ends", "deadlock_free", "relay_refused_by_amf"}),
    "m300.ausf_udm@pc5_attacker": (3437, 7152, 63, {
        "attempt_ends", "deadlock_free", "relay_refused_by_amf"}),
    "m300.panf_udm@malicious_relay": (3965, 8625, 63, {
        "attempt_ends", "deadlock_free", "relay_refused_by_amf", "secrecy_knr"}),
    "m400.panf_udm@pc5_attacker+leaked_old_pruk": (75500, 211271, 80, {
        "attempt_ends", "deadlock_free", "keys_converge", "relay_refused_by_amf"}),
    "m400.ausf_udm@pc5_attacker+leaked_old_pruk": (74906, 209551, 80, {
        "attempt_ends", "deadlock_free", "keys_converge", "relay_refused_by_amf"}),
    "m500.indication.panf_udm@pc5_attacker+leaked_old_pruk": (77688, 218467, 82, {
        "attempt_ends", "deadlock_free", "keys_converge", "relay_refused_by_amf"}),
    "m500.indication.ausf_udm@pc5_attacker+leaked_old_pruk": (77094, 216747, 82, {
        "attempt_ends", "deadlock_free", "keys_converge", "relay_refused_by_amf"}),
    "m600.before.panf_udm@pc5_attacker+leaked_old_pruk": (63612, 187018, 82, {
        "attempt_ends", "deadlock_free", "keys_converge", "relay_refused_by_amf"}),
    "m600.before.ausf_udm@pc5_attacker+leaked_old_pruk": (60084, 175264, 82, {
        "attempt_ends", "deadlock_free", "keys_converge", "relay_refused_by_amf"}),
    "m600.after.panf_udm@pc5_attacker+leaked_old_pruk": (55518, 164382, 84, {
        "attempt_ends", "deadlock_free", "keys_converge", "relay_refused_by_amf"}),
    "m600.after.ausf_udm@pc5_attacker+leaked_old_pruk": (56140, 163900, 82, {
        "attempt_ends", "deadlock_free", "keys_converge", "relay_refused_by_amf"}),
    "m700.panf_udm@pc5_attacker+leaked_old_pruk": (60570, 185022, 82, {
        "attempt_ends", "deadlock_free", "keys_converge", "relay_refused_by_amf"}),
    "m700.ausf_udm@pc5_attacker+leaked_old_pruk": (58829, 183777, 82, {
        "attempt_ends", "deadlock_free", "keys_converge", "relay_refused_by_amf"}),
    "m400.panf_udm@malicious_relay": (20433, 47261, 70, {
        "attempt_ends", "deadlock_free", "keys_converge", "relay_refused_by_amf", "secrecy_knr"}),
    "m400.ausf_udm.keep_old_keys@pc5_attacker": (17633, 38680, 70, {
        "attempt_ends", "deadlock_free", "keys_converge", "old_pruk_replaced", "relay_refused_by_amf"}),
    "m400.ausf_udm.keep_old_keys@pc5_attacker+leaked_old_pruk": (76146, 212691, 84, {
        "attempt_ends", "deadlock_free", "keys_converge", "knr_from_current_pruk", "leaked_old_pruk_useless",
        "no_replay_completion", "old_pruk_replaced", "relay_refused_by_amf", "secrecy_knr"}),
    "m700.ausf_udm.s723_stores_key_1@pc5_attacker+leaked_old_pruk": (60201, 187231, 86, {
        "attempt_ends", "deadlock_free", "fresh_pruk_on_update", "keys_converge", "knr_agreement",
        "knr_from_current_pruk", "leaked_old_pruk_useless", "no_replay_completion", "old_pruk_replaced",
        "relay_refused_by_amf", "secrecy_knr", "secrecy_pruk", "update_agreement"}),
}


@pytest.fixture(scope="module")
def results(check_once):
    return {sid: check_once(sid) for sid in MANIFEST}


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
    not_holding = {pid for pid, p in r.properties.items() if p.verdict not in ("HOLDS", "n/a")}
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
