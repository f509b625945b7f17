"""The review list (issue 24): every distinct issue of the text once, ranked, quoted, with evidence
and proposed text, for a spec editor to work through.

Two sources are merged. **Machine findings** come from ``prosecheck analyze`` (:func:`machine_findings`):
contradictions (Z3 unsat cores), vacuous conditions, statements the model does not follow (grouped by
statement), guard ambiguities and gaps (grouped by element, state and event: one cause), messages
nobody handles, wrong step references (grouped by paragraph), steps without a model counterpart and
violated claims (grouped by what fails). **Hand-written findings** are the entries of
:mod:`.review_catalog` (docs/spec-findings.md): their evidence is computed from the check results of
the scenarios and properties they name, and a machine finding an entry ``absorbs`` is listed inside
it, not again.

A finding's id is ``R-`` and 8 hex digits of a SHA-256 over its category and natural key (the ids
that name it: statements, paragraph, element and state, scenario and property names), never over
positions, counts or trace lengths: the same across runs and across model changes that do not
touch it. Each quote is checked against the patent's text (white space normalised only).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from prosecheck.analysis.contradictions import Statement
from prosecheck.analysis.guards import GuardFinding
from prosecheck.analysis.patent import STEP, load_patent, normalize
from prosecheck.analysis.review_catalog import CATALOG, Entry
from prosecheck.analysis.run import Analysis
from prosecheck.analysis.statements import METHODS
from prosecheck.analysis.text_common import SEVERITIES
from prosecheck.analysis.traceability import Reference
from prosecheck.inputs import InputFileError, parse_toml, read_text, validate
from prosecheck.model.fixes import FIXES
from prosecheck.schemas import schema
from prosecheck.verify import ScenarioResult

CATEGORIES = ("security", "contradiction", "procedural", "unspecified", "editorial")
"""The text checks' categories (text_common.CATEGORIES) and security, in ranking order."""
STATUSES = ("open", "accepted")
ID_PATTERN = r"^R-[0-9a-f]{8}$"


class QuoteError(ValueError):
    """A finding's quote is not the text of the paragraph it names."""


@dataclass(frozen=True)
class Finding:
    """One distinct issue of the text, as the review lists it."""

    id: str
    category: str  # one of CATEGORIES
    severity: str  # one of SEVERITIES
    title: str
    paragraphs: tuple[str, ...]  # "[0263]"
    steps: tuple[str, ...]  # "S3042"
    quote: str  # verbatim from ``quote_in`` (empty only when no sentence of the text says it)
    quote_in: str  # "0263" or "claim 9" ("" with no quote)
    evidence: tuple[str, ...]  # computed: verdicts with trace lengths, unsat cores, reachable valuations
    proposal: str
    clause: str  # the standard clause the change touches, or "patent only"
    status: str = "open"
    source: str = ""  # "analyze", "docs/spec-findings.md 1", or the extra module's name
    key: tuple[str, ...] = ()  # the natural key the id is computed from
    reason: str = ""  # why it was accepted (the suppression file's reason)


def finding_id(category: str, key: Sequence[str]) -> str:
    """``R-`` + the first 8 hex digits of SHA-256 over the category and the natural key."""
    text = json.dumps([category, *key], ensure_ascii=True, separators=(",", ":"))
    return "R-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def source_text(where: str) -> str | None:
    """The normalised text of paragraph ``0263`` or of ``claim 9`` (None: no such place)."""
    patent = load_patent()
    if where.startswith("claim "):
        claim = patent.claims.get(int(where.split()[1]))
        return claim.text if claim else None
    return patent.paragraphs.get(where)


def quote_is_text(where: str, quote: str) -> bool:
    """The quote, white space normalised, is a substring of the place it names."""
    text = source_text(where)
    return text is not None and normalize(quote) in text


def make_finding(category: str, severity: str, title: str, key: Sequence[str], *, paragraphs: Iterable[str] = (),
                 steps: Iterable[str] = (), quote_in: str = "", quote: str = "", evidence: Iterable[str] = (),
                 proposal: str = "", clause: str = "patent only", source: str = "") -> Finding:
    """A finding with its id computed and its quote checked (:class:`QuoteError` if it is not the text's)."""
    if category not in CATEGORIES or severity not in SEVERITIES:
        raise ValueError(f"{title}: category {category!r} / severity {severity!r} unknown")
    if quote and not quote_is_text(quote_in, quote):
        raise QuoteError(f"{title}: the quote is not in {quote_in or 'any paragraph'}: {quote[:60]!r}")
    return Finding(finding_id(category, key), category, severity, title, tuple(paragraphs), tuple(dict.fromkeys(steps)),
                   normalize(quote), quote_in if quote else "", tuple(evidence), proposal, clause, source=source,
                   key=tuple(key))


