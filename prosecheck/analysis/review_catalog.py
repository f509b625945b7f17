"""The hand-written findings of docs/spec-findings.md as data, for the review list (:mod:`.review`).

Each :class:`Entry` is one distinct issue of the text: where it is (paragraphs, steps), the words
that show it (``quote``, verbatim from ``quote_in``), what to write instead (``proposal``) and the
standard clause the change touches. It names the scenarios and properties whose verdicts are its
evidence (``checks``: the review computes the verdicts, nothing here says what they are), the
readings (``options``) whose interpretation-matrix comparisons show it, the model transitions whose
firing shows it, and the machine findings of ``prosecheck analyze`` it stands for (``absorbs``: their
natural keys, :func:`prosecheck.analysis.review.machine_findings`), so each issue is listed once.

The grab-bag rows of spec-findings.md (9: editorial slips of method 300; 25: of methods 400-700)
are split into one entry per paragraph to fix; rows 7 and 26 (no reject towards the UE) are one.
"""

from __future__ import annotations

from dataclasses import dataclass

MachineKey = tuple[str, ...]
"""The natural key of a machine finding: its kind, then the ids that name it (all strings)."""

TS_33503 = "TS 33.503 6.3.3.3"
TS_29561 = "TS 29.561"
TS_24501 = "TS 24.501"
PATENT_ONLY = "patent only"


@dataclass(frozen=True)
class Entry:
    """One hand-written finding (``source``: its row in docs/spec-findings.md)."""

    source: str
    category: str
    severity: str
    title: str
    paragraphs: tuple[str, ...]
    steps: tuple[str, ...]
    quote_in: str  # the paragraph (or "claim N") the quote is from
    quote: str
    proposal: str
    clause: str
    checks: tuple[tuple[str, str], ...] = ()  # (scenario, property): their verdicts are the evidence
    options: tuple[str, ...] = ()  # readings (model options) whose comparisons are evidence
    transitions: tuple[str, ...] = ()  # "role.effect" whose firing in the checked scenarios is evidence
    absorbs: tuple[MachineKey, ...] = ()
    fix: str = ""  # the key of the proposed fix checked beside the text (prosecheck/model/fixes.py FIXES), if any


