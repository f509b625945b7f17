"""Remote UE ("first communication apparatus", [0235]): out of coverage, reaches the network
through the relay UE. It stores at most one 5GPRUK (with its 5GPRUK ID) for the RSC, and
"if the remote UE stores the 5GPRUK, the direct communication request message includes the
5GPRUK ID; and if the remote UE does not store the 5GPRUK, [it] includes the SUCI" ([0129]).
Under methods 300-500 the UE first decides whether 5GPRUK #1 needs updating (S301, S404,
S504): "if the remote UE determines that the 5GPRUK #1 needs to be updated, the remote UE adds
an SUCI to the step S405" ([0307]); in method 500 it may instead send "the 5GPRUK ID #1 and the
key update indication" ([0430]). Its update policy (key timer, RSC configuration change,
security policy with a cell or PLMN change, [0303]-[0305]) fires as an environment event
between attempts; an RSC configuration update that "deletes the 5GPRUK #1 or sets the 5GPRUK
#1 to invalid" ([0306]) is its own event. On a new 5GPRUK "the remote UE replaces the 5GPRUK
#1 and the 5GPRUK ID #1 with the 5GPRUK #2 and the 5GPRUK ID #2" ([0387], [0505], [0626])."""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.expr import And, Expr, If, M, O, Or, V, W
from prosecheck.checker.machine import Effect, ElementRules, Send, Var
from prosecheck.model.lifecycle import knr_from_superseded, policy_fires, store_generation
from prosecheck.model.pc5 import ATTACKER_ON_PATH, DISCARD_UNEXPECTED, DISCARD_UNVERIFIED, discard, rejected, verified
from prosecheck.model.spec import cite
from prosecheck.model.terms import (
    FIX_DEFAULTS,
    ID_PRUK_ID,
    ID_SUCI,
    PRUK_WITH_NONCE_1,
    REASON_UE_CELL_OR_PLMN,
    REASON_UE_KEY_INVALIDATED,
    REASON_UE_RSC_CONFIGURATION,
    REASON_UE_TIMER,
    RESULT_UNKNOWN_ID,
    RSC,
    SUCI,
    UPDATE_UE_INDICATION,
    UPDATE_UE_SUCI,
    knr,
)

_NEXT_NONCE = O("attempts") - V("attempts_left") + 1
"""Nonce_1 of the attempt being started: the attempt's number ([0126], fresh per request)."""

_BEGUN_WHILE_WITHDRAWN = If(
    W("udm.authorized"), W("ghost.begun_while_withdrawn"), W("ghost.begun_while_withdrawn").with_bit(_NEXT_NONCE)
)


_NEW_PRUK = If(O("s215b_mixes_nonce_1"), V("pending_gen") | PRUK_WITH_NONCE_1, V("pending_gen"))
"""S215b: the UE's 5GPRUK. [0172] gives the AUSF's inputs as KAUSF_P, RSC and SUPI; [0174] gives
the UE's as SUPI, KAUSF_P and Nonce_1. Option ``s215b_mixes_nonce_1`` takes [0174] literally."""


def _request(id_type: int, label: str, *refs: str, indication: bool = False) -> Effect:
    ghost = {"begun_while_withdrawn": _BEGUN_WHILE_WITHDRAWN}
    if id_type == ID_PRUK_ID:
        ghost["by_pruk_id"] = W("ghost.by_pruk_id").with_bit(_NEXT_NONCE)
        ghost["same_id_attempts"] = If(W("ghost.last_sent_id") == V("pruk_gen"), W("ghost.same_id_attempts") + 1, 1)
        ghost["last_sent_id"] = V("pruk_gen")
    return Effect(
        label=label,
        ref=cite(*refs),
        assign={"attempts_left": V("attempts_left") - 1, "nonce_1": _NEXT_NONCE, "knr": 0, "request_id_type": id_type},
        send=[
            Send("relay_ue", "direct_communication_request", {
                "id_type": id_type,
                "suci": SUCI if id_type == ID_SUCI else 0,
                "pruk_id": V("pruk_gen") if id_type == ID_PRUK_ID else 0,
                "rsc": RSC,
                "nonce_1": _NEXT_NONCE,
                "update_indication": 1 if indication else 0,
            })
        ],
        ghost=ghost,
    )



_STORE_NEW_PRUK = store_generation("pruk_gen", "old_gen", V("pending_gen"), O("replace_at_ue"))
"""S215b/S421b/S521b/S620b/S722b: store 5GPRUK #2 and ID #2, replacing #1 unless the
``replace_at_ue`` reading keeps it."""


