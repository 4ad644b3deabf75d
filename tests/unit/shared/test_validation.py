"""How bad input becomes a reply, in the shared command framework: field errors that name
the field and list the allowed values, text rules the JSON schema states exactly, and
every failure (a rejection, an unstorable value, an outage, a bug) as an ``ErrorReply``
with the right status, over the HTTP app as over ``run_command``."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import asyncpg
import httpx
import jsonschema_rs
import pytest
from asyncpg.exceptions import _base as asyncpg_base
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from dorp_shared.command_runner import run_command
from dorp_shared.commands import (
    CONFLICT,
    IDEMPOTENCY_HEADER,
    INTERNAL_ERROR,
    INVALID_FIELDS,
    INVALID_VALUE,
    MAX_COMMAND_BYTES,
    UNAVAILABLE,
    Command,
    CommandContext,
    CommandInput,
    CommandRejected,
    ErrorReply,
    parse_input,
)
from dorp_shared.http import build_http_api
from dorp_shared.regions import Region, load_region
from dorp_shared.uow import FakeUnitOfWork
from dorp_shared.validation import unstorable_text


class Window(CommandInput):
    day: Literal["mon", "tue"]
    hour: int = Field(ge=0, le=23)


class Sample(CommandInput):
    name: str = Field(min_length=1, max_length=20)
    kind: Literal["a", "b"] = "a"
    bands: tuple[Literal["0-1", "1-4"], ...] = ()
    windows: tuple[Window, ...] = ()
    note: str | None = None


class Done(BaseModel):
    name: str


Failure = BaseException | None


def sample_command(failure: Failure = None) -> Command[Any, Sample, Done]:
    """A command that answers with the name, or raises ``failure`` from its handler."""

    async def handle(uow: Any, ctx: CommandContext, item: Sample) -> Done:
        if failure is not None:
            raise failure
        return Done(name=item.name)

    return Command(
        name="sample", input=Sample, output=Done, handle=handle, summary="A sample.", tag="t"
    )


def rejection(body: dict[str, Any] | bytes) -> CommandRejected:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(CommandRejected) as caught:
        parse_input(sample_command(), raw)
    return caught.value


def test_each_bad_field_is_named_with_the_allowed_values_of_closed_sets() -> None:
    rejected = rejection(
        {
            "name": "Sanne",
            "kind": "c",
            "bands": ["0-1", "9-99"],
            "windows": [{"day": "sun", "hour": 25, "minute": 0}],
            "colour": "red",
        }
    )
    assert rejected.reason == INVALID_FIELDS
    allowed = {error.field: error.allowed for error in rejected.errors}
    assert allowed == {
        "kind": ("a", "b"),
        "bands.1": ("0-1", "1-4"),
        "windows.0.day": ("mon", "tue"),
        "windows.0.hour": None,
        "windows.0.minute": ("day", "hour"),
        "colour": ("name", "kind", "bands", "windows", "note"),
    }


def test_a_body_that_is_not_json_or_too_large_says_so() -> None:
    assert rejection(b"{not json").reason == "invalid_json"
    assert rejection(b"\xff\xfe").reason == "invalid_json"
    too_large = json.dumps({"name": "x" * MAX_COMMAND_BYTES}).encode()
    assert rejection(too_large).reason == "payload_too_large"


def test_text_is_trimmed_after_validation() -> None:
    parsed = parse_input(sample_command(), b'{"name": "  Sanne\\n", "note": " hi "}')
    assert (parsed.name, parsed.note) == ("Sanne", "hi")


SCHEMA = jsonschema_rs.validator_for(Sample.model_json_schema())


@given(name=st.text(max_size=25).filter(lambda text: "\x00" not in text))
def test_the_json_schema_accepts_exactly_the_text_validation_accepts(name: str) -> None:
    """Blank names, lengths counted as sent: the documented schema and the model agree.
    (Text with NUL is refused everywhere, as the API description says: tested above.)"""
    body = json.dumps({"name": name}).encode()
    try:
        parse_input(sample_command(), body)
        accepted = True
    except CommandRejected:
        accepted = False
    assert accepted == SCHEMA.is_valid({"name": name}), repr(name)


def test_nul_characters_are_rejected_naming_the_field_as_postgresql_cannot_store_them() -> None:
    rejected = rejection({"name": "Sanne", "windows": [], "note": "a\x00b"})
    assert rejected.reason == INVALID_FIELDS
    assert [error.field for error in rejected.errors] == ["note"]
    literal = parse_input(sample_command(), json.dumps({"name": "\\u0000"}).encode())
    assert literal.name == "\\u0000"  # an escaped backslash, not a NUL: accepted


def test_unstorable_text_is_found_at_any_depth() -> None:
    data = {"a": [{"b": "x\x00"}, "fine"], "c\x00": 1, "d": {"e": "\x00"}}
    assert [error.field for error in unstorable_text(data)] == ["a.0.b", "c\x00", "d.e"]
    assert unstorable_text({"a": ["ok", 1, None, 2.5]}) == ()


def context(key: str | None = None) -> CommandContext:
    return CommandContext(region=lochem(), now=datetime.now(UTC), idempotency_key=key)


def lochem() -> Region:
    return load_region("lochem")


SANNE = json.dumps({"name": "Sanne"}).encode()


@pytest.mark.parametrize(
    ("failure", "status", "reason"),
    [
        (None, 200, None),
        (CommandRejected(CONFLICT, "already done"), 409, CONFLICT),
        (asyncpg.exceptions.NumericValueOutOfRangeError("out of range"), 422, INVALID_VALUE),
        (asyncpg_base.DataError("invalid input for query argument $1"), 422, INVALID_VALUE),
        (ConnectionRefusedError("no database"), 503, UNAVAILABLE),
        (asyncpg.exceptions.ConnectionDoesNotExistError("closed"), 503, UNAVAILABLE),
        (RuntimeError("a bug"), 500, INTERNAL_ERROR),
    ],
)
async def test_every_failure_becomes_a_reply_with_its_status(
    failure: Failure, status: int, reason: str | None
) -> None:
    reply = await run_command(sample_command(failure), SANNE, context(), FakeUnitOfWork)
    assert reply.status == status
    if status == 200:
        assert json.loads(reply.body) == {"name": "Sanne"}
    else:
        error = ErrorReply.model_validate_json(reply.body)
        assert error.reason == reason
        assert error.detail


@pytest.mark.parametrize("key", ["", "k" * 201])
async def test_a_bad_idempotency_key_is_rejected_naming_the_header(key: str) -> None:
    reply = await run_command(sample_command(), SANNE, context(key), FakeUnitOfWork)
    error = ErrorReply.model_validate_json(reply.body)
    assert (reply.status, error.reason) == (422, INVALID_FIELDS)
    assert [e.field for e in error.errors] == [IDEMPOTENCY_HEADER]


async def test_the_http_app_answers_every_error_as_an_error_reply() -> None:
    app = build_http_api(
        title="t",
        description="d",
        region=lochem(),
        commands=[sample_command()],
        new_uow=FakeUnitOfWork,
        health=lambda: {"status": "ok"},
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        key = {IDEMPOTENCY_HEADER: str(uuid.uuid4())}
        assert (await http.post("/v1/sample", content=SANNE, headers=key)).status_code == 200
        answers = {
            "unknown path": await http.post("/v1/nothing", content=SANNE),
            "wrong method": await http.get("/v1/sample"),
            "long key": await http.post(
                "/v1/sample", content=SANNE, headers={IDEMPOTENCY_HEADER: "k" * 201}
            ),
            "too large": await http.post("/v1/sample", content=b" " * (MAX_COMMAND_BYTES + 1)),
        }
    reasons = {
        what: (response.status_code, ErrorReply.model_validate_json(response.content).reason)
        for what, response in answers.items()
    }
    assert reasons == {
        "unknown path": (404, "not_found"),
        "wrong method": (405, "method_not_allowed"),
        "long key": (422, INVALID_FIELDS),
        "too large": (413, "payload_too_large"),
    }


def test_the_openapi_document_describes_the_input_and_every_error() -> None:
    app = build_http_api(
        title="t",
        description="d",
        region=lochem(),
        commands=[sample_command()],
        new_uow=FakeUnitOfWork,
        health=lambda: {},
    )
    operation = app.openapi()["paths"]["/v1/sample"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Sample"}
    assert set(operation["responses"]) == {"200", "404", "409", "413", "422", "500", "503"}
    (key,) = operation["parameters"]
    assert (key["name"], key["schema"]["maxLength"]) == (IDEMPOTENCY_HEADER, 200)
