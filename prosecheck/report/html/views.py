"""What the HTML report's pages show, as plain data for the templates (no markup here: the
templates escape every string; only SVG drawn by :mod:`prosecheck.diagrams` is passed as
:class:`markupsafe.Markup`, and that code escapes its own text).

The index carries the verdict table (every property column) and the rows that need attention;
each scenario page its statistics, assumptions, properties and one trace explorer per
counterexample. A trace step in a result carries only what the step changed
(:class:`prosecheck.trace_steps.TraceStep` ``changes``); the full state at each step is the
scenario's initial world (built from the model, milliseconds) with the changes of the steps so
far applied in order, which is what :func:`trace_states` computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from prosecheck.diagrams.msc import build_chart
from prosecheck.diagrams.msc_render import to_svg as chart_svg
from prosecheck.diagrams.render import inline_svg
from prosecheck.filenames import safe_stem
from prosecheck.report.attention import needs_attention
from prosecheck.report.text import PROOF_LEGEND, lemma_lines, property_cell, property_code, stats_line, threat_cell
from prosecheck.report.world_state import initial_state
from prosecheck.trace_steps import TraceStep
from prosecheck.verify import NOT_APPLICABLE, PropertyResult, ScenarioResult


def page_names(results: Sequence[ScenarioResult]) -> dict[str, str]:
    """Scenario id -> its page's file name under ``scenario/``: :func:`safe_stem` of the id, with a
    number added when two ids clean to the same stem (``a/b`` and ``a_b``)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for r in results:
        stem = safe_stem(r.scenario.id)
        name, n = stem, 1
        while name.lower() in taken:  # case-insensitive file systems too
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.lower())
        names[r.scenario.id] = name + ".html"
    return names


def verdict_class(p: PropertyResult) -> str:
    """The CSS class of a verdict cell: its word (holds, violated, ...), and ``unexpected`` when not as declared."""
    word = property_cell(p).rstrip(".").lower()
    word = "measure" if p.kind == "measure" else word.lstrip(">=")
    return word + ("" if p.as_expected else " unexpected")


@dataclass
class Column:
    """A property column of the verdict table."""

    id: str
    code: str
    statement: str


@dataclass
class Cell:
    text: str
    css: str
    title: str


@dataclass
class Row:
    """One scenario of the verdict table."""

    id: str
    page: str
    threats: str
    states: int
    depth: int
    seconds: float
    search: str
    attention: bool
    cells: list[Cell]


def columns(results: Sequence[ScenarioResult]) -> list[Column]:
    """Every property of every result, in first-seen order (a scenario file's own properties too)."""
    out: dict[str, Column] = {}
    for r in results:
        for pid, p in r.properties.items():
            if pid not in out:
                out[pid] = Column(pid, property_code(pid, r.scenario), p.statement)
    return list(out.values())


def _cell(p: PropertyResult | None) -> Cell:
    if p is None:
        return Cell("-", "absent", "not checked in this scenario")
    if p.as_expected:  # the header's tooltip names the property: a title per cell would double the page
        return Cell(property_cell(p), verdict_class(p), "")
    return Cell(property_cell(p) + " !", verdict_class(p), f"{p.id}: declared {p.expected}")


def rows(results: Sequence[ScenarioResult], cols: Sequence[Column]) -> list[Row]:
    pages = page_names(results)
    return [Row(r.scenario.id, pages[r.scenario.id], threat_cell(r), r.states, r.depth, r.seconds,
                "exhaustive" if r.complete and not r.cut else f"cut: {r.limit_hit}",
                any(needs_attention(p) for p in r.properties.values()),
                [_cell(r.properties.get(c.id)) for c in cols]) for r in results]


# -- the trace explorer -------------------------------------------------------------------------

@dataclass
class Explorer:
    """One counterexample: its steps, the state at each step, and its chart with one group per row."""

    key: str  # the anchor and element id on the scenario page
    property: PropertyResult
    title: str
    replay: str
    steps: list[TraceStep]
    names: list[str]  # every world variable, model order
    initial: list[str]  # their values before step 1 (empty when the model could not be built)
    full: bool  # True: the full state; False: only what each step changed
    chart: Markup
    data: dict[str, object] = field(default_factory=dict)  # for the page's script (tojson)


def _replay_text(p: PropertyResult) -> str:
    if p.replay is None:
        return "not replayed"
    return "confirmed by live replay" if not p.replay else "REPLAY DISAGREES: " + "; ".join(p.replay)


