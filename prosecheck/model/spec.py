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


def _analogues() -> dict[str, dict[str, str]]:
    """Method 200/300 steps -> the step that does the same in methods 400-700 ([0300], [0319],
    [0396], [0419] and their twins refer each of these steps back to method 200)."""
    rows = [  # 200/300 step, 400, 500, 600, 700
        ("S204", "S405", "S505", "S604", "S704"), ("S205", "S406", "S506", "S605", "S705"),
        ("S206", "S407", "S507", "S606", "S706"), ("S207", "S408", "S508", "S607", "S707"),
        ("S208", "S414", "S514", "S613", "S715"), ("S209", "S415", "S515", "S614", "S716"),
        ("S210", "S416", "S516", "S615", "S717"), ("S211", "S417", "S517", "S616", "S718"),
        ("S212", "S418", "S518", "S617", "S719"), ("S213", "S419", "S519", "S618", "S720"),
        ("S214", "S420", "S520", "S619", "S721"), ("S215a", "S421a", "S521a", "S620a", "S722a"),
        ("S215b", "S421b", "S521b", "S620b", "S722b"), ("S216", "S422", "S522", "S621", "S723"),
        ("S217", "S424", "S524", "S623", "S725"), ("S218", "S410", "S510", "S609", "S709"),
        ("S219", "S411", "S511", "S610", "S711"), ("S220", "S425", "S525", "S624", "S726"),
        ("S221", "S426", "S526", "S625", "S727"), ("S222", "S427", "S527", "S626", "S728"),
        ("S223", "S428", "S528", "S627", "S729"), ("S224", "S429", "S529", "S628", "S730"),
        ("S225", "S430", "S530", "S629", "S731"), ("S226", "S431", "S531", "S630", "S732"),
        ("S301", "S404", "S504", "", ""), ("S302", "S405", "S505", "S604", "S704"),
        ("S3031", "S410", "S510", "S609", "S709"), ("S3032", "S411", "S511", "S610", "S711"),
        ("S3041", "S4110", "S5110", "S6110", "S7110"), ("S3042", "S4112", "S5112", "S6112", "S7112"),
        ("S3051", "S412", "S512", "S611", "S713"), ("S3052", "S413", "S513", "S612", "S714"),
        ("S306", "S425", "S525", "S624", "S726"), ("S307", "S429", "S529", "S628", "S730"),
    ]
    table: dict[str, dict[str, str]] = {m: {} for m in "4567"}
    for base, *others in rows:
        for method, step in zip("4567", others, strict=True):
            if step:
                table[method][base] = step
    return table


ANALOGUES = _analogues()


def _number(step: str) -> tuple[int, str]:
    digits = "".join(ch for ch in step[1:] if ch.isdigit())
    return int(digits[:3]) * 10000 + int(digits[3:] or 0), step


def method_of(step: str) -> str:
    """The method a step id belongs to: its first digit ("S215a" -> "2", "S3031" -> "3",
    "S4110" -> "4"); the patent numbers method N00's steps SN.. (procedures.md)."""
    return step[1:2]


def _fallback(steps: tuple[str, ...] | list[str], method: str) -> str:
    """What a transition with no step of ``method`` is labelled: the lowest method it has steps
    in, so the reader sees the number is not the drawn method's."""
    other = min((method_of(s) for s in steps), key=int)
    own = "/".join(sorted((s for s in steps if method_of(s) == other), key=_number))
    return f"(no step in method {method}00; as {own} of method {other}00)"


def steps_in_method(steps: tuple[str, ...] | list[str], method: str | None) -> list[str]:
    """The cited steps as the given method numbers them ("2".."7", or None to keep them as
    cited): steps of methods 200/300 become their counterparts in methods 400-700, steps of other
    methods are left out, and the result is in step order (possibly empty)."""
    if method is None:
        return list(steps)
    mapped = {ANALOGUES.get(method, {}).get(s, s) for s in steps}
    return sorted((s for s in mapped if method_of(s) == method), key=_number)


def step_labels(steps: tuple[str, ...] | list[str], method: str | None) -> list[str]:
    """:func:`steps_in_method`, but never silent: when a shared transition cites steps and none
    is the drawn method's, one entry says so, "(no step in method 200; as S409 of method 400)".
    What trace steps and charts are labelled with."""
    return steps_in_method(steps, method) or ([_fallback(steps, method)] if steps and method else [])


def ref_in_method(ref: SpecRef, method: str | None) -> str:
    """``str(ref)`` with its steps as :func:`step_labels` gives them for ``method`` (the
    paragraphs and clauses are kept: they say why, whichever method is drawn)."""
    parts = step_labels(ref.steps, method) + [f"[{p}]" for p in ref.paragraphs] + list(ref.clauses)
    return " ".join(parts) if parts else "(no citation)"
