"""What the environment may do, nondeterministically and within explicit bounds.

* The UDM's operator withdraws and restores the remote UE's relay authorization at any time
  (UDM local decisions ``withdraw_authorization`` / ``restore_authorization``, bounded by
  ``withdrawals`` and ``restores``).
* The relay authorization at the AMF (S206) may fail (``relay_authorization_can_fail``).
* The ProSe (EAP) authentication may fail at the AUSF (``eap_can_fail``).
* The remote UE starts a new connection attempt after each one ends, up to ``attempts``.
* The update policy of the element that owns it (methods 400-700) fires, up to
  ``policy_triggers`` times: the remote UE's key timer, RSC configuration change or cell/PLMN
  change under its security policy, and an RSC configuration update that deletes or
  invalidates its 5GPRUK ([0303]-[0306]); the AUSF's relay-AMF PLMN or configuration change
  ([0556]); the PAnF's key validity period, missing RSC or update indication ([0680]-[0683]).

Links are bounded FIFOs of ``link_capacity`` messages; a send to a full link blocks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from prosecheck.checker.machine import ModelError
from prosecheck.model.terms import MAX_ATTEMPTS

BOUND_LIMITS = {"remote_ues": (1, 4), "attempts": (1, MAX_ATTEMPTS), "withdrawals": (0, 14), "restores": (0, 14),
                "link_capacity": (1, 4), "policy_triggers": (0, 14)}
"""Each integer bound's range (attempts: :data:`~prosecheck.model.terms.MAX_ATTEMPTS`, from the width of Nonce_1)."""


@dataclass(frozen=True)
class Bounds:
    """The scenario's bounds and fault switches, printed with every verdict."""

    remote_ues: int = 1
    attempts: int = 3
    withdrawals: int = 2
    restores: int = 2
    relay_authorization_can_fail: bool = True
    eap_can_fail: bool = True
    link_capacity: int = 1
    policy_triggers: int = 1

    def options(self) -> dict[str, int]:
        return {
            "attempts": self.attempts,
            "withdrawals": self.withdrawals,
            "restores": self.restores,
            "relay_authorization_can_fail": int(self.relay_authorization_can_fail),
            "eap_can_fail": int(self.eap_can_fail),
            "policy_triggers": self.policy_triggers,
        }

    def validate(self) -> None:
        """Reject bounds the encodings cannot represent (nonces are 4-bit, masks 16-bit)."""
        for name, (low, high) in BOUND_LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ModelError(f"bound {name} must be an integer in {low}..{high}, got {value!r}")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        faults = [n for n, on in (("S206 relay auth", self.relay_authorization_can_fail),
                                  ("EAP", self.eap_can_fail)) if on]
        return (f"remote UEs={self.remote_ues}, attempts/UE={self.attempts}, withdrawals={self.withdrawals}, "
                f"restores={self.restores}, update policy triggers={self.policy_triggers}, "
                f"link capacity={self.link_capacity}, "
                f"faults: {', '.join(faults) if faults else 'none'}")


LINK_KINDS = ("pc5", "nas", "sbi")
THREATS = ("pc5_attacker", "malicious_relay", "leaked_old_pruk", "lossy_links")
THREATS_ON_PC5 = ("pc5_attacker", "malicious_relay", "leaked_old_pruk")
"""The threat models that put an attacker element on the PC5 link (:mod:`prosecheck.model.pc5`)."""


def threat_option(threat: str) -> str:
    """The option a threat model sets for the guards (``O("threat_pc5_attacker")``, ...)."""
    return f"threat_{threat}"


def attacker_on_pc5(options: Mapping[str, int]) -> bool:
    """Whether a scenario's options (:meth:`ThreatModel.options` among them) put an attacker on the PC5
    link: the one definition behind the rules' :data:`~prosecheck.model.pc5.ATTACKER_ON_PATH`, the
    elements and links of :mod:`prosecheck.model.build` and the properties that apply only under attack."""
    return any(options.get(threat_option(t), 0) for t in THREATS_ON_PC5)


