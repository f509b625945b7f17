"""AUSF (remote): ProSe authentication, 5GPRUK and KNR_ProSe derivation, and (method 300,
placement ``ausf_udm``) the authorization check before reuse.

"The AUSF (remote) determines, based on whether the received ProSe authentication request
message #1 carries the SUCI or the 5GPRUK ID of the remote UE, to perform [...] Manner 1 or
Manner 2" ([0140]). "When determining that the first communication apparatus has permission
to use the relay service, the authentication server function network element generates a
first proximity-based service key" (S306, [0287])."""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.expr import Expr, If, M, O, V, W
from prosecheck.checker.machine import Effect, ElementRules, Send, Var
from prosecheck.model.spec import cite
from prosecheck.model.terms import (
    CHECK_AUSF_UDM,
    ID_PRUK_ID,
    ID_SUCI,
    REQUESTER_AUSF,
    RESULT_FORBIDDEN,
    RESULT_OK,
    RSC,
    knr,
)


def _derive_knr(label: str, pruk: Expr, *refs: str) -> Effect:
    """S220 / S306: KNR_ProSe from the 5GPRUK ``pruk``, Nonce_1 and a fresh Nonce_2; then S221."""
    nonce_2 = V("nonce_2_count") + 1
    return Effect(
        label=label,
        ref=cite(*refs),
        assign={"nonce_2_count": nonce_2, "pruk_gen": pruk},
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
        },
    )


def _refuse(label: str, *refs: str) -> Effect:
    return Effect(
        label=label, ref=cite(*refs),
        send=[Send("amf", "prose_authentication_failure", {"cause": RESULT_FORBIDDEN})],
    )


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

    prose_authentication_request_1 = idle.to(awaiting_av, cond="carries_suci", on="request_av") | idle.to(
        querying_key, cond="carries_pruk_id", on="query_key"
    )
    av_response = awaiting_av.to(authenticating, cond="av_granted", on="start_eap") | awaiting_av.to(
        idle, cond="not av_granted", on="refuse_unauthorized_ue"
    )
    prose_authentication_request_2 = authenticating.to(
        storing_key, on="verify_eap_and_derive_pruk"
    ) | authenticating.to(idle, cond="eap_can_fail", on="refuse_failed_eap")
    key_storage_response = storing_key.to(idle, on="derive_knr_from_new_pruk")
    key_query_response = (
        querying_key.to(idle, cond="key_returned and not check_at_ausf", on="derive_knr_from_queried_pruk")
        | querying_key.to(checking_authorization, cond="key_returned and check_at_ausf", on="request_authorization_check")
        | querying_key.to(idle, cond="not key_returned", on="refuse_key_not_returned")
    )
    authorization_check_response = checking_authorization.to(
        idle, cond="authorization_granted", on="derive_knr_after_check"
    ) | checking_authorization.to(idle, cond="not authorization_granted", on="refuse_unauthorized_reuse")

    REST_STATES = frozenset({"idle"})
    VARIABLES = (
        Var("nonce_1", 0, doc="Nonce_1 of the request being served (S207)"),
        Var("supi", 0, doc="SUPI learnt from the UDM (S208) or the PAnF (S3032)"),
        Var("pruk_gen", 0, doc="generation of the 5GPRUK in use for this request"),
        Var("generations", 0, doc="ProSe authentications run so far (each gives a new KAUSF_P, [0388])"),
        Var("eap_run", 0, sort="bool", doc="this request went through EAP (Manner 1)"),
        Var("nonce_2_count", 0, doc="Nonce_2 values used so far (S220)"),
    )
    GUARDS = {
        "carries_suci": M("id_type") == ID_SUCI,
        "carries_pruk_id": M("id_type") == ID_PRUK_ID,
        "av_granted": M("result") == RESULT_OK,
        "eap_can_fail": O("eap_can_fail"),
        "key_returned": M("pruk") != 0,
        "check_at_ausf": O("check") == CHECK_AUSF_UDM,
        "authorization_granted": M("result") == RESULT_OK,
    }
    EFFECTS = {
        "request_av": Effect(
            "Manner 1: request an authentication vector for the SUCI from the UDM",
            cite("[0140]", "S208", "[0143]", "[0146]"),
            assign={"nonce_1": M("nonce_1"), "eap_run": True, "pruk_gen": 0, "supi": 0},
            send=[Send("udm", "av_request", {"suci": M("suci"), "g_attempt": M("nonce_1")})],
        ),
        "query_key": Effect(
            "Manner 2: send key query request with the 5GPRUK ID and RSC to the PAnF",
            cite("[0140]", "S218", "[0186]", "S3031", "[0250]"),
            assign={"nonce_1": M("nonce_1"), "eap_run": False, "pruk_gen": 0, "supi": 0},
            send=[Send("panf", "key_query_request", {"pruk_id": M("pruk_id"), "rsc": M("rsc"), "g_attempt": M("nonce_1")})],
        ),
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
                "supi": V("supi"), "pruk": M("eap_res"), "pruk_id": M("eap_res"), "rsc": RSC,
                "authz_info": RESULT_OK,
            })],
            choice="EAP authentication succeeds",
        ),
        "refuse_failed_eap": Effect(
            "EAP verification fails; reject",
            cite("S215a", "[0171]", "TS 33.503 6.3.3.3"),
            send=[Send("amf", "prose_authentication_failure", {"cause": RESULT_FORBIDDEN})],
            choice="EAP authentication fails (fault)",
        ),
        "derive_knr_from_new_pruk": _derive_knr(
            "key stored; derive KNR_ProSe from the new 5GPRUK; send response #2 with EAP success",
            V("pruk_gen"), "S217", "S220", "[0192]", "S221", "[0196]", "[0197]",
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
    }

