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

from dataclasses import asdict, dataclass

from prosecheck.checker.machine import ModelError


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
        limits = {"remote_ues": (1, 4), "attempts": (1, 14), "withdrawals": (0, 14), "restores": (0, 14),
                  "link_capacity": (1, 4), "policy_triggers": (0, 14)}
        for name, (low, high) in limits.items():
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
