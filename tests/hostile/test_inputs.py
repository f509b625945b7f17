"""prosecheck.inputs, the one safe reader: regular files only, size cap, UTF-8 without BOM, nesting
cap, no NaN, schema errors as one line (issue 23)."""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prosecheck import inputs
from prosecheck.inputs import InputFileError
from prosecheck.schemas import part, schema


def _file(tmp_path: Path, data: bytes, name: str = "f") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # nobody writes: opening it for reading would block
    with pytest.raises(InputFileError, match=r"fifo: not a regular file \(a FIFO, socket or device is not read\)"):
        inputs.read_text(str(fifo))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_is_refused(device: str) -> None:
    with pytest.raises(InputFileError, match=f"^{device}: not a regular file"):
        inputs.read_bytes(device)


def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "z.json").symlink_to("/dev/zero")
    with pytest.raises(InputFileError, match="z.json: not a regular file"):
        inputs.read_text(str(tmp_path / "z.json"))


def test_directory_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="is a directory, not a file"):
        inputs.read_text(str(tmp_path))
    with pytest.raises(InputFileError, match="nope: no such file"):
        inputs.read_text(str(tmp_path / "nope"))


def test_an_unreadable_file(tmp_path: Path) -> None:
    path = _file(tmp_path, b"{}")
    os.chmod(path, 0)
    try:
        if os.access(path, os.R_OK):  # root reads anything
            pytest.skip("running as root")
        with pytest.raises(InputFileError, match="cannot read: Permission denied"):
            inputs.read_text(path)
    finally:
        os.chmod(path, 0o600)


def test_the_size_cap(tmp_path: Path) -> None:
    assert inputs.read_bytes(_file(tmp_path, b"x" * 10), cap=10) == b"x" * 10
    with pytest.raises(InputFileError, match=r"too large \(over 10 bytes\)"):
        inputs.read_bytes(_file(tmp_path, b"x" * 11), cap=10)


def test_the_gzip_cap_stops_a_decompression_bomb(tmp_path: Path) -> None:
    path = _file(tmp_path, gzip.compress(b"0" * 1_000_000), "bomb.gz")
    with pytest.raises(InputFileError, match=r"too large \(over 1,000 bytes\)"):
        inputs.read_gzip_text(path, cap=1000)
    assert inputs.read_gzip_text(path, cap=1_000_000) == "0" * 1_000_000
    with pytest.raises(InputFileError, match="not a gzip file"):
        inputs.read_gzip_text(_file(tmp_path, b"plain text", "plain.gz"))


def test_standard_input_only_where_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbf[1]")))
    assert inputs.read_text("-", allow_stdin=True) == "[1]"
    with pytest.raises(InputFileError, match="^-: no such file"):
        inputs.read_text("-")


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    assert inputs.read_text(_file(tmp_path, b"\xef\xbb\xbfid = 1\n")) == "id = 1\n"
    assert inputs.parse_json("f", inputs.read_text(_file(tmp_path, b"\xef\xbb\xbf{}"))) == {}
    assert inputs.read_text(_file(tmp_path, b"a\xef\xbb\xbfb")) == "a\ufeffb"  # only a leading one


def test_not_utf8_names_the_byte(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"f: not UTF-8 text \(byte 3\)"):
        inputs.read_text(_file(tmp_path, b"abc\xff"))


@pytest.mark.parametrize("text, depth", [
    ("", 0), ("[]", 1), ("[[{}]]", 3), ('["[[[["]', 1), ('{"a": "\\"[["}', 1), ("x = '[[['\n", 0),
    ("# [[[[\n[a]\n", 1), ('"\\\\" [', 1),
])
def test_nesting_depth_skips_strings_and_comments(text: str, depth: int) -> None:
    assert inputs.nesting_depth(text) == depth


@pytest.mark.parametrize("text", ["[" * 65 + "]" * 65, '{"a":' * 65 + "1" + "}" * 65, "[" * 100_000])
def test_json_nested_too_deep_is_refused_before_parsing(text: str) -> None:
    with pytest.raises(InputFileError, match="f: nested more than 64 levels deep"):
        inputs.parse_json("f", text)


def test_json_at_the_depth_limit_parses() -> None:
    assert inputs.parse_json("f", "[" * 64 + "]" * 64) is not None


