"""The properties: each an id, a statement in spec words, citations, and a formula over world
variables of one remote UE's group (``W("ausf.pruk_gen")``, ``W("ghost.knr_derived")``,
``W("remote_ue.state")``). The checker instantiates the formula for every remote UE.

Kinds: ``always`` (an invariant: every reachable world satisfies it) and ``sometimes``
(reachability: some reachable world satisfies it; the twins that keep ``always`` verdicts from
being vacuous). Ghost facts are masks indexed by the connection attempt (Nonce_1):

* ``authorized_in_attempt``: an authorization check of the UE succeeded in that attempt, at the
  UDM (S208, S3042, S3052) or by the PAnF's stored authorization info ([0265]);
* ``check_failed``: such a check failed in that attempt;
* ``knr_derived``: the AUSF derived a KNR_ProSe in that attempt (S220 / S306);
* ``knr_while_withdrawn``: ... while the UDM's authorization was withdrawn;
* ``begun_while_withdrawn``: the attempt began (S204) while the authorization was withdrawn,
  and it has not been restored since;
* ``pc5_secured``: the remote UE completed the attempt with a secured PC5 link (S226);
* ``rejected``: the attempt ended with a Direct Communication Reject;
* ``by_pruk_id``: the attempt's S204 carried the 5GPRUK ID (reuse of the stored key);
* ``relay_refused``: the AMF found the relay UE not authorized to relay in that attempt (S206);
* ``relay_learned_key`` / ``amf_learned_key``: a 5GPRUK or KAUSF_P was sent to them;
* ``supi_on_air`` / ``supi_on_sbi``: a SUPI was sent on PC5 or NAS / on an SBI link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prosecheck.checker.expr import And, Expr, Implies, Not, Or, W
from prosecheck.model.spec import SpecRef, cite
from prosecheck.model.terms import ID_PRUK_ID, ID_SUCI, knr_pruk

StateIs = Callable[[str, str], Expr]
"""``state_is(role, state_id)`` → the expression "role is in state_id"."""


@dataclass(frozen=True)
class Property:
    id: str
    kind: str  # "always" | "sometimes"
    code: str  # a short column header for the verdict table
    statement: str
    ref: SpecRef
    formula: Callable[[StateIs], Expr]
    twins: tuple[str, ...] = ()


def _subset(a: Expr, b: Expr) -> Expr:
    """Every bit of mask ``a`` is set in mask ``b``."""
    return (a | b) == b


def _knr_only_after_authorization(state_is: StateIs) -> Expr:
    return _subset(W("ghost.knr_derived"), W("ghost.authorized_in_attempt"))


def _no_knr_after_withdrawal(state_is: StateIs) -> Expr:
    return ((W("ghost.knr_derived") | W("ghost.pc5_secured")) & W("ghost.begun_while_withdrawn")) == 0


def _knr_agreement(state_is: StateIs) -> Expr:
    return Implies(
        And(state_is("remote_ue", "secured"), state_is("relay_ue", "linked")),
        And(W("remote_ue.knr") == W("relay_ue.knr"), knr_pruk(W("remote_ue.knr")) == W("panf.pruk_gen"),
            W("remote_ue.knr") != 0),
    )


PROPERTIES: dict[str, Property] = {
    p.id: p
    for p in [
        Property(
            "knr_only_after_authorization", "always", "KNR-AUTH",
            "the AUSF derives a KNR_ProSe for the remote UE in a connection attempt only if an authorization "
            "check of that UE for that RSC succeeded in the same attempt",
            cite("[0219]", "[0220]", "S306", "[0287]"),
            _knr_only_after_authorization,
            ("pc5_secured_by_pruk_id",),
        ),
        Property(
            "no_knr_after_withdrawal", "always", "WITHDRAWN",
            "no connection attempt that began after the UE's relay authorization was withdrawn (and not "
            "restored) ends with a KNR_ProSe issued or a secured PC5 link",
            cite("[0219]", "[0220]", "[0290]"),
            _no_knr_after_withdrawal,
            ("attempt_rejected_after_withdrawal", "reuse_rejected_after_withdrawal"),
        ),
        Property(
            "knr_agreement", "always", "AGREE",
            "when the remote UE and the relay UE both complete S225/S226 they hold the same KNR_ProSe, "
            "derived from the 5GPRUK the PAnF holds for that UE",
            cite("S220", "S223", "S224", "S225", "S226", "[0209]", "[0217]"),
            _knr_agreement,
            ("pc5_secured_by_suci", "pc5_secured_by_pruk_id"),
        ),
        Property(
            "pruk_stays_home", "always", "HOME",
            "the relay UE and the AMF (relay) never hold a 5GPRUK or KAUSF_P",
            cite("[0172]", "[0178]", "TS 33.503 6.3.3.3"),
            lambda s: Not(Or(W("ghost.relay_learned_key"), W("ghost.amf_learned_key"))),
            ("pruk_stored_at_panf",),
        ),
        Property(
            "supi_never_on_air", "always", "SUPI",
            "the SUPI never travels on PC5 or NAS",
            cite("[0126]", "[0127]", "[0146]", "TS 33.503 6.3.3.3"),
            lambda s: W("ghost.supi_on_air") == 0,
            ("supi_sent_on_sbi",),
        ),
        Property(
            "no_link_through_refused_relay", "always", "RELAY",
            "no KNR_ProSe is derived and no PC5 link is secured in a connection attempt in which the AMF found the "
            "relay UE not authorized to provide the relay service",
            cite("S206", "[0135]", "S226", "TS 24.501 5.5.4"),
            lambda s: ((W("ghost.knr_derived") | W("ghost.pc5_secured")) & W("ghost.relay_refused")) == 0,
            ("relay_refused_by_amf",),
        ),
        Property(
            "pc5_secured_by_suci", "sometimes", "via-SUCI",
            "a PC5 link is secured through the SUCI path (Manner 1: S208-S217)",
            cite("S204", "S208", "S215a", "S215b", "S226"),
            lambda s: And(s("remote_ue", "secured"), W("remote_ue.request_id_type") == ID_SUCI),
        ),
        Property(
            "pc5_secured_by_pruk_id", "sometimes", "via-ID",
            "a PC5 link is secured through the 5GPRUK ID path (Manner 2: S218/S219, or S3031/S3032)",
            cite("S204", "S218", "S219", "S302", "S3032", "S226"),
            lambda s: And(s("remote_ue", "secured"), W("remote_ue.request_id_type") == ID_PRUK_ID),
        ),
        Property(
            "attempt_rejected_after_withdrawal", "sometimes", "rejected",
            "a connection attempt is rejected because an authorization check found the UE's relay "
            "authorization withdrawn",
            cite("[0145]", "[0252]", "[0263]", "[0284]", "[0287]"),
            lambda s: (W("ghost.rejected") & W("ghost.check_failed")) != 0,
        ),
        Property(
            "relay_refused_by_amf", "sometimes", "relay-rej",
            "a connection attempt is rejected because the AMF found the relay UE not authorized to provide the "
            "relay service (S206)",
            cite("S206", "[0135]", "TS 24.501 5.5.4"),
            lambda s: (W("ghost.rejected") & W("ghost.relay_refused")) != 0,
        ),
        Property(
            "reuse_rejected_after_withdrawal", "sometimes", "reuse-rej",
            "a connection attempt by 5GPRUK ID (reuse of the stored key) is rejected because the authorization "
            "check before reuse found the UE's relay authorization withdrawn",
            cite("S3032", "[0252]", "[0263]", "[0265]", "S3052", "[0284]", "[0287]"),
            lambda s: And(W("remote_ue.request_id_type") == ID_PRUK_ID,
                          (W("ghost.rejected") & W("ghost.check_failed")).bit(W("remote_ue.nonce_1"))),
        ),
        Property(
            "knr_derived_while_withdrawn", "sometimes", "race",
            "the AUSF derives a KNR_ProSe at a moment when the UE's relay authorization is withdrawn at the UDM "
            "(a check succeeded earlier, in the same or an earlier attempt)",
            cite("S306", "[0287]", "[0220]"),
            lambda s: W("ghost.knr_while_withdrawn") != 0,
        ),
        Property(
            "reuse_knr_derived_while_withdrawn", "sometimes", "reuse-race",
            "on the 5GPRUK ID path, the AUSF derives a KNR_ProSe while the UE's relay authorization is withdrawn "
            "(withdrawn after the check before reuse succeeded: a time-of-check to time-of-use window)",
            cite("S3042", "S3052", "S306", "[0286]", "[0287]"),
            lambda s: (W("ghost.knr_while_withdrawn") & W("ghost.by_pruk_id")) != 0,
        ),
        Property(
            "pruk_stored_at_panf", "sometimes", "stored",
            "the PAnF holds a 5GPRUK for the UE (so the home network does hold the keys the relay must not)",
            cite("S216", "S217", "[0178]"),
            lambda s: W("panf.pruk_gen") != 0,
        ),
        Property(
            "supi_sent_on_sbi", "sometimes", "SUPI-SBI",
            "a SUPI is sent on a service-based interface (so the SUPI observer is live)",
            cite("S208", "[0146]", "S216", "S3041"),
            lambda s: W("ghost.supi_on_sbi") != 0,
        ),
    ]
}
