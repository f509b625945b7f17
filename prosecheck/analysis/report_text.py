"""The analysis as a human-readable report (Markdown, so the same text is ``docs/spec-analysis.md``)."""

from __future__ import annotations

from prosecheck.analysis.claims import ClaimVerdict
from prosecheck.analysis.contradictions import MethodResult
from prosecheck.analysis.guards import GuardFinding
from prosecheck.analysis.readings import Comparison, Reading
from prosecheck.analysis.run import Analysis
from prosecheck.analysis.statements import METHODS, statement
from prosecheck.analysis.text_checks import CATEGORIES, TextFinding
from prosecheck.analysis.text_common import change
from prosecheck.analysis.traceability import Traceability, method_of
from prosecheck.analysis.vocab import AXIOMS
from prosecheck.model.terms import ID_NAMES, RESULT_NAMES

TITLE = "# Spec analysis of US 2025/0260979 A1"


def _counts_line(analysis: Analysis) -> str:
    return "; ".join(f"{v} {k.replace('_', ' ')}" for k, v in analysis.counts().items())


def _quote(method: int, sid: str) -> str:
    s = statement(method, sid)
    note = f" *({s.note})*" if s.note else ""
    return f"  - [{sid}] \"{s.quote}\"{note}"


def _method(m: MethodResult) -> list[str]:
    _, cases = METHODS[m.method]
    out = [f"### Method {m.method}: {m.statements} statements, {len(cases)} cases, "
           f"{len(m.muses)} contradiction(s), {len(m.vacuous)} vacuous condition(s)", ""]
    if m.muses:
        share: dict[str, int] = {}
        for found in m.muses:
            for sid in found.statements:
                share[sid] = share.get(sid, 0) + 1
        top = sorted(share.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        out += ["Statements taking part in the most contradictions (where to look first): "
                + ", ".join(f"[{sid}] in {n} of {len(m.muses)}" for sid, n in top) + ".", ""]
    for i, found in enumerate(m.muses, 1):
        out.append(f"- **Contradiction {m.method}.{i}** in the case *{found.case}* "
                   f"({', '.join(f'[{s}]' for s in found.statements)}):")
        out += [_quote(m.method, sid) for sid in found.statements]
        for sid, aside in found.scenarios.items():
            out.append(f"  - scenario `{sid}` models this case: " + (
                f"its reading sets aside {aside}" if aside else "none of its readings sets a statement of this set aside"))
    for v in m.vacuous:
        out.append(f"- **Vacuous condition** of [{v.statement}]: it can never apply, given "
                   f"{', '.join(f'[{s}]' for s in v.because) or 'the axioms'}:")
        out += [_quote(m.method, sid) for sid in [v.statement, *v.because]]
    if not m.muses and not m.vacuous:
        out.append("- no contradiction in any case, no vacuous condition")
    if m.unsat_without_case:
        out.append("- the statements cannot all hold even without a case (see the contradictions above)")
    return out + [""]


def contradictions_section(analysis: Analysis) -> list[str]:
    per = ", ".join(f"{m.method}: {m.statements}" for m in analysis.contradictions)
    total = sum(m.statements for m in analysis.contradictions)
    out = ["## 1. Requirement contradictions", "",
           f"Statements encoded per method: {per} (total {total}). Each is checked in every case the text says can "
           "happen; a contradiction is a minimal set of statements that cannot all hold in that case (a MUS, "
           "enumerated by Z3). Background axioms, always assumed:", ""]
    out += [f"- {text}" for text, _ in AXIOMS] + [""]
    for m in analysis.contradictions:
        out += _method(m)
    return out + conformance_section(analysis)


def conformance_section(analysis: Analysis) -> list[str]:
    out = ["### Does the model follow the statements?", "",
           "At every reachable step where the PAnF sends a key query response, the UDM handles an authorization "
           "check request (answering or not) or the AUSF derives KNR_ProSe, the sent fields, the scenario's options "
           "and the attempt's check outcome give values to the statements' variables; a statement of the scenario's "
           "method that cannot hold with them is not followed there.", ""]
    out += _not_followed_summary(analysis)
    for c in analysis.conformance:
        head = f"- `{c.scenario}` (method {c.method}): {c.observations} distinct observed steps"
        if not c.deviations:
            out.append(head + f"; every statement of method {c.method} is followed")
            continue
        out.append(head + ":")
        for d in c.deviations:
            why = f" (its reading {d.by_reading} sets it aside)" if d.by_reading else ""
            values = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in d.facts.items())
            out.append(f"  - does not follow [{d.statement}]{why} at {d.step}: {values}")
            out.append("  " + _quote(c.method, d.statement))
    return out + [""]


