"""Certificates for HOLDS: `check --certify DIR` writes the reachable set of a complete search
(:mod:`.write`); :func:`check_certificate` confirms it with an independent product of the
compiled rules (:mod:`.check`): initial world in the set, set closed under the transition
relation, every invariant's claimed verdict true on the set."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

from prosecheck.certificate.check import Product, Verdict, World
from prosecheck.certificate.write import FORMAT, certificate_name, write_certificate
from prosecheck.model.scenarios import HOLDS, VIOLATED
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.replay.load import TraceInputError, scenario_of

__all__ = ["CertificateError", "Verdict", "certificate_name", "check_certificate", "write_certificate"]


class CertificateError(Exception):
    """Not a certificate this tool wrote (exit code 2)."""


def read_certificate(path: str) -> dict[str, Any]:
    p = Path(path)
    if p.is_dir():
        raise CertificateError(f"{path}: is a directory, not a certificate")
    try:
        with gzip.open(p, "rt", encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        raise CertificateError(f"{path}: no such file") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CertificateError(f"{path}: not a gzipped JSON certificate ({err})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CertificateError(f"{path}: not a {FORMAT} document")
    return doc


def _worlds(doc: dict[str, Any], product: Product, path: str) -> list[World]:
    """The certificate's worlds in the checker's own layout (names resolved, states by id)."""
    names, links = doc.get("variables"), doc.get("links")
    if names is None or sorted(names) != sorted(product.names):
        raise CertificateError(f"{path}: its variables are not the scenario's world variables")
    if links != [f"{a}->{b}" for a, b, _ in product.links]:
        raise CertificateError(f"{path}: its links are not the scenario's links")
    tables = {f"{n}.state": t for n, _, t in product.elements}
    order = [names.index(n) for n in product.names]
    out = []
    for row in doc.get("worlds", []):
        if not isinstance(row, list) or len(row) != len(names) + len(links):
            raise CertificateError(f"{path}: a world has the wrong length")
        try:
            values = [tables[n].state_index(row[i]) if n in tables else int(row[i])
                      for n, i in zip(product.names, order)]
            queues = [tuple((m, tuple(f)) for m, f in q) for q in row[len(names):]]
        except Exception as err:  # noqa: BLE001 - any malformed value is the same one-line error
            raise CertificateError(f"{path}: a world cannot be read ({err})") from None
        out.append(tuple([*values, *queues]))
    return out


def check_certificate(path: str) -> Verdict:
    """Confirm or refute a certificate; :class:`CertificateError` if it is malformed."""
    doc = read_certificate(path)
    try:
        scenario = scenario_of(doc, path)
    except TraceInputError as err:
        raise CertificateError(str(err)) from None
    product = Product(scenario)
    worlds = _worlds(doc, product, path)
    claims = doc.get("claims", {})
    problems: list[str] = []
    seen = set(worlds)
    if len(seen) != len(worlds):
        problems.append("the set lists a world twice")
    if product.initial() not in seen:
        problems.append("the initial world is not in the set")
    transitions, deadlocks, unhandled = 0, 0, 0
    for world in worlds:
        succ, lost, enabled = product.successors(world)
        transitions += len(succ)
        unhandled += bool(lost)
        deadlocks += not enabled and not product.is_final(world)
        missing = [s for s in succ if s not in seen]
        if missing and len(problems) < 5:
            problems.append(f"not closed: world #{worlds.index(world)} has a successor outside the set")
    for pid, claimed in claims.get("verdicts", {}).items():
        if claimed not in (HOLDS, VIOLATED):  # "n/a": the property does not apply (it may name absent elements)
            continue
        if pid in PROPERTIES:
            violated = any(not product.holds(pid, w) for w in worlds)
            if (claimed == HOLDS and violated) or (claimed == VIOLATED and not violated):
                problems.append(f"{pid}: claimed {claimed}, but the set {'violates' if violated else 'satisfies'} it")
        elif pid == "deadlock_free" and (claimed == HOLDS) != (deadlocks == 0):
            problems.append(f"deadlock_free: claimed {claimed}, {deadlocks} deadlocked world(s) in the set")
        elif pid == "messages_handled" and (claimed == HOLDS) != (unhandled == 0):
            problems.append(f"messages_handled: claimed {claimed}, {unhandled} world(s) with an unhandled message")
    if claims.get("states") != len(worlds) or claims.get("transitions") != transitions:
        problems.append(f"counts: claimed {claims.get('states')} states / {claims.get('transitions')} transitions, "
                        f"the set has {len(worlds)} / {transitions}")
    return Verdict(not problems, len(worlds), transitions, problems)
