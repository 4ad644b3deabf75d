"""Run a service's real FastStream app in the test process, against real NATS/PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import nats
from nats.aio.client import Client

from dorp_shared.service import Runtime, ServiceDefinition, build_app
from dorp_shared.settings import DorpSettings


@contextlib.asynccontextmanager
async def running_service(
    definition: ServiceDefinition, settings: DorpSettings
) -> AsyncIterator[Runtime]:
    app, runtime = build_app(definition, settings)
    await app.start()
    try:
        yield runtime
    finally:
        await app.stop()


@contextlib.asynccontextmanager
async def nats_client(url: str) -> AsyncIterator[Client]:
    nc = await nats.connect(url)
    try:
        yield nc
    finally:
        await nc.drain()


async def all_published(runtime: Runtime) -> bool:
    """The service's outbox holds nothing unpublished: every event it committed is in its
    stream (its relay publishes a moment after the commit that acked the input)."""
    unpublished = await runtime.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE published_at IS NULL"
    )
    return bool(unpublished == 0)


async def eventually(
    probe: Callable[[], Awaitable[Any]], *, timeout: float = 15.0, interval: float = 0.1
) -> Any:
    """Poll ``probe`` until it returns something truthy; fail with its last value."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while asyncio.get_running_loop().time() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value: {last!r}")