def _not_followed_summary(analysis: Analysis) -> list[str]:
    """Each distinct statement not followed once, with how often and where (the details follow per scenario)."""
    found = analysis.not_followed()
    if not found:
        return []
    out = [f"Distinct statements not followed (not set aside by a reading): {len(found)}, in "
           f"{sum(len(v) for v in found.values())} occurrences (scenario and step):", ""]
    for (method, sid), where in found.items():
        scenarios = ", ".join(f"`{s}`" for s in dict.fromkeys(where))
        out.append(f"- method {method} [{sid}]: {len(where)} occurrence(s), in {scenarios}")
    return out + [""]


def _guard(g: GuardFinding) -> list[str]:
    reach = _reached(g)
    head = {"ambiguity": "Ambiguity", "gap": "Gap", "intentional": "Intentional nondeterminism"}[g.kind]
    return [f"- **{head}**: {g.role} in state `{g.state}` on `{g.event}` (scenarios: {', '.join(g.scenarios)}); "
            f"any valuation: {_valuation(g.any_witness)}; {reach}"] + [f"  - {t}" for t in g.transitions]


def _reached(g: GuardFinding) -> str:
    """Where the search reached such a valuation, each witness with the scenarios whose own search showed it."""
    if not g.reached_in:
        return "never among the reachable valuations"
    by_value: dict[str, list[str]] = {}
    for scenario, witness in g.reached_in.items():
        by_value.setdefault(_valuation(witness), []).append(scenario)
    parts = [f"in {', '.join(f'`{s}`' for s in where)}: {value}" for value, where in by_value.items()]
    never = [s for s in g.scenarios if s not in g.reached_in]
    if never:
        parts.append(f"never in {', '.join(f'`{s}`' for s in never)}")
    return "among the reachable valuations " + "; ".join(parts)


_VALUE_NAMES = {"msg.id_type": ID_NAMES, "msg.result": RESULT_NAMES, "msg.cause": RESULT_NAMES}


def _valuation(values: dict[str, int] | None) -> str:
    if values is None:
        return "none"

    def show(name: str, value: int) -> str:
        named = _VALUE_NAMES.get(name, {}).get(value)
        return f"{name}={value}" + (f" ({named})" if named else "")

    return "{" + ", ".join(show(k, v) for k, v in values.items()) + "}" if values else "every valuation"


def guards_section(analysis: Analysis) -> list[str]:
    out = ["## 2. Guard analysis per element", "",
           "For each (element, state, event) Z3 decides whether two transitions' guards can hold together "
           "(ambiguity; two branches that both stand for an environment or fault choice are intentional) and "
           "whether some valuation of the element's variables and the message's fields enables none (gap; "
           "received messages only), within the declared domains and among the valuations the search reached.", ""]
    for kind in ("ambiguity", "gap", "intentional"):
        for g in sorted((g for g in analysis.guards if g.kind == kind), key=lambda g: (g.role, g.state, g.event)):
            out += _guard(g)
    if not any(g.kind != "intentional" for g in analysis.guards):
        out.append("- no ambiguity and no gap")
    out += ["", "Messages that arrived where no transition handles or ignores them (found by the search):", ""]
    out += [f"- {u.scenario}: {u.role} in state `{u.state}` receives `{u.message}` ({u.depth} steps)"
            for u in analysis.unhandled] or ["- none"]
    return out + [""]


def traceability_section(t: Traceability, claims: list[ClaimVerdict]) -> list[str]:
    out = ["## 3. Traceability between the text and the model", "",
           "| method | steps defined | covered by the model | out of scope | no model counterpart |",
           "|---|---|---|---|---|"]
    out += [f"| {m} | {r['defined']} | {r['covered']} | {r['out_of_scope']} | {r['uncovered']} |"
            for m, r in t.by_method().items()]
    out += ["", "Covered steps and the transitions citing them:", ""]
    out += [f"- {s} [{t.defined[s]}]: {'; '.join(v)}" for s, v in t.covered.items()]
    out += [f"- {s} [{t.defined[s]}]: through its sub-steps {', '.join(v)}" for s, v in t.covered_by_substeps.items()]
    reasons: dict[str, list[str]] = {}
    for step, why in t.out_of_scope.items():
        reasons.setdefault(why, []).append(step)
    out += ["", "Out of scope (`prosecheck/analysis/scope.py`):", ""]
    out += [f"- {', '.join(steps)}: {why}" for why, steps in reasons.items()] or ["- none"]
    by_method: dict[int, list[str]] = {}
    for step in t.uncovered:
        by_method.setdefault(method_of(step), []).append(step)
    out += ["", "Defined but with no model counterpart:", ""]
    out += [f"- method {m}: {', '.join(steps)}" for m, steps in by_method.items()] or ["- none"]
    out += [""]
    out += ["Referred to but never defined (dangling references):", ""]
    out += [f"- {r.step} in [{r.paragraph}]: \"...{r.context}...\"" for r in t.dangling] or ["- none"]
    out += ["", "References to another method's step in a paragraph that does not name that method (suspect):", ""]
    out += [f"- {r.step} in [{r.paragraph}]: \"...{r.context}...\"" for r in t.suspect] or ["- none"]
    out += ["", "References that give a step a message it does not send:", ""]
    out += [f"- [{r.paragraph}] \"{r.context}\": {r.why}" for r in t.mismatched] or ["- none"]
    if t.cited_undefined:
        out += ["", "Steps the model cites that the text does not define: " + ", ".join(t.cited_undefined)]
    out += ["", "Claims, the model parts that embody them, and their verdicts:", "",
            "| claim | depends on | verdict | properties | scenarios | transitions |", "|---|---|---|---|---|---|"]
    for c in claims:
        verdict = c.verdict + (f" (fails in {'; '.join(c.failures)})" if c.failures else "")
        if c.failures and c.holds_in:
            verdict += f"; holds in {', '.join(c.holds_in)}"
        if c.unreached:
            verdict += f"; not reached, not counted: {'; '.join(c.unreached)}"
        out.append(f"| {c.number} | {c.depends_on or '-'} | {verdict} | {', '.join(c.mapping.properties)} | "
                   f"{', '.join(c.mapping.scenarios)} | {', '.join(c.mapping.transitions)} |")
    return out + [""]


