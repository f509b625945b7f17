"""AUSF (remote): ProSe authentication, 5GPRUK and KNR_ProSe derivation, and (method 300,
placement ``ausf_udm``) the authorization check before reuse.

"The AUSF (remote) determines, based on whether the received ProSe authentication request
message #1 carries the SUCI or the 5GPRUK ID of the remote UE, to perform [...] Manner 1 or
Manner 2" ([0140]). "When determining that the first communication apparatus has permission
to use the relay service, the authentication server function network element generates a
first proximity-based service key" (S306, [0287]).

Methods 500-700 add **Manner 3**: a new ProSe authentication keyed by the SUPI learnt from the
key query ("the authentication vector request message carries the SUPI that is of the remote
UE and that is obtained in the step S511", [0481]; S613, [0602]; S715), giving 5GPRUK #2. The
AUSF runs it when the request carries a key update indication (S509, [0440]), when its own
policy decides so (S608, before the key query or after it, [0557]-[0559]), or when the PAnF
withholds 5GPRUK #1 and returns the SUPI (S712, [0709], [0712])."""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.expr import And, Expr, If, M, Not, O, Or, V, W
from prosecheck.checker.machine import REPLY, Effect, ElementRules, Send, Var
from prosecheck.model.lifecycle import knr_from_superseded, policy_fires
from prosecheck.model.pc5 import ATTACKER_ON_PATH, rejected, verified
from prosecheck.model.spec import cite
from prosecheck.model.terms import (
    AUSF_DECIDES_AFTER_QUERY,
    AUSF_DECIDES_BEFORE_QUERY,
    CHECK_AUSF_UDM,
    FIX_DEFAULTS,
    ID_PRUK_ID,
    ID_SUCI,
    REASON_AUSF_AMF_PLMN,
    REASON_AUSF_CONFIGURATION,
    REQUESTER_AUSF,
    RESULT_FORBIDDEN,
    RESULT_OK,
    RESULT_UNKNOWN_ID,
    RSC,
    UPDATE_AUSF,
    UPDATE_PANF,
    knr,
)


def _derive_knr(label: str, pruk: Expr, *refs: str, after_update: bool = False) -> Effect:
    """S220 / S306: KNR_ProSe from the 5GPRUK ``pruk``, Nonce_1 and a fresh Nonce_2; then S221.
    After a new 5GPRUK was stored, an update the AUSF's policy wanted is done."""
    nonce_2 = V("nonce_2_count") + 1
    done: dict[str, Expr | bool | int] = {"update_due": 0, "update_planned": False} if after_update else {}
    return Effect(
        label=label,
        ref=cite(*refs),
        assign={"nonce_2_count": nonce_2, "pruk_gen": pruk, **done},
        send=[Send("amf", "prose_authentication_response_2", {
            "knr": knr(pruk, V("nonce_1"), nonce_2),
            "nonce_2": nonce_2,
            "eap_success": V("eap_run"),
        })],
        ghost={
            "knr_derived": W("ghost.knr_derived").with_bit(V("nonce_1")),
            "knr_while_withdrawn": If(
                W("udm.authorized"), W("ghost.knr_while_withdrawn"), W("ghost.knr_while_withdrawn").with_bit(V("nonce_1"))
            ),
            "knr_from_superseded": knr_from_superseded(pruk, V("nonce_1")),
            "issued_knr": If(ATTACKER_ON_PATH, knr(pruk, V("nonce_1"), nonce_2), 0),
            "matched_completions": 0,
        },
    )


def _query_key(label: str, for_update: bool, *refs: str) -> Effect:
    """Manner 1: key query with the 5GPRUK ID and RSC (S218, S3031, S410, S510, S609, S709)."""
    return Effect(
        label=label,
        ref=cite(*refs),
        assign={"nonce_1": M("nonce_1"), "eap_run": False, "pruk_gen": 0, "supi": 0, "update_planned": for_update,
                "requested_id": M("pruk_id")},
        send=[Send("panf", "key_query_request", {
            "pruk_id": M("pruk_id"), "rsc": M("rsc"), "g_attempt": M("nonce_1"),
            "for_update": O("update_query_flagged") if for_update else 0,
        })],
    )


