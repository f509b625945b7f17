"""The analysis as one JSON document (``prosecheck analyze --json``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prosecheck.analysis.run import Analysis
from prosecheck.analysis.statements import METHODS
from prosecheck.analysis.text_checks import TextFinding, group_by_analysis
from prosecheck.analysis.vocab import AXIOMS, VARIABLES
from prosecheck.schemas import document


def _statements(method: int) -> list[dict[str, Any]]:
    statements, _ = METHODS[method]
    return [{"id": s.sid, "paragraph": s.paragraph, "quote": s.quote, "note": s.note,
             "formula": str(s.formula()), "reading": list(s.reading) if s.reading else None} for s in statements]


def _cases(method: int) -> list[dict[str, Any]]:
    _, cases = METHODS[method]
    return [{"name": c.name, "facts": [{"paragraph": f.paragraph, "quote": f.quote, "formula": str(f.formula)}
                                       for f in c.facts], "options": dict(c.options)} for c in cases]


def _text_by_analysis(analysis: Analysis) -> dict[str, list[TextFinding]]:
    """The analysis's text findings by the analysis that found them (the key's first part names it)."""
    return group_by_analysis(analysis.text)


def as_json(analysis: Analysis, exit_code: int) -> dict[str, Any]:
    """The document (``prosecheck/schemas/analyze.schema.json``)."""
    t = analysis.traceability
    return document("analyze", {
        "scenarios": analysis.scenarios,
        "complete": analysis.complete,
        "found": analysis.counts(),
        "contradictions": {
            "axioms": [text for text, _ in AXIOMS],
            "variables": {n: {"meaning": v.meaning, "sort": v.sort, "ties": [asdict(x) for x in v.ties]}
                          for n, v in VARIABLES.items()},
            "methods": [{**asdict(m), "statement_list": _statements(m.method), "case_list": _cases(m.method)}
                        for m in analysis.contradictions],
        },
        "guards": {"findings": [asdict(g) for g in analysis.guards], "unhandled": [asdict(u) for u in analysis.unhandled]},
        "traceability": {
            "by_method": {str(k): v for k, v in t.by_method().items()},
            "defined": t.defined,
            "covered": t.covered,
            "covered_by_substeps": t.covered_by_substeps,
            "out_of_scope": t.out_of_scope,
            "uncovered": t.uncovered,
            "dangling": [asdict(r) for r in t.dangling],
            "suspect": [asdict(r) for r in t.suspect],
            "mismatched": [asdict(r) for r in t.mismatched],
            "cited_undefined": t.cited_undefined,
            "claims": [{**asdict(c), "mapping": asdict(c.mapping)} for c in analysis.claims],
        },
        "readings": [asdict(r) for r in analysis.readings],
        "conformance": [asdict(c) for c in analysis.conformance],
        "not_followed": [{"method": m, "statement": sid, "occurrences": len(where), "scenarios": list(dict.fromkeys(where))}
                         for (m, sid), where in analysis.not_followed().items()],
        "text_findings": [{"analysis": name, **asdict(f), "paragraphs": list(f.paragraphs)}
                          for name, found in _text_by_analysis(analysis).items() for f in found],
        "exit_code": exit_code,
    })
