"""Writing diagrams to files, and regenerating the documentation folder (``diagram all``).

Text sources (DOT, Mermaid, PlantUML) are always written and are deterministic, so
``prosecheck regen --check`` (:mod:`prosecheck.report.generated`) compares them with the committed
copies; SVG of state diagrams needs Graphviz's ``dot`` and is
skipped, with one message naming what to install, when it is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from prosecheck.diagrams import msc_render, states
from prosecheck.diagrams.figures import FIGURES, HAPPY_BOUNDS, Figure, HappyPath, happy_path
from prosecheck.diagrams.msc import Chart
from prosecheck.diagrams.render import RenderUnavailable, to_svg, write_text
from prosecheck.filenames import safe_stem

STATE_FORMATS = ("dot", "mermaid", "svg")
CHART_FORMATS = ("svg", "mermaid", "plantuml")
SUFFIX = {"dot": ".dot", "mermaid": ".mmd", "svg": ".svg", "plantuml": ".puml"}
TEXT_SUFFIXES = (".dot", ".mmd", ".puml", ".md")
"""The deterministic text sources `prosecheck regen --check` compares (SVG depends on the Graphviz version)."""


@dataclass
class Written:
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, other: Written) -> None:
        self.files += other.files
        self.warnings += [w for w in other.warnings if w not in self.warnings]


def state_text(variant: states.Variant, fmt: str) -> str:
    """One state diagram in ``fmt``; raises RenderUnavailable for svg without Graphviz."""
    if fmt == "dot":
        return states.to_dot(variant)
    if fmt == "mermaid":
        return states.to_mermaid(variant)
    return to_svg(states.to_dot(variant))


def chart_text(chart: Chart, fmt: str) -> str:
    if fmt == "mermaid":
        return msc_render.to_mermaid(chart)
    if fmt == "plantuml":
        return msc_render.to_plantuml(chart)
    return msc_render.to_svg(chart)


def write_states(variants: Sequence[states.Variant], formats: Sequence[str], out: Path) -> Written:
    done = Written()
    for v in variants:
        for fmt in formats:
            try:
                done.files.append(write_text(out / f"{v.key}{SUFFIX[fmt]}", state_text(v, fmt)))
            except RenderUnavailable as exc:
                if str(exc) not in done.warnings:
                    done.warnings.append(str(exc))
    return done


def write_chart(chart: Chart, stem: str, formats: Sequence[str], out: Path) -> Written:
    name = safe_stem(stem)
    return Written([write_text(out / f"{name}{SUFFIX[fmt]}", chart_text(chart, fmt)) for fmt in formats])


def _index(variants: Sequence[states.Variant], paths: Sequence[HappyPath], pending: Sequence[Figure]) -> str:
    lines = [
        "# Generated diagrams",
        "",
        "Regenerate everything here with `prosecheck regen diagrams` (the same as `prosecheck diagram all "
        "--out diagrams`; deterministic; `prosecheck regen --check` fails when these files are stale). SVG needs "
        "Graphviz's `dot`.",
        "",
        "## Element state diagrams (`states/`)",
        "",
        "One per element and per procedure variant whose compiled machine differs.",
        "",
        "| diagram | element | procedures | states | transitions |",
        "|---|---|---|---|---|",
    ]
    for v in variants:
        lines.append(f"| [{v.key}](states/{v.key}.svg) ([mmd](states/{v.key}.mmd), [dot](states/{v.key}.dot)) | "
                     f"{v.table.title} | {', '.join(v.procedures)} | {len(states.shown_states(v.table))} | "
                     f"{len(v.table.transitions)} |")
    bounds = ", ".join(f"{k}={v}" for k, v in HAPPY_BOUNDS.items())
    lines += [
        "",
        "## Happy path of each method (`msc/`)",
        "",
        f"Each chart is the shortest witness of the named reachability property, found by the checker ({bounds}), "
        "cut at the start of the last connection attempt (earlier steps are one reference box). "
        "'order' compares the figure's steps, in the order the witness performs them, with the text's order.",
        "",
        "| chart | figure | scenario | property | order | step order of the witness |",
        "|---|---|---|---|---|---|",
    ]
    for h in paths:
        f = h.figure
        verdict = "as in the text" if h.matches else "DIFFERS"
        moved = "".join(f"; {s} moved: {why}" for s, why in f.floating.items()
                        if s in h.sequence and h.sequence.index(s) != f.steps.index(s))
        lines.append(f"| [{f.key}](msc/{f.key}.svg) ([mmd](msc/{f.key}.mmd), [puml](msc/{f.key}.puml)) | "
                     f"{f.figure}: {f.title} | {h.scenario.id} | {f.property} | {verdict}{moved} | "
                     f"{' '.join(h.sequence)} |")
    if pending:
        lines += ["", "Not drawn yet (the model does not have them): "
                  + "; ".join(f.pending_reason() for f in pending) + "."]
    return "\n".join(lines) + "\n"


def write_all(out: Path) -> Written:
    """Every element state diagram and every available happy-path chart, plus an index."""
    done = Written()
    variants = states.variants()
    done.add(write_states(variants, STATE_FORMATS, out / "states"))
    paths = [happy_path(f) for f in FIGURES if f.available()]
    for h in paths:
        done.add(write_chart(h.chart, h.figure.key, CHART_FORMATS, out / "msc"))
    pending = [f for f in FIGURES if not f.available()]
    done.files.append(write_text(out / "README.md", _index(variants, paths, pending)))
    return done
