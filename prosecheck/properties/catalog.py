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
* ``supi_on_air`` / ``supi_on_sbi``: a SUPI was sent on PC5 or NAS / on an SBI link;
* ``superseded``: generations of 5GPRUK that a newer stored generation has superseded (by bit);
* ``pruk_history``: generations the PAnF has ever stored; ``pruk_reused``: one was stored twice;
* ``knr_from_superseded``: attempts in which a KNR_ProSe was derived from a superseded 5GPRUK;
* ``updated``: attempts in which the remote UE replaced a stored 5GPRUK by a new one.

A third kind, ``eventually`` (``trigger ~> goal``: from every reachable trigger world, every
fair run reaches a goal world), is decided on the state graph by :mod:`prosecheck.checker.liveness`.
A ``measure`` is a figure rather than a verdict: the largest value its expression takes over the
reachable worlds (Z3 maximises it over the distinct valuations). A fourth kind, ``possibly``
(``AG (trigger -> EF goal)``: from every reachable trigger world some run
still reaches a goal world), is decided on the same graph. Properties about the 5GPRUK update
apply only to procedures with an update trigger, and ``recovers_after_loss`` only under the
``lossy_links`` threat model; elsewhere their verdict is "n/a".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prosecheck.checker.expr import And, Expr, Implies, Not, Or, W
from prosecheck.model.environment import attacker_on_pc5
from prosecheck.model.lifecycle import has_bit
from prosecheck.model.spec import SpecRef, cite
from prosecheck.model.terms import (
    ID_PRUK_ID,
    ID_SUCI,
    UPDATE_AUSF,
    UPDATE_NONE,
    UPDATE_PANF,
    UPDATE_UE_INDICATION,
    UPDATE_UE_SUCI,
    knr_pruk,
)

StateIs = Callable[[str, str], Expr]
"""``state_is(role, state_id)`` → the expression "role is in state_id"."""


Applies = Callable[[dict[str, int]], bool]
"""``applies(options)``: whether a property is meaningful for a procedure's options."""


def _always(options: dict[str, int]) -> bool:
    return True


def _with_update(options: dict[str, int]) -> bool:
    return options.get("update", UPDATE_NONE) != UPDATE_NONE


def _attacker_acts(options: dict[str, int]) -> bool:
    return bool(options.get("threat_pc5_attacker", 0) or options.get("threat_malicious_relay", 0))


def _old_pruk_leaks(options: dict[str, int]) -> bool:
    return bool(options.get("threat_leaked_old_pruk", 0)) and _with_update(options)


def _update_by(*kinds: int) -> Applies:
    return lambda options: options.get("update", UPDATE_NONE) in kinds


@dataclass(frozen=True)
class Property:
    id: str
    kind: str  # "always" | "sometimes" | "eventually" | "possibly" | "measure"
    code: str  # a short column header for the verdict table
    statement: str
    ref: SpecRef
    formula: Callable[[StateIs], Expr]  # for "eventually": the goal
    twins: tuple[str, ...] = ()
    applies: Applies = _always
    trigger: Callable[[StateIs], Expr] | None = None  # "eventually", "possibly": where the obligation starts
    shows: tuple[str, ...] = ()  # world variables ("role.var") a counterexample's explanation prints
    source: str = ""  # a property written in a scenario file: "KIND: FORMULA" (prosecheck.properties.user)


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


def _at_rest(state_is: StateIs) -> Expr:
    """The remote UE is between attempts (or done), not in the middle of one."""
    return Or(state_is("remote_ue", "idle"), state_is("remote_ue", "secured"), state_is("remote_ue", "done"))


def _in_attempt(state_is: StateIs) -> Expr:
    return Or(state_is("remote_ue", "requested"), state_is("remote_ue", "authenticating"),
              state_is("remote_ue", "completing"))


def _old_pruk_replaced(state_is: StateIs) -> Expr:
    superseded = W("ghost.superseded")
    return And(
        W("remote_ue.old_gen") == 0, W("panf.old_gen") == 0,
        Not(has_bit(superseded, W("panf.pruk_gen"))),
        Implies(_at_rest(state_is), Not(has_bit(superseded, W("remote_ue.pruk_gen")))),
    )


