"""A :class:`~prosecheck.diagrams.msc.Chart` as SVG (drawn here, no layout engine needed),
Mermaid ``sequenceDiagram`` text and PlantUML text."""

from __future__ import annotations

import re
import textwrap

from prosecheck.diagrams.msc import Chart, Event
from prosecheck.diagrams.render import esc

COL, LEFT, TOP, FONT = 200, 56, 64, 11
HOT, HOT_FILL, NOTE_FILL, REF_FILL = "#c0001a", "#ffe3e6", "#fff8d6", "#eef2f7"


def _pid(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _label(ev: Event) -> str:
    steps = ev.step_text()
    return f"{steps} {ev.label}" if steps else ev.label


# -- SVG ---------------------------------------------------------------------------------------

def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True) or [""]


def _text(x: float, y: float, line: str, anchor: str = "middle", extra: str = "") -> str:
    return f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}" {extra}>{esc(line)}</text>'


def _arrow_svg(ev: Event, xs: dict[str, float], y: float) -> tuple[list[str], float]:
    x1, x2 = xs[ev.sender], xs[ev.receiver]
    color = HOT if ev.highlight else "#222"
    weight = ' font-weight="bold"' if ev.highlight else ""
    fields = ev.detail[len(ev.label):] if ev.detail.startswith(ev.label) else ""
    mid = (x1 + x2) / 2
    parts = [f'<g class="msg{" hot" if ev.highlight else ""}"><title>{esc(ev.detail or ev.label)}</title>',
             _text(mid, y + 12, _label(ev), extra=f'fill="{color}"{weight}')]
    if fields:
        parts.append(_text(mid, y + 24, fields.strip("()"), extra='fill="#666" font-size="9"'))
    line_y = y + (33 if fields else 19)
    marker = "hot" if ev.highlight else "head"
    parts.append(f'<line x1="{x1:.0f}" y1="{line_y:.0f}" x2="{x2 + (-6 if x2 > x1 else 6):.0f}" y2="{line_y:.0f}" '
                 f'stroke="{color}" stroke-width="{2 if ev.highlight else 1.2}" marker-end="url(#{marker})"/></g>')
    return parts, line_y - y + 10


def _box_svg(ev: Event, x: float, width: float, y: float, fill: str, chars: int) -> tuple[list[str], float]:
    lines = _wrap(_label(ev), chars)
    height = 10 + 13 * len(lines)
    stroke = HOT if ev.highlight else "#999"
    cls = "note hot" if ev.highlight else ("note" if ev.kind == "note" else "ref")
    parts = [f'<g class="{cls}"><title>{esc(ev.detail or ev.label)}</title>',
             f'<rect x="{x:.0f}" y="{y + 3:.0f}" width="{width:.0f}" height="{height:.0f}" rx="3" fill="{fill}" '
             f'stroke="{stroke}" stroke-width="{2 if ev.highlight else 1}"/>']
    color = f' fill="{HOT}" font-weight="bold"' if ev.highlight else ""
    parts += [_text(x + width / 2, y + 16 + 13 * i, ln, extra=color) for i, ln in enumerate(lines)]
    parts.append("</g>")
    return parts, height + 8


def to_svg(chart: Chart) -> str:
    """A standalone SVG document of the chart."""
    xs = {ln.name: LEFT + COL * i + COL / 2 for i, ln in enumerate(chart.lifelines)}
    width = LEFT + COL * len(chart.lifelines) + 16
    body: list[str] = []
    y = float(TOP + 10)
    shown: set[int] = set()
    for ev in chart.events:
        start = y
        if ev.kind == "arrow":
            parts, h = _arrow_svg(ev, xs, y)
        elif ev.kind == "note":
            fill = HOT_FILL if ev.highlight else NOTE_FILL
            parts, h = _box_svg(ev, xs[ev.sender] - COL / 2 + 8, COL - 16, y, fill, 30)
        else:
            parts, h = _box_svg(ev, LEFT + 4, COL * len(chart.lifelines) - 8, y, REF_FILL, 30 * len(chart.lifelines))
        # one group per row, named by the trace steps it belongs to (an arrow: sent at data-step, handled at
        # data-recv), with a transparent band a page can colour (the HTML report's trace explorer does)
        recv = f' data-recv="{ev.received_at}"' if ev.received_at is not None else ""
        body.append(f'<g class="row" data-step="{ev.number}"{recv}><rect class="band" x="0" y="{start:.0f}" '
                    f'width="{width}" height="{h:.0f}" fill="none"/>')
        if ev.highlight:
            body.append(f'<rect x="0" y="{start:.0f}" width="{width}" height="{h:.0f}" fill="{HOT_FILL}" opacity="0.5"/>')
        if ev.kind != "ref" and ev.number not in shown:
            shown.add(ev.number)
            body.append(_text(8, start + 14, f"{ev.number}.", anchor="start", extra='fill="#555"'))
        body += parts
        body.append("</g>")
        y += h
    height = y + 20 + (18 if chart.marker else 0)
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="msc" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" font-family="Helvetica, Arial, sans-serif" font-size="{FONT}">',
        f"<title>{esc(chart.title)}</title>",
        '<defs><marker id="head" markerWidth="8" markerHeight="8" refX="1" refY="4" orient="auto">'
        '<path d="M0,0 L8,4 L0,8 z" fill="#222"/></marker>'
        f'<marker id="hot" markerWidth="8" markerHeight="8" refX="1" refY="4" orient="auto">'
        f'<path d="M0,0 L8,4 L0,8 z" fill="{HOT}"/></marker></defs>',
        f'<rect width="{width}" height="{height:.0f}" fill="white"/>',
        _text(8, 16, chart.title, anchor="start", extra='font-size="13" font-weight="bold"'),
    ]
    for ln in chart.lifelines:
        x = xs[ln.name]
        head.append(f'<line x1="{x:.0f}" y1="{TOP:.0f}" x2="{x:.0f}" y2="{height - 10:.0f}" stroke="#aaa" '
                    'stroke-dasharray="4 3"/>')
        head.append(f'<rect x="{x - COL / 2 + 12:.0f}" y="26" width="{COL - 24}" height="{TOP - 30}" rx="4" '
                    'fill="#dde7f3" stroke="#4a6a8f"/>')
        head.append(_text(x, 49, ln.title, extra='font-weight="bold"'))
    tail = [_text(8, height - 8, f"highlighted: {chart.marker}", anchor="start", extra=f'fill="{HOT}"')] \
        if chart.marker else []
    return "\n".join(head + body + tail + ["</svg>"]) + "\n"


