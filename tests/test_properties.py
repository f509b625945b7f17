"""Every property has a world where it holds and one where it fails; Z3 and the Python
predicate agree on every reachable valuation; the m200 counterexample is a golden trace."""

from __future__ import annotations

from pathlib import Path

import pytest

from prosecheck.checker.judge import disagreements
from prosecheck.checker.search import Limits
from prosecheck.model.build import bind_formula, bind_property, options_of
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.report.text import format_trace
from prosecheck.scenarios.catalog import DEFAULT_SCENARIOS, SCENARIOS
from prosecheck.verify import check_scenario

GOLDEN = Path(__file__).parent / "golden"


def _scenario(spec: str):
    """``"m300.panf_udm+mutant"`` or a threat scenario id (``"m200@pc5_attacker"``), optionally followed by
    ``+mutant``s, then optionally ``%bound=value`` (``"m200%attempts=1"``)."""
    spec, _, bounds = spec.partition("%")
    threat = max((sid for sid in SCENARIOS if "@" in sid and (spec == sid or spec.startswith(sid + "+"))),
                 key=len, default=None)
    base = threat or spec.split("+")[0]
    mutants = [m for m in spec[len(base):].split("+") if m]
    scenario = SCENARIOS[base].with_mutants(*mutants) if mutants else SCENARIOS[base]
    if bounds:
        name, value = bounds.split("=")
        scenario = scenario.with_bounds(**{name: int(value)})
    return scenario


# property: (a world where it holds, a world where it fails)
WORLDS = {
    "knr_only_after_authorization": ("m300.ausf_udm", "m200"),
    "no_knr_after_withdrawal": ("m300.panf_udm", "m300.panf_local"),
    "knr_agreement": ("m300.panf_udm", "m300.panf_udm+ue_knr_without_nonce_2"),
    "pruk_stays_home": ("m200", "m200+ausf_leaks_kausf_p"),
    "supi_never_on_air": ("m200", "m200+null_scheme_suci"),
    "no_link_through_refused_relay": ("m200", "m200+amf_refusal_answered_with_key"),
    "relay_refused_by_amf": ("m200", "m200+amf_never_refuses_relay"),
    "pc5_secured_by_suci": ("m200", "m200+ausf_eap_never_verifies"),
    "pc5_secured_by_pruk_id": ("m200", "m200%attempts=1"),
    "attempt_rejected_after_withdrawal": ("m200", "m200%withdrawals=0"),
    "reuse_rejected_after_withdrawal": ("m300.ausf_udm", "m200"),
    "knr_derived_while_withdrawn": ("m300.ausf_udm", "m300.ausf_udm%withdrawals=0"),
    "reuse_knr_derived_while_withdrawn": ("m300.panf_udm", "m300.panf_udm%attempts=1"),
    "pruk_stored_at_panf": ("m200", "m200+ausf_eap_never_verifies"),
    "supi_sent_on_sbi": ("m200", "m200+udm_omits_supi"),
    "old_pruk_replaced": ("m400.ausf_udm", "m400.ausf_udm+panf_stores_beside_old_pruk"),
    "knr_from_current_pruk": ("m400.ausf_udm", "m400.ausf_udm+ue_derives_knr_from_old_pruk"),
    "update_agreement": ("m400.ausf_udm", "m700.ausf_udm.s723_stores_key_1"),
    "fresh_pruk_on_update": ("m400.ausf_udm", "m700.ausf_udm.s723_stores_key_1"),
    "attempt_ends": ("m300.panf_udm", "m300.panf_udm.s3042_success_only"),
    "keys_converge": ("m700.ausf_udm", "m700.ausf_udm.s723_stores_key_1"),
    "ue_update_completes": ("m500.indication.ausf_udm", "m500.indication.ausf_udm%policy_triggers=0"),
    "ausf_update_completes": ("m600.after.ausf_udm", "m600.after.ausf_udm%policy_triggers=0"),
    "panf_update_completes": ("m700.panf_udm", "m700.panf_udm%policy_triggers=0"),
    "keys_disagree_for_a_while": ("m400.panf_udm", "m400.panf_udm%policy_triggers=0"),
    "secrecy_pruk": ("m400.panf_udm@pc5_attacker+leaked_old_pruk",
                     "m700.ausf_udm.s723_stores_key_1@pc5_attacker+leaked_old_pruk"),
    "secrecy_kausf_p": ("m200@pc5_attacker", "m200@pc5_attacker+ausf_leaks_kausf_p+amf_passes_response_2_to_relay"),
    "secrecy_knr": ("m400.ausf_udm.keep_old_keys@pc5_attacker",
                    "m400.ausf_udm.keep_old_keys@pc5_attacker+leaked_old_pruk"),
    "agreement_remote_ausf": ("m200@pc5_attacker", "m200@pc5_attacker+ue_unchecked_accept_with_wrong_knr"),
    "no_replay_completion": ("m400.ausf_udm.keep_old_keys@pc5_attacker",
                             "m400.ausf_udm.keep_old_keys@pc5_attacker+leaked_old_pruk"),
    "leaked_old_pruk_useless": ("m400.panf_udm@pc5_attacker+leaked_old_pruk",
                                "m400.ausf_udm.keep_old_keys@pc5_attacker+leaked_old_pruk"),
    "attacker_injects": ("m200@pc5_attacker", "m200@pc5_attacker+ue_never_requests"),
    "old_pruk_leaks": ("m400.panf_udm@pc5_attacker+leaked_old_pruk",
                       "m400.panf_udm@pc5_attacker+leaked_old_pruk+ausf_eap_never_verifies"),
    "deadlock_free": ("m300.panf_udm", "m300.panf_udm.s3042_success_only"),
    "messages_handled": ("m200", "m200+ue_ignores_eap_request"),
    "recovers_after_loss": ("m400.panf_udm@lossy_links_pc5", "m700.ausf_udm@lossy_links_pc5"),
    "secured_after_loss": ("m300.panf_udm@lossy_links_pc5", "m300.panf_udm@lossy_links_pc5%attempts=1"),
}
MEASURES = {pid for pid, p in PROPERTIES.items() if p.kind == "measure"}


