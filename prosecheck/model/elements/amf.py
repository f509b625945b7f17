"""AMF (relay): the relay UE's AMF. "The AMF checks whether the relay UE is authorized to
provide a 5G ProSe relay service for the remote UE" (S206, [0135]); the patent does not
detail the reject path, which follows TS 24.501 5.5.4 (RELAY KEY REJECT). It forwards
between NAS and the AUSF and learns KNR_ProSe, never the SUPI, 5GPRUK or KAUSF_P."""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.expr import M, O, W
from prosecheck.checker.machine import Effect, ElementRules, Send
from prosecheck.model.spec import cite
from prosecheck.model.terms import RESULT_FORBIDDEN

_IDENTITY = {f: M(f) for f in ("id_type", "suci", "pruk_id", "rsc", "nonce_1", "update_indication")}


class AmfRelay(ElementRules, StateMachine):
    """AMF (relay): one relay key transaction at a time per remote UE."""

    ROLE = "amf"
    TITLE = "AMF (relay)"

    idle = State("No relay key transaction", initial=True)
    awaiting_ausf = State("ProSe Authentication Request sent to AUSF (S207/S214)")
    relaying_eap = State("Relay Authentication Request sent (S210)")

    relay_key_request = idle.to(awaiting_ausf, on="authorize_relay_and_forward") | idle.to(
        idle, cond="relay_authorization_can_fail", on="reject_unauthorized_relay"
    )
    prose_authentication_response_1 = awaiting_ausf.to(relaying_eap, on="forward_eap_to_relay")
    relay_authentication_response = relaying_eap.to(awaiting_ausf, on="forward_eap_to_ausf")
    prose_authentication_response_2 = awaiting_ausf.to(idle, on="deliver_relay_key")
    prose_authentication_failure = awaiting_ausf.to(idle, on="reject_relay_key")
    timeout = awaiting_ausf.to(idle, cond="timers", on="abandon_transaction") | relaying_eap.to(
        idle, cond="timers", on="abandon_transaction")

    LOCAL_EVENTS = frozenset({"timeout"})
    REST_STATES = frozenset({"idle"})
    GUARDS = {"relay_authorization_can_fail": O("relay_authorization_can_fail"), "timers": O("timers")}
    EFFECTS = {
        "authorize_relay_and_forward": Effect(
            "relay UE authorized as relay; send ProSe Authentication Request #1 to the AUSF",
            cite("S206", "[0135]", "S207", "[0139]"),
            send=[Send("ausf", "prose_authentication_request_1", _IDENTITY)],
            choice="S206 relay authorization succeeds",
        ),
        "reject_unauthorized_relay": Effect(
            "relay UE not authorized as relay; send Relay Key Reject",
            cite("S206", "[0135]", "TS 24.501 5.5.4"),
            send=[Send("relay_ue", "relay_key_reject", {"cause": RESULT_FORBIDDEN})],
            ghost={"relay_refused": W("ghost.relay_refused").with_bit(M("nonce_1"))},
            choice="S206 relay authorization fails (fault)",
        ),
        "forward_eap_to_relay": Effect(
            "send Relay Authentication Request with EAP information #1", cite("S210", "[0155]"),
            send=[Send("relay_ue", "relay_authentication_request", {"eap_av": M("eap_av")})],
        ),
        "forward_eap_to_ausf": Effect(
            "send ProSe Authentication Request #2 with EAP information #2", cite("S214", "[0169]"),
            send=[Send("ausf", "prose_authentication_request_2", {"eap_res": M("eap_res")})],
        ),
        "deliver_relay_key": Effect(
            "send Relay Key Response with KNR_ProSe and Nonce_2", cite("S222", "[0201]", "[0202]"),
            send=[Send("relay_ue", "relay_key_response",
                       {"knr": M("knr"), "nonce_2": M("nonce_2"), "eap_success": M("eap_success")})],
        ),
        "abandon_transaction": Effect(
            "supervision timer expires with nothing in flight: abandon the relay key transaction",
            cite("TS 24.501 5.5.4"),
        ),
        "reject_relay_key": Effect(
            "AUSF refused; send Relay Key Reject", cite("TS 24.501 5.5.4"),
            send=[Send("relay_ue", "relay_key_reject", {"cause": M("cause")})],
        ),
    }
