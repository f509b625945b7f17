"""Numbering: paragraph numbers, step numbers and figure numbers that do not fit where they stand.

- paragraphs numbered out of sequence or twice ([0123] after [0125]);
- a step of another method cited inside a method's paragraphs without naming that method ("the
  following step S425 is performed" in [0284], inside method 300), with the method's own step that
  says the same thing proposed (the one whose definition shares the most words);
- a step cited but never described ("S304 to S2042" in [0286]), with the described step one
  character away proposed (S3042);
- a sentence that names a figure and a method (or procedure, apparatus) the brief description of
  the drawings gives another number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from prosecheck.analysis.patent import _PARAGRAPH, STEP, Patent
from prosecheck.analysis.text_common import TextFinding, content_words, edit_distance, sentence_at, sentences
from prosecheck.analysis.traceability import method_of, method_sections, parent_of


def paragraph_sequence(body: str) -> list[TextFinding]:
    """Paragraph numbers that repeat or do not follow the one before ([0124] after [0122])."""
    out: list[TextFinding] = []
    previous = 0
    seen: set[int] = set()
    for mark in _PARAGRAPH.finditer(body):
        number = int(mark.group(1))
        pid = mark.group(1)
        quote = " ".join(body[mark.end():mark.end() + 200].split()[:8])
        if number in seen:
            out.append(TextFinding(f"numbering:[{pid}]:duplicate", "editorial", "low", (pid,), quote,
                                   f"Paragraph number [{pid}] is used twice.", f"[{previous + 1:04d}] {quote}"))
        elif number != previous + 1:
            out.append(TextFinding(f"numbering:[{pid}]:after [{previous:04d}]", "editorial", "low", (pid,), quote,
                                   f"Paragraph [{pid}] follows [{previous:04d}]: the numbers are out of sequence.",
                                   f"[{previous + 1:04d}] {quote}"))
        seen.add(number)
        previous = max(previous, number)
    return out


def _definition(patent: Patent, defined: Mapping[str, str], step: str) -> str:
    return sentences(patent.paragraphs[defined[step]])[0]


def own_counterpart(patent: Patent, defined: Mapping[str, str], step: str, method: int) -> str | None:
    """The step of ``method`` whose definition shares the most words with ``step``'s (S425 "The AUSF
    generates a key K_{NR_ProSe}" -> S306 in method 300), None when none shares two."""
    words = content_words(_definition(patent, defined, step))
    best: tuple[int, str] | None = None
    for other in defined:
        if method_of(other) != method:
            continue
        shared = len(words & content_words(_definition(patent, defined, other)))
        if shared >= 2 and (best is None or shared > best[0]):
            best = (shared, other)
    return best[1] if best else None


def foreign_steps(patent: Patent) -> list[TextFinding]:
    """Another method's step cited in a method's paragraph that does not name that method."""
    defined = patent.defined_steps()
    section = method_sections(patent, defined)
    out: list[TextFinding] = []
    seen: set[tuple[str, str]] = set()
    for step, pid in patent.step_mentions():
        text = patent.paragraphs[pid]
        if (step, pid) in seen or step not in defined or pid not in section:
            continue
        seen.add((step, pid))
        method = section[pid]
        if method_of(step) == method or f"method {method_of(step)}" in text:
            continue
        mine = own_counterpart(patent, defined, step, method)
        quote = sentence_at(text, text.find(step))
        proposal = quote.replace(step, mine) if mine else quote.replace(step, f"[the method-{method} step]")
        out.append(TextFinding(
            f"numbering:[{pid}]:{step} in method {method}", "editorial", "medium", (pid, defined[step]), quote,
            f"[{pid}] belongs to method {method} but cites {step}, a step of method {method_of(step)} "
            f"([{defined[step]}]: \"{_definition(patent, defined, step)}\")"
            + (f"; method {method}'s own step for this is {mine} [{defined[mine]}]." if mine else "."),
            proposal))
    return out


def _related(candidate: str, mentioned: set[str], order: list[str]) -> bool:
    """True when ``candidate`` is a sibling of, or next to (in definition order), a step the sentence names."""
    at = order.index(candidate)
    near = set(order[max(0, at - 1):at + 2])
    return any(m in near or (parent_of(m) is not None and parent_of(m) == parent_of(candidate)) for m in mentioned)