def first_sentence_with(where: str, needle: str = "") -> str:
    """The first sentence of the place ``where`` that contains ``needle`` (the whole text if none does)."""
    text = source_text(where) or ""
    for sentence in re.split(r"(?<=[.;])\s+", text):
        if needle in sentence:
            return sentence
    return text


def _steps_in(text: str) -> list[str]:
    return [f"S{m.group(1)}" for m in STEP.finditer(text)]


def _pid(paragraph: str) -> str:
    return f"[{paragraph}]"


# ---- machine findings --------------------------------------------------------------------------------

def _statement(method: int, sid: str) -> Statement | None:
    return next((s for s in METHODS[method][0] if s.sid == sid), None) if method in METHODS else None


def _statements_finding(kind: str, method: int, sids: Sequence[str], title: str, evidence: list[str],
                        proposal: str) -> Finding:
    """A finding about some of the method's statements: quoted from the first, paragraphs and steps of all."""
    found = [s for s in (_statement(method, sid) for sid in sids) if s is not None]
    first = found[0] if found else None
    category, severity = {"contradiction": ("contradiction", "medium"), "vacuous": ("contradiction", "low"),
                          "not-followed": ("procedural", "medium")}[kind]
    return make_finding(category, severity, title, (kind, str(method), *sids),
                        paragraphs=dict.fromkeys(_pid(s.paragraph) for s in found),
                        steps=[st for s in found for st in _steps_in(s.quote)],
                        quote_in=first.paragraph if first else "", quote=first.quote if first else "",
                        evidence=evidence, proposal=proposal, clause="TS 33.503 6.3.3.3", source="analyze")


def _contradictions(analysis: Analysis) -> list[Finding]:
    """One finding per distinct minimal unsatisfiable set of statements (the cases it arises in as evidence)."""
    cases: dict[tuple[int, tuple[str, ...]], list[str]] = {}
    for m in analysis.contradictions:
        for c in m.muses:
            lines = cases.setdefault((m.method, tuple(c.statements)), [])
            lines.append(f"Z3: {', '.join(_pid(s) for s in c.statements)} cannot all hold in the case "
                         f"'{c.case}' (a minimal unsatisfiable core)")
            lines += [f"{sid}: {'its reading sets one aside' if how else 'no reading sets any aside'}"
                      for sid, how in sorted(c.scenarios.items())]
    out = []
    for (method, sids), evidence in sorted(cases.items()):
        ids = " and ".join(_pid(s) for s in sids)
        out.append(_statements_finding("contradiction", method, sids, f"Method {method}: {ids} contradict each other",
                                       evidence, f"Make {ids} agree: qualify {_pid(sids[-1])} with the condition "
                                       "under which it applies, or delete the one that does not."))
    vacuous = {(m.method, v.statement, tuple(v.because)) for m in analysis.contradictions for v in m.vacuous}
    for method, sid, because in sorted(vacuous):
        names = ", ".join(_pid(b) for b in because)
        out.append(_statements_finding("vacuous", method, (sid, *because), f"Method {method}: the condition of "
                                       f"{_pid(sid)} can never hold, given {names}",
                                       [f"Z3: the condition of {_pid(sid)} is unsatisfiable with {names}"],
                                       f"Either delete {_pid(sid)} or extend {names} so that its case can arise."))
    return out


def _not_followed(analysis: Analysis) -> list[Finding]:
    """One finding per statement the model does not follow (not set aside by a reading), every step shown."""
    steps: dict[tuple[int, str], list[str]] = {}
    for c in analysis.conformance:
        for d in c.deviations:
            if not d.by_reading:
                steps.setdefault((c.method, d.statement), []).append(f"{c.scenario}: not followed at {d.step}")
    return [_statements_finding("not-followed", method, (sid,), f"Method {method}: the model cannot follow "
                                f"{_pid(sid)} on the branch it takes", list(dict.fromkeys(lines)),
                                f"Say in {_pid(sid[:4])} on which branch the sentence applies (the branch "
                                "shown in the evidence is not one of them).")
            for (method, sid), lines in sorted(steps.items())]


