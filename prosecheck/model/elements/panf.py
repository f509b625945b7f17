"""PAnF (remote): stores (SUPI, RSC, 5GPRUK, 5GPRUK ID) at key registration (S216/S217) and
answers key queries (S218/S219, S3031/S3032). Under method 300 it may check authorization
itself: against ProSe authorization info stored at registration (``panf_local``,
[0264]-[0266]) or by asking the UDM (``panf_udm``, S3041/S3042, [0255]-[0263]); or it
returns the SUPI so that the AUSF can ask the UDM (``ausf_udm``, [0267]).

"If the PAnF does not perform the authorization check, the key query response message
carries the 5GPRUK #1 and the SUPI; if the PAnF performs the authorization check and the check
succeeds, the key query response message carries the 5GPRUK #1; if the PAnF performs the
authorization check and the check fails, the key query response message does not carry the
5GPRUK #1 and the SUPI" ([0252]).

Methods 400-700: at key storage "the PAnF (remote) replaces the 5GPRUK #1 and the 5GPRUK ID #1
with the 5GPRUK #2 and the 5GPRUK ID #2" ([0393], [0510], [0631], [0758]). In method 700 its own
policy may decide an update at the key query (key validity period, RSC #1 no longer stored, an
update indication from the AUSF or UDM, [0680]-[0683]): "if the PAnF (remote) determines that
the 5GPRUK #1 needs to be updated, the key query response message carries the SUPI" ([0707])
and no key ([0682])."""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.expr import And, ExprLike, If, M, O, Or, V, W
from prosecheck.checker.machine import REPLY, Effect, ElementRules, Send, Var
from prosecheck.model.lifecycle import has_bit, policy_fires, store_generation
from prosecheck.model.spec import cite
from prosecheck.model.terms import (
    CHECK_AUSF_UDM,
    CHECK_NONE,
    CHECK_PANF_LOCAL,
    CHECK_PANF_UDM,
    FIX_DEFAULTS,
    REASON_PANF_INDICATION,
    REASON_PANF_KEY_AGE,
    REASON_PANF_RSC_NOT_STORED,
    REQUESTER_PANF,
    RESULT_FORBIDDEN,
    RESULT_OK,
    RESULT_UNKNOWN_ID,
    RSC,
    UPDATE_NONE,
    UPDATE_PANF,
)

_KNOWS_ID = And(M("pruk_id") != 0, Or(M("pruk_id") == V("pruk_gen"), M("pruk_id") == V("old_gen")))
"""A 5GPRUK is stored under the queried 5GPRUK ID (the current one, or a kept old one)."""

_FOUND = If(M("pruk_id") == V("pruk_gen"), V("pruk_gen"), V("old_gen"))
"""The 5GPRUK stored under the queried 5GPRUK ID (the current one, or a kept old one)."""

_SUPI_WITH_CHECKED_KEY = If(And(O("update") != UPDATE_NONE, O("supi_with_checked_key")), V("supi"), 0)
"""After a successful check the response carries the key; in methods 400-700 also the SUPI under
the ``supi_with_checked_key`` reading (the optional SUPI query, [0332], [0464], [0569])."""


def _answer(label: str, key: ExprLike, supi: ExprLike, refs: tuple[str, ...], ghost: dict | None = None,
            result: int | None = None) -> Effect:
    return Effect(
        label=label,
        ref=cite(*refs),
        send=[Send("ausf", "key_query_response", {
            "pruk": key,
            "supi": supi,
            "result": result if result is not None else (RESULT_OK if not isinstance(key, int) else RESULT_FORBIDDEN),
        })],
        ghost=ghost or {},
    )



_NOTIFY = "udm_notifies_authorization"
"""Proposed fix (findings 2 and 16, :mod:`prosecheck.model.fixes`): the UDM notifies the PAnF of every change of
the UE's relay authorization and the PAnF keeps its stored info current."""

