"""Human-readable reports: per-scenario details, counterexamples, and the verdict table."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from prosecheck.model.terms import MAX_ATTEMPTS
from prosecheck.proof_entry import Entry
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.report.assumptions import assumptions_lines, scenario_property_hashes
from prosecheck.scenarios.catalog import HOLDS, Scenario
from prosecheck.trace_steps import TraceStep
from prosecheck.verify import PropertyResult, ScenarioResult

_CODES = {**{pid: p.code for pid, p in PROPERTIES.items()}, "deadlock_free": "DEADLOCK", "messages_handled": "UNHANDLED",
          "livelock_free": "LIVELOCK"}


def property_code(pid: str, scenario: Scenario | None = None) -> str:
    """The short column header of a property (of the catalog, a built-in, or the scenario's own)."""
    own = {p.id: p.code for p in scenario.properties} if scenario is not None else {}
    return own.get(pid) or _CODES.get(pid, pid)


def cell(verdict: str, kind: str, value: int | None = None) -> str:
    if verdict == "n/a":
        return "n/a"
    if kind == "measure":  # a figure, not a verdict: exact after an exhaustive search, else a lower bound
        return "INCONCL." if value is None else (str(value) if verdict == "HOLDS" else f">={value}")
    if kind == "sometimes":
        return {"HOLDS": "reached", "VIOLATED": "UNREACHED", "INCONCLUSIVE": "INCONCL."}[verdict]
    return {"HOLDS": "holds", "VIOLATED": "VIOLATED", "INCONCLUSIVE": "INCONCL."}[verdict]


PROVED_CELL = "proved"
PROOF_LEGEND = ("proved = holds here and proved by 'prosecheck prove' without the scenario's bounds on attempts "
                f"(1..{MAX_ATTEMPTS}), withdrawals, restores and update-policy firings (proof ledger "
                "prosecheck/data/proofs.json, "
                "fingerprint current); holds = checked within the scenario's bounds only")


def property_cell(p: PropertyResult) -> str:
    """A property's cell: :func:`cell`, or ``proved`` for a HOLDS the proof ledger proves without bounds."""
    if p.verdict == HOLDS and p.proved_by is not None:
        return PROVED_CELL
    return cell(p.verdict, p.kind, p.value)


def outcome(p: PropertyResult) -> str:
    """The word the text gives a property (:func:`property_cell`) without the table's abbreviation, for
    ``check --json``'s ``outcome``: holds / VIOLATED (always, eventually), reached / UNREACHED (sometimes),
    proved, INCONCLUSIVE, n/a, or a measure's figure (``N`` exact, ``>=N`` a lower bound)."""
    word = property_cell(p)
    return "INCONCLUSIVE" if word == "INCONCL." else word


def threat_cell(r: ScenarioResult) -> str:
    """The scenario's threat model, short: ``honest``, ``pc5=2+leak``, ``relay``, ``lossy=pc5``."""
    t = r.scenario.threats
    parts = [f"pc5={t.pc5_attacker}"] if t.pc5_attacker else []
    parts += ["relay"] if t.malicious_relay else []
    parts += ["leak"] if t.leaked_old_pruk else []
    parts += [f"lossy={'/'.join(t.lossy_links)}"] if t.lossy_links else []
    return "+".join(parts) or "honest"


def stats_line(r: ScenarioResult) -> str:
    how = "exhaustive" if r.complete else f"STOPPED at {r.stopped}: verdicts not found are INCONCLUSIVE"
    if r.cut:
        how += f"; CUT: {r.cut}, the verdicts not decided by then are INCONCLUSIVE"
    notes = "".join(f"; {n}" for n in r.notes) + ("; reused from the cache (--no-cache checks again)" if r.cached else "")
    return (f"{r.states} states, {r.transitions} transitions, depth {r.depth}, "
            f"{r.seconds:.2f} s ({how}{notes})")


def phase_table(results: Sequence[ScenarioResult]) -> str:
    """Seconds per phase and peak memory per scenario, with totals: where a check spends its time."""
    phases = ("build", "search", "judging", "liveness", "traces")
    head = ["scenario", "states", *phases, "total s", "x search", "peak MB search", "peak MB end"]
    rows = []
    for r in results:
        total = sum(r.phases.values())
        search = r.phases.get("search", 0.0)
        rows.append([r.scenario.id, str(r.states), *(f"{r.phases.get(p, 0.0):.2f}" for p in phases), f"{total:.2f}",
                     f"{total / search:.2f}" if search else "-", f"{r.peak_mb.get('search', 0.0):.0f}",
                     f"{max(r.peak_mb.values(), default=0.0):.0f}"])
    sums = {p: sum(r.phases.get(p, 0.0) for r in results) for p in phases}
    total = sum(sums.values())
    rows.append(["all", str(sum(r.states for r in results)), *(f"{sums[p]:.2f}" for p in phases), f"{total:.2f}",
                 f"{total / sums['search']:.2f}" if sums["search"] else "-", "", ""])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths)))]
    lines += ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
              for row in rows]
    return "phases (seconds) and the process's peak memory (MB):\n" + "\n".join(lines)


