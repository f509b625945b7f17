"""Reading the files a user hands the tool, safely: one place for every reader's first checks.

Every file prosecheck reads (scenario TOML, ``check --json`` documents for replay, diagrams and
reports, certificates, the proof ledger) goes through :func:`read_text` and then
:func:`parse_json` / :func:`parse_toml`, and its shape through :func:`validate` (a JSON Schema,
checked by the ``jsonschema`` library). Each failure is one :class:`InputFileError` line naming
the file, the field and the problem, raised before any work is done:

- only regular files (or ``-`` for standard input where a reader allows it): a FIFO, a device
  such as ``/dev/zero`` or a directory is refused before it is opened, so nothing hangs;
- a size cap (read at most cap + 1 bytes, also after gzip decompression);
- UTF-8 only, a leading byte-order mark ignored;
- nesting at most :data:`MAX_DEPTH` levels, checked on the text before a recursive parser sees it;
- JSON's ``NaN``/``Infinity`` refused (they are not JSON).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import stat
import sys
import tomllib
import zlib
from collections.abc import Callable, Iterable
from typing import Any

import jsonschema
import numpy as np

MAX_BYTES = 64 * 1024 * 1024  # a scenario file, a trace document, the ledger
MAX_CERTIFICATE_BYTES = 2 * 1024 * 1024 * 1024  # a certificate, decompressed
MAX_DEPTH = 64


class InputFileError(ValueError):
    """A file the tool cannot use; the message is one line: ``FILE: [field F: ]problem``. A schema
    error also carries the ``field`` (keys and indices) and the ``problem`` alone."""

    field: tuple[str | int, ...] = ()
    problem: str = ""


def _open_regular(path: str) -> int:
    """A read-only descriptor on ``path`` after checking it is a regular file (never blocks on a FIFO)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except OSError as err:
        raise InputFileError(f"{path}: cannot read: {err.strerror or err}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputFileError(f"{path}: is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(f"{path}: not a regular file (a FIFO, socket or device is not read)")
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise InputFileError(f"{path}: cannot read: {err.strerror or err}") from None


def _capped(path: str, read: Callable[[int], bytes], cap: int) -> bytes:
    data = read(cap + 1)
    if len(data) > cap:
        raise InputFileError(f"{path}: too large (over {cap:,} bytes)")
    return data


def read_bytes(path: str, cap: int = MAX_BYTES, allow_stdin: bool = False) -> bytes:
    """The bytes of a regular file (or of standard input for ``-`` when allowed), at most ``cap``."""
    if path == "-" and allow_stdin:
        return _capped("<stdin>", sys.stdin.buffer.read, cap)
    fd = _open_regular(path)
    try:
        with os.fdopen(fd, "rb") as f:
            return _capped(path, f.read, cap)
    except OSError as err:
        raise InputFileError(f"{path}: cannot read: {err.strerror or err}") from None


def decode(path: str, data: bytes) -> str:
    """UTF-8 text without a leading byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputFileError(f"{path}: not UTF-8 text (byte {err.start})") from None


def read_text(path: str, cap: int = MAX_BYTES, allow_stdin: bool = False) -> str:
    """:func:`read_bytes` then :func:`decode`."""
    return decode(path, read_bytes(path, cap, allow_stdin))


def read_gzip_text(path: str, cap: int = MAX_CERTIFICATE_BYTES) -> str:
    """A gzip file's text, decompressed at most ``cap`` bytes (a decompression bomb stops at the cap)."""
    fd = _open_regular(path)
    try:
        with os.fdopen(fd, "rb") as raw, gzip.GzipFile(fileobj=raw) as f:
            data = _capped(path, f.read, cap)
    except (OSError, EOFError, zlib.error) as err:
        raise InputFileError(f"{path}: not a gzip file ({err})") from None
    return decode(path, data)


def nesting_depth(text: str, openers: str = "[{", closers: str = "]}") -> int:
    """The deepest bracket nesting in ``text``, strings skipped (JSON's and TOML's quoting)."""
    depth = deepest = 0
    quote = ""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":  # a TOML comment (never outside a string in JSON): skip to the line's end
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in openers:
            depth += 1
            deepest = max(deepest, depth)
        elif c in closers:
            depth -= 1
        i += 1
    return deepest


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def json_nesting_depth(text: str) -> int:
    """:func:`nesting_depth` for JSON at C speed (certificates run to hundreds of MB): strings
    removed by one regular expression, then a running sum over the brackets alone."""
    skeleton = np.frombuffer(_JSON_STRING.sub("", text).encode("utf-8", "surrogatepass"), dtype=np.uint8)
    brackets = skeleton[np.isin(skeleton, _BRACKET_BYTES)]
    if brackets.size == 0:
        return 0
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1).astype(np.int32)
    return int(np.cumsum(steps).max(initial=0))


_BRACKET_BYTES = np.frombuffer(b"[]{}", dtype=np.uint8)


def _check_depth(path: str, text: str, max_depth: int, depth_of: Callable[[str], int] = nesting_depth) -> None:
    # cheap bound first: the text cannot nest deeper than it has opening brackets
    if text.count("[") + text.count("{") > max_depth and depth_of(text) > max_depth:
        raise InputFileError(f"{path}: nested more than {max_depth} levels deep")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text[:40]} is too large for a number")
    return value


def parse_json(path: str, text: str, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value in ``text``; NaN/Infinity and deep nesting refused."""
    _check_depth(path, text, max_depth, json_nesting_depth)
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as err:
        raise InputFileError(f"{path}:{err.lineno}:{err.colno}: not JSON: {err.msg}") from None
    except (ValueError, RecursionError) as err:
        raise InputFileError(f"{path}: not JSON: {err}") from None


def parse_toml(path: str, text: str, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """The TOML table in ``text`` (tomllib's own message on a syntax error); deep nesting refused."""
    _check_depth(path, text, max_depth)
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise InputFileError(f"{path}: nested too deeply") from None


def _key(part: Any) -> str:
    """A path component as written in a message: as is when printable, else quoted with escapes (a key
    holding a newline must not break the one-line message)."""
    text = str(part)
    return text if text and text.isprintable() else repr(text)


def field_path(parts: Iterable[Any]) -> str:
    """``results[0].properties.knr_agreement`` from a JSON Schema error's path."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{_key(p)}" if out else _key(p))
    return out or "(document)"


def _is_integer(checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


# JSON Schema's "integer" also admits 1.0; the tool never writes one, and the readers need an int
_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer))


def validate(path: str, doc: Any, schema: dict[str, Any]) -> None:
    """Check ``doc`` against a JSON Schema ("integer": an int, never 1.0); the first (deepest-path) error as one line."""
    validator = _Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        message = best.message.replace("\n", "\\n").replace("\r", "\\r")
        message = message if len(message) <= 200 else message[:197] + "..."
        err = InputFileError(f"{path}: field {field_path(best.absolute_path)}: {message}")
        err.field, err.problem = tuple(best.absolute_path), message
        raise err


def load_json(path: str, schema: dict[str, Any] | None = None, cap: int = MAX_BYTES,
              allow_stdin: bool = False) -> Any:
    """Read, parse and (with ``schema``) validate a JSON file in one call."""
    doc = parse_json(path, read_text(path, cap, allow_stdin))
    if schema is not None:
        validate(path, doc, schema)
    return doc


__all__ = ["MAX_BYTES", "MAX_CERTIFICATE_BYTES", "MAX_DEPTH", "InputFileError", "decode", "field_path", "load_json",
           "nesting_depth", "parse_json", "parse_toml", "read_bytes", "read_gzip_text", "read_text", "validate"]
