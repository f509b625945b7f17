"""Normative statements of methods 600 ([0538]-[0657], the AUSF triggers the update) and 700
([0658]-[0784], the PAnF triggers it), and their cases."""

from __future__ import annotations

from z3 import And, Implies, Not, Or, Xor

from prosecheck.analysis.contradictions import Case, Fact, Statement
from prosecheck.analysis.vocab import (
    AUSF_ASKS,
    AUSF_UPDATE,
    AUTHENTICATION,
    CHECK_OK,
    DCR_ID,
    DCR_SUCI,
    EAP_OK,
    EAP_RUNS,
    KEY_QUERY,
    KNR,
    KNR_GEN,
    KQR_403,
    KQR_KEY,
    KQR_SENT,
    KQR_SUPI,
    KSR_GEN,
    NEW_GEN,
    NEW_KEY,
    PANF_ASKS,
    PANF_CHECKS,
    PANF_GEN,
    PANF_INFO,
    PANF_LOCAL,
    PANF_UPDATE,
    REJECTED,
    REQ1_ID,
    REQ1_SUCI,
    UDM_FAIL,
    UDM_RESP,
    UE_GEN,
    UE_STORES,
)

_KNR_SOURCES = Or(And(KNR_GEN == 2, NEW_KEY), And(KNR_GEN == 1, KQR_KEY))

M600 = [
    Statement("0544", 600, "The direct communication request message carries a 5GPRUK ID #1 of the remote UE, RSC, "
              "Nounce_1, and the like.", And(DCR_ID, Not(DCR_SUCI))),
    Statement("0552", 600, "The ProSe authentication request message #1 carries the RSC, Nounce_1, the 5GPRUK ID #1 of the "
              "remote UE, and the like.", And(REQ1_ID, Not(REQ1_SUCI))),
    Statement("0555", 600, "when the ProSe authentication request message #1 carries the 5GPRUK ID #1, it indicates that "
              "the remote UE locally stores an old key 5GPRUK #1", UE_STORES, REQ1_ID),
    Statement("0558a", 600, "the AUSF (remote) determines not to update the 5GPRUK #1, Manner 1 and Manner 2 are performed "
              "(in this case, steps S6110 to S6112 in Manner 1 are not performed), or Manner 1 is performed (in this case, "
              "steps S6110 to S6112 in Manner 1 are performed)",
              And(KEY_QUERY, Not(AUTHENTICATION), Xor(PANF_ASKS, AUSF_ASKS)), Not(AUSF_UPDATE)),
    Statement("0558b", 600, "when the AUSF (remote) determines that the 5GPRUK #1 needs to be updated, Manner "
        "1 and Manner 3 "
              "are performed (where in this case, steps S6110 to S6112 in Manner 1 are not performed)",
              And(KEY_QUERY, AUTHENTICATION, Not(PANF_ASKS), Not(AUSF_ASKS)), AUSF_UPDATE,
              note="Manner 1 and Manner 3: the AUSF's check (Manner 2) is not among them"),
    Statement("0560", 600, "when steps S6110 to S6113 are not performed in Manner 1, Manner 2 needs to be performed",
              AUSF_ASKS, Not(PANF_ASKS)),
    Statement("0566a", 600, "when the PAnF stores 5G ProSe service authorization information", PANF_INFO, PANF_LOCAL),
    Statement("0566b", 600, "When the PAnF determines that authorization on the remote UE fails, the PAnF performs the step "
              "S610, and in this case, the key query response message carries indication information, for example, a "
              "cause value 403", And(KQR_SENT, KQR_403), And(PANF_LOCAL, Not(CHECK_OK))),
    Statement("0570", 600, "when the PAnF does not store 5G ProSe service authorization information, optionally, the PAnF "
              "may obtain the 5GPRUK #1 and the SUPI", Not(PANF_INFO), PANF_ASKS,
              note="the PAnF asks the UDM (S6110-S6112) only when it stores no information"),
    Statement("0584a", 600, "the authorization result in the authorization check response message includes success or "
              "failure that indicates whether the authorization check on the remote UE succeeds",
              UDM_FAIL == Not(CHECK_OK), UDM_RESP),
    Statement("0584b", 600, "the step S610 is performed only when the authorization check on the remote UE succeeds",
              Implies(KQR_SENT, CHECK_OK), PANF_ASKS, reading=("panf_answers_failed_check", 0)),
    Statement("0598", 600, "the following step S624 is performed only when the authorization check on the remote UE "
              "succeeds", Implies(KNR, CHECK_OK), AUSF_ASKS),
    Statement("0603", 600, "A subsequent ProSe authentication procedure, that is, steps S614 to S619, is "
        "performed only when "
              "the authorization check on the remote UE succeeds", CHECK_OK, EAP_RUNS),
    Statement("0620", 600, "the AUSF (remote) performs the following step S620a only when ProSe authentication succeeds",
              EAP_OK, NEW_KEY),
    Statement("0626", 600, "the remote UE replaces the 5GPRUK #1 and the 5GPRUK ID #1 with the 5GPRUK #2 and the 5GPRUK ID "
              "#2", And(NEW_GEN == 2, UE_GEN == 2), NEW_KEY),
    Statement("0629", 600, "The key storage request message includes the SUPI, the RSC, the 5GPRUK #2, and "
        "the 5GPRUK ID #2.",
              KSR_GEN == 2, NEW_KEY),
    Statement("0631", 600, "the PAnF (remote) replaces the 5GPRUK #1 and the 5GPRUK ID #1 with the 5GPRUK #2 and the "
              "5GPRUK ID #2", PANF_GEN == KSR_GEN, NEW_KEY),
    Statement("0636", 600, "the AUSF (remote) generates the key K_{NR_ProSe} based on the 5GPRUK #2 obtained in the step "
              "S620a or the 5GPRUK #1 obtained in S610", _KNR_SOURCES, KNR),
    Statement("0657", 600, "the 5GPRUK #1 may continue to be used only after the check succeeds", CHECK_OK, KNR_GEN == 1),
]

