"""Does the model follow the text's statements? Checked at every reachable step that answers.

The statements of :mod:`.statements` are about decisions and message contents; the model has
the matching things (the ties of :mod:`.vocab`). At every reachable world, each step of the
PAnF that sends a key query response, each step of the UDM that handles an authorization check
request (answering or not) and each step of the AUSF that derives KNR_ProSe is *observed*: the
message fields it sends, the scenario's options and the attempt's check outcome give values to
the tied variables. A statement of the scenario's method is **not followed** at that step when
it cannot hold together with those values (Z3, with the background axioms; variables the step
does not determine stay free, so only a certain deviation is reported).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import itemgetter

import z3

from prosecheck.analysis.contradictions import Statement
from prosecheck.analysis.statements import METHODS
from prosecheck.analysis.vocab import (
    AUSF_ASKS,
    AXIOMS,
    CHECK_OK,
    KEY_QUERY,
    KNR,
    KQR_403,
    KQR_KEY,
    KQR_SENT,
    KQR_SUPI,
    PANF_ASKS,
    PANF_LOCAL,
    PANF_UPDATE,
    UDM_FAIL,
    UDM_FAIL_AUSF,
    UDM_RESP,
    UDM_RESP_AUSF,
    UE_UPDATE,
)
from prosecheck.checker.search import Exploration
from prosecheck.model.terms import (
    CHECK_AUSF_UDM,
    CHECK_PANF_LOCAL,
    CHECK_PANF_UDM,
    REQUESTER_PANF,
    RESULT_FORBIDDEN,
    UPDATE_PANF,
)
from prosecheck.scenarios.catalog import Scenario

Facts = tuple[tuple[str, bool], ...]


@dataclass
class Deviation:
    statement: str
    step: str  # the element and transition observed, with its citation
    facts: dict[str, bool]
    by_reading: str = ""  # the scenario's reading option that sets this statement aside, if one does


@dataclass
class Conformance:
    scenario: str
    method: int
    observations: int  # distinct (step, values) pairs observed
    statements: int  # statements of the method that some observation could contradict
    deviations: list[Deviation] = field(default_factory=list)


def _bit(world: tuple, slot: int, index: int) -> bool:
    return bool((world[slot] >> index) & 1)


def _check_outcome(system, world: tuple, group: int, attempt: int, tr) -> bool | None:  # type: ignore[no-untyped-def]
    """The attempt's authorization check result: set by this step, or earlier in the attempt, or unknown."""
    if "authorized_in_attempt" in tr.effect.ghost:
        return True
    if "check_failed" in tr.effect.ghost:
        return False
    if _bit(world, system.group_slot(group, "ghost.authorized_in_attempt"), attempt):
        return True
    if _bit(world, system.group_slot(group, "ghost.check_failed"), attempt):
        return False
    return None


def _facts(system, world, inst, tr, event, fields, sends) -> dict[z3.BoolRef, bool]:  # type: ignore[no-untyped-def]
    """Values the step gives to tied variables (empty: not an observed kind of step)."""
    group = inst.group
    attempt = world[system.group_slot(group, "remote_ue.nonce_1")]
    sent = {m[0]: dict(zip(system.message_fields[m[0]], m[1])) for _, m in sends}
    out: dict[z3.BoolRef, bool] = {}
    if inst.role == "panf" and "key_query_response" in sent:
        kqr = sent["key_query_response"]
        out = {KQR_SENT: True, KEY_QUERY: True, KQR_KEY: kqr["pruk"] != 0, KQR_SUPI: kqr["supi"] != 0,
               KQR_403: kqr["result"] == RESULT_FORBIDDEN, **_panf_update(system, world, group, tr)}
    elif inst.role == "udm" and event == "authorization_check_request":
        answer = sent.get("authorization_check_response")
        by_panf = fields["requester"] == REQUESTER_PANF
        resp, fail = (UDM_RESP, UDM_FAIL) if by_panf else (UDM_RESP_AUSF, UDM_FAIL_AUSF)
        out = {PANF_ASKS if by_panf else AUSF_ASKS: True, resp: answer is not None,
               fail: answer is not None and answer["result"] == RESULT_FORBIDDEN}
    elif inst.role == "ausf" and "prose_authentication_response_2" in sent:
        out = {KNR: True}
    else:
        return {}
    outcome = _check_outcome(system, world, group, attempt, tr)
    if outcome is None and KNR in out:
        outcome = False  # KNR_ProSe derived and no check succeeded in this attempt
    if outcome is not None:
        out[CHECK_OK] = outcome
    return out