CATALOG: tuple[Entry, ...] = (
    Entry(
        "2, 16", "security", "high",
        "The PAnF's stored ProSe authorization information is never refreshed: a withdrawn UE passes the local check",
        ("[0264]", "[0265]", "[0266]", "[0329]", "[0566]", "[0685]"), ("S304", "S216"),
        "0266", "the 5G ProSe service authorization information locally stored in the proximity-based service anchor "
        "function network element may be from the authentication server function network element",
        "Add after [0266]: \"When the 5G ProSe service authorization information of the first communication "
        "apparatus changes in the unified data management network element (for example, the authorization is "
        "withdrawn), the unified data management network element notifies the proximity-based service anchor "
        "function network element, which updates or deletes its locally stored 5G ProSe service authorization "
        "information before it answers a further key query request.\"",
        TS_33503,
        checks=(("m300.panf_local", "no_knr_after_withdrawal"), ("m300.panf_local", "reuse_rejected_after_withdrawal"),
                ("m400.panf_local", "no_knr_after_withdrawal"), ("m500.indication.panf_local", "no_knr_after_withdrawal"),
                ("m600.after.panf_local", "no_knr_after_withdrawal"), ("m700.panf_local", "no_knr_after_withdrawal")),
        transitions=("panf.refuse_after_local_check",),
        absorbs=(("claims", "m300.panf_local:no_knr_after_withdrawal"),),
        fix="stale_panf_authorization_info",
    ),
    Entry(
        "6", "security", "medium",
        "A withdrawal after a successful check and before KNR_ProSe is derived is not handled",
        ("[0287]", "[0263]"), ("S3042", "S3052", "S306"),
        "0287", "S306: When determining that the first communication apparatus has permission to use the relay "
        "service, the authentication server function network element generates a first proximity-based service key",
        "Add to S306 ([0287]): \"If the unified data management network element withdraws the authorization of the "
        "first communication apparatus after the authorization check succeeds and before the first proximity-based "
        "service key is generated, it notifies the authentication server function network element, which does not "
        "generate the first proximity-based service key and rejects the request.\"",
        TS_33503,
        checks=(("m300.panf_udm", "reuse_knr_derived_while_withdrawn"),
                ("m300.ausf_udm", "reuse_knr_derived_while_withdrawn"),
                ("m300.panf_udm", "knr_derived_while_withdrawn"), ("m300.panf_udm", "no_knr_after_withdrawal")),
        fix="withdrawal_between_check_and_derivation",
    ),
    Entry(
        "10", "security", "medium",
        "[0241] puts 5GPRUK #1 itself into the request, on the air, where 5GPRUK ID #1 is meant",
        ("[0241]", "[0429]"), ("S302",),
        "0241", "adds the 5GPRUK #1 and a key update indication to the step S302",
        "Replace in [0241] by: \"adds the 5GPRUK ID #1 and a key update indication to the step S302\".",
        TS_24501,
        checks=(("m500.indication.panf_udm", "pruk_stays_home"),),
    ),
    Entry(
        "11", "security", "medium",
        "Replacing the old 5GPRUK is optional: a UE and a PAnF that keep 5GPRUK #1 beside #2 keep a leaked key usable",
        ("[0387]", "[0393]", "[0505]", "[0510]", "[0626]", "[0631]", "[0753]", "[0758]", "[0293]"),
        ("S421b", "S423", "S521b", "S523"),
        "0387", "Optionally, if the remote UE locally stores an old 5GPRUK #1 and an old 5GPRUK ID #1 before "
        "performing the step S421b",
        "Replace \"Optionally, if\" by \"If\" in [0387], [0393], [0505], [0510], [0626], [0631], [0753], [0758]: the "
        "remote UE and the PAnF (remote) shall delete the old 5GPRUK and 5GPRUK ID when they store the new ones.",
        TS_33503,
        checks=(("m400.ausf_udm.keep_old_keys", "old_pruk_replaced"),
                ("m400.ausf_udm.keep_old_keys", "knr_from_current_pruk"),
                ("m400.ausf_udm", "old_pruk_replaced")),
        options=("replace_at_ue", "replace_at_panf"),
    ),
    Entry(
        "1", "contradiction", "high",
        "S3042 is said to carry success or failure and to be sent only on success",
        ("[0263]", "[0260]"), ("S3042",),
        "0263", "It should be understood that the step S3042 is performed only when the authorization check on the "
        "first communication apparatus succeeds.",
        "Replace the sentence by: \"It should be understood that the step S3032 carries the first remote user key "
        "only when the authorization check on the first communication apparatus succeeds; when it fails, the key "
        "query response message carries a cause value 403.\"",
        TS_33503,
        checks=(("m300.panf_udm.s3042_success_only", "deadlock_free"),
                ("m300.panf_udm.s3042_success_only", "reuse_rejected_after_withdrawal"),
                ("m300.panf_udm", "reuse_rejected_after_withdrawal")),
        options=("s3042_answers_failure",),
        absorbs=(("contradiction", "300", "0260", "0263b"), ("not-followed", "300", "0260")),
    ),
    Entry(
        "3", "contradiction", "high",
        "The AUSF and the remote UE derive the 5GPRUK from different inputs (Nonce_1 only at the UE)",
        ("[0172]", "[0174]"), ("S215a", "S215b"),
        "0174", "the remote UE generates the 5GPRUK based on the SUPI of the remote UE, KAUSF_P generated by the "
        "remote UE, and the random number Nonce_1",
        "Replace in [0174] by: \"the remote UE generates the 5GPRUK based on the RSC, the SUPI of the remote UE and "
        "KAUSF_P generated by the remote UE, as the AUSF (remote) does in the step S215a.\"",
        TS_33503,
        checks=(("m200.s215b_with_nonce_1", "knr_agreement"), ("m200", "knr_agreement")),
        options=("s215b_mixes_nonce_1",),
    ),
    Entry(
        "12", "contradiction", "high",
        "After the PAnF's UDM check, S411/S511/S610/S711 are sent only on success, yet a failure is answered with 403",
        ("[0346]", "[0462]", "[0584]", "[0704]", "[0329]", "[0446]", "[0566]", "[0685]"),
        ("S411", "S511", "S610", "S711"),
        "0346", "It should be understood that the step S411 is performed only when the authorization check on the "
        "remote UE succeeds.",
        "Replace the sentence in [0346] (and likewise in [0462], [0584], [0704]) by: \"It should be understood that "
        "the key query response message in the step S411 carries the 5GPRUK #1 only when the authorization check on "
        "the remote UE succeeds; otherwise it carries a cause value 403.\"",
        TS_29561,
        checks=(("m400.panf_udm.s411_success_only", "deadlock_free"), ("m400.panf_udm.s411_success_only", "attempt_ends"),
                ("m400.panf_udm.s411_success_only", "reuse_rejected_after_withdrawal"),
                ("m400.panf_udm", "reuse_rejected_after_withdrawal")),
        options=("panf_answers_failed_check",),
    ),
    Entry(
        "15", "contradiction", "high",
        "Method 700's key storage request (S723) and the PAnF's S724 store 5GPRUK #1 where the new 5GPRUK #2 is meant",
        ("[0756]", "[0757]", "[0758]", "[0748]", "[0761]"), ("S723", "S724"),
        "0756", "The key storage request message includes the SUPI, the RSC, the 5GPRUK #1, and the 5GPRUK ID #1.",
        "Replace [0756] by \"The key storage request message includes the SUPI, the RSC, the 5GPRUK #2, and the "
        "5GPRUK ID #2.\" and [0757] by \"S724: The PAnF (remote) stores the 5GPRUK #2 and the 5GPRUK ID #2.\"",
        TS_29561,
        checks=(("m700.ausf_udm.s723_stores_key_1", "knr_agreement"),
                ("m700.ausf_udm.s723_stores_key_1", "update_agreement"),
                ("m700.ausf_udm.s723_stores_key_1", "fresh_pruk_on_update"),
                ("m700.ausf_udm.s723_stores_key_1", "keys_converge"),
                ("m700.ausf_udm", "panf_update_completes")),
        options=("s723_stores_key_1",),
        absorbs=(("contradiction", "700", "0748", "0756", "0761"), ("contradiction", "700", "0757", "0758")),
    ),
    Entry(
        "13", "procedural", "high",
        "Method 500's update by 5GPRUK ID #1 + indication needs the SUPI, but the key query neither asks for it nor "
        "tells the PAnF it is for an update",
        ("[0440]", "[0443]", "[0445]", "[0347]", "[0481]"), ("S510", "S511", "S514"),
        "0440", "Alternatively, the AUSF (remote) determines, based on the 5GPRUK ID #1 and the key update indication "
        "that are carried in the ProSe authentication request message #1, to perform Manner 1 and Manner 3 (Steps "
        "S5110 to S5112 in Manner 1 are not performed).",
        "Add to S510 ([0443]): \"When the ProSe authentication request message #1 carries the key update indication, "
        "the key query request message carries the key update indication, and the PAnF (remote) returns the 5GPRUK #1 "
        "and the SUPI of the remote UE in the step S511 without performing the authorization check.\"",
        TS_29561,
        checks=(("m500.indication.panf_udm.unflagged_query", "messages_handled"),
                ("m500.indication.panf_udm.unflagged_query", "deadlock_free"),
                ("m500.indication.panf_udm.unflagged_query", "ue_update_completes"),
                ("m500.indication.panf_udm", "ue_update_completes")),
        options=("update_query_flagged",),
        absorbs=(("gap", "ausf", "querying_key", "key_query_response"),),  # with the unhandled message it reaches
    ),
    Entry(
        "14", "procedural", "high",
        "Method 600 after the key query: Manner 3 needs the SUPI from S610, which a checked key query does not carry",
        ("[0559]", "[0566]", "[0602]", "[0569]"), ("S608", "S610", "S613"),
        "0602", "the AUSF uses the SUPI that is of the remote UE and that is obtained in the step S610 as an input "
        "parameter",
        "Add to [0566]: \"When the AUSF (remote) decides after the step S610 whether to update the 5GPRUK #1, the key "
        "query response message in the step S610 also carries the SUPI of the remote UE.\" (or make the SUPI query of "
        "[0569] mandatory in that case)",
        TS_29561,
        checks=(("m600.after.panf_local.no_supi", "messages_handled"), ("m600.after.panf_local.no_supi", "deadlock_free"),
                ("m600.after.panf_local.no_supi", "ausf_update_completes"),
                ("m600.after.panf_local", "ausf_update_completes")),
        options=("supi_with_checked_key",),
        absorbs=(("gap", "ausf", "querying_key", "key_query_response"),),  # with the unhandled message it reaches
    ),
    Entry(
        "24", "procedural", "medium",
        "\"When the process is not performed, S412 and S413 need to be performed\" also demands Manner 2 after the "
        "PAnF's local check and in the update branch",
        ("[0347]", "[0463]", "[0560]", "[0585]", "[0705]", "[0558]", "[0559]"), ("S412", "S413", "S512", "S513"),
        "0347", "When the process is not performed, the steps S412 and S413 need to be performed.",
        "Replace in [0347] (and likewise in [0463], [0560], [0585], [0705]) by: \"When neither the process nor the "
        "PAnF's check on locally stored 5G ProSe service authorization information is performed, and the 5GPRUK #1 "
        "does not need to be updated, the steps S412 and S413 need to be performed.\"",
        TS_33503,
        checks=(("m400.panf_local", "knr_only_after_authorization"),
                ("m600.before.panf_local", "knr_only_after_authorization")),
        absorbs=(("not-followed", "400", "0347a"), ("not-followed", "500", "0463"), ("not-followed", "600", "0560"),
                 ("not-followed", "700", "0705"), ("contradiction", "600", "0558b", "0560")),
    ),
    Entry(
        "19", "procedural", "medium",
        "S712: a key query response without 5GPRUK #1 is read as \"needs updating\", though a 403 or an invalid ID "
        "also omits it, and a UE with permission \"may be rejected\"",
        ("[0712]", "[0713]", "[0707]", "[0685]"), ("S712", "S715"),
        "0712", "if it is determined, by using steps S7110 to S7113 in Manner 1, that the remote UE has permission to "
        "use the 5G ProSe service, a service request of the remote UE may be rejected.",
        "Replace [0712] by: \"Optionally, if the key query response message carries the SUPI but not the 5GPRUK #1, "
        "the 5GPRUK #1 needs to be updated, and the AUSF (remote) performs a procedure in Manner 3. If it carries "
        "neither (for example, a cause value 403 because the remote UE has no permission to use the 5G ProSe "
        "service), the service request of the remote UE is rejected and the subsequent procedure is interrupted.\"",
        TS_33503,
        checks=(("m700.panf_udm", "panf_update_completes"), ("m700.panf_udm", "attempt_rejected_after_withdrawal")),
        absorbs=(("not-followed", "700", "0712a"), ("vacuous", "700", "0712b", "0711"),
                 ("ambiguity", "ausf", "querying_key", "key_query_response")),
    ),
    Entry(
        "7, 26", "unspecified", "medium",
        "No method says what the AUSF sends, or what reaches the UEs, when the check or the key query fails",
        ("[0252]", "[0265]", "[0287]", "[0117]"), ("S3032", "S306"),
        "0252", "if the PAnF performs the authorization check and the check fails, the key query response message "
        "does not carry the 5GPRUK #1 and the SUPI",
        "Add after S306 ([0287]): \"When the first communication apparatus has no permission to use the relay service, "
        "the authentication server function network element sends a ProSe authentication response carrying a cause "
        "value 403; the AMF sends a RELAY KEY REJECT to the second communication apparatus, which rejects the direct "
        "communication request.\"",
        TS_24501,
        checks=(("m300.panf_udm", "attempt_rejected_after_withdrawal"),
                ("m300.ausf_udm", "attempt_rejected_after_withdrawal"),
                ("m700.panf_udm", "attempt_rejected_after_withdrawal")),
        transitions=("amf.reject_relay_key", "ausf.refuse_unauthorized_reuse"),
    ),
    Entry(
        "4", "unspecified", "medium",
        "When the PAnF stores no authorization information, two different behaviours are prescribed and nothing says "
        "how the PAnF and the AUSF agree on one",
        ("[0255]", "[0267]", "[0286]"), ("S3041", "S3042", "S3051", "S3052"),
        "0286", "either steps S304 to S3042 or steps S305 to S3052 are performed",
        "Add to [0286]: \"Which of the two is performed is configured by the operator in both the proximity-based "
        "service anchor function network element and the authentication server function network element; the key "
        "query response message carries the SUPI exactly when the steps S305 to S3052 are to be performed.\"",
        TS_33503,
        checks=(("m300.panf_udm", "no_knr_after_withdrawal"), ("m300.ausf_udm", "no_knr_after_withdrawal")),
    ),
    Entry(
        "issue 24", "unspecified", "medium",
        "A key query for a 5GPRUK ID the PAnF does not know: no answer is described, and the AUSF's next step needs "
        "the SUPI",
        ("[0713]", "[0252]"), ("S3031", "S3032"),
        "0713", "a reason why the key query response message does not include the 5GPRUK #1 may alternatively be "
        "that a 5GPRUK ID #2 is an invalid or incorrect key identifier",
        "Add after [0252]: \"If no 5GPRUK is stored under the 5GPRUK ID #1, the key query response message carries a "
        "cause value indicating an unknown key identifier, and the authentication server function network element "
        "rejects the request so that the first communication apparatus sends its SUCI in a new request.\"",
        TS_29561,
        transitions=("panf.refuse_unknown_id",),
        checks=(("m300.panf_udm", "attempt_ends"),),
        fix="unknown_pruk_id",
    ),
    Entry(
        "5", "procedural", "low",
        "A key query response with 5GPRUK #1 and the SUPI goes beyond the service operation, which returns the key only",
        ("[0252]",), ("S3032",),
        "0252", "if the PAnF does not perform the authorization check, the key query response message carries the "
        "5GPRUK #1 and the SUPI",
        "Add the SUPI as an optional output of Npanf_ProseKey_get (present when the PAnF performs no authorization "
        "check), and cite it in [0252].",
        TS_29561,
        checks=(("m300.ausf_udm", "pc5_secured_by_pruk_id"),),
        transitions=("panf.return_key_and_supi",),
    ),
    Entry(
        "8", "unspecified", "low",
        "S206: the reject path when the relay UE is not authorized is not described, and the sentence names the AMF as "
        "the relay",
        ("[0135]",), ("S206",),
        "0135", "If the AMF can be used as a relay device, subsequent procedures are performed.",
        "Replace by: \"If the relay UE can be used as a relay device, subsequent procedures are performed; otherwise the "
        "AMF sends a RELAY KEY REJECT to the relay UE.\"",
        TS_24501,
        transitions=("amf.reject_unauthorized_relay",),
        checks=(("m200", "relay_refused_by_amf"),),
    ),
    Entry(
        "17", "contradiction", "low",
        "Method 500's request is said to carry 5GPRUK ID #1 (with or without the indication), yet an SUCI case is "
        "handled",
        ("[0429]", "[0438]", "[0430]", "[0440]"), ("S505", "S508", "S509"),
        "0438", "The ProSe authentication request message #1 carries the RSC, Nounce_1, the 5GPRUK ID #1 of the remote "
        "UE and the key update indication, or the 5GPRUK ID #1.",
        "Replace [0438] by: \"The ProSe authentication request message #1 carries the RSC, Nounce_1, and an SUCI, or "
        "the 5GPRUK ID #1 of the remote UE and the key update indication, or the 5GPRUK ID #1.\" (and [0429] alike)",
        PATENT_ONLY,
        checks=(("m500.suci.panf_udm", "ue_update_completes"), ("m500.indication.panf_udm", "ue_update_completes")),
        absorbs=(("vacuous", "500", "0440c", "0438"),),
    ),
    Entry(
        "23", "unspecified", "low",
        "Methods 600/700: a UE that sent only its 5GPRUK ID receives EAP; a SUCI leads to Manner 3 where no message "
        "carries one",
        ("[0545]", "[0616]", "[0675]", "[0671]"), ("S708",),
        "0675", "if the ProSe authentication request message #1 carries the SUCI of the remote UE, it is determined to "
        "perform Manner 3",
        "Delete the first sentence of [0675], or add \"or the SUCI\" to [0671]; add to method 600/700: \"The remote UE "
        "that sent its 5GPRUK ID #1 accepts the EAP authentication that creates a new 5GPRUK.\"",
        PATENT_ONLY,
        checks=(("m700.panf_udm", "panf_update_completes"), ("m600.before.panf_udm", "ausf_update_completes")),
        absorbs=(("vacuous", "700", "0675", "0671"),),
    ),
    Entry(
        "18", "unspecified", "low",
        "The key update indication's bit values are given, but its presence alone is treated as the request",
        ("[0431]", "[0430]", "[0440]"), (),
        "0431", "“0” indicates that the 5GPRUK #1 needs to be updated, and “1” indicates that the 5GPRUK #1 does not "
        "need to be updated",
        "Replace the example by: \"The key update indication is present only when the 5GPRUK #1 needs to be updated.\"",
        TS_24501,
        checks=(("m500.indication.panf_udm", "ue_update_completes"),),
    ),
    Entry(
        "20", "unspecified", "low",
        "Method 700: the PAnF decides the update first and checks after, or checks first ([0700]): the order is left open",
        ("[0684]", "[0689]", "[0700]"), ("S710", "S711"),
        "0700", "Optionally, the PAnF may first obtain the 5GPRUK #1 and the SUPI through local query based on the "
        "5GPRUK ID #1, and then perform the authorization check on the remote UE.",
        "Add to [0700]: \"In either order, the UDM performs the authorization check again in Manner 3 when the 5GPRUK "
        "#1 is updated.\"",
        PATENT_ONLY,
        checks=(("m700.panf_udm", "no_knr_after_withdrawal"),),
    ),
    Entry(
        "21", "unspecified", "low",
        "Update triggers with no state or message: \"changes\" since when, a use time the key query does not carry, an "
        "indication no message carries",
        ("[0556]", "[0681]", "[0683]", "[0680]"), ("S608", "S710"),
        "0681", "If the key query request message further indicates that the use time of the 5GPRUK #1 is 18 hours",
        "Add to S709: \"The key query request message optionally carries the use time of the 5GPRUK #1.\" and name the "
        "message that carries the update indication of [0680].",
        TS_29561,
        checks=(("m600.before.panf_udm", "ausf_update_completes"), ("m700.panf_udm", "panf_update_completes")),
    ),
    Entry(
        "22", "unspecified", "low",
        "A UE that deletes 5GPRUK #1 after an RSC configuration update tells no one; the PAnF keeps the stale key",
        ("[0306]",), (),
        "0306", "the remote UE further deletes the 5GPRUK #1 or sets the 5GPRUK #1 to invalid",
        "Add to [0306]: \"The PAnF (remote) replaces the stale 5GPRUK #1 when it stores the new 5GPRUK.\"",
        PATENT_ONLY,
        checks=(("m400.panf_udm", "keys_converge"),),
    ),
    # ---- editorial (rows 9 and 25 of spec-findings.md, one entry per fix) ----
    Entry(
        "9, 25", "editorial", "low",
        "A failed authorization is described as \"indication information indicating that authentication succeeds\"",
        ("[0263]", "[0346]", "[0462]", "[0584]", "[0704]"), (),
        "0263", "a representation form of failure may be one piece of indication information indicating that "
        "authentication succeeds",
        "Replace \"indicating that authentication succeeds\" in the failure sentence of [0263], [0346], [0462], [0584] "
        "and [0704] by \"indicating that authorization fails\" (as [0284] has it).",
        PATENT_ONLY,
    ),
    Entry(
        "9", "editorial", "low", "[0284] cites method 400's S425 inside method 300 (S306 is meant)",
        ("[0284]",), ("S425", "S306"),
        "0284", "It should be understood that the following step S425 is performed only when the authorization check "
        "on the first communication apparatus succeeds.",
        "Replace \"the following step S425\" by \"the following step S306\".", PATENT_ONLY,
        absorbs=(("step-reference", "0284"),),
    ),
    Entry(
        "9", "editorial", "low", "[0286] writes S2042 for S3042",
        ("[0286]",), ("S2042", "S3042"),
        "0286", "in the method of S304 to S2042", "Replace \"S304 to S2042\" by \"S304 to S3042\".", PATENT_ONLY,
        absorbs=(("step-reference", "0286"),),
    ),
    Entry(
        "25", "editorial", "low", "[0387] and [0505] cite S412b and S512b, which do not exist (S421b, S521b)",
        ("[0387]", "[0505]"), ("S412b", "S512b"),
        "0387", "after performing the step S412b",
        "Replace \"after performing the step S412b\" by \"after performing the step S421b\" in [0387], and \"S512b\" by "
        "\"S521b\" in [0505].", PATENT_ONLY,
        absorbs=(("step-reference", "0387"), ("step-reference", "0505")),
    ),
    Entry(
        "25", "editorial", "low", "[0560] and [0712] cite S6113 and S7113, which do not exist (S6112, S7112)",
        ("[0560]", "[0712]"), ("S6113", "S7113"),
        "0560", "when steps S6110 to S6113 are performed in Manner 1",
        "Replace \"S6110 to S6113\" by \"S6110 to S6112\" (twice) in [0560], and \"S7110 to S7113\" by \"S7110 to "
        "S7112\" in [0712].", PATENT_ONLY,
        absorbs=(("step-reference", "0560"), ("step-reference", "0712")),
    ),
    Entry(
        "25", "editorial", "low", "[0674] cites S71110, S71112 and S7113 (S7110 to S7112, S713 are meant)",
        ("[0674]",), ("S71110", "S71112", "S7113"),
        "0674", "Either steps S71110 to S71112 in Manner 1 or steps S7113 and S714 in Manner 2 may be performed.",
        "Replace by: \"Either steps S7110 to S7112 in Manner 1 or steps S713 and S714 in Manner 2 may be performed.\"",
        PATENT_ONLY,
        absorbs=(("step-reference", "0674"),),
    ),
    Entry(
        "25", "editorial", "low", "[0681] and [0682] say the decision S710 \"carries\" a key (S711 sends it)",
        ("[0681]", "[0682]"), ("S710", "S711"),
        "0681", "In this case, a step S710 carries the 5GPRUK #1.",
        "Replace \"a step S710 carries\" by \"the key query response message in the step S711 carries\" in [0681], and "
        "\"a step S710 does not carry\" by \"the key query response message in the step S711 does not carry\" in [0682].",
        PATENT_ONLY,
        absorbs=(("step-reference", "0681"), ("step-reference", "0682")),
    ),
    Entry(
        "25", "editorial", "low", "[0689] performs the local query \"in the step S710\" (S709 is the key query)",
        ("[0689]",), ("S710", "S709"),
        "0689", "through local query based on the 5GPRUK ID #1 in the step S710",
        "Replace \"in the step S710\" by \"in the step S709\".", PATENT_ONLY,
    ),
    Entry(
        "25", "editorial", "low", "[0713] names 5GPRUK ID #2 where the query is for 5GPRUK ID #1",
        ("[0713]",), (),
        "0713", "a 5GPRUK ID #2 is an invalid or incorrect key identifier",
        "Replace \"a 5GPRUK ID #2\" by \"the 5GPRUK ID #1\".", PATENT_ONLY,
    ),
    Entry(
        "25", "editorial", "low", "[0753] swaps #1 and #2: the UE \"stores the updated 5GPRUK #1\" after generating #2",
        ("[0753]", "[0750]"), ("S722b",),
        "0753", "the remote UE stores the updated 5GPRUK #1 and the updated 5GPRUK ID #1",
        "Replace [0753] by: \"Optionally, if the remote UE locally stores an old 5GPRUK #1 and an old 5GPRUK ID #1 "
        "before performing the step S722b, after performing the step S722b, the remote UE stores the newly generated "
        "5GPRUK #2 and 5GPRUK ID #2, replacing the old 5GPRUK #1 and 5GPRUK ID #1.\"", PATENT_ONLY,
        absorbs=(("contradiction", "700", "0750", "0753"),),
    ),
    Entry(
        "25", "editorial", "low", "[0631] conditions the replacement on \"an old 5GPRUK #2\" and then deletes #1",
        ("[0631]",), ("S621",),
        "0631", "if the PAnF (remote) locally stores an old 5GPRUK #2 and an old 5GPRUK ID #2 before the step S621 is "
        "performed",
        "Replace \"an old 5GPRUK #2 and an old 5GPRUK ID #2\" by \"an old 5GPRUK #1 and an old 5GPRUK ID #1\".",
        PATENT_ONLY,
    ),
    Entry(
        "25", "editorial", "low", "[0420] says \"the 5GPRUK #2 may continue to be used\" of the key kept, #1",
        ("[0420]",), (),
        "0420", "the 5GPRUK #2 may continue to be used only after the check succeeds",
        "Replace \"the 5GPRUK #2 may continue\" by \"the 5GPRUK #1 may continue\".", PATENT_ONLY,
    ),
)
"""Every hand-written finding, in the order of docs/spec-findings.md (the review ranks them)."""