def test_toml_nested_too_deep_is_refused_and_errors_stay_tomllib_s() -> None:
    with pytest.raises(InputFileError, match="nested more than 64 levels deep"):
        inputs.parse_toml("s.toml", "x = " + "[" * 500 + "]" * 500)
    with pytest.raises(InputFileError, match="nested more than 64 levels deep"):
        inputs.parse_toml("s.toml", "x = " + "{a = " * 500 + "1" + "}" * 500)
    assert inputs.parse_toml("s.toml", "x = '[[[[' # [[[[\n") == {"x": "[[[["}
    with pytest.raises(tomllib.TOMLDecodeError):
        inputs.parse_toml("s.toml", "x = ")


@pytest.mark.parametrize("text, message", [
    ("NaN", "NaN is not a JSON number"), ("[Infinity]", "Infinity is not a JSON number"),
    ('{"a": -Infinity}', "-Infinity is not a JSON number"), ("[1e400]", "1e400 is too large for a number"),
    ("-1e999", "-1e999 is too large for a number"), ("1" * 5000, "not JSON"),
])
def test_json_numbers_that_are_not_json_are_refused(text: str, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        inputs.parse_json("f", text)


def test_json_syntax_errors_give_line_and_column() -> None:
    with pytest.raises(InputFileError, match="^f:2:1: not JSON: Expecting value"):
        inputs.parse_json("f", "[1,\n]")


SMALL = {"type": "object", "required": ["a"], "properties": {"a": {"type": "array", "items": {"type": "integer"}}}}


@pytest.mark.parametrize("doc, message, field", [
    ({}, "f: field (document): 'a' is a required property", ()),
    ({"a": 3}, "f: field a: 3 is not of type 'array'", ("a",)),
    ({"a": [1, "x"]}, "f: field a[1]: 'x' is not of type 'integer'", ("a", 1)),
    ({"a": [1.0]}, "f: field a[0]: 1.0 is not of type 'integer'", ("a", 0)),  # JSON Schema's "integer" admits 1.0
    ({"a": [True]}, "f: field a[0]: True is not of type 'integer'", ("a", 0)),
    ([], "f: field (document): [] is not of type 'object'", ()),
])
def test_validate_names_the_field_in_one_line(doc: object, message: str, field: tuple) -> None:
    with pytest.raises(InputFileError) as info:
        inputs.validate("f", doc, SMALL)
    assert str(info.value) == message and info.value.field == field


def test_a_long_value_is_cut_in_the_message() -> None:
    with pytest.raises(InputFileError) as info:
        inputs.validate("f", {"a": "y" * 1000}, SMALL)
    assert len(str(info.value)) < 230 and str(info.value).endswith("...")


def test_load_json_reads_parses_and_validates(tmp_path: Path) -> None:
    assert inputs.load_json(_file(tmp_path, b'{"a": [1]}'), SMALL) == {"a": [1]}
    with pytest.raises(InputFileError, match="field a"):
        inputs.load_json(_file(tmp_path, b'{"a": {}}'), SMALL)


def test_the_schemas_are_valid_and_load_by_name() -> None:
    import jsonschema

    for name in ("check", "ledger", "scenario-file"):
        jsonschema.Draft202012Validator.check_schema(schema(name))
    assert part("check", "result")["$ref"] == "#/$defs/result"
    with pytest.raises(KeyError):
        part("check", "nothing")


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab'),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet='[]{}"\\ab', max_size=4), inner,
                                                               max_size=4),
    max_leaves=30)


@given(_JSON_VALUES)
def test_the_fast_json_depth_equals_the_character_scan(value):
    text = json.dumps(value)
    assert inputs.json_nesting_depth(text) == inputs.nesting_depth(text)


def test_a_key_with_a_newline_keeps_the_message_on_one_line() -> None:
    """Found by Hypothesis (test_diagram_msc_never_crashes): a field named "\\n" split the error in two."""
    schema = {"type": "object", "properties": {"fields": {"type": "object", "additionalProperties": {"type": "integer"}}}}
    with pytest.raises(inputs.InputFileError) as err:
        inputs.validate("t.json", {"fields": {"\n": None, "a\rb": None}}, schema)
    assert "\n" not in str(err.value) and "\r" not in str(err.value)
    assert str(err.value).startswith("t.json: field fields.'") and "None is not of type 'integer'" in str(err.value)
    assert inputs.field_path(["results", 0, "ok"]) == "results[0].ok"
