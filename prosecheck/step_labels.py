"""A trace step in the words of the method it is told in: its Manner, and the readings it draws.

The model's element classes are shared by methods 200-700, so one transition's label and
citation serve every method. The patent numbers the AUSF's alternatives differently per method
(the key query by the 5GPRUK ID is Manner 2 in method 200, Manner 1 in methods 400-700), and some
steps behave as one reading of an ambiguous passage (:data:`prosecheck.model.procedures.READINGS`).
:func:`manner_label` and :func:`reading_note` say both where a trace step is built
(:mod:`prosecheck.trace_steps`), so the text trace of ``check``, its JSON and the charts agree.
The step numbers themselves are chosen by :func:`prosecheck.model.spec.step_labels`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from prosecheck.checker.expr import Expr, lift, refs

MANNERS: Mapping[tuple[str, str], Mapping[str, str]] = {
    # The SUCI path (authentication vector, EAP, a new 5GPRUK): "when the ProSe authentication
    # request message #1 carries the SUCI of the remote UE, Manner 1 is performed" ([0140],
    # method 200); "the AUSF (remote) determines to perform Manner 2 based on the SUCI" ([0321],
    # method 400); Manner 3 "based on the SUCI" in method 500 ([0440]), S613-S623 under "Manner 3"
    # in method 600 ([0554]), "if [...] carries the SUCI [...] it is determined to perform
    # Manner 3" in method 700 ([0675]). Method 300 names no Manner ([0237]-[0289]).
    ("ausf", "request_av"): {"2": "Manner 1", "3": "Manner 1 of method 200", "4": "Manner 2", "5": "Manner 3",
                             "6": "Manner 3", "7": "Manner 3"},
    # The key query by the 5GPRUK ID: Manner 2 in method 200 ([0140]), Manner 1 in method 400
    # ("determines to perform Manner 1 based on the 5GPRUK ID #1", [0321]), method 500 ([0440]),
    # method 600 ("S608 is performed before S609 (that is, [...] before Manner 1", [0558]) and
    # method 700 ("carries the 5GPRUK ID #1, it is determined to perform Manner 1 and Manner 2",
    # [0673]-[0674]; S709 follows, [0676]).
    ("ausf", "query_key"): {"2": "Manner 2", "3": "Manner 2 of method 200", "4": "Manner 1", "5": "Manner 1",
                            "6": "Manner 1", "7": "Manner 1"},
}
"""(role, effect) -> the Manner the effect's label names, per method ("2".."7")."""

_MANNER = re.compile(r"^Manner \d+\b")


def manner_label(role: str, effect: str, label: str, method: str | None) -> str:
    """``label`` with its leading "Manner N" replaced by the Manner ``method``'s text gives the
    effect (:data:`MANNERS`); unchanged for another effect or no method."""
    manner = MANNERS.get((role, effect), {}).get(method or "")
    return _MANNER.sub(manner, label, count=1) if manner else label


@dataclass(frozen=True)
class ReadingNote:
    """How a step under one value of a reading option is described, and where the finding is."""

    finding: int  # the row of docs/spec-findings.md
    methods: str  # the methods ("2".."7") whose text the ambiguous passage belongs to
    words: Mapping[int, str]  # option value -> the reading in words


READING_NOTES: Mapping[str, ReadingNote] = {
    "s3042_answers_failure": ReadingNote(1, "34567", {
        1: "the UDM answers a failed authorization check with a failure result ([0263])",
        0: "the UDM answers only a successful check ([0263] \"performed only when [...] succeeds\")"}),
    "s215b_mixes_nonce_1": ReadingNote(3, "234567", {
        0: "the UE derives the 5GPRUK from the AUSF's inputs, without Nonce_1 ([0172])",
        1: "the UE mixes Nonce_1 into the 5GPRUK, as [0174] literally says"}),
    "replace_at_ue": ReadingNote(11, "4567", {
        1: "the UE deletes 5GPRUK #1 when it stores #2 (the \"optionally\" of [0387] taken)",
        0: "the UE keeps 5GPRUK #1 beside #2 (the \"optionally\" of [0387] not taken)"}),
    "replace_at_panf": ReadingNote(11, "4567", {
        1: "the PAnF replaces 5GPRUK #1 by #2 (the \"optionally\" of [0393] taken)",
        0: "the PAnF keeps 5GPRUK #1 beside #2 (the \"optionally\" of [0393] not taken)"}),
    "panf_answers_failed_check": ReadingNote(12, "4567", {
        1: "after a failed check the PAnF answers 403 ([0329])",
        0: "after a failed check the PAnF sends no key query response ([0346], literal)"}),
    "update_query_flagged": ReadingNote(13, "56", {
        1: "the key query tells the PAnF it is for an update, so the PAnF skips its check and returns the SUPI "
           "([0440] \"S5110 to S5112 in Manner 1 are not performed\")",
        0: "the key query carries only the ID and RSC; the PAnF checks as always (S510, literal)"}),
    "supi_with_checked_key": ReadingNote(14, "4567", {
        1: "after a successful check the PAnF returns the SUPI with the key ([0481]/[0602] need it)",
        0: "after a successful check the PAnF returns the key only ([0347] literal)"}),
    "s723_stores_key_1": ReadingNote(15, "7", {
        0: "S723 stores the new 5GPRUK #2 ([0758], as S422/S522/S621)",
        1: "S723 stores 5GPRUK #1, as [0756]-[0757] literally say"}),
}
"""Each option of :data:`prosecheck.model.procedures.READINGS` in words, per value."""


def _exprs(cls: Any, effect: str, guard_text: str) -> Iterable[Expr]:
    """The expressions a transition evaluates: its guard's named conditions, its assignments and
    the fields of its sends (ghost facts are for properties only, never behaviour)."""
    guards: Mapping[str, Any] = getattr(cls, "GUARDS", {})
    yield from (lift(guards[w]) for w in re.findall(r"\w+", guard_text) if w in guards)
    eff = getattr(cls, "EFFECTS", {}).get(effect)
    if eff is not None:
        yield from (lift(e) for e in eff.assign.values())
        yield from (lift(v) for send in eff.send for v in send.fields.values())


def options_read(cls: Any, effect: str, guard_text: str) -> set[str]:
    """The scenario options a transition of element class ``cls`` reads (``O(...)``)."""
    return {name for expr in _exprs(cls, effect, guard_text) for scope, name in refs(expr) if scope == "opt"}


def reading_note(read: Iterable[str], options: Mapping[str, int] | None, method: str | None) -> str:
    """"reading: ... (option X=v; see docs/spec-findings.md #N)" for every reading option the step
    reads whose passage belongs to ``method``; "" when the step draws no reading."""
    if options is None:
        return ""
    notes = []
    for name in sorted(set(read) & set(READING_NOTES)):
        note, value = READING_NOTES[name], options.get(name)
        if value is None or (method is not None and method not in note.methods):
            continue
        notes.append(f"reading: {note.words[value]} (option {name}={value}; see docs/spec-findings.md "
                     f"#{note.finding})")
    return "; ".join(notes)
