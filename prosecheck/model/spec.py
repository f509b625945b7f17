"""Citations: patent paragraphs and steps (US 2025/0260979 A1) and TS clauses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpecRef:
    """Where a rule is written: steps (``S204``), paragraphs (``0129``), TS clauses."""

    steps: tuple[str, ...] = ()
    paragraphs: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()

    def __str__(self) -> str:
        parts = list(self.steps) + [f"[{p}]" for p in self.paragraphs] + list(self.clauses)
        return " ".join(parts) if parts else "(no citation)"

    def as_dict(self) -> dict[str, list[str]]:
        return {"steps": list(self.steps), "paragraphs": list(self.paragraphs), "clauses": list(self.clauses)}


def cite(*items: str) -> SpecRef:
    """``cite("S204", "[0126]", "[0129]", "TS 24.501 5.5.4")`` → a :class:`SpecRef`."""
    steps, paras, clauses = [], [], []
    for item in items:
        if item.startswith("[") and item.endswith("]"):
            paras.append(item[1:-1])
        elif item.startswith("S") and item[1:].replace("/", "").replace("a", "").replace("b", "").isdigit():
            steps.append(item)
        else:
            clauses.append(item)
    return SpecRef(tuple(steps), tuple(paras), tuple(clauses))
