"""Ghost facts: what the properties read and the protocol never does.

Element effects write the attempt-indexed masks (see :mod:`prosecheck.properties.catalog`);
the observers below set the knowledge facts whenever a message carrying a field of a given
kind is sent towards a given element or over a given kind of link."""

from __future__ import annotations

from prosecheck.checker.system import Observer
from prosecheck.model.terms import SUCI_NULL_SCHEME

GHOSTS = (
    "authorized_in_attempt", "check_failed", "knr_derived", "knr_while_withdrawn", "begun_while_withdrawn",
    "pc5_secured", "rejected", "by_pruk_id", "relay_refused", "relay_learned_key", "amf_learned_key", "supi_on_air",
    "supi_on_sbi", "superseded", "pruk_history", "pruk_reused", "knr_from_superseded", "updated",
    "link_faults",  # messages lost or duplicated so far (the lossy_links threat model; written by the product)
    "last_sent_id", "same_id_attempts",  # the 5GPRUK ID of the last S204 by ID, and how many S204s carried it
)

_ANY_LINK = frozenset({"pc5", "nas", "sbi"})
_HOME_KEYS = frozenset({"pruk", "kausf_p"})

OBSERVERS = (
    Observer("relay_learned_key", _ANY_LINK, _HOME_KEYS, frozenset({"relay_ue"})),
    Observer("amf_learned_key", _ANY_LINK, _HOME_KEYS, frozenset({"amf"})),
    Observer("supi_on_air", frozenset({"pc5", "nas"}), frozenset({"supi"})),
    Observer("supi_on_air", frozenset({"pc5", "nas"}), frozenset({"suci"}), values=frozenset({SUCI_NULL_SCHEME})),
    Observer("supi_on_sbi", frozenset({"sbi"}), frozenset({"supi"})),
)
