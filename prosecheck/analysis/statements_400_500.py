"""Normative statements of methods 400 ([0295]-[0420], the remote UE triggers the update by
sending its SUCI) and 500 ([0421]-[0537], by a key update indication), and their cases."""

from __future__ import annotations

from z3 import And, Implies, Not, Or, Xor

from prosecheck.analysis.contradictions import Case, Fact, Statement
from prosecheck.analysis.vocab import (
    AUSF_ASKS,
    AUTHENTICATION,
    CHECK_OK,
    DCR_ID,
    DCR_IND,
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
    MANNER_SUCCEEDS,
    NEW_GEN,
    NEW_KEY,
    PANF_ASKS,
    PANF_GEN,
    PANF_INFO,
    PANF_LOCAL,
    PERMISSION,
    REQ1_ID,
    REQ1_IND,
    REQ1_SUCI,
    SUCCESS_PATH_NOTE,
    UDM_FAIL,
    UDM_RESP,
    UE_GEN,
    UE_STORES,
    UE_UPDATE,
)

_FORWARD = And(REQ1_SUCI == DCR_SUCI, REQ1_ID == DCR_ID, REQ1_IND == DCR_IND)
_FORWARD_NOTE = "the identity the remote UE sent is forwarded unchanged (S204-S207 of method 200)"
_KNR_SOURCES = Or(And(KNR_GEN == 2, NEW_KEY), And(KNR_GEN == 1, KQR_KEY))
_NEW_IS_2 = And(NEW_GEN == 2, UE_GEN == 2)


def _local_check(method: int, ids: tuple[str, str, str], step: str) -> list[Statement]:
    """The PAnF's check against stored authorization information ([0329], [0446], ...)."""
    stored, ok, bad = ids
    return [
        Statement(stored, method, "when the PAnF stores 5G ProSe service authorization information", PANF_INFO, PANF_LOCAL),
        Statement(ok, method, f"when the PAnF determines that authorization on the remote UE succeeds, the step {step} is "
                  "performed, and in this case, the key query response message carries the 5GPRUK #1",
                  And(KQR_SENT, KQR_KEY), And(PANF_LOCAL, CHECK_OK)),
        Statement(bad, method, f"When the PAnF determines that authorization on the remote UE fails, the step {step} is "
                  "performed, and in this case, the key query response message carries indication information, for "
                  "example, a cause value 403", And(KQR_SENT, KQR_403), And(PANF_LOCAL, Not(CHECK_OK))),
    ]


def _panf_udm(method: int, ids: tuple[str, str, str, str, str], step: str, steps: str, ausf_steps: str) -> list[Statement]:
    """No stored information: the PAnF returns key and SUPI for the AUSF's check, or asks the UDM itself."""
    key_supi, asks, result, only, either = ids
    return [
        Statement(key_supi, method, "when the PAnF does not store 5G ProSe service authorization information, the PAnF "
                  "may obtain the 5GPRUK #1 and the SUPI of the remote UE through local query based on the 5GPRUK ID #1 in "
                  "the step", And(KQR_KEY, KQR_SUPI, AUSF_ASKS), And(KEY_QUERY, Not(PANF_INFO), Not(PANF_ASKS)),
                  note=f"the same paragraph goes on: the key query response in {step} includes the 5GPRUK #1 and the "
                  "SUPI, used by the AUSF to request the UDM's check; one of two implementations for a PAnF without "
                  "stored information (the next one asks the UDM itself), so read as applying when the PAnF does not"),
        Statement(asks, method, "when the PAnF does not store 5G ProSe service authorization information",
                  Not(PANF_INFO), PANF_ASKS, note=f"the PAnF asks the UDM ({steps}) only when it stores no information"),
        Statement(result, method, "the authorization result in the authorization check response message includes success "
                  "or failure that indicates whether the authorization check on the remote UE succeeds",
                  UDM_FAIL == Not(CHECK_OK), UDM_RESP),
        Statement(only, method, f"the step {step} is performed only when the authorization check on the remote UE "
                  "succeeds", Implies(KQR_SENT, CHECK_OK), PANF_ASKS, reading=("panf_answers_failed_check", 0)),
        Statement(either, method, f"When the process is performed, steps {ausf_steps} do not need to be performed.",
                  Xor(PANF_ASKS, AUSF_ASKS), KEY_QUERY,
                  note=f"with the paragraph's later sentence 'When the process is not performed, the steps {ausf_steps} "
                  "need to be performed': the PAnF's check via the UDM replaces the AUSF's, and the other way round"),
    ]


