"""Normative statements of methods 200 (TS 33.503, [0117]-[0219]) and 300 ([0236]-[0290]),
and the cases in which they are checked. Quotes are the text's words; see :mod:`.vocab` for
the variables."""

from __future__ import annotations

from z3 import And, Implies, Not, Or, Xor

from prosecheck.analysis.contradictions import Case, Fact, Statement
from prosecheck.analysis.vocab import (
    AUSF_ASKS,
    AUTHENTICATION,
    CHECK_OK,
    DCR_ID,
    DCR_IND,
    DCR_KEY,
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
    NEW_KEY,
    PANF_ASKS,
    PANF_CHECKS,
    PANF_INFO,
    PANF_LOCAL,
    PANF_UPDATE,
    PERMISSION,
    REQ1_ID,
    REQ1_SUCI,
    SUCCESS_PATH_NOTE,
    UDM_FAIL,
    UDM_FAIL_AUSF,
    UDM_RESP,
    UDM_RESP_AUSF,
    UE_STORES,
    UE_UPDATE,
)

_FORWARD = And(REQ1_SUCI == DCR_SUCI, REQ1_ID == DCR_ID)

M200 = [
    Statement("0126", 200, "the direct communication request message carries a subscription concealed identifier "
              "(subscription concealed identifier, SUCI) of the remote UE, or a remote user key identifier",
              Or(DCR_SUCI, DCR_ID)),
    Statement("0129a", 200, "if the remote UE stores the 5GPRUK, the direct communication request message includes the "
              "5GPRUK ID", DCR_ID, UE_STORES),
    Statement("0129b", 200, "if the remote UE does not store the 5GPRUK, the direct communication request message "
              "includes the SUCI", DCR_SUCI, Not(UE_STORES)),
    Statement("0139", 200, "the ProSe authentication request message #1 carries the SUCI or the 5GPRUK ID of the remote UE",
              _FORWARD, note="the identity the remote UE sent at S204, forwarded at S205 and S207"),
    Statement("0140a", 200, "when the ProSe authentication request message #1 carries the SUCI of the remote UE, Manner 1 "
              "is performed", And(AUTHENTICATION, Not(KEY_QUERY)), REQ1_SUCI),
    Statement("0140b", 200, "when the ProSe authentication request message #1 carries the 5GPRUK ID, Manner 2 is performed",
              And(KEY_QUERY, Not(AUTHENTICATION)), REQ1_ID),
    Statement("0140c", 200, "after Manner 1 or Manner 2 is performed, the AUSF performs a step S220", KNR,
              And(Or(AUTHENTICATION, KEY_QUERY), MANNER_SUCCEEDS), note=SUCCESS_PATH_NOTE),
    Statement("0141", 200, "this manner indicates that the remote UE does not locally store the 5GPRUK",
              Not(UE_STORES), AUTHENTICATION),
    Statement("0145", 200, "After the authorization check on the remote UE succeeds, a subsequent ProSe authentication "
              "procedure is performed.", CHECK_OK, EAP_RUNS),
    Statement("0171", 200, "when authentication succeeds, determines to generate the 5GPRUK and the 5GPRUK ID",
              EAP_OK, NEW_KEY, note="the 5GPRUK is generated only when authentication succeeds"),
    Statement("0182", 200, "this manner indicates that the remote UE locally stores a remote user key 5GPRUK",
              UE_STORES, KEY_QUERY),
    Statement("0190", 200, "The key query response message includes a 5GPRUK.", And(KQR_SENT, KQR_KEY), KEY_QUERY),
    Statement("0192", 200, "the AUSF (remote) generates, through derivation, the key KNR_ProSe based on the 5GPRUK "
              "obtained in the step S215a or S219", Or(And(KNR_GEN == 2, NEW_KEY), And(KNR_GEN == 1, KQR_KEY)), KNR,
              note="generation 2: the key made at S215a; 1: the stored key returned at S219"),
    Statement("0219", 200, "the AUSF (remote) directly queries the 5GPRUK from the PAnF (remote), and does not check "
              "whether the remote UE still has permission to use a 5G ProSe relay service",
              And(Not(PANF_CHECKS), Not(AUSF_ASKS)), KEY_QUERY),
]

_M200 = (("check", 0),)
"""Method 200's scenarios: no authorization check before reuse."""

