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

# Identity carried in a Direct Communication Request (S204, [0126], [0129]).
ID_NONE, ID_SUCI, ID_PRUK_ID = 0, 1, 2
ID_NAMES = {ID_NONE: "none", ID_SUCI: "SUCI", ID_PRUK_ID: "5GPRUK ID"}

# Results of checks and requests ([0263], [0284]: "200 OK" / "403 forbidden").
RESULT_NONE, RESULT_OK, RESULT_FORBIDDEN = 0, 1, 2
RESULT_NAMES = {RESULT_NONE: "-", RESULT_OK: "200 OK", RESULT_FORBIDDEN: "403 forbidden"}

# Where the authorization check before reuse happens (method 300, [0254]-[0286]).
CHECK_NONE, CHECK_PANF_LOCAL, CHECK_PANF_UDM, CHECK_AUSF_UDM = 0, 1, 2, 3
CHECK_NAMES = {CHECK_NONE: "none", CHECK_PANF_LOCAL: "panf_local", CHECK_PANF_UDM: "panf_udm", CHECK_AUSF_UDM: "ausf_udm"}

# Who asks the UDM for an authorization check (S3041 vs S3051).
REQUESTER_PANF, REQUESTER_AUSF = 1, 2

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
    """The term KNR_ProSe(5GPRUK #pruk, Nonce_1, Nonce_2), packed as pruk<<8 | n1<<4 | n2."""
    return (lift(pruk) << 8) | (lift(nonce_1) << 4) | lift(nonce_2)


def knr_pruk(term: ExprLike) -> Expr:
    """The 5GPRUK generation a packed KNR_ProSe term was derived from."""
    return lift(term) >> 8


def describe_knr(value: int) -> str:
    if value == 0:
        return "none"
    return f"KNR_ProSe({describe_pruk(value >> 8)}, Nonce_1={(value >> 4) & 15}, Nonce_2={value & 15})"
