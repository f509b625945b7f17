"""The description's support for the claims, and the summary against the description.

- Each claim is split into its elements (the clauses between ";", ":", ", wherein" and ", and"); an
  element is supported when some paragraph of the detailed description holds every word of it that
  carries meaning (the elements' own names, which a paragraph often leaves to the one before, aside),
  names compared as things (the claims' "first remote user key" is the description's "5GPRUK #1") and
  words by their stem. An element no paragraph holds is reported with the closest paragraph and the
  words it lacks.
- The paragraphs before the detailed description (background, summary): each message they name
  ("a key query request message") must occur in the detailed description; a summary that names a
  message the description never has promises a step the embodiments never carry out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from prosecheck.analysis.patent import Patent
from prosecheck.analysis.text_common import (
    STOPWORDS,
    TextFinding,
    canonical,
    content_words,
    description_start,
    part,
    sentences,
)

CLAIM_WORDS = frozenset(
    "comprises comprising comprise instructions cause causes processor processors memory storing stored executed least "
    "obtaining obtain sending send receiving receive determining determine determined generating generate claim "
    "carried carries carry".split())
"""The words of claim drafting (the acts are compared through their objects, the drafting not at all)."""

_PREAMBLE = re.compile(r"^.*?(?:according to claim \d+, wherein |comprising: )")
_ELEMENTS = re.compile(r"; |: |, wherein |, and (?=[a-z])")


def stem(word: str) -> str:
    """A crude stem: enough that "establishes" meets "establish" and "connections" meets "connection"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text) if not w.isdigit()} - {stem(w) for w in CLAIM_WORDS}


def claim_elements(text: str) -> list[str]:
    """The elements of a claim (its preamble, "The method according to claim 1, wherein", dropped)."""
    body = _PREAMBLE.sub("", text, count=1)
    return [e.strip(" .*") for e in _ELEMENTS.split(body) if len(stems(e)) >= 2]


ACTORS = frozenset({"ausf", "panf", "udm", "amf", "remote", "relay", "ue"})
"""The elements' names: a paragraph often leaves the actor to the one before it, so a missing actor alone
is no missing support."""


def _passages(description: Mapping[str, str]) -> dict[str, set[str]]:
    return {pid: stems(text) for pid, text in description.items()}


def claim_support(patent: Patent, body: str) -> list[TextFinding]:
    """Claim elements with words of meaning that no passage of the detailed description holds."""
    passages = _passages(part(patent, description_start(patent, body)))
    out: list[TextFinding] = []
    for number, claim in patent.claims.items():
        for element in claim_elements(claim.text):
            words = stems(element)
            best = max(passages, key=lambda pid: (len(words & passages[pid]), pid))
            missing = sorted(words - passages[best])
            if not set(missing) - ACTORS:
                continue
            out.append(TextFinding(
                f"support:claim {number}:{' '.join(missing)}", "unspecified", "medium", (f"claim {number}", best),
                element, f"No paragraph of the detailed description says what claim {number}'s element says: the closest, "
                f"[{best}], lacks {', '.join(missing)}.",
                f"Add to the embodiment that supports claim {number} a sentence saying that {element}."))
    return out


_MESSAGE = re.compile(r"\b((?:[\w\-]+ ){1,5})message\b")
_NOT_NAME = STOPWORDS | {"sends", "send", "receives", "receive", "carries", "carry", "includes", "comprises", "new",
                         "same", "corresponding", "foregoing", "following", "response", "request"} - {"message"}


def _messages(text: str) -> set[str]:
    """The message names of a text, canonical ("key query request message"): the words before "message"
    back to the first article, verb or other word that is no part of a name."""
    out = set()
    for m in _MESSAGE.finditer(canonical(text)):
        words = m.group(1).split()
        name: list[str] = []
        for w in reversed(words):
            if w in _NOT_NAME and not (name and w in ("request", "response")) and w not in ("request", "response"):
                break
            name.insert(0, w)
        if len(name) >= 2:
            out.add(" ".join(name) + " message")
    return out


def summary_promises(patent: Patent, body: str) -> list[TextFinding]:
    """Messages the summary (and background) name that the detailed description never has."""
    start = description_start(patent, body)
    before = {pid: text for pid, text in patent.paragraphs.items() if pid < start}
    described = canonical(" ".join(part(patent, start).values()))
    out: list[TextFinding] = []
    seen: set[str] = set()
    for pid, text in before.items():
        for name in sorted(_messages(text)):
            if name in seen or name in described:
                continue
            seen.add(name)
            quote = next((s for s in sentences(text) if name in canonical(s)), text)
            out.append(TextFinding(
                f"summary:[{pid}]:{name}", "unspecified", "medium", (pid,), quote,
                f"[{pid}] names a {name}, which the detailed description never has: the step it belongs to "
                "is not carried out in any embodiment.",
                f"Describe the {name} in the method embodiments, or name the message the embodiments use."))
    return out


_CONDITION = re.compile(r"\b(?:based on|depending on|according to) (whether [^,;.]+|(?:a |the )?local policy)")


def _bare(text: str) -> str:
    return re.sub(r"\b(?:the|a|an) ", "", text)


def summary_conditions(patent: Patent, body: str) -> list[TextFinding]:
    """A decision the summary bases on a condition ("based on whether relay service code is locally
    stored", [0035]) that no sentence of the detailed description states."""
    start = description_start(patent, body)
    description = part(patent, start)
    described = _bare(canonical(" ".join(description.values())))
    passages = [stems(canonical(text)) for text in description.values()]
    out: list[TextFinding] = []
    for pid, text in patent.paragraphs.items():
        if pid >= start:
            break
        for s in sentences(text):
            for m in _CONDITION.finditer(canonical(s)):
                condition = _bare(m.group(1).strip())
                # stated when a paragraph of the description has it, word for word or in its own words
                # ([0683]: "whether RSC #1 ... is stored ... not stored locally" for [0035]'s condition)
                if condition in described or any(stems(condition) <= passage for passage in passages):
                    continue
                original = _CONDITION.search(s)
                phrase = original.group(0) if original else m.group(0)
                out.append(TextFinding(
                    f"summary:[{pid}]:{condition}", "unspecified", "medium", (pid,), s,
                    f"[{pid}] bases a decision on \"{condition}\", a condition no embodiment of the detailed "
                    "description states or uses.",
                    f"Add to the embodiment that makes this decision how it is made {phrase}, or bring [{pid}] "
                    "in line with the criterion the embodiments use (a local policy: the key's use time or validity)."))
    return out


def support(patent: Patent, body: str) -> list[TextFinding]:
    """Every claim-support and summary finding."""
    return claim_support(patent, body) + summary_promises(patent, body) + summary_conditions(patent, body)
