"""The procedures and their options: method 200 (TS 33.503) and method 300 (the patent's
authorization check before an existing 5GPRUK is reused).

A procedure fixes the options the element rules read (``O("check")``, ...). Each option the
text offers, and each reading of an ambiguous passage, is a named variant."""

from __future__ import annotations

from dataclasses import dataclass, field

from prosecheck.model.spec import SpecRef, cite
from prosecheck.model.terms import CHECK_AUSF_UDM, CHECK_NONE, CHECK_PANF_LOCAL, CHECK_PANF_UDM

READINGS = {"s3042_answers_failure": 1, "s215b_mixes_nonce_1": 0}
"""The default reading of each ambiguous passage; a procedure variant overrides one of them."""


@dataclass(frozen=True)
class Procedure:
    """A procedure variant: its id, a one-line description, options and citations."""

    id: str
    title: str
    options: dict[str, int] = field(default_factory=dict)
    ref: SpecRef = SpecRef()

    def all_options(self) -> dict[str, int]:
        """The procedure's options over the default readings."""
        return {**READINGS, **self.options}


PROCEDURES: dict[str, Procedure] = {
    p.id: p
    for p in [
        Procedure(
            "m200",
            "TS 33.503 control plane: SUCI path with UDM check (S208); 5GPRUK ID path with key query and no check",
            {"check": CHECK_NONE},
            cite("[0117]", "[0140]", "[0219]"),
        ),
        Procedure(
            "m200.s215b_with_nonce_1",
            "method 200 reading [0174] literally: the remote UE derives its 5GPRUK from SUPI, KAUSF_P and Nonce_1 "
            "while the AUSF uses KAUSF_P, RSC and SUPI ([0172])",
            {"check": CHECK_NONE, "s215b_mixes_nonce_1": 1},
            cite("S215a", "[0172]", "S215b", "[0174]"),
        ),
        Procedure(
            "m300.panf_local",
            "method 300: the PAnF checks the ProSe authorization info it stored at key registration",
            {"check": CHECK_PANF_LOCAL},
            cite("S304", "[0264]", "[0265]", "[0266]"),
        ),
        Procedure(
            "m300.panf_udm",
            "method 300: the PAnF asks the UDM (S3041/S3042); the UDM answers success or failure",
            {"check": CHECK_PANF_UDM},
            cite("S304", "S3041", "S3042", "[0255]", "[0263]"),
        ),
        Procedure(
            "m300.panf_udm.s3042_success_only",
            "method 300, PAnF asks the UDM, reading [0263] literally: S3042 is sent only when the check succeeds",
            {"check": CHECK_PANF_UDM, "s3042_answers_failure": 0},
            cite("[0263]"),
        ),
        Procedure(
            "m300.ausf_udm",
            "method 300: the PAnF returns 5GPRUK #1 and SUPI, the AUSF asks the UDM (S3051/S3052)",
            {"check": CHECK_AUSF_UDM},
            cite("[0267]", "S305", "S3051", "S3052", "[0284]"),
        ),
    ]
}
