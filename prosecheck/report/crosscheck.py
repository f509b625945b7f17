"""The mutant cross-check as text: one row per mutant, then every disagreement, loudly."""

from __future__ import annotations

from prosecheck.crosscheck import HOLDS, NOT_RUN, STATUSES, VIOLATED, Cell, CrossReport, MutantCross, Side


def _side(side: Side) -> str:
    if side.verdict == VIOLATED:
        return f"V{side.length}" + ("" if side.minimal else "?")
    if side.verdict == HOLDS:
        return "H" if side.depth is None else f"H<={side.depth}"
    return "?" if side.verdict != NOT_RUN else "-"


def _evidence(cell: Cell) -> str:
    """``property e:H->V19 s:H<=19->V19``: base -> mutant, explicit (e) and symbolic (s)."""
    return (f"{cell.pid} e:{_side(cell.explicit_base)}->{_side(cell.explicit_mutant)} "
            f"s:{_side(cell.symbolic_base)}->{_side(cell.symbolic_mutant)}")


def _row_evidence(m: MutantCross) -> str:
    kills = [c for c in m.cells if c.explicit_kill or c.symbolic_kill or c.disagreements]
    if kills:
        return "; ".join(_evidence(c) for c in kills)
    undecided = [c for c in m.cells if c.symbolic_kill is None and NOT_RUN not in
                 (c.symbolic_base.verdict, c.symbolic_mutant.verdict)]
    if undecided:
        return "undecided: " + "; ".join(_evidence(c) for c in undecided)
    return f"{len(m.cells)} properties, no verdict change"


def _kill(value: bool | None) -> str:
    return "killed" if value else ("-" if value is False else "?")


def cross_table(report: CrossReport) -> str:
    bounds = ", ".join(f"{k}={v}" for k, v in report.bounds.items())
    lines = [f"mutant cross-check: explicit search vs {report.engine} (prove --bounded), {bounds}, "
             f"{report.timeout:g} s per symbolic query" + (", all cells" if report.all_cells else ""),
             "kill = an 'always' property's verdict differs from the unmutated scenario's; evidence: base->mutant, "
             "e = explicit, s = symbolic; V<n> violated in n steps (shortest), H holds, H<=d no violation within d "
             "steps, ? no answer in time, - not asked", ""]
    width = max([len(m.mutant) for m in report.mutants] + [6])
    lines.append(f"{'mutant'.ljust(width)}  explicit  symbolic  status     evidence")
    for m in report.mutants:
        lines.append(f"{m.mutant.ljust(width)}  {_kill(m.explicit_killed):<8}  {_kill(m.symbolic_killed):<8}  "
                     f"{m.status:<9}  {_row_evidence(m)}")
    counts = ", ".join(f"{report.count(s)} {s}" for s in STATUSES)
    lines += ["", f"{len(report.mutants)} mutants: {counts}",
              f"symbolic: {report.queries} queries, {report.symbolic_seconds:.1f} s; "
              f"explicit: {report.explicit_seconds:.1f} s"]
    for m in report.mutants:
        for d in m.disagreements:
            lines.append(f"DISAGREEMENT in {m.mutant}: {d}")
        if m.status == "DISAGREE" and not m.disagreements:
            lines.append(f"DISAGREEMENT in {m.mutant}: explicit {_kill(m.explicit_killed)}, "
                         f"symbolic {_kill(m.symbolic_killed)}")
    return "\n".join(lines)


__all__ = ["cross_table"]
