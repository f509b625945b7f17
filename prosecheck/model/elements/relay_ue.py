"""Relay UE ("second communication apparatus", [0235]): forwards between PC5 and NAS. It
receives KNR_ProSe from its AMF (S222), "stores the KNR_ProSe, and sends a direct connection
security mode command message to the remote UE" (S223, [0203]). It never sees the SUPI, the
5GPRUK or KAUSF_P (TS 33.503 6.3.3.3). With an attacker on the PC5 link it verifies the Direct
Security Mode Complete with KNR_ProSe and discards unexpected PC5 messages (:mod:`..pc5`)."""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.expr import And, If, M, O, V, W
from prosecheck.checker.machine import Effect, ElementRules, Send, Var
from prosecheck.model.pc5 import ATTACKER_ON_PATH, DISCARD_UNEXPECTED, DISCARD_UNVERIFIED, discard, rejected, verified
from prosecheck.model.spec import cite
from prosecheck.model.terms import FIX_DEFAULTS, RESULT_FORBIDDEN, RESULT_UNKNOWN_ID

_FORWARD_IDENTITY = {f: M(f) for f in ("id_type", "suci", "pruk_id", "rsc", "nonce_1", "update_indication")}


class RelayUe(ElementRules, StateMachine):
    """The relay UE's side of one remote UE's PC5 link."""

    ROLE = "relay_ue"
    TITLE = "Relay UE"

    idle = State("Serving, no link with this remote UE", initial=True)
    awaiting_key = State("Relay Key Request sent (S205)")
    relaying_eap = State("EAP information #1 forwarded (S211)")
    commanding = State("Direct Security Mode Command sent (S223)")
    linked = State("Direct Communication Accept sent (S226)")

    direct_communication_request = (
        idle.to(awaiting_key, on="forward_relay_key_request")
        | linked.to(awaiting_key, cond="timers", on="replace_stale_link")
        | discard(awaiting_key, relaying_eap, commanding, linked)
    )
    relay_authentication_request = awaiting_key.to(relaying_eap, on="forward_eap_request")
    eap_response = relaying_eap.to(awaiting_key, on="forward_eap_response") | discard(
        idle, awaiting_key, commanding, linked)
    relay_key_response = awaiting_key.to(commanding, on="store_knr_and_command")
    relay_key_reject = awaiting_key.to(idle, cond="not id_unknown", on="reject_direct_communication") | awaiting_key.to(
        idle, cond="id_unknown", on="reject_unknown_id")
    direct_security_mode_complete = (
        commanding.to(linked, cond="complete_verified", on="accept_direct_communication")
        | commanding.to.itself(cond="complete_rejected", on="discard_unverified")
        | discard(idle, awaiting_key, relaying_eap, linked)
    )
    direct_link_release = (
        linked.to(idle, on="release_link")
        | idle.to.itself(cond="timers and not attacker_on_path", on="ignore_stale_release")
        | discard(idle, awaiting_key, relaying_eap, commanding)
    )
    timeout = (
        awaiting_key.to(idle, cond="timers", on="abandon_relaying")
        | relaying_eap.to(idle, cond="timers", on="abandon_relaying")
        | commanding.to(idle, cond="timers", on="abandon_relaying")
        | linked.to(idle, cond="timers", on="drop_silent_link")
    )

    LOCAL_EVENTS = frozenset({"timeout"})
    REST_STATES = frozenset({"idle"})
    OPTION_DEFAULTS = FIX_DEFAULTS
    VARIABLES = (Var("knr", 0, doc="KNR_ProSe received from the AMF and stored (S223)"),)
    GUARDS = {
        "timers": O("timers"),
        "attacker_on_path": ATTACKER_ON_PATH,
        "complete_verified": verified(M("mac_knr") == V("knr")),
        "complete_rejected": rejected(M("mac_knr") == V("knr")),
        "id_unknown": And(O("unknown_id_falls_back_to_suci"), M("cause") == RESULT_UNKNOWN_ID),
    }
    EFFECTS = {
        "forward_relay_key_request": Effect(
            "send Relay Key Request (NAS) with the remote UE's identity, RSC and Nonce_1",
            cite("S205", "[0133]"),
            send=[Send("amf", "relay_key_request", _FORWARD_IDENTITY)],
        ),
        "forward_eap_request": Effect(
            "forward EAP information #1 over PC5", cite("S211", "[0156]"),
            send=[Send("remote_ue", "eap_request", {"eap_av": M("eap_av")})],
        ),
        "forward_eap_response": Effect(
            "send Relay Authentication Response with EAP information #2", cite("S213", "[0165]"),
            send=[Send("amf", "relay_authentication_response", {"eap_res": M("eap_res")})],
        ),
        "store_knr_and_command": Effect(
            "store KNR_ProSe; send Direct Security Mode Command with Nonce_2 (and EAP success)",
            cite("S223", "[0203]", "[0206]", "[0207]"),
            assign={"knr": M("knr")},
            send=[Send("remote_ue", "direct_security_mode_command",
                       {"nonce_2": M("nonce_2"), "eap_success": M("eap_success"), "mac_knr": M("knr")})],
        ),
        "reject_direct_communication": Effect(
            "relay key rejected; send Direct Communication Reject", cite("TS 24.554 7.2.2", "TS 24.501 5.5.4"),
            send=[Send("remote_ue", "direct_communication_reject", {"cause": RESULT_FORBIDDEN})],
        ),
        "reject_unknown_id": Effect(
            "proposed fix: the network does not know the remote UE's 5GPRUK ID; send Direct Communication Reject "
            "saying so", cite("TS 24.554 7.2.2", "TS 24.501 5.5.4", "[0713]"),
            send=[Send("remote_ue", "direct_communication_reject", {"cause": RESULT_UNKNOWN_ID})],
        ),
        "accept_direct_communication": Effect(
            "security mode complete; send Direct Communication Accept", cite("S225", "S226", "[0217]"),
            send=[Send("remote_ue", "direct_communication_accept", {"mac_knr": V("knr")})],
            ghost={"link_key_mismatch": If(And(ATTACKER_ON_PATH, O("threat_malicious_relay") == 0,
                                               V("knr") != W("remote_ue.knr")), 1,
                                           W("ghost.link_key_mismatch"))},
        ),
        "release_link": Effect(
            "link released; forget KNR_ProSe", cite("TS 24.554 7.2.6"), assign={"knr": 0},
        ),
        "replace_stale_link": Effect(
            "a new Direct Communication Request from the remote UE of a stale link: release it, forget KNR_ProSe, "
            "send Relay Key Request", cite("S205", "[0133]", "TS 24.554 7.2.2"), assign={"knr": 0},
            send=[Send("amf", "relay_key_request", _FORWARD_IDENTITY)],
        ),
        "drop_silent_link": Effect(
            "link keep-alive timer expires with nothing in flight: release the link, forget KNR_ProSe",
            cite("TS 24.554 7.2.6"), assign={"knr": 0},
        ),
        "ignore_stale_release": Effect(
            "Direct Link Release Request for a link already released: ignore it", cite("TS 24.554 7.2.6"),
        ),
        "abandon_relaying": Effect(
            "supervision timer expires with nothing in flight: abandon the link set-up, forget KNR_ProSe",
            cite("TS 24.501 5.5.4", "TS 24.554 7.2.2"), assign={"knr": 0},
        ),
        "discard_unexpected": DISCARD_UNEXPECTED,
        "discard_unverified": DISCARD_UNVERIFIED,
    }
