"""The one path from raw request bytes to a reply, shared by the NATS and HTTP transports,
so a command answers the same over both: a result, or an ``ErrorReply`` with a reason.

Whatever goes wrong becomes a reply, never an exception: a rejection is 4xx with the fields
at fault; a value the database refuses is 422; an outage is 503 (retry with the same key);
anything else is 500 and logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from asyncpg.exceptions import _base as asyncpg_base

from dorp_shared.commands import (
    INTERNAL_ERROR,
    INVALID_VALUE,
    UNAVAILABLE,
    Command,
    CommandContext,
    CommandRejected,
    ErrorReply,
    check_idempotency_key,
    execute,
    parse_input,
)
from dorp_shared.errors import InfrastructureUnavailable

log = structlog.get_logger(__name__)

__all__ = ["INTERNAL_ERROR", "TRANSIENT", "UNSTORABLE", "Reply", "run_command"]

UNSTORABLE = (
    asyncpg.DataError,  # PostgreSQL's class 22: out of range, untranslatable character, ...
    asyncpg_base.DataError,  # asyncpg could not encode an argument (an int beyond int32)
)
"""Input that passed validation but that the database cannot store: the input's fault, so
422 (and a model that should have bounded it), never 500 or a 503 that invites retries."""

TRANSIENT = (
    InfrastructureUnavailable,
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.TooManyConnectionsError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
)


@dataclass(frozen=True)
class Reply:
    """``status`` is an HTTP status code; NATS replies carry the same body."""

    status: int
    body: bytes


async def run_command(
    command: Command[Any, Any, Any],
    body: bytes,
    ctx: CommandContext,
    new_uow: Callable[[], Any],
) -> Reply:
    try:
        check_idempotency_key(ctx.idempotency_key)
        payload = parse_input(command, body)
        result = await execute(command, new_uow(), ctx, payload)
    except CommandRejected as rejected:
        _log_rejection(command, ctx, rejected)
        return Reply(rejected.http_status, rejected.reply().model_dump_json().encode())
    except UNSTORABLE as exc:  # before TRANSIENT: asyncpg's own DataError is an InterfaceError
        log.warning("command.unstorable", command=command.name, error=type(exc).__name__)
        return _error(422, INVALID_VALUE, "a value is out of range or cannot be stored")
    except TRANSIENT as exc:
        log.warning("command.unavailable", command=command.name, error=type(exc).__name__)
        return _error(503, UNAVAILABLE, "try again in a moment")
    except Exception:
        log.exception("command.failed", command=command.name)
        return _error(500, INTERNAL_ERROR, "an unexpected error; it was logged")
    return Reply(200, result.model_dump_json().encode())


def _error(status: int, reason: str, detail: str) -> Reply:
    return Reply(status, ErrorReply(reason=reason, detail=detail).model_dump_json().encode())


def _log_rejection(
    command: Command[Any, Any, Any], ctx: CommandContext, rejected: CommandRejected
) -> None:
    """Field names and reasons only, never values: values may be personal data."""
    log.info(
        "command.rejected",
        command=command.name,
        actor=ctx.actor.label,
        reason=rejected.reason,
        fields=[error.field for error in rejected.errors],
    )
