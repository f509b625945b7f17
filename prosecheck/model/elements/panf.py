"""PAnF (remote): stores (SUPI, RSC, 5GPRUK, 5GPRUK ID) at key registration (S216/S217) and
answers key queries (S218/S219, S3031/S3032). Under method 300 it may check authorization
itself: against ProSe authorization info stored at registration (``panf_local``,
[0264]-[0266]) or by asking the UDM (``panf_udm``, S3041/S3042, [0255]-[0263]); or it
returns the SUPI so that the AUSF can ask the UDM (``ausf_udm``, [0267]).

"If the PAnF does not perform the authorization check, the key query response message
carries the 5GPRUK #1 and the SUPI; if the PAnF performs the authorization check and the check
succeeds, the key query response message carries the 5GPRUK #1; if the PAnF performs the
authorization check and the check fails, the key query response message does not carry the
5GPRUK #1 and the SUPI" ([0252])."""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.expr import M, O, V, W
from prosecheck.checker.machine import Effect, ElementRules, Send, Var
from prosecheck.model.spec import cite
from prosecheck.model.terms import (
    CHECK_AUSF_UDM,
    CHECK_NONE,
    CHECK_PANF_LOCAL,
    CHECK_PANF_UDM,
    REQUESTER_PANF,
    RESULT_FORBIDDEN,
    RESULT_OK,
    RSC,
)


def _answer(label: str, key: bool, supi: bool, refs: tuple[str, ...], ghost: dict | None = None) -> Effect:
    return Effect(
        label=label,
        ref=cite(*refs),
        send=[Send("ausf", "key_query_response", {
            "pruk": V("pruk_gen") if key else 0,
            "supi": V("supi") if supi else 0,
            "result": RESULT_OK if key else RESULT_FORBIDDEN,
        })],
        ghost=ghost or {},
    )


_ATTEMPT_CHECKED = {"authorized_in_attempt": W("ghost.authorized_in_attempt").with_bit(M("g_attempt"))}
_ATTEMPT_DENIED = {"check_failed": W("ghost.check_failed").with_bit(M("g_attempt"))}


class PanfRemote(ElementRules, StateMachine):
    """PAnF (remote): the key store of one remote UE's 5GPRUK."""

    ROLE = "panf"
    TITLE = "PAnF (remote)"

    ready = State("Serving key requests", initial=True)
    checking_authorization = State("Authorization check requested from UDM (S3041)")

    key_storage_request = ready.to(ready, on="store_key")
    key_query_request = (
        ready.to(ready, cond="no_check", on="return_key")
        | ready.to(ready, cond="check_locally and stored_info_authorizes", on="return_key_after_local_check")
        | ready.to(ready, cond="check_locally and not stored_info_authorizes", on="refuse_after_local_check")
        | ready.to(checking_authorization, cond="check_via_udm", on="request_authorization_check")
        | ready.to(ready, cond="check_by_ausf", on="return_key_and_supi")
    )
    authorization_check_response = checking_authorization.to(
        ready, cond="authorization_granted", on="return_key_after_udm_check"
    ) | checking_authorization.to(ready, cond="not authorization_granted", on="refuse_after_udm_check")

    REST_STATES = frozenset({"ready"})
    VARIABLES = (
        Var("pruk_gen", 0, doc="generation of the stored 5GPRUK (and 5GPRUK ID); 0: none"),
        Var("supi", 0, doc="SUPI stored with the key"),
        Var("authz_info", 0, doc="ProSe authorization info stored with the key ([0266]); 1: authorized"),
    )
    GUARDS = {
        "no_check": O("check") == CHECK_NONE,
        "check_locally": O("check") == CHECK_PANF_LOCAL,
        "check_via_udm": O("check") == CHECK_PANF_UDM,
        "check_by_ausf": O("check") == CHECK_AUSF_UDM,
        "stored_info_authorizes": V("authz_info") == RESULT_OK,
        "authorization_granted": M("result") == RESULT_OK,
    }
    EFFECTS = {
        "store_key": Effect(
            "store SUPI, RSC, 5GPRUK, 5GPRUK ID (replacing any earlier key) and the authorization info",
            cite("S216", "[0178]", "S217", "[0181]", "[0266]"),
            assign={"pruk_gen": M("pruk"), "supi": M("supi"), "authz_info": M("authz_info")},
            send=[Send("ausf", "key_storage_response", {"result": RESULT_OK})],
        ),
        "return_key": _answer(
            "no authorization check (TS 33.503): return the 5GPRUK", True, False, ("S219", "[0190]", "[0219]")
        ),
        "return_key_after_local_check": _answer(
            "stored ProSe authorization info authorizes the UE: return 5GPRUK #1",
            True, False, ("S304", "[0264]", "[0265]", "S3032"), _ATTEMPT_CHECKED,
        ),
        "refuse_after_local_check": _answer(
            "stored ProSe authorization info does not authorize the UE: cause 403, no key",
            False, False, ("S304", "[0265]", "S3032", "[0252]"), _ATTEMPT_DENIED,
        ),
        "request_authorization_check": Effect(
            "look up 5GPRUK #1 and SUPI by 5GPRUK ID; ask the UDM to check the UE's authorization",
            cite("S304", "[0255]", "S3041", "[0258]"),
            send=[Send("udm", "authorization_check_request", {
                "supi": V("supi"), "rsc": RSC, "requester": REQUESTER_PANF, "g_attempt": M("g_attempt"),
            })],
        ),
        "return_key_and_supi": _answer(
            "no check at the PAnF: return 5GPRUK #1 and the SUPI for the AUSF's check",
            True, True, ("[0267]", "S3032", "[0252]"),
        ),
        "return_key_after_udm_check": _answer(
            "UDM authorized the UE: return 5GPRUK #1", True, False, ("S3042", "[0263]", "S3032", "[0286]"),
        ),
        "refuse_after_udm_check": _answer(
            "UDM refused: return neither 5GPRUK #1 nor SUPI", False, False, ("S3042", "[0263]", "S3032", "[0252]"),
        ),
    }