def _valuation(values: Mapping[str, int] | None) -> str:
    return "{" + ", ".join(f"{k}={v}" for k, v in (values or {}).items()) + "}"


def _guard_evidence(group: list[GuardFinding]) -> list[str]:
    lines = [f"Z3: {g.kind} among {'; '.join(g.transitions)}; a valuation within the declared domains: "
             f"{_valuation(g.any_witness)}" for g in group]
    reached = {sid: w for g in group for sid, w in g.reached_in.items()}
    lines += [f"{sid}: reached with {_valuation(w)}" for sid, w in sorted(reached.items())]
    if not reached:
        scenarios = sorted({s for g in group for s in g.scenarios})
        lines.append(f"never among the reachable valuations of {', '.join(scenarios)}")
    return lines


def _guard_groups(analysis: Analysis) -> dict[tuple[str, str, str, str], list[GuardFinding]]:
    """The guard ambiguities and gaps by (kind, element, state, event)."""
    groups: dict[tuple[str, str, str, str], list[GuardFinding]] = {}
    for g in analysis.guards:
        if g.kind in ("ambiguity", "gap"):
            groups.setdefault((g.kind, g.role, g.state, g.event), []).append(g)
    return groups


def unreached_guard_keys(analysis: Analysis) -> set[tuple[str, ...]]:
    """The guard groups no checked scenario reaches: a message content the model's declared domains allow
    and no element sends. A hand check found both sampled ones false as issues of the text, so the review
    lists one only inside a hand-written finding that stands for it; it stays in ``analyze``'s report."""
    return {key for key, group in _guard_groups(analysis).items() if not any(g.reached_in for g in group)}


def _guards(analysis: Analysis) -> list[Finding]:
    """One finding per (kind, element, state, event): the transitions differ by scenario, the cause does not."""
    out = []
    for (kind, role, state, event), group in sorted(_guard_groups(analysis).items()):
        cited = sorted({p for g in group for t in g.transitions for p in re.findall(r"\[(\d{4})\]", t)})
        reached = any(g.reached_in for g in group)
        what = "two rules apply at once" if kind == "ambiguity" else "no rule applies"
        out.append(make_finding(
            "unspecified", "medium" if reached else "low",
            f"The {role.upper()} in state {state} on {event}: {what} for some message contents",
            (kind, role, state, event), paragraphs=[_pid(p) for p in cited],
            steps=[s for g in group for t in g.transitions for s in _steps_in(t)][:6],
            quote_in=cited[0] if cited else "", quote=first_sentence_with(cited[0]) if cited else "",
            evidence=_guard_evidence(group), clause="TS 33.503 6.3.3.3", source="analyze",
            proposal=f"Say what the {role.upper()} does with {event} in this state for the valuation shown "
            f"(e.g. reject it with a cause value), in the paragraph of {', '.join(_pid(p) for p in cited[:2])}."))
    return out


def _unhandled(analysis: Analysis) -> list[Finding]:
    groups: dict[tuple[str, str, str], list[str]] = {}
    for u in analysis.unhandled:
        groups.setdefault((u.role, u.state, u.message), []).append(
            f"{u.scenario}: {u.message} arrives at the {u.role.upper()} in state {u.state} ({u.depth} steps)")
    return [make_finding("procedural", "high", f"{message} reaches the {role.upper()} in state {state}, where no "
                         "step handles it", ("unhandled", role, state, message), evidence=lines, source="analyze",
                         proposal=f"Describe what the {role.upper()} does when {message} arrives in state {state}.",
                         clause="TS 33.503 6.3.3.3")
            for (role, state, message), lines in sorted(groups.items())]


def _reference_lines(analysis: Analysis) -> dict[str, list[tuple[Reference, str]]]:
    t = analysis.traceability
    found: dict[str, list[tuple[Reference, str]]] = {}
    for ref in t.dangling:
        found.setdefault(ref.paragraph, []).append((ref, f"{ref.step} is mentioned in {_pid(ref.paragraph)} and "
                                                         "defined nowhere"))
    for ref in t.suspect:
        found.setdefault(ref.paragraph, []).append((ref, f"{ref.step} belongs to another method and "
                                                         f"{_pid(ref.paragraph)} does not name it"))
    for ref in t.mismatched:
        found.setdefault(ref.paragraph, []).append((ref, f"\"{ref.context}\": {ref.why}"))
    return found


