"""The procedures and their options: method 200 (TS 33.503), method 300 (the patent's
authorization check before an existing 5GPRUK is reused) and methods 400-700 (the 5GPRUK update
triggered by the remote UE, the AUSF or the PAnF, each combined with the check placements of
method 300).

A procedure fixes the options the element rules read (``O("check")``, ...). Each option the
text offers, and each reading of an ambiguous passage, is a named variant."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from prosecheck.checker.machine import ModelError
from prosecheck.model.spec import SpecRef, cite
from prosecheck.model.terms import (
    AUSF_DECIDES_AFTER_QUERY,
    AUSF_DECIDES_BEFORE_QUERY,
    CHECK_AUSF_UDM,
    CHECK_NAMES,
    CHECK_NONE,
    CHECK_PANF_LOCAL,
    CHECK_PANF_UDM,
    FIX_DEFAULTS,
    UPDATE_AUSF,
    UPDATE_NAMES,
    UPDATE_NONE,
    UPDATE_PANF,
    UPDATE_UE_INDICATION,
    UPDATE_UE_SUCI,
)

READINGS = {
    "s3042_answers_failure": 1,
    "s215b_mixes_nonce_1": 0,
    "replace_at_ue": 1,
    "replace_at_panf": 1,
    "panf_answers_failed_check": 1,
    "update_query_flagged": 1,
    "supi_with_checked_key": 1,
    "s723_stores_key_1": 0,
}
"""The default reading of each ambiguous passage; a procedure variant overrides one of them.

* ``s3042_answers_failure`` ([0263]): the UDM answers a failed S3041 check (1) or stays silent (0).
* ``s215b_mixes_nonce_1`` ([0172] vs [0174]): the UE's 5GPRUK inputs include Nonce_1 (1) or not (0).
* ``replace_at_ue`` / ``replace_at_panf`` ([0387], [0393], [0505], [0510], [0626], [0631], each
  beginning "Optionally"): the old 5GPRUK and ID are deleted when the new ones are stored (1), or
  kept beside them (0).
