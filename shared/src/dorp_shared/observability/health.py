"""Readiness: what must hold before a service takes work. Liveness is only "the process
answers"; a service that is not ready is left alone, not restarted."""

from __future__ import annotations

import asyncio

import asyncpg

DATABASE_TIMEOUT_SECONDS = 2.0


async def unready_reasons(
    *, consuming: bool, nats_connected: bool, pool: asyncpg.Pool | None
) -> list[str]:
    """Why the service is not ready; empty when it is."""
    reasons = []
    if not consuming:
        reasons.append("consumers not started")
    if not nats_connected:
        reasons.append("NATS not connected")
    reasons += await _database_reasons(pool)
    return reasons


async def _database_reasons(pool: asyncpg.Pool | None) -> list[str]:
    if pool is None:
        return ["database pool not open"]
    try:
        await asyncio.wait_for(pool.fetchval("SELECT 1"), DATABASE_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return [f"database does not answer ({type(exc).__name__})"]
    return []