def verdict_matrix(results: Sequence[ScenarioResult]) -> tuple[list[str], list[list[str]]]:
    """The full table's header and rows: scenario, threats, states, then one cell per property of the
    first result (``!`` after a verdict the scenario did not declare, ``-`` for a property not judged)."""
    ids = list(results[0].properties) if results else []
    header = ["scenario", "threats", "states", *(property_code(pid, results[0].scenario) for pid in ids)]
    rows = []
    for r in results:
        cells = []
        for pid in ids:
            p = r.properties.get(pid)
            cells.append("-" if p is None else property_cell(p) + ("" if p.as_expected else " !"))
        rows.append([r.scenario.id, threat_cell(r), str(r.states), *cells])
    return header, rows


def verdict_table(results: Sequence[ScenarioResult]) -> str:
    """Scenarios (rows) x properties (columns); ``!`` marks a verdict the scenario did not declare."""
    if not results:
        return ""
    ids = list(results[0].properties)
    header, rows = verdict_matrix(results)
    heads = header[3:]
    first = max(len("scenario"), *(len(r.scenario.id) for r in results))
    widths = [first, max(7, *(len(row[1]) for row in rows)), max(6, *(len(row[2]) for row in rows))] + [
        max(len(h), *(len(row[i + 3]) for row in rows)) for i, h in enumerate(heads)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.append("")
    lines.append("columns: " + "; ".join(f"{property_code(pid, results[0].scenario)} = {pid}" for pid in ids))
    lines.append("threats: honest = no threat model; pc5=N = PC5 attacker with N injections/replays; relay = malicious "
                 "relay UE; leak = superseded 5GPRUK leaked; lossy=KINDS = lossy links")
    lines.append("cells: holds/VIOLATED for invariants and liveness, reached/UNREACHED for reachability, "
                 "a number for a measured figure, n/a where the property does not apply; "
                 "'!' = not the verdict the scenario declares")
    lines.append(PROOF_LEGEND)
    return "\n".join(lines)


def format_trace(steps: Sequence[TraceStep], marker: str, decisive: int | None = None) -> list[str]:
    """A trace step by step; the last step carries ``marker``, the ``decisive`` one (a deadlock's or
    livelock's point of no return) says that from there no final world can be reached."""
    lines = []
    for i, st in enumerate(steps):
        last = i == len(steps) - 1
        head = f"  {st.number:>3}. {st.element:<10} {st.action}  [{st.ref}]"
        if st.number == decisive and not last:
            head += "   <-- from here no final world can be reached"
        lines.append(head + (f"   <-- {marker}" if last else ""))
        if st.handled:
            lines.append(f"         {'lost    ' if st.fault == 'lost' else 'receives'} {st.handled}")
        for s in st.sent:
            lines.append(f"         sends    {s}")
        if st.choice:
            lines.append(f"         choice   {st.choice}")
        if st.reading:
            lines.append(f"         {st.reading}")
        for name, (old, new) in st.changes.items():
            if not name.endswith(".state"):
                lines.append(f"         {name}: {old} -> {new}")
    return lines


def _replay_line(problems: list[str] | None) -> str:
    if problems is None:
        return "   (not replayed)"
    if not problems:
        return "   replayed step by step through live python-statemachine machines: confirmed"
    return "   REPLAY DISAGREES with the compiled tables: " + "; ".join(problems)


REPORT_WIDTH = 120


def _proof_lines(e: Entry) -> list[str]:
    """A proof ledger entry: engine, time, fingerprint and every lemma of its certificate in the
    model's words (``ledger.apply`` reads them from the lemmas that were re-checked)."""
    lines = [f"       proved without bounds: {e.engine}, {e.seconds:.1f} s, fingerprint {e.fingerprint[:12]} "
             f"(proof ledger); inductive invariant of {len(e.invariant)} lemma(s):"]
    for lemma in e.invariant:
        head, *rows = lemma_lines(lemma)
        lines += ["         - " + head] + ["             " + row for row in rows]
    return lines


def lemma_lines(lemma: str) -> list[str]:
    """A lemma in words as lines: a table lemma ("... one of K combinations, ...: (1) ...; (2) ...") its
    head, then one line per combination; any other lemma one line (wrapped later by :func:`_fit`)."""
    head, sep, rest = lemma.partition(": (1) ")
    return [head + ":", *re.split(r"; (?=\(\d+\) )", "(1) " + rest)] if sep else [lemma]


def _fit(line: str) -> list[str]:
    """A report line wrapped to :data:`REPORT_WIDTH` columns, continuation lines indented under it."""
    if len(line) <= REPORT_WIDTH:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 2)
    return textwrap.wrap(line, REPORT_WIDTH, subsequent_indent=indent, break_on_hyphens=False, break_long_words=True)


