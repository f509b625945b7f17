"""Named configurations: procedure x options x bounds, with the verdicts each should give.

A scenario declares its expected verdicts, so a known flaw (method 200's, [0219]) is an
expected VIOLATED and the exit code stays 0 while the model says what the text says. Every
property not listed is expected to HOLD (for ``sometimes``: to be reached)."""

from __future__ import annotations

from dataclasses import replace

from prosecheck.model.environment import Bounds
from prosecheck.model.fixes import fix_expected, fix_pairs, fix_procedure
from prosecheck.model.procedures import PROCEDURES
from prosecheck.scenarios.scenario import HOLDS, VIOLATED, Scenario
from prosecheck.scenarios.threat_scenarios import threat_scenarios

_STALE_LOCAL_INFO = "the PAnF's stored authorization info ([0266], [0330]) is written at key registration and never " \
    "refreshed, so after a withdrawal the reuse path still derives KNR_ProSe"
_NOTES: dict[str, tuple[dict[str, str], bool, str]] = {
    # procedure id: (declared verdicts other than HOLDS, expect a deadlock, note)
    "m400.panf_local": ({"no_knr_after_withdrawal": VIOLATED, "reuse_rejected_after_withdrawal": VIOLATED}, False,
                        _STALE_LOCAL_INFO),
    "m500.suci.panf_local": ({"no_knr_after_withdrawal": VIOLATED, "reuse_rejected_after_withdrawal": VIOLATED},
                             False, _STALE_LOCAL_INFO + "; method 500 signalling by SUCI is method 400"),
    "m500.indication.panf_local": ({"no_knr_after_withdrawal": VIOLATED}, False, _STALE_LOCAL_INFO),
    "m600.before.panf_local": ({"no_knr_after_withdrawal": VIOLATED}, False, _STALE_LOCAL_INFO),
    "m600.after.panf_local": ({"no_knr_after_withdrawal": VIOLATED}, False, _STALE_LOCAL_INFO),
    "m700.panf_local": ({"no_knr_after_withdrawal": VIOLATED}, False, _STALE_LOCAL_INFO),
    "m500.suci.panf_udm": ({}, False, "method 500 signalling by SUCI is method 400 (the same state space)"),
    "m500.suci.ausf_udm": ({}, False, "method 500 signalling by SUCI is method 400 (the same state space)"),
    "m400.panf_udm.s411_success_only": (
        {"attempt_ends": VIOLATED, "reuse_rejected_after_withdrawal": VIOLATED}, True,
        "reading [0346] literally: a failed S4110-S4112 check gets no S411, so the AUSF, the AMF and the UE wait "
        "forever"),
    "m400.ausf_udm.keep_old_keys": (
        {"old_pruk_replaced": VIOLATED}, False,
        "reading the \"Optionally\" of [0387]/[0393] as optional replacement: both keep 5GPRUK #1 beside #2"),
    "m500.indication.panf_udm.unflagged_query": (
        {"attempt_ends": VIOLATED, "ue_update_completes": VIOLATED, "keys_disagree_for_a_while": VIOLATED,
         "messages_handled": VIOLATED}, True,
        "S510 cannot tell the PAnF that an update is requested; after its check it returns 5GPRUK #1 without the "
        "SUPI, and the text gives the AUSF no way to run Manner 3: the update never happens"),
    "m600.after.panf_local.no_supi": (
        {"no_knr_after_withdrawal": VIOLATED, "attempt_ends": VIOLATED, "reuse_rejected_after_withdrawal": VIOLATED,
         "ausf_update_completes": VIOLATED, "keys_disagree_for_a_while": VIOLATED, "messages_handled": VIOLATED},
        True, "S610 after a local check carries 5GPRUK #1 only ([0566]); S613 needs the SUPI from S610 ([0602]): "
              "the AUSF cannot update"),
    "m700.ausf_udm.s723_stores_key_1": (
        {"knr_agreement": VIOLATED, "old_pruk_replaced": VIOLATED, "update_agreement": VIOLATED,
         "fresh_pruk_on_update": VIOLATED, "keys_converge": VIOLATED}, False,
        "reading [0756]-[0757] literally: the PAnF stores 5GPRUK #1 again while the UE replaced it by #2; the "
        "next attempt by 5GPRUK ID #2 finds no key"),
}


def _update_scenarios() -> list[Scenario]:
    """One scenario per procedure of methods 400-700 (and per literal reading), default bounds."""
    out = []
    for pid, procedure in PROCEDURES.items():
        if pid[1] not in "4567":
            continue
        expected, deadlock, note = _NOTES.get(pid, ({}, False, ""))
        out.append(Scenario(pid, procedure, expected=expected, expect_deadlock=deadlock, note=note))
    return out


_LOSSY_BOUNDS = Bounds(withdrawals=1, restores=1)
_STALE_KEY_AFTER_LOSS = (
    "a Direct Security Mode Command lost on PC5 during the update leaves the remote UE with 5GPRUK #1 while the PAnF "
    "has replaced it by #2 ([0393]/[0510]/[0631]/[0758]); the UE keeps presenting 5GPRUK ID #1 ([0129]), which the PAnF "
    "no longer knows, and nothing in the text makes it fall back to its SUCI")
