"""Scenarios under threat models (issue 8): one per method and check placement, under the PC5
attacker, the leaked superseded 5GPRUK and the malicious relay UE.

Threat scenarios use smaller bounds than the honest ones (two connection attempts, one
withdrawal and one restoration, no S206 or EAP faults), so that every violation is the
attacker's doing and the state spaces stay small; their ids are ``<procedure>@<threat model>``.

Every threat scenario declares what an attacker on PC5 can always do in this model, which has
no timers: drop a message, or replay or inject a Direct Communication Request that keeps the relay
UE (and its AMF and the AUSF) waiting for an EAP answer that never comes, so that later attempts of
the remote UE are discarded (``deadlock_free`` and ``attempt_ends`` VIOLATED; for update methods also
``keys_converge``); and with the S206 fault off, ``relay_refused_by_amf`` is unreachable."""

from __future__ import annotations

from dataclasses import replace

from prosecheck.model.environment import Bounds
from prosecheck.scenarios.scenario import VIOLATED, Scenario

THREAT_BOUNDS = Bounds(attempts=2, withdrawals=1, restores=1, relay_authorization_can_fail=False,
                       eap_can_fail=False)
"""The bounds of every threat scenario (see the module docstring)."""

_DOS = {"attempt_ends": VIOLATED, "relay_refused_by_amf": VIOLATED}
_DOS_UPDATE = {**_DOS, "keys_converge": VIOLATED}
_DOS_NOTE = ("a dropped message, or a replayed or injected Direct Communication Request that occupies the relay UE "
             "with a session nobody answers, stalls the attempt for good (no timers)")

_LEAK: dict[str, object] = {"pc5_attacker": 2, "leaked_old_pruk": True}
_PC5: dict[str, object] = {"pc5_attacker": 1}
_RELAY: dict[str, object] = {"malicious_relay": True}

_RELAY_KNOWS: tuple[dict[str, str], str] = ({"secrecy_knr": VIOLATED},
                "the relay UE is given each KNR_ProSe of its links by its AMF (S222): a malicious relay knows it, and "
                "still cannot make the remote UE complete with a key the AUSF did not issue")
_IMPERSONATION = {"secrecy_knr": VIOLATED, "no_replay_completion": VIOLATED, "leaked_old_pruk_useless": VIOLATED,
                  "knr_from_current_pruk": VIOLATED}

# (base scenario id, threat model, declared verdicts other than HOLDS beyond the DoS ones, note, default?)
_PLAN: list[tuple[str, dict[str, object], dict[str, str], str, bool]] = [
    ("m200", _PC5, {}, "", True),
    ("m300.panf_udm", _PC5, {}, "", False),
    ("m300.ausf_udm", _PC5, {}, "", False),
    ("m300.panf_udm", _RELAY, *_RELAY_KNOWS, True),
    *[(f"{m}.{c}", _LEAK, dict[str, str](), "", False)
      for m in ("m400", "m500.indication", "m600.before", "m600.after", "m700") for c in ("panf_udm", "ausf_udm")],
    ("m400.panf_udm", _RELAY, *_RELAY_KNOWS, False),
    ("m400.ausf_udm.keep_old_keys", _PC5, {}, "keeping 5GPRUK #1 beside #2 gives a PC5 attacker without keys "
     "nothing", False),
    ("m400.ausf_udm.keep_old_keys", _LEAK, _IMPERSONATION,
     "the PAnF keeps 5GPRUK #1 ([0393] read as optional): with the leaked 5GPRUK ID #1 and 5GPRUK #1 the attacker "
     "sends its own Direct Communication Request, the AUSF derives a KNR_ProSe from #1, and the attacker, deriving "
     "it too, completes the security mode with the relay UE in the remote UE's name", False),
    ("m700.ausf_udm.s723_stores_key_1", _LEAK, {**_IMPERSONATION, "secrecy_pruk": VIOLATED},
     "S723 read literally stores 5GPRUK #1 again at the PAnF while the remote UE moves to #2: the leaked #1 is the "
     "PAnF's current key, and the attacker links with the relay UE in the remote UE's name", False),
]


def threat_scenarios(base: dict[str, Scenario]) -> list[Scenario]:
    """The threat scenarios, built from the honest ones in ``base``."""
    out = []
    for sid, threats, expected, note, default in _PLAN:
        honest = base[sid]
        scenario = replace(honest, bounds=THREAT_BOUNDS).with_threats(**threats)
        dos = _DOS_UPDATE if honest.procedure.all_options()["update"] else _DOS
        declared = {**{k: v for k, v in honest.expected.items() if k in _KEPT}, **dos, **expected}
        out.append(replace(scenario, expected=declared, expect_deadlock=True, default=default,
                           note="; ".join(n for n in (note, _DOS_NOTE) if n)))
    return out


_KEPT = frozenset({"knr_only_after_authorization", "no_knr_after_withdrawal", "knr_agreement", "old_pruk_replaced",
                   "update_agreement", "fresh_pruk_on_update", "reuse_rejected_after_withdrawal"})
"""Honest findings a threat scenario inherits from its base scenario."""
