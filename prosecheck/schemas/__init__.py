"""JSON Schemas (draft 2020-12) of the files prosecheck reads, one ``NAME.schema.json`` each;
:func:`schema` loads one by name. Checked by :func:`prosecheck.inputs.validate`."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


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
