"""A command served with its correlation id, a span and metrics, whatever the transport."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from opentelemetry.trace import SpanKind, Status, StatusCode

from dorp_shared.command_runner import Reply, run_command
from dorp_shared.commands import Command, CommandContext
from dorp_shared.observability.correlation import correlation_from, correlation_scope
from dorp_shared.observability.metrics import ServiceMetrics
from dorp_shared.observability.tracing import extract, tracer

Transport = Literal["http", "nats"]
SERVER_ERROR = 500


@dataclass(frozen=True)
class ObservedReply:
    reply: Reply
    correlation_id: str


async def serve_command(
    command: Command[Any, Any, Any],
    body: bytes,
    ctx: CommandContext,
    new_uow: Callable[[], Any],
    *,
    headers: Mapping[str, Any],
    transport: Transport,
    metrics: ServiceMetrics | None,
) -> ObservedReply:
    """Run the command under the request's correlation id (or a new one) and trace context;
    the events it emits carry both on."""
    started = time.perf_counter()
    with (
        correlation_scope(correlation_from(headers)) as correlation_id,
        tracer().start_as_current_span(
            f"command {command.name}",
            context=extract(headers),
            kind=SpanKind.SERVER,
            attributes={"dorp.command": command.name, "dorp.transport": transport},
        ) as span,
    ):
        reply = await run_command(command, body, ctx, new_uow)
        span.set_attribute("dorp.status", reply.status)
        if reply.status >= SERVER_ERROR:
            span.set_status(Status(StatusCode.ERROR))
    if metrics is not None:
        metrics.command_served(command.name, transport, reply.status, time.perf_counter() - started)
    return ObservedReply(reply, correlation_id)