def _update_agreement(state_is: StateIs) -> Expr:
    return Implies(
        And(state_is("remote_ue", "secured"), has_bit(W("ghost.updated"), W("remote_ue.nonce_1"))),
        And(W("remote_ue.pruk_gen") == W("panf.pruk_gen"), W("remote_ue.pruk_key") == W("panf.pruk_gen"),
            W("panf.pruk_gen") != 0),
    )


def _keys_agree(state_is: StateIs) -> Expr:
    return Or(W("remote_ue.pruk_gen") == 0, W("remote_ue.pruk_gen") == W("panf.pruk_gen"))


def _lossy(options: dict[str, int]) -> bool:
    return bool(options.get("threat_lossy_links", 0))


def _after_loss_with_a_chance(state_is: StateIs) -> Expr:
    """A message was lost (or duplicated), the remote UE has a connection attempt left and its relay
    authorization is in place at the UDM or may still be restored."""
    return And(W("ghost.link_faults") != 0, W("remote_ue.attempts_left") > 0,
               Or(W("udm.authorized") != 0, W("udm.restores_left") > 0))


def _secrecy_pruk(state_is: StateIs) -> Expr:
    leaked = W("attacker.leaked")
    return And(W("ghost.attacker_learned_pruk") == 0, W("ghost.relay_learned_key") == 0,
               Or(leaked == 0, And(has_bit(W("ghost.superseded"), leaked), leaked != W("panf.pruk_gen"),
                                   leaked != W("remote_ue.pruk_gen"))))


def _agreement_remote_ausf(state_is: StateIs) -> Expr:
    return Implies(state_is("remote_ue", "secured"),
                   And(W("remote_ue.knr") == W("ghost.issued_knr"), W("ghost.matched_completions") == 1))


def _leaked_old_pruk_useless(state_is: StateIs) -> Expr:
    leaked = W("attacker.leaked")
    return Implies(leaked != 0, And(
        knr_pruk(W("attacker.knr")) != leaked,
        Implies(state_is("relay_ue", "linked"), knr_pruk(W("relay_ue.knr")) != leaked),
        Implies(state_is("remote_ue", "secured"), knr_pruk(W("remote_ue.knr")) != leaked),
    ))


