"""Gauges sampled when Prometheus scrapes: consumer lag and outbox backlog.

Sampling on scrape (not on a timer) costs nothing between scrapes and is never stale. A
sample that cannot be taken (NATS or the database away) leaves the gauge as it was; the
readiness probe is what reports the outage.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import asyncpg
import structlog
from nats.errors import Error as NatsError
from nats.js import JetStreamContext

from dorp_shared.observability.metrics import ServiceMetrics

log = structlog.get_logger(__name__)

SAMPLE_TIMEOUT_SECONDS = 2.0
UNPUBLISHED = "SELECT count(*) FROM outbox WHERE published_at IS NULL"


async def sample_outbox(metrics: ServiceMetrics, pool: asyncpg.Pool) -> None:
    try:
        backlog = await asyncio.wait_for(pool.fetchval(UNPUBLISHED), SAMPLE_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        log.debug("metrics.outbox_sample_failed", error=type(exc).__name__)
        return
    metrics.outbox_backlog.set(int(backlog))


async def sample_consumers(
    metrics: ServiceMetrics, js: JetStreamContext, consumers: Iterable[tuple[str, str]]
) -> None:
    """``num_pending`` (lag) and ``num_ack_pending`` of each (stream, durable consumer)."""
    for stream, durable in consumers:
        try:
            info = await js.consumer_info(stream, durable, timeout=SAMPLE_TIMEOUT_SECONDS)
        except (NatsError, TimeoutError) as exc:
            log.debug("metrics.consumer_sample_failed", consumer=durable, error=type(exc).__name__)
            continue
        metrics.consumer_pending.labels(stream, durable).set(int(info.num_pending or 0))
        metrics.consumer_ack_pending.labels(stream, durable).set(int(info.num_ack_pending or 0))