def scenario_report(r: ScenarioResult, witnesses: bool = False, coverage: bool = True) -> str:
    s = r.scenario
    lines = [f"== {s.id}: {s.procedure.title}", f"   cites: {s.procedure.ref}"]
    hashes = scenario_property_hashes(s)
    if s.note:
        lines.append(f"   note: {s.note}")
    lines += [f"   bounds: {s.bounds.summary()}", f"   explored: {stats_line(r)}", *assumptions_lines(r),
              "   properties:"]
    for p in r.properties.values():
        mark = "as declared" if p.as_expected else f"UNEXPECTED (declared {p.expected})"
        mark += " (probabilistic: hash compaction)" if p.probabilistic else ""
        lines.append(f"     {p.id:<34} {p.kind:<10} {property_cell(p):<10} {mark:<26} "
                     f"formula sha256 {hashes[p.id][:12]}")
        if p.proved_by is not None:
            lines += _proof_lines(p.proved_by)
    if coverage and r.never_fired:
        lines.append(f"   coverage: {len(r.never_fired)} transition(s) never fired:")
        lines += [f"     - {t}" for t in r.never_fired]
    for p in r.properties.values():
        show = (p.kind != "sometimes" and p.verdict == "VIOLATED") or (witnesses and p.kind == "sometimes" and p.trace)
        if show and p.trace is not None:
            what = "counterexample" if p.kind != "sometimes" else "witness"
            shortest = "shortest" if p.kind != "eventually" else "shortest stem"
            lines.append(f"   {what} for {p.id} ({len(p.trace)} steps, {shortest}): {p.statement}")
            lines += format_trace(p.trace, "violates " + p.id if p.kind != "sometimes" else "reaches " + p.id,
                                  p.decisive_step)
            if p.detail:
                lines.append(f"         => {p.detail}")
            lines.append(_replay_line(p.replay))
    return "\n".join(part for line in lines for part in _fit(line))
