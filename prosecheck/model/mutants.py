"""Seeded mutants: small, realistic modelling or specification mistakes.

Each mutant rewrites one element's rules (a replaced guard or effect, or a removed
transition) and names the scenarios it targets (where the rule it breaks is in use).
`prosecheck mutants` runs every mutant on its scenarios and prints which properties kill it
(give a verdict other than the unmutated scenario's); every mutant must be killed. Run one
with ``prosecheck check SCENARIO --mutant ID``. Add one with :func:`_guard`, :func:`_effect`
or :func:`_disable`: one line of rules and one line of description."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from prosecheck.checker.expr import ExprLike, M, O, Or, V
from prosecheck.checker.machine import Effect, Rewrite, Send
from prosecheck.model.elements import AmfRelay, AusfRemote, PanfRemote, RelayUe, RemoteUe, UdmRemote
from prosecheck.model.lifecycle import knr_from_superseded, store_generation
from prosecheck.model.terms import CHECK_NONE, CHECK_PANF_LOCAL, ID_SUCI, RESULT_OK, SUCI_NULL_SCHEME, knr

M200, LOCAL, PANF_UDM, AUSF_UDM = "m200", "m300.panf_local", "m300.panf_udm", "m300.ausf_udm"
M400 = "m400.ausf_udm"
M200_PC5 = "m200@pc5_attacker"


@dataclass(frozen=True)
class Mutant:
    id: str
    role: str
    description: str
    rewrite: Rewrite
    scenarios: tuple[str, ...] = (M200,)


def _guard(mid: str, role: str, text: str, scenarios: tuple[str, ...], **guards: ExprLike) -> Mutant:
    return Mutant(mid, role, text, Rewrite(guards=guards), scenarios)


def _effect(mid: str, role: str, text: str, scenarios: tuple[str, ...], **effects: Effect) -> Mutant:
    return Mutant(mid, role, text, Rewrite(effects=effects), scenarios)


def _disable(mid: str, role: str, text: str, scenarios: tuple[str, ...], *effects: str) -> Mutant:
    return Mutant(mid, role, text, Rewrite(disabled=frozenset(effects)), scenarios)


def _assign(effect: Effect, **assign: ExprLike) -> Effect:
    """The effect with some assignments replaced."""
    return replace(effect, assign={**effect.assign, **assign})


def _sending(effect: Effect, message: str | None = None, **fields: ExprLike) -> Effect:
    """The effect with its (single) send's fields changed, or a different message sent."""
    send = effect.send[0]
    base: Mapping[str, ExprLike] = {} if message else send.fields
    return replace(effect, send=[Send(send.to, message or send.message, {**base, **fields})])


_UE, _RELAY, _AMF = RemoteUe.EFFECTS, RelayUe.EFFECTS, AmfRelay.EFFECTS
_AUSF, _PANF, _UDM = AusfRemote.EFFECTS, PanfRemote.EFFECTS, UdmRemote.EFFECTS
_RESPONSE_2 = _AUSF["derive_knr_from_new_pruk"].send[0]
_NONCE_2 = V("nonce_2_count") + 1

