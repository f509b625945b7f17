"""The attacker on the PC5 link (threat models ``pc5_attacker``, ``malicious_relay``,
``leaked_old_pruk``): every PC5 message between the remote UE and the relay UE passes through it.

It observes everything sent on PC5 (TS 33.503 6.3.3.3 sends the Direct Communication Request,
the EAP messages and Nonce_1 / Nonce_2 in clear), forwards it (at any time: delaying and
reordering come from the interleaving), and within its bound drops it, replays the last Direct
Communication Request or Direct Security Mode Command it saw, or injects messages built from
what it knows. Its knowledge is symbolic: it can protect a message with a KNR_ProSe only if it
knows that KNR_ProSe, and it knows one only when it can derive it (KNR_ProSe = KDF(5GPRUK,
Nonce_1, Nonce_2), [0192]) from a 5GPRUK it knows, or, as a malicious relay, when the relay's
AMF gives it one (S222, [0201]).

Under ``leaked_old_pruk`` a superseded 5GPRUK (and its 5GPRUK ID) leaks to the attacker once
an update completes: the attacker sees the remote UE adopt a new generation (the Direct
Security Mode Command carrying EAP success, S223/S215b) after it had seen the UE use an older
one, and from then on knows that older generation ("the remote UE replaces the 5GPRUK #1 and
the 5GPRUK ID #1 with the 5GPRUK #2 and the 5GPRUK ID #2", [0387])."""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.expr import And, ExprLike, If, M, O, V
from prosecheck.checker.machine import Effect, ElementRules, Send, Var
from prosecheck.model.spec import cite
from prosecheck.model.terms import ID_PRUK_ID, ID_SUCI, RSC, SUCI, knr, knr_pruk

_LEAKS = O("threat_leaked_old_pruk") != 0
_RELAY = O("threat_malicious_relay") != 0
_BUDGET = If(O("threat_pc5_attacker") != 0, O("threat_pc5_attacker"), If(_RELAY, 1, 0))
"""Injections and replays allowed: the ``pc5_attacker`` bound; one for a malicious relay alone."""

ATTACKER_NONCE = O("attempts") + 1
"""The Nonce_1 of a request the attacker makes up: fresh, never one of the remote UE's attempts."""

_KEEP = V("budget") > 0
"""Recorded messages matter only while a replay is still allowed (cleared after, to keep worlds few)."""


def _forward(to: str, message: str, fields: tuple[str, ...], label: str, *refs: str,
             learn: dict[str, ExprLike] | None = None) -> Effect:
    return Effect(label, cite(*refs), assign=learn or {}, send=[Send(to, message, {f: M(f) for f in fields})])


_DCR_FIELDS = ("id_type", "suci", "pruk_id", "rsc", "nonce_1", "update_indication")

_LEARNS_FROM_COMMAND = And(M("eap_success") == 0, V("leaked") != 0, V("rec_id_type") == ID_PRUK_ID,
                           V("rec_pruk_id") == V("leaked"))
"""The command answers a request by the leaked 5GPRUK ID: the attacker derives its KNR_ProSe."""

_UPDATE_SEEN = And(V("adopting") != 0, V("ue_gen") != 0, V("ue_gen") != V("adopting"))
"""The remote UE has adopted a new 5GPRUK (its Complete answers a command carrying EAP success)
while the attacker knows it held an older one."""


def _inject(label: str, to: str, message: str, fields: dict[str, ExprLike], *refs: str,
            record: dict[str, ExprLike] | None = None) -> Effect:
    return Effect(label, cite(*refs), assign={"budget": V("budget") - 1, **(record or {})},
                  send=[Send(to, message, fields)], choice=label, ghost={"attacker_injected": 1})


