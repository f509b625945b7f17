"""The HTML report: one self-contained static page (inline CSS and SVG, no script, no network).

It holds the verdict table, each scenario's statistics and verdicts, each violation's trace as
text and as a sequence chart, the transitions that never fired, and the element state diagrams
of the scenarios' procedures (SVG when Graphviz is installed, DOT text otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from prosecheck import __version__
from prosecheck.diagrams import states
from prosecheck.diagrams.msc import build_chart
from prosecheck.diagrams.msc_render import to_svg as chart_svg
from prosecheck.diagrams.render import RenderUnavailable, esc, inline_svg, to_svg
from prosecheck.report.text import _CODES, PROOF_LEGEND, cell, format_trace, property_cell, stats_line
from prosecheck.verify import ScenarioResult

CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #1d2733; max-width: 1500px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 36px; border-bottom: 2px solid #4a6a8f; }
h3 { font-size: 15px; margin-top: 22px; } .muted { color: #5b6878; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #c9d3df; padding: 4px 8px; text-align: left; }
th { background: #e8eef5; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.holds { background: #e3f4e3; } td.reached { background: #e1ecfa; }
td.violated { background: #ffd9dd; font-weight: bold; color: #8a0015; }
td.unreached { background: #ffeccc; } td.inconcl { background: #eee; } td.unexpected { outline: 3px solid #c0001a; }
pre { background: #f6f8fa; border: 1px solid #d8dee6; padding: 10px; font-size: 12px; overflow-x: auto; }
figure { margin: 12px 0; overflow-x: auto; border: 1px solid #e1e6ec; padding: 8px; }
figcaption { font-size: 13px; color: #3a4755; margin-bottom: 6px; }
figure svg { max-width: 100%; height: auto; }
nav a { margin-right: 14px; font-size: 13px; } div.wide { overflow-x: auto; }
"""


def _class(verdict: str, kind: str, expected: bool) -> str:
    word = "measure" if kind == "measure" else cell(verdict, kind).rstrip(".").lower()
    return word + ("" if expected else " unexpected")


def verdict_table_html(results: Sequence[ScenarioResult]) -> str:
    """Scenarios (rows) x properties (columns); an unexpected verdict is outlined and marked '!'."""
    ids = list(results[0].properties) if results else []
    head = "".join(f'<th title="{esc(pid)}: {esc(results[0].properties[pid].statement)}">{esc(_CODES.get(pid, pid))}</th>'
                   for pid in ids)
    rows = []
    for r in results:
        cells = []
        for pid in ids:
            p = r.properties.get(pid)
            if p is None:
                cells.append("<td>-</td>")
                continue
            mark = "" if p.as_expected else " !"
            cells.append(f'<td class="{_class(p.verdict, p.kind, p.as_expected)}" title="{esc(pid)}: declared '
                         f'{esc(p.expected)}">{esc(property_cell(p))}{mark}</td>')
        rows.append(f'<tr><th><a href="#s-{esc(r.scenario.id)}">{esc(r.scenario.id)}</a></th>'
                    f'<td class="num">{r.states}</td>{"".join(cells)}</tr>')
    legend = "; ".join(f"{esc(_CODES.get(pid, pid))} = {esc(pid)}" for pid in ids)
    return (f'<div class="wide"><table id="verdicts"><thead><tr><th>scenario</th><th>states</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div><p class="muted">columns: {legend}. Cells: holds/VIOLATED for '
            "invariants, reached/UNREACHED for reachability; '!' and an outline: not the verdict the scenario declares; "
            f"{esc(PROOF_LEGEND)}.</p>")


def _stats_row(r: ScenarioResult) -> str:
    search = "exhaustive" if r.complete else esc(f"stopped: {r.stopped}")
    return (f'<tr><th>{esc(r.scenario.id)}</th><td class="num">{r.states}</td><td class="num">{r.transitions}</td>'
            f'<td class="num">{r.depth}</td><td class="num">{r.seconds:.2f}</td><td>{search}</td>'
            f'<td class="num">{len(r.never_fired)}</td><td>{esc(r.scenario.bounds.summary())}</td></tr>')


def _stats_table(results: Sequence[ScenarioResult]) -> str:
    rows = "".join(_stats_row(r) for r in results)
    return ('<table id="statistics"><thead><tr><th>scenario</th><th>states</th><th>transitions</th><th>depth</th>'
            f'<th>seconds</th><th>search</th><th>never fired</th><th>bounds</th></tr></thead><tbody>{rows}</tbody></table>')


def _violations(r: ScenarioResult) -> list[str]:
    out = []
    for p in r.properties.values():
        if not (p.kind == "always" and p.verdict == "VIOLATED" and p.trace):
            continue
        steps = [s.as_dict() for s in p.trace]
        title = f"{r.scenario.id}: counterexample to {p.id} ({len(steps)} steps, shortest)"
        chart = build_chart(steps, r.elements, title, f"violates {p.id}")
        text = "\n".join(format_trace(p.trace, "violates " + p.id))
        replay = "not replayed" if p.replay is None else ("confirmed by live replay" if not p.replay else
                                                           "REPLAY DISAGREES: " + "; ".join(p.replay))
        detail = f"<p>{esc(p.detail)}</p>" if p.detail else ""
        out.append(f'<h3 id="v-{esc(r.scenario.id)}-{esc(p.id)}">{esc(p.id)}: VIOLATED</h3>'
                   f'<p>{esc(p.statement)} <span class="muted">[{esc(p.ref)}]; {esc(replay)}</span></p>{detail}'
                   f'<figure class="msc"><figcaption>{esc(title)}</figcaption>{inline_svg(chart_svg(chart))}</figure>'
                   f'<pre class="trace">{esc(text)}</pre>')
    return out