def _references(analysis: Analysis) -> list[Finding]:
    """One editorial finding per paragraph with a wrong step reference (dangling, suspect or mismatched)."""
    out = []
    for pid, refs in sorted(_reference_lines(analysis).items()):
        steps = list(dict.fromkeys(r.step for r, _ in refs))
        out.append(make_finding(
            "editorial", "low", f"{_pid(pid)} cites {', '.join(steps)} wrongly", ("step-reference", pid),
            paragraphs=[_pid(pid)], steps=steps, quote_in=pid, quote=first_sentence_with(pid, steps[0]),
            evidence=[line for _, line in refs], source="analyze", clause="patent only",
            proposal=f"Replace {', '.join(steps)} in {_pid(pid)} by the step meant."))
    return out


def _untraced(analysis: Analysis) -> list[Finding]:
    """Steps the text defines that no transition of the model stands for (and not set out of scope)."""
    t = analysis.traceability
    return [make_finding("unspecified", "low", f"{step} ({_pid(t.defined[step])}) has no counterpart in the model",
                         ("untraced", step), paragraphs=[_pid(t.defined[step])], steps=[step], quote_in=t.defined[step],
                         quote=first_sentence_with(t.defined[step], step), source="analyze", clause="patent only",
                         evidence=[f"traceability: no transition cites {step} or all of its sub-steps"],
                         proposal=f"Say what {step} changes (a message sent, a value stored), or mark it informative.")
            for step in t.uncovered]


