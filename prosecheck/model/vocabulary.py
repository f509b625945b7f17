"""The model's words for a proof's lemmas (:func:`prosecheck.checker.symbolic.render.describe_support`).

The indexed encoding of ``prove`` tracks one connection attempt ``n`` (Nonce_1 = n): each attempt
mask (:data:`prosecheck.prove.ATTEMPT_MASKS`) keeps only its bit n, and a lemma that reads it holds
for every n. The readings follow the masks' definitions in :mod:`prosecheck.properties.catalog`."""

from __future__ import annotations

from prosecheck.checker.symbolic.render import Vocabulary

_BITS = {
    "authorized_in_attempt": ("an authorization check succeeded", "no authorization check succeeded"),
    "check_failed": ("an authorization check failed", "no authorization check failed"),
    "knr_derived": ("a KNR_ProSe was derived", "no KNR_ProSe was derived"),
    "knr_while_withdrawn": ("a KNR_ProSe was derived while withdrawn", "no KNR_ProSe was derived while withdrawn"),
    "begun_while_withdrawn": ("the attempt began while withdrawn", "the attempt did not begin while withdrawn"),
    "pc5_secured": ("the PC5 link was secured", "the PC5 link was not secured"),
    "rejected": ("the attempt was rejected", "the attempt was not rejected"),
    "by_pruk_id": ("the request carried the 5GPRUK ID", "the request did not carry the 5GPRUK ID"),
    "relay_refused": ("the AMF refused the relay", "the AMF did not refuse the relay"),
    "knr_from_superseded": ("a KNR_ProSe came from a superseded 5GPRUK",
                            "no KNR_ProSe came from a superseded 5GPRUK"),
    "updated": ("the remote UE replaced its 5GPRUK", "the remote UE did not replace its 5GPRUK"),
}

WORDS = Vocabulary(bits={f"ghost.{name}": said for name, said in _BITS.items()},
                   every="for every attempt n", index="n", at=" in attempt n")
"""The tracked attempt is ``n``; each tracked bit reads as what happened in attempt n."""

__all__ = ["WORDS"]