CASES_200 = [
    Case("the remote UE stores a 5GPRUK", 200, (Fact("0129", "if the remote UE stores the 5GPRUK", UE_STORES),), _M200),
    Case("the remote UE stores no 5GPRUK", 200,
         (Fact("0129", "if the remote UE does not store the 5GPRUK", Not(UE_STORES)),), _M200),
    Case("SUCI path, the UDM refuses at S208", 200, (
        Fact("0129", "if the remote UE does not store the 5GPRUK, the direct communication request message includes "
             "the SUCI", And(Not(UE_STORES), DCR_SUCI, Not(DCR_ID), REQ1_SUCI, Not(REQ1_ID))),
        Fact("0145", "the UDM (remote) checks whether the remote UE is authorized to use a 5G ProSe relay service",
             Not(CHECK_OK)),
    ), _M200),
]

_NO_UPDATE = Fact("0242", "a case in which the first communication apparatus determines that the 5GPRUK #1 does not need "
                  "to be updated", And(Not(UE_UPDATE), Not(PANF_UPDATE)))
_FAILS = Fact("0263", "includes success or failure", Not(CHECK_OK))
_SUCCEEDS = Fact("0263", "includes success or failure", CHECK_OK)

M300 = [
    Statement("0241a", 300, "a 5GPRUK ID #1 is carried in a step S302", DCR_ID, Not(UE_UPDATE)),
    Statement("0241b", 300, "if the first communication apparatus determines that the 5GPRUK #1 needs to be updated, the "
              "first communication apparatus adds an SUCI to a step S302, or adds the 5GPRUK #1 and a key update indication "
              "to the step S302", Or(DCR_SUCI, And(DCR_KEY, DCR_IND)), UE_UPDATE),
    Statement("0245", 300, "The first proximity-based service authentication request message includes the identifier "
              "5GPRUK ID #1 of the first remote user key and relay service code RSC.", REQ1_ID, Not(UE_UPDATE)),
    Statement("0247", 300, "the authentication server function network element obtains the first remote user key of the "
              "first communication apparatus from a proximity-based service anchor function network element, that is, "
              "steps S3031 and S3032 are performed", KEY_QUERY, REQ1_ID),
    Statement("0252a", 300, "if the PAnF does not perform the authorization check, the key query response message carries "
              "the 5GPRUK #1 and the SUPI", And(KQR_KEY, KQR_SUPI), And(KEY_QUERY, Not(PANF_CHECKS))),
    Statement("0252b", 300, "if the PAnF performs the authorization check and the check succeeds, the key query response "
              "message carries the 5GPRUK #1", KQR_KEY, And(PANF_CHECKS, CHECK_OK)),
    Statement("0252c", 300, "if the PAnF performs the authorization check and the check fails, the key query response "
              "message does not carry the 5GPRUK #1 and the SUPI", And(KQR_SENT, Not(KQR_KEY), Not(KQR_SUPI)),
              And(PANF_CHECKS, Not(CHECK_OK)), note="the response is sent, without the key and the SUPI"),
    Statement("0255", 300, "when the proximity-based service anchor function network element does not store 5G ProSe "
              "service authorization information, the proximity-based service anchor function network element may "
              "obtain the 5GPRUK #1 and the SUPI", Not(PANF_INFO), PANF_ASKS,
              note="the PAnF asks the UDM (S3041) only when it stores no authorization information"),
    Statement("0260", 300, "S3042: The unified data management network element sends an authorization check response "
              "message to the proximity-based service anchor function network element.", UDM_RESP, PANF_ASKS),
    Statement("0263a", 300, "the authorization result in the authorization check response message includes success or "
              "failure that indicates whether the authorization check on the first communication apparatus succeeds",
              UDM_FAIL == Not(CHECK_OK), UDM_RESP, reading=("s3042_answers_failure", 1)),
    Statement("0263b", 300, "the step S3042 is performed only when the authorization check on the first communication "
              "apparatus succeeds", CHECK_OK, UDM_RESP, reading=("s3042_answers_failure", 0)),
    Statement("0263c", 300, "In this case, the key query response message carries the first remote user key.",
              KQR_KEY, And(PANF_ASKS, CHECK_OK)),
    Statement("0265a", 300, "when the proximity-based service anchor function network element stores 5G ProSe service "
              "authorization information", PANF_INFO, PANF_LOCAL,
              note="the local check ([0264]) is the implementation for a PAnF that stores the information"),
    Statement("0265b", 300, "When the proximity-based service anchor function network element determines that "
              "authorization on the first communication apparatus fails, the step S3032 is performed, and in this case, "
              "the key query response message carries indication information, for example, a cause value 403",
              And(KQR_SENT, KQR_403), And(PANF_LOCAL, Not(CHECK_OK))),
    Statement("0267", 300, "when the proximity-based service anchor function network element does not store 5G ProSe "
              "service authorization information, the proximity-based service anchor function network element may obtain "
              "the 5GPRUK #1 and the SUPI of the remote UE through local query based on the 5GPRUK ID #1 in the step "
              "S3031. In this case, the key query response message in the step S3042 includes the 5GPRUK #1 and the SUPI.",
              And(KQR_KEY, KQR_SUPI, AUSF_ASKS), And(KEY_QUERY, Not(PANF_INFO), Not(PANF_ASKS)),
              note="'S3042' read as S3032; the SUPI is for the AUSF's check (S3051/S3052). [0255] gives the other "
              "implementation for a PAnF without stored information (it asks the UDM itself), so read as applying "
              "when the PAnF does not"),
    Statement("0284a", 300, "The authorization check response message includes an authorization check result that "
              "includes success or failure", And(UDM_RESP_AUSF, UDM_FAIL_AUSF == Not(CHECK_OK)), AUSF_ASKS),
    Statement("0284b", 300, "the following step S425 is performed only when the authorization check on the first "
              "communication apparatus succeeds", Implies(KNR, CHECK_OK), AUSF_ASKS,
              note="'S425' read as S306 (S425 is method 400's step)"),
    Statement("0285", 300, "the authentication server function network element determines, based on the authorization "
              "check result, whether the first communication apparatus has permission to use the relay service",
              PERMISSION == CHECK_OK, AUSF_ASKS),
    Statement("0286a", 300, "either steps S304 to S3042 or steps S305 to S3052 are performed", Xor(PANF_CHECKS, AUSF_ASKS),
              KEY_QUERY),
    Statement("0286b", 300, "When the steps S304 to S3042 are performed, and the authentication server function network "
              "element receives the first remote user key, the authentication server function network element determines "
              "that the first communication apparatus has permission to use the relay service.", PERMISSION,
              And(PANF_CHECKS, KQR_KEY)),
    Statement("0287", 300, "When determining that the first communication apparatus has permission to use the relay "
              "service, the authentication server function network element generates a first proximity-based service key "
              "based on the first remote user key", And(KNR, KNR_GEN == 1), PERMISSION),
    Statement("0290", 300, "the 5GPRUK may continue to be used in the PC5 security connection establishment process only "
              "after the check on the first communication apparatus succeeds", CHECK_OK, KNR),
]