def readings_section(readings: list[Reading]) -> list[str]:
    out = ["## 4. Interpretation matrix", "",
           "Each scenario that sets a reading is set beside its baseline: the scenario with the same options, bounds "
           "and threats but every reading it sets at its default, so a difference comes from the reading (or, where "
           "the scenario sets several at once, from that set), never from another check placement or method.", ""]
    for r in readings:
        out.append(f"### Reading `{r.option}` (default {r.default}; {r.citation or 'no scenario in this run sets it'})")
        out.append("")
        for c in r.comparisons:
            out += _comparison(r.option, c)
    return out


def _comparison(option: str, c: Comparison) -> list[str]:
    """One table: the baseline (when the run has it) and the scenario that sets the reading."""
    columns = [c.baseline, c.variant] if c.baseline is not None else [c.variant]
    out = []
    if c.baseline is None:
        out += [f"`{c.variant.scenario}`: no scenario of this run differs from it only in its readings; no "
                "difference is credited.", ""]
    if c.also:
        also = ", ".join(f"{o}={v}" for o, v in c.also.items())
        out += [f"`{c.variant.scenario}` also sets {also}: a difference is that set's, not {option}'s alone.", ""]
    out.append("| property | " + " | ".join(f"`{col.scenario}` ({option}={col.value})" for col in columns) + " |")
    out.append("|---|" + "---|" * len(columns))
    for pid in c.variant.verdicts:
        mark = " **differs**" if pid in c.differs else ""
        out.append(f"| {pid}{mark} | " + " | ".join(col.verdicts.get(pid, "-") for col in columns) + " |")
    return out + [""]


def _text_line(f: TextFinding) -> str:
    """One finding on one line: where, how bad, what, and the change proposed."""
    where = ", ".join(p if p.startswith("claim") else f"[{p}]" for p in f.paragraphs[:6])
    where += " ..." if len(f.paragraphs) > 6 else ""
    rewrite = change(f.quote, f.proposal)
    proposed = f"\"{rewrite[0]}\" → \"{rewrite[1]}\"" if rewrite else f.proposal
    return f"- {where} ({f.severity}): {f.problem} Proposed: {proposed} `{f.key}`"


def text_section(findings: list[TextFinding]) -> list[str]:
    """The text's own findings by category, one line each (the quotes and full proposals are in the JSON)."""
    out = ["## 5. The text read on its own", "",
           "Numbering, labels, subjects of sentences, terms and spelling, the description's support for each claim "
           "and the summary against the description (`prosecheck/analysis/text_checks.py`), from the first paragraph "
           f"to the last claim: {len(findings)} finding(s).", ""]
    for category in CATEGORIES:
        mine = [f for f in findings if f.category == category]
        if mine:
            out += [f"### {category.capitalize()} ({len(mine)})", ""] + [_text_line(f) for f in mine] + [""]
    return out if findings else out + ["- none", ""]


def render(analysis: Analysis) -> str:
    """The five reports, in Markdown."""
    lines = [TITLE, "", "Generated by `prosecheck analyze --markdown` (do not edit by hand; "
             "`prosecheck regen spec-analysis` writes it, `prosecheck regen --check` keeps it current).", "",
             f"Scenarios: {', '.join(analysis.scenarios)}.", "", f"Found: {_counts_line(analysis)}.", ""]
    if not analysis.complete:
        lines += ["**Incomplete**: a search or an enumeration hit its limit; what is listed was found, more may exist.", ""]
    lines += contradictions_section(analysis)
    lines += guards_section(analysis)
    lines += traceability_section(analysis.traceability, analysis.claims)
    lines += readings_section(analysis.readings)
    lines += text_section(analysis.text)
    return "\n".join(lines).rstrip() + "\n"
