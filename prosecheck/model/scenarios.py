"""Named configurations: procedure x options x bounds, with the verdicts each should give.

A scenario declares its expected verdicts, so a known flaw (method 200's, [0219]) is an
expected VIOLATED and the exit code stays 0 while the model says what the text says. Every
property not listed is expected to HOLD (for ``sometimes``: to be reached)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from prosecheck.model.environment import Bounds
from prosecheck.model.procedures import PROCEDURES, Procedure

HOLDS, VIOLATED = "HOLDS", "VIOLATED"


@dataclass(frozen=True)
class Scenario:
    id: str
    procedure: Procedure
    bounds: Bounds = Bounds()
    expected: dict[str, str] = field(default_factory=dict)
    expect_deadlock: bool = False
    default: bool = True
    note: str = ""
    mutants: tuple[str, ...] = ()

    def expected_verdict(self, property_id: str) -> str:
        return self.expected.get(property_id, HOLDS)

    def with_bounds(self, **changes: object) -> Scenario:
        return replace(self, bounds=replace(self.bounds, **changes))  # type: ignore[arg-type]

    def with_mutants(self, *mutant_ids: str) -> Scenario:
        """The same scenario with seeded mistakes (see :mod:`prosecheck.model.mutants`)."""
        suffix = "".join(f"+{m}" for m in mutant_ids)
        return replace(self, id=self.id + suffix, mutants=self.mutants + tuple(mutant_ids))


SCENARIOS: dict[str, Scenario] = {
    s.id: s
    for s in [
        Scenario(
            "m200", PROCEDURES["m200"],
            expected={"knr_only_after_authorization": VIOLATED, "no_knr_after_withdrawal": VIOLATED,
                      "reuse_rejected_after_withdrawal": VIOLATED},
            note="the flaw of [0219]: the 5GPRUK ID path derives KNR_ProSe with no authorization check",
        ),
        Scenario(
            "m200.s215b_with_nonce_1", PROCEDURES["m200.s215b_with_nonce_1"],
            expected={"knr_only_after_authorization": VIOLATED, "no_knr_after_withdrawal": VIOLATED,
                      "reuse_rejected_after_withdrawal": VIOLATED, "knr_agreement": VIOLATED},
            note="[0172] and [0174] give different inputs for the same 5GPRUK: read literally, the UE and the "
                 "network hold different keys and every KNR_ProSe disagrees",
        ),
        Scenario(
            "m300.panf_local", PROCEDURES["m300.panf_local"],
            expected={"no_knr_after_withdrawal": VIOLATED, "reuse_rejected_after_withdrawal": VIOLATED},
            note="the PAnF's stored authorization info ([0266]) is written at key registration and never "
                 "refreshed by the text, so it can disagree with the UDM after a withdrawal",
        ),
        Scenario("m300.panf_udm", PROCEDURES["m300.panf_udm"]),
        Scenario(
            "m300.panf_udm.s3042_success_only", PROCEDURES["m300.panf_udm.s3042_success_only"],
            expect_deadlock=True,
            expected={"reuse_rejected_after_withdrawal": VIOLATED},
            note="reading [0263] literally: a failed S3041 check gets no S3042, so the PAnF and AUSF wait forever",
        ),
        Scenario("m300.ausf_udm", PROCEDURES["m300.ausf_udm"]),
        Scenario(
            "m300.ausf_udm.2ue", PROCEDURES["m300.ausf_udm"],
            Bounds(remote_ues=2, attempts=2, withdrawals=1, restores=1), default=False,
            note="two remote UEs behind one relay, two attempts each (bigger; opt-in)",
        ),
        Scenario(
            "m200.5attempts", PROCEDURES["m200"], Bounds(attempts=5, withdrawals=3, restores=3), default=False,
            expected={"knr_only_after_authorization": VIOLATED, "no_knr_after_withdrawal": VIOLATED,
                      "reuse_rejected_after_withdrawal": VIOLATED},
            note="five attempts, three withdrawals and restores (bigger; opt-in)",
        ),
        Scenario(
            "m300.panf_udm.5attempts", PROCEDURES["m300.panf_udm"], Bounds(attempts=5, withdrawals=3, restores=3),
            default=False, note="five attempts, three withdrawals and restores (bigger; opt-in)",
        ),
    ]
}

DEFAULT_SCENARIOS = tuple(s for s in SCENARIOS.values() if s.default)
