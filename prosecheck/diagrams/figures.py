"""The patent's figures as step orders, and each method's happy path found by the checker.

Each :class:`Figure` holds the order in which the patent's text walks through the steps of one
path of one figure (US 2025/0260979 A1), and names the scenario and the reachability property
whose shortest witness is that path in the model. :func:`happy_path` runs the checker for it
(small, fault-free bounds), cuts the witness at the start of its last connection attempt (the
earlier attempts only set up the stored 5GPRUK the figure presupposes, and are collapsed into
one reference box) and draws it. A test compares the chart's step order with the table.

Methods 400-700 are listed with their step orders already; their charts are drawn as soon as
the model has the named scenario and property (until then they are reported as pending).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from prosecheck.diagrams.msc import Chart, attempt_start, build_chart
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.scenarios.catalog import SCENARIOS, Scenario
from prosecheck.verify import ScenarioResult, check_scenario


@dataclass(frozen=True)
class Figure:
    key: str  # file stem under diagrams/msc/
    method: str
    figure: str
    title: str
    scenario: str
    property: str
    steps: tuple[str, ...]  # the figure's steps in the text's order
    cites: str  # where the order is read from
    floating: Mapping[str, str] = field(default_factory=dict)  # step -> why the model places it elsewhere

    def available(self) -> bool:
        return self.scenario in SCENARIOS and self.property in PROPERTIES

    def pending_reason(self) -> str:
        missing = [f"scenario {self.scenario!r}"] if self.scenario not in SCENARIOS else []
        missing += [f"property {self.property!r}"] if self.property not in PROPERTIES else []
        return f"{self.figure}: the model has no {' and no '.join(missing)} yet"


def _s(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_S215B = ("drawn beside S215a in FIG. 2B; the UE learns that EAP succeeded only from the Direct Security Mode "
          "Command ([0207], S223), so the model's UE derives the 5GPRUK there, together with S224")
_TAIL_2 = "S220 S221 S222 S223 S224 S225 S226"
_TAIL_3 = "S306 S307"

FIGURES: tuple[Figure, ...] = (
    Figure("fig2-m200-suci", "200", "FIG. 2A-2C", "Manner 1: first connection, the remote UE sends its SUCI",
           "m200", "pc5_secured_by_suci",
           _s(f"S204 S205 S206 S207 S208 S209 S210 S211 S212 S213 S214 S215a S215b S216 S217 {_TAIL_2}"),
           "[0123]-[0217]; Manner 1 = S208-S217 ([0140])", {"S215b": _S215B}),
    Figure("fig2-m200-pruk-id", "200", "FIG. 2A-2C", "Manner 2: the remote UE reuses its stored 5GPRUK (5GPRUK ID)",
           "m200", "pc5_secured_by_pruk_id", _s(f"S204 S205 S206 S207 S218 S219 {_TAIL_2}"),
           "[0123]-[0217]; Manner 2 = S218-S219 ([0140])"),
    Figure("fig3-m300-panf-udm", "300", "FIG. 3A-3B", "reuse of 5GPRUK #1, the PAnF asks the UDM (S304: S3041/S3042)",
           "m300.panf_udm", "pc5_secured_by_pruk_id",
           _s(f"S301 S302 S3031 S304 S3041 S3042 S3032 {_TAIL_3}"),
           "[0237]-[0289]; S304 comes before S3032 ([0253])"),
    Figure("fig3-m300-ausf-udm", "300", "FIG. 3A-3B", "reuse of 5GPRUK #1, the AUSF asks the UDM (S305: S3051/S3052)",
           "m300.ausf_udm", "pc5_secured_by_pruk_id",
           _s(f"S301 S302 S3031 S3032 S305 S3051 S3052 {_TAIL_3}"),
           "[0237]-[0289]; S305 comes after S303 ([0269])"),
    Figure("fig3-m300-panf-local", "300", "FIG. 3A-3B",
           "reuse of 5GPRUK #1, the PAnF checks its stored authorization info (S304)",
           "m300.panf_local", "pc5_secured_by_pruk_id", _s(f"S301 S302 S3031 S304 S3032 {_TAIL_3}"),
           "[0237]-[0289]; [0264]-[0265]"),
    Figure("fig4-m400-update", "400", "FIG. 4A-4C",
           "the remote UE updates 5GPRUK #1 by sending its SUCI: Manner 2 ([0321])",
           "m400.panf_udm", "ue_update_completes",
           _s("S404 S405 S406 S407 S408 S409 S414 S415 S416 S417 S418 S419 S420 S421a S421b S422 S423 S424 "
              "S425 S426 S427 S428 S429 S430 S431"),
           "[0301]-[0420]", {"S421b": "as S215b in FIG. 2"}),
    Figure("fig5-m500-update", "500", "FIG. 5A-5C",
           "the remote UE sends 5GPRUK ID #1 with a key update indication",
           "m500.indication.ausf_udm", "ue_update_completes",
           _s("S504 S505 S506 S507 S508 S509 S510 S511 S514 S515 S516 S517 S518 S519 S520 S521a S521b S522 S523 "
              "S524 S525 S526 S527 S528 S529 S530 S531"),
           "[0425]-[0537]; ID + indication: Manner 1 then Manner 3 ([0464])", {"S521b": "as S215b in FIG. 2"}),
    Figure("fig6-m600-update", "600", "FIG. 6A-6D", "the AUSF decides to update 5GPRUK #1",
           "m600.before.ausf_udm", "ausf_update_completes",
           _s("S604 S605 S606 S607 S608 S609 S610 S613 S614 S615 S616 S617 S618 S619 S620a S620b S621 S622 S623 "
              "S624 S625 S626 S627 S628 S629 S630"),
           "[0542]-[0657]; S608 before the key query ([0557])", {"S620b": "as S215b in FIG. 2"}),
    Figure("fig7-m700-update", "700", "FIG. 7A-7D",
           "the PAnF decides to update 5GPRUK #1: Manner 1 (key query, [0673]-[0674]), then Manner 3 ([0712])",
           "m700.ausf_udm", "panf_update_completes",
           _s("S704 S705 S706 S707 S708 S709 S710 S711 S712 S715 S716 S717 S718 S719 S720 S721 S722a S722b S723 "
              "S724 S725 S726 S727 S728 S729 S730 S731 S732"),
           "[0662]-[0784]; no key in S711 leads to Manner 3 ([0707], [0709]-[0712])", {"S722b": "as S215b in FIG. 2"}),
)

HAPPY_BOUNDS = {"attempts": 2, "withdrawals": 0, "restores": 0,
                "relay_authorization_can_fail": False, "eap_can_fail": False}
"""Fault-free bounds for happy paths: two attempts (a first one to create the 5GPRUK, a second
one to reuse or update it), no withdrawal, no fault."""


@dataclass
class HappyPath:
    figure: Figure
    scenario: Scenario
    result: ScenarioResult
    chart: Chart
    begin: int

    @property
    def sequence(self) -> list[str]:
        """The figure's steps in the order the witness performs them."""
        return self.chart.step_sequence(self.figure.steps)

    def compared(self) -> tuple[list[str], list[str]]:
        """(expected, actual) step orders without the steps the model places elsewhere."""
        skip = set(self.figure.floating)
        return [s for s in self.figure.steps if s not in skip], [s for s in self.sequence if s not in skip]

    @property
    def matches(self) -> bool:
        expected, actual = self.compared()
        return expected == actual