_LOSSY: dict[str, tuple[dict[str, str], str]] = {
    # procedure id: (declared verdicts other than HOLDS, note), under loss on PC5
    "m200": ({"knr_only_after_authorization": VIOLATED, "no_knr_after_withdrawal": VIOLATED,
              "reuse_rejected_after_withdrawal": VIOLATED},
             "method 200's flaw as without loss; every lost message is recovered by the timers and a new attempt"),
    "m300.panf_udm": ({}, "every lost message is recovered by the timers and a new attempt"),
    "m400.panf_udm": ({"old_pruk_replaced": VIOLATED, "keys_converge": VIOLATED},
                      "after a lost Direct Security Mode Command the UE keeps the superseded 5GPRUK #1 for a while; it "
                      "still wants the update, so its next attempt by SUCI recovers"),
    "m500.indication.panf_udm": ({"old_pruk_replaced": VIOLATED, "keys_converge": VIOLATED,
                                  "recovers_after_loss": VIOLATED}, _STALE_KEY_AFTER_LOSS),
    "m600.before.ausf_udm": ({"old_pruk_replaced": VIOLATED, "keys_converge": VIOLATED,
                              "recovers_after_loss": VIOLATED}, _STALE_KEY_AFTER_LOSS),
    "m700.ausf_udm": ({"old_pruk_replaced": VIOLATED, "keys_converge": VIOLATED, "recovers_after_loss": VIOLATED},
                      _STALE_KEY_AFTER_LOSS),
}


def _lossy_scenarios() -> list[Scenario]:
    """One scenario per method under message loss on PC5 (one loss, one withdrawal and restore)."""
    return [Scenario(pid, PROCEDURES[pid], _LOSSY_BOUNDS, expected, note=note).with_threats(lossy_links=("pc5",))
            for pid, (expected, note) in _LOSSY.items()]


SCENARIOS: dict[str, Scenario] = {
    s.id: s
    for s in [
        Scenario(
            "m200", PROCEDURES["m200"],
            expected={"knr_only_after_authorization": VIOLATED, "no_knr_after_withdrawal": VIOLATED,
                      "reuse_rejected_after_withdrawal": VIOLATED},
            note="the flaw of [0219]: the 5GPRUK ID path derives KNR_ProSe with no authorization check",
        ),
        Scenario(
            "m200.s215b_with_nonce_1", PROCEDURES["m200.s215b_with_nonce_1"],
            expected={"knr_only_after_authorization": VIOLATED, "no_knr_after_withdrawal": VIOLATED,
                      "reuse_rejected_after_withdrawal": VIOLATED, "knr_agreement": VIOLATED},
            note="[0172] and [0174] give different inputs for the same 5GPRUK: read literally, the UE and the "
                 "network hold different keys and every KNR_ProSe disagrees",
        ),
        Scenario(
            "m300.panf_local", PROCEDURES["m300.panf_local"],
            expected={"no_knr_after_withdrawal": VIOLATED, "reuse_rejected_after_withdrawal": VIOLATED},
            note="the PAnF's stored authorization info ([0266]) is written at key registration and never "
                 "refreshed by the text, so it can disagree with the UDM after a withdrawal",
        ),
        Scenario("m300.panf_udm", PROCEDURES["m300.panf_udm"]),
        Scenario(
            "m300.panf_udm.s3042_success_only", PROCEDURES["m300.panf_udm.s3042_success_only"],
            expect_deadlock=True,
            expected={"reuse_rejected_after_withdrawal": VIOLATED, "attempt_ends": VIOLATED},
            note="reading [0263] literally: a failed S3041 check gets no S3042, so the PAnF and AUSF wait forever",
        ),
        Scenario("m300.ausf_udm", PROCEDURES["m300.ausf_udm"]),
        *_update_scenarios(),
        *_lossy_scenarios(),
        Scenario(
            "m300.ausf_udm.2ue", PROCEDURES["m300.ausf_udm"],
            Bounds(remote_ues=2, attempts=2, withdrawals=1, restores=1), default=False,
            note="two remote UEs behind one relay, two attempts each (bigger; opt-in)",
        ),
        Scenario(
            "m200.5attempts", PROCEDURES["m200"], Bounds(attempts=5, withdrawals=3, restores=3), default=False,
            expected={"knr_only_after_authorization": VIOLATED, "no_knr_after_withdrawal": VIOLATED,
                      "reuse_rejected_after_withdrawal": VIOLATED},
            note="five attempts, three withdrawals and restores (bigger; opt-in)",
        ),
        Scenario(
            "m300.panf_udm.5attempts", PROCEDURES["m300.panf_udm"], Bounds(attempts=5, withdrawals=3, restores=3),
            default=False, note="five attempts, three withdrawals and restores (bigger; opt-in)",
        ),
    ]
}

SCENARIOS.update({s.id: s for s in threat_scenarios(SCENARIOS)})
SCENARIOS.update({
    fix_id: replace(SCENARIOS[text_id], id=fix_id, procedure=fix_procedure(SCENARIOS[text_id].procedure, fix, fix_id),
                    expected=fix_expected(fix_id), expect_deadlock=False, default=False,
                    note=f"proposed fix {fix.key} (finding {fix.finding}) beside {text_id}")
    for fix, text_id, fix_id in fix_pairs()
})  # opt-in: each proposed fix beside the text's scenario, same bounds and threats (prosecheck/model/fixes.py)

DEFAULT_SCENARIOS = tuple(s for s in SCENARIOS.values() if s.default)

__all__ = ["DEFAULT_SCENARIOS", "HOLDS", "SCENARIOS", "VIOLATED", "Scenario"]
