"""Certificates: `check --certify DIR` writes the reachable set of a complete search
(:mod:`.write`); :func:`check_certificate` reads one safely and decides its claims with an
independent product of the compiled rules (:mod:`.check`, :mod:`.confirm`).

Reading refuses, in one line naming the file and field, before any work: anything that is not a
gzipped UTF-8 JSON document of the published shape (``prosecheck/schemas/certificate.schema.json``,
sizes and nesting capped by :mod:`prosecheck.inputs`); a label (scenario id) that contradicts the
recorded procedure, options, threats or mutants; claims it cannot decide (an unknown property, a
property that is not an invariant); and world rows whose values are not the scenario's (a state id,
a bounded integer, a queue of known messages with all their fields). Lossy links and their
quiet-network timers are decided like everything else: the shared product
(:mod:`prosecheck.replay.product`) models them."""

from __future__ import annotations

from typing import Any

from prosecheck.certificate.check import Product, World
from prosecheck.certificate.confirm import NOT_APPLICABLE, UnusableWorld, Verdict, confirm
from prosecheck.certificate.write import FORMAT, certificate_name, write_certificate
from prosecheck.checker.machine import ModelError
from prosecheck.inputs import InputFileError, parse_json, read_gzip_text, validate
from prosecheck.model.build import options_of
from prosecheck.properties.catalog import PROPERTIES
from prosecheck.replay.load import TraceInputError, scenario_of
from prosecheck.results import BUILTIN
from prosecheck.schemas import schema

__all__ = ["FORMAT", "CertificateError", "Verdict", "certificate_name", "check_certificate", "read_certificate",
           "write_certificate"]

VALUE_LIMIT = 1 << 20
"""World values and message fields are integers within +-2^20 (the model's are far smaller)."""


class CertificateError(Exception):
    """Not a certificate this tool can decide (exit code 2); the message is one line."""


def read_certificate(path: str) -> dict[str, Any]:
    """The certificate's document, checked against its schema; :class:`CertificateError` otherwise."""
    try:
        doc = parse_json(path, read_gzip_text(path))
        validate(path, doc, schema("certificate"))
    except InputFileError as err:
        raise CertificateError(str(err)) from None
    return doc  # type: ignore[no-any-return]  # the schema makes it an object


def _claims(doc: dict[str, Any], path: str) -> dict[str, str]:
    """The claimed verdicts, each of an invariant this checker decides."""
    verdicts: dict[str, str] = doc["claims"]["verdicts"]
    for pid, verdict in verdicts.items():
        where = f"{path}: field claims.verdicts.{pid}"
        if pid in BUILTIN:
            if verdict == NOT_APPLICABLE:
                raise CertificateError(f"{where}: a built-in property always applies; 'n/a' is not its verdict")
        elif pid not in PROPERTIES:
            raise CertificateError(f"{path}: field claims.verdicts: unknown property {pid!r}")
        elif PROPERTIES[pid].kind != "always":
            raise CertificateError(f"{where}: a '{PROPERTIES[pid].kind}' property, not an invariant: a certificate "
                                   "decides invariants only")
    return verdicts


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_value(v: Any) -> bool:
    return type(v) is int and -VALUE_LIMIT <= v <= VALUE_LIMIT


def _worlds(doc: dict[str, Any], product: Product, path: str) -> list[World]:
    """The certificate's worlds in the checker's own layout (names resolved, states by id), each value checked."""
    names: list[str] = doc["variables"]
    links: list[str] = doc["links"]
    if sorted(names) != sorted(product.names):
        missing, extra = sorted(set(product.names) - set(names)), sorted(set(names) - set(product.names))
        raise CertificateError(f"{path}: field variables: not the scenario's world variables (missing "
                               f"{_show(missing)}, unexpected {_show(extra)})")
    expected_links = [f"{a}->{b}" for a, b, _ in product.links]
    if links != expected_links:
        raise CertificateError(f"{path}: field links: not the scenario's links {_show(expected_links)}")
    states = {f"{n}.state": {s: k for k, s in enumerate(t.state_ids)} for n, _, t in product.elements}
    columns = [(names.index(n), n, states.get(n)) for n in product.names]
    catalogue = product.fields
    width = len(names) + len(links)
    out = []
    for i, row in enumerate(doc["worlds"]):
        where = f"{path}: field worlds[{i}]"
        if len(row) != width:
            raise CertificateError(f"{where}: {len(row)} entries, expected {width} ({len(names)} variables, "
                                   f"{len(links)} link queues)")
        values: list[Any] = []
        for j, name, ids in columns:
            v = row[j]
            if ids is not None:
                if not isinstance(v, str) or v not in ids:
                    raise CertificateError(f"{where}[{j}]: {name}: {_show(v)} is not one of its states")
                values.append(ids[v])
            elif not _is_value(v):
                raise CertificateError(f"{where}[{j}]: {name}: expected an integer within +-2^20, got {_show(v)}")
            else:
                values.append(v)
        for k, link in enumerate(links):
            values.append(_queue(row[len(names) + k], catalogue, f"{where}[{len(names) + k}]: link {link}"))
        out.append(tuple(values))
    return out


def _queue(raw: Any, catalogue: dict[str, tuple[str, ...]], where: str) -> tuple[Any, ...]:
    if not isinstance(raw, list):
        raise CertificateError(f"{where}: expected a list of [message, [fields]], got {_show(raw)}")
    queue = []
    for item in raw:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], list)):
            raise CertificateError(f"{where}: expected [message, [fields]], got {_show(item)}")
        name, values = item
        fields = catalogue.get(name)
        if fields is None:
            raise CertificateError(f"{where}: unknown message {_show(name)}")
        if len(values) != len(fields) or not all(map(_is_value, values)):
            raise CertificateError(f"{where}: message {name} carries {len(fields)} integer field(s) "
                                   f"({', '.join(fields)}), got {_show(values)}")
        queue.append((name, tuple(values)))
    return tuple(queue)


def check_certificate(path: str) -> Verdict:
    """Confirm or refute a certificate; :class:`CertificateError` if it is malformed or claims what cannot be decided."""
    doc = read_certificate(path)
    verdicts = _claims(doc, path)
    try:
        scenario = scenario_of(doc, path)
    except TraceInputError as err:
        raise CertificateError(str(err)) from None
    try:
        product = Product(scenario)
    except ModelError as err:
        raise CertificateError(f"{path}: {err}") from None
    worlds = _worlds(doc, product, path)
    options = options_of(scenario)
    try:
        return confirm(product, worlds, verdicts, lambda pid: PROPERTIES[pid].applies(options),
                       doc["claims"]["states"], doc["claims"]["transitions"])
    except UnusableWorld as err:
        raise CertificateError(f"{path}: field worlds[{err.index}]: the rules cannot evaluate it ({err})") from None