_STORE = store_generation("pruk_gen", "old_gen", M("pruk"), O("replace_at_panf"))


_ATTEMPT_CHECKED = {"authorized_in_attempt": W("ghost.authorized_in_attempt").with_bit(M("g_attempt"))}
_ATTEMPT_DENIED = {"check_failed": W("ghost.check_failed").with_bit(M("g_attempt"))}


class PanfRemote(ElementRules, StateMachine):
    """PAnF (remote): the key store of one remote UE's 5GPRUK."""

    ROLE = "panf"
    TITLE = "PAnF (remote)"

    ready = State("Serving key requests", initial=True)
    checking_authorization = State("Authorization check requested from UDM (S3041)")

    key_storage_request = ready.to(ready, cond="not notified", on="store_key") | ready.to(
        ready, cond="notified", on="store_key_keep_notified_info")
    key_query_request = (
        ready.to(ready, cond="not knows_id and not answers_unknown_id", on="refuse_unknown_id")
        | ready.to(ready, cond="not knows_id and answers_unknown_id", on="answer_unknown_id")
        | ready.to(ready, cond="knows_id and flagged_for_update", on="return_key_and_supi_for_update")
        | ready.to(ready, cond="knows_id and not flagged_for_update and update_due", on="withhold_key_for_update")
        | ready.to(ready, cond="reuse and no_check", on="return_key")
        | ready.to(ready, cond="reuse and check_locally and stored_info_authorizes", on="return_key_after_local_check")
        | ready.to(ready, cond="reuse and check_locally and not stored_info_authorizes",
                   on="refuse_after_local_check")
        | ready.to(checking_authorization, cond="reuse and check_via_udm", on="request_authorization_check")
        | ready.to(ready, cond="reuse and check_by_ausf", on="return_key_and_supi")
    )
    authorization_check_response = (
        checking_authorization.to(ready, cond="authorization_granted", on="return_key_after_udm_check")
        | checking_authorization.to(ready, cond="not authorization_granted and answers_failed_check",
                                    on="refuse_after_udm_check")
        | checking_authorization.to(ready, cond="not authorization_granted and not answers_failed_check",
                                    on="withhold_answer_after_failed_check")
    )
    update_policy_fires = (
        ready.to.itself(cond="owns_update_policy and stores_key and not update_due and policy_remains",
                        on="key_validity_expires")
        | ready.to.itself(cond="owns_update_policy and stores_key and not update_due and policy_remains",
                          on="rsc_no_longer_stored")
        | ready.to.itself(cond="owns_update_policy and stores_key and not update_due and policy_remains",
                          on="update_indication_received")
    )
    timeout = checking_authorization.to(ready, cond="timers", on="abandon_check")
    authorization_notification = ready.to.itself(cond="notified", on="update_stored_authorization_info") | \
        checking_authorization.to.itself(cond="notified", on="update_stored_authorization_info")

    LOCAL_EVENTS = frozenset({"update_policy_fires", "timeout"})

    REST_STATES = frozenset({"ready"})
    OPTION_DEFAULTS = FIX_DEFAULTS
    VARIABLES = (
        Var("pruk_gen", 0, doc="generation of the stored 5GPRUK (and 5GPRUK ID); 0: none"),
        Var("supi", 0, doc="SUPI stored with the key"),
        Var("authz_info", If(O(_NOTIFY), RESULT_OK, 0),
            doc="ProSe authorization info stored with the key ([0266]); 1: authorized (under the proposed fix "
                "udm_notifies_authorization: the UDM's, kept current by its notifications)"),
        Var("old_gen", 0, doc="a superseded 5GPRUK (and ID) kept beside the current one (replace_at_panf=0 reading)"),
        Var("queried_gen", 0, doc="the 5GPRUK found for the key query being checked at the UDM"),
        Var("update_due", 0, doc="why the PAnF's policy wants 5GPRUK #1 updated (method 700); 0: not due"),
        Var("policy_left", If(O("update") == UPDATE_PANF, O("policy_triggers"), 0),
            doc="times the PAnF's update policy may still fire (method 700)"),
    )
    GUARDS = {
        "timers": O("timers"),
        "no_check": O("check") == CHECK_NONE,
        "check_locally": O("check") == CHECK_PANF_LOCAL,
        "check_via_udm": O("check") == CHECK_PANF_UDM,
        "check_by_ausf": O("check") == CHECK_AUSF_UDM,
        "stored_info_authorizes": V("authz_info") == RESULT_OK,
        "authorization_granted": M("result") == RESULT_OK,
        "knows_id": _KNOWS_ID,
        "flagged_for_update": M("for_update") != 0,
        "update_due": V("update_due") != 0,
        "reuse": And(_KNOWS_ID, M("for_update") == 0, V("update_due") == 0),
        "answers_failed_check": Or(O("update") == UPDATE_NONE, O("panf_answers_failed_check")),
        "owns_update_policy": O("update") == UPDATE_PANF,
        "stores_key": V("pruk_gen") != 0,
        "policy_remains": V("policy_left") > 0,
        "notified": O(_NOTIFY),
        "answers_unknown_id": O("unknown_id_falls_back_to_suci"),
    }
    EFFECTS = {
        "abandon_check": Effect(
            "supervision timer expires with nothing in flight: abandon the key query", cite("TS 29.500 6.11"),
        ),
        "store_key": Effect(
            "store SUPI, RSC, 5GPRUK, 5GPRUK ID (replacing 5GPRUK #1 and its ID) and the authorization info",
            cite("S216", "[0178]", "S217", "[0181]", "[0266]", "S423", "[0393]", "S523", "[0510]", "S622", "[0631]",
                 "S724", "[0758]"),
            assign={**_STORE.assign, "supi": M("supi"), "authz_info": M("authz_info"), "update_due": 0},
            send=[Send("ausf", "key_storage_response", {"result": RESULT_OK})],
            ghost={**_STORE.ghost, "pruk_history": W("ghost.pruk_history").with_bit(M("pruk")),
                   "pruk_reused": If(has_bit(W("ghost.pruk_history"), M("pruk")), 1, W("ghost.pruk_reused"))},
        ),
        "refuse_unknown_id": _answer(
            "no 5GPRUK stored under this 5GPRUK ID: neither key nor SUPI", 0, 0,
            ("TS 29.561 Npanf_ProseKey_get", "[0713]"),
        ),
        "answer_unknown_id": Effect(
            "proposed fix: no 5GPRUK stored under this 5GPRUK ID: answer \"5GPRUK ID unknown\" (404)",
            cite("TS 29.561 Npanf_ProseKey_get", "[0713]"),
            send=[Send("ausf", "key_query_unknown_id", {"result": RESULT_UNKNOWN_ID})],
        ),
        "store_key_keep_notified_info": Effect(
            "proposed fix: store SUPI, RSC, 5GPRUK, 5GPRUK ID (replacing 5GPRUK #1 and its ID); the authorization "
            "info stays the UDM's latest notification (the copy in S216 may be older)",
            cite("S216", "[0178]", "S217", "[0181]", "[0266]", "S423", "[0393]", "S523", "[0510]", "S622", "[0631]",
                 "S724", "[0758]"),
            assign={**_STORE.assign, "supi": M("supi"), "update_due": 0},
            send=[Send("ausf", "key_storage_response", {"result": RESULT_OK})],
            ghost={**_STORE.ghost, "pruk_history": W("ghost.pruk_history").with_bit(M("pruk")),
                   "pruk_reused": If(has_bit(W("ghost.pruk_history"), M("pruk")), 1, W("ghost.pruk_reused"))},
        ),
        "update_stored_authorization_info": Effect(
            "proposed fix: the UDM notifies a change of the UE's relay authorization: update the stored ProSe "
            "authorization info; acknowledge", cite("[0264]", "[0266]", "[0330]", "TS 29.503 Nudm_SDM_Notification"),
            assign={"authz_info": If(M("granted") != 0, RESULT_OK, RESULT_FORBIDDEN)},
            send=[Send(REPLY, "authorization_notification_ack", {"granted": M("granted")})],
        ),
        "return_key_and_supi_for_update": _answer(
            "key query for an update: no check here (the UDM checks in Manner 3); return 5GPRUK #1 and the SUPI",
            _FOUND, V("supi"), ("[0440]", "[0464]", "[0558]", "S511", "S610"),
        ),
        "withhold_key_for_update": _answer(
            "5GPRUK #1 needs updating: return the SUPI and no key", 0, V("supi"),
            ("S710", "[0680]", "[0682]", "S711", "[0707]"), result=RESULT_OK,
        ),
        "return_key": _answer(
            "no authorization check (TS 33.503): return the 5GPRUK", _FOUND, 0, ("S219", "[0190]", "[0219]")
        ),
        "return_key_after_local_check": _answer(
            "stored ProSe authorization info authorizes the UE: return 5GPRUK #1",
            _FOUND, _SUPI_WITH_CHECKED_KEY, ("S304", "[0264]", "[0265]", "S3032", "[0329]", "[0446]", "[0566]",
                                             "[0685]"), _ATTEMPT_CHECKED,
        ),
        "refuse_after_local_check": _answer(
            "stored ProSe authorization info does not authorize the UE: cause 403, no key",
            0, 0, ("S304", "[0265]", "S3032", "[0252]", "[0329]", "[0685]"), _ATTEMPT_DENIED,
        ),
        "request_authorization_check": Effect(
            "look up 5GPRUK #1 and SUPI by 5GPRUK ID; ask the UDM to check the UE's authorization",
            cite("S304", "[0255]", "S3041", "[0258]", "S4110", "S5110", "S6110", "S7110"),
            assign={"queried_gen": _FOUND},
            send=[Send("udm", "authorization_check_request", {
                "supi": V("supi"), "rsc": RSC, "requester": REQUESTER_PANF, "g_attempt": M("g_attempt"),
            })],
        ),
        "return_key_and_supi": _answer(
            "no check at the PAnF: return 5GPRUK #1 and the SUPI for the AUSF's check",
            _FOUND, V("supi"), ("[0267]", "S3032", "[0252]", "[0331]", "[0448]", "[0568]", "[0687]"),
        ),
        "return_key_after_udm_check": _answer(
            "UDM authorized the UE: return 5GPRUK #1", V("queried_gen"), _SUPI_WITH_CHECKED_KEY,
            ("S3042", "[0263]", "S3032", "[0286]", "S4112", "[0347]", "S5112", "S6112", "S7112", "[0711]"),
        ),
        "refuse_after_udm_check": _answer(
            "UDM refused: return neither 5GPRUK #1 nor SUPI", 0, 0, ("S3042", "[0263]", "S3032", "[0252]"),
        ),
        "withhold_answer_after_failed_check": Effect(
            "reading of [0346]: S411 is sent only when the check succeeds, so a failed check gets no answer",
            cite("[0346]", "[0462]", "[0584]", "[0704]"),
        ),
        "key_validity_expires": policy_fires(
            REASON_PANF_KEY_AGE, "policy: the 5GPRUK's validity period expires", "S710", "[0680]", "[0681]", "[0682]"),
        "rsc_no_longer_stored": policy_fires(
            REASON_PANF_RSC_NOT_STORED, "policy: the RSC #1 of the 5GPRUK is no longer stored (deleted on the "
            "UDM's instruction)", "S710", "[0683]"),
        "update_indication_received": policy_fires(
            REASON_PANF_INDICATION, "policy: an update indication arrives from the AUSF or the UDM", "S710", "[0680]"),
    }
