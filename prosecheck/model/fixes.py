"""Proposed fixes for what the text leaves unspecified, each checked beside the text's own verdicts.

A fix is a set of procedure options (:data:`~prosecheck.model.terms.FIX_DEFAULTS`, all 0 = the text as
written) that the element rules read with defaults, so every scenario that does not name them keeps its
tables, state counts and proof fingerprints. Each fix names the text's scenario(s) that show the finding and
builds a scenario with the fix switched on (``<text scenario>.fix_<name>``, before any ``@threat`` suffix); the
properties listed are those whose verdict differs. The fix scenarios are opt-in (not in the default run):
``prosecheck check m300.panf_local.fix_notify``.

:data:`FIXES` is the declarative table the review list reads: finding, paragraphs, scenarios, properties and
the proposed text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from prosecheck.model.procedures import Procedure
from prosecheck.model.spec import cite

HOLDS, VIOLATED = "HOLDS", "VIOLATED"

NOTIFY = {"udm_notifies_authorization": 1}
RECHECK = {"udm_notifies_authorization": 1, "ausf_refuses_while_withdrawn": 1}
UNKNOWN_ID = {"unknown_id_falls_back_to_suci": 1}


@dataclass(frozen=True)
class Fix:
    """One proposed fix: the finding it answers, the text's scenario(s) and the fix's, the properties whose
    verdicts differ, and the proposed text (one or two sentences a spec editor can paste)."""

    key: str
    finding: str  # the row(s) of docs/spec-findings.md
    category: str  # "security" | "unspecified behaviour"
    paragraphs: tuple[str, ...]
    options: Mapping[str, int]
    pairs: tuple[tuple[str, str], ...]  # (the text's scenario, the fix's scenario)
    properties: tuple[str, ...]
    proposed_text: str
    clause: str = ""  # the 3GPP clause the change would touch
    note: str = field(default="", compare=False)

    @property
    def text_scenario(self) -> str:
        return self.pairs[0][0]

    @property
    def fix_scenario(self) -> str:
        return self.pairs[0][1]


def _fix_id(text_id: str, suffix: str) -> str:
    base, at, threat = text_id.partition("@")
    return f"{base}.{suffix}{at}{threat}"


_PANF_LOCAL = ("m300.panf_local", "m400.panf_local", "m500.indication.panf_local", "m500.suci.panf_local",
               "m600.before.panf_local", "m600.after.panf_local", "m700.panf_local")
_LOCKED_OUT = ("m700.ausf_udm@lossy_links_pc5", "m500.indication.panf_udm@lossy_links_pc5",
               "m600.before.ausf_udm@lossy_links_pc5")

FIXES: tuple[Fix, ...] = (
    Fix(
        "stale_panf_authorization_info", "2, 16", "security",
        ("[0264]", "[0265]", "[0266]", "[0329]", "[0330]", "[0446]", "[0566]", "[0685]"),
        NOTIFY,
        tuple((t, _fix_id(t, "fix_notify")) for t in _PANF_LOCAL),
        ("no_knr_after_withdrawal", "reuse_rejected_after_withdrawal"),
        "Add to [0266]: \"When the 5G ProSe service authorization of the remote UE changes, the UDM (remote) "
        "notifies the PAnF (remote) and the AUSF (remote), and the PAnF updates the locally stored 5G ProSe "
        "service authorization information; a withdrawal takes effect once both have acknowledged the "
        "notification.\"",
        "TS 33.503 6.3.3.3; TS 29.503 (Nudm_SDM_Notification); TS 29.561",
    ),
    Fix(
        "withdrawal_between_check_and_derivation", "6", "security",
        ("[0220]", "[0286]", "[0287]", "S220", "S306", "S3042", "S3052"),
        RECHECK,
        tuple((t, _fix_id(t, "fix_recheck")) for t in ("m300.panf_udm", "m300.ausf_udm", "m300.panf_local")),
        ("knr_derived_while_withdrawn", "reuse_knr_derived_while_withdrawn"),
        "Add after [0287]: \"If the AUSF (remote) is notified by the UDM (remote) that the 5G ProSe service "
        "authorization of the remote UE is withdrawn before it generates the KNR_ProSe, it does not generate the "
        "KNR_ProSe and rejects the request, even if an authorization check succeeded earlier in the procedure.\"",
        "TS 33.503 6.3.3.3",
    ),
    Fix(
        "unknown_pruk_id", "threat-models: locked out after a lost update", "unspecified behaviour",
        ("[0129]", "[0252]", "[0393]", "[0510]", "[0631]", "[0713]", "[0758]"),
        UNKNOWN_ID,
        tuple((t, _fix_id(t, "fix_unknown_id")) for t in _LOCKED_OUT),
        ("recovers_after_loss",),
        "Add to [0713]: \"If no 5GPRUK is stored for the 5GPRUK ID, the PAnF (remote) indicates that the 5GPRUK ID "
        "is unknown; the AUSF (remote) rejects the request with this cause, and the remote UE, on receiving it, "
        "deletes the 5GPRUK and the 5GPRUK ID and uses its SUCI in the next request.\"",
        "TS 33.503 6.3.3.3; TS 29.561 (Npanf_ProseKey_get); TS 24.554 7.2.2",
        "keys_converge and old_pruk_replaced stay VIOLATED, as in method 400 under loss: a loss in the last "
        "attempt but one leaves no attempt for the fall-back (the bound, not the text)",
    ),
)
"""The proposed fixes, in the review's order (security first)."""

