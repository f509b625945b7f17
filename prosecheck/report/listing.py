"""``prosecheck list``: scenarios and properties, as text or JSON."""

from __future__ import annotations

import textwrap

from prosecheck.model.mutants import MUTANTS
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.report.text import property_code
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import BUILTIN


def listing_json() -> dict[str, object]:
    return {
        "scenarios": [
            {
                "id": s.id, "title": s.procedure.title, "cites": str(s.procedure.ref), "default": s.default,
                "bounds": s.bounds.as_dict(), "threats": s.threats.as_dict(), "options": s.procedure.all_options(),
                "expected": {pid: s.expected_verdict(pid) for pid in PROPERTIES},
                "expect_deadlock": s.expect_deadlock, "note": s.note,
            }
            for s in SCENARIOS.values()
        ],
        "properties": [
            {"id": p.id, "kind": p.kind, "code": p.code, "statement": p.statement, "cites": str(p.ref),
             "twins": list(p.twins)}
            for p in PROPERTIES.values()
        ]
        + [{"id": pid, "kind": "always", "code": property_code(pid), "statement": text, "cites": "built in", "twins": []}
           for pid, text in BUILTIN.items()],
        "mutants": [{"id": m.id, "element": m.role, "description": m.description,
                     "scenarios": list(m.scenarios)} for m in MUTANTS.values()],
    }


WIDTH = 120
"""``list`` wraps its text to this many columns."""


def _entry(head: str, *texts: str) -> list[str]:
    """``head`` on the first line, then each text wrapped to :data:`WIDTH`, indented under it."""
    lines = [head]
    for text in texts:
        lines += textwrap.wrap(text, WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 8,
                               break_on_hyphens=False)
    return lines


def listing_text() -> str:
    """Scenarios, properties (with their column names in the verdict table) and mutants, wrapped to 120 columns."""
    lines = ["scenarios (* = in the default set):"]
    for s in SCENARIOS.values():
        unusual = [f"{pid} {v}" for pid, v in s.expected.items()] + (["deadlock expected"] if s.expect_deadlock else [])
        lines += _entry(f"  {'*' if s.default else ' '} {s.id}", s.procedure.title,
                        f"cites {s.procedure.ref}; bounds: {s.bounds.summary()}",
                        *([f"threat model: {s.threats.summary()}"] if s.threats.active() else []),
                        *([f"declared: {', '.join(unusual)}"] if unusual else []))
    lines += ["", "properties (column name in the verdict table, kind):"]
    for p in PROPERTIES.values():
        twins = f" (reachability twins: {', '.join(p.twins)})" if p.twins else ""
        lines += _entry(f"  {p.id} ({p.code}, {p.kind})", f"{p.statement} [{p.ref}]{twins}")
    for pid, text in BUILTIN.items():
        lines += _entry(f"  {pid} ({property_code(pid)}, always)", f"{text} [built in, judged in every check]")
    lines += ["", "seeded mutants (check ... --mutant ID):"]
    for m in MUTANTS.values():
        lines += _entry(f"  {m.id} ({m.role})", m.description)
    return "\n".join(lines)