def _common(method: int, ids: tuple[str, str, str, str, str], knr_step: str, eap_steps: str, new_step: str) -> list:
    ausf_only, eap, new, ue, panf = ids
    return [
        Statement(ausf_only, method, f"the following step {knr_step} is performed only when the authorization check on "
                  "the remote UE succeeds", Implies(KNR, CHECK_OK), AUSF_ASKS),
        Statement(eap, method, f"A subsequent ProSe authentication procedure, that is, steps {eap_steps}, is performed "
                  "only when the authorization check on the remote UE succeeds", CHECK_OK, EAP_RUNS),
        Statement(new, method, f"the AUSF (remote) performs the following step {new_step} only when ProSe authentication "
                  "succeeds", EAP_OK, NEW_KEY),
        Statement(ue, method, "the remote UE replaces the 5GPRUK #1 and the 5GPRUK ID #1 with the 5GPRUK #2 and the "
                  "5GPRUK ID #2", _NEW_IS_2, NEW_KEY, note="the new key is #2, for the AUSF and the remote UE"),
        Statement(panf, method, "the PAnF (remote) replaces the 5GPRUK #1 and the 5GPRUK ID #1 with the 5GPRUK #2 and the "
                  "5GPRUK ID #2", PANF_GEN == NEW_GEN, NEW_KEY),
    ]


M400 = [
    Statement("0302", 400, "when determining that the 5GPRUK #1 is stored, the remote UE further determines whether the "
              "5GPRUK #1 needs to be updated", UE_STORES, UE_UPDATE),
    Statement("0310", 400, "The direct communication request message carries the SUCI or the 5GPRUK ID #1 of the remote UE",
              Or(DCR_SUCI, DCR_ID)),
    Statement("0311a", 400, "if the remote UE determines that the 5GPRUK #1 needs to be updated, the direct communication "
              "request message carries the SUCI", DCR_SUCI, UE_UPDATE),
    Statement("0311b", 400, "if the remote UE determines that the 5GPRUK #1 does not need to be updated, the direct "
              "communication request message carries the 5GPRUK ID #1", DCR_ID, Not(UE_UPDATE)),
    Statement("0318", 400, "The ProSe authentication request message #1 carries the SUCI or the 5GPRUK ID #1 of the remote "
              "UE", _FORWARD, note=_FORWARD_NOTE),
    Statement("0321a", 400, "the AUSF (remote) determines to perform Manner 1 based on the 5GPRUK ID #1 carried in the "
              "ProSe authentication request message #1", And(KEY_QUERY, Not(AUTHENTICATION)), REQ1_ID,
              note="S409 chooses one Manner: Manner 1 or Manner 2"),
    Statement("0321b", 400, "the AUSF (remote) determines to perform Manner 2 based on the SUCI carried in the ProSe "
              "authentication request message #1", And(AUTHENTICATION, Not(KEY_QUERY)), REQ1_SUCI),
    Statement("0321c", 400, "After the AUSF performs Manner 1 or Manner 2, subsequent steps S425 to S431 are performed.",
              KNR, And(Or(KEY_QUERY, AUTHENTICATION), MANNER_SUCCEEDS), note=SUCCESS_PATH_NOTE),
    *_local_check(400, ("0329a", "0329b", "0329c"), "S411"),
    *_panf_udm(400, ("0331", "0333", "0346a", "0346b", "0347a"), "S411", "S4110-S4112", "S412 and S413"),
    Statement("0347b", 400, "The AUSF determines, based on the 5GPRUK #1 carried in the message in S411, that the UE has "
              "permission to use a 5G ProSe service.", PERMISSION, And(PANF_ASKS, KQR_KEY)),
    *_common(400, ("0359", "0363", "0381", "0387", "0393"), "S425", "S415 to S420", "S421a"),
    Statement("0398", 400, "the AUSF (remote) generates the key K_{NR_ProSe} based on the 5GPRUK #2 obtained in the step "
              "S421a or the 5GPRUK #1 obtained in S411", _KNR_SOURCES, KNR),
]

