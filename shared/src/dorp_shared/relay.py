"""Outbox relay: publishes committed outbox rows to JetStream, in order, acknowledged.

Woken right after a commit that emitted events, and polling as a fallback (another
replica's commits, a crash between commit and publish). ``FOR UPDATE SKIP LOCKED`` lets
replicas share the work; ``Nats-Msg-Id`` makes a re-publish after a crash harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

import asyncpg
import structlog

Publish = Callable[[str, bytes, dict[str, str], str], Awaitable[None]]

log = structlog.get_logger(__name__)


class OutboxRelay:
    def __init__(
        self, pool: asyncpg.Pool, publish: Publish, *, batch: int = 500, poll_seconds: float = 1.0
    ) -> None:
        self._pool = pool
        self._publish = publish
        self._batch = batch
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Publish what is committed, then stop."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        try:
            await self.publish_pending()
        except Exception as exc:  # left in the outbox for the next start
            log.warning("outbox.flush_failed", error=str(exc))

    async def _run(self) -> None:
        while True:
            try:
                while await self.publish_pending() == self._batch:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox.publish_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            self._wake.clear()

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT position, subject, stream, headers, body FROM outbox"
                " WHERE published_at IS NULL ORDER BY position LIMIT $1"
                " FOR UPDATE SKIP LOCKED",
                self._batch,
            )
            if not rows:
                return 0
            await asyncio.gather(
                *(
                    self._publish(
                        row["subject"],
                        bytes(row["body"]),
                        json.loads(row["headers"]),
                        row["stream"],
                    )
                    for row in rows
                )
            )
            await conn.execute(
                "UPDATE outbox SET published_at = now() WHERE position = ANY($1::bigint[])",
                [row["position"] for row in rows],
            )
            return len(rows)