def _summary(prefix: list[dict[str, object]]) -> str:
    """The collapsed steps in one line: their local decisions, and the range of steps they cite."""
    if not prefix:
        return ""
    decisions = [str(s["action"]) for s in prefix if not s.get("received")]
    cited = [str(x) for s in prefix for x in s.get("steps", [])  # type: ignore[attr-defined]
             if not str(x).startswith("(")]  # not "(no step in method 300; as S204 of method 200)"
    span = f", {cited[0]}...{cited[-1]}" if cited else ""
    return f"earlier attempt(s) of the witness{span}: " + " -> ".join(decisions)


def happy_scenario(figure: Figure) -> Scenario:
    base = SCENARIOS[figure.scenario]
    changes = {k: v for k, v in HAPPY_BOUNDS.items() if hasattr(base.bounds, k)}
    changes["attempts"] = min(base.bounds.attempts, 2)
    return base.with_bounds(**changes)


def happy_path(figure: Figure) -> HappyPath:
    """Check the figure's scenario under :data:`HAPPY_BOUNDS` and draw the witness of its property."""
    scenario = happy_scenario(figure)
    result = check_scenario(scenario, [figure.property])
    prop = result.properties[figure.property]
    if prop.trace is None:
        raise LookupError(f"{figure.figure}: {figure.property} is not reached in {scenario.id} "
                          f"({scenario.bounds.summary()}), so there is no happy path to draw")
    steps = [s.as_dict() for s in prop.trace]
    begin = attempt_start(steps, "remote_ue", "start_attempt")
    summary = _summary(steps[: begin - 1])
    title = (f"{figure.figure} (method {figure.method}): {figure.title}. Witness of {figure.property} in "
             f"{scenario.id}, {len(steps)} steps")
    chart = build_chart(steps, result.elements, title, f"reaches {figure.property}", begin, summary)
    return HappyPath(figure, scenario, result, chart, begin)