def _panf_update(system, world: tuple, group: int, tr) -> dict[z3.BoolRef, bool]:  # type: ignore[no-untyped-def]
    """The PAnF's own update decision (S710) in the world where it answers: its ``update_due`` (the
    policy that fired, method 700). An unknown 5GPRUK ID leaves it open: with no 5GPRUK #1 stored,
    the PAnF decides nothing about updating one ([0713] is silent), so no branch of [0707] is chosen."""
    if tr.effect_name == "refuse_unknown_id":
        return {}
    if world[system.group_slot(group, "panf.update_due")] == 0:
        return {PANF_UPDATE: False}
    # the update branch ([0682], [0707a]): the PAnF checks nothing in this attempt, whatever the check placement
    return {PANF_UPDATE: True, PANF_LOCAL: False, PANF_ASKS: False}


def _option_facts(options: Mapping[str, int]) -> dict[z3.BoolRef, bool]:
    """What the scenario's options fix for every step: the check placement, the remote UE's
    decision (methods 400 and 500 pass it as the request's identity, which no observed step
    shows) and, when the PAnF owns no update policy, its decision not to update. In method 700
    (``update`` = PAnF) the PAnF's decision is the world's, read at each step (:func:`_panf_update`)."""
    check = options.get("check")
    facts = {PANF_LOCAL: check == CHECK_PANF_LOCAL, PANF_ASKS: check == CHECK_PANF_UDM,
             AUSF_ASKS: check == CHECK_AUSF_UDM, UE_UPDATE: False}
    if options.get("update") != UPDATE_PANF:
        facts[PANF_UPDATE] = False
    return facts


_NAMES: dict[int, str] = {}


def _name(var: z3.BoolRef) -> str:
    """A tied variable's name (Z3's printer is slow: each variable is printed once)."""
    ident = var.get_id()
    if ident not in _NAMES:
        _NAMES[ident] = str(var)
    return _NAMES[ident]


def _representatives(system, exploration: Exploration, i: int,  # type: ignore[no-untyped-def]
                     links: list[int]) -> list[tuple[int, tuple]]:
    """The first world of each distinct value of what :func:`_facts` reads for instance ``i`` (its
    state and variables, the heads of its incoming links, its group's attempt and check ghosts), in
    order of first appearance: the facts observed, and the first step showing each, are unchanged."""
    group = system.instances[i].group
    read = [*system.instance_positions(i), *(system.link_base + lk for lk in links),
            system.group_slot(group, "remote_ue.nonce_1"), system.group_slot(group, "ghost.authorized_in_attempt"),
            system.group_slot(group, "ghost.check_failed")]
    get = itemgetter(*read)
    first: dict[tuple, tuple[int, tuple]] = {}
    for n, world in enumerate(exploration.worlds):
        first.setdefault(get(world), (n, world))
    return list(first.values())


def observe(exploration: Exploration) -> dict[Facts, str]:
    """Distinct observed value sets (by variable name) -> the first step that showed them."""
    system = exploration.system
    incoming = {i: [lk.index for lk in system.links if lk.dst == i] for i in range(len(system.instances))}
    seen: dict[Facts, str] = {}
    visits = sorted((n, i, world) for i, inst in enumerate(system.instances) if inst.role in ("panf", "udm", "ausf")
                    for n, world in _representatives(system, exploration, i, incoming[i]))
    for _, i, world in visits:  # worlds in order, instances in order within one: the order of a pass over all
        inst = system.instances[i]
        state, local = system.control(world, i), system.locals_of(world, i)
        for link in incoming[i]:
            queue = system.link(world, link)
            if not queue:
                continue
            event, values = queue[0]
            fields = dict(zip(system.message_fields[event], values))
            for tr, _, _, sends in inst.table.step(state, local, event, values):
                facts = _facts(system, world, inst, tr, event, fields, sends)
                if facts:
                    key = tuple(sorted((_name(v), b) for v, b in facts.items()))
                    seen.setdefault(key, f"{inst.role}: {inst.table.edge(tr)} ({tr.effect.ref})")
    return seen


def check_conformance(scenario: Scenario, exploration: Exploration, options: Mapping[str, int]) -> Conformance | None:
    """The statements of the scenario's method that the model does not follow, with the step that shows it."""
    method = next((m for m in METHODS if scenario.id.startswith(f"m{m}")), None)
    if method is None:
        return None
    statements: list[Statement] = METHODS[method][0]
    by_options = {_name(v): b for v, b in _option_facts(options).items()}
    observed = observe(exploration)
    result = Conformance(scenario.id, method, len(observed), len(statements))
    solver = z3.Solver()
    solver.add(*[f for _, f in AXIOMS])
    for key, step in observed.items():
        # what the step shows overrides what the options say in general (the update branch checks nothing)
        facts = [z3.Bool(name) == value for name, value in {**by_options, **dict(key)}.items()]
        for s in statements:
            if solver.check(*facts, s.formula()) == z3.unsat and solver.check(*facts) == z3.sat:
                aside = s.reading is not None and options.get(s.reading[0]) != s.reading[1]
                reading = f"{s.reading[0]}={options.get(s.reading[0])}" if aside and s.reading else ""
                result.deviations.append(Deviation(s.sid, step, dict(key), reading))
    return result