CASES_300 = [
    Case("the PAnF asks the UDM (S3041) and the check fails", 300,
         (_NO_UPDATE, Fact("0255", "may perform steps S3041 and S3042", PANF_ASKS), _FAILS), (("check", 2),)),
    Case("the PAnF asks the UDM (S3041) and the check succeeds", 300,
         (_NO_UPDATE, Fact("0255", "may perform steps S3041 and S3042", PANF_ASKS), _SUCCEEDS), (("check", 2),)),
    Case("the PAnF checks its stored information and the check fails", 300, (
        _NO_UPDATE, Fact("0265", "determines that authorization on the first communication apparatus fails",
                         And(PANF_LOCAL, Not(CHECK_OK)))), (("check", 1),)),
    Case("the PAnF checks its stored information and the check succeeds", 300, (
        _NO_UPDATE, Fact("0265", "determines that authorization on the first communication apparatus succeeds",
                         And(PANF_LOCAL, CHECK_OK))), (("check", 1),)),
    Case("the AUSF asks the UDM (S3051) and the check fails", 300, (
        _NO_UPDATE, Fact("0267", "perform steps S3051 and S3052", AUSF_ASKS),
        Fact("0284", "includes success or failure", Not(CHECK_OK))), (("check", 3),)),
    Case("the AUSF asks the UDM (S3051) and the check succeeds", 300, (
        _NO_UPDATE, Fact("0267", "perform steps S3051 and S3052", AUSF_ASKS),
        Fact("0284", "includes success or failure", CHECK_OK)), (("check", 3),)),
]
