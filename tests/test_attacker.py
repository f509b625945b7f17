"""The attacker on PC5 (threat models pc5_attacker, leaked_old_pruk, malicious_relay): it is
absent from honest systems, each threat model's capability is needed for some violation (the
attacker is not silently powerless), and the end points' integrity checks are what stops it."""

from __future__ import annotations

import functools
from dataclasses import replace

import pytest

from prosecheck.model.build import build_system, element_tables
from prosecheck.scenarios.catalog import SCENARIOS, Scenario
from prosecheck.scenarios.threat_scenarios import THREAT_BOUNDS
from prosecheck.verify import ScenarioResult, check_scenario


@functools.cache
def _check(sid: str, **threats: object) -> ScenarioResult:
    """``sid`` under the threat scenarios' bounds and the given threat model."""
    scenario = replace(SCENARIOS[sid], bounds=THREAT_BOUNDS).with_threats(**threats)
    return check_scenario(scenario)


def _verdict(result: ScenarioResult, pid: str) -> str:
    return result.properties[pid].verdict


def test_honest_systems_have_no_attacker_and_no_pc5_checks() -> None:
    scenario = SCENARIOS["m400.panf_udm"]
    assert [i.role for i in build_system(scenario).instances] == [
        "remote_ue", "relay_ue", "amf", "ausf", "panf", "udm"]
    effects = {tr.effect_name for t in element_tables(scenario).values() for tr in t.transitions}
    assert not effects & {"discard_unexpected", "discard_unverified", "refuse_wrong_eap_response"}


def test_the_attacker_sits_between_the_remote_ue_and_the_relay_ue() -> None:
    system = build_system(SCENARIOS["m200@pc5_attacker"])
    names = [i.name for i in system.instances]
    assert names[:3] == ["remote_ue", "attacker", "relay_ue"]
    pc5 = {(names[lk.src], names[lk.dst]) for lk in system.links if lk.kind == "pc5"}
    assert pc5 == {("remote_ue", "attacker"), ("attacker", "remote_ue"), ("attacker", "relay_ue"),
                   ("relay_ue", "attacker")}


def test_pc5_attacker_capability_is_needed_to_stall_the_attempt() -> None:
    """Without the attacker the reduced m300 scenario never deadlocks; one drop (or one replay of a
    Direct Communication Request, which occupies the relay UE) stalls it for good (no timers)."""
    honest = check_scenario(replace(SCENARIOS["m300.panf_udm"], bounds=THREAT_BOUNDS))
    assert honest.properties["deadlock_free"].verdict == "HOLDS"
    attacked = _check("m300.panf_udm", pc5_attacker=1)
    assert _verdict(attacked, "deadlock_free") == "VIOLATED"
    assert _verdict(attacked, "attacker_injects") == "HOLDS"
    trace = attacked.properties["deadlock_free"].trace or []
    assert any(step.action == "attacker: drop the message" for step in trace)


def test_integrity_checks_defeat_replays() -> None:
    """A replayed command or request never completes a link with another key or peer."""
    for sid in ("m200", "m300.panf_udm", "m300.ausf_udm"):
        result = _check(sid, pc5_attacker=1)
        for pid in ("no_replay_completion", "agreement_remote_ausf", "secrecy_knr", "secrecy_pruk"):
            assert _verdict(result, pid) == "HOLDS", (sid, pid)


def test_leaked_old_pruk_capability_is_needed_to_impersonate_the_remote_ue() -> None:
    """Keeping 5GPRUK #1 beside #2 ([0387]/[0393] "Optionally") is harmless to a PC5 attacker
    without keys, and lets one that learnt the superseded 5GPRUK link with the relay UE."""
    without = _check("m400.ausf_udm.keep_old_keys", pc5_attacker=2)
    assert _verdict(without, "secrecy_knr") == "HOLDS"
    assert _verdict(without, "no_replay_completion") == "HOLDS"
    assert _verdict(without, "leaked_old_pruk_useless") == "n/a"
    leaked = _check("m400.ausf_udm.keep_old_keys", pc5_attacker=2, leaked_old_pruk=True)
    for pid in ("leaked_old_pruk_useless", "secrecy_knr", "no_replay_completion", "knr_from_current_pruk"):
        assert _verdict(leaked, pid) == "VIOLATED", pid
    actions = [step.action for step in leaked.properties["leaked_old_pruk_useless"].trace or []]
    assert any("leaked 5GPRUK ID" in a for a in actions)
    actions = [step.action for step in leaked.properties["no_replay_completion"].trace or []]
    assert any("Direct Security Mode Complete protected with the KNR_ProSe it knows" in a for a in actions)


def test_a_leaked_pruk_is_useless_when_both_ends_replace_it() -> None:
    result = _check("m400.panf_udm", pc5_attacker=2, leaked_old_pruk=True)
    assert _verdict(result, "old_pruk_leaks") == "HOLDS"
    for pid in ("leaked_old_pruk_useless", "secrecy_pruk", "secrecy_knr", "no_replay_completion"):
        assert _verdict(result, pid) == "HOLDS", pid


def test_malicious_relay_capability_is_needed_to_know_knr() -> None:
    """A PC5 attacker never knows a KNR_ProSe; a malicious relay UE is given one at S222 (by design),
    and still cannot make the remote UE complete with a key the AUSF did not issue to it."""
    assert _verdict(_check("m300.panf_udm", pc5_attacker=1), "secrecy_knr") == "HOLDS"
    relay = _check("m300.panf_udm", malicious_relay=True)
    assert _verdict(relay, "secrecy_knr") == "VIOLATED"
    for pid in ("agreement_remote_ausf", "no_replay_completion", "secrecy_pruk", "secrecy_kausf_p"):
        assert _verdict(relay, pid) == "HOLDS", pid


@pytest.mark.parametrize("sid", ["m200@pc5_attacker", "m400.ausf_udm.keep_old_keys@pc5_attacker+leaked_old_pruk"])
def test_attacker_traces_replay_on_live_machines(check_once, sid: str) -> None:
    result = check_once(sid)  # the session's shared check (tests/conftest.py; tests/test_threats_doc.py reads it too)
    traced = [p for p in result.properties.values() if p.trace]
    assert traced and all(p.replay == [] for p in traced)


def test_threat_scenarios_use_the_threat_bounds() -> None:
    threat: list[Scenario] = [s for s in SCENARIOS.values() if "@" in s.id and not s.threats.lossy_links]
    assert threat and all(s.bounds == THREAT_BOUNDS and s.threats.active() for s in threat)
