"""Symbolic keys and identifiers, encoded as small integers.

Keys carry a **generation**: ``5GPRUK #g`` is the key made by the g-th successful ProSe
authentication of a remote UE (a new KAUSF_P gives a new 5GPRUK, [0388]); 0 means "none".
The 5GPRUK ID #g names 5GPRUK #g. KNR_ProSe = KDF(5GPRUK, Nonce_1, Nonce_2) ([0192]) is the
term ``knr(g, n1, n2)``, packed into one integer so two parties agree iff the integers match.
Nonce_1 is fresh per connection attempt: it is the attempt's number. Nonce_2 is the AUSF's
counter of KNR_ProSe derivations.
"""

from __future__ import annotations

from prosecheck.checker.expr import Expr, ExprLike, lift

NONCE_BITS = 4
"""Width of Nonce_1 and Nonce_2 in the model: each is a 4-bit field of the packed KNR_ProSe term
(:func:`knr`). The spec's nonces are random ("a random number Nounce_1", [0126]) and 16 octets long
in the stage-3 messages (TS 24.501 5.5.4); the model only needs them fresh, so Nonce_1 is the
attempt's number and Nonce_2 the AUSF's count of derivations, with 0 meaning "none"."""

MAX_ATTEMPTS = 2**NONCE_BITS - 2
"""The largest ``attempts`` bound the model can represent. The remote UE's Nonce_1 takes the values
1..attempts and an attacker's own Nonce_1 is attempts + 1
(:data:`~prosecheck.model.elements.attacker.ATTACKER_NONCE`): all of them must be nonzero
:data:`NONCE_BITS`-bit values, so attempts <= 2**NONCE_BITS - 2. They also index the attempt masks,
one bit per Nonce_1 in a :data:`~prosecheck.checker.expr.BITS`-bit word (``with_bit``)."""

# Identity carried in a Direct Communication Request (S204, [0126], [0129]).
ID_NONE, ID_SUCI, ID_PRUK_ID = 0, 1, 2
ID_NAMES = {ID_NONE: "none", ID_SUCI: "SUCI", ID_PRUK_ID: "5GPRUK ID"}

# Results of checks and requests ([0263], [0284]: "200 OK" / "403 forbidden").
RESULT_NONE, RESULT_OK, RESULT_FORBIDDEN = 0, 1, 2
RESULT_UNKNOWN_ID = 3
"""Only under the proposed fix ``unknown_id_falls_back_to_suci``: "404 not found", the 5GPRUK ID is unknown
(as TS 29.561's Npanf_ProseKey_get answers a key it does not hold); the text has no such answer."""
RESULT_NAMES = {RESULT_NONE: "-", RESULT_OK: "200 OK", RESULT_FORBIDDEN: "403 forbidden",
                RESULT_UNKNOWN_ID: "404 5GPRUK ID unknown"}

FIX_DEFAULTS = {"udm_notifies_authorization": 0, "ausf_refuses_while_withdrawn": 0, "unknown_id_falls_back_to_suci": 0}
"""The options of proposed fixes (:mod:`prosecheck.model.fixes`), each 0 (the text as written) unless a fix
scenario sets it. The elements read them with these defaults (``OPTION_DEFAULTS``), so a scenario that does
not name them compiles to exactly the tables it had before they existed."""

# Where the authorization check before reuse happens (method 300, [0254]-[0286]).
CHECK_NONE, CHECK_PANF_LOCAL, CHECK_PANF_UDM, CHECK_AUSF_UDM = 0, 1, 2, 3
CHECK_NAMES = {CHECK_NONE: "none", CHECK_PANF_LOCAL: "panf_local", CHECK_PANF_UDM: "panf_udm", CHECK_AUSF_UDM: "ausf_udm"}

# Who asks the UDM for an authorization check (S3041 vs S3051).
REQUESTER_PANF, REQUESTER_AUSF = 1, 2

