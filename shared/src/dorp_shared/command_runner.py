"""The one path from raw request bytes to a reply, shared by the NATS and HTTP transports,
so a command answers the same over both: a result, or an ``ErrorReply`` with a reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog

from dorp_shared.commands import (
    UNAVAILABLE,
    Command,
    CommandContext,
    CommandRejected,
    ErrorReply,
    execute,
    parse_input,
)
from dorp_shared.errors import InfrastructureUnavailable

log = structlog.get_logger(__name__)

INTERNAL_ERROR = "internal_error"
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
        payload = parse_input(command, body)
        result = await execute(command, new_uow(), ctx, payload)
    except CommandRejected as rejected:
        _log_rejection(command, ctx, rejected)
        return Reply(rejected.http_status, rejected.reply().model_dump_json().encode())
    except TRANSIENT as exc:
        log.warning("command.unavailable", command=command.name, error=type(exc).__name__)
        error = ErrorReply(reason=UNAVAILABLE, detail="try again in a moment")
        return Reply(503, error.model_dump_json().encode())
    except Exception:
        log.exception("command.failed", command=command.name)
        error = ErrorReply(reason=INTERNAL_ERROR, detail="an unexpected error; it was logged")
        return Reply(500, error.model_dump_json().encode())
    return Reply(200, result.model_dump_json().encode())


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