_NO_UPDATE = Fact("0311", "if the remote UE determines that the 5GPRUK #1 does not need to be updated, the direct "
                  "communication request message carries the 5GPRUK ID #1",
                  And(Not(UE_UPDATE), DCR_ID, Not(DCR_SUCI), REQ1_ID, Not(REQ1_SUCI)))
_UPDATE_400 = Fact("0311", "if the remote UE determines that the 5GPRUK #1 needs to be updated, the direct communication "
                   "request message carries the SUCI", And(UE_UPDATE, DCR_SUCI, Not(DCR_ID), REQ1_SUCI, Not(REQ1_ID)))
_FAILS = Fact("0346", "includes success or failure", Not(CHECK_OK))

CASES_400 = [
    Case("no update; the PAnF asks the UDM (S4110) and the check fails", 400,
         (_NO_UPDATE, Fact("0333", "the PAnF may perform steps S4110 and S4112", PANF_ASKS), _FAILS)),
    Case("no update; the PAnF checks its stored information and the check fails", 400,
         (_NO_UPDATE, Fact("0329", "When the PAnF determines that authorization on the remote UE fails",
                           And(PANF_LOCAL, Not(CHECK_OK))))),
    Case("no update; the AUSF asks the UDM (S412) and the check fails", 400,
         (_NO_UPDATE, Fact("0331", "perform steps S412 and S413", AUSF_ASKS), Fact("0359", "includes success or failure",
                                                                                    Not(CHECK_OK)))),
    Case("update by SUCI; the UDM refuses at S414", 400, (_UPDATE_400, Fact(
        "0363", "the UDM (remote) needs to check whether the remote UE is authorized", Not(CHECK_OK)))),
    Case("update by SUCI; the UDM authorizes at S414 and authentication succeeds", 400, (_UPDATE_400, Fact(
        "0363", "the UDM (remote) needs to check whether the remote UE is authorized", CHECK_OK),
        Fact("0381", "only when ProSe authentication succeeds", EAP_OK))),
]