def _scenario_section(r: ScenarioResult) -> str:
    s = r.scenario
    rows = "".join(
        f'<tr><td>{esc(p.id)}</td><td>{esc(p.kind)}</td><td class="{_class(p.verdict, p.kind, p.as_expected)}">'
        f'{esc(property_cell(p))}</td><td>'
        f'{"as declared" if p.as_expected else esc(f"UNEXPECTED ({p.expected})")}'
        f'</td><td>{esc(p.statement)}</td></tr>' for p in r.properties.values())
    note = f"<p>note: {esc(s.note)}</p>" if s.note else ""
    violations = _violations(r)
    coverage = ("<ul>" + "".join(f"<li>{esc(t)}</li>" for t in r.never_fired) + "</ul>") if r.never_fired else \
        "<p>every transition of the compiled tables fired at least once.</p>"
    return (f'<section class="scenario" id="s-{esc(s.id)}"><h2>{esc(s.id)}: {esc(s.procedure.title)}</h2>'
            f'<p class="muted">cites {esc(str(s.procedure.ref))}; bounds: {esc(s.bounds.summary())}; explored: '
            f'{esc(stats_line(r))}</p>{note}'
            '<table class="properties"><thead><tr><th>property</th><th>kind</th><th>verdict</th><th>declared</th>'
            f'<th>statement</th></tr></thead><tbody>{rows}</tbody></table>'
            + ("".join(violations) if violations else "<p>No violated invariant.</p>")
            + f'<h3>Coverage</h3><p class="muted">{len(r.never_fired)} transition(s) never fired:</p>{coverage}</section>')


def _happy_paths(results: Sequence[ScenarioResult]) -> str:
    """Each method's happy path, for the figures whose scenario is in the report."""
    from prosecheck.diagrams.figures import FIGURES, happy_path

    checked = {r.scenario.procedure.id for r in results} | {r.scenario.id for r in results}
    parts = []
    for f in FIGURES:
        if not f.available() or f.scenario not in checked:
            continue
        h = happy_path(f)
        order = "the figure's steps in the text's order" if h.matches else "NOT in the text's order"
        moved = "".join(f"; {esc(step)} placed elsewhere: {esc(why)}" for step, why in f.floating.items())
        parts.append(f'<figure class="msc happy" id="hp-{esc(f.key)}"><figcaption>{esc(f.figure)} (method '
                     f"{esc(f.method)}): {esc(f.title)}: witness of {esc(f.property)} in {esc(h.scenario.id)}; "
                     f"{order}: {esc(' '.join(h.sequence))}{moved}</figcaption>{inline_svg(chart_svg(h.chart))}"
                     "</figure>")
    if not parts:
        return ""
    return ('<section id="happy-paths"><h2>Each method as the patent draws it</h2><p class="muted">The shortest '
            "witness of each method's reachability property under fault-free bounds, found by the checker; "
            "earlier attempts that only create the stored key are one box.</p>" + "".join(parts) + "</section>")


def _state_diagrams(results: Sequence[ScenarioResult]) -> str:
    parts = ['<section id="state-diagrams"><h2>Element state diagrams</h2><p class="muted">One per element and per '
             "procedure variant of the scenarios above whose compiled machine differs.</p>"]
    for v in states.variants([r.scenario for r in results]):
        caption = f"{v.table.title}: {', '.join(v.procedures)}"
        try:
            body = inline_svg(to_svg(states.to_dot(v)))
        except RenderUnavailable as exc:
            body = f'<p class="muted">{esc(str(exc))}</p><pre>{esc(states.to_dot(v))}</pre>'
        parts.append(f'<figure class="state-diagram" id="sd-{esc(v.key)}"><figcaption>{esc(caption)}</figcaption>'
                     f"{body}</figure>")
    parts.append("</section>")
    return "".join(parts)


def report_html(results: Sequence[ScenarioResult], generated: datetime | None = None) -> str:
    """The whole page."""
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    nav = "".join(f'<a href="#s-{esc(r.scenario.id)}">{esc(r.scenario.id)}</a>' for r in results)
    sections = "".join(_scenario_section(r) for r in results)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>prosecheck report</title><style>{CSS}</style></head><body>"
        "<h1>prosecheck report: 5G ProSe UE-to-Network relay security (TS 33.503, US 2025/0260979 A1)</h1>"
        f'<p class="muted">prosecheck {esc(__version__)}, generated {esc(when)}; every verdict computed by an '
        "exhaustive breadth-first search and judged by Z3.</p>"
        f'<nav>{nav}<a href="#happy-paths">happy paths</a><a href="#state-diagrams">state diagrams</a></nav>'
        f"<h2>Verdicts</h2>{verdict_table_html(results)}<h2>Statistics</h2>{_stats_table(results)}"
        f"{sections}{_happy_paths(results)}{_state_diagrams(results)}</body></html>\n"
    )
