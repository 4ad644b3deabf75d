"""Commands and queries: one definition, served alike over NATS request/reply and HTTP.

A service lists its :class:`Command` objects; :func:`execute` validates the input, applies
the region's rules, runs the handler in one unit of work, and makes a retry with the same
idempotency key return the first result without changing anything twice. The transports
(:mod:`dorp_shared.http`, :func:`wire_nats_commands`) only turn bytes into calls and
results or :class:`CommandRejected` into replies, so both answer with the same errors.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Literal, Protocol, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import from_json

from dorp_shared.contracts.partner import MAX_PARTNER_PAYLOAD_BYTES, FieldError
from dorp_shared.regions import Region
from dorp_shared.uow import UnitOfWork
from dorp_shared.validation import (
    BLANKS,
    document_input_rules,
    field_errors,
    must_not_be_blank,
    unstorable_text,
)

MAX_COMMAND_BYTES = MAX_PARTNER_PAYLOAD_BYTES
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 200
NUL_ESCAPE = b"\\u0000"

INVALID_JSON = "invalid_json"
INVALID_FIELDS = "invalid_fields"
PAYLOAD_TOO_LARGE = "payload_too_large"
NOT_FOUND = "not_found"
CONFLICT = "conflict"
KEY_REUSED = "idempotency_key_reused"
UNAVAILABLE = "temporarily_unavailable"
INVALID_VALUE = "invalid_value"
INTERNAL_ERROR = "internal_error"
METHOD_NOT_ALLOWED = "method_not_allowed"

HTTP_STATUS = {
    INVALID_JSON: 422,
    INVALID_FIELDS: 422,
    INVALID_VALUE: 422,
    PAYLOAD_TOO_LARGE: 413,
    NOT_FOUND: 404,
    METHOD_NOT_ALLOWED: 405,
    CONFLICT: 409,
    KEY_REUSED: 409,
    INTERNAL_ERROR: 500,
    UNAVAILABLE: 503,
}


class CommandRejected(Exception):
    """The command cannot be carried out; nothing was changed. ``reason`` is for machines,
    ``detail`` one English line for people, ``errors`` name the fields at fault."""

    def __init__(self, reason: str, detail: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.errors = tuple(errors)

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.reason, 422)

    def reply(self) -> ErrorReply:
        return ErrorReply(reason=self.reason, detail=self.detail, errors=self.errors)


def invalid(field: str, message: str, allowed: Sequence[str] | None = None) -> CommandRejected:
    """A rejection for one field, listing the allowed values where the set is closed."""
    error = FieldError(field=field, message=message, allowed=tuple(allowed) if allowed else None)
    return CommandRejected(INVALID_FIELDS, f"{field}: {message}", (error,))


def too_large(size: int) -> CommandRejected:
    """``size`` is what was seen: all of it over NATS, maybe a part over HTTP."""
    return CommandRejected(
        PAYLOAD_TOO_LARGE, f"at least {size} bytes; at most {MAX_COMMAND_BYTES} allowed"
    )


def not_found(what: str, ident: object) -> CommandRejected:
    return CommandRejected(NOT_FOUND, f"no {what} with id {ident}")


class ErrorReply(BaseModel):
    """What every transport answers when a command is rejected."""

    model_config = ConfigDict(frozen=True)

    status: Literal["rejected"] = "rejected"
    reason: str = Field(description=f"for machines: {', '.join(HTTP_STATUS)}")
    detail: str = Field(description="one English line for people")
    errors: tuple[FieldError, ...] = Field(
        default=(), description="the fields at fault, with the allowed values of closed sets"
    )


class CommandInput(BaseModel):
    """Base of command inputs: strict, so a misspelt field is an error, not ignored.

    Text is validated as sent (lengths, patterns), then trimmed of surrounding blanks; a
    required text must not be blank. The JSON schema says so too (``NOT_BLANK``), so that
    what the OpenAPI document calls valid is exactly what is accepted.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=document_input_rules)

    @field_validator("*")
    @classmethod
    def _trim(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            trimmed = value.strip(BLANKS)
            field = cls.model_fields[info.field_name or ""]
            if not trimmed and must_not_be_blank(field):
                raise ValueError("must not be blank")
            return trimmed
        return value  # text inside lists is kept as sent: its rules are the items' own


@dataclass(frozen=True)
class Actor:
    """Who sends a command: ``kind`` says through what, ``id`` which one (a partner id)."""

    kind: Literal["api", "partner", "staff", "system"]
    id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}" if self.id else self.kind