_STORED_KEY_KNR = knr(V("pruk_key"), V("nonce_1"), M("nonce_2"))
"""S224: KNR_ProSe from the stored 5GPRUK, the attempt's Nonce_1 and the command's Nonce_2."""
_NEW_KEY_KNR = knr(_NEW_PRUK, V("nonce_1"), M("nonce_2"))
"""S215b + S224: KNR_ProSe from the 5GPRUK just derived from KAUSF_P."""


def _derived_knr_ghosts(pruk: Expr) -> dict[str, Expr]:
    return {"knr_from_superseded": knr_from_superseded(pruk, V("nonce_1"))}


class RemoteUe(ElementRules, StateMachine):
    """Remote UE: one connection attempt at a time, up to the scenario's number of attempts."""

    ROLE = "remote_ue"
    TITLE = "Remote UE"

    idle = State("Registered, relay discovered (S201-S203)", initial=True)
    requested = State("Direct Communication Request sent (S204)")
    authenticating = State("EAP information #2 sent (S212)")
    completing = State("Direct Security Mode Complete sent (S225)")
    secured = State("PC5 link secured (S226)")
    done = State("No further connection attempts")

    start_attempt = (
        idle.to(requested, cond="attempts_remain and stores_pruk and not update_due", on="request_with_pruk_id")
        | idle.to(requested, cond="attempts_remain and stores_pruk and update_due and updates_by_suci",
                  on="request_update_with_suci")
        | idle.to(requested, cond="attempts_remain and stores_pruk and update_due and updates_by_indication",
                  on="request_update_with_indication")
        | idle.to(requested, cond="attempts_remain and not stores_pruk", on="request_with_suci")
    )
    update_policy_fires = (
        idle.to.itself(cond="owns_update_policy and stores_pruk and not update_due and policy_remains",
                       on="key_timer_expires")
        | idle.to.itself(cond="owns_update_policy and stores_pruk and not update_due and policy_remains",
                         on="rsc_configuration_changes")
        | idle.to.itself(cond="owns_update_policy and stores_pruk and not update_due and policy_remains",
                         on="cell_changes_under_security_policy")
    )
    rsc_configuration_update = idle.to.itself(
        cond="owns_update_policy and stores_pruk and policy_remains", on="delete_pruk"
    ) | idle.to.itself(cond="owns_update_policy and stores_pruk and not update_due and policy_remains",
                       on="invalidate_pruk")
    finish = idle.to(done, cond="not attempts_remain", on="stop_attempts")
    eap_request = requested.to(authenticating, on="answer_eap") | discard(
        idle, authenticating, completing, secured, done)
    direct_security_mode_command = (
        requested.to(completing, cond="not eap_succeeded and stored_key_verifies", on="derive_knr_from_stored_pruk")
        | authenticating.to(completing, cond="eap_succeeded and new_key_verifies", on="derive_pruk_and_knr")
        | requested.to.itself(cond="stored_key_command_rejected", on="discard_unverified")
        | authenticating.to.itself(cond="new_key_command_rejected", on="discard_unverified")
        | discard(idle, completing, secured, done)
    )
    direct_communication_accept = (
        completing.to(secured, cond="accept_verifies", on="mark_link_secured")
        | completing.to.itself(cond="accept_rejected", on="discard_unverified")
        | discard(idle, requested, authenticating, secured, done)
    )
    direct_communication_reject = (
        requested.to(idle, cond="not told_id_unknown", on="end_rejected_attempt")
        | requested.to.itself(cond="told_id_unknown", on="fall_back_to_suci")
        | authenticating.to(idle, on="end_rejected_attempt")
        | discard(idle, completing, secured, done)
    )
    release = secured.to(idle, on="release_link")
    timeout = (
        requested.to(idle, cond="timers", on="abandon_attempt")
        | authenticating.to(idle, cond="timers", on="abandon_attempt")
        | completing.to(idle, cond="timers", on="abandon_attempt")
    )

    LOCAL_EVENTS = frozenset({"start_attempt", "finish", "release", "update_policy_fires", "rsc_configuration_update",
                              "timeout"})
    REST_STATES = frozenset({"done"})
    OPTION_DEFAULTS = FIX_DEFAULTS
    END_STATES = frozenset({"done"})  # final, but python-statemachine allows no transition out of a final state,
    # and under a threat model ``done`` must discard stray PC5 messages (pc5.discard)
    VARIABLES = (
        Var("pruk_gen", 0, doc="generation of the stored 5GPRUK ID (and of the KAUSF_P it came from); 0: none"),
        Var("pruk_key", 0, doc="the stored 5GPRUK as a term: its generation, | 0x40 if Nonce_1 entered it"),
        Var("pending_gen", 0, doc="generation of the ProSe authentication in progress (KAUSF_P)"),
        Var("attempts_left", O("attempts"), doc="connection attempts the scenario still allows"),
        Var("nonce_1", 0, doc="Nonce_1 of the current attempt"),
        Var("request_id_type", 0, doc="identity sent in this attempt's S204: SUCI or 5GPRUK ID"),
        Var("knr", 0, doc="KNR_ProSe derived in this attempt (S224)"),
        Var("old_gen", 0, doc="a superseded 5GPRUK ID kept beside the current one (the replace_at_ue=0 reading)"),
        Var("update_due", 0, doc="why the UE's policy wants 5GPRUK #1 updated (a REASON_*); 0: no update due"),
        Var("policy_left", If(Or(O("update") == UPDATE_UE_SUCI, O("update") == UPDATE_UE_INDICATION),
                              O("policy_triggers"), 0),
            doc="times the UE's update policy may still fire (methods 400 and 500)"),
    )
    GUARDS = {
        "attempts_remain": V("attempts_left") > 0,
        "stores_pruk": V("pruk_gen") != 0,
        "update_due": V("update_due") != 0,
        "updates_by_suci": O("update") == UPDATE_UE_SUCI,
        "updates_by_indication": O("update") == UPDATE_UE_INDICATION,
        "owns_update_policy": Or(O("update") == UPDATE_UE_SUCI, O("update") == UPDATE_UE_INDICATION),
        "policy_remains": V("policy_left") > 0,
        "eap_succeeded": M("eap_success") != 0,
        "timers": O("timers"),
        "attacker_on_path": ATTACKER_ON_PATH,
        "stored_key_verifies": verified(M("mac_knr") == _STORED_KEY_KNR),
        "new_key_verifies": verified(M("mac_knr") == _NEW_KEY_KNR),
        "stored_key_command_rejected": Or(And(ATTACKER_ON_PATH, M("eap_success") != 0),
                                          rejected(M("mac_knr") == _STORED_KEY_KNR)),
        "new_key_command_rejected": Or(And(ATTACKER_ON_PATH, M("eap_success") == 0),
                                       rejected(M("mac_knr") == _NEW_KEY_KNR)),
        "accept_verifies": verified(M("mac_knr") == V("knr")),
        "accept_rejected": rejected(M("mac_knr") == V("knr")),
        "told_id_unknown": And(O("unknown_id_falls_back_to_suci"), M("cause") == RESULT_UNKNOWN_ID),
    }
    EFFECTS = {
        "request_with_pruk_id": _request(
            ID_PRUK_ID, "decide no key update; send Direct Communication Request with 5GPRUK ID",
            "S204", "[0129]", "S301", "S302", "[0241]", "[0245]",
        ),
        "request_with_suci": _request(
            ID_SUCI, "no 5GPRUK stored; send Direct Communication Request with SUCI", "S204", "[0126]", "[0129]",
            "[0293]", "[0306]",
        ),
        "request_update_with_suci": _request(
            ID_SUCI, "5GPRUK #1 needs updating; send Direct Communication Request with SUCI",
            "S404", "[0302]", "[0307]", "S405", "[0311]", "S504", "[0430]",
        ),
        "request_update_with_indication": _request(
            ID_PRUK_ID, "5GPRUK #1 needs updating; send Direct Communication Request with 5GPRUK ID #1 and a key "
            "update indication", "S504", "[0429]", "[0430]", "[0431]", "S505", indication=True,
        ),
        "key_timer_expires": policy_fires(REASON_UE_TIMER, "policy: the 5GPRUK timer expires", "[0238]", "[0303]"),
        "rsc_configuration_changes": policy_fires(
            REASON_UE_RSC_CONFIGURATION, "policy: the RSC-related configuration changes", "[0239]", "[0303]"),
        "cell_changes_under_security_policy": policy_fires(
            REASON_UE_CELL_OR_PLMN, "policy: the cell ID changes and the security policy asks for a new key",
            "[0240]", "[0304]", "[0305]"),
        "delete_pruk": Effect(
            "RSC configuration update: delete 5GPRUK #1 and its ID", cite("[0240]", "[0306]"),
            assign={"pruk_gen": 0, "pruk_key": 0, "old_gen": 0, "update_due": 0,
                    "policy_left": V("policy_left") - 1},
            choice="the RSC configuration update deletes the 5GPRUK",
        ),
        "invalidate_pruk": policy_fires(
            REASON_UE_KEY_INVALIDATED, "RSC configuration update: set 5GPRUK #1 invalid (so it must be updated)",
            "[0306]"),
        "stop_attempts": Effect("stop: the scenario's attempts are used up", cite("scenario bound")),
        "answer_eap": Effect(
            "compute the EAP response; send EAP information #2",
            cite("S211", "S212", "[0158]", "[0161]"),
            assign={"pending_gen": M("eap_av")},
            send=[Send("relay_ue", "eap_response", {"eap_res": M("eap_av")})],
        ),
        "derive_knr_from_stored_pruk": Effect(
            "derive KNR_ProSe from the stored 5GPRUK; send Direct Security Mode Complete",
            cite("S224", "[0209]", "S225", "S307"),
            assign={"knr": _STORED_KEY_KNR},
            send=[Send("relay_ue", "direct_security_mode_complete", {"mac_knr": _STORED_KEY_KNR})],
            ghost=_derived_knr_ghosts(V("pruk_gen")),
        ),
        "derive_pruk_and_knr": Effect(
            "EAP success: derive and store 5GPRUK and 5GPRUK ID (replacing 5GPRUK #1), derive KNR_ProSe; "
            "send Direct Security Mode Complete",
            cite("S215b", "[0173]", "[0174]", "S421b", "[0387]", "S521b", "[0505]", "S620b", "[0626]", "S722b",
                 "[0753]", "S224", "[0209]", "S225"),
            assign={**_STORE_NEW_PRUK.assign, "pruk_key": _NEW_PRUK, "update_due": 0,
                    "knr": _NEW_KEY_KNR},
            send=[Send("relay_ue", "direct_security_mode_complete", {"mac_knr": _NEW_KEY_KNR})],
            ghost={**_STORE_NEW_PRUK.ghost, **_derived_knr_ghosts(V("pending_gen")),
                   "updated": If(V("pruk_gen") != 0, W("ghost.updated").with_bit(V("nonce_1")), W("ghost.updated"))},
        ),
        "mark_link_secured": Effect(
            "PC5 link secured with KNR_ProSe",
            cite("S226", "[0217]"),
            ghost={"pc5_secured": W("ghost.pc5_secured").with_bit(V("nonce_1")),
                   "matched_completions": If(And(ATTACKER_ON_PATH, V("knr") == W("ghost.issued_knr")),
                                             W("ghost.matched_completions") + 1, W("ghost.matched_completions")),
                   "link_key_mismatch": If(And(ATTACKER_ON_PATH, V("knr") != W("relay_ue.knr")), 1,
                                           W("ghost.link_key_mismatch"))},
        ),
        "end_rejected_attempt": Effect(
            "attempt rejected; keep the stored 5GPRUK",
            cite("TS 24.554 7.2.2", "TS 24.501 5.5.4"),
            assign={"pending_gen": 0},
            ghost={"rejected": W("ghost.rejected").with_bit(V("nonce_1"))},
        ),
        "fall_back_to_suci": Effect(
            "proposed fix: the network does not know this 5GPRUK ID: delete 5GPRUK #1 and its ID (as after [0306]'s "
            "deletion) and send the Direct Communication Request again with the SUCI (a fresh ProSe authentication)",
            cite("[0306]", "[0713]", "S204", "[0126]", "TS 24.554 7.2.2"),
            assign={"pending_gen": 0, "pruk_gen": 0, "pruk_key": 0, "old_gen": 0, "update_due": 0,
                    "request_id_type": ID_SUCI},
            send=[Send("relay_ue", "direct_communication_request", {
                "id_type": ID_SUCI, "suci": SUCI, "rsc": RSC, "nonce_1": V("nonce_1")})],
        ),
        "abandon_attempt": Effect(
            "timer T5080 expires with nothing in flight: abandon the attempt; keep the stored 5GPRUK",
            cite("TS 24.554 7.2.2"),
            assign={"pending_gen": 0, "knr": 0},
        ),
        "release_link": Effect(
            "release the PC5 link; this attempt ends",
            cite("TS 24.554 7.2.6"),
            assign={"knr": 0},
            send=[Send("relay_ue", "direct_link_release")],
        ),
        "discard_unexpected": DISCARD_UNEXPECTED,
        "discard_unverified": DISCARD_UNVERIFIED,
    }


__all__ = ["RemoteUe"]