def _update_completes(state_is: StateIs) -> Expr:
    return (W("ghost.updated") & W("ghost.pc5_secured")) != 0


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
            "old_pruk_replaced", "always", "REPLACED",
            "after an update neither the remote UE (once the attempt is over) nor the PAnF holds a superseded "
            "5GPRUK or 5GPRUK ID, and each holds at most one 5GPRUK for the RSC",
            cite("[0293]", "[0387]", "[0393]", "[0505]", "[0510]", "[0626]", "[0631]", "[0753]", "[0758]"),
            _old_pruk_replaced,
            ("ue_update_completes", "ausf_update_completes", "panf_update_completes"),
            applies=_with_update,
        ),
        Property(
            "knr_from_current_pruk", "always", "CURRENT",
            "no KNR_ProSe is derived, by the AUSF or by the remote UE, from a 5GPRUK generation that a newer "
            "stored 5GPRUK has superseded",
            cite("S425", "[0398]", "[0399]", "S525", "S624", "S726", "[0387]", "[0393]"),
            lambda s: W("ghost.knr_from_superseded") == 0,
            ("pc5_secured_by_pruk_id", "ue_update_completes", "ausf_update_completes", "panf_update_completes"),
            applies=_with_update,
        ),
        Property(
            "update_agreement", "always", "UPD-AGREE",
            "when an attempt that updated the 5GPRUK ends with a secured PC5 link, the remote UE and the PAnF "
            "hold the same new 5GPRUK and 5GPRUK ID",
            cite("S421a", "S421b", "S423", "[0387]", "[0393]", "S722b", "S724", "[0756]", "[0758]"),
            _update_agreement,
            ("ue_update_completes", "ausf_update_completes", "panf_update_completes"),
            applies=_with_update,
        ),
        Property(
            "fresh_pruk_on_update", "always", "FRESH",
            "a new 5GPRUK never equals an earlier one: the PAnF never stores the same generation twice (a new "
            "KAUSF_P per ProSe authentication)",
            cite("[0388]", "[0293]"),
            lambda s: W("ghost.pruk_reused") == 0,
            ("ue_update_completes", "ausf_update_completes", "panf_update_completes"),
            applies=_with_update,
        ),
        Property(
            "attempt_ends", "eventually", "ENDS",
            "under fair scheduling and with no message loss, every connection attempt ends, with a secured PC5 "
            "link or an explicit rejection",
            cite("S226", "[0217]", "TS 24.554 7.2.2"),
            _at_rest,
            ("pc5_secured_by_suci",),
            trigger=_in_attempt,
        ),
        Property(
            "keys_converge", "eventually", "CONVERGE",
            "under fair scheduling and with no message loss, whenever the remote UE holds a 5GPRUK other than "
            "the PAnF's, the two end up holding the same one (or the UE none)",
            cite("[0387]", "[0393]", "[0306]", "[0713]"),
            _keys_agree,
            ("keys_disagree_for_a_while",),
            applies=_with_update,
            trigger=lambda s: Not(_keys_agree(s)),
        ),
        Property(
            "recovers_after_loss", "possibly", "RECOVER",
            "after a message was lost, as long as the remote UE has a connection attempt left and its relay "
            "authorization is in place (or may be restored), some run still gives it a secured PC5 link",
            cite("[0129]", "[0306]", "[0713]", "TS 24.554 7.2.2"),
            lambda s: s("remote_ue", "secured"),
            ("secured_after_loss",),
            applies=_lossy,
            trigger=_after_loss_with_a_chance,
            shows=("remote_ue.pruk_gen", "panf.pruk_gen", "remote_ue.update_due", "remote_ue.attempts_left",
                   "udm.authorized"),
        ),
        Property(
            "linkability_window", "measure", "LINK#",
            "the largest number of connection attempts whose Direct Communication Request carries the same "
            "5GPRUK ID in the clear on PC5 (an observer of PC5 can link them to one UE)",
            cite("S204", "[0129]", "[0303]", "[0304]", "[0305]", "[0306]", "TS 33.503 6.3.3.3"),
            lambda s: W("ghost.same_id_attempts"),
            ("pc5_secured_by_pruk_id",),
        ),
        Property(
            "secrecy_pruk", "always", "SEC-PRUK",
            "no 5GPRUK is ever known to the attacker (nor to the relay UE), except the superseded generation "
            "leaked under the leaked_old_pruk threat model, and that one is no longer the remote UE's or the PAnF's",
            cite("[0172]", "[0178]", "[0387]", "TS 33.503 6.3.3.3"),
            _secrecy_pruk,
            ("attacker_injects", "old_pruk_leaks", "pc5_secured_by_suci"),
            applies=attacker_on_pc5,
        ),
        Property(
            "secrecy_kausf_p", "always", "SEC-KAUSF",
            "no KAUSF_P is ever known to the attacker (nor to the relay UE), in any threat model: a leaked "
            "5GPRUK does not reveal the KAUSF_P it was derived from",
            cite("[0171]", "[0172]", "TS 33.503 6.3.3.3"),
            lambda s: And(W("ghost.attacker_learned_kausf_p") == 0, W("ghost.relay_learned_key") == 0),
            ("attacker_injects", "pc5_secured_by_suci"),
            applies=attacker_on_pc5,
        ),
        Property(
            "secrecy_knr", "always", "SEC-KNR",
            "no KNR_ProSe is ever known to the attacker: it cannot derive one without the 5GPRUK ([0192]); "
            "a malicious relay UE is given each KNR_ProSe of its links by its AMF (S222), so there this "
            "fails by design",
            cite("[0192]", "S222", "[0201]", "S223", "TS 33.503 6.3.3.3"),
            lambda s: W("attacker.knr") == 0,
            ("attacker_injects", "pc5_secured_by_pruk_id"),
            applies=attacker_on_pc5,
        ),
        Property(
            "agreement_remote_ausf", "always", "AGR-AUSF",
            "(injective agreement) when the remote UE completes with a KNR_ProSe, the AUSF issued exactly that "
            "KNR_ProSe (5GPRUK generation, Nonce_1, Nonce_2) in its latest derivation for this UE and RSC, and no "
            "other completion of the remote UE used it",
            cite("S220", "[0192]", "S221", "S224", "S226", "[0209]", "[0217]"),
            _agreement_remote_ausf,
            ("attacker_injects", "pc5_secured_by_suci", "pc5_secured_by_pruk_id"),
            applies=attacker_on_pc5,
        ),
        Property(
            "no_replay_completion", "always", "NO-REPLAY",
            "a replayed or injected Direct Communication Request or Direct Security Mode Command never leads the "
            "relay UE or the remote UE to a secured link with the wrong peer or another key: when either end "
            "completes (S226), the other end holds the same KNR_ProSe (with a malicious relay only the remote UE's "
            "end counts: the relay UE is the attacker)",
            cite("S204", "[0126]", "S223", "S224", "S225", "S226", "[0209]", "[0213]", "TS 33.503 6.3.3.3"),
            lambda s: W("ghost.link_key_mismatch") == 0,
            ("attacker_injects", "pc5_secured_by_pruk_id"),
            applies=attacker_on_pc5,
        ),
        Property(
            "leaked_old_pruk_useless", "always", "LEAK-USE",
            "once an update has completed and the superseded 5GPRUK leaked, knowing it never yields a KNR_ProSe "
            "(to the attacker, the relay UE or the remote UE) nor a secured link",
            cite("[0293]", "[0387]", "[0393]", "S425", "[0398]"),
            _leaked_old_pruk_useless,
            ("old_pruk_leaks",),
            applies=_old_pruk_leaks,
        ),
        Property(
            "attacker_injects", "sometimes", "injects",
            "the attacker replays or injects a PC5 message (so the threat model's capability is live)",
            cite("TS 33.503 6.3.3.3"),
            lambda s: W("ghost.attacker_injected") != 0,
            applies=_attacker_acts,
        ),
        Property(
            "old_pruk_leaks", "sometimes", "leaks",
            "a superseded 5GPRUK and its ID leak to the attacker after an update completed",
            cite("[0387]", "[0393]"),
            lambda s: W("attacker.leaked") != 0,
            applies=_old_pruk_leaks,
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
            "ue_update_completes", "sometimes", "UE-upd",
            "an update of 5GPRUK #1 triggered by the remote UE's policy completes with a secured PC5 link",
            cite("S404", "S421b", "[0387]", "S431", "S504", "S521b", "S531"),
            _update_completes,
            applies=_update_by(UPDATE_UE_SUCI, UPDATE_UE_INDICATION),
        ),
        Property(
            "ausf_update_completes", "sometimes", "AUSF-upd",
            "an update of 5GPRUK #1 triggered by the AUSF's policy completes with a secured PC5 link",
            cite("S608", "S620b", "[0626]", "S630"),
            _update_completes,
            applies=_update_by(UPDATE_AUSF),
        ),
        Property(
            "panf_update_completes", "sometimes", "PAnF-upd",
            "an update of 5GPRUK #1 triggered by the PAnF's policy completes with a secured PC5 link",
            cite("S710", "S722b", "[0753]", "S732"),
            _update_completes,
            applies=_update_by(UPDATE_PANF),
        ),
        Property(
            "keys_disagree_for_a_while", "sometimes", "desync",
            "the remote UE holds a 5GPRUK other than the PAnF's (during an update, the PAnF stores 5GPRUK #2 "
            "before the UE derives it)",
            cite("S423", "S421b"),
            lambda s: Not(_keys_agree(s)),
            applies=_with_update,
        ),
        Property(
            "secured_after_loss", "sometimes", "loss-ok",
            "a PC5 link is secured after a message was lost (the timers and a new attempt recover)",
            cite("S226", "TS 24.554 7.2.2"),
            lambda s: And(s("remote_ue", "secured"), W("ghost.link_faults") != 0),
            applies=_lossy,
        ),
        Property(
            "supi_sent_on_sbi", "sometimes", "SUPI-SBI",
            "a SUPI is sent on a service-based interface (so the SUPI observer is live)",
            cite("S208", "[0146]", "S216", "S3041"),
            lambda s: W("ghost.supi_on_sbi") != 0,
        ),
    ]
}
