"""One entry of the proof ledger (:mod:`prosecheck.ledger`): a result proved without bounds.

Its own module, below both the ledger, which reads and writes entries, and the results
(:mod:`prosecheck.results`), where a HOLDS carries the entry that also proves it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One PROVED result: what was proved, how, and the fingerprint it was proved for."""

    scenario: str
    property: str
    engine: str
    seconds: float
    fingerprint: str
    invariant: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    z3: str = ""
    certificate: tuple[str, ...] = ()  # the inductive invariant's lemmas, SMT-LIB terms (certify.py)
    indexed: bool = False  # the certificate is over the indexed encoding (one tracked attempt)

    def key(self) -> tuple[str, str]:
        return self.scenario, self.property

    def as_dict(self) -> dict[str, object]:
        return {"scenario": self.scenario, "property": self.property, "engine": self.engine,
                "seconds": round(self.seconds, 2), "fingerprint": self.fingerprint,
                "invariant": list(self.invariant), "assumptions": list(self.assumptions), "z3": self.z3,
                "certificate": list(self.certificate), "indexed": self.indexed}


__all__ = ["Entry"]
