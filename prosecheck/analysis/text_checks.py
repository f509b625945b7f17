"""The patent text read from its first paragraph to its last claim, for what the model-based analyses
never look at (issue 24, recall): numbering, labels, subjects of sentences, terms and spelling, the
description's support for each claim and the summary against the description.

Each analysis is a pure function of the parsed text (:func:`.patent.load_patent`) and, where it needs
what parsing folds away (headings, "Manner 1:" lines, repeated paragraph numbers), the raw text before
the claims. Every item is a :class:`TextFinding` with a stable natural key, a verbatim quote and a
proposed replacement.
"""

from __future__ import annotations

from collections.abc import Callable

from prosecheck.analysis.patent import Patent, load_patent
from prosecheck.analysis.text_common import CATEGORIES, SEVERITIES, TextFinding, raw_body
from prosecheck.analysis.text_labels import labels
from prosecheck.analysis.text_numbering import numbering
from prosecheck.analysis.text_subjects import subjects
from prosecheck.analysis.text_support import support
from prosecheck.analysis.text_terms import terms

__all__ = ["ANALYSES", "CATEGORIES", "SEVERITIES", "TextFinding", "by_analysis", "group_by_analysis", "text_findings"]

ANALYSES: dict[str, Callable[[Patent, str], list[TextFinding]]] = {
    "numbering": numbering,
    "labels": labels,
    "subjects": lambda patent, _body: subjects(patent),
    "terms": lambda patent, _body: terms(patent),
    "support": support,
}
"""Each analysis by name."""

KEY_PREFIXES = {"numbering": "numbering", "label": "labels", "subject": "subjects", "term": "terms",
                "support": "support", "summary": "support"}
"""A finding's analysis from its key's first part."""


def analysis_of(finding: TextFinding) -> str:
    """The analysis that found ``finding`` (from its key)."""
    return KEY_PREFIXES[finding.key.split(":", 1)[0]]


def group_by_analysis(findings: list[TextFinding]) -> dict[str, list[TextFinding]]:
    """``findings`` by analysis, in the order of :data:`ANALYSES` (an analysis with none is listed empty)."""
    out: dict[str, list[TextFinding]] = {name: [] for name in ANALYSES}
    for f in findings:
        out[analysis_of(f)].append(f)
    return out


def by_analysis(patent: Patent | None = None, body: str | None = None) -> dict[str, list[TextFinding]]:
    """Each analysis's findings, keys made unique (a repeated key gets `` #2``, `` #3``...)."""
    patent = patent if patent is not None else load_patent()
    body = body if body is not None else raw_body()
    seen: dict[str, int] = {}
    out: dict[str, list[TextFinding]] = {}
    for name, run in ANALYSES.items():
        found = []
        for f in run(patent, body):
            seen[f.key] = seen.get(f.key, 0) + 1
            found.append(f if seen[f.key] == 1 else TextFinding(f"{f.key} #{seen[f.key]}", f.category, f.severity,
                                                                  f.paragraphs, f.quote, f.problem, f.proposal))
        out[name] = found
    return out


def text_findings(patent: Patent | None = None, body: str | None = None) -> list[TextFinding]:
    """Every text finding, in the order of :data:`ANALYSES` (the project's text when none is given)."""
    return [f for found in by_analysis(patent, body).values() for f in found]