_ID_ONLY = Fact("0552", "the 5GPRUK ID #1 of the remote UE", And(REQ1_ID, Not(REQ1_SUCI), DCR_ID, Not(DCR_SUCI)))

CASES_600 = [
    Case("no update; the PAnF asks the UDM (S6110) and the check fails", 600, (
        _ID_ONLY, Fact("0558", "determines not to update the 5GPRUK #1", Not(AUSF_UPDATE)),
        Fact("0570", "the PAnF may further perform steps S6110 and S6112", PANF_ASKS),
        Fact("0584", "includes success or failure", Not(CHECK_OK)))),
    Case("no update; the AUSF asks the UDM (S611) and the check fails", 600, (
        _ID_ONLY, Fact("0558", "determines not to update the 5GPRUK #1", Not(AUSF_UPDATE)),
        Fact("0598", "includes success or failure", And(AUSF_ASKS, Not(CHECK_OK))))),
    Case("the AUSF decides to update; the UDM authorizes and authentication succeeds", 600, (
        _ID_ONLY, Fact("0558", "when the AUSF (remote) determines that the 5GPRUK #1 needs to be updated", AUSF_UPDATE),
        Fact("0603", "the UDM (remote) needs to check whether the remote UE is authorized", CHECK_OK),
        Fact("0620", "only when ProSe authentication succeeds", EAP_OK))),
]

_PANF_CHECK_PASSES = Implies(PANF_CHECKS, CHECK_OK)
_PANF_SUCCESS_NOTE = ("on the success path: what the key query response carries when the PAnF's own check (S7110-S7112 "
                      "or its stored information) did not refuse; after a refusal [0685] and [0704] apply")