M500 = [
    Statement("0429", 500, "The direct communication request message carries a 5GPRUK ID #1 of the remote UE, or the "
              "5GPRUK ID #1 and a key update indication", And(DCR_ID, Not(DCR_SUCI))),
    Statement("0430a", 500, "if the remote UE determines that the 5GPRUK #1 needs to be updated, the direct communication "
              "request message carries an SUCI, or the 5GPRUK ID #1 and the key update indication",
              Or(DCR_SUCI, And(DCR_ID, DCR_IND)), UE_UPDATE),
    Statement("0430b", 500, "if the remote UE determines that the 5GPRUK #1 does not need to be updated, the direct "
              "communication request message carries the 5GPRUK ID #1", And(DCR_ID, Not(DCR_IND)), Not(UE_UPDATE),
              note="no key update indication when no update is needed"),
    Statement("0438", 500, "The ProSe authentication request message #1 carries the RSC, Nounce_1, the 5GPRUK ID #1 of the "
              "remote UE and the key update indication, or the 5GPRUK ID #1.", And(REQ1_ID, Not(REQ1_SUCI))),
    Statement("0465", 500, "refer to steps S405 to S411 in the foregoing method 400", _FORWARD, note=_FORWARD_NOTE),
    Statement("0440a", 500, "Either steps S5110 to S5112 in Manner 1 or steps S512 and S513 in Manner 2 need to be "
              "performed", And(KEY_QUERY, Xor(PANF_ASKS, AUSF_ASKS)), And(REQ1_ID, Not(REQ1_IND)),
              note="for a request #1 with the 5GPRUK ID #1 only: Manner 1 and Manner 2"),
    Statement("0440b", 500, "to perform Manner 1 and Manner 3 (Steps S5110 to S5112 in Manner 1 are not performed)",
              And(KEY_QUERY, AUTHENTICATION, Not(PANF_ASKS)), And(REQ1_ID, REQ1_IND)),
    Statement("0440c", 500, "the AUSF (remote) determines, based on the SUCI carried in the ProSe authentication request "
              "message #1, to perform Manner 3", AUTHENTICATION, REQ1_SUCI),
    Statement("0440d", 500, "After the AUSF performs Manner 1 or Manner 2, subsequent steps S525 to S531 are performed.",
              KNR, And(Or(KEY_QUERY, AUSF_ASKS), MANNER_SUCCEEDS), note=SUCCESS_PATH_NOTE),
    *_local_check(500, ("0446a", "0446b", "0446c"), "S511"),
    *_panf_udm(500, ("0448", "0449", "0462a", "0462b", "0463"), "S511", "S5110-S5112", "S512 and S513"),
    *_common(500, ("0477", "0482", "0499", "0505", "0510"), "S525", "S515 to S520", "S521a"),
    Statement("0481", 500, "If the ProSe authentication request message #1 carries the 5GPRUK ID #1 and the key update "
              "indication, the authentication vector request message carries the SUPI that is of the remote UE and that "
              "is obtained in the step S511", KQR_SUPI, And(REQ1_ID, REQ1_IND)),
    Statement("0515", 500, "the AUSF (remote) generates the key K_{NR_ProSe} based on the 5GPRUK #2 obtained in the step "
              "S521a or the 5GPRUK #1 obtained in S511", _KNR_SOURCES, KNR),
    Statement("0537", 500, "the 5GPRUK #1 may continue to be used only after the check succeeds", CHECK_OK, KNR_GEN == 1),
]

# The cases fix the identity the request #1 carries too (forwarded as sent, [0465]), so that a
# contradiction is not found again through every way of deriving it.
_NO_UPDATE_500 = Fact("0430", "if the remote UE determines that the 5GPRUK #1 does not need to be updated, the direct "
                      "communication request message carries the 5GPRUK ID #1",
                      And(Not(UE_UPDATE), DCR_ID, Not(DCR_IND), Not(DCR_SUCI), REQ1_ID, Not(REQ1_IND), Not(REQ1_SUCI)))
_UPDATE_500 = Fact("0430", "the 5GPRUK ID #1 and the key update indication",
                   And(UE_UPDATE, DCR_ID, DCR_IND, Not(DCR_SUCI), REQ1_ID, REQ1_IND, Not(REQ1_SUCI)))

CASES_500 = [
    Case("no update; the PAnF asks the UDM (S5110) and the check fails", 500, (
        _NO_UPDATE_500, Fact("0449", "the PAnF may further perform steps S5110 and S5112", PANF_ASKS),
        Fact("0462", "includes success or failure", Not(CHECK_OK)))),
    Case("no update; the AUSF asks the UDM (S512) and the check fails", 500, (
        _NO_UPDATE_500, Fact("0448", "perform steps S512 and S513", AUSF_ASKS),
        Fact("0477", "includes success or failure", Not(CHECK_OK)))),
    Case("update by key update indication; the UDM refuses at S514", 500, (
        _UPDATE_500, Fact("0482", "the UDM (remote) needs to check whether the remote UE is authorized", Not(CHECK_OK)))),
    Case("update by key update indication; the UDM authorizes and authentication succeeds", 500, (
        _UPDATE_500, Fact("0482", "the UDM (remote) needs to check whether the remote UE is authorized", CHECK_OK),
        Fact("0499", "only when ProSe authentication succeeds", EAP_OK))),
]
