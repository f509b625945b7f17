"""Seeded mutants: small, realistic modelling or specification mistakes.

Each mutant rewrites one element's rules (a replaced guard or effect, or a removed
transition). They give every property a world where it fails, and the reliability work
grows them into a kill matrix. Run one with ``prosecheck check SCENARIO --mutant ID``."""

from __future__ import annotations

from dataclasses import dataclass, replace

from prosecheck.checker.expr import M, V
from prosecheck.checker.machine import Effect, Rewrite, Send
from prosecheck.model.elements import AusfRemote, RemoteUe, UdmRemote
from prosecheck.model.terms import ID_SUCI, RESULT_OK, RSC, SUCI_NULL_SCHEME, knr


@dataclass(frozen=True)
class Mutant:
    id: str
    role: str
    description: str
    rewrite: Rewrite


def _with_send(effect: Effect, send: Send) -> Effect:
    return replace(effect, send=[send])


_UE = RemoteUe.EFFECTS
_AUSF = AusfRemote.EFFECTS
_RESPONSE_2 = _AUSF["derive_knr_from_new_pruk"].send[0]

MUTANTS: dict[str, Mutant] = {
    m.id: m
    for m in [
        Mutant(
            "null_scheme_suci", "remote_ue",
            "the remote UE conceals its SUPI with the null protection scheme, so S204 carries it in clear",
            Rewrite(effects={"request_with_suci": _with_send(_UE["request_with_suci"], Send(
                "relay_ue", "direct_communication_request",
                {"id_type": ID_SUCI, "suci": SUCI_NULL_SCHEME, "rsc": RSC,
                 "nonce_1": _UE["request_with_suci"].assign["nonce_1"]}))}),
        ),
        Mutant(
            "ue_knr_without_nonce_2", "remote_ue",
            "the remote UE derives KNR_ProSe without Nonce_2 from S223 (S224 done wrong)",
            Rewrite(effects={"derive_knr_from_stored_pruk": replace(
                _UE["derive_knr_from_stored_pruk"], assign={"knr": knr(V("pruk_gen"), V("nonce_1"), 0)})}),
        ),
        Mutant(
            "ue_ignores_eap_request", "remote_ue",
            "the remote UE has no transition for EAP information #1 (S211) after S204",
            Rewrite(disabled=frozenset({"answer_eap"})),
        ),
        Mutant(
            "ausf_leaks_kausf_p", "ausf",
            "the AUSF includes KAUSF_P in ProSe authentication response #2 to the AMF (S221)",
            Rewrite(effects={"derive_knr_from_new_pruk": _with_send(_AUSF["derive_knr_from_new_pruk"], Send(
                _RESPONSE_2.to, _RESPONSE_2.message, {**_RESPONSE_2.fields, "kausf_p": 1}))}),
        ),
        Mutant(
            "ausf_eap_never_verifies", "ausf",
            "the AUSF never accepts EAP information #2 (S215a always fails)",
            Rewrite(disabled=frozenset({"verify_eap_and_derive_pruk"})),
        ),
        Mutant(
            "ausf_ignores_check_result", "ausf",
            "the AUSF reads a failed S3052 authorization check as success and derives KNR_ProSe",
            Rewrite(guards={"authorization_granted": M("result") != 0}),
        ),
        Mutant(
            "panf_skips_udm_check", "panf",
            "the PAnF returns 5GPRUK #1 without asking the UDM (S3041/S3042 skipped)",
            Rewrite(guards={"check_via_udm": False, "no_check": True}),
        ),
        Mutant(
            "udm_omits_supi", "udm",
            "the UDM's S208 response carries no SUPI (SUCI de-concealment result lost)",
            Rewrite(effects={"grant_av": replace(
                UdmRemote.EFFECTS["grant_av"],
                send=[Send("ausf", "av_response", {"result": RESULT_OK, "kausf_p": 1, "authz_info": RESULT_OK})])}),
        ),
        Mutant(
            "udm_silent_on_denial", "udm",
            "the UDM sends no authorization check response when the check fails (S3042/S3052)",
            Rewrite(effects={"deny_authorization": UdmRemote.EFFECTS["withhold_failure_answer"]}),
        ),
        Mutant(
            "udm_never_answers_av", "udm",
            "the UDM never answers an authentication vector request (S208)",
            Rewrite(disabled=frozenset({"grant_av", "refuse_av"})),
        ),
    ]
}
