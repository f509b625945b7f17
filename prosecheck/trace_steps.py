"""Counterexamples and witnesses as numbered message sequences in spec words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from prosecheck.checker.search import Exploration
from prosecheck.checker.system import FAULT_GHOST, LOST, Label, Message, System
from prosecheck.model.messages import MESSAGES
from prosecheck.model.spec import ref_in_method, step_labels
from prosecheck.model.terms import ID_NAMES, RESULT_NAMES, describe_knr
from prosecheck.step_labels import manner_label, options_read, reading_note


@dataclass
class TraceStep:
    """One step: who acted, on which message or decision, citing which step/paragraph."""

    number: int
    element: str
    event: str
    action: str
    ref: str
    handled: str | None = None
    sent: list[str] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)
    choice: str | None = None
    # The raw step, for `prosecheck replay`: the effect that fired, the instance the handled
    # message came from, the message and the sends with their field values, and the raw value
    # after the step of every world variable the step changed (control states by state id).
    effect: str = ""
    source: str | None = None
    message: dict[str, object] | None = None
    sends: list[dict[str, object]] = field(default_factory=list)
    after: dict[str, int | str] = field(default_factory=dict)
    # Structured form, for sequence charts and programs (``check --json``):
    role: str = ""
    steps: list[str] = field(default_factory=list)  # the patent steps the transition cites
    received: dict[str, object] | None = None  # {"from", "message", "title", "text", "steps"}
    outputs: list[dict[str, object]] = field(default_factory=list)  # [{"to", "message", "title", "text", "steps"}]
    fault: str = ""  # "lost": the message vanished on its link; "duplicated": handled, and a copy stays on the link
    reading: str = ""  # the reading of an ambiguous passage this step draws (prosecheck.step_labels)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def describe_field(kind: str, value: int) -> str:
    if kind == "knr":
        return describe_knr(value)
    if kind in ("pruk", "pruk_id"):
        return f"#{value}"
    if kind == "id_type":
        return ID_NAMES.get(value, str(value))
    if kind == "result":
        return RESULT_NAMES.get(value, str(value))
    return str(value)


def describe_message(message: Message) -> str:
    """``Title(field=value, ...)`` with absent (zero) and ghost fields left out."""
    mtype = MESSAGES[message[0]]
    shown = [
        f"{name}={describe_field(kind, value)}"
        for (name, kind), value in zip(mtype.fields, message[1])
        if value and kind != "ghost"
    ]
    return f"{mtype.title}({', '.join(shown)})" if shown else mtype.title


def describe_slot(system: System, name: str, value: int) -> str:
    """A world variable's value in words: state names, KNR_ProSe terms, attempt sets."""
    if name.endswith(".state"):
        inst = next(i for i in system.instances if name == f"{i.name}.state")
        return inst.table.state_ids[value]
    if name.endswith((".knr", ".issued_knr", ".rec_mac")):
        return describe_knr(value)
    if ".ghost." in f".{name}":
        fact = name.split(".")[-1]
        if fact in (FAULT_GHOST, "same_id_attempts"):
            return str(value)
        if fact == "last_sent_id":
            return f"5GPRUK ID #{value}" if value else "none"
        if fact.endswith(("_key", "_air", "_sbi", "_reused", "_pruk", "_kausf_p", "_injected", "_mismatch")):
            return "yes" if value else "no"
        if fact == "matched_completions":
            return str(value)
        what = "5GPRUK #" if fact in ("superseded", "pruk_history") else "attempts "
        return what + "{" + ",".join(str(b) for b in range(16) if value >> b & 1) + "}" if value else "{}"
    return str(value)


def describe_world(system: System, world: tuple) -> str:
    """Every element's state and every non-empty link of a world, in one line."""
    states = ", ".join(
        f"{inst.name}={inst.table.state_ids[system.control(world, i)]}" for i, inst in enumerate(system.instances)
    )
    queues = [
        f"{system.sender_names(lk.index)}->{system.instances[lk.dst].name}: "
        + ", ".join(describe_message(m) for m in system.link(world, lk.index))
        for lk in system.links
        if system.link(world, lk.index)
    ]
    return states + ("; in flight: " + "; ".join(queues) if queues else "; no message in flight")


def raw_message(system: System, message: Message) -> dict[str, object]:
    """``{"name": ..., "fields": {field: value}}`` in catalogue order."""
    return {"name": message[0], "fields": dict(zip(system.message_fields[message[0]], message[1], strict=True))}


def raw_value(system: System, name: str, value: int) -> int | str:
    """A world variable's raw value; a control state by its state id."""
    if name.endswith(".state"):
        inst = next(i for i in system.instances if name == f"{i.name}.state")
        return inst.table.state_ids[value]
    return value


