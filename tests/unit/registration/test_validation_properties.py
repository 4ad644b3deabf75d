"""Properties of validation, for every registration command (whatever ``COMMANDS`` holds):

- whatever bytes arrive (junk JSON, wrong types, unknown fields, huge strings, NUL
  characters, deep nesting), ``parse_input`` gives the input model or a ``CommandRejected``
  with a reason, and field errors that name fields that exist;
- a value outside a closed set (a ``Literal``) is rejected listing exactly its values;
- what the OpenAPI document calls valid is accepted, and region rules list allowed values
  that come from the region file and really are allowed.

``DORP_FUZZ_EXAMPLES`` sets the examples per command and property (default 20).
"""

from __future__ import annotations

import json
import os
import types
from collections.abc import Iterator
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from schemathesis.core import NotSet

from dorp_registration.commands import COMMANDS
from dorp_shared.commands import (
    INVALID_FIELDS,
    INVALID_JSON,
    PAYLOAD_TOO_LARGE,
    Command,
    CommandRejected,
    parse_input,
)
from dorp_shared.http import openapi_document
from dorp_shared.regions import Region, available_regions, load_region
from dorp_shared.validation import literal_values

AnyCommand = Command[Any, Any, Any]
Path = tuple[str | int, ...]
PARSE_REASONS = {INVALID_JSON, INVALID_FIELDS, PAYLOAD_TOO_LARGE}
REGIONS = [load_region(region_id) for region_id in available_regions()]
FAST = settings(
    max_examples=int(os.environ.get("DORP_FUZZ_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
each_command = pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def literal_paths(model: type[BaseModel], prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
    for name, info in model.model_fields.items():
        found = dict(_paths_in(info.annotation, (*prefix, info.alias or name)))
        yield from found.items()


def _paths_in(annotation: Any, path: Path) -> Iterator[tuple[Path, tuple[str, ...]]]:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        yield path, literal_values(annotation)
    elif origin is Annotated:
        yield from _paths_in(args[0], path)
    elif origin in (Union, types.UnionType):
        for arg in args:
            yield from _paths_in(arg, path)
    elif origin in (tuple, list, set, frozenset) and args:
        yield from _paths_in(args[0], (*path, 0))
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from literal_paths(annotation, path)


@cache
def field_names(model: type[BaseModel]) -> frozenset[str]:
    """The field names of the model and of every model inside it."""
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        for inner in _models_in(info.annotation):
            names |= field_names(inner)
    return frozenset(names)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)


def junk_bodies(command: AnyCommand) -> st.SearchStrategy[bytes]:
    """Anything a client might send: mostly objects with the command's own field names."""
    names = st.sampled_from(sorted(field_names(command.input)) or ["anything"])
    objects = st.dictionaries(names | st.text(max_size=12), JSON_VALUES, max_size=8)
    huge = st.builds(lambda name, size: {name: "x" * size}, names, st.sampled_from([5_000, 70_000]))
    deep = st.integers(1, 5_000).map(lambda depth: ("[" * depth + "]" * depth).encode())
    documents = st.one_of(objects, JSON_VALUES, huge).map(lambda data: json.dumps(data).encode())
    return st.one_of(documents, deep, st.binary(max_size=64))


@each_command
@FAST
@given(data=st.data())
def test_any_body_gives_the_input_or_a_rejection_naming_real_fields(
    command: AnyCommand, data: st.DataObject
) -> None:
    body = data.draw(junk_bodies(command))
    try:
        payload = parse_input(command, body)
    except CommandRejected as rejected:
        assert rejected.reason in PARSE_REASONS
        assert rejected.detail
        if rejected.reason == INVALID_FIELDS:
            assert rejected.errors
            sent = json.loads(body or b"{}")  # no body at all is an empty object
            for error in rejected.errors:
                assert names_real_field(command.input, sent, error.field), error
    else:
        assert isinstance(payload, command.input)


def literal_fields() -> Iterator[tuple[AnyCommand, Path, tuple[str, ...]]]:
    for command in COMMANDS:
        for path, allowed in literal_paths(command.input):
            yield command, path, allowed


@pytest.mark.parametrize(
    ("command", "path", "allowed"),
    list(literal_fields()),
    ids=lambda value: value.name if isinstance(value, Command) else None,
)
@FAST
@given(bad=st.text(max_size=12))
def test_a_value_outside_a_closed_set_is_rejected_listing_its_values(
    command: AnyCommand, path: Path, allowed: tuple[str, ...], bad: str
) -> None:
    assume(bad not in allowed)
    with pytest.raises(CommandRejected) as caught:
        parse_input(command, json.dumps(body_with(path, bad)).encode())
    field = ".".join(str(part) for part in path)
    named = [error for error in caught.value.errors if error.field == field]
    assert named, caught.value.errors
    assert set(named[0].allowed or ()) == set(allowed)


@each_command
@FAST
@given(data=st.data())
def test_valid_input_is_accepted_and_region_rules_list_values_really_allowed(
    command: AnyCommand, data: st.DataObject
) -> None:
    """Valid: what the OpenAPI document calls valid. Then the region's rules, for a region
    drawn from deploy/regions: every value they list comes from the region file, and
    putting the first one in place of the rejected value satisfies the rule."""
    payload = parse_input(command, data.draw(valid_bodies(command)))
    assert isinstance(payload, command.input)
    if command.check is None:
        return
    region = data.draw(st.sampled_from(REGIONS))
    sent = payload.model_dump(mode="json")
    for error in command.check(payload, region):
        assert names_real_field(command.input, sent, error.field), error
        if not error.allowed:
            continue
        assert set(error.allowed) <= words_of(region), error
        repaired = command.input.model_validate(set_at(sent, error.field, error.allowed[0]))
        assert error.field not in {again.field for again in command.check(repaired, region)}


@cache
def registration_openapi() -> Any:
    document = openapi_document(
        service="registration", description="", region=REGIONS[0], commands=COMMANDS
    )
    return schemathesis.openapi.from_dict(document)


def valid_bodies(command: AnyCommand) -> st.SearchStrategy[bytes]:
    """Bodies the command's request schema accepts (no body at all where it is optional),
    without the NUL character (which the API's description rules out for all text and
    JSON Schema cannot say for every text), and without the few characters on which JSON
    Schema's regular expressions and pydantic's disagree about ``\\s`` (NEL, U+001C to
    U+001F, BOM)."""
    operation = registration_openapi()[f"/v1/{command.name}"]["POST"]
    bodies = operation.as_strategy().map(lambda case: _as_sent(case.body))
    return bodies.filter(lambda body: not _unsaid(body.decode()))


def _as_sent(body: Any) -> bytes:
    if isinstance(body, NotSet):
        return b""
    return json.dumps(_whole_numbers(body), ensure_ascii=False).encode()


def _whole_numbers(data: Any) -> Any:
    """``5.0`` as ``5``, as JSON writers do: integers are validated strictly (STRICT_JSON),
    while JSON Schema counts ``5.0`` as an integer too."""
    if isinstance(data, float) and data.is_integer() and abs(data) < 2**53:
        return int(data)
    if isinstance(data, list):
        return [_whole_numbers(item) for item in data]
    if isinstance(data, dict):
        return {key: _whole_numbers(value) for key, value in data.items()}
    return data


def _unsaid(text: str) -> bool:
    escaped = ("\\u0000", "\\u001c", "\\u001d", "\\u001e", "\\u001f")
    return any(mark in text for mark in escaped) or "\x85" in text or "\ufeff" in text


def names_real_field(model: type[BaseModel], sent: Any, field: str) -> bool:
    """A path through what was sent, or to a field the input has that was left out;
    ``(body)`` only when the body is not an object at all. Keys may hold dots."""
    if field == "(body)":
        return not isinstance(sent, dict)
    if isinstance(sent, list):
        index, _, rest = field.partition(".")
        if index.isdigit() and int(index) < len(sent):
            return not rest or names_real_field(model, sent[int(index)], rest)
        return False
    if not isinstance(sent, dict):
        return False
    if field in sent or ("." not in field and field in field_names(model)):
        return True  # sent, or a field that is missing
    return any(
        field.startswith(f"{key}.") and names_real_field(model, value, field[len(key) + 1 :])
        for key, value in sent.items()
    )


def set_at(data: Any, field: str, value: str) -> Any:
    """A copy of JSON ``data`` with ``value`` at the dotted path ``field``."""
    copy = json.loads(json.dumps(data))
    *parents, last = field.split(".")
    node = copy
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return copy


def body_with(path: Path, value: Any) -> Any:
    """The smallest JSON with ``value`` at ``path`` (ints are list positions)."""
    for part in reversed(path):
        value = [value] if isinstance(part, int) else {part: value}
    return value


def words_of(region: Region) -> set[str]:
    """Every text in the region file: where a region rule's allowed values come from."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            found.update(str(key) for key in value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(region.model_dump(mode="json"))
    return found