@dataclass(frozen=True)
class CommandContext:
    region: Region
    now: datetime
    actor: Actor = Actor("api")
    idempotency_key: str | None = None


U = TypeVar("U", bound=UnitOfWork)
I = TypeVar("I", bound=BaseModel)  # noqa: E741
O = TypeVar("O", bound=BaseModel)  # noqa: E741
RegionCheck = Callable[[Any, Region], Sequence[FieldError]]


@dataclass(frozen=True)
class Command(Generic[U, I, O]):
    """One command or query of a service.

    ``name`` is the last token of ``dorp.<region>.cmd.<service>.<name>`` and the HTTP path
    ``POST /v1/<name>``. ``check`` applies the region's rules (areas, languages, kinds) to
    valid input before any transaction. A ``query`` changes nothing, so it needs no key.
    """

    name: str
    input: type[I]
    output: type[O]
    handle: Callable[[U, CommandContext, I], Awaitable[O]]
    summary: str
    tag: str
    query: bool = False
    check: RegionCheck | None = None
    description: str = ""
    partner_event: str | None = field(default=None, compare=False)


class IdempotencyStore(Protocol):
    async def claim_key(
        self, key: str, command: str, request_hash: str
    ) -> tuple[str, str, str | None] | None:
        """None if the key is new (and now claimed); else (command, hash, result json)."""
        ...

    async def store_result(self, key: str, result_json: str) -> None: ...


def parse_input(command: Command[Any, I, Any], body: bytes) -> I:
    """Raw bytes to the command's input model, or a rejection naming every bad field.

    Strict: no coercion on the wire (``"5"`` is not an integer, ``20260301`` not a date),
    so what the JSON schema, and the OpenAPI document, calls valid is what passes.
    """
    if len(body) > MAX_COMMAND_BYTES:
        raise too_large(len(body))
    try:
        payload = command.input.model_validate_json(body or b"{}", strict=True)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise CommandRejected(INVALID_JSON, "the body is not valid JSON") from exc
        errors = field_errors(command.input, exc)
        raise CommandRejected(
            INVALID_FIELDS, f"{exc.error_count()} invalid field(s)", errors
        ) from exc
    if NUL_ESCAPE in body:  # cheap test first: the walk is needed only when one may be there
        errors = unstorable_text(from_json(body))
        if errors:
            raise CommandRejected(INVALID_FIELDS, f"{len(errors)} invalid field(s)", errors)
    return payload


def check_idempotency_key(key: str | None) -> None:
    """The same rule for every transport, so HTTP and NATS reject a bad key alike."""
    if key is not None and not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY:
        raise invalid(IDEMPOTENCY_HEADER, f"must be 1 to {MAX_IDEMPOTENCY_KEY} characters")


def check_region(command: Command[Any, I, Any], payload: I, region: Region) -> None:
    if command.check is None:
        return
    errors = tuple(command.check(payload, region))
    if errors:
        detail = f"{len(errors)} field(s) not valid in region {region.id}"
        raise CommandRejected(INVALID_FIELDS, detail, errors)


async def execute(command: Command[U, I, O], uow: U, ctx: CommandContext, payload: I) -> O:
    """Run one validated command in one unit of work; idempotent when a key is given."""
    check_region(command, payload, ctx.region)
    key = None if command.query else ctx.idempotency_key
    async with uow:
        if key is not None:
            prior = await _claim(uow, key, command.name, payload)
            if prior is not None:
                return command.output.model_validate_json(prior)
        result = await command.handle(uow, ctx, payload)
        if key is not None:
            await _store(uow, key, result)
    return result


def request_hash(command: str, payload: BaseModel) -> str:
    data = f"{command}\n{payload.model_dump_json()}".encode()
    return hashlib.sha256(data).hexdigest()


async def _claim(uow: Any, key: str, command: str, payload: BaseModel) -> str | None:
    store: IdempotencyStore = uow
    digest = request_hash(command, payload)
    prior = await store.claim_key(key, command, digest)
    if prior is None:
        return None
    prior_command, prior_hash, result = prior
    if prior_command != command or prior_hash != digest or result is None:
        raise CommandRejected(
            KEY_REUSED, "this idempotency key was used before for a different command or input"
        )
    return result


async def _store(uow: Any, key: str, result: BaseModel) -> None:
    store: IdempotencyStore = uow
    await store.store_result(key, result.model_dump_json())


def new_id() -> uuid.UUID:
    return uuid.uuid4()
