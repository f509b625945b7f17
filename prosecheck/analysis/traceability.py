"""Traceability between the patent text and the model.

From the text: every step it defines (``[0123] S204: ...``) and every step it mentions. From
the model: every step a transition's effect cites (compiled under every procedure variant, so
a branch that only one variant enables still counts). The report sorts the defined steps into
covered (cited directly, or every sub-step cited), out of scope (:mod:`.scope`), and without a
model counterpart; and lists steps mentioned but never defined (dangling references) and
mentions of another method's step where the paragraph does not name that method (suspect
references, e.g. "S425" inside method 300).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from prosecheck.analysis.patent import Patent
from prosecheck.analysis.scope import OUT_OF_SCOPE

_SENDS = re.compile(r"(?:sends|receives) (?:an? |the )?((?:[\w\-]+ ){1,6}?message)\b")
_MESSAGE_IN_STEP = re.compile(
    r"(?:[Tt]he |[Aa] |[Aa]n )((?:[\w\-]+ ){1,5}?message) in (?:the )?(?:step )?(S\d{3,5}[a-z]?)\b")
_STEP_CARRIES = re.compile(r"\bstep (S\d{3,5}[a-z]?) (?:carries|does not carry|includes)\b")


def method_of(step: str) -> int:
    """``S3041`` -> 300: the method a step number belongs to."""
    return int(step[1]) * 100


def parent_of(step: str) -> str | None:
    """``S3041`` -> ``S304``, ``S215a`` -> ``S215``; None for a top-level step (``S204``)."""
    if step[-1].isalpha():
        return step[:-1]
    return step[:-1] if len(step) > 4 else None


@dataclass(frozen=True)
class Reference:
    step: str
    paragraph: str
    context: str  # the words around the mention
    why: str = ""  # for a mismatched reference: what the step is, as its definition says


@dataclass
class Traceability:
    defined: dict[str, str]  # step -> defining paragraph
    covered: dict[str, list[str]]  # step -> model transitions citing it
    covered_by_substeps: dict[str, list[str]]  # step -> its sub-steps (all covered)
    out_of_scope: dict[str, str]  # step -> reason
    uncovered: list[str]
    dangling: list[Reference]
    suspect: list[Reference]
    mismatched: list[Reference] = field(default_factory=list)
    cited_undefined: dict[str, list[str]] = field(default_factory=dict)  # model cites a step the text lacks
    scoped_but_cited: list[str] = field(default_factory=list)

    def by_method(self) -> dict[int, dict[str, int]]:
        """Per method: how many steps are defined, covered, out of scope, uncovered."""
        out: dict[int, dict[str, int]] = {}
        for step in self.defined:
            row = out.setdefault(method_of(step), {"defined": 0, "covered": 0, "out_of_scope": 0, "uncovered": 0})
            row["defined"] += 1
            if step in self.covered or step in self.covered_by_substeps:
                row["covered"] += 1
            elif step in self.out_of_scope:
                row["out_of_scope"] += 1
            else:
                row["uncovered"] += 1
        return dict(sorted(out.items()))


def _sections(patent: Patent, defined: Mapping[str, str]) -> dict[str, int]:
    """Paragraph -> the method whose description it belongs to (from where each method's steps are defined)."""
    order = list(patent.paragraphs)
    position = {pid: i for i, pid in enumerate(order)}
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    for step, pid in defined.items():
        m = method_of(step)
        starts[m] = min(starts.get(m, len(order)), position[pid])
        ends[m] = max(ends.get(m, 0), position[pid])
    methods = sorted(starts)
    section: dict[str, int] = {}
    for m, nxt in zip(methods, methods[1:] + [None]):
        stop = starts[nxt] if nxt is not None else ends[m] + 1
        for pid in order[starts[m]:stop]:
            section[pid] = m
    return section


def method_sections(patent: Patent, defined: Mapping[str, str]) -> dict[str, int]:
    """Paragraph -> the method whose description it belongs to (the text analyses use it too)."""
    return _sections(patent, defined)


def mismatched_references(patent: Patent, defined: Mapping[str, str]) -> list[Reference]:
    """References that give a step a message it does not send: "the key query response message in the
    step S3042" where S3042 is defined as sending an authorization check response; "step S710 carries"
    where S710 is a decision that sends nothing."""
    sent: dict[str, str | None] = {}
    for step, pid in defined.items():
        match = _SENDS.search(patent.paragraphs[pid])
        sent[step] = match.group(1).lower() if match else None
    out = []
    for pid, text in patent.paragraphs.items():
        for m in _MESSAGE_IN_STEP.finditer(text):
            step, named = m.group(2), m.group(1).lower()
            message = sent.get(step)
            if message is not None and not message.endswith(" ".join(named.split()[-3:])):
                out.append(Reference(step, pid, m.group(0), f"{step} [{defined[step]}] is the {message}"))
            elif step in sent and message is None:
                out.append(Reference(step, pid, m.group(0), f"{step} [{defined[step]}] sends no message"))
        for m in _STEP_CARRIES.finditer(text):
            step = m.group(1)
            if step in sent and sent[step] is None:
                out.append(Reference(step, pid, m.group(0), f"{step} [{defined[step]}] sends no message"))
    return out


def _context(text: str, step: str, width: int = 70) -> str:
    at = text.find(step)
    return text[max(0, at - width): at + len(step) + width]


def trace(patent: Patent, citations: Mapping[str, list[str]]) -> Traceability:
    """Compare the steps of ``patent`` with ``citations`` (step -> model transitions citing it)."""
    defined = patent.defined_steps()
    covered = {s: sorted(citations[s]) for s in defined if s in citations}
    children: dict[str, list[str]] = {}
    for step in defined:
        parent = parent_of(step)
        if parent is not None and parent in defined:
            children.setdefault(parent, []).append(step)
    by_substeps = {
        s: kids for s, kids in children.items()
        if s not in covered and all(k in covered for k in kids)
    }
    scope = {s: OUT_OF_SCOPE[s] for s in defined if s in OUT_OF_SCOPE and s not in covered}
    uncovered = [s for s in defined if s not in covered and s not in by_substeps and s not in scope]
    section = _sections(patent, defined)
    dangling, suspect, seen = [], [], set()
    for step, pid in patent.step_mentions():
        if (step, pid) in seen:
            continue
        seen.add((step, pid))
        text = patent.paragraphs[pid]
        ref = Reference(step, pid, _context(text, step))
        if step not in defined:
            dangling.append(ref)
        elif pid in section and section[pid] != method_of(step) and f"method {method_of(step)}" not in text:
            suspect.append(ref)
    return Traceability(
        defined=defined,
        covered=covered,
        covered_by_substeps=by_substeps,
        out_of_scope=scope,
        uncovered=uncovered,
        dangling=dangling,
        suspect=suspect,
        mismatched=mismatched_references(patent, defined),
        cited_undefined={s: sorted(v) for s, v in citations.items() if s not in defined},
        scoped_but_cited=[s for s in OUT_OF_SCOPE if s in citations],
    )


def model_citations() -> dict[str, list[str]]:
    """Step -> the model transitions whose effect cites it, over every procedure variant. A
    transition shared by methods 200-700 cites the method-200/300 step; in a method-400..700
    procedure it also covers that method's counterpart (``ANALOGUES``: S205 is S406, S506, ...),
    as the text's own cross-references ("refer to steps S204 to S207 in method 200") say."""
    from prosecheck.checker.machine import compile_element
    from prosecheck.model.elements import ELEMENTS
    from prosecheck.model.environment import Bounds, ThreatModel
    from prosecheck.model.messages import field_names
    from prosecheck.model.procedures import PROCEDURES
    from prosecheck.model.spec import steps_in_method

    fields = field_names()
    out: dict[str, set[str]] = {}
    for procedure in PROCEDURES.values():
        options = {**procedure.all_options(), **Bounds().options(), **ThreatModel().options()}
        for cls in ELEMENTS:
            table = compile_element(cls, options, fields)
            for tr in table.transitions:
                cited = tuple(getattr(tr.effect.ref, "steps", ()))
                for step in {*cited, *steps_in_method(cited, procedure.id[1])}:
                    out.setdefault(step, set()).add(f"{table.role}: {table.edge(tr)}")
    return {step: sorted(edges) for step, edges in sorted(out.items())}