def _manner_3(label: str, *refs: str) -> Effect:
    """Manner 3: ask the UDM for an authentication vector by the SUPI from the key query."""
    return Effect(
        label=label,
        ref=cite(*refs),
        assign={"supi": M("supi"), "eap_run": True, "update_planned": True},
        send=[Send("udm", "av_request", {"supi": M("supi"), "g_attempt": V("nonce_1")})],
    )



_STORED = If(And(O("s723_stores_key_1"), O("update") == UPDATE_PANF, V("requested_id") != 0),
             V("requested_id"), M("eap_res"))
"""S216/S422/S522/S621/S723: the key storage request carries the new 5GPRUK and ID; read
literally, method 700's S723 carries "the 5GPRUK #1, and the 5GPRUK ID #1" ([0756])."""


def _refuse(label: str, *refs: str) -> Effect:
    return Effect(
        label=label, ref=cite(*refs),
        send=[Send("amf", "prose_authentication_failure", {"cause": RESULT_FORBIDDEN})],
    )


_REUSE = And(V("update_planned") == 0, If(
    And(O("update") == UPDATE_AUSF, O("ausf_decides") == AUSF_DECIDES_AFTER_QUERY), V("update_due") == 0, True))
"""The key query was for a reuse of 5GPRUK #1 (no update planned or, in method 600, due)."""

_MAY_DERIVE = Or(Not(O("ausf_refuses_while_withdrawn")), V("withdrawn_notice") == 0)
"""Proposed fix for finding 6 (``ausf_refuses_while_withdrawn``): no KNR_ProSe while the UDM's last
notification says the UE's relay authorization is withdrawn. True when the fix is off."""