class Pc5Attacker(ElementRules, StateMachine):
    """The attacker sitting on one remote UE's PC5 link with the relay UE."""

    ROLE = "attacker"
    TITLE = "PC5 attacker"

    on_path = State("On the PC5 link: observes, forwards, replays and injects", initial=True)

    direct_communication_request = on_path.to.itself(on="forward_request") | on_path.to.itself(
        cond="may_inject", on="drop_message")
    eap_request = on_path.to.itself(on="forward_eap_request") | on_path.to.itself(
        cond="may_inject", on="drop_message")
    eap_response = on_path.to.itself(on="forward_eap_response") | on_path.to.itself(
        cond="may_inject", on="drop_message")
    direct_security_mode_command = on_path.to.itself(on="forward_security_mode_command") | on_path.to.itself(
        cond="may_inject", on="drop_message")
    direct_security_mode_complete = on_path.to.itself(on="forward_security_mode_complete") | on_path.to.itself(
        cond="may_inject", on="drop_message")
    direct_communication_accept = on_path.to.itself(on="forward_accept") | on_path.to.itself(
        cond="may_inject", on="drop_message")
    direct_communication_reject = on_path.to.itself(on="forward_reject") | on_path.to.itself(
        cond="may_inject", on="drop_message")
    direct_link_release = on_path.to.itself(on="forward_release") | on_path.to.itself(
        cond="may_inject", on="drop_message")
    replay_request = on_path.to.itself(cond="may_inject and request_recorded", on="replay_recorded_request")
    inject_request = on_path.to.itself(cond="may_inject and knows_leaked_pruk", on="request_with_leaked_pruk_id")
    replay_command = on_path.to.itself(cond="may_inject and command_recorded", on="replay_recorded_command")
    inject_complete = on_path.to.itself(cond="may_inject and derived_knr", on="complete_with_known_knr")
    inject_accept = on_path.to.itself(cond="may_inject and knows_knr", on="accept_with_known_knr")

    LOCAL_EVENTS = frozenset({"replay_request", "inject_request", "replay_command", "inject_complete",
                              "inject_accept"})
    REST_STATES = frozenset({"on_path"})
    VARIABLES = (
        Var("budget", _BUDGET, doc="injections and replays still allowed (the threat model's bound)"),
        Var("ue_gen", 0, doc="the 5GPRUK ID the attacker last saw the remote UE use or adopt"),
        Var("pending_av", 0, doc="the generation of the ProSe authentication whose EAP request it saw last"),
        Var("adopting", 0, doc="the generation the remote UE adopts on the command carrying EAP success just seen"),
        Var("leaked", 0, doc="the superseded 5GPRUK generation (and ID) leaked to the attacker; 0: none"),
        Var("knr", 0, doc="the KNR_ProSe the attacker knows (derived, or a malicious relay's); 0: none"),
        Var("rec_id_type", 0, doc="recorded Direct Communication Request: identity type (0: none recorded)"),
        Var("rec_pruk_id", 0, doc="recorded Direct Communication Request: 5GPRUK ID"),
        Var("rec_nonce_1", 0, doc="recorded Direct Communication Request: Nonce_1"),
        Var("rec_indication", 0, doc="recorded Direct Communication Request: key update indication"),
        Var("rec_nonce_2", 0, doc="recorded Direct Security Mode Command: Nonce_2 (0: none recorded)"),
        Var("rec_success", 0, doc="recorded Direct Security Mode Command: EAP success"),
        Var("rec_mac", 0, doc="recorded Direct Security Mode Command: the KNR_ProSe protecting it"),
    )
    GUARDS = {
        "may_inject": V("budget") > 0,
        "request_recorded": V("rec_id_type") != 0,
        "knows_leaked_pruk": V("leaked") != 0,
        "command_recorded": V("rec_nonce_2") != 0,
        "knows_knr": V("knr") != 0,
        # A malicious relay needs no forged Complete towards itself: only a derived KNR_ProSe counts here.
        "derived_knr": And(V("knr") != 0, V("leaked") != 0, knr_pruk(V("knr")) == V("leaked")),
    }
    EFFECTS = {
        "forward_request": _forward(
            "relay_ue", "direct_communication_request", _DCR_FIELDS,
            "observe and forward the Direct Communication Request (5GPRUK ID and Nonce_1 in clear)",
            "S204", "[0126]", "[0129]",
            learn={"rec_id_type": If(_KEEP, M("id_type"), 0), "rec_pruk_id": If(_KEEP, M("pruk_id"), 0),
                   "rec_nonce_1": If(_KEEP, M("nonce_1"), 0), "rec_indication": If(_KEEP, M("update_indication"), 0),
                   "ue_gen": If(And(_LEAKS, M("id_type") == ID_PRUK_ID), M("pruk_id"), V("ue_gen"))},
        ),
        "forward_eap_request": _forward(
            "remote_ue", "eap_request", ("eap_av",), "observe and forward EAP information #1", "S211", "[0156]",
            learn={"pending_av": If(_LEAKS, M("eap_av"), 0)},
        ),
        "forward_eap_response": _forward(
            "relay_ue", "eap_response", ("eap_res",), "observe and forward EAP information #2", "S212", "[0159]"),
        "forward_security_mode_command": _forward(
            "remote_ue", "direct_security_mode_command", ("nonce_2", "eap_success", "mac_knr"),
            "observe and forward the Direct Security Mode Command (Nonce_2 in clear); learn what it can",
            "S223", "[0203]", "[0387]",
            learn={
                "adopting": If(And(_LEAKS, M("eap_success") != 0), V("pending_av"), 0),
                "knr": If(_RELAY, M("mac_knr"), If(_LEARNS_FROM_COMMAND,
                                                    knr(V("leaked"), V("rec_nonce_1"), M("nonce_2")), V("knr"))),
                "rec_nonce_2": If(_KEEP, M("nonce_2"), 0), "rec_success": If(_KEEP, M("eap_success"), 0),
                "rec_mac": If(_KEEP, M("mac_knr"), 0),
            },
        ),
        "forward_security_mode_complete": _forward(
            "relay_ue", "direct_security_mode_complete", ("mac_knr",),
            "forward the Direct Security Mode Complete; after EAP success the remote UE has replaced its 5GPRUK",
            "S225", "[0210]", "[0387]",
            learn={"leaked": If(And(_UPDATE_SEEN, V("leaked") == 0), V("ue_gen"), V("leaked")),
                   "ue_gen": If(V("adopting") != 0, V("adopting"), V("ue_gen")), "adopting": 0}),
        "forward_accept": _forward(
            "remote_ue", "direct_communication_accept", ("mac_knr",), "forward the Direct Communication Accept",
            "S226", "[0214]"),
        "forward_reject": _forward(
            "remote_ue", "direct_communication_reject", ("cause",), "forward the Direct Communication Reject",
            "TS 24.554 7.2.2"),
        "forward_release": _forward(
            "relay_ue", "direct_link_release", (), "forward the Direct Link Release Request", "TS 24.554 7.2.6"),
        "drop_message": Effect(
            "attacker: drop the message", cite("TS 33.503 6.3.3.3"), assign={"budget": V("budget") - 1},
            choice="attacker: drop the message", ignore=True),
        "replay_recorded_request": _inject(
            "attacker: replay the recorded Direct Communication Request to the relay UE", "relay_ue",
            "direct_communication_request",
            {"id_type": V("rec_id_type"), "suci": If(V("rec_id_type") == ID_SUCI, SUCI, 0),
             "pruk_id": V("rec_pruk_id"), "rsc": RSC, "nonce_1": V("rec_nonce_1"),
             "update_indication": V("rec_indication")},
            "S204", "[0126]", "TS 33.503 6.3.3.3"),
        "request_with_leaked_pruk_id": _inject(
            "attacker: send a Direct Communication Request with the leaked 5GPRUK ID and its own Nonce_1",
            "relay_ue", "direct_communication_request",
            {"id_type": ID_PRUK_ID, "pruk_id": V("leaked"), "rsc": RSC, "nonce_1": ATTACKER_NONCE},
            "S204", "[0129]", "[0387]",
            record={"rec_id_type": ID_PRUK_ID, "rec_pruk_id": V("leaked"), "rec_nonce_1": ATTACKER_NONCE,
                    "rec_indication": 0}),
        "replay_recorded_command": _inject(
            "attacker: replay the recorded Direct Security Mode Command to the remote UE", "remote_ue",
            "direct_security_mode_command",
            {"nonce_2": V("rec_nonce_2"), "eap_success": V("rec_success"), "mac_knr": V("rec_mac")},
            "S223", "[0203]", "TS 33.503 6.3.3.3"),
        "complete_with_known_knr": _inject(
            "attacker: send a Direct Security Mode Complete protected with the KNR_ProSe it knows", "relay_ue",
            "direct_security_mode_complete", {"mac_knr": V("knr")}, "S225", "[0210]", "[0213]"),
        "accept_with_known_knr": _inject(
            "attacker: send a Direct Communication Accept protected with the KNR_ProSe it knows", "remote_ue",
            "direct_communication_accept", {"mac_knr": V("knr")}, "S226", "[0214]"),
    }


__all__ = ["ATTACKER_NONCE", "Pc5Attacker"]