def _message_dict(peer_key: str, peer: str, message: Message, method: str | None = None) -> dict[str, object]:
    """A message as structured data: peer, catalogue name, spec title, text, the steps it is."""
    mtype = MESSAGES[message[0]]
    return {peer_key: peer, "message": message[0], "title": mtype.title, "text": describe_message(message),
            "steps": step_labels(mtype.ref.steps, method)}


@dataclass(frozen=True)
class Telling:
    """The method a trace is told in ("2".."7", None: as cited) and the scenario's options (for
    the readings its steps draw, None: not marked)."""

    method: str | None = None
    options: Mapping[str, int] | None = None


def build_trace(exploration: Exploration, world_index: int,
                extra: Sequence[tuple[int, Label]] = (), method: str | None = None,
                options: Mapping[str, int] | None = None) -> list[TraceStep]:
    """The shortest path (breadth-first parents) to ``world_index``, as trace steps; then the
    ``extra`` steps (target world index, label) that continue it (a liveness lasso's tail).
    ``method`` ("2".."7") numbers the steps (``steps``, ``ref``) and names the Manners as that
    method's text does; with the scenario's ``options``, a step that draws one reading of an
    ambiguous passage says so (``reading``)."""
    path = exploration.path_to(world_index)
    hops = [(a, exploration.via[b], b) for a, b in zip(path, path[1:])]
    previous = world_index
    for target, label in extra:
        hops.append((previous, label, target))
        previous = target
    telling = Telling(method, options)
    return [_step(exploration, n, a, label, b, telling) for n, (a, label, b) in enumerate(hops, start=1)]


def _step(exploration: Exploration, n: int, a: int, label: Label | None, b: int, telling: Telling) -> TraceStep:
    """One step of a trace, from world ``a`` to world ``b`` by ``label``."""
    system = exploration.system
    assert label is not None
    method = telling.method
    if label.fault == LOST:
        return _lost_step(exploration, n, a, label, b, method)
    inst = system.instances[label.instance]
    tr = inst.table.transitions[label.transition]
    changes, after = _changes(system, exploration.worlds[a], exploration.worlds[b])
    sent = [
        f"{describe_message(msg)} -> {system.instances[system.links[link].dst].name}" for link, msg in label.sends
    ]
    received = None
    if label.message is not None and label.link is not None:
        received = _message_dict("from", system.sender_names(label.link), label.message, method)
    action = manner_label(inst.role, tr.effect_name, tr.effect.label, method)
    return TraceStep(
        number=n,
        element=inst.name,
        event=tr.event,
        action=action if not label.fault else
        f"{action} (the {system.links[label.link or 0].kind} link delivers the message twice: a copy stays)",
        ref=ref_in_method(tr.effect.ref, method) if hasattr(tr.effect.ref, "steps") else str(tr.effect.ref),
        handled=None if label.message is None else describe_message(label.message),
        sent=sent,
        changes=changes,
        choice=tr.effect.choice,
        effect=tr.effect_name,
        source=None if label.link is None else system.sender_names(label.link),
        message=None if label.message is None else raw_message(system, label.message),
        sends=[{"to": system.instances[system.links[link].dst].name, **raw_message(system, msg)}
               for link, msg in label.sends],
        after=after,
        role=inst.role,
        steps=step_labels(tuple(getattr(tr.effect.ref, "steps", ())), method),
        received=received,
        outputs=[_message_dict("to", system.instances[system.links[link].dst].name, msg, method)
                 for link, msg in label.sends],
        fault=label.fault,
        reading=reading_note(options_read(inst.table.cls, tr.effect_name, tr.guard_text), telling.options, method),
    )


def _changes(system: System, before: tuple, after: tuple) -> tuple[dict[str, list[str]], dict[str, int | str]]:
    """What a step changed: in words, and as raw values (for replay)."""
    names = {slot: name for name, slot in system.slots.items()}
    changed = [s for s in range(system.link_base) if before[s] != after[s]]
    return ({names[s]: [describe_slot(system, names[s], before[s]), describe_slot(system, names[s], after[s])]
             for s in changed}, {names[s]: raw_value(system, names[s], after[s]) for s in changed})


def _lost_step(exploration: Exploration, n: int, a: int, label: Label, b: int, method: str | None) -> TraceStep:
    """A message lost on a lossy link: nobody handles it (threat model ``lossy_links``)."""
    system = exploration.system
    assert label.message is not None and label.link is not None
    link = system.links[label.link]
    src, dst = system.sender_names(label.link), system.instances[link.dst]
    changes, after = _changes(system, exploration.worlds[a], exploration.worlds[b])
    received = _message_dict("from", src, label.message, method)
    return TraceStep(
        number=n, element=dst.name, event=label.message[0],
        action=f"{MESSAGES[label.message[0]].title} from {src} is lost on the {link.kind} link",
        ref="threat model: lossy_links", handled=describe_message(label.message), changes=changes,
        effect="<lost>", source=src, message=raw_message(system, label.message), after=after, role=dst.role,
        received=received, fault=LOST,
    )