M700 = [
    Statement("0664", 700, "The direct communication request message carries a 5GPRUK ID #1 of the remote UE, RSC, "
              "Nounce_1, and the like.", And(DCR_ID, Not(DCR_SUCI))),
    Statement("0671", 700, "The ProSe authentication request message #1 carries the RSC, Nounce_1, the 5GPRUK ID #1 of the "
              "remote UE, and the like.", And(REQ1_ID, Not(REQ1_SUCI))),
    Statement("0674", 700, "if the ProSe authentication request message #1 carries the 5GPRUK ID #1, it is determined to "
              "perform Manner 1 and Manner 2", KEY_QUERY, REQ1_ID),
    Statement("0675", 700, "if the ProSe authentication request message #1 carries the SUCI of the remote UE, it is "
              "determined to perform Manner 3", AUTHENTICATION, REQ1_SUCI),
    Statement("0681", 700, "the PAnF (remote) determines that the 5GPRUK #1 does not need to be updated. In this case, a "
              "step S710 carries the 5GPRUK #1.", KQR_KEY, And(KEY_QUERY, Not(PANF_UPDATE), _PANF_CHECK_PASSES),
              note="'S710' (the PAnF's decision) read as S711, the key query response; " + _PANF_SUCCESS_NOTE),
    Statement("0682", 700, "the PAnF (remote) determines that the 5GPRUK #1 needs to be updated, and a step S710 does not "
              "carry the 5GPRUK #1", Not(KQR_KEY), PANF_UPDATE),
    Statement("0684", 700, "after determining that the 5GPRUK #1 does not need to be updated, the PAnF may perform an "
              "authorization check on the remote UE", Not(PANF_UPDATE), PANF_CHECKS),
    Statement("0685a", 700, "when the PAnF stores 5G ProSe service authorization information", PANF_INFO, PANF_LOCAL),
    Statement("0685b", 700, "When the PAnF determines that authorization on the remote UE fails, the PAnF performs the step "
              "S711, and in this case, the key query response message carries indication information, for example, a "
              "cause value 403", And(KQR_SENT, KQR_403), And(PANF_LOCAL, Not(CHECK_OK))),
    Statement("0704a", 700, "the authorization result in the authorization check response message includes success or "
              "failure that indicates whether the authorization check on the remote UE succeeds",
              UDM_FAIL == Not(CHECK_OK), UDM_RESP),
    Statement("0704b", 700, "the step S711 is performed only when the authorization check on the remote UE succeeds",
              Implies(KQR_SENT, CHECK_OK), PANF_ASKS, reading=("panf_answers_failed_check", 0)),
    Statement("0705", 700, "When the process is performed, steps S713 and S714 do not need to be performed. "
        "When the process "
              "is not performed, the steps S713 and S714 need to be performed.", Xor(PANF_ASKS, AUSF_ASKS),
              And(KEY_QUERY, Not(PANF_UPDATE))),
    Statement("0707a", 700, "if the PAnF (remote) determines that the 5GPRUK #1 needs to be updated, the key query response "
              "message carries the SUPI", And(KQR_SENT, KQR_SUPI), PANF_UPDATE),
    Statement("0707b", 700, "If the PAnF (remote) determines that the 5GPRUK #1 does not need to be updated, the key query "
              "response message carries the 5GPRUK #1 and the SUPI.", And(KQR_KEY, KQR_SUPI),
              And(KEY_QUERY, Not(PANF_UPDATE), _PANF_CHECK_PASSES), note=_PANF_SUCCESS_NOTE),
    Statement("0710", 700, "if the key query response message includes the 5GPRUK #1, key query succeeds. This means that "
              "the 5GPRUK #1 does not need to be updated.", Not(PANF_UPDATE), KQR_KEY),
    Statement("0711", 700, "the PAnF feeds back the 5GPRUK #1 to the AUSF (remote). Further, the AUSF "
        "(remote) may determine, "
              "based on the 5GPRUK #1, that the remote UE has permission to use the 5G ProSe service. Then, the AUSF "
              "(remote) directly performs a step S726.", KQR_KEY, And(PANF_CHECKS, CHECK_OK),
              note="only the PAnF's feeding back is encoded; the AUSF 'may' then determine permission"),
    Statement("0712a", 700, "if the key query response message does not include the 5GPRUK #1, key query fails. This means "
              "that the 5GPRUK #1 needs to be updated.", PANF_UPDATE, And(KQR_SENT, Not(KQR_KEY))),
    Statement("0712b", 700, "if it is determined, by using steps S7110 to S7113 in Manner 1, that the remote UE has "
              "permission to use the 5G ProSe service, a service request of the remote UE may be rejected. In this case, "
              "a subsequent procedure is interrupted.", And(REJECTED, Not(KNR)),
              And(Not(KQR_KEY), PANF_ASKS, CHECK_OK)),
    Statement("0725", 700, "It should be understood that the following step S726 is performed only when the authorization "
              "check on the remote UE succeeds.", Implies(KNR, CHECK_OK), AUSF_ASKS),
    Statement("0730", 700, "A subsequent ProSe authentication procedure, that is, steps S716 to S721, is "
        "performed only when "
              "the authorization check on the remote UE succeeds", CHECK_OK, EAP_RUNS),
    Statement("0747", 700, "the AUSF (remote) performs the following step S722a only when ProSe authentication succeeds",
              EAP_OK, NEW_KEY),
    Statement("0748", 700, "S722a: The AUSF (remote) generates a 5GPRUK #2 and a 5GPRUK ID #2.", NEW_GEN == 2, NEW_KEY),
    Statement("0750", 700, "S722b: The remote UE generates and stores a newly generated 5GPRUK #2 and a newly generated "
              "5GPRUK ID #2.", UE_GEN == 2, NEW_KEY),
    Statement("0753", 700, "the remote UE stores the updated 5GPRUK #1 and the updated 5GPRUK ID #1", UE_GEN == 1, NEW_KEY),
    Statement("0756", 700, "The key storage request message includes the SUPI, the RSC, the 5GPRUK #1, and "
        "the 5GPRUK ID #1.",
              KSR_GEN == 1, NEW_KEY),
    Statement("0757", 700, "S724: The PAnF (remote) stores the 5GPRUK #1 and the 5GPRUK ID #1.", PANF_GEN == 1, NEW_KEY),
    Statement("0758", 700, "stores the newly generated 5GPRUK #2 and the newly generated 5GPRUK ID #2", PANF_GEN == 2,
              NEW_KEY),
    Statement("0761", 700, "refer to steps S611 to S623 in the foregoing method 600", KSR_GEN == NEW_GEN, NEW_KEY,
              note="as at S621 ([0629]), the key storage request carries the key the AUSF has just generated"),
    Statement("0763", 700, "the AUSF (remote) generates the key K_{NR_ProSe} based on the 5GPRUK #2 obtained in the step "
              "S722a or the 5GPRUK #1 obtained in S711", _KNR_SOURCES, KNR),
    Statement("0784", 700, "the 5GPRUK #1 may continue to be used only after the check succeeds", CHECK_OK, KNR_GEN == 1),
]