* ``panf_answers_failed_check`` ([0346], [0462], [0584], [0704]: "the step S411 is performed only
  when the authorization check on the remote UE succeeds", against [0329]'s 403 answer): after a
  failed S4110-S4112 check the PAnF answers 403 (1) or sends no key query response (0).
* ``update_query_flagged`` ([0440], [0558]: in the update branch "steps S5110 to S5112 in Manner 1
  are not performed", though S510/S609 carry only the ID and RSC): the AUSF's key query tells
  the PAnF to skip its check and return the SUPI (1), or the PAnF checks as always (0).
* ``supi_with_checked_key`` ([0347] "the SUPI may not be carried in the step S411", against
  [0481]/[0602] which need "the SUPI obtained in the step S511/S610"): after a successful PAnF
  check the response also carries the SUPI, as the optional SUPI query would give it (1), or
  the key only (0).
* ``s723_stores_key_1`` ([0756]-[0757] "includes the SUPI, the RSC, the 5GPRUK #1, and the 5GPRUK
  ID #1" / "stores the 5GPRUK #1", against [0758] and S422/S522/S621, which store #2): in method
  700's update branch the key storage request carries the new key (0) or, literally, 5GPRUK #1 (1).
"""


@dataclass(frozen=True)
class ProcedureOptions:
    """Every option the element rules read with ``O(...)``, typed and checked: where the
    authorization check before reuse is made, who triggers a 5GPRUK update, when the AUSF decides,
    and the reading of each ambiguous passage (:data:`READINGS`, 0 or 1)."""

    check: int = CHECK_NONE
    update: int = UPDATE_NONE
    ausf_decides: int = AUSF_DECIDES_BEFORE_QUERY
    s3042_answers_failure: int = READINGS["s3042_answers_failure"]
    s215b_mixes_nonce_1: int = READINGS["s215b_mixes_nonce_1"]
    replace_at_ue: int = READINGS["replace_at_ue"]
    replace_at_panf: int = READINGS["replace_at_panf"]
    panf_answers_failed_check: int = READINGS["panf_answers_failed_check"]
    update_query_flagged: int = READINGS["update_query_flagged"]
    supi_with_checked_key: int = READINGS["supi_with_checked_key"]
    s723_stores_key_1: int = READINGS["s723_stores_key_1"]
    udm_notifies_authorization: int = FIX_DEFAULTS["udm_notifies_authorization"]
    ausf_refuses_while_withdrawn: int = FIX_DEFAULTS["ausf_refuses_while_withdrawn"]
    unknown_id_falls_back_to_suci: int = FIX_DEFAULTS["unknown_id_falls_back_to_suci"]
    """The options of proposed fixes (:data:`~prosecheck.model.terms.FIX_DEFAULTS`, :mod:`prosecheck.model.fixes`):
    0 is the text as written. ``udm_notifies_authorization`` (findings 2, 6, 16): the UDM notifies the AUSF and
    the PAnF of each withdrawal and restoration, and the PAnF keeps its stored authorization info current;
    ``ausf_refuses_while_withdrawn`` (finding 6, needs the former): the AUSF derives no KNR_ProSe while the UDM's
    last notification says "withdrawn"; ``unknown_id_falls_back_to_suci`` ([0713]): the PAnF answers "5GPRUK ID
    unknown" and the remote UE, told so, deletes its 5GPRUK and uses its SUCI next."""

    def __post_init__(self) -> None:
        allowed = {"check": CHECK_NAMES, "update": UPDATE_NAMES,
                   "ausf_decides": {AUSF_DECIDES_BEFORE_QUERY: "before", AUSF_DECIDES_AFTER_QUERY: "after"}}
        for f in fields(self):
            value = getattr(self, f.name)
            choices = allowed.get(f.name, {0: "no", 1: "yes"})
            if isinstance(value, bool) or not isinstance(value, int) or value not in choices:
                raise ValueError(f"option {f.name} must be one of {sorted(choices)}, got {value!r}")
        if self.ausf_refuses_while_withdrawn and not self.udm_notifies_authorization:
            raise ValueError("option ausf_refuses_while_withdrawn needs udm_notifies_authorization=1 (the AUSF "
                             "learns of a withdrawal only from the UDM's notification)")

    @classmethod
    def of(cls, overrides: Mapping[str, int]) -> ProcedureOptions:
        """The options with ``overrides`` over the defaults; an unknown name or a value out of range
        is a :class:`ValueError` naming it."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown option {unknown[0]!r}; known: {', '.join(sorted(known))}")
        return cls(**{k: int(v) for k, v in overrides.items()})

    def as_dict(self) -> dict[str, int]:
        """The mapping the compiled guards read (``O("check")``, ...)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Procedure:
    """A procedure variant: its id, a one-line description, options and citations. ``options``
    holds the variant's overrides (as recorded in JSON and certificates); :attr:`typed` is the
    whole, checked set, built when the procedure is."""

    id: str
    title: str
    options: dict[str, int] = field(default_factory=dict)
    ref: SpecRef = SpecRef()

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "typed", ProcedureOptions.of(self.options))
        except ValueError as err:
            raise ModelError(f"procedure {self.id}: {err}") from None

    typed: ProcedureOptions = field(init=False, repr=False, compare=False, hash=False, default=ProcedureOptions())

    def all_options(self) -> dict[str, int]:
        """The procedure's options over the default readings (the overrides, checked by :attr:`typed`,
        in the order they are hashed: model and proof fingerprints read this mapping)."""
        return {**READINGS, "update": UPDATE_NONE, "ausf_decides": AUSF_DECIDES_BEFORE_QUERY, **self.options}

    @property
    def readings(self) -> dict[str, int]:
        """The readings this variant sets away from their defaults."""
        return {k: v for k, v in self.options.items() if k in READINGS and v != READINGS[k]}


_CHECKS = (CHECK_PANF_LOCAL, CHECK_PANF_UDM, CHECK_AUSF_UDM)
_CHECK_REFS: dict[int, tuple[str, dict[int, tuple[str, ...]]]] = {
    CHECK_PANF_LOCAL: ("the PAnF checks its stored ProSe authorization info", {
        4: ("[0329]", "[0330]"), 5: ("[0446]",), 6: ("[0566]",), 7: ("[0684]", "[0685]")}),
    CHECK_PANF_UDM: ("the PAnF asks the UDM", {
        4: ("S4110", "S4112", "[0333]", "[0347]"), 5: ("S5110", "S5112", "[0449]", "[0463]"),
        6: ("S6110", "S6112", "[0570]", "[0585]"), 7: ("S7110", "S7112", "[0689]", "[0705]")}),
    CHECK_AUSF_UDM: ("the PAnF returns 5GPRUK #1 and SUPI, the AUSF asks the UDM", {
        4: ("[0331]", "S412", "S413"), 5: ("[0448]", "S512", "S513"), 6: ("[0568]", "S611", "S612"),
        7: ("[0687]", "[0710]", "S713", "S714")}),
}


def _update_methods() -> list[Procedure]:
    """Methods 400-700, each with every authorization-check placement of method 300."""
    out = []
    for check in _CHECKS:
        words, refs = _CHECK_REFS[check]
        name = CHECK_NAMES[check]
        out += [
            Procedure(f"m400.{name}", f"method 400: the remote UE updates by sending its SUCI; on reuse {words}",
                      {"check": check, "update": UPDATE_UE_SUCI},
                      cite("S404", "[0303]", "[0307]", "S409", "[0321]", "[0387]", "[0393]", *refs[4])),
            Procedure(f"m500.indication.{name}",
                      f"method 500: the remote UE asks for an update with 5GPRUK ID #1 + key update indication; "
                      f"on reuse {words}",
                      {"check": check, "update": UPDATE_UE_INDICATION},
                      cite("S504", "[0429]", "[0430]", "S509", "[0440]", "[0464]", "[0481]", *refs[5])),
            Procedure(f"m500.suci.{name}", f"method 500: the remote UE asks for an update by sending its SUCI; "
                      f"on reuse {words}",
                      {"check": check, "update": UPDATE_UE_SUCI},
                      cite("S504", "[0430]", "S509", "[0440]", "[0481]", *refs[5])),
            Procedure(f"m600.before.{name}", f"method 600: the AUSF decides on an update before the key query; "
                      f"on reuse {words}",
                      {"check": check, "update": UPDATE_AUSF, "ausf_decides": AUSF_DECIDES_BEFORE_QUERY},
                      cite("S608", "[0555]", "[0556]", "[0558]", *refs[6])),
            Procedure(f"m600.after.{name}", f"method 600: the AUSF decides on an update after the key query; "
                      f"on reuse {words}",
                      {"check": check, "update": UPDATE_AUSF, "ausf_decides": AUSF_DECIDES_AFTER_QUERY},
                      cite("S608", "[0555]", "[0556]", "[0557]", "[0559]", *refs[6])),
            Procedure(f"m700.{name}", f"method 700: the PAnF decides on an update at the key query; on reuse {words}",
                      {"check": check, "update": UPDATE_PANF},
                      cite("S710", "[0680]", "[0681]", "[0682]", "[0683]", "[0707]", "S712", "[0709]", "[0712]",
                           *refs[7])),
        ]
    return out


def _reading_variants() -> list[Procedure]:
    """Literal readings of ambiguous passages of methods 400-700 (see READINGS)."""
    return [
        Procedure("m400.panf_udm.s411_success_only",
                  "method 400, the PAnF asks the UDM, reading [0346] literally: S411 is sent only when the check "
                  "succeeds", {"check": CHECK_PANF_UDM, "update": UPDATE_UE_SUCI, "panf_answers_failed_check": 0},
                  cite("[0346]", "[0329]")),
        Procedure("m400.ausf_udm.keep_old_keys",
                  "method 400 reading the \"Optionally\" of [0387] and [0393] as making the replacement optional: the "
                  "UE and the PAnF keep 5GPRUK #1 beside #2",
                  {"check": CHECK_AUSF_UDM, "update": UPDATE_UE_SUCI, "replace_at_ue": 0, "replace_at_panf": 0},
                  cite("[0387]", "[0393]", "[0293]")),
        Procedure("m500.indication.panf_udm.unflagged_query",
                  "method 500, ID + indication, the PAnF asks the UDM; the key query S510 carries only ID and RSC "
                  "([0443]), so the PAnF checks as always and returns the key without the SUPI ([0347])",
                  {"check": CHECK_PANF_UDM, "update": UPDATE_UE_INDICATION, "update_query_flagged": 0,
                   "supi_with_checked_key": 0},
                  cite("[0440]", "[0443]", "[0445]", "[0347]", "[0481]")),
        Procedure("m600.after.panf_local.no_supi",
                  "method 600, decision after the key query, the PAnF checks its stored info and returns 5GPRUK #1 "
                  "only ([0566]); Manner 3 needs \"the SUPI obtained in the step S610\" ([0602])",
                  {"check": CHECK_PANF_LOCAL, "update": UPDATE_AUSF, "ausf_decides": AUSF_DECIDES_AFTER_QUERY,
                   "supi_with_checked_key": 0},
                  cite("[0559]", "[0566]", "[0602]")),
        Procedure("m700.ausf_udm.s723_stores_key_1",
                  "method 700 reading [0756]-[0757] literally: after the PAnF-triggered update the key storage "
                  "request carries, and the PAnF stores, 5GPRUK #1 and 5GPRUK ID #1",
                  {"check": CHECK_AUSF_UDM, "update": UPDATE_PANF, "s723_stores_key_1": 1},
                  cite("S723", "[0756]", "S724", "[0757]", "[0758]")),
    ]


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
        *_update_methods(),
        *_reading_variants(),
    ]
}
