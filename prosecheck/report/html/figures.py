"""The report's diagrams page: each method's happy path as the patent draws it (for the figures
whose scenario is in the report) and the element state diagrams of the reported scenarios
(SVG when Graphviz is installed, DOT text otherwise)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from prosecheck.diagrams import states
from prosecheck.diagrams.msc_render import to_svg as chart_svg
from prosecheck.diagrams.render import RenderUnavailable, inline_svg, to_svg
from prosecheck.verify import ScenarioResult


@dataclass
class Figure:
    key: str
    caption: str
    svg: Markup | None  # None: only ``text`` (DOT source, Graphviz missing)
    text: str = ""
    note: str = ""


def happy_paths(results: Sequence[ScenarioResult]) -> list[Figure]:
    """The shortest witness of each method's reachability property under fault-free bounds, for the
    figures whose scenario (or procedure) is in the report."""
    from prosecheck.diagrams.figures import FIGURES, happy_path

    checked = {r.scenario.procedure.id for r in results} | {r.scenario.id for r in results}
    out = []
    for f in FIGURES:
        if not f.available() or f.scenario not in checked:
            continue
        h = happy_path(f)
        order = "the figure's steps in the text's order" if h.matches else "NOT in the text's order"
        moved = "".join(f"; {step} placed elsewhere: {why}" for step, why in f.floating.items())
        caption = (f"{f.figure} (method {f.method}): {f.title}: witness of {f.property} in {h.scenario.id}; "
                   f"{order}: {' '.join(h.sequence)}{moved}")
        out.append(Figure(f"hp-{f.key}", caption, Markup(inline_svg(chart_svg(h.chart)))))
    return out


def state_diagrams(results: Sequence[ScenarioResult]) -> list[Figure]:
    """One per element and per procedure variant of the reported scenarios whose compiled machine differs."""
    out = []
    for v in states.variants([r.scenario for r in results]):
        caption = f"{v.table.title}: {', '.join(v.procedures)}"
        try:
            out.append(Figure(f"sd-{v.key}", caption, Markup(inline_svg(to_svg(states.to_dot(v))))))
        except RenderUnavailable as exc:
            out.append(Figure(f"sd-{v.key}", caption, None, states.to_dot(v), str(exc)))
    return out