def _claims(analysis: Analysis) -> list[Finding]:
    """Violated claims grouped by what fails (the same embodiment and property)."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for c in analysis.claims:
        if c.verdict == "VIOLATED":
            failing = tuple(sorted({f"{s}:{rest.split()[0]}" for s, _, rest in (f.partition(": ") for f in c.failures)}))
            groups.setdefault(failing, []).append(c.number)
    out = []
    for failing, numbers in sorted(groups.items()):
        first = numbers[0]
        evidence = [f"claim {n}: {c.verdict} ({'; '.join(c.failures)})" for n in numbers
                    for c in analysis.claims if c.number == n]
        out.append(make_finding(
            "security", "high", f"Claims {', '.join(map(str, numbers))} fail in every embodiment checked",
            ("claims", *failing), paragraphs=[f"claim {n}" for n in numbers], quote_in=f"claim {first}",
            quote=first_sentence_with(f"claim {first}"), evidence=evidence, source="analyze", clause="patent only",
            proposal="Fix the embodiment the failures name (see the evidence) or narrow the claims to the others."))
    return out


def machine_findings(analysis: Analysis) -> dict[tuple[str, ...], Finding]:
    """Every machine finding of ``analysis`` by its natural key; a message nobody handles is folded into the
    gap of the same element, state and event when there is one (the same cause, reached)."""
    found = {f.key: f for part in (_contradictions, _not_followed, _guards, _references, _untraced, _claims)
             for f in part(analysis)}
    for f in _unhandled(analysis):
        gap = ("gap", *f.key[1:])
        if gap in found:
            found[gap] = replace(found[gap], evidence=found[gap].evidence + f.evidence)
        else:
            found[f.key] = f
    return found


# ---- hand-written findings -----------------------------------------------------------------------------

def _verdict_line(scenario: str, pid: str, result: ScenarioResult) -> str:
    p = result.properties.get(pid)
    if p is None:
        return f"{scenario}: {pid} not judged"
    word = {"HOLDS": "reached", "VIOLATED": "UNREACHED"}.get(p.verdict, p.verdict) if p.kind == "sometimes" \
        else p.verdict
    steps = f" ({len(p.trace)} steps)" if p.trace else ""
    return f"{scenario}: {pid} {word}{steps}"


def _reading_lines(analysis: Analysis, options: Sequence[str]) -> list[str]:
    out = []
    for r in analysis.readings:
        if r.option not in options:
            continue
        for c in r.comparisons:
            base = f"the default ({c.baseline.scenario})" if c.baseline else "no default in this run"
            out.append(f"reading {r.option}={c.variant.value} ({c.variant.scenario}) against {base}: verdicts "
                       f"differ in {', '.join(c.differs) or 'nothing'}")
    return out


def _transition_lines(entry: Entry, results: Mapping[str, ScenarioResult]) -> list[str]:
    checked = sorted({s for s, _ in entry.checks if s in results})
    out = []
    for name in entry.transitions:
        role, _, effect = name.partition(".")
        silent = [s for s in checked if any(n.startswith(role) and f"[{effect}]" in n for n in results[s].never_fired)]
        out.append(f"{name}: never fires in {', '.join(silent)}" if silent
                   else f"{name}: not among the never-fired transitions of {', '.join(checked)}")
    return out


def fix_lines(key: str, results: Mapping[str, ScenarioResult]) -> list[str]:
    """The proposed fix ``key`` checked beside the text: each (text, fix) scenario pair that ``results``
    holds, property by property (:data:`~prosecheck.model.fixes.FIXES`)."""
    fix = next((f for f in FIXES if f.key == key), None)
    if fix is None:
        return []
    options = ", ".join(f"{name}={value}" for name, value in sorted(fix.options.items()))
    return [f"proposed fix ({options}): {_verdict_line(fix_id, pid, results[fix_id])}; "
            f"as the text stands: {_verdict_line(text_id, pid, results[text_id])}"
            for text_id, fix_id in fix.pairs if text_id in results and fix_id in results for pid in fix.properties]


def fix_scenarios(checked: Iterable[str] | None = None, findings_of: Sequence[Entry] = CATALOG) -> list[str]:
    """The scenarios the catalog's proposed fixes are checked on (the text's and the fix's), in order; with
    ``checked`` (the scenario ids a review analysed), only the pairs whose text scenario, threat model aside,
    is one of them, so a review of a few scenarios checks only their fixes."""
    keys = {e.fix for e in findings_of if e.fix}
    chosen = None if checked is None else set(checked)
    return list(dict.fromkeys(sid for f in FIXES if f.key in keys for text_id, fix_id in f.pairs
                              if chosen is None or text_id.partition("@")[0] in chosen for sid in (text_id, fix_id)))


def _entry_finding(entry: Entry, analysis: Analysis, results: Mapping[str, ScenarioResult]) -> Finding:
    evidence = [_verdict_line(s, p, results[s]) for s, p in entry.checks if s in results]
    evidence += _reading_lines(analysis, entry.options) + _transition_lines(entry, results)
    evidence += fix_lines(entry.fix, results) if entry.fix else []
    # what the text says where: a hand-written finding's paragraphs and steps (unique in the catalog, a
    # test checks it), never its evidence (options, properties), which changes with the model
    key = ("catalog", *sorted(entry.paragraphs), "|", *sorted(entry.steps))
    return make_finding(entry.category, entry.severity, entry.title, key, paragraphs=entry.paragraphs,
                        steps=entry.steps, quote_in=entry.quote_in, quote=entry.quote, evidence=evidence,
                        proposal=entry.proposal, clause=entry.clause,
                        source=f"docs/spec-findings.md {entry.source}" if entry.source[0].isdigit() else entry.source)


def _applies(entry: Entry, results: Mapping[str, ScenarioResult]) -> bool:
    """An entry is listed when the run checked one of its scenarios, or when it names none (editorial)."""
    return not entry.checks or any(s in results for s, _ in entry.checks)


# ---- the review ---------------------------------------------------------------------------------------

def rank(findings: Iterable[Finding]) -> list[Finding]:
    """Security first, then by severity, then by category, then by id."""
    return sorted(findings, key=lambda f: (f.category != "security", SEVERITIES.index(f.severity),
                                           CATEGORIES.index(f.category), f.id))


def build_review(analysis: Analysis, results: Mapping[str, ScenarioResult] | None = None,
                 extra: Sequence[Finding] = (), catalog: Sequence[Entry] = CATALOG) -> list[Finding]:
    """Every distinct issue once, ranked: the catalog's entries with the machine findings they absorb as
    evidence, then the machine findings no entry absorbs, then the text's own findings (``analysis.text``)
    and ``extra``, each unless it repeats a listed finding (:func:`same_issue`)."""
    results = analysis.results if results is None else results
    machine = machine_findings(analysis)
    absorbed: set[tuple[str, ...]] = set()
    out: dict[str, Finding] = {}
    for entry in catalog:
        if not _applies(entry, results):
            continue
        f = _entry_finding(entry, analysis, results)
        inside = [machine[k] for k in entry.absorbs if k in machine]
        absorbed.update(m.key for m in inside)
        more = tuple(f"analyze ({m.id}, listed here): {line}" for m in inside for line in m.evidence)
        out[f.id] = replace(f, evidence=f.evidence + more)
    unreached = unreached_guard_keys(analysis)
    for key, m in machine.items():
        if key not in absorbed and key not in unreached:
            out.setdefault(m.id, m)
    listed = list(out.values())
    for f in [*text_findings_of(analysis), *extra]:
        same = next((m for m in listed if same_issue(f, m)), None)
        if same is None:
            out.setdefault(f.id, f)
        elif f.id != same.id:  # listed once, with what the other analysis adds (more places, say)
            more = tuple(f"{f.source or 'also'} ({f.id}, listed here): {line}" for line in f.evidence)
            out[same.id] = replace(out[same.id], evidence=out[same.id].evidence + more)
    return rank(out.values())


def text_findings_of(analysis: Analysis) -> list[Finding]:
    """The findings of the text read on its own (:mod:`.text_checks`, ``analysis.text``) as review
    findings: the id from the text finding's natural key, the quote checked again."""
    out = []
    for tf in analysis.text:
        first = tf.paragraphs[0]
        title = tf.problem.split("; ")[0].rstrip(".")
        out.append(make_finding(tf.category, tf.severity, title, ("text", tf.key),
                                paragraphs=[p if p.startswith("claim") else _pid(p) for p in tf.paragraphs],
                                quote_in=first, quote=tf.quote, evidence=[tf.problem], proposal=tf.proposal,
                                source=f"text_checks ({tf.key.split(':')[0]})"))
    return out


