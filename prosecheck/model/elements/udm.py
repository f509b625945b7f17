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

from prosecheck.checker.expr import And, ExprLike, M, Not, O, Or, V, W
from prosecheck.checker.machine import REPLY, Effect, ElementRules, Send, Var
from prosecheck.model.spec import cite
from prosecheck.model.terms import FIX_DEFAULTS, REQUESTER_PANF, RESULT_FORBIDDEN, RESULT_OK, SUPI

_NOTIFY = "udm_notifies_authorization"
"""Proposed fix for findings 2, 6 and 16 (:mod:`prosecheck.model.fixes`): the UDM notifies the AUSF and then
the PAnF of every change of the UE's relay authorization. A withdrawal takes effect at the UDM once both have
acknowledged it; a restoration takes effect at once and is then notified (so neither ever holds "authorized"
while the UDM does not)."""
_TELLING_AUSF_WITHDRAWAL, _TELLING_PANF_WITHDRAWAL, _TELLING_AUSF_RESTORATION, _TELLING_PANF_RESTORATION = 1, 2, 3, 4


def _notify(to: str, granted: int, label: str, assign: dict[str, ExprLike], ghost: dict | None = None) -> Effect:
    """Proposed fix: send (or finish) a notification of the UE's relay authorization."""
    return Effect(f"proposed fix: {label}", cite("[0220]", "[0266]", "TS 29.503 Nudm_SDM_Notification"),
                  assign=assign, send=[Send(to, "authorization_notification", {"granted": granted})] if to else [],
                  ghost=ghost or {})


_NOTIFY_EFFECTS = {
    "withdraw_and_notify": _notify(
        "ausf", 0, "the operator withdraws the UE's relay authorization; notify the AUSF first (the withdrawal "
        "takes effect when the AUSF and the PAnF have acknowledged)",
        {"withdrawals_left": V("withdrawals_left") - 1, "notifying": _TELLING_AUSF_WITHDRAWAL}),
    "tell_panf_of_withdrawal": _notify(
        "panf", 0, "the AUSF acknowledged the withdrawal; notify the PAnF", {"notifying": _TELLING_PANF_WITHDRAWAL}),
    "apply_withdrawal": _notify(
        "", 0, "the PAnF acknowledged: the withdrawal takes effect", {"authorized": False, "notifying": 0}),
    "restore_and_notify": _notify(
        "ausf", 1, "the operator restores the UE's relay authorization (at once); notify the AUSF",
        {"authorized": True, "restores_left": V("restores_left") - 1, "notifying": _TELLING_AUSF_RESTORATION},
        {"begun_while_withdrawn": 0}),
    "tell_panf_of_restoration": _notify(
        "panf", 1, "the AUSF acknowledged the restoration; notify the PAnF", {"notifying": _TELLING_PANF_RESTORATION}),
    "end_restoration_notice": _notify("", 1, "the PAnF acknowledged the restoration", {"notifying": 0}),
}

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
    withdraw_authorization = serving.to(serving, cond="authorized and withdrawals_remain", on="withdraw") | serving.to(
        serving, cond="authorized and may_withdraw_and_notify", on="withdraw_and_notify")
    restore_authorization = serving.to(serving, cond="not authorized and restores_remain", on="restore") | serving.to(
        serving, cond="not authorized and may_restore_and_notify", on="restore_and_notify")
    authorization_notification_ack = (
        serving.to.itself(cond="withdrawal_told_ausf", on="tell_panf_of_withdrawal")
        | serving.to.itself(cond="withdrawal_told_panf", on="apply_withdrawal")
        | serving.to.itself(cond="restoration_told_ausf", on="tell_panf_of_restoration")
        | serving.to.itself(cond="restoration_told_panf", on="end_restoration_notice")
    )

    LOCAL_EVENTS = frozenset({"withdraw_authorization", "restore_authorization"})
    REST_STATES = frozenset({"serving"})
    OPTION_DEFAULTS = FIX_DEFAULTS
    VARIABLES = (
        Var("authorized", True, sort="bool", doc="the UE's subscription allows the relay service for the RSC"),
        Var("withdrawals_left", O("withdrawals"), doc="withdrawals the scenario still allows"),
        Var("restores_left", O("restores"), doc="restorations the scenario still allows"),
        Var("notifying", 0, doc="proposed fix: the change being notified (1/2: withdrawal, awaiting the AUSF's / "
            "the PAnF's acknowledgement; 3/4: restoration); 0: none", when=O(_NOTIFY)),
    )
    GUARDS = {
        "authorized": V("authorized"),
        "withdrawals_remain": And(Not(O(_NOTIFY)), V("withdrawals_left") > 0),
        "restores_remain": And(Not(O(_NOTIFY)), V("restores_left") > 0),
        "may_withdraw_and_notify": And(O(_NOTIFY), V("withdrawals_left") > 0, V("notifying") == 0),
        "may_restore_and_notify": And(O(_NOTIFY), V("restores_left") > 0, V("notifying") == 0),
        "withdrawal_told_ausf": And(O(_NOTIFY), V("notifying") == _TELLING_AUSF_WITHDRAWAL),
        "withdrawal_told_panf": And(O(_NOTIFY), V("notifying") == _TELLING_PANF_WITHDRAWAL),
        "restoration_told_ausf": And(O(_NOTIFY), V("notifying") == _TELLING_AUSF_RESTORATION),
        "restoration_told_panf": And(O(_NOTIFY), V("notifying") == _TELLING_PANF_RESTORATION),
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
        **_NOTIFY_EFFECTS,
    }