def nearest_defined(step: str, sentence: str, method: int, defined: Mapping[str, str]) -> list[str]:
    """The described steps one edit from ``step`` (S2042 -> S3042), best first: those of the
    paragraph's own method, then those related to another step the sentence names; ties all kept."""
    order = list(defined)
    mentioned = {f"S{m.group(1)}" for m in STEP.finditer(sentence)} - {step}
    scored: dict[str, int] = {}
    for other in order:
        if edit_distance(step, other, 2) == 1:
            scored[other] = 2 * (method_of(other) == method) + _related(other, mentioned, order)
    if not scored:
        return []
    top = max(scored.values())
    best = [s for s, v in scored.items() if v == top]
    if len(best) > 1 and re.search(rf"\bto (?:the )?(?:step )?{step}\b", sentence):
        return [max(best, key=order.index)]  # the end of a range: the last of the candidates
    if len(best) > 1 and re.search(rf"\b{step} to\b", sentence):
        return [min(best, key=order.index)]  # the start of a range: the first
    return best


def undefined_steps(patent: Patent) -> list[TextFinding]:
    """Steps the text cites but never describes (no paragraph "Sxxx: ..."), with the likely intended step."""
    defined = patent.defined_steps()
    section = method_sections(patent, defined)
    out: list[TextFinding] = []
    seen: set[tuple[str, str]] = set()
    for step, pid in patent.step_mentions():
        if step in defined or (step, pid) in seen:
            continue
        seen.add((step, pid))
        text = patent.paragraphs[pid]
        quote = sentence_at(text, text.find(step))
        method = section.get(pid, method_of(step))
        nearest = nearest_defined(step, quote, method, defined)
        proposal = quote.replace(step, nearest[0]) if len(nearest) == 1 else quote.replace(
            step, " or ".join(nearest) if nearest else f"[the intended step of method {method}]")
        out.append(TextFinding(
            f"numbering:[{pid}]:{step} undefined", "editorial", "medium", (pid,), quote,
            f"[{pid}] cites {step}, which no paragraph describes"
            + (f"; the described step one character away is {' or '.join(nearest)}." if nearest else "."),
            proposal))
    return out


_FIGURE_IS = re.compile(r"^FIG\. (\d+)[A-Z]?\b.*?\b(method|procedure|architecture|apparatus|system) (\d{3,4})\b")
_FIGURE = re.compile(r"\bFIG\. (\d+)")
_LABEL = re.compile(r"\b(method|procedure|architecture|apparatus|system) (\d{3,4})\b")


def figure_labels(patent: Patent) -> dict[int, tuple[str, str]]:
    """Figure -> (kind, number) from the brief description of the drawings ("FIG. 3A and FIG. 3B are
    an example flowchart of a communication method 300")."""
    out: dict[int, tuple[str, str]] = {}
    for text in patent.paragraphs.values():
        match = _FIGURE_IS.match(text)
        if match and int(match.group(1)) not in out:
            out[int(match.group(1))] = (match.group(2), match.group(3))
    return out


def figure_mismatches(patent: Patent) -> list[TextFinding]:
    """A sentence naming one figure and a method (procedure, apparatus) number the drawings give another
    figure, when the drawings say that figure shows a thing of the same kind ("the network architecture
    shown in FIG. 1" beside "method 300" is not one)."""
    labels = figure_labels(patent)
    owner = {number: figure for figure, (_, number) in labels.items()}
    out: list[TextFinding] = []
    for pid, text in patent.paragraphs.items():
        for s in sentences(text):
            figures = {int(f) for f in _FIGURE.findall(s)}
            if len(figures) != 1:
                continue
            figure = figures.pop()
            for kind, number in _LABEL.findall(s):
                if number in owner and owner[number] != figure and labels.get(figure, ("", ""))[0] == kind:
                    out.append(TextFinding(
                        f"numbering:[{pid}]:FIG. {figure} vs {kind} {number}", "editorial", "medium", (pid,), s,
                        f"[{pid}] ties FIG. {figure} to {kind} {number}, which the drawings show in FIG. {owner[number]}.",
                        s.replace(f"FIG. {figure}", f"FIG. {owner[number]}")))
    return out


def numbering(patent: Patent, body: str) -> list[TextFinding]:
    """Every numbering finding."""
    return paragraph_sequence(body) + foreign_steps(patent) + undefined_steps(patent) + figure_mismatches(patent)