_ID_ONLY_700 = Fact("0671", "the 5GPRUK ID #1 of the remote UE", And(REQ1_ID, Not(REQ1_SUCI), DCR_ID, Not(DCR_SUCI)))
_NO_UPDATE_700 = Fact("0684", "after determining that the 5GPRUK #1 does not need to be updated", Not(PANF_UPDATE))

CASES_700 = [
    Case("no update; the PAnF asks the UDM (S7110) and the check fails", 700, (
        _ID_ONLY_700, _NO_UPDATE_700, Fact("0689", "the PAnF may further perform steps S7110 and S7112", PANF_ASKS),
        Fact("0704", "includes success or failure", Not(CHECK_OK)))),
    Case("no update; the PAnF checks its stored information and the check fails", 700, (
        _ID_ONLY_700, _NO_UPDATE_700,
        Fact("0685", "When the PAnF determines that authorization on the remote UE fails", And(PANF_LOCAL, Not(CHECK_OK))))),
    Case("no update; the AUSF asks the UDM (S713) and the check fails", 700, (
        _ID_ONLY_700, _NO_UPDATE_700, Fact("0725", "includes success or failure", And(AUSF_ASKS, Not(CHECK_OK))))),
    Case("the PAnF decides to update; the UDM authorizes and authentication succeeds", 700, (
        _ID_ONLY_700, Fact("0682", "the PAnF (remote) determines that the 5GPRUK #1 needs to be updated", PANF_UPDATE),
        Fact("0730", "the UDM (remote) needs to check whether the remote UE is authorized", CHECK_OK),
        Fact("0747", "only when ProSe authentication succeeds", And(EAP_OK, NEW_KEY)))),
]
