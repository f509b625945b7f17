"""What a check returns: verdicts per property and per scenario, exit codes, built-in properties.

Plain data, filled by :mod:`prosecheck.verify` and printed by the reporters (text, JSON, HTML).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from prosecheck.checker.search import Exploration
from prosecheck.checker.system import Label
from prosecheck.proof_entry import Entry
from prosecheck.scenarios.catalog import HOLDS, Scenario
from prosecheck.trace_steps import TraceStep

INCONCLUSIVE = "INCONCLUSIVE"
NOT_APPLICABLE = "n/a"

# Exit codes (docs/exit-codes.md), one place for every command. 11, 12 and 13 mean what they mean for
# TLC (deadlock, safety, liveness); TLC's other violation codes (10 assumption, 14 assert) are not used,
# and prosecheck's own outcomes take 20 and up.
EXIT_OK = 0
EXIT_INPUT = 2  # bad input: one line on stderr
EXIT_DEADLOCK = 11  # deadlock_free / livelock_free not as declared (TLC: deadlock)
EXIT_VIOLATION = 12  # an invariant or a measure not as declared (TLC: safety)
EXIT_LIVENESS = 13  # an eventually / possibly property not as declared (TLC: liveness)
EXIT_FOUND = 20  # analyze: something found
EXIT_UNREACHED = 21  # a reachability (sometimes) property not as declared
EXIT_INCONCLUSIVE = 22  # a limit was hit (or a first Ctrl-C); prove: UNKNOWN; mutants --engine: undecided
EXIT_NOT_REPLAYED = 23  # replay: a trace does not replay
EXIT_SURVIVOR = 24  # mutants: a mutant survived
EXIT_REFUTED = 25  # certify: a certificate refuted; mutants --engine: the engines disagree
EXIT_STALE = 26  # regen --check: a generated file is stale
EXIT_INTERRUPTED_TWICE = 130  # a second Ctrl-C (128 + SIGINT)
_PRIORITY = (EXIT_VIOLATION, EXIT_LIVENESS, EXIT_DEADLOCK, EXIT_UNREACHED, EXIT_INCONCLUSIVE)
"""The worst mismatch over all scenarios wins, in this order."""
LIVENESS_EXIT_KINDS = ("eventually", "possibly")

BUILTIN = {
    "deadlock_free": "every reachable world that is not final (all elements at rest, links empty) has a successor",
    "messages_handled": "no message reaches an element in a state that neither handles nor explicitly ignores it",
    "livelock_free": "no reachable set of worlds keeps the system moving forever without a way to a final world "
                     "(a bottom strongly connected component with a cycle and no final world)",
}


@dataclass
class PropertyResult:
    id: str
    kind: str  # "always" | "sometimes" | "eventually" | "possibly" | "measure"
    verdict: str
    expected: str
    statement: str
    ref: str
    trace: list[TraceStep] | None = None
    world: int | None = None  # index of the world the trace leads to
    distinct_valuations: int = 0
    detail: str = ""
    replay: list[str] | None = None  # None: no trace; []: every step confirmed by live machines
    probabilistic: bool = False  # HOLDS/UNREACHED from a hash-compacted search: a world may have been omitted
    tail: list[tuple[int, Label]] = field(default_factory=list)  # a liveness lasso's steps after ``world``
    value: int | None = None  # a measure's figure (exact when the verdict is HOLDS, else a lower bound)
    proved_by: Entry | None = None  # a HOLDS also proved without bounds (the proof ledger, prosecheck.ledger)
    decisive_step: int | None = None  # deadlock_free / livelock_free: the step after which no final world is reachable

    @property
    def as_expected(self) -> bool:
        return self.verdict == self.expected

    @property
    def exit_code(self) -> int:
        if self.as_expected:
            return EXIT_OK
        if self.verdict == INCONCLUSIVE:
            return EXIT_INCONCLUSIVE
        return _violation_code(self)


@dataclass
class ScenarioResult:
    scenario: Scenario
    states: int
    transitions: int
    depth: int
    seconds: float
    complete: bool
    stopped: str | None
    properties: dict[str, PropertyResult] = field(default_factory=dict)
    never_fired: list[str] = field(default_factory=list)
    elements: list[dict[str, str]] = field(default_factory=list)  # lifelines: name, role, title (model order)
    notes: list[str] = field(default_factory=list)  # reductions of the search (symmetry), printed with the stats
    exploration: Exploration | None = field(default=None, repr=False)  # kept only when asked (certificates)
    limits: dict[str, float | None] = field(default_factory=dict)  # the limits the check ran under
    coverage_total: int = 0  # compiled transitions of all instances (coverage is fired / total)
    cut: str | None = None  # a limit or interrupt after the search, and the phase it cut ("max-seconds 3 during judging")
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase (build, search, judging, ...)
    peak_mb: dict[str, float] = field(default_factory=dict)  # the process's peak resident memory at each phase's end
    cached: str | None = None  # the cache entry this result was read from (prosecheck.cli.cache), if it was

    @property
    def exit_code(self) -> int:
        return worst(p.exit_code for p in self.properties.values())

    @property
    def interrupted(self) -> bool:
        """The user interrupted this check (Ctrl-C): a run of several scenarios stops after it."""
        return self.stopped == "interrupted" or (self.cut or "").startswith("interrupted")

    @property
    def limit_hit(self) -> str | None:
        """The limit that cut this check: the search's, else a later phase's (None: none)."""
        return self.stopped or self.cut


def strict_exit_code(result: ScenarioResult) -> int:
    """The exit code as if every property were declared to hold (``check --strict``): a declared
    VIOLATED or UNREACHED counts as much as an undeclared one."""
    return worst(_strict_code(p) for p in result.properties.values())


def _strict_code(p: PropertyResult) -> int:
    if p.verdict in (HOLDS, NOT_APPLICABLE):
        return EXIT_OK
    if p.verdict == INCONCLUSIVE:
        return EXIT_INCONCLUSIVE
    return _violation_code(p)


def _violation_code(p: PropertyResult) -> int:
    """The code of a decided verdict other than the declared one, by the kind of property."""
    if p.id in ("deadlock_free", "livelock_free"):
        return EXIT_DEADLOCK
    if p.kind == "sometimes":
        return EXIT_UNREACHED
    return EXIT_LIVENESS if p.kind in LIVENESS_EXIT_KINDS else EXIT_VIOLATION


def worst(codes: Iterable[int]) -> int:
    found = set(codes)
    return next((c for c in _PRIORITY if c in found), EXIT_OK)


__all__ = ["BUILTIN", "EXIT_DEADLOCK", "EXIT_FOUND", "EXIT_INCONCLUSIVE", "EXIT_INPUT", "EXIT_INTERRUPTED_TWICE",
           "EXIT_LIVENESS", "EXIT_NOT_REPLAYED", "EXIT_OK", "EXIT_REFUTED", "EXIT_STALE", "EXIT_SURVIVOR", "EXIT_UNREACHED",
           "EXIT_VIOLATION", "INCONCLUSIVE", "NOT_APPLICABLE", "PropertyResult", "ScenarioResult", "strict_exit_code",
           "worst"]
