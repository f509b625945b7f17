"""The messages of the control-plane procedure, named as in the patent and TS 33.503.

Each message has a spec title, the link kind it travels on (PC5, NAS or SBI), a citation,
and its fields with a *kind* (what the value is, e.g. ``supi`` or ``pruk``) that observers use
to track who learns what (a ``mac`` field names the KNR_ProSe a PC5 message is integrity protected
with, TS 33.503 6.3.3.3: it reveals nothing of the key). Field values are small integers (see :mod:`terms`); 0 means the
field is not carried. Fields whose kind is ``ghost`` exist only for the properties (the
connection attempt a message belongs to) and are never read by a guard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prosecheck.model.spec import SpecRef, cite


@dataclass(frozen=True)
class MessageType:
    name: str
    title: str
    link: str  # "pc5" | "nas" | "sbi"
    ref: SpecRef
    fields: tuple[tuple[str, str], ...]  # (field name, kind)
    fix: str = ""  # the option of a proposed fix that adds this message (prosecheck.model.fixes); "": the text's

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f for f, _ in self.fields)


_IDENTITY = (("id_type", "id_type"), ("suci", "suci"), ("pruk_id", "pruk_id"), ("rsc", "rsc"), ("nonce_1", "nonce"),
             ("update_indication", "flag"))
"""S204/S405/S505: SUCI or 5GPRUK ID, RSC, Nonce_1; in method 500 optionally a key update indication ([0429])."""

MESSAGES: dict[str, MessageType] = {
    m.name: m
    for m in [
        # PC5: remote UE <-> relay UE
        MessageType("direct_communication_request", "Direct Communication Request", "pc5",
                    cite("S204", "[0126]", "[0129]", "S302", "[0245]"), _IDENTITY),
        MessageType("eap_request", "EAP information #1", "pc5", cite("S211", "[0156]"), (("eap_av", "eap"),)),
        MessageType("eap_response", "EAP information #2", "pc5", cite("S212", "[0159]", "[0161]"), (("eap_res", "eap"),)),
        MessageType("direct_security_mode_command", "Direct Security Mode Command", "pc5",
                    cite("S223", "[0203]", "[0206]", "[0207]"),
                    (("nonce_2", "nonce"), ("eap_success", "flag"), ("mac_knr", "mac"))),
        MessageType("direct_security_mode_complete", "Direct Security Mode Complete", "pc5",
                    cite("S225", "[0210]", "[0213]"), (("mac_knr", "mac"),)),
        MessageType("direct_communication_accept", "Direct Communication Accept", "pc5",
                    cite("S226", "[0214]", "[0217]"), (("mac_knr", "mac"),)),
        MessageType("direct_communication_reject", "Direct Communication Reject", "pc5",
                    cite("TS 24.554 7.2.2"), (("cause", "result"),)),
        MessageType("direct_link_release", "Direct Link Release Request", "pc5", cite("TS 24.554 7.2.6"), ()),
        # NAS: relay UE <-> AMF (relay)
        MessageType("relay_key_request", "Relay Key Request", "nas", cite("S205", "[0133]", "TS 24.501 5.5.4"), _IDENTITY),
        MessageType("relay_authentication_request", "Relay Authentication Request", "nas",
                    cite("S210", "[0155]"), (("eap_av", "eap"),)),
        MessageType("relay_authentication_response", "Relay Authentication Response", "nas",
                    cite("S213", "[0165]"), (("eap_res", "eap"),)),
        MessageType("relay_key_response", "Relay Key Response", "nas", cite("S222", "[0201]", "[0202]"),
                    (("knr", "knr"), ("nonce_2", "nonce"), ("eap_success", "flag"))),
        MessageType("relay_key_reject", "Relay Key Reject", "nas", cite("TS 24.501 5.5.4"), (("cause", "result"),)),
        # SBI: AMF (relay) <-> AUSF (remote)
        MessageType("prose_authentication_request_1", "Nausf_UEAuthentication_ProseAuthenticate Request #1", "sbi",
                    cite("S207", "[0139]"), _IDENTITY),
        MessageType("prose_authentication_response_1", "Nausf_UEAuthentication_ProseAuthenticate Response #1 (EAP #1)",
                    "sbi", cite("S209", "[0151]"), (("eap_av", "eap"),)),
        MessageType("prose_authentication_request_2", "Nausf_UEAuthentication_ProseAuthenticate Request #2 (EAP #2)",
                    "sbi", cite("S214", "[0169]"), (("eap_res", "eap"),)),
        MessageType("prose_authentication_response_2", "Nausf_UEAuthentication_ProseAuthenticate Response #2", "sbi",
                    cite("S221", "[0196]", "[0197]"),
                    (("knr", "knr"), ("nonce_2", "nonce"), ("eap_success", "flag"), ("kausf_p", "kausf_p"))),
        MessageType("prose_authentication_failure", "Nausf_UEAuthentication_ProseAuthenticate Response (403)", "sbi",
                    cite("TS 29.509 6.1.6"), (("cause", "result"),)),
        # SBI: AUSF <-> UDM
        MessageType("av_request", "Nudm_UEAuthentication_GetProseAv Request", "sbi",
                    cite("S208", "[0143]", "[0144]", "[0146]", "S514", "[0481]", "S613", "[0602]"),
                    (("suci", "suci"), ("supi", "supi"), ("g_attempt", "ghost"))),
        MessageType("av_response", "Nudm_UEAuthentication_GetProseAv Response", "sbi",
                    cite("S208", "[0143]", "[0145]", "[0266]"),
                    (("result", "result"), ("supi", "supi"), ("kausf_p", "kausf_p"), ("authz_info", "authz"))),
        # SBI: AUSF <-> PAnF
        MessageType("key_storage_request", "Npanf_ProseKey_Register Request", "sbi", cite("S216", "[0178]", "[0266]"),
                    (("supi", "supi"), ("pruk", "pruk"), ("pruk_id", "pruk_id"), ("rsc", "rsc"), ("authz_info", "authz"))),
        MessageType("key_storage_response", "Npanf_ProseKey_Register Response", "sbi", cite("S217", "[0181]"),
                    (("result", "result"),)),
        MessageType("key_query_request", "Npanf_ProseKey_get Request", "sbi",
                    cite("S218", "[0186]", "S3031", "[0250]", "S410", "S510", "S609", "S709"),
                    (("pruk_id", "pruk_id"), ("rsc", "rsc"), ("for_update", "flag"), ("g_attempt", "ghost"))),
        MessageType("key_query_response", "Npanf_ProseKey_get Response", "sbi",
                    cite("S219", "[0190]", "S3032", "[0252]", "S411", "S511", "S610", "S711", "[0707]"),
                    (("pruk", "pruk"), ("supi", "supi"), ("result", "result"))),
        # SBI: PAnF or AUSF <-> UDM (the patent's authorization check)
        MessageType("authorization_check_request", "Nudm_UEAuthorization_ProseCheck Request", "sbi",
                    cite("S3041", "[0258]", "S3051", "[0274]", "[0275]"),
                    (("supi", "supi"), ("rsc", "rsc"), ("requester", "requester"), ("g_attempt", "ghost"))),
        MessageType("authorization_check_response", "Nudm_UEAuthorization_ProseCheck Response", "sbi",
                    cite("S3042", "[0262]", "[0263]", "S3052", "[0283]", "[0284]"), (("result", "result"),)),
        # SBI, only under proposed fixes (prosecheck/model/fixes.py): the UDM notifies the AUSF and the PAnF
        # (udm_notifies_authorization, findings 2, 6, 16); the PAnF answers an unknown 5GPRUK ID with 404
        MessageType("authorization_notification", "Nudm_SDM_Notification (ProSe relay authorization changed)", "sbi",
                    cite("[0220]", "[0266]", "TS 29.503 Nudm_SDM_Notification"), (("granted", "flag"),),
                    fix="udm_notifies_authorization"),
        MessageType("key_query_unknown_id", "Npanf_ProseKey_get Response (404 5GPRUK ID unknown)", "sbi",
                    cite("S3032", "[0252]", "[0713]", "TS 29.561 Npanf_ProseKey_get"), (("result", "result"),),
                    fix="unknown_id_falls_back_to_suci"),
        MessageType("authorization_notification_ack", "Nudm_SDM_Notification Response (204)", "sbi",
                    cite("TS 29.503 Nudm_SDM_Notification"), (("granted", "flag"),),
                    fix="udm_notifies_authorization"),
    ]
}


def _in_catalogue(m: MessageType, options: Mapping[str, int] | None) -> bool:
    """The text's messages always; a fix's message only where ``options`` enable that fix."""
    return not m.fix or bool(options and options.get(m.fix, 0))


def field_names(options: Mapping[str, int] | None = None) -> dict[str, tuple[str, ...]]:
    """The message catalogue of a scenario with these options (None: the text's messages only)."""
    return {name: m.field_names for name, m in MESSAGES.items() if _in_catalogue(m, options)}


def every_field_name() -> dict[str, tuple[str, ...]]:
    """The catalogue with every fix's messages too: for reading a trace before its scenario is known."""
    return {name: m.field_names for name, m in MESSAGES.items()}


def field_kinds(options: Mapping[str, int] | None = None) -> dict[str, tuple[str, ...]]:
    """Each message's field kinds, over the same catalogue as :func:`field_names`."""
    return {name: tuple(k for _, k in m.fields) for name, m in MESSAGES.items() if _in_catalogue(m, options)}