_RACE_CLOSED = {"knr_derived_while_withdrawn": VIOLATED, "reuse_knr_derived_while_withdrawn": VIOLATED}
_LAST_ATTEMPT_LOST = {"keys_converge": VIOLATED, "old_pruk_replaced": VIOLATED}
_EXPECTED: dict[str, dict[str, str]] = {
    **{fid: _RACE_CLOSED for _, fid in FIXES[1].pairs},
    **{fid: _LAST_ATTEMPT_LOST for _, fid in FIXES[2].pairs},
}
"""The verdicts each fix scenario declares besides HOLDS (for reachability: reached), as ``prosecheck check``
gives them (tests/test_fixes.py): VIOLATED for a reachability property means UNREACHED."""


def fix_procedure(text: Procedure, fix: Fix, fix_id: str) -> Procedure:
    """The text's procedure with the fix's options, named after the fix scenario (without its ``@threat``)."""
    return Procedure(fix_id.partition("@")[0], f"{text.title}; proposed fix {fix.key}", {**text.options, **fix.options},
                     cite(*fix.paragraphs))


def fix_expected(fix_id: str) -> dict[str, str]:
    """The verdicts the fix scenario declares besides HOLDS."""
    return dict(_EXPECTED.get(fix_id, {}))


def fix_pairs() -> list[tuple[Fix, str, str]]:
    """(fix, the text's scenario, the fix's scenario) for every scenario to build, in order: a text scenario under a
    threat model (``<id>@<threat>``) also gives the fix's honest scenario, as every ``@`` scenario has its base."""
    out = []
    for fix in FIXES:
        for text_id, fix_id in fix.pairs:
            if "@" in text_id:
                out.append((fix, text_id.partition("@")[0], fix_id.partition("@")[0]))
            out.append((fix, text_id, fix_id))
    return out


def is_fix_scenario(scenario_id: str) -> bool:
    """Whether the scenario models a proposed fix (not the text): kept out of the text's threat documents."""
    return ".fix_" in scenario_id.partition("@")[0]


def fix_of(scenario_id: str) -> Fix | None:
    """The fix a scenario models, or None for the text's scenarios."""
    return next((f for f in FIXES for _, fid in f.pairs if fid == scenario_id), None)
