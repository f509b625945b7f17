"""Labels: a key where its identifier is meant, and "Manner n" names that do not match the headings.

- The 5GPRUK itself never goes over the air: the remote UE sends the 5GPRUK ID ([0429]: "The direct
  communication request message carries a 5GPRUK ID #1 of the remote UE, or the 5GPRUK ID #1 and a
  key update indication"). A sentence that has the remote UE's message (or step) carry "the 5GPRUK #1"
  ([0241]: "adds the 5GPRUK #1 and a key update indication to the step S302") names the key for its ID.
- "steps S5110 to S5112 in Manner 1": each step cited "in Manner n" must stand under the "Manner n:"
  heading of its method (the headings as the text sets them, on lines of their own).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from prosecheck.analysis.patent import STEP, Patent
from prosecheck.analysis.text_common import TextFinding, canonical, manner_starts, sentences
from prosecheck.analysis.traceability import method_of, method_sections

_KEY = re.compile(r"(?<!ID )5GPRUK #(\d)")
_ADDS_TO_STEP = re.compile(r"\badds? (?P<obj>[^,;.]*?) to (?:the |a )?step (?P<step>S\d+[a-z]?)")
_CARRIED_IN_STEP = re.compile(r"(?P<obj>[^,;]*?) (?:is|are) carried in (?:the |a )?step (?P<step>S\d+[a-z]?)")
_UE_MESSAGE_CARRIES = re.compile(
    r"(?:direct communication request|(?:ProSe|proximity-based service) authentication request) message(?: #\d)? "
    r"(?:further )?(?:carries|includes) (?P<obj>(?:[^,;.]|, or |\.\d)*)")


def ue_steps(patent: Patent) -> set[str]:
    """The steps in which the remote UE sends a message (its definition: "S302: The first communication
    apparatus sends ...")."""
    out = set()
    for step, pid in patent.defined_steps().items():
        head = canonical(sentences(patent.paragraphs[pid])[0])
        if re.match(rf"{step.lower()}: the remote ue sends\b", head):
            out.add(step)
    return out


def _objects(sentence: str, ue: set[str]) -> list[str]:
    """What the sentence says the remote UE's message or step carries."""
    found = [m.group("obj") for m in _UE_MESSAGE_CARRIES.finditer(sentence)]
    for pattern in (_ADDS_TO_STEP, _CARRIED_IN_STEP):
        found += [m.group("obj") for m in pattern.finditer(sentence) if m.group("step") in ue]
    return found


def keys_on_the_air(patent: Patent) -> list[TextFinding]:
    """A remote UE's message or step said to carry the 5GPRUK (the key) where its 5GPRUK ID is meant."""
    ue = ue_steps(patent)
    out: list[TextFinding] = []
    for pid, text in patent.paragraphs.items():
        for s in sentences(text):
            for obj in _objects(s, ue):
                for m in _KEY.finditer(obj):
                    wrong, right = m.group(0), f"5GPRUK ID #{m.group(1)}"
                    fixed = obj[:m.start()] + right + obj[m.end():]
                    out.append(TextFinding(
                        f"label:[{pid}]:{wrong} vs {right}", "contradiction", "high", (pid,), s,
                        f"[{pid}] has the remote UE's message carry the key {wrong}; the key never leaves the UE, "
                        f"its identifier {right} is what the message carries (e.g. [0429]).",
                        s.replace(obj, fixed)))
    return out


def manner_of_steps(patent: Patent, body: str) -> dict[str, int]:
    """Step -> the Manner whose heading it stands under, for steps between one "Manner n:" heading
    and the next one of the same method (a method's last Manner has no end the text marks: left out)."""
    defined = patent.defined_steps()
    section = method_sections(patent, defined)
    order = list(patent.paragraphs)
    position = {pid: i for i, pid in enumerate(order)}
    starts = manner_starts(body)
    out: dict[str, int] = {}
    for (first, n), (nxt, _) in zip(starts, starts[1:]):
        if first not in section or section.get(first) != section.get(nxt):
            continue
        for step, pid in defined.items():
            if position[first] <= position[pid] < position[nxt]:
                out[step] = n
    return out


_IN_MANNER = re.compile(r"\bsteps? ((?:S\d+[a-z]?(?:,| and| or| to|,? and| ) ?){1,4})in Manner (\d)")


def _cited(group: str, defined: Mapping[str, str]) -> list[str]:
    return [f"S{m.group(1)}" for m in STEP.finditer(group) if f"S{m.group(1)}" in defined]


def manner_names(patent: Patent, body: str) -> list[TextFinding]:
    """A step cited "in Manner n" that stands under another Manner's heading in its method."""
    manner = manner_of_steps(patent, body)
    defined = patent.defined_steps()
    out: list[TextFinding] = []
    for pid, text in patent.paragraphs.items():
        for m in _IN_MANNER.finditer(text):
            said = int(m.group(2))
            for step in _cited(m.group(1), defined):
                if step in manner and manner[step] != said:
                    out.append(TextFinding(
                        f"label:[{pid}]:{step} in Manner {said}", "editorial", "medium", (pid, defined[step]), m.group(0),
                        f"[{pid}] places {step} in Manner {said}; {step} [{defined[step]}] stands under the "
                        f"Manner {manner[step]} heading of method {method_of(step)}.",
                        m.group(0).replace(f"Manner {said}", f"Manner {manner[step]}")))
    return out


_DECISION = re.compile(r"(?<!ID )5GPRUK #(\d) (does not need|needs) to be (updated|regenerated)")
_STILL_VALID = re.compile(r"(?<!ID )5GPRUK #(\d) is (?:currently )?(?:still )?valid")


def _valid_mixup(pid: str, s: str) -> list[TextFinding]:
    """"it indicates that a key 5GPRUK #2 is currently still valid, and the PAnF determines that the
    5GPRUK #1 does not need to be updated" ([0681]): the key found valid is the one kept."""
    valid = _STILL_VALID.search(s)
    kept = [m for m in _DECISION.finditer(s) if m.group(2) == "does not need"]
    if valid is None or not kept or kept[0].group(1) == valid.group(1):
        return []
    right = valid.group(0).replace(f"#{valid.group(1)}", f"#{kept[0].group(1)}")
    return [TextFinding(
        f"label:[{pid}]:valid 5GPRUK #{valid.group(1)} vs #{kept[0].group(1)}", "editorial", "medium", (pid,), s,
        f"[{pid}] finds the 5GPRUK #{valid.group(1)} still valid and concludes that the 5GPRUK #{kept[0].group(1)} "
        "need not be updated: the key whose validity is checked is the one kept.",
        s.replace(valid.group(0), right))]


def generation_mixups(patent: Patent) -> list[TextFinding]:
    """One decision told with two key generations in one sentence: "if ... the 5GPRUK #2 does not need
    to be regenerated, ... continues to use the old 5GPRUK #1 ...; and if ... the 5GPRUK #1 needs to be
    updated" ([0241]): both branches decide about the same key, the 5GPRUK #1 in use."""
    out: list[TextFinding] = []
    for pid, text in patent.paragraphs.items():
        for s in sentences(text):
            out += _valid_mixup(pid, s)
            found = list(_DECISION.finditer(s))
            if len({m.group(2) for m in found}) < 2 or len({m.group(1) for m in found}) < 2:
                continue
            current = min(m.group(1) for m in found)  # the key in use: the lower generation
            for m in found:
                if m.group(1) != current:
                    right = f"5GPRUK #{current} {m.group(2)} to be updated"
                    out.append(TextFinding(
                        f"label:[{pid}]:decision on 5GPRUK #{m.group(1)} vs #{current}", "editorial", "low", (pid,),
                        s, f"[{pid}] decides about the 5GPRUK #{current} in one branch and the 5GPRUK #{m.group(1)} "
                        "in the other; both branches are the one decision on the key in use.",
                        s.replace(m.group(0), right)))
    return out


def labels(patent: Patent, body: str) -> list[TextFinding]:
    """Every label finding."""
    return keys_on_the_air(patent) + generation_mixups(patent) + manner_names(patent, body)