# -- Mermaid -----------------------------------------------------------------------------------

def _mm(text: str) -> str:
    """Mermaid message text: ``;`` and ``#`` end a text in Mermaid's grammar, so ``;`` becomes ``,``
    and ``#`` its entity code."""
    return text.replace(";", ",").replace("\n", " ").replace("#", "#35;")


def mermaid_title(title: str) -> list[str]:
    """Front matter with the title as a quoted YAML string."""
    return ["---", 'title: "' + title.replace('"', "'").replace("\\", "/") + '"', "---"]


def to_mermaid(chart: Chart) -> str:
    """A Mermaid ``sequenceDiagram``; the highlighted step sits in a red ``rect``."""
    lines = [*mermaid_title(chart.title), "sequenceDiagram"]
    lines += [f"    participant {_pid(ln.name)} as {_mm(ln.title)}" for ln in chart.lifelines]
    first, last = _pid(chart.lifelines[0].name), _pid(chart.lifelines[-1].name)
    in_rect = False
    for ev in chart.events:
        if ev.highlight and not in_rect:
            lines.append("    rect rgb(255, 210, 215)")
            in_rect = True
        pad = "        " if in_rect else "    "
        if ev.kind == "ref":
            lines.append(f"{pad}Note over {first},{last}: {_mm(ev.label)}")
        elif ev.kind == "note":
            mark = f" <-- {chart.marker}" if ev.highlight and chart.marker else ""
            lines.append(f"{pad}Note over {_pid(ev.sender)}: {ev.number}. {_mm(_label(ev))}{mark}")
        else:
            text = ev.detail or ev.label
            steps = ev.step_text()
            lines.append(f"{pad}{_pid(ev.sender)}->>{_pid(ev.receiver)}: {ev.number}. "
                         f"{_mm(f'{steps} {text}' if steps else text)}")
    if in_rect:
        lines.append("    end")
    return "\n".join(lines) + "\n"


# -- PlantUML ----------------------------------------------------------------------------------

def _pu(text: str) -> str:
    return text.replace("\n", " ")


def to_plantuml(chart: Chart) -> str:
    """PlantUML sequence-diagram text; the highlighted step is drawn in red."""
    lines = ["@startuml", f"title {_pu(chart.title)}", "skinparam shadowing false"]
    lines += [f'participant "{_pu(ln.title)}" as {_pid(ln.name)}' for ln in chart.lifelines]
    first, last = _pid(chart.lifelines[0].name), _pid(chart.lifelines[-1].name)
    for ev in chart.events:
        if ev.kind == "ref":
            lines.append(f"ref over {first}, {last} : {_pu(ev.label)}")
        elif ev.kind == "note":
            color = " #FFD2D7" if ev.highlight else ""
            mark = f" <-- {chart.marker}" if ev.highlight and chart.marker else ""
            lines.append(f"note over {_pid(ev.sender)}{color} : {ev.number}. {_pu(_label(ev))}{mark}")
        else:
            arrow = "-[#red]>" if ev.highlight else "->"
            text = ev.detail or ev.label
            steps = ev.step_text()
            lines.append(f"{_pid(ev.sender)} {arrow} {_pid(ev.receiver)} : {ev.number}. "
                         f"{_pu(f'{steps} {text}' if steps else text)}")
    lines.append("@enduml")
    return "\n".join(lines) + "\n"