def test_every_property_has_a_holding_and_a_failing_world():
    assert set(WORLDS) == set(PROPERTIES) - MEASURES | {"deadlock_free", "messages_handled"}


@pytest.mark.parametrize("pid", list(WORLDS))
def test_property_holds_in_one_world_and_fails_in_another(check_once, pid):
    holds, fails = WORLDS[pid]
    only = [pid] if pid in PROPERTIES else []

    def judged(spec: str):
        """A named scenario's verdict from the session's shared check (tests/conftest.py), a variant's checked here."""
        return (check_once(spec) if spec in SCENARIOS else check_scenario(_scenario(spec), only)).properties[pid]

    assert judged(holds).verdict == "HOLDS"
    failing = judged(fails)
    assert failing.verdict == "VIOLATED"
    if failing.kind != "sometimes":
        assert failing.trace, "a violated invariant or liveness property comes with its counterexample"
        assert failing.replay == [], failing.replay


@pytest.mark.parametrize("sid", [s.id for s in DEFAULT_SCENARIOS])
def test_z3_and_the_python_predicate_agree_on_every_reachable_valuation(explore_once, sid):
    exploration = explore_once(sid)  # the session's shared search of the scenario (tests/conftest.py)
    system = exploration.system
    options = options_of(SCENARIOS[sid])
    for prop in PROPERTIES.values():
        if not prop.applies(options):  # n/a: it may name an element the scenario does not have
            continue
        bound = bind_property(system, prop)
        assert disagreements(bound.expr, bound.slots, exploration) == [], prop.id
        if prop.trigger is not None:
            trigger = bind_formula(system, prop.trigger, "or")
            assert disagreements(trigger, system.slot_refs(trigger), exploration) == [], prop.id


def test_the_linkability_window_grows_with_the_attempts_bound_in_every_method():
    """[0129]: a UE that stores a 5GPRUK presents its ID; the update policies ([0303]-[0306], [0556], [0680]) are
    events that may or may not happen, so nothing bounds how many attempts carry the same ID but the bound."""
    for sid in ("m200", "m300.panf_udm", "m400.panf_udm", "m700.ausf_udm"):
        for attempts in (2, 3):
            r = check_scenario(SCENARIOS[sid].with_bounds(attempts=attempts, withdrawals=0, restores=0),
                               ["linkability_window"])
            p = r.properties["linkability_window"]
            assert (p.verdict, p.value) == ("HOLDS", attempts - 1), (sid, attempts, p.value)
            assert p.trace and sum(1 for s in p.trace if "with 5GPRUK ID" in s.action) == attempts - 1


def test_a_measure_cut_short_is_a_lower_bound():
    r = check_scenario(SCENARIOS["m200"], ["linkability_window"], Limits(max_states=300))
    p = r.properties["linkability_window"]
    assert p.verdict == "INCONCLUSIVE" and p.value is not None and p.value <= 2


def test_update_properties_do_not_apply_without_an_update_trigger():
    r = check_scenario(SCENARIOS["m300.panf_udm"], ["old_pruk_replaced", "ue_update_completes", "attempt_ends"])
    assert r.properties["old_pruk_replaced"].verdict == "n/a"
    assert r.properties["ue_update_completes"].verdict == "n/a"
    assert r.properties["attempt_ends"].verdict == "HOLDS"
    assert r.exit_code == 0


def test_the_m200_counterexample_reads_as_the_flaw_of_0219():
    """First attempt by SUCI, withdrawal at the UDM, second attempt by 5GPRUK ID, KNR_ProSe issued."""
    p = check_scenario(SCENARIOS["m200"], ["no_knr_after_withdrawal"]).properties["no_knr_after_withdrawal"]
    steps = p.trace
    assert steps is not None
    actions = [(s.element, s.event) for s in steps]
    first_request = actions.index(("remote_ue", "start_attempt"))
    withdrawal = actions.index(("udm", "withdraw_authorization"))
    second_request = actions.index(("remote_ue", "start_attempt"), first_request + 1)
    assert first_request < withdrawal < second_request
    assert "SUCI" in steps[first_request].sent[0] and "5GPRUK ID" in steps[second_request].sent[0]
    assert steps[-1].element == "ausf" and "derive KNR_ProSe" in steps[-1].action
    assert not any(s.element == "udm" and s.event == "authorization_check_request" for s in steps)
    # the golden file `prosecheck regen golden` writes: a heading line, then the trace as `check` prints it
    heading, golden = (GOLDEN / "m200__no_knr_after_withdrawal.txt").read_text().split("\n", 1)
    assert heading == "m200: no_knr_after_withdrawal VIOLATED"
    assert "\n".join(format_trace(steps, "violates no_knr_after_withdrawal")) + "\n" == golden


def test_the_panf_local_counterexample_passes_the_stale_local_check():
    p = check_scenario(SCENARIOS["m300.panf_local"], ["no_knr_after_withdrawal"]).properties[
        "no_knr_after_withdrawal"]
    actions = [s.action for s in p.trace]
    assert any(a.startswith("stored ProSe authorization info authorizes the UE") for a in actions)
    assert any(a.startswith("environment: the operator withdraws") for a in actions)
