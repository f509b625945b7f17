"""Message sequence charts from traces: one lifeline per element, arrows for messages, notes
for local decisions and key derivations, the violating (or reaching) step highlighted.

A chart is built from trace steps as ``check --json`` prints them (``TraceStep.as_dict()``):
each step names its actor, the message it handled and from whom, the messages it sent and to
whom, and the patent steps its transition cites. An arrow is labelled with the steps that are
both the message's steps (its catalogue citation) and the sender's cited steps; when the
receiver's citation narrows that further (a shared response such as S3042/S3052), the
receiver's reading wins. A note carries the steps the transition cites that are no message's:
the local decisions and derivations (S206, S215a, S220, S224, S301, S304, ...). The steps are
those of the method the trace is told in (:func:`prosecheck.model.spec.step_labels`: a
transition the method has no step for reads "(no step in method 200; as S409 of method 400)"),
and a step that draws one reading of an ambiguous passage gets a second note, "reading: ..."
(:mod:`prosecheck.step_labels`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Lifeline:
    name: str
    title: str


@dataclass
class Event:
    """One row of the chart: an arrow (``sender`` -> ``receiver``), a note over ``sender``, or a
    reference box over every lifeline (``kind == "ref"``, a collapsed part of the trace)."""

    kind: str  # "arrow" | "note" | "ref"
    number: int  # the trace step this row belongs to (first step for a ref)
    sender: str
    receiver: str
    label: str  # message title, or the note / ref text
    detail: str = ""  # full message with fields, or the citation
    steps: list[str] = field(default_factory=list)
    highlight: bool = False
    received_at: int | None = None

    def step_text(self) -> str:
        return "/".join(self.steps)


@dataclass
class Chart:
    title: str
    lifelines: list[Lifeline]
    events: list[Event]
    marker: str = ""  # e.g. "violates no_knr_after_withdrawal"

    def step_sequence(self, vocabulary: Iterable[str] | None = None) -> list[str]:
        """The patent steps in the order the chart shows them (each once), optionally only those
        in ``vocabulary``."""
        allowed = None if vocabulary is None else set(vocabulary)
        out: list[str] = []
        for ev in self.events:
            for s in ev.steps:
                if (allowed is None or s in allowed) and s not in out:
                    out.append(s)
        return out


def _msg_steps(msg: Mapping[str, Any]) -> list[str]:
    return [str(s) for s in msg.get("steps", [])]


def _lifelines(steps: Sequence[Mapping[str, Any]], elements: Sequence[Mapping[str, str]]) -> list[Lifeline]:
    lines = []
    for e in elements:  # several remote UEs: every element has one copy per UE, "amf.2" is UE 2's
        title, suffix = e.get("title", e["name"]), e["name"][len(e.get("role", e["name"])) + 1:]
        lines.append(Lifeline(e["name"], f"{title} (UE {suffix})" if suffix else title))
    known = {ln.name for ln in lines}
    for st in steps:  # actors the element list does not name (an attacker, say) get a lifeline too
        for name in [st["element"], *[str(o["to"]) for o in st.get("outputs", [])]]:
            if name not in known:
                known.add(name)
                lines.append(Lifeline(name, name))
    return lines


def _local_steps(step: Mapping[str, Any]) -> list[str]:
    carried = set(_msg_steps(step["received"])) if step.get("received") else set()
    for out in step.get("outputs", []):
        carried |= set(_msg_steps(out))
    return [s for s in step.get("steps", []) if s not in carried]


def _notes(st: Mapping[str, Any], cited: list[str], hot: bool) -> list[Event]:
    """The notes over the actor of a step: its local decision or derivation (when it has local
    steps, no message, a choice, a fault, or is the highlighted one), and the reading of an
    ambiguous passage it draws."""
    n, actor, received = int(st["number"]), str(st["element"]), st.get("received")
    local, notes = _local_steps(st), []
    if local or not received or st.get("choice") or hot or st.get("fault"):
        text = str(st["action"]) + (f" (choice: {st['choice']})" if st.get("choice") else "")
        notes.append(Event("note", n, actor, actor, text, str(st.get("ref", "")),
                           local if received or st.get("outputs") else (local or cited), hot))
    if st.get("reading"):
        notes.append(Event("note", n, actor, actor, str(st["reading"])))
    return notes


def _marker_text(marker: str, decisive: int | None) -> str:
    return f"{marker}: step {decisive} made it unavoidable" if decisive is not None and marker else marker


def _highlighted(steps: Sequence[Mapping[str, Any]], decisive: int | None) -> int:
    """The number of the step to highlight: the decisive one, else the last (0: no step)."""
    if decisive is not None:
        return decisive
    return int(steps[-1]["number"]) if steps else 0


def build_chart(
    steps: Sequence[Mapping[str, Any]],
    elements: Sequence[Mapping[str, str]],
    title: str,
    marker: str = "",
    begin: int = 1,
    summary: str = "",
    decisive: int | None = None,
) -> Chart:
    """The chart of a trace. Steps numbered below ``begin`` are collapsed into one reference box
    reading ``summary``; with ``marker``, the last step is highlighted (the violating step of a
    counterexample, or the step that reaches a witness's goal), or the ``decisive`` one: for a
    deadlock, the step after which no final world can be reached any more."""
    chart = Chart(title, _lifelines(steps, elements), [], _marker_text(marker, decisive))
    pending: dict[tuple[str, str], deque[Event]] = {}
    last = _highlighted(steps, decisive)
    if begin > 1 and steps:
        first = steps[0]["number"]
        chart.events.append(Event("ref", first, "", "", f"steps {first}-{begin - 1}: {summary}".rstrip(": ")))
    for st in steps:
        n, actor = int(st["number"]), str(st["element"])
        hot = bool(marker) and n == last
        cited = [str(s) for s in st.get("steps", [])]
        received = st.get("received")
        if received:
            queue = pending.get((str(received["from"]), actor))
            arrow = queue.popleft() if queue else None
            if arrow is None and n >= begin:  # sent inside the collapsed part: draw it where it arrives
                arrow = Event("arrow", n, str(received["from"]), actor, str(received["title"]), str(received["text"]),
                              [s for s in _msg_steps(received) if s in cited] or _msg_steps(received))
                chart.events.append(arrow)
            if arrow is not None:
                narrowed = [s for s in arrow.steps if s in cited]
                arrow.steps = narrowed or arrow.steps
                arrow.received_at = n
                arrow.highlight = arrow.highlight or hot
                if st.get("fault") == "lost":  # threat model lossy_links: the arrow ends nowhere
                    arrow.label += " (LOST)"
                    arrow.detail += " (LOST)" if arrow.detail else ""
        if n >= begin:
            chart.events += _notes(st, cited, hot)
        for out in st.get("outputs", []):
            msg_steps = _msg_steps(out)
            arrow = Event("arrow", n, actor, str(out["to"]), str(out["title"]), str(out["text"]),
                          [s for s in msg_steps if s in cited] or msg_steps, hot)
            pending.setdefault((actor, str(out["to"])), deque()).append(arrow)
            if n >= begin:
                chart.events.append(arrow)
    return chart


def attempt_start(steps: Sequence[Mapping[str, Any]], role: str, event: str) -> int:
    """The number of the last step where ``role`` took decision ``event`` (1 if none)."""
    starts = [int(st["number"]) for st in steps if st.get("role", st["element"]) == role and st["event"] == event]
    return starts[-1] if starts else 1
