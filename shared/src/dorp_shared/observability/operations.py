"""What a service's operations endpoints ask of its running parts: readiness and a scrape."""

from __future__ import annotations

import asyncpg
from faststream.exceptions import IncorrectState
from faststream.nats import NatsBroker

from dorp_shared.observability.health import unready_reasons
from dorp_shared.observability.metrics import ServiceMetrics
from dorp_shared.observability.sampling import sample_consumers, sample_outbox


def durable_consumers(broker: NatsBroker) -> list[tuple[str, str]]:
    """(stream, durable consumer) of each JetStream subscriber of the broker."""
    found = []
    for subscriber in broker.subscribers:
        stream = getattr(subscriber, "stream", None)
        durable = getattr(getattr(subscriber, "config", None), "durable_name", None)
        if stream is not None and durable:
            found.append((str(stream.name), str(durable)))
    return found


def nats_connected(broker: NatsBroker) -> bool:
    try:
        return bool(broker.connection.is_connected)
    except IncorrectState:  # not connected yet: FastStream raises instead of answering
        return False


async def readiness(broker: NatsBroker, pool: asyncpg.Pool | None, consuming: bool) -> list[str]:
    return await unready_reasons(
        consuming=consuming, nats_connected=nats_connected(broker), pool=pool
    )


async def scrape(metrics: ServiceMetrics, broker: NatsBroker, pool: asyncpg.Pool | None) -> bytes:
    """Sample the gauges, then render every metric in Prometheus' text format."""
    if pool is not None:
        await sample_outbox(metrics, pool)
    if nats_connected(broker):
        await sample_consumers(metrics, broker.connection.jetstream(), durable_consumers(broker))
    return metrics.exposition()
