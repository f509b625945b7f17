"""Subjects of sentences: who does a step, as the step's definition says and as the rest of the text says.

- "S7112: The UDM (remote) sends an authorization check response message to the PAnF (remote).
  Correspondingly, the PAnF (remote) receives the authorization check response message from the UDM
  (remote)." The receiving sentence must name the definition's receiver, message and sender;
- "the PAnF performs the step S411": the element must be the subject of S411's definition.

Names are compared as things, not words (:func:`.text_common.canonical`: "the authentication server
function network element" is the AUSF).
"""

from __future__ import annotations

import re

from prosecheck.analysis.patent import Patent
from prosecheck.analysis.text_common import TextFinding, canonical, sentence_at

_ELEMENT = r"(?:[Tt]he |[Aa]n? )?([\w\-]+(?: [\w\-]+){0,6}?(?: \((?:remote|relay)\))?)"
_SENDS = re.compile(rf"^S\d+[a-z]?: {_ELEMENT} sends (?:the |an? )?([\w\-#_ ]+? message(?: #\d)?) to {_ELEMENT}"
                    r"(?=[.,;]| through| via| by| in| based)")
_RECEIVES = re.compile(rf"Correspondingly, {_ELEMENT} receives (?:the |an? )?([\w\-#_ ]+? message(?: #\d)?) from "
                       rf"{_ELEMENT}(?=[.,;]| through| via| by| in| based)")
_PERFORMS = re.compile(r"\b[Tt]he ((?:[\w\-]+ ){0,6}?(?:PAnF|AUSF|UDM|AMF|UE|element|apparatus)(?: \((?:remote|relay)\))?) "
                       r"(?:may |further |then )*(?:performs?|executes?) (?:the )?steps? (S\d+[a-z]?)\b")
_DEFINES = re.compile(r"^S\d+[a-z]?: (?:When [^,]*, )?(?:the |an? )?((?:[\w\-]+ ){0,6}?(?:PAnF|AUSF|UDM|AMF|UE|element|"
                      r"apparatus)(?: \((?:remote|relay)\))?) ", re.IGNORECASE)


def _same(a: str, b: str) -> bool:
    return " ".join(canonical(a).split()) == " ".join(canonical(b).split())


def _receipt(patent: Patent, order: list[str], at: int) -> tuple[str, re.Match[str]] | None:
    """The "Correspondingly, ... receives" sentence of the step defined at ``order[at]`` (that paragraph or the next)."""
    for pid in order[at:at + 2]:
        match = _RECEIVES.search(patent.paragraphs[pid])
        if match:
            return pid, match
    return None


def _mismatch(sent: re.Match[str], got: re.Match[str]) -> str | None:
    sender, message, receiver = sent.groups()
    to, what, source = got.groups()
    if not _same(message, what):
        return f"the step sends the {message} but the receiving sentence names the {what}"
    if not _same(receiver, to):
        return f"the step sends to the {receiver} but the {to} receives"
    if not _same(sender, source):
        return f"the {sender} sends but the receiving sentence says the message comes from the {source}"
    return None


def send_receive_pairs(patent: Patent) -> list[TextFinding]:
    """A step "X sends M to Y" whose "Correspondingly, Y receives M from X" names another element or message."""
    order = list(patent.paragraphs)
    out: list[TextFinding] = []
    for at, pid in enumerate(order):
        sent = _SENDS.match(patent.paragraphs[pid])
        found = _receipt(patent, order, at) if sent else None
        if sent is None or found is None:
            continue
        where, got = found
        why = _mismatch(sent, got)
        if why is None:
            continue
        step = patent.paragraphs[pid].split(":")[0]
        sender, message, receiver = sent.groups()
        proposal = f"Correspondingly, the {receiver} receives the {message} from the {sender}"
        out.append(TextFinding(f"subject:[{where}]:{step} receipt", "contradiction", "medium", (where, pid),
                               got.group(0), f"{step} [{pid}]: {why}.", proposal))
    return out


def step_subjects(patent: Patent) -> dict[str, str]:
    """Step -> the element its definition makes the subject ("S411: The PAnF (remote) sends ..." -> PAnF (remote))."""
    out: dict[str, str] = {}
    for step, pid in patent.defined_steps().items():
        match = _DEFINES.match(patent.paragraphs[pid])
        if match:
            out[step] = match.group(1)
    return out


def performers(patent: Patent) -> list[TextFinding]:
    """"The X performs the step S" where S's definition has another subject."""
    subjects = step_subjects(patent)
    defined = patent.defined_steps()
    out: list[TextFinding] = []
    seen: set[tuple[str, str, str]] = set()
    for pid, text in patent.paragraphs.items():
        for m in _PERFORMS.finditer(text):
            actor, step = m.groups()
            if step not in subjects or _same(actor, subjects[step]) or (pid, canonical(actor), step) in seen:
                continue
            seen.add((pid, canonical(actor), step))
            quote = sentence_at(text, m.start())
            out.append(TextFinding(
                f"subject:[{pid}]:{canonical(actor)} performs {step}", "contradiction", "medium",
                (pid, defined[step]), quote,
                f"[{pid}] says the {actor} performs {step}, but {step} [{defined[step]}] is done by the {subjects[step]}.",
                quote.replace(m.group(0), m.group(0).replace(actor, subjects[step], 1))))
    return out


_NAMED = r"((?:[\w\-]+ ){0,8}?(?:element|apparatus|UE|AUSF|PAnF|UDM)),? "
_IMPLEMENTATION = re.compile(rf"\bthat (?:the |an? )?{_NAMED}(determines|obtains|receives|sends|generates)\b[^:]*?"
                             rf"includes: (?:The |the ){_NAMED}")


def implementation_subjects(patent: Patent) -> list[TextFinding]:
    """"that the X determines ... includes: The Y determines ...": an implementation whose lead names one
    element and whose body another ([0022], in the AUSF's aspect, leads with the PAnF)."""
    out: list[TextFinding] = []
    for pid, text in patent.paragraphs.items():
        for m in _IMPLEMENTATION.finditer(text):
            lead, _, body = m.groups()
            if _same(lead, body):
                continue
            quote = text[m.start():m.end()].rstrip(", ")
            out.append(TextFinding(
                f"subject:[{pid}]:{canonical(lead)} vs {canonical(body)}", "contradiction", "medium", (pid,), quote,
                f"[{pid}] introduces what the {lead} does and then says the {body} does it.",
                quote.replace(lead, body, 1)))
    return out


def subjects(patent: Patent) -> list[TextFinding]:
    """Every subject finding."""
    return send_receive_pairs(patent) + performers(patent) + implementation_subjects(patent)