_LIST = [
    # -- remote UE ----------------------------------------------------------------------------------
    _effect("null_scheme_suci", "remote_ue",
            "the remote UE conceals its SUPI with the null protection scheme, so S204 carries it in clear", (M200,),
            request_with_suci=_sending(_UE["request_with_suci"], suci=SUCI_NULL_SCHEME)),
    _effect("ue_knr_without_nonce_2", "remote_ue",
            "the remote UE derives KNR_ProSe without Nonce_2 from S223 (S224 done wrong)", (M200,),
            derive_knr_from_stored_pruk=_assign(_UE["derive_knr_from_stored_pruk"],
                                                knr=knr(V("pruk_gen"), V("nonce_1"), 0))),
    _disable("ue_ignores_eap_request", "remote_ue",
             "the remote UE has no transition for EAP information #1 (S211) after S204", (M200,), "answer_eap"),
    _disable("ue_never_requests", "remote_ue",
             "the remote UE never sends a Direct Communication Request (S204 missing)", (M200,),
             "request_with_pruk_id", "request_with_suci", "request_update_with_suci", "request_update_with_indication"),
    _effect("ue_swaps_nonces", "remote_ue",
            "the remote UE feeds Nonce_2 and Nonce_1 to the KDF in the wrong order (S224)", (M200,),
            derive_knr_from_stored_pruk=_assign(_UE["derive_knr_from_stored_pruk"],
                                                knr=knr(V("pruk_key"), M("nonce_2"), V("nonce_1"))),
            derive_pruk_and_knr=_assign(_UE["derive_pruk_and_knr"],
                                        knr=knr(_UE["derive_pruk_and_knr"].assign["pruk_key"], M("nonce_2"), V("nonce_1")))),
    _effect("ue_keeps_old_pruk", "remote_ue",
            "after EAP success the remote UE keeps its old 5GPRUK and derives KNR_ProSe from it (S215b not done)",
            (M200,), derive_pruk_and_knr=replace(_UE["derive_pruk_and_knr"],
                                                 assign={"knr": knr(V("pruk_key"), V("nonce_1"), M("nonce_2"))})),
    _effect("ue_reject_read_as_accept", "remote_ue",
            "the remote UE reads a Direct Communication Reject as the end of a secured attempt", (PANF_UDM,),
            end_rejected_attempt=replace(_UE["end_rejected_attempt"], ghost=_UE["mark_link_secured"].ghost)),
    _guard("ue_misreads_eap_success", "remote_ue",
           "the remote UE reads the EAP success indication of S223 inverted", (M200,), eap_succeeded=M("eap_success") == 0),
    _guard("ue_claims_key_it_lacks", "remote_ue",
           "the remote UE sends a 5GPRUK ID although it stores no 5GPRUK ([0129] inverted)", (M200,), stores_pruk=True),
    _guard("ue_never_reuses_key", "remote_ue",
           "the remote UE always sends its SUCI, never the stored 5GPRUK ID ([0129])", (PANF_UDM,), stores_pruk=False),
    # -- relay UE -----------------------------------------------------------------------------------
    _effect("relay_does_not_store_knr", "relay_ue",
            "the relay UE does not store the KNR_ProSe of the Relay Key Response (S223)", (M200,),
            store_knr_and_command=_assign(_RELAY["store_knr_and_command"], knr=0)),
    _effect("relay_stale_nonce_2", "relay_ue",
            "the relay UE sends a fixed Nonce_2 in the Direct Security Mode Command, not the AMF's (S223)", (M200,),
            store_knr_and_command=_sending(_RELAY["store_knr_and_command"], nonce_2=1)),
    _effect("relay_drops_eap_success", "relay_ue",
            "the relay UE leaves the EAP success indication out of the Direct Security Mode Command (S223)", (M200,),
            store_knr_and_command=_sending(_RELAY["store_knr_and_command"], eap_success=0)),
    _effect("relay_reject_as_accept", "relay_ue",
            "the relay UE answers a Relay Key Reject with a Direct Communication Accept", (M200,),
            reject_direct_communication=_sending(_RELAY["reject_direct_communication"], "direct_communication_accept")),
    _effect("relay_rewrites_identity", "relay_ue",
            "the relay UE always marks the identity of S205 as a SUCI, whatever the remote UE sent", (M200,),
            forward_relay_key_request=_sending(_RELAY["forward_relay_key_request"], id_type=ID_SUCI, suci=M("suci"))),
    # -- AMF (relay) ----------------------------------------------------------------------------------
    _disable("amf_never_refuses_relay", "amf",
             "the AMF never refuses the relay UE: the S206 relay authorization is not done", (M200,),
             "reject_unauthorized_relay"),
    _effect("amf_refusal_answered_with_key", "amf",
            "the AMF finds the relay UE not authorized (S206) but answers with a Relay Key Response", (M200,),
            reject_unauthorized_relay=_sending(_AMF["reject_unauthorized_relay"], "relay_key_response")),
    _effect("amf_failure_as_key", "amf",
            "the AMF answers the AUSF's failure response with a Relay Key Response (failure read as success)", (M200,),
            reject_relay_key=_sending(_AMF["reject_relay_key"], "relay_key_response")),
    Mutant("ue_unchecked_accept_with_wrong_knr", "remote_ue",
           "the remote UE derives KNR_ProSe without Nonce_2 (S224) and accepts the Direct Communication Accept without "
           "checking it with that key (TS 33.503 6.3.3.3)",
           Rewrite(guards={"accept_verifies": True, "accept_rejected": False},
                   effects={"derive_knr_from_stored_pruk": _assign(_UE["derive_knr_from_stored_pruk"],
                                                                   knr=knr(V("pruk_gen"), V("nonce_1"), 0))}),
           (M200_PC5,)),
    _effect("amf_passes_response_2_to_relay", "amf",
            "the AMF passes the AUSF's response #2 itself (with any KAUSF_P in it) to the relay UE instead of the Relay "
            "Key Response (S222)", (M200,),
            deliver_relay_key=_sending(_AMF["deliver_relay_key"], "prose_authentication_response_2", knr=M("knr"),
                                       nonce_2=M("nonce_2"), eap_success=M("eap_success"), kausf_p=M("kausf_p"))),
    _effect("amf_drops_nonce_2", "amf",
            "the AMF leaves Nonce_2 out of the Relay Key Response (S222)", (M200,),
            deliver_relay_key=_sending(_AMF["deliver_relay_key"], nonce_2=0)),
    # -- AUSF (remote) --------------------------------------------------------------------------------
    _effect("ausf_leaks_kausf_p", "ausf",
            "the AUSF includes KAUSF_P in ProSe authentication response #2 to the AMF (S221)", (M200,),
            derive_knr_from_new_pruk=_sending(_AUSF["derive_knr_from_new_pruk"], kausf_p=1)),
    _disable("ausf_eap_never_verifies", "ausf",
             "the AUSF never accepts EAP information #2 (S215a always fails)", (M200,), "verify_eap_and_derive_pruk"),
    _guard("ausf_ignores_check_result", "ausf",
           "the AUSF reads a failed S3052 authorization check as success and derives KNR_ProSe", (AUSF_UDM,),
           authorization_granted=M("result") != 0),
    _guard("ausf_skips_udm_check", "ausf",
           "the AUSF derives KNR_ProSe from the queried 5GPRUK without asking the UDM (S3051/S3052 skipped)",
           (AUSF_UDM,), check_at_ausf=False),
    _guard("ausf_av_refusal_as_grant", "ausf",
           "the AUSF reads the UDM's S208 refusal (403) as a granted authentication vector", (PANF_UDM, AUSF_UDM),
           av_granted=M("result") != 0),
    _guard("ausf_key_refusal_as_key", "ausf",
           "the AUSF reads a key query response without 5GPRUK #1 (check failed, [0252]) as a returned key",
           (PANF_UDM,), key_returned=M("result") != 0),
    _effect("ausf_knr_from_old_pruk", "ausf",
            "the AUSF derives KNR_ProSe from the previous 5GPRUK generation after a new registration (S220)", (M200,),
            derive_knr_from_new_pruk=_sending(_AUSF["derive_knr_from_new_pruk"],
                                              knr=knr(V("pruk_gen") - 1, V("nonce_1"), _NONCE_2))),
    _effect("ausf_knr_without_nonce_1", "ausf",
            "the AUSF derives KNR_ProSe from the queried 5GPRUK without Nonce_1 (S220)", (M200,),
            derive_knr_from_queried_pruk=_sending(_AUSF["derive_knr_from_queried_pruk"], knr=knr(M("pruk"), 0, _NONCE_2))),
    _effect("ausf_registers_other_key", "ausf",
            "the AUSF registers at the PAnF a 5GPRUK other than the one it derived (S216)", (M200,),
            verify_eap_and_derive_pruk=_sending(_AUSF["verify_eap_and_derive_pruk"], pruk=M("eap_res") + 1)),
    _effect("ausf_drops_eap_success", "ausf",
            "the AUSF leaves the EAP success indication out of response #2 after a new registration (S221)", (M200,),
            derive_knr_from_new_pruk=_sending(_AUSF["derive_knr_from_new_pruk"], eap_success=0)),
    _effect("ue_derives_knr_from_old_pruk", "remote_ue",
            "on EAP success the remote UE stores 5GPRUK #2 but derives KNR_ProSe from 5GPRUK #1 (S421b/S429 mixed up)",
            (M400,), derive_pruk_and_knr=replace(
                _UE["derive_pruk_and_knr"],
                assign={**_UE["derive_pruk_and_knr"].assign, "knr": knr(V("pruk_key"), V("nonce_1"), M("nonce_2"))},
                ghost={**_UE["derive_pruk_and_knr"].ghost,
                       "knr_from_superseded": knr_from_superseded(V("pruk_gen"), V("nonce_1"))})),
    _effect("ue_stores_beside_old_pruk", "remote_ue",
            "the remote UE stores 5GPRUK #2 beside 5GPRUK #1 instead of replacing it ([0387] not applied)", (M400,),
            derive_pruk_and_knr=_assign(_UE["derive_pruk_and_knr"],
                                        **store_generation("pruk_gen", "old_gen", V("pending_gen"), False).assign)),
    # -- PAnF (remote) --------------------------------------------------------------------------------
    _effect("panf_stores_beside_old_pruk", "panf",
            "the PAnF stores 5GPRUK #2 beside 5GPRUK #1 instead of replacing it ([0393] not applied)", (M400,),
            store_key=_assign(_PANF["store_key"], **store_generation("pruk_gen", "old_gen", M("pruk"), False).assign)),
    _guard("panf_skips_udm_check", "panf",
           "the PAnF returns 5GPRUK #1 without asking the UDM (S3041/S3042 skipped)", (PANF_UDM,),
           check_via_udm=False, no_check=True),
    _effect("panf_keeps_old_key", "panf",
            "the PAnF keeps the 5GPRUK it already holds when a new one is registered (S216/S217)", (M200,),
            store_key=replace(_PANF["store_key"], assign={"supi": M("supi"), "authz_info": M("authz_info")})),
    _guard("panf_ignores_udm_denial", "panf",
           "the PAnF reads the UDM's S3042 failure (403) as success and returns 5GPRUK #1", (PANF_UDM,),
           authorization_granted=M("result") != 0),
    _guard("panf_skips_local_check", "panf",
           "the PAnF returns 5GPRUK #1 without looking at its stored authorization info ([0265] skipped)", (LOCAL,),
           check_locally=False, no_check=Or(O("check") == CHECK_NONE, O("check") == CHECK_PANF_LOCAL)),
    _effect("panf_stores_no_authz_info", "panf",
            "the PAnF does not store the ProSe authorization info of the key storage request ([0266])", (LOCAL,),
            store_key=_assign(_PANF["store_key"], authz_info=0)),
    # -- UDM (remote) ---------------------------------------------------------------------------------
    _effect("udm_omits_supi", "udm",
            "the UDM's S208 response carries no SUPI (SUCI de-concealment result lost)", (M200,),
            grant_av=_sending(_UDM["grant_av"], "av_response", result=RESULT_OK, kausf_p=1, authz_info=RESULT_OK)),
    _effect("udm_silent_on_denial", "udm",
            "the UDM sends no authorization check response when the check fails (S3042/S3052)", (AUSF_UDM,),
            deny_authorization=_UDM["withhold_failure_answer"]),
    _disable("udm_never_answers_av", "udm",
             "the UDM never answers an authentication vector request (S208)", (M200,), "grant_av", "refuse_av"),
    _effect("udm_confirms_when_withdrawn", "udm",
            "the UDM answers the authorization check with success from a stale copy of the subscription", (PANF_UDM,),
            deny_authorization=_UDM["confirm_authorization"]),
    _effect("udm_check_response_without_result", "udm",
            "the UDM's successful authorization check response carries no result (S3052)", (AUSF_UDM,),
            confirm_authorization=_sending(_UDM["confirm_authorization"], result=0)),
    _effect("udm_withdrawal_not_written", "udm",
            "the operator's withdrawal of the relay authorization is never written to the subscription", (M200,),
            withdraw=_assign(_UDM["withdraw"], authorized=True)),
]

MUTANTS: dict[str, Mutant] = {m.id: m for m in _LIST}

__all__ = ["MUTANTS", "Mutant"]
