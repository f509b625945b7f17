"""JSON Schemas (draft 2020-12), one ``NAME.schema.json`` each: of the files prosecheck reads
(``certificate``, ``ledger``, ``scenario-file``, ``check`` when read back) and of every document
a ``--json`` flag prints (``check``, ``list``, ``replay``, ...; docs/json.md). :func:`schema`
loads one by name; :func:`prosecheck.inputs.validate` checks a document against one.

Every ``--json`` document is one JSON object that starts with ``"format": "prosecheck-NAME"``
and ``"format_version"`` (:data:`FORMAT_VERSION`): :func:`document` writes the two,
:func:`check_format` is what a reader of a saved document checks first."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from prosecheck.inputs import InputFileError

FORMAT_VERSION = 1
"""The version of every ``--json`` document; raised on a change a reader of the previous version
would misread (a field removed, renamed or given another meaning), not when a field is added."""

DOCUMENTS: dict[str, str] = {
    "check": "check --json",
    "list": "list --json",
    "replay": "replay FILE.json --json",
    "mutants": "mutants --json",
    "mutants-crosscheck": "mutants --engine bmc|spacer --json",
    "prove": "prove --json",
    "analyze": "analyze --json",
    "bench": "bench --json",
    "bench-phases": "bench --phases --json",
    "threats": "threats --json",
    "review": "review --json",
}
"""Every ``--json`` document: its schema's name (``format`` ``prosecheck-NAME``) -> the command line
that prints it (docs/json.md has one row per entry)."""


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """The schema ``prosecheck/schemas/NAME.schema.json``."""
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


@functools.cache
def part(name: str, definition: str) -> dict[str, Any]:
    """The schema ``NAME`` narrowed to one of its ``$defs`` (e.g. one result of a ``check --json`` document)."""
    whole = schema(name)
    if definition not in whole.get("$defs", {}):
        raise KeyError(f"schema {name} has no definition {definition!r}")
    return {"$schema": whole["$schema"], "$defs": whole["$defs"], "$ref": f"#/$defs/{definition}"}


def format_name(name: str) -> str:
    """The ``format`` of the document ``NAME.schema.json`` describes: ``prosecheck-NAME``."""
    return f"prosecheck-{name}"


def document(name: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as the ``--json`` document ``NAME``: ``format`` and ``format_version`` first."""
    return {"format": format_name(name), "format_version": FORMAT_VERSION, **body}


def check_format(path: str, doc: Any, name: str) -> None:
    """A one-line :class:`InputFileError` if the saved document ``doc`` says it is another format or
    a version this prosecheck does not read. A document without the two fields (written by a
    prosecheck before format versions) is accepted: its shape is that of version 1."""
    if not isinstance(doc, dict):
        return
    if "format" in doc and doc["format"] != format_name(name):
        raise InputFileError(f"{path}: field format: {_short(doc['format'])} is not {format_name(name)!r} "
                             f"(the document 'prosecheck {name} --json' writes)")
    version = doc.get("format_version", FORMAT_VERSION)
    if type(version) is not int or version != FORMAT_VERSION:
        raise InputFileError(f"{path}: field format_version: {_short(version)} is not a version this prosecheck "
                             f"reads (it reads {FORMAT_VERSION}; a newer prosecheck wrote it?)")


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


__all__ = ["DOCUMENTS", "FORMAT_VERSION", "check_format", "document", "format_name", "part", "schema"]