def explorer(r: ScenarioResult, p: PropertyResult, key: str, initial: dict[str, str] | None) -> Explorer:
    """The trace explorer of ``p``'s counterexample in ``r``."""
    steps = list(p.trace or [])
    title = f"{r.scenario.id}: counterexample to {p.id} ({len(steps)} steps)"
    chart = build_chart([s.as_dict() for s in steps], r.elements, title, f"violates {p.id}", decisive=p.decisive_step)
    names = list(initial) if initial else sorted({n for st in steps for n in st.changes})
    start = [initial[n] for n in names] if initial else []
    data = {"names": names, "initial": start, "full": initial is not None,
            "steps": [{"n": st.number, "changes": {k: v[1] for k, v in st.changes.items()}} for st in steps]}
    return Explorer(key, p, title, _replay_text(p), steps, names, start, initial is not None,
                    Markup(inline_svg(chart_svg(chart))), data)


def counterexamples(r: ScenarioResult) -> list[Explorer]:
    """An explorer for every VIOLATED property with a trace (invariants, deadlock, liveness lassos)."""
    chosen = [p for p in r.properties.values() if p.verdict == "VIOLATED" and p.trace]
    initial = initial_state(r.scenario) if chosen else None
    return [explorer(r, p, f"cx-{i}", initial) for i, p in enumerate(chosen, start=1)]


def assumptions_table(r: ScenarioResult) -> list[tuple[str, str]]:
    """The assumptions of the verdicts (:func:`prosecheck.report.assumptions.assumptions`) as label/value pairs."""
    from prosecheck.report.assumptions import assumptions, tool_versions

    a = assumptions(r)
    cov = a["coverage"]
    assert isinstance(cov, dict)
    limits = ", ".join(f"{k}={v}" for k, v in r.limits.items() if v is not None) or "none"
    return [
        ("model sha256", str(a["model_sha256"])),
        ("bounds", r.scenario.bounds.summary()),
        ("threat model", r.scenario.threats.summary()),
        ("mutants", ", ".join(r.scenario.mutants) or "none"),
        ("limits", f"{limits}; hit: {r.limit_hit or 'none'}"),
        ("reductions", "; ".join(r.notes) or "none"),
        ("coverage", f"{cov['transitions_fired']} of {cov['transitions_total']} compiled transitions fired"),
        ("tools", ", ".join(f"{k} {v}" for k, v in tool_versions().items())),
    ]


def property_rows(r: ScenarioResult, explorers: Sequence[Explorer]) -> list[dict[str, object]]:
    """The scenario page's property table: each property with its verdict and, for a counterexample, its anchor."""
    anchors = {e.property.id: e.key for e in explorers}
    return [{"id": p.id, "code": property_code(p.id, r.scenario), "kind": p.kind, "cell": property_cell(p),
             "css": verdict_class(p), "declared": "as declared" if p.as_expected else f"NOT AS DECLARED ({p.expected})",
             "statement": p.statement, "ref": p.ref, "anchor": anchors.get(p.id), "detail": p.detail}
            for p in r.properties.values() if p.verdict != NOT_APPLICABLE]


def proofs(r: ScenarioResult) -> list[dict[str, object]]:
    """The scenario page's proofs without bounds: each proved property with every lemma of its
    certificate in the model's words (read from the re-checked lemmas by ``ledger.apply``)."""
    return [{"id": p.id, "engine": e.engine, "seconds": f"{e.seconds:.1f}", "fingerprint": e.fingerprint[:12],
             "lemmas": [_lemma_item(lemma) for lemma in e.invariant]}
            for p in r.properties.values() if (e := p.proved_by) is not None]


def _lemma_item(lemma: str) -> dict[str, object]:
    """A lemma as a list item: its words, or for a table lemma its head and one sub-item per combination."""
    head, *rows = lemma_lines(lemma)
    return {"text": head, "rows": rows}


def scenario_view(r: ScenarioResult, page: str) -> dict[str, object]:
    """Everything a scenario page shows."""
    explorers = counterexamples(r)
    return {"r": r, "page": page, "stats": stats_line(r), "threats": threat_cell(r),
            "assumptions": assumptions_table(r), "properties": property_rows(r, explorers),
            "not_applicable": [p.id for p in r.properties.values() if p.verdict == NOT_APPLICABLE],
            "explorers": explorers, "proof_legend": PROOF_LEGEND, "proofs": proofs(r)}