def same_issue(extra: Finding, listed: Finding) -> bool:
    """An extra finding repeats a listed one: both about the extra's first paragraph, and the listed one
    is of the same category and quotes the same sentence, or is hand-written and quotes the same passage,
    or names a step or key label that the extra's key names."""
    if not extra.paragraphs or extra.paragraphs[0] not in listed.paragraphs:
        return False
    if extra.quote and extra.quote == listed.quote and extra.category == listed.category:
        return True
    if listed.key[:1] == ("catalog",) and listed.quote and extra.quote and (
            listed.quote in extra.quote or extra.quote in listed.quote):
        return True  # a hand-written finding quotes the very passage
    marks = set(_MARKS.findall(" ".join(extra.key)))
    return bool(marks & set(_MARKS.findall(" ".join((listed.title, listed.quote, listed.proposal)))))


_MARKS = re.compile(r"\bS\d+[a-z]?\b|5GPRUK ID #\d|5GPRUK #\d")


def apply_accepted(findings: Sequence[Finding], accepted: Mapping[str, str]) -> tuple[list[Finding], list[str]]:
    """The findings with each accepted id marked ``accepted`` (with its reason), and the accepted ids that
    name no finding any more (the caller warns about them)."""
    ids = {f.id for f in findings}
    marked = [replace(f, status="accepted", reason=accepted[f.id]) if f.id in accepted else f for f in findings]
    return marked, sorted(i for i in accepted if i not in ids)


def load_accepted(path: str) -> dict[str, str]:
    """The suppression file at ``path`` (TOML: ``accepted = [{id = "R-...", reason = "..."}]``) as id -> reason,
    read safely (:mod:`prosecheck.inputs`) and checked against ``review-accepted.schema.json``; any problem is
    one :class:`InputFileError` line naming the file, the field and the problem."""
    text = read_text(path)
    try:
        doc = parse_toml(path, text)
    except tomllib.TOMLDecodeError as err:
        raise InputFileError(f"{path}: malformed TOML: {str(err).splitlines()[0] if str(err) else 'parse error'}") \
            from None
    validate(path, doc, schema("review-accepted"))
    out: dict[str, str] = {}
    for n, item in enumerate(doc["accepted"]):
        if item["id"] in out:
            raise InputFileError(f"{path}: field accepted[{n}].id: {item['id']} is accepted twice")
        out[item["id"]] = item["reason"]
    return out


def open_findings(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.status == "open"]


def counts(findings: Iterable[Finding]) -> dict[str, dict[str, int]]:
    """Open findings by category, then severity (every category and severity present, zeros too)."""
    table = {c: dict.fromkeys(SEVERITIES, 0) for c in CATEGORIES}
    for f in open_findings(findings):
        table[f.category][f.severity] += 1
    return table


__all__ = ["CATEGORIES", "ID_PATTERN", "SEVERITIES", "STATUSES", "Finding", "QuoteError", "apply_accepted",
           "build_review", "counts", "finding_id", "first_sentence_with", "load_accepted", "machine_findings",
           "make_finding",
           "open_findings", "quote_is_text", "rank", "source_text"]
