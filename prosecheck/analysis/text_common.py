"""What the text analyses (:mod:`.text_checks`) share: the finding, the parts of the document, sentences.

A finding quotes the paragraph it is about verbatim (after :func:`.patent.normalize`), names the
paragraphs and carries a proposed replacement, so a spec editor can act on it without the tool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from prosecheck.analysis.patent import _CLAIMS_START, _PARAGRAPH, PATENT_PATH, Patent

CATEGORIES = ("editorial", "procedural", "contradiction", "unspecified")
SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class TextFinding:
    """One thing the text says wrongly or never says.

    ``key`` is a natural key (analysis, paragraph, what), the same on every run over the same text;
    ``quote`` is a verbatim (white-space normalised) substring of the first paragraph in
    ``paragraphs`` (or of the claim, for a paragraph ``claim N``); ``proposal`` is the text to put in
    its place (or to add)."""

    key: str
    category: str
    severity: str
    paragraphs: tuple[str, ...]
    quote: str
    problem: str
    proposal: str

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"TextFinding {self.key}: category {self.category!r} not one of {CATEGORIES}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"TextFinding {self.key}: severity {self.severity!r} not one of {SEVERITIES}")


_HEADING = re.compile(r"^([A-Z][A-Z ,\-]{5,})\s*$", re.MULTILINE)
_MANNER_HEADING = re.compile(r"^(?:- )?Manner (\d):?\s*$", re.MULTILINE)
DESCRIPTION_HEADINGS = ("DESCRIPTION OF EMBODIMENTS", "DETAILED DESCRIPTION")


def _first_paragraph_after(body: str, at: int) -> str | None:
    mark = _PARAGRAPH.search(body, at)
    return mark.group(1) if mark else None


@lru_cache(maxsize=4)
def _raw_body(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read().partition(_CLAIMS_START)[0]


def raw_body() -> str:
    """The project's text before the claims, as written (headings and line breaks kept): for what
    :func:`.patent.parse` folds away (section headings, "Manner 1:" headings, repeated numbers)."""
    return _raw_body(str(PATENT_PATH))


def headings(body: str) -> list[tuple[str, str]]:
    """(heading, first paragraph under it) for each section heading (``SUMMARY``, ...), in order."""
    out = []
    for m in _HEADING.finditer(body):
        first = _first_paragraph_after(body, m.end())
        if first is not None:
            out.append((m.group(1).strip(), first))
    return out


def description_start(patent: Patent, body: str) -> str:
    """The first paragraph of the detailed description (after "DESCRIPTION OF EMBODIMENTS")."""
    for heading, first in headings(body):
        if any(h in heading for h in DESCRIPTION_HEADINGS):
            return first
    return next(iter(patent.paragraphs))


def part(patent: Patent, start: str, stop: str | None = None) -> dict[str, str]:
    """The paragraphs from ``start`` up to (not including) ``stop``."""
    out: dict[str, str] = {}
    inside = False
    for pid, text in patent.paragraphs.items():
        if pid == stop:
            break
        inside = inside or pid == start
        if inside:
            out[pid] = text
    return out


def manner_starts(body: str) -> list[tuple[str, int]]:
    """(first paragraph, n) for each "Manner n:" heading line, in order."""
    out = []
    for m in _MANNER_HEADING.finditer(body):
        first = _first_paragraph_after(body, m.end())
        if first is not None:
            out.append((first, int(m.group(1))))
    return out


_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-Z(“\"])")


def sentences(text: str) -> list[str]:
    """The sentences (and ';'-separated clauses) of a paragraph, each a verbatim substring."""
    return [s for s in _SENTENCE_END.split(text) if s]


def sentence_at(text: str, at: int) -> str:
    """The sentence of ``text`` that holds character ``at``."""
    start = 0
    for s in sentences(text):
        where = text.find(s, start)
        if where <= at < where + len(s):
            return s
        start = where + len(s)
    return text


def edit_distance(a: str, b: str, cap: int = 3) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count 1), at most ``cap``."""
    if abs(len(a) - len(b)) >= cap:
        return cap
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return min(prev[-1], cap)


GLOSSARY: tuple[tuple[str, str], ...] = (
    ("proximity-based service anchor function network element", "panf"),
    ("authentication server function network element", "ausf"),
    ("unified data management network element", "udm"),
    ("access and mobility management function network element", "amf"),
    ("first communication apparatus", "remote ue"),
    ("second communication apparatus", "relay ue"),
    ("first remote user key", "5gpruk #1"),
    ("second remote user key", "5gpruk #2"),
    ("first proximity-based service key", "knr_prose"),
    ("k_{nr_prose}", "knr_prose"),
    ("subscription permanent identifier", "supi"),
    ("subscription concealed identifier", "suci"),
    ("relay service code", "rsc"),
    ("proximity-based service", "prose"),
    ("5g prose", "prose"),
    (" (remote)", ""),
    ("remote ue (remote ue)", "remote ue"),
    ("relay ue (relay ue)", "relay ue"),
    ("authentication server function (ausf) network element", "ausf"),
)
"""The generic names of the summary, claims and method 300 and the short names of methods 200 and
400-700 for the same things, as the text pairs them ([0007], [0013], [0025], [0063]: "the first
communication apparatus (remote UE)", "an AUSF (remote)" ...): what is compared is the thing, not its name."""


def canonical(text: str) -> str:
    """``text`` lower-cased with every generic name replaced by the short one (:data:`GLOSSARY`)."""
    out = text.lower()
    for long, short in GLOSSARY:
        out = out.replace(long, short)
    return out


_WORD = re.compile(r"[a-z0-9_#{}\-]+")
STOPWORDS = frozenset(
    "a an the of to and or in on for by with from that this is are be may can which when where whether if "
    "as at it its not no does do has have been being further includes include including used using based "
    "such example another other one first second some any each all into than then so also herein "
    "according wherein method apparatus network element message".split())


def content_words(text: str) -> set[str]:
    """The words of ``text`` (canonical names) that carry meaning: no stop words, no bare step numbers."""
    return {w for w in _WORD.findall(canonical(text)) if w not in STOPWORDS and not re.fullmatch(r"s\d+[a-z]?", w)}


def quote_head(text: str, words: int = 12) -> str:
    """The first ``words`` words of ``text`` (a verbatim quote for a finding about a whole paragraph)."""
    return " ".join(text.split()[:words])


def change(quote: str, proposal: str, context: int = 2) -> tuple[str, str] | None:
    """The part of ``quote`` that ``proposal`` rewrites, and what it becomes, with ``context`` words
    either side (None when the proposal is not a rewrite of the quote, e.g. a sentence to add)."""
    old, new = quote.split(), proposal.split()
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    if head == 0 and tail == 0:
        return None
    start = max(0, head - context)
    return " ".join(old[start:len(old) - max(0, tail - context)]), " ".join(new[start:len(new) - max(0, tail - context)])
