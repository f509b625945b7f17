"""Ghost facts: what the properties read and the protocol never does.

Element effects write the attempt-indexed masks (see :mod:`prosecheck.properties.catalog`);
the observers below set the knowledge facts whenever a message carrying a field of a given
kind is sent towards a given element or over a given kind of link.

Under a threat model with an attacker on PC5 (:mod:`prosecheck.model.pc5`), ``attacker_injected``
is set by each injection or replay; ``issued_knr`` is the last KNR_ProSe the AUSF issued (S220);
``matched_completions`` counts the remote UE's completions (S226) with exactly that key;
``link_key_mismatch`` is set when the relay UE becomes linked or the remote UE secured (S226)
while the other end does not hold the same KNR_ProSe. With no attacker these stay 0 (their
updates fold away), so honest state spaces do not change."""

from __future__ import annotations

from prosecheck.checker.system import Observer
from prosecheck.model.terms import SUCI_NULL_SCHEME

GHOSTS = (
    "authorized_in_attempt", "check_failed", "knr_derived", "knr_while_withdrawn", "begun_while_withdrawn",
    "pc5_secured", "rejected", "by_pruk_id", "relay_refused", "relay_learned_key", "amf_learned_key", "supi_on_air",
    "supi_on_sbi", "superseded", "pruk_history", "pruk_reused", "knr_from_superseded", "updated",
    "link_faults",  # messages lost or duplicated so far (the lossy_links threat model; written by the product)
    "last_sent_id", "same_id_attempts",  # the 5GPRUK ID of the last S204 by ID, and how many S204s carried it
    "attacker_learned_pruk", "attacker_learned_kausf_p", "attacker_injected", "issued_knr", "matched_completions",
    "link_key_mismatch",
)

_ANY_LINK = frozenset({"pc5", "nas", "sbi"})
_HOME_KEYS = frozenset({"pruk", "kausf_p"})

OBSERVERS = (
    Observer("relay_learned_key", _ANY_LINK, _HOME_KEYS, frozenset({"relay_ue"})),
    Observer("amf_learned_key", _ANY_LINK, _HOME_KEYS, frozenset({"amf"})),
    Observer("supi_on_air", frozenset({"pc5", "nas"}), frozenset({"supi"})),
    Observer("supi_on_air", frozenset({"pc5", "nas"}), frozenset({"suci"}), values=frozenset({SUCI_NULL_SCHEME})),
    Observer("supi_on_sbi", frozenset({"sbi"}), frozenset({"supi"})),
    Observer("attacker_learned_pruk", _ANY_LINK, frozenset({"pruk"}), frozenset({"attacker"})),
    Observer("attacker_learned_kausf_p", _ANY_LINK, frozenset({"kausf_p"}), frozenset({"attacker"})),
)
