"""The 20 claims of US 2025/0260979 A1 and the parts of the model that embody them.

Each entry names the transitions (``role.effect``) that carry out what the claim says, the
properties that state its security goal, and the scenarios (procedure variants) where it
applies. The claim's verdict is computed from the checker's results on those scenarios; a
test keeps every name here resolvable in the model. Claims 11-15 restate 1-5 and 16-20 restate
6-10 for the network element itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from prosecheck.verify import ScenarioResult


@dataclass(frozen=True)
class ClaimMap:
    transitions: tuple[str, ...]
    properties: tuple[str, ...]
    scenarios: tuple[str, ...]


_KNR_AFTER_CHECK = ClaimMap(
    ("ausf.derive_knr_after_check", "ausf.derive_knr_from_queried_pruk", "ausf.refuse_unauthorized_reuse",
     "ausf.refuse_key_not_returned"),
    ("knr_only_after_authorization", "no_knr_after_withdrawal", "pc5_secured_by_pruk_id"),
    ("m300.panf_local", "m300.panf_udm", "m300.ausf_udm"),
)
_QUERY_WITH_SUPI = ClaimMap(
    ("remote_ue.request_with_pruk_id", "ausf.query_key", "panf.return_key_and_supi"),
    ("pc5_secured_by_pruk_id",), ("m300.ausf_udm",),
)
_AUSF_DETERMINES = ClaimMap(
    ("ausf.request_authorization_check", "ausf.derive_knr_after_check", "ausf.refuse_unauthorized_reuse"),
    ("knr_only_after_authorization", "no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"),
    ("m300.ausf_udm",),
)
_AUSF_ASKS_UDM = ClaimMap(
    ("ausf.request_authorization_check", "udm.confirm_authorization", "udm.deny_authorization",
     "ausf.derive_knr_after_check", "ausf.refuse_unauthorized_reuse"),
    ("knr_only_after_authorization", "no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"),
    ("m300.ausf_udm",),
)
_KEY_MEANS_PERMISSION = ClaimMap(
    ("panf.return_key_after_udm_check", "panf.return_key_after_local_check", "ausf.derive_knr_from_queried_pruk"),
    ("knr_only_after_authorization", "no_knr_after_withdrawal"),
    ("m300.panf_local", "m300.panf_udm"),
)
_PANF_SENDS_KEY_IF_PERMITTED = ClaimMap(
    ("panf.return_key_after_udm_check", "panf.return_key_after_local_check", "panf.refuse_after_udm_check",
     "panf.refuse_after_local_check"),
    ("knr_only_after_authorization", "no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"),
    ("m300.panf_local", "m300.panf_udm"),
)
_PANF_ASKS_UDM = ClaimMap(
    ("panf.request_authorization_check", "udm.confirm_authorization", "udm.deny_authorization",
     "panf.return_key_after_udm_check", "panf.refuse_after_udm_check"),
    ("knr_only_after_authorization", "no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"),
    ("m300.panf_udm",),
)
_PANF_LOCAL = ClaimMap(
    ("panf.return_key_after_local_check", "panf.refuse_after_local_check"),
    ("knr_only_after_authorization", "no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"),
    ("m300.panf_local",),
)
_PANF_INFO_FROM_AUSF = ClaimMap(
    ("udm.grant_av", "ausf.verify_eap_and_derive_pruk", "panf.store_key"),
    ("pruk_stored_at_panf", "no_knr_after_withdrawal"),
    ("m300.panf_local",),
)

CLAIMS: dict[int, ClaimMap] = {
    1: _KNR_AFTER_CHECK, 2: _QUERY_WITH_SUPI, 3: _AUSF_DETERMINES, 4: _AUSF_ASKS_UDM, 5: _KEY_MEANS_PERMISSION,
    6: _PANF_SENDS_KEY_IF_PERMITTED, 7: _PANF_SENDS_KEY_IF_PERMITTED, 8: _PANF_ASKS_UDM, 9: _PANF_LOCAL,
    10: _PANF_INFO_FROM_AUSF,
    11: _KNR_AFTER_CHECK, 12: _QUERY_WITH_SUPI, 13: _AUSF_DETERMINES, 14: _AUSF_ASKS_UDM, 15: _KEY_MEANS_PERMISSION,
    16: _PANF_SENDS_KEY_IF_PERMITTED, 17: _PANF_SENDS_KEY_IF_PERMITTED, 18: _PANF_ASKS_UDM, 19: _PANF_LOCAL,
    20: _PANF_INFO_FROM_AUSF,
}


PARTLY = "HOLDS IN SOME EMBODIMENTS"


@dataclass
class ClaimVerdict:
    number: int
    depends_on: int | None
    summary: str  # the claim's first words
    mapping: ClaimMap
    verdict: str  # "HOLDS" | PARTLY | "VIOLATED" | "NOT CHECKED" (no mapped scenario in this run)
    failures: list[str] = field(default_factory=list)  # "scenario: property verdict", safety and liveness only
    holds_in: list[str] = field(default_factory=list)  # mapped scenarios (embodiments) where no mapped property fails
    unreached: list[str] = field(default_factory=list)  # "scenario: property": a reachability twin not reached


def _judge(checked: list[str], failures: list[str]) -> tuple[str, list[str]]:
    """The claim's verdict through its own embodiments: a claim covers every mapped scenario, so it is
    violated only when each of them is; when some are and others are not, the failing embodiments are
    named but the claim is not (claim 1 holds in m300.panf_udm and m300.ausf_udm whatever
    m300.panf_local does; that embodiment is judged by its own claims, 9 and 10)."""
    holds_in = [s for s in checked if not any(f.startswith(f"{s}:") for f in failures)]
    if not checked:
        return "NOT CHECKED", holds_in
    if not failures:
        return "HOLDS", holds_in
    return (PARTLY if holds_in else "VIOLATED"), holds_in


def claim_verdicts(texts: Mapping[int, tuple[str, int | None]], results: Mapping[str, ScenarioResult]) -> list[ClaimVerdict]:
    """Each claim's verdict from the checker's results on its embodiments (:func:`_judge`). A
    reachability property (``sometimes``) that is not reached says a path was not exercised, not that
    the claim fails: it is listed under ``unreached`` and does not count against the claim."""
    out = []
    for number, (text, depends) in sorted(texts.items()):
        mapping = CLAIMS[number]
        checked = [s for s in mapping.scenarios if s in results]
        judged = [(s, p, results[s].properties[p]) for s in checked for p in mapping.properties
                  if p in results[s].properties and results[s].properties[p].verdict != "HOLDS"]
        failures = [f"{s}: {p} {r.verdict}" for s, p, r in judged if r.kind != "sometimes"]
        unreached = [f"{s}: {p}" for s, p, r in judged if r.kind == "sometimes"]
        verdict, holds_in = _judge(checked, failures)
        out.append(ClaimVerdict(number, depends, " ".join(text.split()[:14]) + " ...", mapping, verdict, failures,
                                holds_in, unreached))
    return out
