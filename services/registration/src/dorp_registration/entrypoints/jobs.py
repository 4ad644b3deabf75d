"""Registration's background work: purging erased members' events from the stream, and
retention. Both are stored as rows, so a restart loses nothing; both are safe to repeat."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

import structlog
from nats.js import JetStreamContext

from dorp_registration.adapters.uow import RegistrationPgUnitOfWork
from dorp_registration.retention import apply_retention
from dorp_shared.contracts.subjects import member_events, stream_name
from dorp_shared.service import Runtime

log = structlog.get_logger(__name__)

PURGE_SECONDS = 1.0
RETENTION_SECONDS = 3600.0
AREA = "registration"


class BackgroundJobs:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._every(PURGE_SECONDS, self.purge_erased), name="purge"),
            asyncio.create_task(self._every(RETENTION_SECONDS, self.retention), name="retention"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _every(self, seconds: float, job: object) -> None:
        assert callable(job)
        while True:
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # retried on the next round
                log.warning("job.failed", job=getattr(job, "__name__", "?"), error=str(exc))
            await asyncio.sleep(seconds)

    async def retention(self) -> None:
        await apply_retention(
            lambda: self.runtime.uow(RegistrationPgUnitOfWork),
            self.runtime.region,
            datetime.now(UTC),
        )

    async def purge_erased(self) -> int:
        """For each erasure whose ``MemberErased`` is published: purge the member's other
        events from the stream (keeping that last one) and from the outbox."""
        pool = self.runtime.pool
        region = self.runtime.region.id
        js: JetStreamContext = self.runtime.broker.connection.jetstream()
        rows = await pool.fetch(
            # No outbox row: published long ago and pruned since (the two are written together).
            "SELECT e.member_id FROM erasures e LEFT JOIN outbox o ON o.event_id = e.event_id"
            " WHERE e.purged_at IS NULL AND (o.event_id IS NULL OR o.published_at IS NOT NULL)"
            " LIMIT 100"
        )
        for row in rows:
            member_id = str(row["member_id"])
            await js.purge_stream(
                stream_name(region, AREA), subject=member_events(region, AREA, member_id), keep=1
            )
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(
                    "DELETE FROM outbox WHERE published_at IS NOT NULL AND subject LIKE $1",
                    f"%.{member_id}",
                )
                await conn.execute(
                    "UPDATE erasures SET purged_at = now() WHERE member_id = $1", row["member_id"]
                )
            log.info("erasure.purged", member_id=member_id)
        return len(rows)