# Who may trigger a 5GPRUK update, and how (methods 400-700, [0291]).
UPDATE_NONE, UPDATE_UE_SUCI, UPDATE_UE_INDICATION, UPDATE_AUSF, UPDATE_PANF = 0, 1, 2, 3, 4
UPDATE_NAMES = {UPDATE_NONE: "none", UPDATE_UE_SUCI: "remote UE, by SUCI (method 400)",
                UPDATE_UE_INDICATION: "remote UE, by 5GPRUK ID + key update indication (method 500)",
                UPDATE_AUSF: "AUSF (method 600)", UPDATE_PANF: "PAnF (method 700)"}

# When the AUSF takes its update decision (method 600, [0557]-[0559]).
AUSF_DECIDES_BEFORE_QUERY, AUSF_DECIDES_AFTER_QUERY = 0, 1

# Why an update is due: the owner's local policy ([0238]-[0240], [0303]-[0306], [0555]-[0556], [0680]-[0683]).
REASON_NONE = 0
REASON_UE_TIMER, REASON_UE_RSC_CONFIGURATION, REASON_UE_CELL_OR_PLMN, REASON_UE_KEY_INVALIDATED = 1, 2, 3, 4
REASON_AUSF_AMF_PLMN, REASON_AUSF_CONFIGURATION = 5, 6
REASON_PANF_KEY_AGE, REASON_PANF_RSC_NOT_STORED, REASON_PANF_INDICATION = 7, 8, 9
REASON_NAMES = {
    REASON_NONE: "-",
    REASON_UE_TIMER: "the UE's key timer expired",
    REASON_UE_RSC_CONFIGURATION: "the RSC-related configuration changed",
    REASON_UE_CELL_OR_PLMN: "security policy: the cell ID or PLMN changed",
    REASON_UE_KEY_INVALIDATED: "an RSC configuration update set the 5GPRUK invalid",
    REASON_AUSF_AMF_PLMN: "the relay AMF's PLMN ID changed",
    REASON_AUSF_CONFIGURATION: "the AUSF's configuration changed",
    REASON_PANF_KEY_AGE: "the 5GPRUK's validity period expired",
    REASON_PANF_RSC_NOT_STORED: "the RSC #1 is no longer stored",
    REASON_PANF_INDICATION: "an update indication from the AUSF or UDM",
}

SUPI = 1
"""The remote UE's SUPI, as a value; 0 in a field means "not carried"."""
SUCI = 1
"""A SUCI (concealed SUPI); 0 means "not carried"."""
SUCI_NULL_SCHEME = 2
"""A SUCI under the null protection scheme: it carries the SUPI in clear (TS 33.501 6.12.2)."""
RSC = 1
"""The relay service code of the scenario."""


PRUK_WITH_NONCE_1 = 0x40
"""Flag on a 5GPRUK term: the key was derived with Nonce_1 among its inputs ([0174] read literally),
so it differs from the key of the same generation derived without it ([0172])."""


def describe_pruk(value: int) -> str:
    if value & PRUK_WITH_NONCE_1:
        return f"5GPRUK #{value & 0x3F} (with Nonce_1)"
    return f"5GPRUK #{value}"


def knr(pruk: ExprLike, nonce_1: ExprLike, nonce_2: ExprLike) -> Expr:
    """The term KNR_ProSe(5GPRUK #pruk, Nonce_1, Nonce_2), packed as pruk<<8 | n1<<4 | n2
    (:data:`NONCE_BITS` bits per nonce)."""
    return (lift(pruk) << 2 * NONCE_BITS) | (lift(nonce_1) << NONCE_BITS) | lift(nonce_2)


def knr_pruk(term: ExprLike) -> Expr:
    """The 5GPRUK generation a packed KNR_ProSe term was derived from."""
    return lift(term) >> 2 * NONCE_BITS


def describe_knr(value: int) -> str:
    if value == 0:
        return "none"
    low = 2**NONCE_BITS - 1
    return (f"KNR_ProSe({describe_pruk(value >> 2 * NONCE_BITS)}, Nonce_1={(value >> NONCE_BITS) & low}, "
            f"Nonce_2={value & low})")
