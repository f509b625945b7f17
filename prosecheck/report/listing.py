"""``prosecheck list``: scenarios and properties, as text or JSON."""

from __future__ import annotations

from prosecheck.model.mutants import MUTANTS
from prosecheck.model.scenarios import SCENARIOS
from prosecheck.properties.catalog import PROPERTIES
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
        + [{"id": pid, "kind": "always", "code": pid, "statement": text, "cites": "built in", "twins": []}
           for pid, text in BUILTIN.items()],
        "mutants": [{"id": m.id, "element": m.role, "description": m.description,
                     "scenarios": list(m.scenarios)} for m in MUTANTS.values()],
    }


def listing_text() -> str:
    lines = ["scenarios (* = in the default set):"]
    for s in SCENARIOS.values():
        lines.append(f"  {'*' if s.default else ' '} {s.id:<34} {s.procedure.title}")
        lines.append(f"    {'':<34} cites {s.procedure.ref}; bounds: {s.bounds.summary()}")
        if s.threats.active():
            lines.append(f"    {'':<34} threat model: {s.threats.summary()}")
        unusual = [f"{pid} {v}" for pid, v in s.expected.items()] + (["deadlock expected"] if s.expect_deadlock else [])
        if unusual:
            lines.append(f"    {'':<34} declared: {', '.join(unusual)}")
    lines.append("")
    lines.append("properties:")
    for p in PROPERTIES.values():
        twins = f" (reachability twins: {', '.join(p.twins)})" if p.twins else ""
        lines.append(f"  {p.id:<34} {p.kind:<9} {p.statement} [{p.ref}]{twins}")
    for pid, text in BUILTIN.items():
        lines.append(f"  {pid:<34} {'always':<9} {text} [built in]")
    lines.append("")
    lines.append("seeded mutants (check ... --mutant ID):")
    for m in MUTANTS.values():
        lines.append(f"  {m.id:<34} {m.role:<9} {m.description}")
    return "\n".join(lines)
