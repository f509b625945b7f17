"""UDM (remote): subscription data of the remote UE, SUCI de-concealment and the relay
authorization decision.

"In the step S208, the UDM (remote) checks whether the remote UE is authorized to use a 5G
ProSe relay service" ([0145]). Method 300 adds an authorization check service
(Nudm_UEAuthorization_ProseCheck, [0275]) used by the PAnF (S3041/S3042) or the AUSF
(S3051/S3052). The environment may withdraw and restore the UE's relay authorization at any
time (operator action on the subscription); both are bounded by the scenario.

Reading of [0263] ("the step S3042 is performed only when the authorization check on the
first communication apparatus succeeds", next to "the authorization result [...] includes
success or failure"): the reading ``s3042_answers_failure`` (:data:`~prosecheck.model.procedures.READINGS`)
is 1 (answer a failed S3041 check with 403) or 0 (send nothing); a failed S3051 check from the
AUSF is always answered ([0284])."""

from __future__ import annotations

from statemachine import State, StateMachine

from prosecheck.checker.expr import M, O, Or, V, W
from prosecheck.checker.machine import REPLY, Effect, ElementRules, Send, Var
from prosecheck.model.spec import cite
from prosecheck.model.terms import REQUESTER_PANF, RESULT_FORBIDDEN, RESULT_OK, SUPI

_CHECKED = {"authorized_in_attempt": W("ghost.authorized_in_attempt").with_bit(M("g_attempt"))}
_DENIED = {"check_failed": W("ghost.check_failed").with_bit(M("g_attempt"))}


class UdmRemote(ElementRules, StateMachine):
    """UDM (remote): answers at once; its only memory is the subscription."""

    ROLE = "udm"
    TITLE = "UDM (remote)"

    serving = State("Serving subscription data and authorization checks", initial=True)

    av_request = serving.to(serving, cond="authorized", on="grant_av") | serving.to(
        serving, cond="not authorized", on="refuse_av"
    )
    authorization_check_request = (
        serving.to(serving, cond="authorized", on="confirm_authorization")
        | serving.to(serving, cond="not authorized and answers_failure", on="deny_authorization")
        | serving.to(serving, cond="not authorized and not answers_failure", on="withhold_failure_answer")
    )
    withdraw_authorization = serving.to(serving, cond="authorized and withdrawals_remain", on="withdraw")
    restore_authorization = serving.to(serving, cond="not authorized and restores_remain", on="restore")

    LOCAL_EVENTS = frozenset({"withdraw_authorization", "restore_authorization"})
    REST_STATES = frozenset({"serving"})
    VARIABLES = (
        Var("authorized", True, sort="bool", doc="the UE's subscription allows the relay service for the RSC"),
        Var("withdrawals_left", O("withdrawals"), doc="withdrawals the scenario still allows"),
        Var("restores_left", O("restores"), doc="restorations the scenario still allows"),
    )
    GUARDS = {
        "authorized": V("authorized"),
        "withdrawals_remain": V("withdrawals_left") > 0,
        "restores_remain": V("restores_left") > 0,
        # [0263] is read per requester: its "only when [...] succeeds" sentence is about S3042
        # (PAnF); [0284] says S3052 (AUSF) carries success or failure.
        "answers_failure": Or(O("s3042_answers_failure"), M("requester") != REQUESTER_PANF),
    }
    EFFECTS = {
        "grant_av": Effect(
            "SUCI -> SUPI; the UE is authorized: return the authentication vector and SUPI",
            cite("S208", "[0143]", "[0145]", "[0146]", "[0266]"),
            send=[Send("ausf", "av_response", {"result": RESULT_OK, "supi": SUPI, "kausf_p": 1, "authz_info": RESULT_OK})],
            ghost=_CHECKED,
        ),
        "refuse_av": Effect(
            "the UE is not authorized for the relay service: refuse (403)",
            cite("S208", "[0145]"),
            send=[Send("ausf", "av_response", {"result": RESULT_FORBIDDEN})],
            ghost=_DENIED,
        ),
        "confirm_authorization": Effect(
            "subscription allows the relay service for the RSC: answer success (200 OK)",
            cite("S3042", "[0259]", "[0263]", "S3052", "[0278]", "[0280]", "[0284]", "S4111", "[0338]", "S5111",
                 "S6111", "S7111", "[0694]"),
            send=[Send(REPLY, "authorization_check_response", {"result": RESULT_OK})],
            ghost=_CHECKED,
        ),
        "deny_authorization": Effect(
            "subscription no longer allows the relay service: answer failure (403)",
            cite("S3042", "[0263]", "S3052", "[0284]", "S4111", "S5111", "S6111", "S7111"),
            send=[Send(REPLY, "authorization_check_response", {"result": RESULT_FORBIDDEN})],
            ghost=_DENIED,
        ),
        "withhold_failure_answer": Effect(
            "reading of [0263]: S3042 is sent only on success, so a failed check gets no answer",
            cite("[0263]"),
            ghost=_DENIED,
        ),
        "withdraw": Effect(
            "environment: the operator withdraws the UE's relay authorization",
            cite("[0219]", "[0220]"),
            assign={"authorized": False, "withdrawals_left": V("withdrawals_left") - 1},
        ),
        "restore": Effect(
            "environment: the operator restores the UE's relay authorization",
            cite("[0219]"),
            assign={"authorized": True, "restores_left": V("restores_left") - 1},
            ghost={"begun_while_withdrawn": 0},
        ),
    }
