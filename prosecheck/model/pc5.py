"""The PC5 link under a threat model: who sits on it, and what the end points verify.

With a threat model on (``pc5_attacker``, ``malicious_relay`` or ``leaked_old_pruk``), the
remote UE and the relay UE no longer talk directly: every PC5 message they send goes to the
attacker element (:mod:`prosecheck.model.elements.attacker`), which forwards, records, replays
or injects. The end points then protect themselves as TS 33.503 6.3.3.3 says: the Direct
Security Mode Command, the Direct Security Mode Complete and the Direct Communication Accept
are integrity protected with the security context derived from KNR_ProSe ("the remote UE
derives KNR_ProSe [...] and uses it to verify the Direct Security Mode Command", [0209]), so a
message whose MAC (``mac_knr``: the KNR_ProSe it was protected with) is not the receiver's
own is discarded, as is any message that reaches a state that does not expect it (TS 24.554
7.2: a UE ignores an unexpected PC5 signalling message).

With no threat model every PC5 message is genuine; the checks and the discarding transitions
fold away (their guards are false), so honest scenarios keep their state spaces."""

from __future__ import annotations

from dataclasses import replace
from functools import reduce
from operator import or_
from typing import Any

from prosecheck.checker.expr import And, Expr, Not, O, Or
from prosecheck.checker.machine import Effect, Rewrite
from prosecheck.model.environment import THREATS_ON_PC5, threat_option
from prosecheck.model.spec import cite

ATTACKER_ON_PATH: Expr = Or(*(O(threat_option(t)) != 0 for t in THREATS_ON_PC5))
"""Some threat model puts an attacker on the PC5 link: :func:`~prosecheck.model.environment.attacker_on_pc5`
as an expression over the options."""

ATTACKER = "attacker"
"""The role of the attacker element."""

PC5_PEERS = {"remote_ue": "relay_ue", "relay_ue": "remote_ue"}
"""Each PC5 end point and the peer its messages are addressed to."""


def verified(check: Expr) -> Expr:
    """A MAC check that holds trivially when no attacker is on the path."""
    return Or(Not(ATTACKER_ON_PATH), check)


def rejected(check: Expr) -> Expr:
    """The MAC check fails (only possible with an attacker on the path)."""
    return And(ATTACKER_ON_PATH, Not(check))


DISCARD_UNEXPECTED = Effect(
    "discard an unexpected PC5 message (attacker on the link)", cite("TS 24.554 7.2", "TS 33.503 6.3.3.3"),
    ignore=True,
)
DISCARD_UNVERIFIED = Effect(
    "discard a PC5 message whose integrity check with KNR_ProSe fails (attacker on the link)",
    cite("[0209]", "[0213]", "TS 33.503 6.3.3.3"), ignore=True,
)


def discard(*states: Any) -> Any:
    """Self-transitions discarding the event in each of ``states`` when an attacker is on the path."""
    return reduce(or_, (s.to.itself(cond="attacker_on_path", on="discard_unexpected") for s in states))


def redirect(cls: Any, base: Rewrite | None = None) -> Rewrite:
    """The rules of a PC5 end point with its PC5 sends addressed to the attacker instead of its peer
    (on top of ``base``, a seeded mutant's rewrite, if any)."""
    base = base or Rewrite()
    peer = PC5_PEERS[cls.ROLE]
    effects = {**cls.EFFECTS, **base.effects}
    changed = {
        name: replace(effect, send=[replace(s, to=ATTACKER) if s.to == peer else s for s in effect.send])
        for name, effect in effects.items() if any(s.to == peer for s in effect.send)
    }
    return Rewrite(guards=base.guards, effects={**base.effects, **changed}, disabled=base.disabled)


__all__ = ["ATTACKER", "ATTACKER_ON_PATH", "DISCARD_UNEXPECTED", "DISCARD_UNVERIFIED", "PC5_PEERS", "discard",
           "redirect", "rejected", "verified"]