class AusfRemote(ElementRules, StateMachine):
    """AUSF (remote): one ProSe authentication per remote UE at a time."""

    ROLE = "ausf"
    TITLE = "AUSF (remote)"

    idle = State("No ProSe authentication in progress", initial=True)
    awaiting_av = State("Authentication vector requested from UDM (S208)")
    authenticating = State("EAP information #1 sent (S209)")
    storing_key = State("Key storage requested (S216)")
    querying_key = State("Key query requested (S218/S3031)")
    checking_authorization = State("Authorization check requested from UDM (S3051)")

    prose_authentication_request_1 = (
        idle.to(awaiting_av, cond="carries_suci", on="request_av")
        | idle.to(querying_key, cond="carries_pruk_id and not update_requested_or_due", on="query_key")
        | idle.to(querying_key, cond="carries_pruk_id and update_requested_or_due", on="query_key_for_update")
    )
    av_response = awaiting_av.to(authenticating, cond="av_granted", on="start_eap") | awaiting_av.to(
        idle, cond="not av_granted", on="refuse_unauthorized_ue"
    )
    prose_authentication_request_2 = (
        authenticating.to(storing_key, cond="eap_response_matches", on="verify_eap_and_derive_pruk")
        | authenticating.to(idle, cond="eap_can_fail", on="refuse_failed_eap")
        | authenticating.to(idle, cond="eap_response_forged", on="refuse_wrong_eap_response")
    )
    key_storage_response = storing_key.to(idle, cond="may_derive", on="derive_knr_from_new_pruk") | storing_key.to(
        idle, cond="not may_derive", on="refuse_withdrawn_attempt")
    key_query_response = (
        querying_key.to(idle, cond="reuse and key_returned and not check_at_ausf", on="derive_knr_from_queried_pruk")
        | querying_key.to(idle, cond="reuse_while_notified_withdrawn and key_returned", on="refuse_withdrawn_attempt")
        | querying_key.to(checking_authorization, cond="reuse and key_returned and check_at_ausf",
                          on="request_authorization_check")
        | querying_key.to(idle, cond="not key_returned and not panf_wants_update", on="refuse_key_not_returned")
        | querying_key.to(awaiting_av, cond="panf_wants_update", on="start_manner_3_for_panf")
        | querying_key.to(awaiting_av, cond="update_planned and supi_returned", on="start_manner_3_requested")
        | querying_key.to(awaiting_av, cond="ausf_decides_now and key_returned and supi_returned",
                          on="start_manner_3_after_query")
    )
    update_policy_fires = (
        idle.to.itself(cond="owns_update_policy and policy_remains and not update_due", on="relay_amf_plmn_changes")
        | idle.to.itself(cond="owns_update_policy and policy_remains and not update_due",
                         on="ausf_configuration_changes")
        | querying_key.to.itself(cond="owns_update_policy and policy_remains and not update_due",
                                 on="relay_amf_plmn_changes")
        | querying_key.to.itself(cond="owns_update_policy and policy_remains and not update_due",
                                 on="ausf_configuration_changes")
    )
    authorization_check_response = (
        checking_authorization.to(idle, cond="authorization_granted and may_derive", on="derive_knr_after_check")
        | checking_authorization.to(idle, cond="authorization_granted and not may_derive",
                                    on="refuse_withdrawn_attempt")
        | checking_authorization.to(idle, cond="not authorization_granted", on="refuse_unauthorized_reuse")
    )
    key_query_unknown_id = querying_key.to(idle, cond="answers_unknown_id", on="reject_unknown_id")
    authorization_notification = (
        idle.to.itself(cond="notified", on="record_authorization_notice")
        | awaiting_av.to.itself(cond="notified", on="record_authorization_notice")
        | authenticating.to.itself(cond="notified", on="record_authorization_notice")
        | storing_key.to.itself(cond="notified", on="record_authorization_notice")
        | querying_key.to.itself(cond="notified", on="record_authorization_notice")
        | checking_authorization.to.itself(cond="notified", on="record_authorization_notice")
    )
    timeout = (
        awaiting_av.to(idle, cond="timers", on="abandon_authentication")
        | authenticating.to(idle, cond="timers", on="abandon_authentication")
        | storing_key.to(idle, cond="timers", on="abandon_authentication")
        | querying_key.to(idle, cond="timers", on="abandon_authentication")
        | checking_authorization.to(idle, cond="timers", on="abandon_authentication")
    )

    LOCAL_EVENTS = frozenset({"update_policy_fires", "timeout"})
    REST_STATES = frozenset({"idle"})
    OPTION_DEFAULTS = FIX_DEFAULTS
    VARIABLES = (
        Var("nonce_1", 0, doc="Nonce_1 of the request being served (S207)"),
        Var("supi", 0, doc="SUPI learnt from the UDM (S208) or the PAnF (S3032)"),
        Var("pruk_gen", 0, doc="generation of the 5GPRUK in use for this request"),
        Var("generations", 0, doc="ProSe authentications run so far (each gives a new KAUSF_P, [0388])"),
        Var("eap_run", 0, sort="bool", doc="this request went through EAP (Manner 1)"),
        Var("nonce_2_count", 0, doc="Nonce_2 values used so far (S220)"),
        Var("update_planned", 0, sort="bool", doc="this request will end in Manner 3 (a new 5GPRUK #2)"),
        Var("requested_id", 0, doc="the 5GPRUK ID #1 the request carried"),
        Var("update_due", 0, doc="why the AUSF's policy wants 5GPRUK #1 updated (method 600); 0: not due"),
        Var("policy_left", If(O("update") == UPDATE_AUSF, O("policy_triggers"), 0),
            doc="times the AUSF's update policy may still fire (method 600)"),
        Var("withdrawn_notice", 0, doc="proposed fix: the UDM's last notification said the UE's relay "
            "authorization is withdrawn", when=O("udm_notifies_authorization")),
    )
    GUARDS = {
        "timers": O("timers"),
        "carries_suci": M("id_type") == ID_SUCI,
        "carries_pruk_id": M("id_type") == ID_PRUK_ID,
        "av_granted": M("result") == RESULT_OK,
        "eap_can_fail": O("eap_can_fail"),
        "eap_response_matches": verified(M("eap_res") == V("generations")),
        "eap_response_forged": rejected(M("eap_res") == V("generations")),
        "key_returned": M("pruk") != 0,
        "check_at_ausf": O("check") == CHECK_AUSF_UDM,
        "authorization_granted": M("result") == RESULT_OK,
        "update_requested_or_due": If(
            O("update") == UPDATE_AUSF,
            And(O("ausf_decides") == AUSF_DECIDES_BEFORE_QUERY, V("update_due") != 0),
            M("update_indication") != 0,
        ),
        "update_planned": V("update_planned"),
        "ausf_decides_now": And(O("update") == UPDATE_AUSF, O("ausf_decides") == AUSF_DECIDES_AFTER_QUERY,
                                V("update_due") != 0, V("update_planned") == 0),
        # under the proposed fix ausf_refuses_while_withdrawn a notified withdrawal stops the reuse (folded away else)
        "reuse": And(_REUSE, _MAY_DERIVE),
        "reuse_while_notified_withdrawn": And(Not(_MAY_DERIVE), _REUSE),
        "supi_returned": M("supi") != 0,
        "panf_wants_update": And(O("update") == UPDATE_PANF, M("pruk") == 0, M("supi") != 0),
        "owns_update_policy": O("update") == UPDATE_AUSF,
        "policy_remains": V("policy_left") > 0,
        "update_due": V("update_due") != 0,
        "notified": O("udm_notifies_authorization"),
        "may_derive": _MAY_DERIVE,
        "answers_unknown_id": O("unknown_id_falls_back_to_suci"),
    }
    EFFECTS = {
        "abandon_authentication": Effect(
            "supervision timer expires with nothing in flight: abandon this ProSe authentication",
            cite("TS 29.500 6.11", "TS 33.503 6.3.3.3"),
        ),
        "request_av": Effect(
            "Manner 1: request an authentication vector for the SUCI from the UDM",
            cite("[0140]", "S208", "[0143]", "[0146]", "S409", "[0321]", "S509", "[0440]"),
            assign={"nonce_1": M("nonce_1"), "eap_run": True, "pruk_gen": 0, "supi": 0, "update_planned": False,
                    "requested_id": 0},
            send=[Send("udm", "av_request", {"suci": M("suci"), "g_attempt": M("nonce_1")})],
        ),
        "query_key": _query_key(
            "Manner 2: send key query request with the 5GPRUK ID and RSC to the PAnF", False,
            "[0140]", "S218", "[0186]", "S3031", "[0250]", "S409", "S410", "S509", "S510", "S608", "S609", "S708",
            "[0673]", "[0674]", "S709",
        ),
        "query_key_for_update": _query_key(
            "update requested (key update indication) or due (AUSF policy): key query with 5GPRUK ID #1 to learn "
            "the SUPI for Manner 3", True,
            "S509", "[0440]", "[0464]", "S510", "S608", "[0558]", "S609",
        ),
        "start_manner_3_for_panf": _manner_3(
            "the PAnF withheld 5GPRUK #1 and returned the SUPI: request an authentication vector by SUPI (Manner 3)",
            "S712", "[0707]", "[0709]", "[0712]", "S715",
        ),
        "start_manner_3_requested": _manner_3(
            "SUPI learnt: request an authentication vector by SUPI for 5GPRUK #2 (Manner 3)",
            "S514", "[0481]", "[0482]", "S613", "[0602]", "[0603]",
        ),
        "start_manner_3_after_query": _manner_3(
            "5GPRUK #1 returned, and the AUSF's policy decides to update it: request an authentication vector by "
            "SUPI (Manner 3)", "S608", "[0557]", "[0559]", "S613", "[0602]",
        ),
        "relay_amf_plmn_changes": policy_fires(
            REASON_AUSF_AMF_PLMN, "policy: the PLMN ID of the AMF (relay) changes", "S608", "[0555]", "[0556]"),
        "ausf_configuration_changes": policy_fires(
            REASON_AUSF_CONFIGURATION, "policy: the AUSF's local configuration changes", "S608", "[0555]", "[0556]"),
        "start_eap": Effect(
            "UDM authorized the remote UE; keep the SUPI and send EAP information #1",
            cite("S208", "[0145]", "[0146]", "S209", "[0151]"),
            assign={"supi": M("supi"), "generations": V("generations") + 1},
            send=[Send("amf", "prose_authentication_response_1", {"eap_av": V("generations") + 1})],
        ),
        "refuse_unauthorized_ue": _refuse(
            "UDM refused: the remote UE is not authorized for the relay service; reject", "S208", "[0145]"
        ),
        "verify_eap_and_derive_pruk": Effect(
            "EAP verified: derive 5GPRUK and 5GPRUK ID from KAUSF_P, RSC, SUPI; send key storage request",
            cite("S215a", "[0171]", "[0172]", "S216", "[0178]", "[0266]"),
            assign={"pruk_gen": M("eap_res")},
            send=[Send("panf", "key_storage_request", {
                "supi": V("supi"), "pruk": _STORED, "pruk_id": _STORED, "rsc": RSC,
                "authz_info": RESULT_OK,
            })],
            choice="EAP authentication succeeds",
        ),
        "refuse_wrong_eap_response": _refuse(
            "EAP information #2 does not answer this authentication's challenge (a replayed response); reject",
            "S215a", "[0171]", "TS 33.503 6.3.3.3"),
        "refuse_failed_eap": Effect(
            "EAP verification fails; reject",
            cite("S215a", "[0171]", "TS 33.503 6.3.3.3"),
            send=[Send("amf", "prose_authentication_failure", {"cause": RESULT_FORBIDDEN})],
            choice="EAP authentication fails (fault)",
        ),
        "derive_knr_from_new_pruk": _derive_knr(
            "key stored; derive KNR_ProSe from the new 5GPRUK; send response #2 with EAP success",
            V("pruk_gen"), "S217", "S220", "[0192]", "S221", "[0196]", "[0197]", "S424", "S425", "[0398]", "S524",
            "S525", "S623", "S624", "S725", "S726", after_update=True,
        ),
        "derive_knr_from_queried_pruk": _derive_knr(
            "derive KNR_ProSe from the queried 5GPRUK; send response #2",
            M("pruk"), "S219", "S220", "[0192]", "S306", "[0286]", "[0287]", "S221",
        ),
        "request_authorization_check": Effect(
            "5GPRUK and SUPI returned; ask the UDM whether the UE may still use the relay service",
            cite("[0267]", "S305", "S3051", "[0272]", "[0274]", "[0275]"),
            assign={"pruk_gen": M("pruk"), "supi": M("supi")},
            send=[Send("udm", "authorization_check_request", {
                "supi": M("supi"), "rsc": RSC, "requester": REQUESTER_AUSF, "g_attempt": V("nonce_1"),
            })],
        ),
        "refuse_key_not_returned": _refuse(
            "no 5GPRUK returned (authorization failed at the PAnF); reject", "S3032", "[0252]", "[0265]", "[0287]"
        ),
        "derive_knr_after_check": _derive_knr(
            "UDM confirms authorization; derive KNR_ProSe from 5GPRUK #1; send response #2",
            V("pruk_gen"), "S3052", "[0284]", "[0285]", "S306", "[0287]", "S221",
        ),
        "refuse_unauthorized_reuse": _refuse(
            "UDM denies authorization; no KNR_ProSe; reject", "S3052", "[0284]", "[0287]"
        ),
        "record_authorization_notice": Effect(
            "proposed fix: note the UDM's notification of the UE's relay authorization; acknowledge it",
            cite("[0220]", "TS 29.503 Nudm_SDM_Notification"),
            assign={"withdrawn_notice": If(M("granted") != 0, 0, 1)},
            send=[Send(REPLY, "authorization_notification_ack", {"granted": M("granted")})],
        ),
        "refuse_withdrawn_attempt": Effect(
            "proposed fix: the UDM has notified a withdrawal, so a check that succeeded before it no longer "
            "counts: derive no KNR_ProSe; reject", cite("S220", "S306", "[0287]", "[0220]"),
            send=[Send("amf", "prose_authentication_failure", {"cause": RESULT_FORBIDDEN})],
            ghost={"check_failed": W("ghost.check_failed").with_bit(V("nonce_1"))},  # found withdrawn, as a check
        ),
        "reject_unknown_id": Effect(
            "proposed fix: the PAnF does not know the 5GPRUK ID: reject with \"5GPRUK ID unknown\" so that the "
            "remote UE falls back to its SUCI", cite("S3032", "[0252]", "[0713]", "TS 29.561 Npanf_ProseKey_get"),
            send=[Send("amf", "prose_authentication_failure", {"cause": RESULT_UNKNOWN_ID})],
        ),
    }

