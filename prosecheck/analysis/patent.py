"""The patent text (US 2025/0260979 A1) as data: paragraphs by id, the claims, the steps.

The project keeps its own copy of the text beside this module (the shared one is the same
file), so the analyses and their tests run on a clean clone. Text is normalised for
matching: the markdown emphasis of the source (``**S403:**``) is dropped and runs of white
space become one space, so a quoted statement is found whatever the line breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PATENT_PATH = Path(__file__).with_name("US20250260979A1.txt")
"""The project's copy of the patent text."""

_PARAGRAPH = re.compile(r"^(?:- )?\[(\d{4})\]\s*", re.MULTILINE)
_CLAIM = re.compile(r"^\s*(\d{1,2})\. ", re.MULTILINE)
_CLAIMS_START = "What is claimed is:"
STEP = re.compile(r"\bS(\d{3,5}[a-z]?)\b")
"""A step number as the text writes it (``S204``, ``S215a``, ``S4110``)."""
_DEFINITION = re.compile(r"^S(\d{3,5}[a-z]?):")
_DEPENDS = re.compile(r"according to claim (\d{1,2})")


def normalize(text: str) -> str:
    """Drop markdown emphasis and collapse white space (how quotes are matched)."""
    return " ".join(text.replace("**", "").split())


@dataclass(frozen=True)
class Claim:
    number: int
    text: str
    depends_on: int | None


@dataclass
class Patent:
    """Paragraphs in document order (id -> normalised text) and the claims."""

    paragraphs: dict[str, str]
    claims: dict[int, Claim] = field(default_factory=dict)

    def has(self, paragraph: str, quote: str) -> bool:
        """True when paragraph ``paragraph`` exists and contains ``quote`` (normalised)."""
        text = self.paragraphs.get(paragraph)
        return text is not None and normalize(quote) in text

    def defined_steps(self) -> dict[str, str]:
        """Step -> the paragraph that defines it (``[0123] S204: The remote UE sends ...``)."""
        out: dict[str, str] = {}
        for pid, text in self.paragraphs.items():
            match = _DEFINITION.match(text)
            if match and f"S{match.group(1)}" not in out:
                out[f"S{match.group(1)}"] = pid
        return out

    def step_mentions(self) -> list[tuple[str, str]]:
        """Every (step, paragraph) where the text writes a step number, in document order."""
        return [(f"S{m.group(1)}", pid) for pid, text in self.paragraphs.items() for m in STEP.finditer(text)]


def parse(text: str) -> Patent:
    """Split the text into numbered paragraphs and claims."""
    body, _, claims_text = text.partition(_CLAIMS_START)
    paragraphs: dict[str, str] = {}
    marks = list(_PARAGRAPH.finditer(body))
    for mark, nxt in zip(marks, marks[1:] + [None]):
        end = nxt.start() if nxt is not None else len(body)
        paragraphs.setdefault(mark.group(1), normalize(body[mark.end():end]))
    claims: dict[int, Claim] = {}
    starts = list(_CLAIM.finditer(claims_text))
    for mark, nxt in zip(starts, starts[1:] + [None]):
        end = nxt.start() if nxt is not None else len(claims_text)
        number = int(mark.group(1))
        if number != len(claims) + 1:
            continue  # a numbered line inside a claim, not a new claim
        claim_text = normalize(claims_text[mark.end():end])
        depends = _DEPENDS.search(claim_text)
        claims[number] = Claim(number, claim_text, int(depends.group(1)) if depends else None)
    return Patent(paragraphs, claims)


@lru_cache(maxsize=1)
def load_patent() -> Patent:
    """The project's copy of US 2025/0260979 A1, parsed once."""
    return parse(PATENT_PATH.read_text(encoding="utf-8"))