@dataclass(frozen=True)
class ThreatModel:
    """Who else acts on the system besides the honest elements: a scenario parameter, printed with every verdict.

    * ``pc5_attacker``: an attacker on the PC5 link who observes, drops, delays, replays and injects
      messages built from what it knows; the bound is its number of injections and replays (0 = none).
    * ``malicious_relay``: the relay UE deviates from the procedure (alters, replays, keeps keys).
    * ``leaked_old_pruk``: a superseded 5GPRUK and its ID become known to the attacker after an update.
    * ``lossy_links``: messages on links of these kinds (pc5, nas, sbi) may be lost (and, with
      ``duplication``, delivered twice), at most ``link_faults`` times in all per remote UE.
    """

    pc5_attacker: int = 0
    malicious_relay: bool = False
    leaked_old_pruk: bool = False
    lossy_links: tuple[str, ...] = ()
    link_faults: int = 1
    duplication: bool = False

    def options(self) -> dict[str, int]:
        """The options guards read with ``O("threat_...")``; ``timers``: the elements' supervision timers
        (``timeout`` events, enabled by the product only when nothing is in flight) exist, because a
        message may never arrive."""
        return {
            "threat_pc5_attacker": self.pc5_attacker,
            "threat_malicious_relay": int(self.malicious_relay),
            "threat_leaked_old_pruk": int(self.leaked_old_pruk),
            "threat_lossy_links": int(bool(self.lossy_links)),
            "timers": int(bool(self.lossy_links)),
        }

    @property
    def puts_attacker_on_pc5(self) -> bool:
        """Whether this threat model puts an attacker element on the PC5 link (:func:`attacker_on_pc5`)."""
        return attacker_on_pc5(self.options())

    def active(self) -> tuple[str, ...]:
        """The threat models switched on, in :data:`THREATS` order."""
        on = {"pc5_attacker": self.pc5_attacker > 0, "malicious_relay": self.malicious_relay,
              "leaked_old_pruk": self.leaked_old_pruk, "lossy_links": bool(self.lossy_links)}
        return tuple(t for t in THREATS if on[t])

    def name(self) -> str:
        """``honest`` with no threat model, else the active ones joined by ``+`` (``lossy_links`` names its link
        kinds unless all three are lossy, and ``_dup`` marks duplication)."""
        names = []
        for threat in self.active():
            if threat == "lossy_links":
                kinds = "" if set(self.lossy_links) == set(LINK_KINDS) else "_" + "_".join(self.lossy_links)
                threat += kinds + ("_dup" if self.duplication else "")
            names.append(threat)
        return "+".join(names) or "honest"

    def validate(self) -> None:
        if not isinstance(self.pc5_attacker, int) or isinstance(self.pc5_attacker, bool) \
                or not 0 <= self.pc5_attacker <= 14:
            raise ModelError(f"threat pc5_attacker must be an integer in 0..14 (injections/replays), "
                             f"got {self.pc5_attacker!r}")
        for kind in self.lossy_links:
            if kind not in LINK_KINDS:
                raise ModelError(f"threat lossy_links: unknown link kind {kind!r}; known: {', '.join(LINK_KINDS)}")
        if self.duplication and not self.lossy_links:
            raise ModelError("threat duplication needs lossy_links (the links that may duplicate)")
        if len(set(self.lossy_links)) != len(self.lossy_links):
            raise ModelError(f"threat lossy_links names a link kind twice: {', '.join(self.lossy_links)}")
        if not isinstance(self.link_faults, int) or isinstance(self.link_faults, bool) \
                or not 1 <= self.link_faults <= 14:
            raise ModelError(f"threat link_faults must be an integer in 1..14, got {self.link_faults!r}")

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["lossy_links"] = list(self.lossy_links)
        return out

    def summary(self) -> str:
        parts = []
        if self.pc5_attacker:
            parts.append(f"PC5 attacker ({self.pc5_attacker} injection(s)/replay(s))")
        if self.malicious_relay:
            parts.append("malicious relay UE")
        if self.leaked_old_pruk:
            parts.append("superseded 5GPRUK leaked")
        if self.lossy_links:
            what = "loss(es)/duplication(s)" if self.duplication else "loss(es)"
            parts.append(f"lossy {'/'.join(self.lossy_links)} links (at most {self.link_faults} {what} per remote UE)")
        return "; ".join(parts) if parts else "none (honest elements, reliable links)"


def parse_threat(text: str) -> dict[str, object]:
    """``pc5_attacker[=N]``, ``malicious_relay``, ``leaked_old_pruk``, ``lossy_links[:pc5,nas][+dup][=N]`` as
    ThreatModel field changes; :class:`ModelError` names the problem."""
    name, sep, count = text.partition("=")
    name, dup, rest = name.partition("+dup")
    if rest:
        raise ModelError(f"threat {text!r}: '+dup' comes last, before any '=N'")
    name, _, kinds = name.partition(":")
    if dup and name != "lossy_links":
        raise ModelError(f"threat {name} takes no '+dup' (only lossy_links)")
    if name not in THREATS:
        raise ModelError(f"unknown threat model {text!r}; known: {', '.join(THREATS)}")
    if kinds and name != "lossy_links":
        raise ModelError(f"threat {name} takes no link kinds (only lossy_links:KIND,...)")
    if sep and name not in ("pc5_attacker", "lossy_links"):
        raise ModelError(f"threat {name} takes no bound (only pc5_attacker=N and lossy_links:...=N)")
    if sep and not re.fullmatch(r"[0-9]{1,3}", count):  # str.isdigit accepts '²', which int() refuses
        raise ModelError(f"threat {text!r}: the bound after '=' must be a number (decimal digits)")
    if name == "pc5_attacker":
        return {"pc5_attacker": int(count) if count else 1}
    if name == "lossy_links":
        changes: dict[str, object] = {"lossy_links": tuple(k for k in kinds.split(",") if k) or LINK_KINDS,
                                      "duplication": bool(dup)}
        if count:
            changes["link_faults"] = int(count)
        return changes
    return {name: True}
